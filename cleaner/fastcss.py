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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

import cssselect
from cssselect import HTMLTranslator
from cssselect.parser import Attrib, Class, CombinedSelector, Element, Hash
from lxml import etree

from .selectors import Selector
from .textfind import minimal_needles, needle_regex

# One attribute test: (attribute, operator, value); operator "exists" has no value.
Cond = tuple[str, str, str]


@dataclass(frozen=True)
class Compound:
    """One simple selector: a tag (or None for any) and attribute tests, all required."""

    index: int
    tag: str | None
    conds: tuple[Cond, ...]
    # For ``parent > child`` (both simple, the child with a tag): what the parent must match.
    parent: Compound | None = None


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


def _child_compound(tree: object, index: int) -> Compound | None:
    """Translate ``parent > child`` of two simple selectors, the child naming its tag; None
    for anything else."""
    if not isinstance(tree, CombinedSelector) or tree.combinator != ">":
        return None
    child = _compound(tree.subselector, index)
    parent = _compound(tree.selector, index)
    if child is None or parent is None or child.tag is None:
        return None
    return Compound(index, child.tag, child.conds, parent)


def _hits(cands: Iterable[Compound], tag: str, get: Callable[[str], str | None]) -> tuple[int, ...]:
    """Indexes of the candidate compounds that match an element (its tag, attribute getter),
    sorted."""
    hit: set[int] = set()
    for c in cands:
        if c.index in hit or (c.tag is not None and c.tag != tag):
            continue
        if all(_test(get, cond) for cond in c.conds):
            hit.add(c.index)
    return tuple(sorted(hit))


def _test(get: Callable[[str], str | None], cond: Cond) -> bool:
    """True when an element's attributes (``get``: its ``get`` method) pass one test (CSS
    semantics)."""
    name, op, want = cond
    have = get(name)
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


# Class tokens whose candidates a matcher memoises before it empties the memo.
_MEMO_LIMIT = 50_000


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
        self.child_of: dict[str, list[Compound]] = {}
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
        # Every attribute a match can depend on (indexed, prefiltered or tested).
        self.attr_names = tuple(
            sorted(
                {"class", "id"}
                | {a for a in self.by_attr if a != "*"}
                | {
                    cond[0]
                    for cs in (
                        *self.by_tag.values(),
                        *self.by_token.values(),
                        *self.by_attr.values(),
                    )
                    for c in cs
                    for cond in c.conds
                }
            )
        )
        self.relevant = frozenset(self.attr_names)
        self.rare_names = self.relevant - {"class", "id"}
        self.prefilter = {a: needle_regex(ns) for a, ns in self.needles.items()}
        # The class pre-filter token by token (each token's verdict is memoised) when no
        # needle holds whitespace: then a needle can only occur inside one token.
        self.class_by_token = "class" not in self.always and not any(
            ch.isspace() for n in minimal_needles(self.needles.get("class", ())) for ch in n
        )
        # Each compound of the class group under a needle its value holds (the value occurs
        # in a class only if that needle does): a token makes only those candidates.
        self._class_by_needle: dict[str, list[Compound]] = {}
        if self.class_by_token:
            mins = minimal_needles(self.needles.get("class", ()))
            for c in self.by_attr.get("class", ()):
                needle = next(n for n in mins if n in c.conds[0][2])
                self._class_by_needle.setdefault(needle, []).append(c)
        self._tokens: dict[str, tuple[Compound, ...]] = {}
        # Per tag: the compounds that need no attribute lookup to become candidates.
        self._base: dict[str, list[Compound]] = {}
        # Across pages: the selectors a (tag, class, id) key matches, and the candidates
        # of an attribute value.
        self._memo: dict[tuple[str, str | None, str | None], tuple[int, ...]] = {}
        # (Memo values are tuples: an empty one, the common case, is the shared ``()``,
        # which the garbage collector does not track; an empty list or set it would, and
        # every full collection would walk tens of thousands of them.)
        self._seen: dict[tuple[str, str], tuple[Compound, ...]] = {}
        # The selectors an element without attributes matches, by its tag.
        self._bare: dict[str, tuple[int, ...]] = {}
        # When no compound reached through a tag or class tests the id, and none reached
        # through the id tests the class, a (tag, class, id) verdict is the (tag, class)
        # one plus the id's own: ids are often unique, so each is looked at alone.
        self._separable = not any(
            cond[0] == "id"
            for c in (
                *self.by_attr.get("*", ()),
                *(c for cs in self.by_tag.values() for c in cs),
                *(c for (n, _), cs in self.by_token.items() if n == "class" for c in cs),
                *self.by_attr.get("class", ()),
            )
            for cond in c.conds
        ) and not any(
            cond[0] == "class"
            for c in (
                *(c for (n, _), cs in self.by_token.items() if n == "id" for c in cs),
                *self.by_attr.get("id", ()),
            )
            for cond in c.conds
        )
        self._id_hits: dict[tuple[str, str], tuple[int, ...]] = {}

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
            c = None
            if not p.pseudo_element:
                tree = p.parsed_tree
                c = _compound(tree, index) or _child_compound(tree, index)
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
        """File a compound under a class/id token it requires, else an attribute, else its
        tag (a ``parent > child`` one under its tag apart: memoised verdicts cannot hold it).
        A compound naming a tag goes under its tag only without a class or id test: there it
        is a candidate at every element of the tag, and an id test there would tie the
        tag's verdicts to the id."""
        if c.parent is not None and c.tag is not None:
            self.child_of.setdefault(c.tag, []).append(c)
            return
        for name, op, value in c.conds:
            if op in ("~=", "=") and name in ("class", "id") and value and " " not in value:
                self.by_token.setdefault((name, value), []).append(c)
                return
        name, op, value = c.conds[0] if c.conds else ("*", "exists", "")
        if c.tag is not None and not (name in ("class", "id") and op in ("*=", "^=", "$=")):
            self.by_tag.setdefault(c.tag, []).append(c)
            return
        self.by_attr.setdefault(name, []).append(c)
        if op == "exists" or not value:
            self.always.add(name)
        else:
            self.needles.setdefault(name, []).append(value)

    def _needle_cands(self, token: str) -> tuple[Compound, ...]:
        """The class group's compounds whose needle one class token holds."""
        prefilter = self.prefilter.get("class")
        if prefilter is None or not prefilter.search(token):
            return ()
        return tuple(
            c for needle, cs in self._class_by_needle.items() if needle in token for c in cs
        )

    def _value_cands(self, name: str, value: str) -> tuple[Compound, ...]:
        """The compounds one attribute makes candidates: those indexed by its class or id
        tokens, and its attribute group when the value passes the group's pre-filter."""
        out: list[Compound] = []
        if name == "class" and self.class_by_token:
            tokens = self._tokens
            if len(tokens) > _MEMO_LIMIT:
                tokens.clear()
            for tok in value.split():
                info = tokens.get(tok)
                if info is None:
                    # The token's own compounds, then those its needles make candidates.
                    info = tokens[tok] = tuple(
                        self.by_token.get(("class", tok), ())
                    ) + self._needle_cands(tok)
                if info:  # (most tokens make none)
                    out.extend(info)
            return tuple(out)
        if value:
            if name == "class":
                for tok in value.split():
                    out.extend(self.by_token.get(("class", tok), ()))
            elif name == "id":
                out.extend(self.by_token.get(("id", value), ()))
        group = self.by_attr.get(name)
        if group is not None and (name in self.always or self.prefilter[name].search(value)):
            out.extend(group)
        return tuple(out)

    def _match(
        self,
        el: etree._Element,
        tag: str,
        names: list[str],
        seen: dict[tuple[str, str], tuple[Compound, ...]],
    ) -> tuple[int, ...]:
        """The indexes (ascending) of the simple selectors one element matches (``names``:
        its attribute names; ``seen``: ``_value_cands`` already computed on this page)."""
        cands: list[Compound] = list(self.by_attr.get("*", ()))
        cands.extend(self.by_tag.get(tag, ()))
        get = el.get
        for name in names:
            if name not in self.relevant:
                continue
            value = get(name)
            found = seen.get((name, value))
            if found is None:
                found = seen[(name, value)] = self._value_cands(name, value)
            cands.extend(found)
        if not cands:
            return ()
        return _hits(cands, tag, get)

    def _match_class_id(
        self,
        key: tuple[str, str | None, str | None],
        seen: dict[tuple[str, str], tuple[Compound, ...]],
    ) -> tuple[int, ...]:
        """``_match`` for an element whose only attributes selectors name are (at most) a
        class and an id: ``key`` is its tag, class and id."""
        tag, cls, ident = key
        cands = self._base.get(tag)
        if cands is None:
            cands = self._base[tag] = [*self.by_attr.get("*", ()), *self.by_tag.get(tag, ())]
        for name, value in (("class", cls), ("id", ident)):
            if value is not None:
                more = seen.get((name, value))
                if more is None:
                    more = seen[(name, value)] = self._value_cands(name, value)
                if more:
                    cands = [*cands, *more]
        if not cands:
            return ()
        get = {"class": cls, "id": ident}.get
        return _hits(cands, tag, get)

    def _match_key(
        self,
        key: tuple[str, str | None, str | None],
        seen: dict[tuple[str, str], tuple[Compound, ...]],
    ) -> tuple[int, ...]:
        """``_match_class_id``, from the memoised (tag, class) verdict and the id's own when
        the two are separable."""
        tag, cls, ident = key
        if ident is None or not self._separable:
            return self._match_class_id(key, seen)
        base_key = (tag, cls, None)
        base = self._memo.get(base_key)
        if base is None:
            base = self._memo[base_key] = self._match_class_id(base_key, seen)
        own = self._id_hits.get((tag, ident))
        if own is None:
            # (Not through ``seen``: this verdict is kept, and ids are mostly unique.)
            cands = self._value_cands("id", ident)
            get = {"id": ident}.get
            own = self._id_hits[(tag, ident)] = tuple(
                {
                    c.index
                    for c in cands
                    if c.tag in (None, tag) and all(_test(get, cond) for cond in c.conds)
                }
            )
        return tuple(sorted({*own, *base})) if own else base

    def select_all(self, root: etree._Element) -> list[list[etree._Element]]:
        """For each selector, the elements under ``root`` (inclusive) it matches."""
        found: list[list[etree._Element]] = [[] for _ in self.selectors]
        # What an element matches depends only on its tag and the attributes the selectors
        # name; most elements have at most a class and an id among those, and pages (and
        # sites) repeat them, so each such combination is tested once (memos kept across
        # pages, emptied when they grow past ``_MEMO_LIMIT``).
        rare = self.rare_names
        if len(self._memo) > _MEMO_LIMIT or len(self._seen) > _MEMO_LIMIT:
            self._memo.clear()
            self._seen.clear()
            self._base.clear()
            self._id_hits.clear()
            self._bare.clear()
        memo, seen, bare = self._memo, self._seen, self._bare
        memo_get, bare_get = memo.get, bare.get
        child_of = self.child_of
        for el in root.iter(etree.Element):
            tag = el.tag
            names = el.keys()
            if not names:
                hits = bare_get(tag)
                if hits is None:
                    hits = bare[tag] = self._match(el, tag, names, seen)
            elif rare.isdisjoint(names):
                key = (tag, el.get("class"), el.get("id"))
                hits = memo_get(key)
                if hits is None:
                    hits = memo[key] = self._match_key(key, seen)
            else:
                hits = self._match(el, tag, names, seen)
            if child_of and tag in child_of and el is not root:
                more = [c.index for c in child_of[tag] if c.index not in hits and _is_child(el, c)]
                if more:
                    hits = tuple(sorted({*hits, *more}))
            for i in hits:
                found[i].append(el)
        for i in self.fallback:
            found[i] = self.selectors[i].select(root)
        if self.partial:
            self._merge_partial(root, found)
        return found

    def _merge_partial(self, root: etree._Element, found: list[list[etree._Element]]) -> None:
        """Add the matches of the selectors' non-simple parts (their own XPath), keeping
        document order."""
        for i, xpath in self.partial.items():
            extra = [e for e in xpath(root) if isinstance(e, etree._Element)]
            have = set(found[i])
            new = [e for e in extra if e not in have and isinstance(e.tag, str)]
            if new:
                found[i] = sorted([*found[i], *new], key=_path_key)


def _is_child(el: etree._Element, c: Compound) -> bool:
    """True when ``el`` matches a ``parent > child`` compound (its tag already does)."""
    parent, want = el.getparent(), c.parent
    if parent is None or want is None or not all(_test(el.get, cond) for cond in c.conds):
        return False
    return (want.tag is None or parent.tag == want.tag) and all(
        _test(parent.get, cond) for cond in want.conds
    )


def _path_key(el: etree._Element) -> tuple[int, ...]:
    """An element's position path from its root: sorting by it puts elements in document
    order."""
    path: list[int] = []
    parent = el.getparent()
    while parent is not None:
        path.append(parent.index(el))
        el, parent = parent, parent.getparent()
    path.reverse()
    return tuple(path)


@functools.lru_cache(maxsize=256)
def matcher_for(selectors: tuple[Selector, ...]) -> Matcher:
    """The (cached) matcher of one rule's selector list."""
    return Matcher(selectors)
