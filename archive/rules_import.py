"""``cleaner rules import-ftr`` and ``import-adblock``: bring existing rule collections in.

The conversions themselves are pure (``cleaner.ftr``, ``cleaner.adblock``: text in, YAML
text and a report out); this module reads the sources, refuses to overwrite files unless
told to, writes the rule files and prints the report: a summary with every unsupported
directive and its count on stdout, and each unsupported line as
``path:line:col: warning: …`` on stderr (``--quiet`` leaves those out).
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import click

from cleaner import adblock, ftr


def _sources(paths: tuple[Path, ...]) -> list[Path]:
    """Expand directories into their ``*.txt`` files (dotfiles too: ``.example.com.txt``)."""
    out: list[Path] = []
    for p in paths:
        if p.is_dir():
            out += sorted(q for q in p.iterdir() if q.suffix == ".txt" and q.is_file())
        else:
            out.append(p)
    return out


def _write_all(out: Path, files: dict[str, str], force: bool) -> None:
    """Write the rule files; refuse (before writing anything) to overwrite without --force."""
    existing = [name for name in files if (out / name).exists()]
    if existing and not force:
        shown = ", ".join(sorted(existing)[:5]) + (" …" if len(existing) > 5 else "")
        raise click.ClickException(
            f"{len(existing)} rule files already exist in {out} ({shown}); use --force"
        )
    try:
        out.mkdir(parents=True, exist_ok=True)
        for name, text in files.items():
            (out / name).write_text(text, encoding="utf-8")
    except OSError as exc:
        raise click.ClickException(f"cannot write to {out}: {exc.strerror or exc}") from None


def _table(title: str, counts: Counter[str], why: dict[str, str] | None = None) -> list[str]:
    """A titled, aligned count table (largest first)."""
    lines = [title]
    if not counts:
        return [*lines, "  (none)"]
    width = max(len(k) for k in counts)
    for key, n in sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])):
        extra = f"  {why[key]}" if why and key in why else ""
        lines.append(f"  {key:<{width}}  {n:>5}{extra}")
    return lines


CATEGORIES = (
    ("computes a string", "computes a string", "XPath string functions: selectors pick elements"),
    (
        "selects the attribute",
        "selects an attribute",
        "the field reads element text (date also @datetime, @content); "
        "meta tags go through the metadata pass",
    ),
    ("must select elements", "selects text or a number", "selectors pick elements"),
    ("would match <", "selects the whole page", "<body>: that is generic detection"),
    ("invalid XPath", "invalid XPath", "does not compile"),
    ("cannot be evaluated", "invalid XPath", "does not compile"),
    ("(strip_attrs is page-wide)", "removes an attribute", "strip_attrs is page-wide"),
)


def _category(message: str) -> str:
    """A short cause for an XPath that does not convert (grouped in the summary)."""
    return next((name for clue, name, _ in CATEGORIES if clue in message), "")


def ftr_report(convs: list[ftr.Conversion]) -> dict[str, Any]:
    """The figures of an ftr import, JSON-ready."""
    done = [c for c in convs if c.yaml is not None]
    converted: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    why: dict[str, str] = {}
    for c in convs:
        converted.update(c.converted if c.yaml is not None else {})
        for n in c.unsupported:
            key = n.directive
            category = _category(n.message)
            if category:  # a field whose XPath has no equivalent: count per cause
                key = f"{n.directive} ({category})"
            unsupported[key] += 1
            if category:
                why[key] = next(w for _, name, w in CATEGORIES if name == category)
            elif why.setdefault(key, n.message) != n.message:
                why[key] = "(reasons vary: see each line)"
    not_converted: Counter[str] = Counter(c.reason for c in convs if c.yaml is None)
    return {
        "files": len(convs),
        "converted": len(done),
        "converted_percent": round(100 * len(done) / len(convs), 1) if convs else 0.0,
        "fully_converted": sum(1 for c in done if not c.unsupported),
        "converted_directives": dict(converted),
        "unsupported_directives": dict(unsupported),
        "unsupported_reasons": why,
        "not_converted": dict(not_converted),
    }


def register_imports(rules_group: click.Group) -> None:
    """Add import-ftr and import-adblock to ``cleaner rules``."""

    @rules_group.command("import-ftr")
    @click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
    @click.option(
        "--out",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Directory for the converted YAML rules.",
    )
    @click.option("--force", is_flag=True, help="Overwrite existing rule files in OUT.")
    @click.option("-q", "--quiet", is_flag=True, help="Do not list each unsupported line.")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def import_ftr(
        paths: tuple[Path, ...], out: Path, force: bool, quiet: bool, as_json: bool
    ) -> None:
        """Convert ftr-site-config files (or directories of them) into YAML rules."""
        convs: list[ftr.Conversion] = []
        files: dict[str, str] = {}
        origin: dict[str, Path] = {}
        for src in _sources(paths):
            try:
                text = src.read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError) as exc:
                conv = ftr.Conversion(src.name, "", reason=f"cannot read: {exc}")
            else:
                conv = ftr.convert(text, src.name)
            if conv.yaml is not None and conv.rule_file in files:
                conv.reason = f"{origin[conv.rule_file]} converts to the same {conv.rule_file}"
                conv.yaml = None
            if conv.yaml is not None:
                files[conv.rule_file] = conv.yaml
                origin[conv.rule_file] = src
            convs.append(conv)
            if not quiet:
                for n in conv.unsupported:
                    click.echo(
                        f"{src}:{n.line}:{n.col}: warning: {n.directive}: {n.message}", err=True
                    )
                if conv.yaml is None:
                    click.echo(f"{src}:1:1: warning: not converted: {conv.reason}", err=True)
        if not convs:
            raise click.ClickException("no ftr-site-config files (*.txt) found")
        _write_all(out, files, force)
        report = ftr_report(convs)
        if as_json:
            click.echo(json.dumps(report, ensure_ascii=False, indent=2))
        else:
            _print_ftr(report, out)
        if not files:
            sys.exit(1)

    @rules_group.command("import-adblock")
    @click.argument("source", type=click.Path(exists=True, dir_okay=False, path_type=Path))
    @click.option(
        "--out",
        required=True,
        type=click.Path(file_okay=False, path_type=Path),
        help="Directory for _defaults.yaml and the per-domain rules.",
    )
    @click.option("--force", is_flag=True, help="Overwrite existing rule files in OUT.")
    @click.option("-q", "--quiet", is_flag=True, help="Do not list each unsupported line.")
    @click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
    def import_adblock(source: Path, out: Path, force: bool, quiet: bool, as_json: bool) -> None:
        """Convert the element-hiding filters of an ad-block list into YAML rules."""
        try:
            text = source.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise click.ClickException(f"cannot read {source}: {exc}") from None
        conv = adblock.convert(text, source.name)
        if conv.errors:  # a converter bug: refuse to write files that would not load
            raise click.ClickException(
                "converted rules do not validate:\n" + "\n".join(conv.errors)
            )
        if not quiet:
            for n in conv.unsupported:
                click.echo(
                    f"{source}:{n.line}:{n.col}: warning: {n.directive}: {n.message}", err=True
                )
        _write_all(out, conv.files, force)
        unsupported = Counter(n.directive for n in conv.unsupported)
        if as_json:
            data = {
                "counts": dict(conv.counts),
                "unsupported": dict(unsupported),
                "files": sorted(conv.files),
            }
            click.echo(json.dumps(data, ensure_ascii=False, indent=2))
            return
        width = max(len(k) for k in conv.counts)
        lines = [f"filter list {source.name}:"]
        lines += [f"  {k:<{width}}  {n:>5}" for k, n in conv.counts.items()]
        if unsupported:
            lines += _table("unsupported lines, by kind (each listed on stderr):", unsupported)
        lines.append(f"wrote {len(conv.files)} rule files to {out}")
        click.echo("\n".join(lines))


def _print_ftr(report: dict[str, Any], out: Path) -> None:
    """The human-readable ftr import summary."""
    lines = [
        f"ftr-site-config: {report['files']} files, {report['converted']} converted "
        f"({report['converted_percent']}%), {report['fully_converted']} of them fully",
        *_table("converted directive lines:", Counter(report["converted_directives"])),
        *_table(
            "unsupported directive lines (no equivalent; each listed on stderr):",
            Counter(report["unsupported_directives"]),
            report["unsupported_reasons"],
        ),
        *_table("files not converted:", Counter(report["not_converted"])),
        f"wrote {report['converted']} rule files to {out}; check them: cleaner rules check {out}",
    ]
    click.echo("\n".join(lines))
