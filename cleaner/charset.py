"""WHATWG encoding sniffing: which codec decodes a page's bytes, and on what evidence.

Order of evidence (WHATWG "encoding sniffing"): byte-order mark, the HTTP
``Content-Type`` charset, a ``<meta>`` prescan of the first 1024 bytes, then a
fallback (UTF-8 when the bytes decode as UTF-8, else windows-1252). Only the
labels of the WHATWG Encoding Standard are recognised, mapped as browsers map
them: ``iso-8859-1``/``ascii`` decode as windows-1252, ``gb2312``/``gbk`` as
gb18030, ``shift_jis`` as cp932, ``euc-kr`` as cp949, ``big5`` as Big5-HKSCS;
``utf-16`` in a ``<meta>`` means UTF-8. Python-only labels (``utf-7``,
``rot13``, ``base64`` …) are ignored like any unknown label. One deviation:
``x-user-defined`` decodes as windows-1252 everywhere, not only in ``<meta>``.
"""

from __future__ import annotations

import codecs
import re

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
_WS = b"\t\n\x0c\r "
_TAG_START_RE = re.compile(rb"</?[A-Za-z]")


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


def _skip_ws(buf: bytes, pos: int) -> int:
    """The first position at or after ``pos`` that is not ASCII whitespace (or ``len(buf)``)."""
    n = len(buf)
    while pos < n and buf[pos] in _WS:
        pos += 1
    return pos


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
            pos = _skip_ws(buf, pos)
            if pos >= n:
                raise _EndOfInput
            if buf[pos] != 0x3D:
                return name, b"", pos
            pos += 1
            break
        if c in b"/>":
            return buf[start:pos].lower(), b"", pos
        pos += 1
    pos = _skip_ws(buf, pos)
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
        pos = _skip_ws(value, pos)
        if pos < len(value) and value[pos] == 0x3D:
            break
    pos += 1
    pos = _skip_ws(value, pos)
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
            # Every case below starts at a "<": the bytes before the next one are skipped.
            if buf[pos] != 0x3C:
                pos = buf.find(b"<", pos)
                if pos < 0:
                    return None
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
    if decodes_as_utf8(data):
        return "utf-8", "fallback-utf8"
    return "cp1252", "fallback-windows-1252"


def decodes_as_utf8(data: bytes) -> bool:
    """True when the bytes are valid UTF-8 (pure ASCII included)."""
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def strip_bom(data: bytes, codec: str) -> bytes:
    """Drop the byte-order mark that selected ``codec``, if there is one."""
    for bom, bom_codec in _BOMS:
        if data.startswith(bom) and bom_codec == codec:
            return data[len(bom) :]
    return data
