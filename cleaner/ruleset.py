"""Find, load and choose rules: a directory of YAML files, one per site.

Host matching: an exact host beats a ``*.`` wildcard, a longer wildcard beats a
shorter one; ``_defaults.yaml`` applies under every site. The bundled rules live
in the project's top-level ``rules/`` (editable install) or inside the wheel as
``cleaner/_rules``.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from .errors import Problem, RuleError
from .schema import SiteRule, load_rule_text

DEFAULTS_FILE = "_defaults.yaml"


def bundled_rules_dir() -> Path:
    """Locate the bundled rules: inside the installed wheel, else the source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_rules", here.parent / "rules"):
        if (candidate / DEFAULTS_FILE).is_file():
            return candidate
    raise RuleError(
        [Problem(str(here / "_rules"), 1, 1, "bundled rules not found (broken installation?)")]
    )


def rule_files(paths: Iterable[str | os.PathLike[str]]) -> list[Path]:
    """Expand files and directories into the sorted list of rule files they hold."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out.extend(
                sorted(q for q in p.iterdir() if q.suffix in (".yaml", ".yml") and q.is_file())
            )
        else:
            out.append(p)
    return out


def load_file(path: Path) -> tuple[SiteRule | None, list[Problem]]:
    """Read and compile one rule file, reporting unreadable files as problems."""
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [Problem(str(path), 1, 1, f"cannot read rule file: {exc.strerror or exc}")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        return None, [Problem(str(path), line, 1, "rule file is not valid UTF-8")]
    return load_rule_text(text, str(path), is_defaults=path.name == DEFAULTS_FILE)


@dataclass
class RuleSet:
    """A set of site rules plus optional defaults, ready to choose per URL."""

    sites: list[SiteRule] = field(default_factory=list)
    defaults: SiteRule | None = None
    _default_cache: dict[str, RuleSet] = field(default_factory=dict, repr=False)

    @classmethod
    def load(cls, paths: Iterable[str | os.PathLike[str]]) -> RuleSet:
        """Load rule files and directories; raise RuleError listing every problem."""
        sites: list[SiteRule] = []
        defaults = None
        problems: list[Problem] = []
        for path in rule_files(paths):
            rule, errs = load_file(path)
            problems.extend(errs)
            if rule is None:
                continue
            if path.name == DEFAULTS_FILE:
                defaults = rule
            else:
                sites.append(rule)
        if problems:
            raise RuleError(problems)
        return cls(sites=sites, defaults=defaults)

    @classmethod
    def default(cls) -> RuleSet:
        """The bundled rules (loaded once per process)."""
        key = "bundled"
        cache = _BUNDLED
        if key not in cache:
            cache[key] = cls.load([bundled_rules_dir()])
        return cache[key]

    @classmethod
    def empty(cls) -> RuleSet:
        """No rules at all: only the generic detector and the safety pass run."""
        return cls()

    def without_sites(self) -> RuleSet:
        """The same defaults with every site rule switched off."""
        return RuleSet(sites=[], defaults=self.defaults)

    def for_url(self, url: str | None) -> SiteRule | None:
        """Choose the site rule for ``url``: exact host, then the longest wildcard."""
        if not url:
            return None
        try:
            parts = urlsplit(url)
            host = (parts.hostname or "").lower().rstrip(".")
        except ValueError:
            return None
        path = parts.path or "/"
        best: tuple[int, SiteRule] | None = None
        for rule in self.sites:
            if rule.paths and not any(rx.search(path) for rx in rule.paths):
                continue
            for pattern in rule.hosts:
                score = _host_score(pattern, host)
                if score and (best is None or score > best[0]):
                    best = (score, rule)
        return best[1] if best else None

    def find(self, rule_id: str) -> SiteRule | None:
        """Return the site rule with this id (its file name), if loaded."""
        return next((r for r in self.sites if r.id == rule_id), None)


_BUNDLED: dict[str, RuleSet] = {}


def _host_score(pattern: str, host: str) -> int:
    """Score a host pattern against a host: 0 no match, exact beats any wildcard."""
    if pattern.startswith("*."):
        suffix = pattern[1:]
        return len(suffix) if host.endswith(suffix) and len(host) > len(suffix) else 0
    return 10_000 if pattern == host else 0


def rules_digest(rules: Iterable[SiteRule | None], engine_version: str) -> str:
    """Digest of the rules that applied and the engine version: changes when either does."""
    h = hashlib.sha256(engine_version.encode())
    for rule in rules:
        if rule is not None:
            h.update(f"\0{rule.id}\0{rule.digest}".encode())
    return h.hexdigest()[:16]
