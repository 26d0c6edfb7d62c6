"""The first text matcher (in rule order) that matches a block's normalised text, found fast.

``remove_text`` looks up every short block of a page, and almost none matches: exact texts
are one dictionary lookup, and regexes hide behind pre-filters that are necessary conditions
only (a text that passes is checked against every regex, one that fails cannot match any).
Patterns anchored at the start are grouped by the characters a match can start with (found
from their parse trees), so a text meets only the combined ``match`` of its first character's
group. A pattern that can start with anything (``^.{0,160}\\b(…)``) would make a ``match``
try it at every position, so when every match of it must contain one of a few literal
strings, it waits behind a test for those instead.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from .selectors import TextMatcher

try:  # Python 3.11+
    import re._parser as sre_parse
    from re._constants import (
        ANY,
        AT,
        AT_BEGINNING,
        AT_BEGINNING_STRING,
        BRANCH,
        IN,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        RANGE,
        SUBPATTERN,
    )
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse
    from sre_constants import (
        ANY,
        AT,
        AT_BEGINNING,
        AT_BEGINNING_STRING,
        BRANCH,
        IN,
        LITERAL,
        MAX_REPEAT,
        MIN_REPEAT,
        RANGE,
        SUBPATTERN,
    )

# A literal gate is used only when each of its strings is at least this long.
MIN_LITERAL = 3


def _scoped(rx: re.Pattern[str]) -> str:
    """A pattern whose leading global flags, like ``(?i)``, become a scoped group."""
    m = re.match(r"\(\?([aiLmsux]+)\)", rx.pattern)
    return f"(?{m.group(1)}:{rx.pattern[m.end() :]})" if m else rx.pattern


def _parsed(rx: re.Pattern[str]) -> sre_parse.SubPattern | None:
    """The parse tree of a compiled pattern (None if it cannot be parsed again)."""
    try:
        return sre_parse.parse(rx.pattern)
    except re.error:  # pragma: no cover - it compiled once already
        return None


def _anchored(rx: re.Pattern[str]) -> bool:
    """True when a regex can only match at the start of the text (``^…`` or ``\\A…``)."""
    if rx.flags & re.MULTILINE:
        return False
    parsed = _parsed(rx)
    return (
        parsed is not None
        and len(parsed) > 0
        and parsed[0][0] is AT
        and parsed[0][1] in (AT_BEGINNING, AT_BEGINNING_STRING)
    )


def _opens_with_anything(rx: re.Pattern[str]) -> bool:
    """True when an anchored regex starts with an optional run of any character, such as
    ``^.{0,160}`` (a ``match`` then tries the rest at every position)."""
    parsed = _parsed(rx)
    if parsed is None or len(parsed) < 2:
        return False
    op, av = parsed[1]
    return op in (MAX_REPEAT, MIN_REPEAT) and av[0] == 0 and any(o is ANY for o, _ in av[2])


# A character class is expanded to its characters when it spans at most this many.
MAX_CLASS = 256


def _class_chars(items: list[tuple[Any, Any]]) -> set[str] | None:
    """The characters of a parsed ``[…]`` class (None if negated, by category, or wide)."""
    out: set[str] = set()
    for op, av in items:
        if op is LITERAL:
            out.add(chr(av))
        elif op is RANGE and av[1] - av[0] < MAX_CLASS:
            out.update(map(chr, range(av[0], av[1] + 1)))
        else:
            return None
    return out


def _first(items: list[tuple[Any, Any]]) -> tuple[set[str], bool] | None:
    """The characters a match of the parsed sequence ``items`` can start with, and whether
    it can match the empty string; None when that is not known."""
    out: set[str] = set()
    for op, av in items:
        item: tuple[set[str], bool] | None
        if op is LITERAL:
            item = ({chr(av)}, False)
        elif op is IN:
            chars = _class_chars(av)
            item = None if chars is None else (chars, False)
        elif op is SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            item = None if add_flags & re.IGNORECASE else _first(list(sub))
        elif op is BRANCH:
            alternatives = [_first(list(b)) for b in av[1]]
            if any(a is None for a in alternatives):
                return None
            item = (
                set().union(*(a[0] for a in alternatives if a)),
                any(a[1] for a in alternatives if a),
            )
        elif op in (MAX_REPEAT, MIN_REPEAT):
            sub_first = _first(list(av[2]))
            item = None if sub_first is None else (sub_first[0], sub_first[1] or av[0] == 0)
        else:
            return None
        if item is None:
            return None
        out |= item[0]
        if not item[1]:
            return out, False
    return out, True


def first_chars(rx: re.Pattern[str]) -> set[str] | None:
    """The characters a match of an anchored regex can start with (None: not known, or it
    can match the empty string)."""
    if rx.flags & re.IGNORECASE:
        return None
    parsed = _parsed(rx)
    if parsed is None or parsed.state.flags & re.IGNORECASE or not _anchored(rx):
        return None
    found = _first(list(parsed)[1:])
    return None if found is None or found[1] else found[0]


def _required(items: list[tuple[Any, Any]]) -> set[str] | None:
    """Strings one of which every match of the parsed sequence ``items`` contains (the best
    such set found: its shortest string longest), or None when none is known."""
    best: set[str] | None = None

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if found and (best is None or min(map(len, found)) > min(map(len, best))):
            best = found

    run = ""
    for op, av in items:
        if op is LITERAL:
            run += chr(av)
            continue
        consider({run} if run else None)
        run = ""
        if op is SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & re.IGNORECASE:
                consider(_required(list(sub)))
        elif op is BRANCH:
            alternatives = [_required(list(b)) for b in av[1]]
            if all(alternatives):
                consider({lit for a in alternatives if a for lit in a})
        elif op in (MAX_REPEAT, MIN_REPEAT) and av[0] >= 1:
            consider(_required(list(av[2])))
    consider({run} if run else None)
    return best


def required_literals(rx: re.Pattern[str]) -> set[str] | None:
    """Strings (each at least ``MIN_LITERAL`` long) one of which every match of ``rx``
    contains, or None when no such set is known (case-insensitive patterns have none)."""
    if rx.flags & re.IGNORECASE:
        return None
    parsed = _parsed(rx)
    if parsed is None or parsed.state.flags & re.IGNORECASE:
        return None
    found = _required(list(parsed))
    if not found or min(map(len, found)) < MIN_LITERAL:
        return None
    return found


def _combine(regexes: list[TextMatcher]) -> re.Pattern[str] | None:
    """One pattern matching where any of ``regexes`` does (None: cannot be embedded)."""
    try:
        return re.compile("|".join(f"(?:{_scoped(m.regex)})" for m in regexes if m.regex))
    except re.error:
        return None


def minimal_needles(needles: Iterable[str]) -> list[str]:
    """The needles that hold no other needle (a text holds one of the given needles exactly
    when it holds one of these)."""
    out: list[str] = []
    for n in sorted(set(needles), key=len):
        if not any(m in n for m in out):
            out.append(n)
    return sorted(out)


def _trie_pattern(words: Sequence[str]) -> str:
    """One regex alternation of literal words, factored by common prefixes (Python's regex
    engine tries each alternative at each position; a trie tries few). No word may be a
    prefix of another (``minimal_needles`` guarantees that)."""
    trie: dict[str, dict] = {}
    for w in words:
        node = trie
        for ch in w:
            node = node.setdefault(ch, {})

    def build(node: dict) -> str:
        alts = [re.escape(ch) + build(sub) for ch, sub in sorted(node.items())]
        if not alts:
            return ""
        return alts[0] if len(alts) == 1 else "(?:" + "|".join(alts) + ")"

    return build(trie) if words else "(?!)"


def needle_regex(needles: Iterable[str]) -> re.Pattern[str]:
    """A regex finding any of ``needles`` (a trie; a flat alternation if that will not
    compile, e.g. nested too deep)."""
    words = minimal_needles(needles)
    try:
        return re.compile(_trie_pattern(words))
    except (re.error, RecursionError):
        return re.compile("|".join(re.escape(w) for w in words) or "(?!)")


def alternation_test(pattern: str) -> Callable[[str], bool]:
    """``re.compile(pattern).search(text) is not None``, faster, for a case-sensitive
    pattern: when it is an alternation of which some alternatives are plain words, those as
    one trie (Python's regex engine tries every alternative at every position; a trie's
    first characters let it skip the positions no word starts at); the rest (or the whole
    pattern) only for a text holding one of the strings each of its matches must contain."""
    rx = re.compile(pattern)
    parsed = _parsed(rx)
    if rx.flags & ~re.UNICODE or parsed is None:
        return lambda text: rx.search(text) is not None
    alternatives = pattern.split("|")
    if len(parsed) == 1 and parsed[0][0] is BRANCH and len(parsed[0][1][1]) == len(alternatives):
        words = [a for a in alternatives if _PLAIN_WORD.fullmatch(a)]
        others = [a for a in alternatives if not _PLAIN_WORD.fullmatch(a)]
    else:
        words, others = [], [pattern]
    trie = needle_regex(words) if words else None
    rest = re.compile("|".join(others)) if others else None
    required = [_required(list(sre_parse.parse(a))) for a in others]
    gates = (
        tuple(minimal_needles(lit for found in required if found for lit in found))
        if all(required)
        else None
    )

    def test(text: str) -> bool:
        """True when ``pattern`` occurs in ``text``."""
        if trie is not None and trie.search(text) is not None:
            return True
        if rest is None or (gates is not None and not any(g in text for g in gates)):
            return False
        return rest.search(text) is not None

    return test


def case_insensitive_test(rx: re.Pattern[str]) -> Callable[[str], bool]:
    """``rx.search(text) is not None`` for a case-insensitive pattern written in lower-case
    ASCII, faster: an ASCII text lower-cased and tested case-sensitively by
    ``alternation_test`` (the same verdicts: only non-ASCII characters, such as the Kelvin
    sign, fold onto ASCII letters), any other text searched as it is."""
    if not rx.pattern.isascii() or any(c.isupper() for c in re.sub(r"\\.", "", rx.pattern)):
        return lambda text: rx.search(text) is not None
    lower = alternation_test(rx.pattern)

    def test(text: str) -> bool:
        """True when ``rx`` occurs in ``text``."""
        if text.isascii():
            return lower(text.lower())
        return rx.search(text) is not None

    return test


# An alternative that is a plain word (letters, digits, "_", "-" and spaces: no
# metacharacter).
_PLAIN_WORD = re.compile(r"[A-Za-z0-9_ -]+")


def _prefilter(matchers: list[TextMatcher]) -> Callable[[str], bool]:
    """A necessary condition for any of the regex ``matchers`` to match a text: first
    characters for anchored patterns, literals for those opening with any character, one
    combined match or search for the rest."""
    by_char: dict[str, list[TextMatcher]] = {}
    literals: set[str] = set()
    anchored: list[TextMatcher] = []
    floating: list[TextMatcher] = []
    for m in matchers:
        assert m.regex is not None
        chars = first_chars(m.regex)
        lits = None
        if chars is None and _anchored(m.regex) and _opens_with_anything(m.regex):
            lits = required_literals(m.regex)
        if chars is not None:
            for c in chars:
                by_char.setdefault(c, []).append(m)
        elif lits is not None:
            literals |= lits
        elif _anchored(m.regex):
            anchored.append(m)
        else:
            floating.append(m)
    at_char = {c: _combine(ms) for c, ms in by_char.items()}
    at_start = _combine(anchored) if anchored else None
    anywhere = _combine(floating) if floating else None
    needles = minimal_needles(literals)
    unfiltered = (anchored and at_start is None) or (floating and anywhere is None)

    def may_match(text: str) -> bool:
        """False only when no regex can match ``text``."""
        if unfiltered:
            return True
        first = text[:1]
        if first in at_char:
            rx = at_char[first]
            if rx is None or rx.match(text):
                return True
        for needle in needles:
            if needle in text:
                return True
        return bool(
            (at_start is not None and at_start.match(text))
            or (anywhere is not None and anywhere.search(text))
        )

    return may_match


@functools.lru_cache(maxsize=64)
def finder(matchers: tuple[TextMatcher, ...]) -> Callable[[str], TextMatcher | None]:
    """A fast first-match lookup: exact texts by dictionary, regexes behind ``_prefilter``
    (most blocks match nothing, so most calls cost a dictionary lookup and little more)."""
    exact: dict[str, TextMatcher] = {}
    regexes = [m for m in matchers if m.regex is not None]
    for m in matchers:
        if m.regex is None:
            exact.setdefault(m.expr.casefold(), m)
    may_match = _prefilter(regexes)
    order = {m: i for i, m in enumerate(matchers)}

    def find(text: str) -> TextMatcher | None:
        """The first matcher (in rule order) that matches ``text``."""
        hit = exact.get(text.casefold())
        if not regexes or not may_match(text):
            return hit
        hits = [hit] if hit is not None else []
        hits.extend(m for m in regexes if m.matches(text))
        return min(hits, key=order.__getitem__) if hits else None

    return find
