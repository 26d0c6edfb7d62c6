"""Index-to-WARC consistency: every index row must point at a complete, matching record."""

from __future__ import annotations

from pathlib import Path

from .store import Archive
from .warcread import RecordError, read_record


def _warc_path(arc: Archive, name: str) -> Path:
    """The path of a WARC file by its final name (it may still be .open)."""
    path = arc.root / "warc" / name
    return path if path.exists() else path.with_name(name + ".open")


def check_index(arc: Archive) -> list[str]:
    """Problems: rows whose record is missing, torn or another record; missing clean pages."""
    problems = []
    for row in arc.index.db.execute(
        "SELECT id, record_id, warc_file, warc_offset, warc_length FROM records ORDER BY id"
    ):
        path = _warc_path(arc, row["warc_file"])
        where = f"record {row['id']} ({row['warc_file']}:{row['warc_offset']})"
        if not path.exists():
            problems.append(f"{where}: WARC file is missing")
            continue
        try:
            rec = read_record(path, row["warc_offset"], row["warc_length"])
        except RecordError as exc:
            problems.append(f"{where}: {exc}")
            continue
        if rec.get("warc-record-id") not in (row["record_id"], None):
            problems.append(
                f"{where}: holds {rec.get('warc-record-id')}, index says {row['record_id']}"
            )
    for row in arc.index.db.execute("SELECT id, html_path FROM articles ORDER BY id"):
        if not (arc.root / row["html_path"]).is_file():
            problems.append(f"article {row['id']}: clean page {row['html_path']} is missing")
    return problems


def reindex(arc: Archive) -> int:
    """Index records that are in our WARC files but not in the index (a crash between the
    WARC fsync and the index commit); make articles of their pages. Returns how many."""
    from .importer import ImportReport, _boundaries, _index_record, _is_html_page, _make_article

    added = 0
    known = {r[0] for r in arc.index.db.execute("SELECT record_id FROM records")}
    for path in sorted((arc.root / "warc").glob("*.warc.gz")):
        report = ImportReport(str(path))
        pages = []
        for offset, length in _boundaries(path, report):
            try:
                rec = read_record(path, offset, length)
            except RecordError:
                break
            if rec.get("warc-record-id") in known or rec.get("warc-type") == "warcinfo":
                continue
            row = _index_record(arc, rec, path.name, offset, length)
            added += 1
            if row and _is_html_page(rec):
                pages.append(row)
        for row in pages:
            _make_article(arc, row, report)
    return added
