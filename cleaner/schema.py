"""The rule file schema, declared as data, and its validator/compiler.

``load_rule_text`` turns one YAML rule file into a compiled ``SiteRule`` or the
complete list of its problems, each located as ``path:line:col``. Every key is
declared in ``FIELDS`` with the function that checks and compiles its value.
"""

from __future__ import annotations

import difflib
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field

import yaml

from .errors import Problem
from .selectors import (
    PatternError,
    Selector,
    TextMatcher,
    compile_regex,
    make_selector,
    make_text_matcher,
)
from .yamlsource import compose, mark_problem, scalar, type_name

SELECTOR_KINDS = ("css", "xpath")
HOST_RE = re.compile(r"^(\*\.)?([a-z0-9]([a-z0-9-]*[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]*[a-z0-9])?$")
ATTR_RE = re.compile(r"^[a-zA-Z_:][-a-zA-Z0-9_:.]*\*?$")


@dataclass(frozen=True)
class Replacement:
    """A find/replace applied to the decoded source before parsing."""

    find: str
    regex: re.Pattern[str] | None
    repl: str
    line: int = 0

    def apply(self, text: str) -> tuple[str, int]:
        """Apply to ``text``; return the new text and how many replacements were made."""
        if self.regex is not None:
            return self.regex.subn(self.repl, text)
        return text.replace(self.find, self.repl), text.count(self.find)


@dataclass(frozen=True)
class RuleTest:
    """An offline test case: a stored page and what must / must not survive."""

    page: str  # relative to the rule file; "" = the archived capture of ``url``
    url: str
    keeps: tuple[str, ...]
    drops: tuple[str, ...]
    line: int = 0


@dataclass(frozen=True)
class SiteRule:
    """One compiled rule file."""

    id: str
    path: str
    digest: str
    name: str = ""
    hosts: tuple[str, ...] = ()
    paths: tuple[re.Pattern[str], ...] = ()
    content: Selector | None = None
    fields: dict[str, Selector] = field(default_factory=dict)
    remove: tuple[Selector, ...] = ()
    remove_text: tuple[TextMatcher, ...] = ()
    unwrap: tuple[Selector, ...] = ()
    keep: tuple[Selector, ...] = ()
    strip_attrs: tuple[str, ...] = ()
    replace: tuple[Replacement, ...] = ()
    next_page: Selector | None = None
    generic: bool = True
    tests: tuple[RuleTest, ...] = ()


class _Checker:
    """Walks one file's node tree, collecting problems and compiled values."""

    def __init__(self, path: str, source_lines: list[str]):
        """Start with no problems for the file at ``path``."""
        self.path = path
        self.lines = source_lines
        self.problems: list[Problem] = []

    def error(self, node: yaml.Node, message: str) -> None:
        """Record a problem at ``node``."""
        self.problems.append(mark_problem(self.path, node, message))

    def string(self, node: yaml.Node, what: str) -> str | None:
        """Check ``node`` is a non-empty string scalar."""
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:str":
            value = str(scalar(node))
            if value.strip():
                return value
            self.error(node, f"{what} must not be empty")
            return None
        hint = ""
        if node.tag == "tag:yaml.org,2002:null":
            line = (
                self.lines[node.start_mark.line] if node.start_mark.line < len(self.lines) else ""
            )
            if "#" in line[node.start_mark.column :] or "#" in line:
                hint = " (an unquoted '#' starts a YAML comment: quote the selector)"
        self.error(node, f"{what} must be a string, not {type_name(node)}{hint}")
        return None

    def boolean(self, node: yaml.Node, what: str) -> bool | None:
        """Check ``node`` is a boolean."""
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:bool":
            return bool(scalar(node))
        self.error(node, f"{what} must be true or false, not {type_name(node)}")
        return None

    def seq(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        """Check ``node`` is a list (a single value is accepted as a one-item list)."""
        if isinstance(node, yaml.SequenceNode):
            return list(node.value)
        if isinstance(node, yaml.ScalarNode) and node.tag == "tag:yaml.org,2002:null":
            return []
        if isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a list, not a mapping")
            return []
        return [node]

    def mapping(
        self, node: yaml.Node, what: str, allowed: tuple[str, ...]
    ) -> dict[str, yaml.Node] | None:
        """Check ``node`` is a mapping with known, unique keys; return key -> value node."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping, not {type_name(node)}")
            return None
        out: dict[str, yaml.Node] = {}
        for knode, vnode in node.value:
            key = scalar(knode) if isinstance(knode, yaml.ScalarNode) else None
            if not isinstance(key, str):
                self.error(knode, f"keys in {what} must be strings")
                continue
            if key in out:
                self.error(knode, f"duplicate key {key!r} in {what}")
                continue
            if key not in allowed:
                close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
                hint = f" (did you mean {close[0]!r}?)" if close else ""
                self.error(knode, f"unknown key {key!r} in {what}{hint}")
                continue
            out[key] = vnode
        return out

    def selector(self, node: yaml.Node, what: str, allow_page: bool = False) -> Selector | None:
        """Compile a selector: a CSS string, or {css|xpath: ..., reason: ...}."""
        line = node.start_mark.line + 1
        if isinstance(node, yaml.MappingNode):
            m = self.mapping(node, what, ("css", "xpath", "reason"))
            if m is None:
                return None
            kinds = [k for k in SELECTOR_KINDS if k in m]
            if len(kinds) != 1:
                self.error(node, f"{what} needs exactly one of 'css' or 'xpath'")
                return None
            expr = self.string(m[kinds[0]], f"{what} {kinds[0]}")
            reason = self.string(m["reason"], "reason") if "reason" in m else ""
            if expr is None:
                return None
            return self._compile(m[kinds[0]], kinds[0], expr, reason or "", line, allow_page)
        expr = self.string(node, what)
        if expr is None:
            return None
        return self._compile(node, "css", expr, "", line, allow_page)

    def _compile(
        self, node: yaml.Node, kind: str, expr: str, reason: str, line: int, allow_page: bool
    ) -> Selector | None:
        """Compile one selector, turning a PatternError into a located problem."""
        try:
            return make_selector(kind, expr, reason, line, allow_page)
        except PatternError as exc:
            self.error(node, str(exc))
            return None

    def text_matcher(self, node: yaml.Node, what: str) -> TextMatcher | None:
        """Compile a remove_text entry: a string, or {text|regex: ..., reason: ...}."""
        line = node.start_mark.line + 1
        reason = ""
        if isinstance(node, yaml.MappingNode):
            m = self.mapping(node, what, ("text", "regex", "reason"))
            if m is None:
                return None
            kinds = [k for k in ("text", "regex") if k in m]
            if len(kinds) != 1:
                self.error(node, f"{what} needs exactly one of 'text' or 'regex'")
                return None
            kind, vnode = kinds[0], m[kinds[0]]
            reason = (self.string(m["reason"], "reason") or "") if "reason" in m else ""
        else:
            kind, vnode = "text", node
        expr = self.string(vnode, f"{what} {kind}")
        if expr is None:
            return None
        try:
            return make_text_matcher(kind, expr, reason, line)
        except PatternError as exc:
            self.error(vnode, str(exc))
            return None

    def regex(self, node: yaml.Node, what: str) -> re.Pattern[str] | None:
        """Compile a regex string, refusing runaway patterns."""
        expr = self.string(node, what)
        if expr is None:
            return None
        try:
            return compile_regex(expr)
        except PatternError as exc:
            self.error(node, str(exc))
            return None


def _version(c: _Checker, node: yaml.Node) -> int | None:
    """Check ``version: 1``."""
    value = scalar(node) if isinstance(node, yaml.ScalarNode) else None
    if value != 1 or isinstance(value, bool):
        c.error(node, f"unsupported version {value!r}: this cleaner reads version 1")
        return None
    return 1


def _match(c: _Checker, node: yaml.Node) -> dict[str, tuple[object, ...]] | None:
    """Check ``match: {hosts: [...], paths: [...]}``."""
    m = c.mapping(node, "match", ("hosts", "paths"))
    if m is None:
        return None
    hosts: list[str] = []
    for h in c.seq(m["hosts"], "match.hosts") if "hosts" in m else []:
        host = c.string(h, "a host")
        if host is None:
            continue
        host = host.strip().lower()
        if not HOST_RE.match(host):
            c.error(h, f"{host!r} is not a host name (use 'example.com' or '*.example.com')")
            continue
        hosts.append(host)
    if "hosts" in m and not hosts and not c.problems:
        c.error(m["hosts"], "match.hosts must list at least one host")
    paths = (
        [
            p
            for p in (c.regex(n, "a path regex") for n in c.seq(m["paths"], "match.paths"))
            if p is not None
        ]
        if "paths" in m
        else []
    )
    return {"hosts": tuple(hosts), "paths": tuple(paths)}


def _selector_list(key: str) -> Callable[[_Checker, yaml.Node], tuple[Selector, ...]]:
    """Validator for a list of selectors under ``key``."""

    def check(c: _Checker, node: yaml.Node) -> tuple[Selector, ...]:
        """Compile every selector in the list."""
        items = [c.selector(n, f"{key} entry") for n in c.seq(node, key)]
        return tuple(s for s in items if s is not None)

    return check


def _one_selector(key: str) -> Callable[[_Checker, yaml.Node], Selector | None]:
    """Validator for a single field selector under ``key``."""

    def check(c: _Checker, node: yaml.Node) -> Selector | None:
        """Compile the selector."""
        return c.selector(node, key)

    return check


def _remove_text(c: _Checker, node: yaml.Node) -> tuple[TextMatcher, ...]:
    """Compile the remove_text list."""
    items = [c.text_matcher(n, "remove_text entry") for n in c.seq(node, "remove_text")]
    return tuple(m for m in items if m is not None)


def _strip_attrs(c: _Checker, node: yaml.Node) -> tuple[str, ...]:
    """Check attribute names (a trailing ``*`` is a prefix wildcard)."""
    out = []
    for n in c.seq(node, "strip_attrs"):
        name = c.string(n, "an attribute name")
        if name is None:
            continue
        if not ATTR_RE.match(name):
            c.error(n, f"{name!r} is not an attribute name (a trailing '*' matches a prefix)")
            continue
        out.append(name.lower())
    return tuple(out)


def _replace(c: _Checker, node: yaml.Node) -> tuple[Replacement, ...]:
    """Compile ``replace: [{find|regex: ..., with: ...}]``."""
    out = []
    for n in c.seq(node, "replace"):
        m = c.mapping(n, "replace entry", ("find", "regex", "with"))
        if m is None:
            continue
        kinds = [k for k in ("find", "regex") if k in m]
        if len(kinds) != 1 or "with" not in m:
            c.error(n, "replace entry needs one of 'find' or 'regex', and 'with'")
            continue
        wnode = m["with"]
        repl = scalar(wnode) if isinstance(wnode, yaml.ScalarNode) else None
        if repl is None and wnode.tag == "tag:yaml.org,2002:null":
            repl = ""
        if not isinstance(repl, str):
            c.error(wnode, f"'with' must be a string, not {type_name(wnode)}")
            continue
        if kinds[0] == "regex":
            rx = c.regex(m["regex"], "replace regex")
            if rx is not None:
                out.append(Replacement(rx.pattern, rx, repl, n.start_mark.line + 1))
        else:
            find = c.string(m["find"], "replace find")
            if find is not None:
                out.append(Replacement(find, None, repl, n.start_mark.line + 1))
    return tuple(out)


def _tests(c: _Checker, node: yaml.Node) -> tuple[RuleTest, ...]:
    """Check ``tests: [{page, url, keeps, drops}]``."""
    out = []
    for n in c.seq(node, "tests"):
        m = c.mapping(n, "tests entry", ("page", "url", "keeps", "drops"))
        if m is None:
            continue
        if "page" not in m and "url" not in m:
            # Without a stored page the case runs on the archived capture of its URL.
            c.error(n, "tests entry needs 'page' (or 'url' to use the archived capture)")
            continue
        page = c.string(m["page"], "page") if "page" in m else ""
        url = c.string(m["url"], "url") if "url" in m else ""
        keeps = (
            [c.string(k, "a keeps entry") for k in c.seq(m["keeps"], "keeps")]
            if "keeps" in m
            else []
        )
        drops = (
            [c.string(k, "a drops entry") for k in c.seq(m["drops"], "drops")]
            if "drops" in m
            else []
        )
        if page is not None:
            out.append(
                RuleTest(
                    page,
                    url or "",
                    tuple(k for k in keeps if k),
                    tuple(d for d in drops if d),
                    n.start_mark.line + 1,
                )
            )
    return tuple(out)


def _generic(c: _Checker, node: yaml.Node) -> bool | None:
    """Check the ``generic`` switch."""
    return c.boolean(node, "generic")


def _name(c: _Checker, node: yaml.Node) -> str | None:
    """Check a display name or description."""
    return c.string(node, "name")


FIELD_SELECTORS = ("title", "byline", "date", "lead_image", "lead_caption")

FIELDS: dict[str, Callable[[_Checker, yaml.Node], object]] = {
    "version": _version,
    "name": _name,
    "description": _name,
    "match": _match,
    "content": _one_selector("content"),
    **{k: _one_selector(k) for k in FIELD_SELECTORS},
    "next_page": _one_selector("next_page"),
    "remove": _selector_list("remove"),
    "remove_text": _remove_text,
    "unwrap": _selector_list("unwrap"),
    "keep": _selector_list("keep"),
    "strip_attrs": _strip_attrs,
    "replace": _replace,
    "generic": _generic,
    "tests": _tests,
}


def rule_id_for(path: str) -> str:
    """A rule's id is its file name without ``.yaml``/``.yml``."""
    name = path.replace("\\", "/").rsplit("/", 1)[-1]
    for ext in (".yaml", ".yml"):
        if name.endswith(ext):
            return name[: -len(ext)]
    return name


def load_rule_text(
    text: str, path: str, is_defaults: bool = False
) -> tuple[SiteRule | None, list[Problem]]:
    """Validate and compile one rule file's text; return the rule or all its problems."""
    node, problems = compose(text, path)
    if node is None:
        return None, problems
    c = _Checker(path, text.removeprefix("\ufeff").splitlines())
    top = c.mapping(node, "the rule file", tuple(FIELDS))
    if top is None:
        return None, c.problems
    values: dict[str, object] = {}
    for key, vnode in top.items():
        values[key] = FIELDS[key](c, vnode)
    if "version" not in top:
        c.problems.insert(0, Problem(path, 1, 1, "missing required key 'version' (use version: 1)"))
    if not is_defaults and "match" not in top:
        c.problems.append(Problem(path, 1, 1, "missing required key 'match' (with 'hosts')"))
    match = values.get("match") or {}
    if (
        not is_defaults
        and isinstance(match, dict)
        and "match" in top
        and not match.get("hosts")
        and not any(p.line == top["match"].start_mark.line + 1 for p in c.problems)
    ):
        c.error(top["match"], "match needs 'hosts'")
    if c.problems:
        return None, sorted(c.problems, key=lambda p: (p.line, p.col))
    assert isinstance(match, dict)
    rule = SiteRule(
        id=rule_id_for(path),
        path=path,
        digest=hashlib.sha256(text.encode("utf-8", errors="replace")).hexdigest(),
        name=str(values.get("name") or ""),
        hosts=tuple(match.get("hosts", ())),
        paths=tuple(match.get("paths", ())),
        content=values.get("content"),  # type: ignore[arg-type]
        fields={k: v for k in FIELD_SELECTORS if isinstance(v := values.get(k), Selector)},
        remove=values.get("remove", ()),  # type: ignore[arg-type]
        remove_text=values.get("remove_text", ()),  # type: ignore[arg-type]
        unwrap=values.get("unwrap", ()),  # type: ignore[arg-type]
        keep=values.get("keep", ()),  # type: ignore[arg-type]
        strip_attrs=values.get("strip_attrs", ()),  # type: ignore[arg-type]
        replace=values.get("replace", ()),  # type: ignore[arg-type]
        next_page=values.get("next_page"),  # type: ignore[arg-type]
        generic=values.get("generic", True) is not False,
        tests=values.get("tests", ()),  # type: ignore[arg-type]
    )
    return rule, []
