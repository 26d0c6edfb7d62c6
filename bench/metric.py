r"""The extraction metric used for every quality figure in this project.

Defined in ``shared/README.md`` ("The extraction metric") so that our figures compare with
published ones:

- tokenise with the regex ``\w+`` (Unicode, Python ``re``);
- take the multiset of 4-token shingles (tuples of 4 consecutive tokens) of the prediction
  and of the ground truth. A text with fewer than 4 tokens has no shingles at all;
- per page, TP = shingles shared (counted with multiplicity: a Counter intersection),
  FP = predicted but not true, FN = true but not predicted;
- precision is the mean over pages of TP/(TP+FP), skipping pages where TP+FP = 0; recall
  is the mean of TP/(TP+FN), skipping pages where TP+FN = 0; a page with FP = FN = 0 (this
  includes an empty prediction for an empty truth) scores 1 for both;
- F1 is the harmonic mean of mean precision and mean recall (not a mean of page F1s); a
  mean over no pages at all is 0.

Consequence worth knowing: an empty prediction for a non-empty truth adds a recall of 0 but
is skipped for precision.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

TOKEN_RE = re.compile(r"\w+")
SHINGLE_SIZE = 4

Shingle = tuple[str, ...]
PageScore = tuple[float | None, float | None]


def tokens(text: str) -> list[str]:
    r"""Return the ``\w+`` tokens of ``text`` in order."""
    return TOKEN_RE.findall(text)


def shingles(text: str) -> Counter[Shingle]:
    """Return the multiset of 4-token shingles of ``text`` (empty below 4 tokens)."""
    toks = tokens(text)
    return Counter(tuple(toks[i : i + SHINGLE_SIZE]) for i in range(len(toks) - SHINGLE_SIZE + 1))


def page_counts(pred: str, truth: str) -> tuple[int, int, int]:
    """Return (TP, FP, FN) shingle counts of one page, counted with multiplicity."""
    predicted, true = shingles(pred), shingles(truth)
    tp = sum((predicted & true).values())
    return tp, sum(predicted.values()) - tp, sum(true.values()) - tp


def page_scores(pred: str, truth: str) -> PageScore:
    """Return (precision, recall) of one page; None where the page is skipped for that mean."""
    tp, fp, fn = page_counts(pred, truth)
    if fp == 0 and fn == 0:
        return 1.0, 1.0
    precision = tp / (tp + fp) if tp + fp else None
    recall = tp / (tp + fn) if tp + fn else None
    return precision, recall


def harmonic_mean(a: float, b: float) -> float:
    """Return the harmonic mean of two non-negative numbers (0 when both are 0)."""
    return 2 * a * b / (a + b) if a + b else 0.0


def page_f1(score: PageScore) -> float:
    """Return one page's F1 for ranking pages, counting a skipped side as 0."""
    precision, recall = score
    return harmonic_mean(precision or 0.0, recall or 0.0)


def aggregate(scores: Iterable[PageScore]) -> dict[str, float | int]:
    """Return mean precision, mean recall, their harmonic mean F1 and the page count."""
    pages = list(scores)
    precisions = [p for p, _ in pages if p is not None]
    recalls = [r for _, r in pages if r is not None]
    precision = sum(precisions) / len(precisions) if precisions else 0.0
    recall = sum(recalls) / len(recalls) if recalls else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": harmonic_mean(precision, recall),
        "pages": len(pages),
    }
