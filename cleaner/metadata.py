"""Article metadata: title, byline, date, language, site name, lead image, canonical URL.

Evidence is taken in order of reliability: the site rule's selectors, JSON-LD,
OpenGraph / article meta tags, ``<time>`` and microdata, then the page's text.
Dates come out as ISO 8601; Indonesian and English month names are understood.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .actions import element_text, norm_text
from .selectors import Selector

MONTHS = {
    "januari": 1,
    "january": 1,
    "jan": 1,
    "februari": 2,
    "february": 2,
    "pebruari": 2,
    "feb": 2,
    "peb": 2,
    "maret": 3,
    "march": 3,
    "mar": 3,
    "april": 4,
    "apr": 4,
    "mei": 5,
    "may": 5,
    "juni": 6,
    "june": 6,
    "jun": 6,
    "juli": 7,
    "july": 7,
    "jul": 7,
    "agustus": 8,
    "august": 8,
    "agu": 8,
    "agt": 8,
    "aug": 8,
    "september": 9,
    "sep": 9,
    "sept": 9,
    "oktober": 10,
    "october": 10,
    "okt": 10,
    "oct": 10,
    "november": 11,
    "nopember": 11,
    "nov": 11,
    "nop": 11,
    "desember": 12,
    "december": 12,
    "des": 12,
    "dec": 12,
}
ZONES = {"wib": 7, "wita": 8, "wit": 9, "utc": 0, "gmt": 0}

_ISO_RE = re.compile(
    r"(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_TEXT_DATE_RE = re.compile(
    r"(\d{1,2})\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?:\D{0,12}?(\d{1,2})[:.](\d{2})"
    r"(?:[:.](\d{2}))?\s*(WIB|WITA|WIT|UTC|GMT)?)?",
    re.IGNORECASE,
)
_TEXT_DATE_US_RE = re.compile(
    r"([A-Za-z]{3,9})\.?\s+(\d{1,2}),?\s+(\d{4})(?:\D{0,12}?(\d{1,2})[:.](\d{2})\s*([AaPp][Mm])?)?"
)
_NUMERIC_DATE_RE = re.compile(
    r"\b(\d{1,2})/(\d{1,2})/(\d{4})(?:\D{0,12}?(\d{1,2})[:.](\d{2})\s*(WIB|WITA|WIT)?)?",
    re.IGNORECASE,
)
_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")


@dataclass
class Metadata:
    """The metadata fields of a cleaned article."""

    title: str | None = None
    byline: str | None = None
    published: str | None = None
    lang: str | None = None
    site_name: str | None = None
    lead_image: str | None = None
    lead_caption: str | None = None
    canonical: str | None = None
    description: str | None = None


def _iso(
    y: int,
    mo: int,
    d: int,
    h: int | None = None,
    mi: int | None = None,
    s: int | None = None,
    tz: timezone | None = None,
) -> str | None:
    """Format date parts as ISO 8601 (date only when there is no time)."""
    try:
        if h is None:
            return datetime(y, mo, d).date().isoformat()
        return datetime(y, mo, d, h, mi or 0, s or 0, tzinfo=tz).isoformat()
    except ValueError:
        return None


def _tz(value: str | None) -> timezone | None:
    """Parse ``Z``, ``+07:00``, ``+0700`` or a WIB/WITA/WIT zone name."""
    if not value:
        return None
    v = value.strip()
    if v.upper() == "Z":
        return timezone.utc
    if v.lower() in ZONES:
        return timezone(timedelta(hours=ZONES[v.lower()]))
    m = re.match(r"([+-])(\d{2}):?(\d{2})", v)
    if not m:
        return None
    delta = timedelta(hours=int(m.group(2)), minutes=int(m.group(3)))
    return timezone(-delta if m.group(1) == "-" else delta)


def parse_date(text: str | None) -> str | None:
    """Parse an ISO, English or Indonesian date string to ISO 8601, or None."""
    if not text:
        return None
    text = norm_text(text)
    m = _ISO_RE.search(text)
    if m:
        y, mo, d = int(m.group(1)), int(m.group(2)), int(m.group(3))
        if m.group(4) is None:
            return _iso(y, mo, d)
        return _iso(
            y, mo, d, int(m.group(4)), int(m.group(5)), int(m.group(6) or 0), _tz(m.group(7))
        )
    for m in _TEXT_DATE_RE.finditer(text):
        month = MONTHS.get(m.group(2).lower())
        if month:
            h = int(m.group(4)) if m.group(4) else None
            return _iso(
                int(m.group(3)),
                month,
                int(m.group(1)),
                h,
                int(m.group(5)) if m.group(5) else None,
                int(m.group(6)) if m.group(6) else None,
                _tz(m.group(7)),
            )
    for m in _TEXT_DATE_US_RE.finditer(text):
        month = MONTHS.get(m.group(1).lower())
        if month:
            h = int(m.group(4)) if m.group(4) else None
            if h is not None and m.group(6):
                h = h % 12 + (12 if m.group(6).lower() == "pm" else 0)
            return _iso(
                int(m.group(3)), month, int(m.group(2)), h, int(m.group(5)) if m.group(5) else None
            )
    m = _NUMERIC_DATE_RE.search(text)
    if m:
        # Indonesian and most non-US sites write day/month/year.
        h = int(m.group(4)) if m.group(4) else None
        return _iso(
            int(m.group(3)),
            int(m.group(2)),
            int(m.group(1)),
            h,
            int(m.group(5)) if m.group(5) else None,
            None,
            _tz(m.group(6)),
        )
    return None


def _meta(doc: etree._Element, *names: str) -> str | None:
    """First non-empty ``<meta>`` content whose name/property/itemprop is one of ``names``."""
    wanted = {n.lower() for n in names}
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = el.get("content")
        if key in wanted and value and value.strip() and key not in found:
            found[key] = value.strip()
    for n in names:
        if n.lower() in found:
            return found[n.lower()]
    return None


def _jsonld_objects(doc: etree._Element) -> list[dict[str, object]]:
    """All JSON-LD objects of the page, flattened out of lists and ``@graph``."""
    out: list[dict[str, object]] = []
    for script in doc.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        try:
            data = json.loads((script.text or "").strip().rstrip(";"), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(out) < 50:
            item = stack.pop(0)
            if isinstance(item, list):
                stack.extend(item)
            elif isinstance(item, dict):
                out.append(item)
                graph = item.get("@graph")
                if isinstance(graph, list):
                    stack.extend(graph)
    return out


def _ld_article(objs: list[dict[str, object]]) -> dict[str, object]:
    """The JSON-LD object that describes the article, if any."""
    for obj in objs:
        types = obj.get("@type")
        names = types if isinstance(types, list) else [types]
        if any(
            isinstance(t, str) and (t.endswith("Article") or t in ("BlogPosting", "Report"))
            for t in names
        ):
            return obj
    return {}


def _ld_name(value: object) -> str | None:
    """A name from a JSON-LD string, Person/Organization object, or a list of them."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name")
        return name.strip() if isinstance(name, str) and name.strip() else None
    if isinstance(value, list):
        names = [n for n in (_ld_name(v) for v in value[:5]) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def _ld_image(value: object) -> str | None:
    """An image URL from a JSON-LD image value."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        return url if isinstance(url, str) else None
    if isinstance(value, list) and value:
        return _ld_image(value[0])
    return None


def _field(doc: etree._Element, sel: Selector | None, attrs: tuple[str, ...] = ()) -> str | None:
    """Text (or the first present attribute) of the first element a selector matches."""
    if sel is None:
        return None
    for el in sel.select(doc):
        for a in attrs:
            if el.get(a):
                return str(el.get(a)).strip()
        text = element_text(el)
        if text:
            return text
    return None


def clean_title(title: str, site_name: str | None) -> str:
    """Strip a trailing or leading " | Site Name" from a <title>."""
    parts = _TITLE_SEPARATORS.split(title)
    if len(parts) < 2:
        return title
    if site_name:
        sn = site_name.casefold()
        kept = [p for p in parts if sn not in p.casefold() and p.casefold() not in sn]
        if kept and len(kept) < len(parts):
            return " - ".join(kept) if len(kept) > 1 else kept[0]
    longest = max(parts, key=len)
    return longest if len(longest.split()) >= 3 else title


def _clean_byline(value: str | None) -> str | None:
    """Normalise a byline: drop "By"/"Oleh" prefixes and trailing dates."""
    if not value:
        return None
    v = norm_text(value)
    v = re.sub(r"^(by|oleh|penulis|reporter|written by)\s*:?\s+", "", v, flags=re.IGNORECASE)
    v = v.strip(" ,|-–—")
    if not v or len(v) > 120 or v.startswith(("http://", "https://")):
        return None
    return v


def extract(doc: etree._Element, url: str | None, fields: dict[str, Selector]) -> Metadata:
    """Collect metadata from the whole (uncleaned) document."""
    ld_objs = _jsonld_objects(doc)
    art = _ld_article(ld_objs)
    md = Metadata()
    md.site_name = (
        _meta(doc, "og:site_name", "application-name")
        or _ld_name(art.get("publisher"))
        or (urlsplit(url).hostname if url else None)
    )
    title = _field(doc, fields.get("title"))
    if not title:
        title = _meta(doc, "og:title", "twitter:title") or _ld_name(art.get("headline"))
    if not title:
        h1 = next((t for t in (element_text(h) for h in doc.iter("h1")) if t), None)
        title = h1
    if not title:
        t = next(doc.iter("title"), None)
        title = element_text(t) if t is not None else None
    md.title = clean_title(norm_text(title), md.site_name) if title else None
    md.byline = _clean_byline(
        _field(doc, fields.get("byline"))
        or _ld_name(art.get("author"))
        or _meta(doc, "author", "article:author", "dc.creator", "byl", "parsely-author")
        or _first_text(doc, "//*[@rel='author' or @itemprop='author']")
    )
    md.published = (
        parse_date(_field(doc, fields.get("date"), ("datetime", "content")))
        or parse_date(_str(art.get("datePublished")))
        or parse_date(
            _meta(
                doc,
                "article:published_time",
                "datePublished",
                "pubdate",
                "publishdate",
                "date",
                "dc.date",
                "dc.date.issued",
                "og:published_time",
                "content_PublishedDate",
                "publish-date",
            )
        )
        or parse_date(_first_attr(doc, "//time[@datetime]", "datetime"))
    )
    lead = (
        _field(doc, fields.get("lead_image"), ("src", "data-src", "content", "href"))
        or _meta(doc, "og:image", "og:image:url", "twitter:image")
        or _ld_image(art.get("image"))
    )
    md.lead_image = _absolute(lead, url)
    md.lead_caption = _field(doc, fields.get("lead_caption")) or _caption_of(doc, md.lead_image)
    html = doc if doc.tag == "html" else doc.getroottree().getroot()
    lang = (
        html.get("lang")
        or html.get("xml:lang")
        or _meta(doc, "content-language", "og:locale", "language")
    )
    md.lang = lang.strip().replace("_", "-")[:20] if lang and lang.strip() else None
    canon = _first_attr(doc, "//link[@rel='canonical'][@href]", "href") or _meta(doc, "og:url")
    md.canonical = _absolute(canon, url)
    md.description = _meta(doc, "description", "og:description")
    return md


def _caption_of(doc: etree._Element, src: str | None) -> str | None:
    """The caption of the page's <img> showing ``src``: its figcaption, else its alt text."""
    if not src:
        return None
    for img in doc.iter("img"):
        if img.get("src") != src:
            continue
        node = img.getparent()
        while node is not None and node.tag not in ("figure", "body"):
            node = node.getparent()
        if node is not None and node.tag == "figure":
            cap = node.find(".//figcaption")
            if cap is not None and element_text(cap):
                return element_text(cap)
        alt = norm_text(img.get("alt") or "")
        return alt or None
    return None


def _str(value: object) -> str | None:
    """The value if it is a string."""
    return value if isinstance(value, str) else None


def _first_text(doc: etree._Element, xpath: str) -> str | None:
    """Normalised text of the first XPath match."""
    for el in doc.xpath(xpath):
        t = element_text(el) or el.get("content")
        if t:
            return str(t)
    return None


def _first_attr(doc: etree._Element, xpath: str, attr: str) -> str | None:
    """An attribute of the first XPath match."""
    for el in doc.xpath(xpath):
        if el.get(attr):
            return str(el.get(attr))
    return None


def _absolute(value: str | None, base: str | None) -> str | None:
    """Resolve ``value`` against ``base``; keep only http(s) results."""
    if not value:
        return None
    try:
        out = urljoin(base or "", value.strip())
    except ValueError:
        return None
    return out if out.startswith(("http://", "https://")) else None
