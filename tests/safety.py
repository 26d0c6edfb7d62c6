"""Judge HTML the way a browser parses it: every script-capable construct and remote load.

``find_hazards(html)`` parses with html5lib (the WHATWG tree-construction
algorithm, so mis-nesting, entities, ``<noscript>`` and foreign content end up
where a browser puts them) and returns one description per hazard found.

What counts as a hazard, and why:

- elements that run script, embed another document, submit data or change how
  URLs resolve or the page refreshes: ``script``, ``iframe``, ``frame``,
  ``frameset``, ``object``, ``embed``, ``applet``, ``portal``, ``fencedframe``,
  ``form``, ``base``, ``link`` (except ``rel="canonical"``, which browsers never
  fetch; our reading document carries one), ``style`` (except exactly one in
  ``<head>``, identical to ``cleaner.render.STYLE`` and free of ``url(``, ``@import``,
  ``image-set(``, ``expression(`` and CSS escapes), ``meta`` with any
  ``http-equiv`` other than our own CSP (``cleaner.render.CSP``, in ``<head>``);
- any SVG or MathML element (foreign content: script, ``xlink:href``, animation of
  attributes, and the classic parser-differential mutations);
- attributes: every ``on*`` handler, ``srcdoc``, ``formaction``, ``action``,
  ``style``, ``ping`` (a POST on click), ``manifest`` (a fetch);
- URL attributes. *Load* attributes (``src``, ``srcset``, ``imagesrcset``,
  ``poster``, ``background``, ``lowsrc``, ``dynsrc``, ``data``, ``codebase``,
  ``archive``) are hazards when remote (a scheme other than ``data:``, or a
  protocol-relative ``//host``) or when ``data:`` is not an image.
  *Navigation* attributes (``href``, ``xlink:href``, ``action``, ``formaction``,
  ``cite``, ``longdesc``) are hazards with a ``javascript:``, ``vbscript:`` or
  ``data:`` scheme; ``cite``/``longdesc`` are never followed automatically or
  made clickable, but a script scheme there still means an unchecked URL got
  through. An ``<a>``/``<area>`` ``href`` must be http, https or mailto, and not
  point into the reader's own network;
- IE conditional comments (``<!--[if …]>``), which old engines execute as markup.

The document is parsed twice, with scripting on and off, because ``<noscript>``
content is markup in one and text in the other (both happen in real browsers).
URL schemes are read the way the URL parser reads them: leading and trailing C0
controls and spaces are stripped and tabs/newlines removed anywhere, so
``jav&#x09;ascript:`` is ``javascript:``. ``allow_remote_images`` accepts an
http(s) ``img[src]`` (content images the archive localises later); nothing else,
and never one into the reader's own network (localhost, loopback, private and
link-local addresses, in any of the IPv4 spellings browsers accept): that is a
request forgery against local services, not a content image.
"""

from __future__ import annotations

import contextlib
import ipaddress
import re
import socket
import unicodedata
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree as ET

import html5lib

from cleaner.render import CSP, STYLE

SCRIPT_ELEMENTS = frozenset(
    {
        "script",
        "iframe",
        "frame",
        "frameset",
        "object",
        "embed",
        "applet",
        "portal",
        "fencedframe",
        "form",
        "base",
    }
)
HANDLER_LIKE_ATTRS = frozenset({"srcdoc", "formaction", "action", "style", "ping", "manifest"})
LOAD_ATTRS = frozenset(
    {
        "src",
        "srcset",
        "imagesrcset",
        "poster",
        "background",
        "lowsrc",
        "dynsrc",
        "data",
        "codebase",
        "archive",
    }
)
NAV_ATTRS = frozenset({"href", "action", "formaction", "cite", "longdesc"})
# Attributes no browser reads as a URL: a "javascript:" in them is only text.
TEXT_ATTRS = frozenset(
    {
        "alt",
        "title",
        "lang",
        "dir",
        "class",
        "id",
        "name",
        "aria-label",
        "content",
        "value",
        "placeholder",
        "label",
        "datetime",
        "width",
        "height",
        "colspan",
        "rowspan",
        "scope",
        "start",
        "reversed",
        "rel",
        "type",
    }
)
LINK_SCHEMES = frozenset({"http", "https", "mailto"})
SCRIPT_SCHEMES = frozenset({"javascript", "vbscript", "data"})
CSS_HAZARD_RE = re.compile(
    r"url\(|@import|image-set\(|image\(|expression\(|-moz-binding|"
    r"behavior\s*:|\\",
    re.IGNORECASE,
)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+.\-]*):")
_STRIP = "".join(chr(c) for c in range(0x21))


def url_scheme(value: str) -> str | None:
    """The scheme a browser's URL parser sees in an attribute value (lower case), or None."""
    v = re.sub(r"[\t\n\r]", "", value.strip(_STRIP)).lower()
    m = _SCHEME_RE.match(v)
    return m.group(1) if m else None


def is_protocol_relative(value: str) -> bool:
    """True for ``//host/…`` (and the backslash forms browsers treat the same)."""
    v = re.sub(r"[\t\n\r]", "", value.strip(_STRIP))
    return len(v) >= 2 and v[0] in "/\\" and v[1] in "/\\"


def srcset_urls(value: str) -> list[str]:
    """The URLs of a ``srcset`` value, split at every comma (stricter than browsers)."""
    urls = []
    for candidate in value.split(","):
        parts = candidate.split()
        if parts:
            urls.append(parts[0])
    return urls


def _local(name: object) -> tuple[str, str]:
    """(namespace, local name) of an ElementTree tag or attribute name."""
    text = str(name)
    if text.startswith("{"):
        ns, _, local = text[1:].partition("}")
        return ns, local.lower()
    return "", text.lower()


def loads_from_local_network(url: str) -> bool:
    """True when an http(s) or ``//`` URL points into the reader's own network."""
    v = re.sub(r"[\t\n\r]", "", url.strip(_STRIP)).replace("\\", "/")
    try:
        host = urlsplit(v if url_scheme(v) else "http:" + v).hostname or ""
    except ValueError:
        return False
    host = unicodedata.normalize("NFKC", unquote(host)).replace("\u3002", ".")
    with contextlib.suppress(UnicodeError):  # nameprep drops soft hyphens, zero-widths (UTS 46)
        host = host.encode("idna").decode("ascii").lower()
    host = host.rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    try:
        ip = ipaddress.ip_address(host)
    except ValueError:
        try:  # inet_aton reads the legacy forms browsers accept: 127.1, 0x7f.1, 2130706433
            ip = ipaddress.ip_address(socket.inet_aton(host))
        except (OSError, ValueError):
            return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_private
        or ip.is_loopback
        or ip.is_link_local
        or ip.is_unspecified
        or ip.is_reserved
        or ip.is_multicast
    )


def _load_hazard(where: str, attr: str, url: str, allow_remote: bool) -> str | None:
    """Describe a hazard of one URL in a load attribute, or None."""
    scheme = url_scheme(url)
    remote = f"{where}: remote load via {attr}={url!r}"
    if scheme is None:
        if not is_protocol_relative(url):
            return None
        if loads_from_local_network(url):
            return f"{where}: load from the reader's own network via {attr}={url!r}"
        return None if allow_remote else remote
    if scheme == "data":
        body = re.sub(r"\s", "", url.split(":", 1)[1]).lower()
        return None if body.startswith("image/") else f"{where}: non-image data: URL in {attr}"
    if scheme in ("javascript", "vbscript"):
        return f"{where}: {scheme}: URL in {attr}"
    if scheme in ("http", "https") and loads_from_local_network(url):
        return f"{where}: load from the reader's own network via {attr}={url!r}"
    if scheme in ("http", "https") and allow_remote:
        return None
    return remote


def _attr_hazards(el: ET.Element, tag: str, allow_remote_images: bool) -> list[str]:
    """Hazards carried by one element's attributes."""
    out: list[str] = []
    where = f"<{tag}>"
    for raw_name, raw_value in el.attrib.items():
        ns, name = _local(raw_name)
        value = str(raw_value)
        if ":" in name and not ns:
            name = name.rsplit(":", 1)[1]
        if name.startswith("on"):
            out.append(f"{where}: event handler attribute {raw_name}")
            continue
        if name in HANDLER_LIKE_ATTRS:
            out.append(f"{where}: {name} attribute")
        if name in LOAD_ATTRS:
            allow = allow_remote_images and tag == "img" and name == "src"
            urls = srcset_urls(value) if name.endswith("srcset") else [value]
            for url in urls:
                h = _load_hazard(where, name, url, allow)
                if h:
                    out.append(h)
        if name not in NAV_ATTRS and name not in TEXT_ATTRS:
            scheme = url_scheme(value)
            if scheme in ("javascript", "vbscript"):
                out.append(f"{where}: {scheme}: URL in {raw_name}")
        if name in NAV_ATTRS:
            scheme = url_scheme(value)
            if tag in ("a", "area") and name == "href" and not ns:
                if scheme not in LINK_SCHEMES:
                    out.append(f"{where}: link href is not http/https/mailto: {value!r}")
                elif scheme != "mailto" and loads_from_local_network(value):
                    out.append(f"{where}: link into the reader's own network: {value!r}")
            elif scheme in SCRIPT_SCHEMES:
                out.append(f"{where}: {scheme}: URL in {raw_name}")
    return out


def _element_hazards(el: ET.Element, tag: str, in_head: bool, styles_in_head: int) -> list[str]:
    """Hazards of an element itself (not its attributes)."""
    where = f"<{tag}>"
    if tag in SCRIPT_ELEMENTS:
        return [f"{where}: script-capable or navigation-changing element"]
    if tag == "link":
        rel = (el.get("rel") or "").lower().split()
        if rel != ["canonical"]:
            return [f"{where}: link element rel={el.get('rel')!r} (may load a resource)"]
    if tag == "style":
        css = "".join(el.itertext())
        if not in_head or styles_in_head > 1 or css != STYLE:
            return [f"{where}: style element that is not our single head style"]
        if CSS_HAZARD_RE.search(css):
            return [f"{where}: style element with url(), @import or a CSS escape"]
    if tag == "meta":
        charset = el.get("charset")
        if charset is not None and charset.strip().lower() not in ("utf-8", "utf8"):
            return [f"{where}: charset={charset!r} (UTF-7 style charset tricks)"]
        equiv = (el.get("http-equiv") or "").strip().lower()
        if equiv == "content-security-policy":
            if not in_head or el.get("content") != CSP:
                return [f"{where}: a Content-Security-Policy that is not ours"]
        elif equiv:
            return [f"{where}: http-equiv={equiv!r} (refresh or header override)"]
    return []


def _parse(html: str, scripting: bool) -> ET.Element:
    """Parse like a browser with scripting on or off; the whole tree, comments included."""
    parser = html5lib.HTMLParser(
        tree=html5lib.getTreeBuilder("etree", fullTree=True), namespaceHTMLElements=False
    )
    return parser.parse(html, scripting=scripting)


def _tree_hazards(root: ET.Element, allow_remote_images: bool) -> list[str]:
    """Hazards in one parsed tree."""
    head = root.find("html/head")
    head_elements = set(head.iter()) if head is not None else set()
    styles_in_head = sum(1 for e in head_elements if e.tag == "style")
    hazards: list[str] = []
    for el in root.iter():
        if el.tag is ET.Comment:
            if (el.text or "").lstrip().lower().startswith("[if"):
                hazards.append("conditional comment (executed as markup by old engines)")
            continue
        if not isinstance(el.tag, str) or el.tag in ("DOCUMENT_ROOT", "<!DOCTYPE>"):
            continue
        ns, tag = _local(el.tag)
        if ns:
            hazards.append(f"<{tag}>: foreign (SVG/MathML) element in {ns}")
        in_head = el in head_elements
        hazards.extend(_element_hazards(el, tag, in_head, styles_in_head))
        hazards.extend(_attr_hazards(el, tag, allow_remote_images))
    return hazards


def find_hazards(html: str, *, allow_remote_images: bool = False) -> list[str]:
    """Describe every script-capable construct and remote load in ``html`` as a browser sees it."""
    found: dict[str, None] = {}
    for scripting in (True, False):
        for h in _tree_hazards(_parse(html, scripting), allow_remote_images):
            found[h] = None
    return list(found)
