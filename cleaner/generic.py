"""Site-independent content detection and boilerplate pruning.

``find_content`` scores text blocks the way Readability does (paragraph text
length and commas, propagated to ancestors, scaled by link density and by a
class/id vocabulary in English and Indonesian) and returns the article root.
``prune`` then removes what inside that root is not article: link-dense blocks,
blocks whose class/id says boilerplate, forms and empty wrappers.
"""

from __future__ import annotations

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
    r"terpopuler|trending|scroll|share|bagikan|shoutbox|sidebar|skyscraper|sponsor|"
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


def class_weight(el: etree._Element) -> int:
    """Readability's class/id weight: -25 for boilerplate words, +25 for content words."""
    weight = 0
    for value in (el.get("class"), el.get("id")):
        if not value:
            continue
        if NEGATIVE_RE.search(value):
            weight -= 25
        if POSITIVE_RE.search(value):
            weight += 25
    return weight


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


def find_content(root: etree._Element) -> etree._Element | None:
    """Return the element most likely to hold the article body, or None."""
    scores: dict[etree._Element, float] = {}
    for el in root.iter(*PARA_TAGS, "div"):
        if el.tag == "div" and any(
            isinstance(c.tag, str) and c.tag in ("p", "div", "table", "ul", "section", "article")
            for c in el
        ):
            own = (el.text or "") + "".join(c.tail or "" for c in el)
            if len(own.strip()) < 25:
                continue
            text = " ".join(own.split())
        else:
            text = element_text(el)
        if len(text) < 25:
            continue
        if _inside_unlikely(el):
            continue
        score = 1.0 + text.count(",") + text.count("،") + min(len(text) / 100.0, 3.0)
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
        final = score * (1.0 - link_density(el))
        if best is None or final > best[0]:
            best = (final, el)
    if best is None or best[0] <= 0 or link_density(best[1]) > 0.5:
        return None
    top = best[1]
    top_score = best[0]
    # A parent that scores close to the top candidate holds text split across siblings.
    parent = top.getparent()
    while parent is not None and parent.tag not in ("body", "html"):
        pscore = scores.get(parent, 0.0) * (1.0 - link_density(parent))
        if pscore >= top_score * 0.75 and class_weight(parent) >= 0:
            top, top_score = parent, pscore
            parent = top.getparent()
        else:
            break
    return top


def _inside_unlikely(el: etree._Element) -> bool:
    """True when an ancestor is a nav/footer/aside-like element."""
    node = el.getparent()
    while node is not None:
        if isinstance(node.tag, str) and node.tag in UNLIKELY_TAGS:
            return True
        node = node.getparent()
    return False


def prune(root: etree._Element, rec: Recorder, title: str | None = None) -> None:
    """Remove boilerplate blocks inside an article root."""
    removed: dict[str, list[str]] = {}
    share = max(400, len(element_text(root)) * 0.4)
    for el in list(root.iter()):
        if el is root or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if el in rec.protected:
            continue
        why = _boilerplate_reason(el, title, share)
        if why:
            removed.setdefault(why, []).append(element_text(el) or f"<{el.tag}>")
            drop(el)
    for why, texts in removed.items():
        rec.add(RULE_ID, why, why, texts)


def _boilerplate_reason(el: etree._Element, title: str | None, share: float) -> str | None:
    """Why an element inside the article root is boilerplate, or None to keep it.

    An element holding more than ``share`` characters of prose (not links) is kept whatever
    its tag or class says: broken markup nests articles inside <nav> or <button>.
    """
    tag = el.tag
    text = element_text(el)
    if len(text) > share and link_density(el, len(text)) < 0.5:
        return None
    if tag in UNLIKELY_TAGS:
        return f"<{tag}> inside the article"
    if tag in ("h1", "h2") and title and text and text.casefold() == title.casefold():
        return "repeated title"
    has_media = el.find(".//img") is not None or tag == "img"
    if tag in KEEP_TAGS and tag not in ("ul", "ol", "dl"):
        return None
    if tag in INLINE_TAGS:
        return None
    weight = class_weight(el)
    if (
        weight < 0
        and not _contains_keep(el)
        and (len(text) < 200 or link_density(el, len(text)) > 0.35)
    ):
        return "class/id names boilerplate"
    if tag in ("ul", "ol", "div", "section", "table", "p", "dl") and text and not has_media:
        ld = link_density(el, len(text))
        if ld > 0.6 and (len(text) < 400 or tag not in ("p", "table")):
            return "link-dense block"
    if (
        not text
        and not has_media
        and tag in ("div", "section", "span", "p")
        and el.find(".//br") is None
    ):
        return "empty block"
    return None


def _contains_keep(el: etree._Element) -> bool:
    """True when the element holds a figure or table that belongs to the article."""
    return next(el.iter("figure", "table", "pre"), None) is not None
