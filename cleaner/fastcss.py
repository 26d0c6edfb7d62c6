"""Many simple CSS selectors matched in one walk of the tree.

libxml2 evaluates a CSS selector group translated to XPath (``contains(concat(' ',
normalize-space(@class), ' '), ' ad ')`` …) once per element and per alternative, which made
``_defaults.yaml``'s dozen groups of attribute tests the most expensive pass of ``clean()``.
Here each compound selector (optional tag, classes, id, attribute tests: no combinators, no
pseudo-classes) is indexed by one condition it cannot match without, so one walk over the
elements tests only the few compounds an element could match. Anything else falls back to the
selector's own XPath, so the results are the same elements in the same (document) order.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass

import cssselect
from cssselect import HTMLTranslator
from cssselect.parser import Attrib, Class, Element, Hash
from lxml import etree

from .selectors import Selector

# One attribute test: (attribute, operator, value); operator "exists" has no value.
Cond = tuple[str, str, str]


@dataclass(frozen=True)
class Compound:
    """One simple selector: a tag (or None for any) and attribute tests, all required."""

    index: int
    tag: str | None
    conds: tuple[Cond, ...]


def _value(token: object) -> str:
    """The string of a cssselect attribute value (a Token in recent versions)."""
    return str(getattr(token, "value", token))


def _compound(tree: object, index: int) -> Compound | None:
    """Translate a parsed simple selector; None when it uses anything else."""
    conds: list[Cond] = []
    node = tree
    while not isinstance(node, Element):
        if isinstance(node, Class):
            conds.append(("class", "~=", node.class_name))
        elif isinstance(node, Hash):
            conds.append(("id", "=", node.id))
        elif isinstance(node, Attrib) and node.namespace is None:
            op = "exists" if node.operator == "exists" else node.operator
            value = "" if op == "exists" else _value(node.value)
            if op not in ("exists", "=", "~=", "^=", "$=", "*=", "|=") or (
                op != "exists" and op != "=" and not value
            ):
                return None
            conds.append((node.attrib.lower(), op, value))
        else:
            return None
        node = node.selector
    if node.namespace is not None:
        return None
    tag = node.element.lower() if node.element and node.element != "*" else None
    return Compound(index, tag, tuple(reversed(conds)))


def _test(attrs: etree._Attrib, cond: Cond) -> bool:
    """True when an element's attributes pass one test (CSS semantics)."""
    name, op, want = cond
    have = attrs.get(name)
    if have is None:
        return False
    if op == "exists":
        return True
    if op == "=":
        return have == want
    if op == "~=":
        return want in have.split()
    if op == "^=":
        return have.startswith(want)
    if op == "$=":
        return have.endswith(want)
    if op == "*=":
        return want in have
    return have == want or have.startswith(want + "-")


class Matcher:
    """Matches a list of selectors in one walk; non-simple parts use their own XPath."""

    def __init__(self, selectors: Sequence[Selector]) -> None:
        """Index every simple compound of every CSS selector by a condition it requires."""
        self.selectors = list(selectors)
        self.fallback: list[int] = []
        # Selectors mixing simple parts with combinators: the other parts' own XPath.
        self.partial: dict[int, etree.XPath] = {}
        self.by_tag: dict[str, list[Compound]] = {}
        self.by_token: dict[tuple[str, str], list[Compound]] = {}
        self.by_attr: dict[str, list[Compound]] = {}
        self.needles: dict[str, list[str]] = {}
        self.always: set[str] = set()
        for i, sel in enumerate(self.selectors):
            parts = self._parse(sel, i)
            if parts is None:
                self.fallback.append(i)
                continue
            if isinstance(parts, etree.XPath):
                self.partial[i] = parts
                parts = self._parse(sel, i, simple_only=True) or []
            for c in parts:
                self._index(c)
        self.prefilter = {
            a: re.compile("|".join(re.escape(n) for n in sorted(set(ns))))
            for a, ns in self.needles.items()
            if a not in self.always
        }

    @staticmethod
    def _parse(
        sel: Selector, index: int, simple_only: bool = False
    ) -> list[Compound] | etree.XPath | None:
        """The compounds of a CSS selector group; for a group with some non-simple parts,
        the XPath of those parts (``simple_only`` then returns the simple ones); None for a
        selector with no simple part or that is not CSS."""
        if sel.kind != "css":
            return None
        try:
            parsed = cssselect.parse(sel.expr)
        except cssselect.SelectorError:
            return None
        out, rest = [], []
        for p in parsed:
            c = None if p.pseudo_element else _compound(p.parsed_tree, index)
            if c is None:
                rest.append(p)
            else:
                out.append(c)
        if not rest or simple_only:
            return out
        if not out:
            return None
        tr = HTMLTranslator()
        return etree.XPath(
            " | ".join(tr.selector_to_xpath(p, prefix="descendant-or-self::") for p in rest)
        )

    def _index(self, c: Compound) -> None:
        """File a compound under its tag, a required class/id token, or an attribute."""
        if c.tag is not None:
            self.by_tag.setdefault(c.tag, []).append(c)
            return
        if not c.conds:
            self.always.add("*")
            self.by_attr.setdefault("*", []).append(c)
            return
        for name, op, value in c.conds:
            if op in ("~=", "=") and name in ("class", "id") and value and " " not in value:
                self.by_token.setdefault((name, value), []).append(c)
                return
        name, op, value = c.conds[0]
        self.by_attr.setdefault(name, []).append(c)
        if op in ("exists",) or not value:
            self.always.add(name)
        else:
            self.needles.setdefault(name, []).append(value)

    def select_all(self, root: etree._Element) -> list[list[etree._Element]]:
        """For each selector, the elements under ``root`` (inclusive) it matches."""
        found: list[list[etree._Element]] = [[] for _ in self.selectors]
        by_tag, by_token, by_attr = self.by_tag, self.by_token, self.by_attr
        prefilter, always = self.prefilter, self.always
        any_all = by_attr.get("*", [])
        position: dict[etree._Element, int] = {}
        for n, el in enumerate(root.iter()):
            tag = el.tag
            if not isinstance(tag, str):
                continue
            if self.partial:
                position[el] = n
            attrs = el.attrib
            cands: list[Compound] = list(any_all)
            cands.extend(by_tag.get(tag, ()))
            if attrs:
                cls = attrs.get("class")
                if cls:
                    for tok in cls.split():
                        cands.extend(by_token.get(("class", tok), ()))
                ident = attrs.get("id")
                if ident:
                    cands.extend(by_token.get(("id", ident), ()))
                for name in attrs:
                    group = by_attr.get(name)
                    if group is None:
                        continue
                    if name in always or prefilter[name].search(attrs[name]):
                        cands.extend(group)
            if not cands:
                continue
            hit: set[int] = set()
            for c in cands:
                if c.index in hit or (c.tag is not None and c.tag != tag):
                    continue
                if all(_test(attrs, cond) for cond in c.conds):
                    hit.add(c.index)
            for i in sorted(hit):
                found[i].append(el)
        for i in self.fallback:
            found[i] = self.selectors[i].select(root)
        for i, xpath in self.partial.items():
            extra = [e for e in xpath(root) if isinstance(e, etree._Element) and e in position]
            merged = set(found[i]).union(extra)
            found[i] = sorted(merged, key=position.__getitem__)
        return found


@functools.lru_cache(maxsize=256)
def matcher_for(selectors: tuple[Selector, ...]) -> Matcher:
    """The (cached) matcher of one rule's selector list."""
    return Matcher(selectors)
