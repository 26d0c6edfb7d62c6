"""Tests of bench/non_article.py: it takes a page's article out by the truth, cleans what is
left, and reports the size of the results and the walls of links among them."""

import gzip
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import non_article

ARTICLE = (
    "The council voted on Tuesday to extend the library's opening hours, citing demand from "
    "students, shift workers and families who cannot visit during the day."
)
SECOND = "Staff will be hired for the evening shifts, and the budget allows for two more years."
MENU = "".join(
    f"<li><a href='/section/{i}'>Section number {i} of the site</a></li>" for i in range(40)
)


def _page(article: bool = True) -> str:
    """A news page: a menu of 40 links, the article (two paragraphs, a heading, JSON-LD
    holding its body), a footer."""
    body = (
        f"<article><h1>Library hours</h1><p>{ARTICLE}</p><p>{SECOND}</p></article>"
        if article
        else ""
    )
    ld = json.dumps({"@type": "NewsArticle", "articleBody": f"{ARTICLE} {SECOND}"})
    return (
        f"<html><head><script type='application/ld+json'>{ld}</script></head><body>"
        f"<nav><ul>{MENU}</ul></nav>{body}<footer>Contact the newsroom</footer></body></html>"
    )


def _corpus(tmp_path: Path, pages: int = 3) -> Path:
    """A WCXB-layout corpus of copies of ``_page()`` whose truth is the article."""
    root = tmp_path / "corpus"
    (root / "html").mkdir(parents=True)
    (root / "ground-truth").mkdir()
    for i in range(pages):
        (root / "html" / f"{i:04d}.html.gz").write_bytes(gzip.compress(_page().encode()))
        truth = {"main_content": f"Library hours\n\n{ARTICLE}\n\n{SECOND}"}
        (root / "ground-truth" / f"{i:04d}.json").write_text(
            json.dumps({"url": f"https://news.example.test/a/{i}", "ground_truth": truth})
        )
    return root


def test_the_article_and_its_json_ld_are_taken_out_and_the_frame_stays() -> None:
    """Blocks whose text is the truth's go, short ones too (the heading), and so does the
    JSON-LD; the menu and the footer stay."""
    out = non_article.without_article(_page().encode(), f"Library hours\n\n{ARTICLE}\n\n{SECOND}")
    text = out.decode()
    assert "council voted" not in text
    assert "evening shifts" not in text
    assert "Library hours" not in text
    assert "application/ld+json" not in text
    assert "Section number 39 of the site" in text
    assert "Contact the newsroom" in text


def test_a_wall_of_links_is_long_and_mostly_links() -> None:
    """A result is a wall of links from 100 words on when most of its words are in links."""
    html = "<ul>" + "".join(f"<li><a href='/{i}'>one two three</a> four</li>" for i in range(40))
    share = non_article.link_share(html + "</ul>")
    assert share == pytest.approx(0.75)
    assert non_article.Result("a", 160, share).wall
    assert not non_article.Result("b", 99, share).wall
    assert not non_article.Result("c", 160, 0.5).wall
    assert non_article.link_share("") == 0.0


def test_the_cleaner_gives_a_short_result_for_the_frame(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Run on a corpus: the frame of each page cleans to a few words, and no wall."""
    code = non_article.main([str(_corpus(tmp_path)), "--worst", "2"])
    out = capsys.readouterr().out.splitlines()
    assert code == 0
    assert out[0].startswith("3 pages without their article: words kept median ")
    median = float(out[0].split("median ")[1].split(",")[0])
    assert median < 20
    assert out[1] == "walls of links (100+ words, mostly links): 0"
    assert out[2].startswith("longest: 0000 ")


def test_a_cleaner_that_keeps_the_menu_is_reported(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """The walls are counted and named: a cleaner that returned the menu as it is would
    fail the acceptance point this measures."""

    def keeps_everything(html: bytes, url: str | None = None, rules: object = None) -> object:
        menu = f"<ul>{MENU}</ul>"
        text = " ".join(f"Section number {i} of the site" for i in range(40))
        return SimpleNamespace(text=text, content_html=menu)

    monkeypatch.setattr("cleaner.clean", keeps_everything)
    non_article.main([str(_corpus(tmp_path, pages=2))])
    out = capsys.readouterr().out.splitlines()
    assert out[1] == "walls of links (100+ words, mostly links): 2: 0000, 0001"


def test_a_folder_that_is_no_corpus_is_a_usage_error(tmp_path: Path) -> None:
    """Exit code 2 with argparse's message for a folder of no known layout."""
    with pytest.raises(SystemExit) as exc:
        non_article.main([str(tmp_path)])
    assert exc.value.code == 2
