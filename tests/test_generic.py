"""Generic content detection: one-pass text measures, root choice and pruning."""

from __future__ import annotations

import pytest
from lxml import etree

from cleaner import CleanResult, clean, generic, measure
from cleaner.actions import Recorder
from cleaner.fastcss import Matcher
from cleaner.parse import parse_text
from cleaner.selectors import make_selector

PROSE = (
    "The council voted on Tuesday to extend the library's opening hours, citing demand from "
    "students, shift workers and families, and it will review the budget again in spring."
)


def _doc(body: str) -> etree._Element:
    """Parse a page with ``body`` inside <body>."""
    return parse_text(f"<html><head><title>Library hours</title></head><body>{body}</body></html>")


def test_stats_measure_text_links_and_prose_in_one_pass() -> None:
    """Stats gives each element its text length, link length and prose length."""
    doc = _doc(f'<div id="d"><p>{PROSE}</p><p><a href="/x">A link of some length</a></p></div>')
    div = doc.find(".//div")
    stats = measure.Stats(doc)
    assert stats.text[div] == len(PROSE) + len("A link of some length")
    assert stats.links[div] == len("A link of some length")
    assert stats.good[div] == len(PROSE)


def test_stats_do_not_count_boilerplate_class_text_as_prose() -> None:
    """Text inside a block whose class names boilerplate is noise, not prose."""
    doc = _doc(f'<div><div class="sidebar-widget"><p>{PROSE}</p></div></div>')
    outer = doc.find(".//div")
    stats = measure.Stats(doc)
    assert stats.good[outer] == 0
    assert stats.noise[outer] == len(PROSE)


def test_article_split_across_sibling_containers_is_found_whole() -> None:
    """When the text sits in several sibling blocks, the root is their common parent."""
    parts = "".join(
        f'<div class="entry-part"><h2>Part {i}</h2><p>{PROSE}</p></div>' for i in range(4)
    )
    r = clean(
        f"<html><body><main>{parts}</main><div class='menu'><a href='/'>Home</a></div>"
        "</body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 4
    assert "Part 3" in r.text


def test_link_list_beside_the_article_is_left_out() -> None:
    """A block of links next to the article does not join the chosen root."""
    links = "".join(f'<li><a href="/n{i}">Other headline number {i}</a></li>' for i in range(12))
    r = clean(
        f"<html><body><div><div class='story'><p>{PROSE}</p><p>{PROSE}</p></div>"
        f"<div class='list'><ul>{links}</ul></div></div></body></html>",
        url="https://example.test/a",
    )
    assert "Other headline" not in r.text
    assert "The council voted" in r.text


def test_teasers_with_summaries_beside_the_article_do_not_widen_the_root() -> None:
    """Teasers whose summaries are prose but whose linked titles are a third of their text
    do not pay for the wider root: each character of link costs three of prose."""
    teasers = "".join(
        f'<p><a href="/story-{i}">Another story from the newsroom, number {i}</a> '
        "A summary of that other story in one sentence, long enough to read as prose, and more."
        "</p>"
        for i in range(6)
    )
    r = clean(
        f"<html><body><div><div class='story'><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p>"
        f"</div><div class='also'>{teasers}</div></div></body></html>",
        url="https://example.test/2025/11/library-hours-extended",
    )
    assert r.text.count("The council voted") == 3
    assert "Another story" not in r.text
    assert "A summary of that other story" not in r.text


def _authored(end: str) -> CleanResult:
    """Clean an article by Rebecca Norris (her byline in the page's metadata) with ``end``
    after its last paragraph."""
    return clean(
        '<html><head><meta name="author" content="Rebecca Norris"></head><body><main>'
        f"<div class='body'><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p>{end}</div>"
        "</main></body></html>",
        url="https://example.test/2025/11/library-hours-extended",
    )


def test_author_card_after_the_article_is_cut() -> None:
    """The author's card after the article (her name linked to her page, a job title, a
    bio) goes: the byline is in the header."""
    r = _authored(
        "<div class='css-1x'><div class='css-2y'><span><a href='/author/215/rebecca-norris/'>"
        "<span>Rebecca Norris</span></a></span><div>Contributing Writer</div></div>"
        "<p>Rebecca writes about libraries, budgets and the people who keep both open.</p>"
        "</div>"
    )
    assert r.byline == "Rebecca Norris"
    assert "Contributing Writer" not in r.text
    assert "Rebecca writes about" not in r.text
    assert r.text.count("The council voted") == 3
    assert any(x.selector == "author card" for x in r.removals)


def test_author_name_inside_a_sentence_after_the_article_stays() -> None:
    """A closing line that links the author's name in a sentence is the article's, not a
    card."""
    r = _authored(
        "<div class='note'><p>Questions about the library? Write to "
        "<a href='/author/215/rebecca-norris/'>Rebecca Norris</a> at the desk.</p></div>"
    )
    assert "Questions about the library? Write to Rebecca Norris at the desk." in r.text


def test_thumbnail_teaser_inside_the_article_is_pruned() -> None:
    """A link-dense block whose only images are inside its links is a teaser."""
    teaser = "".join(
        f'<div class="item"><a href="/t{i}"><img src="/t{i}.jpg">Teaser title {i} here</a></div>'
        for i in range(3)
    )
    r = clean(
        f"<html><body><article><p>{PROSE}</p><p>{PROSE}</p>{teaser}</article></body></html>",
        url="https://example.test/a",
    )
    assert "Teaser title" not in r.text


def test_figure_with_caption_inside_the_article_is_kept() -> None:
    """Figures and their captions stay in the article."""
    r = clean(
        f"<html><body><article><p>{PROSE}</p><figure><img src='/a.jpg'>"
        f"<figcaption>The reading room at night</figcaption></figure><p>{PROSE}</p>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    assert "The reading room at night" in r.text


def test_page_builder_class_names_are_not_boilerplate() -> None:
    """Page-builder class names (Elementor, HubSpot, SiteOrigin …) do not make a block look
    like a sidebar widget."""
    el = etree.fromstring('<div class="elementor-widget elementor-widget-text-editor"/>')
    assert measure.class_weight(el) == 0
    hubspot = '<div class="span12 widget-span widget-type-custom_widget"/>'
    assert measure.class_weight(etree.fromstring(hubspot)) == 0
    siteorigin = '<div class="so-panel widget widget_sow-editor"/>'
    assert measure.class_weight(etree.fromstring(siteorigin)) == 0
    assert measure.class_weight(etree.fromstring('<div class="widget"/>')) < 0
    assert measure.class_weight(etree.fromstring('<div class="sidebar-widget"/>')) < 0


def test_home_page_of_links_gives_a_short_result() -> None:
    """A page that is only lists of links yields little text, not a wall of links."""
    links = "".join(
        f'<li><a href="/n{i}">Headline number {i} of the day</a></li>' for i in range(40)
    )
    r = clean(f"<html><body><div><ul>{links}</ul></div></body></html>", url="https://example.test/")
    assert len(r.text) < 200


def test_menu_whose_item_descriptions_go_is_measured_again_and_goes() -> None:
    """A mega-menu whose items each carry a line of description is not link-dense as
    measured; pruning takes the descriptions (their class names a menu) and leaves bare
    links. A page with nothing else (here an article's address whose article scripts
    would render) must not come out as that wall of links: what is left is measured
    again."""
    panels = "".join(
        f"<div id='mm-{s}' class='mm-panel'><ul class='mm-listview'>"
        + "".join(
            f"<li class='mm-listitem'><a class='mm-listitem__text' href='/s{s}/p{i}'>"
            f"Section {s} page {i}</a><div class='mobile-menu-item-description'>"
            f"Everything members need to know about topic {s}.{i}, with guides.</div></li>"
            for i in range(8)
        )
        + "</ul></div>"
        for s in range(6)
    )
    r = clean(
        f"<html><body><div>{panels}</div></body></html>",
        url="https://example.test/news/2026-housing-outlook-what-economists-are-watching",
    )
    assert "Section" not in r.text
    assert len(r.text) < 200


def test_layout_table_cell_of_links_goes_data_and_line_number_cells_stay() -> None:
    """An old blog's layout table puts its sidebar in a cell: a tag cloud of links after a
    "Search" and an "Archive" label. On a page with no article that cell is a wall of links
    and goes; a data table whose cells each link one name stays, and so does a code
    listing's cell of line numbers (links to its own lines)."""
    tags = " ".join(f"<a href='/tags/t{i}/'>topic {i}</a>" for i in range(60))
    r = clean(
        "<html><body><table><tr><td><img src='/logo.png' alt=''></td>"
        f"<td>Search <form><input name='q'></form> Archive {tags}</td></tr></table>"
        "</body></html>",
        url="https://blog.example.test/archive/2025/12/",
    )
    assert "topic" not in r.text
    assert len(r.text) < 100
    rows = "".join(
        f"<tr><td><a href='/people/{i}'>Member {i}</a></td><td>Joined in {2000 + i}, "
        f"serves on the board of the {i}th district and chairs its finance committee.</td></tr>"
        for i in range(12)
    )
    lines = "".join(f"<a href='#hl-0-{i}'>{i}</a>\n" for i in range(1, 15))
    code = "".join(f"value_{i} = compute({i})\n" for i in range(1, 15))
    r = clean(
        f"<html><body><article><p>{PROSE}</p><table>{rows}</table><p>{PROSE}</p>"
        f"<table><tr><td><pre>{lines}</pre></td><td><pre>{code}</pre></td></tr></table>"
        "</article></body></html>",
        url="https://example.test/a",
    )
    assert "Member 11" in r.text
    assert "\n14\n" in r.text


def test_prune_records_each_removal_once() -> None:
    """A removed block's descendants are not recorded again as separate removals."""
    doc = _doc(
        f'<article><p>{PROSE}</p><div class="share-tools"><span>Share</span></div></article>'
    )
    root = doc.find(".//article")
    rec = Recorder()
    generic.prune(root, rec)
    samples = [s for r in rec.removals() for s in r.samples]
    assert samples == ["Share"]


def test_one_walk_matcher_agrees_with_xpath() -> None:
    """The one-walk matcher finds the same elements, in order, as each selector's XPath."""
    sels = [
        make_selector("css", "[class~='ad'], [id^='ad-'], ins.x, #top, [hidden], body > footer"),
        make_selector("css", "[class*='share'], [class$='-box'], [data-role='nav'], nav"),
        make_selector("xpath", "//p[@class='x']"),
    ]
    doc = _doc(
        "<div class='ad big' id='ad-1'><ins class='x'>i</ins><p class='x' hidden>p</p></div>"
        "<nav id='top' class='share-box'>n</nav><div data-role='nav'>d</div><footer>f</footer>"
    )
    assert Matcher(sels).select_all(doc) == [s.select(doc) for s in sels]


COMMENT = (
    "I tried this last spring and the results were mixed at best, mostly because the weather "
    "turned cold again right after I planted everything out in the garden beds."
)


def test_reader_comments_are_removed_however_long() -> None:
    """A comment section goes even when it holds more prose than the article."""
    comments = "".join(
        f'<li class="comment"><div class="comment-content"><p>{COMMENT} #{i}</p></div></li>'
        for i in range(12)
    )
    r = clean(
        f"<html><body><main><article><h1>Library hours</h1><p>{PROSE}</p><p>{PROSE}</p>"
        f'</article><div class="entry-comments" id="comments"><h2>12 Comments</h2>'
        f'<ol class="comment-list">{comments}</ol></div></main></body></html>',
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 2
    assert "I tried this last spring" not in r.text
    assert "12 Comments" not in r.text


def test_comment_section_is_never_chosen_as_the_article() -> None:
    """Paragraphs inside a comment section do not vote for the article root."""
    comments = "".join(f'<div class="comment-body"><p>{COMMENT}</p></div>' for i in range(20))
    r = clean(
        f"<html><body><div class='post'><p>{PROSE}</p></div>"
        f"<div id='comments'>{comments}</div></body></html>",
        url="https://example.test/a",
    )
    assert "The council voted" in r.text
    assert "I tried this last spring" not in r.text


def test_share_wrapper_left_open_around_the_article_keeps_it() -> None:
    """Broken markup can leave a share bar's <div> open around the article: the defaults'
    share selector must not take the article with it, even when teaser lists outweigh it."""
    teasers = "".join(
        f"<div class='teaser'><a href='/t{i}'>Teaser headline {i}</a><p>A teaser summary "
        f"that runs for a while so that it looks like a sentence of prose, number {i}.</p></div>"
        for i in range(30)
    )
    r = clean(
        "<html><body><div class='detail'><div class='author-and-share'>"
        "<a href='/s'>Share on Facebook</a>"
        f"<div class='body-text'><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div></div></div>"
        f"<div class='more'>{teasers}</div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 3


def test_what_follows_a_trailer_heading_after_the_article_is_cut() -> None:
    """After the article's paragraphs, a "Related posts" heading and everything after it go,
    even when the teasers and the bio after it carry prose of their own."""
    teasers = "".join(
        f"<div class='card'><h4><a href='/p{i}'>Another post {i}</a></h4><p>{COMMENT}</p>"
        f"<p>{COMMENT}</p></div>"
        for i in range(4)
    )
    r = clean(
        f"<html><body><div class='wrap'><div class='entry'><p>{PROSE}</p><p>{PROSE}</p>"
        f"<p>{PROSE}</p></div><h3>About the author</h3><p>Jo writes about towns.</p>"
        f"<h3>You might also like</h3><div class='grid'>{teasers}</div></div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 3
    assert "Another post" not in r.text
    assert "I tried this last spring" not in r.text
    assert "About the author" not in r.text


def test_trailer_heading_is_found_when_each_paragraph_has_a_wrapper_of_its_own() -> None:
    """Some sites wrap every paragraph in a block of its own (no parent holds a run of
    prose): the article's run is then counted on the blocks' parent, and what follows its
    "How we reviewed this article" heading still goes."""
    paras = "".join(f"<div class='css-p{i}'><p>{PROSE} Part {i}.</p></div>" for i in range(5))
    refs = "".join(
        f"<li>Author {i} et al. (2021). A study of plant-based diets number {i}.</li>"
        for i in range(6)
    )
    r = clean(
        f"<html><body><div class='wrap'><div class='body'>{paras}"
        f"<div class='css-t'><h3>How we reviewed this article:</h3><ul>{refs}</ul></div>"
        "</div></div></body></html>",
        url="https://example.test/a",
    )
    assert "Part 4." in r.text
    assert "How we reviewed" not in r.text
    assert "plant-based diets number" not in r.text


def test_trailer_heading_before_most_of_the_article_cuts_nothing() -> None:
    """A "Related" heading early in the article does not end it."""
    r = clean(
        f"<html><body><div class='entry'><p>{PROSE}</p><h3>Related</h3>"
        f"<p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 4


def test_inline_related_link_inside_the_article_is_not_its_end() -> None:
    """ "<p><b>Related:</b> <a>…</a></p>" late in an article is a link, not a trailer."""
    r = clean(
        f"<html><body><div class='entry'><p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p>"
        "<p><b>Related:</b> <a href='/x'>Library budget approved</a></p>"
        f"<p>Closing. {PROSE}</p></div></body></html>",
        url="https://example.test/a",
    )
    assert "Closing. The council voted" in r.text


def test_span_heading_over_a_list_ends_the_article() -> None:
    """An inline "BERITA LAINNYA" label over a rule and a list of teasers is a heading."""
    items = "".join(
        f"<li><a href='/b{i}'>Berita lain nomor {i}</a><p>{COMMENT}</p></li>" for i in range(6)
    )
    r = clean(
        f"<html><body><div class='wrap'><div class='isi'><p>{PROSE}</p><p>{PROSE}</p>"
        f"<p>{PROSE}</p></div><div class='more-news'><span>BERITA LAINNYA</span><hr>"
        f"<ul>{items}</ul></div>"
        "</div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 3
    assert "Berita lain" not in r.text


def test_byline_date_and_title_lines_before_the_first_paragraph_go() -> None:
    """The reading document's header shows title, byline and date: the same lines before the
    article's first paragraph are dropped, a date-like line inside the article is not."""
    r = clean(
        "<html><head><title>Library hours extended | Town News</title>"
        '<meta name="author" content="Jo Smith"></head><body><div class="post">'
        "<h1>Library hours extended</h1><div class='x1'>By Jo Smith</div>"
        "<div class='x2'>Updated March 3, 2025</div><div class='x3'>5 min read</div>"
        f"<p>{PROSE}</p><p>{PROSE}</p><div class='x4'>March 3, 2025</div><p>{PROSE}</p>"
        "</div></body></html>",
        url="https://example.test/a",
    )
    assert r.title == "Library hours extended | Town News"
    assert r.byline == "Jo Smith"
    assert "By Jo Smith" not in r.text
    assert "Updated March" not in r.text
    assert "min read" not in r.text
    assert "Library hours extended" not in r.text
    assert r.text.count("March 3, 2025") == 1
    assert r.text.count("The council voted") == 3


def test_weekday_dateline_and_a_loose_inline_byline_before_the_article_go() -> None:
    """Indonesian sites open with "Selasa, 23/02/2016 15:32 WIB" in a block, or with the
    author and date in a bare <span> straight in the article: both are header lines."""
    r = clean(
        "<html><head><title>Gardu induk</title>"
        '<meta name="author" content="Vania Ika Aldida"></head><body><div class="post">'
        "<span><b>Vania Ika Aldida</b> | Jum'at, 17 Februari 2017 - 13:30 wib</span>"
        "<div>Selasa, 23/02/2016 15:32 WIB</div>"
        f"<p>{PROSE}</p><p>{PROSE}</p><p>{PROSE}</p></div></body></html>",
        url="https://example.test/a",
    )
    assert "Vania Ika Aldida" not in r.text
    assert "23/02/2016" not in r.text
    assert r.text.count("The council voted") == 3


def test_schema_org_article_body_is_the_root() -> None:
    """A page that marks its article body with microdata gets that element as the root,
    even when a photo gallery elsewhere holds more text."""
    captions = "".join(f"<li><h2>Photo {i}</h2><p>{COMMENT}</p></li>" for i in range(10))
    r = clean(
        f"<html><body><div class='gallery'><ul>{captions}</ul></div>"
        f"<div class='text-wrapper' itemprop='articleBody'><p>{PROSE}</p><p>{PROSE}</p>"
        f"<p>{PROSE}</p></div></body></html>",
        url="https://example.test/a",
    )
    assert r.content_source == "generic"
    assert r.text.count("The council voted") == 3
    assert "I tried this last spring" not in r.text


def _gallery(n: int) -> str:
    """A slideshow widget of ``n`` captioned photos."""
    slides = "".join(
        f"<li><img src='https://img.example.test/{i}.jpg'><p>Slide {i}: {COMMENT}</p></li>"
        for i in range(n)
    )
    return f"<div class='full-gallery'><ul class='legends'>{slides}</ul></div>"


def test_slideshow_inside_an_article_is_pruned() -> None:
    """A gallery widget holding more text than the article around it is still left out."""
    r = clean(
        f"<html><body><div class='entry'><p>{PROSE}</p>{_gallery(12)}<p>{PROSE}</p>"
        f"<p>{PROSE}</p><p>{PROSE}</p></div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 4
    assert "Slide 3" not in r.text


def test_photo_story_made_of_a_gallery_keeps_it() -> None:
    """When the gallery is all the page says, it is the article."""
    r = clean(
        f"<html><body><div class='entry'><h1>Grammy night</h1>{_gallery(6)}</div></body></html>",
        url="https://example.test/a",
    )
    assert "Slide 3" in r.text


def test_class_vocabularies_are_written_in_lower_case() -> None:
    """ASCII class names are lower-cased and searched case-sensitively for speed: that only
    matches like IGNORECASE while the patterns themselves have no capitals."""
    for pattern in (measure.NEGATIVE_RE.pattern, measure.POSITIVE_RE.pattern):
        assert pattern == pattern.lower()
    assert measure.class_weight(etree.fromstring('<div class="SideBar-Widget"/>')) < 0


def test_sentence_starting_with_by_is_not_a_byline() -> None:
    """Only "By" + a capitalised name is a byline: a short line of prose that starts with
    "By the end" stays, in an article written in <div>s without paragraphs."""
    r = clean(
        "<html><body><div class='post'><div>By Jo Smith</div>"
        "<div>By the end of May the library will open on Sundays too.</div>"
        f"<div>{PROSE}</div><div>{PROSE}</div></div></body></html>",
        url="https://example.test/a",
    )
    assert "By Jo Smith" not in r.text
    assert "By the end of May" in r.text


def test_near_empty_winner_gives_way_to_the_main_run_of_paragraphs() -> None:
    """A comma-heavy label box can outscore the article on commas alone: a root with almost
    no text is replaced by the page's main run of paragraphs."""
    plain = (
        "The council voted on Tuesday to extend the library's opening hours through the "
        "winter and it will review the budget again in spring when the new figures arrive"
    )
    r = clean(
        "<html><body><div class='post-header entry-title'><div>Tags: a, b, c, d, e, f, g, "
        f"h, i, j, k, l, m</div></div><div class='x'><p>{plain}</p><p>{plain}</p>"
        f"<p>{plain}</p><p>{plain}</p></div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 4
    assert "Tags:" not in r.text


BIO = (
    "Dana Reyes is a senior reporter covering city hall, transit and housing. Before joining "
    "the paper she spent a decade at public radio stations across the Midwest."
)


def test_author_bio_card_after_the_article_is_pruned() -> None:
    """Author-box plugins and theme bio cards are about the writer, not the article."""
    for cls in ("saboxplugin-wrap", "blog_author-box", "elementor-author-box", "abh_box"):
        r = clean(
            f"<html><body><article class='post'><h1>Library hours</h1><p>{PROSE}</p>"
            f"<p>{PROSE}</p><p>{PROSE}</p><div class='{cls}'><div class='name'>Dana Reyes</div>"
            f"<p>{BIO}</p></div></article></body></html>",
            url="https://example.test/a",
        )
        assert r.text.count("The council voted") == 3, cls
        assert "Dana Reyes is a senior reporter" not in r.text, cls
        assert any(x.selector == "author box" for x in r.removals), cls


def test_article_inside_an_author_named_wrapper_is_kept() -> None:
    """A class that names an author box does not take a whole article with it."""
    r = clean(
        "<html><body><div class='author-section'><h1>Library hours</h1>"
        + f"<p>{PROSE}</p>" * 8
        + "</div></body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 8


def test_link_list_the_article_gives_between_its_paragraphs_is_kept() -> None:
    """A list of links introduced by the text ("… these tools:") or set between two
    paragraphs is the article's; the same list after the last paragraph is pruned."""
    links = "".join(
        f"<li><a href='https://tools.example.test/{i}'>Tool number {i}</a></li>" for i in range(5)
    )
    intro = f"<p>{PROSE} We tried these tools:</p>"
    r = clean(
        f"<html><body><article><h1>Library hours</h1>{intro}<ul>{links}</ul>"
        f"<p>{PROSE}</p><p>{PROSE}</p></article></body></html>",
        url="https://example.test/a",
    )
    assert "Tool number 3" in r.text
    r = clean(
        f"<html><body><article><h1>Library hours</h1><p>{PROSE}</p><p>{PROSE}</p>"
        f"<p>{PROSE}</p><ul>{links}</ul></article></body></html>",
        url="https://example.test/a",
    )
    assert "Tool number 3" not in r.text


def _changelog(intro: str, after: str, href: str = "https://git.example.test/pr/") -> str:
    """The text of a report that lists pull requests, each a link wrapped the way AsciiDoc
    wraps them (``div.ulist > ul > li > p > a``), under ``intro``, then ``after``."""
    items = "".join(
        f"<li><p><a href='{href}{i}'>libgccjit: add support for feature number {i}</a></p></li>"
        for i in range(8)
    )
    prose = f"<div class='paragraph'><p>{PROSE}</p></div>" * 4
    return clean(
        f"<html><body><article><div class='sect1'><h2>Progress</h2><div class='sectionbody'>"
        f"{prose}<div class='paragraph'><p>{intro}</p></div><div class='ulist'><ul>{items}</ul>"
        f"</div>{after}</div></div></article></body></html>",
        url="https://example.test/2025/11/progress-report-39",
    ).text


def test_links_a_short_line_introduces_between_paragraphs_are_kept() -> None:
    """A changelog's list of links under a short introduction ("Many patches were sent for
    review:"), with the report going on after it, is the article's: the list, its items and
    the section around it stay, however link-dense."""
    after = f"<div class='paragraph'><p>{PROSE}</p></div>"
    text = _changelog("Many patches were sent for review:", after)
    assert "libgccjit: add support for feature number 7" in text
    assert "Many patches were sent for review:" in text


def test_links_a_short_line_introduces_at_a_sections_end_or_to_this_page_go() -> None:
    """The same list with nothing after it (at the end, "Here are the reports from earlier
    months:" opens related links), or whose links all go to this page (a table of
    contents), goes."""
    text = _changelog("Here are the reports from earlier months:", "")
    assert "feature number 7" not in text
    after = f"<div class='paragraph'><p>{PROSE}</p></div>"
    text = _changelog("In this report, section by section:", after, href="#section-")
    assert "feature number 7" not in text


def _with_list(items: list[tuple[str, str]]) -> str:
    """The text of an article that ends in a list of links (href, text)."""
    lis = "".join(f"<li><a href='{href}'>{text}</a></li>" for href, text in items)
    return clean(
        f"<html><body><article><h1>Library hours</h1><p>{PROSE}</p><p>{PROSE}</p>"
        f"<p>{PROSE}</p><h2>Resources</h2><ul>{lis}</ul></article></body></html>",
        url="https://example.test/2025/11/library-hours",
    ).text


def test_list_of_sources_on_other_sites_is_kept() -> None:
    """A link-dense list whose titled links go to other sites is the article's sources."""
    text = _with_list(
        [
            ("https://moz.example.org/seo", "What is SEO? - Moz"),
            ("https://google.example.com/starter", "Search Engine Optimization Starter Guide"),
            ("/services/seo-marketing", "SEO Marketing - Our University"),
            ("https://files.example.net/book.pdf", "Climate Smart Gardening Course Book (pdf)"),
        ]
    )
    assert "Search Engine Optimization Starter Guide" in text
    assert "SEO Marketing - Our University" in text


def test_list_of_the_sites_own_pages_or_store_badges_goes() -> None:
    """The same list linking the site's own pages (its related posts), or store badges of
    a word or two, is a link-dense block."""
    text = _with_list(
        [
            ("/2025/10/budget-vote", "Council budget vote delayed again"),
            ("https://news.example.test/2025/09/new-branch", "A new branch opens downtown"),
            ("https://moz.example.org/seo", "What is SEO? - Moz"),
        ]
    )
    assert "Council budget vote" not in text
    text = _with_list(
        [
            ("https://play.google.example/app", "Google Play"),
            ("https://apps.apple.example/app", "App Store"),
            ("https://github.example/app", "GitHub"),
        ]
    )
    assert "Google Play" not in text


def test_index_cut_when_the_root_is_itself_a_link() -> None:
    """An article root that is one link (an unclosed ``<a href="…`` swallowed the page)
    holding six teaser titles is no teaser of itself (it was a KeyError)."""
    from cleaner import edges

    root = etree.Element("a", href="/2025/11/the-whole-page-as-one-link")
    etree.SubElement(root, "p").text = PROSE
    for i in range(7):
        heading = etree.SubElement(root, "h3")
        etree.SubElement(heading, "a", href=f"/2025/11/story-{i}").text = f"Story number {i} here"
        etree.SubElement(root, "p").text = "A short summary of that story."
    page = etree.Element("div")
    page.append(root)
    assert edges.cut_index(root, Recorder(), "https://example.test/")
    assert root.getparent() is page
    assert "Story number" not in etree.tostring(root, encoding="unicode")
    assert PROSE in etree.tostring(root, encoding="unicode")


def test_one_walk_matcher_child_combinators() -> None:
    """``parent > child`` of simple selectors is matched in the walk, like its XPath, also
    from an inner root whose parent would match."""
    sels = [
        make_selector("css", "body > footer, div.a > p[title], [id] > span, div > div > p"),
        make_selector("css", "section > em, footer"),
    ]
    doc = _doc(
        "<div class='a'><p title='t'>1</p><p>2</p><span>s</span></div>"
        "<div id='i'><span>3</span><div><p title='u'>4</p></div></div>"
        "<footer><em>e</em></footer><section><em>f</em><footer>g</footer></section>"
    )
    assert Matcher(sels).select_all(doc) == [s.select(doc) for s in sels]
    inner = doc.find(".//div[@class='a']")
    assert Matcher(sels).select_all(inner) == [s.select(inner) for s in sels]
    body = doc.find(".//body")
    assert Matcher(sels).select_all(body) == [s.select(body) for s in sels]


def test_one_walk_matcher_with_ids() -> None:
    """Elements with ids match as the XPath says, whether or not some selector tests a class
    and an id together (then the id's verdict cannot be looked up alone)."""
    page = (
        "<div class='a' id='ad-1'>1</div><div class='a' id='x'>2</div><p class='b' id='ad-2'>"
        "3</p><div class='a b' id='yes'>4</div><span id='ad-3'>5</span><div class='a'>6</div>"
    )
    for extra in ("", ", [class~='a'][id^='ye']", ", #x.b"):
        sels = [
            make_selector("css", "[id^='ad-'], [class~='b']" + extra),
            make_selector("css", "div.a, #yes"),
        ]
        doc = _doc(page)
        assert Matcher(sels).select_all(doc) == [s.select(doc) for s in sels]


def test_one_walk_matcher_tag_and_class_compounds() -> None:
    """A compound naming a tag and a class or id (``div.modal``, ``div[class*='popup']``,
    ``div[id*='popup']``), filed under the class or id it requires, matches exactly what
    its XPath matches: only elements of its tag, also from the memoised verdicts of a (tag,
    class) pair and of a (tag, id) pair."""
    page = (
        "<div class='modal fade'>1</div><a class='modal'>2</a><div class='x-popup'>3</div>"
        "<a class='popup' href='#n'>4</a><section class='popup-box' id='p'>5</section>"
        "<div class='modal-dialog' id='m'>6</div><span class='modal-x'>7</span><div>8</div>"
        "<div class='modal fade'>9</div><div class='y' id='ad-1'>10</div>"
        "<div class='z' id='popup-1'>11</div><a class='z' id='popup-2'>12</a>"
        "<section class='z' id='p'>13</section><div class='z' id='p'>14</div>"
    )
    sels = [
        make_selector("css", "div.modal, div[class*='popup'], section[class*='popup']"),
        make_selector("css", "div[class^='modal-'], [id^='ad-'], div[class$='fade']"),
        make_selector("css", "div, a.popup"),
        make_selector("css", "div[id*='popup'], section#p, [class~='y']"),
    ]
    doc = _doc(page)
    matcher = Matcher(sels)
    for _ in range(2):  # the second walk reads the memoised verdicts
        assert matcher.select_all(doc) == [s.select(doc) for s in sels]


def test_sample_text_is_the_kept_part_of_element_text() -> None:
    """A removal's sample is ``element_text`` cut to ``SAMPLE_CHARS``, however long the text
    and wherever its whitespace runs fall."""
    from cleaner.actions import SAMPLE_CHARS, element_text, sample_text

    words = " ".join(f"w{i}" for i in range(400))
    for body in (
        "",
        "   ",
        "short",
        words,
        " " * 900 + words,
        "\n\t ".join(words.split()),
        "x" * 2000,
        ("ab " * 266) + "\xa0\xa0" + words,
    ):
        doc = _doc(f"<div><p>{body}</p><span> {body[:50]} </span></div>")
        el = doc.find(".//div")
        assert sample_text(el) == element_text(el)[:SAMPLE_CHARS]


def test_blog_era_trailer_headings_end_the_article() -> None:
    """ "Related Blog Posts", "Latest Insights", "Previous Post", "Was this article
    helpful?", an author card's "Written by …" and the sources lists of health and finance
    sites open what follows an article, like "Related posts" does."""
    for heading in (
        "Related Blog Posts",
        "Latest Insights",
        "Previous Post",
        "Was this article helpful?",
        "Written by Dana Reyes",
        "Article Sources",
        "How we reviewed this article:",
    ):
        teasers = "".join(
            f"<div class='card'><h4><a href='/p{i}'>Another post {i}</a></h4><p>{COMMENT}</p>"
            f"<p>{COMMENT}</p></div>"
            for i in range(3)
        )
        r = clean(
            f"<html><body><div class='wrap'><div class='entry'><p>{PROSE}</p><p>{PROSE}</p>"
            f"<p>{PROSE}</p></div><h3>{heading}</h3><div class='grid'>{teasers}</div>"
            "</div></body></html>",
            url="https://example.test/a",
        )
        assert r.text.count("The council voted") == 3, heading
        assert "I tried this last spring" not in r.text, heading


def test_near_empty_winner_without_a_paragraph_run_gives_way_to_a_candidate_with_text() -> None:
    """A short line in a box whose class says "content" can win on its name alone; when the
    page has no run of paragraphs to fall back on (the text sits in layout-table cells), the
    best candidate that holds real text is the root, not the label."""
    cam = (
        "The webcam looks north from the meadow store toward the granite domes, and the image "
        "is refreshed every minute during daylight hours between June and September."
    )
    cells = "".join(f"<tr><td><b>Camera {i}</b><br>{cam}</td></tr>" for i in range(3))
    r = clean(
        f"<html><body><div class='cs_layout'><table>{cells}</table></div>"
        "<div class='text-content'><p>Last updated: November 13, 2025</p></div>"
        "</body></html>",
        url="https://example.test/a",
    )
    assert r.content_source == "generic"
    assert "The webcam looks north" in r.text


def test_paragraphs_placed_straight_in_body_make_body_the_root() -> None:
    """A hand-written page puts its paragraphs straight in <body>: the article is the body,
    not the one small list or box that has a wrapper of its own."""
    step = "fold the paper along the marked line, twice."
    steps = "".join(f"<li>Step {i}: {step}</li>" for i in "123")
    paras = "".join(f"<p>{PROSE} Part {i}.</p>" for i in range(5))
    r = clean(
        f"<html><body><h1>The fold-and-cut problem</h1><ul>{steps}</ul>{paras}"
        "<div class='float'><p>A woodcut from 1721, credited to the artist, as printed in the "
        "second edition of the book, with a star cut from one fold.</p></div>"
        "</body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("The council voted") == 5
    assert "Step 1" in r.text


def test_article_split_across_sibling_blocks_is_found_whole_past_a_link_grid() -> None:
    """A page builder puts each section of the article in its own block, with a grid of
    related links after them: the root takes in the sibling blocks of prose, and the link
    grid is still pruned."""
    section = "".join(f"<p>{PROSE} Section {{n}}, paragraph {i}.</p>" for i in range(3))
    blocks = "".join(
        f"<div class='sqs-block'><div class='sqs-html-content'><h2>Part {n}</h2>"
        f"{section.format(n=n)}</div></div>"
        for n in (1, 2)
    )
    grid = "".join(
        f"<div class='item'><a href='/p/{i}'>Average cost of cleaning services in city "
        f"number {i} this year</a></div>"
        for i in range(10)
    )
    r = clean(
        f"<html><body><div class='col'>{blocks}<div class='row'>{grid}</div></div></body></html>",
        url="https://example.test/a",
    )
    assert "Section 1, paragraph 0" in r.text
    assert "Section 2, paragraph 2" in r.text
    assert "Average cost of cleaning" not in r.text


def test_framer_screen_size_copies_of_the_article_are_kept_once() -> None:
    """Framer renders the page once per breakpoint in sibling ``ssr-variant`` blocks that
    its CSS hides on the other sizes: the reader gets the first copy only."""
    copy = "".join(f"<p class='framer-text'>{PROSE} Part {i}.</p>" for i in range(3))
    variants = "".join(
        f"<div class='ssr-variant hidden-{size}'><div class='framer-x'>{copy}</div></div>"
        for size in ("72rtr7", "1v3l1vf", "bnz77l")
    )
    r = clean(
        f"<html><body><div id='main'><section class='framer-s'>{variants}</section></div>"
        "</body></html>",
        url="https://example.test/a",
    )
    assert r.text.count("Part 0.") == 1
    assert r.text.count("The council voted") == 3


def test_teaser_cards_with_truncated_excerpts_are_pruned_but_article_sections_stay() -> None:
    """Inside the article root, an ``<article>`` beside other ``<article>``s that links to
    another story and ends in a cut-off excerpt ("…on Tuesday, December 1...") is another
    story's card; ``<article>`` sections of the piece itself end in full sentences."""
    story = "".join(f"<p>{PROSE} Paragraph {i}.</p>" for i in range(4))
    cards = "".join(
        f"<article class='article article_{i}'><div class='title'><a href='/story/{i}'>"
        f"Other headline number {i}</a></div><div class='body'>THE SALVATION ARMY continued "
        f"its long-standing tradition of outreach number {i} on Tuesday, December 1...</div>"
        "</article>"
        for i in range(3)
    )
    sections = "".join(
        f"<article class='venue'><h3><a href='/venue/{i}'>Venue {i}</a></h3>"
        f"<p>Venue {i} is a restaurant that lays on the umami, with a small menu of dishes "
        "and a long bar.</p></article>"
        for i in range(3)
    )
    r = clean(
        f"<html><body><div class='main'><article class='single'>{story}</article>"
        f"{sections}{cards}</div></body></html>",
        url="https://example.test/a",
    )
    assert "Paragraph 3." in r.text
    assert "Venue 2 is a restaurant" in r.text
    assert "Other headline" not in r.text
    assert "outreach number" not in r.text
    assert any(x.reason == "teaser card" for x in r.removals)


def test_signup_box_goes_with_its_form_and_other_forms_leave_their_text() -> None:
    """A newsletter or SMS signup box inside the article (its heading, pitch and consent
    line around a form with an address field) goes as a whole; the article's paragraphs
    around it stay, and the text around a form without an address field (a poll) stays."""
    box = (
        "<section class='relative p-8'><div>Mashable Deals</div><div><div>Be the first to "
        "know!</div><div>Get editor selected deals texted right to your phone!</div></div>"
        "<form><input type='tel' placeholder='Enter Phone Number'><button>Sign Me Up</button>"
        "</form><div>By signing up, you agree to receive recurring automated SMS messages."
        "</div></section>"
    )
    poll = (
        "<div class='poll'><h3>Which branch do you visit most?</h3>"
        "<form><input type='radio' name='b' value='1'> North</form></div>"
    )
    r = clean(
        f"<html><body><article><p>{PROSE} One.</p>{box}<p>{PROSE} Two.</p>{poll}"
        f"<p>{PROSE} Three.</p></article></body></html>",
        url="https://example.test/a",
    )
    assert "One." in r.text and "Two." in r.text and "Three." in r.text
    assert "Be the first to know" not in r.text
    assert "texted right to your phone" not in r.text
    assert "By signing up" not in r.text
    assert "Which branch do you visit most?" in r.text
    assert any(x.selector == "signup box" for x in r.removals)


def test_teaser_grid_after_the_article_goes_but_roundups_and_faqs_stay() -> None:
    """After the article's last paragraph, a grid of cards whose headings each link to
    another page of the same site (with a short summary) is other stories; a roundup whose
    headings link to other sites, and an FAQ whose headings link within the page, stay."""
    story = "".join(f"<p>{PROSE} Paragraph {i}.</p>" for i in range(4))
    roundup = "".join(
        f"<div class='item'><h3><a href='https://maker{i}.example/hooks'>Coat hooks {i}</a></h3>"
        f"<p>Genius hooks number {i} for little kids.</p></div>"
        for i in range(3)
    )
    faq = "".join(
        f"<div class='q'><h3><a href='{page}#q{i}'>Question {i}?</a></h3><p>Answer {i}.</p></div>"
        for i, page in enumerate(("", "https://www.example.test/ideas/a", "/ideas/a"))
    )
    grid = "".join(
        f"<div class='col'><div class='card'><h3><a href='/ideas/checklist-{i}'>Checklist "
        f"{i}</a></h3><p>Here it is: the ultimate checklist number {i}.</p></div></div>"
        for i in range(3)
    )
    r = clean(
        f"<html><body><div class='main'><div class='entry'>{story}"
        f"<div class='roundup'>{roundup}</div><div class='faq'>{faq}</div>"
        f"<div class='more'>{grid}</div></div></div></body></html>",
        url="https://www.example.test/ideas/a",
    )
    assert "Paragraph 3." in r.text
    assert "Genius hooks number 2" in r.text
    assert "Answer 2." in r.text
    assert "ultimate checklist number" not in r.text
    assert "Checklist 1" not in r.text
    assert any(x.selector == "teaser grid" for x in r.removals)


def _front_page(cards: int, head: str = "", link: str = "", intro: str = "") -> str:
    """A news site's front page: a section title over a grid of teaser cards, each a
    linked headline (some under an unlinked kicker) with a one-line summary and a time."""
    summary = (
        "Warga menyambut rencana itu dengan gembira, menurut keterangan resmi yang diterima "
        "redaksi pada hari Senin pagi setelah rapat."
    )
    grid = "".join(
        f"<article class='card'><a href='{link}/news/{i}'><img src='/i/{i}.jpg' alt=''></a>"
        + ("<h4 class='kicker'>Opini</h4>" if i % 3 == 0 else "")
        + f"<h3><a href='{link}/news/{i}'>Judul berita nomor {i} tentang kota</a></h3>"
        f"<p>{summary} Kartu {i}.</p><time datetime='2024-01-02'>{i} jam lalu</time></article>"
        for i in range(cards)
    )
    return (
        f"<html><head><title>Contoh News</title>{head}</head><body><main>{intro}"
        f"<section><h2>Berita Terkini</h2><div class='grid'>{grid}</div></section>"
        "</main></body></html>"
    )


def test_front_page_of_teaser_cards_gives_a_short_result() -> None:
    """A page whose paragraphs are only the summaries in a grid of many teaser cards is an
    index (a home page, a section front), not an article: the cards go, and the result is
    short instead of a wall of teasers."""
    r = clean(_front_page(30), url="https://contoh.test/")
    assert "Kartu" not in r.text
    assert len(r.text) < 100
    # A blog's page of six posts is one too.
    assert "Kartu" not in clean(_front_page(6), url="https://contoh.test/page/2/").text
    assert any(x.selector == "teaser index" for x in r.removals)
    # Cards linking to the site's subdomains (news.detik.com from www.detik.com) are its own.
    sub = clean(_front_page(30, link="https://news.contoh.co.id"), url="https://www.contoh.co.id/")
    assert "Kartu" not in sub.text


def test_front_page_of_cards_without_headings_gives_a_short_result() -> None:
    """On an index page, a card may open with its title link instead of a heading: a list
    of such cards with summaries is still a wall of teasers, not an article."""
    summary = "Warga menyambut rencana itu dengan gembira, menurut keterangan resmi redaksi."
    items = "".join(
        f"<div class='item'><a class='title' href='/news/{i}'>Judul berita nomor {i} tentang "
        f"kota</a><p>{summary} Kartu {i}.</p></div>"
        for i in range(30)
    )
    r = clean(
        f"<html><head><title>Contoh</title></head><body><header><nav><a href='/'>Home</a></nav>"
        f"</header><main><div class='list'>{items}</div></main><footer>Copyright</footer>"
        "</body></html>",
        url="https://contoh.test/",
    )
    assert "Kartu" not in r.text
    assert any(x.selector == "teaser index" for x in r.removals)


def _index_page(body: str, url: str = "https://contoh.test/") -> CleanResult:
    """A page with the given main content and a site's header and footer, cleaned."""
    return clean(
        "<html><head><title>Contoh News</title></head><body><header><nav><a href='/'>Home"
        f"</a></nav></header><main>{body}</main><footer>Copyright 2024</footer></body></html>",
        url=url,
    )


INDEX_SUMMARY = "Warga menyambut rencana itu dengan gembira, menurut keterangan resmi redaksi."


@pytest.mark.parametrize(
    "shape",
    [
        # A list of headlines whose items sit straight in the page's main block.
        "".join(
            f"<li><a href='/news/{i}'>Judul berita nomor {i} tentang kota</a> "
            f"<span>Kartu {i}, {i} jam lalu</span></li>"
            for i in range(20)
        ),
        # An archive table: a date and a linked title per row.
        "<table>"
        + "".join(
            f"<tr><td>2024-01-{i + 1:02d} Kartu {i}</td><td><a href='/a/{i}'>Judul berita "
            f"nomor {i} tentang kota</a></td></tr>"
            for i in range(20)
        )
        + "</table>",
        # A definition list: linked titles over their summaries.
        "<dl>"
        + "".join(
            f"<dt><a href='/a/{i}'>Judul berita nomor {i} tentang kota</a></dt>"
            f"<dd>{INDEX_SUMMARY} Kartu {i}.</dd>"
            for i in range(20)
        )
        + "</dl>",
        # A section front without card blocks: linked headings, each over its summary
        # and time, all siblings.
        "<h1>Kategori: Ekonomi</h1>"
        + "".join(
            f"<h2><a href='/ekonomi/{i}'>Judul berita nomor {i} tentang kota</a></h2>"
            f"<p>{INDEX_SUMMARY} {INDEX_SUMMARY} Kartu {i}.</p><p class='meta'>{i} jam lalu</p>"
            for i in range(20)
        ),
        # Cards that link only their image; the heading is plain text.
        "<div class='grid'>"
        + "".join(
            f"<div class='card'><a href='/news/{i}'><img src='/i/{i}.jpg' alt=''></a>"
            f"<h3>Judul berita nomor {i} tentang kota</h3><p>{INDEX_SUMMARY} Kartu {i}.</p>"
            "</div>"
            for i in range(20)
        )
        + "</div>",
    ],
    ids=[
        "items-in-main",
        "archive-table",
        "definition-list",
        "headings-and-summaries",
        "image-linked-cards",
    ],
)
def test_index_pages_of_other_shapes_give_a_short_result(shape: str) -> None:
    """An index is a wall of teasers whatever holds them: list items straight in the main
    block, table rows, a definition list, linked headings with their summaries as siblings,
    cards whose only link is their image. The teasers go; what the page says of its own
    (a section's title) stays."""
    r = _index_page(shape)
    text = r.text
    assert any(x.selector == "teaser index" for x in r.removals)
    assert "Kartu" not in text
    assert len(text) < 100
    if "Kategori" in shape:
        assert text == "Kategori: Ekonomi"


def test_a_page_whose_paragraphs_open_with_links_is_not_an_index() -> None:
    """Paragraphs that open with a link to another page of the site are teasers only when
    they are most of the page: an about page with a few of them, among more text of its
    own, keeps every paragraph."""
    own = "".join(f"<p>{PROSE} Kartu {i}.</p>" for i in range(6))
    linked = "".join(
        f"<p><a href='/team/{i}'>Nama anggota tim {i}</a> memimpin bagian {i}. Kartu {i}.</p>"
        for i in range(6, 12)
    )
    text = _index_page(own + linked, url="https://contoh.test/about").text
    assert all(f"Kartu {i}." in text for i in range(12))


def test_card_grids_stay_on_an_article_or_a_hub_of_a_few_topics() -> None:
    """The same grid is the article when the page's JSON-LD says it is one (a roundup of the
    site's own recipes) or its URL is an article's (a date or a slug of words); a page of
    five cards keeps them, and so does a page whose other text outweighs its cards."""
    ld = '<script type="application/ld+json">{"@type": "Article", "headline": "x"}</script>'
    article = clean(_front_page(30, ld), url="https://contoh.test/roundup")
    assert article.text.count("Kartu") == 30
    for path in ("2025/11/kuliner-2025/", "tempat-makan-terbaik-di-kota"):
        slugged = clean(_front_page(30), url=f"https://contoh.test/{path}")
        assert slugged.text.count("Kartu") == 30
    few = clean(_front_page(5), url="https://contoh.test/topics")
    assert few.text.count("Kartu") == 5
    # A list of facts (no paragraphs) outweighing the cards' text makes the page more than
    # its cards.
    facts = "<ul>" + "".join(f"<li>{PROSE} Fakta {i}.</li>" for i in range(8)) + "</ul>"
    hub = clean(_front_page(8, intro=facts), url="https://contoh.test/topics")
    assert hub.text.count("Kartu") == 8


def test_document_sections_under_their_titles_are_found_together() -> None:
    """AsciiDoc and Sphinx put each section of a document in its own block, a title over a
    body: the root takes in the sibling sections, past the title over the winning body (a
    section of links between them costs too much for widening alone)."""

    def section(name: str, paras: int) -> str:
        body = "".join(
            f"<div class='paragraph'><p>{PROSE} {name} {i}.</p></div>" for i in range(paras)
        )
        return f"<div class='sect1'><h2>{name}</h2><div class='sectionbody'>{body}</div></div>"

    links = "".join(
        f"<li><a href='/pr/{i}'>Pull request number {i} was merged upstream</a></li>"
        for i in range(40)
    )
    r = clean(
        "<html><body><div id='wrap'><article><div class='content'>"
        f"{section('Intro', 2)}<div class='sect1'><h2>Patches</h2><div class='sectionbody'>"
        f"<ul>{links}</ul></div></div>{section('Progress', 3)}{section('Thanks', 4)}"
        "</div></article></div></body></html>",
        url="https://example.test/a",
    )
    assert "Thanks 3." in r.text
    assert "Intro 1." in r.text
    assert "Progress 2." in r.text


def test_twin_blocks_of_the_body_are_found_together() -> None:
    """A site editor splits the body into like blocks (Webflow's "rich-text" before and
    after a call to action): the root takes both, even when the first has many links."""
    linked = "".join(
        f"<p><a href='/c/{i}'>Electrical construction companies and their subcontractors "
        f"number {i} in the region</a> and more.</p>"
        for i in range(2)
    )
    intro = f"<div class='rich-text w-richtext'><p>{PROSE} Intro.</p><p>{PROSE}</p>{linked}</div>"
    body = "".join(f"<p>{PROSE} Company {i}.</p>" for i in range(8))
    r = clean(
        "<html><body><div class='post_grid'><div class='post_body'>"
        f"{intro}<div class='blog_cta-holder'><a href='/x'>Top 50 paying GCs</a></div>"
        f"<div class='rich-text w-richtext'>{body}</div></div></div></body></html>",
        url="https://example.test/a",
    )
    assert "Intro." in r.text
    assert "Company 7." in r.text


def test_related_box_set_into_the_articles_last_part_is_not_its_end() -> None:
    """A "Related content" box placed among the article's last paragraphs: the paragraphs
    after the box stay (the box's own siblings are only its list)."""
    box = (
        "<div class='block-inline'><div><h3>Related content</h3><ul>"
        + "".join(f"<li><a href='/r/{i}'>Remote work tip number {i}</a></li>" for i in range(4))
        + "</ul></div></div>"
    )
    paras = "".join(f"<p>{PROSE} Part {i}.</p>" for i in range(8))
    r = clean(
        f"<html><body><article><div class='body'>{paras}{box}<p>{PROSE} After one.</p>"
        f"<p>{PROSE} After two.</p></div></article></body></html>",
        url="https://example.test/a",
    )
    assert "Part 7." in r.text
    assert "After one." in r.text and "After two." in r.text


def test_data_table_after_a_related_heading_means_the_article_goes_on() -> None:
    """A "Related resources" heading with a few links, then the article's data table: the
    table stays; a table of links after a "Related posts" heading is still cut."""
    paras = "".join(f"<p>{PROSE} Part {i}.</p>" for i in range(4))
    rows = "".join(
        f"<tr><td>{i}</td><td>State number {i}</td><td>${40 + i}.55</td></tr>" for i in range(30)
    )
    links = "".join(
        f"<tr><td><a href='/p/{i}'>Another post number {i}</a></td></tr>" for i in range(8)
    )
    r = clean(
        f"<html><body><article><div class='articleContent'>{paras}<h3>Related resources</h3>"
        "<p><a href='/a'>Agency charts</a></p><p><a href='/b'>Case studies</a></p>"
        f"<p>Here is the full data table.</p><table>{rows}</table></div></article></body></html>",
        url="https://example.test/a",
    )
    assert "State number 29" in r.text
    r = clean(
        f"<html><body><article><div class='articleContent'>{paras}<h3>Related posts</h3>"
        f"<table>{links}</table></div></article></body></html>",
        url="https://example.test/a",
    )
    assert "Part 3." in r.text
    assert "Another post number" not in r.text


def test_drupal_promoted_class_is_not_a_promotion() -> None:
    """Drupal marks nodes promoted to the front page "node--promoted": not a "promo" box."""
    assert measure._name_weight("node node--type-recipe node--promoted") == 0
    assert measure._name_weight("promo-box") < 0
    assert measure._name_weight("promotion") < 0


def test_page_chrome_lines_before_the_first_paragraph_go() -> None:
    """Before the article's first paragraph: a table of contents' title, a view count, a
    share button's "Copied!" and "Back to blog" go; a heading of the article stays."""
    r = clean(
        "<html><body><article><div><a href='/blog'>Back to blog</a></div>"
        "<span>1,693 views</span><button>Copied!</button><h2>Table of Contents</h2>"
        "<h2>Why tutoring works</h2>"
        + "".join(f"<p>{PROSE} Part {i}.</p>" for i in range(3))
        + "</article></body></html>",
        url="https://example.test/a",
    )
    for chrome in ("Back to blog", "1,693 views", "Copied", "Table of Contents"):
        assert chrome not in r.text, chrome
    assert "Why tutoring works" in r.text
    assert "Part 2." in r.text


def test_headings_left_at_the_article_end_with_nothing_to_head_are_removed() -> None:
    """A widget's title whose widget went ("Popular Photos", "Credits (2)") is the last
    thing in the root: it heads nothing and goes; a heading with its paragraph stays."""
    r = clean(
        f"<html><body><article><p>{PROSE}</p><h2>Hours in spring</h2><p>{PROSE}</p>"
        "<h4>Credits (2)</h4><div><h3>Popular Videos</h3><div class='slot'></div></div>"
        "<h3>Popular Photos</h3><!-- widget --></article></body></html>",
        url="https://example.test/a",
    )
    assert "Hours in spring" in r.text
    for dangling in ("Credits", "Popular Videos", "Popular Photos"):
        assert dangling not in r.text, dangling
    assert r.text.count("The council voted") == 2


def test_a_page_of_headings_only_keeps_them() -> None:
    """Headings with no other content before them are all the page says: they stay."""
    r = clean(
        "<html><body><main><h1>Section</h1><h2>Branch libraries</h2></main></body></html>",
        url="https://example.test/",
    )
    assert "Branch libraries" in r.text


def test_a_heading_over_an_image_or_table_at_the_end_stays() -> None:
    """A heading whose figure or table ends the article heads it."""
    r = clean(
        f"<html><body><article><p>{PROSE}</p><p>{PROSE}</p><h3>Opening hours chart</h3>"
        "<img src='https://img.example.test/hours.png'></article></body></html>",
        url="https://example.test/a",
    )
    assert "Opening hours chart" in r.text
