"""MathML formulas as HTML text: ``<math>`` becomes ``<span class="math">`` holding the
formula written on one line ("x = (−b ± √(b<sup>2</sup> − 4 a c)) / (2 a)").

The reading document allows no foreign (SVG or MathML) content: its markup is where
sanitisers and browsers have parsed differently (mutation XSS), and the archive's safety
checks refuse every such element. A formula is article text all the same, so it is kept as
HTML that says it: identifiers, numbers and operators as words, scripts as ``<sub>`` and
``<sup>``, fractions and roots with brackets, table rows apart. What only annotates or
hides (``annotation``, ``mphantom``) is left out.
"""

from __future__ import annotations

from lxml import etree

from .actions import norm_text

# Elements whose text is one token of the formula.
_TOKENS = frozenset(("mi", "mn", "mo", "mtext"))
# Elements that say nothing the reader sees.
_SILENT = frozenset(
    ("annotation", "annotation-xml", "mphantom", "mprescripts", "none", "malignmark", "mglyph")
)
# Script-like layouts: (base, then the parts each written as this tag).
_SCRIPTS = {
    "msub": ("sub",),
    "msup": ("sup",),
    "msubsup": ("sub", "sup"),
    "munder": ("sub",),
    "mover": ("sup",),
    "munderover": ("sub", "sup"),
}
# No space after these, nor before those.
_OPENING = frozenset("([{⟨")
_CLOSING = frozenset(")]}⟩,.;:!")
# Deeper than this, a formula's rest is written as its plain text (no recursion limit hit
# on a pathological page).
MAX_DEPTH = 64


class _Out:
    """Writes text and child elements into one HTML element, in order."""

    def __init__(self, el: etree._Element) -> None:
        """Write into ``el``."""
        self.el = el

    def text(self, value: str) -> None:
        """Append text after what is written."""
        if not value:
            return
        el = self.el
        if len(el):
            last = el[-1]
            last.tail = (last.tail or "") + value
        else:
            el.text = (el.text or "") + value

    def word(self, value: str) -> None:
        """Append a token, a space apart from what comes before it (none after an opening
        bracket or before a closing one or a comma)."""
        if value:
            self.gap(value[0])
            self.text(value)

    def gap(self, first: str = "x") -> None:
        """Write the space that goes before something starting with ``first``, if any."""
        before = self._last()
        if before and not before.isspace() and before not in _OPENING and first not in _CLOSING:
            self.text(" ")

    def child(self, tag: str) -> _Out:
        """Start a child element (``sub``, ``sup``) and write into it."""
        return _Out(etree.SubElement(self.el, tag))

    def _last(self) -> str:
        """The last character written ("" for none; a child element counts as a letter)."""
        el = self.el
        if len(el):
            return (el[-1].tail or "x")[-1:]
        return (el.text or "")[-1:]


def linearize(root: etree._Element) -> int:
    """Replace every ``<math>`` under ``root`` with a ``<span class="math">`` writing its
    formula as text; returns how many were replaced."""
    count = 0
    for math in list(root.iter("math")):
        parent = math.getparent()
        if parent is None:
            continue
        span = etree.Element("span", {"class": "math"})
        out = _Out(span)
        if len(math):
            _write(math, out, 0)
        else:
            out.word(norm_text(math.text or "") or norm_text(math.get("alttext") or ""))
        span.tail = math.tail
        parent.replace(math, span)
        count += 1
    return count


def _local(el: etree._Element) -> str:
    """An element's tag without a namespace or prefix, lower-cased ("" for comments)."""
    tag = el.tag
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1].lower()


def _kids(el: etree._Element) -> list[etree._Element]:
    """An element's child elements (not comments)."""
    return [c for c in el if isinstance(c.tag, str)]


def _simple(el: etree._Element) -> bool:
    """True for one token (or a row of one), or a row in its own brackets: a fraction's part
    that needs no more."""
    tag, kids = _local(el), _kids(el)
    while tag == "mrow" and len(kids) == 1:  # (a loop: rows may nest deep)
        tag, kids = _local(kids[0]), _kids(kids[0])
    if tag in _TOKENS or tag == "mfenced":
        return True
    if tag != "mrow" or not kids:
        return False
    # "(1 − q)" is; "(1 − q)(1 + q)" is not: the first bracket closes only at the end.
    depth = 0
    for i, kid in enumerate(kids):
        sign = norm_text(kid.text or "") if _local(kid) == "mo" else ""
        if sign and sign in _OPENING:
            depth += 1
        elif sign and sign in ")]}⟩":
            depth -= 1
        if depth <= 0:
            return i == len(kids) - 1 and i > 0
    return False


def _bracketed(el: etree._Element, out: _Out, depth: int) -> None:
    """Write a part, in brackets unless it is a single token."""
    if _simple(el):
        _write(el, out, depth)
        return
    out.word("(")
    _write(el, out, depth)
    out.text(")")


def _write(el: etree._Element, out: _Out, depth: int) -> None:
    """Write one MathML element (and what it holds) as text and sub/sup elements."""
    tag = _local(el)
    if not tag or tag in _SILENT:
        return
    if depth > MAX_DEPTH:
        out.word(norm_text(el.xpath("string()")))
        return
    depth += 1
    kids = _kids(el)
    if tag in _TOKENS:
        out.word(norm_text(el.xpath("string()")))
    elif tag == "ms":
        out.word(f'"{norm_text(el.xpath("string()"))}"')
    elif tag == "mspace":
        out.text(" ")
    elif tag in ("semantics", "maction"):
        if kids:
            _write(kids[0], out, depth)
    elif tag in _SCRIPTS and kids:
        _write(kids[0], out, depth)
        for part, script in zip(kids[1:], _SCRIPTS[tag], strict=False):
            _write(part, out.child(script), depth)
    elif tag == "mmultiscripts" and kids:
        _write(kids[0], out, depth)
        for i, part in enumerate(kids[1:]):
            if _local(part) == "mprescripts":
                break
            _write(part, out.child("sub" if i % 2 == 0 else "sup"), depth)
    elif tag == "mfrac" and len(kids) == 2:
        _bracketed(kids[0], out, depth)
        out.word("/")
        _bracketed(kids[1], out, depth)
    elif tag == "msqrt":
        out.word("√(")
        for kid in kids:
            _write(kid, out, depth)
        out.text(")")
    elif tag == "mroot" and len(kids) == 2:
        out.gap()
        _write(kids[1], out.child("sup"), depth)
        out.text("√(")
        _write(kids[0], out, depth)
        out.text(")")
    elif tag == "mfenced":
        out.word(el.get("open", "("))
        separator = (el.get("separators", ",") or ",")[:1]
        for i, kid in enumerate(kids):
            if i:
                out.text(separator)
            _write(kid, out, depth)
        out.text(el.get("close", ")"))
    elif tag == "mtable":
        for i, row in enumerate(kids):
            if i:
                out.text(";")
            cells = _kids(row)
            if _local(row) == "mlabeledtr":
                cells = cells[1:]  # (its first cell is the equation's label)
            for cell in cells:
                _write(cell, out, depth)
    else:
        # mrow, mstyle, mpadded, menclose, merror, math and anything unknown: in order.
        for kid in kids:
            _write(kid, out, depth)
