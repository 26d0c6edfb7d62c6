"""Site-independent content detection and boilerplate pruning.

``find_content`` scores text blocks the way Readability does (paragraph text
length and commas, propagated to ancestors, scaled by link density and by a
class/id vocabulary in English and Indonesian) and returns the article root.
``prune`` then removes what inside that root is not article: link-dense blocks,
blocks whose class/id says boilerplate, forms and empty wrappers.
"""

from __future__ import annotations

import functools
import operator
import re
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .actions import Recorder, drop, element_text, sample_text
from .measure import (
    COMMAS,
    INLINE_TAGS,
    KEEP_TAGS,
    LINKS,
    TEXT,
    UNLIKELY_TAGS,
    Stats,
    _names_comments,
    _names_weight,
    class_weight,
    commas_in,
    main_run,
    prose_paragraphs,
)
from .textfind import case_insensitive_test
from .urls import site_of

RULE_ID = "builtin:generic"

PARA_TAGS = {"p", "pre", "td", "blockquote", "li", "h2", "h3", "dd"}


# Readability's base scores of candidate containers by tag.
_TAG_SCORES = {
    "div": 5,
    "article": 10,
    "main": 5,
    "section": 3,
    "pre": 3,
    "td": 3,
    "blockquote": 3,
    "form": -3,
    "ol": -3,
    "ul": -3,
    "li": -3,
    "dl": -3,
    "th": -5,
    "h1": -5,
    "h2": -5,
    "h3": -5,
    "address": -3,
}
# Children that make a <div> a container rather than a paragraph.
_BLOCK_CHILDREN = frozenset(("p", "div", "table", "ul", "section", "article"))


def _initial_score(el: etree._Element) -> float:
    """Base score of a candidate container by its tag and class/id."""
    return _TAG_SCORES.get(str(el.tag), 0) + class_weight(el)


def find_content(root: etree._Element, stats: Stats | None = None) -> etree._Element | None:
    """Return the element most likely to hold the article body, or None.

    Readability's paragraph scoring finds the best block; then, among that block and its
    ancestors, the root is the one with the most clean prose net of the link and boilerplate
    text it would bring in (an article split across sibling containers is found whole).
    """
    stats = stats or Stats(root)
    marked = _article_body(root, stats)
    if marked is not None:
        return marked
    scores: dict[etree._Element, float] = {}
    inside = _inside_unlikely_set(root, stats)
    # Paragraphs placed straight in <body> (hand-written pages): their score, for <body>
    # only (its score from wrappers further down would make it win on every page).
    in_body = 0.0
    body: etree._Element | None = None
    for el in root.iter(*PARA_TAGS, "div"):
        if el.tag == "div" and _holds_blocks(el):
            own = (el.text or "") + "".join(c.tail or "" for c in el)
            if len(own.strip()) < 25:
                continue
            text = " ".join(own.split())
            length, commas = len(text), commas_in(text)
        else:
            measured = stats.sums.get(el)
            length, commas = (measured[TEXT], measured[COMMAS]) if measured else (0, 0)
        if length < 25 or el in inside:
            continue
        score = 1.0 + commas + min(length / 100.0, 3.0)
        node = el.getparent()
        if el.tag == "p" and node is not None and node.tag == "body":
            in_body, body = in_body + score, node
        level = 0
        while node is not None and level < 3 and isinstance(node.tag, str):
            if node not in scores:
                scores[node] = _initial_score(node)
            scores[node] += score / (1, 2, 3)[level]
            node = node.getparent()
            level += 1
    best: tuple[float, etree._Element] | None = None
    # The best candidate that holds some text: the fallback when a label wins on its name.
    best_sized: tuple[float, etree._Element] | None = None
    for el, score in scores.items():
        if el.tag in ("html", "body"):
            continue
        final = score * (1.0 - stats.density(el))
        if best is None or final > best[0]:
            best = (final, el)
        if stats.text.get(el, 0) >= 100 and (best_sized is None or final > best_sized[0]):
            best_sized = (final, el)
    if body is not None:
        final = in_body * (1.0 - stats.density(body))
        if best is None or final > best[0]:
            best = (final, body)
    if best is None or best[0] <= 0 or stats.density(best[1]) > 0.5:
        return None
    chosen = _with_siblings(_widen(best[1], stats), stats)
    if stats.text.get(chosen, 0) < 100:
        # A title box or a label won on its own: the page's main run of paragraphs, when it
        # has one, is a better guess than a near-empty article; else the best candidate
        # with text.
        run = main_run(prose_paragraphs(root), 500)
        if run is not None:
            return _widen(run, stats)
        if best_sized is not None and best_sized[0] > 0 and stats.density(best_sized[1]) <= 0.5:
            return _widen(best_sized[1], stats)
    return chosen


def _holds_blocks(el: etree._Element) -> bool:
    """True when a child of ``el`` is a block that makes it a container (in C: this runs
    for every ``<div>``)."""
    return not _BLOCK_CHILDREN.isdisjoint(map(_TAG, el))


_TAG = operator.attrgetter("tag")


_ITEMPROP = etree.XPath(".//*[@itemprop]")


def _article_body(root: etree._Element, stats: Stats) -> etree._Element | None:
    """The one element the page marks as the article body (schema.org ``articleBody``
    microdata) when it holds real prose, else None."""
    marked = (
        [e for e in stats.itemprops if e is not root] if stats.root is root else _ITEMPROP(root)
    )
    found = [e for e in marked if "articlebody" in str(e.get("itemprop")).casefold().split()]
    if len(found) != 1:
        return None
    el = found[0]
    if stats.good.get(el, 0) < 400 or stats.density(el) > 0.5:
        return None
    return el


# Each character of link or boilerplate text a wider root brings in costs this much prose
# (teasers whose linked title is a third of their text do not pay for themselves; at 2 they
# did, and the wider root brought in blocks that pruning does not see as link lists).
NOISE_COST = 3.0


def _widen(top: etree._Element, stats: Stats) -> etree._Element:
    """The ancestor of ``top`` (or ``top``) with the most prose net of noise brought in."""
    good, noise = stats.good, stats.noise

    def net(el: etree._Element) -> float:
        """Clean prose minus the cost of the link and boilerplate text."""
        return good.get(el, 0) - NOISE_COST * noise.get(el, 0)

    chosen, chosen_net = top, net(top)
    node = top.getparent()
    while node is not None and node.tag not in ("body", "html"):
        n = net(node)
        if n > chosen_net and stats.density(node) < 0.5:
            chosen, chosen_net = node, n
        node = node.getparent()
    return chosen


def _content_like(el: etree._Element, stats: Stats) -> bool:
    """A block of clean prose: real text, few links, no boilerplate."""
    t = stats.text.get(el, 0)
    return stats.good.get(el, 0) >= 80 and stats.noise.get(el, 0) < 0.2 * t


def _with_siblings(chosen: etree._Element, stats: Stats) -> etree._Element:
    """The parent of ``chosen`` (past wrappers and section titles) when its other children
    are blocks of clean prose too, or one is its twin: an article the site split across
    sibling containers, with a link grid or a banner between them that ``_widen`` would not
    pay for (``prune`` removes those)."""
    node = chosen
    text = stats.text
    parent = node.getparent()
    while (
        parent is not None
        and parent.tag not in ("body", "html")
        and (text.get(parent, 0) == text.get(node, 0) or _titled(node, parent, stats))
    ):
        node, parent = parent, parent.getparent()
    if parent is None or parent.tag in ("body", "html"):
        return chosen
    gain = sum(stats.good.get(c, 0) for c in parent if c is not node and _content_like(c, stats))
    if gain >= 0.25 * stats.good.get(chosen, 0) and gain >= 400:
        return parent
    return parent if _twin(node, parent, stats) else chosen


def _twin(node: etree._Element, parent: etree._Element, stats: Stats) -> bool:
    """True when a sibling of ``node`` is its twin (same tag and class) holding prose of its
    own: the site's editor split the body into like blocks ("rich-text" before and after a
    call to action), and the twin with many links is still the article's."""
    cls = node.get("class")
    if not cls:
        return False
    return any(
        c is not node
        and c.tag == node.tag
        and c.get("class") == cls
        and stats.good.get(c, 0) >= 200
        and stats.density(c) < 0.5
        for c in parent
    )


def _titled(node: etree._Element, parent: etree._Element, stats: Stats) -> bool:
    """True when ``parent`` is ``node`` under a heading: a document section whose other
    children are only its title."""
    others = [c for c in parent if c is not node and isinstance(c.tag, str)]
    return (
        bool(others)
        and all(c.tag in HEADINGS for c in others)
        and stats.text.get(parent, 0) - stats.text.get(node, 0) <= 150
    )


def _inside_unlikely_set(root: etree._Element, stats: Stats) -> set[etree._Element]:
    """Everything inside a nav/footer/aside-like element or a reader-comment section."""
    tops = [e for e in root.iter(*UNLIKELY_TAGS) if e is not root]
    tops.extend(stats.comments)
    inside: set[etree._Element] = set()
    for top in tops:
        inside.update(top.iterdescendants())
    return inside


def prune(
    root: etree._Element,
    rec: Recorder,
    title: str | None = None,
    stats: Stats | None = None,
    base: str | None = None,
) -> Stats:
    """Remove boilerplate blocks inside an article root (top-down, one look per element);
    return the measures used (they describe the root as it was before pruning). ``base``:
    the page's URL, to tell links to other sites.

    When what is left is still mostly link text (a menu whose items carried descriptions
    that went as boilerplate, leaving bare links), the root is measured again and pruned
    once more: a page that is not an article must not come out as a wall of links."""
    if stats is None or root not in stats.text:
        stats = Stats(root)
    dropped = _prune_pass(root, rec, title, stats, base)
    if dropped and _links_left(root, stats, dropped):
        _prune_pass(root, rec, title, Stats(root), base)
    return stats


def _prune_pass(
    root: etree._Element, rec: Recorder, title: str | None, stats: Stats, base: str | None
) -> list[etree._Element]:
    """One top-down pass of ``prune`` with ``stats`` as measured; returns the (outermost)
    elements removed."""
    removed: dict[str, list[str]] = {}
    share = max(400, stats.text.get(root, 0) * 0.4)
    gone: set[etree._Element] = set()
    dropped: list[etree._Element] = []
    for el in list(root.iter(etree.Element)):
        if el is root:
            continue
        if gone and el.getparent() in gone:
            gone.add(el)
            continue
        if el.tag in INLINE_TAGS or el in rec.protected:
            continue  # inline markup is never a block to prune
        why = _boilerplate_reason(el, title, share, stats, root, base)
        if why:
            removed.setdefault(why, []).append(sample_text(el) or f"<{el.tag}>")
            gone.add(el)
            dropped.append(el)
            drop(el)
    for why, texts in removed.items():
        rec.add(RULE_ID, why, why, texts)
    return dropped


def _links_left(root: etree._Element, stats: Stats, dropped: list[etree._Element]) -> bool:
    """Whether the root, less what a pass dropped, still holds ``LINKS_LEFT_MIN`` characters
    of text of which more than ``LINKS_LEFT_SHARE`` is link text (from the measures taken
    before the pass: no new walk)."""
    sums = stats.sums.get(root)
    if sums is None:
        return False
    text, links = sums[TEXT], sums[LINKS]
    for el in dropped:
        gone = stats.sums.get(el)
        if gone is not None:
            text -= gone[TEXT]
            links -= gone[LINKS]
    return text >= LINKS_LEFT_MIN and links > LINKS_LEFT_SHARE * text


# What is left after pruning, when it is this long and this much link text, is measured and
# pruned again. Articles in the corpora come out at 37% link text at most.
LINKS_LEFT_MIN = 500
LINKS_LEFT_SHARE = 0.6


def _many_links(el: etree._Element) -> bool:
    """Whether an element holds at least ``CELL_LINKS`` links to other pages (a code
    listing's line numbers link to its own lines)."""
    found = 0
    for a in el.iter("a"):
        if not (a.get("href") or "").startswith("#"):
            found += 1
            if found == CELL_LINKS:
                return True
    return False


# Links to other pages in a table cell that make it a block of links, not a data cell.
CELL_LINKS = 10


def _boilerplate_reason(
    el: etree._Element,
    title: str | None,
    share: float,
    stats: Stats,
    root: etree._Element,
    base: str | None = None,
) -> str | None:
    """Why an element inside the article root is boilerplate, or None to keep it.

    An element holding more than ``share`` characters of prose (not links) is kept whatever
    its tag or class says: broken markup nests articles inside <nav> or <button>.
    """
    tag = el.tag
    n = stats.text.get(el, 0)
    ld = stats.density(el)
    comments, gallery, author, weight, variant = _names(el.get("class"), el.get("id"))
    if comments:
        return "reader comments"
    if variant and _follows_a_variant(el):
        return "copy for another screen size"
    # A slideshow inside an article goes, unless it is what the page is (a photo story).
    if (
        gallery
        and tag in ("div", "section", "ul", "ol")
        and _is_gallery(el)
        and stats.good.get(root, 0) - stats.good.get(el, 0) >= 500
    ):
        return "photo gallery"
    if author and n < 2000 and n < stats.text.get(root, 0) * 0.3:
        return "author box"
    if n > share and ld < 0.5:
        return None
    if tag in UNLIKELY_TAGS:
        return f"<{tag}> inside the article"
    if tag == "article" and n < 1200 and _teaser_card(el):
        return "teaser card"
    if tag in ("h1", "h2") and title and n and element_text(el).casefold() == title.casefold():
        return "repeated title"
    if tag in KEEP_TAGS and tag not in ("ul", "ol", "dl"):
        return None
    if weight < 0 and not _contains_keep(el) and (n < 200 or ld > 0.35):
        return "class/id names boilerplate"
    # A layout table's cell can hold a whole sidebar (a tag cloud, an archive's links); a
    # data table's cell holds a link or a few.
    blocky = tag in ("ul", "ol", "div", "section", "table", "p", "dl") or (
        tag in ("td", "th") and _many_links(el)
    )
    if blocky and n and ld > 0.6 and (n < 400 or tag not in ("p", "table")):
        if not _has_media(el):
            if _article_links(el, root, stats):
                return None
            if tag in ("ul", "ol") and base and _citations(el, base):
                return None
            return "link-dense block"
    elif not n and tag in ("div", "section", "span", "p") and not _has_media(el) and _no_br(el):
        return "empty block"
    return None


# An author's bio card (WordPress author-box plugins, Elementor, themes): who wrote the piece,
# not the piece. The byline itself is in the reading document's header.
AUTHOR_BOX_RE = re.compile(
    r"author[-_]*(?:box|bio|card|info|profile|details|about|section|wrap)|"
    r"about[-_]?(?:the[-_]?)?author|saboxplugin-wrap|abh_box|bio-box|"
    r"contributor[-_]*(?:box|bio|card|wrap)|field-author\b",
    re.IGNORECASE,
)


def _names_author_box(cls: str | None, ident: str | None) -> bool:
    """Whether a class and id pair names an author bio card."""
    return _author_box(f"{cls or ''} {ident or ''}")


_author_box = case_insensitive_test(AUTHOR_BOX_RE)


# An introduction to a list ("Here's what has been done during the past months:").
INTRO_MIN = 30


def _article_list(el: etree._Element, stats: Stats) -> bool:
    """True for a list the article itself gives (or a block wrapping only such a list, as
    AsciiDoc's ``div.ulist``): between two paragraphs of prose, or after one that
    introduces it ("Here are the tools we used:"). A paragraph may have a wrapper of its
    own (``div.paragraph > p``)."""
    lst = _only_child(el, ("ul", "ol"))
    if lst is None or _contents_list(lst):
        return False
    # (Its siblings are those of the outermost block that wraps it alone.)
    up = el.getparent()
    while up is not None and _only_child(up, ("ul", "ol")) is lst:
        el, up = up, up.getparent()
    before, after = el.getprevious(), el.getnext()
    while before is not None and (not isinstance(before.tag, str) or before.tag in HEADINGS):
        before = before.getprevious()
    while after is not None and (not isinstance(after.tag, str) or after.tag in HEADINGS):
        after = after.getnext()
    intro = _only_child(before, ("p",))
    if intro is None:
        return False
    said = stats.good.get(intro, 0)
    introduces = element_text(intro).endswith(":")
    if said >= 80 and introduces:
        return True
    # A short introduction ("Many patches were sent for review:", its own words: it counts
    # for no prose in ``stats.good``) when prose follows the list too; at the article's end,
    # "If you liked this post you might also like:" opens related links.
    short = introduces and stats.text.get(intro, 0) - stats.links.get(intro, 0) >= INTRO_MIN
    if said < 80 and not short:
        return False
    outro = _only_child(after, ("p",))
    return outro is not None and stats.good.get(outro, 0) >= 80


def _article_links(el: etree._Element, root: etree._Element, stats: Stats) -> bool:
    """True for links the article itself gives: a list of them between its paragraphs or
    introduced by one (``_article_list``), an item or a part of such a list, or a block
    around one (a changelog's section: "Many patches were sent for review:" and its links).
    """
    if any(_article_list(lst, stats) for lst in el.iterdescendants("ul", "ol")):
        return True
    node: etree._Element | None = el
    while node is not None and node is not root:
        if node.tag in ("ul", "ol") and _article_list(node, stats):
            return True
        node = node.getparent()
    return False


# The share of a list's links that go to other sites for it to be the article's sources.
CITATIONS_SHARE = 0.5


def _citations(lst: etree._Element, base: str) -> bool:
    """True for a list of the article's sources or resources ("Search Engine Optimization
    Starter Guide - Google", "Course Book (pdf)"): most of its titled links (three words or
    more, or a written-out URL) go to other sites. A site's navigation and its related
    posts link to the site itself; store badges ("Google Play") are not titled."""
    try:
        here = site_of(urlsplit(base).netloc)
    except ValueError:
        return False
    titled = other = 0
    for a in lst.iter("a"):
        href = (a.get("href") or "").strip()
        words = element_text(a)
        if not href or href.startswith("#") or (len(words.split()) < 3 and "://" not in words):
            continue
        try:
            host = urlsplit(urljoin(base, href)).netloc
        except ValueError:
            continue
        titled += 1
        if host and site_of(host) != here:
            other += 1
    return titled >= 2 and other >= CITATIONS_SHARE * titled


def _contents_list(lst: etree._Element) -> bool:
    """True for a table of contents: a list whose links all go to places on this page."""
    hrefs = [a.get("href") or "" for a in lst.iter("a")]
    return bool(hrefs) and all(h.startswith("#") for h in hrefs)


def _only_child(el: etree._Element | None, tags: tuple[str, ...]) -> etree._Element | None:
    """``el`` when its tag is one of ``tags``, else the element of those tags it wraps alone
    (one element child at each level down, no text of its own), else None."""
    while el is not None:
        if el.tag in tags:
            return el
        kids = [c for c in el if isinstance(c.tag, str)]
        if len(kids) != 1 or (el.text and not el.text.isspace()):
            return None
        el = kids[0]
    return None


HEADINGS = frozenset(("h2", "h3", "h4", "h5", "h6"))


def _has_media(el: etree._Element) -> bool:
    """True for an image, or a block holding one outside links (thumbnails inside links are
    teasers, not article media)."""
    return el.tag == "img" or any(_unlinked(img, el) for img in el.iter("img"))


GALLERY_RE = re.compile(r"gallery|galeri|slideshow|carousel|slider|swiper|lightbox", re.I)


def _is_gallery(el: etree._Element) -> bool:
    """True for a slideshow widget: a gallery/carousel class or id over several pictures."""
    if not _names_gallery(el.get("class"), el.get("id")):
        return False
    return sum(1 for _ in el.iter("img", "picture")) >= 3 or sum(1 for _ in el.iter("li")) >= 5


@functools.lru_cache(maxsize=8192)
def _names(cls: str | None, ident: str | None) -> tuple[bool, bool, bool, int, bool]:
    """What a class and id pair says, for pruning (cached): a reader-comment section, a
    slideshow, an author bio card, the class/id weight, and a screen-size variant."""
    return (
        _names_comments(cls, ident),
        _names_gallery(cls, ident),
        _names_author_box(cls, ident),
        _names_weight(cls, ident),
        _is_variant(cls),
    )


# Framer renders the page once per breakpoint, each copy in a ``ssr-variant`` block that
# its CSS hides on the other screen sizes: without that CSS the article shows up to three
# times. The first copy is kept.
VARIANT_CLASS = "ssr-variant"


def _is_variant(cls: str | None) -> bool:
    """Whether a class attribute marks a screen-size variant block."""
    return bool(cls) and VARIANT_CLASS in str(cls).split()


def _follows_a_variant(el: etree._Element) -> bool:
    """Whether the element's previous sibling element is a screen-size variant too."""
    prev = el.getprevious()
    while prev is not None and not isinstance(prev.tag, str):
        prev = prev.getprevious()
    return prev is not None and _is_variant(prev.get("class"))


@functools.lru_cache(maxsize=4096)
def _names_gallery(cls: str | None, ident: str | None) -> bool:
    """Whether a class and id pair names a slideshow (cached: pages repeat the names)."""
    return _gallery(f"{cls or ''} {ident or ''}")


_gallery = case_insensitive_test(GALLERY_RE)


def _unlinked(img: etree._Element, top: etree._Element) -> bool:
    """True when no ``<a>`` between ``img`` and ``top`` wraps the image."""
    node = img.getparent()
    while node is not None and node is not top:
        if node.tag == "a":
            return False
        node = node.getparent()
    return top.tag != "a"


def _no_br(el: etree._Element) -> bool:
    """True when the element holds no line break."""
    return next(el.iterdescendants("br"), None) is None


def _contains_keep(el: etree._Element) -> bool:
    """True when the element holds a figure, table or formula that belongs to the article
    (MathJax's formula boxes carry a menu's class name)."""
    return next(el.iter("figure", "table", "pre", "math"), None) is not None


def _teaser_card(el: etree._Element) -> bool:
    """True for an ``<article>`` beside other ``<article>``s that links elsewhere and ends
    in a truncated excerpt ("… hampers on Tuesday, December 1..."): another story's card,
    not a section of this one (sections that are ``<article>``s end in full sentences)."""
    parent = el.getparent()
    if parent is None or sum(1 for c in parent if c.tag == "article") < 2:
        return False
    if next(el.iter("a"), None) is None:
        return False
    return element_text(el).rstrip(" ]").endswith(("...", "…"))
