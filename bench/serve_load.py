"""Load on the reader's search page: a 10,000-article archive, ``cleaner serve``, then wrk.

Usage::

    python bench/serve_load.py [--articles 10000] [--duration 20] [--connections 32]
        [--threads 2] [--keep DIR] [--json]

The archive is synthetic: article rows with seeded Indonesian-like text are inserted
straight into the index (the FTS5 triggers index them as a capture would), without WARC
records or clean pages, since the search page reads only the index. The reader runs as
``cleaner serve`` in its own process on 127.0.0.1:0 (a fresh one per run, so its result
cache starts empty), and Debian's ``wrk`` drives it (``apt-get install wrk``) twice:

1. *cycled*: a Lua script cycling through 23 fixed queries (frequent and rare words,
   two-word queries, a phrase, a prefix, a site filter, a third page); after the first
   round these are answered from the reader's result cache;
2. *distinct*: two random words from the 4000-word vocabulary per request, so practically
   every search really runs (ranking and snippets).

Nothing leaves the machine; each run is bounded by ``--duration``. Prints requests per
second, latency percentiles and errors (socket errors plus non-2xx answers) for both, and
PASS when both have p99 <= 200 ms and no errors (exit 1 otherwise).
"""

from __future__ import annotations

import argparse
import json
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SITES = ("okezone.com", "detik.com", "kompas.com", "tempo.co", "antaranews.com", "viva.co.id")
SYLLABLES = "ba be bi bu ka ke ki ku ma me mi mu na ni nu pa pe pi ra ri ru sa se si ta te ti"
COMMON = [
    "yang",
    "dan",
    "di",
    "ini",
    "itu",
    "dengan",
    "untuk",
    "dari",
    "dalam",
    "tidak",
    "akan",
    "pada",
    "juga",
    "ke",
    "karena",
    "oleh",
    "pemerintah",
    "kota",
    "warga",
    "presiden",
    "jakarta",
    "indonesia",
    "menteri",
    "polisi",
    "sekolah",
    "harga",
    "pasar",
]
TARGET_P99_MS = 200.0


def vocabulary(rng: random.Random, size: int = 4000) -> list[str]:
    """Common words first, then made-up words (rank order gives Zipf-like frequencies)."""
    syl = SYLLABLES.split()
    words = list(COMMON)
    seen = set(words)
    while len(words) < size:
        w = "".join(rng.choice(syl) for _ in range(rng.choice((2, 3, 3, 4))))
        if w not in seen:
            seen.add(w)
            words.append(w)
    return words


def build(root: Path, count: int, seed: int = 7) -> float:
    """Create an archive at ``root`` with ``count`` synthetic articles; returns seconds."""
    from archive.store import Archive

    rng = random.Random(seed)
    vocab = vocabulary(rng)
    weights = [1 / (i + 1) for i in range(len(vocab))]
    start = datetime(2020, 1, 1, tzinfo=timezone.utc)
    t0 = time.perf_counter()
    with Archive(root) as arc, arc.index.transaction() as db:
        rec = arc.index.add_record(
            db,
            url="https://placeholder.invalid/",
            type="response",
            status=200,
            mime="text/html",
            warc_file="placeholder.warc.gz",
            warc_offset=0,
            warc_length=0,
            record_id="<urn:uuid:placeholder>",
            date="2020-01-01T00:00:00Z",
            payload_digest=None,
            entity_digest=None,
            truncated=None,
            refers_to=None,
        )
        rows = []
        for i in range(count):
            words = rng.choices(vocab, weights, k=rng.randint(250, 700))
            paras = [
                " ".join(words[j : j + 60]).capitalize() + "." for j in range(0, len(words), 60)
            ]
            text = "\n\n".join(paras)
            title = " ".join(rng.choices(vocab[20:], k=7)).capitalize()
            site = rng.choice(SITES)
            when = (start + timedelta(minutes=37 * i)).strftime("%Y-%m-%dT%H:%M:%SZ")
            rows.append(
                (
                    f"https://news.{site}/read/{i}",
                    f"https://news.{site}/read/{i}",
                    f"news.{site}",
                    title,
                    when,
                    text,
                    text[:280],
                    len(words),
                    when,
                    when,
                    rec,
                    f"articles/none/{i}.html",
                )
            )
        db.executemany(
            "INSERT INTO articles (url, final_url, site, title, published, text, excerpt, words, "
            "captured_at, updated_at, record, rules_digest, html_path) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'bench', ?)",
            rows,
        )
    return time.perf_counter() - t0


def queries(seed: int = 7) -> list[str]:
    """The search paths wrk cycles through: varied frequency, phrases, prefixes, a filter."""
    vocab = vocabulary(random.Random(seed))
    picks = [vocab[i] for i in (0, 3, 10, 25, 40, 80, 200, 500, 1000, 2000, 3500)]
    qs = [f"/search?q={w}" for w in picks]
    qs += [f"/search?q={a}+{b}" for a, b in zip(picks, picks[3:], strict=False)]
    qs += [f"/search?q=%22{vocab[30]}+{vocab[31]}%22", f"/search?q={vocab[60][:3]}*"]
    qs += [f"/search?q={vocab[50]}&site=detik.com", f"/search?q={vocab[5]}&page=3"]
    return qs


LUA_CYCLE = """
local paths = {%s}
local i = 0
request = function()
  i = i %% #paths + 1
  return wrk.format("GET", paths[i])
end
"""
# Two random words per request (from the 4000-word vocabulary): practically never the
# same query twice, so the reader's result cache does not help.
LUA_DISTINCT = """
local words = {%s}
math.randomseed(%d)
request = function()
  local a = words[math.random(#words)]
  local b = words[math.random(#words)]
  return wrk.format("GET", "/search?q=" .. a .. "+" .. b)
end
"""


def start_server(root: Path) -> tuple[subprocess.Popen[str], int]:
    """Run ``cleaner serve`` on 127.0.0.1:0; returns the process and its port."""
    exe = Path(sys.executable).parent / "cleaner"
    proc = subprocess.Popen(
        [str(exe), "serve", "--port", "0", "--archive", str(root)],
        stderr=subprocess.PIPE,
        text=True,
    )
    line = proc.stderr.readline() if proc.stderr else ""
    m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
    if not m:
        proc.kill()
        raise SystemExit(f"the reader did not start: {line}")
    return proc, int(m.group(1))


def parse_wrk(out: str) -> dict[str, float]:
    """Requests/s, latency percentiles (ms) and error counts from wrk --latency output."""

    def ms(value: str) -> float:
        """A wrk duration (us, ms, s, m) in milliseconds."""
        num, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
        return float(num) * {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60000.0}[unit]

    res: dict[str, float] = {}
    for pct in ("50", "75", "90", "99"):
        m = re.search(rf"^\s+{pct}%\s+(\S+)", out, re.M)
        if m:
            res[f"p{pct}_ms"] = ms(m.group(1))
    m = re.search(r"(\d+) requests in", out)
    res["requests"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Requests/sec:\s+([\d.]+)", out)
    res["rps"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    res["non_2xx"] = float(m.group(1)) if m else 0.0
    m = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    res["socket_errors"] = float(sum(int(x) for x in m.groups())) if m else 0.0
    return res


def run_wrk(port: int, script: Path, args: argparse.Namespace) -> tuple[str, dict[str, float]]:
    """One wrk run against the reader; (raw output, parsed figures)."""
    cmd = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration}s",
        "--latency",
        "-s",
        str(script),
        f"http://127.0.0.1:{port}",
    ]
    print(" ".join(cmd), file=sys.stderr)
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=args.duration + 60).stdout
    return out, parse_wrk(out)


def warm_up(port: int, paths: list[str]) -> None:
    """Request every path once (and fail early on a broken page)."""
    for path in paths:
        code = subprocess.run(
            [
                "curl",
                "-s",
                "-o",
                "/dev/null",
                "-w",
                "%{http_code}",
                f"http://127.0.0.1:{port}{path}",
            ],
            capture_output=True,
            text=True,
            timeout=30,
        ).stdout
        if code != "200":
            raise SystemExit(f"{path}: HTTP {code}")


def summary(name: str, res: dict[str, float]) -> str:
    """One line of figures for a run."""
    return (
        f"{name}: {res['rps']:.0f} req/s, p50 {res.get('p50_ms', 0):.1f} ms, p90 "
        f"{res.get('p90_ms', 0):.1f} ms, p99 {res.get('p99_ms', 0):.1f} ms, errors "
        f"{res['non_2xx']:.0f} non-2xx + {res['socket_errors']:.0f} socket"
    )


def main() -> None:
    """Build, serve, load (cycled queries, then distinct ones), report."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--duration", type=int, default=20)
    ap.add_argument("--connections", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--keep", type=Path, help="Build the archive here and keep it.")
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (Debian: apt-get install wrk)")
    root = args.keep or Path(tempfile.mkdtemp(prefix="serve-load-"))
    results: dict[str, dict[str, float]] = {}
    try:
        if not (root / "index.sqlite3").exists():
            secs = build(root, args.articles)
            print(f"built {args.articles} articles in {secs:.1f} s", file=sys.stderr)
        paths = queries()
        cycle = root / "cycle.lua"
        cycle.write_text(LUA_CYCLE % ", ".join(json.dumps(p) for p in paths))
        distinct = root / "distinct.lua"
        words = vocabulary(random.Random(7))
        distinct.write_text(LUA_DISTINCT % (", ".join(json.dumps(w) for w in words), 7))
        for name, script in (("cycled", cycle), ("distinct", distinct)):
            proc, port = start_server(root)  # a fresh server (empty cache) per run
            try:
                warm_up(port, paths if name == "cycled" else paths[:1])
                out, res = run_wrk(port, script, args)
            finally:
                proc.terminate()
                proc.wait(10)
            if not args.json:
                print(out)
            results[name] = res
    finally:
        if not args.keep:
            shutil.rmtree(root, ignore_errors=True)
    cyc, dis = results["cycled"], results["distinct"]

    def meets(res: dict[str, float]) -> bool:
        """p99 within the target and no errors."""
        return (
            res.get("p99_ms", 1e9) <= TARGET_P99_MS
            and not res["non_2xx"]
            and not res["socket_errors"]
        )

    ok = meets(cyc) and meets(dis)
    if args.json:
        print(json.dumps({"articles": args.articles, **results, "pass": ok}))
    else:
        print(
            f"search page, {args.articles} articles, wrk -t{args.threads} "
            f"-c{args.connections} -d{args.duration}s (target p99 <= {TARGET_P99_MS:.0f} ms, "
            "no errors)"
        )
        for label, res in (
            (f"{len(paths)} queries cycled", cyc),
            ("a distinct query per request (no cache hits)", dis),
        ):
            print(f"  {summary(label, res)} -> {'PASS' if meets(res) else 'FAIL'}")
    if not ok:
        sys.exit(1)


if __name__ == "__main__":
    main()
