"""Site-independent content detection and boilerplate pruning.

``find_content`` scores text blocks the way Readability does (paragraph text
length and commas, propagated to ancestors, scaled by link density and by a
class/id vocabulary in English and Indonesian) and returns the article root.
``prune`` then removes what inside that root is not article: link-dense blocks,
blocks whose class/id says boilerplate, forms and empty wrappers.
"""

from __future__ import annotations

import functools
import re

from lxml import etree

from .actions import Recorder, drop, element_text

RULE_ID = "builtin:generic"

POSITIVE_RE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|"
    r"isi|berita|artikel|konten|read__content|itp_bodycontent|caption|figure",
    re.IGNORECASE,
)
NEGATIVE_RE = re.compile(
    r"-ad-|^ad-|-ads\b|\bads?\b|adsense|advert|banner|breadcrumb|combx|comment|komentar|"
    r"com-|contact|footer|footnote|gdpr|cookie|masthead|media-share|meta|outbrain|taboola|"
    r"promo|related|terkait|lainnya|baca-?juga|recommend|rekomendasi|populer|popular|"
    r"terpopuler|trending|share|bagikan|shoutbox|sidebar|skyscraper|sponsor|"
    r"shopping|social|sosmed|subscribe|newsletter|tags?\b|tool|widget|nav|menu|"
    r"follow|login|signup|pagination|paging|iklan|rubrik|indeks",
    re.IGNORECASE,
)
UNLIKELY_TAGS = {
    "nav",
    "footer",
    "aside",
    "form",
    "button",
    "select",
    "input",
    "textarea",
    "iframe",
    "object",
    "embed",
    "svg",
    "canvas",
    "noscript",
    "script",
    "style",
    "template",
    "dialog",
    "menu",
}
PARA_TAGS = {"p", "pre", "td", "blockquote", "li", "h2", "h3", "dd"}
INLINE_TAGS = frozenset(
    [
        "a",
        "abbr",
        "b",
        "bdi",
        "bdo",
        "cite",
        "code",
        "data",
        "dfn",
        "em",
        "i",
        "kbd",
        "mark",
        "q",
        "s",
        "samp",
        "small",
        "span",
        "strong",
        "sub",
        "sup",
        "time",
        "u",
        "var",
    ]
)
KEEP_TAGS = {
    "figure",
    "figcaption",
    "table",
    "pre",
    "blockquote",
    "img",
    "picture",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "code",
    "ol",
    "ul",
    "dl",
}


# Names of reader-comment sections (WordPress, Disqus, Slashdot, Genesis, Indonesian sites):
# readers' comments are never the article, however much prose they hold.
COMMENTS_RE = re.compile(
    r"(?<![\w-])(?:comments?|comment-?list|comments?-(?:area|section|wrapper|container|list)|"
    r"commentlisting|entry-comments|disqus_thread|komentar|reader-interactions)(?![\w-])",
    re.IGNORECASE,
)


def is_comments(el: etree._Element) -> bool:
    """True when the element's class or id names a reader-comment section."""
    return _names_comments(el.get("class"), el.get("id"))


@functools.lru_cache(maxsize=4096)
def _names_comments(cls: str | None, ident: str | None) -> bool:
    """Whether a class and id pair names a comment section (cached)."""
    return any(v and COMMENTS_RE.search(v) for v in (cls, ident))


# A block's loose text counts as prose from this many characters (labels, dates, buttons and
# one-line teasers are shorter).
PROSE_MIN = 80
MORE_INLINE = frozenset(
    ("a", "font", "br", "wbr", "label", "del", "ins", "nobr", "big", "tt", "img")
)


class Stats:
    """Text lengths of every element of a subtree, computed in one bottom-up pass.

    ``text``: normalised text length; ``links``: the part inside ``<a>``; ``good``: text that
    is neither in a link nor under a nav/aside/footer-like tag or a boilerplate class/id.
    Values describe the tree as it was when computed (callers work top-down, so an element
    is looked at before anything inside it is removed).
    """

    def __init__(self, root: etree._Element) -> None:
        """Measure ``root`` and everything under it."""
        self.text: dict[etree._Element, int] = {}
        self.links: dict[etree._Element, int] = {}
        self.good: dict[etree._Element, int] = {}
        self.noise: dict[etree._Element, int] = {}
        self.commas: dict[etree._Element, int] = {}
        # Reader-comment sections with text (their class/id is negative too).
        self.comments: list[etree._Element] = []
        text, links, good, noise = self.text, self.links, self.good, self.noise
        commas = self.commas
        # Text (and link text) of an inline element, owed to the block that holds it.
        loose: dict[etree._Element, tuple[int, int]] = {}
        order = [e for e in root.iter() if isinstance(e.tag, str)]
        text_get, links_get, good_get = text.get, links.get, good.get
        noise_get, commas_get = noise.get, commas.get
        # Whitespace-only runs (indentation between tags) are the common case: skipped early.
        for el in reversed(order):
            value = el.text
            if value and not value.isspace():
                own = _chunk(value)
                cm = value.count(",") + value.count("،") if "," in value or "،" in value else 0
            else:
                own = cm = 0
            t, lk, g, lt, ll, nz = own, 0, 0, own, 0, 0
            for child in el:
                value = child.tail
                if value and not value.isspace():
                    tail = _chunk(value)
                    if "," in value or "،" in value:
                        cm += value.count(",") + value.count("،")
                    t += tail
                    lt += tail
                cm += commas_get(child, 0)
                t += text_get(child, 0)
                lk += links_get(child, 0)
                g += good_get(child, 0)
                nz += noise_get(child, 0)
                if child in loose:
                    ct, cl = loose[child]
                    lt += ct
                    ll += cl
            tag = el.tag
            if tag == "a":
                lk, ll, nz = t, lt, t
            if tag in INLINE_TAGS or tag in MORE_INLINE:
                loose[el] = (lt, ll)
            elif lt >= PROSE_MIN and ll < lt * 0.35:
                # A block's own run of prose: its loose text, links excluded.
                g += lt - ll
            if tag in UNLIKELY_TAGS:
                g, nz = 0, t
            elif (g or nz < t) and _negative(el):
                g, nz = 0, t
                if is_comments(el):
                    self.comments.append(el)
            text[el], links[el], good[el], noise[el], commas[el] = t, lk, g, nz, cm

    def density(self, el: etree._Element) -> float:
        """Share of the element's text inside links (0 for an element without text)."""
        t = self.text.get(el, 0)
        return min(1.0, self.links.get(el, 0) / t) if t else 0.0


def _commas(value: str | None) -> int:
    """Commas (Latin and Arabic) in a text run."""
    return value.count(",") + value.count("،") if value else 0


def _chunk(value: str | None) -> int:
    """Length of a text run with whitespace runs counted as one space (0 for blank)."""
    if not value:
        return 0
    n = len(" ".join(value.split()))
    # A space at either edge separates words from the neighbouring element's text.
    return n + (value[0].isspace()) + (value[-1].isspace()) if n else 0


def _negative(el: etree._Element) -> bool:
    """True when an element's class/id names boilerplate and nothing article-like."""
    return class_weight(el) < 0


# Page-builder class names (Elementor, Gutenberg, Divi, WPBakery, Beaver Builder, HubSpot)
# say how a block is laid out, not what it holds: "elementor-widget-text-editor" is article
# text, and so is HubSpot's "widget-span widget-type-rich_text".
CMS_RE = re.compile(
    r"(?<![\w-])(?:elementor|wp-block|et_pb|vc_|fl-|hs_cos_wrapper|hs-|widget-span|"
    r"widget-type)[\w-]*"
)


def class_weight(el: etree._Element) -> int:
    """Readability's class/id weight: -25 for boilerplate words, +25 for content words."""
    return _names_weight(el.get("class"), el.get("id"))


@functools.lru_cache(maxsize=8192)
def _names_weight(cls: str | None, ident: str | None) -> int:
    """The weight of a class and id pair (cached: pages repeat the same names)."""
    weight = 0
    for value in (cls, ident):
        if not value:
            continue
        value = CMS_RE.sub(" ", value)
        # A case-insensitive regex costs a microsecond per search: ASCII names are searched
        # lower-cased with case-sensitive copies (the same matches while both patterns are
        # written in lower case).
        if value.isascii():
            value = value.lower()
            negative, positive = _NEGATIVE_LOWER, _POSITIVE_LOWER
        else:
            negative, positive = NEGATIVE_RE, POSITIVE_RE
        if negative.search(value):
            weight -= 25
        if positive.search(value):
            weight += 25
    return weight


_NEGATIVE_LOWER = re.compile(NEGATIVE_RE.pattern)
_POSITIVE_LOWER = re.compile(POSITIVE_RE.pattern)


def link_density(el: etree._Element, text_len: int | None = None) -> float:
    """Share of an element's text that sits inside links."""
    total = text_len if text_len is not None else len(element_text(el))
    if total == 0:
        return 0.0
    linked = sum(len(element_text(a)) for a in el.iter("a"))
    return min(1.0, linked / total)


def _initial_score(el: etree._Element) -> float:
    """Base score of a candidate container by its tag and class/id."""
    tag = el.tag
    base = {
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
    }.get(str(tag), 0)
    return base + class_weight(el)


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
    for el in root.iter(*PARA_TAGS, "div"):
        if el.tag == "div" and any(
            isinstance(c.tag, str) and c.tag in ("p", "div", "table", "ul", "section", "article")
            for c in el
        ):
            own = (el.text or "") + "".join(c.tail or "" for c in el)
            if len(own.strip()) < 25:
                continue
            text = " ".join(own.split())
            length, commas = len(text), _commas(text)
        else:
            length, commas = stats.text.get(el, 0), stats.commas.get(el, 0)
        if length < 25 or el in inside:
            continue
        score = 1.0 + commas + min(length / 100.0, 3.0)
        node = el.getparent()
        level = 0
        while node is not None and level < 3 and isinstance(node.tag, str):
            if node not in scores:
                scores[node] = _initial_score(node)
            scores[node] += score / (1, 2, 3)[level]
            node = node.getparent()
            level += 1
    best: tuple[float, etree._Element] | None = None
    for el, score in scores.items():
        if el.tag in ("html", "body"):
            continue
        final = score * (1.0 - stats.density(el))
        if best is None or final > best[0]:
            best = (final, el)
    if best is None or best[0] <= 0 or stats.density(best[1]) > 0.5:
        return None
    return _widen(best[1], stats)


def _article_body(root: etree._Element, stats: Stats) -> etree._Element | None:
    """The one element the page marks as the article body (schema.org ``articleBody``
    microdata) when it holds real prose, else None."""
    found = [
        e
        for e in root.xpath(".//*[@itemprop]")
        if "articlebody" in str(e.get("itemprop")).casefold().split()
    ]
    if len(found) != 1:
        return None
    el = found[0]
    if stats.good.get(el, 0) < 400 or stats.density(el) > 0.5:
        return None
    return el


# Each character of link or boilerplate text a wider root brings in costs this much prose.
NOISE_COST = 2.0


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


def _inside_unlikely_set(root: etree._Element, stats: Stats) -> set[etree._Element]:
    """Everything inside a nav/footer/aside-like element or a reader-comment section."""
    tops = [e for e in root.iter(*UNLIKELY_TAGS) if e is not root]
    tops.extend(stats.comments)
    inside: set[etree._Element] = set()
    for top in tops:
        inside.update(top.iterdescendants())
    return inside


def prune(
    root: etree._Element, rec: Recorder, title: str | None = None, stats: Stats | None = None
) -> Stats:
    """Remove boilerplate blocks inside an article root (top-down, one look per element);
    return the measures used (they describe the root as it was before pruning)."""
    if stats is None or root not in stats.text:
        stats = Stats(root)
    removed: dict[str, list[str]] = {}
    share = max(400, stats.text.get(root, 0) * 0.4)
    gone: set[etree._Element] = set()
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str):
            continue
        if el.getparent() in gone:
            gone.add(el)
            continue
        if el.tag in INLINE_TAGS or el in rec.protected:
            continue  # inline markup is never a block to prune
        why = _boilerplate_reason(el, title, share, stats, root)
        if why:
            removed.setdefault(why, []).append(element_text(el) or f"<{el.tag}>")
            gone.add(el)
            drop(el)
    for why, texts in removed.items():
        rec.add(RULE_ID, why, why, texts)
    return stats


def _boilerplate_reason(
    el: etree._Element, title: str | None, share: float, stats: Stats, root: etree._Element
) -> str | None:
    """Why an element inside the article root is boilerplate, or None to keep it.

    An element holding more than ``share`` characters of prose (not links) is kept whatever
    its tag or class says: broken markup nests articles inside <nav> or <button>.
    """
    tag = el.tag
    n = stats.text.get(el, 0)
    ld = stats.density(el)
    if is_comments(el):
        return "reader comments"
    # A slideshow inside an article goes, unless it is what the page is (a photo story).
    if (
        tag in ("div", "section", "ul", "ol")
        and _is_gallery(el)
        and stats.good.get(root, 0) - stats.good.get(el, 0) >= 500
    ):
        return "photo gallery"
    if n > share and ld < 0.5:
        return None
    if tag in UNLIKELY_TAGS:
        return f"<{tag}> inside the article"
    if tag in ("h1", "h2") and title and n and element_text(el).casefold() == title.casefold():
        return "repeated title"
    if tag in KEEP_TAGS and tag not in ("ul", "ol", "dl"):
        return None
    # Thumbnails inside links are teasers, not article media.
    has_media = tag == "img" or any(_unlinked(img, el) for img in el.iter("img"))
    weight = class_weight(el)
    if weight < 0 and not _contains_keep(el) and (n < 200 or ld > 0.35):
        return "class/id names boilerplate"
    blocky = tag in ("ul", "ol", "div", "section", "table", "p", "dl")
    if blocky and n and not has_media and ld > 0.6 and (n < 400 or tag not in ("p", "table")):
        return "link-dense block"
    if not n and not has_media and tag in ("div", "section", "span", "p") and _no_br(el):
        return "empty block"
    return None


def prose_len(p: etree._Element) -> int:
    """Length of a paragraph counted as prose (0 for a short or link-heavy one)."""
    n = len(element_text(p))
    return n if n >= PROSE_MIN and link_density(p, n) < 0.35 else 0


def prose_paragraphs(root: etree._Element) -> list[tuple[etree._Element, int]]:
    """The ``<p>`` elements of prose under ``root`` with their lengths, in document order."""
    out = []
    for p in root.iter("p"):
        n = prose_len(p)
        if n:
            out.append((p, n))
    return out


def prose_len_under(el: etree._Element) -> int:
    """Paragraph prose inside ``el``."""
    return sum(prose_len(p) for p in el.iter("p"))


GALLERY_RE = re.compile(r"gallery|galeri|slideshow|carousel|slider|swiper|lightbox", re.I)


def _is_gallery(el: etree._Element) -> bool:
    """True for a slideshow widget: a gallery/carousel class or id over several pictures."""
    if not GALLERY_RE.search(f"{el.get('class') or ''} {el.get('id') or ''}"):
        return False
    return sum(1 for _ in el.iter("img", "picture")) >= 3 or sum(1 for _ in el.iter("li")) >= 5


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
    return el.find(".//br") is None


def _contains_keep(el: etree._Element) -> bool:
    """True when the element holds a figure or table that belongs to the article."""
    return next(el.iter("figure", "table", "pre"), None) is not None
