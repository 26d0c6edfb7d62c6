"""The article's edges: the lines before its first paragraph that repeat what the reading
document's header shows (title, byline, date), and what follows its end (related posts,
author boxes, comment forms) from a trailer heading on.

Trailer headings are found on the whole page before the rule passes (which may remove the
headings themselves) and cut after the article root is chosen, so that the cut does not
change which root is chosen.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .actions import Recorder, drop, element_text, is_inside, sample_text
from .generic import RULE_ID
from .measure import (
    INLINE_TAGS,
    KEEP_TAGS,
    MORE_INLINE,
    Stats,
    link_density,
    prose_len,
    prose_len_under,
    prose_paragraphs,
    run_holders,
)
from .urls import site_of

TOKEN_RE = re.compile(r"\w+")

# Class and id names of byline and dateline blocks.
META_NAMES_RE = re.compile(
    r"byline|author|dateline|writtenby|posted-?on|post-?date|entry-?date|publish|timestamp|"
    r"read-?time|reading-?time|entry-meta|post-meta|article-meta|meta-?info|penulis|tanggal",
    re.IGNORECASE,
)
_MONTHS = (
    r"jan(?:uary|uari)?|feb(?:ruary|ruari)?|mar(?:ch|et)?|apr(?:il)?|ma[yi]|jun[ei]?|jul[iy]?|"
    r"aug(?:ust)?|agu(?:stus)?|sep(?:t|tember)?|o[ck]t(?:ober)?|nov(?:ember)?|de[cs](?:ember)?"
)
# A line that only says who wrote the article or when: "By Jo Smith", "Updated March 3,
# 2025", "5 min read", "Selasa, 23 Februari 2016 14:49 WIB".
META_LINE_RE = re.compile(
    rf"^(?:posted|published|updated|last updated|written by|reviewed by|"
    rf"fact[- ]checked by|medically reviewed by|penulis|reporter|editor)\b|"
    rf"\b\d+\s*(?:min(?:ute)?s?|menit)\s*(?:read|baca)\b|"
    rf"^\W*(?:\w+,?\s+)?\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{_MONTHS})\.?,?\s+\d{{4}}\b|"
    rf"^\W*(?:\w+,?\s+)?(?:{_MONTHS})\.?\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}\b|"
    rf"^\W*(?:\w+,?\s+)?\d{{1,4}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b",
    re.IGNORECASE,
)
# Lines of page chrome that open an article: a table of contents' title (its links are
# pruned), a view count, a share button's "Copied!", a way back to the blog.
LEAD_CHROME_RE = re.compile(
    r"(?:table of contents|contents|on this page|in this (?:article|post|guide)|"
    r"jump to|skip to content|daftar isi|\d[\d,.]*\s*[km]?\s*(?:views|reads|shares|dilihat)|"
    r"copied|link copied|back to (?:blog|all posts|articles|news)|edited by|reviewed by)"
    r"\W*",
    re.IGNORECASE,
)
# "By Jo Smith", "Oleh Ani": a capitalised name after it ("By the end of May, …" is prose).
BY_LINE_RE = re.compile(r"^(?:[Bb]y|BY|[Oo]leh|OLEH)\s+[A-ZÀ-ÞĀ-Ž]")
# Without any paragraph of prose in the root, only its first elements count as the lead.
LEAD_LIMIT = 40


def prune_lead(
    root: etree._Element,
    rec: Recorder,
    stats: Stats,
    title: str | None = None,
    byline: str | None = None,
    headline: str | None = None,
) -> None:
    """Remove the title (or the headline), byline and dateline lines before the root's first
    paragraph."""
    removed: list[str] = []
    skip: set[etree._Element] = set()
    # Only the first elements can be the lead (taken before any is dropped).
    for i, el in enumerate(list(itertools.islice(root.iter(), LEAD_LIMIT + 2))):
        if not isinstance(el.tag, str) or el is root:
            continue
        if (el.tag == "p" and prose_len(el)) or i > LEAD_LIMIT:
            break
        if el in skip or el.getparent() in skip:
            skip.add(el)
            continue
        if el in rec.protected:
            continue
        why = _lead_meta_reason(el, root, stats, byline, title, headline)
        if why:
            removed.append(sample_text(el))
            skip.add(el)
            drop(el)
    rec.add(RULE_ID, "title, byline or date line", "shown in the document header", removed)


def _lead_meta_reason(
    el: etree._Element,
    root: etree._Element,
    stats: Stats,
    byline: str | None,
    title: str | None,
    headline: str | None = None,
) -> str | None:
    """Why a short block before the article's first paragraph is its title, byline or
    dateline (the reading document shows them in its header), or None."""
    tag = el.tag
    if tag in ("h1", "h2") and (title or headline):
        heading = element_text(el)
        if (title and _same_title(heading, title)) or (headline and heading == headline):
            return "repeated title"
    if tag in HEADING_TAGS and LEAD_CHROME_RE.fullmatch(element_text(el)):
        return "page chrome"
    if tag in KEEP_TAGS:
        return None
    n = stats.text.get(el, 0)
    if not n or n > 120:
        return None
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if META_NAMES_RE.search(names) or el.get("rel") == "author":
        # Inline markup counts by its class ("<span class=date>"), never inside a heading.
        parent = el.getparent()
        if tag not in INLINE_TAGS or (parent is not None and parent.tag not in KEEP_TAGS):
            return "byline or dateline"
    if tag in INLINE_TAGS and el.getparent() is not root:
        return None  # inline markup inside a block; straight in the root it is a line
    text = element_text(el)
    if META_LINE_RE.search(text) or BY_LINE_RE.match(text):
        return "byline or dateline"
    if LEAD_CHROME_RE.fullmatch(text):
        return "page chrome"
    if byline and len(byline) >= 4 and byline.casefold() in text.casefold():
        return "byline or dateline"
    return None


def _same_title(heading: str, title: str) -> bool:
    """True when a heading repeats the page title, which may carry a site name or lose one
    ("Gardening Shows to Watch | Modern Farmer"): most of the heading's words are in it."""
    words = TOKEN_RE.findall(heading.casefold())
    if not words:
        return False
    have = set(TOKEN_RE.findall(title.casefold()))
    return sum(w in have for w in words) >= 0.75 * len(words) and len(words) >= 0.5 * len(have)


# Headings that open what follows an article: related links, author boxes, sharing, comment
# forms and newsletter boxes (English and Indonesian), matched against a whole short block.
TRAILER_RE = re.compile(
    r"(?:related(?: blog)?(?: (?:posts?|articles?|stories|reads|content|news|links|reading|"
    r"topics|resources|guides|insights))?|"
    r"(?:(?:more |other )?(?:posts|articles|stories|recipes) )?(?:more )?"
    r"you (?:might|may|will) (?:also )?(?:like|love|enjoy|be interested in)|"
    r"(?:latest|more) insights|(?:previous|next) (?:post|article|story)|"
    r"(?:was|did you find) this (?:article|page|post|content|information) helpful\??|"
    r"share this (?:article|post|story|content|page)|"
    r"browse related (?:articles|posts|stories)|"
    r"(?:more|others?) (?:from|on|in|by) .{1,40}|"
    r"more (?:stories|articles|posts|news|to explore|to read|like this|reading|for you)|"
    r"read next|"
    r"recommended(?: for you| reading| articles| stories| posts)?|"
    r"(?:most )?popular(?: posts| articles| stories| now| news| videos| photos)?|"
    r"(?:latest|recent) (?:news|posts|articles|stories|blogs?)|trending(?: now| stories)?|"
    r"keep reading|what to read next|(?:don'?t|do not) miss|up next|"
    r"about the (?:authors?|reviewers?|writer)|author bio|meet the (?:authors?|team)|"
    r"written by\b.{0,40}|how we reviewed this article|article sources|"
    r"like this|leave a (?:reply|comment)|"
    r"\d+ (?:comments?|responses?|replies)|comments?|join the (?:discussion|conversation)|"
    r"berita (?:terkait|lainnya|terpopuler|pilihan|terkini)|artikel (?:terkait|lainnya)|"
    r"(?:baca|lihat|simak) (?:juga|pula)|jangan lewatkan|terpopuler|"
    r"(?:berita|video|foto|topik) (?:terbaru|populer|pilihan|terkait|lainnya)|"
    r"rekomendasi(?: untuk anda)?|tulis komentar|komentar)"
    r"\s*[:!.…»›>-]*",
    re.IGNORECASE,
)
HEADING_TAGS = frozenset(("h1", "h2", "h3", "h4", "h5", "h6"))
# Where a trailer heading can be (besides paragraphs of prose, counted on the way).
MARKER_TAGS = (
    *HEADING_TAGS,
    "p",
    "div",
    "span",
    "strong",
    "b",
    "em",
    "header",
    "label",
    "dt",
    "li",
    "section",
    "font",
)
# The share of the page's paragraph prose that must come before such a heading.
TRAILER_AFTER = 0.75


Trailer = tuple[etree._Element, int]


def find_trailers(body: etree._Element, paras: list[tuple[etree._Element, int]]) -> list[Trailer]:
    """Trailer headings ("Related posts", "About the author", "Leave a reply" …) that come
    after most of the article's main run of paragraphs, each with the prose before it
    (``paras``: the page's paragraphs of prose, from ``measure.prose_paragraphs``).

    They are found on the whole page before the rule passes (which may remove the headings
    themselves) and cut after the article root is chosen (``cut_trailers``), so that the
    cut does not change which root is chosen.
    """
    # The article's main run: the parent (or wrapper, see ``measure.run_holders``) whose
    # paragraphs hold the most prose. Prose counts where paragraphs run together (two or more
    # under one parent): an author bio or a teaser's summary after the end is a lone paragraph.
    holders, per_holder = run_holders(paras)
    if not per_holder:
        return []
    main = max(per_holder, key=lambda k: per_holder[k])
    total = per_holder[main]
    if total < 400:
        return []
    running = [0]
    for h, (_, n) in zip(holders, paras, strict=True):
        running.append(running[-1] + (n if h is main else 0))
    # A heading counts only after this many paragraphs of prose (the tests below are pure,
    # so headings before it are not looked at).
    start = next(i for i, r in enumerate(running) if r >= total * TRAILER_AFTER)
    markers: list[Trailer] = []
    prose = {p for p, _ in paras}
    seen = 0
    for el in body.iter(*MARKER_TAGS):
        tag = el.tag
        if el in prose:
            seen += 1
            continue
        if seen < start:
            continue
        if tag in HEADING_TAGS:
            text = element_text(el)
        elif len(el) == 0 and el.text:
            text = el.text.strip()
        else:
            continue
        if text and len(text) <= 60 and TRAILER_RE.fullmatch(text):
            # Inline markup is a heading only when it is all its block says ("<p><b>Related:
            # </b><a>…</a></p>" is a link inside the article).
            if tag in INLINE_TAGS and not _stands_alone(el, text):
                continue
            if _article_goes_on(el if tag not in INLINE_TAGS else el.getparent()):
                continue
            markers.append((el, running[seen]))
    return markers


def cut_trailers(root: etree._Element, trailers: list[Trailer], rec: Recorder) -> None:
    """Remove what follows the article's end inside ``root``: from each trailer heading still
    in it, every later element inside the smallest block holding the heading and the article.
    """
    removed: list[str] = []
    for marker, before in trailers:
        if marker is not root and is_inside(marker, root):
            _cut_after(marker, root, before, rec, removed)
    rec.add(RULE_ID, "trailer heading", "what follows the article's end", removed)


def _article_goes_on(block: etree._Element | None) -> bool:
    """True when paragraphs of prose follow the heading's block, or the box holding it (up
    to three levels), as its siblings: the article goes on after it (a trailer section holds
    lists and cards; at most one bio paragraph). A "Related" box set into the article's
    last part is not its end."""
    if block is None:
        return True
    for _ in range(3):
        count = 0
        for sib in block.itersiblings():
            if sib.tag == "p" and prose_len(sib):
                count += 1
                if count >= 2:
                    return True
            elif sib.tag == "table" and _data_table(sib):
                return True
        up = block.getparent()
        if up is None or up.tag in ("body", "html"):
            break
        block = up
    return False


def _data_table(table: etree._Element) -> bool:
    """A table of the article's data (not a grid of links): text, few links."""
    text = len(element_text(table))
    return text >= 300 and link_density(table, text) < 0.35


def _stands_alone(el: etree._Element, text: str) -> bool:
    """True when inline markup acts as a heading: it is all its block says, or a block
    (a list, a rule, a box) follows it rather than more inline text."""
    parent = el.getparent()
    if parent is None or parent.tag in ("a", "button"):
        return False
    if element_text(parent) == text:
        return True
    if (el.tail or "").strip():
        return False
    nxt = el.getnext()
    return nxt is not None and nxt.tag not in INLINE_TAGS and nxt.tag not in MORE_INLINE


def _cut_after(
    marker: etree._Element, body: etree._Element, before: int, rec: Recorder, removed: list[str]
) -> None:
    """Remove ``marker`` and what follows it, up to the first ancestor that holds article
    prose (``before`` characters of it came before the marker)."""
    node = marker
    while node is not body:
        parent = node.getparent()
        if parent is None:
            break
        for sib in list(node.itersiblings()):
            if isinstance(sib.tag, str) and sib not in rec.protected:
                removed.append(sample_text(sib) or f"<{sib.tag}>")
                drop(sib)
        if parent in rec.protected or prose_len_under(parent) > before * 0.5:
            break
        node = parent
    if marker not in rec.protected:
        removed.append(sample_text(marker))
        drop(marker)


# What a reader sees as content without text of its own.
MEDIA_TAGS = frozenset(
    ("img", "picture", "video", "audio", "iframe", "embed", "object", "svg", "canvas", "table")
)
END_HEADINGS_MAX = 3


def drop_end_headings(root: etree._Element, rec: Recorder) -> None:
    """Remove headings left at the article's very end with nothing after them to head (a
    widget's title whose widget went: "Popular Photos", "Further reading"), while other
    content comes before them."""
    removed: list[str] = []
    for _ in range(END_HEADINGS_MAX):
        last = _last_content(root)
        heading = _heading_of(last, root) if last is not None else None
        if heading is None or heading in rec.protected or not _content_before(heading, root):
            break
        removed.append(sample_text(heading))
        drop(heading)
    rec.add(RULE_ID, "heading at the end", "heads nothing", removed)


def _last_content(root: etree._Element) -> etree._Element | None:
    """The element holding the last text or media under ``root`` (an element for its own
    text, its parent for its tail), or None when it shows nothing."""
    # Depth first from the end, one frame per open element (no recursion: pages nest deep).
    stack = [(root, reversed(root))]
    while stack:
        el, kids = stack[-1]
        child = next(kids, None)
        if child is None:
            stack.pop()
            if el.tag in MEDIA_TAGS or (el.text and not el.text.isspace()):
                return el
            continue
        if child.tail and not child.tail.isspace():
            return el
        if isinstance(child.tag, str):
            stack.append((child, reversed(child)))
    return None


def _heading_of(el: etree._Element, root: etree._Element) -> etree._Element | None:
    """The heading holding ``el`` (text, not media) inside ``root``, or None."""
    node: etree._Element | None = el
    while node is not None and node is not root:
        if node.tag in MEDIA_TAGS:
            return None
        if node.tag in HEADING_TAGS:
            return node
        node = node.getparent()
    return None


def _content_before(heading: etree._Element, root: etree._Element) -> bool:
    """True when text or media outside any heading comes before ``heading`` in ``root``."""
    in_headings: set[etree._Element] = set()
    for h in root.iter(*HEADING_TAGS):
        in_headings.update(h.iter())
    for el in root.iter():
        if el is heading:
            return False
        tail = el.tail
        if tail and el is not root and not tail.isspace() and el.getparent() not in in_headings:
            return True
        if el in in_headings or not isinstance(el.tag, str):
            continue
        if el.tag in MEDIA_TAGS or (el.text and not el.text.isspace()):
            return True
    return False


def cut_card_grids(
    root: etree._Element, rec: Recorder, base: str | None, index: bool = True
) -> None:
    """Remove grids of teaser cards after the article's last paragraph: blocks of two or more
    like children that each hold a card, a heading that is all one link to another page of
    the same site, with at most a short summary ("More wedding ideas" without its heading).
    Roundups link their headings to other sites, and FAQ headings link within the page.
    On an index page every teaser goes instead (see ``cut_index``): ``index`` says the page
    may be one (its metadata does not declare an article)."""
    if not base:
        return
    if index and cut_index(root, rec, base):
        return
    removed: list[str] = []
    for sib in _after_article(root):
        grids: list[etree._Element] = []
        for el in sib.iter(etree.Element):
            if not any(is_inside(el, g) for g in grids) and _card_grid(el, base):
                grids.append(el)
        for grid in grids:
            removed.append(sample_text(grid))
            drop(grid)
    rec.add(RULE_ID, "teaser grid", "cards of other stories after the article", removed)


def _after_article(root: etree._Element) -> Iterator[etree._Element]:
    """The blocks after the last paragraph of the article's main run of prose: the elements
    after it and after each of its ancestors inside ``root``, nearest first (each level's
    taken before the caller changes it)."""
    paras = prose_paragraphs(root)
    if not paras:
        return
    holders, per = run_holders(paras)
    main = max(per, key=lambda k: per[k])
    node = [p for h, (p, _) in zip(holders, paras, strict=True) if h is main][-1]
    while node is not root:
        parent = node.getparent()
        if parent is None:
            return
        yield from list(node.itersiblings(etree.Element))
        node = parent


# An author's card: the author's name linked to their page, a job title, a short bio.
AUTHOR_CARD_TEXT = 1200
# Separators between the authors of a byline ("A and B", "A, B & C").
_AUTHORS_SPLIT_RE = re.compile(r"\s*(?:,|&|\band\b|\bdan\b)\s*")


def cut_author_cards(root: etree._Element, rec: Recorder, byline: str | None) -> None:
    """Remove the author's card after the article's last paragraph: around a link whose
    text is a name of the byline (and all its parent's: a line of its own), the largest
    block that does not reach back into the article and says at most ``AUTHOR_CARD_TEXT``
    (the name, a job title, a bio). The byline is in the reading document's header."""
    names = _author_names(byline)
    if not names:
        return
    cards: list[etree._Element] = []
    for sib in _after_article(root):
        level = sib.getparent()
        for a in sib.iter("a"):
            name = " ".join(element_text(a).casefold().split())
            # (On a line of its own: not a company named in a sentence.)
            if name not in names or element_text(a.getparent()).casefold() != name:
                continue
            card = a
            up = card.getparent()
            while up is not None and up is not level and len(element_text(up)) <= AUTHOR_CARD_TEXT:
                card, up = up, up.getparent()
            if not any(is_inside(card, c) for c in cards):
                cards.append(card)
    removed = [sample_text(card) for card in cards]
    for card in cards:
        drop(card)
    rec.add(RULE_ID, "author card", "the author's card after the article", removed)


def _author_names(byline: str | None) -> set[str]:
    """The names in a byline (of two words or more), casefolded."""
    if not byline:
        return set()
    parts = (" ".join(p.split()).casefold() for p in _AUTHORS_SPLIT_RE.split(byline))
    return {p for p in parts if 2 <= len(p.split()) <= 5}


# A number of four digits or more in a URL's path: a date or an article id.
_URL_NUMBER_RE = re.compile(r"\d{4,}")


def _article_url(url: str) -> bool:
    """True for a URL shaped like an article's: a date or an id in its path, or a last
    segment that is a slug of three words or more ("/2025/11/nyc-michelin-2025/",
    "/best-gps-watch"); an index's is short ("/", "/news/", "/category/tech/page/2")."""
    try:
        path = urlsplit(url).path
    except ValueError:
        return False
    segments = [s for s in path.split("/") if s]
    if not segments:
        return False
    if _URL_NUMBER_RE.search(path):
        return True
    slug = re.sub(r"\.\w+$", "", segments[-1])
    return len([w for w in re.split(r"[-_+]+", slug) if w]) >= 3


# An index page shows several teasers (a blog's page of six posts), which hold most of its
# text (a few topic cards, or cards beside more text of the page's own, are an article's).
INDEX_CARDS = 6
INDEX_SHARE = 0.5


def cut_index(root: etree._Element, rec: Recorder, base: str) -> bool:
    """On an index page (a home page, a section front, an archive), remove every teaser of
    another page and return True; else change nothing and return False.

    A teaser is a title (a link of three words or more to another page of the site, which
    is a whole heading or opens its block; or an unlinked heading beside an image link)
    with what goes with it: the largest block around it that holds no other page's title
    and says at most ``CARD_TEXT``, and, when that is not a whole card, the siblings after
    it up to the next title or heading (a summary, a time). A page is an index when its URL
    is not an article's (``_article_url``) and it shows ``INDEX_CARDS`` teasers or more,
    holding ``INDEX_SHARE`` of its text or more: the result is what the page says besides
    its list of other pages (a section's title, its introduction), not a wall of teasers."""
    if _article_url(base):
        return False
    heads = _teaser_titles(root, base)
    if len(set(heads.values())) < INDEX_CARDS:
        return False
    # Per block, the pages whose titles it holds.
    pages: dict[etree._Element, set[str]] = {}
    for head, url in heads.items():
        node: etree._Element | None = head
        while node is not None:
            pages.setdefault(node, set()).add(url)
            if node is root:
                break
            node = node.getparent()
    teasers: list[etree._Element] = []
    for head in heads:
        if any(is_inside(head, t) for t in teasers):
            continue
        unit = head
        parent = unit.getparent()
        while (
            parent is not None
            and parent is not root
            and len(pages[parent]) == 1
            and len(element_text(parent)) <= CARD_TEXT
        ):
            unit, parent = parent, parent.getparent()
        teasers.append(unit)
        if parent is None or len(pages[parent]) == 1:
            continue
        # A title without its card: its summary and time are the siblings after it.
        size = len(element_text(unit))
        for sib in unit.itersiblings(etree.Element):
            if sib in pages or sib.tag in HEADING_TAGS:
                break
            size += len(element_text(sib))
            if size > CARD_TEXT:
                break
            teasers.append(sib)
    said = sum(len(element_text(t)) for t in teasers)
    if said < INDEX_SHARE * len(element_text(root)):
        return False
    texts = [sample_text(t) for t in teasers]
    for t in teasers:
        drop(t)
    rec.add(RULE_ID, "teaser index", "an index page's teasers of other pages", texts)
    return True


def _teaser_titles(root: etree._Element, base: str) -> dict[etree._Element, str]:
    """The titles of other pages of the site under ``root``, each with the page's URL, in
    document order: a heading that is all one link, a link that opens its block (a list
    item, a table cell, a line), and a heading without a link whose card's image links to
    the page."""
    out: dict[etree._Element, str] = {}
    # Each block's text, read once however many links it holds.
    texts: dict[etree._Element, str] = {}
    for a in root.iter("a"):
        href = a.get("href")
        if not _same_site(href, base):
            continue
        url = urljoin(base, (href or "").strip()).split("#")[0]
        words = element_text(a)
        if not words:
            if next(a.iter("img", "picture"), None) is not None:
                heading = _card_heading(a)
                if heading is not None:
                    out.setdefault(heading, url)
            continue
        if len(words.split()) < 3:
            continue
        node = a.getparent()
        while node is not None and node.tag in INLINE_TAGS | MORE_INLINE:
            node = node.getparent()
        if node is None:
            continue
        said = texts.get(node)
        if said is None:
            said = texts[node] = element_text(node)
        if node.tag in HEADING_TAGS:
            if said == words:
                out.setdefault(node, url)
        elif said.startswith(words):
            out.setdefault(a, url)
    # (Document order: an image link's heading is found before links that come earlier.)
    # Only titles inside the root: not the root itself (a page whose article is one unclosed
    # link), nor a card's heading above it.
    order = {el: i for i, el in enumerate(root.iter(etree.Element)) if el in out and el is not root}
    return dict(sorted(((el, out[el]) for el in order), key=lambda kv: order[kv[0]]))


def _card_heading(link: etree._Element) -> etree._Element | None:
    """The one heading without links (of three words or more) in the card an image link
    opens: among the link's parent and grandparent, the nearest that holds headings."""
    node = link.getparent()
    for _ in range(2):
        if node is None:
            return None
        headings = [h for h in node.iter(*CARD_HEADINGS) if element_text(h)]
        if headings:
            only = headings[0]
            if (
                len(headings) == 1
                and next(only.iter("a"), None) is None
                and len(element_text(only).split()) >= 3
            ):
                return only
            return None
        node = node.getparent()
    return None


# A teaser card's text: its linked heading and a summary of a few lines.
CARD_TEXT = 600


def _card_grid(el: etree._Element, base: str) -> bool:
    """True for a block of two or more children of one tag that each hold a teaser card."""
    kids = list(el.iterchildren(etree.Element))
    if len(kids) < 2 or any(k.tag != kids[0].tag for k in kids):
        return False
    return all(_holds_a_card(k, base) for k in kids)


def _holds_a_card(el: etree._Element, base: str) -> bool:
    """True for a teaser card, or a wrapper around one (single children down to it)."""
    node: etree._Element | None = el
    while node is not None:
        if _is_card(node, base):
            return True
        kids = list(node.iterchildren(etree.Element))
        node = kids[0] if len(kids) == 1 else None
    return False


def _is_card(el: etree._Element, base: str) -> bool:
    """True when the block's first heading that is all one link (a kicker above it, such as
    "Opinion", is not) goes to another page of the site (of ``base``, the page's URL), and
    the block says little more."""
    text = element_text(el)
    if not text or len(text) > CARD_TEXT:
        return False
    for heading in el.iter(*CARD_HEADINGS):
        words = element_text(heading)
        if not words:
            continue
        links = [a for a in heading.iter("a") if element_text(a) == words]
        up = heading.getparent()
        if not links and up is not None and up.tag == "a":
            links = [up]
        if links:
            return any(_same_site(a.get("href"), base) for a in links)
    return False


CARD_HEADINGS = ("h2", "h3", "h4", "h5", "h6")


def _same_site(href: str | None, base: str) -> bool:
    """True for a link to another page of the site of ``base`` (the page's URL): not a
    fragment of this page, not the home page, not another site."""
    if not href:
        return False
    try:
        url = urljoin(base, href.strip())
        parts, here = urlsplit(url), urlsplit(base)
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not parts.path.strip("/"):
        return False
    if url.split("#")[0] == base.split("#")[0]:
        return False
    return site_of(parts.netloc) == site_of(here.netloc)
