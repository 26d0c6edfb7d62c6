"""Records for the WARC verifier: parse one record from a stream and check it.

Checked: the version line, CRLF header lines, mandatory fields and their syntax, UTF-8
header values, fields mandatory per record type, <URI> syntax of record ids, W3C dates
(fractional seconds only in WARC/1.1), Content-Length equal to the block, the
``CRLF CRLF`` after the block, block and payload digests (revisit payloads are not
checked) and an HTTP status (request) line at the start of application/http responses
(requests).

One producer quirk is tolerated: Heritrix 3 writes an empty block followed by a single
CRLF (iipc-dedup's server-not-modified sample); inside a gzip member that ends right
there the record is still unambiguous, so it is accepted. In a plain file it is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from .verify_block import Block, parse_digest
from .verify_stream import CHUNK, Reader

MAX_LINE = 64 * 1024  # one WARC header line
MAX_WARC_HEADER = 1024 * 1024  # the whole WARC header block of one record
VERSION_LINES = (b"WARC/1.0\r\n", b"WARC/1.1\r\n")

MANDATORY = ("WARC-Record-ID", "WARC-Date", "WARC-Type", "Content-Length")
# WARC 1.1 section 6: fields that are mandatory for some record types only.
TYPE_MANDATORY = {
    "response": ("WARC-Target-URI",),
    "resource": ("WARC-Target-URI",),
    "request": ("WARC-Target-URI",),
    "revisit": ("WARC-Target-URI", "WARC-Profile"),
    "conversion": ("WARC-Target-URI",),
    "continuation": ("WARC-Target-URI", "WARC-Segment-Origin-ID", "WARC-Segment-Number"),
}
ID_FIELDS = ("WARC-Concurrent-To", "WARC-Refers-To", "WARC-Warcinfo-ID", "WARC-Segment-Origin-ID")

_TOKEN = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+")
_CTL = re.compile(rb"[\x00-\x08\x0a-\x1f\x7f]")
_RECORD_ID = re.compile(r"<[A-Za-z][A-Za-z0-9+.\-]*:[^\s<>]+>")
_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?Z")
_DIGITS = re.compile(r"[0-9]+")
_STATUS_LINE = re.compile(rb"HTTP/\d+(\.\d+)? [0-9]{3}( [^\r\n]*)?\r?\n")
_REQUEST_LINE = re.compile(rb"[!#$%&'*+.^_`|~0-9A-Za-z-]+ [^\s]+ HTTP/\d+(\.\d+)?\r?\n")


@dataclass
class Record:
    """The outcome of parsing one record from a stream."""

    problems: list[str] = field(default_factory=list)
    incomplete: bool = False  # the data ended inside the record
    desync: bool = False  # where the record ends cannot be trusted
    record_id: str | None = None


def _check_date(value: str, version: str, name: str) -> str | None:
    """Problem with a WARC date value (W3C ISO 8601 profile, UTC), or None."""
    m = _DATE.fullmatch(value)
    if not m:
        return f"{name} {value!r} is not YYYY-MM-DDThh:mm:ss[.fraction]Z"
    year, month, day, hour, minute, second = (int(g) for g in m.groups()[:6])
    try:
        datetime(year, month, day, hour, minute, min(second, 59))
    except ValueError:
        return f"{name} {value!r} is not a valid date"
    if second > 60:
        return f"{name} {value!r} is not a valid time"
    if m.group(7) and version == "1.0":
        return f"{name} {value!r} has fractional seconds, which need WARC/1.1"
    return None


def _first(by_name: dict[str, list[str]], name: str) -> str:
    """The first value of a field (by lower-case name), or "" when it is absent."""
    return (by_name.get(name) or [""])[0]


def _read_header(r: Reader, rec: Record) -> tuple[str, list[tuple[str, str]]] | None:
    """Read the version line and the header fields; None when the record is unusable."""
    line = r.readline(MAX_LINE)
    if not line.endswith(b"\n") and any(v.startswith(line) for v in VERSION_LINES):
        rec.incomplete = True
        rec.problems.append(f"record truncated in its version line ({len(line)} bytes)")
        return None
    if line not in VERSION_LINES:
        rec.desync = True
        rec.problems.append(f"bad version line {line[:40]!r} (want WARC/1.0 or WARC/1.1)")
        return None
    version = line[5:8].decode()
    fields: list[tuple[str, str]] = []
    total = len(line)
    while True:
        line = r.readline(MAX_LINE)
        total += len(line)
        if not line.endswith(b"\n"):
            if len(line) < MAX_LINE:
                rec.incomplete = True
                rec.problems.append(f"record truncated in its header after {total} bytes")
            else:
                rec.desync = True
                rec.problems.append(f"WARC header line longer than {MAX_LINE} bytes")
            return None
        if total > MAX_WARC_HEADER:
            rec.desync = True
            rec.problems.append(f"WARC header longer than {MAX_WARC_HEADER} bytes")
            return None
        if not line.endswith(b"\r\n"):
            rec.problems.append(f"WARC header line not terminated by CRLF: {line[:60]!r}")
        body = line.rstrip(b"\n").removesuffix(b"\r")
        if not body:
            return version, fields
        if body[:1] in (b" ", b"\t"):
            if not fields:
                rec.problems.append("WARC header starts with a continuation line")
            else:
                fields[-1] = (fields[-1][0], fields[-1][1] + " " + _text(body, rec))
            continue
        name, sep, value = body.partition(b":")
        if not sep:
            rec.problems.append(f"malformed WARC header line (no colon): {body[:60]!r}")
            continue
        if not _TOKEN.fullmatch(name):
            rec.problems.append(f"invalid WARC header field name {name[:60]!r}")
            continue
        fields.append((name.decode("ascii"), _text(value, rec)))


def _text(value: bytes, rec: Record) -> str:
    """Decode a header value as UTF-8, noting invalid bytes and control characters."""
    if _CTL.search(value):
        rec.problems.append(f"control character in WARC header value {value[:60]!r}")
    try:
        return value.decode("utf-8").strip()
    except UnicodeDecodeError:
        rec.problems.append(f"WARC header value is not UTF-8: {value[:60]!r}")
        return value.decode("utf-8", "replace").strip()


def _check_fields(version: str, fields: list[tuple[str, str]], rec: Record) -> dict[str, list[str]]:
    """Check mandatory fields and field syntax; return the fields by lower-case name."""
    by_name: dict[str, list[str]] = {}
    for name, value in fields:
        by_name.setdefault(name.lower(), []).append(value)
    for name in MANDATORY:
        values = by_name.get(name.lower(), [])
        if not values:
            rec.problems.append(f"missing mandatory field {name}")
        elif len(values) > 1:
            rec.problems.append(f"{name} appears {len(values)} times")
    rtype = _first(by_name, "warc-type")
    if rtype and not _TOKEN.fullmatch(rtype.encode()):
        rec.problems.append(f"WARC-Type {rtype!r} is not a token")
    for name in TYPE_MANDATORY.get(rtype, ()):
        if not by_name.get(name.lower()):
            rec.problems.append(f"missing field {name}, mandatory for {rtype} records")
    ids = by_name.get("warc-record-id")
    if ids:
        record_id = rec.record_id = ids[0]
        if not _RECORD_ID.fullmatch(record_id):
            rec.problems.append(f"WARC-Record-ID {record_id!r} is not a <URI>")
    for name in ID_FIELDS:
        for value in by_name.get(name.lower(), []):
            if not _RECORD_ID.fullmatch(value):
                rec.problems.append(f"{name} {value!r} is not a <URI>")
    for name in ("WARC-Date", "WARC-Refers-To-Date"):
        for value in by_name.get(name.lower(), [])[:1]:
            problem = _check_date(value, version, name)
            if problem:
                rec.problems.append(problem)
    return by_name


def parse_record(r: Reader, in_member: bool = False) -> Record:
    """Parse and check one record from the stream, consuming it and its CRLF CRLF."""
    rec = Record()
    head = _read_header(r, rec)
    if head is None:
        return rec
    version, fields = head
    by_name = _check_fields(version, fields, rec)
    lengths = by_name.get("content-length", [])
    if len(lengths) != 1 or not _DIGITS.fullmatch(lengths[0]):
        if lengths:
            rec.problems.append(f"Content-Length {lengths[0]!r} is not a number")
        rec.desync = True
        return rec
    length = int(lengths[0])
    rtype = _first(by_name, "warc-type")
    digests: dict[str, tuple[str, set[bytes]] | None] = {}
    for key, name in (("block", "WARC-Block-Digest"), ("payload", "WARC-Payload-Digest")):
        values = by_name.get(name.lower(), [])
        if len(values) > 1:
            rec.problems.append(f"{name} appears {len(values)} times")
        parsed = parse_digest(name, values[0]) if values else None
        if isinstance(parsed, str):
            rec.problems.append(parsed)
            parsed = None
        digests[key] = parsed
    if rtype == "revisit" or by_name.get("warc-segment-number"):
        digests["payload"] = None  # a revisit has no payload; a segment has part of one
    ctype = _first(by_name, "content-type").split(";")[0].strip().lower()
    uri = _first(by_name, "warc-target-uri").strip("<>").lower()
    http = rtype in ("request", "response") and (
        ctype == "application/http" or uri.startswith(("http:", "https:"))
    )
    first_line = None
    if ctype == "application/http" and rtype in ("request", "response"):
        first_line = _STATUS_LINE if rtype == "response" else _REQUEST_LINE
    block = Block(
        digests["block"][0] if digests["block"] else None,
        digests["payload"][0] if digests["payload"] else None,
        http,
        first_line,
    )
    left = length
    while left:
        data = r.read(min(left, CHUNK))
        if not data:
            rec.incomplete = True
            rec.problems.append(
                f"record truncated: block has {length - left} of {length} bytes (Content-Length)"
            )
            return rec
        block.feed(data)
        left -= len(data)
    block.finish()
    trailer = r.read_exact(4)
    if trailer == b"\r\n" and not length and in_member and r.at_end():
        pass  # Heritrix 3 quirk, see the module docstring
    elif trailer != b"\r\n\r\n":
        if len(trailer) < 4 and b"\r\n\r\n".startswith(trailer):
            rec.incomplete = True
            rec.problems.append("record truncated in the CRLF CRLF after its block")
        else:
            rec.desync = True
            rec.problems.append(
                f"block not followed by CRLF CRLF (found {trailer!r}); "
                f"Content-Length {length} does not match the block"
            )
    truncated = bool(by_name.get("warc-truncated"))
    rec.problems.extend(block.problems(digests["block"], digests["payload"], truncated, rtype))
    return rec
