"""File scanning for the WARC verifier: walk a file's records and collect ``Issue``s.

* ``.warc.gz`` (and ``.warc.gz.open``): every gzip member must inflate cleanly (zlib
  checks the CRC-32 and ISIZE trailer) and hold exactly one complete record; merged
  members, garbage between or after members and a torn member at the tail are flagged
  at their compressed offset.
* plain ``.warc`` (and ``.warc.open``): records follow each other with nothing between;
  after damage the scan resyncs at the next version line.

Record ids are remembered per file (bounded) to flag duplicates. A scan also notes
where a torn or garbage tail starts, for ``repair_file``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from .verify_record import VERSION_LINES, parse_record
from .verify_stream import CHUNK, GZIP_MAGIC, Member, Reader, find_next
from .warcfile import OPEN_SUFFIX

MAX_IDS = 1_000_000  # record ids remembered per file for the duplicate check
WARC_SUFFIXES = (".warc", ".warc.gz", ".warc.open", ".warc.gz.open")


@dataclass(frozen=True)
class Issue:
    """One problem found in a WARC file, at a byte offset (a member's, in a .gz file)."""

    file: str
    offset: int
    message: str

    def __str__(self) -> str:
        """Render as ``file:offset: message``."""
        return f"{self.file}:{self.offset}: {self.message}"


@dataclass
class Scan:
    """Everything a scan of one file learned."""

    issues: list[Issue] = field(default_factory=list)
    records: int = 0
    size: int = 0
    tail_offset: int | None = None  # start of a torn or garbage tail that runs to EOF


class _Ids:
    """Remembers record ids of one file to flag duplicates (bounded)."""

    def __init__(self) -> None:
        """Start empty."""
        self.seen: set[str] = set()

    def problem(self, record_id: str | None) -> str | None:
        """A message if this id was seen before in the file."""
        if record_id is None:
            return None
        if record_id in self.seen:
            return f"duplicate WARC-Record-ID {record_id}"
        if len(self.seen) < MAX_IDS:
            self.seen.add(record_id)
        return None


def _scan_gzip(fh: BinaryIO, name: str, size: int) -> Scan:
    """Check a record-level gzip WARC member by member."""
    scan = Scan(size=size)
    ids = _Ids()
    pos = 0
    bad_since: int | None = None  # start of a run of data that is no valid member
    bad_first = ""  # what was wrong at its start
    bad_tornish = False  # that run began as a torn member or non-gzip garbage
    while pos < size:
        member = Member(fh, pos)
        reader = Reader(member.produce)
        problems: list[str] = []
        count = 0
        while not reader.at_end():
            rec = parse_record(reader, in_member=True)
            count += 1
            prefix = f"record {count} in member: " if count > 1 else ""
            problems.extend(prefix + p for p in rec.problems)
            dup = ids.problem(rec.record_id)
            if dup:
                problems.append(prefix + dup)
            if rec.desync or rec.incomplete:
                break
        member.drain()
        if member.error or member.torn:
            if bad_since is None:
                bad_since = pos
                garbage = member.error is not None and member.error.startswith("not a gzip")
                bad_tornish = member.torn or garbage
                if member.torn:
                    bad_first = f"torn gzip member: file ends {size - pos} bytes into it"
                elif garbage and member.produced == 0:
                    bad_first = f"data that is not a gzip member: {member.error}"
                else:
                    bad_first = f"corrupt gzip member: {member.error}"
            nxt = find_next(fh, pos + 1, (GZIP_MAGIC,))
            pos = size if nxt is None else nxt
            continue
        assert member.end is not None
        if bad_since is not None:
            scan.issues.append(
                Issue(
                    name,
                    bad_since,
                    f"{bad_first}; {pos - bad_since} bytes "
                    f"skipped to the next good member at {pos}",
                )
            )
            bad_since = None
        scan.records += count
        if count == 0:
            problems.append("gzip member holds no record")
        elif count > 1:
            problems.insert(0, f"gzip member holds {count} records (want one per member)")
        scan.issues.extend(Issue(name, pos, p) for p in problems)
        pos = member.end
    if bad_since is not None:
        what = "trailing garbage or torn tail" if bad_tornish else "damaged tail"
        scan.issues.append(
            Issue(
                name, bad_since, f"{bad_first}; {what} of {size - bad_since} bytes to end of file"
            )
        )
        if bad_tornish:
            scan.tail_offset = bad_since
    return scan


def _scan_plain(fh: BinaryIO, name: str, size: int) -> Scan:
    """Check an uncompressed WARC record by record, resyncing after damage."""
    scan = Scan(size=size)
    ids = _Ids()
    pos = 0
    while pos < size:
        fh.seek(pos)
        reader = Reader(lambda: fh.read(CHUNK))
        while not reader.at_end():
            start = pos + reader.consumed
            rec = parse_record(reader)
            dup = ids.problem(rec.record_id)
            problems = rec.problems + ([dup] if dup else [])
            if not rec.incomplete and not rec.desync:
                scan.records += 1
                scan.issues.extend(Issue(name, start, p) for p in problems)
                continue
            nxt = None if rec.incomplete else find_next(fh, start + 1, VERSION_LINES)
            if nxt is None and problems and problems[0].startswith("bad version line"):
                problems[0] = (
                    f"trailing garbage: {size - start} bytes that are not a "
                    f"WARC record ({problems[0]})"
                )
            scan.issues.extend(Issue(name, start, p) for p in problems)
            if nxt is None:
                scan.tail_offset = start
                return scan
            scan.issues.append(
                Issue(name, start, f"skipped {nxt - start} bytes to the next version line at {nxt}")
            )
            pos = nxt
            break
        else:
            return scan
    return scan


def _is_gzip_name(path: Path) -> bool:
    """True when the file name (without ``.open``) says gzip."""
    return path.name.removesuffix(OPEN_SUFFIX).endswith(".gz")


def scan_fh(fh: BinaryIO, path: Path) -> Scan:
    """Scan an open file as gzip or plain WARC (by magic bytes, then by name)."""
    fh.seek(0, os.SEEK_END)
    size = fh.tell()
    fh.seek(0)
    head = fh.read(2)
    if head == GZIP_MAGIC[:2] or _is_gzip_name(path):
        return _scan_gzip(fh, str(path), size)
    return _scan_plain(fh, str(path), size)


def verify_file(path: str | os.PathLike[str]) -> list[Issue]:
    """Check one WARC file (.warc, .warc.gz or their .open forms); [] means no problem."""
    p = Path(path)
    with open(p, "rb") as fh:
        return scan_fh(fh, p).issues


def warc_files(path: Path) -> list[Path]:
    """WARC files under a directory (recursively), sorted."""
    return sorted(p for p in path.rglob("*") if p.is_file() and p.name.endswith(WARC_SUFFIXES))


def warc_paths(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Each path that is a file, and the WARC files under each one that is a directory."""
    for item in paths:
        p = Path(item)
        yield from warc_files(p) if p.is_dir() else [p]


def verify_paths(paths: Iterable[str | os.PathLike[str]]) -> dict[str, list[Issue]]:
    """Check files and the WARC files under directories; map each file to its issues."""
    return {str(f): verify_file(f) for f in warc_paths(paths)}
