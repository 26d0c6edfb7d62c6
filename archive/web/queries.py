"""Read-only queries the reader needs beyond ``Index``: facets, marked search, article bodies.

Search repeats ``Index.search``'s ranking but marks matches with private-use
characters instead of ``[`` and ``]``, so brackets in an article's own text are
never mistaken for highlights; ``snippet_markup`` escapes everything else.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import lxml.html
from lxml import etree
from markupsafe import Markup, escape

from ..index import Index, fts_query

OPEN, CLOSE = "\ue000", "\ue001"
T = TypeVar("T")
_MARKS_RE = re.compile(f"([{OPEN}{CLOSE}])")


class Cache:
    """A small LRU for search results and facets, keyed with the archive's newest article
    id (a new article empties it) and kept at most ``ttl`` seconds (an article re-cleaned
    by another process shows its new snippet within that time)."""

    def __init__(self, size: int = 512, ttl: float = 30.0):
        """An empty cache of ``size`` entries."""
        self.size = size
        self.ttl = ttl
        self._data: OrderedDict[tuple[Any, ...], tuple[float, Any]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: tuple[Any, ...], compute: Callable[[], T]) -> T:
        """The cached value for ``key``, computing (and storing) it when missing or old."""
        now = time.monotonic()
        with self._lock:
            hit = self._data.get(key)
            if hit is not None and now - hit[0] < self.ttl:
                self._data.move_to_end(key)
                return hit[1]
        value = compute()
        with self._lock:
            self._data[key] = (now, value)
            self._data.move_to_end(key)
            while len(self._data) > self.size:
                self._data.popitem(last=False)
        return value


def generation(index: Index) -> int:
    """A cheap number that changes when an article is added (the newest article id)."""
    return int(index.db.execute("SELECT max(id) FROM articles").fetchone()[0] or 0)


@dataclass
class Hit:
    """One search result with its snippet (marked with OPEN/CLOSE)."""

    id: int
    title: str | None
    url: str
    site: str
    published: str | None
    captured_at: str
    snippet: str


def facets(index: Index, column: str, cache: Cache | None = None) -> list[tuple[str, int]]:
    """(value, count) of every site or tag, most frequent first (cached when given one)."""
    if cache is not None:
        return cache.get(("facets", column, generation(index)), lambda: facets(index, column))
    if column == "site":
        sql = "SELECT site, count(*) FROM articles GROUP BY site ORDER BY count(*) DESC, site"
    else:
        sql = "SELECT tag, count(*) FROM tags GROUP BY tag ORDER BY count(*) DESC, tag"
    return [(str(r[0]), int(r[1])) for r in index.db.execute(sql + " LIMIT 200")]


def tags_for(index: Index, ids: list[int]) -> dict[int, list[str]]:
    """Tags of several articles in one query."""
    if not ids:
        return {}
    marks = ", ".join("?" for _ in ids)
    out: dict[int, list[str]] = {i: [] for i in ids}
    for r in index.db.execute(
        f"SELECT article_id, tag FROM tags WHERE article_id IN ({marks}) ORDER BY tag", ids
    ):
        out[int(r[0])].append(str(r[1]))
    return out


def search(
    index: Index,
    query: str,
    site: str | None,
    limit: int,
    offset: int,
    cache: Cache | None = None,
) -> list[Hit]:
    """Ranked full-text search (any input is safe), snippets marked with OPEN/CLOSE.

    ``Index.search`` ranks first and builds snippets for the page of results only.
    Results are cached when given a cache.
    """
    match = fts_query(query)
    if not match:
        return []
    if cache is not None:
        key = ("search", match, (site or "").lower(), limit, offset, generation(index))
        return cache.get(key, lambda: search(index, query, site, limit, offset))
    hits = index.search(query, site, limit, offset, marks=(OPEN, CLOSE), snippet_tokens=24)
    return [Hit(h.id, h.title, h.url, h.site, h.published, h.captured_at, h.snippet) for h in hits]


def snippet_markup(snippet: str) -> Markup:
    """Escape a marked snippet and turn its marks into balanced ``<mark>`` elements."""
    out: list[str] = []
    open_ = False
    for part in _MARKS_RE.split(snippet):
        if part in (OPEN, CLOSE):
            if (part == OPEN) != open_:
                out.append("<mark>" if part == OPEN else "</mark>")
                open_ = not open_
        elif part:
            out.append(str(escape(part)))
    if open_:
        out.append("</mark>")
    return Markup("".join(out))


def removals(row: sqlite3.Row) -> list[dict[str, Any]]:
    """An article's removals as stored (a list of dicts), tolerant of bad JSON."""
    try:
        data = json.loads(row["removals"] or "[]")
    except ValueError:
        return []
    return [d for d in data if isinstance(d, dict)]


def clean_page_path(root: Path, rel: str) -> Path | None:
    """The clean page ``root / rel`` if it is an .html file inside ``root/articles``
    (no traversal, no symlink out, never the index or a WARC)."""
    try:
        base = (root / "articles").resolve()
        path = (root / rel).resolve()
    except (OSError, ValueError, RuntimeError):
        return None
    if not path.is_relative_to(base) or path.suffix != ".html" or not path.is_file():
        return None
    return path


def article_body(root: Path, rel: str) -> Markup | None:
    """The ``<article>`` of a stored clean page (already sanitised when it was written)."""
    path = clean_page_path(root, rel)
    if path is None:
        return None
    try:
        data = path.read_bytes()
        doc = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding="utf-8"))
    except (OSError, etree.LxmlError, ValueError):
        return None
    found = doc.xpath("//article")
    node = found[0] if found else doc.find("body")
    if node is None:
        return None
    parts = [etree.tostring(c, encoding="unicode", method="html") for c in node]
    return Markup(str(escape(node.text or "")) + "".join(parts))
