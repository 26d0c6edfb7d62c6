"""The safety pass: our URL policy on the lxml tree, then nh3's allow-list sanitiser.

What leaves here can be opened offline without acting on the reader's machine:
no script, event handler, frame, object, embed, form, ``<base>``, meta refresh,
``srcdoc``, ``style`` (so no CSS ``url()``/``@import``), no link that is not
http(s)/mailto, no tracking pixel. nh3 (ammonia) does the allow-list; the URL
policy and image resolution it cannot do are done first, on the tree.
"""

from __future__ import annotations

import re
from urllib.parse import urljoin, urlsplit

import nh3
from lxml import etree

from .actions import Recorder, drop

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "dd", "del", "details",
    "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5",
    "h6", "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp",
    "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
    "thead", "time", "tr", "u", "ul", "var", "section", "article", "header",
}
ALLOWED_ATTRS = {
    "*": {"lang", "dir", "title"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start", "reversed"},
    "time": {"datetime"},
}
URL_SCHEMES = {"http", "https", "mailto"}

TRACKER_HOSTS = (
    "doubleclick.net", "google-analytics.com", "googletagmanager.com", "googlesyndication.com",
    "scorecardresearch.com", "quantserve.com", "facebook.com", "facebook.net", "analytics.",
    "pixel.", "stats.", "adservice.", "amazon-adsystem.com", "taboola.com", "outbrain.com",
    "criteo.com", "adnxs.com", "chartbeat.", "hotjar.com", "mixpanel.com", "cxense.com",
    "yandex.ru/watch", "mc.yandex", "bat.bing.com", "t.co/i/adsct", "dable.io", "mgid.com",
)
LAZY_ATTRS = ("data-src", "data-original", "data-lazy-src", "data-lazy", "data-url",
              "data-hi-res-src", "data-full-src", "data-orig-file", "data-actualsrc")
_PLACEHOLDER_RE = re.compile(
    r"(^data:)|blank\.|placeholder|lazy|loading|spacer|1x1|pixel\.|transparent|grey\.gif|"
    r"empty\.|default[-_]?image|no[-_]?image", re.IGNORECASE)
_SRCSET_ITEM_RE = re.compile(r"\s*(\S+?)(?:\s+([\d.]+)([wx]))?\s*(?:,|$)")


def _srcset_best(srcset: str) -> str | None:
    """Pick the largest candidate of a ``srcset`` value."""
    best: tuple[float, str] | None = None
    for m in _SRCSET_ITEM_RE.finditer(srcset):
        url = m.group(1)
        if not url:
            continue
        size = float(m.group(2)) if m.group(2) else 1.0
        if best is None or size > best[0]:
            best = (size, url)
    return best[1] if best else None


def _absolute(value: str | None, base: str | None) -> str | None:
    """Resolve a URL against the page; None unless it ends up http(s) or mailto."""
    if not value:
        return None
    value = value.strip()
    try:
        out = urljoin(base or "", value) if base else value
        scheme = urlsplit(out).scheme.lower()
    except ValueError:
        return None
    return out if scheme in URL_SCHEMES else None


def is_tracker(url: str) -> bool:
    """True for URLs on known tracking/advertising hosts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    host_path = (parts.hostname or "") + parts.path
    return any(t in host_path for t in TRACKER_HOSTS)


def _is_pixel(img: etree._Element) -> bool:
    """True for 1×1 (or 0-size) images: tracking pixels."""
    for attr in ("width", "height"):
        v = (img.get(attr) or "").strip().rstrip("px")
        if v.isdigit() and int(v) <= 1:
            return True
    style = (img.get("style") or "").replace(" ", "").lower()
    return "width:1px" in style or "height:1px" in style or "display:none" in style


def resolve_image(img: etree._Element, base: str | None) -> str | None:
    """The real, absolute URL of an image, looking past lazy-loading placeholders."""
    candidates = [img.get(a) for a in LAZY_ATTRS]
    for a in ("data-srcset", "data-lazy-srcset", "srcset"):
        if img.get(a):
            candidates.append(_srcset_best(img.get(a) or ""))
    parent = img.getparent()
    if parent is not None and parent.tag == "picture":
        for source in parent.iter("source"):
            if source.get("srcset") or source.get("data-srcset"):
                candidates.append(_srcset_best(source.get("srcset") or source.get("data-srcset")
                                               or ""))
    src = img.get("src")
    if src and not _PLACEHOLDER_RE.search(src):
        candidates.insert(0, src)
    else:
        candidates.append(src)
    for c in candidates:
        url = _absolute(c, base)
        if url and url.startswith(("http://", "https://")) and not _PLACEHOLDER_RE.search(
                url.rsplit("/", 1)[-1]):
            return url
    for c in candidates:
        url = _absolute(c, base)
        if url and url.startswith(("http://", "https://")):
            return url
    return None


def resolve_urls(root: etree._Element, base: str | None) -> None:
    """Make links absolute and resolve lazy images, on the whole document, in place."""
    for img in list(root.iter("img")):
        url = resolve_image(img, base)
        if url:
            img.set("src", url)
        elif "src" in img.attrib:
            del img.attrib["src"]
        for a in (*LAZY_ATTRS, "srcset", "data-srcset", "data-lazy-srcset", "sizes"):
            if a in img.attrib:
                del img.attrib[a]
    for a in root.iter("a"):
        href = a.get("href")
        if href is not None:
            url = _absolute(href, base)
            if url:
                a.set("href", url)
            else:
                del a.attrib["href"]


def url_policy(root: etree._Element, rec: Recorder, remote_images: bool) -> list[str]:
    """Drop tracking pixels and (offline) remote images; return the kept image URLs."""
    images: list[str] = []
    pixels: list[str] = []
    offline: list[str] = []
    for img in list(root.iter("img")):
        src = img.get("src")
        if not src or _is_pixel(img) or is_tracker(src):
            pixels.append(src or "<img>")
            drop(img)
        elif not remote_images:
            offline.append(src)
            drop(img)
        else:
            images.append(src)
    for el in list(root.iter("picture")):
        for s in list(el.iter("source")):
            drop(s)
    rec.add("builtin:safety", "tracking pixels and images without a source",
            "tracking pixel or unusable image", pixels)
    rec.add("builtin:safety", "remote images", "offline output: image not stored locally",
            offline)
    return list(dict.fromkeys(images))


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """nh3 callback: final URL check on every surviving URL attribute."""
    if attr in ("href", "src"):
        try:
            scheme = urlsplit(value.strip()).scheme.lower()
        except ValueError:
            return None
        if tag == "img" and scheme not in ("http", "https"):
            return None
        if scheme not in URL_SCHEMES:
            return None
    return value


def sanitize_fragment(html: str) -> str:
    """Run the allow-list sanitiser over an HTML fragment."""
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRS,
        url_schemes=URL_SCHEMES,
        strip_comments=True,
        link_rel="noopener noreferrer nofollow",
        attribute_filter=_attribute_filter,
        clean_content_tags={"script", "style", "template", "noscript", "iframe", "object",
                            "textarea", "select", "svg", "math", "noembed", "noframes",
                            "xmp", "title"},
    )
