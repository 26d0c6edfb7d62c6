"""The archive: WARC records as sent, request/response pairs, revisits, articles, index, import."""

from __future__ import annotations

import base64
import gzip
import json
import subprocess
import sys
import zlib
from pathlib import Path

import pytest
from click.testing import CliRunner
from origin import Origin, add_fixture_site, html_page, png

from archive.capture import Fetcher
from archive.cli import main
from archive.consistency import check_index
from archive.importer import import_warc
from archive.store import Archive
from archive.warcfile import split_http

ROOT = Path(__file__).resolve().parent.parent


def fetcher(**kw: object) -> Fetcher:
    """A fast fetcher for loopback tests."""
    opts: dict[str, object] = {"delay": 0.0, "deadline": 5.0, "respect_robots": False}
    opts.update(kw)
    return Fetcher(**opts)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def site_archive(tmp_path_factory):
    """Every endpoint of the fixture site archived once into a fresh archive."""
    root = tmp_path_factory.mktemp("arc")
    with Origin() as origin:
        site = add_fixture_site(origin)
        with Archive(root) as arc:
            f = fetcher()
            outcomes = {p: arc.archive_url(origin.url(p), f) for p in site}
        sent = origin.sent
    return root, site, sent, outcomes, origin.base


def _raw_blocks(root: Path) -> list[tuple[str, dict[str, str], bytes]]:
    """(type, WARC headers, exact block bytes) of every record, read without warcio."""
    from archive.warcread import read_record

    out = []
    for path in sorted((root / "warc").glob("*.warc.gz*")):
        data = path.read_bytes()
        offset = 0
        while offset < len(data):
            d = zlib.decompressobj(31)
            d.decompress(data[offset:])
            length = len(data) - offset - len(d.unused_data)
            rec = read_record(path, offset, length)
            out.append((rec.get("warc-type"), rec.headers, rec.block))
            offset += length
    return out


def test_response_blocks_are_byte_identical_to_what_the_server_sent(site_archive):
    """Every response record's block equals the bytes the origin wrote, chunked/gzip included."""
    root, site, sent, _, base = site_archive
    seen = {}
    for rtype, headers, block in _raw_blocks(root):
        if rtype not in ("response", "revisit"):
            continue
        target = headers["warc-target-uri"][len(base) :]
        n = seen.get(target, 0)
        seen[target] = n + 1
        wire = sent[target][n]
        # A revisit stores the HTTP headers only; its body is the referenced record's.
        assert block == (split_http(wire)[0] if rtype == "revisit" else wire), target
    assert {p for p in site if not p.startswith("/redirect/")} <= set(seen)


def test_every_response_has_exactly_one_linked_request(site_archive):
    """Each response/revisit has one request record pointing at it by WARC-Concurrent-To."""
    root = site_archive[0]
    recs = _raw_blocks(root)
    responses = {h["warc-record-id"] for t, h, _ in recs if t in ("response", "revisit")}
    links = [h["warc-concurrent-to"] for t, h, _ in recs if t == "request"]
    assert sorted(links) == sorted(responses)
    assert all(h.get("warc-ip-address") == "127.0.0.1" for t, h, _ in recs if t == "response")


def test_each_warc_file_starts_with_warcinfo(site_archive):
    """A warcinfo record opens every file; files are WARC/1.1 with per-record gzip."""
    root = site_archive[0]
    for path in (root / "warc").glob("*.warc.gz"):
        with gzip.open(path) as fh:
            head = fh.read(200)
        assert head.startswith(b"WARC/1.1\r\nWARC-Type: warcinfo\r\n")


def test_same_body_with_other_chunk_sizes_is_a_revisit(site_archive):
    """/chunked/{1,7,64,4096} and /same/content-length share one body: one response, revisits."""
    root, _, _, _, base = site_archive
    kinds = {}
    for rtype, headers, _ in _raw_blocks(root):
        target = headers.get("warc-target-uri", "")[len(base) :]
        if target.startswith(("/chunked/", "/same/")) and rtype != "request":
            kinds[target] = rtype
    assert sorted(kinds.values()).count("response") == 1
    assert sorted(kinds.values()).count("revisit") == 4


def test_warcio_check_accepts_the_files(site_archive):
    """warcio's own checker validates every digest of our files."""
    root = site_archive[0]
    files = [str(p) for p in (root / "warc").glob("*.warc.gz")]
    out = subprocess.run(
        [sys.executable, "-m", "warcio.cli", "check", *files],
        capture_output=True,
        text=True,
        timeout=60,
    )
    if out.returncode != 0 and "No module named" in out.stderr:
        exe = Path(sys.executable).parent / "warcio"
        out = subprocess.run(
            [str(exe), "check", *files], capture_output=True, text=True, timeout=60
        )
    assert out.returncode == 0, out.stdout + out.stderr


def test_index_rows_point_at_complete_matching_records(site_archive):
    """check_index finds nothing wrong after a normal archive run."""
    with Archive(site_archive[0]) as arc:
        assert check_index(arc) == []


def test_html_pages_become_articles_and_others_fail_with_reason(site_archive):
    """HTML 200 pages are archived; non-HTML and error statuses fail with a clear reason."""
    _, _, _, outcomes, base = site_archive
    assert outcomes["/page/1.html"].status == "archived"
    assert outcomes["/cl/json"].status == "failed"
    assert outcomes["/cl/json"].reason == (
        f"{base}/cl/json: not an HTML page (Content-Type: application/json)"
    )
    assert outcomes["/status/404"].reason == f"HTTP 404 from {base}/status/404"
    assert outcomes["/redirect/301"].status == "archived"


def test_clean_page_is_self_contained_with_images_inlined(site_archive):
    """The stored clean page embeds its images as data: URIs and loads nothing remote."""
    root, _, _, outcomes, _ = site_archive
    with Archive(root) as arc:
        row = arc.index.article(outcomes["/page/3.html"].article_id)
        html = (root / row["html_path"]).read_text()
    assert "img-src data:" in html
    assert html.count('src="data:image/png;base64,') == 2
    expected = base64.b64encode(png(30)).decode()
    assert expected in html
    assert 'src="http' not in html


def test_search_finds_articles_with_phrases_and_prefixes(site_archive):
    """Search ranks by text; phrases and prefixes work; FTS syntax is just text."""
    root = site_archive[0]
    with Archive(root) as arc:
        assert arc.index.search('"Paragraf pertama halaman 5"')[0].title == "Page 5"
        assert arc.index.search("spekulas*")
        for hostile in ('"', "AND AND", "NEAR(", "*", "col:", "title:x", "a OR", ")("):
            arc.index.search(hostile)


def test_truncated_body_is_kept_and_marked(tmp_path):
    """A body over the size cap is stored as received, marked WARC-Truncated: length."""
    with Origin() as origin:
        origin.add_page("/big", b"<p>" + b"x" * 300_000 + b"</p>")
        with Archive(tmp_path) as arc:
            out = arc.archive_url(origin.url("/big"), fetcher(max_bytes=100_000))
    assert out.status == "failed" and "truncated (length)" in out.reason
    resp = [h for t, h, _ in _raw_blocks(tmp_path) if t == "response"]
    assert resp[0]["warc-truncated"] == "length"


def test_archiving_twice_reports_already_archived(tmp_path):
    """A URL already in the archive is not fetched again (unless refreshed)."""
    with Origin() as origin:
        origin.add_page("/a", html_page(1))
        with Archive(tmp_path) as arc:
            first = arc.archive_url(origin.url("/a"), fetcher())
            second = arc.archive_url(origin.url("/a"), fetcher())
        assert origin.hits("/a") == 1
    assert (first.status, second.status) == ("archived", "exists")
    assert first.article_id == second.article_id


def test_reclean_reads_the_warc_not_the_web(tmp_path):
    """After the site is gone, reclean still works and reports rule changes."""
    rules = tmp_path / "rules"
    rules.mkdir()
    (rules / "_defaults.yaml").write_text("version: 1\n")
    with Origin() as origin:
        origin.add_page("/a", html_page(1))
        runner = CliRunner()
        r = runner.invoke(
            main,
            [
                "archive",
                origin.url("/a"),
                "--archive",
                str(tmp_path / "x"),
                "--delay",
                "0",
                "--ignore-robots",
            ],
        )
        assert r.exit_code == 0, r.output + r.stderr
    (rules / "_defaults.yaml").write_text("version: 1\nremove_text: [{regex: '^Penutup'}]\n")
    r = CliRunner().invoke(
        main, ["reclean", "--archive", str(tmp_path / "x"), "--rules", str(rules), "--dry-run"]
    )
    assert r.exit_code == 0, r.stderr
    assert r.stdout == "changed 1: Page 1\n"
    assert "1 articles re-cleaned, 1 would change, 0 failed" in r.stderr
    r = CliRunner().invoke(main, ["show", "1", "--archive", str(tmp_path / "x")])
    assert "Penutup" in r.stdout


def test_import_copies_intact_records_and_reports_damage(site_archive, tmp_path):
    """A WARC cut mid-record imports every record before the cut; the damage is located."""
    src = sorted((site_archive[0] / "warc").glob("*.warc.gz"))[0]
    data = src.read_bytes()
    cut = tmp_path / "cut.warc.gz"
    cut.write_bytes(data[: len(data) * 2 // 3])
    with Archive(tmp_path / "arc") as arc:
        report = import_warc(arc, cut)
        articles = arc.index.count_articles()
    assert report.records > 10 and articles > 0
    assert len(report.problems) == 1
    assert report.problems[0].startswith(f"{cut}:")


def test_import_of_our_own_warc_rebuilds_the_articles(site_archive, tmp_path):
    """Importing complete WARCs into an empty archive recreates every HTML article."""
    root, _, _, _outcomes, _ = site_archive
    with Archive(tmp_path / "arc") as arc:
        for path in sorted((root / "warc").glob("*.warc.gz")):
            report = import_warc(arc, path)
            assert report.problems == []
        titles = {r["title"] for r in arc.index.list_articles(limit=1000)}
    assert "Page 4" in titles


def test_archive_location_that_is_a_file_is_a_clear_error(tmp_path):
    """An archive path that cannot be a directory gives 'Error: cannot open archive at …'."""
    f = tmp_path / "file"
    f.write_text("x")
    r = CliRunner().invoke(main, ["list", "--archive", str(f / "sub")])
    assert r.exit_code == 1
    assert r.stderr.startswith(f"Error: cannot open archive at {f / 'sub'}: ")


def test_demo_archives_the_samples_and_shows_removals(tmp_path):
    """cleaner demo archives every shipped sample offline and reports what was removed."""
    r = CliRunner().invoke(main, ["demo", "--archive", str(tmp_path)])
    assert r.exit_code == 0, r.stdout + r.stderr
    assert "rule: okezone.com" in r.stdout
    assert "Follow WhatsApp" in r.stdout or "follow widget" in r.stdout
    with Archive(tmp_path) as arc:
        assert arc.index.count_articles() == len(list((ROOT / "tests/sites").glob("*/*/meta.json")))
        hit = arc.index.search("Korea Utara")[0]
        assert hit.title.startswith("Update Perang Rusia Ukraina")


def test_list_and_show_json(site_archive):
    """list --json and show --json carry the metadata."""
    root = site_archive[0]
    r = CliRunner().invoke(main, ["list", "--archive", str(root), "--json", "--limit", "500"])
    data = json.loads(r.stdout)
    assert any(d["title"] == "Page 2" for d in data)
    one = next(d for d in data if d["title"] == "Page 2")
    r = CliRunner().invoke(main, ["show", str(one["id"]), "--archive", str(root), "--json"])
    assert json.loads(r.stdout)["url"] == one["url"]
    r = CliRunner().invoke(main, ["show", str(one["id"]), "--archive", str(root), "--original"])
    assert r.stdout_bytes == html_page(2)


def test_search_cli_escapes_any_input(site_archive):
    """cleaner search never errors on FTS syntax."""
    root = site_archive[0]
    for q in ('"', "AND AND", "NEAR(", "*", "col:x"):
        r = CliRunner().invoke(main, ["search", q, "--archive", str(root)])
        assert r.exit_code == 0, (q, r.stderr)
