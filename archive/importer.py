"""``cleaner import``: bring WARC files written by other tools (and saved .html pages) in.

Every intact record is copied verbatim into our own WARC (a gzip member as it was,
a plain record gzipped), indexed, and every HTML 200 response becomes an article.
A damaged file is imported up to the damage: records before it are kept, and the
problem is reported as ``file:offset: why``. Nothing is ever half-indexed: a
record's index row is written only after its bytes are safely in our WARC.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from warcio.archiveiterator import ArchiveIterator

from .capture import check_target
from .capture_conn import FetchError
from .payload import PayloadError, entity_digest, header, http_parts
from .store import HTML_TYPES, Archive, ArchiveError, now_iso
from .warcread import MAX_RECORD_BYTES, RecordError, WarcRecord, parse_record, read_record

COPY_CHUNK = 1024 * 1024


@dataclass
class ImportReport:
    """What an import did: records copied, articles made, duplicates, problems."""

    path: str
    records: int = 0
    duplicates: int = 0
    articles: list[int] = field(default_factory=list)
    existing: int = 0
    problems: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def _boundaries(path: Path, report: ImportReport) -> list[tuple[int, int]]:
    """(offset, length) of each intact record: those before the first damage our verifier
    finds (bad digest, merged gzip members, torn tail …), as warcio walks them."""
    from .verify import verify_file

    issues = verify_file(path)
    damage = min((i.offset for i in issues), default=None)
    if damage is not None:
        first = min(issues, key=lambda i: i.offset)
        report.problems.append(f"{path}:{first.offset}: {first.message}")
    out: list[tuple[int, int]] = []
    with open(path, "rb") as fh:
        it = ArchiveIterator(fh, arc2warc=False, check_digests=False)
        try:
            for rec in it:
                if rec.format.startswith("arc"):
                    report.problems[:] = [
                        f"{path}:0: ARC files are not supported; convert "
                        "them to WARC first (warcio or jwat)"
                    ]
                    return []
                it.read_to_end(rec)
                offset = it.get_record_offset()
                if damage is not None and offset >= damage:
                    break
                out.append((offset, it.get_record_length()))
        except Exception as exc:
            if damage is None:
                where = out[-1][0] + out[-1][1] if out else 0
                report.problems.append(
                    f"{path}:{where}: {type(exc).__name__}: "
                    f"{str(exc).splitlines()[0] if str(exc) else 'damaged'}"
                )
    return out


def _chunks(path: Path, offset: int, length: int) -> Iterator[bytes]:
    """Stream ``length`` bytes of a file from ``offset``."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        left = length
        while left > 0:
            data = fh.read(min(COPY_CHUNK, left))
            if not data:
                return
            left -= len(data)
            yield data


def _head(path: Path, offset: int) -> WarcRecord:
    """Headers (and the start of the block) of a record too large to read whole."""
    with open(path, "rb") as fh:
        fh.seek(offset)
        raw = fh.read(256 * 1024)
    if raw.startswith(b"\x1f\x8b"):
        raw = zlib.decompressobj(31).decompress(raw, 256 * 1024)
    end = raw.find(b"\r\n\r\n")
    if end < 0:
        raise RecordError(f"{path.name}:{offset}", "no end of WARC headers")
    headers: dict[str, str] = {}
    for line in raw[:end].decode("utf-8", "replace").split("\r\n")[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return WarcRecord(headers, raw[end + 4 :])


def import_warc(arc: Archive, path: Path) -> ImportReport:
    """Copy and index every intact record of a WARC file; make articles of HTML pages."""
    report = ImportReport(str(path))
    pages: list[int] = []
    for offset, length in _boundaries(path, report):
        try:
            rec = (
                read_record(path, offset, length)
                if length <= MAX_RECORD_BYTES
                else _head(path, offset)
            )
        except RecordError as exc:
            report.problems.append(f"{path}:{offset}: {exc.reason}")
            break
        rid = rec.get("warc-record-id")
        if (
            rid
            and arc.index.db.execute("SELECT 1 FROM records WHERE record_id = ?", (rid,)).fetchone()
        ):
            report.duplicates += 1
            continue
        gz = next(_chunks(path, offset, 2), b"") == b"\x1f\x8b"
        try:
            ref = arc.writer.append_member(_chunks(path, offset, length), gzipped=gz)
        except OSError as exc:
            raise ArchiveError(
                f"cannot write to {arc.root / 'warc'}: {exc.strerror or exc}"
            ) from None
        row = _index_record(arc, rec, ref.filename, ref.offset, ref.length)
        report.records += 1
        if row and _is_html_page(rec):
            pages.append(row)
    for record in pages:
        _make_article(arc, record, report)
    return report


def _is_html_page(rec: WarcRecord) -> bool:
    """A 200 HTML response (or an HTML resource) that is not truncated."""
    if rec.get("warc-truncated"):
        return False
    rtype = rec.get("warc-type")
    if rtype == "resource":
        return (rec.get("content-type") or "").split(";")[0].strip().lower() in HTML_TYPES
    if rtype not in ("response", "revisit"):
        return False
    try:
        status, headers, _ = http_parts(rec.block)
    except PayloadError:
        return False
    ctype = (header(headers, "content-type") or "").split(";")[0].strip().lower()
    return status == 200 and ctype in HTML_TYPES


def _index_record(
    arc: Archive, rec: WarcRecord, filename: str, offset: int, length: int
) -> int | None:
    """Index one copied record; return its row id."""
    rtype = rec.get("warc-type") or "unknown"
    status = mime = entity = None
    refers = None
    if rtype in ("response", "revisit") and rec.block.startswith(b"HTTP/"):
        try:
            status, headers, _ = http_parts(rec.block)
            mime = header(headers, "content-type")
            if rtype == "response":
                entity = entity_digest(rec.block)
        except PayloadError:
            pass
    elif rtype == "resource":
        mime = rec.get("content-type")
    if rtype == "revisit":
        target = rec.get("warc-refers-to")
        row = None
        if target:
            row = arc.index.db.execute(
                "SELECT id FROM records WHERE record_id = ?", (target,)
            ).fetchone()
        if row is None and rec.get("warc-payload-digest"):
            row = arc.index.db.execute(
                "SELECT id FROM records WHERE payload_digest = ? AND type = 'response' "
                "ORDER BY id LIMIT 1",
                (rec.get("warc-payload-digest"),),
            ).fetchone()
        refers = row["id"] if row else None
    with arc.index.transaction() as db:
        return arc.index.add_record(
            db,
            url=rec.get("warc-target-uri") or "",
            type=rtype,
            status=status,
            mime=mime,
            warc_file=filename,
            warc_offset=offset,
            warc_length=length,
            record_id=rec.get("warc-record-id") or f"<urn:import:{filename}:{offset}>",
            date=rec.get("warc-date") or now_iso(),
            payload_digest=rec.get("warc-payload-digest"),
            entity_digest=entity,
            truncated=rec.get("warc-truncated"),
            refers_to=refers,
        )


def _make_article(arc: Archive, record: int, report: ImportReport) -> None:
    """Clean an imported page into an article (unless that URL is already archived)."""
    row = arc.index.record(record)
    if row is None or not row["url"]:
        return
    if arc.index.article_by_url(row["url"]) is not None:
        report.existing += 1
        return
    if row["type"] == "revisit" and row["refers_to"] is None:
        report.problems.append(f"{row['url']}: revisit of a record that is not in the archive")
        return
    page = arc.clean_record(record)
    if isinstance(page, str):
        report.skipped.append(page)
        return
    images = arc.stored_images([page])
    report.articles.append(arc.save_article(row["url"], [page], images, ("imported",)))


def import_html(arc: Archive, path: Path, url: str) -> ImportReport:
    """Import a saved .html page under ``url`` as a resource record and an article."""
    report = ImportReport(str(path))
    # (Before anything is written: the URL is the record's target and the article's key.)
    try:
        check_target(url)
    except FetchError as exc:
        raise ArchiveError(f"{path}: {exc}") from None
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ArchiveError(f"cannot read {path}: {exc.strerror or exc}") from None
    ref = arc.writer.write_resource(url, data, "text/html")
    rec = parse_record(b"WARC/1.1\r\nContent-Length: 0\r\n\r\n", str(path))
    rec.headers.update(
        {
            "warc-type": "resource",
            "warc-target-uri": url,
            "warc-record-id": ref.record_id,
            "warc-date": ref.date,
            "content-type": "text/html",
        }
    )
    row = _index_record(arc, rec, ref.filename, ref.offset, ref.length)
    report.records = 1
    if row is not None:
        if arc.index.article_by_url(url) is not None:
            report.existing += 1
        else:
            _make_article(arc, row, report)
    return report
