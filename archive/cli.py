"""The ``cleaner`` command line: a thin layer over the ``cleaner`` library.

User mistakes become ``click.ClickException`` (``Error: …``, exit 1); usage
errors exit 2; a bug still shows its traceback. Progress goes to stderr.
"""

from __future__ import annotations

import json
import sys
from dataclasses import asdict
from pathlib import Path
from typing import IO

import click

from cleaner import CleanerError, CleanResult, RuleError, RuleSet, clean
from cleaner.ruleset import bundled_rules_dir, load_file, rule_files


def _load_rules(rules_dir: tuple[str, ...]) -> RuleSet:
    """Bundled rules, or the given rule files/directories; errors become ClickException."""
    try:
        return RuleSet.load(rules_dir) if rules_dir else RuleSet.default()
    except RuleError as exc:
        raise click.ClickException(f"invalid rules:\n{exc}") from None


def _explain(result: CleanResult, out: IO[str]) -> None:
    """Print every removal with its rule and reason."""
    out.write(f"site rule: {result.site_rule or '(none)'}; content: {result.content_source}\n")
    for w in result.warnings:
        out.write(f"warning: {w}\n")
    for r in result.removals:
        reason = f" ({r.reason})" if r.reason else ""
        out.write(f"- {r.rule_id}: {r.selector} removed {r.count}{reason}\n")
        for s in r.samples[:5]:
            out.write(f"    {s[:100]!r}\n")


def _as_text(result: CleanResult) -> str:
    """Title, a byline/date line, then the article's paragraphs."""
    head = [result.headline or ""]
    credit = " · ".join(x for x in (result.byline, result.published) if x)
    if credit:
        head.append(credit)
    return "\n\n".join([h for h in head if h] + [result.text]) + "\n"


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="cleaner")
def main() -> None:
    """Strip ads and clutter from news pages and keep a clean, safe, readable copy."""


@main.command("clean")
@click.argument("source", type=click.File("rb"))
@click.option("--url", help="The page's URL: picks the site rule and resolves links.")
@click.option("--content-type", help="The HTTP Content-Type (its charset wins over <meta>).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["html", "text", "json"]),
    default="html",
    show_default=True,
    help="Output: readable HTML document, plain text, or JSON.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write here instead of stdout.",
)
@click.option(
    "--rules",
    "rules_dir",
    multiple=True,
    type=click.Path(exists=True),
    help="Rule file or directory to use instead of the bundled rules (repeatable).",
)
@click.option("--offline", is_flag=True, help="Drop remote images: the output loads nothing.")
@click.option("--explain", is_flag=True, help="List every removal with its rule (on stderr).")
def clean_cmd(
    source: IO[bytes],
    url: str | None,
    content_type: str | None,
    fmt: str,
    output: str | None,
    rules_dir: tuple[str, ...],
    offline: bool,
    explain: bool,
) -> None:
    """Clean one saved page (FILE, or - for stdin)."""
    rules = _load_rules(rules_dir)
    data = source.read()
    name = getattr(source, "name", "-")
    try:
        result = clean(
            data, url=url, content_type=content_type, rules=rules, remote_images=not offline
        )
    except CleanerError as exc:
        raise click.ClickException(f"{name}: {exc}") from None
    if fmt == "text":
        text = _as_text(result)
    elif fmt == "json":
        payload = asdict(result)
        payload["removals"] = [r._asdict() for r in result.removals]
        text = json.dumps(payload, ensure_ascii=False, indent=2) + "\n"
    else:
        text = result.html
    if explain:
        _explain(result, sys.stderr)
    if output:
        try:
            Path(output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror}") from None
        click.echo(f"wrote {output}", err=True)
    else:
        click.echo(text, nl=False)


@main.group("rules")
def rules_group() -> None:
    """Check and work with site rules."""


from .commands import register  # noqa: E402

register(main)


@rules_group.command("check")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
def rules_check(paths: tuple[str, ...]) -> None:
    """Validate rule files (default: the bundled rules); report every problem at once."""
    targets = rule_files(paths or (str(bundled_rules_dir()),))
    if not targets:
        raise click.ClickException("no rule files (*.yaml) found")
    problems = []
    for path in targets:
        _, errs = load_file(path)
        problems.extend(errs)
    for p in problems:
        click.echo(str(p), err=True)
    bad = len({p.path for p in problems})
    summary = f"{len(targets)} rule files checked, {len(problems)} problems in {bad} files"
    click.echo(summary, err=True)
    if problems:
        sys.exit(1)


from .serve import register as _register_serve  # noqa: E402

_register_serve(main)


from .rules_cmds import register as _register_rules  # noqa: E402

_register_rules(rules_group)
