"""Archiving many URLs at once: a thread pool, one request at a time per host."""

from __future__ import annotations

import sys
import threading
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor, as_completed

from .capture import Fetcher
from .store import Archive, Outcome


def run_batch(
    arc: Archive,
    fetcher: Fetcher,
    urls: list[str],
    tags: Iterable[str],
    concurrency: int,
    refresh: bool,
    progress: bool = False,
) -> list[Outcome]:
    """Archive every URL; outcomes in input order. Failures never stop the batch."""
    tags = tuple(tags)
    results: dict[int, Outcome] = {}
    lock = threading.Lock()
    done = 0

    def one(i: int, url: str) -> None:
        """Archive one URL (its failures come back as an outcome)."""
        nonlocal done
        outcome = arc.archive_url(url, fetcher, tags, refresh)
        with lock:
            results[i] = outcome
            done += 1
            if progress:
                _bar(done, len(urls))

    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        futures = [pool.submit(one, i, u) for i, u in enumerate(urls)]
        for f in as_completed(futures):
            f.result()
    if progress:
        sys.stderr.write("\n")
    return [results[i] for i in range(len(urls))]


def _bar(done: int, total: int) -> None:
    """A one-line progress bar on stderr."""
    width = 30
    filled = width * done // max(total, 1)
    sys.stderr.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total}")
    sys.stderr.flush()
