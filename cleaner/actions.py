"""The primitive edits rules make, one function each, and the record of what they removed.

``ACTIONS`` is the explicit registry the engine runs rules through. Every removal
is recorded with the rule that made it (``Recorder``), so ``--explain`` and the
reader's "what was removed" page can show it. Elements a rule asked to ``keep``
(and their ancestors) are never removed by any action.
"""

from __future__ import annotations

import fnmatch
import html
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import NamedTuple

from lxml import etree

from .selectors import Selector, TextMatcher
from .textfind import finder

MAX_MATCH_TEXT = 400  # remove_text only considers short blocks: labels, not articles
SAMPLE_CHARS = 200


class Removal(NamedTuple):
    """What one rule entry removed: rule id, selector or pattern, count, reason, text."""

    rule_id: str
    selector: str
    count: int  # type: ignore[assignment]  # shadows tuple.count, as DESIGN's tuple has it
    reason: str
    samples: tuple[str, ...] = ()


def norm_text(text: str) -> str:
    """Collapse all whitespace (including NBSP) to single spaces and strip."""
    return " ".join(text.split())


def unescape_all(text: str) -> str:
    """``text`` with its character references replaced, again while that changes it (a few
    times at most): JSON-LD and meta values can be escaped twice (``finally&amp;#8230;``),
    and a reading document would carry the half-escaped text, read whole when cleaned
    again."""
    for _ in range(3):
        if "&" not in text:
            return text
        plain = html.unescape(text)
        if plain == text:
            return text
        text = plain
    # Escaped more times than any page is: what still reads as a reference loses its "&",
    # so that the result reads the same again.
    return text if html.unescape(text) == text else _REFERENCE_START.sub("", text)


# An "&" that can open a character reference.
_REFERENCE_START = re.compile(r"&(?=#?[0-9A-Za-z])")


def name_key(text: str) -> str:
    """Letters and digits only, case-folded: names that differ in spacing, case or
    punctuation compare equal ("USA TODAY" and "usatoday")."""
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def raw_text(el: etree._Element) -> str:
    """The text content of an element as it is (``element_text`` before normalising: never
    shorter)."""
    return etree.tostring(el, method="text", encoding="unicode", with_tail=False)


def element_text(el: etree._Element) -> str:
    """The normalised text content of an element."""
    return norm_text(raw_text(el))


def shown_text(el: etree._Element) -> str:
    """``element_text`` without the text of scripts, styles and templates inside (broken
    markup puts a script in a heading; cleaning removes it, and the reading document's
    heading then says less)."""
    if next(el.iter(*_UNSHOWN_TAGS), None) is None:
        return element_text(el)
    parts: list[str] = []
    walk = etree.iterwalk(el, events=("start", "end"))
    for event, node in walk:
        if event == "start":
            if node.tag in _UNSHOWN_TAGS:
                walk.skip_subtree()
            elif node.text and isinstance(node.tag, str):
                parts.append(node.text)
        elif node is not el and node.tail:
            parts.append(node.tail)
    return norm_text("".join(parts))


_UNSHOWN_TAGS = ("script", "style", "noscript", "template")


def sample_text(el: etree._Element) -> str:
    """``element_text(el)`` as far as a removal record keeps it (``SAMPLE_CHARS``): a long
    text is normalised from a prefix only (that of the raw text is a prefix of the whole's)."""
    raw = raw_text(el)
    if len(raw) > 4 * SAMPLE_CHARS:
        head = norm_text(raw[: 4 * SAMPLE_CHARS])
        if len(head) >= SAMPLE_CHARS:
            return head[:SAMPLE_CHARS]
    return norm_text(raw)[:SAMPLE_CHARS]


@dataclass
class Recorder:
    """Collects removals in the order they happen, merged per rule entry."""

    entries: dict[tuple[str, str], list[object]] = field(default_factory=dict)
    protected: set[etree._Element] = field(default_factory=set)
    # When set, removals skip elements it returns True for (used for the defaults: a
    # site-independent selector must not take the article with it).
    guard: Callable[[etree._Element], bool] | None = None

    def protect(self, elements: Iterable[etree._Element]) -> None:
        """Mark kept elements, their ancestors and their descendants as never removable."""
        for el in elements:
            self.protected.update(el.iter())
            node: etree._Element | None = el.getparent()
            while node is not None and node not in self.protected:
                self.protected.add(node)
                node = node.getparent()

    def protect_path(self, elements: Iterable[etree._Element]) -> None:
        """Mark elements and their ancestors (not their contents) as never removable."""
        for el in elements:
            node: etree._Element | None = el
            while node is not None and node not in self.protected:
                self.protected.add(node)
                node = node.getparent()

    def add(self, rule_id: str, selector: str, reason: str, texts: list[str]) -> None:
        """Record ``len(texts)`` removals by one rule entry."""
        if not texts:
            return
        key = (rule_id, selector)
        entry = self.entries.setdefault(key, [reason, 0, []])
        entry[1] = int(entry[1]) + len(texts)  # type: ignore[call-overload]
        samples = entry[2]
        assert isinstance(samples, list)
        for t in texts:
            if len(samples) < 20:
                samples.append(t[:SAMPLE_CHARS])

    def removals(self) -> list[Removal]:
        """The merged removals, in first-seen order."""
        return [
            Removal(rid, sel, int(e[1]), str(e[0]), tuple(e[2]))  # type: ignore[call-overload,arg-type]
            for (rid, sel), e in self.entries.items()
        ]


def drop(el: etree._Element) -> None:
    """Remove an element but keep its tail text in the document."""
    parent = el.getparent()
    if parent is None:
        return
    tail = el.tail
    if tail:
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + tail
        else:
            parent.text = (parent.text or "") + tail
    parent.remove(el)


def drop_tag(el: etree._Element) -> None:
    """Replace an element by its children and text (``lxml.html``'s ``drop_tag``)."""
    parent = el.getparent()
    if parent is None:
        return
    prev = el.getprevious()
    text = el.text
    if text:
        if prev is not None:
            prev.tail = (prev.tail or "") + text
        else:
            parent.text = (parent.text or "") + text
    index = parent.index(el)
    children = list(el)
    if children:
        children[-1].tail = (children[-1].tail or "") + (el.tail or "")
    elif el.tail:
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent.text = (parent.text or "") + el.tail
    parent[index : index + 1] = children


# The text of an element and its descendants (not comments'), as XPath's string().
text_content = etree.XPath("string()")


def is_inside(el: etree._Element, root: etree._Element) -> bool:
    """True when ``el`` is ``root`` or still inside it (not taken out with a removal)."""
    node: etree._Element | None = el
    while node is not None:
        if node is root:
            return True
        node = node.getparent()
    return False


def _top_most(elements: list[etree._Element]) -> list[etree._Element]:
    """Drop elements nested inside others in the list (they go with their ancestor)."""
    chosen = set(elements)
    out = []
    for el in elements:
        anc = el.getparent()
        while anc is not None and anc not in chosen:
            anc = anc.getparent()
        if anc is None:
            out.append(el)
    return out


def remove(root: etree._Element, sel: Selector, rec: Recorder, rule_id: str) -> int:
    """Remove every element the selector matches (except protected ones)."""
    found = [e for e in sel.select(root) if e not in rec.protected and e is not root]
    found = [e for e in _top_most(found) if e.getparent() is not None]
    return remove_outermost(found, sel, rec, rule_id)


def remove_outermost(
    found: list[etree._Element], sel: Selector, rec: Recorder, rule_id: str
) -> int:
    """``remove``'s edit once its matches are known: unprotected, none inside another, all
    still in the page (the guard may keep some)."""
    if rec.guard is not None:
        found = [e for e in found if not rec.guard(e)]
    texts = [sample_text(e) or f"<{e.tag}>" for e in found]
    for e in found:
        drop(e)
    rec.add(rule_id, f"{sel.kind}:{sel.expr}" if sel.kind != "css" else sel.expr, sel.reason, texts)
    return len(found)


def _short_text_elements(root: etree._Element) -> list[etree._Element]:
    """Elements whose raw text is short enough to be a label, children before parents."""
    return list(_short_texts(root))


def _short_texts(root: etree._Element) -> dict[etree._Element, str]:
    """``_short_text_elements`` with each element's raw text (what ``element_text``
    normalises: its text and its descendants' text and tails, not comments' own text), in
    that order (one dictionary: no pair per element)."""
    if next(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity), None) is not None:
        return _short_texts_any(root)
    # Children before parents (the reverse of document order), each element's raw text from
    # its children's (every child is an element here: no comments, hence the check above).
    limit = MAX_MATCH_TEXT * 4
    raw: dict[etree._Element, str] = {}
    raw_get = raw.get
    for el in reversed(list(root.iter(etree.Element))):
        text = el.text or ""
        if not len(el):
            if len(text) <= limit:
                raw[el] = text
            continue
        parts = [text]
        n = len(text)
        for child in el:
            value = raw_get(child)
            if value is None:  # too long already
                n = limit + 1
                break
            tail = child.tail
            parts.append(value)
            n += len(value)
            if tail:
                parts.append(tail)
                n += len(tail)
            if n > limit:
                break
        if n <= limit:
            raw[el] = "".join(parts)
    raw.pop(root, None)
    return raw


def _short_texts_any(root: etree._Element) -> dict[etree._Element, str]:
    """``_short_texts`` for a tree with comments or processing instructions."""
    limit = MAX_MATCH_TEXT * 4
    order = list(root.iter(etree.Element))
    lengths: dict[etree._Element, int] = {}
    raw: dict[etree._Element, str] = {}
    for el in reversed(order):
        text = el.text or ""
        children = list(el)
        if not children:
            lengths[el] = len(text)
            if len(text) <= limit:
                raw[el] = text
            continue
        tails = [c.tail or "" for c in children]
        n = len(text)
        for child, tail in zip(children, tails, strict=True):
            n += lengths.get(child, 0) + len(tail)
        lengths[el] = n
        if n <= limit:
            raw[el] = text + "".join(
                [raw.get(c, "") + t for c, t in zip(children, tails, strict=True)]
            )
    raw.pop(root, None)
    return raw


def remove_text(
    root: etree._Element, matchers: tuple[TextMatcher, ...], rec: Recorder, rule_id: str
) -> int:
    """Remove the smallest elements (and bare text runs) whose whole text a matcher matches."""
    if not matchers:
        return 0
    find = finder(matchers)
    # The match of each raw text (wrappers repeat their child's text), then of each
    # normalised one.
    by_raw: dict[str, TextMatcher | None] = {}
    seen: dict[str, TextMatcher | None] = {}
    matched: dict[etree._Element, TextMatcher] = {}
    has_matched_desc: set[etree._Element] = set()
    for el, value in _short_texts(root).items():
        if has_matched_desc and el in has_matched_desc:
            parent = el.getparent()
            if parent is not None:
                has_matched_desc.add(parent)
            continue
        # Normalising ignores the ends: a wrapper's text is its child's with more space.
        value = value.strip()
        if value in by_raw:
            m = by_raw[value]
        else:
            text = norm_text(value)
            if not text or len(text) > MAX_MATCH_TEXT:
                m = None
            elif text in seen:
                m = seen[text]
            else:
                m = seen[text] = find(text)
            by_raw[value] = m
        if m is None or el in rec.protected:
            continue
        matched[el] = m
        parent = el.getparent()
        if parent is not None:
            has_matched_desc.add(parent)
    count = 0
    by_matcher: dict[TextMatcher, list[str]] = {}
    for el, m in matched.items():
        if el.getparent() is None:
            continue
        by_matcher.setdefault(m, []).append(element_text(el))
        drop(el)
        count += 1
    # A standalone run sits in (text) or after (tail) a block element: only those are visited.
    for el in root.iter(*BLOCK_TAGS):
        text, tail = el.text, el.tail
        # Most runs are indentation: only a short one with text is a candidate.
        if text and (len(text) > MAX_MATCH_TEXT or text.isspace()):
            text = ""
        if tail and (len(tail) > MAX_MATCH_TEXT or tail.isspace()):
            tail = ""
        if not text and not tail:
            continue
        for attr, value in (("text", text), ("tail", tail)):
            if not value or not _standalone_run(el, attr, root):
                continue
            t = norm_text(value)
            m = find(t)
            if m is not None:
                setattr(el, attr, "\n" if attr == "tail" else None)
                by_matcher.setdefault(m, []).append(t)
                count += 1
    for m, texts in by_matcher.items():
        rec.add(rule_id, f"{m.kind}:{m.expr}", m.reason, texts)
    return count


BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "dd",
        "details",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hr",
        "li",
        "main",
        "nav",
        "ol",
        "p",
        "pre",
        "section",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
        "br",
    ]
)


def _standalone_run(el: etree._Element, attr: str, root: etree._Element) -> bool:
    """True when a text run stands alone between block boundaries (a label, not prose)."""
    if attr == "text":
        first = el[0] if len(el) else None
        return el.tag in BLOCK_TAGS and (first is None or first.tag in BLOCK_TAGS)
    if el is root:
        return False
    parent = el.getparent()
    nxt = el.getnext()
    return (
        parent is not None
        and parent.tag in BLOCK_TAGS
        and el.tag in BLOCK_TAGS
        and (nxt is None or nxt.tag in BLOCK_TAGS)
    )


def unwrap(root: etree._Element, sel: Selector, rec: Recorder, rule_id: str) -> int:
    """Replace each matched element by its children and text."""
    found = [e for e in sel.select(root) if e is not root and e.getparent() is not None]
    for e in found:
        drop_tag(e)
    return len(found)


def strip_attrs(root: etree._Element, names: tuple[str, ...], rec: Recorder, rule_id: str) -> int:
    """Delete the named attributes (``data-*`` style prefixes allowed) everywhere."""
    if not names:
        return 0
    count = 0
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        for attr in list(el.attrib):
            if any(fnmatch.fnmatchcase(str(attr).lower(), n) for n in names):
                try:
                    del el.attrib[attr]
                except ValueError:  # a name lxml cannot look up ("{"): the allow-list drops it
                    continue
                count += 1
    return count


ACTIONS: dict[str, Callable[..., int]] = {
    "remove": remove,
    "remove_text": remove_text,
    "unwrap": unwrap,
    "strip_attrs": strip_attrs,
}
