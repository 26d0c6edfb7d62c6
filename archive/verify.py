"""Structural WARC verifier and torn-tail repair (`cleaner verify`).

External validators miss broken WARCs (``warcio check`` passed 41 of 60 torn files),
so this module checks the structure itself, streaming, with bounded memory:

* ``.warc.gz`` (and ``.warc.gz.open``): every gzip member must inflate cleanly (zlib
  checks the CRC-32 and ISIZE trailer) and hold exactly one complete record; merged
  members, garbage between or after members and a torn member at the tail are flagged
  at their compressed offset.
* plain ``.warc`` (and ``.warc.open``): records follow each other with nothing between.
* every record: version line, CRLF header lines, mandatory fields and their syntax,
  Content-Length equal to the block, the ``CRLF CRLF`` after the block, block and payload
  digests (a payload digest may be over the raw bytes after the HTTP headers, chunk
  framing included, as warcio and wget write it, or over the de-chunked entity as the
  WARC 1.1 spec says; both are accepted; revisit payloads are not checked), UTF-8
  header values, fields mandatory per record type, <URI> syntax of record ids, W3C
  dates (fractional seconds only in WARC/1.1), duplicate record ids within a file, and
  an HTTP status (request) line at the start of application/http responses (requests).

One producer quirk is tolerated: Heritrix 3 writes an empty block followed by a single
CRLF (iipc-dedup's server-not-modified sample); inside a gzip member that ends right
there the record is still unambiguous, so it is accepted. In a plain file it is not.

``repair_file`` trims a torn tail (keeping the cut bytes in ``NAME.torn-OFFSET``) and
renames a ``.open`` file whose writer is dead; a file still locked by a live writer
is never touched. ``warcio_check`` runs warcio as a second opinion under a timeout.

This module is the public face (also ``python -m archive.verify``); the work is split:

* ``verify_stream``: buffered reader, one-member gzip inflater, resync search.
* ``verify_block``: digest fields, block and payload digests, HTTP framing of a block.
* ``verify_record``: parse and check one record (header lines, fields, block, trailer).
* ``verify_scan``: walk a plain or gzip file record by record; ``verify_file``/``_paths``.
* ``verify_repair``: ``repair_file``, the torn-tail trim and ``.open`` rename.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass

from .verify_block import DIGEST_SIZES, MAX_CHUNK_LINE, MAX_HTTP_HEADER
from .verify_record import (
    ID_FIELDS,
    MANDATORY,
    MAX_LINE,
    MAX_WARC_HEADER,
    TYPE_MANDATORY,
    VERSION_LINES,
)
from .verify_repair import RepairReport, repair_file
from .verify_scan import (
    MAX_IDS,
    WARC_SUFFIXES,
    Issue,
    verify_file,
    verify_paths,
    warc_paths,
)
from .verify_stream import CHUNK, GZIP_MAGIC
from .warcfile import OPEN_SUFFIX

__all__ = [
    "CHUNK",
    "DIGEST_SIZES",
    "GZIP_MAGIC",
    "ID_FIELDS",
    "MANDATORY",
    "MAX_CHUNK_LINE",
    "MAX_HTTP_HEADER",
    "MAX_IDS",
    "MAX_LINE",
    "MAX_WARC_HEADER",
    "OPEN_SUFFIX",
    "TYPE_MANDATORY",
    "VERSION_LINES",
    "WARC_SUFFIXES",
    "ExternalVerdict",
    "Issue",
    "RepairReport",
    "main",
    "repair_file",
    "verify_file",
    "verify_paths",
    "warcio_check",
]


@dataclass(frozen=True)
class ExternalVerdict:
    """The verdict of an external checker: ok is None when it could not decide in time."""

    tool: str
    ok: bool | None
    returncode: int | None
    output: str


def warcio_check(path: str | os.PathLike[str], timeout: float = 30.0) -> ExternalVerdict:
    """Run ``warcio check`` on one file in a subprocess, killed after ``timeout`` seconds."""
    cmd = [sys.executable, "-m", "warcio.cli", "check", str(path)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=timeout, check=False)
    except subprocess.TimeoutExpired:
        return ExternalVerdict("warcio check", None, None, f"timed out after {timeout} s")
    output = (done.stdout + done.stderr).decode("utf-8", "replace")
    return ExternalVerdict("warcio check", done.returncode == 0, done.returncode, output)


def main(argv: list[str] | None = None) -> int:
    """``python -m archive.verify [--repair] PATH...``: print issues, exit 1 if any."""
    args = list(sys.argv[1:] if argv is None else argv)
    repair = "--repair" in args
    paths = [a for a in args if a != "--repair"]
    if not paths:
        print("usage: python -m archive.verify [--repair] PATH...", file=sys.stderr)
        return 2
    if repair:
        for f in warc_paths(paths):
            for note in repair_file(f).notes:
                print(f"{f}: {note}", file=sys.stderr)
    bad = 0
    for issues in verify_paths(paths).values():
        for issue in issues:
            print(issue)
        bad += bool(issues)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
