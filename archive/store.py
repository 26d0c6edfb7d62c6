"""The archive on disk: WARC files, clean article pages and the SQLite index, kept consistent.

Layout of an archive directory::

    warc/        NAME.warc.gz (closed) and NAME.warc.gz.open (being written)
    articles/    ab/abcdef0123456789.html, one self-contained clean page per article
    index.sqlite3

Write order for every capture: WARC records flushed and fsynced, then the clean
page written atomically (temp file + rename), then the index row committed. A
crash therefore leaves at most a torn WARC tail (``cleaner verify --repair``)
and never an index row pointing at a record that is not on disk.
"""

from __future__ import annotations

import base64
import hashlib
import html as html_mod
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from cleaner import CleanerError, CleanResult, RuleSet, clean
from cleaner.render import render_result

from .capture import Exchange, Fetcher, FetchError
from .index import Index, dumps
from .payload import (
    PayloadError,
    dechunked_payload,
    entity_body,
    entity_digest,
    header,
    http_parts,
)
from .warcfile import WarcWriter, split_http
from .warcread import RecordError, WarcRecord, read_record

MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_IMAGE_BYTES = 8 * 1024 * 1024
MAX_IMAGES = 40
MAX_PAGES = 10
ARCHIVE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
IMAGE_MAGIC = (
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)
HTML_TYPES = ("text/html", "application/xhtml+xml")


class ArchiveError(Exception):
    """A problem with the archive itself (location, permissions, disk); the message says which."""


@dataclass
class Outcome:
    """What happened to one URL: archived, exists (already archived) or failed."""

    url: str
    status: str
    article_id: int | None = None
    reason: str = ""
    title: str | None = None


@dataclass
class Page:
    """One fetched page of an article: URL, response record id and the cleaning result."""

    url: str
    record: int
    result: CleanResult


def default_root() -> Path:
    """``$CLEANER_HOME``, else the XDG data directory."""
    env = os.environ.get("CLEANER_HOME")
    if env:
        return Path(env).expanduser()
    import platformdirs

    return Path(platformdirs.user_data_dir("cleaner", appauthor=False))


def now_iso() -> str:
    """The current UTC time as ISO 8601."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def site_of(url: str) -> str:
    """The host of a URL without ``www.``."""
    host = (urlsplit(url).hostname or "").lower()
    return host[4:] if host.startswith("www.") else host


def image_type(data: bytes) -> str | None:
    """The MIME type of a raster image judged by its first bytes (never SVG)."""
    for magic, mime in IMAGE_MAGIC:
        if data.startswith(magic):
            return mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "image/webp"
    if data[4:12] in (b"ftypavif", b"ftypavis"):
        return "image/avif"
    return None


_IMG_RE = re.compile(r"<img\b[^>]*>", re.IGNORECASE)
_SRC_RE = re.compile(r'\ssrc="([^"]*)"')


def inline_images(content_html: str, images: dict[str, bytes]) -> str:
    """Replace image URLs by data: URIs of the stored bytes; drop images we do not have."""

    def swap(m: re.Match[str]) -> str:
        """Rewrite one <img> tag."""
        tag = m.group(0)
        src = _SRC_RE.search(tag)
        if not src:
            return ""
        url = html_mod.unescape(src.group(1))
        data = images.get(url)
        mime = image_type(data) if data else None
        if not data or not mime:
            return ""
        uri = f"data:{mime};base64," + base64.b64encode(data).decode("ascii")
        return tag[: src.start(1)] + uri + tag[src.end(1) :]

    return _IMG_RE.sub(swap, content_html)


class Archive:
    """An archive directory: WARC store, clean pages, index."""

    def __init__(
        self,
        root: Path,
        rules: RuleSet | None = None,
        writer_factory: Callable[[Path], WarcWriter] | None = None,
    ):
        """Open (creating if needed) the archive at ``root``."""
        self.root = Path(root)
        self.rules = rules if rules is not None else RuleSet.default()
        try:
            for sub in ("", "warc", "articles"):
                (self.root / sub).mkdir(parents=True, exist_ok=True)
            self.index = Index(self.root / "index.sqlite3")
        except OSError as exc:
            raise ArchiveError(
                f"cannot open archive at {self.root}: {exc.strerror or exc}"
            ) from None
        except Exception as exc:
            if exc.__class__.__module__ == "sqlite3":
                raise ArchiveError(
                    f"cannot open the index {self.root / 'index.sqlite3'}: {exc}"
                ) from None
            raise
        self._writer_factory = writer_factory or (lambda d: WarcWriter(d))
        self._writer: WarcWriter | None = None

    @property
    def writer(self) -> WarcWriter:
        """The WARC writer of this process (created on first use)."""
        if self._writer is None:
            self._writer = self._writer_factory(self.root / "warc")
        return self._writer

    def close(self) -> None:
        """Close the WARC file (renaming it from .open) and the index."""
        if self._writer is not None:
            self._writer.close()
            self._writer = None
        self.index.close()

    def __enter__(self) -> Archive:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

    # -- storing captures ------------------------------------------------------
    def store_exchange(self, ex: Exchange) -> int:
        """Write one exchange to the WARC (a revisit if the body is known), then index it."""
        status, headers, _ = http_parts(ex.response)
        mime = header(headers, "content-type")
        entity = entity_digest(ex.response) if not ex.truncated else None
        original = None
        _, payload = split_http(ex.response)
        if entity and payload and status == 200:
            original = self.index.record_by_entity(entity)
        try:
            if original is not None:
                head, _ = split_http(ex.response)
                resp, req = self.writer.write_revisit(
                    ex.url,
                    ex.request,
                    head,
                    original["payload_digest"],
                    original["url"],
                    original["date"],
                    original["record_id"],
                    ex.ip,
                )
                rtype = "revisit"
            else:
                resp, req = self.writer.write_exchange(
                    ex.url, ex.request, ex.response, ex.ip, ex.truncated
                )
                rtype = "response"
        except OSError as exc:
            raise ArchiveError(
                f"cannot write to {self.root / 'warc'}: {exc.strerror or exc}"
            ) from None
        from .warcfile import sha1_digest

        with self.index.transaction() as db:
            rid = self.index.add_record(
                db,
                url=ex.url,
                type=rtype,
                status=status,
                mime=mime,
                warc_file=resp.filename,
                warc_offset=resp.offset,
                warc_length=resp.length,
                record_id=resp.record_id,
                date=resp.date,
                payload_digest=(
                    original["payload_digest"] if original is not None else sha1_digest(payload)
                ),
                entity_digest=entity,
                truncated=ex.truncated,
                refers_to=original["id"] if original is not None else None,
            )
            self.index.add_record(
                db,
                url=ex.url,
                type="request",
                status=None,
                mime=None,
                warc_file=req.filename,
                warc_offset=req.offset,
                warc_length=req.length,
                record_id=req.record_id,
                date=req.date,
                payload_digest=None,
                entity_digest=None,
                truncated=None,
                refers_to=rid,
            )
        return rid

    def response_block(self, record_id: int) -> tuple[bytes, str]:
        """The full HTTP response bytes of a record (following a revisit), and its URL."""
        row = self.index.record(record_id)
        if row is None:
            raise ArchiveError(f"record {record_id} is not in the index")
        rec = self._read(row)
        if row["type"] == "revisit" and row["refers_to"] is not None:
            orig = self.index.record(row["refers_to"])
            if orig is None:
                raise ArchiveError(f"revisit {row['record_id']} refers to a missing record")
            full = self._read(orig)
            head, _ = split_http(rec.block)
            # Same entity, maybe other framing: re-frame the original's de-chunked body the
            # way this response's own headers say it was sent.
            entity = dechunked_payload(full.block)
            if re.search(rb"(?im)^transfer-encoding:[^\r\n]*chunked", head):
                entity = (
                    b"%x\r\n%s\r\n0\r\n\r\n" % (len(entity), entity) if entity else b"0\r\n\r\n"
                )
            return head + entity, row["url"]
        return rec.block, row["url"]

    def _read(self, row: object) -> WarcRecord:
        """Read an indexed record from its WARC file."""
        path = self.root / "warc" / row["warc_file"]  # type: ignore[index]
        if not path.exists():
            path = path.with_name(path.name + ".open")
        try:
            return read_record(path, row["warc_offset"], row["warc_length"])  # type: ignore[index]
        except RecordError as exc:
            raise ArchiveError(str(exc)) from None

    # -- articles -----------------------------------------------------------------
    def archive_url(
        self, url: str, fetcher: Fetcher, tags: Iterable[str] = (), refresh: bool = False
    ) -> Outcome:
        """Fetch, record, clean and index one article (with its images and next pages)."""
        existing = self.index.article_by_url(url)
        if existing is not None and not refresh:
            return Outcome(url, "exists", existing["id"], title=existing["title"])
        try:
            ok, robots = fetcher.allowed(url)
            for ex in robots:
                self.store_exchange(ex)
            if not ok:
                return Outcome(url, "failed", reason="disallowed by robots.txt")
            pages = self._fetch_page(url, fetcher)
        except FetchError as exc:
            return Outcome(url, "failed", reason=str(exc))
        if isinstance(pages, str):
            return Outcome(url, "failed", reason=pages)
        all_pages = [pages]
        seen = {url, pages.url}
        while (
            (nxt := all_pages[-1].result.next_page)
            and nxt not in seen
            and len(all_pages) < MAX_PAGES
        ):
            seen.add(nxt)
            try:
                more = self._fetch_page(nxt, fetcher)
            except FetchError:
                break
            if isinstance(more, str):
                break
            all_pages.append(more)
        images = self._fetch_images(all_pages, fetcher)
        article_id = self.save_article(url, all_pages, images, tags)
        return Outcome(url, "archived", article_id, title=all_pages[0].result.title)

    def _fetch_page(self, url: str, fetcher: Fetcher) -> Page | str:
        """Fetch and clean one page; a string is the reason it failed."""
        result = fetcher.fetch(url)
        record = 0
        for ex in result.exchanges:
            record = self.store_exchange(ex)
        final = result.final
        if final.error and not final.truncated:
            return final.error
        if final.status != 200:
            return f"HTTP {final.status} from {final.url}"
        if final.truncated:
            return f"{final.url}: response truncated ({final.truncated}); original kept in WARC"
        return self.clean_record(record)

    def clean_record(self, record: int) -> Page | str:
        """Clean the page stored in a response (or resource) record; a string says why not."""
        block, url = self.response_block(record)
        row = self.index.record(record)
        resource = row is not None and row["type"] == "resource"
        try:
            if resource:
                ctype = row["mime"] or "text/html"  # type: ignore[index]
            else:
                _, headers, _ = http_parts(block)
                ctype = header(headers, "content-type") or ""
            if ctype and ctype.split(";")[0].strip().lower() not in HTML_TYPES:
                return f"{url}: not an HTML page (Content-Type: {ctype})"
            body = block[:MAX_PAGE_BYTES] if resource else entity_body(block, MAX_PAGE_BYTES)
            result = clean(body, url=url, content_type=ctype or None, rules=self.rules)
        except (PayloadError, CleanerError) as exc:
            return f"{url}: {exc}"
        return Page(url, record, result)

    def _fetch_images(self, pages: list[Page], fetcher: Fetcher) -> dict[str, bytes]:
        """Fetch (and record) the images the article shows, so the clean copy reads offline."""
        wanted = list(dict.fromkeys(src for p in pages for src in p.result.images))[:MAX_IMAGES]
        out: dict[str, bytes] = {}
        for src in wanted:
            try:
                res = fetcher.fetch(src)
            except FetchError:
                continue
            rid = 0
            for ex in res.exchanges:
                rid = self.store_exchange(ex)
            if res.final.status == 200 and not res.final.truncated:
                data = self._image_bytes(rid)
                if data:
                    out[src] = data
        return out

    def _image_bytes(self, record: int) -> bytes | None:
        """The decoded bytes of an image response record, if it is a raster image."""
        try:
            block, _ = self.response_block(record)
            data = entity_body(block, MAX_IMAGE_BYTES)
        except (ArchiveError, PayloadError):
            return None
        return data if image_type(data) else None

    def stored_images(self, pages: list[Page]) -> dict[str, bytes]:
        """Images of the article as stored in the WARCs (for reclean and import)."""
        out: dict[str, bytes] = {}
        for src in dict.fromkeys(s for p in pages for s in p.result.images):
            row = self.index.latest_response(src)
            if row is not None and not row["truncated"]:
                data = self._image_bytes(row["id"])
                if data:
                    out[src] = data
        return out

    def render(self, pages: list[Page], images: dict[str, bytes]) -> tuple[str, str]:
        """The self-contained reading document and plain text of a (multi-page) article."""
        first = pages[0].result
        text = "\n\n".join(p.result.text for p in pages if p.result.text)
        joined = "\n".join(p.result.content_html for p in pages)
        doc = inline_images(render_result(first, joined, csp=ARCHIVE_CSP), images)
        return doc, text

    def html_path(self, url: str) -> Path:
        """Where the clean page of an article lives (relative to the archive root)."""
        h = hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
        return Path("articles") / h[:2] / f"{h}.html"

    def _write_page(self, rel: Path, doc: str) -> None:
        """Write a clean page atomically (temp file, fsync, rename)."""
        path = self.root / rel
        tmp = path.with_name(path.name + f".tmp{os.getpid()}")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with open(tmp, "w", encoding="utf-8") as fh:
                fh.write(doc)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            raise ArchiveError(f"cannot write {path}: {exc.strerror or exc}") from None

    def _page_differs(self, rel: Path, doc: str) -> bool:
        """True when the stored clean page is missing or not ``doc`` (skip needless fsyncs)."""
        try:
            return (self.root / rel).read_text(encoding="utf-8") != doc
        except OSError:
            return True

    def save_article(
        self, url: str, pages: list[Page], images: dict[str, bytes], tags: Iterable[str]
    ) -> int:
        """Write the clean page, then insert or update the article's index row."""
        doc, text = self.render(pages, images)
        rel = self.html_path(url)
        self._write_page(rel, doc)
        r = pages[0].result
        now = now_iso()
        removals = [x._asdict() for p in pages for x in p.result.removals]
        fields = dict(
            final_url=pages[0].url,
            site=site_of(pages[0].url),
            title=r.title,
            byline=r.byline,
            published=r.published,
            lang=r.lang,
            site_name=r.site_name,
            lead_image=r.lead_image,
            text=text,
            excerpt=_excerpt(text),
            words=len(text.split()),
            updated_at=now,
            record=pages[0].record,
            pages=dumps([p.record for p in pages]),
            rules_digest=r.rules_digest,
            site_rule=r.site_rule,
            content_source=r.content_source,
            html_path=str(rel),
            removals=dumps(removals),
        )
        with self.index.transaction() as db:
            row = db.execute("SELECT id FROM articles WHERE url = ?", (url,)).fetchone()
            if row is None:
                cols = ["url", "captured_at", *fields]
                cur = db.execute(
                    f"INSERT INTO articles ({', '.join(cols)}) VALUES "
                    f"({', '.join('?' for _ in cols)})",
                    (url, now, *fields.values()),
                )
                article_id = int(cur.lastrowid or 0)
            else:
                article_id = int(row["id"])
                db.execute(
                    f"UPDATE articles SET {', '.join(f'{k} = ?' for k in fields)} WHERE id = ?",
                    (*fields.values(), article_id),
                )
            for tag in tags:
                db.execute(
                    "INSERT OR IGNORE INTO tags(article_id, tag) VALUES (?, ?)", (article_id, tag)
                )
        return article_id

    # -- re-cleaning -----------------------------------------------------------------
    def reclean_article(self, row: object, write: bool = True) -> tuple[bool, str, str]:
        """Re-clean one article from its stored WARC records; (changed, old text, new text)."""
        records = _loads_ids(row["pages"]) or [row["record"]]  # type: ignore[index]
        pages: list[Page] = []
        for rec in records:
            page = self.clean_record(rec)
            if isinstance(page, str):
                raise ArchiveError(page)
            pages.append(page)
        images = self.stored_images(pages)
        doc, text = self.render(pages, images)
        old_text = row["text"]  # type: ignore[index]
        new_digest = pages[0].result.rules_digest
        changed = text != old_text
        if write and (changed or new_digest != row["rules_digest"]):  # type: ignore[index]
            self.save_article(row["url"], pages, images, ())  # type: ignore[index]
        elif write and self._page_differs(Path(row["html_path"]), doc):  # type: ignore[index]
            self._write_page(Path(row["html_path"]), doc)  # type: ignore[index]
        return changed, old_text, text


def _excerpt(text: str, limit: int = 280) -> str:
    """The first words of the article, for listings."""
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[:limit].rsplit(" ", 1)[0] + "…"


def _loads_ids(value: str) -> list[int]:
    """Record ids stored as JSON."""
    import json

    try:
        data = json.loads(value or "[]")
    except ValueError:
        return []
    return [int(x) for x in data if isinstance(x, int)]
