"""Writing WARC/1.1 files: exact record blocks, one gzip member per record, one writer per file.

We serialise records ourselves instead of through warcio's writer because warcio
re-renders HTTP headers (``to_ascii_bytes``), which changes the bytes of
non-ASCII or oddly formatted headers; a WARC must hold what arrived. Digests
follow what warcio and wget write (the payload digest covers the raw, possibly
chunked, bytes after the HTTP headers), which is what ``warcio check`` accepts.

A file is written as ``NAME.warc.gz.open`` under an exclusive ``flock``; it is
renamed to ``NAME.warc.gz`` when closed and rolled over by size. Every record is
flushed and fsynced before ``write_*`` returns, so an index row written after it
always points at a complete record; a crash leaves at most a torn tail.
"""

from __future__ import annotations

import base64
import fcntl
import hashlib
import os
import threading
import uuid
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

OPEN_SUFFIX = ".open"
WARC_SUFFIX = ".warc.gz"
DEFAULT_MAX_SIZE = 1024 * 1024 * 1024


def sha1_digest(data: bytes) -> str:
    """A WARC digest value: ``sha1:`` + base32 of the SHA-1."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def warc_date(now: datetime) -> str:
    """WARC-Date in UTC with microseconds (WARC/1.1 allows sub-second precision)."""
    return now.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def split_http(block: bytes) -> tuple[bytes, bytes]:
    """Split an HTTP message at its first blank line, as warcio does: (head, payload)."""
    pos = 0
    while (j := block.find(b"\n", pos)) >= 0:
        line, pos = block[pos : j + 1], j + 1
        if not line.strip():
            return block[:pos], block[pos:]
    return block, b""


@dataclass(frozen=True)
class RecordRef:
    """Where a record lives: file name, offset of its gzip member, member length."""

    filename: str
    offset: int
    length: int
    record_id: str
    date: str


def _header_value(value: str) -> str:
    """Keep a WARC header value on one line."""
    return " ".join(str(value).split())


def build_record(
    rtype: str,
    block: bytes,
    headers: list[tuple[str, str]],
    record_id: str,
    date: str,
    content_type: str | None,
    payload_digest: str | None = None,
) -> bytes:
    """Serialise one uncompressed WARC/1.1 record around an exact block."""
    lines = [
        "WARC/1.1",
        f"WARC-Type: {rtype}",
        f"WARC-Record-ID: {record_id}",
        f"WARC-Date: {date}",
    ]
    lines.extend(f"{k}: {_header_value(v)}" for k, v in headers)
    lines.append(f"WARC-Block-Digest: {sha1_digest(block)}")
    if payload_digest:
        lines.append(f"WARC-Payload-Digest: {payload_digest}")
    if content_type:
        lines.append(f"Content-Type: {_header_value(content_type)}")
    lines.append(f"Content-Length: {len(block)}")
    head = ("\r\n".join(lines) + "\r\n\r\n").encode("utf-8")
    return head + block + b"\r\n\r\n"


def gzip_member(data: bytes) -> bytes:
    """Compress one record as its own gzip member."""
    c = zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS + 16)
    return c.compress(data) + c.flush()


def fsync_dir(directory: Path) -> None:
    """Make a directory's entries (new or renamed files) durable."""
    dfd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(dfd)
    finally:
        os.close(dfd)


class WarcWriter:
    """Appends records to WARC files in ``directory``: one writer per file, rolled by size."""

    def __init__(
        self,
        directory: Path,
        prefix: str = "cleaner",
        max_size: int = DEFAULT_MAX_SIZE,
        clock: Callable[[], datetime] | None = None,
        new_id: Callable[[], str] | None = None,
        software: str = "cleaner",
    ):
        """Prepare a writer; the file is created on the first record."""
        self.directory = Path(directory)
        self.prefix = prefix
        self.max_size = max_size
        self.clock = clock or (lambda: datetime.now(timezone.utc))
        self.new_id = new_id or (lambda: f"<urn:uuid:{uuid.uuid4()}>")
        self.software = software
        self._lock = threading.Lock()
        self._fh: object | None = None
        self._path: Path | None = None
        self._seq = 0

    # -- file lifecycle -------------------------------------------------
    def _open(self) -> None:
        """Create a new ``.warc.gz.open`` file, lock it and write its warcinfo record."""
        self.directory.mkdir(parents=True, exist_ok=True)
        stamp = self.clock().astimezone(timezone.utc).strftime("%Y%m%d%H%M%S%f")
        while True:
            self._seq += 1
            name = f"{self.prefix}-{stamp}-{os.getpid()}-{self._seq:05d}{WARC_SUFFIX}"
            path = self.directory / (name + OPEN_SUFFIX)
            if (self.directory / name).exists():
                continue
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_APPEND, 0o644)
            except FileExistsError:
                continue
            break
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise
        self._fh = os.fdopen(fd, "ab")
        self._path = path
        fsync_dir(self.directory)
        info = (
            f"software: {self.software}\r\nformat: WARC File Format 1.1\r\n"
            f"conformsTo: https://iipc.github.io/warc-specifications/specifications/"
            f"warc-format/warc-1.1/\r\n"
        ).encode()
        self._append(
            build_record(
                "warcinfo",
                info,
                [("WARC-Filename", name)],
                self.new_id(),
                warc_date(self.clock()),
                "application/warc-fields",
            )
        )

    def _append(self, record: bytes) -> RecordRef:
        """Write one gzip member, flush and fsync it; return where it landed."""
        return self._append_all([record])[0]

    def _append_all(self, records: list[bytes]) -> list[RecordRef]:
        """Write records as gzip members in ONE write, then fsync: a pair lands together."""
        assert self._fh is not None and self._path is not None
        fh = self._fh
        offset = fh.tell()  # type: ignore[attr-defined]
        members = [gzip_member(r) for r in records]
        fh.write(b"".join(members))  # type: ignore[attr-defined]
        fh.flush()  # type: ignore[attr-defined]
        os.fsync(fh.fileno())  # type: ignore[attr-defined]
        name = self._path.name.removesuffix(OPEN_SUFFIX)
        refs = []
        for m in members:
            refs.append(RecordRef(name, offset, len(m), "", ""))
            offset += len(m)
        return refs

    def close(self) -> None:
        """Finish the current file: fsync, rename away ``.open``, fsync the directory."""
        with self._lock:
            self._close_locked()

    def _close_locked(self) -> None:
        """Close without taking the lock (caller holds it)."""
        if self._fh is None or self._path is None:
            return
        fh = self._fh
        fh.flush()  # type: ignore[attr-defined]
        os.fsync(fh.fileno())  # type: ignore[attr-defined]
        final = self._path.with_name(self._path.name.removesuffix(OPEN_SUFFIX))
        # link + unlink fails instead of silently replacing an existing finished file.
        os.link(self._path, final)
        os.unlink(self._path)
        fh.close()  # type: ignore[attr-defined]
        fsync_dir(self.directory)
        self._fh = None
        self._path = None

    def __enter__(self) -> WarcWriter:
        """Use as a context manager; the file is closed on exit."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the current file."""
        self.close()

    # -- records ----------------------------------------------------------
    def _ensure_room(self) -> None:
        """Open a file if none is open, or roll over when the current one is full."""
        if self._fh is not None and self._fh.tell() >= self.max_size:  # type: ignore[attr-defined]
            self._close_locked()
        if self._fh is None:
            self._open()

    def write_exchange(
        self,
        url: str,
        request: bytes,
        response: bytes,
        ip: str | None = None,
        truncated: str | None = None,
    ) -> tuple[RecordRef, RecordRef]:
        """Write a response record and its request record (linked by WARC-Concurrent-To)."""
        _, payload = split_http(response)
        extra = [("WARC-Truncated", truncated)] if truncated else []
        return self._write_pair("response", url, response, sha1_digest(payload), extra, request, ip)

    def write_revisit(
        self,
        url: str,
        request: bytes,
        response_headers: bytes,
        payload_digest: str,
        refers_to_uri: str,
        refers_to_date: str,
        refers_to_id: str,
        ip: str | None = None,
    ) -> tuple[RecordRef, RecordRef]:
        """Write a revisit (identical payload) record with its request record."""
        extra = [
            ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
            ("WARC-Refers-To-Target-URI", refers_to_uri),
            ("WARC-Refers-To-Date", refers_to_date),
            ("WARC-Refers-To", refers_to_id),
        ]
        return self._write_pair(
            "revisit", url, response_headers, payload_digest, extra, request, ip
        )

    def _write_pair(
        self,
        rtype: str,
        url: str,
        block: bytes,
        payload_digest: str,
        extra: list[tuple[str, str]],
        request: bytes,
        ip: str | None,
    ) -> tuple[RecordRef, RecordRef]:
        """Write a response/revisit record and its request record in one write + fsync."""
        with self._lock:
            self._ensure_room()
            date = warc_date(self.clock())
            main_id = self.new_id()
            req_id = self.new_id()
            headers = [("WARC-Target-URI", url), *extra]
            if ip:
                headers.append(("WARC-IP-Address", ip))
            http = "application/http; msgtype="
            main_ref, req_ref = self._append_all(
                [
                    build_record(
                        rtype, block, headers, main_id, date, http + "response", payload_digest
                    ),
                    build_record(
                        "request",
                        request,
                        [("WARC-Target-URI", url), ("WARC-Concurrent-To", main_id)],
                        req_id,
                        date,
                        http + "request",
                        None,
                    ),
                ]
            )
            return (
                RecordRef(main_ref.filename, main_ref.offset, main_ref.length, main_id, date),
                RecordRef(req_ref.filename, req_ref.offset, req_ref.length, req_id, date),
            )

    def append_member(self, chunks: Iterator[bytes], gzipped: bool) -> RecordRef:
        """Copy one record verbatim (import): a gzip member as is, or gzip a plain record."""
        with self._lock:
            self._ensure_room()
            assert self._fh is not None and self._path is not None
            fh = self._fh
            offset = fh.tell()  # type: ignore[attr-defined]
            comp = None if gzipped else zlib.compressobj(6, zlib.DEFLATED, zlib.MAX_WBITS + 16)
            for chunk in chunks:
                fh.write(comp.compress(chunk) if comp else chunk)  # type: ignore[attr-defined]
            if comp is not None:
                fh.write(comp.flush())  # type: ignore[attr-defined]
            fh.flush()  # type: ignore[attr-defined]
            os.fsync(fh.fileno())  # type: ignore[attr-defined]
            end = fh.tell()  # type: ignore[attr-defined]
            name = self._path.name.removesuffix(OPEN_SUFFIX)
            return RecordRef(name, offset, end - offset, "", "")

    def write_resource(self, url: str, data: bytes, content_type: str) -> RecordRef:
        """Write a resource record (e.g. a saved .html file imported with --url)."""
        with self._lock:
            self._ensure_room()
            date = warc_date(self.clock())
            rid = self.new_id()
            ref = self._append(
                build_record(
                    "resource",
                    data,
                    [("WARC-Target-URI", url)],
                    rid,
                    date,
                    content_type,
                    sha1_digest(data),
                )
            )
            return RecordRef(ref.filename, ref.offset, ref.length, rid, date)
