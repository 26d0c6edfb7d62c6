"""Torn-tail repair for the WARC verifier (``cleaner verify --repair``).

``repair_file`` trims a torn tail (keeping the cut bytes in ``NAME.torn-OFFSET``) and
renames a ``.open`` file whose writer is dead; a file still locked by a live writer
is never touched.
"""

from __future__ import annotations

import fcntl
import os
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from .verify_scan import WARC_SUFFIXES, Issue, scan_fh, verify_file
from .verify_stream import CHUNK
from .warcfile import OPEN_SUFFIX, fsync_dir


@dataclass(frozen=True)
class RepairReport:
    """What ``repair_file`` found and did."""

    path: str
    final_path: str
    locked: bool = False
    cut_offset: int | None = None
    cut_bytes: int = 0
    torn_copy: str | None = None
    renamed: bool = False
    issues: tuple[Issue, ...] = ()
    notes: tuple[str, ...] = ()

    @property
    def changed(self) -> bool:
        """True when the file was trimmed or renamed."""
        return self.cut_offset is not None or self.renamed

    def __str__(self) -> str:
        """The notes, one sentence each."""
        return "; ".join(self.notes) or "nothing to do"


def _torn_copy(fh: BinaryIO, final: Path, offset: int, size: int) -> Path:
    """Copy bytes [offset, size) to ``NAME.torn-OFFSET`` (never overwriting); fsync it."""
    target = final.with_name(f"{final.name}.torn-{offset}")
    n = 0
    while True:
        try:
            fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
            break
        except FileExistsError:
            n += 1
            target = final.with_name(f"{final.name}.torn-{offset}.{n}")
    with os.fdopen(fd, "wb") as out:
        fh.seek(offset)
        left = size - offset
        while left:
            data = fh.read(min(CHUNK, left))
            if not data:
                break
            out.write(data)
            left -= len(data)
        out.flush()
        os.fsync(out.fileno())
    return target


def _left_alone(p: Path, note: str, locked: bool = False) -> RepairReport:
    """The report for a file that ``repair_file`` did not touch."""
    return RepairReport(str(p), str(p), locked=locked, notes=(note,))


def repair_file(path: str | os.PathLike[str]) -> RepairReport:
    """Trim a torn tail (keeping the cut bytes) and finish a ``.open`` file of a dead writer."""
    p = Path(path)
    is_open = p.name.endswith(OPEN_SUFFIX)
    final = p.with_name(p.name.removesuffix(OPEN_SUFFIX))
    if not p.name.endswith(WARC_SUFFIXES):
        # Above all a NAME.torn-OFFSET copy: "repairing" it would cut it away again.
        return _left_alone(p, "not a WARC file name; left alone")
    if is_open and p.stat().st_size == 0:
        # A writer creates the file, then locks it: an empty file may be a writer starting.
        return _left_alone(p, "empty .open file left alone")
    fd = os.open(p, os.O_RDWR)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return _left_alone(p, "locked by a live writer; left alone", locked=True)
        try:
            same = os.fstat(fd).st_ino == os.stat(p).st_ino
        except FileNotFoundError:
            same = False
        if not same:
            return _left_alone(p, "renamed by its writer meanwhile")
        return _repair_locked(fd, p, final, is_open)
    finally:
        os.close(fd)


def _repair_locked(fd: int, p: Path, final: Path, is_open: bool) -> RepairReport:
    """Repair while holding the file's lock."""
    notes: list[str] = []
    cut: int | None = None
    cut_bytes = 0
    copy: Path | None = None
    with os.fdopen(fd, "rb", closefd=False) as fh:
        scan = scan_fh(fh, p)
        if scan.tail_offset is not None and scan.tail_offset < scan.size:
            cut, cut_bytes = scan.tail_offset, scan.size - scan.tail_offset
            copy = _torn_copy(fh, final, cut, scan.size)
            os.ftruncate(fd, cut)
            os.fsync(fd)
            notes.append(f"cut {cut_bytes} torn bytes at {cut}; kept in {copy.name}")
    renamed = False
    where = p
    if is_open:
        try:
            os.link(p, final)  # unlike rename, never replaces an existing file
        except FileExistsError:
            notes.append(f"{final.name} already exists; .open name kept")
        else:
            os.unlink(p)
            renamed = True
            where = final
            notes.append(f"renamed to {final.name}")
    if cut is not None or renamed:
        fsync_dir(p.parent)
    issues = tuple(verify_file(where))
    if issues:
        notes.append(f"{len(issues)} problem(s) remain that are not a torn tail")
    return RepairReport(
        str(p),
        str(where),
        cut_offset=cut,
        cut_bytes=cut_bytes,
        torn_copy=str(copy) if copy else None,
        renamed=renamed,
        issues=issues,
        notes=tuple(notes),
    )
