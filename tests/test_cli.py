"""The command line: cleaner clean and cleaner rules check."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from archive.cli import main

ROOT = Path(__file__).resolve().parent.parent
SEED = ROOT / "tests/sites/okezone.com/2023-korea-utara"
SEED_URL = json.loads((SEED / "meta.json").read_text())["url"] if SEED.exists() else ""
SEED_PARAGRAPHS = [
    "Ada spekulasi mengenai kemungkinan Korea Utara menyediakan senjata konvensional kepada Rusia",
    "AS, Korea Selatan, dan negara-negara lain memiliki kekhawatiran bahwa Korea Utara",
    "Saat Menteri Luar Negeri Rusia, Sergey Lavrov, berkunjung ke Pyongyang pekan lalu",
    "Setelah kembali ke Moskow, Lavrov menolak tudingan AS mengenai transfer senjata",
    "Awal bulan ini, Gedung Putih mengklaim bahwa Korea Utara telah mengirim lebih dari 1.000",
]
SEED_CLUTTER = [
    "Advertisement",
    "INFOGRAFIS INDEKS",
    "Follow WhatsApp Channel",
    "Berita Terkait",
    "Telusuri berita news lainnya",
]


def run(*args: str, input: bytes | None = None):
    """Invoke the CLI in-process."""
    return CliRunner().invoke(main, list(args), input=input, catch_exceptions=False)


def test_clean_seed_page_as_text_keeps_article_and_drops_clutter():
    """The okezone seed fixture: title, byline, five paragraphs; none of the clutter lines."""
    r = run("clean", str(SEED / "source.html"), "--url", SEED_URL, "--format", "text")
    assert r.exit_code == 0, r.output
    out = r.stdout
    assert out.startswith(
        "Update Perang Rusia Ukraina: AS, Korsel dan Jepang Kecam Pasokan "
        "Amunisi Korea Utara ke Rusia\n"
    )
    assert "Salsabila Fitirah Puteri" in out
    for p in SEED_PARAGRAPHS:
        assert p in out
    lines = [line.strip() for line in out.splitlines()]
    for clutter in SEED_CLUTTER:
        assert not any(clutter in line for line in lines), clutter
    assert not any(line in ("A", "A A A") for line in lines)


def test_clean_json_output_lists_removals():
    """--format json carries metadata and every removal with its rule."""
    r = run("clean", str(SEED / "source.html"), "--url", SEED_URL, "--format", "json")
    data = json.loads(r.stdout)
    assert data["site_rule"] == "okezone.com"
    assert data["published"].startswith("2023-10-27")
    assert {"rule_id", "selector", "count", "reason", "samples"} <= set(data["removals"][0])


def test_explain_lists_removals_on_stderr(tmp_path):
    """--explain prints each removal with its rule id and reason to stderr."""
    out = tmp_path / "a.html"
    r = run("clean", str(SEED / "source.html"), "--url", SEED_URL, "--explain", "-o", str(out))
    assert r.exit_code == 0
    assert "site rule: okezone.com; content: rule:okezone.com" in r.stderr
    assert "_defaults:remove_text" in r.stderr or "okezone.com:remove" in r.stderr
    assert out.read_text().startswith("<!DOCTYPE html>")


def test_clean_reads_stdin():
    """'-' reads the page from standard input."""
    r = run(
        "clean",
        "-",
        "--format",
        "text",
        input=b"<html><body><article><p>" + b"Kalimat panjang, " * 20 + b"</p></article>"
        b"</body></html>",
    )
    assert r.exit_code == 0 and "Kalimat panjang" in r.stdout


def test_clean_binary_input_is_a_clear_error(tmp_path):
    """Non-HTML input exits 1 with 'Error: FILE: reason', no traceback."""
    f = tmp_path / "x.png"
    f.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\0" * 64)
    r = run("clean", str(f))
    assert r.exit_code == 1
    assert r.stderr == (
        f"Error: {f}: document is binary data (its first bytes are a file signature), not HTML\n"
    )


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("http://[bad", "Invalid IPv6 URL"),
        ("https://news.test:99999/a", "Port out of range 0-65535"),
    ],
)
def test_clean_with_an_unparsable_url_is_a_clear_error(tmp_path, url, why):
    """An --url Python cannot parse exits 1 with 'Error: FILE: not a valid URL', no
    traceback."""
    f = tmp_path / "page.html"
    f.write_text("<html><body><p>A short page of text.</p></body></html>", encoding="utf-8")
    r = run("clean", str(f), "--url", url)
    assert r.exit_code == 1
    assert r.stderr == f"Error: {f}: not a valid URL: {url!r} ({why})\n"


def test_missing_file_is_a_usage_error():
    """A missing input file is a usage error (exit 2)."""
    r = run("clean", "/nonexistent/page.html")
    assert r.exit_code == 2 and "No such file or directory" in r.stderr


def test_rules_check_bundled_rules_pass():
    """The bundled rules validate."""
    r = run("rules", "check")
    assert r.exit_code == 0, r.stderr
    assert "0 problems" in r.stderr


def test_rules_check_reports_every_problem_and_exits_1(tmp_path):
    """A broken rule file: all problems, located, exit 1, no traceback."""
    f = tmp_path / "bad.yaml"
    f.write_text("version: 1\nmatch: {hosts: [a.com]}\ncontent: 'div['\nremov: []\n")
    r = run("rules", "check", str(f))
    assert r.exit_code == 1
    assert r.stderr.splitlines() == [
        f"{f}:3:10: error: invalid CSS selector 'div[': Expected ident or '*', got <EOF at 4>",
        f"{f}:4:1: error: unknown key 'remov' in the rule file (did you mean 'remove'?)",
        "1 rule files checked, 2 problems in 1 files",
    ]


def test_clean_with_broken_rules_dir_is_a_clear_error(tmp_path):
    """--rules pointing at a broken rule gives Error: with the located problem."""
    (tmp_path / "x.yaml").write_text("version: 1\nmatch: {hosts: [a.com]}\nremove: 5\n")
    r = run("clean", str(SEED / "source.html"), "--rules", str(tmp_path))
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: invalid rules:\n")
    assert f"{tmp_path / 'x.yaml'}:3:9: error: remove entry must be a string" in r.stderr


@pytest.mark.parametrize("args", [["clean", "--format", "pdf", "-"], ["nope"]])
def test_usage_errors_exit_2(args):
    """Unknown options or commands exit 2."""
    assert run(*args).exit_code == 2


def test_console_script_runs():
    """The installed 'cleaner' entry point answers --help."""
    exe = Path(sys.executable).parent / "cleaner"
    out = subprocess.run([str(exe), "--help"], capture_output=True, text=True, check=True)
    assert "clean" in out.stdout and "rules" in out.stdout
