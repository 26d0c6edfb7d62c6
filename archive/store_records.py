"""The capture records of an archive: WARC records written and read back, and their index rows.

``RecordStore`` is the lower half of ``archive.store.Archive``: it owns the
archive directory's WARC writer and index, writes each HTTP exchange (as a
revisit when its body is already stored) and reads records back, following
revisits to the original body.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from .capture import Exchange
from .index import Index
from .payload import dechunked_payload, entity_digest, header, http_parts
from .warcfile import WarcWriter, sha1_digest, split_http
from .warcread import RecordError, WarcRecord, read_record


class ArchiveError(Exception):
    """A problem with the archive itself (location, permissions, disk); the message says which."""


class RecordStore:
    """An archive directory's WARC store and index (the base of ``Archive``)."""

    def __init__(
        self,
        root: Path,
        writer_factory: Callable[[Path], WarcWriter] | None = None,
    ):
        """Open (creating if needed) the archive at ``root``."""
        self.root = Path(root)
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

    # -- storing captures ------------------------------------------------------
    def store_exchange(self, ex: Exchange) -> int:
        """Write one exchange to the WARC (a revisit if the body is known), then index it."""
        status, headers, _ = http_parts(ex.response)
        mime = header(headers, "content-type")
        entity = entity_digest(ex.response) if not ex.truncated else None
        original = None
        head, payload = split_http(ex.response)
        if entity and payload and status == 200:
            original = self.index.record_by_entity(entity)
        try:
            if original is not None:
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
