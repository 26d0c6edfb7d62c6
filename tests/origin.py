"""A fixture origin server on 127.0.0.1:0 that records, per request, the exact bytes it sent.

Every archive test that needs "a web site" uses this instead of the network::

    with Origin() as origin:
        origin.add_page("/a.html", b"<p>hi</p>", chunked=7, gzip=True)
        result = Fetcher(...).fetch(origin.url("/a.html"))
        assert result.final.response == origin.sent["/a.html"][0]

Endpoints are keyed by the request-target exactly as it arrives on the wire (so a
UTF-8 path is registered percent-encoded, e.g. ``/caf%C3%A9``). Each connection
carries one request and is closed after the response (no keep-alive), so what a
client records for a request is exactly one entry of ``sent[target]``.

``add_fixture_site`` registers the ~60 ordinary endpoints of RELIABILITY group A;
``add_hostile`` registers the misbehaving ones of group D. Hostile handlers stop
when the client goes away or the origin is closed, so no test leaves threads
spinning.
"""

from __future__ import annotations

import contextlib
import hashlib
import random
import socket
import struct
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache

MAX_HEAD = 64 * 1024
RECORD_LIMIT = 64 * 1024 * 1024
MB = 1024 * 1024
REASONS = {
    200: "OK",
    201: "Created",
    204: "No Content",
    301: "Moved Permanently",
    302: "Found",
    303: "See Other",
    304: "Not Modified",
    307: "Temporary Redirect",
    308: "Permanent Redirect",
    401: "Unauthorized",
    403: "Forbidden",
    404: "Not Found",
    410: "Gone",
    429: "Too Many Requests",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
}


@dataclass
class Request:
    """One request as the origin received it."""

    method: str
    target: str
    version: str
    headers: dict[str, str]
    raw: bytes
    time: float


@dataclass
class Conn:
    """The server side of one connection, handed to handlers; ``send`` records what it sends."""

    sock: socket.socket
    origin: Origin
    target: str
    sent: bytearray = field(default_factory=bytearray)
    total: int = 0

    @property
    def stopping(self) -> bool:
        """Whether the origin is shutting down (handlers must return soon)."""
        return self.origin._stop.is_set()

    def send(self, data: bytes) -> None:
        """Record bytes, then send them (raises OSError once the client is gone).

        Recording first means a test that has just received bytes always finds them
        in ``Origin.sent``.
        """
        if len(self.sent) < RECORD_LIMIT:
            self.sent += data[: RECORD_LIMIT - len(self.sent)]
        self.total += len(data)
        self.sock.sendall(data)

    def sleep(self, seconds: float) -> bool:
        """Sleep unless the origin stops first; True if still running."""
        return not self.origin._stop.wait(seconds)

    def wait_closed(self, timeout: float = 60.0) -> bool:
        """Read and discard until the client closes (True) or the origin stops/timeout."""
        end = time.monotonic() + timeout
        self.sock.settimeout(0.1)
        while not self.stopping and time.monotonic() < end:
            try:
                if not self.sock.recv(4096):
                    return True
            except TimeoutError:
                continue
            except OSError:
                return True
        return False

    def reset(self) -> None:
        """Abort the connection with a TCP RST (SO_LINGER 0, then close)."""
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.sock.close()


Handler = Callable[[Conn, Request], None]


def _static(raw: bytes) -> Handler:
    """A handler sending fixed bytes."""

    def handle(conn: Conn, request: Request) -> None:
        """Send the canned response."""
        conn.send(raw)

    return handle


class Origin:
    """A threaded HTTP/1.1 origin on loopback; use as a context manager."""

    def __init__(self, host: str = "127.0.0.1"):
        """Listen on an ephemeral port and start accepting."""
        self.host = host
        self._listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener.bind((host, 0))
        self._listener.listen(128)
        self._listener.settimeout(0.1)
        self.port: int = self._listener.getsockname()[1]
        self._handlers: dict[str, Handler] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._open: set[socket.socket] = set()
        self._sent: dict[str, list[bytearray]] = {}
        self.requests: list[Request] = []
        self.errors: list[str] = []
        self._acceptor = threading.Thread(
            target=self._accept_loop, name="origin-accept", daemon=True
        )
        self._acceptor.start()

    # -- lifecycle ---------------------------------------------------------
    def __enter__(self) -> Origin:
        """Return the running origin."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Stop the origin."""
        self.close()

    def close(self) -> None:
        """Stop accepting, wake every handler, and wait (briefly) for their threads."""
        self._stop.set()
        self._acceptor.join(2)
        self._listener.close()
        with self._lock:
            for s in list(self._open):
                with contextlib.suppress(OSError):
                    s.shutdown(socket.SHUT_RDWR)
            threads = list(self._threads)
        for t in threads:
            t.join(2)

    # -- registration ------------------------------------------------------
    @property
    def base(self) -> str:
        """``http://127.0.0.1:PORT``."""
        return f"http://{self.host}:{self.port}"

    def url(self, path: str) -> str:
        """Absolute URL of a request-target on this origin."""
        return self.base + path

    def add(self, path: str, raw: bytes) -> None:
        """Serve exactly ``raw`` (a whole HTTP response) at ``path``."""
        self._handlers[path] = _static(raw)

    def add_handler(self, path: str, handler: Handler) -> None:
        """Serve ``path`` with ``handler(conn, request)`` (hostile or stateful behaviour)."""
        self._handlers[path] = handler

    def add_page(
        self,
        path: str,
        body: bytes,
        headers: Iterable[tuple[str, str]] | None = None,
        *,
        chunked: int | None = None,
        gzip: bool = False,
        deflate: bool = False,
        status: int = 200,
        content_type: str | None = "text/html; charset=utf-8",
    ) -> bytes:
        """Serve a page built by ``response()``; returns the exact bytes it sends."""
        raw = response(
            body,
            headers,
            chunked=chunked,
            gzip=gzip,
            deflate=deflate,
            status=status,
            content_type=content_type,
        )
        self.add(path, raw)
        return raw

    def add_sequence(self, path: str, responses: list[bytes]) -> None:
        """Serve ``responses`` in turn, one per request; the last one repeats."""
        lock = threading.Lock()
        state = {"n": 0}

        def handle(conn: Conn, request: Request) -> None:
            """Send the next canned response."""
            with lock:
                i = min(state["n"], len(responses) - 1)
                state["n"] += 1
            conn.send(responses[i])

        self.add_handler(path, handle)

    def add_redirect(self, path: str, location: str | bytes, status: int = 302) -> bytes:
        """Serve a redirect to ``location`` (bytes are sent as-is, e.g. raw UTF-8)."""
        loc = location if isinstance(location, bytes) else location.encode("latin-1")
        raw = (
            f"HTTP/1.1 {status} {REASONS.get(status, 'Redirect')}\r\n".encode()
            + b"Location: "
            + loc
            + b"\r\nContent-Length: 0\r\n\r\n"
        )
        self.add(path, raw)
        return raw

    @property
    def sent(self) -> dict[str, list[bytes]]:
        """{request-target: [the exact bytes sent for each request, in arrival order]}."""
        with self._lock:
            return {k: [bytes(b) for b in v] for k, v in self._sent.items()}

    def hits(self, path: str) -> int:
        """How many requests arrived for ``path``."""
        with self._lock:
            return sum(1 for r in self.requests if r.target == path)

    # -- serving -----------------------------------------------------------
    def _accept_loop(self) -> None:
        """Accept connections until stopped, one thread each."""
        while not self._stop.is_set():
            try:
                sock, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            t = threading.Thread(target=self._serve, args=(sock,), name="origin-conn", daemon=True)
            with self._lock:
                self._open.add(sock)
                self._threads.append(t)
            t.start()

    def _read_head(self, sock: socket.socket) -> bytes | None:
        """Read a request head (through the blank line); None if the client went away."""
        sock.settimeout(0.2)
        data = b""
        while b"\r\n\r\n" not in data and len(data) < MAX_HEAD:
            if self._stop.is_set():
                return None
            try:
                got = sock.recv(4096)
            except TimeoutError:
                continue
            except OSError:
                return None
            if not got:
                return None
            data += got
        sock.settimeout(None)
        return data

    def _serve(self, sock: socket.socket) -> None:
        """Handle one connection: one request, one response, close."""
        conn: Conn | None = None
        try:
            head = self._read_head(sock)
            if head is None:
                return
            request = parse_request(head)
            conn = Conn(sock, self, request.target)
            with self._lock:
                self.requests.append(request)
                self._sent.setdefault(request.target, []).append(conn.sent)
            handler = self._handlers.get(request.target)
            if handler is None:
                handler = self._handlers.get(request.target.split("?", 1)[0], _not_found)
            # OSError: the client went away, as expected for hostile endpoints.
            with contextlib.suppress(OSError):
                handler(conn, request)
        except Exception as exc:  # a broken fixture must show up in the test, not vanish
            self.errors.append(f"{type(exc).__name__}: {exc}")
        finally:
            with self._lock:
                self._open.discard(sock)
            with contextlib.suppress(OSError):
                sock.close()


def parse_request(head: bytes) -> Request:
    """Parse a request head leniently (latin-1)."""
    text = head.decode("latin-1")
    lines = text.split("\r\n")
    parts = lines[0].split(" ")
    method, target, version = ([*parts, "", "", ""])[:3]
    headers: dict[str, str] = {}
    for line in lines[1:]:
        if ":" in line:
            k, v = line.split(":", 1)
            headers[k.strip().lower()] = v.strip()
    return Request(method, target, version, headers, head, time.monotonic())


def _not_found(conn: Conn, request: Request) -> None:
    """The default for unregistered paths."""
    conn.send(response(b"not found\n", status=404, content_type="text/plain"))


# -- building responses -----------------------------------------------------
def chunk(body: bytes, size: int) -> bytes:
    """Chunked transfer coding of ``body`` in chunks of ``size`` bytes, with the last chunk."""
    out = bytearray()
    for i in range(0, len(body), size):
        piece = body[i : i + size]
        out += b"%x\r\n" % len(piece) + piece + b"\r\n"
    return bytes(out + b"0\r\n\r\n")


def gzip_bytes(data: bytes) -> bytes:
    """A gzip member with a fixed mtime (so fixtures are reproducible)."""
    c = zlib.compressobj(6, zlib.DEFLATED, 31)
    return c.compress(data) + c.flush()


def response(
    body: bytes,
    headers: Iterable[tuple[str, str]] | None = None,
    *,
    chunked: int | None = None,
    gzip: bool = False,
    deflate: bool = False,
    status: int = 200,
    content_type: str | None = "text/html; charset=utf-8",
    reason: str | None = None,
    raw_deflate: bool = False,
) -> bytes:
    """Build a complete HTTP/1.1 response; header values may carry latin-1 characters."""
    payload = body
    lines = [f"HTTP/1.1 {status} {reason if reason is not None else REASONS.get(status, 'X')}"]
    if content_type:
        lines.append(f"Content-Type: {content_type}")
    if gzip:
        payload = gzip_bytes(payload)
        lines.append("Content-Encoding: gzip")
    elif deflate or raw_deflate:
        c = zlib.compressobj(6, zlib.DEFLATED, -15 if raw_deflate else 15)
        payload = c.compress(payload) + c.flush()
        lines.append("Content-Encoding: deflate")
    lines.extend(f"{k}: {v}" for k, v in (headers or ()))
    if status in (204, 304) or 100 <= status < 200:
        payload = b""
    elif chunked:
        lines.append("Transfer-Encoding: chunked")
        payload = chunk(payload, chunked)
    else:
        lines.append(f"Content-Length: {len(payload)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + payload


# -- bombs ------------------------------------------------------------------
@lru_cache(maxsize=4)
def _zero_segment(block: int) -> bytes:
    """Raw deflate of ``block`` zero bytes ending in a full flush (so it can be repeated)."""
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH)
    # After a full flush the compressor forgets its history, so every further
    # block compresses to the same bytes; check that rather than assume it.
    second = c.compress(bytes(block)) + c.flush(zlib.Z_FULL_FLUSH)
    assert first == second, "deflate of zeros after a full flush is not repeatable"
    return first


def _zeros_checks(total: int, block: int) -> tuple[int, int]:
    """CRC-32 and Adler-32 of ``total`` zero bytes, computed a block at a time."""
    zeros = bytes(block)
    crc, adler = 0, 1
    for _ in range(total // block):
        crc = zlib.crc32(zeros, crc)
        adler = zlib.adler32(zeros, adler)
    return crc, adler


def zeros_stream(
    total: int = 1024 * MB, *, wrapper: str = "gzip", block: int = MB
) -> Iterator[bytes]:
    """Yield a gzip (or zlib, or raw deflate) stream of ``total`` zeros, ~1 MB per GB.

    Nothing of ``total`` size is ever held: one 1 MB block is compressed once and its
    output repeated; checksums are computed block by block.
    """
    assert total % block == 0
    seg = _zero_segment(block)
    crc, adler = _zeros_checks(total, block) if wrapper != "raw" else (0, 1)
    if wrapper == "gzip":
        yield b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff"
    elif wrapper == "zlib":
        yield b"\x78\xda"
    for _ in range(total // block):
        yield seg
    yield b"\x03\x00"  # a final, empty fixed-Huffman block
    if wrapper == "gzip":
        yield struct.pack("<II", crc, total & 0xFFFFFFFF)
    elif wrapper == "zlib":
        yield struct.pack(">I", adler)


@lru_cache(maxsize=4)
def zeros_bytes(total: int = 1024 * MB, wrapper: str = "gzip") -> bytes:
    """The whole compressed stream of ``zeros_stream`` (about 1 MB per GB of zeros)."""
    return b"".join(zeros_stream(total, wrapper=wrapper))


# -- the fixture site (RELIABILITY group A) -----------------------------------
def html_page(n: int, images: int = 2) -> bytes:
    """A small article page referencing ``images`` images on the same origin."""
    imgs = "".join(f'<img src="/img/{n}-{i}.png" alt="figure {i}">' for i in range(images))
    return (
        f"<!doctype html><html><head><meta charset=utf-8><title>Page {n}</title></head>"
        f"<body><article><h1>Judul {n}</h1><p>Paragraf pertama halaman {n}. "
        f"Ada spekulasi mengenai kemungkinan.</p>{imgs}<p>Penutup — “kutipan”.</p>"
        "</article></body></html>"
    ).encode()


def png(seed: int) -> bytes:
    """A tiny valid 1x1 PNG whose colour depends on ``seed``."""

    def chunk_(kind: bytes, data: bytes) -> bytes:
        """One PNG chunk."""
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    ihdr = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    pixel = bytes([0, seed % 256, (seed * 7) % 256, (seed * 13) % 256])
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk_(b"IHDR", ihdr)
        + chunk_(b"IDAT", zlib.compress(pixel))
        + chunk_(b"IEND", b"")
    )


def binary_blob(size: int = MB, seed: int = 1) -> bytes:
    """Deterministic incompressible bytes."""
    return random.Random(seed).randbytes(size)


SAME_BODY = ("<!doctype html><p>" + "Sama isinya, beda potongan. " * 300 + "</p>").encode()
CHUNK_SIZES = (1, 7, 64, 4096)


def add_fixture_site(origin: Origin) -> dict[str, str]:
    """Register the ordinary endpoints; returns {request-target: what it exercises}."""
    site: dict[str, str] = {}

    def page(path: str, what: str, body: bytes, **kw: object) -> None:
        """Register one page and describe it."""
        origin.add_page(path, body, **kw)  # type: ignore[arg-type]
        site[path] = what

    def raw(path: str, what: str, data: bytes) -> None:
        """Register raw bytes and describe them."""
        origin.add(path, data)
        site[path] = what

    text = b"plain text\n" * 20
    page(
        "/robots.txt",
        "robots allowing all",
        b"User-agent: *\nAllow: /\n",
        content_type="text/plain",
    )
    page("/cl/html", "content-length html", html_page(0))
    page("/cl/text", "content-length text", text, content_type="text/plain; charset=utf-8")
    page("/cl/json", "content-length json", b'{"ok": true}', content_type="application/json")
    for size in CHUNK_SIZES:
        page(f"/chunked/{size}", f"chunked, {size}-byte chunks", SAME_BODY, chunked=size)
    page("/same/content-length", "same body as /chunked/*, content-length", SAME_BODY)
    page("/gzip", "gzip", SAME_BODY, gzip=True)
    raw("/x-gzip", "x-gzip", response(gzip_bytes(SAME_BODY), [("Content-Encoding", "x-gzip")]))
    page("/deflate", "deflate (zlib wrapper)", SAME_BODY, deflate=True)
    raw("/deflate-raw", "deflate without zlib wrapper", response(SAME_BODY, raw_deflate=True))
    for size in (7, 4096):
        page(f"/gzip-chunked/{size}", f"gzip + chunked {size}", SAME_BODY, gzip=True, chunked=size)
    page("/empty", "empty body, content-length 0", b"")
    raw(
        "/empty-chunked",
        "empty chunked body",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"0\r\n\r\n",
    )
    raw(
        "/close-delimited",
        "no length: body ends when the connection closes",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n" + text,
    )
    raw(
        "/http10",
        "HTTP/1.0 response",
        b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 5\r\n\r\nhello",
    )
    for status in (201, 204, 304, 404, 410, 500):
        page(
            f"/status/{status}",
            f"status {status}",
            f"status {status}\n".encode(),
            status=status,
            content_type="text/plain",
        )
    page("/binary-1mb", "1 MB binary", binary_blob(), content_type="application/octet-stream")
    raw(
        "/headers/latin1",
        "latin-1 bytes in header values",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Note: na\xefve \xa3 \xff\r\n"
        b'Content-Disposition: attachment; filename="r\xe9sum\xe9.txt"\r\n'
        b"Content-Length: 3\r\n\r\nabc",
    )
    raw(
        "/headers/latin1-name",
        "a latin-1 byte in a header name (http.client stops parsing there)",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Caf\xe9: 1\r\n"
        b"Content-Length: 3\r\nX-After: yes\r\n\r\nabc",
    )
    raw(
        "/headers/utf8",
        "raw UTF-8 bytes in a header value",
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nX-Judul: Berita \xe2\x80\x9cterkini\xe2"
        b"\x80\x9d \xe6\x97\xa5\r\nContent-Length: 3\r\n\r\nabc",
    )
    raw(
        "/headers/odd",
        "odd but legal header formatting",
        b"HTTP/1.1 200 OK\r\ncontent-type:text/plain\r\nX-Empty:\r\nX-Spaces:   a   b   \r\n"
        b"Set-Cookie: a=1\r\nSet-Cookie: b=2\r\nX-Folded: one\r\n two\r\nCONTENT-LENGTH: 3"
        b"\r\n\r\nabc",
    )
    raw(
        "/headers/no-reason",
        "status line without a reason phrase",
        b"HTTP/1.1 200\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nok",
    )
    for path in (
        "/caf%C3%A9",
        "/%E6%97%A5%E6%9C%AC/berita?q=%C3%BC&x=1",
        "/a%20b/c+d.html",
        "/berita/2023/kor%C3%A9a-utara.html",
    ):
        page(path, "percent-encoded UTF-8 path", html_page(len(path)))
    for n in range(1, 9):
        page(f"/page/{n}.html", "html page with images", html_page(n))
        for i in range(2):
            page(f"/img/{n}-{i}.png", "image", png(n * 10 + i), content_type="image/png")
    for status in (301, 302, 303, 307, 308):
        origin.add_redirect(f"/redirect/{status}", "/cl/html", status)
        site[f"/redirect/{status}"] = f"redirect {status}"
    origin.add_redirect("/redirect/absolute", origin.url("/cl/text"))
    site["/redirect/absolute"] = "redirect to an absolute URL"
    origin.add_redirect("/redirect/relative", "../cl/json")
    site["/redirect/relative"] = "redirect to a relative URL"
    origin.add_redirect("/redirect/utf8", "/caf\xe9".encode())
    site["/redirect/utf8"] = "redirect whose Location carries raw UTF-8 bytes"
    return site


# -- hostile endpoints (RELIABILITY group D) -----------------------------------
DRIP = 0.2


def never_answers(conn: Conn, request: Request) -> None:
    """Accept, read the request, and say nothing until the client gives up."""
    conn.wait_closed()


def drip_headers(conn: Conn, request: Request) -> None:
    """Send the status line, then header bytes one at a time, forever."""
    conn.send(b"HTTP/1.1 200 OK\r\n")
    line = b"X-Drip: aaaaaaaaaaaaaaaa\r\n"
    i = 0
    while conn.sleep(DRIP):
        conn.send(line[i % len(line) : i % len(line) + 1])
        i += 1


def drip_body(conn: Conn, request: Request) -> None:
    """Send complete headers, then the body one byte per DRIP seconds."""
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
    while conn.sleep(DRIP):
        conn.send(b"x")


def endless_chunked(conn: Conn, request: Request) -> None:
    """A chunked stream that never ends, as fast as the client reads."""
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
    piece = chunk(b"y" * 65536, 65536)[:-5]  # one chunk, without the terminating 0-chunk
    while not conn.stopping:
        conn.send(piece)


def endless_chunked_slow(conn: Conn, request: Request) -> None:
    """A chunked stream that never ends, a small chunk every 50 ms."""
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n")
    while conn.sleep(0.05):
        conn.send(b"a\r\n0123456789\r\n")


RESET_SENT = 50_000


def reset_mid_body(conn: Conn, request: Request) -> None:
    """Promise 100 kB, send half, then abort the connection with a RST."""
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
    conn.send(b"z" * RESET_SENT)
    time.sleep(0.1)
    conn.reset()


def short_body_close(conn: Conn, request: Request) -> None:
    """Promise 100 kB, send 1 kB, then close normally (FIN)."""
    conn.send(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 100000\r\n\r\n")
    conn.send(b"s" * 1000)


def bomb(wrapper: str, total: int = 1024 * MB) -> Handler:
    """A handler sending a compressed stream of ``total`` zeros (Content-Length known)."""
    encoding = "gzip" if wrapper == "gzip" else "deflate"

    def handle(conn: Conn, request: Request) -> None:
        """Send the bomb."""
        body = zeros_bytes(total, wrapper)
        conn.send(
            f"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Encoding: {encoding}"
            f"\r\nContent-Length: {len(body)}\r\n\r\n".encode()
            + body
        )

    return handle


def add_hostile(origin: Origin) -> dict[str, str]:
    """Register the hostile endpoints; returns {request-target: what it does}."""
    site = {
        "/hostile/never": "never answers",
        "/hostile/drip-headers": "drips headers a byte at a time",
        "/hostile/drip-body": "drips the body a byte at a time",
        "/hostile/endless-chunked": "endless chunked stream, fast",
        "/hostile/endless-chunked-slow": "endless chunked stream, slow",
        "/hostile/reset": "RST mid-body",
        "/hostile/short": "closes before Content-Length is reached",
        "/hostile/bomb-gzip": "gzip of 1 GB of zeros",
        "/hostile/bomb-deflate": "deflate of 1 GB of zeros",
    }
    for path, handler in zip(
        site,
        (
            never_answers,
            drip_headers,
            drip_body,
            endless_chunked,
            endless_chunked_slow,
            reset_mid_body,
            short_body_close,
            bomb("gzip"),
            bomb("zlib"),
        ),
        strict=True,
    ):
        origin.add_handler(path, handler)
    origin.add_redirect("/hostile/loop/a", "/hostile/loop/b")
    origin.add_redirect("/hostile/loop/b", "/hostile/loop/a")
    site["/hostile/loop/a"] = "redirect loop a -> b -> a"
    for n in range(1, 26):
        origin.add_redirect(f"/hostile/chain/{n}", f"/hostile/chain/{n - 1}")
    origin.add_page("/hostile/chain/0", b"end of the chain")
    site["/hostile/chain/25"] = "a chain of 25 redirects"
    targets = {
        "file": "file:///etc/passwd",
        "data": "data:text/html,<script>alert(1)</script>",
        "javascript": "javascript:alert(document.cookie)",
        "ftp": "ftp://127.0.0.1/x",
        "no-host": "http:///nohost",
    }
    for name, location in targets.items():
        origin.add_redirect(f"/hostile/to-{name}", location)
        site[f"/hostile/to-{name}"] = f"redirect to {location}"
    return site


def digest(data: bytes) -> str:
    """Short hex digest, for messages."""
    return hashlib.sha1(data).hexdigest()[:12]
