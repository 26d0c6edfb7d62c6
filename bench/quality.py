"""Quality benchmark: run the cleaner (and optionally its peers) over a corpus and score it.

Usage::

    python bench/quality.py CORPUS_DIR [--peers] [--no-rules] [--limit N] [--json]
        [--meta] [--show-worst N] [--baseline FILE (--check | --pin)]

CORPUS_DIR is one of the corpora in ``../shared/corpora`` (layout detected, see
``bench/corpora.py``). Figures use the metric of ``bench/metric.py``. Conventions:

- a page whose extraction raised counts as an error and as an empty prediction;
- a page without truth text (one WCXB file) is left out of F1/precision/recall but still
  counts for snippets and CPU time;
- snippets match as substrings after NFC and whitespace normalisation, case-sensitively;
- CPU time is ``time.process_time`` around the extraction call only (for readability-lxml:
  ``Document(html).summary()``, not our conversion of its HTML to text); p95 is nearest-rank;
- pinned figures (``--pin`` / ``--check``) describe a full run of our cleaner, so those
  options refuse ``--limit`` and ``--engine``; a ``--no-rules`` run is pinned apart, under
  ``CORPUS--no-rules`` (site rules off: the generic detector's own figure).

The hidden option ``--engine trafilatura|readability`` benchmarks a peer alone.
"""

from __future__ import annotations

import argparse
import json
import logging
import math
import re
import statistics
import sys
import time
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpora import Case, detect_layout, html_images, html_to_text, iter_cases  # noqa: E402
from bench.metric import PageScore, aggregate, page_f1, page_scores  # noqa: E402

TOLERANCE = 0.002
ENGINES = ("ours", "trafilatura", "readability")
META_FIELDS = ("title", "byline", "published")
# Scored too, against the truth's title: WCXB's truth titles are headlines, without the
# site's name that Mozilla's keep.
REPORTED_META = (*META_FIELDS, "headline")


@dataclass
class Extraction:
    """What an engine extracted from one page."""

    text: str = ""
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    # The title as shown to a reader (ours drops the site's name); peers have only a title.
    headline: str | None = None
    # The absolute URLs of the images the output shows (None: the engine gives none).
    images: frozenset[str] | None = None


# An engine maps (html bytes, url) to its extraction and the CPU seconds of the core call.
Engine = Callable[[bytes, str | None], tuple[Extraction, float]]


@dataclass
class PageResult:
    """One engine's outcome on one page."""

    id: str
    url: str | None
    score: PageScore | None = None
    cpu_ms: float | None = None
    error: str | None = None
    leaked: list[str] = field(default_factory=list)
    lost: list[str] = field(default_factory=list)
    clutter: list[str] = field(default_factory=list)
    meta: dict[str, bool] = field(default_factory=dict)
    # Of the expected document's images: how many the output shows, and how many more it
    # shows (None: not scored).
    images_kept: int | None = None
    images_extra: int | None = None


def rules_without_sites() -> Any:
    """Return the bundled rules minus the per-site rules (RuleSet.empty() on older APIs)."""
    from cleaner import RuleSet

    default = RuleSet.default()
    if hasattr(default, "without_sites"):
        return default.without_sites()
    return RuleSet.empty()


def ours_engine(no_rules: bool) -> Engine:
    """Return an engine running ``cleaner.clean``, with site rules unless ``no_rules``."""
    from cleaner import clean

    rules = rules_without_sites() if no_rules else None

    def run(html: bytes, url: str | None) -> tuple[Extraction, float]:
        """Clean one page and time the call."""
        kwargs: dict[str, Any] = {"url": url} if url else {}
        if rules is not None:
            kwargs["rules"] = rules
        start = time.process_time()
        result = clean(html, **kwargs)
        cpu = time.process_time() - start
        found = Extraction(result.text or "", result.title, result.byline, result.published)
        found.headline = result.headline
        # (With the lead image the document's header shows: the reader sees it too.)
        found.images = frozenset(result.images)
        return found, cpu

    return run


def trafilatura_engine(with_meta: bool) -> Engine:
    """Return an engine running ``trafilatura.extract`` (metadata read outside the timing)."""
    import trafilatura

    def run(html: bytes, url: str | None) -> tuple[Extraction, float]:
        """Extract one page with trafilatura and time the call."""
        start = time.process_time()
        text = trafilatura.extract(html, url=url, include_comments=False)
        cpu = time.process_time() - start
        extraction = Extraction(text or "")
        if with_meta:
            meta = trafilatura.extract_metadata(html, default_url=url)
            extraction.title, extraction.byline = meta.title, meta.author
            extraction.published = meta.date
        return extraction, cpu

    return run


def readability_engine(with_meta: bool) -> Engine:
    """Return an engine running readability-lxml's ``Document(html).summary()``."""
    from readability import Document

    def run(html: bytes, url: str | None) -> tuple[Extraction, float]:
        """Extract one page with readability-lxml and time the call."""
        start = time.process_time()
        doc = Document(html)
        summary = doc.summary()
        cpu = time.process_time() - start
        extraction = Extraction(html_to_text(summary))
        extraction.images = html_images(summary, url or "")
        if with_meta:
            extraction.title = doc.title()
        return extraction, cpu

    return run


def make_engine(name: str, args: argparse.Namespace) -> Engine:
    """Return the engine called ``name`` configured from the command line."""
    if name == "ours":
        return ours_engine(args.no_rules)
    if name == "trafilatura":
        return trafilatura_engine(args.meta)
    return readability_engine(args.meta)


# Typographic quotes as ASCII ones: WCXB's truth writes "isn't" where the page (and so every
# engine's output) says "isn’t"; a snippet differing only so is not lost.
_QUOTES = str.maketrans({"‘": "'", "’": "'", "‛": "'", "“": '"', "”": '"', "„": '"'})


def normalise(text: str) -> str:
    """Return ``text`` in NFC with typographic quotes as ASCII ones and every whitespace run
    collapsed to one space."""
    return " ".join(unicodedata.normalize("NFC", text).translate(_QUOTES).split())


def term_present(term: str, text: str) -> bool:
    """Return whether ``term`` occurs in ``text`` as whole words, case-sensitively."""
    return re.search(rf"(?<!\w){re.escape(term)}(?!\w)", text) is not None


def meta_matches(expected: dict[str, str | None], got: Extraction) -> dict[str, bool]:
    """Return, per field the truth has, whether the extracted value matches it."""
    matches: dict[str, bool] = {}
    title, byline, date = (expected.get(name) for name in META_FIELDS)
    if title and title.strip():
        matches["title"] = normalise(title) == normalise(got.title or "")
        matches["headline"] = normalise(title) == normalise(got.headline or got.title or "")
    if byline and byline.strip():
        want, have = normalise(byline).casefold(), normalise(got.byline or "").casefold()
        matches["byline"] = bool(have) and (want == have or want in have or have in want)
    if date and date.strip():
        # Compare at the truth's precision: "2015-11" matches "2015-11-03T10:00:00Z".
        day = date.strip()[:10]
        matches["published"] = (got.published or "").strip()[: len(day)] == day
    return matches


def evaluate(case: Case, engine: Engine, with_meta: bool) -> PageResult:
    """Run ``engine`` on one case and score the result; never raises for an engine error."""
    result = PageResult(case.id, case.url)
    try:
        extraction, cpu = engine(case.html_bytes, case.url)
        result.cpu_ms = cpu * 1000
    except Exception as exc:  # any failure is a scored error, never a crash
        result.error = f"{type(exc).__name__}: {exc}"
        extraction = Extraction()
    if case.truth_text is not None:
        result.score = page_scores(extraction.text, case.truth_text)
    text = normalise(extraction.text)
    result.leaked = [s for s in case.without_snippets if normalise(s) and normalise(s) in text]
    result.lost = [s for s in case.with_snippets if normalise(s) and normalise(s) not in text]
    truth = normalise(case.truth_text or "")
    result.clutter = [
        t for t in case.clutter_terms if term_present(t, text) and not term_present(t, truth)
    ]
    if with_meta:
        result.meta = meta_matches(case.expected_meta, extraction)
    if case.expected_images is not None and extraction.images is not None:
        result.images_kept = len(case.expected_images & extraction.images)
        result.images_extra = len(extraction.images - case.expected_images)
    return result


def nearest_rank(values: list[float], fraction: float) -> float:
    """Return the nearest-rank percentile of ``values`` (0 for no values)."""
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[max(0, math.ceil(fraction * len(ordered)) - 1)]


def summarise(pages: list[PageResult], cases: list[Case], with_meta: bool) -> dict[str, Any]:
    """Return the figures of one engine over all pages."""
    scores = [p.score for p in pages if p.score is not None]
    cpu = [p.cpu_ms for p in pages if p.cpu_ms is not None]
    summary: dict[str, Any] = dict(aggregate(scores))
    summary["scored_pages"] = summary.pop("pages")
    summary["pages"] = len(pages)
    summary["errors"] = len([p for p in pages if p.error])
    summary["cpu_ms_median"] = statistics.median(cpu) if cpu else 0.0
    summary["cpu_ms_p95"] = nearest_rank(cpu, 0.95)
    summary["without_total"] = sum(len(c.without_snippets) for c in cases)
    summary["without_leaked"] = sum(len(p.leaked) for p in pages)
    summary["with_total"] = sum(len(c.with_snippets) for c in cases)
    summary["with_lost"] = sum(len(p.lost) for p in pages)
    summary["clutter_terms_leaked"] = sum(len(p.clutter) for p in pages)
    summary["clutter_pages"] = len([p for p in pages if p.clutter])
    imaged = [(p, c) for p, c in zip(pages, cases, strict=True) if p.images_kept is not None]
    if imaged:
        summary["images"] = {
            "kept": sum(p.images_kept or 0 for p, _ in imaged),
            "expected": sum(len(c.expected_images or ()) for _, c in imaged),
            "extra": sum(p.images_extra or 0 for p, _ in imaged),
        }
    if with_meta:
        summary["meta"] = {}
        for name in REPORTED_META:
            checked = [p.meta[name] for p in pages if name in p.meta]
            summary["meta"][name] = {"matched": sum(checked), "expected": len(checked)}
    return summary


def share(part: int, whole: int) -> str:
    """Return "part/whole (x.x%)", or "n/a" when there is nothing to count."""
    return f"{part}/{whole} ({100 * part / whole:.1f}%)" if whole else "n/a"


def ratio(a: float, b: float) -> float | None:
    """Return a/b, or None when b is 0."""
    return a / b if b else None


def format_ratio(value: float | None) -> str:
    """Return a ratio as "x1.23", or "n/a" when there is none."""
    return "n/a" if value is None else f"x{value:.2f}"


def meta_cell(name: str) -> Callable[[dict[str, Any]], str]:
    """Return a cell formatter for the share of pages whose ``name`` metadata matched."""
    return lambda s: share(s["meta"][name]["matched"], s["meta"][name]["expected"])


def table_rows(
    summaries: dict[str, dict[str, Any]], has_snippets: bool, has_clutter: bool, meta: bool
) -> list[tuple[str, list[str]]]:
    """Return the (label, one cell per engine) rows of the report table."""
    rows: list[tuple[str, Callable[[dict[str, Any]], str]]] = [
        ("pages", lambda s: str(s["pages"])),
        ("pages scored", lambda s: str(s["scored_pages"])),
        ("F1", lambda s: f"{s['f1']:.4f}"),
        ("precision", lambda s: f"{s['precision']:.4f}"),
        ("recall", lambda s: f"{s['recall']:.4f}"),
    ]
    if has_snippets:
        rows.append(("clutter leaked", lambda s: share(s["without_leaked"], s["without_total"])))
        rows.append(("wanted text lost", lambda s: share(s["with_lost"], s["with_total"])))
    if has_clutter:
        rows.append(
            (
                "clutter terms leaked",
                lambda s: f"{s['clutter_terms_leaked']} on {s['clutter_pages']} pages",
            )
        )
    if any("images" in s for s in summaries.values()):
        rows.append(
            (
                "images kept",
                lambda s: (
                    f"{share(s['images']['kept'], s['images']['expected'])}, "
                    f"{s['images']['extra']} others"
                    if "images" in s
                    else "n/a"
                ),
            )
        )
    rows.append(("errors", lambda s: str(s["errors"])))
    rows.append(("CPU ms median", lambda s: f"{s['cpu_ms_median']:.1f}"))
    rows.append(("CPU ms p95", lambda s: f"{s['cpu_ms_p95']:.1f}"))
    if meta:
        rows.extend((f"{name} matches", meta_cell(name)) for name in REPORTED_META)
    return [(label, [cell(s) for s in summaries.values()]) for label, cell in rows]


def comparisons(summaries: dict[str, dict[str, Any]], primary: str) -> dict[str, dict[str, Any]]:
    """Return the primary engine's F1 difference and CPU ratios against each peer."""
    ours = summaries[primary]
    out: dict[str, dict[str, Any]] = {}
    for name, peer in summaries.items():
        if name == primary:
            continue
        out[name] = {
            "f1_diff": ours["f1"] - peer["f1"],
            "cpu_median_ratio": ratio(ours["cpu_ms_median"], peer["cpu_ms_median"]),
            "cpu_p95_ratio": ratio(ours["cpu_ms_p95"], peer["cpu_ms_p95"]),
        }
    return out


def worst_pages(pages: list[PageResult], n: int) -> list[dict[str, Any]]:
    """Return the ``n`` scored pages with the lowest page F1, worst first."""
    scored = [p for p in pages if p.score is not None]
    scored.sort(key=lambda p: (page_f1(p.score), p.id))  # type: ignore[arg-type]
    return [
        {
            "id": p.id,
            "f1": page_f1(p.score),  # type: ignore[arg-type]
            "precision": p.score[0],  # type: ignore[index]
            "recall": p.score[1],  # type: ignore[index]
            "url": p.url,
            "error": p.error,
        }
        for p in scored[:n]
    ]


def format_score(value: float | None) -> str:
    """Return a page score with 3 decimals, or "-" when the page was skipped."""
    return "-" if value is None else f"{value:.3f}"


def print_report(report: dict[str, Any], results: dict[str, list[PageResult]]) -> None:
    """Print the human-readable report of one run."""
    summaries, primary = report["engines"], report["primary"]
    title = f"{report['corpus']} ({report['layout']}, {report['pages']} pages)"
    if report["no_rules"]:
        title += ", without site rules"
    print(title)
    rows = table_rows(summaries, report["has_snippets"], report["has_clutter"], report["meta_mode"])
    names = list(summaries)
    width = max(len(label) for label, _ in rows)
    cells = [max(len(name), *(len(r[1][i]) for r in rows)) for i, name in enumerate(names)]
    print(" " * width + "".join(f"  {n:>{w}}" for n, w in zip(names, cells, strict=True)))
    for label, values in rows:
        print(
            f"{label:<{width}}" + "".join(f"  {v:>{w}}" for v, w in zip(values, cells, strict=True))
        )
    for name, cmp in report["comparisons"].items():
        print(
            f"{primary} vs {name}: F1 {cmp['f1_diff']:+.4f}, "
            f"CPU median {format_ratio(cmp['cpu_median_ratio'])}, "
            f"CPU p95 {format_ratio(cmp['cpu_p95_ratio'])}"
        )
    for page in results[primary]:
        if page.error:
            print(f"error {page.id}: {page.error}")
    for page in results[primary]:
        if page.clutter:
            print(f"clutter {page.id}: {', '.join(page.clutter)}")
    if report.get("worst"):
        print(f"worst {len(report['worst'])} pages ({primary}):")
        for w in report["worst"]:
            print(
                f"  {w['id']}  F1 {w['f1']:.3f}  P {format_score(w['precision'])}  "
                f"R {format_score(w['recall'])}  {w['url'] or ''}"
            )


def baseline_key(corpus: str, no_rules: bool) -> str:
    """The name a run's figures are pinned under: the corpus, marked when site rules were
    off (the two runs of one corpus are gated apart)."""
    return f"{corpus}--no-rules" if no_rules else corpus


def check_baseline(baseline: Path, corpus: str, summary: dict[str, Any]) -> list[str]:
    """Return the failures of ``summary`` against the pinned figures of ``corpus``."""
    pinned = json.loads(baseline.read_text(encoding="utf-8")) if baseline.is_file() else {}
    if corpus not in pinned:
        return [f"{baseline}: no pinned figures for {corpus!r} (run with --pin)"]
    failures = []
    for name in ("f1", "precision"):
        floor = pinned[corpus][name] - TOLERANCE
        if summary[name] < floor:
            failures.append(
                f"{corpus}: {name} {summary[name]:.4f} is below pinned "
                f"{pinned[corpus][name]:.4f} - {TOLERANCE}"
            )
    return failures


def pin_baseline(baseline: Path, corpus: str, summary: dict[str, Any]) -> None:
    """Write the current F1, precision and recall of ``corpus`` into the baseline file."""
    pinned = json.loads(baseline.read_text(encoding="utf-8")) if baseline.is_file() else {}
    pinned[corpus] = {name: round(summary[name], 4) for name in ("f1", "precision", "recall")}
    baseline.write_text(json.dumps(pinned, indent=2, sort_keys=True) + "\n", encoding="utf-8")


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse and cross-check the command line (usage errors exit 2)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--peers", action="store_true", help="also run trafilatura, readability")
    parser.add_argument("--no-rules", action="store_true", help="clean without site rules")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N pages")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    parser.add_argument("--meta", action="store_true", help="score title, byline and date")
    parser.add_argument("--show-worst", type=int, default=0, metavar="N", help="N worst pages")
    parser.add_argument("--baseline", type=Path, metavar="FILE", help="pinned figures (JSON)")
    parser.add_argument("--check", action="store_true", help="exit 1 below the pinned figures")
    parser.add_argument("--pin", action="store_true", help="write figures into the baseline")
    parser.add_argument("--engine", choices=ENGINES, default="ours", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if not args.corpus.is_dir():
        parser.error(f"{args.corpus}: not a directory")
    try:
        args.layout = detect_layout(args.corpus)
    except ValueError as exc:
        parser.error(str(exc))
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.no_rules and args.engine != "ours":
        parser.error("--no-rules applies to our cleaner only")
    if args.check and args.pin:
        parser.error("--check and --pin are exclusive")
    if (args.check or args.pin) and not args.baseline:
        parser.error("--check and --pin need --baseline FILE")
    if (args.check or args.pin) and (args.limit or args.engine != "ours"):
        parser.error("--check and --pin need a full run of our cleaner")
    return args


def run(args: argparse.Namespace) -> tuple[dict[str, Any], dict[str, list[PageResult]]]:
    """Run every selected engine over the corpus; return the report and per-page results."""
    names = [args.engine] + ([n for n in ENGINES if n != args.engine] if args.peers else [])
    engines = {name: make_engine(name, args) for name in names}
    results: dict[str, list[PageResult]] = {name: [] for name in names}
    cases: list[Case] = []
    for n, case in enumerate(iter_cases(args.corpus, args.limit), 1):
        # Keep the case without its page bytes: the results only need truth and snippets.
        cases.append(
            Case(
                case.id,
                b"",
                case.url,
                None,
                case.with_snippets,
                case.without_snippets,
                clutter_terms=case.clutter_terms,
                expected_images=case.expected_images,
            )
        )
        for name, engine in engines.items():
            results[name].append(evaluate(case, engine, args.meta))
        if n % 50 == 0:
            print(f"{n} pages...", file=sys.stderr)
    summaries = {name: summarise(pages, cases, args.meta) for name, pages in results.items()}
    report: dict[str, Any] = {
        "corpus": args.corpus.resolve().name,
        "layout": args.layout,
        "pages": len(cases),
        "primary": args.engine,
        "no_rules": args.no_rules,
        "meta_mode": args.meta,
        "has_snippets": any(c.with_snippets or c.without_snippets for c in cases),
        "has_clutter": any(c.clutter_terms for c in cases),
        "engines": summaries,
        "comparisons": comparisons(summaries, args.engine),
        "clutter": {p.id: p.clutter for p in results[args.engine] if p.clutter},
        "errors": {p.id: p.error for p in results[args.engine] if p.error},
    }
    if args.show_worst:
        report["worst"] = worst_pages(results[args.engine], args.show_worst)
    return report, results


def main(argv: Iterable[str] | None = None) -> int:
    """Run the benchmark from the command line; return the exit code."""
    args = parse_args(list(argv) if argv is not None else None)
    # Peers log parsing trouble as warnings; the benchmark reports errors itself.
    for name in ("trafilatura", "readability", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        report, results = run(args)
    except ImportError as exc:
        print(f"error: cannot load an engine: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print_report(report, results)
    summary = report["engines"][args.engine]
    key = baseline_key(report["corpus"], args.no_rules)
    if args.pin:
        pin_baseline(args.baseline, key, summary)
        print(f"pinned {key} in {args.baseline}", file=sys.stderr)
    if args.check:
        failures = check_baseline(args.baseline, key, summary)
        for failure in failures:
            print(f"FAIL {failure}", file=sys.stderr)
        if failures:
            return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
