"""Parsing: the WHATWG charset matrix, refusing non-HTML, and never losing text to depth."""

from __future__ import annotations

import codecs
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import cleaner.parse
from cleaner import ParseError, clean
from cleaner.actions import text_content
from cleaner.parse import (
    check_is_html,
    decode,
    normalize_label,
    parse,
    parse_fragment,
    parse_text,
    prescan_meta,
    sniff_encoding,
)

# Bytes 0x80-0x9F of windows-1252 and what browsers show for them.
C1_BYTES = b"\x93Quoted\x94 \x80 5\x85 \x91it\x92s\x92 \x96 \x97 \x99"
C1_TEXT = "“Quoted” € 5… ‘it’s’ – — ™"
CYRILLIC = "Привет, мир! Новости дня"

BINARY_SIGNATURE = "document is binary data (its first bytes are a file signature), not HTML"
BINARY_NULS = "document is binary data (it contains NUL bytes), not HTML"
EMPTY = "empty document: there is no HTML to clean"
NO_MARKUP = "document contains no markup at all, not HTML"
TOO_DEEP = (
    "page nests elements deeper than 2048 levels; the parser would drop text below that "
    "depth, so it is refused rather than cleaned incompletely"
)


def page(body: bytes, head: bytes = b"") -> bytes:
    """A small HTML page whose only paragraph holds ``body``."""
    return b"<!DOCTYPE html><html><head>" + head + b"<title>t</title></head><body><p>" + body


def para(data: bytes, content_type: str | None = None) -> str:
    """Parse page bytes and return the text of the first paragraph."""
    doc, _ = parse(data, content_type)
    p = doc.find(".//p")
    assert p is not None
    return text_content(p)


def nested(depth: int, tag: str = "div") -> str:
    """``depth`` nested elements around the word "deep", followed by a closing paragraph."""
    return f"<{tag}>" * depth + "deep" + f"</{tag}>" * depth + "<p>after</p>"


# --- byte-order marks ---------------------------------------------------------------------


def test_utf8_bom_beats_header_and_meta_and_is_stripped() -> None:
    """A UTF-8 BOM wins over a conflicting header and meta, and is not part of the text."""
    data = codecs.BOM_UTF8 + page("héllo “x”".encode(), b'<meta charset="shift_jis">')
    decoded = decode(data, "text/html; charset=windows-1251")
    assert (decoded.encoding, decoded.source) == ("utf-8", "bom")
    assert decoded.text.startswith("<!DOCTYPE html>")
    assert para(data, "text/html; charset=windows-1251") == "héllo “x”"


@pytest.mark.parametrize(
    ("bom", "codec"),
    [(codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be")],
    ids=["utf-16le", "utf-16be"],
)
def test_utf16_bom_beats_header_and_meta(bom: bytes, codec: str) -> None:
    """A UTF-16 BOM selects UTF-16 whatever the header and the meta say."""
    html = '<html><head><meta charset="windows-1251"></head><body><p>héllo 日本 “x”</p>'
    data = bom + html.encode(codec)
    decoded = decode(data, "text/html; charset=iso-8859-1")
    assert (decoded.encoding, decoded.source) == (codec, "bom")
    assert decoded.text == html
    assert para(data, "text/html; charset=iso-8859-1") == "héllo 日本 “x”"


# --- HTTP header and <meta> ---------------------------------------------------------------


def test_header_charset_beats_meta() -> None:
    """The Content-Type charset wins over a conflicting meta declaration."""
    data = page(CYRILLIC.encode("cp1251"), b'<meta charset="shift_jis">')
    assert sniff_encoding(data, "text/html; charset=windows-1251") == ("cp1251", "http-header")
    assert para(data, "text/html; charset=windows-1251") == CYRILLIC


def test_quoted_header_charset_is_honoured() -> None:
    """A quoted charset parameter in the header is read without its quotes."""
    data = page(CYRILLIC.encode("cp1251"))
    assert para(data, 'text/html; Charset="Windows-1251"') == CYRILLIC


@pytest.mark.parametrize(
    "meta",
    [
        b'<meta charset="windows-1251">',
        b"<meta charset='windows-1251'>",
        b"<meta charset=windows-1251>",
        b"<META CHARSET=WINDOWS-1251>",
        b'<meta/charset="windows-1251"/>',
        b'<meta http-equiv="Content-Type" content="text/html; charset=windows-1251">',
        b'<meta content="text/html; charset=windows-1251" http-equiv="Content-Type">',
        b"<meta http-equiv=content-type content='text/html;charset=windows-1251'>",
        b"<meta content=text/html;charset=windows-1251 http-equiv=content-type>",
        b'<meta http-equiv="content-type" content="text/html; charset=\'windows-1251\'">',
    ],
    ids=[
        "charset-double-quoted",
        "charset-single-quoted",
        "charset-unquoted",
        "charset-upper-case",
        "charset-slash-separated",
        "http-equiv-first-quoted",
        "content-first-quoted",
        "http-equiv-first-mixed-quotes",
        "content-first-unquoted",
        "quoted-charset-inside-content",
    ],
)
def test_meta_declaration_selects_encoding(meta: bytes) -> None:
    """Every form of meta charset declaration is found by the prescan."""
    data = page(CYRILLIC.encode("cp1251"), meta)
    assert sniff_encoding(data) == ("cp1251", "meta")
    assert para(data) == CYRILLIC


@pytest.mark.parametrize(
    "head",
    [
        b'<meta name="description" content="text/html; charset=windows-1251">',
        b'<meta http-equiv="refresh" content="0; charset=windows-1251">',
        b'<!-- <meta charset="windows-1251"> -->',
        b'<meta data-charset="windows-1251">',
        b'<title data-x="<meta charset=windows-1251>"></title>',
    ],
    ids=["content-without-http-equiv", "other-http-equiv", "in-comment", "data-attr", "in-attr"],
)
def test_meta_lookalikes_do_not_declare_an_encoding(head: bytes) -> None:
    """Only a real meta charset or content-type pragma counts, as in the WHATWG prescan."""
    assert prescan_meta(page(b"x", head)) is None


def test_first_valid_meta_wins() -> None:
    """A meta with an unknown label is skipped and the next declaration is used."""
    head = b'<meta charset="x-bogus"><meta charset="windows-1251"><meta charset="shift_jis">'
    assert prescan_meta(page(b"x", head)) == "cp1251"


def test_meta_after_first_1024_bytes_is_ignored() -> None:
    """A declaration that starts past byte 1024 is not seen; the fallback decides."""
    head = b"<!--" + b"x" * 1100 + b'--><meta charset="windows-1251">'
    data = page(CYRILLIC.encode("cp1251"), head)
    assert sniff_encoding(data) == ("cp1252", "fallback-windows-1252")
    assert para(data) == CYRILLIC.encode("cp1251").decode("cp1252")


def test_meta_within_first_1024_bytes_is_honoured() -> None:
    """A declaration that ends just before byte 1024 is seen."""
    meta = b'<meta charset="windows-1251">'
    head = b"<!--" + b"x" * (1024 - 27 - 4 - 3 - len(meta)) + b"-->" + meta
    data = page(CYRILLIC.encode("cp1251"), head)
    assert data.index(meta) + len(meta) <= 1024
    assert para(data) == CYRILLIC


@pytest.mark.parametrize("where", ["header", "meta"])
@pytest.mark.parametrize("label", ["x-bogus", "utf-7", "rot13", "base64", "utf-32", ""])
def test_unknown_label_is_ignored(label: str, where: str) -> None:
    """A label the WHATWG table lacks (including Python-only codecs) is ignored, never raised."""
    head = f'<meta charset="{label}">'.encode() if where == "meta" else b""
    content_type = f"text/html; charset={label}" if where == "header" else None
    data = page("héllo “x”".encode(), head)
    assert sniff_encoding(data, content_type) == ("utf-8", "fallback-utf8")
    assert para(data, content_type) == "héllo “x”"


def test_unknown_header_label_falls_through_to_meta() -> None:
    """An unusable header charset leaves the decision to the meta prescan."""
    data = page(CYRILLIC.encode("cp1251"), b"<meta charset=windows-1251>")
    assert sniff_encoding(data, "text/html; charset=utf-7") == ("cp1251", "meta")


def test_utf16_declared_in_meta_on_ascii_bytes_decodes_as_utf8() -> None:
    """A meta cannot declare UTF-16 in ASCII-compatible bytes: WHATWG says use UTF-8."""
    data = page("café “x”".encode(), b'<meta charset="utf-16">')
    assert sniff_encoding(data) == ("utf-8", "meta")
    assert para(data) == "café “x”"


def test_utf16_header_without_bom_decodes_utf16() -> None:
    """A header-declared UTF-16LE page without a BOM is decoded, not refused for its NULs."""
    data = "<html><body><p>héllo 日本 “x”</p></body></html>".encode("utf-16-le")
    assert para(data, "text/html; charset=utf-16") == "héllo 日本 “x”"


@pytest.mark.parametrize("label", ["iso-2022-kr", "hz-gb-2312", "iso-2022-cn"])
def test_replacement_labels_are_refused_with_reason(label: str) -> None:
    """Labels browsers refuse to decode raise ParseError naming where they were declared."""
    with pytest.raises(ParseError) as err:
        decode(page(b"x"), f"text/html; charset={label}")
    assert str(err.value) == (
        "the Content-Type header declares an encoding browsers refuse to decode (ISO-2022-KR, "
        "ISO-2022-CN or HZ-GB-2312), so the document has no readable text"
    )


# --- legacy single-byte encodings ---------------------------------------------------------


@pytest.mark.parametrize(
    "label", ["iso-8859-1", "ISO-8859-1", "latin1", "iso_8859-1:1987", "cp819", "l1"]
)
@pytest.mark.parametrize("where", ["header", "meta"])
def test_iso_8859_1_label_decodes_c1_bytes_as_windows_1252(label: str, where: str) -> None:
    """Bytes 0x80-0x9F under an iso-8859-1 label become curly quotes, € and …, not C1 codes."""
    head = f'<meta charset="{label}">'.encode() if where == "meta" else b""
    content_type = f"text/html; charset={label}" if where == "header" else None
    text = para(page(C1_BYTES, head), content_type)
    assert text == C1_TEXT
    assert not any("\x80" <= ch <= "\x9f" for ch in text)


@pytest.mark.parametrize("label", ["ascii", "us-ascii", "ANSI_X3.4-1968"])
def test_ascii_label_decodes_c1_bytes_as_windows_1252(label: str) -> None:
    """An ascii label is windows-1252 too: high bytes decode, they are not replaced."""
    assert para(page(C1_BYTES), f"text/html; charset={label}") == C1_TEXT


def test_windows_1251_decodes_cyrillic() -> None:
    """A windows-1251 page keeps its Cyrillic text."""
    assert para(page(CYRILLIC.encode("cp1251"), b"<meta charset=windows-1251>")) == CYRILLIC


@pytest.mark.parametrize(
    ("label", "encoder", "text"),
    [
        ("iso-8859-9", "cp1254", "Günaydın “Türkiye” €"),
        ("koi8-r", "koi8-r", "Новости дня"),
        ("iso-8859-2", "iso8859-2", "Zażółć gęślą jaźń"),
        ("windows-874", "cp874", "ภาษาไทย “ข่าว”"),
    ],
    ids=["iso-8859-9-as-windows-1254", "koi8-r", "iso-8859-2", "windows-874"],
)
def test_other_single_byte_labels_decode_exact_text(label: str, encoder: str, text: str) -> None:
    """Other legacy labels decode exactly (iso-8859-9 as windows-1254, per WHATWG)."""
    assert para(page(text.encode(encoder)), f"text/html; charset={label}") == text


# --- CJK ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "encoder", "text"),
    [
        ("shift_jis", "shift_jis", "日本語のニュース、東京"),
        ("shift_jis", "cp932", "丸数字①と髙橋"),
        ("gb2312", "gb2312", "中文新闻测试"),
        ("gb2312", "gbk", "朱镕基"),
        ("gbk", "gb18030", "表情😀"),
        ("gb18030", "gb18030", "中文😀"),
        ("euc-kr", "euc_kr", "한국어 뉴스"),
        ("euc-kr", "cp949", "똠방각하"),
        ("big5", "big5", "繁體中文新聞"),
        ("big5", "big5hkscs", "香港字㗎"),
        ("euc-jp", "euc_jp", "日本語のニュース"),
    ],
    ids=[
        "shift_jis",
        "shift_jis-as-cp932",
        "gb2312",
        "gb2312-as-gb18030",
        "gbk-as-gb18030",
        "gb18030",
        "euc-kr",
        "euc-kr-as-cp949",
        "big5",
        "big5-as-hkscs",
        "euc-jp",
    ],
)
def test_cjk_labels_decode_exact_text(label: str, encoder: str, text: str) -> None:
    """CJK pages decode exactly, with the browser supersets (cp932, gb18030, cp949, HKSCS)."""
    data = page(text.encode(encoder), f'<meta charset="{label}">'.encode())
    assert para(data) == text
    assert para(page(text.encode(encoder)), f"text/html; charset={label}") == text


# --- fallback and invalid bytes -----------------------------------------------------------


def test_valid_utf8_without_label_decodes_as_utf8() -> None:
    """Unlabelled bytes that are valid UTF-8 decode as UTF-8."""
    data = page("Zażółć “gęślą” 日本".encode())
    assert sniff_encoding(data) == ("utf-8", "fallback-utf8")
    assert para(data) == "Zażółć “gęślą” 日本"


def test_invalid_utf8_without_label_falls_back_to_windows_1252() -> None:
    """Unlabelled bytes that are not UTF-8 decode as windows-1252."""
    data = page(b"caf\xe9 " + C1_BYTES)
    assert sniff_encoding(data) == ("cp1252", "fallback-windows-1252")
    assert para(data) == "café " + C1_TEXT


@pytest.mark.parametrize("where", ["header", "meta"])
def test_invalid_bytes_in_declared_utf8_become_replacement_characters(where: str) -> None:
    """Invalid sequences in a page declared UTF-8 become U+FFFD; nothing raises."""
    head = b'<meta charset="utf-8">' if where == "meta" else b""
    content_type = "text/html; charset=utf-8" if where == "header" else None
    data = page(b"ok \xff caf\xe9 \xc3\x28 end \xe2\x82", head)
    assert para(data, content_type) == "ok \ufffd caf\ufffd \ufffd( end \ufffd"


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "codec"),
    [
        (" UTF-8 ", "utf-8"),
        ("unicode-1-1-utf-8", "utf-8"),
        ("latin1", "cp1252"),
        ("x-user-defined", "cp1252"),
        ("iso-8859-9", "cp1254"),
        ("tis-620", "cp874"),
        ("gbk", "gb18030"),
        ("x-sjis", "cp932"),
        ("ks_c_5601-1987", "cp949"),
        ("big5", "big5hkscs"),
        ("utf-16", "utf-16-le"),
        ("unicodefffe", "utf-16-be"),
        ("iso-2022-kr", "replacement"),
        ("utf-7", None),
        ("utf-32", None),
        ("rot13", None),
        ("undefined", None),
        ("", None),
    ],
)
def test_labels_map_as_browsers_map_them(label: str, codec: str | None) -> None:
    """Labels follow the WHATWG table; Python-only codec names are not labels."""
    assert normalize_label(label) == codec


# --- not HTML -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "data",
    [
        b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR<html>",
        b"GIF89a\x01\x00\x01\x00<html>",
        b"\xff\xd8\xff\xe0\x00\x10JFIF<html>",
        b"%PDF-1.7\n<html>",
        b"PK\x03\x04\x14\x00<html>",
        b"\x1f\x8b\x08\x00<html>",
    ],
    ids=["png", "gif", "jpeg", "pdf", "zip", "gzip"],
)
def test_binary_magic_number_is_refused_as_binary(data: bytes) -> None:
    """A file signature at the start means binary data, even labelled text/html."""
    with pytest.raises(ParseError) as err:
        decode(data, "text/html")
    assert str(err.value) == BINARY_SIGNATURE


def test_many_nul_bytes_are_refused_as_binary() -> None:
    """Bytes full of NULs (without a UTF-16 BOM or label) are binary, not HTML."""
    with pytest.raises(ParseError) as err:
        decode(b"<html><body>" + b"\x00\x01\x02\x00" * 50)
    assert str(err.value) == BINARY_NULS


def test_few_nul_bytes_are_tolerated() -> None:
    """A stray NUL in a real page is replaced, not a reason to refuse it."""
    assert para(page(b"a\x00b")) == "a\ufffdb"


@pytest.mark.parametrize(
    ("content_type", "mime"),
    [
        ("image/png", "image/png"),
        ("application/json", "application/json"),
        ("Application/JSON; charset=utf-8", "application/json"),
        ("application/pdf", "application/pdf"),
    ],
)
def test_non_html_content_type_is_refused(content_type: str, mime: str) -> None:
    """A Content-Type that is not HTML is refused, naming the type."""
    with pytest.raises(ParseError) as err:
        decode(page(b"x"), content_type)
    assert str(err.value) == f"Content-Type '{mime}' is not HTML"


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b" \r\n\t ",
        codecs.BOM_UTF8,
        codecs.BOM_UTF8 + b"  \n",
        codecs.BOM_UTF16_LE + " \n ".encode("utf-16-le"),
    ],
    ids=["empty", "whitespace", "utf8-bom-only", "utf8-bom-whitespace", "utf16-whitespace"],
)
def test_empty_or_whitespace_only_input_is_refused_as_empty(data: bytes) -> None:
    """No bytes, only whitespace or only a BOM: nothing to clean."""
    with pytest.raises(ParseError) as err:
        decode(data)
    assert str(err.value) == EMPTY


@pytest.mark.parametrize(
    "data",
    [b"Just a line of plain text.\nAnd another one.", b"1 < 2 and 3 > 2", b"<3 you"],
    ids=["prose", "comparison", "heart"],
)
def test_plain_text_without_markup_is_refused(data: bytes) -> None:
    """Text with no tag, comment or doctype is not an HTML page."""
    with pytest.raises(ParseError) as err:
        decode(data, "text/html")
    assert str(err.value) == NO_MARKUP


def test_oversized_document_is_refused_with_its_size(monkeypatch: pytest.MonkeyPatch) -> None:
    """A document over MAX_BYTES is refused, naming its size and the limit."""
    monkeypatch.setattr(cleaner.parse, "MAX_BYTES", 100)
    with pytest.raises(ParseError) as err:
        check_is_html(b"<p>" + b"a" * 200)
    assert str(err.value) == "document is 203 bytes; the cleaner accepts at most 100"


def test_comment_only_document_is_refused() -> None:
    """Markup that yields no document at all is a ParseError, not an lxml exception."""
    with pytest.raises(ParseError) as err:
        parse(b"<!-- nothing here -->")
    assert str(err.value) == "no HTML document could be parsed: Document is empty"


@settings(derandomize=True, max_examples=300, deadline=None)
@given(
    data=st.binary(max_size=300)
    | st.text(max_size=200).map(lambda s: s.encode("utf-8", "replace")),
    label=st.sampled_from(
        [
            None,
            "utf-8",
            "iso-8859-1",
            "shift_jis",
            "utf-16",
            "utf-16be",
            "gb18030",
            "iso-2022-jp",
            "euc-jp",
            "big5",
            "x-bogus",
            "utf-7",
        ]
    ),
)
def test_parse_raises_only_parse_error_on_arbitrary_bytes(data: bytes, label: str | None) -> None:
    """Whatever the bytes and the label, parse returns a tree or raises ParseError."""
    content_type = f"text/html; charset={label}" if label else None
    try:
        doc, decoded = parse(data, content_type)
    except ParseError:
        return
    assert doc.tag == "html"
    assert isinstance(decoded.text, str)


# --- depth --------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [200, 300, 2000])
def test_nested_divs_below_2048_keep_all_text(depth: int) -> None:
    """Nesting under libxml2's huge_tree limit parses with every word (retrying past 255)."""
    doc = parse_text(nested(depth))
    assert text_content(doc) == "deepafter"


def test_3000_nested_divs_raise_parse_error_about_depth() -> None:
    """Nesting past 2048 levels is refused, saying why, instead of losing text."""
    with pytest.raises(ParseError) as err:
        parse(nested(3000).encode())
    assert str(err.value) == TOO_DEEP


def test_100000_nested_divs_are_refused_fast() -> None:
    """Pathological nesting is refused well within the 5 s budget."""
    data = nested(100_000).encode()
    start = time.perf_counter()
    with pytest.raises(ParseError) as err:
        clean(data, url="https://example.test/deep")
    assert str(err.value) == TOO_DEEP
    assert time.perf_counter() - start < 5


@settings(derandomize=True, max_examples=60, deadline=None)
@given(depth=st.integers(0, 2600), tag=st.sampled_from(["div", "span", "b", "section"]))
def test_text_after_a_deep_subtree_is_never_silently_lost(depth: int, tag: str) -> None:
    """Either all text, including what follows the deep subtree, survives, or ParseError."""
    try:
        doc = parse_text(nested(depth, tag))
    except ParseError as err:
        assert str(err) == TOO_DEEP
        return
    assert text_content(doc) == "deepafter"


@pytest.mark.parametrize("depth", [250, 256, 1000, 2040, 2046, 2047, 2048, 5000])
def test_depth_boundary_keeps_text_or_refuses(depth: int) -> None:
    """Around both libxml2 limits, the deep text and the text after it survive or we refuse."""
    try:
        doc = parse_text(nested(depth))
    except ParseError as err:
        assert str(err) == TOO_DEEP
        assert depth >= 2046
        return
    assert text_content(doc) == "deepafter"


def test_fragment_deeper_than_255_keeps_all_text() -> None:
    """parse_fragment retries with huge_tree too, so a deep fragment keeps its text."""
    div = parse_fragment(nested(300))
    assert div.tag == "div"
    assert text_content(div) == "deepafter"


def test_text_node_over_10_mb_is_kept_whole() -> None:
    """libxml2's 10 MB token limit does not silently truncate a long paragraph."""
    words = "word " * 2_000_000
    doc = parse_text(f"<p>{words}<b>x</b>{words}</p><p>after</p>")
    assert len(text_content(doc)) == 2 * len(words) + len("x") + len("after")


def test_comment_over_10_mb_does_not_empty_the_document() -> None:
    """A huge comment before the content does not make the page parse as empty."""
    doc = parse_text("<!--" + "x" * 11_000_000 + "--><p>after</p>")
    assert text_content(doc) == "after"


# --- str input ----------------------------------------------------------------------------


def test_str_with_lone_surrogates_and_control_chars_parses() -> None:
    """Lone surrogates, NUL and C0 controls in a str become U+FFFD; nothing raises."""
    doc = parse_text("<p>a\ud800b\udfffc\x00d\x01\x1be\ufffe</p><p>after</p>")
    assert text_content(doc) == "a\ufffdb\ufffdc\ufffdd\ufffd\ufffde\ufffdafter"


def test_clean_accepts_str_with_lone_surrogates() -> None:
    """clean() on a str holding lone surrogates returns a result instead of raising."""
    result = clean("<html><body><p>broken \ud83d text \x00 here</p></body></html>")
    assert "broken" in result.text


# --- end to end ---------------------------------------------------------------------------

ARTICLE = [
    "\x93Kami tidak akan menyerah,\x94 kata kepala desa kepada wartawan pada Senin pagi, "
    "ketika banjir mulai surut dan warga kembali ke rumah masing\x96masing.",
    "Bantuan senilai \x80 5.000 tiba dari luar negeri\x85 dan dibagikan di balai desa "
    "oleh para relawan yang datang sejak akhir pekan lalu.",
    "Warga menyebut banjir itu \x91yang terburuk\x92 dalam dua puluh tahun terakhir, "
    "meskipun tidak ada korban jiwa yang dilaporkan oleh petugas setempat.",
]


def test_clean_keeps_curly_quotes_of_iso_8859_1_labelled_page() -> None:
    """A windows-1252 page served as iso-8859-1 keeps its curly quotes, € and … in .text."""
    body = b"".join(b"<p>" + p.encode("latin-1") + b"</p>\n" for p in ARTICLE)
    data = (
        b'<!DOCTYPE html><html><head><meta charset="utf-8"><title>Banjir surut</title></head>'
        b"<body><article><h1>Banjir surut</h1>\n" + body + b"</article></body></html>"
    )
    result = clean(
        data, url="https://news.example.test/banjir", content_type="text/html; charset=iso-8859-1"
    )
    assert result.encoding == "cp1252"
    for paragraph in ARTICLE:
        assert paragraph.encode("latin-1").decode("cp1252") in result.text
    assert "“Kami tidak akan menyerah,” kata" in result.text
    assert "€ 5.000 tiba dari luar negeri…" in result.text
    assert not any("\x80" <= ch <= "\x9f" for ch in result.text)


def test_content_after_a_stray_html_end_tag_stays_in_the_body() -> None:
    """HTML5 keeps parsing into <body> after ``</body></html>``; a theme that closes the
    document after its header must not lose the article that follows."""
    doc = parse_text(
        "<html><body><header><a href='/'>Home</a></header></body></html>"
        "<div class='post'><p>The article text that follows the stray end tags.</p></div>"
        "</body></html>"
    )
    body = doc.find("body")
    assert body is not None
    assert "The article text that follows" in text_content(body)


def test_valid_utf8_wins_over_a_stale_meta_charset() -> None:
    """A saved page re-encoded to UTF-8 keeps its old <meta charset=gb2312>: bytes that are
    valid UTF-8 are read as UTF-8; bytes that are not follow the <meta>."""
    page = '<html><head><meta charset="gb2312"></head><body><p>{}</p></body></html>'
    utf8 = page.format("谷歌在2014年收购的人工智能公司").encode("utf-8")
    got = decode(utf8, None)
    assert got.encoding == "utf-8"
    assert "人工智能" in got.text
    legacy = page.format("人工智能").encode("gb2312")
    assert decode(legacy, None).encoding != "utf-8"
    assert "人工智能" in decode(legacy, None).text
    header = decode(utf8, "text/html; charset=gb2312")
    assert header.encoding != "utf-8"  # an HTTP header is what the server said: obeyed


def test_inner_html_matches_child_by_child_serialisation() -> None:
    """``inner_html`` serialises the children in one call, exactly as one call per child."""
    from html import escape

    from lxml import etree

    from cleaner.parse import inner_html, parse_text

    page = (
        "<html><body><div id='a' title='x > y &amp; \"z\"'>lead &lt;text&gt; &amp; "
        "<p class=c>one<br>two</p> tail &nbsp; <img src='i.png' alt='a>b'> more "
        "<table><tr><td>cell</td></tr></table><pre>  keep\n</pre>end</div>"
        "<section></section><span>x</span></body></html>"
    )
    doc = parse_text(page)
    for el in doc.iter():
        expected = escape(el.text or "", quote=False) + "".join(
            etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in el
        )
        assert inner_html(el) == expected


def test_article_root_with_a_name_lxml_cannot_make_is_cleaned() -> None:
    """Script text left in the page can give an element a name libxml2's HTML parser
    accepts but lxml cannot make ("<i.length;i++)a[i]>"); when it holds the article, the
    article is still serialised (it was a ValueError)."""
    from cleaner import clean

    para = (
        "<p>The council voted on Tuesday to extend the library's opening hours, citing demand "
        "from students, shift workers and families.</p>"
    )
    r = clean(
        f"<html><body><div id=x><i.length;i++)a[i]>{para * 3}</i.length;i++)a[i]></div>"
        "</body></html>",
        url="https://example.test/2025/11/library-hours",
    )
    assert r.text.count("The council voted") == 3


def test_document_end_tags_removed_from_bytes_as_from_text() -> None:
    """The bytes pattern removes exactly what the text pattern does (every whitespace
    character is below U+3001, and no other character matches the tag names' letters)."""
    import re
    import sys

    from cleaner import parse as P

    assert not [c for c in range(0x3001, sys.maxunicode + 1) if chr(c).isspace()]
    assert not [c for c in range(0x80, 0x3001) if re.match("(?i)[bodyhtml</>]", chr(c))]
    # (\x0b and \x1c-\x1f are control characters too: such text takes the text path.)
    spaces = "".join(c for c in P._WHITESPACE if c not in "\x0b\x1c\x1d\x1e\x1f")
    for text in (
        "<p>a</p></BODY \u3000\xa0\x85\u2028>b</Html>c</body\x0c>d</body\u200b>",
        f"x</html{spaces}>y</htm>z</ body>",
        "no end tags at all, \u00e9\u4e2d\U0001f600",
    ):
        raw = P._utf8_plain(text)
        assert raw is not None
        assert P._DOCUMENT_END_BYTES.sub(b"", raw) == P._to_utf8(P._DOCUMENT_END_RE.sub("", text))


def test_long_run_agrees_with_splitting() -> None:
    """``_long_run`` finds a run without ``>`` longer than the limit exactly when splitting
    on ``>`` does."""
    from cleaner import parse as P

    n = P.MAX_TAG_BYTES
    for data in (
        b"a" * (n + 1),
        b"a" * n,
        b">" + b"a" * n + b">",
        b">" + b"a" * (n + 1),
        b"x>" * (n // 2) + b"a" * (n + 1) + b">",
        b"a" * (n - 1) + b">" + b"b" * (n - 1) + b">" + b"c" * (2 * n),
        b">" * (2 * n + 5),
    ):
        assert P._long_run(data) == (max(map(len, data.split(b">"))) > n)


def test_decoded_utf8_is_the_text_encoded() -> None:
    """``Decoded.utf8`` is set only when it equals the text encoded (valid UTF-8 input, BOM
    or not), and parsing with it gives the same document as without."""
    from lxml import etree

    from cleaner import parse as P

    page = "<html><body><p>caf\u00e9 \u4e2d\U0001f600</p></body></html>".encode()
    for data in (page, b"\xef\xbb\xbf" + page):
        decoded = P.decode(data, "text/html; charset=utf-8")
        assert decoded.utf8 == decoded.text.encode("utf-8")
        with_bytes = P.parse_text(decoded.text, decoded.utf8)
        assert etree.tostring(with_bytes) == etree.tostring(P.parse_text(decoded.text))
    assert P.decode(page + b"\xff", "text/html; charset=utf-8").utf8 is None
    assert P.decode(page, "text/html; charset=windows-1252").utf8 is None


def test_page_left_beside_an_empty_html_element_is_cleaned_whole() -> None:
    """An unclosed quote in the ``<html>`` start tag makes libxml2 leave the page in a
    second top-level ``<html>`` beside an empty one: it joins the document (a browser has
    one), so the article is cleaned, and a control character reference in an attribute
    there is scrubbed like any other (it made clean raise ValueError)."""
    page = (
        b'<!DOCTYPE html>\n<html id="page />\n<meta name="a" content="b" />\n<title>T</title>'
        b"</head><body><article><p>The council voted on Tuesday to extend the library opening "
        b"hours, citing demand from students and shift workers.</p><p>The cells hold &#1; a "
        b'control reference in <a aria-expanded="false" aria-controls="p&#1;q">a link</a>.</p>'
        b"</article></body></html>"
    )
    r = clean(page)
    assert r.text.startswith("The council voted on Tuesday")
    assert "a control reference in a link." in r.text
    assert clean(r.html).content_html == r.content_html
