"""Ad-blocker cosmetic selectors as our selectors: CSS stays CSS, the rest becomes XPath.

uBlock Origin's procedural operators and their Adblock Plus / AdGuard aliases map to
XPath 1.0:

- ``:has-text(t)`` / ``:contains(t)`` / ``:-abp-contains(t)``: the element's
  whitespace-normalised text contains ``t``; ``/t/i`` is the case-insensitive form
  (ASCII letters); a real regular expression has no XPath 1.0 equivalent and is refused;
- ``:upward(n)`` / ``:nth-ancestor(n)``: ``ancestor::*[n]``; ``:upward(sel)``: the
  nearest ancestor matching ``sel``; never ``<body>`` or ``<html>``;
- ``:has(sel)`` / ``:-abp-has(sel)`` (``> p`` child, ``+ p`` next sibling, ``~ p``
  later sibling, else descendant) and ``:is()``/``:where()``/``:matches()`` are
  translated here because cssselect mistranslates their relative and list forms;
- ``:xpath(expr)``: the expression itself (relative to what precedes it);
- ``:remove()``: removing is what every rule does.

Operators that need a browser (``:matches-css()``, ``:style()``, ``:watch-attr()`` …)
are refused with the reason.
"""

from __future__ import annotations

import re

from cssselect import HTMLTranslator, SelectorError

from .ruletext import match_bracket, split_top, top_level, xpath_literal
from .selectors import PatternError, make_selector

OP_RE = re.compile(r":(-?[a-z][a-z-]*)\(")
TEXT_OPS = {"has-text", "contains", "-abp-contains"}
HAS_OPS = {"has", "-abp-has"}
IS_OPS = {"is", "where", "matches"}
UP_OPS = {"upward", "nth-ancestor"}
OPS = TEXT_OPS | HAS_OPS | IS_OPS | UP_OPS | {"remove", "xpath"}
BROWSER_OPS = {
    "matches-css": "needs computed styles",
    "matches-css-before": "needs computed styles",
    "matches-css-after": "needs computed styles",
    "-abp-properties": "needs computed styles",
    "style": "injects CSS instead of hiding",
    "min-text-length": "not supported",
    "watch-attr": "watches a live page",
    "others": "not supported",
    "matches-path": "matches the URL path, which rules select with match.paths",
    "matches-attr": "not supported",
    "matches-prop": "needs JavaScript properties",
    "matches-media": "needs a viewport",
    "remove-attr": "removes attributes, not elements",
    "remove-class": "removes classes, not elements",
    "if": "not supported",
    "if-not": "not supported",
    "shadow": "needs shadow DOM",
}
REGEX_META = set(".*+?^$()[]{}|")
UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
COMBINATOR_AXES = {
    " ": "descendant::",
    ">": "child::",
    "~": "following-sibling::",
    "+": "following-sibling::*[1]/self::",
}
_TR = HTMLTranslator()


def _tokens(selector: str) -> list[tuple[str, str]]:
    """Split one selector into ("css", text) and (operator, argument) tokens."""
    out: list[tuple[str, str]] = []
    pos = 0
    for i in top_level(selector, ":"):
        if i < pos:
            continue  # inside an operator argument already consumed
        m = OP_RE.match(selector, i)
        if m and (m.group(1) in OPS or m.group(1) in BROWSER_OPS):
            end = match_bracket(selector, m.end() - 1, "(", ")")
            if selector[pos:i]:
                out.append(("css", selector[pos:i]))
            out.append((m.group(1), selector[m.end() : end]))
            pos = end + 1
    if selector[pos:]:
        out.append(("css", selector[pos:]))
    return out


def _css(css: str, prefix: str) -> str:
    """Translate plain CSS to XPath with cssselect's HTML rules."""
    try:
        return str(_TR.css_to_xpath(css, prefix=prefix))
    except SelectorError as exc:
        raise PatternError(f"invalid CSS selector {css!r}: {exc}") from None


def _is_union(expr: str) -> bool:
    """True when an XPath has a top-level ``|``."""
    return bool(top_level(expr, "|"))


def _pred(expr: str, pred: str) -> str:
    """Filter an XPath's result by a predicate."""
    return f"({expr})[{pred}]" if _is_union(expr) else f"{expr}[{pred}]"


def _step(expr: str, path: str) -> str:
    """Continue an XPath with a relative location path."""
    return f"({expr})/{path}" if _is_union(expr) else f"{expr}/{path}"


def self_test(css: str) -> str:
    """An XPath predicate true for the context element when it matches ``css``."""
    branches = split_top(css, ",")
    tests = []
    for b in branches:
        if not b:
            raise PatternError(f"empty selector in {css!r}")
        if top_level(b.strip(), " >+~"):
            absolute = _css(b, "//")
            tests.append(f"count(.|{absolute}) = count({absolute})")
        else:
            tests.append(_css(b, "self::"))
    return " or ".join(tests)


def text_test(arg: str) -> str:
    """``:has-text()``: the element's normalised text contains the text (or literal regex)."""
    arg = arg.strip()
    fold = False
    m = re.fullmatch(r"/(.*)/([a-z]*)", arg, re.S)
    if m:
        body, flags = m.groups()
        if set(flags) - {"i"}:
            raise PatternError(f"regex flags {flags!r} are not supported in :has-text()")
        literal, i = [], 0
        while i < len(body):
            if body[i] == "\\" and i + 1 < len(body) and not body[i + 1].isalnum():
                literal.append(body[i + 1])
                i += 2
                continue
            if body[i] in REGEX_META or body[i] == "\\":
                raise PatternError(
                    f":has-text({arg}) uses a regular expression: XPath 1.0 has none "
                    "(only literal /text/ or /text/i converts)"
                )
            literal.append(body[i])
            i += 1
        arg, fold = "".join(literal), "i" in flags
    needle = " ".join(arg.split())
    if not needle:
        raise PatternError(":has-text() needs some text")
    if fold:
        lower = UPPER.lower()
        return (
            f"contains(translate(normalize-space(.), '{UPPER}', '{lower}'), "
            f"{xpath_literal(needle.lower())})"
        )
    return f"contains(normalize-space(.), {xpath_literal(needle)})"


def _rest_css(expr: str, css: str) -> str:
    """Apply CSS that follows an operator: a compound continues it, a combinator steps on."""
    stripped = css.lstrip()
    if not stripped:
        return expr
    lead = css[0]
    if lead in " \t" or stripped[0] in ">+~":
        comb = stripped[0] if stripped[0] in ">+~" else " "
        tail = stripped[1:].strip() if comb != " " else stripped
        if not tail:
            tail = "*"
        return _step(expr, _css(tail, COMBINATOR_AXES[comb]))
    cuts = top_level(stripped, " >+~")
    compound = stripped[: cuts[0]] if cuts else stripped
    expr = _pred(expr, _css("*" + compound, "self::"))
    return _rest_css(expr, stripped[len(compound) :]) if cuts else expr


def translate_branch(selector: str, start: str) -> str:
    """One comma-free selector with procedural operators as XPath from axis ``start``."""
    tokens = _tokens(selector)
    expr: str | None = None
    for n, (kind, arg) in enumerate(tokens):
        if kind == "css":
            if expr is None:
                css = arg.strip()
                following_op = n + 1 < len(tokens)
                if following_op and (arg[-1:].isspace() or css[-1:] in (">", "+", "~")):
                    css += " *"
                expr = _css(css, start)
            else:
                expr = _rest_css(expr, arg)
            continue
        if kind in BROWSER_OPS:
            raise PatternError(f":{kind}() is not supported: {BROWSER_OPS[kind]}")
        if kind == "xpath":
            if expr is None:
                expr = arg.strip()
            elif arg.strip().startswith(("/", "(")):
                raise PatternError(":xpath() after a selector must be a relative path")
            else:
                expr = _step(expr, arg.strip())
            continue
        base = expr if expr is not None else f"{start}*"
        if kind in TEXT_OPS:
            expr = _pred(base, text_test(_unmask(arg)))
        elif kind in HAS_OPS:
            expr = _pred(base, relative(arg))
        elif kind in IS_OPS:
            expr = _pred(base, self_test(arg))
        elif kind in UP_OPS:
            expr = _upward(base, arg.strip())
        else:  # remove: removing is what every rule does
            expr = base
    if expr is None:
        raise PatternError("empty selector")
    return expr


def _upward(expr: str, arg: str) -> str:
    """``:upward(n)`` is the n-th ancestor; ``:upward(sel)`` the nearest matching one."""
    if arg.isdigit():
        n = int(arg)
        if not 1 <= n <= 256:
            raise PatternError(f":upward({arg}) needs a number from 1 to 256")
        return _step(expr, f"ancestor::*[{n}][ancestor::body]")
    if not arg:
        raise PatternError(":upward() needs a number or a selector")
    # Never <body> or <html>: no list means to hide the whole page.
    return _step(expr, f"ancestor::*[{self_test(arg)}][ancestor::body][1]")


def relative(arg: str) -> str:
    """``:has(arg)``: a relative selector as a predicate (``> p`` child, ``+ p`` next …)."""
    out = []
    for branch in split_top(arg, ","):
        comb = branch[:1] if branch[:1] in (">", "+", "~") else " "
        rest = branch[1:].strip() if comb != " " else branch
        out.append(translate_branch(rest, COMBINATOR_AXES[comb]))
    return " | ".join(out)


def _mask(selector: str) -> str:
    """Hide the text arguments of ``:has-text()`` and its aliases (hex between NULs): they
    are raw text, where quotes and commas mean nothing, so splitting must not see them."""
    out, pos = [], 0
    for m in OP_RE.finditer(selector):
        if m.group(1) not in TEXT_OPS or m.start() < pos:
            continue
        depth, i = 1, m.end()
        while i < len(selector) and depth:
            ch = selector[i]
            depth += (ch == "(") - (ch == ")")
            i += 2 if ch == "\\" else 1
        if depth:
            raise PatternError(f"unbalanced '(' in {selector!r}")
        arg = selector[m.end() : i - 1]
        out += [selector[pos : m.end()], "\0", arg.encode("utf-8").hex(), "\0)"]
        pos = i
    return "".join(out) + selector[pos:]


def _unmask(arg: str) -> str:
    """The original text of a masked ``:has-text()`` argument."""
    if arg.startswith("\0") and arg.endswith("\0"):
        return bytes.fromhex(arg[1:-1]).decode("utf-8")
    return arg


def translate(selector: str) -> tuple[str, str]:
    """A filter's selector as our (kind, expression): plain CSS stays CSS."""
    selector = _mask(selector)
    branches = split_top(selector, ",")
    if any(not b for b in branches):
        raise PatternError(f"empty selector in {selector!r}")
    if all(len(t := _tokens(b)) == 1 and t[0][0] == "css" for b in branches):
        make_selector("css", selector)
        return "css", selector
    expr = " | ".join(translate_branch(b, "//") for b in branches)
    make_selector("xpath", expr)
    return "xpath", expr
