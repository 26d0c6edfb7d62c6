"""Crashes and concurrency (RELIABILITY group B): kill -9 mid-batch, several archivers at once."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest
from origin import Conn, Origin, Request, html_page, png, response

from archive.consistency import check_index
from archive.store import Archive
from archive.verify import repair_file, verify_paths

CLEANER = str(Path(sys.executable).parent / "cleaner")


def _site(origin: Origin, n: int, delay: float = 0.0) -> list[str]:
    """``n`` article pages with one image each (answered after ``delay`` s); their URLs."""
    for i in range(n):
        for path, raw in (
            (f"/a/{i}.html", response(html_page(i, images=1))),
            (f"/img/{i}-0.png", response(png(i), content_type="image/png")),
        ):
            origin.add_handler(path, _slow(raw, delay))
    return [origin.url(f"/a/{i}.html") for i in range(n)]


def _slow(raw: bytes, delay: float) -> Callable[[Conn, Request], None]:
    """A handler sending ``raw`` after ``delay`` seconds."""

    def handle(conn: Conn, request: Request) -> None:
        """Wait, then answer."""
        if conn.sleep(delay):
            conn.send(raw)

    return handle


def _batch(root: Path, urls_file: Path, concurrency: int = 8) -> subprocess.Popen[bytes]:
    """Start `cleaner archive -i FILE` as its own process."""
    return subprocess.Popen(
        [
            CLEANER,
            "archive",
            "-i",
            str(urls_file),
            "--archive",
            str(root),
            "--delay",
            "0",
            "--ignore-robots",
            "--concurrency",
            str(concurrency),
            "--timeout",
            "10",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _articles(root: Path) -> list[str]:
    """URLs of all articles in the archive's index."""
    with Archive(root) as arc:
        return [r[0] for r in arc.index.db.execute("SELECT url FROM articles")]


@pytest.mark.slow
def test_kill_9_at_20_random_points_loses_nothing(tmp_path):
    """After each kill: index rows point at complete records, only .open tails are torn and
    repair fixes them; re-running the batch ends with exactly 500 articles."""
    rng = random.Random(20261125)
    root = tmp_path / "arc"
    with Origin() as origin:
        # 20 ms per response: the whole batch needs over 20 s of one-at-a-time fetching, so
        # every kill (at most 0.8 s into a run) lands while work remains.
        urls = _site(origin, 500, delay=0.02)
        urls_file = tmp_path / "urls.txt"
        urls_file.write_text("\n".join(urls) + "\n")
        kills = 0
        while kills < 20:
            proc = _batch(root, urls_file)
            time.sleep(rng.uniform(0.3, 0.8))
            if proc.poll() is not None:
                break
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
            kills += 1
            with Archive(root) as arc:
                assert check_index(arc) == [], f"after kill {kills}"
            for path, issues in verify_paths([root / "warc"]).items():
                assert not issues or path.endswith(".open"), (path, issues)
            for path in sorted((root / "warc").iterdir()):
                if ".torn-" not in path.name:
                    report = repair_file(path)
                    assert not report.changed or path.name.endswith(".open"), report
            assert all(not v for v in verify_paths([root / "warc"]).values())
        assert kills == 20
        proc = _batch(root, urls_file)
        _out, err = proc.communicate(timeout=600)
        assert proc.returncode == 0, err.decode()
    got = _articles(root)
    assert len(got) == 500 and len(set(got)) == 500 and set(got) == set(urls)
    assert all(not v for v in verify_paths([root / "warc"]).values())
    with Archive(root) as arc:
        assert check_index(arc) == []


@pytest.mark.slow
@pytest.mark.parametrize("workers", [2, 4])
def test_concurrent_archivers_lose_and_duplicate_nothing(tmp_path, workers):
    """2 or 4 archiver processes on one archive, overlapping URL lists: each URL once."""
    root = tmp_path / "arc"
    with Origin() as origin:
        urls = _site(origin, 120)
        procs = []
        for w in range(workers):
            part = urls[w * 20 :] + urls[: w * 20]  # every worker sees every URL, rotated
            f = tmp_path / f"urls{w}.txt"
            f.write_text("\n".join(part) + "\n")
            procs.append(_batch(root, f, concurrency=4))
        results = [p.communicate(timeout=600) for p in procs]
    for p, (_, err) in zip(procs, results, strict=False):
        assert p.returncode == 0, err.decode()
        assert b"database is locked" not in err
    got = _articles(root)
    assert sorted(got) == sorted(urls)
    assert all(not v for v in verify_paths([root / "warc"]).values())
    with Archive(root) as arc:
        assert check_index(arc) == []
