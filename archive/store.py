"""The archive on disk: WARC files, clean article pages and the SQLite index, kept consistent.

Layout of an archive directory::

    warc/        NAME.warc.gz (closed) and NAME.warc.gz.open (being written)
    articles/    ab/abcdef0123456789.html, one self-contained clean page per article
    index.sqlite3

Write order for every capture: WARC records flushed and fsynced, then the clean
page written atomically (temp file + rename), then the index row committed. A
crash therefore leaves at most a torn WARC tail (``cleaner verify --repair``)
and never an index row pointing at a record that is not on disk.

Images are handled by record id (``src`` -> response record), never as a set of
bytes: the clean page is streamed to its temp file and each image is read back
from its WARC record only when it is written (``store_images.write_inlined``),
so saving an article holds one image in memory, not all of them.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from urllib.parse import urlsplit

from cleaner import CleanerError, CleanResult, RuleSet, clean
from cleaner.render import render_result

from .capture import Fetcher, FetchError
from .index import dumps
from .payload import PayloadError, entity_body, header, http_parts
from .store_images import IMAGE_MAGIC as IMAGE_MAGIC
from .store_images import (
    MAX_IMAGE_BYTES,
    MAX_IMAGES,
    ImageLoader,
    Sink,
    image_type,
    page_differs,
    write_inlined,
    write_page_atomically,
)
from .store_records import ArchiveError, RecordStore
from .warcfile import WarcWriter

MAX_PAGE_BYTES = 20 * 1024 * 1024
MAX_PAGES = 10
ARCHIVE_CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"
HTML_TYPES = ("text/html", "application/xhtml+xml")


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


class Archive(RecordStore):
    """An archive directory: WARC store, clean pages, index."""

    def __init__(
        self,
        root: Path,
        rules: RuleSet | None = None,
        writer_factory: Callable[[Path], WarcWriter] | None = None,
    ):
        """Open (creating if needed) the archive at ``root``."""
        self.rules = rules if rules is not None else RuleSet.default()
        super().__init__(root, writer_factory)

    def __enter__(self) -> Archive:
        """Use as a context manager."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close on exit."""
        self.close()

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
        return Outcome(url, "archived", article_id, title=all_pages[0].result.headline)

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

    def _fetch_images(self, pages: list[Page], fetcher: Fetcher) -> dict[str, int]:
        """Fetch (and record) the images the article shows; {src: response record id}.

        Whether a record is a usable raster image is judged when the page is written.
        """
        wanted = list(dict.fromkeys(src for p in pages for src in p.result.images))[:MAX_IMAGES]
        out: dict[str, int] = {}
        for src in wanted:
            try:
                res = fetcher.fetch(src)
            except FetchError:
                continue
            rid = 0
            for ex in res.exchanges:
                rid = self.store_exchange(ex)
            if res.final.status == 200 and not res.final.truncated and rid:
                out[src] = rid
        return out

    def _image_bytes(self, record: int) -> bytes | None:
        """The decoded bytes of an image response record, if it is a raster image."""
        try:
            block, _ = self.response_block(record)
            data = entity_body(block, MAX_IMAGE_BYTES)
        except (ArchiveError, PayloadError):
            return None
        return data if image_type(data) else None

    def stored_images(self, pages: list[Page]) -> dict[str, int]:
        """Images of the article as stored in the WARCs (reclean, import); {src: record id}."""
        out: dict[str, int] = {}
        for src in dict.fromkeys(s for p in pages for s in p.result.images):
            row = self.index.latest_response(src)
            if row is not None and not row["truncated"]:
                out[src] = int(row["id"])
        return out

    def image_loader(self, images: Mapping[str, int]) -> ImageLoader:
        """Load an image's bytes by ``src`` from its WARC record, on demand (None: unusable)."""

        def load(src: str) -> bytes | None:
            """The raster bytes stored for ``src``, if any."""
            record = images.get(src)
            return None if record is None else self._image_bytes(record)

        return load

    def document(self, pages: list[Page]) -> tuple[str, str]:
        """The reading document (images not yet inlined) and plain text of an article."""
        first = pages[0].result
        text = "\n\n".join(p.result.text for p in pages if p.result.text)
        joined = "\n".join(p.result.content_html for p in pages)
        return render_result(first, joined, csp=ARCHIVE_CSP), text

    def render(self, pages: list[Page], images: Mapping[str, int]) -> tuple[str, str]:
        """The self-contained document and text of an article, built in memory.

        For callers that need it as a string; the save paths stream it (``_write_page``).
        """
        doc, text = self.document(pages)
        parts: list[bytes] = []
        write_inlined(doc, self.image_loader(images), parts.append, "surrogatepass")
        return b"".join(parts).decode("utf-8", "surrogatepass"), text

    def html_path(self, url: str) -> Path:
        """Where the clean page of an article lives (relative to the archive root)."""
        h = hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]
        return Path("articles") / h[:2] / f"{h}.html"

    def _producer(self, doc: str, images: Mapping[str, int]) -> Callable[[Sink], None]:
        """Something that writes ``doc`` to a sink with its images inlined, streaming them."""
        load = self.image_loader(images)

        def produce(write: Sink) -> None:
            """Write the document with its images inlined."""
            write_inlined(doc, load, write)

        return produce

    def _write_page(self, rel: Path, doc: str, images: Mapping[str, int]) -> None:
        """Write a clean page atomically (temp file, fsync, rename), images streamed in."""
        path = self.root / rel
        try:
            write_page_atomically(path, self._producer(doc, images))
        except OSError as exc:
            raise ArchiveError(f"cannot write {path}: {exc.strerror or exc}") from None

    def _page_differs(self, rel: Path, doc: str, images: Mapping[str, int]) -> bool:
        """True when the stored clean page is missing or not ``doc`` (skip needless fsyncs).

        Compared chunk by chunk as ``doc`` is produced, images inlined: neither is held whole.
        """
        return page_differs(self.root / rel, self._producer(doc, images))

    def save_article(
        self, url: str, pages: list[Page], images: Mapping[str, int], tags: Iterable[str]
    ) -> int:
        """Write the clean page, then insert or update the article's index row.

        ``images`` maps each image ``src`` to its response record (``stored_images``).
        """
        doc, text = self.document(pages)
        rel = self.html_path(url)
        self._write_page(rel, doc, images)
        r = pages[0].result
        now = now_iso()
        removals = [x._asdict() for p in pages for x in p.result.removals]
        fields = dict(
            final_url=pages[0].url,
            site=site_of(pages[0].url),
            title=r.headline or r.title,
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
        doc, text = self.document(pages)
        old_text = row["text"]  # type: ignore[index]
        new_digest = pages[0].result.rules_digest
        changed = text != old_text
        if write and (changed or new_digest != row["rules_digest"]):  # type: ignore[index]
            self.save_article(row["url"], pages, images, ())  # type: ignore[index]
        elif write and self._page_differs(Path(row["html_path"]), doc, images):  # type: ignore[index]
            self._write_page(Path(row["html_path"]), doc, images)  # type: ignore[index]
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
