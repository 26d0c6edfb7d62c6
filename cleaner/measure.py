"""Text measures shared by content detection and the rule passes.

``Stats`` measures every element of a subtree in one bottom-up pass (text, link text, clean
prose, noise, commas); ``class_weight`` reads Readability's class/id vocabulary (English and
Indonesian, page-builder layout names ignored); ``prose_len`` and friends measure paragraphs.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator, Mapping
from typing import TypeAlias, TypeVar, overload

from lxml import etree

from .actions import element_text, norm_text, raw_text
from .textfind import case_insensitive_test

POSITIVE_RE = re.compile(
    r"article|body|content|entry|hentry|h-entry|main|page|post|text|blog|story|detail|"
    r"isi|berita|artikel|konten|read__content|itp_bodycontent|caption|figure",
    re.IGNORECASE,
)
NEGATIVE_RE = re.compile(
    r"-ad-|^ad-|-ads\b|\bads?\b|adsense|advert|banner|breadcrumb|combx|comment|komentar|"
    r"com-|contact|footer|footnote|gdpr|cookie|masthead|media-share|meta|outbrain|taboola|"
    r"promo(?!ted)|related|terkait|lainnya|baca-?juga|recommend|rekomendasi|populer|popular|"
    r"terpopuler|trending|share|bagikan|shoutbox|sidebar|skyscraper|sponsor|"
    r"shopping|social|sosmed|subscribe|newsletter|tags?\b|tool|widget|nav|menu|"
    r"follow|login|signup|pagination|paging|iklan|rubrik|indeks|"
    # The same in German, French, Spanish, Italian, Dutch and Portuguese class names.
    r"werbung|anzeige|publicidad|pubblicit|publicite|kommentar|comentario|reacties|"
    r"teilen|partage|compartir|condividi|compartilh|verwandt|relacionad|correlat",
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
    return bool(cls and _name_comments(cls)) or bool(ident and _name_comments(ident))


@functools.lru_cache(maxsize=4096)
def _name_comments(value: str) -> bool:
    """Whether one class or id value names a comment section (cached)."""
    return _comments(value)


_comments = case_insensitive_test(COMMENTS_RE)


# A block's loose text counts as prose from this many characters (labels, dates, buttons and
# one-line teasers are shorter).
PROSE_MIN = 80
MORE_INLINE = frozenset(
    ("a", "font", "br", "wbr", "label", "del", "ins", "nobr", "big", "tt", "img")
)


_INLINE = INLINE_TAGS | MORE_INLINE


T = TypeVar("T")

# Where each measure sits in a ``Stats.sums`` tuple.
TEXT, LINKS, GOOD, NOISE, COMMAS = range(5)
# An element's measures, then the text and link text an inline element owes its block.
Sums = tuple[int, int, int, int, int, int, int]


class Measure(Mapping["etree._Element", int]):
    """One measure of every element a ``Stats`` measured, read from its tuples (a view: no
    dictionary per measure is filled while measuring)."""

    def __init__(self, sums: dict[etree._Element, Sums], index: int) -> None:
        """The view of ``sums``'s ``index``-th value."""
        self._sums = sums
        self._index = index

    def __getitem__(self, el: etree._Element) -> int:
        """The element's measure (KeyError if it was not measured)."""
        return self._sums[el][self._index]

    @overload
    def get(self, el: etree._Element, /) -> int | None: ...

    @overload
    def get(self, el: etree._Element, /, default: int | T) -> int | T: ...

    def get(self, el: etree._Element, /, default: object = None) -> object:
        """The element's measure, ``default`` if it was not measured (as ``dict.get``)."""
        found = self._sums.get(el)
        return default if found is None else found[self._index]

    def __contains__(self, el: object) -> bool:
        """True when the element was measured."""
        return el in self._sums

    def __iter__(self) -> Iterator[etree._Element]:
        """The measured elements."""
        return iter(self._sums)

    def __len__(self) -> int:
        """How many elements were measured."""
        return len(self._sums)


class Stats:
    """Text lengths of every element of a subtree, computed in one bottom-up pass.

    ``text``: normalised text length; ``links``: the part inside ``<a>``; ``good``: text that
    is neither in a link nor under a nav/aside/footer-like tag or a boilerplate class/id.
    Values describe the tree as it was when computed (callers work top-down, so an element
    is looked at before anything inside it is removed). ``sums`` holds every measure of an
    element in one tuple (indexed by ``TEXT`` … ``COMMAS``); ``text`` is also a dictionary
    (the most read), the others are views of ``sums``.
    """

    def __init__(self, root: etree._Element) -> None:
        """Measure ``root`` and everything under it."""
        self.text: dict[etree._Element, int] = {}
        # Per element: text, links, good, noise, commas, and the text and link text of an
        # inline element owed to the block that holds it (0 for a block): one lookup per child.
        self.sums: dict[etree._Element, Sums] = {}
        self.links = Measure(self.sums, LINKS)
        self.good = Measure(self.sums, GOOD)
        self.noise = Measure(self.sums, NOISE)
        self.commas = Measure(self.sums, COMMAS)
        # Reader-comment sections with text (their class/id is negative too).
        self.comments: list[etree._Element] = []
        # The measured root and its elements with an ``itemprop`` (microdata), in document
        # order.
        self.root = root
        self.itemprops: list[etree._Element] = []
        text = self.text
        sums = self.sums
        sums_get = sums.get
        inline, unlikely = _INLINE, UNLIKELY_TAGS
        # Whitespace-only runs (indentation between tags) are the common case: skipped early.
        for el in reversed(list(root.iter(etree.Element))):
            value = el.text
            if value and not value.isspace():
                own = len(" ".join(value.split()))  # ``_chunk``, inline
                if own:
                    own += value[0].isspace() + value[-1].isspace()
                cm = value.count(",") + value.count("،") if "," in value or "،" in value else 0
            else:
                own = cm = 0
            t = lt = own
            lk = g = ll = nz = 0
            if len(el):  # (no child iterator for a leaf)
                for child in el:
                    value = child.tail
                    if value and not value.isspace():
                        n = len(" ".join(value.split()))
                        if n:  # ``_chunk``, inline
                            n += value[0].isspace() + value[-1].isspace()
                        if "," in value or "،" in value:
                            cm += value.count(",") + value.count("،")
                        t += n
                        lt += n
                    sub = sums_get(child)
                    if sub is not None:
                        t += sub[0]
                        lk += sub[1]
                        g += sub[2]
                        nz += sub[3]
                        cm += sub[4]
                        lt += sub[5]
                        ll += sub[6]
            tag = el.tag
            if tag == "a":
                lk, ll, nz = t, lt, t
            if tag in inline:
                owed_t, owed_l = lt, ll
            else:
                owed_t = owed_l = 0
                if lt >= PROSE_MIN and ll < lt * 0.35:
                    # A block's own run of prose: its loose text, links excluded.
                    g += lt - ll
            if tag in unlikely:
                g, nz = 0, t
            elif (g or nz < t) and _names_weight(el.get("class"), el.get("id")) < 0:
                g, nz = 0, t
                if is_comments(el):
                    self.comments.append(el)
            sums[el] = (t, lk, g, nz, cm, owed_t, owed_l)
            text[el] = t
            if el.get("itemprop") is not None:
                self.itemprops.append(el)
        self.itemprops.reverse()

    def density(self, el: etree._Element) -> float:
        """Share of the element's text inside links (0 for an element without text)."""
        found = self.sums.get(el)
        if found is None or not found[TEXT]:
            return 0.0
        return min(1.0, found[LINKS] / found[TEXT])


def commas_in(value: str | None) -> int:
    """Commas (Latin and Arabic) in a text run."""
    return value.count(",") + value.count("،") if value else 0


def _chunk(value: str | None) -> int:
    """Length of a text run with whitespace runs counted as one space (0 for blank)."""
    if not value:
        return 0
    n = len(" ".join(value.split()))
    # A space at either edge separates words from the neighbouring element's text.
    return n + (value[0].isspace()) + (value[-1].isspace()) if n else 0


# Page-builder class names (Elementor, Gutenberg, Divi, WPBakery, Beaver Builder, HubSpot)
# say how a block is laid out, not what it holds: "elementor-widget-text-editor" is article
# text, and so is HubSpot's "widget-span widget-type-rich_text".
CMS_RE = re.compile(
    r"(?<![\w-])(?:elementor|wp-block|et_pb|vc_|fl-|hs_cos_wrapper|hs-|widget-span|"
    r"widget-type|so-panel|so-widget|widget_sow|sow-|siteorigin|panel-grid)[\w-]*"
)
# The bare word "widget" next to a page-builder name is the builder's block, not a sidebar.
_BUILDER_WIDGET_RE = re.compile(r"(?<![\w-])widget(?![\w-])")


def class_weight(el: etree._Element) -> int:
    """Readability's class/id weight: -25 for boilerplate words, +25 for content words."""
    return _names_weight(el.get("class"), el.get("id"))


@functools.lru_cache(maxsize=8192)
def _names_weight(cls: str | None, ident: str | None) -> int:
    """The weight of a class and id pair (cached: pages repeat the same names), the sum of
    each name's own (cached apart: an element's id is often unique, its class is not)."""
    return (_name_weight(cls) if cls else 0) + (_name_weight(ident) if ident else 0)


@functools.lru_cache(maxsize=8192)
def _name_weight(value: str) -> int:
    """The weight one class or id value adds: -25 for boilerplate words, +25 for content."""
    weight = 0
    stripped = CMS_RE.sub(" ", value)
    if stripped != value:
        stripped = _BUILDER_WIDGET_RE.sub(" ", stripped)
    value = stripped
    # (A case-insensitive regex costs microseconds per search: see ``case_insensitive_test``.)
    if _negative(value):
        weight -= 25
    if _positive(value):
        weight += 25
    return weight


_negative = case_insensitive_test(NEGATIVE_RE)
_positive = case_insensitive_test(POSITIVE_RE)


def link_density(el: etree._Element, text_len: int | None = None) -> float:
    """Share of an element's text that sits inside links."""
    total = text_len if text_len is not None else len(element_text(el))
    if total == 0:
        return 0.0
    linked = sum(len(element_text(a)) for a in el.iter("a"))
    return min(1.0, linked / total)


def prose_len(p: etree._Element) -> int:
    """Length of a paragraph counted as prose (0 for a short or link-heavy one)."""
    raw = raw_text(p)
    if len(raw) < PROSE_MIN:  # normalising only shortens it
        return 0
    n = len(norm_text(raw))
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


# The element holding a paragraph in the article's run (None above the document's root).
Holder: TypeAlias = "etree._Element | None"


def run_holders(paras: list[tuple[etree._Element, int]]) -> tuple[list[Holder], dict[Holder, int]]:
    """For each paragraph of prose, the element that holds it in a run: its parent, or a
    higher ancestor when the site wraps each paragraph (or each few) in a block of its own,
    so that no parent holds a run of prose (at most 3 levels up); with each holder's prose."""
    prose = sum(n for _, n in paras)
    holders: list[Holder] = [p.getparent() for p, _ in paras]
    per: dict[Holder, int] = {}
    for level in range(4):
        if level:
            holders = [h.getparent() if h is not None else None for h in holders]
        per = {}
        for h, (_, n) in zip(holders, paras, strict=True):
            per[h] = per.get(h, 0) + n
        if not per or max(per.values()) >= min(400, prose):
            break
    return holders, per


def main_run(paras: list[tuple[etree._Element, int]], minimum: int) -> etree._Element | None:
    """The holder (``run_holders``) whose paragraphs of prose (``paras``, from
    ``prose_paragraphs``) add up to the most text, when that is at least ``minimum``
    characters; else None."""
    _, runs = run_holders(paras)
    runs.pop(None, None)
    best = max(runs.items(), key=lambda kv: kv[1], default=None)
    return best[0] if best is not None and best[1] >= minimum else None
