"""Rule authoring commands: rules test, explain, new, import-ftr, import-adblock, reclean --diff."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import lxml.html
import pytest
from click.testing import CliRunner

from archive.cli import main
from archive.diff import text_diff
from archive.importer import import_html
from archive.store import Archive
from cleaner import RuleSet, clean
from cleaner.selectors import make_selector

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CLEANER_SHARED") or ROOT.parent / "shared")
FTR_CORPUS = SHARED / "corpora" / "ftr-site-config"
URL = "https://news.example.com/2024/harbour"

PARAS = [
    "The harbour authority said on Monday that dredging of the main shipping channel will "
    "start next month, so that larger container ships can dock at the old quay.",
    "The work will take about eight months, a company spokesman said, and the port will stay "
    "open during that time, with ships rerouted to the eastern berths.",
    "Sand taken from the channel will strengthen the sea wall north of the fish market, "
    "which was damaged in the winter storms, the city engineer told reporters.",
    "Fishermen's groups welcomed the plan but asked that the work pause during the spawning "
    "season, when the catch is smallest, and the authority said it would consider it.",
]
PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Harbour</title></head>
<body><div id="main"><h1>Harbour dredging to start</h1>
<div class="share">Share on Facebook</div>
<div class="story"><p>{PARAS[0]}</p><div class="label">Advertisement</div>
<p>{PARAS[1]}</p><p>{PARAS[2]}</p><p>{PARAS[3]}</p></div>
<div class="share">Share on X</div></div></body></html>""".encode()

RULE = """\
version: 1
match:
  hosts: [example.com, "*.example.com"]
content: "div.story"
remove:
  - {css: "div.share", reason: share buttons}
remove_text:
  - {text: "Advertisement", reason: ad label}
generic: false
tests:
  - page: pages/harbour/source.html
    url: https://news.example.com/2024/harbour
    keeps: ["dredging of the main shipping channel", "the authority said it would consider it"]
    drops: ["Share on Facebook", "Advertisement"]
"""


def run(*args: str):
    """Invoke the CLI in-process."""
    return CliRunner().invoke(main, list(args), catch_exceptions=False)


@pytest.fixture
def site(tmp_path: Path) -> Path:
    """A rules directory with one rule for example.com and its stored test page."""
    rules = tmp_path / "rules"
    (rules / "pages" / "harbour").mkdir(parents=True)
    (rules / "pages" / "harbour" / "source.html").write_bytes(PAGE)
    (rules / "example.com.yaml").write_text(RULE, encoding="utf-8")
    return rules


def test_rules_test_passes_on_the_bundled_rules():
    """Every bundled rule's cases pass."""
    r = run("rules", "test")
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines and all(line.startswith("PASS ") for line in lines)
    assert r.stderr.endswith(" failed, 0 skipped\n") and ": 0 passed" not in r.stderr
    assert " 0 failed" in r.stderr


def test_breaking_one_selector_fails_naming_the_rule_the_case_and_the_missing_text(
    tmp_path: Path,
):
    """okezone.com's content selector pointed at the byline box: the kept text is missing."""
    (tmp_path / "rules").mkdir()
    shutil.copytree(ROOT / "tests/sites/okezone.com", tmp_path / "tests/sites/okezone.com")
    text = (ROOT / "rules/okezone.com.yaml").read_text(encoding="utf-8")
    broken = text.replace('content: "div#contentx, ', 'content: "div.namerep, ')
    assert broken != text
    rule = tmp_path / "rules/okezone.com.yaml"
    rule.write_text(broken, encoding="utf-8")
    line = next(
        n for n, t in enumerate(broken.splitlines(), 1) if "2023-korea-utara/source.html" in t
    )
    r = run("rules", "test", "okezone.com", "--rules", str(tmp_path / "rules"))
    assert r.exit_code == 1
    assert r.stdout.splitlines()[0].startswith("FAIL okezone.com [2023-korea-utara] keeps 0/3")
    where = f"{rule}:{line}:5: error: okezone.com case 2023-korea-utara"
    errors = r.stderr.splitlines()
    assert errors[:3] == [
        f"{where}: kept text missing: 'Ada spekulasi mengenai kemungkinan Korea Utara "
        "menyediakan senjata konvensional kepada Rusia'",
        f"{where}: kept text missing: 'Rusia menghargai dukungan “tak tergoyahkan” dari "
        "Korea Utara dalam konflik Ukraina.'",
        f"{where}: kept text missing: 'ke wilayah barat daya Rusia.'",
    ]
    assert errors[-1] == "2 cases in 1 rule: 1 passed, 1 failed, 0 skipped"


def test_a_passing_case_prints_its_figures(site: Path):
    """keeps/drops counts, the text length and the generic detector's, and the removals."""
    rules = RuleSet.load([site])
    ours = len(clean(PAGE, url=URL, rules=rules).text)
    generic = len(clean(PAGE, url=URL, rules=rules.without_sites()).text)
    r = run("rules", "test", "example.com", "--rules", str(site), "-v")
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"PASS example.com [harbour] keeps 2/2, drops 2/2; text {ours} chars, "
        f"generic detector {generic}",
        "     removed: builtin:non-content 1, example.com 3",
    ]
    assert r.stderr == "1 cases in 1 rule: 1 passed, 0 failed, 0 skipped\n"


def test_the_over_strip_guard_fails_a_rule_that_keeps_much_less_than_generic(site: Path):
    """A rule removing three of four paragraphs passes its keeps but trips the guard."""
    rule = site / "example.com.yaml"
    rule.write_text(
        RULE.replace(
            '  - {css: "div.share"', '  - {css: "div.story p + p"}\n  - {css: "div.share"'
        ).replace(', "the authority said it would consider it"', ""),
        encoding="utf-8",
    )
    rules = RuleSet.load([site])
    ours = len(clean(PAGE, url=URL, rules=rules).text)
    generic = len(clean(PAGE, url=URL, rules=rules.without_sites()).text)
    assert generic >= 500 and ours < generic / 2
    r = run("rules", "test", "--rules", str(site))
    assert r.exit_code == 1
    assert r.stderr.splitlines()[0] == (
        f"{rule}:12:5: error: example.com case harbour: over-strip: the rule keeps {ours} "
        f"characters of text, less than 50% of the {generic} the generic detector keeps"
    )


def test_unknown_host_is_a_usage_error(site: Path):
    """A HOST no rule covers exits 2."""
    r = run("rules", "test", "nowhere.org", "--rules", str(site))
    assert r.exit_code == 2
    assert "Invalid value for HOST: no rule for 'nowhere.org'" in r.stderr


def test_a_url_only_case_is_skipped_without_an_archive_and_runs_with_one(
    site: Path, tmp_path: Path
):
    """tests entries without a page (as ftr imports write them) use the archived capture."""
    rule = site / "example.com.yaml"
    text = RULE.replace("  - page: pages/harbour/source.html\n    url:", "  - url:")
    rule.write_text(text, encoding="utf-8")
    r = run("rules", "test", "--rules", str(site))
    assert r.exit_code == 0
    assert r.stdout == f"SKIP example.com [{URL}] skipped: no stored page (give --archive)\n"
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    with Archive(tmp_path / "arc", rules=RuleSet.load([site])) as arc:
        import_html(arc, saved, URL)
    r = run("rules", "test", "--rules", str(site), "--archive", str(tmp_path / "arc"))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith(f"PASS example.com [{URL}] keeps 2/2, drops 2/2; ")
    assert r.stderr == "1 cases in 1 rule: 1 passed, 0 failed, 0 skipped\n"


def test_with_an_archive_the_sites_captures_are_checked_too(site: Path, tmp_path: Path):
    """An archived article of the site (not a test case) gets the content and over-strip check."""
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    with Archive(tmp_path / "arc", rules=RuleSet.load([site])) as arc:
        aid = import_html(arc, saved, "https://www.example.com/2024/other").articles[0]
    r = run("rules", "test", "--rules", str(site), "--archive", str(tmp_path / "arc"))
    assert r.exit_code == 0, r.output
    lines = r.stdout.splitlines()
    assert lines[0].startswith("PASS example.com [harbour] keeps 2/2, drops 2/2; ")
    assert lines[1].startswith(f"PASS example.com [capture {aid}] text ")
    assert r.stderr == "2 cases in 1 rule: 2 passed, 0 failed, 0 skipped\n"


def test_explain_names_each_removal_its_element_path_and_the_content_root(site: Path):
    """Rule entry, a path that finds the element in the original page, the removed text."""
    r = run(
        "rules",
        "explain",
        str(site / "pages/harbour/source.html"),
        "--url",
        URL,
        "--rules",
        str(site),
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"page: {site / 'pages/harbour/source.html'} ({URL})",
        f"site rule: example.com ({site / 'example.com.yaml'})",
        "content root: rule example.com, content 'div.story' -> "
        "html > body > div#main > div.story:nth-of-type(2)",
        "removals: 3",
        "- example.com:remove[0]: div.share (share buttons)",
        "    removed html > body > div#main > div.share:nth-of-type(1)",
        "      'Share on Facebook'",
        "    removed html > body > div#main > div.share:nth-of-type(3)",
        "      'Share on X'",
        "- example.com:remove_text: text:Advertisement (ad label)",
        "    removed html > body > div#main > div.story:nth-of-type(2) > div.label",
        "      'Advertisement'",
        "(and 1 scripts, styles, forms … removed as non-content: --all)",
    ]
    original = lxml.html.document_fromstring(PAGE)
    for path, text in [
        ("html > body > div#main > div.share:nth-of-type(3)", "Share on X"),
        ("html > body > div#main > div.story:nth-of-type(2) > div.label", "Advertisement"),
    ]:
        found = make_selector("css", path, allow_page=True).select(original)
        assert [e.text_content() for e in found] == [text]


def test_explain_json_and_the_generic_detector(site: Path):
    """Without a site rule, the generic detector chose the root; --json carries the same."""
    page = str(site / "pages/harbour/source.html")
    r = run(
        "rules", "explain", page, "--url", "https://other.org/a", "--rules", str(site), "--json"
    )
    data = json.loads(r.stdout)
    assert data["site_rule"] is None
    assert data["content"]["source"] == "generic"
    assert data["content"]["path"].startswith("html > body > div#main")


def _explained_steps(page: Path) -> dict[tuple[str, str], str]:
    """``rules explain --json`` of a page: each removal's (selector, text) with its path,
    once the replay agrees with clean() (no drift warning)."""
    r = run("rules", "explain", str(page), "--url", "https://other.org/a", "--json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert data["warnings"] == []
    return {(s["selector"], s["text"]): s["path"] for s in data["removals"]}


def test_explain_shows_the_generic_steps_after_the_root_is_chosen(tmp_path: Path):
    """The byline line before the article and what follows a trailer heading are listed
    with their paths, and the replay agrees with clean() (no drift warning)."""
    paras = "".join(f"<p>{p}</p>" for p in PARAS * 2)
    page = tmp_path / "page.html"
    page.write_text(
        f"<html><body><div id='story'><p class='by'>By Ana Lima</p>{paras}"
        "<h3>Related posts</h3><ul><li>Ferry fares go up</li><li>New lighthouse keeper</li>"
        "</ul></div></body></html>",
        encoding="utf-8",
    )
    steps = _explained_steps(page)
    assert steps[("trailer heading", "Related posts")].endswith("div#story > h3")
    assert any(sel == "trailer heading" and "Ferry fares" in text for sel, text in steps)
    assert steps[("title, byline or date line", "By Ana Lima")].endswith("p.by:nth-of-type(1)")


def test_explain_replays_the_headline_author_card_and_end_heading_steps(tmp_path: Path):
    """The lead heading that restates the title (the page's headline, not its title), the
    author's card after the article and a heading left at the end with nothing to head are
    listed, and the replay agrees with clean()."""
    paras = "".join(f"<p>{p}</p>" for p in PARAS * 2)
    page = tmp_path / "page.html"
    page.write_text(
        "<html><head><title>Harbour ferry fares rise again this spring | Coast News</title>"
        '<meta name="author" content="Ana Lima"></head><body><div id=\'story\'>'
        f"<h1>Ferry fares rise again</h1>{paras}<div class='who'><h5>"
        "<a href='/people/ana-lima'>Ana Lima</a></h5> <p>Ana covers the harbour.</p></div>"
        "<h4>Credits (2)</h4></div></body></html>",
        encoding="utf-8",
    )
    steps = _explained_steps(page)
    assert steps[("title, byline or date line", "Ferry fares rise again")].endswith("h1")
    assert steps[("author card", "Ana Lima Ana covers the harbour.")].endswith("div.who")
    assert steps[("heading at the end", "Credits (2)")].endswith("div#story > h4")


def test_explain_agrees_with_clean_on_a_contents_list_and_a_blank_spacer(tmp_path: Path):
    """A table of contents (links to places on the page, pruned as link-dense: the replay
    read them made absolute, as clean() does not yet) and a blank spacer paragraph (removed
    once sanitised, which the replay did not do) give no drift warning."""
    toc = "".join(
        f"<li><a href='#part-{i}'>Part {i} of the harbour story</a></li>" for i in range(6)
    )
    page = tmp_path / "page.html"
    page.write_text(
        f"<html><body><div id='story'><p>{PARAS[0]} In this story:</p><ul>{toc}</ul>"
        f"<p>{PARAS[1]}</p><p>&zwj;</p><p>{PARAS[2]}</p></div></body></html>",
        encoding="utf-8",
    )
    steps = _explained_steps(page)
    assert any(sel == "link-dense block" and "Part 3" in text for sel, text in steps)


def test_explain_an_archived_article_by_id(site: Path, tmp_path: Path):
    """An article id reads the stored capture and its URL from the archive."""
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    with Archive(tmp_path / "arc", rules=RuleSet.load([site])) as arc:
        report = import_html(arc, saved, URL)
    r = run(
        "rules",
        "explain",
        str(report.articles[0]),
        "--archive",
        str(tmp_path / "arc"),
        "--rules",
        str(site),
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines()[:2] == [
        f"page: {report.articles[0]} ({URL})",
        f"site rule: example.com ({site / 'example.com.yaml'})",
    ]


def test_explain_refuses_a_source_that_is_neither_file_nor_id():
    """A usage error, exit 2."""
    r = run("rules", "explain", "no-such-page.html")
    assert r.exit_code == 2
    assert "'no-such-page.html' is neither a file nor an archived article id" in r.stderr


def test_new_scaffolds_a_rule_whose_first_case_is_the_page_and_passes(tmp_path: Path):
    """The page is copied with its URL, content prefilled from the generic detector."""
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    out = tmp_path / "rules"
    r = run("rules", "new", "example.com", "--from", str(saved), "--url", URL, "--out", str(out))
    assert r.exit_code == 0, r.output
    page = out / "pages/example.com/saved/source.html"
    assert r.stderr.splitlines() == [
        f"wrote {out / 'example.com.yaml'}",
        f"wrote {page}",
        f"wrote {page.with_name('meta.json')}",
        f"next: cleaner rules test example.com --rules {out}",
    ]
    assert page.read_bytes() == PAGE
    assert json.loads(page.with_name("meta.json").read_text()) == {"url": URL}
    text = (out / "example.com.yaml").read_text(encoding="utf-8")
    assert 'content: "div.story"\n' in text
    assert '  - page: "pages/example.com/saved/source.html"\n' in text
    assert f"      - {json.dumps(PARAS[0][:80].rsplit(' ', 1)[0])}\n" in text
    r = run("rules", "test", "--rules", str(out))
    assert r.exit_code == 0, r.output
    assert r.stdout.startswith("PASS example.com [saved] keeps 2/2, drops 0/0; ")
    again = run("rules", "new", "example.com", "--from", str(saved), "--out", str(out))
    assert again.exit_code == 1
    assert again.stderr == f"Error: {out / 'example.com.yaml'} exists (use --force to overwrite)\n"


def test_new_refuses_a_bad_host_and_a_page_from_another_site(tmp_path: Path):
    """A wildcard host is a usage error; a URL on another host is an error."""
    r = run("rules", "new", "*.example.com", "--out", str(tmp_path))
    assert r.exit_code == 2
    assert "'*.example.com' is not a host name (like example.com)" in r.stderr
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    r = run(
        "rules",
        "new",
        "example.com",
        "--from",
        str(saved),
        "--url",
        "https://x.org/",
        "--out",
        str(tmp_path),
    )
    assert r.exit_code == 1
    assert r.stderr == "Error: the page's URL https://x.org/ is not on example.com\n"


def test_import_ftr_writes_rules_that_check_and_reports_unsupported_lines(tmp_path: Path):
    """Two small configs: files written, the report's tables, warnings, no overwrite."""
    src = tmp_path / "ftr"
    src.mkdir()
    (src / "example.com.txt").write_text(
        "body: //div[@class='story']\nstrip: //div[@class='share']\ntidy: no\n", "utf-8"
    )
    (src / ".example.org.txt").write_text("strip_id_or_class: promo\nprune: no\n", "utf-8")
    (src / "README.md").write_text("not a config\n", "utf-8")
    out = tmp_path / "out"
    r = run("rules", "import-ftr", str(src), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["_.example.org.yaml", "example.com.yaml"]
    assert r.stderr == (
        f"{src / 'example.com.txt'}:3:1: warning: tidy: no HTML Tidy pass: pages are parsed "
        "with lxml (libxml2)\n"
    )
    assert r.stdout.splitlines() == [
        "ftr-site-config: 2 files, 2 converted (100.0%), 1 of them fully",
        "converted directive lines:",
        "  body                   1",
        "  prune                  1",
        "  strip                  1",
        "  strip_id_or_class      1",
        "unsupported directive lines (no equivalent; each listed on stderr):",
        "  tidy      1  no HTML Tidy pass: pages are parsed with lxml (libxml2)",
        "files not converted:",
        "  (none)",
        f"wrote 2 rule files to {out}; check them: cleaner rules check {out}",
    ]
    check = run("rules", "check", str(out))
    assert check.exit_code == 0
    assert check.stderr == "2 rule files checked, 0 problems in 0 files\n"
    again = run("rules", "import-ftr", str(src), "--out", str(out), "-q")
    assert again.exit_code == 1
    assert again.stderr == (
        f"Error: 2 rule files already exist in {out} (_.example.org.yaml, example.com.yaml); "
        "use --force\n"
    )
    assert run("rules", "import-ftr", str(src), "--out", str(out), "-q", "--force").exit_code == 0


@pytest.mark.slow
@pytest.mark.skipif(not FTR_CORPUS.is_dir(), reason="ftr-site-config corpus not present")
def test_import_ftr_converts_the_corpus_and_rules_check_passes(tmp_path: Path):
    """The acceptance figures: ≥ 95 % converted, `rules check` finds no problem."""
    out = tmp_path / "out"
    r = run("rules", "import-ftr", str(FTR_CORPUS), "--out", str(out), "-q", "--json")
    assert r.exit_code == 0
    report = json.loads(r.stdout)
    assert report["converted_percent"] >= 95.0
    assert report["unsupported_directives"]["tidy"] > 0
    check = run("rules", "check", str(out))
    assert check.exit_code == 0
    assert check.stderr == (f"{report['converted']} rule files checked, 0 problems in 0 files\n")


def test_import_adblock_writes_rules_and_reports_counts(tmp_path: Path):
    """A small list: the counts table, the unsupported kinds, the files written."""
    src = tmp_path / "list.txt"
    src.write_text(
        "! comment\n##.ad-box\nexample.com##.promo:has-text(Sponsored)\n||ads.example^\n"
        "example.com##.x:style(color: red)\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    r = run("rules", "import-adblock", str(src), "--out", str(out))
    assert r.exit_code == 0, r.output
    assert sorted(p.name for p in out.iterdir()) == ["_defaults.yaml", "example.com.yaml"]
    assert r.stderr == (
        f"{src}:5:1: warning: :style(): :style() is not supported: injects CSS instead of hiding\n"
    )
    assert r.stdout.splitlines() == [
        "filter list list.txt:",
        "  comments                                1",
        "  network filters (counted, skipped)      1",
        "  element-hiding filters                  2",
        "    generic (to _defaults.yaml)           1",
        "    domain-specific                       1",
        "    disabled everywhere by #@#            0",
        "  exceptions (#@#)                        0",
        "  unsupported lines                       1",
        "unsupported lines, by kind (each listed on stderr):",
        "  :style()      1",
        f"wrote 2 rule files to {out}",
    ]
    assert run("rules", "check", str(out)).exit_code == 0


def test_text_diff_lists_removed_and_added_paragraphs():
    """Paragraph-level, with one paragraph of context and a summary."""
    d = text_diff("A\n\nAdvertisement\n\nB\n\nC", "A\n\nB\n\nC\n\nNew ending")
    assert d.lines == ("@@ paragraph 1 @@", "  A", "- Advertisement", "  B", "  C", "+ New ending")
    assert d.summary == "-1 paragraphs (13 chars), +1 (10 chars)"


def test_reclean_diff_shows_the_change_and_writes_nothing(site: Path, tmp_path: Path):
    """A rule that stops removing the share boxes: the text gains them, shown, not written."""
    saved = tmp_path / "saved.html"
    saved.write_bytes(PAGE)
    arc_dir = tmp_path / "arc"
    with Archive(arc_dir, rules=RuleSet.load([site])) as arc:
        aid = import_html(arc, saved, URL).articles[0]
        before = arc.index.article(aid)["text"]
    (site / "example.com.yaml").write_text(
        RULE.replace('remove_text:\n  - {text: "Advertisement", reason: ad label}\n', ""),
        encoding="utf-8",
    )
    r = run(
        "reclean",
        "--site",
        "example.com",
        "--diff",
        "--rules",
        str(site),
        "--archive",
        str(arc_dir),
    )
    assert r.exit_code == 0, r.output
    assert r.stdout.splitlines() == [
        f"changed {aid}: Harbour",
        "    @@ paragraph 1 @@",
        f"      {PARAS[0]}",
        "    + Advertisement",
        f"      {PARAS[1][:159]}",
        "    -0 paragraphs (0 chars), +1 (13 chars)",
    ]
    assert r.stderr == "1 articles re-cleaned, 1 would change, 0 failed\n"
    with Archive(arc_dir) as arc:
        assert arc.index.article(aid)["text"] == before
