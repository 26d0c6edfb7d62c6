"""The metadata a page declares: ``<meta>`` tags and JSON-LD (schema.org) objects."""

from __future__ import annotations

import json
import re

from lxml import etree

from .titles import article_title, text_similarity

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


def meta_firsts(doc: etree._Element) -> dict[str, str]:
    """Each lower-cased meta name/property/itemprop with its first non-blank content."""
    found: dict[str, str] = {}
    for el in doc.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").lower()
        value = el.get("content")
        if value and key not in found and value.strip():
            found[key] = value.strip()
    return found


def pick(firsts: dict[str, str], *names: str) -> str | None:
    """``_meta`` over the precomputed ``meta_firsts``."""
    for n in names:
        value = firsts.get(n.lower())
        if value is not None:
            return value
    return None


def meta_values(doc: etree._Element) -> dict[str, str]:
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


def first_value(ld: dict[str, str], values: dict[str, str], ld_key: str, *names: str) -> str | None:
    """The JSON-LD field ``ld_key``, else the first meta value among ``names``."""
    if ld.get(ld_key):
        return ld[ld_key]
    return next((values[n] for n in names if values.get(n)), None)


def jsonld_objects(doc: etree._Element) -> list[dict[str, object]]:
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


def ld_article(objs: list[dict[str, object]]) -> dict[str, object]:
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


def ld_name(value: object) -> str | None:
    """A name from a JSON-LD string, Person/Organization object, or a list of them."""
    if isinstance(value, str):
        return value.strip() or None
    if isinstance(value, dict):
        name = value.get("name")
        return name.strip() if isinstance(name, str) and name.strip() else None
    if isinstance(value, list):
        names = [n for n in (ld_name(v) for v in value[:5]) if n]
        return ", ".join(dict.fromkeys(names)) or None
    return None


def ld_image(value: object) -> str | None:
    """An image URL from a JSON-LD image value."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        url = value.get("url") or value.get("contentUrl")
        return url if isinstance(url, str) else None
    if isinstance(value, list) and value:
        return ld_image(value[0])
    return None


def _ld_types(obj: dict[str, object]) -> str:
    """The ``@type`` of a JSON-LD object as one string ("" when absent)."""
    t = obj.get("@type")
    if isinstance(t, list):
        t = next((x for x in t if isinstance(x, str)), "")
    return t if isinstance(t, str) else ""


def _first_article(items: list[object]) -> dict[str, object] | None:
    """The first JSON-LD object in ``items`` whose ``@type`` is an article type."""
    return next(
        (o for o in items if isinstance(o, dict) and _ARTICLE_TYPES.search(_ld_types(o))),
        None,
    )


def readability_ld(doc: etree._Element) -> dict[str, str]:
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
            parsed = _first_article(parsed)
        if not isinstance(parsed, dict):
            continue
        ctx = parsed.get("@context")
        vocab = ctx.get("@vocab") if isinstance(ctx, dict) else ctx
        if not isinstance(vocab, str) or not _SCHEMA_ORG.match(vocab):
            continue
        graph = parsed.get("@graph")
        if not parsed.get("@type") and isinstance(graph, list):
            parsed = _first_article(graph)
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
        name_ok = text_similarity(name, title) > 0.75
        headline_ok = text_similarity(headline, title) > 0.75
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
