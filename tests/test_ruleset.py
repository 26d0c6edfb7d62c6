"""Choosing rules per URL, and finding the bundled rules."""

from __future__ import annotations

from pathlib import Path

import pytest

from cleaner import RuleError, RuleSet
from cleaner.ruleset import bundled_rules_dir


def write(tmp: Path, name: str, hosts: str, extra: str = "") -> None:
    """Write a minimal rule file."""
    (tmp / name).write_text(f"version: 1\nmatch:\n  hosts: {hosts}\n{extra}", encoding="utf-8")


@pytest.fixture
def rules(tmp_path: Path) -> RuleSet:
    """A rule set with exact, wildcard and path-limited rules."""
    write(tmp_path, "example.com.yaml", "[example.com]")
    write(tmp_path, "wild.example.com.yaml", '["*.example.com"]')
    write(tmp_path, "news.example.com.yaml", '["*.news.example.com"]')
    write(tmp_path, "paths.org.yaml", "[paths.org]", "  paths: ['^/read/']\n")
    (tmp_path / "_defaults.yaml").write_text("version: 1\nremove: ['.ad']\n", encoding="utf-8")
    return RuleSet.load([tmp_path])


@pytest.mark.parametrize(
    ("url", "rule"),
    [
        ("https://example.com/a", "example.com"),
        ("https://EXAMPLE.com./a", "example.com"),
        ("https://www.example.com/a", "wild.example.com"),
        ("https://a.news.example.com/a", "news.example.com"),
        ("https://news.example.com/a", "wild.example.com"),
        ("https://paths.org/read/1", "paths.org"),
        ("https://paths.org/about", None),
        ("https://notexample.com/", None),
        ("not a url", None),
        (None, None),
    ],
)
def test_exact_host_beats_wildcard_and_longest_wildcard_wins(rules, url, rule):
    """Exact host first, then the longest matching wildcard; paths restrict a rule."""
    chosen = rules.for_url(url)
    assert (chosen.id if chosen else None) == rule


def test_defaults_are_loaded_separately(rules):
    """_defaults.yaml is the defaults rule, not a site rule."""
    assert rules.defaults is not None and rules.defaults.id == "_defaults"
    assert all(r.id != "_defaults" for r in rules.sites)
    assert rules.without_sites().sites == [] and rules.without_sites().defaults is rules.defaults


def test_loading_a_directory_with_errors_lists_problems_of_every_file(tmp_path):
    """RuleSet.load collects problems across files before failing."""
    (tmp_path / "a.yaml").write_text("version: 1\nmatch: {hosts: [a.com]}\nremove: ['a[']\n")
    (tmp_path / "b.yaml").write_text("version: 1\nmatch: {hosts: [b.com]}\nbogus: 1\n")
    with pytest.raises(RuleError) as info:
        RuleSet.load([tmp_path])
    assert [f"{Path(p.path).name}:{p.line}" for p in info.value.problems] == [
        "a.yaml:3",
        "b.yaml:3",
    ]


def test_bundled_rules_load_without_problems():
    """Every bundled rule file validates."""
    rules = RuleSet.load([bundled_rules_dir()])
    assert rules.defaults is not None
    assert len(rules.sites) >= 1
