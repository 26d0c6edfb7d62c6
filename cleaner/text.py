"""Plain text of a cleaned fragment: one paragraph per block, separated by blank lines."""

from __future__ import annotations

import re

from lxml import etree

from .actions import BLOCK_TAGS

_BLOCKS = (BLOCK_TAGS - {"br"}) | {"figure", "figcaption", "img", "caption", "summary"}
# What ``to_text`` does at an element: end the paragraph (a block), break the line (``br``),
# keep the lines of its text (``pre``, a block too: its bit is set), or, for an image, end
# the paragraph unless it stands inside a line of text (an emoji, a formula's picture).
_BLOCK, _PRE, _BR, _IMG = 1, 3, 4, 8
_KIND = {**dict.fromkeys(_BLOCKS, _BLOCK), "br": _BR, "pre": _PRE, "img": _IMG}


def _in_line(img: etree._Element, current: list[str]) -> bool:
    """True for an image with text on both sides of it in its paragraph."""
    tail = img.tail
    return bool(tail) and not tail.isspace() and any(not p.isspace() for p in current)


# A line break that stays one (of a ``<br>``, or a ``<pre>``'s lines), while the newlines of
# the source's text are spaces like any other (libxml2's text never holds this character).
_BREAK = "\x00"


def _paragraph(parts: list[str]) -> str:
    """Join collected text into one paragraph with normalised spaces and kept line breaks."""
    text = "".join(parts)
    if _BREAK not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split(_BREAK))
    return "\n".join(line for line in lines if line)


# Format characters without a glyph (zero-width space and joiners, word joiner, byte order
# mark): a paragraph of only these (and spaces) shows nothing.
INVISIBLE = ("\u200b", "\u200c", "\u200d", "\u2060", "\ufeff")
BLANK_RE = re.compile("[\\s\\u200b-\\u200d\\u2060\\ufeff]*")


def has_invisible(text: str) -> bool:
    """True when the text holds one of the ``INVISIBLE`` characters (substring tests: a
    regex search costs a tenth of a millisecond on a long article)."""
    return not text.isascii() and any(c in text for c in INVISIBLE)


def _joined(paragraphs: list[str]) -> str:
    """The paragraphs separated by blank lines, those that show nothing left out."""
    text = "\n\n".join(paragraphs)
    if not has_invisible(text):
        return text
    return "\n\n".join(p for p in paragraphs if not BLANK_RE.fullmatch(p))


def to_text(root: etree._Element) -> str:
    """Render an element tree as text: blocks become paragraphs, ``<br>`` a line break, and
    so does each line of a ``<pre>``; elsewhere the source's newlines are spaces.

    Iterative (``iterwalk``'s start and end events), so deeply nested pages cannot exhaust
    recursion.
    """
    if next(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity), None) is not None:
        return _to_text_any(root)
    paragraphs: list[str] = []
    current: list[str] = []
    append = current.append
    kinds = _KIND
    pre = 0  # how many <pre> the walk is in
    # (Every node here is an element: the check above sends other trees elsewhere.)
    for event, el in etree.iterwalk(root, events=("start", "end")):
        kind = kinds.get(el.tag)
        if event == "start":
            if kind == _BR:
                append(_BREAK)
                continue
            if kind is not None:
                if kind == _IMG and current and _in_line(el, current):
                    append(" ")  # (its place between words; it has no text of its own)
                    continue
                if kind & _BLOCK or (kind == _IMG and current):
                    para = _paragraph(current)
                    if para:
                        paragraphs.append(para)
                    current.clear()
                pre += kind == _PRE
            text = el.text
            if text:
                append(text.replace("\n", _BREAK) if pre else text)
        else:
            if kind is not None:
                if kind & _BLOCK and current:
                    para = _paragraph(current)
                    if para:
                        paragraphs.append(para)
                    current.clear()
                pre -= kind == _PRE
            if el is not root:
                tail = el.tail
                if tail:
                    append(tail.replace("\n", _BREAK) if pre else tail)
    if current:
        para = _paragraph(current)
        if para:
            paragraphs.append(para)
    return _joined(paragraphs)


def _to_text_any(root: etree._Element) -> str:
    """``to_text`` for a tree holding comments or processing instructions (their text counts,
    as it always has; ``iterwalk`` skips them). Iterative, with an explicit stack."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        """End the current paragraph."""
        para = _paragraph(current)
        if para:
            paragraphs.append(para)
        current.clear()

    # Stack items: ("open", element) or ("close", element) — close emits block end and tail.
    stack: list[tuple[bool, etree._Element]] = [(True, root)]
    pre = 0
    while stack:
        opening, el = stack.pop()
        kind = _KIND.get(el.tag) if isinstance(el.tag, str) else None
        if opening:
            if kind == _BR:
                current.append(_BREAK)
            elif kind == _IMG:
                if _in_line(el, current):
                    current.append(" ")
                else:
                    flush()
            elif kind is not None and kind & _BLOCK:
                flush()
                pre += kind == _PRE
            if el.text and kind != _BR:
                current.append(el.text.replace("\n", _BREAK) if pre else el.text)
            stack.append((False, el))
            stack.extend((True, child) for child in reversed(el))
        else:
            if kind is not None and kind & _BLOCK:
                flush()
                pre -= kind == _PRE
            if el is not root and el.tail:
                current.append(el.tail.replace("\n", _BREAK) if pre else el.tail)
    flush()
    return _joined(paragraphs)
