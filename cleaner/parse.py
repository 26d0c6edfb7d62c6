"""Bytes + Content-Type in, lxml tree out, following the WHATWG encoding rules.

Order of evidence (WHATWG "encoding sniffing"): byte-order mark, the HTTP
``Content-Type`` charset, a ``<meta>`` prescan of the first 1024 bytes, then a
fallback (UTF-8 when the bytes decode as UTF-8, else windows-1252). Only the
labels of the WHATWG Encoding Standard are recognised, mapped as browsers map
them: ``iso-8859-1``/``ascii`` decode as windows-1252, ``gb2312``/``gbk`` as
gb18030, ``shift_jis`` as cp932, ``euc-kr`` as cp949, ``big5`` as Big5-HKSCS;
``utf-16`` in a ``<meta>`` means UTF-8. Python-only labels (``utf-7``,
``rot13``, ``base64`` …) are ignored like any unknown label. One deviation:
``x-user-defined`` decodes as windows-1252 everywhere, not only in ``<meta>``.

libxml2 silently drops text past its limits (element depth 255, or 2048 with
``huge_tree``; text, comment and attribute tokens over ~10 MB without it) and
only logs it. We read that log, retry once with ``huge_tree``, and raise
``ParseError`` rather than return a page with its text missing.
"""

from __future__ import annotations

import codecs
import re
from collections.abc import Callable
from dataclasses import dataclass

import lxml.html
from lxml import etree

from .errors import ParseError

# The WHATWG Encoding Standard's label table (encodings.json), keyed by the Python
# codec that decodes the encoding as browsers do. "replacement" marks labels
# browsers refuse to decode (ISO-2022-KR/CN, HZ: their escapes can hide markup).
_WHATWG_LABELS = {
    "utf-8": "unicode-1-1-utf-8 unicode11utf8 unicode20utf8 utf-8 utf8 x-unicode20utf8",
    "cp866": "866 cp866 csibm866 ibm866",
    "iso8859-2": "csisolatin2 iso-8859-2 iso-ir-101 iso8859-2 iso88592 iso_8859-2 "
    "iso_8859-2:1987 l2 latin2",
    "iso8859-3": "csisolatin3 iso-8859-3 iso-ir-109 iso8859-3 iso88593 iso_8859-3 "
    "iso_8859-3:1988 l3 latin3",
    "iso8859-4": "csisolatin4 iso-8859-4 iso-ir-110 iso8859-4 iso88594 iso_8859-4 "
    "iso_8859-4:1988 l4 latin4",
    "iso8859-5": "csisolatincyrillic cyrillic iso-8859-5 iso-ir-144 iso8859-5 iso88595 "
    "iso_8859-5 iso_8859-5:1988",
    "iso8859-6": "arabic asmo-708 csiso88596e csiso88596i csisolatinarabic ecma-114 "
    "iso-8859-6 iso-8859-6-e iso-8859-6-i iso-ir-127 iso8859-6 iso88596 iso_8859-6 "
    "iso_8859-6:1987",
    "iso8859-7": "csisolatingreek ecma-118 elot_928 greek greek8 iso-8859-7 iso-ir-126 "
    "iso8859-7 iso88597 iso_8859-7 iso_8859-7:1987 sun_eu_greek",
    "iso8859-8": "csiso88598e csisolatinhebrew hebrew iso-8859-8 iso-8859-8-e iso-ir-138 "
    "iso8859-8 iso88598 iso_8859-8 iso_8859-8:1988 visual csiso88598i iso-8859-8-i logical",
    "iso8859-10": "csisolatin6 iso-8859-10 iso-ir-157 iso8859-10 iso885910 l6 latin6",
    "iso8859-13": "iso-8859-13 iso8859-13 iso885913",
    "iso8859-14": "iso-8859-14 iso8859-14 iso885914",
    "iso8859-15": "csisolatin9 iso-8859-15 iso8859-15 iso885915 iso_8859-15 l9",
    "iso8859-16": "iso-8859-16",
    "koi8-r": "cskoi8r koi koi8 koi8-r koi8_r",
    "koi8-u": "koi8-ru koi8-u",
    "mac-roman": "csmacintosh mac macintosh x-mac-roman",
    "cp874": "dos-874 iso-8859-11 iso8859-11 iso885911 tis-620 windows-874",
    "cp1250": "cp1250 windows-1250 x-cp1250",
    "cp1251": "cp1251 windows-1251 x-cp1251",
    "cp1252": "ansi_x3.4-1968 ascii cp1252 cp819 csisolatin1 ibm819 iso-8859-1 iso-ir-100 "
    "iso8859-1 iso88591 iso_8859-1 iso_8859-1:1987 l1 latin1 us-ascii windows-1252 "
    "x-cp1252 x-user-defined",
    "cp1253": "cp1253 windows-1253 x-cp1253",
    "cp1254": "cp1254 csisolatin5 iso-8859-9 iso-ir-148 iso8859-9 iso88599 iso_8859-9 "
    "iso_8859-9:1989 l5 latin5 windows-1254 x-cp1254",
    "cp1255": "cp1255 windows-1255 x-cp1255",
    "cp1256": "cp1256 windows-1256 x-cp1256",
    "cp1257": "cp1257 windows-1257 x-cp1257",
    "cp1258": "cp1258 windows-1258 x-cp1258",
    "mac-cyrillic": "x-mac-cyrillic x-mac-ukrainian",
    "gb18030": "chinese csgb2312 csiso58gb231280 gb2312 gb_2312 gb_2312-80 gbk iso-ir-58 "
    "x-gbk gb18030",
    "big5hkscs": "big5 big5-hkscs cn-big5 csbig5 x-x-big5",
    "euc_jp": "cseucpkdfmtjapanese euc-jp x-euc-jp",
    "iso2022_jp": "csiso2022jp iso-2022-jp",
    "cp932": "csshiftjis ms932 ms_kanji shift-jis shift_jis sjis windows-31j x-sjis",
    "cp949": "cseuckr csksc56011987 euc-kr iso-ir-149 korean ks_c_5601-1987 ks_c_5601-1989 "
    "ksc5601 ksc_5601 windows-949",
    "replacement": "csiso2022kr hz-gb-2312 iso-2022-cn iso-2022-cn-ext iso-2022-kr",
    "utf-16-be": "unicodefffe utf-16be",
    "utf-16-le": "csunicode iso-10646-ucs-2 ucs-2 unicode unicodefeff utf-16 utf-16le",
}
_LABELS = {label: codec for codec, labels in _WHATWG_LABELS.items() for label in labels.split()}
REPLACEMENT = "replacement"

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

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

_WS = b"\t\n\x0c\r "
_TAG_START_RE = re.compile(rb"</?[A-Za-z]")


@dataclass(frozen=True)
class Decoded:
    """A decoded page: its text, the codec used and why it was chosen."""

    text: str
    encoding: str
    source: str


def normalize_label(label: str) -> str | None:
    """Map a WHATWG encoding label to its Python codec (``"replacement"`` if refused), or None."""
    return _LABELS.get(label.strip("\t\n\x0c\r \"'").lower())


def _charset_from_content_type(content_type: str | None) -> str | None:
    """Return the charset parameter of a Content-Type header, if any."""
    if not content_type:
        return None
    for param in content_type.split(";")[1:]:
        name, sep, value = param.partition("=")
        if sep and name.strip().lower() == "charset":
            value = value.strip()
            if value.startswith('"'):
                value = value[1:].split('"', 1)[0]
            return value or None
    return None


class _EndOfInput(Exception):
    """The prescan ran off the end of its 1024 bytes inside a tag."""


def _get_attribute(buf: bytes, pos: int) -> tuple[bytes | None, bytes, int]:
    """WHATWG prescan "get an attribute": (name or None at ``>``, value, next position)."""
    n = len(buf)
    while pos < n and buf[pos] in b"\t\n\x0c\r /":
        pos += 1
    if pos >= n:
        raise _EndOfInput
    if buf[pos] == 0x3E:
        return None, b"", pos
    start = pos
    while True:
        if pos >= n:
            raise _EndOfInput
        c = buf[pos]
        if c == 0x3D and pos > start:
            name = buf[start:pos].lower()
            pos += 1
            break
        if c in _WS:
            name = buf[start:pos].lower()
            while pos < n and buf[pos] in _WS:
                pos += 1
            if pos >= n:
                raise _EndOfInput
            if buf[pos] != 0x3D:
                return name, b"", pos
            pos += 1
            break
        if c in b"/>":
            return buf[start:pos].lower(), b"", pos
        pos += 1
    while pos < n and buf[pos] in _WS:
        pos += 1
    if pos >= n:
        raise _EndOfInput
    c = buf[pos]
    if c in b"\"'":
        end = buf.find(bytes([c]), pos + 1)
        if end < 0:
            raise _EndOfInput
        return name, buf[pos + 1 : end].lower(), end + 1
    if c == 0x3E:
        return name, b"", pos
    start = pos
    while pos < n and buf[pos] not in _WS and buf[pos] != 0x3E:
        pos += 1
    if pos >= n:
        raise _EndOfInput
    return name, buf[start:pos].lower(), pos


def _extract_charset(value: bytes) -> bytes | None:
    """WHATWG "extract a character encoding from a meta element" on a content value."""
    lowered = value.lower()
    pos = 0
    while True:
        found = lowered.find(b"charset", pos)
        if found < 0:
            return None
        pos = found + 7
        while pos < len(value) and value[pos] in _WS:
            pos += 1
        if pos < len(value) and value[pos] == 0x3D:
            break
    pos += 1
    while pos < len(value) and value[pos] in _WS:
        pos += 1
    if pos >= len(value):
        return None
    quote = value[pos]
    if quote in b"\"'":
        end = value.find(bytes([quote]), pos + 1)
        return value[pos + 1 : end] if end >= 0 else None
    end = pos
    while end < len(value) and value[end] not in _WS and value[end] != 0x3B:
        end += 1
    return value[pos:end]


def _label(raw: bytes) -> str | None:
    """``normalize_label`` for a label taken from bytes."""
    return normalize_label(raw.decode("latin-1"))


def _meta_charset(buf: bytes, pos: int) -> tuple[str | None, int]:
    """Read one ``<meta>``'s attributes: (its declared codec or None, position of ``>``)."""
    seen: set[bytes] = set()
    got_pragma = False
    need_pragma: bool | None = None
    charset: str | None = None
    while True:
        name, value, pos = _get_attribute(buf, pos)
        if name is None:
            break
        if name in seen:
            continue
        seen.add(name)
        if name == b"http-equiv":
            got_pragma = got_pragma or value == b"content-type"
        elif name == b"content":
            raw = _extract_charset(value)
            codec = _label(raw) if raw is not None else None
            if codec is not None and charset is None:
                charset, need_pragma = codec, True
        elif name == b"charset":
            # An unknown label here still cancels a charset found in ``content``.
            charset, need_pragma = _label(value) or "", False
    if need_pragma is None or (need_pragma and not got_pragma) or not charset:
        return None, pos
    # A page cannot declare UTF-16 in ASCII-compatible bytes: WHATWG says use UTF-8.
    return ("utf-8" if charset.startswith("utf-16") else charset), pos


def prescan_meta(data: bytes) -> str | None:
    """Find a charset declared by ``<meta>`` in the first 1024 bytes (WHATWG prescan)."""
    buf = data[:1024]
    n = len(buf)
    pos = 0
    try:
        while pos < n:
            if buf.startswith(b"<!--", pos):
                end = buf.find(b"-->", pos + 2)
                if end < 0:
                    return None
                pos = end + 2
            elif buf[pos : pos + 5].lower() == b"<meta" and buf[pos + 5 : pos + 6] in (
                b"\t",
                b"\n",
                b"\x0c",
                b"\r",
                b" ",
                b"/",
            ):
                charset, pos = _meta_charset(buf, pos + 5)
                if charset is not None:
                    return charset
            elif _TAG_START_RE.match(buf, pos):
                while pos < n and buf[pos] not in _WS and buf[pos] != 0x3E:
                    pos += 1
                name: bytes | None = b""
                while name is not None:
                    name, _, pos = _get_attribute(buf, pos)
            elif buf.startswith((b"<!", b"</", b"<?"), pos):
                end = buf.find(b">", pos + 1)
                if end < 0:
                    return None
                pos = end
            pos += 1
    except _EndOfInput:
        return None
    return None


def sniff_encoding(data: bytes, content_type: str | None = None) -> tuple[str, str]:
    """Choose the codec for ``data``: (codec, evidence) following the WHATWG order."""
    for bom, codec in _BOMS:
        if data.startswith(bom):
            return codec, "bom"
    header = _charset_from_content_type(content_type)
    if header:
        declared = normalize_label(header)
        if declared:
            return declared, "http-header"
    meta = prescan_meta(data)
    if meta:
        return meta, "meta"
    try:
        data.decode("utf-8")
        return "utf-8", "fallback-utf8"
    except UnicodeDecodeError:
        return "cp1252", "fallback-windows-1252"


def _strip_bom(data: bytes, codec: str) -> bytes:
    """Drop the byte-order mark that selected ``codec``, if there is one."""
    for bom, bom_codec in _BOMS:
        if data.startswith(bom) and bom_codec == codec:
            return data[len(bom) :]
    return data


def check_is_html(
    data: bytes, content_type: str | None = None, encoding: str | None = None
) -> None:
    """Raise ParseError when the bytes are clearly not an HTML document."""
    if len(data) > MAX_BYTES:
        raise ParseError(f"document is {len(data)} bytes; the cleaner accepts at most {MAX_BYTES}")
    codec = encoding or sniff_encoding(data, content_type)[0]
    body = _strip_bom(data, codec)
    if codec.startswith("utf-16"):
        # Check UTF-16 as text: its ASCII characters come with NUL bytes.
        body = body.decode(codec, errors="replace").encode("utf-8", errors="replace")
    if not body.strip():
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
    if max(map(len, data.split(b">"))) <= MAX_TAG_BYTES:
        return False
    return _longest_tag(data) > MAX_TAG_BYTES


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
    text = _strip_bom(data, codec).decode(codec, errors="replace")
    return Decoded(text=text, encoding=codec, source=source)


def _is_utf8(data: bytes) -> bool:
    """True when the bytes hold non-ASCII text and all of it is valid UTF-8."""
    if data.isascii():
        return False
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


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


# lxml.html's element classes (``drop_tag``, ``text_content`` …) chosen in C: lxml.html's own
# lookup calls back into Python for every element proxy, a tenth of ``clean()``'s time. Only
# the form-field subclasses (``FormElement``, ``InputElement`` …) are not used.
HTML_LOOKUP = etree.ElementDefaultClassLookup(
    element=lxml.html.HtmlElement,
    comment=lxml.html.HtmlComment,
    pi=lxml.html.HtmlProcessingInstruction,
    entity=lxml.html.HtmlEntity,
)


def html_parser(**options: bool) -> etree.HTMLParser:
    """A UTF-8 HTML parser making lxml.html elements through the C-level lookup."""
    parser = etree.HTMLParser(encoding="utf-8", **options)
    parser.set_element_class_lookup(HTML_LOOKUP)
    return parser


def _document(raw: bytes, parser: etree.HTMLParser) -> etree._Element:
    """``lxml.html.document_fromstring``: the parsed document element."""
    doc = etree.fromstring(raw, parser)
    if doc is None:
        raise etree.ParserError("Document is empty")
    return doc


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


def _to_utf8(text: str) -> bytes:
    """Encode text for libxml2: control characters and lone surrogates become U+FFFD."""
    # libxml2 refuses a form feed as leading text; browsers treat it as whitespace.
    # Fast path (almost every page): nothing to replace, checked without a regex scan.
    if "\ufffe" not in text and "\uffff" not in text:
        try:
            raw = text.encode("utf-8")
        except UnicodeEncodeError:  # a lone surrogate
            pass
        else:
            if len(raw.translate(None, _CONTROL_BYTES)) == len(raw):
                return raw.replace(b"\x0c", b" ")
    return _CONTROL_RE.sub("\ufffd", text.replace("\x0c", " ")).encode("utf-8")


# ``</body>`` and ``</html>`` end nothing in HTML5: content after them still goes into the
# body. libxml2 drops what follows a stray ``</html>`` (seen mid-page after a theme's header
# template), so both are taken out before parsing.
_DOCUMENT_END_RE = re.compile(r"</(?:body|html)\s*>", re.IGNORECASE)


def parse_text(text: str) -> etree._Element:
    """Parse decoded HTML text to an lxml document; raise ParseError on lost depth."""
    return _parse_checked(_to_utf8(_DOCUMENT_END_RE.sub("", text)), _document)


def parse_fragment(html: str) -> etree._Element:
    """Parse an HTML fragment into one ``<div>``; raise ParseError rather than lose text."""
    return _parse_checked(_to_utf8(html), fragment_div)


def parse(data: bytes, content_type: str | None = None) -> tuple[etree._Element, Decoded]:
    """Decode and parse page bytes; return the document element and the decoding used."""
    decoded = decode(data, content_type)
    return parse_text(decoded.text), decoded
