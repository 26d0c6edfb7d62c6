"""Every bundled site rule passes its own offline tests (stored pages, keeps and drops)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner import RuleSet, clean
from cleaner.ruleset import bundled_rules_dir

RULES = RuleSet.load([bundled_rules_dir()])
CASES = [(rule, case) for rule in RULES.sites for case in rule.tests]


def test_every_site_rule_has_a_test_case():
    """A site rule without an offline test cannot be trusted to keep working."""
    assert [r.id for r in RULES.sites if not r.tests] == []


@pytest.mark.parametrize(
    ("rule", "case"), CASES, ids=[f"{r.id}:{Path(c.page).parent.name}" for r, c in CASES]
)
def test_site_rule_keeps_and_drops(rule, case):
    """The rule's page keeps every 'keeps' string and loses every 'drops' string."""
    page = (Path(rule.path).parent / case.page).resolve()
    assert page.is_file(), f"{rule.path}:{case.line}: test page {case.page} not found"
    result = clean(page.read_bytes(), url=case.url, rules=RULES)
    assert result.site_rule == rule.id, f"{case.url} did not select rule {rule.id}"
    assert result.content_source == f"rule:{rule.id}", result.warnings
    missing = [k for k in case.keeps if k not in result.text]
    leaked = [d for d in case.drops if d in result.text]
    assert missing == [], f"{rule.id}: kept text missing"
    assert leaked == [], f"{rule.id}: dropped text still present"


def _fixture_dirs() -> list[Path]:
    """Synthetic fixture pages shipped under tests/sites/<host>/<case>/."""
    root = Path(__file__).parent / "sites"
    return sorted(p for p in root.glob("*/*") if (p / "source.html").is_file())


@pytest.mark.parametrize("case_dir", _fixture_dirs(), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_fixture_page_is_covered_by_a_rule(case_dir: Path):
    """Each fixture page's URL selects the rule of its host folder."""
    meta = json.loads((case_dir / "meta.json").read_text(encoding="utf-8"))
    rule = RULES.for_url(meta["url"])
    assert rule is not None and rule.id == case_dir.parent.name
