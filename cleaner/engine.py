"""``clean()``: run the passes in one fixed order and record every removal.

Order: decode → the site rule's ``replace`` → parse → absolute URLs and lazy
images → metadata (from the untouched page) → non-content elements → ``keep``
marks → the site rule's edits → ``_defaults.yaml``'s edits → the content root
(site ``content``, else generic detection) → generic pruning → URL policy →
allow-list sanitiser → text and the reading document.
"""

from __future__ import annotations

import html
import itertools
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urljoin

from lxml import etree

from . import edges, generic, measure
from .actions import (
    Recorder,
    Removal,
    _top_most,
    drop,
    drop_tag,
    element_text,
    is_inside,
    norm_text,
    raw_text,
    remove_outermost,
    remove_text,
    sample_text,
    strip_attrs,
    unwrap,
)
from .errors import ParseError
from .fastcss import matcher_for
from .language import guess_language
from .mathml import linearize
from .metadata import extract
from .parse import decode, inner_html, parse_fragment, parse_text
from .render import GENERATOR, render_result
from .ruleset import RuleSet, rules_digest
from .sanitize import (
    is_tracker,
    resolve_links,
    resolve_urls,
    safe_image_url,
    sanitize_fragment,
    sanitize_fragment_tree,
    url_policy,
)
from .schema import SiteRule
from .selectors import Selector
from .structured import meta_firsts, pick
from .text import BLANK_RE, has_invisible, to_text
from .titles import headline
from .urls import check_url, http_url

ENGINE_VERSION = "1"
NON_CONTENT_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "frame",
    "frameset",
    "object",
    "embed",
    "applet",
    "form",
    "input",
    "button",
    "select",
    "textarea",
    "svg",
    "canvas",
    "link",
    "meta",
    "base",
    "dialog",
    "audio",
    "video",
    "map",
    "head",
    # AMP's ad slots, trackers, consent and share bars, players and menus.
    "amp-ad",
    "amp-embed",
    "amp-sticky-ad",
    "amp-auto-ads",
    "amp-analytics",
    "amp-pixel",
    "amp-consent",
    "amp-user-notification",
    "amp-social-share",
    "amp-sidebar",
    "amp-video",
    "amp-youtube",
    "amp-iframe",
    "amp-list",
    "amp-state",
    "amp-script",
)


WRAPPER_TAGS = frozenset(
    ("form", "button", "dialog", "select", "map", "label", "object", "audio", "video", "canvas")
)


@dataclass
class CleanResult:
    """The cleaned article: readable document, body fragment, text, metadata, removals."""

    html: str
    content_html: str
    text: str
    title: str | None = None
    # The page's <h1> when it restates the title, else the title, without the site's name
    # ("How to Build a Terrarium" of "… | eHow"): what the reading document and the archive
    # show; ``title`` stays as the page's metadata says.
    headline: str | None = None
    byline: str | None = None
    published: str | None = None
    lang: str | None = None
    site_name: str | None = None
    lead_image: str | None = None
    lead_caption: str | None = None
    canonical: str | None = None
    source_url: str | None = None
    show_lead: bool = False
    images: list[str] = field(default_factory=list)
    removals: list[Removal] = field(default_factory=list)
    rules_digest: str = ""
    site_rule: str | None = None
    content_source: str = ""
    encoding: str = ""
    next_page: str | None = None
    warnings: list[str] = field(default_factory=list)


def apply_rule(doc: etree._Element, rule: SiteRule, rec: Recorder, text: bool = True) -> None:
    """Run one rule's remove, remove_text (unless ``text`` is false), unwrap and
    strip_attrs edits on the page."""
    # One walk finds every selector's matches (in rule order each then removes its own).
    matches = matcher_for(tuple(rule.remove)).select_all(doc)
    for i, (sel, found) in enumerate(zip(rule.remove, matches, strict=True)):
        _remove_found(doc, sel, found, rec, f"{rule.id}:remove[{i}]")
    if text:
        remove_text(doc, rule.remove_text, rec, f"{rule.id}:remove_text")
    for i, sel in enumerate(rule.unwrap):
        unwrap(doc, sel, rec, f"{rule.id}:unwrap[{i}]")
    strip_attrs(doc, rule.strip_attrs, rec, f"{rule.id}:strip_attrs")


def _remove_found(
    doc: etree._Element, sel: Selector, found: list[etree._Element], rec: Recorder, rule_id: str
) -> None:
    """``actions.remove`` for matches found beforehand, skipping those already gone: one walk
    up from each match tells both whether it is still in the page and whether another match
    holds it."""
    protected = rec.protected
    candidates = {e for e in found if e not in protected and e is not doc}
    outermost = []
    for e in found:
        if e not in candidates:
            continue
        node = e.getparent()
        while node is not None and node is not doc and node not in candidates:
            node = node.getparent()
        if node is doc:
            outermost.append(e)
    remove_outermost(outermost, sel, rec, rule_id)


def protect_kept(
    doc: etree._Element, site: SiteRule | None, defaults: SiteRule | None, rec: Recorder
) -> None:
    """Mark what no edit may remove: ``keep`` elements, and the site's content root with the
    containers around it (with several matches, paragraph-level selectors, each match itself
    stays removable)."""
    for rule in (site, defaults):
        for sel in rule.keep if rule is not None else ():
            rec.protect(sel.select(doc))
    if site is not None and site.content is not None:
        roots = site.content.select(doc)
        rec.protect_path(
            roots
            if len(roots) == 1
            else [r.getparent() for r in roots if r.getparent() is not None]
        )


def run_rule_passes(
    doc: etree._Element,
    body: etree._Element,
    site: SiteRule | None,
    defaults: SiteRule | None,
    rec: Recorder,
    apply: Callable[[SiteRule], None],
) -> list[edges.Trailer]:
    """The rule passes in their fixed order: protections, the site rule, then the defaults
    under the guard that keeps them off the article (``apply`` runs one rule's edits).
    Returns the trailer headings found on the page, for ``edges.cut_trailers`` once the
    article root is chosen (cutting earlier would change which root is chosen)."""
    protect_kept(doc, site, defaults, rec)
    if site is not None:
        apply(site)
    paras = measure.prose_paragraphs(body)
    trailers = edges.find_trailers(body, paras) if site is None or site.generic else []
    # The defaults would remove some trailer headings ("Related", "Comments"): keep them
    # until the article root is chosen and what follows them is cut.
    held = [m for m, _ in trailers if m not in rec.protected]
    rec.protected.update(held)
    if defaults is not None:
        rec.guard = _holds_the_article(body, paras)
        try:
            apply(defaults)
        finally:
            rec.guard = None
    rec.protected.difference_update(held)
    return trailers


def _holds_the_article(
    body: etree._Element, paras: list[tuple[etree._Element, int]]
) -> Callable[[etree._Element], bool]:
    """A guard for site-independent removals: true for an element holding much of the page's
    text (a wrapper whose class happens to say "subscribe" or "share"), not its links, or
    holding the page's main run of paragraphs (teaser lists can outweigh a short article in
    raw text, never in paragraphs sharing one parent). A reader-comment section is never
    guarded."""
    # The page's text as it is now; normalised (for its length) only if a candidate is long.
    page = raw_text(body)
    limits: list[int] = []
    cluster = measure.main_run(paras, 300)

    def guard(el: etree._Element) -> bool:
        """True when removing ``el`` would take the article or much of the page's prose."""
        if measure.is_comments(el) or _hidden_by_style(el):
            return False
        node = cluster
        while node is not None:
            if node is el:
                return True
            node = node.getparent()
        raw = raw_text(el)
        if len(raw) <= 1000:  # the least limit (normalising only shortens the text)
            return False
        n = len(norm_text(raw))
        if n <= 1000:
            return False
        if not limits:
            limits.append(max(1000, int(len(norm_text(page)) * 0.3)))
        return n > limits[0] and measure.link_density(el, n) < 0.5

    return guard


def _hidden_by_style(el: etree._Element) -> bool:
    """True when the element's own ``hidden`` attribute or inline style hides it (a browser
    never shows it)."""
    if el.get("hidden") is not None:
        return True
    style = (el.get("style") or "").replace(" ", "").lower()
    return "display:none" in style or "visibility:hidden" in style


# The panels a disclosure control (a button with ``aria-expanded``, or any element with
# ``role="button"``) shows and hides. Plain <button>s without ``aria-expanded`` are tabs,
# whose hidden panels are often "Loading…" placeholders.
_CONTROLS = etree.XPath("//*[@aria-controls][@aria-expanded or @role='button']/@aria-controls")
# Every element whose id is one of a space-separated list: one libxml2 walk, which also
# finds an id a page repeats (a second copy of an accordion), where id() finds one.
_BY_IDS = etree.XPath("//*[@id][contains($ids, concat(' ', @id, ' '))]")


def _open_panels(doc: etree._Element) -> None:
    """Open collapsed accordion and tab panels: the elements a disclosure control
    (WAI-ARIA's disclosure pattern) governs lose what hides them."""
    ids = {i for value in _CONTROLS(doc) for i in str(value).split()}
    if not ids:
        return
    for el in _BY_IDS(doc, ids=f" {' '.join(ids)} "):
        if isinstance(el, etree._Element):
            el.attrib.pop("hidden", None)
            el.attrib.pop("aria-hidden", None)
            style = el.get("style")
            if style and "none" in style:
                el.set("style", re.sub(r"display\s*:\s*none\s*;?", "", style, flags=re.I))


def _strip_non_content(doc: etree._Element, rec: Recorder) -> None:
    """Remove elements that are never article content (scripts, forms, frames, media)."""
    found = [e for e in doc.iter(*NON_CONTENT_TAGS) if e.getparent() is not None]
    # Some sites wrap the whole page in one <form> (ASP.NET), and libxml2 leaves an unclosed
    # <button> or <label> around everything after it: keep the contents of such wrappers.
    # A long <select> is a long list of options (countries, dates), never text to keep.
    for wrapper in [e for e in found if e.tag in WRAPPER_TAGS and _long_outside_options(e)]:
        found.remove(wrapper)
        for option in list(wrapper.iter(*OPTION_TAGS)):
            drop(option)
        drop_tag(wrapper)
    boxes = [b for b in (_signup_box(e) for e in found if e.tag == "form") if b is not None]
    found = _top_most(found)
    tags = [f"<{e.tag}>" for e in found]
    for e in found:
        drop(e)
    rec.add("builtin:non-content", ", ".join(NON_CONTENT_TAGS), "never article content", tags)
    boxes = _top_most(boxes)
    texts = [sample_text(b) for b in boxes]
    for b in boxes:
        drop(b)
    rec.add("builtin:non-content", "signup box", "a newsletter or SMS signup form's box", texts)


# The address fields of a newsletter or SMS signup form.
SIGNUP_FIELD_XPATH = etree.XPath(
    ".//input[@type='email' or @type='tel' or contains(translate(@name, 'EMAIL', 'email'), "
    "'email') or contains(translate(@placeholder, 'EMAIL', 'email'), 'email')]"
)
# A signup box says little besides its form: a heading, a pitch and a consent line.
SIGNUP_BOX_TEXT = 600


def _signup_box(form: etree._Element) -> etree._Element | None:
    """The box around a newsletter or SMS signup form ("Be the first to know!", the pitch,
    the consent line): the largest block around the form whose text besides the form is
    short and holds no paragraph of prose; None for a form without an address field."""
    if not SIGNUP_FIELD_XPATH(form):
        return None
    own = len(element_text(form))
    box = None
    node = form.getparent()
    while node is not None and node.tag not in ("body", "html", "main", "article"):
        if len(element_text(node)) - own > SIGNUP_BOX_TEXT or any(
            measure.prose_len(p) for p in node.iter("p")
        ):
            break
        box = node
        node = node.getparent()
    return box


# The parser drops comments, so a boundary's closing ``<!--/$-->`` is kept as this marker.
BOUNDARY_END = "cleaner-boundary-end"


def parse_page(text: str, encoded: bytes | None = None) -> etree._Element:
    """Parse a decoded page the way its scripts would show it: streamed server-rendered
    content put in its place, a formula's picture beside its hidden MathML copy shown,
    collapsed accordion panels open (``encoded``: the text's UTF-8 bytes, when known)."""
    streamed = 'hidden id="S:' in text
    if streamed:
        text = text.replace("<!--/$-->", f'<template id="{BOUNDARY_END}"></template>')
        encoded = None
    doc = parse_text(text, encoded)
    if streamed:
        _swap_streamed_boundaries(doc)
    # (No scan of the text first: a tag the page never names costs its tree walk nothing,
    # and scanning a page's text costs a tenth of a millisecond.)
    _formula_images(doc)
    if "aria-controls" in text and (
        "aria-expanded" in text or 'role="button"' in text or "role='button'" in text
    ):
        _open_panels(doc)
    return doc


# An inline style that hides an element.
_HIDDEN_STYLE = re.compile(r"display\s*:\s*none", re.IGNORECASE)


def _formula_images(doc: etree._Element) -> None:
    """Show the picture of a formula that a page draws as an image beside a hidden MathML
    copy for screen readers (MediaWiki's ``mwe-math-fallback-image``, ``aria-hidden``):
    the hidden copy goes with the other hidden elements, and the image, which is what the
    reader sees, stays."""
    for math in doc.iter("math"):
        for wrapper in itertools.islice(math.iterancestors(), 2):
            if _HIDDEN_STYLE.search(wrapper.get("style") or ""):
                image = wrapper.getnext()
                if image is not None and image.tag == "img" and image.get("aria-hidden"):
                    del image.attrib["aria-hidden"]
                break


def _swap_streamed_boundaries(doc: etree._Element) -> None:
    """Put streamed server-rendered content where the page shows it.

    React's streaming renderer sends placeholders first and the real content later in
    ``<div hidden id="S:n">``, which a script moves into place: over a boundary's
    ``<template id="B:n">`` and its "Loading…" fallback, or over a segment's
    ``<template id="P:n">``. Without scripts the article would be the placeholders.
    """
    templates = {
        t.get("id"): t for t in doc.iter("template") if (t.get("id") or "")[:2] in ("B:", "P:")
    }
    for hidden in list(doc.iter("div")):
        ident = hidden.get("id") or ""
        if ident[:2] != "S:" or hidden.get("hidden") is None:
            continue
        tpl = templates.get("B:" + ident[2:])
        fallback: list[etree._Element] = []
        if tpl is not None:
            # A boundary's fallback runs to its closing comment, else it is the next element.
            for sib in tpl.itersiblings():
                fallback.append(sib)
                if sib.tag == "template" and sib.get("id") == BOUNDARY_END:
                    break
            else:
                fallback = [s for s in fallback[:1] if len(element_text(s)) < 100]
        else:
            tpl = templates.get("P:" + ident[2:])
        parent = tpl.getparent() if tpl is not None else None
        if tpl is None or parent is None:
            continue
        if is_inside(tpl, hidden):
            # A placeholder inside the content it stands for (broken markup): the content
            # is shown where it is.
            drop(tpl)
            del hidden.attrib["hidden"]
            continue
        at = parent.index(tpl)
        for child in list(hidden):
            parent.insert(at, child)
            at += 1
        for node in fallback:
            drop(node)
        drop(tpl)
        drop(hidden)


OPTION_TAGS = ("option", "optgroup", "datalist")


def _long_outside_options(el: etree._Element) -> bool:
    """True when the element's text without what its options say is over 500 characters
    (never when its raw text is not: normalising only shortens it)."""
    raw = raw_text(el)
    if len(raw) <= 500:
        return False
    options = _top_most(list(el.iter(*OPTION_TAGS)))
    return len(norm_text(raw)) - sum(len(element_text(o)) for o in options) > 500


def _is_own_document(doc: etree._Element) -> bool:
    """True when the page is a reading document this cleaner produced."""
    return any(
        m.get("name") == "generator" and m.get("content") == GENERATOR for m in doc.iter("meta")
    )


def _choose_root(
    doc: etree._Element, body: etree._Element, site: SiteRule | None, own: bool
) -> tuple[etree._Element | None, str]:
    """The article root: our own marker, the site's content selector, else None."""
    if own:
        marked = doc.find(".//*[@data-cleaner-content]")
        if marked is not None:
            return marked, "own-document"
    if site is not None and site.content is not None:
        found = _top_most(site.content.select(body))
        if len(found) == 1:
            return found[0], f"rule:{site.id}"
        if found:
            wrapper = etree.SubElement(body, "div")
            for el in found:
                el.tail = None
                wrapper.append(el)
            return wrapper, f"rule:{site.id}"
    return None, ""


# XPath's whitespace, which ``normalize-space`` collapses.
_XML_SPACE = re.compile("[ \t\r\n]+")


def _next_links(doc: etree._Element) -> list[etree._Element]:
    """``//link[@href][contains(concat(' ', normalize-space(@rel), ' '), ' next ')]``, by a
    walk over the ``<link>`` elements (libxml2's ``//`` visits every node)."""
    out = []
    for el in doc.iter("link"):
        rel = el.get("rel")
        if rel is None or el.get("href") is None:
            continue
        if " next " in f" {' '.join(t for t in _XML_SPACE.split(rel) if t)} ":
            out.append(el)
    return out


def _next_page(doc: etree._Element, site: SiteRule | None, base: str | None) -> str | None:
    """The next page of a multi-page article: the site rule's link, else ``rel="next"``."""
    if site is not None and site.next_page is not None:
        candidates = site.next_page.select(doc)
    else:
        candidates = _next_links(doc)
    for el in candidates:
        href = el.get("href")
        try:
            url = urljoin(base or "", href.strip()) if href else ""
        except ValueError:
            continue
        if url.startswith(("http://", "https://")) and url.split("#")[0] != (base or ""):
            return url
    return None


def clean(
    html: bytes | str,
    url: str | None = None,
    content_type: str | None = None,
    rules: RuleSet | None = None,
    remote_images: bool = True,
) -> CleanResult:
    """Clean one page: the article, its metadata, and a safe readable document.

    Raises ``ParseError`` (a ``CleanerError``) for input that is not HTML or
    would lose text when parsed, ``UrlError`` for a ``url`` that cannot be parsed;
    ``remote_images=False`` drops every image that
    is not stored locally (the output then loads nothing from the network).
    """
    if isinstance(html, str):
        data = html.encode("utf-8", errors="replace")
        content_type = "text/html; charset=utf-8"
    else:
        data = bytes(html)
    if url is not None:
        check_url(url)
    rules = RuleSet.default() if rules is None else rules
    site = rules.for_url(url)
    decoded = decode(data, content_type)
    text = decoded.text
    for rep in site.replace if site else ():
        text, _ = rep.apply(text)
    doc = parse_page(text, decoded.utf8 if text is decoded.text else None)
    own = _is_own_document(doc)
    base = url or _canonical(doc)
    # Links are made absolute inside the article only (after pruning): most of a page's
    # anchors are navigation that is removed anyway, and URL checks cost per link.
    resolve_urls(doc, base, links=False)
    md = extract(doc, base, site.fields if site else {}, own)
    md.lead_image = safe_image_url(md.lead_image, base)
    head = headline(md.title, md.site_name, url or md.canonical, md.headings)
    next_page = _next_page(doc, site, base)
    body = doc.find("body")
    if body is None:
        body = etree.SubElement(doc, "body")
    rec = Recorder()
    _strip_non_content(doc, rec)
    applied = [r for r in (site, rules.defaults) if r is not None]
    trailers: list[edges.Trailer] = []
    if not own:
        trailers = run_rule_passes(
            doc,
            body,
            site,
            rules.defaults,
            rec,
            lambda r: apply_rule(doc, r, rec, text=r is not rules.defaults),
        )
    else:
        protect_kept(doc, site, rules.defaults, rec)
    root, source = _choose_root(doc, body, site, own)
    warnings = []
    if site is not None and site.content is not None and root is None:
        warnings.append(
            f"rule {site.id}: content selector {site.content.expr!r} matched "
            "nothing; generic detection used instead"
        )
    stats = None
    if root is None:
        stats = measure.Stats(body)
        root = generic.find_content(body, stats)
        source = "generic" if root is not None else "page"
        if root is None:
            root = body
    if trailers:
        edges.cut_trailers(root, trailers, rec)
    if not own and rules.defaults is not None:
        # The defaults' whole-text matches, inside the article only: a label elsewhere
        # changes neither the root nor the result, and the page is three times the root.
        remove_text(root, rules.defaults.remove_text, rec, f"{rules.defaults.id}:remove_text")
    if not own and (site is None or site.generic):
        stats = generic.prune(root, rec, md.title, stats, base)
        edges.prune_lead(root, rec, stats, md.title, md.byline, head)
        edges.cut_card_grids(root, rec, base, index=not md.declares_article)
        edges.cut_author_cards(root, rec, md.byline)
        edges.drop_end_headings(root, rec)
    images, content_html, article_text = _finish(root, base, rec, remote_images)
    if not own and md.article_body and len(article_text) < LD_BODY_SHORT:
        # An app shell (the article rendered by scripts): the JSON-LD body is the article.
        ld_root = _ld_body(md.article_body)
        if ld_root is not None and len(element_text(ld_root)) >= max(
            LD_BODY_MIN, 3 * len(article_text)
        ):
            images, content_html, article_text = _finish(ld_root, base, rec, remote_images)
            source = "json-ld"
    if own:
        cap = doc.find(".//figure[@class='cleaner-lead']/figcaption")
        md.lead_caption = element_text(cap) if cap is not None else None
    if md.lead_image and md.lead_image not in images and not remote_images:
        md.lead_image = None
    # The lead image (with its caption) heads the document when the body does not show it.
    show_lead = (
        bool(md.lead_image) and md.lead_image not in images and not is_tracker(md.lead_image or "")
    )
    if show_lead and md.lead_image:
        images = [md.lead_image, *images]
    result = CleanResult(
        html="",
        content_html=content_html,
        text=article_text,
        title=md.title,
        headline=head,
        byline=md.byline,
        published=md.published,
        lang=_language(md.lang, article_text),
        site_name=md.site_name,
        lead_image=md.lead_image,
        lead_caption=md.lead_caption,
        canonical=md.canonical,
        source_url=md.canonical or url,
        show_lead=show_lead,
        images=images,
        removals=rec.removals(),
        rules_digest=rules_digest(applied, ENGINE_VERSION),
        site_rule=site.id if site else None,
        content_source=source,
        encoding=decoded.encoding,
        next_page=next_page,
        warnings=warnings,
    )
    result.html = render_result(result)
    return result


def _finish(
    root: etree._Element, base: str | None, rec: Recorder, remote_images: bool
) -> tuple[list[str], str, str]:
    """The article root made safe: formulas as text, links and images resolved and checked,
    nh3's allow-list; returns its images, its HTML and its text."""
    # Formulas as HTML text (the reading document holds no MathML).
    linearize(root)
    resolve_links(root, base)
    images = url_policy(root, rec, remote_images)
    content_html, fragment_read = sanitize_fragment_tree(
        inner_html(root), remote_images=remote_images
    )
    content_html = content_html.strip()
    # (The sanitiser's own reading of its result, when it made one, saves parsing it again.)
    fragment = (
        fragment_read if fragment_read is not None else parse_fragment(content_html or "<p></p>")
    )
    # (On the sanitised fragment: the HTML parser closes a paragraph at a block inside it,
    # and what is left after that block can be a blank one.)
    if has_invisible(content_html) and _drop_blank_blocks(fragment, rec):
        content_html = sanitize_fragment(inner_html(fragment), remote_images=remote_images)
        content_html = content_html.strip()
        fragment = parse_fragment(content_html or "<p></p>")
    if len(images) != _count_images(fragment):
        # The sanitiser took some (a URL its filter refused, markup flattened): the images
        # are those the article shows, as they are when the document is cleaned again.
        images = list(dict.fromkeys(filter(None, (i.get("src") for i in fragment.iter("img")))))
    return images, content_html, to_text(fragment)


# Counts the <img> elements under a node.
_count_images = etree.XPath("count(.//img)")


# (Pages put format characters without a glyph in a paragraph of their own as spacing.)
_BLANK_TAGS = ("p", "div", "section", "h1", "h2", "h3", "h4", "h5", "h6")
_SHOWN_TAGS = (*edges.MEDIA_TAGS, "br", "hr")


def _drop_blank_blocks(root: etree._Element, rec: Recorder) -> bool:
    """Remove blocks under ``root`` whose text is only whitespace and invisible format
    characters, holding nothing else to show (a ``<p>&zwj;</p>`` spacer); True when any went.
    """
    removed: list[str] = []
    gone: set[etree._Element] = set()
    for el in list(root.iter(*_BLANK_TAGS)):
        if el is root:
            continue
        if el.getparent() in gone:
            gone.add(el)
            continue
        if BLANK_RE.fullmatch(raw_text(el)) and next(el.iter(*_SHOWN_TAGS), None) is None:
            removed.append(f"<{el.tag}>")
            gone.add(el)
            drop(el)
    rec.add(generic.RULE_ID, "empty block", "empty block", removed)
    return bool(removed)


# A page whose article comes out shorter than this (an app shell that scripts fill) takes
# its JSON-LD ``articleBody`` instead, when that says at least ``LD_BODY_MIN`` characters
# and three times as much.
LD_BODY_SHORT = 200
LD_BODY_MIN = 500
# An ``articleBody`` holding markup rather than text.
_MARKUP_RE = re.compile(r"<(?:p|br|div|h[1-6]|ul|ol|li|blockquote|figure|img)\b", re.IGNORECASE)


def _ld_body(body: str) -> etree._Element | None:
    """The article root made of a JSON-LD ``articleBody``: its markup, or its text with a
    paragraph per line; None when its markup cannot be parsed whole."""
    if not _MARKUP_RE.search(body):
        lines = [line.strip() for line in body.splitlines()]
        body = "".join(f"<p>{html.escape(line)}</p>" for line in lines if line)
    try:
        return parse_fragment(body)
    except ParseError:
        return None


def _language(declared: str | None, text: str) -> str | None:
    """The page's language: the markup's (kept with its region, "en-GB"), unless the
    article's words are clearly in another one (sites leave a template's "en" on pages in
    Indonesian); the words' language when the markup declares none."""
    guess = guess_language(text)
    if guess is None or (declared and declared.split("-")[0].lower() == guess):
        return declared
    return guess


def _canonical(doc: etree._Element) -> str | None:
    """The page's own canonical URL, used as the base when no URL was given: its canonical
    link, else its ``og:url`` (the metadata's canonical URL too, which the reading document
    gives as its canonical link: cleaning that again then has the same base)."""
    for link in doc.iter("link"):
        if (link.get("rel") or "").lower() == "canonical" and link.get("href"):
            href = http_url(str(link.get("href")), None)
            if href:
                return href
    return http_url(pick(meta_firsts(doc), "og:url"), None)
