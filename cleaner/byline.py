"""The byline: cleaned from metadata, or found in the page by Readability's DOM heuristics."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator

from lxml import etree

from .actions import norm_text, text_content, unescape_all
from .dates import MONTHS, after_headline

# A byline element: rel/itemprop "author", or a class/id with a byline word.
_BYLINE_XPATH = etree.XPath(
    "//body//*[@rel='author' or contains(@itemprop, 'author') or "
    "re:test(concat(@class, ' ', @id), 'byline|author|dateline|writtenby|p-author', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
_NAMED = etree.XPath(".//*[contains(@itemprop, 'name')]")
_BYLINE_RE = re.compile("byline|author|dateline|writtenby|p-author", re.IGNORECASE)
_UNLIKELY_RE = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|"
    r"gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|"
    r"sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote",
    re.IGNORECASE,
)
_MAYBE_RE = re.compile(r"and|article|body|column|content|main|mathjax|shadow", re.IGNORECASE)
_UNLIKELY_ROLES = {"menu", "menubar", "complementary", "navigation", "alert", "alertdialog"}


def clean_byline(value: str | None) -> str | None:
    """Normalise a byline: drop "By"/"Oleh" prefixes and trailing dates; None for a value
    that names nobody (see ``_names_nobody``)."""
    if not value:
        return None
    v = norm_text(unescape_all(value))
    if len(v) > BYLINE_TEXT_MAX:
        return None
    # Until nothing changes ("by by Jo"; each cut shortens it), so that the byline read back
    # from a reading document is the one written there.
    while True:
        cut = _DATED_RE.sub("", _BY_RE.sub("", v)).strip(" ,|-–—")
        if cut == v:
            break
        v = cut
    if not v or len(v) > 120 or _URL_LIKE_RE.fullmatch(v) or _names_nobody(v):
        return None
    return v


# Longer than this, a byline's text is a block, not a byline (the name itself is at most 120).
BYLINE_TEXT_MAX = 1000
# A label before the name.
_BY_RE = re.compile(r"^(by|oleh|penulis|reporter|written by)\s*:?\s+", re.IGNORECASE)
# A byline that is an address, not a name ("www.facebook.com/acme", "acme.com/about"); a
# company's domain alone ("AccountingDepartment.com") can be the author.
_URL_LIKE_RE = re.compile(r"https?://\S*|www\.\S+|[\w-]+(?:\.[\w-]+)+/\S*")
# A date after the name, set off by a separator or glued to it ("Jo Lima — November 18,
# 2025", "Jo Lima | 18/11/2025", "AcmeFebruary 8, 2022•10 mins read"): cut off.
_DATED_RE = re.compile(
    r"(?:\s*[—–|•·]\s*|(?<=[a-z])(?=[A-Z][a-z]+ \d{1,2}, \d{4}))"
    r"(?=[^—–|•·]*?(?:\b(?:19|20)\d\d\b|\d{1,2}[/.]\d{1,2}[/.]\d{2,4}))"
    r".*$",
)


# Words of labels and date lines: a byline made of nothing else names nobody ("Author",
# "About the Author", "Updated on November 20, 2025", "Sat, 20 Dec, 2025 - 06:36").
_NOT_NAME_WORDS = """
    about the meet by written posted author authors writer writers penulis oleh updated
    published submitted last on at am pm min mins minute minutes read ago mon monday tue
    tuesday wed wednesday thu thursday fri friday sat saturday sun sunday
"""
_NOT_NAMES = frozenset(_NOT_NAME_WORDS.split()) | frozenset(MONTHS)
# A template's unfilled placeholder ("page.head.extra.author", "{{ author }}").
_PLACEHOLDER_RE = re.compile(
    r"\{\{|\}\}|^[a-z]+(?:\.[a-z]+)+\.(?:author|byline|creator|name)$", re.IGNORECASE
)
# A comment form's field label ("Name *", "Your Name: *").
_FORM_LABEL_RE = re.compile(r"(?:your\s+)?(?:full\s+)?(?:name|e-?mail|website)\W*", re.IGNORECASE)


def _names_nobody(value: str) -> bool:
    """True for a byline value without a word that could be a name (a label, a date line, a
    number), a template placeholder, a comment's "X says:", a heading ending in a colon or a
    comment form's "Name *" field label."""
    words = [w for w in re.findall(r"[^\W\d_]+", value) if len(w) > 1]
    return (
        not any(w.casefold() not in _NOT_NAMES for w in words)
        or _PLACEHOLDER_RE.search(value) is not None
        or value.endswith(":")
        or _FORM_LABEL_RE.fullmatch(value) is not None
        or re.search(r"\bsays\W*$", value, re.IGNORECASE) is not None
    )


def _visible_and_likely(el: etree._Element, likely: bool = True) -> bool:
    """False when the element or an ancestor is hidden or a sidebar/footer-like block."""
    node: etree._Element | None = el
    first = True
    while node is not None and node.tag not in ("body", "html"):
        style = (node.get("style") or "").replace(" ", "").lower()
        if (
            "display:none" in style
            or "visibility:hidden" in style
            or node.get("hidden") is not None
            or node.get("aria-hidden") == "true"
        ):
            return False
        # Readability tests an element for a byline before it drops it as unlikely.
        if likely and not first and node.tag != "a":
            match = f"{node.get('class') or ''} {node.get('id') or ''}"
            if _UNLIKELY_RE.search(match) and not _MAYBE_RE.search(match):
                return False
            if node.get("role") in _UNLIKELY_ROLES:
                return False
        first = False
        node = node.getparent()
    return True


def _byline_elements(doc: etree._Element) -> Iterator[etree._Element]:
    """``_BYLINE_XPATH``'s elements, lazily and without its per-element Python regex callback
    (EXSLT ``re:test`` calls back into Python for every element of the page)."""
    bodies = list(doc.getroottree().getroot().iter("body"))
    if len(bodies) != 1:
        yield from _BYLINE_XPATH(doc)
        return
    names = _byline_names
    for el in bodies[0].iterdescendants(etree.Element):
        get = el.get
        cls, ident = get("class"), get("id")
        if (
            ((cls is not None or ident is not None) and names(cls, ident))
            or get("rel") == "author"
            or "author" in (get("itemprop") or "")
        ):
            yield el


@functools.lru_cache(maxsize=4096)
def _byline_names(cls: str | None, ident: str | None) -> bool:
    """Whether a class and id pair names a byline (cached: pages repeat the names)."""
    return _byline_name(f"{cls or ''} {ident or ''}")


def _byline_name(names: str) -> bool:
    """``_BYLINE_RE.search(names)``, by substring tests for ASCII names (a case-insensitive
    regex costs a microsecond per element)."""
    if not names.isascii():
        return _BYLINE_RE.search(names) is not None
    low = names.lower()
    return "author" in low or "byline" in low or "dateline" in low or "writtenby" in low


def dom_byline(doc: etree._Element) -> str | None:
    """The first byline element's text (its ``itemprop="name"`` part when marked).

    Elements inside hidden or sidebar-like blocks count only when no other one qualifies
    (Readability retries without its unlikely-block filter when its first pass is short).
    """
    fallback: etree._Element | None = None
    boxes: list[etree._Element] = []
    for el in _byline_elements(doc):
        text = text_content(el).strip()
        if len(text) >= 100:
            boxes.append(el)
            continue
        if not text or clean_byline(_name_part(el)) is None:
            continue
        if _visible_and_likely(el):
            fallback = el
            break
        if fallback is None and _visible_and_likely(el, likely=False):
            fallback = el
    if fallback is None:
        return _boxed_name(boxes)
    return _name_part(fallback) or None


# First words of an author box's line that is not the name ("Follow Sarah", "Author Amit").
_BOX_LABELS = _NOT_NAMES | {"follow", "contact", "view", "more", "see", "read"}


def _boxed_name(boxes: list[etree._Element]) -> str | None:
    """The name at the head of an author box (a byline block too long to be a byline: it
    also holds a bio or links), among the first three visible ones: the box's first short
    line, when it is two to four capitalised words."""
    for box in boxes[:3]:
        if not _visible_and_likely(box):
            continue
        for el in box.iter(etree.Element):
            text = norm_text(text_content(el))
            # Longer blocks hold the first line further down; a wrapper gives way to the
            # child that says the same.
            if not text or len(text) > 40:
                continue
            if any(norm_text(text_content(c)) == text for c in el):
                continue
            words = text.split()
            if (
                2 <= len(words) <= 4
                and all(w[:1].isupper() for w in words)
                and words[0].casefold() not in _BOX_LABELS
            ):
                name = clean_byline(text)
                if name:
                    return name
            break
    return None


def _name_part(el: etree._Element) -> str:
    """A byline element's text, its ``itemprop="name"`` part when marked."""
    named = _NAMED(el)
    return str(text_content(named[0] if named else el)).strip()


# A link to an author's page on the site ("/author/jane-doe", "/authors/…", "/contributor/…").
_AUTHOR_HREF_RE = re.compile(
    r"/(?:author|authors|writer|writers|contributor|contributors)/[^/?#]", re.IGNORECASE
)
# Words of a link to an author's page that is not their name ("More articles by Jane").
_LINK_WORDS = frozenset(
    ["more", "articles", "posts", "stories", "view", "all", "see", "read", "by", "from", "profile"]
)


def link_byline(doc: etree._Element) -> str | None:
    """The name on the first link to an author's page ("/author/jane-doe"), outside hidden
    and sidebar-like blocks: pages that mark no byline still link the author's name to
    their page. A link saying more than a name ("More articles by Jane") does not count."""
    for a in doc.iter("a"):
        href = a.get("href")
        if not href or not _AUTHOR_HREF_RE.search(href):
            continue
        text = norm_text(text_content(a))
        words = text.split()
        if not 0 < len(words) <= 5 or any(w.casefold() in _LINK_WORDS for w in words):
            continue
        name = clean_byline(text)
        if name and _visible_and_likely(a):
            return name
    return None


# A byline said in words: "By Jane Doe", "Written by Jane Doe", "Posted by Jane Doe".
_SAID_BY_RE = re.compile(r"^(?:written\s+|posted\s+|words\s+)?by:?\s+(.+)$", re.IGNORECASE)
# Where the name ends: a separator, "on"/"at" before a date, a digit or a month's name.
_MONTH_NAMES = "|".join(sorted(MONTHS, key=len, reverse=True))
_NAME_END_RE = re.compile(
    rf"\s*(?:[•|·–—]|\b(?:on|at|in|updated|published)\b|\d|,?\s*\b(?:{_MONTH_NAMES})\b)",
    re.IGNORECASE,
)
# A consent line's verb after "By" ("By clicking", "by signing up").
_CONSENT_RE = re.compile(r"[a-z]+ing\b")
# How a "By …" line opens (lower-cased).
_SAID_OPENINGS = ("by", "written", "posted", "words")
# How much text after the headline is read for a "By …" line.
SAID_REACH = 400


def said_byline(doc: etree._Element) -> str | None:
    """A "By Jane Doe" line among the first blocks after the page's first ``<h1>`` (a short
    element saying only that, a date after the name dropped): the article's header, where
    pages that mark no byline still print one."""
    headline = next(doc.iter("h1"), None)
    if headline is None:
        return None
    for sib, _ in after_headline(headline, SAID_REACH):
        if not isinstance(sib.tag, str):
            continue
        for el in sib.iter(etree.Element):
            # Only an element whose text (or its first child's) opens with the words is
            # read whole.
            head = (el.text or "").lstrip()
            if not head and len(el):
                head = (el[0].text or "").lstrip()
            if not head[:7].lower().startswith(_SAID_OPENINGS):
                continue
            text = norm_text(text_content(el))
            said = _SAID_BY_RE.match(text) if len(text) <= 80 else None
            # "By clicking Submit, you agree …" is a form's consent line.
            if said and not _CONSENT_RE.match(said.group(1)):
                name = clean_byline(_NAME_END_RE.split(said.group(1), maxsplit=1)[0])
                if name:
                    return name
    return None
