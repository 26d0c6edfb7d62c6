"""Metadata: Readability's title, byline and date order, JSON-LD, meta tags and the page."""

from __future__ import annotations

from cleaner.metadata import article_title, extract, parse_date
from cleaner.parse import parse_text


def _md(head: str, body: str = "<p>x</p>"):
    """Metadata of a page with ``head`` and ``body``."""
    doc = parse_text(f"<html><head>{head}</head><body>{body}</body></html>")
    return extract(doc, "https://example.test/a", {})


def test_dublin_core_title_beats_open_graph_title() -> None:
    """dc:title is preferred over og:title, as Readability does."""
    md = _md('<meta property="og:title" content="OG"><meta name="dc.title" content="DC">')
    assert md.title == "DC"


def test_title_tag_is_cut_at_its_last_separator() -> None:
    """A site name after " | " is cut from a <title> of enough words."""
    doc = parse_text(
        "<html><head><title>Council extends the library hours | Daily</title></head></html>"
    )
    assert article_title(doc) == "Council extends the library hours"


def test_short_title_after_cutting_keeps_the_whole_title() -> None:
    """When cutting would leave four words or fewer, the whole <title> stays."""
    doc = parse_text("<html><head><title>Library hours - Daily News</title></head></html>")
    assert article_title(doc) == "Library hours - Daily News"


def test_en_dash_separates_the_site_name() -> None:
    """An en dash between spaces counts as a title separator."""
    doc = parse_text(
        "<html><head><title>Lorem ipsum dolor sit amet – My site</title></head></html>"
    )
    assert article_title(doc) == "Lorem ipsum dolor sit amet"


def test_jsonld_article_gives_byline_and_date() -> None:
    """A schema.org article in JSON-LD supplies the author's name and the date."""
    ld = (
        '<script type="application/ld+json">{"@context": "https://schema.org", "@type": '
        '"NewsArticle", "headline": "H", "author": [{"name": "Ana"}, {"name": "Budi"}], '
        '"datePublished": "2024-05-01T10:00:00Z"}</script>'
    )
    md = _md(ld)
    assert md.title == "H"
    assert md.byline == "Ana, Budi"
    assert md.published == "2024-05-01T10:00:00+00:00"


def test_byline_comes_from_an_element_with_a_byline_class() -> None:
    """Without meta tags, the first element whose class says byline gives the author."""
    md = _md("<title>t</title>", '<div class="byline">By Ana Sari</div><p>text</p>')
    assert md.byline == "Ana Sari"


def test_hidden_byline_element_is_skipped() -> None:
    """A byline element hidden by style is not used when a visible one exists."""
    md = _md(
        "<title>t</title>",
        '<span class="author" style="display: none">Ghost</span><span class="author">Ana</span>',
    )
    assert md.byline == "Ana"


def test_article_published_time_gives_the_date() -> None:
    """article:published_time is read when JSON-LD has no date."""
    md = _md('<meta property="article:published_time" content="2023-11-05T08:00:00+07:00">')
    assert md.published == "2023-11-05T08:00:00+07:00"


def test_indonesian_date_text_parses_with_its_zone() -> None:
    """Indonesian month names and WIB become ISO 8601 with +07:00."""
    assert parse_date("Kamis, 5 November 2015 14:56 WIB") == "2015-11-05T14:56:00+07:00"


def test_an_offset_no_zone_has_leaves_the_time_without_one() -> None:
    """A published time with an offset past any zone's ("+50:00", "+05:75") is read
    without its zone instead of raising; real offsets, to Kiribati's +14:00, are kept."""
    md = _md('<meta property="article:published_time" content="2025-08-11T13:32:20+50:00">')
    assert md.published == "2025-08-11T13:32:20"
    assert parse_date("2025-08-11T13:32:20+05:75") == "2025-08-11T13:32:20"
    assert parse_date("2025-08-11T13:32:20+14:00") == "2025-08-11T13:32:20+14:00"
    assert parse_date("2025-08-11T13:32:20-0930") == "2025-08-11T13:32:20-09:30"


def test_byline_values_that_name_nobody_are_refused() -> None:
    """A label, a date line, a number, a template placeholder, a comment's "says:" or a
    comment form's field label is no byline; names with dates or marks are kept."""
    from cleaner.byline import clean_byline

    for junk in (
        "Author",
        "About the Author",
        "Updated on November 20, 2025",
        "Sat, 20 Dec, 2025 - 06:36",
        "August 28, 2025 • 5 min read",
        "262588213843476",
        "page.head.extra.author",
        "Jiobal says:",
        "How we reviewed this article:",
        "Your Name: *",
    ):
        assert clean_byline(junk) is None, junk
    assert clean_byline("By Nathan Willis March 25, 2015") == "Nathan Willis March 25, 2015"
    assert clean_byline("Angela Holliday-Bell, MD*") == "Angela Holliday-Bell, MD*"
    assert clean_byline("sara.r.peter") == "sara.r.peter"
    assert clean_byline("Maria &amp; Katerina") == "Maria & Katerina"


def test_byline_loses_a_date_set_off_or_glued_to_it_and_addresses_are_refused() -> None:
    """A date after a separator ("—", "|", "•") or glued to the name by the page's markup
    ("Luke KimDecember 17, 2025") is the dateline, not the name; an address with a path or
    "www." is no byline, a company's bare domain is."""
    from cleaner.byline import clean_byline

    assert clean_byline("Sarah Schwartz — November 18, 2025") == "Sarah Schwartz"
    assert clean_byline("Silverback Strategies | October 15, 2025") == "Silverback Strategies"
    assert clean_byline("Haley Hoekstra • March 12, 2025") == "Haley Hoekstra"
    assert clean_byline("Jo Lima | 18/11/2025") == "Jo Lima"
    assert clean_byline("Luke KimDecember 17, 2025") == "Luke Kim"
    assert clean_byline("Russell MillerDec 18, 2025") == "Russell Miller"
    assert clean_byline("Tina Huffman | Greenhouse Studio") == "Tina Huffman | Greenhouse Studio"
    assert clean_byline("www.facebook.com/tinyhousegiantjourney") is None
    assert clean_byline("acme.example/about/team") is None
    assert clean_byline("AccountingDepartment.com") == "AccountingDepartment.com"


def test_a_byline_source_that_names_nobody_falls_through_to_the_next() -> None:
    """A meta author that is a date line, and a byline element that is only a label, give
    way to the next source: the element that holds the name."""
    md = _md(
        '<title>t</title><meta name="author" content="Updated on November 20, 2025">',
        '<h3 class="author-title">About the Author</h3><span class="author-name">Ana Sari</span>',
    )
    assert md.byline == "Ana Sari"


def test_dates_with_ordinals_dashes_dots_and_glued_text_parse() -> None:
    """Dates as pages print them: ordinals, day-month-year with dashes or dots, and a month
    glued to the text before it (text runs joined without a space)."""
    assert parse_date("AppAddict December 19th, 2025 Digital") == "2025-12-19"
    assert parse_date("3rd March 2024") == "2024-03-03"
    assert parse_date("Bence Kovács 02-12-2025 Intro") == "2025-12-02"
    assert parse_date("19.12.2025") == "2025-12-19"
    assert parse_date("infants and toddlersMay 25, 2023Written by") == "2023-05-25"
    assert parse_date("version 1.2.2025x") is None


def test_page_text_gives_the_date_when_no_metadata_does() -> None:
    """Without a date in metadata: a dateline element's text, skipping a footer's date; or
    the line under the headline."""
    md = _md(
        "<title>t</title>",
        "<footer><span class='date'>January 1, 2020</span></footer>"
        "<article><h1>Headline</h1><div class='post-date'>Posted on March 02, 2025</div>"
        "<p>text</p></article>",
    )
    assert md.published == "2025-03-02"
    md = _md(
        "<title>t</title>",
        "<div class='sidebar'><p>Archive: 4 August 2009</p></div>"
        "<article><h1>Defer, Panic, and Recover</h1><p>Andrew Gerrand</p><p>4 August 2010</p>"
        "<p>Go has the usual mechanisms for control flow.</p></article>",
    )
    assert md.published == "2010-08-04"
    md = _md("<title>t</title>", "<article><h1>Headline</h1><p>No date here.</p></article>")
    assert md.published is None


def test_site_name_as_author_gives_way_to_a_person_named_on_the_page() -> None:
    """A meta author that is the site's own name is the publisher: a person the page names
    in its byline is the author; with no one named, the site name stays."""
    head = (
        '<title>t</title><meta property="og:site_name" content="GlossGenius">'
        '<meta name="author" content="GlossGenius">'
    )
    md = _md(head, '<div class="byline">By Shauna Mitchell</div><p>text</p>')
    assert md.byline == "Shauna Mitchell"
    assert _md(head).byline == "GlossGenius"


def test_more_places_a_page_keeps_its_date() -> None:
    """Dotted and slashed ISO dates; a meta whose name says "published date"; a date in an
    author block; a "publishedAt" in the page's script data; a tailwind "sidebar" grid
    area around the article's own dateline does not hide it."""
    assert parse_date("Essay - Published: 2025.12.17 |") == "2025-12-17"
    assert parse_date("2025/12/18") == "2025-12-18"
    md = _md('<title>t</title><meta name="w-published-date" content="2025-05-27T06:03:43Z">')
    assert (md.published or "").startswith("2025-05-27")
    md = _md(
        "<title>t</title>",
        "<div class='resource-author-details'><small>December 17, 2025</small></div><p>x</p>",
    )
    assert md.published == "2025-12-17"
    md = _md(
        '<title>t</title><script>self.__next_f.push({"slug":"a","publishedAt":'
        '"2025-10-20T13:08:55-07:00"})</script>'
    )
    assert (md.published or "").startswith("2025-10-20")
    md = _md(
        "<title>t</title>",
        "<main class='offset-nav'><article><div class='md:[grid-area:sidebar]'>"
        "<time>Aug 04, 2025</time></div><p>x</p></article></main>",
    )
    assert md.published == "2025-08-04"


def test_a_published_phrase_in_the_text_and_us_numeric_dates() -> None:
    """ "Posted on the 15/12/2025 at 19:00 by …" anywhere in the text gives the date when
    nothing else does; a US month/day/year shows itself by a day where the month would be."""
    assert parse_date("Updated: 10/31/2024") == "2024-10-31"
    assert parse_date("05/06/2024") == "2024-06-05"  # day/month when both could be either
    md = _md(
        "<title>t</title>",
        "<div class='article'><h2>Rust GC</h2>\n<div>Posted on the 15/12/2025 at 19:00 by "
        "Guillaume</div><p>text</p></div>",
    )
    assert (md.published or "").startswith("2025-12-15")


def test_a_link_to_the_author_s_page_names_the_author_when_nothing_else_does() -> None:
    """A page that marks no byline still links the author's name to their page
    ("/author/jane-doe"); a "More articles by …" link, or one in a sidebar, does not name
    this article's author, and a marked byline or meta author wins over the link."""
    related = '<aside class="sidebar"><a href="/author/sam-lee">Sam Lee</a></aside>'
    more = '<a href="/authors/jane-doe">More articles by Jane</a>'
    link = '<p class="meta">Words: <a href="/authors/jane-doe/">Jane Doe</a></p>'
    assert _md("<title>t</title>", f"{related}{more}{link}<p>text</p>").byline == "Jane Doe"
    assert _md("<title>t</title>", f"{related}{more}<p>text</p>").byline is None
    meta = '<title>t</title><meta name="author" content="Ana Ruiz">'
    assert _md(meta, f"{link}<p>text</p>").byline == "Ana Ruiz"


def test_a_by_line_under_the_headline_names_the_author() -> None:
    """A "By Jane Doe · December 2, 2025" line in the article's header (the blocks after
    its ``<h1>``) names the author, the date after the name dropped; a "By …" line far
    below the headline (a reader's comment) does not, nor a form's "By clicking …"."""
    header = (
        "<h1>Taman Baru</h1><div class='meta'><span>By Jane Doe · December 2, 2025</span></div>"
    )
    body = "".join(f"<p>Paragraph {i} of the article, long enough to read.</p>" for i in range(12))
    assert _md("<title>t</title>", f"{header}{body}").byline == "Jane Doe"
    comment = "<div class='c'><span>Posted by Sam Lee</span></div>"
    assert _md("<title>t</title>", f"<h1>Taman Baru</h1>{body}{comment}").byline is None
    assert _md("<title>t</title>", "<h1>T</h1><p>Written by Ana Ruiz on 2 May</p>").byline == (
        "Ana Ruiz"
    )
    consent = "<h1>T</h1><p>By clicking Submit, you agree to the Terms.</p>"
    assert _md("<title>t</title>", consent).byline is None


def test_a_date_over_the_headline_a_citation_date_and_a_published_meta() -> None:
    """A line over the headline ("February 4, 2025 - 11 minutes"), a citation's year-first
    date ("2023 Jan 7") and a meta named just "published" give the page's date."""
    md = _md(
        "<title>t</title>",
        "<div class='hero'><p>February 4, 2025 - 11 minutes</p><h1>Title</h1></div><p>x</p>",
    )
    assert md.published == "2025-02-04"
    assert parse_date("2023 Jan 7") == "2023-01-07"
    md = _md('<title>t</title><meta name="citation_publication_date" content="2024 Jun 30">')
    assert md.published == "2024-06-30"
    md = _md('<title>t</title><meta name="published" content="July 17, 2025">')
    assert md.published == "2025-07-17"


def test_an_author_box_with_a_bio_gives_the_name_at_its_head() -> None:
    """A byline block too long to be a byline (the author's name over a bio) still names
    the author: its first short line, when that is a name; a box opening with "Follow
    Sarah" names nobody."""
    bio = (
        "Lauren is a growth-focused marketer who writes about analytics, onboarding and "
        "the small experiments that move retention."
    )
    box = f"<div class='blog_author-box'><div><div>Lauren Vetter</div><p>{bio}</p></div></div>"
    assert _md("<title>t</title>", f"<p>Article text.</p>{box}").byline == "Lauren Vetter"
    follow = box.replace("Lauren Vetter", "Follow Sarah")
    assert _md("<title>t</title>", f"<p>Article text.</p>{follow}").byline is None


def test_overlong_titles_names_and_urls_give_way() -> None:
    """An unclosed ``<title>`` takes the rest of the page as its text, and a page's meta
    values can be of any length: those fields go into the reading document's ``<meta>``
    attributes. An overlong title gives way to the next source (the heading), or is cut
    when every source is overlong; an overlong site name gives way to the host name, an
    overlong canonical URL to none."""
    from cleaner.metadata import TITLE_MAX

    long = "word " * 400
    md = _md(
        f'<meta property="og:title" content="{long}"><meta property="og:site_name" '
        f'content="{long}"><link rel="canonical" href="https://example.test/{"a" * 9000}">',
        "<h1>Library hours extended</h1><p>x</p>",
    )
    assert md.title == "Library hours extended"
    assert md.site_name == "example.test"
    assert md.canonical is None
    swallowed = _md(f"<title>Library hours</titl e><meta name='x' content='y'>{long}</head>")
    assert swallowed.title is not None
    assert len(swallowed.title) <= TITLE_MAX and swallowed.title.endswith("word\u2026")
    assert swallowed.title.startswith("Library hours")


def test_a_title_escaped_twice_is_read_whole() -> None:
    """JSON-LD can hold a title escaped twice (``finally&amp;#8230;``): the title is the
    text, not a half-escaped reference the reading document would carry."""
    md = _md(
        '<script type="application/ld+json">{"@type": "NewsArticle", '
        '"headline": "And finally&amp;#8230; trouble brewing"}</script>'
    )
    assert md.title == "And finally\u2026 trouble brewing"
    assert _md("<title>Fish &amp;amp; chips</title>").title == "Fish & chips"


def test_a_cleaned_byline_cleans_to_itself() -> None:
    """The reading document carries the byline as cleaned, and cleaning it again reads it
    back through the same normalisation: that must change nothing ("by by WSET Global" kept
    a "by" once, found by fuzz runs, as did six; a name escaped twice kept an ``&amp;``;
    one escaped five times, more than unescaping goes, loses what still reads as one)."""
    from cleaner.byline import clean_byline

    for raw, want in [
        ("by by WSET Global", "WSET Global"),
        ("By: Oleh Jane Doe", "Jane Doe"),
        ("Jane Doe &amp;amp; Joe Bloggs", "Jane Doe & Joe Bloggs"),
        ("Jo Lima — November 18, 2025 | 18/11/2025", "Jo Lima"),
        ("By " * 6 + "Lauren Paige", "Lauren Paige"),
        ("Fish &amp;amp;amp;amp;amp; Chips", "Fish amp;amp; Chips"),
    ]:
        once = clean_byline(raw)
        assert once == want
        assert clean_byline(once) == once


def test_a_script_inside_the_heading_is_not_its_text() -> None:
    """Broken markup can put a script in the page's ``<h1>``: the headline is what the
    heading shows, not the script's code (which cleaning removes from the reading
    document, so cleaning that again chose another headline: found by a fuzz run)."""
    md = _md(
        "<title>Library hours extended | Example</title>",
        "<h1>Library hours <script>var a = {add: function(b) {}};</script>extended"
        "<style>h1 {color: red}</style></h1><p>x</p>",
    )
    assert md.headings == ["Library hours extended"]
