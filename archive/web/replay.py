"""Replaying archived originals safely: payloads from the WARC, rewritten to stay offline.

The original page is served only as the document of a sandboxed frame, under
``Content-Security-Policy: sandbox`` (no ``allow-scripts``, no
``allow-same-origin``: it runs no script and has an opaque origin, so it can
neither read the reader's pages nor send same-origin requests to it) plus
``default-src 'none'`` with images, stylesheets and fonts allowed only from the
reader's own ``/replay/`` route.

The HTML is parsed and re-serialised with subresource URLs (``img``/``source``
``src`` and ``srcset``, stylesheet and icon links, ``poster``, CSS ``url()``)
pointing at ``/replay/RECORD`` when that URL is in the archive and removed
otherwise, so nothing is even attempted elsewhere. ``<base>`` and meta refresh
are removed; scripts are left in place for fidelity (the sandbox stops them).
Stylesheets get the same ``url()`` rewriting. Anything that is not HTML, CSS, an
image or a font is served as a download (``Content-Disposition: attachment``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from cleaner import CleanerError
from cleaner.actions import drop
from cleaner.parse import decode, parse_text

from ..payload import PayloadError, entity_body, header, http_parts
from ..store import Archive, ArchiveError

MAX_REWRITE = 8 * 1024 * 1024
MAX_BODY = 64 * 1024 * 1024
INLINE_TYPES = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "image/avif",
    "image/svg+xml",
    "image/x-icon",
    "image/vnd.microsoft.icon",
    "text/css",
    "font/woff",
    "font/woff2",
    "font/ttf",
    "font/otf",
    "application/font-woff",
)
HTML_TYPES = ("text/html", "application/xhtml+xml")
Marker = Callable[[etree._Element], list[etree._Element]]
MARK_STYLE = ";outline:4px solid #d4380d !important;outline-offset:2px;background:#fff1b8"
_CSS_URL_RE = re.compile(
    r"""url\(\s*(?:"([^"]*)"|'([^']*)'|([^)'"\s]*))\s*\)|@import\s+(?:"([^"]*)"|'([^']*)')""",
    re.IGNORECASE,
)


def sandbox_csp(origin: str) -> str:
    """The policy for replayed content: sandboxed, loading only from the replay route."""
    replay = f"{origin}/replay/"
    return (
        f"sandbox; default-src 'none'; img-src {replay} data:; style-src {replay} "
        f"'unsafe-inline'; font-src {replay} data:; script-src 'none'; form-action 'none'; "
        f"base-uri 'none'; frame-ancestors {origin}"
    )


@dataclass
class Payload:
    """A record's body ready to serve: bytes, media type, charset hint and source URL."""

    body: bytes
    mime: str
    content_type: str
    url: str


def load_payload(arc: Archive, record_id: int) -> Payload | None:
    """The decoded body of a response/revisit/resource record, or None if not servable."""
    row = arc.index.record(record_id)
    if row is None or row["type"] not in ("response", "revisit", "resource"):
        return None
    try:
        block, url = arc.response_block(record_id)
        if row["type"] == "resource":
            ctype = row["mime"] or "application/octet-stream"
            body = block[:MAX_BODY]
        else:
            _, headers, _ = http_parts(block)
            ctype = header(headers, "content-type") or "application/octet-stream"
            body = entity_body(block, MAX_BODY)
    except (ArchiveError, PayloadError):
        return None
    mime = ctype.split(";")[0].strip().lower()
    return Payload(body, mime, ctype, url)


def _record_for(arc: Archive, cache: dict[str, int | None], url: str) -> int | None:
    """The id of the latest archived response for ``url`` (memoised per page)."""
    if url not in cache:
        row = arc.index.latest_response(url)
        cache[url] = int(row["id"]) if row is not None else None
    return cache[url]


def _absolute(base: str, value: str) -> str | None:
    """An absolute http(s) URL for a reference in the page, or None."""
    try:
        url = urljoin(base, value.strip())
    except ValueError:
        return None
    return url.split("#")[0] if urlsplit(url).scheme in ("http", "https") else None


def rewrite_css(text: str, base: str, lookup: Callable[[str], str | None]) -> str:
    """Point ``url()`` and ``@import`` references at archived copies; blank the others."""

    def swap(m: re.Match[str]) -> str:
        """Rewrite one reference."""
        is_import = m.group(4) is not None or m.group(5) is not None
        raw = next(g for g in m.groups() if g is not None) if any(m.groups()) else ""
        if raw.startswith("data:"):
            return m.group(0)
        url = _absolute(base, raw)
        target = lookup(url) if url else None
        if target is None:
            return '@import ""' if is_import else "url()"
        return f'@import "{target}"' if is_import else f'url("{target}")'

    return _CSS_URL_RE.sub(swap, text)


def _srcset(value: str, base: str, lookup: Callable[[str], str | None]) -> str:
    """Rewrite a srcset, keeping only candidates that are archived."""
    out = []
    for cand in value.split(","):
        bits = cand.strip().split()
        if not bits:
            continue
        url = _absolute(base, bits[0])
        target = lookup(url) if url else None
        if target:
            out.append(" ".join([target, *bits[1:]]))
    return ", ".join(out)


_URL_ATTRS = {
    "img": ("src",),
    "source": ("src",),
    "video": ("poster",),
    "input": ("src",),
    "link": ("href",),
    "image": ("href", "xlink:href"),
    "use": ("href", "xlink:href"),
}
# Never loaded in replay (frames, media, plug-ins, scripts): the URL goes.
_DROP_ATTRS = {
    "iframe": ("src", "srcdoc"),
    "frame": ("src",),
    "embed": ("src",),
    "object": ("data",),
    "audio": ("src",),
    "video": ("src",),
    "track": ("src",),
    "script": ("src",),
    "applet": ("code", "archive"),
}


def rewrite_html(
    text: str,
    base: str,
    lookup: Callable[[str], str | None],
    marks: Marker | None = None,
) -> tuple[str, int]:
    """Rewrite an original page for offline replay; returns (html, number of marked elements)."""
    doc = parse_text(text)
    for el in list(doc.iter("base")):
        drop(el)
    for el in list(doc.iter("meta")):
        equiv = (el.get("http-equiv") or "").strip().lower()
        if equiv in ("refresh", "set-cookie", "content-type", "content-security-policy") or (
            el.get("charset") is not None
        ):
            drop(el)
    for el in doc.iter():
        if isinstance(el.tag, str):
            _rewrite_element(el, el.tag.lower(), base, lookup)
    marked = marks(doc) if marks else []
    for i, el in enumerate(marked):
        el.set("style", (el.get("style") or "") + MARK_STYLE)
        el.set("data-cleaner-removed", "")
        if i == 0:
            el.set("id", "cleaner-removed")
    head = doc.find("head")
    if head is not None:
        head.insert(0, etree.Element("meta", charset="utf-8"))
    html = etree.tostring(doc, encoding="unicode", method="html", doctype="<!DOCTYPE html>")
    return html, len(marked)


def _rewrite_element(
    el: etree._Element, tag: str, base: str, lookup: Callable[[str], str | None]
) -> None:
    """Point one element's subresource URLs at the replay route, or remove them."""
    for attr in _URL_ATTRS.get(tag, ()):
        value = el.get(attr)
        if value is None or value.strip().lower().startswith("data:"):
            continue
        rel = (el.get("rel") or "").lower().split()
        keep = tag != "link" or "stylesheet" in rel or "icon" in rel
        url = _absolute(base, value) if keep else None
        target = lookup(url) if url else None
        if target is None:
            del el.attrib[attr]
        else:
            el.set(attr, target)
    for attr in _DROP_ATTRS.get(tag, ()):
        if attr in el.attrib:
            del el.attrib[attr]
    for attr in ("srcset", "imagesrcset"):
        if el.get(attr) is not None:
            el.set(attr, _srcset(el.get(attr) or "", base, lookup))
    for attr in ("background", "ping", "lowsrc", "dynsrc", "longdesc", "data", "codebase"):
        if attr in el.attrib:
            del el.attrib[attr]
    style = el.get("style")
    if style and "url(" in style.lower():
        el.set("style", rewrite_css(style, base, lookup))
    if tag == "style" and el.text:
        el.text = rewrite_css(el.text, base, lookup)


def removal_matcher(selector: str) -> Marker | None:
    """Elements of an original page that a recorded removal most likely took, or None."""
    from cleaner.actions import MAX_MATCH_TEXT, element_text
    from cleaner.selectors import compile_css

    kind, _, expr = selector.partition(":")
    if kind in ("text", "regex") and expr:
        try:
            pattern = re.compile(expr) if kind == "regex" else None
        except re.error:
            return None

        def by_text(doc: etree._Element) -> list[etree._Element]:
            """The smallest blocks whose whole text matches."""
            body = doc.find("body")
            found: list[etree._Element] = []
            for el in (body if body is not None else doc).iter():
                if not isinstance(el.tag, str):
                    continue
                t = element_text(el)
                if not t or len(t) > MAX_MATCH_TEXT:
                    continue
                ok = pattern.search(t) if pattern else t.casefold() == expr.casefold()
                if ok:
                    found = [f for f in found if f not in el.iterancestors()]
                    found.append(el)
            return found[:50]

        return by_text
    try:
        xp = etree.XPath(expr) if kind == "xpath" else compile_css(selector)
    except Exception:
        return None

    def by_selector(doc: etree._Element) -> list[etree._Element]:
        """Elements the selector matches (invisible ones skipped)."""
        try:
            found = xp(doc)
        except etree.XPathError:
            return []
        skip = ("head", "script", "style", "meta", "link", "title", "noscript", "template")
        return [
            e
            for e in (found if isinstance(found, list) else [])
            if isinstance(e, etree._Element) and isinstance(e.tag, str) and e.tag not in skip
        ][:50]

    return by_selector


def page_html(
    arc: Archive,
    payload: Payload,
    marks: Marker | None = None,
) -> bytes:
    """The replay document for an HTML payload (rewritten when small enough to parse)."""
    cache: dict[str, int | None] = {}

    def lookup(url: str) -> str | None:
        """The replay URL of an archived subresource."""
        rid = _record_for(arc, cache, url)
        return f"/replay/{rid}" if rid is not None else None

    if len(payload.body) > MAX_REWRITE:
        return payload.body
    try:
        decoded = decode(payload.body, payload.content_type)
        html, _ = rewrite_html(decoded.text, payload.url, lookup, marks)
    except (CleanerError, etree.LxmlError, ValueError):
        return b"<!DOCTYPE html><p>This archived page could not be parsed for replay."
    return html.encode("utf-8")


def css_text(arc: Archive, payload: Payload) -> bytes:
    """A stylesheet with its references pointed at archived copies."""
    cache: dict[str, int | None] = {}

    def lookup(url: str) -> str | None:
        """The replay URL of an archived resource."""
        rid = _record_for(arc, cache, url)
        return f"/replay/{rid}" if rid is not None else None

    text = payload.body.decode("utf-8", "replace")
    return rewrite_css(text, payload.url, lookup).encode("utf-8")
