"""Rule authoring commands: ``rules test``, ``rules explain``, ``rules new`` and the importers.

``rules test`` runs every rule's offline cases (stored pages; with ``--archive``, the
archived capture of a case that names only a URL, and the site's archived captures) and
fails a case whose kept text is missing, whose dropped text survives, or whose output
keeps much less text than the generic detector would on the same page (the over-strip
guard). Rule problems are printed as ``path:line:col: error: message``.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import click

from cleaner import CleanerError, RuleError, RuleSet, clean
from cleaner.schema import RuleTest, SiteRule

from .rules_import import register_imports
from .rules_replay import Replay, replay

# The over-strip guard: a rule fails when its text is shorter than this share of the
# generic detector's text on the same page, provided the generic text is substantial.
OVERSTRIP_RATIO = 0.5
OVERSTRIP_MIN_CHARS = 500
SNIPPET = 120


@dataclass
class CaseResult:
    """The outcome of one test case: pass, fail or skip, with its figures and problems."""

    rule: str
    case: str
    status: str
    location: str = ""
    problems: list[str] = field(default_factory=list)
    keeps: tuple[int, int] = (0, 0)
    drops: tuple[int, int] = (0, 0)
    text_chars: int = 0
    generic_chars: int = 0
    removed: dict[str, int] = field(default_factory=dict)
    note: str = ""


def load_rules(paths: tuple[str, ...]) -> RuleSet:
    """The given rule files/directories (default: the bundled rules), or a CLI error."""
    try:
        return RuleSet.load(paths) if paths else RuleSet.default()
    except RuleError as exc:
        raise click.ClickException(f"invalid rules:\n{exc}") from None


def archived_page(arc: Any, record: int) -> tuple[bytes, str, str | None]:
    """The stored body, URL and Content-Type of a response or resource record."""
    from .payload import PayloadError, entity_body, header, http_parts
    from .store import MAX_PAGE_BYTES, ArchiveError

    try:
        block, url = arc.response_block(record)
        row = arc.index.record(record)
        if row is not None and row["type"] == "resource":
            return block[:MAX_PAGE_BYTES], url, row["mime"] or "text/html"
        _, headers, _ = http_parts(block)
        return entity_body(block, MAX_PAGE_BYTES), url, header(headers, "content-type")
    except (PayloadError, ArchiveError) as exc:
        raise click.ClickException(f"record {record}: {exc}") from None


def _norm(text: str) -> str:
    """Whitespace-normalised text, for keeps/drops comparison."""
    return " ".join(text.split())


def case_name(case: RuleTest) -> str:
    """A case's name: its page's folder (``tests/sites/HOST/NAME/source.html``), else URL."""
    if not case.page:
        return case.url
    p = Path(case.page)
    return p.parent.name if p.name == "source.html" and p.parent.name else p.name


def case_location(rule: SiteRule, line: int) -> str:
    """``path:line:col`` of a tests entry (the column of its first key)."""
    col = 1
    try:
        lines = Path(rule.path).read_text(encoding="utf-8").splitlines()
        text = lines[line - 1] if 0 < line <= len(lines) else ""
        col = len(text) - len(text.lstrip(" -")) + 1
    except OSError:
        pass
    return f"{rule.path}:{line}:{col}"


def default_url(rule: SiteRule) -> str:
    """A URL that selects the rule, for cases that give none."""
    host = next((h for h in rule.hosts if not h.startswith("*.")), None)
    return f"https://{host or 'www.' + rule.hosts[0][2:]}/" if rule.hosts else ""


def _group(removals: list[Any]) -> dict[str, int]:
    """Removal counts per rule (``okezone.com``, ``_defaults``, ``builtin:generic`` …)."""
    out: Counter[str] = Counter()
    for r in removals:
        rid = r.rule_id if r.rule_id.startswith("builtin:") else r.rule_id.split(":")[0]
        out[rid] += r.count
    return dict(out)


def run_case(
    rules: RuleSet,
    rule: SiteRule,
    data: bytes,
    url: str,
    ctype: str | None,
    case: RuleTest | None,
    res: CaseResult,
) -> CaseResult:
    """Clean a page with the rule and with the generic detector; judge the case."""
    label = f"{rule.id} case {res.case}"
    try:
        result = clean(data, url=url, content_type=ctype, rules=rules)
        generic = clean(data, url=url, content_type=ctype, rules=rules.without_sites())
    except CleanerError as exc:
        res.status = "fail"
        res.problems.append(f"{label}: the page does not clean: {exc}")
        return res
    text = _norm(result.text)
    res.text_chars, res.generic_chars = len(result.text), len(generic.text)
    res.removed = _group(result.removals)
    if result.site_rule != rule.id:
        res.problems.append(
            f"{label}: {url} selects rule {result.site_rule or '(none)'}, not {rule.id}"
        )
    elif rule.content is not None and result.content_source != f"rule:{rule.id}":
        res.problems.append(
            f"{label}: content selector {rule.content.expr!r} matched nothing "
            "(the generic detector chose the article)"
        )
    if case is not None:
        missing = [k for k in case.keeps if _norm(k) not in text]
        leaked = [d for d in case.drops if _norm(d) in text]
        res.keeps = (len(case.keeps) - len(missing), len(case.keeps))
        res.drops = (len(case.drops) - len(leaked), len(case.drops))
        res.problems += [f"{label}: kept text missing: {k!r}" for k in missing]
        res.problems += [f"{label}: dropped text still present: {d!r}" for d in leaked]
    g, r = res.generic_chars, res.text_chars
    if g >= OVERSTRIP_MIN_CHARS and r < g * OVERSTRIP_RATIO:
        res.problems.append(
            f"{label}: over-strip: the rule keeps {r} characters of text, less than "
            f"{OVERSTRIP_RATIO:.0%} of the {g} the generic detector keeps"
        )
    res.status = "fail" if res.problems else "pass"
    return res


def _select(rules: RuleSet, hosts: tuple[str, ...]) -> list[SiteRule]:
    """The rules named by id or host (all site rules when none are named)."""
    if not hosts:
        return list(rules.sites)
    chosen: list[SiteRule] = []
    for h in hosts:
        h = h.lower().strip()
        found = [r for r in rules.sites if r.id == h] or [
            r for r in rules.sites if rules.for_url(f"https://{h}/") is r or h in r.hosts
        ]
        if not found:
            raise click.BadParameter(f"no rule for {h!r}", param_hint="HOST")
        chosen += [r for r in found if r not in chosen]
    return chosen


def _cases(rules: RuleSet, rule: SiteRule, arc: Any, captures: int) -> list[CaseResult]:
    """Run a rule's stored cases and, with an archive, its URL-only cases and captures."""
    out = []
    for case in rule.tests:
        res = CaseResult(rule.id, case_name(case), "skip", case_location(rule, case.line))
        url = case.url or default_url(rule)
        if case.page:
            page = (Path(rule.path).parent / case.page).resolve()
            if not page.is_file():
                res.status = "fail"
                res.problems.append(f"{rule.id} case {res.case}: page {case.page} not found")
                out.append(res)
                continue
            out.append(run_case(rules, rule, page.read_bytes(), url, None, case, res))
            continue
        row = arc.index.latest_response(case.url) if arc is not None else None
        if row is None:
            res.note = "no stored page" + (
                " and no archived capture" if arc is not None else " (give --archive)"
            )
            out.append(res)
            continue
        data, _, ctype = archived_page(arc, row["id"])
        out.append(run_case(rules, rule, data, case.url, ctype, case, res))
    if arc is not None and captures:
        seen = {c.url for c in rule.tests}
        for row in _site_articles(arc, rules, rule, captures):
            if row["url"] in seen:
                continue
            res = CaseResult(rule.id, f"capture {row['id']}", "skip", rule.path + ":1:1")
            data, _, ctype = archived_page(arc, row["record"])
            out.append(run_case(rules, rule, data, row["url"], ctype, None, res))
    return out


def _site_articles(arc: Any, rules: RuleSet, rule: SiteRule, limit: int) -> list[Any]:
    """Archived articles whose URL selects ``rule`` (newest first, at most ``limit``)."""
    rows: dict[int, Any] = {}
    for pattern in rule.hosts:
        for row in arc.index.list_articles(site=pattern.removeprefix("*."), limit=limit * 4):
            if rules.for_url(row["url"]) is rule:
                rows.setdefault(row["id"], row)
    return list(rows.values())[:limit]


def _print_case(res: CaseResult, verbose: bool) -> None:
    """One result line (and the problems, located, on stderr)."""
    head = f"{res.status.upper():4} {res.rule} [{res.case}]"
    if res.status == "skip":
        click.echo(f"{head} skipped: {res.note}")
        return
    figures = f"text {res.text_chars} chars, generic detector {res.generic_chars}"
    if res.keeps[1] or res.drops[1]:
        figures = (
            f"keeps {res.keeps[0]}/{res.keeps[1]}, drops {res.drops[0]}/{res.drops[1]}; {figures}"
        )
    click.echo(f"{head} {figures}")
    if verbose or res.status == "fail":
        removed = ", ".join(f"{k} {v}" for k, v in res.removed.items()) or "nothing"
        click.echo(f"     removed: {removed}")
    for p in res.problems:
        click.echo(f"{res.location}: error: {p}", err=True)


def register(rules_group: click.Group) -> None:
    """Add test, explain, new, import-ftr and import-adblock to ``cleaner rules``."""
    rules_option = click.option(
        "--rules",
        "rules_paths",
        multiple=True,
        type=click.Path(exists=True),
        help="Rule files or directories to use instead of the bundled rules (repeatable).",
    )
    archive_dir_option = click.option(
        "--archive",
        "archive_dir",
        type=click.Path(exists=True, file_okay=False, path_type=Path),
        help="An archive: URL-only cases use its captures; its pages can be explained.",
    )

    @rules_group.command("test")
    @click.argument("hosts", nargs=-1)
    @rules_option
    @archive_dir_option
    @click.option(
        "--captures",
        type=click.IntRange(0),
        default=20,
        show_default=True,
        help="With --archive: also check up to N archived captures per rule (over-strip guard).",
    )
    @click.option("-v", "--verbose", is_flag=True, help="Show what each rule removed, per case.")
    @click.option("--json", "as_json", is_flag=True, help="Print the results as JSON.")
    def rules_test(
        hosts: tuple[str, ...],
        rules_paths: tuple[str, ...],
        archive_dir: Path | None,
        captures: int,
        verbose: bool,
        as_json: bool,
    ) -> None:
        """Run the rules' offline tests (all rules, or those for HOST...)."""
        rules = load_rules(rules_paths)
        chosen = _select(rules, hosts)
        results: list[CaseResult] = []
        if archive_dir is not None:
            from .commands import open_archive

            with open_archive(archive_dir, rules) as arc:
                for rule in chosen:
                    results += _cases(rules, rule, arc, captures)
        else:
            for rule in chosen:
                results += _cases(rules, rule, None, 0)
        untested = [r.id for r in chosen if not r.tests]
        counts = Counter(r.status for r in results)
        if as_json:
            payload = {"results": [asdict(r) for r in results], "untested": untested}
            click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        else:
            for res in results:
                _print_case(res, verbose)
        plural = "s" if len(chosen) != 1 else ""
        summary = (
            f"{len(results)} cases in {len(chosen)} rule{plural}: {counts['pass']} passed, "
            f"{counts['fail']} failed, {counts['skip']} skipped"
        )
        if untested:
            summary += f"; {len(untested)} rules have no test case"
        click.echo(summary, err=True)
        if counts["fail"]:
            sys.exit(1)

    @rules_group.command("explain")
    @click.argument("source")
    @click.option("--url", help="The page's URL (picks the site rule); default: the archived URL.")
    @click.option("--content-type", help="The HTTP Content-Type of a saved page.")
    @rules_option
    @archive_dir_option
    @click.option("--all", "show_all", is_flag=True, help="Also list scripts, styles, forms ….")
    @click.option("--json", "as_json", is_flag=True, help="Print the explanation as JSON.")
    def rules_explain(
        source: str,
        url: str | None,
        content_type: str | None,
        rules_paths: tuple[str, ...],
        archive_dir: Path | None,
        show_all: bool,
        as_json: bool,
    ) -> None:
        """Show which rule removed which element of a page (FILE, or an archived article ID)."""
        rules = load_rules(rules_paths)
        data, page_url, ctype = _source(source, url, content_type, archive_dir, rules)
        try:
            rp = replay(data, page_url, ctype, rules)
        except CleanerError as exc:
            raise click.ClickException(f"{source}: {exc}") from None
        if as_json:
            click.echo(json.dumps(_explain_data(rp, page_url), ensure_ascii=False, indent=2))
            return
        _print_explain(rp, source, page_url, show_all)

    @rules_group.command("new")
    @click.argument("host")
    @click.option("--from", "source", help="A saved page (FILE) or an archived article ID.")
    @click.option("--url", help="The page's URL (default: the archived URL, else https://HOST/).")
    @click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        default=Path("."),
        show_default=True,
        help="Directory for HOST.yaml.",
    )
    @click.option(
        "--pages",
        type=click.Path(file_okay=False, path_type=Path),
        help="Where the test page is copied (default: OUT/../tests/sites if it exists, "
        "else OUT/pages).",
    )
    @click.option("--case", "case", help="The test case's folder name (default: from the page).")
    @click.option("--force", is_flag=True, help="Overwrite an existing rule file or test page.")
    @rules_option
    @archive_dir_option
    def rules_new(
        host: str,
        source: str | None,
        url: str | None,
        out: Path,
        pages: Path | None,
        case: str | None,
        force: bool,
        rules_paths: tuple[str, ...],
        archive_dir: Path | None,
    ) -> None:
        """Scaffold a rule file for HOST, with the page as its first test case."""
        from .rules_new import scaffold

        rules = load_rules(rules_paths)
        page = _source(source, url, None, archive_dir, rules) if source else None
        written = scaffold(host, source, page, url, out, pages, case, force, rules)
        for path in written:
            click.echo(f"wrote {path}", err=True)
        click.echo(f"next: cleaner rules test {host.lower()} --rules {out}", err=True)

    register_imports(rules_group)


def _source(
    source: str, url: str | None, ctype: str | None, archive_dir: Path | None, rules: RuleSet
) -> tuple[bytes, str | None, str | None]:
    """A page to work on: a saved FILE, or the capture of an archived article ID."""
    path = Path(source)
    if path.is_file():
        try:
            return path.read_bytes(), url, ctype
        except OSError as exc:
            raise click.ClickException(f"cannot read {source}: {exc.strerror}") from None
    if not source.isdigit():
        raise click.BadParameter(
            f"{source!r} is neither a file nor an archived article id", param_hint="SOURCE"
        )
    from .commands import open_archive

    with open_archive(archive_dir, rules) as arc:
        row = arc.index.article(int(source))
        if row is None:
            raise click.ClickException(f"no article with id {source} in {arc.root}")
        data, rec_url, rec_ctype = archived_page(arc, row["record"])
    return data, url or rec_url, ctype or rec_ctype


def _root_line(rp: Replay) -> str:
    """Who chose the content root, and where it is."""
    if rp.source.startswith("rule:"):
        rid = rp.source[5:]
        return f"content root: rule {rid}, content {rp.root_selector!r} -> {rp.root_path}"
    if rp.source == "generic":
        return f"content root: the generic detector -> {rp.root_path}"
    if rp.source == "own-document":
        return "content root: the page is a document this cleaner produced"
    return "content root: none found: the whole <body>"


def _clip(text: str) -> str:
    """Shorten long selectors and texts for the terminal."""
    return text if len(text) <= SNIPPET else text[: SNIPPET - 1] + "…"


def _print_explain(rp: Replay, source: str, url: str | None, show_all: bool) -> None:
    """The human-readable explanation."""
    click.echo(f"page: {source}" + (f" ({url})" if url else " (no URL: no site rule applies)"))
    site = f"{rp.site.id} ({rp.site.path})" if rp.site else "(none)"
    click.echo(f"site rule: {site}")
    click.echo(_root_line(rp))
    hidden = [s for s in rp.steps if s.rule_id == "builtin:non-content"]
    steps = rp.steps if show_all else [s for s in rp.steps if s not in hidden]
    click.echo(f"removals: {len(steps)}")
    previous = None
    for s in steps:
        if (s.rule_id, s.selector) != previous:
            previous = (s.rule_id, s.selector)
            reason = f" ({s.reason})" if s.reason and s.reason != s.selector else ""
            click.echo(f"- {s.rule_id}: {_clip(s.selector)}{reason}")
        click.echo(f"    {s.action} {s.path}")
        click.echo(f"      {_clip(s.text)!r}" if s.text else "      (no text)")
    if hidden and not show_all:
        click.echo(f"(and {len(hidden)} scripts, styles, forms … removed as non-content: --all)")
    for w in rp.warnings:
        click.echo(f"warning: {w}", err=True)


def _explain_data(rp: Replay, url: str | None) -> dict[str, Any]:
    """The explanation as JSON-ready data."""
    return {
        "url": url,
        "site_rule": rp.site.id if rp.site else None,
        "content": {"source": rp.source, "selector": rp.root_selector, "path": rp.root_path},
        "removals": [asdict(s) for s in rp.steps],
        "warnings": rp.warnings,
    }
