"""Convert a Full-Text RSS site config (ftr-site-config) into one of our YAML rule files.

Pure: text in, YAML text and a report out. Every directive either becomes a rule key
or is reported as unsupported with its line, column and the reason; nothing is
dropped silently. The semantics chosen for each directive are in the README
("Writing rules"). In short: ``body``/``title``/``author``/``date``/``next_page_link``
become ``content``/``title``/``byline``/``date``/``next_page`` (several lines of one
directive become one XPath that takes the first line that matches, as Full-Text RSS
tries them in order); ``strip`` becomes ``remove`` (XPath stays XPath);
``strip_id_or_class`` matches a substring of ``@class`` or ``@id`` (what Full-Text RSS
and graby run); ``strip_image_src`` removes ``<img>`` whose ``src`` contains the string;
``find_string``/``replace_string`` become ``replace``; ``dissolve`` becomes ``unwrap``;
``prune: no`` becomes ``generic: false``; ``test_url``/``test_contains`` become ``tests``
entries without a stored page (run against the archived capture of that URL).
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from .ruletext import Note, split_top, yaml_quote
from .schema import HOST_RE, load_rule_text
from .selectors import PatternError, compile_regex, make_selector

DIRECTIVE_RE = re.compile(r"^(?P<cmd>[A-Za-z0-9_-]+)(?:\((?P<arg>.*?)\))?\s*:(?P<val>.*)$")
TRAILING_ATTR_RE = re.compile(r"/(?:/|attribute::)?@([A-Za-z_][-A-Za-z0-9_:.]*)\s*$")
FUNCTION_RE = re.compile(r"^\s*([a-z][a-z-]*)\s*\(")
TRAILING_TEXT_RE = re.compile(r"/(?:/)?text\(\)\s*$")
DOUBLE_BR = r"<br\s*/?>\s*<br\s*/?>"

# Directives that only matter when fetching, logging in or parsing, with why we skip them.
UNSUPPORTED = {
    "tidy": "no HTML Tidy pass: pages are parsed with lxml (libxml2)",
    "parser": "the parser is fixed (lxml/libxml2)",
    "http_header": "request headers are not part of rules (the archiver sends its own)",
    "login_uri": "logging in to sites is not supported",
    "login_username_field": "logging in to sites is not supported",
    "login_password_field": "logging in to sites is not supported",
    "login_extra_fields": "logging in to sites is not supported",
    "requires_login": "logging in to sites is not supported",
    "not_logged_in_xpath": "logging in to sites is not supported",
    "single_page_link": "fetching a single-page view is not supported "
    "(the archiver joins next_page links instead)",
    "single_page_link_in_feed": "fetching a single-page view is not supported",
    "if_page_contains": "conditional next/single page links are not supported",
    "wrap_in": "wrapping elements in new tags is not supported",
    "move_into": "moving elements is not supported",
    "native_ad_clue": "flagging native ads is not supported",
    "skip_json_ld": "JSON-LD metadata is always read (rule selectors win over it)",
    "src_lazy_load_attr": "lazy-image attributes are built in (data-src, data-original, srcset …)",
    "footnotes": "footnote handling is not supported",
    "post_strip_attr": "removing attributes after extraction is not supported",
    "strip_attr": "removing one attribute of XPath-chosen elements has no equivalent "
    "(strip_attrs is page-wide); the sanitiser drops class, id, style, srcset, width "
    "and height from the output anyway",
    "autodetect_next_page": "next pages are found only by next_page or <link rel=next>",
}
# Yes/no switches whose one value is what our engine always does.
DEFAULT_SWITCHES = {
    "autodetect_on_failure": (True, "generic detection is always the fallback"),
    "strip_comments": (True, "comments never survive the sanitiser"),
    "insert_detected_image": (True, "the lead image heads the article when the body lacks it"),
}
XPATH_LISTS = {"body": "content", "title": "title", "author": "byline", "date": "date"}
DIRECTIVE_OF = {"content": "body", "byline": "author", "next_page": "next_page_link"}
# Attributes a field reads from the element an XPath's trailing ``/@attr`` names.
FIELD_ATTRS = {
    "content": (),
    "title": (),
    "byline": (),
    "date": ("datetime", "content"),
    "next_page": ("href",),
}


@dataclass
class Conversion:
    """The result of converting one site config: YAML text (or None) and the report."""

    source: str
    rule_file: str
    yaml: str | None = None
    reason: str = ""
    converted: Counter[str] = field(default_factory=Counter)
    unsupported: list[Note] = field(default_factory=list)


def hosts_for(filename: str) -> tuple[list[str], str] | str:
    """Hosts and output file name for a config file name, or why it names no site."""
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    stem = name[:-4] if name.lower().endswith(".txt") else name
    stem = stem.strip().lower()
    if stem == "global":
        return "global.txt applies to every site: merge it into rules/_defaults.yaml by hand"
    if stem.startswith("fingerprint."):
        return "fingerprint configs apply by HTML fingerprint, not by host"
    wildcard = stem.startswith(".")
    host = stem.lstrip(".")
    try:
        host = host.encode("idna").decode("ascii")
    except UnicodeError:
        return f"{name!r} is not a host name"
    if "." not in host or not HOST_RE.match(host):
        return f"{name!r} is not a host name"
    if wildcard:
        return [f"*.{host}"], f"_.{host}.yaml"
    if host.startswith("www."):
        return [host], f"{host}.yaml"
    return [host, f"www.{host}"], f"{host}.yaml"


def _union(expr: str) -> list[str]:
    """The branches of an XPath's top-level union."""
    return split_top(expr, "|", escapes=False)


def element_xpath(expr: str, attrs: tuple[str, ...], key: str) -> str:
    """Rewrite an XPath so it selects elements: drop a trailing ``/text()`` or an allowed
    ``/@attr``; raise PatternError for any other attribute or a computed string."""
    fn = FUNCTION_RE.match(expr)
    if fn and fn.group(1) != "id":  # id('x') returns elements
        raise PatternError(f"computes a string with {fn.group(1)}(…); rule selectors pick elements")
    out = []
    for part in _union(expr):
        part = TRAILING_TEXT_RE.sub("", part)
        m = TRAILING_ATTR_RE.search(part)
        if m:
            attr = m.group(1)
            if not attrs:
                raise PatternError(
                    f"{key} of the attribute @{attr} has no equivalent (strip_attrs is page-wide)"
                    if key in ("strip", "dissolve")
                    else f"selects the attribute @{attr}; {key} reads the element's text"
                    + (
                        " (the metadata pass reads OpenGraph, JSON-LD and meta tags itself)"
                        if attr.lower() == "content"
                        else ""
                    )
                )
            if attr.lower() not in attrs:
                raise PatternError(
                    f"selects the attribute @{attr}; {key} reads "
                    + " or ".join(f"@{a}" for a in attrs)
                    + " or the element's text"
                )
            part = part[: m.start()]
        if not part:
            raise PatternError("empty XPath")
        out.append(part)
    return " | ".join(out)


def first_match(exprs: list[str]) -> str:
    """One XPath taking the first of ``exprs`` that matches anything, as FTR tries them."""
    if len(exprs) == 1:
        return exprs[0]
    branches = [exprs[0] if len(_union(exprs[0])) == 1 else f"({exprs[0]})"]
    for i, e in enumerate(exprs[1:], 1):
        guard = " and ".join(f"not({p})" for p in exprs[:i])
        branches.append(f"({e})[{guard}]")
    return " | ".join(branches)


def _css_string(value: str) -> str:
    """A single-quoted CSS string."""
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def _switch(value: str) -> bool | None:
    """FTR's yes/no parsing: yes/true are true, no/false are false, else None."""
    v = value.strip().lower()
    return True if v in ("yes", "true") else False if v in ("no", "false") else None


@dataclass
class _Line:
    """One parsed directive line."""

    no: int
    col: int
    cmd: str
    arg: str | None
    val: str


class _Builder:
    """Collects rule keys from directive lines of one file."""

    def __init__(self, conv: Conversion):
        """Start empty for one conversion."""
        self.conv = conv
        self.xpaths: dict[str, list[tuple[int, str]]] = {k: [] for k in FIELD_ATTRS}
        self.remove: list[tuple[str, str, str]] = []
        self.unwrap: list[tuple[str, str, str]] = []
        self.finds: list[_Line] = []
        self.repls: list[_Line] = []
        self.regex_replace: list[tuple[str, str, int]] = []
        self.generic: tuple[bool, int] | None = None
        self.tests: list[tuple[int, str, list[str]]] = []

    def unsupported(self, ln: _Line, message: str, key: str | None = None) -> None:
        """Report a line that has no equivalent."""
        self.conv.unsupported.append(Note(ln.no, ln.col, key or ln.cmd, message))

    def done(self, key: str) -> None:
        """Count one converted directive line."""
        self.conv.converted[key] += 1

    def selector(self, ln: _Line, kind: str, expr: str) -> bool:
        """Check that a selector compiles; report the line when it does not."""
        try:
            make_selector(kind, expr)
        except PatternError as exc:
            self.unsupported(ln, str(exc))
            return False
        return True

    def line(self, ln: _Line) -> None:
        """Convert one directive line (or report it)."""
        cmd, val = ln.cmd, ln.val
        if cmd == "replace_string" and ln.arg is not None:
            self.finds.append(_Line(ln.no, ln.col, "find_string", None, ln.arg))
            self.repls.append(ln)
            return
        if ln.arg is not None and cmd not in ("http_header", "wrap_in", "move_into"):
            self.unsupported(ln, f"unknown directive {cmd}(…)", f"{cmd}(…)")
            return
        if cmd in UNSUPPORTED:
            self.unsupported(ln, UNSUPPORTED[cmd], f"{cmd}(…)" if ln.arg is not None else None)
            return
        if cmd == "find_string":
            self.finds.append(ln)
            return
        if cmd == "replace_string":
            self.repls.append(ln)
            return
        if not val:
            self.unsupported(ln, "empty value (Full-Text RSS ignores it)")
            return
        if cmd in XPATH_LISTS or cmd == "next_page_link":
            key = XPATH_LISTS.get(cmd, "next_page")
            try:
                expr = element_xpath(val, FIELD_ATTRS[key], key)
                make_selector("xpath", expr)
            except PatternError as exc:
                self.unsupported(ln, str(exc))
                return
            self.xpaths[key].append((ln.no, expr))
        elif cmd in ("strip", "dissolve"):
            try:
                expr = element_xpath(val, (), cmd)
            except PatternError as exc:
                self.unsupported(ln, str(exc))
                return
            if self.selector(ln, "xpath", expr):
                target = self.remove if cmd == "strip" else self.unwrap
                target.append(("xpath", expr, f"ftr {cmd} (line {ln.no})"))
                self.done(cmd)
        elif cmd == "strip_id_or_class":
            self._strip_id_or_class(ln)
        elif cmd == "strip_image_src":
            s = val.replace("'", "").replace('"', "")
            css = f"img[src*={_css_string(s)}]"
            if s and self.selector(ln, "css", css):
                self.remove.append(("css", css, f"ftr strip_image_src (line {ln.no})"))
                self.done(cmd)
            elif not s:
                self.unsupported(ln, "empty value after removing quotes")
        elif cmd in ("test_url", "test_contains"):
            self._test(ln)
        else:
            self._switch_line(ln)

    def _strip_id_or_class(self, ln: _Line) -> None:
        """Substring of @class or @id, as Full-Text RSS and graby match it; never body/html."""
        s = ln.val.replace("'", "").replace('"', "")
        if not s.strip():
            self.unsupported(ln, "empty value after removing quotes")
            return
        q = _css_string(s)
        css = f"body [class*={q}], body [id*={q}]"
        if self.selector(ln, "css", css):
            self.remove.append(("css", css, f"ftr strip_id_or_class (line {ln.no})"))
            self.done("strip_id_or_class")

    def _test(self, ln: _Line) -> None:
        """test_url starts a tests entry; test_contains adds a kept string to the last one."""
        if ln.cmd == "test_url":
            if not re.match(r"^https?://", ln.val):
                self.unsupported(ln, "test_url is not an http(s) URL")
                return
            self.tests.append((ln.no, ln.val, []))
            self.done("test_url")
        elif not self.tests:
            self.unsupported(ln, "test_contains before any test_url")
        else:
            self.tests[-1][2].append(ln.val)
            self.done("test_contains")

    def _switch_line(self, ln: _Line) -> None:
        """prune, convert_double_br_tags and the switches that match our defaults."""
        cmd, on = ln.cmd, _switch(ln.val)
        known = cmd in ("prune", "convert_double_br_tags") or cmd in DEFAULT_SWITCHES
        if not known:
            self.unsupported(ln, f"unknown directive {cmd!r}")
            return
        if on is None:
            self.unsupported(ln, f"{cmd} takes yes or no, not {ln.val!r}")
            return
        if cmd == "prune":
            self.generic = (on, ln.no)
            self.done(cmd)
        elif cmd == "convert_double_br_tags":
            if on:
                self.regex_replace.append((DOUBLE_BR, "</p><p>", ln.no))
            self.done(cmd)
        elif on == DEFAULT_SWITCHES[cmd][0]:
            self.done(cmd)
        else:
            self.unsupported(ln, f"'{ln.val}' is not supported: {DEFAULT_SWITCHES[cmd][1]}")

    def replacements(self) -> list[tuple[str, str, int]]:
        """Pair find_string and replace_string lines in order (FTR skips all on a mismatch)."""
        if len(self.finds) != len(self.repls):
            why = (
                f"{len(self.finds)} find_string but {len(self.repls)} replace_string: "
                "Full-Text RSS skips all of this file's replacements"
            )
            for ln in self.finds + self.repls:
                self.unsupported(ln, why, "find_string/replace_string")
            return []
        out = []
        for f, r in zip(self.finds, self.repls, strict=True):
            if not f.val:
                self.unsupported(f, "empty find_string", "find_string/replace_string")
                continue
            out.append((f.val, r.val, f.no))
            self.done("find_string/replace_string")
        return out


def parse_lines(text: str) -> tuple[list[_Line], list[Note]]:
    """Split a config into directive lines, reporting lines that are not directives."""
    lines, notes = [], []
    for no, raw in enumerate(text.removeprefix("\ufeff").splitlines(), 1):
        stripped = raw.strip()
        if not stripped or stripped.startswith("#"):
            continue
        col = len(raw) - len(raw.lstrip()) + 1
        m = DIRECTIVE_RE.match(stripped)
        if m is None:
            notes.append(Note(no, col, "(not a directive)", "no 'name: value' here"))
            continue
        cmd = m.group("cmd").strip().lower()
        lines.append(_Line(no, col, cmd, m.group("arg"), m.group("val").strip()))
    return lines, notes


def convert(text: str, filename: str) -> Conversion:
    """Convert one ftr-site-config file's text; ``filename`` gives the hosts."""
    hosts = hosts_for(filename)
    name = filename.replace("\\", "/").rsplit("/", 1)[-1]
    if isinstance(hosts, str):
        return Conversion(name, "", reason=hosts)
    host_list, rule_file = hosts
    conv = Conversion(name, rule_file)
    lines, notes = parse_lines(text)
    conv.unsupported.extend(notes)
    b = _Builder(conv)
    for ln in lines:
        b.line(ln)
    replacements = b.replacements()
    for key, found in b.xpaths.items():
        if found:
            conv.converted[DIRECTIVE_OF.get(key, key)] += len(found)
    if key_count(conv) == 0:
        conv.reason = "no directive with an equivalent"
        conv.unsupported.sort(key=lambda n: (n.line, n.col))
        return conv
    conv.yaml = render(name, host_list, b, replacements)
    conv.unsupported.sort(key=lambda n: (n.line, n.col))
    _, problems = load_rule_text(conv.yaml, rule_file)
    if problems:  # a converter bug, never the user's: say so rather than write a bad file
        conv.yaml = None
        conv.reason = "converted rule does not validate: " + "; ".join(map(str, problems))
    return conv


def key_count(conv: Conversion) -> int:
    """How many directive lines became rule keys (tests alone do not make a rule)."""
    return sum(n for k, n in conv.converted.items() if k not in ("test_url", "test_contains"))


def _entry(kind: str, expr: str, reason: str) -> str:
    """A selector as a flow mapping with its provenance."""
    return f"{{{kind}: {yaml_quote(expr)}, reason: {yaml_quote(reason)}}}"


def render(
    source: str, hosts: list[str], b: _Builder, replacements: list[tuple[str, str, int]]
) -> str:
    """Write the rule file's YAML text."""
    out = [
        f"# Converted from ftr-site-config {source} (public domain, CC0) by",
        '# `cleaner rules import-ftr`. Review it: see README, section "Writing rules".',
        "version: 1",
        f"name: {yaml_quote(source[:-4] if source.endswith('.txt') else source)}",
        "match:",
        "  hosts: [" + ", ".join(yaml_quote(h) for h in hosts) + "]",
    ]
    for key in ("content", "title", "byline", "date", "next_page"):
        found = b.xpaths[key]
        if found:
            lines = ", ".join(str(n) for n, _ in found)
            src = DIRECTIVE_OF.get(key, key)
            out.append(
                f"{key}: "
                + _entry("xpath", first_match([e for _, e in found]), f"ftr {src} (line {lines})")
            )
    for key, items in (("remove", b.remove), ("unwrap", b.unwrap)):
        if items:
            out.append(f"{key}:")
            out.extend(f"  - {_entry(k, e, r)}" for k, e, r in items)
    if replacements or b.regex_replace:
        out.append("replace:")
        for find, repl, no in replacements:
            out.append(f"  - {{find: {yaml_quote(find)}, with: {yaml_quote(repl)}}}  # line {no}")
        for rx, repl, no in b.regex_replace:
            compile_regex(rx)
            out.append(
                f"  - {{regex: {yaml_quote(rx)}, with: {yaml_quote(repl)}}}"
                f"  # convert_double_br_tags, line {no}"
            )
    if b.generic is not None:
        on, no = b.generic
        out.append(f"generic: {'true' if on else 'false'}  # ftr prune (line {no})")
    if b.tests:
        out.append("tests:  # no stored page: `cleaner rules test --archive` uses the capture")
        for no, url, keeps in b.tests:
            out.append(f"  - url: {yaml_quote(url)}  # line {no}")
            if keeps:
                out.append("    keeps: [" + ", ".join(yaml_quote(k) for k in keeps) + "]")
    if b.conv.unsupported:
        out.append("# Not converted (no equivalent):")
        for n in sorted(b.conv.unsupported, key=lambda n: n.line):
            out.append(f"#   line {n.line}: {n.directive}: {n.message}".replace("\n", " "))
    return "\n".join(out) + "\n"
