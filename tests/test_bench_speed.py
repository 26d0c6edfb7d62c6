"""Tests of the speed benchmark bench/speed.py on a tiny synthetic corpus (readability layout)."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import speed

PARAGRAPH = (
    "<p>The council met on Tuesday to discuss the new bridge over the river, which "
    "engineers say will carry twice the traffic of the old one when it opens.</p>"
)


def write_case(root: Path, name: str, paragraphs: int) -> None:
    """Write one synthetic article page with its (approximate) expected output."""
    body = PARAGRAPH * paragraphs
    source = (
        "<!DOCTYPE html><html><head><meta charset='utf-8'><title>Bridge news</title></head>"
        "<body><nav><a href='/'>Home</a> <a href='/news'>News</a></nav>"
        f"<div class='ad-banner'>Advertisement</div><article><h1>Bridge news</h1>{body}"
        "</article><footer>Copyright example.com</footer></body></html>"
    )
    case = root / "pages" / name
    case.mkdir(parents=True)
    (case / "source.html").write_text(source, encoding="utf-8")
    (case / "expected.html").write_text(f"<div>{body}</div>", encoding="utf-8")
    (case / "expected-metadata.json").write_text(json.dumps({"title": "Bridge news"}))


def test_json_report_on_a_tiny_corpus(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Timings, ratios and the peak-memory row come out with positive figures."""
    write_case(tmp_path, "001", 10)
    write_case(tmp_path, "002", 40)
    write_case(tmp_path, "003", 5)
    argv = [str(tmp_path), "--limit", "2", "--repeat", "1", "--largest", "1", "--json"]
    assert speed.main(argv) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["layout"] == "readability"
    assert report["pages"] == 2
    for name in ("lxml", "ours"):
        figures = report["engines"][name]
        assert figures["cpu_ms_median"] > 0
        assert figures["cpu_ms_p95"] >= figures["cpu_ms_median"]
        assert figures["errors"] == 0
    ratios = report["ratios"]["ours/lxml"]
    assert ratios["median"] > 0 and ratios["p95"] > 0 and ratios["per_page_median"] > 0
    [row] = report["memory"]
    assert row["id"] == "002"  # the largest of the first two pages
    assert row["bytes"] == len((tmp_path / "pages/002/source.html").read_bytes())
    assert row["error"] is None
    assert row["clean_peak_rss_mb"] > 0 and row["baseline_peak_rss_mb"] > 0
    assert row["diff_mb"] == pytest.approx(row["clean_peak_rss_mb"] - row["baseline_peak_rss_mb"])
    assert row["tracemalloc_peak_mb"] > 0
    assert report["machine"]["cpus"] >= 1


def test_profile_reports_the_stages_of_clean(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--profile N lists N functions and splits clean() into its direct callees."""
    write_case(tmp_path, "001", 10)
    assert speed.main([str(tmp_path), "--repeat", "1", "--largest", "0", "--profile", "3"]) == 0
    out = capsys.readouterr().out
    assert "clean() stages" in out
    assert "top 3 functions by cumulative time:" in out
    assert "cleaner/engine.py" in out


def test_missing_corpus_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A missing directory exits 2 with one line on stderr and no traceback."""
    assert speed.main([str(tmp_path / "nowhere")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "not a directory" in err and "Traceback" not in err


def test_empty_corpus_is_a_one_line_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A corpus of the readability layout without any page exits 2."""
    (tmp_path / "pages").mkdir()
    assert speed.main([str(tmp_path), "--largest", "0"]) == 2
    assert "no pages" in capsys.readouterr().err


def test_peers_are_skipped_when_trafilatura_is_missing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """--peers without trafilatura warns and times lxml and ours only."""
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import raises ImportError
    write_case(tmp_path, "001", 5)
    argv = [str(tmp_path), "--peers", "--repeat", "1", "--largest", "0", "--json"]
    assert speed.main(argv) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert set(report["engines"]) == {"lxml", "ours"}
    assert "trafilatura not importable" in report["peers_skipped"]
    assert "warning: trafilatura not importable" in captured.err
