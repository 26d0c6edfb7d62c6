"""Plain text of a cleaned fragment: one paragraph per block, separated by blank lines."""

from __future__ import annotations

from lxml import etree

from .actions import BLOCK_TAGS

_BLOCKS = (BLOCK_TAGS - {"br"}) | {"figure", "figcaption", "img", "caption", "summary"}


def _paragraph(parts: list[str]) -> str:
    """Join collected text into one paragraph with normalised spaces and kept line breaks."""
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def to_text(root: etree._Element) -> str:
    """Render an element tree as text: blocks become paragraphs, ``<br>`` a line break.

    Iterative (an explicit stack), so deeply nested pages cannot exhaust recursion.
    """
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
