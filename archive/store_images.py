"""Images of archived articles: recognising raster images and inlining them as data: URIs.

The clean copy of an article is self-contained: its ``<img>`` tags point at
``data:`` URIs of the bytes stored in the WARCs, and images we do not have (or
that are not a raster format we recognise; never SVG) are dropped.

A page may show up to ``MAX_IMAGES`` images of up to ``MAX_IMAGE_BYTES`` each,
so the inlined document is never built in memory on the save paths:
``write_inlined`` writes it piece by piece to a sink, loading one image at a
time (through a callback, from the WARC) and base64-encoding it in
3-byte-aligned chunks, whose encodings concatenate to the encoding of the whole.
The bytes written are exactly ``inline_images(page, images).encode("utf-8")``.
``page_differs`` and ``write_page_atomically`` are the two sinks the archive
uses: compare with the stored page chunk by chunk, and the atomic write.
"""

from __future__ import annotations

import base64
import html as html_mod
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGES = 40
IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
# Input bytes per base64 chunk: a multiple of 3, so chunk encodings need no padding
# in between and join to the encoding of the whole image.
B64_CHUNK = 3 * 64 * 1024

ImageLoader = Callable[[str], bytes | None]
Sink = Callable[[bytes], object]


def image_type(data: bytes) -> str | None:
    """The MIME type of a raster image judged by its first bytes (never SVG)."""
    for magic, mime in IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC_RE = re.compile(r'\ssrc="([^"]*)"')


def write_inlined(page: str, load: ImageLoader, write: Sink, errors: str = "strict") -> None:
    """Write ``page`` as UTF-8 with its images inlined as data: URIs, one image at a time.

    ``load(url)`` gives the stored bytes of an image (``None`` when we do not have
    it); an ``<img>`` without a ``src``, or whose bytes are missing or not a raster
    image, is dropped. Only the image being written is held in memory. ``errors``
    is the UTF-8 encoder's error handler.
    """
    pos = 0
    for m in _IMG_RE.finditer(page):
        write(page[pos : m.start()].encode("utf-8", errors))
        pos = m.end()
        tag = m.group(0)
        src = _SRC_RE.search(tag)
        if not src:
            continue
        data = load(html_mod.unescape(src.group(1)))
        mime = image_type(data) if data else None
        if not data or not mime:
            continue
        write(f"{tag[: src.start(1)]}data:{mime};base64,".encode("utf-8", errors))
        view = memoryview(data)
        for start in range(0, len(data), B64_CHUNK):
            write(base64.b64encode(view[start : start + B64_CHUNK]))
        del view, data
        write(tag[src.end(1) :].encode("utf-8", errors))
    write(page[pos:].encode("utf-8", errors))


def inline_images(content_html: str, images: Mapping[str, bytes]) -> str:
    """Replace image URLs by data: URIs of the given bytes; drop images we do not have.

    The in-memory form of ``write_inlined``, for small pages and callers that need
    the document as a string.
    """
    parts: list[bytes] = []
    write_inlined(content_html, images.get, parts.append, "surrogatepass")
    return b"".join(parts).decode("utf-8", "surrogatepass")


class _Differs(Exception):
    """Raised by the comparing sink at the first byte that differs."""


def page_differs(path: Path, produce: Callable[[Sink], None]) -> bool:
    """True when the file at ``path`` is missing or not the bytes ``produce`` writes.

    Compares chunk by chunk while ``produce`` writes, stopping at the first
    difference; neither side is held whole in memory.
    """
    try:
        with open(path, "rb") as fh:

            def compare(chunk: bytes) -> None:
                """Check the next bytes of the file are ``chunk``."""
                if fh.read(len(chunk)) != chunk:
                    raise _Differs

            produce(compare)
            return fh.read(1) != b""
    except (_Differs, OSError):
        return True


def write_page_atomically(path: Path, produce: Callable[[Sink], None]) -> None:
    """Write what ``produce`` writes to ``path`` atomically: temp file, fsync, rename.

    On any failure the temp file is removed and the old page (if any) stays as it
    was; ``OSError`` propagates for the caller to report.
    """
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "wb") as fh:
            produce(fh.write)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
