"""Speed and memory benchmark: CPU time of clean() per page against a bare lxml parse.

Usage::

    python bench/speed.py CORPUS_DIR [--limit N] [--repeat R] [--peers] [--json]
        [--largest K] [--profile N]

CORPUS_DIR is one of the corpora in ``../shared/corpora`` (layout detected, see
``bench/corpora.py``). Two parts, both measured in the same run:

- CPU time per page (``time.process_time``) of (a) ``lxml.html.fromstring(bytes)``, the
  baseline, (b) ``cleaner.clean(bytes, url=url)`` and, with ``--peers``,
  (c) ``trafilatura.extract(bytes, url=url, include_comments=False)``. The engines run
  interleaved page by page, each ``--repeat`` times, and a page's time is the minimum of its
  repeats, so that machine load touches every engine alike. Every engine first runs once,
  untimed, on the first page (rules loading and lazy imports are not a page's cost). A
  page whose call raised keeps the CPU time spent until the exception and counts as an
  error. Median and nearest-rank p95 per engine; ratios are ours/peer of the medians and of
  the p95s, and the median of the per-page ratios.
- Peak memory on the ``--largest`` K largest pages (by byte size, among the pages
  benchmarked): each page is cleaned in a fresh child process (this script, hidden
  ``_child`` mode), which reads its own peak RSS (``VmHWM`` in ``/proc/self/status``)
  after the call; the baseline child imports ``cleaner`` too but only parses the page with
  ``lxml.html.fromstring``. (A child's ``ru_maxrss`` is no use: Linux carries the parent's
  high-water mark over fork and exec.) As a secondary figure, the tracemalloc peak of
  ``clean()`` in this process (Python allocations only: libxml2's own memory is untraced).

``--profile N`` runs one extra, untimed ``clean()`` per page under cProfile and prints the
top N functions by cumulative time plus the time split between the direct callees of
``clean()`` (its stages). Exit codes: 0 success, 1 an engine cannot be loaded, 2 bad
arguments or a corpus that is missing or has no pages.
"""

from __future__ import annotations

import argparse
import cProfile
import heapq
import json
import logging
import os
import pstats
import statistics
import subprocess
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpora import detect_layout, iter_cases  # noqa: E402
from bench.quality import Engine, Extraction, nearest_rank, ours_engine, trafilatura_engine  # noqa: E402

SCRIPT = str(Path(__file__).resolve())
MB = 1024 * 1024
BASELINE = "lxml"
PRIMARY = "ours"
CHILD_TIMEOUT_S = 600.0


class InputError(Exception):
    """The corpus cannot be benchmarked (missing, unknown layout, unreadable or empty)."""


@dataclass
class Timings:
    """One engine's CPU milliseconds per page (min of the repeats), in page order."""

    ms: list[float] = field(default_factory=list)
    errors: dict[str, str] = field(default_factory=dict)


@dataclass(order=True)
class LargePage:
    """One of the largest pages: its size first, so that a heap keeps the largest."""

    size: int
    order: int
    id: str = field(compare=False)
    url: str | None = field(compare=False)
    html: bytes = field(compare=False, repr=False)


def lxml_engine() -> Engine:
    """Return the baseline engine: a bare ``lxml.html.fromstring`` of the page bytes."""
    import lxml.html

    def run(html: bytes, url: str | None) -> tuple[Extraction, float]:
        """Parse one page and time the call."""
        start = time.process_time()
        lxml.html.fromstring(html)
        return Extraction(), time.process_time() - start

    return run


def make_engines(peers: bool) -> tuple[dict[str, Engine], str | None]:
    """Return the engines to time, and why the peers were skipped (or None)."""
    engines = {BASELINE: lxml_engine(), PRIMARY: ours_engine(no_rules=False)}
    if not peers:
        return engines, None
    try:
        engines["trafilatura"] = trafilatura_engine(with_meta=False)
    except ImportError as exc:
        return engines, f"trafilatura not importable ({exc}); peers skipped"
    return engines, None


def timed(engine: Engine, html: bytes, url: str | None) -> tuple[float, str | None]:
    """Return the CPU seconds of one call, and its error (the time until it raised)."""
    start = time.process_time()
    try:
        _, cpu = engine(html, url)
    except Exception as exc:  # an engine failure is counted, never a crash
        return time.process_time() - start, f"{type(exc).__name__}: {exc}"
    return cpu, None


def pct_summary(values: list[float]) -> dict[str, float]:
    """Return the median, nearest-rank p95, mean and total of ``values`` (ms)."""
    return {
        "cpu_ms_median": statistics.median(values) if values else 0.0,
        "cpu_ms_p95": nearest_rank(values, 0.95),
        "cpu_ms_mean": statistics.fmean(values) if values else 0.0,
        "cpu_ms_total": sum(values),
    }


def ratio(a: float, b: float) -> float | None:
    """Return a/b, or None when b is 0."""
    return a / b if b else None


def ratios(ours: list[float], peer: list[float]) -> dict[str, float | None]:
    """Return ours/peer of the medians, of the p95s, and the median of per-page ratios."""
    per_page = [a / b for a, b in zip(ours, peer, strict=True) if b > 0]
    return {
        "median": ratio(statistics.median(ours), statistics.median(peer)),
        "p95": ratio(nearest_rank(ours, 0.95), nearest_rank(peer, 0.95)),
        "per_page_median": statistics.median(per_page) if per_page else None,
        "per_page_p95": nearest_rank(per_page, 0.95) if per_page else None,
    }


def func_name(key: tuple[str, int, str]) -> str:
    """Return a profile entry as "path:line(name)", paths shortened to the package."""
    filename, line, name = key
    if filename == "~":  # a built-in, e.g. "<method 'xpath' of 'lxml.etree._Element'>"
        return name
    for prefix in (str(ROOT) + os.sep, "site-packages" + os.sep):
        if prefix in filename:
            filename = filename.split(prefix, 1)[1]
    return f"{filename}:{line}({name})"


def stage_split(profile: cProfile.Profile) -> tuple[float, list[dict[str, Any]]]:
    """Return clean()'s cumulative seconds and its direct callees' share of them."""
    stats = pstats.Stats(profile)
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    keys = [k for k in table if k[2] == "clean" and k[0].endswith("engine.py")]
    if not keys:
        return 0.0, []
    key = keys[0]
    total = table[key][3]
    stages = [
        {"function": func_name(func), "cum_s": callers[key][3]}
        for func, (_, _, _, _, callers) in table.items()
        if key in callers
    ]
    stages.append({"function": "clean() itself", "cum_s": table[key][2]})
    stages.sort(key=lambda s: -s["cum_s"])
    for stage in stages:
        stage["share"] = ratio(stage["cum_s"], total)
    return total, stages


def top_functions(profile: cProfile.Profile, n: int) -> list[dict[str, Any]]:
    """Return the ``n`` functions with the largest cumulative time in ``profile``."""
    stats = pstats.Stats(profile)
    table: dict[Any, Any] = stats.stats  # type: ignore[attr-defined]
    rows = sorted(table.items(), key=lambda item: -item[1][3])[:n]
    return [
        {"function": func_name(func), "calls": nc, "tot_s": tt, "cum_s": ct}
        for func, (_, nc, tt, ct, _) in rows
    ]


def time_corpus(
    args: argparse.Namespace, engines: dict[str, Engine]
) -> tuple[dict[str, Timings], list[LargePage], cProfile.Profile | None, int]:
    """Time every engine over the corpus; return timings, largest pages, profile, count."""
    from cleaner import clean

    timings = {name: Timings() for name in engines}
    largest: list[LargePage] = []
    profile = cProfile.Profile() if args.profile else None
    count = 0
    for count, case in enumerate(iter_cases(args.corpus, args.limit), 1):
        if count == 1:
            for engine in engines.values():  # warm-up: rules, lazy imports
                timed(engine, case.html_bytes, case.url)
        best: dict[str, float] = {}
        for _ in range(args.repeat):
            for name, engine in engines.items():
                cpu, error = timed(engine, case.html_bytes, case.url)
                best[name] = min(cpu, best.get(name, cpu))
                if error:
                    timings[name].errors[case.id] = error
        for name, cpu in best.items():
            timings[name].ms.append(cpu * 1000)
        if profile is not None:
            kwargs: dict[str, Any] = {"url": case.url} if case.url else {}
            profile.enable()
            try:
                clean(case.html_bytes, **kwargs)
            except Exception:  # counted above already
                pass
            finally:
                profile.disable()
        if args.largest:
            page = LargePage(len(case.html_bytes), -count, case.id, case.url, case.html_bytes)
            if len(largest) < args.largest:
                heapq.heappush(largest, page)
            else:
                heapq.heappushpop(largest, page)
        if count % 50 == 0:
            print(f"{count} pages...", file=sys.stderr)
    largest.sort(reverse=True)
    return timings, largest, profile, count


def run_child(mode: str, page_file: Path, url: str | None) -> dict[str, Any]:
    """Run this script's hidden child mode on one page file; return its JSON output.

    The peak RSS is the child's own VmHWM: ``ru_maxrss`` of a child (from ``wait4`` or
    ``RUSAGE_CHILDREN``) is useless here, as Linux carries the parent's high-water mark
    over the fork and exec into it.
    """
    try:
        proc = subprocess.run(
            [sys.executable, SCRIPT, "_child", mode, str(page_file), url or ""],
            stdout=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            timeout=CHILD_TIMEOUT_S,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"error": f"{mode} child timed out after {CHILD_TIMEOUT_S:g} s"}
    if proc.returncode != 0:
        return {"error": f"{mode} child exited with code {proc.returncode}"}
    data: dict[str, Any] = json.loads(proc.stdout.decode("utf-8"))
    return data


def measure_memory(pages: list[LargePage]) -> list[dict[str, Any]]:
    """Return the peak RSS of clean() and of the lxml baseline for each page, in children."""
    from cleaner import clean

    rows = []
    with tempfile.TemporaryDirectory(prefix="speed-bench-") as tmp:
        for page in pages:
            page_file = Path(tmp) / "page.html"
            page_file.write_bytes(page.html)
            print(f"memory: {page.id} ({page.size / 1024:,.0f} KB)", file=sys.stderr)
            base = run_child("lxml", page_file, page.url)
            ours = run_child("clean", page_file, page.url)
            kwargs: dict[str, Any] = {"url": page.url} if page.url else {}
            tracemalloc.start()
            try:
                clean(page.html, **kwargs)
            except Exception:  # the child reports the error
                pass
            finally:
                traced_peak = tracemalloc.get_traced_memory()[1]
                tracemalloc.stop()
            rows.append(
                {
                    "id": page.id,
                    "url": page.url,
                    "bytes": page.size,
                    "clean_peak_rss_mb": ours.get("vmhwm_kb", 0) / 1024,
                    "baseline_peak_rss_mb": base.get("vmhwm_kb", 0) / 1024,
                    "diff_mb": (ours.get("vmhwm_kb", 0) - base.get("vmhwm_kb", 0)) / 1024,
                    "clean_rss_after_import_mb": ours.get("vmhwm_import_kb", 0) / 1024,
                    "clean_rss_after_rules_mb": ours.get("vmhwm_rules_kb", 0) / 1024,
                    "baseline_rss_after_import_mb": base.get("vmhwm_import_kb", 0) / 1024,
                    "tracemalloc_peak_mb": traced_peak / MB,
                    "error": ours.get("error") or base.get("error"),
                }
            )
    return rows


def vm_hwm_kb() -> int:
    """Return this process's peak resident set size (VmHWM) in KiB (0 if unknown)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def child_main(argv: list[str]) -> int:
    """Hidden child: clean (or only parse) one page file; print VmHWM figures as JSON."""
    mode, page_file, url = argv
    import lxml.html

    import cleaner

    html = Path(page_file).read_bytes()
    out: dict[str, Any] = {"mode": mode, "vmhwm_import_kb": vm_hwm_kb()}
    try:
        if mode == "clean":
            cleaner.RuleSet.default()
            out["vmhwm_rules_kb"] = vm_hwm_kb()
            cleaner.clean(html, url=url or None)
        else:
            lxml.html.fromstring(html)
    except Exception as exc:  # reported to the parent, which shows it
        out["error"] = f"{type(exc).__name__}: {exc}"
    out["vmhwm_kb"] = vm_hwm_kb()
    print(json.dumps(out))
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse and cross-check the command line (usage errors exit 2)."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N pages")
    parser.add_argument("--repeat", type=int, default=3, metavar="R", help="runs per page (min)")
    parser.add_argument("--peers", action="store_true", help="also time trafilatura")
    parser.add_argument("--largest", type=int, default=5, metavar="K", help="peak RSS on K pages")
    parser.add_argument("--profile", type=int, default=0, metavar="N", help="top N functions")
    parser.add_argument("--json", action="store_true", help="print a JSON summary")
    args = parser.parse_args(argv)
    if args.limit is not None and args.limit < 1:
        parser.error("--limit must be at least 1")
    if args.repeat < 1:
        parser.error("--repeat must be at least 1")
    if args.largest < 0 or args.profile < 0:
        parser.error("--largest and --profile cannot be negative")
    return args


def check_corpus(path: Path) -> str:
    """Return the layout of the corpus at ``path``, or raise InputError."""
    if not path.is_dir():
        raise InputError(f"{path}: not a directory")
    try:
        return detect_layout(path)
    except ValueError as exc:
        raise InputError(str(exc)) from None


def run(args: argparse.Namespace) -> dict[str, Any]:
    """Run both parts of the benchmark; return the report."""
    layout = check_corpus(args.corpus)
    engines, skipped = make_engines(args.peers)
    if skipped:
        print(f"warning: {skipped}", file=sys.stderr)
    load_start = os.getloadavg()[0]
    try:
        timings, largest, profile, count = time_corpus(args, engines)
    except (OSError, ValueError) as exc:
        raise InputError(f"{args.corpus}: cannot read the corpus: {exc}") from None
    if not count:
        raise InputError(f"{args.corpus}: no pages in this {layout} corpus")
    import lxml.etree

    report: dict[str, Any] = {
        "corpus": args.corpus.resolve().name,
        "layout": layout,
        "pages": count,
        "repeat": args.repeat,
        "baseline": BASELINE,
        "primary": PRIMARY,
        "engines": {name: pct_summary(t.ms) for name, t in timings.items()},
        "errors": {name: t.errors for name, t in timings.items()},
        "ratios": {
            f"{PRIMARY}/{name}": ratios(timings[PRIMARY].ms, t.ms)
            for name, t in timings.items()
            if name != PRIMARY
        },
        "peers_skipped": skipped,
        "versions": {
            "python": sys.version.split()[0],
            "lxml": ".".join(map(str, lxml.etree.LXML_VERSION)),
            "libxml2": ".".join(map(str, lxml.etree.LIBXML_VERSION)),
        },
    }
    if "trafilatura" in engines:
        import trafilatura

        report["versions"]["trafilatura"] = trafilatura.__version__
    for name, t in timings.items():
        report["engines"][name]["errors"] = len(t.errors)
    if profile is not None:
        total, stages = stage_split(profile)
        report["profile"] = {
            "pages": count,
            "clean_cum_s": total,
            "stages": stages,
            "top": top_functions(profile, args.profile),
        }
    report["memory"] = measure_memory(largest)
    report["machine"] = {
        "cpus": os.cpu_count(),
        "loadavg_start": round(load_start, 2),
        "loadavg_end": round(os.getloadavg()[0], 2),
    }
    return report


def format_ratio(value: float | None) -> str:
    """Return a ratio as "x1.23", or "n/a" when there is none."""
    return "n/a" if value is None else f"x{value:.2f}"


def print_report(report: dict[str, Any]) -> None:
    """Print the human-readable report of one run."""
    print(
        f"{report['corpus']} ({report['layout']}, {report['pages']} pages, "
        f"min of {report['repeat']} run(s) per page)"
    )
    names = list(report["engines"])
    rows = [
        ("CPU ms median", "cpu_ms_median", "{:.2f}"),
        ("CPU ms p95", "cpu_ms_p95", "{:.2f}"),
        ("CPU ms mean", "cpu_ms_mean", "{:.2f}"),
        ("CPU s total", "cpu_ms_total", "{:.1f}"),
        ("errors", "errors", "{}"),
    ]
    cells = {
        label: [
            fmt.format(
                report["engines"][n][key] / 1000
                if key == "cpu_ms_total"
                else report["engines"][n][key]
            )
            for n in names
        ]
        for label, key, fmt in rows
    }
    width = max(len(label) for label, _, _ in rows)
    widths = [max(len(n), *(len(c[i]) for c in cells.values())) for i, n in enumerate(names)]
    print(" " * width + "".join(f"  {n:>{w}}" for n, w in zip(names, widths, strict=True)))
    for label, values in cells.items():
        print(
            f"{label:<{width}}"
            + "".join(f"  {v:>{w}}" for v, w in zip(values, widths, strict=True))
        )
    for pair, r in report["ratios"].items():
        print(
            f"{pair}: median {format_ratio(r['median'])}, p95 {format_ratio(r['p95'])}; "
            f"per page: median {format_ratio(r['per_page_median'])}, "
            f"p95 {format_ratio(r['per_page_p95'])}"
        )
    if report["peers_skipped"]:
        print(f"note: {report['peers_skipped']}")
    for name, errors in report["errors"].items():
        for page_id, error in errors.items():
            print(f"error {name} {page_id}: {error}")
    if "profile" in report:
        prof = report["profile"]
        print(
            f"clean() stages (cProfile, one extra call per page, {prof['clean_cum_s']:.2f} s "
            "under the profiler):"
        )
        for stage in prof["stages"]:
            if stage["share"] and stage["share"] >= 0.005:
                print(
                    f"  {100 * stage['share']:5.1f} %  {stage['cum_s']:8.3f} s  {stage['function']}"
                )
        print(f"top {len(prof['top'])} functions by cumulative time:")
        for row in prof["top"]:
            print(
                f"  {row['cum_s']:8.3f} s cum  {row['tot_s']:8.3f} s own  "
                f"{row['calls']:>8} calls  {row['function']}"
            )
    if report["memory"]:
        print_memory(report["memory"])
    machine = report["machine"]
    print(
        f"machine: {machine['cpus']} CPUs, 1-min load average {machine['loadavg_start']} "
        f"at start, {machine['loadavg_end']} at end"
    )


def print_memory(rows: list[dict[str, Any]]) -> None:
    """Print the peak-memory table of the largest pages."""
    print(f"peak RSS (VmHWM) of a fresh child process per page, {len(rows)} largest pages")
    print("  (before: clean child after imports and rules; traced: tracemalloc peak in-process)")
    idw = max(4, *(len(row["id"]) for row in rows))
    print(
        f"  {'page':<{idw}} {'size KB':>8} {'clean MB':>9} {'lxml MB':>8} {'diff MB':>8} "
        f"{'before MB':>10} {'traced MB':>10}"
    )
    for row in rows:
        print(
            f"  {row['id']:<{idw}} {row['bytes'] / 1024:>8,.0f} {row['clean_peak_rss_mb']:>9.1f} "
            f"{row['baseline_peak_rss_mb']:>8.1f} {row['diff_mb']:>+8.1f} "
            f"{row['clean_rss_after_rules_mb']:>10.1f} {row['tracemalloc_peak_mb']:>10.1f}"
            + (f"  error: {row['error']}" if row["error"] else "")
        )


def main(argv: Iterable[str] | None = None) -> int:
    """Run the benchmark from the command line; return the exit code."""
    arglist = list(argv) if argv is not None else sys.argv[1:]
    if arglist[:1] == ["_child"]:
        return child_main(arglist[1:])
    args = parse_args(arglist)
    # Peers log parsing trouble as warnings; the benchmark reports errors itself.
    for name in ("trafilatura", "htmldate", "courlan"):
        logging.getLogger(name).setLevel(logging.ERROR)
    try:
        report = run(args)
    except InputError as exc:
        print(f"speed.py: error: {exc}", file=sys.stderr)
        return 2
    except ImportError as exc:
        print(f"speed.py: error: cannot load an engine: {exc}", file=sys.stderr)
        return 1
    if args.json:
        print(json.dumps(report, indent=2, sort_keys=True))
    else:
        print_report(report)
    return 0


if __name__ == "__main__":
    sys.exit(main())
