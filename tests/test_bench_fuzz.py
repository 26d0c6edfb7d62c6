"""Tests of the mutation fuzzer bench/fuzz.py: it runs clean on the project's own fixture
pages without a failure, and it reports and saves the inputs that fail."""

import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import fuzz

SITES = Path(__file__).resolve().parent / "sites"


def test_fixture_pages_survive_mutation(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Mutated fixture pages clean without an exception other than CleanerError, and
    cleaning the output again changes nothing."""
    code = fuzz.main([str(SITES), "--runs", "60", "--seed", "7", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 0, out
    assert out.strip().endswith("seed 7: 0 failed")
    assert not any(tmp_path.iterdir())


def _page(tmp_path: Path) -> Path:
    """A folder holding one small page."""
    pages = tmp_path / "pages"
    pages.mkdir()
    (pages / "a.html").write_text("<html><body><p>Some text of a page.</p></body></html>")
    return pages


def test_a_crash_is_reported_with_its_input_saved(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """An exception other than CleanerError fails the run: its input is saved and the line
    names the error; the exit code is 1."""

    def broken(data: bytes, url: str | None = None) -> None:
        raise ValueError("Invalid tag name")

    monkeypatch.setattr(fuzz, "clean", broken)
    out_dir = tmp_path / "failures"
    code = fuzz.main([str(_page(tmp_path)), "--runs", "2", "--out", str(out_dir)])
    out = capsys.readouterr().out
    assert code == 1
    assert sorted(p.name for p in out_dir.iterdir()) == ["0-1.html", "0-2.html"]
    assert "raised ValueError: Invalid tag name" in out
    assert out.strip().endswith("2 failed")


def test_an_output_that_cleans_differently_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A reading document that cleaning again changes (its article, or its header) fails
    the run, unless --no-idempotence."""
    calls = iter(range(100))

    def drifting(data: bytes, url: str | None = None) -> SimpleNamespace:
        n = next(calls)
        return SimpleNamespace(html="<p>out</p>", content_html=f"<p>{n}</p>")

    monkeypatch.setattr(fuzz, "clean", drifting)
    pages = _page(tmp_path)
    code = fuzz.main([str(pages), "--runs", "1", "--out", str(tmp_path / "f")])
    assert code == 1
    assert "not idempotent: cleaning the output changes the article" in capsys.readouterr().out
    code = fuzz.main([str(pages), "--runs", "1", "--no-idempotence", "--out", str(tmp_path)])
    assert code == 0

    def new_header(data: bytes, url: str | None = None) -> SimpleNamespace:
        return SimpleNamespace(html=f"<h1>{next(calls)}</h1><p>out</p>", content_html="<p>out</p>")

    monkeypatch.setattr(fuzz, "clean", new_header)
    code = fuzz.main([str(pages), "--runs", "1", "--out", str(tmp_path / "g")])
    assert code == 1
    assert "changes the reading document's header" in capsys.readouterr().out


def test_a_seed_gives_the_same_inputs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two runs with one seed clean the same mutated bytes with the same URLs."""
    seen: list[list[tuple[bytes, str | None]]] = [[], []]
    for record in seen:

        def recording(data: bytes, url: str | None = None, record=record) -> SimpleNamespace:
            record.append((data, url))
            return SimpleNamespace(html="", content_html="")

        monkeypatch.setattr(fuzz, "clean", recording)
        fuzz.main([str(SITES), "--runs", "5", "--seed", "3", "--out", str(tmp_path)])
    assert seen[0] == seen[1]
    assert len({data for data, _ in seen[0]}) > 1


def test_a_missing_path_is_a_usage_error(tmp_path: Path) -> None:
    """A path that does not exist, or holds no page, exits 2."""
    assert fuzz.main([str(tmp_path / "nope")]) == 2
    assert fuzz.main([str(tmp_path)]) == 2
