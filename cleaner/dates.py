"""Dates in ISO 8601 from ISO, English and Indonesian date strings."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

from .actions import norm_text

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
