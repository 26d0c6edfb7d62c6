"""Bytes + Content-Type in, lxml tree out.

The codec is chosen by the WHATWG encoding rules (``charset``); bytes that are clearly
not an HTML document (binary signatures, NUL bytes, no markup, oversized) are refused.

libxml2 silently drops text past its limits (element depth 255, or 2048 with
``huge_tree``; text, comment and attribute tokens over ~10 MB without it) and
only logs it. We read that log, retry once with ``huge_tree``, and raise
``ParseError`` rather than return a page with its text missing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from html import escape

from lxml import etree

from .charset import (
    REPLACEMENT,
    decodes_as_utf8,
    normalize_label,
    prescan_meta,
    sniff_encoding,
    strip_bom,
)
from .errors import ParseError

__all__ = [
    "MAX_BYTES",
    "MAX_TAG_BYTES",
    "REPLACEMENT",
    "Decoded",
    "check_is_html",
    "decode",
    "fragment_div",
    "html_parser",
    "inner_html",
    "normalize_label",
    "parse",
    "parse_fragment",
    "parse_text",
    "prescan_meta",
    "sniff_encoding",
]

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
_NOT_HTML_TYPES = (
    "image/",
    "audio/",
    "video/",
    "font/",
    "application/pdf",
    "application/zip",
    "application/octet-stream",
    "application/json",
    "text/css",
    "application/javascript",
    "text/javascript",
)
# A tag, end tag, comment, doctype or processing instruction: "a < b" is not markup.
_MARKUP_RE = re.compile(rb"<[A-Za-z!/?]")

MAX_TAG_BYTES = 1 << 20
MAX_BYTES = 32 * 1024 * 1024


@dataclass(frozen=True)
class Decoded:
    """A decoded page: its text, the codec used and why it was chosen."""

    text: str
    encoding: str
    source: str
    # ``text`` encoded as UTF-8 when that is the input itself (valid UTF-8, no byte-order
    # mark): parsing then needs no encoding pass.
    utf8: bytes | None = field(default=None, repr=False, compare=False)


def check_is_html(
    data: bytes, content_type: str | None = None, encoding: str | None = None
) -> None:
    """Raise ParseError when the bytes are clearly not an HTML document."""
    if len(data) > MAX_BYTES:
        raise ParseError(f"document is {len(data)} bytes; the cleaner accepts at most {MAX_BYTES}")
    codec = encoding or sniff_encoding(data, content_type)[0]
    body = strip_bom(data, codec)
    if codec.startswith("utf-16"):
        # Check UTF-16 as text: its ASCII characters come with NUL bytes.
        body = body.decode(codec, errors="replace").encode("utf-8", errors="replace")
    if not body or body.isspace():
        raise ParseError("empty document: there is no HTML to clean")
    if content_type:
        mime = content_type.split(";", 1)[0].strip().lower()
        if mime and mime.startswith(_NOT_HTML_TYPES) and not mime.startswith(_HTML_TYPES):
            raise ParseError(f"Content-Type {mime!r} is not HTML")
    if data.startswith(_BINARY_MAGIC):
        raise ParseError("document is binary data (its first bytes are a file signature), not HTML")
    if body[:4096].count(b"\x00") > 8:
        raise ParseError("document is binary data (it contains NUL bytes), not HTML")
    if not _MARKUP_RE.search(body):
        raise ParseError("document contains no markup at all, not HTML")
    if _has_long_tag(body):
        # libxml2 is quadratic in the attribute count: 100,000 attributes take 13 s.
        raise ParseError(
            f"a tag is longer than {MAX_TAG_BYTES} bytes (tens of thousands of attributes); "
            "refused rather than parsed for minutes"
        )


def _has_long_tag(data: bytes) -> bool:
    """True when a ``<…>`` run is longer than ``MAX_TAG_BYTES`` (cheap bounds first: a run
    fits in the document and between two ``>``)."""
    if len(data) <= MAX_TAG_BYTES:
        return False
    if not _long_run(data):
        return False
    return _longest_tag(data) > MAX_TAG_BYTES


def _long_run(data: bytes) -> bool:
    """True when a run of bytes without ``>`` is longer than ``MAX_TAG_BYTES``: such a run
    holds a multiple of ``MAX_TAG_BYTES``, so only the runs at those offsets are measured."""
    for at in range(0, len(data), MAX_TAG_BYTES):
        if data[at] == 0x3E:  # ">"
            continue
        before = data.rfind(b">", 0, at)
        after = data.find(b">", at)
        if (len(data) if after < 0 else after) - before - 1 > MAX_TAG_BYTES:
            return True
    return False


def _longest_tag(data: bytes) -> int:
    """Length of the longest ``<…>`` run, in one linear pass."""
    pos = longest = 0
    while (start := data.find(b"<", pos)) != -1:
        end = data.find(b">", start)
        end = len(data) if end < 0 else end
        longest = max(longest, end - start)
        pos = end + 1
    return longest


def decode(data: bytes, content_type: str | None = None) -> Decoded:
    """Decode page bytes to text with the WHATWG rules; invalid bytes become U+FFFD."""
    codec, source = sniff_encoding(data, content_type)
    check_is_html(data, content_type, codec)
    if codec == REPLACEMENT:
        where = "Content-Type header" if source == "http-header" else "<meta> tag"
        raise ParseError(
            f"the {where} declares an encoding browsers refuse to decode (ISO-2022-KR, "
            "ISO-2022-CN or HZ-GB-2312), so the document has no readable text"
        )
    if source == "meta" and codec != "utf-8" and _is_utf8(data):
        # A saved page re-encoded to UTF-8 keeps its old <meta charset>; bytes that are valid
        # UTF-8 with multi-byte sequences almost never come from a legacy encoding.
        codec, source = "utf-8", "utf-8-content"
    body = strip_bom(data, codec)
    text = body.decode(codec, errors="replace")
    # Without a replacement character the decoding lost nothing: encoding gives ``body``.
    utf8 = body if codec == "utf-8" and "\ufffd" not in text else None
    return Decoded(text=text, encoding=codec, source=source, utf8=utf8)


def _is_utf8(data: bytes) -> bool:
    """True when the bytes hold non-ASCII text and all of it is valid UTF-8."""
    return not data.isascii() and decodes_as_utf8(data)


# Characters libxml2 rejects or that cannot be encoded (lone surrogates from a str).
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")


def _limit_errors(parser: etree.HTMLParser) -> list[str]:
    """The parser's log entries that say it dropped input at a resource limit."""
    return [
        e.message.strip()
        for e in parser.error_log
        if e.type_name == "ERR_RESOURCE_LIMIT"
        or "Excessive depth" in e.message
        or "XML_PARSE_HUGE" in e.message
    ]


def html_parser(**options: bool) -> etree.HTMLParser:
    """A UTF-8 HTML parser making lxml's own elements: lxml.html's classes (``drop_tag``,
    ``text_content`` …, which ``actions`` has as functions) are Python subclasses, and
    each element proxy and method look-up costs more with them."""
    return etree.HTMLParser(encoding="utf-8", **options)


def _document(raw: bytes, parser: etree.HTMLParser) -> etree._Element:
    """``lxml.html.document_fromstring``: the parsed document element, with the newline
    right after a ``<pre>`` start tag dropped as HTML5 parsers (browsers, nh3) drop it and
    libxml2 does not."""
    doc = etree.fromstring(raw, parser)
    if doc is None:
        raise etree.ParserError("Document is empty")
    if doc.getnext() is not None:
        _join_top_level(doc)
    if b"&#" in raw and _CONTROL_REF.search(raw):
        _scrub_controls(doc)  # (before any text is set: lxml refuses one holding them)
    for pre in doc.iter("pre"):
        text = pre.text
        if text and text[0] == "\n":
            pre.text = text[1:]
    return doc


def _join_top_level(doc: etree._Element) -> None:
    """Move into the document element the elements libxml2 left beside it: recovering from
    a broken ``<html>`` start tag (an unclosed quote), it can put the page in a second
    top-level ``<html>`` after an empty one, where a browser has one document. A second
    ``<head>`` or ``<body>`` joins the first."""
    for sibling in [s for s in doc.itersiblings() if isinstance(s.tag, str)]:
        for child in list(sibling) if sibling.tag == "html" else [sibling]:
            own = doc.find(child.tag) if child.tag in ("head", "body") else None
            if own is None:
                doc.append(child)
                continue
            if child.text:
                last = own[-1] if len(own) else None
                if last is None:
                    own.text = (own.text or "") + child.text
                else:
                    last.tail = (last.tail or "") + child.text
            own.extend(list(child))


_FULL_HTML_RE = re.compile(rb"^\s*<(?:html|!doctype)", re.I)


def fragment_div(raw: bytes, parser: etree.HTMLParser) -> etree._Element:
    """``lxml.html.fragment_fromstring(raw, create_parent="div")`` with ``parser``'s
    element classes also for the new ``<div>`` (so its descendants keep the fast lookup)."""
    if not _FULL_HTML_RE.match(raw):
        raw = b"<html><body>" + raw + b"</body></html>"
    doc = _document(raw, parser)
    bodies = [e for e in doc if e.tag == "body"]
    if len(bodies) != 1:
        raise etree.ParserError(f"too many bodies: {len(bodies)}")
    body = bodies[0]
    root = parser.makeelement("div")
    if body.text and body.text.strip():
        root.text = body.text
    root.extend(body)
    return root


# Characters libxml2's HTML parser keeps in text (from references: ``_scrub_controls``)
# but lxml refuses to set (C0 controls).
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f]")


def inner_html(root: etree._Element) -> str:
    """Serialise an element's children and their tails (not the element itself): its text
    escaped, then its serialisation between its own start and end tags (one libxml2 call
    instead of one per child; the start tag is that of an empty copy)."""
    head = escape(root.text or "", quote=False)
    if len(root) == 0:
        return head
    text = root.text
    try:
        shell = root.makeelement(root.tag, root.attrib)
    except ValueError:
        # A name libxml2's HTML parser let through but lxml will not make ("<o.length;d++)"
        # from a script's text): one call per child.
        shell = None
    if shell is not None:
        empty = etree.tostring(shell, encoding="unicode", method="html")
        end = f"</{root.tag}>"
        try:
            root.text = None
            full = etree.tostring(root, encoding="unicode", method="html", with_tail=False)
        finally:
            root.text = text
        start = empty[: -len(end)]
        if empty.endswith(end) and full.startswith(start) and full.endswith(end):
            return head + full[len(start) : -len(end)]
    parts = [head]
    parts.extend(etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in root)
    return "".join(parts)


# A character reference to a C0 control character other than whitespace ("&#1;", "&#x1f;"):
# libxml2 puts the character in the tree, and lxml then refuses to set a text holding it
# (attributes keep theirs: URLs are read as a browser reads them, see ``urls``).
_CONTROL_REF = re.compile(
    rb"&#(?:0*(?:[1-8]|1[124-9]|2[0-9]|3[01])(?![0-9])|[xX]0*(?:[1-8bBcCeEfF]|1[0-9a-fA-F])"
    rb"(?![0-9a-fA-F]))"
)


def _scrub_controls(doc: etree._Element) -> None:
    """Replace the C0 control characters in every text, tail and attribute but a URL's
    (``href``, ``src``, ``srcset`` …: the URL policy reads those as a browser does) with
    U+FFFD, as a literal one in the page is (``_to_utf8``); for the rare page whose
    references put them there."""
    for el in doc.iter():
        text, tail = el.text, el.tail
        if text and isinstance(el.tag, str) and _NOT_XML.search(text):
            el.text = _NOT_XML.sub("\ufffd", text)
        if tail and _NOT_XML.search(tail):
            el.tail = _NOT_XML.sub("\ufffd", tail)
        if not isinstance(el.tag, str):
            continue
        for name, value in el.attrib.items():
            if _NOT_XML.search(value) and "src" not in name and "href" not in name:
                try:
                    el.attrib[name] = _NOT_XML.sub("\ufffd", value)
                except ValueError:  # a name lxml cannot make ("{"): the allow-list drops it
                    continue


def _parse_checked(raw: bytes, build: Callable[..., etree._Element]) -> etree._Element:
    """Run ``build`` with a plain then a huge_tree parser; raise ParseError on lost input."""
    limits: list[str] = []
    for huge in (False, True):
        parser = html_parser(huge_tree=huge, remove_comments=True, remove_pis=True)
        failure: Exception | None = None
        try:
            doc = build(raw, parser=parser)
        except etree.LxmlError as exc:
            failure = exc
        limits = _limit_errors(parser)
        if not limits:
            if failure is not None:
                raise ParseError(f"no HTML document could be parsed: {failure}") from None
            return doc
    if any("depth" in m.lower() for m in limits):
        raise ParseError(
            "page nests elements deeper than 2048 levels; the parser would drop text below that "
            "depth, so it is refused rather than cleaned incompletely"
        )
    raise ParseError(
        f"page exceeds a parser limit ({limits[0]}); it is refused rather than cleaned incompletely"
    )


# _CONTROL_RE's characters below U+0080 (a form feed is replaced by a space instead).
_CONTROL_BYTES = bytes(range(0x09)) + b"\x0b" + bytes(range(0x0E, 0x20)) + b"\x7f"


def _utf8_plain(text: str, encoded: bytes | None = None) -> bytes | None:
    """``_to_utf8`` for text with no character to replace (almost every page, checked
    without a regex scan), else None. ``encoded``: the text's UTF-8 bytes, when known."""
    if "\ufffe" not in text and "\uffff" not in text:
        raw = encoded
        if raw is None:
            try:
                raw = text.encode("utf-8")
            except UnicodeEncodeError:  # a lone surrogate
                return None
        # One ``memchr`` scan per control byte: faster than any one pass in Python.
        if not any(byte in raw for byte in _CONTROL_BYTES):
            return raw.replace(b"\x0c", b" ")
    return None


def _to_utf8(text: str) -> bytes:
    """Encode text for libxml2: control characters and lone surrogates become U+FFFD."""
    # libxml2 refuses a form feed as leading text; browsers treat it as whitespace.
    raw = _utf8_plain(text)
    if raw is not None:
        return raw
    return _CONTROL_RE.sub("\ufffd", text.replace("\x0c", " ")).encode("utf-8")


# ``</body>`` and ``</html>`` end nothing in HTML5: content after them still goes into the
# body. libxml2 drops what follows a stray ``</html>`` (seen mid-page after a theme's header
# template), so both are taken out before parsing.
_DOCUMENT_END_RE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)
# The same on UTF-8 bytes (a bytes regex is ASCII-only: ``\s`` is spelled out as every
# character Python counts as whitespace, all below U+3001, encoded).
_WHITESPACE = [chr(c) for c in range(0x3001) if chr(c).isspace()]
_DOCUMENT_END_BYTES = re.compile(
    rb"</(?:body|html)(?:" + b"|".join(re.escape(c.encode()) for c in _WHITESPACE) + rb")*>",
    re.IGNORECASE,
)


def parse_text(text: str, encoded: bytes | None = None) -> etree._Element:
    """Parse decoded HTML text to an lxml document; raise ParseError on lost depth.
    ``encoded``: the text's UTF-8 bytes, when the caller has them (``Decoded.utf8``)."""
    raw = _utf8_plain(text, encoded)
    if raw is not None:
        # Removing the tags from the bytes: the same text out (the tags are ASCII, and a form
        # feed, now a space, was whitespace to ``\s`` too), without a pass over the str.
        return _parse_checked(_DOCUMENT_END_BYTES.sub(b"", raw), _document)
    return _parse_checked(_to_utf8(_DOCUMENT_END_RE.sub("", text)), _document)


def parse_fragment(html: str) -> etree._Element:
    """Parse an HTML fragment into one ``<div>``; raise ParseError rather than lose text."""
    return _parse_checked(_to_utf8(html), fragment_div)


def parse(data: bytes, content_type: str | None = None) -> tuple[etree._Element, Decoded]:
    """Decode and parse page bytes; return the document element and the decoding used."""
    decoded = decode(data, content_type)
    return parse_text(decoded.text, decoded.utf8), decoded
