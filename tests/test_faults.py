"""Faults around the archive: disk full, read-only archive, roll-over, broken WARCs, pages."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from click.testing import CliRunner
from origin import Origin, html_page

from archive.capture import Fetcher
from archive.cli import main
from archive.consistency import check_index
from archive.importer import import_warc
from archive.store import Archive
from archive.verify import verify_paths
from archive.warcfile import WarcWriter

SHARED = Path(os.environ.get("CLEANER_SHARED", Path(__file__).resolve().parents[2] / "shared"))


def _fetcher() -> Fetcher:
    """A fast loopback fetcher."""
    return Fetcher(delay=0.0, deadline=5.0, respect_robots=False)


def _fail_writes(monkeypatch: pytest.MonkeyPatch, code: int) -> None:
    """Make every later WARC write fail with ``code`` (ENOSPC, EROFS) after writing a bit."""

    def broken(self: WarcWriter, records: list[bytes]) -> list[object]:
        """Write a few bytes (a torn tail), then fail like a full or read-only disk."""
        assert self._fh is not None
        self._fh.write(b"\x1f\x8b\x08")  # type: ignore[attr-defined]
        self._fh.flush()  # type: ignore[attr-defined]
        raise OSError(code, os.strerror(code))

    monkeypatch.setattr(WarcWriter, "_append_all", broken)


@pytest.mark.parametrize(
    ("code", "text"),
    [(errno.ENOSPC, "No space left on device"), (errno.EROFS, "Read-only file system")],
)
def test_full_or_read_only_disk_is_a_clear_error_and_loses_nothing(
    tmp_path, monkeypatch, code, text
):
    """A write failure names the WARC directory, exits 1, and earlier articles stay intact."""
    root = tmp_path / "arc"
    with Origin() as origin:
        origin.add_page("/a", html_page(1, images=0))
        origin.add_page("/b", html_page(2, images=0))
        r = CliRunner().invoke(
            main,
            [
                "archive",
                origin.url("/a"),
                "--archive",
                str(root),
                "--delay",
                "0",
                "--ignore-robots",
            ],
        )
        assert r.exit_code == 0, r.stderr
        _fail_writes(monkeypatch, code)
        r = CliRunner().invoke(
            main,
            [
                "archive",
                origin.url("/b"),
                "--archive",
                str(root),
                "--delay",
                "0",
                "--ignore-robots",
            ],
        )
    assert r.exit_code == 1
    assert r.stderr.strip().splitlines()[-1] == f"Error: cannot write to {root / 'warc'}: {text}"
    monkeypatch.undo()
    with Archive(root) as arc:
        assert [a["title"] for a in arc.index.list_articles()] == ["Page 1"]
        assert check_index(arc) == []
    r = CliRunner().invoke(main, ["verify", "--repair", "--archive", str(root)])
    assert r.exit_code == 0, r.stdout + r.stderr


def test_warc_files_roll_over_by_size(tmp_path):
    """A writer with a small size limit starts new files, each with its own warcinfo."""
    with Origin() as origin:
        for i in range(6):
            noise = f"<p>{os.urandom(6000).hex()}</p>".encode()  # does not compress away
            origin.add_page(f"/p{i}", html_page(i, images=0) + noise)
        with Archive(tmp_path, writer_factory=lambda d: WarcWriter(d, max_size=8_000)) as arc:
            for i in range(6):
                assert arc.archive_url(origin.url(f"/p{i}"), _fetcher()).status == "archived"
    files = sorted((tmp_path / "warc").glob("*.warc.gz"))
    assert len(files) >= 3
    assert not list((tmp_path / "warc").glob("*.open"))
    assert all(not v for v in verify_paths(files).values())


@pytest.mark.skipif(not (SHARED / "corpora/warc").is_dir(), reason="shared corpora absent")
def test_importing_every_sample_warc_never_raises(tmp_path):
    """Good, broken and ARC samples import without an unhandled exception; damage is located."""
    files = sorted(
        p
        for p in (SHARED / "corpora/warc").rglob("*")
        if p.is_file() and "LICENSE" not in p.name and p.suffix not in (".md", ".txt")
    )
    assert files
    with Archive(tmp_path) as arc:
        for path in files:
            report = import_warc(arc, path)
            for problem in report.problems:
                assert problem.startswith(f"{path}:"), problem
        assert check_index(arc) == []


def test_import_cli_reports_problems_with_location(tmp_path):
    """cleaner import of a torn file exits 1 and says file:offset: why."""
    bad = tmp_path / "torn.warc.gz"
    with Origin() as origin:
        origin.add_page("/a", html_page(1, images=0))
        with Archive(tmp_path / "src") as arc:
            arc.archive_url(origin.url("/a"), _fetcher())
    data = next((tmp_path / "src" / "warc").glob("*.warc.gz")).read_bytes()
    bad.write_bytes(data[:-40])
    r = CliRunner().invoke(main, ["import", str(bad), "--archive", str(tmp_path / "dst")])
    assert r.exit_code == 1
    assert f"problem: {bad}:" in r.stderr


def test_import_html_needs_url(tmp_path):
    """Importing a saved page without --url is a usage error."""
    page = tmp_path / "p.html"
    page.write_bytes(html_page(3, images=0))
    r = CliRunner().invoke(main, ["import", str(page), "--archive", str(tmp_path / "a")])
    assert r.exit_code == 2 and "needs --url" in r.stderr
    r = CliRunner().invoke(
        main, ["import", str(page), "--url", "https://x.test/p", "--archive", str(tmp_path / "a")]
    )
    assert r.exit_code == 0, r.stderr
    r = CliRunner().invoke(main, ["search", "Paragraf", "--archive", str(tmp_path / "a")])
    assert "Page 3" in r.stdout


def test_import_html_with_an_unparsable_url_writes_nothing(tmp_path):
    """A saved page imported under a URL that cannot be parsed is refused before any record
    is written (exit 1, the file and why, no traceback); the archive keeps what it had."""
    page = tmp_path / "p.html"
    page.write_bytes(html_page(3, images=0))
    arc = tmp_path / "a"
    ok = ["import", str(page), "--url", "https://x.test/p", "--archive", str(arc)]
    assert CliRunner().invoke(main, ok).exit_code == 0
    before = {p.name: p.read_bytes() for p in (arc / "warc").iterdir()}
    r = CliRunner().invoke(
        main, ["import", str(page), "--url", "http://[bad", "--archive", str(arc)]
    )
    assert r.exit_code == 1
    assert r.stderr == f"Error: {page}: not a valid URL: 'http://[bad'\n"
    assert {p.name: p.read_bytes() for p in (arc / "warc").iterdir()} == before
    r = CliRunner().invoke(main, ["list", "--archive", str(arc)])
    assert r.exit_code == 0 and r.stdout.count("Page 3") == 1


def test_refused_scheme_fails_before_any_io(tmp_path):
    """cleaner archive file:///etc/passwd fails with a reason and writes no record."""
    r = CliRunner().invoke(main, ["archive", "file:///etc/passwd", "--archive", str(tmp_path)])
    assert r.exit_code == 1
    assert "only http and https URLs can be archived" in r.stdout
    assert not list((tmp_path / "warc").glob("*"))
