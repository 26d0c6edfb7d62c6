"""Helpers for the image tests: the inliner as it was before streaming (the reference for
byte identity), synthetic raster images and stored exchanges. Public archive API only, so
the memory test can also be run against the code before streaming."""

from __future__ import annotations

import base64
import gzip
import html as html_mod
import random
import re
import tracemalloc
from collections.abc import Callable

from archive.capture_conn import Exchange
from archive.store import Archive, Page
from archive.store_images import image_type

BASE = "http://example.test"
MB = 1024 * 1024


# -- the inliner as it was before streaming, verbatim ----------------------------------------
_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC_RE = re.compile(r'\ssrc="([^"]*)"')


def old_inline_images(content_html: str, images: dict[str, bytes]) -> str:
    """Replace image URLs by data: URIs of the stored bytes; drop images we do not have."""

    def swap(m: re.Match[str]) -> str:
        """Rewrite one <img> tag."""
        tag = m.group(0)
        src = _SRC_RE.search(tag)
        if not src:
            return ""
        url = html_mod.unescape(src.group(1))
        data = images.get(url)
        mime = image_type(data) if data else None
        if not data or not mime:
            return ""
        uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        return tag[: src.start(1)] + uri + tag[src.end(1) :]

    return _IMG_RE.sub(swap, content_html)


# -- synthetic images ------------------------------------------------------------------------
def blob(size: int, seed: int) -> bytes:
    """Deterministic incompressible bytes."""
    return random.Random(seed).randbytes(size)


def jpeg(size: int, seed: int = 1) -> bytes:
    """Bytes behind a JPEG signature."""
    return b"\xff\xd8\xff\xe0" + blob(size - 4, seed)


def png_bytes(size: int, seed: int = 2) -> bytes:
    """Bytes behind a PNG signature."""
    return b"\x89PNG\r\n\x1a\n" + blob(size - 8, seed)


def gif(size: int, seed: int = 3, version: bytes = b"89a") -> bytes:
    """Bytes behind a GIF signature."""
    return b"GIF" + version + blob(size - 6, seed)


def webp(size: int, seed: int = 4) -> bytes:
    """Bytes behind a RIFF/WEBP signature."""
    return b"RIFF" + (size - 8).to_bytes(4, "little") + b"WEBP" + blob(size - 12, seed)


def avif(size: int, seed: int = 5) -> bytes:
    """Bytes behind an ISO-BMFF ftypavif signature."""
    return b"\x00\x00\x00\x1cftypavif" + blob(size - 12, seed)


SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="1" height="1"/></svg>'


# -- stored exchanges ---------------------------------------------------------------------
def response(body: bytes, ctype: str, status: int = 200, encoding: str | None = None) -> bytes:
    """A recorded HTTP response (optionally gzip content-encoded, then chunked)."""
    head = f"HTTP/1.1 {status} X\r\nContent-Type: {ctype}\r\n"
    if encoding == "gzip":
        body = gzip.compress(body, mtime=0)
        head += "Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        half = len(body) // 2
        framed = b"".join(
            b"%x\r\n%s\r\n" % (len(part), part) for part in (body[:half], body[half:]) if part
        )
        return head.encode() + framed + b"0\r\n\r\n"
    return head.encode() + f"Content-Length: {len(body)}\r\n\r\n".encode() + body


def store_response(
    arc: Archive, url: str, raw: bytes, status: int = 200, truncated: str | None = None
) -> int:
    """Record one exchange; its response record id."""
    req = f"GET {url} HTTP/1.1\r\nHost: example.test\r\n\r\n".encode()
    ex = Exchange(url, req, raw, "127.0.0.1", status, {}, b"", truncated)
    return arc.store_exchange(ex)


def article_html(srcs: list[str]) -> bytes:
    """An article showing the given images between paragraphs."""
    body = "".join(
        f"<p>Paragraf {i}: ada spekulasi mengenai kemungkinan — “kutipan” nomor {i}.</p>"
        f'<figure><img src="{src}" alt="gambar {i}"></figure>'
        for i, src in enumerate(srcs)
    )
    return (
        "<!doctype html><html><head><meta charset=utf-8><title>Artikel</title></head>"
        f"<body><article><h1>Judul artikel</h1>{body}<p>Penutup.</p></article></body></html>"
    ).encode()


def make_article(arc: Archive, images: dict[str, bytes], extra: list[str]) -> Page:
    """Store an article page and its images; the cleaned page."""
    srcs = list(images) + extra
    rid = store_response(arc, f"{BASE}/post.html", response(article_html(srcs), "text/html"))
    page = arc.clean_record(rid)
    assert not isinstance(page, str), page
    assert page.result.images == srcs
    return page


def traced_peak(fn: Callable[[], object]) -> int:
    """Peak bytes allocated (tracemalloc) while ``fn()`` runs, above what was allocated before."""
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak - base
