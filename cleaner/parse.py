"""Bytes + Content-Type in, lxml tree out, following the WHATWG encoding rules.

Order of evidence (WHATWG "encoding sniffing"): byte-order mark, the HTTP
``Content-Type`` charset, a ``<meta>`` prescan of the first 1024 bytes, then a
fallback (UTF-8 when the bytes decode as UTF-8, else windows-1252). Labels map as
browsers map them: ``iso-8859-1``/``ascii`` decode as windows-1252, ``utf-16``
in a ``<meta>`` means UTF-8, ``gb2312``/``gbk`` decode as gb18030.

libxml2 silently drops every node below depth 255 (2048 with ``huge_tree``) and
only logs it; we read that log and raise ``ParseError`` rather than return a
page with its text missing.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

import lxml.html
from lxml import etree

from .errors import ParseError

# WHATWG label -> Python codec, for labels whose browser meaning differs from Python's.
_LABEL_OVERRIDES = {
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252",
    "x-user-defined": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "x-gbk": "gb18030",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "big5": "big5hkscs",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

_META_RE = re.compile(rb"<meta\b[^>]*>", re.IGNORECASE)
_CHARSET_ATTR_RE = re.compile(rb"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE)
_HTTP_EQUIV_RE = re.compile(rb"""http-equiv\s*=\s*["']?\s*content-type""", re.IGNORECASE)
_CT_CHARSET_RE = re.compile(r"""charset\s*=\s*["']?\s*([A-Za-z0-9_:.+-]+)""", re.IGNORECASE)

# Magic numbers of formats that are often mislabelled text/html.
_BINARY_MAGIC = (
    b"\x89PNG",
    b"GIF8",
    b"\xff\xd8\xff",
    b"%PDF",
    b"PK\x03\x04",
    b"\x1f\x8b",
    b"RIFF",
    b"\x00\x00\x01\x00",
    b"OggS",
    b"ID3",
    b"\x7fELF",
    b"wOFF",
    b"wOF2",
)
_HTML_TYPES = ("text/html", "application/xhtml+xml", "application/xml", "text/xml")
_NOT_HTML_TYPES = ("image/", "audio/", "video/", "font/", "application/pdf", "application/zip",
                   "application/octet-stream", "application/json", "text/css",
                   "application/javascript", "text/javascript")

MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    """A decoded page: its text, the codec used and why it was chosen."""

    text: str
    encoding: str
    source: str


def normalize_label(label: str) -> str | None:
    """Map an encoding label to a Python codec name the way browsers do, or None."""
    name = label.strip().strip("\"'").lower()
    if not name:
        return None
    name = _LABEL_OVERRIDES.get(name, name)
    try:
        return codecs.lookup(name).name
    except LookupError:
        return None


def _charset_from_content_type(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    m = _CT_CHARSET_RE.search(content_type)
    return m.group(1) if m else None


def prescan_meta(data: bytes) -> str | None:
    """Find a charset declared by ``<meta>`` in the first 1024 bytes (WHATWG prescan)."""
    head = data[:1024]
    for m in _META_RE.finditer(head):
        tag = m.group(0)
        cs = _CHARSET_ATTR_RE.search(tag)
        if not cs:
            continue
        if b"http-equiv" in tag.lower() and not _HTTP_EQUIV_RE.search(tag):
            continue
        label = cs.group(1).decode("ascii", "replace")
        codec = normalize_label(label)
        if codec is None:
            continue
        # A page cannot declare UTF-16 in ASCII-compatible bytes: WHATWG says use UTF-8.
        if codec.startswith("utf-16"):
            codec = "utf-8"
        return codec
    return None


def sniff_encoding(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Choose the codec for ``data``: (codec, evidence) following the WHATWG order."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, "bom"
    header = _charset_from_content_type(content_type)
    if header:
        codec = normalize_label(header)
        if codec:
            return codec, "http-header"
    meta = prescan_meta(data)
    if meta:
        return meta, "meta"
    try:
        data.decode("utf-8")
        return "utf-8", "fallback-utf8"
    except UnicodeDecodeError:
        return "cp1252", "fallback-windows-1252"


def check_is_html(data: bytes, content_type: str | None = None) -> None:
    """Raise ParseError when the bytes are clearly not an HTML document."""
    if not data.strip():
        raise ParseError("empty document: there is no HTML to clean")
    if len(data) > MAX_BYTES:
        raise ParseError(f"document is {len(data)} bytes; the cleaner accepts at most {MAX_BYTES}")
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime and mime.startswith(_NOT_HTML_TYPES) and not mime.startswith(_HTML_TYPES):
            raise ParseError(f"Content-Type {mime!r} is not HTML")
    head = data[:16]
    for magic in _BINARY_MAGIC:
        if head.startswith(magic):
            raise ParseError("document is binary data (its first bytes are a file signature), not HTML")
    sample = data[:4096]
    if not any(sample.startswith(b) for b, _ in _BOMS[1:]) and sample.count(b"\x00") > 8:
        raise ParseError("document is binary data (it contains NUL bytes), not HTML")
    if b"<" not in data:
        raise ParseError("document contains no markup at all, not HTML")


def decode(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode page bytes to text with the WHATWG rules; invalid bytes become U+FFFD."""
    check_is_html(data, content_type)
    codec, source = sniff_encoding(data, content_type)
    for bom, bom_codec in _BOMS:
        if data.startswith(bom) and bom_codec == codec:
            data = data[len(bom):]
            break
    text = data.decode(codec, errors="replace")
    return Decoded(text=text, encoding=codec, source=source)


_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ufffe\uffff]")


def parse_text(text: str) -> etree._Element:
    """Parse decoded HTML text to an lxml document; raise ParseError on lost depth."""
    # Control characters are not allowed in HTML text and lxml would choke on NUL.
    # Lone surrogates (possible in a str handed to us) cannot be encoded: replace them.
    raw = _CONTROL_RE.sub("\ufffd", text).encode("utf-8", errors="replace")
    doc = None
    for huge in (False, True):
        parser = lxml.html.HTMLParser(encoding="utf-8", huge_tree=huge, remove_comments=True,
                                      remove_pis=True)
        try:
            doc = lxml.html.document_fromstring(raw, parser=parser)
        except etree.ParserError as exc:
            raise ParseError(f"no HTML document could be parsed: {exc}") from None
        depth_errors = [e for e in parser.error_log if "Excessive depth" in e.message]
        if not depth_errors:
            return doc
    raise ParseError(
        "page nests elements deeper than 2048 levels; the parser would drop text below that "
        "depth, so it is refused rather than cleaned incompletely"
    )


def parse(data: bytes, content_type: str | None = None) -> tuple[etree._Element, Decoded]:
    """Decode and parse page bytes; return the document element and the decoding used."""
    decoded = decode(data, content_type)
    return parse_text(decoded.text), decoded
