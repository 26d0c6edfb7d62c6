"""Convert the element-hiding filters of an ad-blocker list into our YAML rule files.

Pure: the list's text in, rule files' texts and a report out. What converts:

- ``##sel`` (generic) goes to ``_defaults.yaml``, which applies under every site;
- ``a.com,b.com##sel`` goes to the rule of each domain (``a.com`` and its subdomains);
- ``~sub.a.com`` exclusions and ``#@#`` exceptions decide, per domain, whether a filter
  applies (the most specific domain wins, as in Adblock Plus and uBlock Origin). A
  domain-specific filter is simply left out of the rules of domains it does not apply
  to; a generic filter that a domain excludes or excepts becomes ``keep: [sel]`` in that
  domain's rule (so the element survives the defaults);
- uBlock's procedural ``:has-text()``, ``:upward()``, ``:remove()``, ``:xpath()`` (and
  ``:has()``, ``:is()``, the ABP/AdGuard aliases) become XPath;
- network filters are counted and skipped; scriptlets, CSS injection, HTML filters and
  the operators that need a browser (``:matches-css()``, ``:style()`` …) are reported
  per line.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .cosmetic import translate
from .ruletext import Note, yaml_quote
from .schema import HOST_RE, load_rule_text
from .selectors import PatternError

SEPARATOR_RE = re.compile(r"^(?P<domains>[^#$]*?)(?P<sep>#@?[?$%]?#|\$@?\$)(?P<body>.*)$")
DOMAIN_CHARS_RE = re.compile(r"^[^\s/|^=&?]*$")
COUNT_ORDER = (
    "comments",
    "network filters (counted, skipped)",
    "element-hiding filters",
    "  generic (to _defaults.yaml)",
    "  domain-specific",
    "  disabled everywhere by #@#",
    "exceptions (#@#)",
    "unsupported lines",
)


@dataclass(frozen=True)
class Filter:
    """One element-hiding filter or exception, with its domains and compiled selector."""

    line: int
    selector: str
    kind: str
    expr: str
    includes: tuple[str, ...]
    excludes: tuple[str, ...]


@dataclass
class ListConversion:
    """Rule files written from one filter list, and what was counted, skipped, refused."""

    files: dict[str, str] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    unsupported: list[Note] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def _domains(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Include and exclude domains of a filter; PatternError for entities and regexes."""
    inc: list[str] = []
    exc: list[str] = []
    for raw in (d.strip().lower() for d in text.split(",")):
        if not raw:
            continue
        neg = raw.startswith("~")
        name = raw.lstrip("~")
        if name.endswith(".*") or name.startswith("/"):
            raise PatternError(f"domain {name!r}: entity and regex domains are not supported")
        try:
            name = name.encode("idna").decode("ascii")
        except UnicodeError:
            raise PatternError(f"{name!r} is not a domain") from None
        if not HOST_RE.match(name) or name.startswith("*."):
            raise PatternError(f"{name!r} is not a domain")
        (exc if neg else inc).append(name)
    return tuple(inc), tuple(exc)


def _under(host: str, domain: str) -> bool:
    """True when ``host`` is ``domain`` or one of its subdomains."""
    return host == domain or host.endswith("." + domain)


def active(includes: tuple[str, ...], excludes: tuple[str, ...], host: str) -> bool:
    """Does a filter with these domains apply on ``host``? The most specific domain wins."""
    best: tuple[int, bool] | None = None
    for d in includes:
        if _under(host, d) and (best is None or len(d) > best[0]):
            best = (len(d), True)
    for d in excludes:
        if _under(host, d) and (best is None or len(d) >= best[0]):
            best = (len(d), False)
    return not includes if best is None else best[1]


def _classify(body: str, sep: str) -> str | None:
    """Why a cosmetic line cannot convert (scriptlet, CSS injection …), or None."""
    if sep in ("$$", "$@$"):
        return "HTML filter ($$)"
    if "$" in sep:
        return "CSS injection (#$#)"
    if "%" in sep:
        return "scriptlet (#%#)"
    if body.startswith("+js("):
        return "scriptlet (+js)"
    if body.startswith("^"):
        return "HTML filter (##^)"
    return None


def parse(text: str) -> tuple[list[Filter], list[Filter], ListConversion]:
    """Read a list: hiding filters, exceptions, and the counts and refusals so far."""
    conv = ListConversion()
    for key in COUNT_ORDER:
        conv.counts[key] = 0
    filters: list[Filter] = []
    exceptions: list[Filter] = []
    for no, raw in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        line = raw.strip()
        col = len(raw) - len(raw.lstrip()) + 1
        if not line:
            continue
        if line.startswith(("!", "[")) or line == "#" or line.startswith("# "):
            conv.counts["comments"] += 1
            continue
        m = SEPARATOR_RE.match(line)
        if m is None or not DOMAIN_CHARS_RE.match(m.group("domains")):
            conv.counts["network filters (counted, skipped)"] += 1
            continue
        sep, body = m.group("sep"), m.group("body").strip()
        why = _classify(body, sep)
        if why is not None:
            conv.unsupported.append(Note(no, col, why, "only element hiding converts"))
            continue
        kind_name = "exceptions (#@#)" if "@" in sep else "element-hiding filters"
        try:
            inc, exc = _domains(m.group("domains"))
            kind, expr = translate(body) if "@" not in sep else ("css", body)
        except PatternError as exc_:
            conv.unsupported.append(Note(no, col, _note_kind(str(exc_)), str(exc_)))
            continue
        f = Filter(no, body, kind, expr, inc, exc)
        (exceptions if "@" in sep else filters).append(f)
        conv.counts[kind_name] += 1
    return filters, exceptions, conv


def _note_kind(message: str) -> str:
    """Group a refusal for the report's counts."""
    m = re.match(r":([a-z-]+)\(\) ", message)
    if m:
        return f":{m.group(1)}()"
    if "regular expression" in message:
        return ":has-text(/regex/)"
    if "domain" in message:
        return "domain"
    return "selector"


def _excepted(f: Filter, exceptions: list[Filter], host: str | None) -> bool:
    """Is filter ``f`` disabled by an exception (on ``host``, or everywhere when None)?"""
    for x in exceptions:
        if x.selector != f.selector:
            continue
        if host is None and not x.includes and not x.excludes:
            return True
        if host is not None and active(x.includes, x.excludes, host):
            return True
    return False


def convert(text: str, source: str = "filters.txt") -> ListConversion:
    """Convert a filter list into rule files (``_defaults.yaml`` + one file per domain)."""
    filters, exceptions, conv = parse(text)
    generic = [f for f in filters if not f.includes and not _excepted(f, exceptions, None)]
    specific = [f for f in filters if f.includes]
    conv.counts["  generic (to _defaults.yaml)"] = len(generic)
    conv.counts["  domain-specific"] = len(specific)
    conv.counts["  disabled everywhere by #@#"] = len(filters) - len(generic) - len(specific)
    conv.counts["unsupported lines"] = len(conv.unsupported)
    domains = sorted(
        {d for f in filters + exceptions for d in f.includes + f.excludes},
        key=lambda d: (d.count("."), d),
    )
    removes: dict[str, list[Filter]] = {}
    keeps: dict[str, list[Filter]] = {}
    for d in domains:
        removes[d] = [
            f
            for f in specific
            if active(f.includes, f.excludes, d) and not _excepted(f, exceptions, d)
        ]
        keeps[d] = [
            f
            for f in generic
            if not active(f.includes, f.excludes, d) or _excepted(f, exceptions, d)
        ]
    if generic:
        conv.files["_defaults.yaml"] = _render(source, None, generic, [])
    written: set[str] = set()
    for d in domains:
        inherited = any(_under(d, a) and a != d for a in written)
        if removes[d] or keeps[d] or inherited:
            conv.files[f"{d}.yaml"] = _render(source, d, removes[d], keeps[d])
            written.add(d)
    for name, body in conv.files.items():
        _, problems = load_rule_text(body, name, is_defaults=name == "_defaults.yaml")
        conv.errors.extend(str(p) for p in problems)
    conv.unsupported.sort(key=lambda n: n.line)
    return conv


def _entry(f: Filter, source: str) -> str:
    """A selector entry with the filter's line as its reason."""
    return (
        f"  - {{{f.kind}: {yaml_quote(f.expr)}, reason: {yaml_quote(f'{source} line {f.line}')}}}"
    )


def _render(source: str, domain: str | None, removes: list[Filter], keeps: list[Filter]) -> str:
    """One rule file's YAML text."""
    out = [
        f"# Converted from the filter list {source} by `cleaner rules import-adblock`.",
        "version: 1",
    ]
    if domain is None:
        out.append(f"name: {yaml_quote(f'Generic filters from {source}')}")
    else:
        out += [
            f"name: {yaml_quote(f'{domain} filters from {source}')}",
            "match:",
            f"  hosts: [{yaml_quote(domain)}, {yaml_quote('*.' + domain)}]",
        ]
    if removes:
        out.append("remove:")
        out.extend(_entry(f, source) for f in removes)
    if keeps:
        out.append("keep:  # generic filters this domain excludes or excepts")
        out.extend(_entry(f, source) for f in keeps)
    if domain is not None and not removes and not keeps:
        out.append("# No filter applies here: this rule overrides a parent domain's rule.")
    return "\n".join(out) + "\n"
