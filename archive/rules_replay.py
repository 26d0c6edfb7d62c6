"""Replay the cleaning of one page step by step, to say which rule removed which element.

``clean()`` records what each rule entry removed (its text), not where it was. For
``rules explain`` and ``rules new`` we run the same passes, in the engine's order, on
our own parsed tree, remembering every element's CSS path as it was before any edit;
after each rule entry the elements that left the tree are the ones it removed. The
replay's counts are checked against ``clean()``'s own record, so a drift between the
two (the engine gained a pass) shows up as a warning instead of a wrong answer.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial

from lxml import etree

from cleaner import RuleSet, clean, edges, generic
from cleaner import engine as eng
from cleaner.actions import (
    SAMPLE_CHARS,
    Recorder,
    element_text,
    remove,
    remove_text,
    strip_attrs,
    unwrap,
)
from cleaner.measure import Stats
from cleaner.metadata import extract
from cleaner.parse import decode
from cleaner.sanitize import resolve_urls
from cleaner.schema import SiteRule
from cleaner.selectors import PatternError, Selector, make_selector
from cleaner.titles import headline

IDENT_CHAR = re.compile(r"[A-Za-z0-9_-]")


@dataclass(frozen=True)
class Step:
    """One element (or bare text run) a rule entry removed or unwrapped."""

    rule_id: str
    selector: str
    reason: str
    action: str  # "removed", "unwrapped" or "removed text"
    path: str
    text: str


@dataclass
class Replay:
    """What the replay found: removals in order, the content root and who chose it."""

    site: SiteRule | None
    steps: list[Step] = field(default_factory=list)
    root_path: str = ""
    root_element: etree._Element | None = None
    source: str = ""
    root_selector: str = ""
    warnings: list[str] = field(default_factory=list)
    doc: etree._Element | None = None


def css_ident(value: str) -> str:
    """Escape a class or id for use in a CSS selector."""
    out = []
    for i, ch in enumerate(value):
        if IDENT_CHAR.match(ch) or ord(ch) >= 0x80:
            if i == 0 and ch.isdigit():
                out.append(f"\\{ord(ch):x} ")
            else:
                out.append(ch)
        else:
            out.append("\\" + ch)
    return "".join(out)


def css_step(el: etree._Element) -> str:
    """One element of a CSS path: tag, #id, .classes, and :nth-of-type when ambiguous."""
    step = str(el.tag)
    if el.get("id", "").strip() and " " not in el.get("id", "").strip():
        step += "#" + css_ident(el.get("id", "").strip())
    step += "".join("." + css_ident(c) for c in (el.get("class") or "").split()[:3])
    parent = el.getparent()
    if parent is not None:
        same = [c for c in parent if c.tag == el.tag]
        if len(same) > 1:
            step += f":nth-of-type({same.index(el) + 1})"
    return step


def css_path(el: etree._Element) -> str:
    """A CSS selector path from ``html`` down to ``el`` (``html > body > div#main > p``)."""
    parts = []
    node: etree._Element | None = el
    while node is not None and isinstance(node.tag, str):
        parts.append(css_step(node))
        node = node.getparent()
    return " > ".join(reversed(parts))


def _selects_only(doc: etree._Element, css: str, el: etree._Element) -> bool:
    """True when ``css`` compiles, is allowed, and selects exactly ``el`` in ``doc``."""
    try:
        sel = make_selector("css", css)
    except PatternError:
        return False
    return sel.select(doc) == [el]


def unique_selector(doc: etree._Element, el: etree._Element) -> str:
    """The shortest readable CSS selector that picks out ``el``: id, classes, else a path."""
    tag = str(el.tag)
    ident = (el.get("id") or "").strip()
    classes = [css_ident(c) for c in (el.get("class") or "").split()]
    candidates = []
    if ident and " " not in ident:
        candidates.append(f"{tag}#{css_ident(ident)}")
    candidates += [f"{tag}.{c}" for c in classes]
    if len(classes) > 1:
        candidates.append(tag + "".join("." + c for c in classes))
    for cand in candidates:
        if _selects_only(doc, cand, el):
            return cand
    parent = el.getparent()
    if parent is not None and parent.tag not in ("html", "body"):
        anchored = f"{unique_selector(doc, parent)} > {css_step(el)}"
        if _selects_only(doc, anchored, el):
            return anchored
    return css_path(el)


class _Tracker:
    """Runs replay steps and turns the elements each one took out of the tree into Steps."""

    def __init__(self, doc: etree._Element, rec: Recorder, paths: dict[etree._Element, str]):
        """Track ``doc``; ``paths`` holds every element's path before any edit."""
        self.doc, self.rec, self.paths = doc, rec, paths
        self.steps: list[Step] = []

    def run(self, rule_id: str, selector: str, reason: str, action: Callable[[], object]) -> None:
        """Run one rule entry and record what left the tree, labelled as ``clean()`` labels
        it (a remove_text pattern, a generic pruning reason)."""
        before = {e for e in self.doc.iter() if isinstance(e.tag, str)}
        counts = {k: len(self._samples(k)) for k in self.rec.entries}
        action()
        after = {e for e in self.doc.iter() if isinstance(e.tag, str)}
        gone = before - after
        labels: dict[str, list[tuple[str, str]]] = {}
        for key, entry in self.rec.entries.items():
            for sample in self._samples(key)[counts.get(key, 0) :]:
                labels.setdefault(sample, []).append((key[1], str(entry[0])))
        for e in self._in_order(gone):
            parent = e.getparent()
            if parent is not None and parent in gone:
                continue
            unwrapped = any(c in after for c in e.iter() if c is not e)
            text = element_text(e)
            found = labels.get(text[:SAMPLE_CHARS] or f"<{e.tag}>")
            sel, why = found.pop(0) if found else (selector, reason)
            action_name = "unwrapped" if unwrapped else "removed"
            path = self.paths.get(e) or css_path(e)
            self.steps.append(Step(rule_id, sel, why, action_name, path, text))
        for sample, rest in labels.items():  # what remains are bare text runs
            for sel, why in rest:
                if not sample.startswith("<"):
                    self.steps.append(Step(rule_id, sel, why, "removed text", "(text run)", sample))

    def _samples(self, key: tuple[str, str]) -> list[str]:
        """The texts the recorder keeps for one rule entry."""
        samples = self.rec.entries[key][2]
        return samples if isinstance(samples, list) else []

    def _in_order(self, gone: set[etree._Element]) -> list[etree._Element]:
        """Removed elements in the page's original order."""
        order = {e: i for i, e in enumerate(self.paths)}
        return sorted(gone, key=lambda e: order.get(e, len(order)))


class _Found:
    """A selector with matches found beforehand (``engine.apply_rule`` finds every remove
    selector's matches on the page as it was before the rule's first removal)."""

    def __init__(self, sel: Selector, found: list[etree._Element], doc: etree._Element):
        """Keep ``sel``'s reporting fields and its matches."""
        self.kind, self.expr, self.reason = sel.kind, sel.expr, sel.reason
        self.found, self.doc = found, doc

    def select(self, root: etree._Element) -> list[etree._Element]:
        """The matches still in the page (not taken out with an earlier removal)."""
        return [e for e in self.found if _inside(e, self.doc)]


def _inside(el: etree._Element, root: etree._Element) -> bool:
    """True when ``el`` is ``root`` or still inside it."""
    node: etree._Element | None = el
    while node is not None and node is not root:
        node = node.getparent()
    return node is root


def _apply(t: _Tracker, doc: etree._Element, rule: SiteRule, text: bool = True) -> None:
    """One rule's entries, in the order ``engine.apply_rule`` runs them (remove_text
    unless ``text`` is false)."""
    found = [_Found(sel, sel.select(doc), doc) for sel in rule.remove]
    for i, (sel, pre) in enumerate(zip(rule.remove, found, strict=True)):
        rid = f"{rule.id}:remove[{i}]"
        action = partial(remove, doc, pre, t.rec, rid)  # type: ignore[arg-type]
        t.run(rid, _label(sel.kind, sel.expr), sel.reason, action)
    if text:
        rid = f"{rule.id}:remove_text"
        t.run(rid, "remove_text", "", partial(remove_text, doc, rule.remove_text, t.rec, rid))
    for i, sel in enumerate(rule.unwrap):
        rid = f"{rule.id}:unwrap[{i}]"
        t.run(rid, _label(sel.kind, sel.expr), sel.reason, partial(unwrap, doc, sel, t.rec, rid))
    strip_attrs(doc, rule.strip_attrs, t.rec, f"{rule.id}:strip_attrs")


def _label(kind: str, expr: str) -> str:
    """A selector as ``clean()`` labels it (``xpath:`` prefix for XPath)."""
    return expr if kind == "css" else f"{kind}:{expr}"


def replay(data: bytes, url: str | None, content_type: str | None, rules: RuleSet) -> Replay:
    """Clean ``data`` the way ``clean()`` does, recording each removal's element path."""
    site = rules.for_url(url)
    text = decode(data, content_type).text
    for rep in site.replace if site else ():
        text, _ = rep.apply(text)
    doc = eng.parse_page(text)
    paths = {e: css_path(e) for e in doc.iter() if isinstance(e.tag, str)}
    own = eng._is_own_document(doc)
    base = url or eng._canonical(doc)
    resolve_urls(doc, base, links=False)  # (as clean() does: links inside the article, later)
    md = extract(doc, base, site.fields if site else {}, own)
    head = headline(md.title, md.site_name, url or md.canonical, md.headings)
    body = doc.find("body")
    if body is None:
        body = etree.SubElement(doc, "body")
    rec = Recorder()
    t = _Tracker(doc, rec, paths)
    out = Replay(site=site, doc=doc)
    t.run(
        "builtin:non-content",
        "non-content elements",
        "never article content",
        lambda: eng._strip_non_content(doc, rec),
    )
    trailers: list[edges.Trailer] = []
    if not own:
        trailers = eng.run_rule_passes(
            doc,
            body,
            site,
            rules.defaults,
            rec,
            lambda r: _apply(t, doc, r, r is not rules.defaults),
        )
    else:
        eng.protect_kept(doc, site, rules.defaults, rec)
    root, source = eng._choose_root(doc, body, site, own)
    if site is not None and site.content is not None:
        out.root_selector = _label(site.content.kind, site.content.expr)
    stats: Stats | None = None
    if root is None:
        stats = Stats(body)
        root = generic.find_content(body, stats)
        source = "generic" if root is not None else "page"
        root = body if root is None else root
    out.root_element, out.source = root, source
    out.root_path = paths.get(root) or (
        ", ".join(paths.get(c) or css_path(c) for c in root) if source.startswith("rule:") else ""
    )
    top = root
    if trailers:
        t.run(
            edges.RULE_ID,
            "trailer heading",
            "",
            lambda: edges.cut_trailers(top, trailers, rec),
        )
    if not own and rules.defaults is not None:
        rid = f"{rules.defaults.id}:remove_text"
        texts = rules.defaults.remove_text
        t.run(rid, "remove_text", "", partial(remove_text, top, texts, rec, rid))
    if not own and (site is None or site.generic):
        measured: list[Stats] = []
        t.run(
            generic.RULE_ID,
            "generic pruning",
            "",
            lambda: measured.append(generic.prune(top, rec, md.title, stats, base)),
        )
        t.run(
            generic.RULE_ID,
            "title, byline or date line",
            "",
            lambda: edges.prune_lead(top, rec, measured[0], md.title, md.byline, head),
        )
        t.run(
            generic.RULE_ID,
            "teaser grid",
            "",
            lambda: edges.cut_card_grids(top, rec, base, index=not md.declares_article),
        )
        t.run(
            generic.RULE_ID,
            "author card",
            "",
            lambda: edges.cut_author_cards(top, rec, md.byline),
        )
        t.run(
            generic.RULE_ID,
            "heading at the end",
            "",
            lambda: edges.drop_end_headings(top, rec),
        )
    # What ``clean()`` finishes with: the URL policy, the allow-list, and the blocks that
    # are blank once sanitised (these leave the sanitised copy, not the page: no path).
    t.run("builtin:safety", "URL policy", "", lambda: eng._finish(root, base, rec, True))
    out.steps = t.steps
    _check_against_clean(out, rec, data, url, content_type, rules)
    return out


def _check_against_clean(
    out: Replay, rec: Recorder, data: bytes, url: str | None, ctype: str | None, rules: RuleSet
) -> None:
    """Warn when the replay's record differs from what ``clean()`` itself records."""
    real = clean(data, url=url, content_type=ctype, rules=rules)
    mine = {(r.rule_id, r.selector): r.count for r in rec.removals()}
    theirs = {(r.rule_id, r.selector): r.count for r in real.removals}
    if mine != theirs or real.content_source != out.source:
        out.warnings.append(
            "the replay differs from clean() (the engine changed?): paths may be incomplete"
        )
