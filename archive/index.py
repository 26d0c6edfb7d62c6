"""The SQLite index: WARC records (a CDX of our own), articles, tags, and FTS5 search.

WAL mode with a generous busy timeout: several archivers may write at once
(measured: 4 processes x 500 writes failed 1500 times at busy_timeout 0 and never
at 5 s). The FTS5 table is an external-content index kept in sync by triggers,
and user queries are quoted before ``MATCH`` so any input is a valid query.
"""

from __future__ import annotations

import json
import re
import sqlite3
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SCHEMA_VERSION = 1
RANK_WINDOW = 5000  # matches ranked by bm25 at most: the most recently archived ones

SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS records (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL,
    type TEXT NOT NULL,
    status INTEGER,
    mime TEXT,
    warc_file TEXT NOT NULL,
    warc_offset INTEGER NOT NULL,
    warc_length INTEGER NOT NULL,
    record_id TEXT NOT NULL UNIQUE,
    date TEXT NOT NULL,
    payload_digest TEXT,
    entity_digest TEXT,
    truncated TEXT,
    refers_to INTEGER REFERENCES records(id)
);
CREATE INDEX IF NOT EXISTS records_url ON records(url, date);
CREATE INDEX IF NOT EXISTS records_entity ON records(entity_digest);
CREATE INDEX IF NOT EXISTS records_file ON records(warc_file, warc_offset);
CREATE TABLE IF NOT EXISTS articles (
    id INTEGER PRIMARY KEY,
    url TEXT NOT NULL UNIQUE,
    final_url TEXT NOT NULL,
    site TEXT NOT NULL,
    title TEXT,
    byline TEXT,
    published TEXT,
    lang TEXT,
    site_name TEXT,
    lead_image TEXT,
    text TEXT NOT NULL DEFAULT '',
    excerpt TEXT NOT NULL DEFAULT '',
    words INTEGER NOT NULL DEFAULT 0,
    captured_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    record INTEGER NOT NULL REFERENCES records(id),
    pages TEXT NOT NULL DEFAULT '[]',
    rules_digest TEXT NOT NULL,
    site_rule TEXT,
    content_source TEXT,
    html_path TEXT NOT NULL,
    removals TEXT NOT NULL DEFAULT '[]'
);
CREATE INDEX IF NOT EXISTS articles_site ON articles(site, captured_at);
CREATE INDEX IF NOT EXISTS articles_captured ON articles(captured_at);
CREATE TABLE IF NOT EXISTS tags (
    article_id INTEGER NOT NULL REFERENCES articles(id) ON DELETE CASCADE,
    tag TEXT NOT NULL,
    PRIMARY KEY (article_id, tag)
);
CREATE VIRTUAL TABLE IF NOT EXISTS articles_fts USING fts5(
    title, byline, text, site,
    content='articles', content_rowid='id', tokenize='unicode61 remove_diacritics 2',
    prefix='2 3 4'
);
CREATE TRIGGER IF NOT EXISTS articles_ai AFTER INSERT ON articles BEGIN
    INSERT INTO articles_fts(rowid, title, byline, text, site)
    VALUES (new.id, new.title, new.byline, new.text, new.site);
END;
CREATE TRIGGER IF NOT EXISTS articles_ad AFTER DELETE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, byline, text, site)
    VALUES ('delete', old.id, old.title, old.byline, old.text, old.site);
END;
CREATE TRIGGER IF NOT EXISTS articles_au AFTER UPDATE ON articles BEGIN
    INSERT INTO articles_fts(articles_fts, rowid, title, byline, text, site)
    VALUES ('delete', old.id, old.title, old.byline, old.text, old.site);
    INSERT INTO articles_fts(rowid, title, byline, text, site)
    VALUES (new.id, new.title, new.byline, new.text, new.site);
END;
"""

_WORD_RE = re.compile(r"[\w]+(?:[-'’.][\w]+)*\*?", re.UNICODE)


def fts_query(user: str) -> str:
    """Turn any user text into a safe FTS5 query: quoted terms, "phrases" and prefix*."""
    parts: list[str] = []
    for i, chunk in enumerate(user.split('"')):
        if i % 2 == 1:
            words = [w.rstrip("*") for w in _WORD_RE.findall(chunk)]
            if words:
                parts.append('"' + " ".join(w.replace('"', "") for w in words) + '"')
            continue
        for w in _WORD_RE.findall(chunk):
            prefix = w.endswith("*")
            term = w.rstrip("*")
            if term:
                parts.append(f'"{term}"' + ("*" if prefix else ""))
    return " ".join(parts)


@dataclass
class SearchHit:
    """One search result."""

    id: int
    title: str | None
    url: str
    site: str
    published: str | None
    snippet: str
    rank: float
    captured_at: str = ""


class Index:
    """A connection to the archive's index database."""

    def __init__(self, path: Path, readonly: bool = False):
        """Open (and create or migrate) the index at ``path``."""
        self.path = Path(path)
        self.readonly = readonly
        self._local = threading.local()
        self._all: list[sqlite3.Connection] = []
        self._lock = threading.Lock()
        self._write_lock = threading.RLock()
        if not readonly:
            _retry_locked(self._setup)

    def _setup(self) -> None:
        """Switch to WAL and create the schema (idempotent)."""
        if self.db.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
            self.db.execute("PRAGMA journal_mode = WAL")
        with self.transaction():
            for stmt in _statements(SCHEMA):
                self.db.execute(stmt)
            self.db.execute(
                "INSERT OR IGNORE INTO meta(key, value) VALUES ('schema', ?)",
                (str(SCHEMA_VERSION),),
            )

    @property
    def db(self) -> sqlite3.Connection:
        """This thread's connection (SQLite connections are not shared between threads)."""
        conn = getattr(self._local, "conn", None)
        if conn is None:
            if self.readonly:
                conn = sqlite3.connect(
                    f"file:{self.path}?mode=ro",
                    uri=True,
                    timeout=30,
                    isolation_level=None,
                    check_same_thread=False,
                )
            else:
                conn = sqlite3.connect(
                    self.path, timeout=30, isolation_level=None, check_same_thread=False
                )
            conn.row_factory = sqlite3.Row
            conn.execute("PRAGMA busy_timeout = 30000")
            conn.execute("PRAGMA foreign_keys = ON")
            if not self.readonly:
                conn.execute("PRAGMA synchronous = FULL")
            self._local.conn = conn
            with self._lock:
                self._all.append(conn)
        return conn

    def close(self) -> None:
        """Close every thread's connection."""
        with self._lock:
            for conn in self._all:
                conn.close()
            self._all.clear()
        self._local = threading.local()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT (ROLLBACK on error): one writer at a time, no upgrades.

        Threads of one process queue on a Python lock first: SQLite's busy handler sleeps
        with growing pauses (measured: waits of seconds with 8 threads); other processes
        still meet ``busy_timeout``.
        """
        with self._write_lock:
            self.db.execute("BEGIN IMMEDIATE")
            try:
                yield self.db
            except BaseException:
                self.db.execute("ROLLBACK")
                raise
            else:
                self.db.execute("COMMIT")

    # -- records ------------------------------------------------------------
    def add_record(self, db: sqlite3.Connection, **fields: Any) -> int:
        """Insert one WARC record row; return its id."""
        cols = ", ".join(fields)
        marks = ", ".join("?" for _ in fields)
        cur = db.execute(f"INSERT INTO records ({cols}) VALUES ({marks})", tuple(fields.values()))
        return int(cur.lastrowid or 0)

    def record(self, record_id: int) -> sqlite3.Row | None:
        """A record row by id."""
        return self.db.execute("SELECT * FROM records WHERE id = ?", (record_id,)).fetchone()

    def record_by_entity(self, entity_digest: str) -> sqlite3.Row | None:
        """The first full response record holding this entity body (for revisits)."""
        return self.db.execute(
            "SELECT * FROM records WHERE entity_digest = ? AND type IN ('response', 'resource') "
            "AND truncated IS NULL ORDER BY id LIMIT 1",
            (entity_digest,),
        ).fetchone()

    def latest_response(self, url: str) -> sqlite3.Row | None:
        """The latest 200 response or revisit record for a URL."""
        return self.db.execute(
            "SELECT * FROM records WHERE url = ? AND type IN ('response', 'revisit', 'resource') "
            "AND (status = 200 OR status IS NULL) ORDER BY date DESC, id DESC LIMIT 1",
            (url,),
        ).fetchone()

    # -- articles -------------------------------------------------------------
    def article_by_url(self, url: str) -> sqlite3.Row | None:
        """An article by its requested URL."""
        return self.db.execute("SELECT * FROM articles WHERE url = ?", (url,)).fetchone()

    def article(self, article_id: int) -> sqlite3.Row | None:
        """An article by id."""
        return self.db.execute("SELECT * FROM articles WHERE id = ?", (article_id,)).fetchone()

    def tags(self, article_id: int) -> list[str]:
        """An article's tags."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT tag FROM tags WHERE article_id = ? ORDER BY tag", (article_id,)
            )
        ]

    def list_articles(
        self, site: str | None = None, tag: str | None = None, limit: int = 50, offset: int = 0
    ) -> list[sqlite3.Row]:
        """Articles, newest capture first, filtered by site and tag."""
        sql = "SELECT a.* FROM articles a"
        args: list[Any] = []
        where = []
        if tag:
            sql += " JOIN tags t ON t.article_id = a.id"
            where.append("t.tag = ?")
            args.append(tag)
        if site:
            where.append("(a.site = ? OR a.site LIKE ?)")
            args.extend([site.lower(), "%." + site.lower()])
        if where:
            sql += " WHERE " + " AND ".join(where)
        sql += " ORDER BY a.captured_at DESC, a.id DESC LIMIT ? OFFSET ?"
        args.extend([limit, offset])
        return list(self.db.execute(sql, args))

    def count_articles(self) -> int:
        """How many articles the archive holds."""
        return int(self.db.execute("SELECT count(*) FROM articles").fetchone()[0])

    def _rank_floor(self, match: str) -> int | None:
        """For a query matching more than RANK_WINDOW articles, the lowest rowid of the
        RANK_WINDOW most recent matches: bm25 ranks those only (bm25 costs time per matching
        row; walking the match list newest-first to find the floor costs almost nothing)."""
        try:
            row = self.db.execute(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH ? "
                "ORDER BY rowid DESC LIMIT 1 OFFSET ?",
                (match, RANK_WINDOW - 1),
            ).fetchone()
        except sqlite3.OperationalError:
            return None
        return int(row[0]) if row else None

    def search(
        self,
        query: str,
        site: str | None = None,
        limit: int = 20,
        offset: int = 0,
        marks: tuple[str, str] = ("[", "]"),
        snippet_tokens: int = 12,
    ) -> list[SearchHit]:
        """Ranked full-text search with highlighted snippets; any input is safe.

        Two steps: rank with bm25 alone, then build snippets for the page of results only
        (one statement doing both builds a snippet for every matching row: 3x slower for a
        word found in most articles). A query matching more than ``RANK_WINDOW`` articles is
        ranked among the most recently archived ``RANK_WINDOW`` of them.
        """
        match = fts_query(query)
        if not match:
            return []
        db = self.db
        rank_sql = "SELECT f.rowid FROM articles_fts f"
        args: list[Any] = [match]
        if site:
            rank_sql += " JOIN articles a ON a.id = f.rowid"
        rank_sql += " WHERE articles_fts MATCH ?"
        floor = self._rank_floor(match)
        if floor is not None:
            rank_sql += " AND f.rowid >= ?"
            args.append(floor)
        if site:
            rank_sql += " AND (a.site = ? OR a.site LIKE ?)"
            args.extend([site.lower(), "%." + site.lower()])
        rank_sql += " ORDER BY bm25(articles_fts, 10.0, 3.0, 1.0, 2.0) LIMIT ? OFFSET ?"
        args.extend([limit, offset])
        try:
            ids = [int(r[0]) for r in db.execute(rank_sql, args)]
            if not ids:
                return []
            # One statement for the page of results: a prefix term is expanded once (per-row
            # statements expanded it 20 times); "+rowid" keeps the id list away from FTS5.
            marks_sql = ", ".join("?" for _ in ids)
            snippets = {
                int(r[0]): str(r[1] or "")
                for r in db.execute(
                    "SELECT rowid, snippet(articles_fts, 2, ?, ?, '…', ?) FROM articles_fts "
                    "WHERE articles_fts MATCH ? AND rowid BETWEEN ? AND ? "
                    f"AND +rowid IN ({marks_sql})",
                    (marks[0], marks[1], snippet_tokens, match, min(ids), max(ids), *ids),
                )
            }
            rows = {
                int(r["id"]): r
                for r in db.execute(
                    "SELECT id, title, url, site, published, captured_at FROM articles "
                    f"WHERE id IN ({', '.join('?' for _ in ids)})",
                    ids,
                )
            }
        except sqlite3.OperationalError:
            # fts_query quotes every term; this is a last line of defence, never an error.
            return []
        return [
            SearchHit(
                i,
                rows[i]["title"],
                rows[i]["url"],
                rows[i]["site"],
                rows[i]["published"],
                snippets.get(i, ""),
                float(rank),
                rows[i]["captured_at"],
            )
            for rank, i in enumerate(ids, start=offset + 1)
            if i in rows
        ]


def _retry_locked(action: Callable[[], None], seconds: float = 30.0) -> None:
    """Run ``action``, retrying while another process holds a lock SQLite will not wait for
    (switching to WAL mode does not use the busy handler)."""
    deadline = time.monotonic() + seconds
    delay = 0.01
    while True:
        try:
            action()
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.25)


def _statements(script: str) -> list[str]:
    """Split the schema script into statements (triggers contain semicolons)."""
    out, buf = [], []
    for line in script.strip().splitlines():
        buf.append(line)
        joined = "\n".join(buf).strip()
        if joined.endswith(";") and (
            not joined.upper().startswith("CREATE TRIGGER") or joined.upper().endswith("END;")
        ):
            out.append(joined)
            buf = []
    return out


def dumps(value: Any) -> str:
    """Compact JSON for storage."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
