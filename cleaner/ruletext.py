"""Writing rule text: YAML quoting, XPath literals, and bracket-aware splitting.

Shared by the converters (``ftr``, ``adblock``, ``cosmetic``), which build rule files
as text and must never produce YAML or XPath that reads differently from what they
meant.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from .selectors import PatternError


@dataclass(frozen=True)
class Note:
    """One source line that has no equivalent, and why."""

    line: int
    col: int
    directive: str
    message: str


def yaml_quote(value: str) -> str:
    """A YAML double-quoted scalar for any string (control and line-break characters escaped)."""
    out = ['"']
    for ch in value:
        o = ord(ch)
        if ch in '"\\':
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\t":
            out.append("\\t")
        elif (
            o < 0x20
            or 0x7F <= o <= 0x9F
            or o in (0x2028, 0x2029, 0xFEFF, 0xFFFE, 0xFFFF)
            or 0xD800 <= o <= 0xDFFF
        ):
            out.append(f"\\u{o:04x}")
        else:
            out.append(ch)
    out.append('"')
    return "".join(out)


def xpath_literal(text: str) -> str:
    """An XPath 1.0 string literal for any text (concat() when it has both quotes)."""
    if "'" not in text:
        return f"'{text}'"
    if '"' not in text:
        return f'"{text}"'
    parts = text.split("'")
    return "concat(" + ', "\'", '.join(f"'{p}'" for p in parts) + ")"


def match_bracket(text: str, start: int, opener: str, closer: str) -> int:
    """Index of the bracket closing the one at ``start`` (quotes and escapes honoured)."""
    depth, quote, i = 0, "", start
    while i < len(text):
        ch = text[i]
        if ch == "\\":
            i += 2
            continue
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch == opener:
            depth += 1
        elif ch == closer:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise PatternError(f"unbalanced {opener!r} in {text!r}")


def top_level(text: str, chars: str, escapes: bool = True) -> list[int]:
    """Positions of ``chars`` outside brackets, parentheses and quotes (``escapes``: a
    backslash escapes the next character, as in CSS; XPath has no escapes)."""
    out, depth, quote, i = [], 0, "", 0
    while i < len(text):
        ch = text[i]
        if ch == "\\" and escapes:
            i += 2
            continue
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "([":
            depth += 1
        elif ch in ")]":
            depth -= 1
        elif depth == 0 and ch in chars:
            out.append(i)
        i += 1
    return out


def split_top(text: str, sep: str, escapes: bool = True) -> list[str]:
    """Split at top-level ``sep`` characters, stripping each part."""
    cuts = [-1, *top_level(text, sep, escapes), len(text)]
    return [text[a + 1 : b].strip() for a, b in itertools.pairwise(cuts)]
