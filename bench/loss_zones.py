"""Where our precision loss sits: before the article, inside it, after it, or repeats.

Usage::

    python bench/loss_zones.py CORPUS_DIR [--no-rules] [--limit N] [--worst N]

Runs ``cleaner.clean`` over the corpus (any layout of ``bench/corpora.py``) and splits each
page's false-positive shingles (the metric of ``bench/metric.py``) by where they stand in
our text: ``lead`` (lines before the first line that shares a shingle with the truth),
``tail`` (after the last such line), ``interior`` (between), and ``repeat`` (a shingle the
truth has, but fewer times than we print it). A shingle belongs to the line its first
token is on. Each zone's figure is its share of mean precision, so the four add up to
1 - precision exactly (pages skipped for precision are left out here too). ``--worst N``
lists the N pages that lose the most in each zone. Exit codes: 0, 2 bad arguments.
"""

from __future__ import annotations

import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpora import corpus_arguments, iter_cases  # noqa: E402
from bench.metric import SHINGLE_SIZE, TOKEN_RE, shingles  # noqa: E402
from bench.quality import rules_without_sites  # noqa: E402

ZONES = ("lead", "interior", "tail", "repeat")


def page_zones(pred: str, truth: str) -> dict[str, float] | None:
    """Each zone's false positives as a share of the page's predicted shingles (None where
    the metric skips the page for precision)."""
    starts = [(m.group(), pred.count("\n", 0, m.start())) for m in TOKEN_RE.finditer(pred)]
    toks = [t for t, _ in starts]
    grams = [
        (tuple(toks[i : i + SHINGLE_SIZE]), starts[i][1])
        for i in range(len(toks) - SHINGLE_SIZE + 1)
    ]
    left = shingles(truth)
    if not grams:  # the metric scores FP = FN = 0 as 1, and skips any other empty output
        return None if left else dict.fromkeys(ZONES, 0.0)
    known = set(left)
    hits: list[int] = []
    false: list[tuple[str, int]] = []  # (kind, line)
    for gram, line in grams:
        if left[gram] > 0:
            left[gram] -= 1
            hits.append(line)
        else:
            false.append(("repeat" if gram in known else "", line))
    counts: Counter[str] = Counter()
    for kind, line in false:
        if not kind:
            if not hits or line < min(hits):
                kind = "lead"
            elif line > max(hits):
                kind = "tail"
            else:
                kind = "interior"
        counts[kind] += 1
    return {zone: counts[zone] / len(grams) for zone in ZONES}


def run(corpus: Path, no_rules: bool, limit: int | None) -> list[tuple[str, dict[str, float]]]:
    """Clean every page and return its zones (pages skipped for precision left out)."""
    from cleaner import clean

    rules = rules_without_sites() if no_rules else None
    out = []
    for case in iter_cases(corpus, limit):
        if case.truth_text is None:
            continue
        text = clean(case.html_bytes, url=case.url, rules=rules).text
        zones = page_zones(text, case.truth_text)
        if zones is not None:
            out.append((case.id, zones))
    return out


def report(pages: list[tuple[str, dict[str, float]]], worst: int) -> Iterable[str]:
    """The lines to print: each zone's share of mean precision, then the worst pages."""
    n = len(pages) or 1
    total = 0.0
    yield f"{len(pages)} pages; share of mean precision lost, by zone:"
    for zone in ZONES:
        share = sum(z[zone] for _, z in pages) / n
        total += share
        yield f"  {zone:9s} {share:.4f}"
    yield f"  {'all':9s} {total:.4f}  (precision {1 - total:.4f})"
    for zone in ZONES if worst else ():
        top = sorted(pages, key=lambda p: -p[1][zone])[:worst]
        yield f"worst {zone}: " + ", ".join(f"{pid} {z[zone]:.2f}" for pid, z in top)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print."""
    args = corpus_arguments(__doc__ or "", "the N worst pages per zone", argv)
    for line in report(run(args.corpus, args.no_rules, args.limit), args.worst):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
