"""Archive commands: archive, list, search, show, import, reclean, verify, demo."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import click

from cleaner import RuleError, RuleSet

from .capture import Fetcher
from .store import Archive, ArchiveError, Outcome, default_root

archive_option = click.option(
    "--archive",
    "archive_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Archive directory (default: $CLEANER_HOME, else the XDG data directory).",
)


@contextmanager
def open_archive(archive_dir: Path | None, rules: RuleSet | None = None) -> Iterator[Archive]:
    """Open the archive, turning archive problems into clean CLI errors."""
    root = archive_dir or default_root()
    try:
        arc = Archive(root, rules=rules)
    except (ArchiveError, RuleError) as exc:
        raise click.ClickException(str(exc)) from None
    try:
        yield arc
    except ArchiveError as exc:
        raise click.ClickException(str(exc)) from None
    finally:
        try:
            arc.close()
        except ArchiveError as exc:
            click.echo(f"Error: {exc}", err=True)


def _urls(urls: tuple[str, ...], input_file: IO[str] | None) -> list[str]:
    """URLs from the arguments and from -i FILE (one per line, # comments allowed)."""
    out = list(urls)
    if input_file is not None:
        for line in input_file:
            line = line.strip()
            if line and not line.startswith("#"):
                out.append(line)
    return list(dict.fromkeys(out))


def _row_dict(row: Any, tags: list[str] | None = None) -> dict[str, Any]:
    """An article row as JSON-ready data (without the bulky text)."""
    keys = (
        "id",
        "url",
        "final_url",
        "site",
        "title",
        "byline",
        "published",
        "lang",
        "site_name",
        "captured_at",
        "updated_at",
        "words",
        "excerpt",
        "html_path",
        "rules_digest",
        "site_rule",
    )
    data = {k: row[k] for k in keys}
    if tags is not None:
        data["tags"] = tags
    return data


def register(main: click.Group) -> None:
    """Add the archive commands to the CLI group."""

    @main.command("archive")
    @click.argument("urls", nargs=-1)
    @click.option(
        "-i",
        "--input",
        "input_file",
        type=click.File("r"),
        help="Read URLs from FILE (one per line), or - for stdin.",
    )
    @click.option("--tag", "tags", multiple=True, help="Tag the archived articles (repeatable).")
    @click.option(
        "--concurrency",
        type=click.IntRange(1, 64),
        default=4,
        show_default=True,
        help="Pages fetched at once (still one at a time per host).",
    )
    @click.option(
        "--delay",
        type=click.FloatRange(0),
        default=1.0,
        show_default=True,
        help="Seconds between two requests to the same host.",
    )
    @click.option(
        "--timeout",
        type=click.FloatRange(1),
        default=30.0,
        show_default=True,
        help="Total deadline for one fetch, in seconds.",
    )
    @click.option(
        "--max-size",
        type=click.IntRange(1024),
        default=20 * 1024 * 1024,
        show_default=True,
        help="Largest body stored whole (bytes); more is truncated.",
    )
    @click.option("--ignore-robots", is_flag=True, help="Do not honour robots.txt.")
    @click.option("--refresh", is_flag=True, help="Archive again even if already archived.")
    @click.option("--json", "as_json", is_flag=True, help="Print the outcomes as JSON.")
    @archive_option
    def archive_cmd(
        urls: tuple[str, ...],
        input_file: IO[str] | None,
        tags: tuple[str, ...],
        concurrency: int,
        delay: float,
        timeout: float,
        max_size: int,
        ignore_robots: bool,
        refresh: bool,
        as_json: bool,
        archive_dir: Path | None,
    ) -> None:
        """Archive web pages: original to WARC, clean copy, index."""
        from .batch import run_batch

        targets = _urls(urls, input_file)
        if not targets:
            raise click.UsageError("give at least one URL (or -i FILE)")
        fetcher = Fetcher(
            deadline=timeout, max_bytes=max_size, delay=delay, respect_robots=not ignore_robots
        )
        with open_archive(archive_dir) as arc:
            outcomes = run_batch(
                arc, fetcher, targets, tags, concurrency, refresh, progress=sys.stderr.isatty()
            )
        _report(outcomes, as_json)
        if any(o.status == "failed" for o in outcomes):
            sys.exit(1)

    @main.command("demo")
    @archive_option
    def demo_cmd(archive_dir: Path | None) -> None:
        """Archive the shipped sample news pages from a local server and show what was cleaned."""
        import tempfile

        from .batch import run_batch
        from .demo import demo_proxy, samples

        root = archive_dir or Path(tempfile.mkdtemp(prefix="cleaner-demo-"))
        pages = samples()
        click.echo(
            f"Serving {len(pages)} sample news pages from 127.0.0.1 (nothing leaves "
            f"this machine); archiving into {root}",
            err=True,
        )
        with demo_proxy(pages) as proxy:
            fetcher = Fetcher(delay=0.0, deadline=10.0, proxy=proxy)
            with open_archive(root) as arc:
                outcomes = run_batch(
                    arc,
                    fetcher,
                    [p.url for p in pages],
                    ("demo",),
                    4,
                    refresh=False,
                    progress=sys.stderr.isatty(),
                )
                _demo_summary(arc, outcomes)
        click.echo(
            f"\nTry: cleaner search korea --archive {root}   cleaner show 1 --archive {root}",
            err=True,
        )
        if any(o.status == "failed" for o in outcomes):
            sys.exit(1)

    @main.command("list")
    @click.option("--site", help="Only articles from this host (and its subdomains).")
    @click.option("--tag", help="Only articles with this tag.")
    @click.option("--limit", type=click.IntRange(1), default=50, show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @archive_option
    def list_cmd(
        site: str | None, tag: str | None, limit: int, as_json: bool, archive_dir: Path | None
    ) -> None:
        """List archived articles, newest first."""
        with open_archive(archive_dir) as arc:
            rows = arc.index.list_articles(site=site, tag=tag, limit=limit)
            data = [_row_dict(r, arc.index.tags(r["id"])) for r in rows]
        if as_json:
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        for d in data:
            tags = f"  [{', '.join(d['tags'])}]" if d["tags"] else ""
            click.echo(
                f"{d['id']:>6}  {d['captured_at'][:10]}  {d['site']:<24.24}  "
                f"{d['title'] or d['url']}{tags}"
            )

    @main.command("search")
    @click.argument("query")
    @click.option("--site", help="Only articles from this host (and its subdomains).")
    @click.option("--limit", type=click.IntRange(1), default=20, show_default=True)
    @click.option("--json", "as_json", is_flag=True, help="Print JSON.")
    @archive_option
    def search_cmd(
        query: str, site: str | None, limit: int, as_json: bool, archive_dir: Path | None
    ) -> None:
        """Full-text search: words, "exact phrases", prefix*; ranked, with snippets."""
        with open_archive(archive_dir) as arc:
            hits = arc.index.search(query, site=site, limit=limit)
        if as_json:
            click.echo(json.dumps([h.__dict__ for h in hits], ensure_ascii=False, indent=2))
            return
        for h in hits:
            click.echo(f"{h.id:>6}  {h.site}  {h.title or h.url}")
            click.echo(f"        {h.snippet}")
        if not hits:
            click.echo("no matches", err=True)

    @main.command("show")
    @click.argument("article_id", type=int)
    @click.option("--text", "mode", flag_value="text", default=True, help="Plain text (default).")
    @click.option("--html", "mode", flag_value="html", help="The clean HTML page.")
    @click.option(
        "--original",
        "mode",
        flag_value="original",
        help="The original HTTP response body, as archived.",
    )
    @click.option("--json", "mode", flag_value="json", help="Metadata and removals as JSON.")
    @archive_option
    def show_cmd(article_id: int, mode: str, archive_dir: Path | None) -> None:
        """Show one archived article."""
        from .payload import PayloadError, entity_body

        with open_archive(archive_dir) as arc:
            row = arc.index.article(article_id)
            if row is None:
                raise click.ClickException(f"no article with id {article_id} in {arc.root}")
            if mode == "html":
                click.echo((arc.root / row["html_path"]).read_text(encoding="utf-8"), nl=False)
            elif mode == "original":
                block, _ = arc.response_block(row["record"])
                try:
                    sys.stdout.buffer.write(entity_body(block, 64 * 1024 * 1024))
                except PayloadError as exc:
                    raise click.ClickException(str(exc)) from None
            elif mode == "json":
                data = _row_dict(row, arc.index.tags(article_id))
                data["removals"] = json.loads(row["removals"])
                click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            else:
                head = [
                    row["title"] or "",
                    " · ".join(x for x in (row["byline"], row["published"]) if x),
                ]
                click.echo("\n\n".join([h for h in head if h] + [row["text"]]))

    @main.command("import")
    @click.argument(
        "files",
        nargs=-1,
        required=True,
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
    )
    @click.option("--url", help="For a saved .html file: the URL it came from (required).")
    @click.option("--json", "as_json", is_flag=True, help="Print the reports as JSON.")
    @archive_option
    def import_cmd(
        files: tuple[Path, ...], url: str | None, as_json: bool, archive_dir: Path | None
    ) -> None:
        """Import WARC files from other tools (wget, browsertrix…) or saved .html pages."""
        from .importer import import_html, import_warc

        reports = []
        with open_archive(archive_dir) as arc:
            for path in files:
                if path.suffix.lower() in (".html", ".htm"):
                    if not url:
                        raise click.UsageError(f"{path}: importing an .html file needs --url")
                    reports.append(import_html(arc, path, url))
                else:
                    reports.append(import_warc(arc, path))
        if as_json:
            click.echo(json.dumps([r.__dict__ for r in reports], ensure_ascii=False, indent=2))
        for r in reports:
            for p in r.problems:
                click.echo(f"problem: {p}", err=True)
            click.echo(
                f"{r.path}: {r.records} records imported, {r.duplicates} already "
                f"present, {len(r.articles)} articles, {r.existing} already archived, "
                f"{len(r.skipped)} pages not articles, {len(r.problems)} problems",
                err=True,
            )
        if any(r.problems for r in reports):
            sys.exit(1)

    @main.command("verify")
    @click.argument("files", nargs=-1, type=click.Path(exists=True, path_type=Path))
    @click.option(
        "--repair",
        is_flag=True,
        help="Trim torn tails (keeping the cut bytes aside), close dead .open files, and re-index.",
    )
    @archive_option
    def verify_cmd(files: tuple[Path, ...], repair: bool, archive_dir: Path | None) -> None:
        """Check WARC files structurally and the index against them."""
        from .consistency import check_index, reindex
        from .verify import repair_file, verify_paths

        if files:
            results = verify_paths(list(files))
            bad = _print_issues(results)
            click.echo(f"{len(results)} files checked, {bad} with problems", err=True)
            sys.exit(1 if bad else 0)
        with open_archive(archive_dir) as arc:
            warcs = sorted((arc.root / "warc").iterdir())
            if repair:
                for path in warcs:
                    report = repair_file(path)
                    if report.changed:
                        click.echo(f"repaired {path.name}: {report}", err=True)
                reindexed = reindex(arc)
                if reindexed:
                    click.echo(f"re-indexed {reindexed} records", err=True)
                warcs = sorted((arc.root / "warc").iterdir())
            results = verify_paths([p for p in warcs if ".torn-" not in p.name])
            bad = _print_issues(results)
            index_problems = check_index(arc)
            for p in index_problems:
                click.echo(f"index: {p}")
        click.echo(
            f"{len(results)} WARC files checked, {bad} with problems; "
            f"{len(index_problems)} index problems",
            err=True,
        )
        if bad or index_problems:
            sys.exit(1)

    @main.command("reclean")
    @click.option("--site", help="Only articles from this host (and its subdomains).")
    @click.option("--dry-run", is_flag=True, help="Say what would change; write nothing.")
    @click.option(
        "--diff",
        "show_diff",
        is_flag=True,
        help="Show, per article, the paragraphs removed (-) and added (+); implies --dry-run.",
    )
    @click.option(
        "--rules",
        "rules_dir",
        multiple=True,
        type=click.Path(exists=True),
        help="Rule files or directories to use instead of the bundled rules.",
    )
    @archive_option
    def reclean_cmd(
        site: str | None,
        dry_run: bool,
        show_diff: bool,
        rules_dir: tuple[str, ...],
        archive_dir: Path | None,
    ) -> None:
        """Re-clean archived articles from their stored WARCs (never the live web)."""
        from .diff import text_diff

        # --diff previews: nothing is written until the same command runs without it.
        dry_run = dry_run or show_diff
        try:
            rules = RuleSet.load(rules_dir) if rules_dir else RuleSet.default()
        except RuleError as exc:
            raise click.ClickException(f"invalid rules:\n{exc}") from None
        changed = failed = total = 0
        with open_archive(archive_dir, rules) as arc:
            rows = arc.index.list_articles(site=site, limit=10**9)
            for row in rows:
                total += 1
                try:
                    did_change, old_text, new_text = arc.reclean_article(row, write=not dry_run)
                except ArchiveError as exc:
                    failed += 1
                    click.echo(f"failed {row['id']}: {exc}", err=True)
                    continue
                if did_change:
                    changed += 1
                    click.echo(f"changed {row['id']}: {row['title'] or row['url']}")
                    if show_diff:
                        d = text_diff(old_text, new_text)
                        for line in (*d.lines, d.summary):
                            click.echo(f"    {line}")
        verb = "would change" if dry_run else "changed"
        click.echo(f"{total} articles re-cleaned, {changed} {verb}, {failed} failed", err=True)
        if failed:
            sys.exit(1)


def _print_issues(results: dict[str, list[Any]]) -> int:
    """Print every verifier issue; return how many files had any."""
    bad = 0
    for _, issues in sorted(results.items()):
        if issues:
            bad += 1
        for issue in issues:
            click.echo(str(issue))
    return bad


def _demo_summary(arc: Archive, outcomes: list[Outcome]) -> None:
    """Show, per archived sample, what was kept and what was removed by which rule."""
    for o in outcomes:
        if o.article_id is None:
            click.echo(f"failed  {o.url}: {o.reason}")
            continue
        row = arc.index.article(o.article_id)
        if row is None:
            continue
        removals = json.loads(row["removals"])
        paragraphs = [p for p in row["text"].split("\n\n") if p.strip()]
        click.echo(f"\n[{row['id']}] {row['title']}")
        click.echo(f"    {row['url']}")
        click.echo(
            f"    rule: {row['site_rule'] or 'none (generic detection)'}; kept "
            f"{len(paragraphs)} paragraphs, {row['words']} words; byline: "
            f"{row['byline'] or '-'}; date: {row['published'] or '-'}"
        )
        by_reason: dict[str, list[str]] = {}
        for r in removals:
            if r["rule_id"] == "builtin:non-content":
                continue
            key = f"{r['reason'] or r['selector']} ({r['rule_id'].split('[')[0]})"
            by_reason.setdefault(key, []).extend(s for s in r["samples"] if s.strip())
        for reason, texts in by_reason.items():
            sample = next((t for t in texts if not t.startswith("<")), texts[0] if texts else "")
            click.echo(f"    removed {len(texts):>2} × {reason}: {sample[:60]!r}")
        click.echo(f"    clean page: {arc.root / row['html_path']}")


def _report(outcomes: list[Outcome], as_json: bool) -> None:
    """Print per-URL outcomes and a summary."""
    if as_json:
        click.echo(json.dumps([o.__dict__ for o in outcomes], ensure_ascii=False, indent=2))
    else:
        for o in outcomes:
            if o.status == "failed":
                click.echo(f"failed    {o.url}: {o.reason}")
            else:
                label = "archived" if o.status == "archived" else "exists  "
                click.echo(f"{label}  {o.article_id:>6}  {o.title or o.url}")
    counts = {s: sum(o.status == s for o in outcomes) for s in ("archived", "exists", "failed")}
    click.echo(
        f"{counts['archived']} archived, {counts['exists']} already archived, "
        f"{counts['failed']} failed",
        err=True,
    )
