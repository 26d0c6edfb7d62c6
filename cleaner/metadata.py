"""Article metadata: title, byline, date, language, site name, lead image, canonical URL.

Evidence is taken in order of reliability: the site rule's selectors, JSON-LD,
OpenGraph / article meta tags, ``<time>`` and microdata, then the page's text.
Dates come out as ISO 8601; Indonesian and English month names are understood.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from lxml import etree

from .actions import element_text, name_key, norm_text, shown_text, unescape_all
from .byline import clean_byline, dom_byline, link_byline, said_byline
from .dates import dom_date, parse_date, script_date
from .selectors import Selector
from .structured import (
    first_value,
    jsonld_objects,
    ld_article,
    ld_image,
    ld_name,
    meta_firsts,
    meta_values,
    pick,
    readability_ld,
)
from .titles import article_title
from .urls import http_url

__all__ = ["Metadata", "article_title", "extract", "parse_date"]


# How many of the page's ``<h1>`` headings are kept for the headline.
HEADINGS = 5


@dataclass
class Metadata:
    """The metadata fields of a cleaned article."""

    title: str | None = None
    byline: str | None = None
    published: str | None = None
    lang: str | None = None
    site_name: str | None = None
    lead_image: str | None = None
    lead_caption: str | None = None
    canonical: str | None = None
    description: str | None = None
    # The page's JSON-LD describes it as an article (Article, NewsArticle, BlogPosting …).
    declares_article: bool = False
    # The texts of the page's ``<h1>`` headings (the first few), for the headline.
    headings: list[str] = field(default_factory=list)
    # The JSON-LD article's ``articleBody`` (text, or markup some sites put there).
    article_body: str | None = None


def _field(doc: etree._Element, sel: Selector | None, attrs: tuple[str, ...] = ()) -> str | None:
    """Text (or the first present attribute) of the first element a selector matches."""
    if sel is None:
        return None
    for el in sel.select(doc):
        for a in attrs:
            if el.get(a):
                return str(el.get(a)).strip()
        text = element_text(el)
        if text:
            return text
    return None


def extract(
    doc: etree._Element, url: str | None, fields: dict[str, Selector], own: bool = False
) -> Metadata:
    """Collect metadata from the whole (uncleaned) document. ``own``: the page is a reading
    document of ours, whose byline and date are in its ``<meta>`` tags when the cleaning that
    made it found them: its text is then not searched for them (that would find there what
    the first cleaning did not, and cleaning again would change the document)."""
    metas = meta_firsts(doc)
    ld_objs = jsonld_objects(doc)
    art = ld_article(ld_objs)
    md = Metadata(declares_article=bool(art))
    body = art.get("articleBody")
    if isinstance(body, list):
        body = "\n\n".join(b for b in body if isinstance(b, str))
    md.article_body = body.strip() or None if isinstance(body, str) else None
    md.headings = [t for t in map(shown_text, itertools.islice(doc.iter("h1"), HEADINGS)) if t]
    md.site_name = (
        _fits(pick(metas, "og:site_name", "application-name"), NAME_MAX)
        or _fits(ld_name(art.get("publisher")), NAME_MAX)
        or (urlsplit(url).hostname if url else None)
    )
    ld = readability_ld(doc)
    values = meta_values(doc)
    # Title, byline and date follow Mozilla Readability's order, after the site's selectors.
    titles: tuple[Callable[[], str | None], ...] = (
        lambda: _field(doc, fields.get("title")),
        lambda: first_value(
            ld,
            values,
            "title",
            "dc:title",
            "dcterm:title",
            "og:title",
            "weibo:article:title",
            "weibo:webpage:title",
            "title",
            "twitter:title",
            "parsely-title",
        ),
        lambda: article_title(doc),
        lambda: ld_name(art.get("headline")),
        lambda: next((t for t in (element_text(h) for h in doc.iter("h1")) if t), None),
    )
    found = (norm_text(unescape_all(t)) for t in (f() for f in titles) if t)
    md.title = _first_fitting(found, TITLE_MAX)
    author = values.get("article:author")
    # The first source that names someone (a label, date or id falls through to the next).
    sources: tuple[Callable[[], str | None], ...] = (
        lambda: _field(doc, fields.get("byline")),
        lambda: first_value(ld, values, "byline", "dc:creator", "dcterm:creator", "author"),
        lambda: values.get("parsely-author"),
        lambda: author if author and not author.startswith(("http://", "https://")) else None,
        lambda: dom_byline(doc),
        lambda: ld_name(art.get("author")),
        lambda: pick(metas, "dc.creator", "byl"),
        lambda: link_byline(doc),
        lambda: said_byline(doc),
    )
    if own:
        sources = sources[:2]  # the site's field and the meta tags
    # The site's own name is a byline of last resort: a person named later is the author.
    site_key = name_key(md.site_name or "")
    bylines = (b for b in (clean_byline(s()) for s in sources) if b)
    first = next(bylines, None)
    if first is not None and site_key and name_key(first) == site_key:
        first = next((b for b in bylines if name_key(b) != site_key), first)
    md.byline = first
    md.published = (
        parse_date(_field(doc, fields.get("date"), ("datetime", "content")))
        or parse_date(ld.get("published"))
        or parse_date(values.get("article:published_time") or values.get("parsely-pub-date"))
        or parse_date(_str(art.get("datePublished")))
        or parse_date(
            pick(
                metas,
                "article:published_time",
                "datePublished",
                "pubdate",
                "publishdate",
                "date",
                "dc.date",
                "dc.date.issued",
                "og:published_time",
                "content_PublishedDate",
                "publish-date",
            )
        )
        or parse_date(_first_of(doc, "time", "datetime"))
        or parse_date(_published_meta(metas))
        or (None if own else dom_date(doc) or script_date(doc))
    )
    lead = (
        _field(doc, fields.get("lead_image"), ("src", "data-src", "content", "href"))
        or pick(metas, "og:image", "og:image:url", "twitter:image")
        or ld_image(art.get("image"))
    )
    md.lead_image = _fits(http_url(lead, url), URL_MAX)
    caption = _field(doc, fields.get("lead_caption")) or _caption_of(doc, md.lead_image)
    md.lead_caption = _clip(caption, CAPTION_MAX) if caption else None
    html = doc if doc.tag == "html" else doc.getroottree().getroot()
    lang = (
        html.get("lang")
        or html.get("xml:lang")
        or pick(metas, "content-language", "og:locale", "language")
    )
    # (A language tag has no spaces: its first word, cut to 20 characters, is the tag.)
    md.lang = lang.split()[0].replace("_", "-")[:20] if lang and lang.split() else None
    canon = _first_of(doc, "link", "href", rel="canonical") or pick(metas, "og:url")
    md.canonical = _fits(http_url(canon, url), URL_MAX)
    description = pick(metas, "description", "og:description")
    md.description = _clip(description, CAPTION_MAX) if description else None
    return md


# Bounds on what a field can be (characters). A page's markup can make a "title" of the
# whole document (an unclosed <title> takes the rest of the page as its text), and the
# fields go into the reading document's <meta> attributes, where a tag that long is refused
# when the document is cleaned again. The corpora's longest: title 319, site name 116,
# lead caption 165, URL 554.
TITLE_MAX = 600
NAME_MAX = 300
CAPTION_MAX = 2000
URL_MAX = 8192


def _fits(value: str | None, limit: int) -> str | None:
    """``value`` when it is at most ``limit`` characters long, else None."""
    return value if value is not None and len(value) <= limit else None


def _first_fitting(values: Iterable[str], limit: int) -> str | None:
    """The first of non-empty ``values`` at most ``limit`` characters long; when none is,
    the first cut to ``limit`` (None when there is none)."""
    first = None
    for value in values:
        if len(value) <= limit:
            return value
        if first is None:
            first = value
    return _clip(first, limit) if first is not None else None


def _clip(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` characters at a space, with an ellipsis."""
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    space = cut.rfind(" ")
    return (cut[:space] if space > limit // 2 else cut).rstrip() + "…"


def _caption_of(doc: etree._Element, src: str | None) -> str | None:
    """The caption of the page's <img> showing ``src``: its figcaption, else its alt text."""
    if not src:
        return None
    for img in doc.iter("img"):
        if img.get("src") != src:
            continue
        node = img.getparent()
        while node is not None and node.tag not in ("figure", "body"):
            node = node.getparent()
        if node is not None and node.tag == "figure":
            cap = node.find(".//figcaption")
            if cap is not None and element_text(cap):
                return element_text(cap)
        alt = norm_text(img.get("alt") or "")
        return alt or None
    return None


def _str(value: object) -> str | None:
    """The value if it is a string."""
    return value if isinstance(value, str) else None


def _first_of(doc: etree._Element, tag: str, attr: str, rel: str | None = None) -> str | None:
    """The first non-empty ``attr`` of a ``<tag>`` in the document (XPath ``//tag[@attr]``,
    with ``[@rel=…]`` when ``rel`` is given), by a walk instead of an XPath evaluation."""
    for el in doc.getroottree().getroot().iter(tag):
        value = el.get(attr)
        if value and (rel is None or el.get("rel") == rel):
            return str(value)
    return None


# Other meta names of a publication date ("w-published-date", "citation_publication_date").
_PUBLISHED_META = re.compile(
    r"publish(?:ed)?[-_.: ]?(?:date|time|at|on)|citation_(?:publication_|online_)?date|"
    r"dc\.date\.created|sailthru\.date|^published$|date[-_.]?published",
)


def _published_meta(metas: dict[str, str]) -> str | None:
    """The first meta value whose name says it is the publication date."""
    return next((v for k, v in metas.items() if _PUBLISHED_META.search(k)), None)
