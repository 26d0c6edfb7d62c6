"""What a rule change does to an article's text: paragraphs removed and added.

``reclean --diff`` prints, per changed article, the paragraphs that would disappear
(``-``) and appear (``+``), with one unchanged paragraph of context around each change,
before anything is written. Paragraphs are compared whole (whitespace-normalised):
that is the unit a rule removes or lets through.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

WIDTH = 160


@dataclass(frozen=True)
class TextDiff:
    """The paragraph-level difference between an article's old and new text."""

    lines: tuple[str, ...]
    removed: int
    added: int
    removed_chars: int
    added_chars: int

    @property
    def summary(self) -> str:
        """``-2 paragraphs (140 chars), +1 (53 chars)``."""
        return (
            f"-{self.removed} paragraphs ({self.removed_chars} chars), "
            f"+{self.added} ({self.added_chars} chars)"
        )


def paragraphs(text: str) -> list[str]:
    """The text's paragraphs (blank-line separated), whitespace-normalised."""
    return [p for p in (" ".join(block.split()) for block in text.split("\n\n")) if p]


def _clip(text: str) -> str:
    """Shorten a paragraph for display."""
    return text if len(text) <= WIDTH else text[: WIDTH - 1] + "…"


def text_diff(old: str, new: str, context: int = 1) -> TextDiff:
    """Compare two texts paragraph by paragraph."""
    a, b = paragraphs(old), paragraphs(new)
    lines: list[str] = []
    removed = added = removed_chars = added_chars = 0
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        lines.append(f"@@ paragraph {group[0][1] + 1} @@")
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                lines += [f"  {_clip(p)}" for p in a[i1:i2]]
                continue
            for p in a[i1:i2]:
                lines.append(f"- {_clip(p)}")
                removed, removed_chars = removed + 1, removed_chars + len(p)
            for p in b[j1:j2]:
                lines.append(f"+ {_clip(p)}")
                added, added_chars = added + 1, added_chars + len(p)
    return TextDiff(tuple(lines), removed, added, removed_chars, added_chars)
