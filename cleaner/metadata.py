"""Article metadata: title, byline, date, language, site name, lead image, canonical URL.

Evidence is taken in order of reliability: the site rule's selectors, JSON-LD,
OpenGraph / article meta tags, ``<time>`` and microdata, then the page's text.
Dates come out as ISO 8601; Indonesian and English month names are understood.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from html import unescape
from urllib.parse import urljoin, urlsplit

from lxml import etree

from .actions import element_text, norm_text
from .dates import parse_date
from .selectors import Selector

__all__ = ["Metadata", "article_title", "extract", "parse_date"]

_TITLE_SEPARATORS = re.compile(r"\s+[|\-–—:»·]\s+")
# Mozilla Readability's meta vocabulary: ``property`` may list several values, ``name`` one.
_PROPERTY_RE = re.compile(
    r"\s*(article|dc|dcterm|og|twitter)\s*:\s*"
    r"(author|creator|description|published_time|title|site_name)\s*",
    re.IGNORECASE,
)
_NAME_RE = re.compile(
    r"^\s*(?:(dc|dcterm|og|twitter|parsely|weibo:(article|webpage))\s*[-.:]\s*)?"
    r"(author|creator|pub-date|description|title|site_name)\s*$",
    re.IGNORECASE,
)
_ARTICLE_TYPES = re.compile(
    r"^Article|AdvertiserContentArticle|NewsArticle|AnalysisNewsArticle|AskPublicNewsArticle|"
    r"BackgroundNewsArticle|OpinionNewsArticle|ReportageNewsArticle|ReviewNewsArticle|Report|"
    r"SatiricalArticle|ScholarlyArticle|MedicalScholarlyArticle|SocialMediaPosting|"
    r"BlogPosting|LiveBlogPosting|DiscussionForumPosting|TechArticle|APIReference$"
)
_SCHEMA_ORG = re.compile(r"^https?://schema\.org/?$")
_TITLE_SEP = re.compile(r" [|\-\\/>»–—] ")
_HIER_SEP = re.compile(r" [\\/>»] ")
# A byline element: rel/itemprop "author", or a class/id with a byline word.
_BYLINE_XPATH = etree.XPath(
    "//body//*[@rel='author' or contains(@itemprop, 'author') or "
    "re:test(concat(@class, ' ', @id), 'byline|author|dateline|writtenby|p-author', 'i')]",
    namespaces={"re": "http://exslt.org/regular-expressions"},
)
_BYLINE_RE = re.compile("byline|author|dateline|writtenby|p-author", re.IGNORECASE)
_UNLIKELY_RE = re.compile(
    r"-ad-|ai2html|banner|breadcrumbs|combx|comment|community|cover-wrap|disqus|extra|footer|"
    r"gdpr|header|legends|menu|related|remark|replies|rss|shoutbox|sidebar|skyscraper|social|"
    r"sponsor|supplemental|ad-break|agegate|pagination|pager|popup|yom-remote",
    re.IGNORECASE,
)
_MAYBE_RE = re.compile(r"and|article|body|column|content|main|mathjax|shadow", re.IGNORECASE)
_UNLIKELY_ROLES = {"menu", "menubar", "complementary", "navigation", "alert", "alertdialog"}


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


def _meta(doc: etree._Element, *names: str) -> str | None:
    """First non-empty ``<meta>`` content whose name/property/itemprop is one of ``names``."""
    return _pick(_meta_firsts(doc), *names)


def _meta_firsts(doc: etree._Element) -> dict[str, str]:
    """Each lower-cased meta name/property/itemprop with its first non-blank content."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = el.get("content")
        if value and key not in found and value.strip():
            found[key] = value.strip()
    return found


def _pick(firsts: dict[str, str], *names: str) -> str | None:
    """``_meta`` over the precomputed ``_meta_firsts``."""
    for n in names:
        value = firsts.get(n.lower())
        if value is not None:
            return value
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


def _meta_values(doc: etree._Element) -> dict[str, str]:
    """Readability's view of the ``<meta>`` tags: normalised names to content, last wins."""
    values: dict[str, str] = {}
    for el in doc.iter("meta"):
        content = el.get("content")
        if not content:
            continue
        prop, name = el.get("property"), el.get("name")
        m = _PROPERTY_RE.search(prop) if prop else None
        if m:
            values[re.sub(r"\s", "", m.group(0).lower())] = content.strip()
        elif name and _NAME_RE.match(name):
            values[re.sub(r"\s", "", name.lower()).replace(".", ":")] = content.strip()
    return values


def _words(text: str) -> int:
    """Word count as Readability counts it (a split on whitespace runs)."""
    return len(re.split(r"\s+", text))


def _text_similarity(a: str, b: str) -> float:
    """Share of ``b``'s tokens (by length) that also occur in ``a``."""
    tokens_a = [t for t in re.split(r"\W+", a.lower()) if t]
    tokens_b = [t for t in re.split(r"\W+", b.lower()) if t]
    if not tokens_a or not tokens_b:
        return 0.0
    seen = set(tokens_a)
    uniq_b = [t for t in tokens_b if t not in seen]
    return 1 - len(" ".join(uniq_b)) / len(" ".join(tokens_b))


def article_title(doc: etree._Element) -> str:
    """The title from ``<title>``, cut at site-name separators as Readability does."""
    t = next(doc.iter("title"), None)
    orig = cur = (
        norm_text(etree.tostring(t, method="text", encoding="unicode", with_tail=False))
        if t is not None
        else ""
    )
    hierarchical = False
    if _TITLE_SEP.search(cur):
        hierarchical = _HIER_SEP.search(cur) is not None
        cur = orig[: list(_TITLE_SEP.finditer(orig))[-1].start()]
        if _words(cur) < 3:
            cur = re.sub(r"^[^|\-\\/>»–—]*[|\-\\/>»–—]", "", orig, count=1)
    elif ": " in cur:
        if not any((h.text_content() or "").strip() == cur.strip() for h in doc.iter("h1", "h2")):
            cur = orig[orig.rfind(":") + 1 :]
            if _words(cur) < 3:
                cur = orig[orig.find(":") + 1 :]
            elif _words(orig[: orig.find(":")]) > 5:
                cur = orig
    elif len(cur) > 150 or len(cur) < 15:
        h1s = list(doc.iter("h1"))
        if len(h1s) == 1:
            cur = element_text(h1s[0])
    cur = re.sub(r"\s{2,}", " ", cur.strip())
    n = _words(cur)
    if n <= 4 and (not hierarchical or n != _words(re.sub(r"[|\-\\/>»–—]+", "", orig)) - 1):
        cur = orig
    return cur


def _ld_types(obj: dict[str, object]) -> str:
    """The ``@type`` of a JSON-LD object as one string ("" when absent)."""
    t = obj.get("@type")
    if isinstance(t, list):
        t = next((x for x in t if isinstance(x, str)), "")
    return t if isinstance(t, str) else ""


def _readability_ld(doc: etree._Element) -> dict[str, str]:
    """Title, byline, site name and date from the first schema.org article in JSON-LD."""
    for script in doc.iter("script"):
        if script.get("type") != "application/ld+json":
            continue
        raw = re.sub(r"^\s*<!\[CDATA\[|\]\]>\s*$", "", script.text or "")
        try:
            parsed = json.loads(raw, strict=False)
        except (ValueError, RecursionError):
            continue
        if isinstance(parsed, list):
            parsed = next(
                (o for o in parsed if isinstance(o, dict) and _ARTICLE_TYPES.search(_ld_types(o))),
                None,
            )
        if not isinstance(parsed, dict):
            continue
        ctx = parsed.get("@context")
        vocab = ctx.get("@vocab") if isinstance(ctx, dict) else ctx
        if not isinstance(vocab, str) or not _SCHEMA_ORG.match(vocab):
            continue
        graph = parsed.get("@graph")
        if not parsed.get("@type") and isinstance(graph, list):
            parsed = next(
                (o for o in graph if isinstance(o, dict) and _ARTICLE_TYPES.search(_ld_types(o))),
                None,
            )
        if not isinstance(parsed, dict) or not _ARTICLE_TYPES.search(_ld_types(parsed)):
            continue
        return _ld_fields(doc, parsed)
    return {}


def _ld_fields(doc: etree._Element, obj: dict[str, object]) -> dict[str, str]:
    """Readability's fields of one JSON-LD article object."""
    out: dict[str, str] = {}
    name, headline = obj.get("name"), obj.get("headline")
    if isinstance(name, str) and isinstance(headline, str) and name != headline:
        title = article_title(doc)
        name_ok = _text_similarity(name, title) > 0.75
        headline_ok = _text_similarity(headline, title) > 0.75
        out["title"] = headline if headline_ok and not name_ok else name
    elif isinstance(name, str):
        out["title"] = name.strip()
    elif isinstance(headline, str):
        out["title"] = headline.strip()
    author = obj.get("author")
    if isinstance(author, dict) and isinstance(author.get("name"), str):
        out["byline"] = str(author["name"]).strip()
    elif isinstance(author, list) and author and isinstance(author[0], dict):
        names = [
            a["name"].strip()
            for a in author
            if isinstance(a, dict) and isinstance(a.get("name"), str)
        ]
        out["byline"] = ", ".join(names)
    publisher = obj.get("publisher")
    if isinstance(publisher, dict) and isinstance(publisher.get("name"), str):
        out["site_name"] = str(publisher["name"]).strip()
    if isinstance(obj.get("datePublished"), str):
        out["published"] = str(obj["datePublished"]).strip()
    return {k: v for k, v in out.items() if v}


def _visible_and_likely(el: etree._Element, likely: bool = True) -> bool:
    """False when the element or an ancestor is hidden or a sidebar/footer-like block."""
    node: etree._Element | None = el
    first = True
    while node is not None and node.tag not in ("body", "html"):
        style = (node.get("style") or "").replace(" ", "").lower()
        if (
            "display:none" in style
            or "visibility:hidden" in style
            or node.get("hidden") is not None
            or node.get("aria-hidden") == "true"
        ):
            return False
        # Readability tests an element for a byline before it drops it as unlikely.
        if likely and not first and node.tag != "a":
            match = f"{node.get('class') or ''} {node.get('id') or ''}"
            if _UNLIKELY_RE.search(match) and not _MAYBE_RE.search(match):
                return False
            if node.get("role") in _UNLIKELY_ROLES:
                return False
        first = False
        node = node.getparent()
    return True


def _byline_elements(doc: etree._Element) -> Iterator[etree._Element]:
    """``_BYLINE_XPATH``'s elements, lazily and without its per-element Python regex callback
    (EXSLT ``re:test`` calls back into Python for every element of the page)."""
    bodies = list(doc.getroottree().getroot().iter("body"))
    if len(bodies) != 1:
        yield from _BYLINE_XPATH(doc)
        return
    body = bodies[0]
    for el in body.iter(etree.Element):
        if el is body or not el.keys():
            continue
        get = el.get
        if (
            get("rel") == "author"
            or "author" in (get("itemprop") or "")
            or _byline_name(f"{get('class') or ''} {get('id') or ''}")
        ):
            yield el


def _byline_name(names: str) -> bool:
    """``_BYLINE_RE.search(names)``, by substring tests for ASCII names (a case-insensitive
    regex costs a microsecond per element)."""
    if not names.isascii():
        return _BYLINE_RE.search(names) is not None
    low = names.lower()
    return "author" in low or "byline" in low or "dateline" in low or "writtenby" in low


def _dom_byline(doc: etree._Element) -> str | None:
    """The first byline element's text (its ``itemprop="name"`` part when marked).

    Elements inside hidden or sidebar-like blocks count only when no other one qualifies
    (Readability retries without its unlikely-block filter when its first pass is short).
    """
    fallback: etree._Element | None = None
    for el in _byline_elements(doc):
        text = el.text_content().strip()
        if not text or len(text) >= 100:
            continue
        if _visible_and_likely(el):
            fallback = el
            break
        if fallback is None and _visible_and_likely(el, likely=False):
            fallback = el
    if fallback is None:
        return None
    named = fallback.xpath(".//*[contains(@itemprop, 'name')]")
    return str((named[0] if named else fallback).text_content()).strip() or None


def extract(doc: etree._Element, url: str | None, fields: dict[str, Selector]) -> Metadata:
    """Collect metadata from the whole (uncleaned) document."""
    metas = _meta_firsts(doc)
    ld_objs = _jsonld_objects(doc)
    art = _ld_article(ld_objs)
    md = Metadata()
    md.site_name = (
        _pick(metas, "og:site_name", "application-name")
        or _ld_name(art.get("publisher"))
        or (urlsplit(url).hostname if url else None)
    )
    ld = _readability_ld(doc)
    values = _meta_values(doc)
    # Title, byline and date follow Mozilla Readability's order, after the site's selectors.
    title = _field(doc, fields.get("title")) or _first_value(
        ld,
        values,
        "title",
        "dc:title",
        "dcterm:title",
        "og:title",
        "weibo:article:title",
        "weibo:webpage:title",
        "title",
        "twitter:title",
        "parsely-title",
    )
    if not title:
        title = article_title(doc) or _ld_name(art.get("headline"))
    if not title:
        title = next((t for t in (element_text(h) for h in doc.iter("h1")) if t), None)
    md.title = norm_text(unescape(title)) if title else None
    author = values.get("article:author")
    md.byline = _clean_byline(
        _field(doc, fields.get("byline"))
        or _first_value(ld, values, "byline", "dc:creator", "dcterm:creator", "author")
        or values.get("parsely-author")
        or (author if author and not author.startswith(("http://", "https://")) else None)
        or _dom_byline(doc)
        or _ld_name(art.get("author"))
        or _pick(metas, "dc.creator", "byl")
    )
    md.published = (
        parse_date(_field(doc, fields.get("date"), ("datetime", "content")))
        or parse_date(ld.get("published"))
        or parse_date(values.get("article:published_time") or values.get("parsely-pub-date"))
        or parse_date(_str(art.get("datePublished")))
        or parse_date(
            _pick(
                metas,
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
        or parse_date(_first_of(doc, "time", "datetime"))
    )
    lead = (
        _field(doc, fields.get("lead_image"), ("src", "data-src", "content", "href"))
        or _pick(metas, "og:image", "og:image:url", "twitter:image")
        or _ld_image(art.get("image"))
    )
    md.lead_image = _absolute(lead, url)
    md.lead_caption = _field(doc, fields.get("lead_caption")) or _caption_of(doc, md.lead_image)
    html = doc if doc.tag == "html" else doc.getroottree().getroot()
    lang = (
        html.get("lang")
        or html.get("xml:lang")
        or _pick(metas, "content-language", "og:locale", "language")
    )
    md.lang = lang.strip().replace("_", "-")[:20] if lang and lang.strip() else None
    canon = _first_of(doc, "link", "href", rel="canonical") or _pick(metas, "og:url")
    md.canonical = _absolute(canon, url)
    md.description = _pick(metas, "description", "og:description")
    return md


def _first_value(
    ld: dict[str, str], values: dict[str, str], ld_key: str, *names: str
) -> str | None:
    """The JSON-LD field ``ld_key``, else the first meta value among ``names``."""
    if ld.get(ld_key):
        return ld[ld_key]
    return next((values[n] for n in names if values.get(n)), None)


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


def _first_of(doc: etree._Element, tag: str, attr: str, rel: str | None = None) -> str | None:
    """``_first_attr(doc, "//tag[@attr]", attr)`` (with ``[@rel=…]`` when ``rel`` is given)
    by a walk of the document instead of an XPath evaluation."""
    for el in doc.getroottree().getroot().iter(tag):
        value = el.get(attr)
        if value and (rel is None or el.get("rel") == rel):
            return str(value)
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
