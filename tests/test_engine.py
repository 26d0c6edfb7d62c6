"""The engine: pass order, removals with their rules, metadata, links, images, text."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import CleanResult, ParseError, RuleSet, clean

PARAS = [
    "Pemerintah kota mengumumkan rencana pembangunan taman baru di pusat kota, yang akan "
    "dibuka untuk umum pada akhir tahun depan setelah proses lelang selesai.",
    "Menurut kepala dinas, taman itu akan memiliki jalur sepeda, area bermain anak, dan "
    "perpustakaan kecil yang dikelola oleh warga sekitar secara sukarela.",
    "Warga menyambut baik rencana tersebut, meskipun sebagian khawatir soal parkir dan "
    "kebisingan pada akhir pekan ketika pengunjung datang dari luar kota.",
]

PAGE = f"""<!DOCTYPE html>
<html lang="id"><head><meta charset="utf-8">
<title>Taman Baru di Pusat Kota | Contoh News</title>
<meta property="og:site_name" content="Contoh News">
<meta property="og:image" content="/img/lead.jpg">
<meta name="author" content="Budi Santoso">
<meta property="article:published_time" content="2023-10-27T17:33:00+07:00">
<script>window.ads = 1;</script><style>body {{ color: red }}</style>
</head><body>
<header class="site-header"><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<div class="wrap">
 <div class="main-col">
  <h1>Taman Baru di Pusat Kota</h1>
  <div class="font-size"><button>A</button><button>A</button><button>A</button></div>
  <div class="share-box"><a href="https://facebook.com/share">Share on Facebook</a></div>
  <div class="article-body">
   <figure><img src="data:image/gif;base64,R0lGODlhAQABAAAAACw=" data-src="/img/lead.jpg"
     alt="Taman"><figcaption>Rencana taman (Foto: Dok)</figcaption></figure>
   <p>{PARAS[0]}</p>
   <div class="ad-slot"><span>Advertisement</span><div id="div-gpt-ad-123"></div></div>
   <p>{PARAS[1]}</p>
   <p><strong>Baca Juga:</strong> <a href="/read/2">Judul berita lain yang menarik</a></p>
   <p>{PARAS[2]} <a href="/profil/kota">Profil kota</a>.</p>
   <img src="https://www.facebook.com/tr?id=1" width="1" height="1">
   <p>Follow WhatsApp Channel Contoh untuk update berita terbaru setiap hari</p>
  </div>
  <div class="related"><h3>Berita Terkait</h3><ul><li><a href="/a">Satu</a></li>
   <li><a href="/b">Dua</a></li></ul></div>
  <div id="comments"><h3>Komentar</h3><p>Tulis komentar anda di sini sekarang juga</p></div>
 </div>
 <aside class="sidebar"><h3>Terpopuler</h3><a href="/x">Berita populer sekali</a></aside>
</div>
<footer>Copyright 2023 Contoh News. All rights reserved.</footer>
</body></html>"""

URL = "https://news.contoh.test/read/2023/10/27/taman"


@pytest.fixture(scope="module")
def result() -> CleanResult:
    """The sample page cleaned with the bundled defaults and no site rule."""
    return clean(PAGE.encode(), url=URL)


def test_article_paragraphs_survive(result):
    """All article paragraphs are in the text, in order."""
    positions = [result.text.find(p) for p in PARAS]
    assert -1 not in positions and positions == sorted(positions)


@pytest.mark.parametrize(
    "clutter",
    [
        "Advertisement",
        "Share on Facebook",
        "Baca Juga",
        "Judul berita lain",
        "Berita Terkait",
        "Komentar",
        "Terpopuler",
        "Copyright",
        "Follow WhatsApp",
        "Home",
        "window.ads",
        "color: red",
    ],
)
def test_clutter_is_removed(result, clutter):
    """Ads, share bars, read-also links, related lists, comments, nav, footer all go."""
    assert clutter not in result.text
    assert clutter not in result.content_html


def test_font_size_buttons_are_removed(result):
    """The "A A A" font-size row is not in the article."""
    assert "A\n\nA" not in result.text and "<button" not in result.html


def test_metadata_is_extracted(result):
    """Title without the site suffix, byline, ISO date, language, site name, lead image."""
    assert result.title == "Taman Baru di Pusat Kota"
    assert result.byline == "Budi Santoso"
    assert result.published == "2023-10-27T17:33:00+07:00"
    assert result.lang == "id"
    assert result.site_name == "Contoh News"
    assert result.lead_image == "https://news.contoh.test/img/lead.jpg"


def test_lazy_image_resolves_and_figure_keeps_caption(result):
    """data-src replaces the placeholder src; the caption stays with its figure."""
    assert '<img src="https://news.contoh.test/img/lead.jpg" alt="Taman">' in result.content_html
    assert "<figcaption>Rencana taman (Foto: Dok)</figcaption>" in result.content_html
    assert result.images == ["https://news.contoh.test/img/lead.jpg"]


def test_relative_links_become_absolute(result):
    """Links inside the article point at absolute URLs."""
    assert 'href="https://news.contoh.test/profil/kota"' in result.content_html


def test_tracking_pixel_is_dropped(result):
    """A 1x1 image on a tracker host is not in the output."""
    assert "facebook.com/tr" not in result.html


def test_every_removal_names_its_rule(result):
    """Removals record the rule entry, the selector or pattern, a count and a reason."""
    by_rule = {r.rule_id for r in result.removals}
    assert "builtin:non-content" in by_rule
    assert any(r.startswith("_defaults:remove[") for r in by_rule)
    assert "_defaults:remove_text" in by_rule
    ad = next(r for r in result.removals if r.reason == "ad container")
    assert ad.count >= 1 and "Advertisement" in ad.samples[0]
    assert all(r.count > 0 for r in result.removals)


def test_text_paragraphs_are_separated_by_blank_lines(result):
    """Paragraphs in .text are separated by exactly one blank line."""
    assert f"{PARAS[0]}\n\n{PARAS[1]}" in result.text


def test_html_is_a_complete_document_with_metadata(result):
    """The readable document has a doctype, CSP, title, byline and the body."""
    html = result.html
    assert html.startswith("<!DOCTYPE html>")
    assert 'http-equiv="Content-Security-Policy"' in html
    assert "<h1>Taman Baru di Pusat Kota</h1>" in html
    assert "Budi Santoso" in html and PARAS[1] in html


def test_clean_is_idempotent_on_its_own_output(result):
    """Cleaning the cleaned document gives the same document."""
    again = clean(result.html, url=URL)
    assert again.html == result.html
    assert again.text == result.text


def test_a_reading_document_s_text_is_not_searched_for_a_byline_or_a_date() -> None:
    """A reading document says its byline and date in its <meta> tags when the cleaning
    that made it found them. Cleaning it again must not find others in its text (here a
    dateline and "By the way", which gave the byline "the way, nobody objected."): the
    document would change, and the byline was nonsense."""
    from cleaner.render import render_document

    prose = "The council voted on Tuesday to extend the library's opening hours. " * 5
    doc = render_document(
        content_html=(
            "<p>Feb. 23, 2015 -- The council met on Monday and voted, said Jane Doe.</p>"
            f"<p>{prose}</p><p>{prose}</p><p>By the way, nobody objected.</p>"
        ),
        title="Library hours extended",
        byline=None,
        published=None,
        lang="en",
        site_name="Example",
        lead_image=None,
        url=URL,
    )
    r = clean(doc, url=URL)
    assert (r.byline, r.published) == (None, None)
    assert clean(r.html, url=URL).html == r.html
    dated = doc.replace("</head>", '<meta name="author" content="Budi Santoso">\n</head>')
    assert clean(dated, url=URL).byline == "Budi Santoso"


def test_without_a_url_og_url_is_the_base_as_in_the_reading_document() -> None:
    """Cleaned without a URL, a page with an ``og:url`` and no canonical link gets the
    ``og:url`` as its base (the site name is then its host), as its reading document, which
    gives that URL as its canonical link, gets when cleaned again (found by a fuzz run)."""
    prose = "The council voted on Tuesday to extend the library's opening hours. " * 5
    page = (
        '<html lang="en-gb x"><head><title>Library hours</title>'
        '<meta property="og:url" content="https://news.example.test/2024/library-hours">'
        f"</head><body><article><p>{prose}</p><p>{prose} See "
        '<a href="/minutes">the minutes</a> for the vote.</p></article></body></html>'
    )
    r = clean(page)
    assert r.site_name == "news.example.test"
    assert r.lang == "en-gb"
    assert 'href="https://news.example.test/minutes"' in r.content_html
    assert clean(r.html).html == r.html


def test_metadata_urls_are_read_as_a_browser_reads_them() -> None:
    """A control character in the canonical URL (``&#1;``) is percent-encoded, as a
    browser's URL parser does and as the article's links are: written raw into the reading
    document it was read back as U+FFFD, and cleaning that again changed the document
    (found by a fuzz run)."""
    prose = "The council voted on Tuesday to extend the library's opening hours. " * 5
    page = (
        '<html><head><link rel="canonical" href="https://news.example.test/a&#1;b">'
        f"</head><body><article><p>{prose}</p><p>{prose}</p></article></body></html>"
    )
    for url in (None, "https://news.example.test/a"):
        r = clean(page, url=url)
        assert r.canonical == "https://news.example.test/a%01b"
        assert clean(r.html, url=url).html == r.html


def test_rules_digest_changes_when_a_rule_changes(tmp_path: Path):
    """The digest depends on the content of the rules that applied."""
    (tmp_path / "_defaults.yaml").write_text("version: 1\nremove: ['.ad-slot']\n")
    first = clean(PAGE, url=URL, rules=RuleSet.load([tmp_path])).rules_digest
    (tmp_path / "_defaults.yaml").write_text("version: 1\nremove: ['.ad-slot', '.x']\n")
    second = clean(PAGE, url=URL, rules=RuleSet.load([tmp_path])).rules_digest
    assert first != second


def test_site_rule_runs_before_defaults_and_sets_content(tmp_path: Path):
    """A site rule's content selector picks the root and its removals are recorded first."""
    (tmp_path / "contoh.test.yaml").write_text(
        "version: 1\nmatch: {hosts: ['*.contoh.test']}\ncontent: div.article-body\n"
        "remove: [{css: 'figure', reason: no figures here}]\n"
    )
    (tmp_path / "_defaults.yaml").write_text("version: 1\nremove: ['.ad-slot']\n")
    r = clean(PAGE, url=URL, rules=RuleSet.load([tmp_path]))
    assert r.site_rule == "contoh.test" and r.content_source == "rule:contoh.test"
    order = [x.rule_id for x in r.removals]
    assert order.index("contoh.test:remove[0]") < order.index("_defaults:remove[0]")
    assert "Rencana taman" not in r.text and PARAS[2] in r.text
    assert "Berita Terkait" not in r.text


def test_keep_protects_from_defaults(tmp_path: Path):
    """An element a site rule keeps survives a default that would remove it."""
    (tmp_path / "contoh.test.yaml").write_text(
        "version: 1\nmatch: {hosts: ['*.contoh.test']}\ncontent: div.main-col\nkeep: ['.related']\n"
    )
    (tmp_path / "_defaults.yaml").write_text("version: 1\nremove: ['.related']\n")
    r = clean(PAGE, url=URL, rules=RuleSet.load([tmp_path]))
    assert "Satu" in r.text


def test_content_selector_matching_nothing_falls_back_with_warning(tmp_path: Path):
    """A content selector that finds nothing is reported, and generic detection runs."""
    (tmp_path / "contoh.test.yaml").write_text(
        "version: 1\nmatch: {hosts: ['*.contoh.test']}\ncontent: div.nope\n"
    )
    r = clean(PAGE, url=URL, rules=RuleSet.load([tmp_path]))
    assert r.content_source == "generic"
    assert r.warnings == [
        "rule contoh.test: content selector 'div.nope' matched nothing; "
        "generic detection used instead"
    ]
    assert PARAS[0] in r.text


def test_remove_text_takes_the_smallest_matching_element():
    """remove_text drops the label element, not the block that contains it."""
    page = (
        f"<html><body><div class='body'><p>{PARAS[0]}</p><div><span>Advertisement</span>"
        f"</div><p>{PARAS[1]}</p><div>Iklan</div><p>{PARAS[2]}</p></div></body></html>"
    )
    r = clean(page, url="https://x.test/a")
    assert "Advertisement" not in r.text and "Iklan" not in r.text
    assert all(p in r.text for p in PARAS)


def test_remove_text_leaves_prose_that_merely_contains_the_label():
    """A sentence that contains 'Share' or 'Iklan' is not a label and stays."""
    sentence = "Iklan rokok dilarang tayang di televisi sebelum pukul sembilan malam."
    page = f"<html><body><article><p>{PARAS[0]}</p><p>{sentence}</p></article></body></html>"
    assert sentence in clean(page, url="https://x.test/a").text


def test_remote_images_false_drops_images():
    """Offline output drops every image that would load from the network."""
    r = clean(PAGE, url=URL, remote_images=False)
    assert "<img" not in r.html and r.images == [] and r.lead_image is None


def test_not_html_raises_parse_error():
    """Binary input is refused with ParseError, never cleaned into garbage."""
    with pytest.raises(ParseError, match="not HTML"):
        clean(b"\x89PNG\r\n\x1a\n" + b"\0" * 100)


def test_page_without_article_gives_short_result():
    """A page of links only yields little text, not a wall of links."""
    links = "".join(f"<li><a href='/n{i}'>Berita nomor {i} hari ini</a></li>" for i in range(60))
    r = clean(f"<html><body><ul class='list'>{links}</ul></body></html>", url="https://x.test/")
    assert len(r.text) < 200


def test_next_page_comes_from_the_rule_or_rel_next(tmp_path: Path):
    """A rule's next_page selector wins; otherwise <link rel="next"> names the next page."""
    page = (
        "<html><head><link rel='next' href='/read/a?page=2'></head><body><article>"
        f"<p>{PARAS[0]}</p><a class='nextpage' href='/read/a/2'>Next</a></article></body></html>"
    )
    assert clean(page, url="https://x.test/read/a").next_page == "https://x.test/read/a?page=2"
    (tmp_path / "x.test.yaml").write_text(
        "version: 1\nmatch: {hosts: [x.test]}\nnext_page: a.nextpage\n"
    )
    rules = RuleSet.load([tmp_path])
    assert clean(page, url="https://x.test/read/a", rules=rules).next_page == (
        "https://x.test/read/a/2"
    )


def test_control_characters_from_entities_in_links_are_encoded():
    """An href whose entities decode to control characters cleans (encoded), not crashes."""
    page = (
        "<html><body><article>"
        f"<p>{PARAS[0]} <a href='mailto:a&#1;b@x.test'>mail</a> "
        "<a href='/x&#11;y'>link</a></p></article></body></html>"
    )
    r = clean(page, url="https://x.test/a")
    assert 'href="mailto:a%01b@x.test"' in r.content_html
    assert 'href="https://x.test/x%0By"' in r.content_html


def test_control_characters_from_entities_in_text_clean_when_an_element_goes():
    """Text holding "&#1;" around an element that is removed cleans (lxml refuses to set a
    text holding the control character the entity stands for; it was a ValueError): the
    character shows as U+FFFD, as a literal one does, and the words around it stay."""
    page = (
        "<html><body><article>"
        f"<p>{PARAS[0]} before&#1; <span class='ad'>Buy now</span> after&#x1f;.</p>"
        f"<p>{PARAS[1]}</p></article></body></html>"
    )
    r = clean(page, url="https://x.test/a")
    assert "before\ufffd after\ufffd." in r.text
    assert "Buy now" not in r.text


def test_control_character_reference_in_a_pre_block_cleans():
    """A ``<pre>`` whose text opens with a newline and holds "&#1;" cleans (dropping the
    newline set a text lxml refused before the character was scrubbed)."""
    page = (
        f"<html><body><article><p>{PARAS[0]}</p><p>{PARAS[1]}</p>"
        "<pre>\nx = 1&#1;\ny = 2</pre></article></body></html>"
    )
    r = clean(page, url="https://x.test/a")
    assert "x = 1\ufffd" in r.text


def test_a_canonical_link_python_cannot_parse_is_ignored():
    """A page's canonical link that does not parse ("http://[bad") is no base and no
    canonical URL (it was a ValueError when no URL was given)."""
    page = (
        "<html><head><link rel='canonical' href='http://[bad/story'>"
        "<meta property='og:url' content='https://[::1/x'></head><body><article>"
        f"<p>{PARAS[0]}</p><p>{PARAS[1]}</p></article></body></html>"
    )
    r = clean(page)
    assert r.canonical is None
    assert PARAS[0][:40] in r.text


def test_reading_document_shows_a_human_date_and_keeps_iso_in_datetime(result):
    """The byline line shows '27 Oct 2023, 17:33 (UTC+07:00)'; <time datetime> keeps ISO."""
    assert (
        '<time datetime="2023-10-27T17:33:00+07:00">27 Oct 2023, 17:33 (UTC+07:00)</time>'
        in result.html
    )


STREAMED_PARA = (
    "Index funds track a market index, so an investor owns a slice of every company in it "
    "and pays far lower fees than an actively managed fund would charge for the same job."
)


def test_streamed_react_content_replaces_its_loading_placeholders() -> None:
    """Streamed server rendering sends "Loading…" fallbacks first and the content later in
    hidden ``S:n`` divs (boundaries ``B:n`` and segments ``P:n``, ids in hex): the cleaned
    article is the content, in the placeholders' order."""
    html = (
        "<html><body><div class='article-body'>"
        '<template id="B:0"></template><div>Loading paragraph...</div>'
        '<!--$?--><template id="B:1"></template><div>Loading…</div><p>fallback</p><!--/$-->'
        '<div><template id="P:a"></template></div>'
        "</div>"
        f'<div hidden id="S:1"><p>Second. {STREAMED_PARA}</p></div>'
        f'<div hidden id="S:0"><p>First. {STREAMED_PARA}</p></div>'
        f'<div hidden id="S:a"><p>Third. {STREAMED_PARA}</p></div>'
        "</body></html>"
    )
    r = clean(html, url="https://example.test/a")
    assert "Loading" not in r.text
    assert "fallback" not in r.text
    first, second, third = (r.text.find(w) for w in ("First.", "Second.", "Third."))
    assert -1 < first < second < third


def test_a_streamed_placeholder_inside_its_own_content_is_left_alone() -> None:
    """Broken markup can put a segment's placeholder inside the hidden content it stands
    for: moving that content there would put an element inside itself (lxml raised
    ValueError out of clean: found by a fuzz run). The content is shown where it is."""
    html = (
        f'<html><body><div hidden id="S:1"><p>First. {STREAMED_PARA}</p>'
        f'<div><template id="P:1"></template></div><p>Second. {STREAMED_PARA}</p></div>'
        "</body></html>"
    )
    r = clean(html, url="https://example.test/a")
    assert -1 < r.text.find("First.") < r.text.find("Second.")


def test_long_select_list_is_not_kept_as_text() -> None:
    """A country <select> in a newsletter form has hundreds of options: none of them are
    article text, even though long forms are unwrapped (some sites wrap the page in one)."""
    options = "".join(f"<option value='c{i}'>Country number {i}</option>" for i in range(80))
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p><p>{STREAMED_PARA}</p></article>"
        f"<form><h3>Get news</h3><select name='country'>{options}</select></form>"
        "</body></html>",
        url="https://example.test/a",
    )
    assert "Country number" not in r.text
    assert r.text.count("Index funds track") == 2


def test_element_hidden_by_inline_style_goes_even_when_long() -> None:
    """A block the browser never shows (inline display:none / visibility:hidden) is removed
    however much of the page's text it holds."""
    hidden = "".join(f"<p>Hidden draft paragraph {i}. {STREAMED_PARA}</p>" for i in range(6))
    r = clean(
        f"<html><body><article><h1>Funds</h1><div style='visibility: hidden;'>{hidden}</div>"
        f"<div style='DISPLAY:none'><p>Also hidden. {STREAMED_PARA}</p></div>"
        f"<p>Shown. {STREAMED_PARA}</p><p>Shown too. {STREAMED_PARA}</p></article>"
        "</body></html>",
        url="https://example.test/a",
    )
    assert "Hidden draft" not in r.text
    assert "Shown. Index funds" in r.text


def test_element_with_the_hidden_attribute_goes_even_when_long() -> None:
    """A raw copy of the article kept in a ``hidden`` element (a markdown export for
    machines) is never shown by a browser: it goes even though it holds half the text."""
    copy = "\n\n".join(f"Copy paragraph {i}. {STREAMED_PARA}" for i in range(10))
    r = clean(
        f"<html><body><main><div class='post'><h1>Funds</h1><p>Shown. {STREAMED_PARA}</p>"
        f"<p>Shown too. {STREAMED_PARA}</p><p>And three. {STREAMED_PARA}</p>"
        f"<p>And four. {STREAMED_PARA}</p></div>"
        f"<pre hidden class='rawMarkdown'># Funds\n\n{copy}</pre></main></body></html>",
        url="https://example.test/a",
    )
    assert "Copy paragraph" not in r.text
    assert "Shown. Index funds" in r.text


def test_collapsed_accordion_panels_are_opened_other_hidden_blocks_still_go() -> None:
    """A FAQ answer in a panel its button collapses (``aria-expanded`` + ``aria-controls``,
    the panel ``aria-hidden`` or ``display:none``) is content the archive must not lose; an
    ``aria-hidden`` block no button controls is still removed."""
    r = clean(
        f"<html><body><article><h1>Funds</h1><p>{STREAMED_PARA}</p><p>{STREAMED_PARA}</p>"
        "<h2>FAQ</h2><button aria-expanded='false' aria-controls='faq-0'>What is an index "
        "fund?</button><div id='faq-0' aria-hidden='true' style='height:0;overflow:hidden'>"
        "<p>An index fund holds every stock of an index in its weights.</p></div>"
        "<button aria-expanded='false' aria-controls='faq-1 faq-x'>Are fees low?</button>"
        "<div id='faq-1' style='display: none;'><p>Fees are a tenth of an active fund's.</p>"
        "</div><div aria-hidden='true'><p>Decorative duplicate text.</p></div>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    assert "every stock of an index" in r.text
    assert "a tenth of an active fund" in r.text
    assert "Decorative duplicate" not in r.text


def test_panels_of_role_button_controls_open_even_where_ids_repeat() -> None:
    """An accordion whose headers are ``role="button"`` links without ``aria-expanded``
    (the panel ``display:none``, labelled by its header) opens too, in both copies of a page
    that renders the accordion twice with the same ids; a tab panel behind a plain
    ``<button>`` (a "Loading…" placeholder until a script fills it) stays hidden."""
    steps = "".join(
        f"<div class='accordion'><a role='button' aria-controls='step_{i}_content'>Step {i}"
        f"</a><div id='step_{i}_content' style='display:none;' role='region'>"
        f"<p>{{copy}} step {i}: {STREAMED_PARA}</p></div></div>"
        for i in range(2)
    )
    r = clean(
        f"<html><body><article><h1>Guide</h1><p>{STREAMED_PARA}</p>"
        + steps.format(copy="First copy")
        + steps.format(copy="Second copy")
        + "<button aria-controls='specs'>Specs</button>"
        "<div id='specs' hidden><p>Loading specifications for this model, please wait a "
        "moment while they arrive.</p></div></article></body></html>",
        url="https://example.test/a",
    )
    for copy in ("First copy", "Second copy"):
        for i in range(2):
            assert f"{copy} step {i}:" in r.text
    assert "Loading specifications" not in r.text


def test_disclosure_credit_and_rating_lines_are_removed() -> None:
    """Affiliate disclosures, photo-credit and editor lines, rating widgets and a dated span
    before the text are clutter; the caption and the article stay."""
    r = clean(
        "<html><body><article><div class='meta'><span class='date'>Selasa, 23/02/2016</span>"
        "</div><p>Products are chosen independently by our editors. Purchases made through "
        "our links may earn us a commission.</p>"
        "<figure><img src='https://img.example.test/a.jpg'><figcaption>Funds at work"
        "</figcaption></figure><p>Photo: Jo Smith/Agency</p>"
        f"<p>{STREAMED_PARA}</p><p>{STREAMED_PARA}</p>"
        "<table><tr><td>Editor</td><td>: Ervan Hardoko</td></tr></table>"
        "<div>Rate artikel ini</div><div>Like (0)</div><div>Dislike (3)</div>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    for clutter in ("Purchases made", "Jo Smith", "Ervan", "Rate artikel", "Like (0)", "23/02"):
        assert clutter not in r.text, clutter
    assert "Funds at work" in r.text
    assert r.text.count("Index funds track") == 2


def test_newsletter_and_comment_prompts_are_removed() -> None:
    """Sign-up boxes, their thank-you line and empty-comment prompts are clutter."""
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p><p>{STREAMED_PARA}</p>"
        "<div><h4>Subscribe to the State of Funds newsletter</h4><p>Sign up</p>"
        "<p>Thank you! Please check your inbox to confirm.</p></div>"
        "<div>Article Continues Below</div><p>Disclosure: As an Affiliate Marketer, I earn "
        "from qualifying purchases.</p><div>Be the first to comment</div>"
        f"<p>{STREAMED_PARA}</p></article></body></html>",
        url="https://example.test/a",
    )
    for clutter in (
        "Subscribe",
        "Sign up",
        "check your inbox",
        "Continues Below",
        "qualifying purchases",
        "first to comment",
    ):
        assert clutter not in r.text, clutter
    assert r.text.count("Index funds track") == 3


def _lines_go_prose_stays(lines: tuple[str, ...], prose: str) -> None:
    """Clean an article with each of ``lines`` as a paragraph of its own between prose:
    every line goes, the prose that mentions their words stays."""
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p>"
        + "".join(f"<p>{line}</p>" for line in lines)
        + f"<p>{prose}</p><p>{STREAMED_PARA}</p></article></body></html>",
        url="https://example.test/a",
    )
    _gone_and_kept(r.text, lines, prose)


def _gone_and_kept(text: str, gone: tuple[str, ...], kept: str) -> None:
    """Assert that none of ``gone`` is in an article's text, ``kept`` is, and so are both
    of its paragraphs of prose."""
    for clutter in gone:
        assert clutter not in text, clutter
    assert kept in text
    assert text.count("Index funds track") == 2


def test_calls_to_action_and_shopping_buttons_are_removed() -> None:
    """A line that only asks the reader to act (book a demo, start a trial, pin the post,
    share it, follow the site, get an e-book) or to buy (see the price at a shop) is the
    site's advertising; a sentence that mentions a demo or a price stays."""
    buttons = (
        "Book a demo",
        "Start your free trial",
        "Talk to our experts",
        "Get the FREE eBook!",
        "Pin this for later!",
        "See price at Amazon",
        "View on Amazon",
        "Like what you see? Share with a friend",
        "Share this post",
        "follow us on Instagram",
    )
    prose = (
        "We booked a demo of the tool and checked its price at the vendor's shop before "
        "writing this review, then shared our notes with a friend who follows the market."
    )
    _lines_go_prose_stays(buttons, prose)


def test_caption_toggles_reading_time_and_consent_lines_are_removed() -> None:
    """Player and caption controls, reading-time badges, profile links and the consent line
    under a sign-up form are clutter; a sentence that mentions minutes stays."""
    r = clean(
        f"<html><body><article><div>8 min read</div><p>{STREAMED_PARA}</p>"
        "<figure><img src='https://img.example.test/a.jpg'><figcaption>Funds at work"
        "</figcaption><span>Show Caption</span></figure><div>Listen to this article</div>"
        f"<p>{STREAMED_PARA}</p><p>It takes 8 min to read the prospectus, she said.</p>"
        "<div><a href='/p/jo'>View Full Profile</a></div>"
        "<p>By clicking Sign Me Up, you confirm you are 16+ and agree to our Terms of Use "
        "and Privacy Policy.</p></article></body></html>",
        url="https://example.test/a",
    )
    for clutter in ("8 min read", "Show Caption", "Listen to", "Full Profile", "Sign Me Up"):
        assert clutter not in r.text, clutter
    assert "Funds at work" in r.text
    assert "It takes 8 min to read the prospectus" in r.text
    assert r.text.count("Index funds track") == 2


def test_paragraphs_styled_with_a_font_size_class_are_not_font_size_controls() -> None:
    """WordPress block classes ("has-small-font-size") and utility classes ("font-size-14")
    style the article's text; only the controls themselves go."""
    r = clean(
        f"<html><body><article><div class='font-size'><a>A</a> <a>A</a> <a>A</a></div>"
        f"<p>{STREAMED_PARA}</p><p class='has-small-font-size'>Disclosure: our editors chose "
        "these funds on their own, and the fund managers had no say in this article.</p>"
        f"<p class='font-size-14'>{STREAMED_PARA}</p></article></body></html>",
        url="https://example.test/a",
    )
    assert "A A A" not in r.text
    assert "our editors chose these funds" in r.text
    assert r.text.count("Index funds track") == 2


def test_government_site_banner_and_skip_links_are_removed() -> None:
    """The "An official website of the United States government" banner of federal sites
    and skip links are site furniture."""
    r = clean(
        "<html><body><div><div class='usa-banner'><p>An official website of the United States "
        "government. Here's how you know: official websites use .gov, and secure .gov "
        "websites use HTTPS, a lock or https:// means you've safely connected.</p></div>"
        "<p><a class='skip-nav' href='#main'>Skip to main content</a></p>"
        f"<p>{STREAMED_PARA}</p><p>{STREAMED_PARA}</p></div></body></html>",
        url="https://www.example.gov/a",
    )
    assert "official website" not in r.text
    assert "Skip to main" not in r.text
    assert r.text.count("Index funds track") == 2
    # The defaults take them before the root is chosen (a banner must not win it).
    by_defaults = [x for x in r.removals if x.rule_id.startswith("_defaults")]
    assert any("government site banner" in x.reason for x in by_defaults)


def test_next_links_as_the_xpath_finds_them() -> None:
    """The walk finds the ``rel="next"`` links the XPath it replaces finds, in order."""
    from lxml import etree

    from cleaner.engine import _next_links
    from cleaner.parse import parse_text

    doc = parse_text(
        "<html><head><link rel='next' href='/2'><link rel=' prev\tnext\n' href='/3'>"
        "<link rel='nextpage' href='/4'><link rel='next'><link rel='NEXT' href='/5'>"
        "<link rel='a\u00a0next' href='/6'><link href='/7'></head><body>"
        "<link rel='x  next  y' href='/8'></body></html>"
    )
    xpath = etree.XPath(
        "//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]"
    )
    assert _next_links(doc) == xpath(doc)
    assert [e.get("href") for e in _next_links(doc)] == ["/2", "/3", "/8"]


def test_defaults_spare_an_article_whose_paragraphs_each_have_their_own_wrapper() -> None:
    """The defaults' guard finds the article's run of prose when the site wraps every short
    paragraph in a block of its own (no parent holds a run): a container whose class says
    "share" keeps the article, even on a page whose links outweigh it."""
    sentence = "Warga kota menyambut rencana taman baru itu dengan gembira sekali. "
    wrapped = "".join(f'<div class="para"><p>{sentence * 3}Bagian {i}.</p></div>' for i in range(6))
    teasers = "".join(
        f'<li><a href="/berita/{i}">Judul berita lain yang cukup panjang untuk dibaca, '
        f"tentang kota dan warganya, nomor {i}</a></li>"
        for i in range(40)
    )
    page = (
        "<html><head><title>Taman</title></head><body>"
        f'<div class="story share">{wrapped}</div>'
        f'<ul class="more-news">{teasers}</ul>'
        "</body></html>"
    )
    result = clean(page, url="https://example.com/taman")
    assert result.text.count("Warga kota menyambut") == 18
    assert "Bagian 5." in result.text


def test_headline_drops_the_site_name_the_title_keeps_it() -> None:
    """``title`` stays as the page's metadata says (Mozilla Readability keeps og:title
    whole); the headline the reading document shows drops a first or last segment naming
    the site (by og:site_name or the host), and cleaning that document keeps both."""
    paras = "".join(f"<p>{PARAS[0]} {i}</p>" for i in range(3))
    page = (
        "<html><head><meta property='og:title' content='How to Build a Terrarium | eHow'>"
        f"<meta property='og:site_name' content='eHow'></head><body><article>{paras}"
        "</article></body></html>"
    )
    r = clean(page, url="https://www.ehow.test/build-terrarium")
    assert r.title == "How to Build a Terrarium | eHow"
    assert r.headline == "How to Build a Terrarium"
    assert "<h1>How to Build a Terrarium</h1>" in r.html
    assert "<title>How to Build a Terrarium</title>" in r.html
    assert 'content="How to Build a Terrarium | eHow"' in r.html
    again = clean(r.html, url="https://www.ehow.test/build-terrarium")
    assert (again.title, again.headline) == (r.title, r.headline)
    by_host = clean(page.replace("| eHow", "- Example"), url="https://www.example.test/a")
    assert by_host.headline == "How to Build a Terrarium"
    other = clean(page.replace("| eHow", "- John C. Welch"), url="https://www.ehow.test/a")
    assert other.headline == "How to Build a Terrarium - John C. Welch"
    # Every segment naming the site goes, so cutting again changes nothing.
    twice = clean(
        page.replace("How to", "eHow | ehow.test - How to"), url="https://www.ehow.test/a"
    )
    assert twice.headline == "How to Build a Terrarium"
    assert clean(twice.html, url="https://www.ehow.test/a").headline == twice.headline


def test_headline_is_the_pages_own_heading_when_it_restates_the_title() -> None:
    """The page's ``<h1>`` is the headline when it says a version of the title (most of its
    words are the title's), as the reader saw it over the article: the document header
    shows it, and the body does not repeat it. A heading that is the site's name or a
    section's is no headline, and the title (without the site's name) stays it."""
    paras = "".join(f"<p>{PARAS[0]} {i}</p>" for i in range(3))

    def page(h1: str) -> str:
        return (
            "<html><head><title>Recent Trends in Photography | Acme</title>"
            "<meta property='og:site_name' content='Acme'></head><body>"
            f"<header><h1>Acme</h1></header><article><h1>{h1}</h1>{paras}</article>"
            "</body></html>"
        )

    r = clean(page("8 Recent Trends in Photography"), url="https://acme.test/trends")
    assert r.headline == "8 Recent Trends in Photography"
    assert r.title == "Recent Trends in Photography | Acme"
    assert "<h1>8 Recent Trends in Photography</h1>" in r.html
    assert "8 Recent Trends" not in r.text
    again = clean(r.html, url="https://acme.test/trends")
    assert (again.title, again.headline) == (r.title, r.headline)
    # Its own site name at the end is cut too.
    named = clean(page("8 Recent Trends in Photography – Acme"), url="https://acme.test/t")
    assert named.headline == "8 Recent Trends in Photography"
    # A section's heading over the article is not the headline.
    section = clean(page("Photography Blog"), url="https://acme.test/trends")
    assert section.headline == "Recent Trends in Photography"
    # Nor is one that shares only a number with it.
    numbered = page("Bagian 8").replace("Recent Trends in Photography", "Page 8")
    assert clean(numbered, url="https://acme.test/p").headline == "Page 8"


def test_text_breaks_lines_at_br_and_in_pre_only() -> None:
    """The plain text has a paragraph per block; a ``<br>`` breaks the line, and so does
    each line of a ``<pre>``, but the newlines with which the page's source wraps a
    paragraph are spaces, as a browser shows them."""
    r = clean(
        f"<html><body><article><p>{PARAS[0]}\nwrapped in the\nsource.</p>"
        f"<p>{PARAS[1]}<br>After a break.</p><pre>def f():\n    return 1</pre>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    assert f"{PARAS[0]} wrapped in the source." in r.text.split("\n\n")
    assert f"{PARAS[1]}\nAfter a break." in r.text.split("\n\n")
    assert "def f():\nreturn 1" in r.text.split("\n\n")


def test_text_keeps_a_line_whole_around_an_inline_image() -> None:
    """An image inside a line of text (an emoji, a formula's picture) is a space in it, not
    a paragraph break; an image between paragraphs, or at a paragraph's end, still parts
    them."""
    r = clean(
        f"<html><body><article><p>{PARAS[0]}</p><p>Warga senang <img src='/e/smile.png' "
        "alt=':)'> sekali hari ini.</p><p>Taman itu luas<img src='/e/tree.png'>dan hijau."
        f"</p><p>{PARAS[1]}</p><figure><img src='/img/taman.jpg'></figure>"
        f"<p>{PARAS[0]} Lagi.</p></article></body></html>",
        url="https://example.test/a",
    )
    paragraphs = r.text.split("\n\n")
    assert "Warga senang sekali hari ini." in paragraphs
    assert "Taman itu luas dan hijau." in paragraphs
    assert paragraphs[-2:] == [PARAS[1], f"{PARAS[0]} Lagi."]


def test_blocks_holding_only_invisible_characters_are_dropped() -> None:
    """A paragraph a page fills with a zero-width joiner or space as spacing shows nothing: it
    leaves neither the reading document nor the text, nor does the bare invisible text
    beside an image; an emoji sequence joined by one keeps its joiner."""
    family = "\U0001f468\u200d\U0001f469 Keluarga datang bersama."
    r = clean(
        f"<html><body><article><p>{PARAS[0]}</p><p>\u200d</p><div> \u200b </div>"
        f"<p><span>\ufeff</span></p><p><img src='/img/taman.jpg'>\u200b</p><p>{family}</p>"
        f"<p>{PARAS[1]}</p></article></body></html>",
        url="https://example.test/a",
    )
    assert r.text.split("\n\n") == [PARAS[0], family, PARAS[1]]
    assert "<p>\u200d</p>" not in r.content_html
    assert "\u200b </div>" not in r.content_html
    assert "taman.jpg" in r.content_html


def test_a_blank_rest_of_a_paragraph_split_by_a_figure_goes_on_the_first_clean() -> None:
    """A figure inside a paragraph splits it when the document is read back (HTML closes the
    paragraph before the figure); what is left after it, a zero-width space, is dealt with
    on the first clean, so cleaning the output again changes nothing."""
    page = (
        f"<html><body><article><p>{PARAS[0]}</p><p>Taman kota dibuka lagi.<figure>"
        "<img src='https://img.example.test/taman.jpg'><figcaption>Taman kota</figcaption>"
        f"</figure>\u200b</p><p>{PARAS[1]}</p></article></body></html>"
    )
    first = clean(page, url="https://example.test/a")
    again = clean(first.html, url="https://example.test/a")
    assert first.text.split("\n\n")[-2:] == ["Taman kota", PARAS[1]]
    assert again.content_html == first.content_html
    assert again.text == first.text


def _app_shell(body: object) -> str:
    """A page its scripts render: an empty app root, the article only in its JSON-LD."""
    # (As pages do, "</" is escaped: it would end the script.)
    ld = json.dumps(
        {
            "@context": "https://schema.org",
            "@type": "NewsArticle",
            "headline": "Harbour works",
            "articleBody": body,
        }
    ).replace("</", "<\\/")
    return (
        "<html><head><title>Harbour works</title>"
        f"<script type='application/ld+json'>{ld}</script></head>"
        "<body><div id='__next'><header><a href='/'>Home</a></header><div>Loading…</div>"
        "</div><script src='/app.js'></script></body></html>"
    )


def test_an_app_shell_takes_its_article_from_the_json_ld_body() -> None:
    """A page whose article its scripts render leaves its HTML nearly empty: the JSON-LD
    ``articleBody`` is then the article (a paragraph per line of text, or its markup, made
    safe like any article); a page whose own text is the article keeps it."""
    paras = [f"{PARAS[0]} Part {i}." for i in range(4)]
    r = clean(_app_shell("\n".join(paras)), url="https://example.test/news/harbour-works")
    assert r.text == "\n\n".join(paras)
    assert r.content_source == "json-ld"
    marked = clean(
        _app_shell("<script>alert(1)</script>".join(f"<p>{p}</p>" for p in paras)),
        url="https://example.test/news/harbour-works",
    )
    assert marked.text == "\n\n".join(paras)
    assert "<script" not in marked.content_html
    own = "".join(f"<p>{p}</p>" for p in paras)
    page = _app_shell("A short summary of the story.").replace("<div>Loading…</div>", own)
    kept = clean(page, url="https://example.test/news/harbour-works")
    assert kept.content_source == "generic"
    assert kept.text.endswith("\n\n".join(paras))
    assert "short summary" not in kept.text


@pytest.mark.parametrize(
    ("paras", "labels", "boxes", "prose"),
    [
        (
            "Der Hafen der Stadt wird in den kommenden drei Jahren ausgebaut, damit größere "
            "Schiffe anlegen können, wie die Verwaltung am Montag mitteilte.",
            ["Anzeige", "Lesen Sie auch: Neue Fähre nach Norden", "Kommentare (3)", "Teilen"],
            "<div class='werbung-box'>Jetzt sichern: 20 Prozent Rabatt auf alle Fahrräder</div>",
            "Wer den Plan teilen möchte, kann ihn im Rathaus einsehen.",
        ),
        (
            "Le port de la ville sera agrandi au cours des trois prochaines années afin "
            "d'accueillir de plus grands navires, a annoncé la mairie lundi matin.",
            [
                "Publicité",
                "À lire aussi : Un nouveau ferry vers le nord",
                "Commentaires",
                "Partager cet article",
            ],
            "<div class='bloc-publicite'>Offre du jour : 20 % sur tous les vélos</div>",
            "Les habitants peuvent partager leur avis à la mairie.",
        ),
        (
            "El puerto de la ciudad se ampliará en los próximos tres años para recibir "
            "barcos más grandes, anunció el ayuntamiento el lunes por la mañana.",
            [
                "Publicidad",
                "Lee también: Un nuevo ferry hacia el norte",
                "Comentarios (2)",
                "Compartir",
            ],
            "<div class='caja-publicidad'>Oferta del día: 20 % en todas las bicis</div>",
            "Los vecinos pueden compartir su opinión en el ayuntamiento.",
        ),
    ],
    ids=["de", "fr", "es"],
)
def test_labels_and_share_boxes_go_in_other_languages(
    paras: str, labels: list[str], boxes: str, prose: str
) -> None:
    """Ad labels, read-also links, comment headings and share buttons are clutter in
    German, French and Spanish as in English and Indonesian, by their words, and so are
    ad boxes by their class names; a sentence that uses the same verb stays."""
    body = "".join(f"<p>{paras} ({i})</p>" for i in range(4))
    r = clean(
        f"<html><body><article><div>{labels[0]}</div><p>{paras}</p>{boxes}"
        f"<p>{labels[1]}</p><p>{prose}</p>{body}<h3>{labels[2]}</h3><div>{labels[3]}</div>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    for clutter in [*labels, "20 %", "20 Prozent"]:
        assert clutter not in r.text, clutter
    assert prose in r.text
    assert r.text.count(paras) == 5


def test_an_amp_page_keeps_its_images_and_loses_its_ad_slots() -> None:
    """An AMP page (the mobile copy many news sites serve) shows its images as
    ``<amp-img>``, with a fallback or placeholder inside: each is the one image it stands
    for, resolved like any other; its ad slots and trackers are never content."""
    r = clean(
        f"<html amp><body><article><h1>Judul</h1><p>{PARAS[0]}</p>"
        "<amp-img src='https://img.example.test/a.jpg' width='800' height='450' "
        "layout='responsive' alt='Taman kota'></amp-img>"
        f"<p>{PARAS[1]}</p><figure><amp-img src='/b.webp' width='800' height='450' "
        "layout='responsive' alt='Alun-alun'><amp-img fallback src='/b.jpg' width='800' "
        "height='450'></amp-img><noscript><img src='/b-old.jpg'></noscript></amp-img>"
        "<figcaption>Foto alun-alun</figcaption></figure>"
        "<amp-ad width='300' height='250' type='doubleclick' data-slot='/1/x'>"
        "<div fallback>Slot kosong</div></amp-ad>"
        "<amp-analytics type='gtag'></amp-analytics>"
        f"<p>{PARAS[0]} Lagi.</p></article></body></html>",
        url="https://m.example.test/amp/berita/2024/01/01/judul-berita",
    )
    assert r.images == ["https://img.example.test/a.jpg", "https://m.example.test/b.webp"]
    assert '<img src="https://m.example.test/b.webp" width="800" height="450" alt="Alun-alun">' in (
        r.content_html
    )
    assert "b.jpg" not in r.html and "b-old" not in r.html
    assert "Slot kosong" not in r.text
    assert "<amp-ad>" in [s for x in r.removals for s in x.samples]


def test_a_placeholder_with_an_attribute_lxml_cannot_name_gives_way_to_its_noscript_image():
    """A lazy image's placeholder carrying an attribute named ``{`` (libxml2 reads it, lxml
    takes it for a namespace and raised ValueError when it was copied) still gives way to
    the real image in its ``<noscript>``; that attribute is left behind."""
    r = clean(
        f"<html><body><article><p>{PARAS[0]}</p><figure><img {{='1' alt='Taman' "
        "src='data:image/gif;base64,R0lGODlhAQABAAAAACw='><noscript><img "
        "src='https://img.example.test/taman.jpg'></noscript></figure>"
        f"<p>{PARAS[1]}</p></article></body></html>",
        url="https://example.test/berita/2024/01/01/taman",
    )
    assert r.images == ["https://img.example.test/taman.jpg"]


def test_an_attribute_lxml_cannot_name_holding_a_control_reference_cleans() -> None:
    """An attribute named ``{`` whose value holds "&#1;" is left to the allow-list when
    control characters are scrubbed, and a rule stripping every attribute skips it (each
    raised ValueError)."""
    from cleaner.actions import Recorder, strip_attrs
    from cleaner.parse import parse_text

    r = clean(
        f"<html><body><article><p>{PARAS[0]}</p><p {{='a&#1;b'>{PARAS[1]}</p>"
        "</article></body></html>",
        url="https://x.test/a",
    )
    assert PARAS[1][:40] in r.text
    doc = parse_text("<p {='1' data-x='2'>x</p>")
    assert strip_attrs(doc, ("*",), Recorder(), "r") == 1
    assert doc.find(".//p").get("data-x") is None


def test_a_lazy_images_real_source_in_noscript_replaces_its_placeholder() -> None:
    """Lazy loaders show a placeholder (a blank GIF, a ``data:`` URI) and put the image
    itself in a ``<noscript>`` after it: that image takes the placeholder's place (keeping
    its ``alt``, and a blurred preview of the same file beside it goes), or the
    ``<noscript>``'s when nothing comes before it. A placeholder whose lazy attribute names
    the real image keeps it."""
    r = clean(
        f"<html><body><article><p>{PARAS[0]}</p><figure><img alt='Taman' "
        "src='data:image/gif;base64,R0lGODlhAQABAAAAACw='><noscript><img "
        "src='https://img.example.test/taman.jpg'></noscript><figcaption>Taman kota"
        f"</figcaption></figure><p>{PARAS[1]}</p><div class='photo'><span><img "
        "src='/img/placeholder.png'></span><noscript><img src='/img/pasar.jpg'></noscript>"
        f"</div><p>{PARAS[0]} Lagi.</p><img src='/img/blank.gif' data-src='/img/full.jpg'>"
        "<noscript><img src='/img/small.jpg'></noscript><noscript><img src='/img/solo.jpg' "
        f"alt='Solo'></noscript><p>{PARAS[1]} Lagi.</p><figure><div><div><img "
        "src='/max/60/1*kota.png?q=20'></div><img width='800'><noscript><img "
        "src='/max/800/1*kota.png'></noscript></div></figure><p>{PARAS[0]} Akhir.</p>"
        "</article></body></html>",
        url="https://example.test/berita/2024/01/01/taman",
    )
    assert r.images == [
        "https://img.example.test/taman.jpg",
        "https://example.test/img/pasar.jpg",
        "https://example.test/img/full.jpg",
        "https://example.test/img/solo.jpg",
        "https://example.test/max/800/1*kota.png",
    ]
    assert '<img src="https://img.example.test/taman.jpg" alt="Taman">' in r.content_html


def test_pop_ups_and_paywall_offers_are_removed() -> None:
    """A pop-up's or modal's box and a paywall's offer of plans are no part of the article,
    even inside it; a link that opens a pop-up (a footnote, a glossary term) stays."""
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p>"
        "<div class='restricted-content-breaker'><div class='card'><p>Monthly</p>"
        "<p>$39/month Get Started</p><p>Totals $468 per year</p></div></div>"
        "<div class='popup_ai_pb'><h3>What's Included</h3><ul><li>Exclusive Stories</li>"
        "<li>Ad-lite Experience</li></ul></div>"
        "<div class='modal fade'><p>Before you leave, book a free consultation today.</p></div>"
        "<div role='dialog' aria-label='Location'><p>Your location is set to Bulgaria.</p></div>"
        f"<p>{STREAMED_PARA} Read the <a class='popup' href='#n1'>fund's footnote</a>.</p>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    _gone_and_kept(
        r.text,
        ("Get Started", "$468", "What's Included", "Ad-lite", "Before you leave", "location is"),
        "fund's footnote",
    )


def test_post_view_counters_are_removed() -> None:
    """A plugin's "(Visited 1,902 times, 364 visits today)" is a counter, not the article's;
    a sentence about visits stays."""
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p>"
        "<div class='tptn_counter'>(Visited 1,902 times, 364 visits today)</div>"
        "<p>Viewed 300 times by the panel, the fund's report was visited again in May.</p>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    assert "Visited 1,902" not in r.text
    assert "Viewed 300 times by the panel" in r.text


def test_call_to_action_boxes_tooltips_and_desktop_hidden_copies_are_removed() -> None:
    """A block whose class names it a call to action ("cta", "blog-cta-card"), a tooltip's
    bubble (hidden until hovered) and a copy a desktop screen hides ("md:hidden", the
    mobile layout's) go; the sentence a tooltip explains and a word merely containing
    "cta" in its class ("dictation") stay."""
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p>"
        "<div class='blog-cta-card'><h3>Want predictable growth?</h3><p>We help brands turn "
        "search into revenue. Will yours be next?</p></div>"
        "<p class='dictation'>The fund's <span class='term'>expense ratio<span "
        "class='tooltip-content'>Yearly fee as a share of assets</span></span> is low.</p>"
        "<span role='tooltip'>Copy link</span>"
        "<div class='md:hidden'><p>Index funds track a market index (mobile summary).</p></div>"
        f"<p>{STREAMED_PARA}</p></article></body></html>",
        url="https://example.test/a",
    )
    _gone_and_kept(
        r.text,
        ("predictable growth", "Will yours be next", "Yearly fee", "Copy link", "mobile summary"),
        "The fund's expense ratio is low.",
    )


def test_contents_titles_credit_lines_and_price_buttons_are_removed() -> None:
    """A table of contents' title, "Written by" and "Reviewed by" lines and date lines (the
    header shows the byline and date), a like button's "Like Loading…", "Check Price at
    REI", "Get a Quote (212) 555-0100", a download's thank-you, an affiliate notice, a
    pager's "Page 1 of 8" and a comment prompt go; prose mentioning the same words stays."""
    lines = (
        "Table of Contents",
        "Jump to:",
        "Written by Jo Lima",
        "Reviewed By: Ana Ruiz, CPA",
        "Like Loading…",
        "Check Price at REI",
        "Get a Quote (212) 555-0100",
        "Thank you for downloading our free template",
        "This post contains affiliate links. Click here to read my full disclosure.",
        "Published: Nov 24, 2025",
        "Last updated on June 2, 2025",
        "Page 1 of 8",
        "Add A Comment",
    )
    prose = (
        "Written by hand, the fund's table of contents was reviewed by two auditors, who "
        "checked the price at REI and got a quote from the broker. Published in 2019, it "
        "was last updated on page 1 of 8."
    )
    _lines_go_prose_stays(lines, prose)


def test_legal_notices_affiliate_notes_and_form_consents_are_removed() -> None:
    """Notices a site puts under every post (advice disclaimers, "views are the authors'
    own", trademark notices, a long copyright line, affiliate notes in the first person,
    a deal's "pricing subject to change", a stale post's age warning), a newsletter's
    "view it in your browser" and a contact form's consent line go; an article that
    discusses advice, trademarks or consent in its own words stays."""
    lines = (
        "The content of this post is for informational purposes only and is not meant to "
        "constitute legal, tax or investment advice. Please consult a professional.",
        "Acme Advisers do not provide tax or legal advice. This material has been prepared "
        "for informational purposes only, and is not intended to provide such advice.",
        "The views expressed by the authors of this blog are their own and do not "
        "necessarily reflect the views of the Example Network Centre.",
        "G702® and G703® are registered trademarks of The Example Institute of Architects.",
        "Copyright © 2023 Example Radio. All rights reserved. Visit our website terms of use "
        "and permissions pages for further information about the use of this transcript.",
        "Disclaimer: I review independently. If you buy through affiliate links, I may earn "
        "commissions that help support my testing at no extra cost to you.",
        "Disclosure: some of my posts contain affiliate links. If you purchase something "
        "through one of those links I may receive a small commission, so thank you for "
        "supporting the blog when you shop! All of the opinions are my own and I only "
        "suggest products that I actually use at home.",
        "Terms of submitting this form: I agree that Example University may contact me "
        "regarding educational services via email, telephone or text message.",
        "By clicking Get Started below, I consent to receive marketing e-mails and calls.",
        "Deal pricing and availability subject to change after time of publication.",
        "This post is over 3 years old. I've probably changed my mind since it was written.",
        "Is this email not displaying correctly?View it in your browser.",
    )
    prose = (
        "Advisers told the court that the views expressed in the filing were informational, "
        "that the trademarks were registered in 2011, and that no client had agreed to be "
        "contacted by telephone."
    )
    _lines_go_prose_stays(lines, prose)


def _cf_encode(address: str, key: int = 0x42) -> str:
    """An address as Cloudflare's e-mail protection encodes it."""
    return f"{key:02x}" + "".join(f"{b ^ key:02x}" for b in address.encode("utf-8"))


def test_addresses_hidden_by_cloudflare_email_protection_are_shown() -> None:
    """The reading document runs no script, so an address Cloudflare serves as "[email
    protected]" (encoded in data-cfemail) comes back as text, and a link to its decoder
    becomes a mailto: link; a malformed code leaves the placeholder as it was."""
    r = clean(
        f"<html><body><article><p>{STREAMED_PARA}</p><p>(Send your questions to <a "
        f"href='/cdn-cgi/l/email-protection' class='__cf_email__' data-cfemail="
        f"'{_cf_encode('tanya@contoh.test')}'>[email&#160;protected]</a>. Replies vary.)</p>"
        "<p>Readers who would rather not wait for the weekly column can also "
        f"<a href='/cdn-cgi/l/email-protection#{_cf_encode('desk@contoh.test')}'>write "
        "to the desk</a>, or to <a href='/cdn-cgi/l/email-protection#zz'><span "
        "class='__cf_email__' data-cfemail='zz'>[email&#160;protected]</span></a>.</p>"
        f"<p>{STREAMED_PARA}</p></article></body></html>",
        url="https://contoh.test/a",
    )
    assert "(Send your questions to tanya@contoh.test. Replies vary.)" in r.text
    assert 'href="mailto:desk@contoh.test"' in r.content_html
    assert "or to [email protected]." in r.text
    assert 'href="https://contoh.test/cdn-cgi/l/email-protection#zz"' in r.content_html
