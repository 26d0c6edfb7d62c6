"""Mutation fuzzing of ``cleaner.clean`` on real pages: crashes and idempotence.

Usage::

    python bench/fuzz.py PATH [PATH ...] [--seconds S | --runs N] [--seed K] [--out DIR]
        [--no-idempotence]

Each run takes a page (an ``.html`` or ``.html.gz`` file found under a PATH: a corpus of
``../shared/corpora`` or ``tests/sites``), mutates its bytes (markup fragments inserted,
spans deleted or repeated, bytes changed, the tail cut, deep nesting, character references
to control characters, broken URLs) and cleans it, with a URL or without one. A run fails
when ``clean`` raises anything but ``CleanerError`` (the documented error for input that is
no page), or when cleaning its reading document again changes it: the article
(``clean(clean(x).html).content_html != clean(x).content_html``) or the rest (its header:
title, byline, date …; skipped with ``--no-idempotence``). Each failing input is written
to ``--out`` (default ``fuzz-failures``) as ``<seed>-<run>.html``, with a line on stdout
saying what failed.

The same ``--seed`` and ``--runs`` give the same inputs. Exit codes: 0 no failure, 1 a run
failed, 2 bad arguments or no page found.
"""

from __future__ import annotations

import argparse
import gzip
import random
import sys
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from cleaner import CleanerError, clean  # noqa: E402

# What a mutation inserts: broken and hostile markup seen in the wild or known to trouble
# parsers, URL code and the tree code (a name lxml cannot make, control characters).
FRAGMENTS = (
    b"<",
    b">",
    b"</div>",
    b"<div>",
    b"<p>",
    b"</p>",
    b"<table>",
    b"<td>",
    b"<li>",
    b'<a href="',
    b'"',
    b"'",
    b"&",
    b"&#",
    b"&#1;",
    b"&#x1f;",
    b"&#x110000;",
    b"\x00",
    b"\xff\xfe",
    b"\xe2\x80",
    b"<!--",
    b"-->",
    b"<script>",
    b"</script>",
    b"<![CDATA[",
    b"<svg><math>",
    b"<template>",
    b"<noscript>",
    b'<meta charset="utf-16">',
    b'<base href="javascript:x">',
    b'<img srcset=",,, 1x,">',
    b'<time datetime="99999-99-99">',
    b'<script type="application/ld+json">{"@type":"Article","datePublished":"2020-13-45",'
    b'"author":{"name":[1,{}]}}</script>',
    b"\r",
    b"\xe2\x80\xa8",
    b"<h1>",
    b"<pre>\n",
    b"<html>",
    b"<body>",
    b"<frameset>",
    b'<iframe srcdoc="<p>x">',
    b'<a href="http://[::1">',
    b'<a href="http://a:99999/">',
    b'<img src="https://cdn>example.test/a.jpg">',
    b'<img src="data:,">',
    b'<link rel="canonical" href="http://[bad/x">',
    b'<meta property="og:image" content="//">',
    b"<i.length;i++)a[i]>",
    b"<form>",
    b"<select>",
    b"<option>",
)
URLS = (None, "https://example.test/2020/01/some-article-slug", "https://example.co.id/")


def find_pages(paths: list[Path]) -> list[Path]:
    """The ``.html`` and ``.html.gz`` files under ``paths`` (files given are taken as they
    are), in a stable order."""
    found: list[Path] = []
    for path in paths:
        if path.is_file():
            found.append(path)
            continue
        for pattern in ("*.html", "*.html.gz"):
            found.extend(path.rglob(pattern))
    return sorted(set(found))


def read_page(path: Path) -> bytes:
    """A page's bytes (gunzipped for ``.gz``)."""
    data = path.read_bytes()
    return gzip.decompress(data) if path.suffix == ".gz" else data


def mutate(data: bytes, rnd: random.Random) -> bytes:
    """``data`` with 1 to 30 random mutations."""
    out = bytearray(data)
    for _ in range(rnd.randint(1, 30)):
        n = len(out)
        if n == 0:
            out += rnd.choice(FRAGMENTS)
            continue
        i = rnd.randrange(n)
        op = rnd.random()
        if op < 0.3:
            out[i:i] = rnd.choice(FRAGMENTS)
        elif op < 0.5:
            del out[i : min(n, i + rnd.randint(1, 2000))]
        elif op < 0.6:
            del out[i:]
        elif op < 0.7:
            out[i:i] = out[i : min(n, i + rnd.randint(1, 500))] * rnd.randint(1, 5)
        elif op < 0.8:
            out[i] = rnd.randrange(256)
        elif op < 0.82:
            out[i:i] = b"<div>" * rnd.randint(100, 3000)
        else:
            out[i:i] = bytes(rnd.randrange(256) for _ in range(rnd.randint(1, 20)))
    return bytes(out)


def check(data: bytes, url: str | None, idempotence: bool) -> str | None:
    """What is wrong with cleaning ``data`` (a traceback's last line, or the idempotence
    failure), or None."""
    try:
        first = clean(data, url=url)
    except CleanerError:
        return None
    except Exception:  # (any other exception is the finding)
        return "raised " + traceback.format_exc().strip().splitlines()[-1]
    if not idempotence:
        return None
    try:
        again = clean(first.html, url=url)
    except Exception:
        return "cleaning the output raised " + traceback.format_exc().strip().splitlines()[-1]
    if again.content_html != first.content_html:
        return "not idempotent: cleaning the output changes the article"
    if again.html != first.html:
        return "not idempotent: cleaning the output changes the reading document's header"
    return None


def run(
    pages: list[Path],
    seed: int,
    runs: int | None,
    seconds: float | None,
    out: Path,
    idempotence: bool = True,
) -> tuple[int, int]:
    """Fuzz ``pages``; return (runs done, failures). Failing inputs go to ``out``."""
    rnd = random.Random(seed)
    cache: dict[Path, bytes] = {}
    start = time.monotonic()
    done = failures = 0
    while (runs is None or done < runs) and (seconds is None or time.monotonic() - start < seconds):
        page = rnd.choice(pages)
        if page not in cache:
            cache[page] = read_page(page)
        data = mutate(cache[page], rnd)
        url = rnd.choice(URLS)
        done += 1
        problem = check(data, url, idempotence)
        if problem is None:
            continue
        failures += 1
        out.mkdir(parents=True, exist_ok=True)
        saved = out / f"{seed}-{done}.html"
        saved.write_bytes(data)
        print(f"{saved}: {problem} (from {page}, url={url})")
    return done, failures


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    limit = parser.add_mutually_exclusive_group()
    limit.add_argument("--seconds", type=float, help="run this long (default 60)")
    limit.add_argument("--runs", type=int, help="run this many times")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, default=Path("fuzz-failures"))
    parser.add_argument("--no-idempotence", action="store_true", help="check crashes only")
    args = parser.parse_args(argv)
    missing = [str(p) for p in args.paths if not p.exists()]
    if missing:
        print(f"error: no such path: {', '.join(missing)}", file=sys.stderr)
        return 2
    pages = find_pages(args.paths)
    if not pages:
        print("error: no .html or .html.gz page under the paths given", file=sys.stderr)
        return 2
    seconds = args.seconds if args.seconds is not None or args.runs is not None else 60.0
    done, failures = run(
        pages, args.seed, args.runs, seconds, args.out, idempotence=not args.no_idempotence
    )
    print(f"{done} runs on {len(pages)} pages, seed {args.seed}: {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
