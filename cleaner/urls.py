"""What a URL on a page means, and whether we may keep it.

A URL is resolved against the page as a browser would read it, then refused
unless it ends up http(s) or mailto, means the same to Python and to a browser,
and stays out of the reader's own network (unless the page came from there).
Also here: which hosts are trackers, and the ``srcset`` syntax.
"""

from __future__ import annotations

import functools
import ipaddress
import re
import unicodedata
from urllib.parse import unquote, urljoin, urlsplit

from .errors import UrlError

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

# Separators (whitespace, as ``str.isspace`` has it, and commas), then one URL.
_SRCSET_URL_RE = re.compile(r"[\s,]*(\S*)")
_DESCRIPTOR_RE = re.compile(r"^(\d+(?:\.\d+)?|\.\d+)([wx])$", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.\-]*):")
# A URL with a scheme and an authority ("https://…"): absolute, whatever the base.
_AUTHORITY_RE = re.compile(r"[a-zA-Z][a-zA-Z0-9+.\-]*://")
_TAB_NEWLINE_RE = re.compile(r"[\t\n\r]")
_QUERY_START_RE = re.compile(r"[?#]")
_CONTROLS_RE = re.compile(r"[\x00-\x20\x7f]")
# An http(s) URL that urljoin and urlsplit take as it is: lower-case scheme, a plain ASCII
# host (no user-info, brackets, percent or other delimiters) with an optional port, a path
# without parameters (";"), and a query and fragment that are not empty when present.
_PLAIN_ABSOLUTE_RE = re.compile(
    r"https?://([A-Za-z0-9._~-]+)(?::([0-9]*))?(?:/[^?#;]*)?(?:\?[^#]+)?(?:#[\s\S]+)?\Z"
)
# Characters no host may hold once percent-decoded (WHATWG's forbidden domain code points,
# but ":" which only an IPv6 address keeps in ``hostname``).
_FORBIDDEN_HOST_RE = re.compile(r"[\x00-\x20#%/<>?@\[\\\]^|\x7f]")
# The largest port a URL can name (a browser's URL parser fails on more, as urlsplit does).
MAX_PORT = 65535
# URLs longer than this are checked without the caches (data: URLs can be megabytes).
CACHED_URL_CHARS = 2000


def check_url(url: str) -> None:
    """Raise ``UrlError`` for a URL Python cannot parse (an unclosed IPv6 bracket, a port
    out of range): everything the cleaner derives from a page's URL needs its parts."""
    try:
        urlsplit(url).port  # noqa: B018 (reading the port validates it)
    except ValueError as exc:
        raise UrlError(f"not a valid URL: {url!r} ({exc})") from None


def parses(url: str) -> bool:
    """True for a URL ``check_url`` accepts (a page's own links may not be one)."""
    try:
        check_url(url)
    except UrlError:
        return False
    return True


def site_of(netloc: str) -> str:
    """The site a host belongs to: its last two labels ("news.detik.com" is detik.com),
    three under a country's second-level domain ("republika.co.id", "bbc.co.uk")."""
    labels = netloc.lower().split(":")[0].rstrip(".").split(".")
    keep = 3 if len(labels) >= 3 and len(labels[-1]) == 2 and len(labels[-2]) <= 3 else 2
    return ".".join(labels[-keep:])


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


def srcset_best(srcset: str) -> str | None:
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


def _reaches_local(host: str | None, page_host: str | None) -> bool:
    """True when a URL on ``host`` would call into the reader's network from a page
    that did not come from there."""
    return is_local_host(host) and not is_local_host(page_host)


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


def absolute(value: str | None, base: str | None) -> str | None:
    """Resolve a URL against the page; None unless it ends up http(s) or mailto.

    The result must mean the same to Python and to a browser: an http(s) URL needs
    a host and no user-info (``https://news.example@evil.example/``). A URL into
    the reader's own network (localhost, private addresses) is refused unless the
    page itself came from there: an archived public page must not make the
    reader's browser, or the archiver fetching its images, call local services.
    """
    if not value:
        return None
    if len(value) > CACHED_URL_CHARS or (base is not None and len(base) > CACHED_URL_CHARS):
        return _resolve(value, base)
    return _resolve_cached(value, base)


def _resolve(value: str, base: str | None) -> str | None:
    """``absolute`` for a non-empty value."""
    value = _whatwg_slashes(value.strip())
    plain = _PLAIN_ABSOLUTE_RE.match(value)
    if plain is not None:
        # urljoin returns such a URL unchanged and its host is the plain netloc: skip the
        # parsing (the base is still parsed, as urljoin would, and may be refused).
        try:
            page_host = _page_host(base) if base else None
        except ValueError:
            return None
        if _reaches_local(plain.group(1).lower(), page_host):
            return None
        if plain.group(2) and int(plain.group(2)) > MAX_PORT:
            return None
        return _encode_controls(value)
    try:
        # (An absolute URL as it is: urljoin drops an empty query or fragment, "…/?", when
        # the base has the same scheme, and a browser keeps it.)
        out = urljoin(base, value) if base and not _AUTHORITY_RE.match(value) else value
        parts = urlsplit(out)
        scheme = parts.scheme.lower()
        host = parts.hostname
        parts.port  # noqa: B018 (raises ValueError for a port out of range)
        page_host = _page_host(base) if base else None
    except ValueError:
        return None
    if scheme == "mailto":
        return _encode_controls(out)
    if scheme not in URL_SCHEMES or not host or "@" in parts.netloc:
        return None
    if not _valid_host(host):
        return None
    if _reaches_local(host, page_host):
        return None
    return _encode_controls(out)


_resolve_cached = functools.lru_cache(maxsize=8192)(_resolve)


def http_url(value: str | None, base: str | None) -> str | None:
    """``absolute``, for an http(s) URL only (a canonical or lead image URL): None for any
    other."""
    out = absolute(value, base)
    return out if out and out.startswith(("http://", "https://")) and parses(out) else None


@functools.lru_cache(maxsize=256)
def _page_host(base: str) -> str | None:
    """The host of the page's URL (raises ValueError as urlsplit does)."""
    return urlsplit(base).hostname


@functools.lru_cache(maxsize=1024)
def _valid_host(host: str) -> bool:
    """True for a host a browser's URL parser takes, as nh3's does: percent-decoded, it
    holds no forbidden character ("upgrade>dpoints.com", "websites specifications") and a
    name that is not ASCII converts to one ("wðw.example", once written "w%C3%B0w.example"
    by libxml2, does; one holding U+FFFD does not). Python's parser takes them all."""
    if host.isascii() and "%" not in host:
        return _FORBIDDEN_HOST_RE.search(host) is None
    decoded = unquote(host, errors="replace")
    if _FORBIDDEN_HOST_RE.search(decoded):
        return False
    if ":" in decoded:
        return True  # an IPv6 address (checked as an address elsewhere)
    try:
        ascii_host = decoded.encode("idna").decode("ascii")
    except UnicodeError:
        return False
    # (Mapping can bring a forbidden character in: "f\u02dcnance" holds a space then.)
    return _FORBIDDEN_HOST_RE.search(ascii_host) is None


def _encode_controls(url: str) -> str:
    """Percent-encode control characters and spaces, as a browser's URL parser does."""
    return _CONTROLS_RE.sub(lambda m: f"%{ord(m.group()):02X}", url.strip("\x00 "))


def safe_image_url(url: str | None, base: str | None) -> str | None:
    """An image URL fit to load in the reading document (http(s), not local, no tracker)."""
    out = absolute(url, base)
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
