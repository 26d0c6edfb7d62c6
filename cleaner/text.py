"""Plain text of a cleaned fragment: one paragraph per block, separated by blank lines."""

from __future__ import annotations

from lxml import etree

from .actions import BLOCK_TAGS

_BLOCKS = (BLOCK_TAGS - {"br"}) | {"figure", "figcaption", "img", "caption", "summary"}


def _paragraph(parts: list[str]) -> str:
    """Join collected text into one paragraph with normalised spaces and kept line breaks."""
    text = "".join(parts)
    if "\n" not in text:
        return " ".join(text.split())
    lines = (" ".join(line.split()) for line in text.split("\n"))
    return "\n".join(line for line in lines if line)


def to_text(root: etree._Element) -> str:
    """Render an element tree as text: blocks become paragraphs, ``<br>`` a line break.

    Iterative (``iterwalk``'s start and end events), so deeply nested pages cannot exhaust
    recursion.
    """
    if next(root.iter(etree.Comment, etree.ProcessingInstruction, etree.Entity), None) is not None:
        return _to_text_any(root)
    paragraphs: list[str] = []
    current: list[str] = []
    append = current.append
    blocks = _BLOCKS
    # (Every node here is an element: the check above sends other trees elsewhere.)
    for event, el in etree.iterwalk(root, events=("start", "end")):
        tag = el.tag
        if event == "start":
            if tag == "br":
                append("\n")
            else:
                if tag in blocks and current:
                    para = _paragraph(current)
                    if para:
                        paragraphs.append(para)
                    current.clear()
                text = el.text
                if text:
                    append(text)
        else:
            if tag in blocks and current:
                para = _paragraph(current)
                if para:
                    paragraphs.append(para)
                current.clear()
            if el is not root:
                tail = el.tail
                if tail:
                    append(tail)
    if current:
        para = _paragraph(current)
        if para:
            paragraphs.append(para)
    return "\n\n".join(paragraphs)


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
    while stack:
        opening, el = stack.pop()
        tag = el.tag if isinstance(el.tag, str) else ""
        if opening:
            if tag == "br":
                current.append("\n")
            elif tag in _BLOCKS:
                flush()
            if el.text and tag != "br":
                current.append(el.text)
            stack.append((False, el))
            stack.extend((True, child) for child in reversed(el))
        else:
            if tag in _BLOCKS:
                flush()
            if el is not root and el.tail:
                current.append(el.tail)
    flush()
    return "\n\n".join(paragraphs)
