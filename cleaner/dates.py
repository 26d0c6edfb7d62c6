"""Dates in ISO 8601 from ISO, English and Indonesian date strings."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from lxml import etree

from .actions import norm_text, text_content

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
    r"(\d{4})[-/.](\d{2})[-/.](\d{2})(?:[T ](\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?"
    r"\s*(Z|[+-]\d{2}:?\d{2})?)?"
)
_TEXT_DATE_RE = re.compile(
    r"(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]{3,9})\.?,?\s+(\d{4})(?:\D{0,12}?(\d{1,2})[:.](\d{2})"
    r"(?:[:.](\d{2}))?\s*(WIB|WITA|WIT|UTC|GMT)?)?",
    re.IGNORECASE,
)
# A month name starts a word, or a capital after a lower-case letter (text runs glued
# together: "toddlersMay 25, 2023"); the day may carry an ordinal ("December 19th, 2025").
_TEXT_DATE_US_RE = re.compile(
    r"(?:(?<![A-Za-z])|(?<=[a-z])(?=[A-Z]))([A-Za-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?,?"
    r"\s+(\d{4})(?:\D{0,12}?(\d{1,2})[:.](\d{2})\s*([AaPp][Mm])?)?"
)
# Year first, as citations write it ("2023 Jan 7").
_YEAR_FIRST_RE = re.compile(r"\b(\d{4})\s+([A-Za-z]{3,9})\.?\s+(\d{1,2})\b")
_NUMERIC_DATE_RE = re.compile(
    r"\b(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})\b(?:\D{0,12}?(\d{1,2})[:.](\d{2})\s*(WIB|WITA|WIT)?)?",
    re.IGNORECASE,
)


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
    hours, minutes = int(m.group(2)), int(m.group(3))
    if hours > MAX_OFFSET_HOURS or minutes > 59:
        return None  # no zone is that far off ("+50:00"): the time is read without one
    delta = timedelta(hours=hours, minutes=minutes)
    return timezone(-delta if m.group(1) == "-" else delta)


# The largest offset from UTC any zone has (Kiribati, +14:00).
MAX_OFFSET_HOURS = 14


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
    for m in _YEAR_FIRST_RE.finditer(text):
        month = MONTHS.get(m.group(2).lower())
        if month:
            return _iso(int(m.group(1)), month, int(m.group(3)))
    m = _NUMERIC_DATE_RE.search(text)
    if m:
        # Indonesian and most non-US sites write day/month/year; a US month/day/year shows
        # itself by a day where the month would be ("10/31/2024").
        first, second = int(m.group(1)), int(m.group(2))
        day, month = (second, first) if second > 12 >= first else (first, second)
        h = int(m.group(4)) if m.group(4) else None
        return _iso(
            int(m.group(3)),
            month,
            day,
            h,
            int(m.group(5)) if m.group(5) else None,
            None,
            _tz(m.group(6)),
        )
    return None


# Class/id words of a dateline element ("entry-date", "posted-on", "article__timestamp").
_DATELINE_NAMES = re.compile(r"date|time|posted|publish|dateline|byline|author|meta", re.IGNORECASE)
# Class/id words of blocks that never hold the page's own date: comments, footers and
# related posts (navigation and sidebars are known by their tags: page builders name
# their layout "sidebar" and "nav" too).
_NOT_DATELINE_NAMES = re.compile(r"comment|footer|related", re.IGNORECASE)
_NOT_DATELINE_TAGS = frozenset(("nav", "footer", "aside", "script", "style", "head"))


@functools.lru_cache(maxsize=4096)
def _names_verdict(cls: str | None, ident: str | None) -> int:
    """-1 for a class/id pair of comments, footers or related posts, 1 for one of a
    dateline, else 0 (cached: pages repeat the names)."""
    names = f"{cls or ''} {ident or ''}"
    if _NOT_DATELINE_NAMES.search(names):
        return -1
    return 1 if _DATELINE_NAMES.search(names) else 0


def dom_date(doc: etree._Element) -> str | None:
    """The page's date from its text, when no metadata gives one: a microdata
    ``datePublished``, a ``<time>``'s text, or a short dateline element (by its class/id)
    that holds a date, the first in document order outside navigation, footers, sidebars
    (by tag), comments and related posts (by class/id); else a date in the first lines
    under the headline (its first ``<h1>``)."""
    root = doc.getroottree().getroot()
    body = next(root.iter("body"), None)
    if body is None:
        return None
    headline: etree._Element | None = None
    walk = etree.iterwalk(body, events=("start",))
    for _, el in walk:
        tag = el.tag
        if not isinstance(tag, str):
            continue
        cls, ident = el.get("class"), el.get("id")
        verdict = _names_verdict(cls, ident) if cls or ident else 0
        if verdict < 0 or tag in _NOT_DATELINE_TAGS:
            walk.skip_subtree()
            continue
        if tag == "h1" and headline is None:
            headline = el
        prop = el.get("itemprop") or ""
        if "datePublished" in prop or "dateCreated" in prop:
            found = parse_date(el.get("content") or el.get("datetime") or text_content(el))
        elif verdict > 0 or tag == "time":
            text = text_content(el)
            found = parse_date(text) if len(text) <= 200 else None
        else:
            continue
        if found:
            return found
    if headline is not None:
        found = _date_under(headline) or _date_over(headline)
        if found:
            return found
    return _said_date(body)


# How much text after the headline is read for its dateline.
DATELINE_REACH = 300


def after_headline(headline: etree._Element, reach: int) -> Iterator[tuple[etree._Element, str]]:
    """The nodes after the page's headline, nearest first, each with its text (none for a
    script, a style or a comment): the headline's next siblings, then its parent's and its
    grandparent's (up a level when it ends its block; never the body's children), until
    their text passes ``reach`` characters. Where its byline and dateline are."""
    node: etree._Element | None = headline
    size = 0
    for _ in range(3):
        if node is None or node.tag == "body":
            return
        for sib in node.itersiblings():
            text = (
                text_content(sib)
                if isinstance(sib.tag, str) and sib.tag not in ("script", "style")
                else ""
            )
            yield sib, text
            size += len(text)
            if size > reach:
                return
        node = node.getparent()


def _date_under(headline: etree._Element) -> str | None:
    """A date in the first lines after the page's headline: "Andrew Gerrand 4 August 2010",
    "May 25, 2023 · 5 min read" (the text of the blocks that follow it, with their tails)."""
    parts = [headline.tail or ""]
    for sib, text in after_headline(headline, DATELINE_REACH):
        parts.append(text)
        parts.append(sib.tail or "")
    return parse_date(" ".join(parts)[:DATELINE_REACH])


# How much text before the headline is read for a date over it.
DATELINE_OVER = 120


def _date_over(headline: etree._Element) -> str | None:
    """A date in the line over the page's headline ("February 4, 2025 - 11 minutes", a
    pre-headline): the text of the blocks just before it, up a level when it opens its
    block."""
    parts: list[str] = []
    node: etree._Element | None = headline
    for _ in range(2):
        if node is None or node.tag == "body":
            break
        for sib in node.itersiblings(preceding=True):
            if isinstance(sib.tag, str) and sib.tag not in ("script", "style"):
                parts.append(text_content(sib))
            if sum(len(p) for p in parts) > DATELINE_OVER:
                break
        if "".join(parts).strip():
            break
        node = node.getparent()
    return parse_date(" ".join(reversed(parts))[-DATELINE_OVER:])


# A phrase that introduces the page's date in its text ("Posted on the 15/12/2025",
# "Published on Oct 21, 2025", "Updated November 18, 2025").
_DATE_PHRASE = re.compile(
    r"(?<![a-z])(?:published|posted|updated|diterbitkan|diperbarui)\b\s*(?:on\b|:)?\s*(?:the\s+)?"
)


# How much of the page's text is searched for a "Published on …" phrase.
SAID_REACH = 20000


def _said_date(body: etree._Element) -> str | None:
    """The date that a "Published on …" phrase of the page's text gives (the first that
    parses)."""
    # The beginning of the page's text (a dateline is near the top), as libxml2 writes it
    # (fast; the runs of adjacent elements are not spaced apart), searched lower-cased.
    text = etree.tostring(body, method="text", encoding="unicode", with_tail=False)[:SAID_REACH]
    for m in _DATE_PHRASE.finditer(text.lower()):
        found = parse_date(text[m.end() : m.end() + 40])
        if found:
            return found
    return None


# A publication date in a page's script data (Next.js and other app state, JSON-LD that
# other code embeds): "datePublished":"2025-12-19T14:00:18Z", "publishedAt": "…".
_SCRIPT_DATE = re.compile(
    r"[\"'](?:datePublished|publishedAt|publishDate|published_at|publish_date|pubDate|"
    r"firstPublished(?:At|Date)?)[\"']\s*:\s*[\"']([^\"']{8,40})[\"']"
)


def script_date(doc: etree._Element) -> str | None:
    """The first publication date found in the page's scripts' data."""
    for script in doc.getroottree().getroot().iter("script"):
        text = script.text
        if (text and "ublish" in text) or (text and "ubDate" in text):
            m = _SCRIPT_DATE.search(text)
            if m:
                found = parse_date(m.group(1))
                if found:
                    return found
    return None
