"""Our URL policy on the lxml tree, before the allow-list sanitiser sees it.

Lazy-loaded images get their real, absolute source; links become absolute or
lose their ``href``; tracking pixels, and in offline output every remote image,
are dropped. libxml2's parsing quirks that would hide an image from the policy
(``<image>``, markup nested in HTML5 void elements) are undone first.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from lxml import etree

from .actions import Recorder, drop
from .textfind import needle_regex
from .urls import absolute, is_tracker, srcset_best

LAZY_ATTRS = (
    "data-src",
    "data-original",
    "data-lazy-src",
    "data-lazy",
    "data-url",
    "data-hi-res-src",
    "data-full-src",
    "data-orig-file",
    "data-actualsrc",
)
_PLACEHOLDER_RE = re.compile(
    r"(^data:)|blank\.|placeholder|lazy|loading|spacer|1x1|pixel\.|transparent|grey\.gif|"
    r"empty\.|default[-_]?image|no[-_]?image",
    re.IGNORECASE,
)
# _PLACEHOLDER_RE's alternatives as plain substrings of a lower-cased ASCII value.
_PLACEHOLDER_NEEDLES = (
    "blank.",
    "placeholder",
    "lazy",
    "loading",
    "spacer",
    "1x1",
    "pixel.",
    "transparent",
    "grey.gif",
    "empty.",
    "defaultimage",
    "default-image",
    "default_image",
    "noimage",
    "no-image",
    "no_image",
)
# The needles as one regex (a trie: one search instead of a test per needle).
_PLACEHOLDER_TRIE = needle_regex(_PLACEHOLDER_NEEDLES)
_STYLE_SIZE_RE = re.compile(
    r"(?:^|;)\s*(?:max-)?(?:width|height)\s*:\s*(\d+(?:\.\d+)?|\.\d+)(?:px)?\s*"
    r"(?:!important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_STYLE_HIDDEN_RE = re.compile(
    r"(?:^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden)", re.IGNORECASE
)
# Elements inside which an <image> is SVG's, not the HTML parser's alias of <img>.
_FOREIGN_ROOTS = ("svg", "math")
_HTML5_VOID_UNKNOWN_TO_LIBXML2 = ("source", "track", "wbr", "keygen")


def _is_placeholder(value: str) -> bool:
    """``_PLACEHOLDER_RE.search(value)``, by substring tests when the value is ASCII."""
    if not value.isascii():
        return _PLACEHOLDER_RE.search(value) is not None
    low = value.lower()
    return low.startswith("data:") or _PLACEHOLDER_TRIE.search(low) is not None


def _is_pixel(img: etree._Element) -> bool:
    """True for 1×1 (or 0-size, or hidden) images: tracking pixels."""
    for attr in ("width", "height"):
        v = (img.get(attr) or "").strip().lower().removesuffix("px").strip()
        try:
            if v and float(v) <= 1:
                return True
        except ValueError:
            continue
    style = img.get("style") or ""
    if _STYLE_HIDDEN_RE.search(style):
        return True
    return any(float(m.group(1)) <= 1 for m in _STYLE_SIZE_RE.finditer(style))


def resolve_image(img: etree._Element, base: str | None) -> str | None:
    """The real, absolute URL of an image, looking past lazy-loading placeholders."""
    # The first usable URL whose file name is no placeholder, else the first usable URL.
    fallback: str | None = None
    for c in _image_candidates(img):
        url = absolute(c, base)
        if url and url.startswith(("http://", "https://")):
            if not _is_placeholder(url.rsplit("/", 1)[-1]):
                return url
            if fallback is None:
                fallback = url
    return fallback


def _image_candidates(img: etree._Element) -> Iterator[str | None]:
    """An image's candidate URLs in order of preference, lazily (a ``srcset`` is parsed only
    when the URLs before it are of no use): ``src`` unless it is a placeholder, the lazy
    attributes, the ``srcset`` ones and a ``<picture>``'s sources, then a placeholder
    ``src``."""
    src = img.get("src")
    real_src = bool(src) and not _is_placeholder(src or "")
    if real_src:
        yield src
    for a in LAZY_ATTRS:
        yield img.get(a)
    for a in ("data-srcset", "data-lazy-srcset", "srcset"):
        if img.get(a):
            yield srcset_best(img.get(a) or "")
    parent = img.getparent()
    if parent is not None and parent.tag == "picture":
        for source in parent.iter("source"):
            if source.get("srcset") or source.get("data-srcset"):
                yield srcset_best(source.get("srcset") or source.get("data-srcset") or "")
    if not real_src:
        yield src


def _noscript_images(root: etree._Element, base: str | None) -> None:
    """Take the real image out of a ``<noscript>`` that holds only one: lazy loaders put a
    placeholder in the page (a blank GIF, a ``data:`` URI) and the image itself in a
    ``<noscript>`` after it, which goes with the other non-content elements. It takes the
    place of that placeholder (keeping the attributes it lacks, such as ``alt``), or of the
    ``<noscript>`` when no image comes before it; a placeholder whose lazy attributes name
    the real image already keeps it."""
    for noscript in list(root.iter("noscript")):
        imgs = list(noscript.iter("img"))
        if len(imgs) != 1 or "".join(noscript.itertext()).strip():
            continue
        real, holder = imgs[0], imgs[0].getparent()
        if holder is None or not (real.get("src") or real.get("srcset")):
            continue
        prev = noscript.getprevious()
        while prev is not None and not isinstance(prev.tag, str):
            prev = prev.getprevious()
        # (A <noscript> before it has its own image.)
        inner = (
            []
            if prev is None or prev.tag == "noscript"
            else [prev]
            if prev.tag == "img"
            else list(prev.iter("img"))
        )
        if not inner:
            holder.remove(real)
            real.tail = None
            noscript.addprevious(real)
            continue
        target = inner[0]
        place = target.getparent()
        if len(inner) > 1 or "".join(prev.itertext()).strip() or place is None:
            continue  # images or text before it that it cannot be told from
        found = resolve_image(target, base)
        if found and not _is_placeholder(found.rsplit("/", 1)[-1]):
            continue  # the lazy attributes already name the real image
        for name, value in target.attrib.items():
            if name in _RESOLVED_ATTRS or name == "src":
                continue
            try:
                if name not in real.attrib:
                    real.set(name, value)
            except ValueError:
                continue  # a name libxml2 read but lxml cannot make ('a"b'): not copied
        holder.remove(real)
        real.tail = target.tail
        place.replace(target, real)
        # A low-quality preview of the same picture beside it (Medium's blurred thumbnail,
        # ".../max/60/1*abc.png?q=20" for ".../max/3788/1*abc.png") goes.
        name = _file_name(real.get("src") or "")
        for other in list(place.iter("img")):
            if other is not real and name and _file_name(other.get("src") or "") == name:
                drop(other)


def _file_name(url: str) -> str:
    """The last path segment of a URL, without its query or fragment."""
    return url.split("#", 1)[0].split("?", 1)[0].rstrip("/").rsplit("/", 1)[-1]


def _html_image_aliases(root: etree._Element) -> None:
    """Rename HTML ``<image>`` to ``<img>``, as browsers' and nh3's parsers do, and AMP's
    ``<amp-img>``/``<amp-anim>`` to the ``<img>`` they stand for once AMP's script has run
    (their fallbacks and placeholders inside go).

    libxml2 keeps ``<image>`` as its own element, so without this the URL policy
    never saw it while nh3 turned it into an ``<img>``: a remote image or tracking
    pixel got through offline output. SVG's ``<image>`` is left alone (the whole
    ``<svg>`` is dropped).
    """
    for el in list(root.iter("image")):
        if not any(a.tag in _FOREIGN_ROOTS for a in el.iterancestors()):
            el.tag = "img"
    for amp in list(root.iter("amp-img", "amp-anim")):
        for kid in list(amp):
            amp.remove(kid)
        amp.text = None
        amp.tag = "img"


def _unnest_void_elements(root: etree._Element) -> None:
    """Move what libxml2 nested inside HTML5 void elements back after them.

    libxml2's HTML 4 parser does not know ``<source>``, ``<track>`` or ``<wbr>``
    are empty, so ``<picture><source …><img …></picture>`` became
    ``<source><img></source>``: the image hid inside the ``<source>`` the URL
    policy drops, and every ``<picture>`` image was lost. A browser makes the
    children following siblings; so do we, keeping all text in order.
    """
    for el in list(root.iter(*_HTML5_VOID_UNKNOWN_TO_LIBXML2)):
        parent = el.getparent()
        children = list(el)
        if parent is None or (not children and not el.text):
            continue
        text, el.text = el.text, None
        if not children:
            el.tail = (text or "") + (el.tail or "")
            continue
        last = children[-1]
        last.tail = (last.tail or "") + (el.tail or "")
        el.tail = text
        at = parent.index(el)
        for offset, child in enumerate(children, 1):
            parent.insert(at + offset, child)


def close_empty_items(root: etree._Element) -> None:
    """Give every empty ``<li>`` under ``root`` an empty text, so it keeps its end tag.

    libxml2 serialises an empty ``<li>`` without ``</li>``, so the text after it
    would move into the item when the reading document is cleaned again.
    """
    for li in root.iter("li"):
        if len(li) == 0 and not li.text:
            li.text = ""


# The attributes an image loses once its URL is resolved (in this order).
_RESOLVED_ATTRS = (*LAZY_ATTRS, "srcset", "data-srcset", "data-lazy-srcset", "sizes")


def resolve_urls(root: etree._Element, base: str | None, links: bool = True) -> None:
    """Resolve lazy images (and, unless ``links`` is false, make links absolute) in place."""
    _unnest_void_elements(root)
    _html_image_aliases(root)
    _noscript_images(root, base)
    for img in list(root.iter("img")):
        url = resolve_image(img, base)
        if url:
            img.set("src", url)
        elif "src" in img.attrib:
            del img.attrib["src"]
        present = set(img.keys()).intersection(_RESOLVED_ATTRS)
        if present:
            attrib = img.attrib
            for a in _RESOLVED_ATTRS:
                if a in present:
                    del attrib[a]
    if links:
        resolve_links(root, base)


def resolve_links(root: etree._Element, base: str | None) -> None:
    """Make every ``<a href>`` under ``root`` absolute, dropping ones our policy refuses;
    e-mail addresses a CDN hid from scripts-off readers first shown again."""
    cloaked: list[etree._Element] = []
    for a in root.iter("a"):
        href = a.get("href")
        if href is not None:
            if _CF_PATH in href:
                cloaked.append(a)
            else:
                _set_absolute(a, href, base)
    for a in cloaked:
        _show_cf_email(a, base)


def _set_absolute(a: etree._Element, href: str, base: str | None) -> None:
    """Give a link its absolute ``href``, or none when our policy refuses the URL."""
    url = absolute(href, base)
    if url:
        a.set("href", url)
    else:
        del a.attrib["href"]


# Cloudflare's e-mail protection: an address is served as ``[email protected]`` with the
# address XOR-encoded in ``data-cfemail`` (or after ``#`` in a link to the path below), and a
# script restores it; the reading document runs no script, so cleaning restores it.
_CF_PATH = "/cdn-cgi/l/email-protection"


def cf_decode(encoded: str) -> str | None:
    """A Cloudflare-protected e-mail address (hex: a key byte, then the address's UTF-8 bytes
    XOR the key); None when the value is not one."""
    try:
        data = bytes.fromhex(encoded)
    except ValueError:
        return None
    if len(data) < 2:
        return None
    key = data[0]
    try:
        text = bytes(b ^ key for b in data[1:]).decode("utf-8")
    except UnicodeDecodeError:
        return None
    return text if text.isprintable() else None


def _show_cf_email(a: etree._Element, base: str | None) -> None:
    """Undo Cloudflare's protection on one link to its decoder (what its script does): the
    address after ``#`` becomes a ``mailto:`` link, and a placeholder element (the link
    itself, or a ``<span>`` in its text) becomes the address, as text. A code that does not
    decode leaves the link as any other."""
    href = a.get("href") or ""
    found = cf_decode(href.partition("#")[2])
    if found is not None:
        a.set("href", f"mailto:{found}")
    else:
        _set_absolute(a, href, base)
    for el in [e for e in a.iter() if e.get("data-cfemail") is not None]:
        address = cf_decode(el.get("data-cfemail") or "")
        if address is not None:
            el.tail = address + (el.tail or "")
            drop(el)  # (its tail, now the address, stays in its place)


def _drop_image(img: etree._Element, boxes: dict[etree._Element, None]) -> None:
    """Drop an image, remembering the ``<figure>``/``<picture>`` boxes it leaves."""
    for anc in img.iterancestors("figure", "picture"):
        boxes[anc] = None
    drop(img)


def url_policy(root: etree._Element, rec: Recorder, remote_images: bool) -> list[str]:
    """Drop tracking pixels and (offline) remote images; return the kept image URLs."""
    images: list[str] = []
    pixels: list[str] = []
    offline: list[str] = []
    boxes: dict[etree._Element, None] = {}
    _html_image_aliases(root)
    for img in list(root.iter("img")):
        src = img.get("src")
        if not src or _is_pixel(img) or is_tracker(src):
            pixels.append(src or "<img>")
            _drop_image(img, boxes)
        elif not remote_images:
            offline.append(src)
            _drop_image(img, boxes)
        else:
            images.append(src)
    for el in list(root.iter("picture")):
        for s in list(el.iter("source")):
            drop(s)
    # A figure or picture whose image went, with no text left, is an empty box when read.
    # Only those: an empty box the page itself had is kept, so a second pass agrees.
    for box in reversed(list(boxes)):
        if (
            box is not root
            and box.getparent() is not None
            and box.find(".//img") is None
            and not "".join(box.itertext()).strip()
        ):
            drop(box)
    close_empty_items(root)
    rec.add(
        "builtin:safety",
        "tracking pixels and images without a source",
        "tracking pixel or unusable image",
        pixels,
    )
    rec.add("builtin:safety", "remote images", "offline output: image not stored locally", offline)
    return list(dict.fromkeys(images))
