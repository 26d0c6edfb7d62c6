"""``cleaner rules new``: scaffold a rule file whose first test case is a real page.

The page is copied next to the rules as ``<pages>/<host>/<case>/source.html`` (with a
``meta.json`` holding its URL, like the fixtures in ``tests/sites``), so the case keeps
working when the original file moves. The rule is prefilled with what the generic
detector chose: a CSS selector for the content root (the shortest one that picks out
that element alone) and, as ``keeps``, the first and last paragraphs' opening words.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import click

from cleaner import CleanerError, RuleSet, clean
from cleaner.ftr import yaml_quote
from cleaner.parse import decode, parse_text
from cleaner.schema import HOST_RE, load_rule_text
from cleaner.selectors import make_selector

from .rules_replay import replay, unique_selector

KEEP_CHARS = 80


def _snippet(paragraph: str) -> str:
    """The opening words of a paragraph (at most KEEP_CHARS, cut at a word boundary)."""
    flat = " ".join(paragraph.split())
    if len(flat) <= KEEP_CHARS:
        return flat
    return flat[:KEEP_CHARS].rsplit(" ", 1)[0]


def _keeps(text: str) -> list[str]:
    """Opening words of the first and the last real paragraph of the detected article."""
    paras = [p for p in text.split("\n\n") if len(p.strip()) >= 40]
    picked = [paras[0], paras[-1]] if len(paras) > 1 else paras
    return list(dict.fromkeys(_snippet(p) for p in picked))


def _case_name(source: str, given: str | None) -> str:
    """A folder name for the case: given, else from the file (or article id)."""
    if given:
        name = given
    elif source.isdigit() and not Path(source).is_file():
        name = f"article-{source}"
    else:
        p = Path(source)
        name = p.parent.name if p.stem == "source" and p.parent.name else p.stem
    name = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return name or "page"


def _content_selector(data: bytes, url: str, ctype: str | None, rules: RuleSet) -> str | None:
    """A CSS selector for the element the generic detector takes as the article."""
    rp = replay(data, url, ctype, rules.without_sites())
    if rp.source != "generic" or not rp.root_path:
        return None
    original = parse_text(decode(data, ctype).text)
    found = make_selector("css", rp.root_path, allow_page=True).select(original)
    if len(found) != 1:
        return None
    return unique_selector(original, found[0])


def _check_host(host: str) -> str:
    """A plain host name, or a usage error."""
    h = host.strip().lower().rstrip(".")
    if h.startswith("*.") or not HOST_RE.match(h) or "." not in h:
        raise click.BadParameter(
            f"{host!r} is not a host name (like example.com)", param_hint="HOST"
        )
    return h


def _host_of(url: str) -> str:
    """The host of a URL (lowercase)."""
    m = re.match(r"^[a-z][a-z0-9+.-]*://([^/:?#]+)", url, re.I)
    return m.group(1).lower() if m else ""


def scaffold(
    host: str,
    source: str | None,
    page: tuple[bytes, str | None, str | None] | None,
    url: str | None,
    out: Path,
    pages: Path | None,
    case: str | None,
    force: bool,
    rules: RuleSet,
) -> list[Path]:
    """Write HOST.yaml (and the copied test page); return the paths written."""
    host = _check_host(host)
    rule_path = out / f"{host}.yaml"
    if rule_path.exists() and not force:
        raise click.ClickException(f"{rule_path} exists (use --force to overwrite)")
    lines = [
        f"# Scaffolded by `cleaner rules new {host}`. Name what to remove, then run",
        f"# `cleaner rules test {host} --rules {out}` and `cleaner rules explain PAGE`.",
        "version: 1",
        f"name: {yaml_quote(host)}",
        "match:",
        f"  hosts: [{yaml_quote(host)}, {yaml_quote('*.' + host)}]",
    ]
    written: list[Path] = []
    case_block: list[str] = []
    pending: tuple[Path, bytes, str] | None = None
    if page is not None and source is not None:
        data, page_url, ctype = page
        page_url = page_url or url or f"https://{host}/"
        page_host = _host_of(page_url)
        if page_host != host and not page_host.endswith("." + host):
            raise click.ClickException(f"the page's URL {page_url} is not on {host}")
        try:
            content = _content_selector(data, page_url, ctype, rules)
            generic = clean(data, url=page_url, content_type=ctype, rules=rules.without_sites())
        except CleanerError as exc:
            raise click.ClickException(f"{source}: {exc}") from None
        if content:
            lines += [
                "# The generic detector took this element as the article: keep it or name",
                "# a better one (several comma-separated selectors are joined in order).",
                f"content: {yaml_quote(content)}",
            ]
        else:
            lines.append('# content: "article"   # the generic detector found no clear root')
        base = pages or (
            out.parent / "tests" / "sites"
            if (out.resolve().parent / "tests" / "sites").is_dir()
            else out / "pages"
        )
        dest = base / host / _case_name(source, case) / "source.html"
        if dest.exists() and not force:
            raise click.ClickException(f"{dest} exists (use --force or --case NAME)")
        ref = Path(os.path.relpath(dest, out)).as_posix()
        keeps = _keeps(generic.text)
        case_block = [
            "tests:",
            f"  - page: {yaml_quote(ref)}",
            f"    url: {yaml_quote(page_url)}",
            "    keeps:  # text the article must keep (prefilled from the detected article)",
            *[f"      - {yaml_quote(k)}" for k in keeps],
            '    drops: []  # clutter that must go, e.g. "Advertisement"',
        ]
        pending = (dest, data, page_url)
    lines += [
        '# title: "h1"',
        '# byline: ".author"',
        '# date: "time"',
        "remove: []",
        '#  - {css: ".share-bar", reason: "share buttons"}',
        "remove_text: []",
        '#  - {text: "Advertisement", reason: "ad label"}',
        *(case_block or ["tests: []  # add a stored page: cleaner rules new HOST --from FILE"]),
    ]
    text = "\n".join(lines) + "\n"
    _, problems = load_rule_text(text, str(rule_path))
    if problems:  # a scaffolding bug, not the user's
        raise click.ClickException("scaffold does not validate:\n" + "\n".join(map(str, problems)))
    if pending is not None:
        _write_page(*pending)
        written += [pending[0], pending[0].with_name("meta.json")]
    _write(rule_path, text.encode("utf-8"))
    return [rule_path, *written]


def _write(path: Path, data: bytes) -> None:
    """Write a file (creating its directory), as a CLI error on failure."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    except OSError as exc:
        raise click.ClickException(f"cannot write {path}: {exc.strerror or exc}") from None


def _write_page(dest: Path, data: bytes, url: str) -> None:
    """Store the test page and its URL the way tests/sites fixtures are stored."""
    _write(dest, data)
    meta = json.dumps({"url": url}, ensure_ascii=False) + "\n"
    _write(dest.with_name("meta.json"), meta.encode("utf-8"))
