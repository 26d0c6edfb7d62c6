"""The safety pass: our URL policy on the lxml tree, then nh3's allow-list sanitiser.

What leaves here can be opened offline without acting on the reader's machine:
no script, event handler, frame, object, embed, form, ``<base>``, meta refresh,
``srcdoc``, ``style`` (so no CSS ``url()``/``@import``), no link that is not
http(s)/mailto, no tracking pixel. nh3 (ammonia) does the allow-list; the URL
policy and image resolution it cannot do are done first, on the tree.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from collections.abc import Callable
from html import escape
from typing import Any, cast
from urllib.parse import unquote, urljoin, urlsplit

import nh3
from lxml import etree

from .actions import Recorder, drop
from .parse import fragment_div, html_parser

ALLOWED_TAGS = {
    "a",
    "abbr",
    "b",
    "blockquote",
    "br",
    "caption",
    "cite",
    "code",
    "dd",
    "del",
    "details",
    "dfn",
    "div",
    "dl",
    "dt",
    "em",
    "figcaption",
    "figure",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "hr",
    "i",
    "img",
    "ins",
    "kbd",
    "li",
    "mark",
    "ol",
    "p",
    "pre",
    "q",
    "s",
    "samp",
    "small",
    "span",
    "strong",
    "sub",
    "summary",
    "sup",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "time",
    "tr",
    "u",
    "ul",
    "var",
    "section",
    "article",
    "header",
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
    "doubleclick.net",
    "google-analytics.com",
    "googletagmanager.com",
    "googlesyndication.com",
    "scorecardresearch.com",
    "quantserve.com",
    "facebook.com",
    "facebook.net",
    "analytics.",
    "pixel.",
    "stats.",
    "adservice.",
    "amazon-adsystem.com",
    "taboola.com",
    "outbrain.com",
    "criteo.com",
    "adnxs.com",
    "chartbeat.",
    "hotjar.com",
    "mixpanel.com",
    "cxense.com",
    "yandex.ru/watch",
    "mc.yandex",
    "bat.bing.com",
    "t.co/i/adsct",
    "dable.io",
    "mgid.com",
)
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


def _is_placeholder(value: str) -> bool:
    """``_PLACEHOLDER_RE.search(value)``, by substring tests when the value is ASCII."""
    if not value.isascii():
        return _PLACEHOLDER_RE.search(value) is not None
    low = value.lower()
    return low.startswith("data:") or any(n in low for n in _PLACEHOLDER_NEEDLES)


_STYLE_SIZE_RE = re.compile(
    r"(?:^|;)\s*(?:max-)?(?:width|height)\s*:\s*(\d+(?:\.\d+)?|\.\d+)(?:px)?\s*"
    r"(?:!important\s*)?(?:;|$)",
    re.IGNORECASE,
)
_STYLE_HIDDEN_RE = re.compile(
    r"(?:^|;)\s*(display\s*:\s*none|visibility\s*:\s*hidden)", re.IGNORECASE
)
# Separators (whitespace, as ``str.isspace`` has it, and commas), then one URL.
_SRCSET_URL_RE = re.compile(r"[\s,]*(\S*)")
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
_DESCRIPTOR_RE = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)([wx])$", re.IGNORECASE)
# Elements inside which an <image> is SVG's, not the HTML parser's alias of <img>.
_FOREIGN_ROOTS = ("svg", "math")
_HTML5_VOID_UNKNOWN_TO_LIBXML2 = ("source", "track", "wbr", "keygen")


def srcset_candidates(srcset: str) -> list[tuple[str, str]]:
    """Split a ``srcset`` value into (url, descriptor) pairs, as the HTML spec does.

    A URL is a run of non-whitespace (so it may contain commas, as CDN URLs like
    ``…/w_300,h_200/x.jpg`` do); trailing commas end it; descriptors run to the
    next comma.
    """
    out: list[tuple[str, str]] = []
    pos, n = 0, len(srcset)
    match = _SRCSET_URL_RE.match
    while True:
        m = match(srcset, pos)
        url = m.group(1)  # type: ignore[union-attr]  # the pattern matches everywhere
        if not url:
            break
        pos = m.end()  # type: ignore[union-attr]
        descriptor = ""
        if url.endswith(","):
            url = url.rstrip(",")
        else:
            end = srcset.find(",", pos)
            end = n if end < 0 else end
            descriptor = srcset[pos:end].strip()
            pos = end
        if url:
            out.append((url, descriptor))
    return out


def _srcset_best(srcset: str) -> str | None:
    """Pick the largest candidate of a ``srcset`` value (widths beat densities)."""
    best_key: tuple[int, float] = (-1, 0.0)
    best: str | None = None
    for url, descriptor in srcset_candidates(srcset):
        m = _DESCRIPTOR_RE.match(descriptor.split()[0]) if descriptor else None
        key = (1 if m.group(2).lower() == "w" else 0, float(m.group(1))) if m else (0, 1.0)
        if key > best_key:
            best_key, best = key, url
    return best


def _whatwg_ipv4(host: str) -> ipaddress.IPv4Address | None:
    """Parse a host as browsers parse IPv4 (``127.1``, ``0x7f.0.0.1``, ``2130706433``)."""
    parts = host.split(".")
    if parts and parts[-1] == "":
        parts.pop()
    if not parts or len(parts) > 4:
        return None
    numbers = []
    for part in parts:
        base, digits = 10, part
        if part[:2].lower() == "0x":
            base, digits = 16, part[2:] or "0"
        elif len(part) > 1 and part.startswith("0"):
            base, digits = 8, part[1:]
        try:
            numbers.append(int(digits, base))
        except ValueError:
            return None
        if not (digits.isascii() and digits.isalnum()):
            return None
    *head, last = numbers
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(numbers)):
        return None
    value = last
    for i, n in enumerate(head):
        value += n * 256 ** (3 - i)
    return ipaddress.IPv4Address(value)


def _host_name(host: str) -> str:
    """A host as a browser's URL parser maps it (percent-decoding, IDNA/UTS 46-ish mapping)."""
    name = unquote(host).strip("[]").lower()
    try:
        ipaddress.ip_address(name)
        return name
    except ValueError:
        pass
    try:
        # Python's IDNA codec applies nameprep: NFKC, case folding, dropping soft hyphens
        # and zero-width characters, and splitting on the ideographic full stops.
        name = name.encode("idna").decode("ascii").lower()
    except UnicodeError:
        name = unicodedata.normalize("NFKC", name).replace("\u3002", ".")
    return name.rstrip(".")


def is_local_host(host: str | None) -> bool:
    """True for hosts in the reader's own network: localhost, loopback, private, link-local."""
    if not host:
        return False
    return _is_local_host(host)


@functools.lru_cache(maxsize=4096)
def _is_local_host(host: str) -> bool:
    """is_local_host for a non-empty host (cached: a page names few hosts many times)."""
    if _is_plain_domain(host):
        return False
    name = _host_name(host)
    if name == "localhost" or name.endswith(".localhost"):
        return True
    ip: ipaddress.IPv4Address | ipaddress.IPv6Address | None
    try:
        ip = ipaddress.ip_address(name)
    except ValueError:
        ip = _whatwg_ipv4(name)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip is not None and (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_reserved
        or ip.is_multicast
    )


def _is_plain_domain(host: str) -> bool:
    """True for an ASCII domain name that cannot be an IP address (its last label is no
    number in any base) nor localhost: not local, without IDNA or address parsing."""
    name = host.lower()
    if not name.isascii() or any(c in name for c in "%:[]"):
        return False
    name = name.rstrip(".")
    if name == "localhost" or name.endswith(".localhost"):
        return False
    last = name.rsplit(".", 1)[-1]
    return any(c not in "0123456789abcdefx" for c in last)


def _whatwg_slashes(value: str) -> str:
    """Read a URL as browsers do: no tabs/newlines; ``\\`` is ``/`` before the query.

    Python's URL parser takes ``http://127.0.0.1\\@example.test/`` to be on
    example.test; a browser loads it from 127.0.0.1.
    """
    if "\t" in value or "\n" in value or "\r" in value:
        value = _TAB_NEWLINE_RE.sub("", value)
    if "\\" not in value:
        return value
    m = _SCHEME_RE.match(value)
    if m and m.group(1).lower() not in ("http", "https"):
        return value
    end = len(value) if (cut := _QUERY_START_RE.search(value)) is None else cut.start()
    return value[:end].replace("\\", "/") + value[end:]


_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")
_QUERY_START_RE = re.compile(r"[?#]")
# URLs longer than this are resolved without the cache (data: URLs can be megabytes).
_CACHED_URL_CHARS = 2000


def _absolute(value: str | None, base: str | None) -> str | None:
    """Resolve a URL against the page; None unless it ends up http(s) or mailto.

    The result must mean the same to Python and to a browser: an http(s) URL needs
    a host and no user-info (``https://news.example@evil.example/``). A URL into
    the reader's own network (localhost, private addresses) is refused unless the
    page itself came from there: an archived public page must not make the
    reader's browser, or the archiver fetching its images, call local services.
    """
    if not value:
        return None
    if len(value) > _CACHED_URL_CHARS or (base is not None and len(base) > _CACHED_URL_CHARS):
        return _resolve(value, base)
    return _resolve_cached(value, base)


def _resolve(value: str, base: str | None) -> str | None:
    """``_absolute`` for a non-empty value."""
    value = _whatwg_slashes(value.strip())
    plain = _PLAIN_ABSOLUTE_RE.match(value)
    if plain is not None:
        # urljoin returns such a URL unchanged and its host is the plain netloc: skip the
        # parsing (the base is still parsed, as urljoin would, and may be refused).
        try:
            page_host = _page_host(base) if base else None
        except ValueError:
            return None
        host = plain.group(1).lower()
        if is_local_host(host) and not is_local_host(page_host):
            return None
        return _encode_controls(value)
    try:
        out = urljoin(base or "", value) if base else value
        parts = urlsplit(out)
        scheme = parts.scheme.lower()
        host = parts.hostname
        page_host = urlsplit(base).hostname if base else None
    except ValueError:
        return None
    if scheme == "mailto":
        return _encode_controls(out)
    if scheme not in URL_SCHEMES or not host or "@" in parts.netloc:
        return None
    if is_local_host(host) and not is_local_host(page_host):
        return None
    return _encode_controls(out)


_resolve_cached = functools.lru_cache(maxsize=8192)(_resolve)
# An http(s) URL that urljoin and urlsplit take as it is: lower-case scheme, a plain ASCII
# host (no user-info, brackets, percent or other delimiters) with an optional port, a path
# without parameters (";"), and a query and fragment that are not empty when present.
_PLAIN_ABSOLUTE_RE = re.compile(
    r"https?://([A-Za-z0-9._~-]+)(?::[0-9]*)?(?:/[^?#;]*)?(?:\?[^#]+)?(?:#[\s\S]+)?\Z"
)


@functools.lru_cache(maxsize=256)
def _page_host(base: str) -> str | None:
    """The host of the page's URL (raises ValueError as urlsplit does)."""
    return urlsplit(base).hostname


_CONTROLS_RE = re.compile(r"[\x00-\x20\x7f]")


def _encode_controls(url: str) -> str:
    """Percent-encode control characters and spaces, as a browser's URL parser does."""
    return _CONTROLS_RE.sub(lambda m: f"%{ord(m.group()):02X}", url.strip("\x00 "))


def safe_image_url(url: str | None, base: str | None) -> str | None:
    """An image URL fit to load in the reading document (http(s), not local, no tracker)."""
    out = _absolute(url, base)
    if not out or not out.startswith(("http://", "https://")) or is_tracker(out):
        return None
    return out


def is_tracker(url: str) -> bool:
    """True for URLs on known tracking/advertising hosts."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return True
    host_path = (parts.hostname or "") + parts.path
    return any(t in host_path for t in TRACKER_HOSTS)


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
    candidates = [img.get(a) for a in LAZY_ATTRS]
    for a in ("data-srcset", "data-lazy-srcset", "srcset"):
        if img.get(a):
            candidates.append(_srcset_best(img.get(a) or ""))
    parent = img.getparent()
    if parent is not None and parent.tag == "picture":
        for source in parent.iter("source"):
            if source.get("srcset") or source.get("data-srcset"):
                candidates.append(
                    _srcset_best(source.get("srcset") or source.get("data-srcset") or "")
                )
    src = img.get("src")
    if src and not _is_placeholder(src):
        candidates.insert(0, src)
    else:
        candidates.append(src)
    for c in candidates:
        url = _absolute(c, base)
        if (
            url
            and url.startswith(("http://", "https://"))
            and not _is_placeholder(url.rsplit("/", 1)[-1])
        ):
            return url
    for c in candidates:
        url = _absolute(c, base)
        if url and url.startswith(("http://", "https://")):
            return url
    return None


def _html_image_aliases(root: etree._Element) -> None:
    """Rename HTML ``<image>`` to ``<img>``, as browsers' and nh3's parsers do.

    libxml2 keeps ``<image>`` as its own element, so without this the URL policy
    never saw it while nh3 turned it into an ``<img>``: a remote image or tracking
    pixel got through offline output. SVG's ``<image>`` is left alone (the whole
    ``<svg>`` is dropped).
    """
    for el in list(root.iter("image")):
        if not any(a.tag in _FOREIGN_ROOTS for a in el.iterancestors()):
            el.tag = "img"


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


def resolve_urls(root: etree._Element, base: str | None, links: bool = True) -> None:
    """Resolve lazy images (and, unless ``links`` is false, make links absolute) in place."""
    _unnest_void_elements(root)
    _html_image_aliases(root)
    for img in list(root.iter("img")):
        url = resolve_image(img, base)
        if url:
            img.set("src", url)
        elif "src" in img.attrib:
            del img.attrib["src"]
        for a in (*LAZY_ATTRS, "srcset", "data-srcset", "data-lazy-srcset", "sizes"):
            if a in img.attrib:
                del img.attrib[a]
    if links:
        resolve_links(root, base)


def resolve_links(root: etree._Element, base: str | None) -> None:
    """Make every ``<a href>`` under ``root`` absolute, dropping ones our policy refuses."""
    for a in root.iter("a"):
        href = a.get("href")
        if href is not None:
            url = _absolute(href, base)
            if url:
                a.set("href", url)
            else:
                del a.attrib["href"]


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
    # libxml2 serialises an empty <li> without its end tag, so the text after it would
    # move into the item when the reading document is cleaned again; "" forces "</li>".
    for li in root.iter("li"):
        if len(li) == 0 and not li.text:
            li.text = ""
    rec.add(
        "builtin:safety",
        "tracking pixels and images without a source",
        "tracking pixel or unusable image",
        pixels,
    )
    rec.add("builtin:safety", "remote images", "offline output: image not stored locally", offline)
    return list(dict.fromkeys(images))


def _attribute_filter(tag: str, attr: str, value: str) -> str | None:
    """nh3 callback: final URL check on every surviving URL attribute."""
    if attr in ("href", "src"):
        check = _url_allowed if len(value) > _CACHED_URL_CHARS else _url_allowed_cached
        return value if check(tag == "img", value) else None
    return value


def _url_allowed(img: bool, value: str) -> bool:
    """``_attribute_filter``'s verdict on one URL (cached: both allow-list passes see it)."""
    try:
        scheme = urlsplit(value.strip()).scheme.lower()
    except ValueError:
        return False
    if img and (scheme not in ("http", "https") or is_tracker(value)):
        return False
    return scheme in URL_SCHEMES


_url_allowed_cached = functools.lru_cache(maxsize=4096)(_url_allowed)


def _allow_list_options(remote_images: bool) -> dict[str, Any]:
    """nh3's options: our tags, attributes and URL filter."""
    return {
        "tags": ALLOWED_TAGS if remote_images else ALLOWED_TAGS - {"img"},
        "attributes": ALLOWED_ATTRS,
        "url_schemes": URL_SCHEMES,
        "strip_comments": True,
        "link_rel": "noopener noreferrer nofollow",
        "attribute_filter": _attribute_filter,
        "clean_content_tags": {
            "script",
            "style",
            "template",
            "noscript",
            "iframe",
            "object",
            "textarea",
            "select",
            "svg",
            "math",
            "noembed",
            "noframes",
            "xmp",
            "title",
        },
    }


@functools.lru_cache(maxsize=2)
def _cleaner(remote_images: bool) -> Callable[[str], str]:
    """A reusable nh3 sanitiser (nh3 ≥ 0.3 ``Cleaner``: the options are converted once,
    not on every call), else ``nh3.clean`` with the options."""
    options = _allow_list_options(remote_images)
    reusable = getattr(nh3, "Cleaner", None)
    if reusable is not None:
        return cast(Callable[[str], str], reusable(**options).clean)
    return functools.partial(nh3.clean, **options)


def _allow_list(html: str, remote_images: bool) -> str:
    """One nh3 pass with our tags, attributes and URL filter."""
    return _cleaner(remote_images)(html)


def _as_libxml2_reads_it(html: str) -> str | None:
    """Re-serialise a fragment the way libxml2 nests it; None if it cannot be done losslessly."""
    parser = html_parser(huge_tree=True)
    try:
        root = fragment_div(html.encode("utf-8"), parser)
    except (etree.LxmlError, ValueError):
        return None
    if any(
        e.type_name == "ERR_RESOURCE_LIMIT" or "depth" in e.message.lower()
        for e in parser.error_log
    ):
        return None
    for li in root.iter("li"):
        if len(li) == 0 and not li.text:
            li.text = ""
    parts = [escape(root.text or "", quote=False)]
    parts.extend(etree.tostring(c, encoding="unicode", method="html", with_tail=True) for c in root)
    return "".join(parts)


def sanitize_fragment(html: str, *, remote_images: bool = True) -> str:
    """Run the allow-list sanitiser over an HTML fragment.

    ``remote_images=False`` removes every ``<img>`` here too, whatever the URL
    policy let through: a parser difference between lxml and nh3 cannot then
    bring a remote load back into offline output.

    nh3 (html5ever) and libxml2, which parses the reading document when it is
    cleaned again, nest some markup differently (``<a><table>``: html5ever keeps
    the table in the link, libxml2 closes the link first). The output is settled
    into libxml2's nesting and allow-listed again, so ``clean(clean(x)) ==
    clean(x)``.
    """
    first = _allow_list(html, remote_images)
    settled = _as_libxml2_reads_it(first)
    return first if settled is None else _allow_list(settled, remote_images)
