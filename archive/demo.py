"""``cleaner demo``: archive the shipped sample news pages from a local server, offline.

The samples are small synthetic pages shaped like okezone.com, detik.com, kompas.com
and the other sites with bundled rules. A local HTTP proxy on 127.0.0.1 answers for
their real host names, so the archive records the real URLs and the site rules apply,
while nothing leaves this machine.
"""

from __future__ import annotations

import http.server
import json
import struct
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import ClassVar
from urllib.parse import urlsplit


@dataclass(frozen=True)
class Sample:
    """One shipped sample page and the URL it is served under."""

    url: str
    path: Path


def samples_dir() -> Path:
    """The shipped samples: inside the wheel, else the checkout's tests/sites."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_samples", here.parent / "tests" / "sites"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("sample pages not found (broken installation?)")


def samples() -> list[Sample]:
    """Every sample page with its (http) URL, sorted by host and case."""
    out = []
    for meta in sorted(samples_dir().glob("*/*/meta.json")):
        url = json.loads(meta.read_text(encoding="utf-8"))["url"]
        out.append(Sample(url.replace("https://", "http://", 1), meta.parent / "source.html"))
    return out


def tiny_png(width: int = 40, height: int = 24) -> bytes:
    """A small grey PNG, generated (no binary files in the repo)."""
    raw = b"".join(b"\x00" + b"\xb0\xb8\xc0" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk with its CRC."""
        return (
            struct.pack(">I", len(data))
            + kind
            + data
            + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
        )

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


class _ProxyHandler(http.server.BaseHTTPRequestHandler):
    """Answers absolute-URI requests for the sample sites (and their images)."""

    protocol_version = "HTTP/1.1"
    pages: ClassVar[dict[str, bytes]] = {}
    png = b""

    def log_message(self, *args: object) -> None:
        """Stay quiet."""

    def do_GET(self) -> None:
        """Serve a sample page (gzip, chunked), a generated image, or 404."""
        url = self.path.replace("https://", "http://", 1)
        parts = urlsplit(url)
        page = self.pages.get(url.split("#")[0])
        if page is not None:
            body = page.replace(b"https://", b"http://")
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Encoding", "gzip")
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            gz = zlib.compressobj(6, zlib.DEFLATED, 31)
            data = gz.compress(body) + gz.flush()
            for i in range(0, len(data), 4096):
                part = data[i : i + 4096]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
            self.wfile.write(b"0\r\n\r\n")
        elif parts.path.lower().endswith((".jpg", ".jpeg", ".png", ".gif", ".webp")):
            self._send(200, "image/png", self.png)
        else:
            self._send(404, "text/plain", b"not found\n")

    def _send(self, status: int, ctype: str, body: bytes) -> None:
        """A plain response with Content-Length."""
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def demo_proxy(pages: list[Sample]) -> Iterator[str]:
    """Run the sample proxy on 127.0.0.1; yields its URL for use as an HTTP proxy."""
    handler = type(
        "Handler",
        (_ProxyHandler,),
        {"pages": {s.url: s.path.read_bytes() for s in pages}, "png": tiny_png()},
    )
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
