"""Plain text of a cleaned fragment: one paragraph per block, separated by blank lines."""

from __future__ import annotations

from lxml import etree

from .actions import BLOCK_TAGS

_BLOCKS = (BLOCK_TAGS - {"br"}) | {"figure", "figcaption", "img", "caption", "summary"}


def to_text(root: etree._Element) -> str:
    """Render an element tree as text: blocks become paragraphs, ``<br>`` a line break."""
    paragraphs: list[str] = []
    current: list[str] = []

    def flush() -> None:
        """End the current paragraph."""
        text = "".join(current)
        lines = [" ".join(line.split()) for line in text.split("\n")]
        para = "\n".join(line for line in lines if line)
        if para:
            paragraphs.append(para)
        current.clear()

    def walk(el: etree._Element) -> None:
        """Depth-first text collection."""
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "br":
            current.append("\n")
        elif tag in _BLOCKS:
            flush()
        if el.text and tag != "br":
            current.append(el.text)
        for child in el:
            walk(child)
            if child.tail:
                current.append(child.tail)
        if tag in _BLOCKS:
            flush()

    walk(root)
    flush()
    return "\n\n".join(paragraphs)
