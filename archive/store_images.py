"""Images of archived articles: recognising raster images and inlining them as data: URIs.

The clean copy of an article is self-contained: its ``<img>`` tags point at
``data:`` URIs of the bytes stored in the WARCs, and images we do not have (or
that are not a raster format we recognise; never SVG) are dropped.
"""

from __future__ import annotations

import base64
import html as html_mod
import re

MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGES = 40
IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


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


def inline_images(content_html: str, images: dict[str, bytes]) -> str:
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
