"""Compiled selectors and text patterns, with the load-time checks rules need.

Selectors compile once, at rule load: CSS through cssselect to XPath, XPath as
given. A selector that would remove the whole page (one matching ``html`` or
``body``) and a regex whose nested quantifiers could backtrack for minutes are
refused here, never discovered at clean time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import cssselect
import lxml.html
from cssselect import HTMLTranslator
from cssselect.parser import CombinedSelector, Element
from lxml import etree
from lxml.cssselect import CSSSelector

try:  # Python 3.11+
    import re._parser as sre_parse
    from re._constants import MAXREPEAT
except ImportError:  # pragma: no cover - Python 3.10
    import sre_parse  # type: ignore[no-redef,unused-ignore]
    from sre_constants import MAXREPEAT  # type: ignore[no-redef,unused-ignore]

MAX_PATTERN_LENGTH = 1000

_PROBE = lxml.html.document_fromstring(
    "<html><head><title>t</title></head><body><div class='x' id='y'><p>x</p></div></body></html>"
)


class PatternError(ValueError):
    """A selector or pattern that cannot be used; the message says why."""


@dataclass(frozen=True)
class Selector:
    """A compiled CSS or XPath selector with where it came from."""

    kind: str
    expr: str
    xpath: etree.XPath = field(compare=False, repr=False)
    reason: str = ""
    line: int = 0

    def select(self, root: etree._Element) -> list[etree._Element]:
        """Return the elements under ``root`` (inclusive) that the selector matches."""
        try:
            found = self.xpath(root)
        except etree.XPathEvalError:
            return []
        if not isinstance(found, list):
            return []
        return [e for e in found if isinstance(e, etree._Element) and isinstance(e.tag, str)]


@dataclass(frozen=True)
class TextMatcher:
    """Matches an element's whole normalised text: exact (case-insensitive) or regex."""

    kind: str
    expr: str
    regex: re.Pattern[str] | None = field(compare=False, repr=False, default=None)
    reason: str = ""
    line: int = 0

    def matches(self, text: str) -> bool:
        """True when the normalised ``text`` is what this matcher removes."""
        if self.regex is not None:
            return self.regex.search(text) is not None
        return text.casefold() == self.expr.casefold()


def _rightmost_elements(parsed: object) -> Iterator[str]:
    """Yield the element name of the rightmost compound of a parsed CSS selector."""
    node = parsed
    while True:
        if isinstance(node, CombinedSelector):
            node = node.subselector
        elif isinstance(node, Element):
            if node.element:
                yield node.element.lower()
            return
        elif hasattr(node, "selector"):
            node = node.selector
        else:
            return


def compile_css(expr: str) -> etree.XPath:
    """Compile a CSS selector; raise PatternError with cssselect's reason on failure."""
    if not expr.strip():
        raise PatternError("empty selector")
    try:
        selectors = cssselect.parse(expr)
        compiled = CSSSelector(expr, translator="html")
    except cssselect.SelectorError as exc:
        raise PatternError(f"invalid CSS selector {expr!r}: {exc}") from None
    for sel in selectors:
        for name in _rightmost_elements(sel.parsed_tree):
            if name in ("html", "body"):
                raise PatternError(f"selector {expr!r} would match <{name}>: the whole page")
    return etree.XPath(_one_pass_xpath(selectors) or compiled.path)


_SIMPLE_STEP_RE = re.compile(r"^descendant-or-self::(\*|[A-Za-z][\w-]*)((?:\[.*\])?)$", re.S)


def _one_pass_xpath(selectors: list[cssselect.Selector]) -> str | None:
    """One XPath walking the tree once for a selector group: each comma part without
    combinators becomes a ``self::tag[…]`` test inside a single predicate (cssselect's own
    translation walks the whole document once per comma part)."""
    translator = HTMLTranslator()
    simple, complex_ = [], []
    for sel in selectors:
        path = translator.selector_to_xpath(sel, prefix="descendant-or-self::")
        m = _SIMPLE_STEP_RE.match(path)
        if m and "/" not in m.group(2).replace("//", "") and m.group(2).count("[") >= 0:
            simple.append(f"self::{m.group(1)}{m.group(2)}")
        else:
            complex_.append(path)
    if len(simple) < 2:
        return None
    parts = [f"descendant-or-self::*[{' or '.join(simple)}]", *complex_]
    return " | ".join(parts)


def compile_xpath(expr: str) -> etree.XPath:
    """Compile an XPath expression; raise PatternError on syntax errors."""
    if not expr.strip():
        raise PatternError("empty XPath")
    try:
        return etree.XPath(expr)
    except etree.XPathSyntaxError as exc:
        raise PatternError(f"invalid XPath {expr!r}: {exc}") from None


def make_selector(
    kind: str, expr: str, reason: str = "", line: int = 0, allow_page: bool = False
) -> Selector:
    """Compile and check a selector; ``allow_page`` skips the html/body guard."""
    xpath = compile_css(expr) if kind == "css" else compile_xpath(expr)
    try:
        probe = xpath(_PROBE)
    except etree.XPathEvalError as exc:
        raise PatternError(f"XPath {expr!r} cannot be evaluated: {exc}") from None
    if not isinstance(probe, list) or any(not isinstance(e, etree._Element) for e in probe):
        raise PatternError(f"{kind} {expr!r} must select elements, not text or numbers")
    if not allow_page:
        for e in probe:
            if e.tag in ("html", "body"):
                raise PatternError(
                    f"{kind} selector {expr!r} would match <{e.tag}>: the whole page"
                )
    return Selector(kind=kind, expr=expr, xpath=xpath, reason=reason, line=line)


def _has_unbounded_repeat(items: object) -> bool:
    """True when a parsed regex (sub)pattern contains a repeat of more than one."""
    for op, av in items:  # type: ignore[attr-defined]
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"):
            _lo, hi, sub = av
            if hi == MAXREPEAT or hi > 10:
                return True
            if _has_unbounded_repeat(sub):
                return True
        elif name == "SUBPATTERN":
            if _has_unbounded_repeat(av[-1]):
                return True
        elif name == "BRANCH":
            if any(_has_unbounded_repeat(b) for b in av[1]):
                return True
        elif name in ("ASSERT", "ASSERT_NOT") and _has_unbounded_repeat(av[1]):
            return True
    return False


def _nested_quantifier(items: object) -> bool:
    """True when a repeat encloses another unbounded repeat: catastrophic backtracking."""
    for op, av in items:  # type: ignore[attr-defined]
        name = str(op)
        if name in ("MAX_REPEAT", "MIN_REPEAT"):
            _lo, hi, sub = av
            if (hi == MAXREPEAT or hi > 10) and _has_unbounded_repeat(sub):
                return True
            if _nested_quantifier(sub):
                return True
        elif name == "SUBPATTERN":
            if _nested_quantifier(av[-1]):
                return True
        elif name == "BRANCH":
            if any(_nested_quantifier(b) for b in av[1]):
                return True
        elif name in ("ASSERT", "ASSERT_NOT") and _nested_quantifier(av[1]):
            return True
    return False


def compile_regex(expr: str) -> re.Pattern[str]:
    """Compile a regex, refusing ones that could run away on crafted text."""
    if len(expr) > MAX_PATTERN_LENGTH:
        raise PatternError(f"regex is longer than {MAX_PATTERN_LENGTH} characters")
    try:
        compiled = re.compile(expr)
        parsed = sre_parse.parse(expr)
    except re.error as exc:
        raise PatternError(f"invalid regex {expr!r}: {exc}") from None
    if _nested_quantifier(parsed):
        raise PatternError(
            f"regex {expr!r} nests a repeat inside a repeat, which can backtrack "
            "catastrophically; rewrite it without the nested quantifier"
        )
    return compiled


def make_text_matcher(kind: str, expr: str, reason: str = "", line: int = 0) -> TextMatcher:
    """Build a text matcher: ``text`` compares whole normalised text, ``regex`` searches it."""
    if kind == "regex":
        return TextMatcher(kind, expr, compile_regex(expr), reason, line)
    norm = " ".join(expr.split())
    if not norm:
        raise PatternError("empty text pattern")
    return TextMatcher("text", norm, None, reason, line)
