"""Tests of the quality gate of bench/quality.py (pinned figures, --check) on a tiny corpus."""

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import quality

PARAGRAPH = (
    "The council met on Tuesday to discuss the new bridge over the river, which engineers "
    "say will carry twice the traffic of the old one when it opens next spring."
)


def write_corpus(root: Path) -> Path:
    """Two synthetic pages in the Indonesian layout (source, expected text, url)."""
    for name in ("a", "b"):
        case = root / name
        case.mkdir(parents=True)
        body = "".join(f"<p>{PARAGRAPH} ({name}{i})</p>" for i in range(4))
        (case / "source.html").write_text(
            "<html><head><title>Bridge</title></head><body><nav><a href='/'>Home</a></nav>"
            f"<article>{body}</article></body></html>",
            encoding="utf-8",
        )
        (case / "expected.txt").write_text(
            "\n\n".join(f"{PARAGRAPH} ({name}{i})" for i in range(4)), encoding="utf-8"
        )
        (case / "meta.json").write_text(json.dumps({"url": f"https://example.test/{name}"}))
    return root


def test_check_fails_below_the_pinned_figures_and_passes_at_them(tmp_path: Path) -> None:
    """A run more than the tolerance below a pinned F1 or precision fails; at it, it passes."""
    summary = {"f1": 0.95, "precision": 0.93, "recall": 0.97}
    baseline = tmp_path / "baseline.json"
    baseline.write_text(json.dumps({"c": summary}), encoding="utf-8")
    assert quality.check_baseline(baseline, "c", summary) == []
    assert quality.check_baseline(baseline, "c", {**summary, "f1": 0.95 - 2 * quality.TOLERANCE})
    low = {**summary, "precision": 0.93 - 2 * quality.TOLERANCE}
    assert quality.check_baseline(baseline, "c", low)
    assert quality.check_baseline(baseline, "other", summary)  # nothing pinned: a failure


def test_no_rules_run_is_pinned_and_checked_apart(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``--no-rules`` figures go under ``CORPUS--no-rules``, beside the default run's, and
    ``--check`` compares each run with its own pinned figures."""
    corpus = write_corpus(tmp_path / "corpus")
    baseline = tmp_path / "baseline.json"
    assert quality.main([str(corpus), "--baseline", str(baseline), "--pin"]) == 0
    assert quality.main([str(corpus), "--no-rules", "--baseline", str(baseline), "--pin"]) == 0
    pinned = json.loads(baseline.read_text(encoding="utf-8"))
    assert set(pinned) == {"corpus", "corpus--no-rules"}
    assert quality.main([str(corpus), "--no-rules", "--baseline", str(baseline), "--check"]) == 0
    # A no-rules run is held to its own figures, not to the default run's.
    pinned["corpus--no-rules"]["f1"] = 1.5
    baseline.write_text(json.dumps(pinned), encoding="utf-8")
    assert quality.main([str(corpus), "--baseline", str(baseline), "--check"]) == 0
    assert quality.main([str(corpus), "--no-rules", "--baseline", str(baseline), "--check"]) == 1
    assert "corpus--no-rules: f1" in capsys.readouterr().err


def test_snippets_and_titles_match_across_typographic_quotes() -> None:
    """A wanted snippet written with ASCII quotes (as WCXB's truth writes them) is found in
    an output that keeps the page's typographic ones, and a title likewise matches."""
    case = quality.Case(
        id="q",
        url=None,
        html_bytes=b"",
        truth_text="It isn't lost.",
        with_snippets=['It isn\'t "lost".'],
    )

    def engine(html: bytes, url: str | None) -> tuple[quality.Extraction, float]:
        """An engine whose output keeps the page's curly quotes."""
        return quality.Extraction(text="It isn’t “lost”.", title="It’s here"), 0.0

    result = quality.evaluate(case, engine, with_meta=False)
    assert result.lost == []
    assert quality.meta_matches({"title": "It's here"}, engine(b"", None)[0])["title"]


def test_headline_is_scored_against_the_truth_title_beside_the_title() -> None:
    """The truth's title is also compared with the headline (ours without the site's
    name); an engine with no headline is scored on its title."""
    ours = quality.Extraction(title="It’s here | Site", headline="It’s here")
    assert quality.meta_matches({"title": "It's here"}, ours) == {
        "title": False,
        "headline": True,
    }
    peer = quality.Extraction(title="It's here")
    assert quality.meta_matches({"title": "It's here"}, peer)["headline"]


def write_readability_corpus(root: Path) -> Path:
    """One synthetic page in Mozilla's layout whose expected document shows two images (one
    by a relative URL, resolved against the harness's fakehost page)."""
    case = root / "pages" / "photos"
    case.mkdir(parents=True)
    body = "".join(f"<p>{PARAGRAPH} ({i})</p>" for i in range(4))
    figures = (
        "<figure><img src='/img/bridge.jpg' alt='Bridge'></figure>"
        "<figure><img src='https://cdn.example.test/river.jpg' alt='River'></figure>"
    )
    (case / "source.html").write_text(
        f"<html><body><article>{body}<figure><img src='/img/bridge.jpg'></figure>"
        "<figure><img src='https://cdn.example.test/other.jpg'></figure></article>"
        "</body></html>",
        encoding="utf-8",
    )
    (case / "expected.html").write_text(f"<div>{body}{figures}</div>", encoding="utf-8")
    (case / "expected-metadata.json").write_text(json.dumps({"title": None}))
    return root


def test_images_kept_are_scored_against_the_expected_document(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a corpus whose expected documents show images, the report says how many of those
    the output shows (URLs made absolute the same way) and how many others it shows."""
    corpus = write_readability_corpus(tmp_path / "readability")
    assert quality.main([str(corpus), "--json"]) == 0
    images = json.loads(capsys.readouterr().out)["engines"]["ours"]["images"]
    assert images == {"kept": 1, "expected": 2, "extra": 1}
    assert quality.main([str(corpus)]) == 0
    assert "images kept    1/2 (50.0%), 1 others" in capsys.readouterr().out
    # A corpus without expected documents has no such row.
    plain = write_corpus(tmp_path / "plain")
    assert quality.main([str(plain)]) == 0
    assert "images kept" not in capsys.readouterr().out
