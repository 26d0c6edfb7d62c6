"""archive.verify: no false alarms on good WARCs, every mutant flagged, torn tails repaired.

Good files: WarcWriter output (gzip, plain, .open), hand-built records that use the other
legal forms (WARC/1.0, hex/base64/sha256/md5 digests, spec-form de-chunked payload
digests, folded header lines, unknown record types), warcio's valid fixtures and the
iipc-dedup samples. Mutants: ≥ 300, generated with a fixed seed, all must be flagged.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import os
import random
import subprocess
import sys
import tracemalloc
import zlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import pytest

from archive.verify import (
    MANDATORY,
    TYPE_MANDATORY,
    Issue,
    main,
    repair_file,
    verify_file,
    verify_paths,
    warcio_check,
)
from archive.warcfile import WarcWriter, gzip_member, sha1_digest

SHARED = Path(
    os.environ.get("CLEANER_SHARED", Path(__file__).resolve().parents[1].parent / "shared")
)
CORPUS = SHARED / "corpora" / "warc"
CLOCK = datetime(2024, 1, 2, 3, 4, 5, 123456, tzinfo=timezone.utc)
SEED = 20240102


# -- good files -------------------------------------------------------------------


def _writer(directory: Path) -> WarcWriter:
    """A WarcWriter with a fixed clock and predictable record ids."""
    counter = itertools.count(1)
    return WarcWriter(
        directory,
        clock=lambda: CLOCK,
        new_id=lambda: f"<urn:uuid:00000000-0000-4000-8000-{next(counter):012d}>",
    )


def _chunk(data: bytes) -> bytes:
    """One HTTP/1.1 chunk."""
    return b"%x\r\n%s\r\n" % (len(data), data)


def _request(path: str) -> bytes:
    """A GET request for ``path`` on example.com."""
    return f"GET {path} HTTP/1.1\r\nHost: example.com\r\nAccept: */*\r\n\r\n".encode()


def _fill(w: WarcWriter) -> None:
    """Write one of every record kind the archive writes (warcinfo comes first by itself)."""
    chunked = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n"
        b"\r\n" + _chunk(b"<p>Hello ") + _chunk(b"world</p>") + b"0\r\n\r\n"
    )
    first, _ = w.write_exchange("http://example.com/a", _request("/a"), chunked, ip="127.0.0.1")
    body = random.Random(7).randbytes(70_000)  # larger than one 64 KiB read: streamed digests
    binary = (
        b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Length: %d\r\n\r\n" % len(body)
    ) + body
    w.write_exchange("http://example.com/bin", _request("/bin"), binary)
    w.write_exchange(
        "http://example.com/cut",
        _request("/cut"),
        b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n" + b"x" * 40,
        truncated="length",
    )
    w.write_revisit(
        "http://example.com/a2",
        _request("/a2"),
        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n",
        sha1_digest(b"<p>Hello world</p>"),
        "http://example.com/a",
        first.date,
        first.record_id,
    )
    w.write_resource(
        "http://example.com/berita.html",
        "<p>Selamat pagi — Baca Juga</p>".encode(),
        "text/html; charset=utf-8",
    )
    w.write_resource("http://example.com/empty", b"", "text/plain")
    w.write_exchange(
        "http://example.com/none", _request("/none"), b"HTTP/1.1 204 No Content\r\n\r\n"
    )


def _ours(directory: Path) -> Path:
    """A closed WarcWriter file holding every record kind."""
    with _writer(directory) as w:
        _fill(w)
    (path,) = directory.glob("*.warc.gz")
    return path


def _digest(algo: str, enc: str, data: bytes) -> str:
    """A digest field value in a given algorithm and encoding."""
    raw = hashlib.new(algo, data).digest()
    text = {
        "hex": raw.hex(),
        "HEX": raw.hex().upper(),
        "b32": base64.b32encode(raw).decode(),
        "b64": base64.b64encode(raw).decode(),
        "b64url": base64.urlsafe_b64encode(raw).decode(),
    }[enc]
    return f"{algo}:{text}"


def _record(
    version: str, fields: list[tuple[str, str]], block: bytes, folded: bool = False
) -> bytes:
    """A hand-built record; Content-Length is added, a folded line if asked."""
    lines = [f"WARC/{version}"] + [f"{k}: {v}" for k, v in fields]
    if folded:
        lines.append("X-Note: a long value\r\n  folded onto a second line")
    lines.append(f"Content-Length: {len(block)}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + block + b"\r\n\r\n"


def _hand_records() -> list[bytes]:
    """Records in the other legal forms our writer never produces."""
    rid = iter(f"<urn:uuid:11111111-0000-4000-8000-{i:012d}>" for i in range(1, 100))
    info = b"software: hand\r\nformat: WARC File Format 1.0\r\n"
    entity = b"<p>Hello world</p>"
    head = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\nContent-Type: text/html\r\n\r\n"
    chunked = head + _chunk(entity[:7]) + _chunk(entity[7:]) + b"0\r\nX-Trailer: 1\r\n\r\n"
    plain = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
    dns = b"20240102030405\nexample.com. 300 IN A 127.0.0.1\n"
    first = next(rid)
    return [
        _record(
            "1.0",
            [
                ("WARC-Type", "warcinfo"),
                ("WARC-Record-ID", first),
                ("WARC-Date", "2024-01-02T03:04:05Z"),
                ("Content-Type", "application/warc-fields"),
                ("WARC-Block-Digest", _digest("md5", "hex", info)),
            ],
            info,
        ),
        # WARC 1.1 spec form: payload digest over the de-chunked entity; sha256 base32.
        _record(
            "1.1",
            [
                ("WARC-Type", "response"),
                ("WARC-Record-ID", next(rid)),
                ("WARC-Date", "2024-01-02T03:04:05.5Z"),
                ("WARC-Target-URI", "https://example.com/spec"),
                ("WARC-Warcinfo-ID", first),
                ("Content-Type", "application/http;msgtype=response"),
                ("WARC-Block-Digest", _digest("sha256", "b32", chunked)),
                ("WARC-Payload-Digest", _digest("sha1", "b32", entity)),
            ],
            chunked,
        ),
        _record(
            "1.0",
            [
                ("WARC-Type", "response"),
                ("WARC-Record-ID", next(rid)),
                ("WARC-Date", "2024-01-02T03:04:06Z"),
                ("WARC-Target-URI", "http://example.com/ok"),
                ("Content-Type", "application/http; msgtype=response"),
                ("WARC-Block-Digest", _digest("sha1", "hex", plain)),
                ("WARC-Payload-Digest", _digest("sha1", "b64", b"ok")),
            ],
            plain,
        ),
        _record(
            "1.1",
            [
                ("WARC-Type", "response"),
                ("WARC-Record-ID", next(rid)),
                ("WARC-Date", "2024-01-02T03:04:07.000001Z"),
                ("WARC-Target-URI", "dns:example.com"),
                ("Content-Type", "text/dns"),
                ("WARC-Block-Digest", _digest("sha1", "HEX", dns)),
                ("WARC-Payload-Digest", _digest("sha1", "b64url", dns)),
            ],
            dns,
        ),
        _record(
            "1.1",
            [
                ("WARC-Type", "metadata"),
                ("WARC-Record-ID", next(rid)),
                ("WARC-Date", "2024-01-02T03:04:08Z"),
                ("WARC-Concurrent-To", "<urn:uuid:11111111-0000-4000-8000-000000000002>"),
                ("WARC-Concurrent-To", "<urn:uuid:11111111-0000-4000-8000-000000000003>"),
                ("Content-Type", "application/warc-fields"),
                ("WARC-Block-Digest", _digest("sha1", "b32", b"via: hand\r\n")),
            ],
            b"via: hand\r\n",
            folded=True,
        ),
        _record(
            "1.1",
            [
                ("WARC-Type", "conversion"),
                ("WARC-Record-ID", next(rid)),
                ("WARC-Date", "2024-01-02T03:04:09Z"),
                ("WARC-Target-URI", "http://example.com/ok"),
                ("WARC-Refers-To", "<urn:uuid:11111111-0000-4000-8000-000000000003>"),
                ("Content-Type", "text/plain"),
                ("WARC-Block-Digest", _digest("sha512", "b64", b"ok")),
            ],
            b"ok",
        ),
        # Unknown record types are allowed by the spec (WARC 1.1 section 6.1).
        _record(
            "1.1",
            [
                ("WARC-Type", "x-custom-note"),
                ("WARC-Record-ID", next(rid)),
                ("WARC-Date", "2024-01-02T03:04:10Z"),
                ("WARC-Block-Digest", _digest("sha1", "b32", b"n")),
            ],
            b"n",
        ),
    ]


@dataclass
class Base:
    """A good file as its records and its original gzip members."""

    name: str
    records: list[bytes]
    members: list[bytes]

    @property
    def gz(self) -> bytes:
        """The gzip file."""
        return b"".join(self.members)

    @property
    def plain(self) -> bytes:
        """The uncompressed file."""
        return b"".join(self.records)

    def boundaries(self, fmt: str) -> list[int]:
        """Offsets where records (plain) or members (gz) start, plus the file size."""
        parts = self.members if fmt == "gz" else self.records
        return [0, *itertools.accumulate(len(p) for p in parts)]


def _split(data: bytes) -> Base:
    """Split a record-level gzip WARC into its members and records."""
    records, members, pos = [], [], 0
    while pos < len(data):
        d = zlib.decompressobj(wbits=31)
        records.append(d.decompress(data[pos:]) + d.flush())
        assert d.eof
        end = len(data) - len(d.unused_data)
        members.append(data[pos:end])
        pos = end
    return Base("", records, members)


@pytest.fixture(scope="module")
def ours(tmp_path_factory: pytest.TempPathFactory) -> Base:
    """Our writer's output, split."""
    path = _ours(tmp_path_factory.mktemp("ours"))
    base = _split(path.read_bytes())
    base.name = "ours"
    return base


@pytest.fixture(scope="module")
def hand() -> Base:
    """The hand-built records, one gzip member each."""
    records = _hand_records()
    return Base("hand", records, [gzip_member(r) for r in records])


def test_issue_renders_as_file_offset_message() -> None:
    """An issue prints as ``file:offset: message``."""
    assert str(Issue("a.warc.gz", 317, "torn gzip member")) == "a.warc.gz:317: torn gzip member"


def test_writer_files_are_clean(tmp_path: Path, ours: Base, hand: Base) -> None:
    """0 false alarms: gzip, plain and .open forms of our files and the hand-built ones."""
    live = _writer(tmp_path / "live")
    _fill(live)  # left open: a live writer's locked .open file must read clean too
    (open_path,) = (tmp_path / "live").glob("*.warc.gz.open")
    files = {
        "ours.warc.gz": ours.gz,
        "ours.warc": ours.plain,
        "ours.warc.open": ours.plain,
        "hand.warc.gz": hand.gz,
        "hand.warc": hand.plain,
        "empty.warc.gz": b"",
    }
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    try:
        for path in [open_path, *(tmp_path / n for n in files)]:
            assert verify_file(path) == [], path.name
    finally:
        live.close()


def test_payload_digest_forms(tmp_path: Path) -> None:
    """A payload digest may be raw (chunk framing kept) or de-chunked; anything else fails."""
    entity = b"<p>Hello world</p>"
    block = b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + _chunk(entity) + b"0\r\n\r\n"
    raw = block.split(b"\r\n\r\n", 1)[1]
    verdicts = {}
    for label, payload in (("raw", raw), ("entity", entity), ("other", entity + b"!")):
        rec = _record(
            "1.1",
            [
                ("WARC-Type", "response"),
                ("WARC-Record-ID", "<urn:uuid:1>"),
                ("WARC-Date", "2024-01-02T03:04:05Z"),
                ("WARC-Target-URI", "http://example.com/"),
                ("Content-Type", "application/http; msgtype=response"),
                ("WARC-Payload-Digest", sha1_digest(payload)),
            ],
            block,
        )
        path = tmp_path / f"{label}.warc"
        path.write_bytes(rec)
        verdicts[label] = [i.message.split(":")[0] for i in verify_file(path)]
    assert verdicts == {"raw": [], "entity": [], "other": ["WARC-Payload-Digest mismatch"]}


def test_revisit_payload_digest_is_not_checked(tmp_path: Path) -> None:
    """A revisit's payload digest names an earlier record's payload: never compared."""
    rec = _record(
        "1.1",
        [
            ("WARC-Type", "revisit"),
            ("WARC-Record-ID", "<urn:uuid:1>"),
            ("WARC-Date", "2024-01-02T03:04:05Z"),
            ("WARC-Target-URI", "http://example.com/"),
            ("WARC-Profile", "http://netpreserve.org/warc/1.1/revisit/identical-payload-digest"),
            ("WARC-Payload-Digest", sha1_digest(b"elsewhere")),
        ],
        b"HTTP/1.1 200 OK\r\n\r\n",
    )
    (tmp_path / "r.warc").write_bytes(rec)
    assert verify_file(tmp_path / "r.warc") == []


# -- shared corpora ------------------------------------------------------------------

# Every file in corpora/warc/warcio/, classified by hand: (verdict, expected text, why).
WARCIO_FILES = {
    "example.warc": ("good", "", "warcio's reference: warcinfo, response, request, revisit"),
    "example.warc.gz": ("good", "", "the same, one gzip member per record"),
    "example-iana.org-chunked.warc": ("good", "", "chunked response, hex sha1 digests"),
    "example-resource.warc.gz": ("good", "", "two warcinfo records and a resource"),
    "example-space-in-target-uri.warc.gz": (
        "good",
        "",
        "a space in WARC-Target-URI; target URIs are not judged here",
    ),
    "example-wget-bad-target-uri.warc.gz": (
        "good",
        "",
        "wget output; WARC-Target-URI in <> (WARC/1.0 draft style)",
    ),
    "post-test.warc.gz": ("good", "", "POST exchanges; no warcinfo (recommended only)"),
    "example-bad-non-chunked.warc.gz": (
        "broken",
        "gzip member holds 6 records",
        "the whole file is one gzip member",
    ),
    "example-bad.warc.gz.bad": (
        "broken",
        "gzip member holds 6 records",
        "the whole file is one gzip member",
    ),
    "example-digest.warc": (
        "broken",
        "WARC-Payload-Digest",
        "bad payload digest; four records share one id",
    ),
    "example-trunc.warc": (
        "broken",
        "Content-Length 973 does not match",
        "response block cut short",
    ),
    "example-wrong-chunks.warc.gz": (
        "broken",
        "record truncated",
        "gzip members split in the middle of records",
    ),
    "bad.arc": ("not-warc", "version line", "a (malformed) ARC file, not WARC"),
    "example.arc": ("not-warc", "version line", "ARC format, not WARC"),
    "example.arc.gz": ("not-warc", "version line", "gzipped ARC, not WARC"),
    "example-space-in-url.arc": ("not-warc", "version line", "ARC format, not WARC"),
    "LICENSE": ("not-warc", "trailing garbage", "the corpus licence text"),
}


@pytest.mark.skipif(not (CORPUS / "warcio").is_dir(), reason="shared WARC corpus absent")
def test_warcio_corpus_classified() -> None:
    """warcio's good fixtures verify clean; its broken and non-WARC files are flagged."""
    names = sorted(p.name for p in (CORPUS / "warcio").iterdir())
    assert names == sorted(WARCIO_FILES), "classify every corpus file in WARCIO_FILES"
    for name, (verdict, expected, _why) in WARCIO_FILES.items():
        issues = verify_file(CORPUS / "warcio" / name)
        if verdict == "good":
            assert issues == [], f"false alarm on {name}: {issues}"
        else:
            assert any(expected in i.message for i in issues), f"{name}: {issues}"


@pytest.mark.skipif(not (CORPUS / "iipc-dedup").is_dir(), reason="shared WARC corpus absent")
def test_iipc_dedup_samples_clean() -> None:
    """Heritrix originals and revisits (incl. an empty-block quirk) verify clean."""
    results = verify_paths([CORPUS / "iipc-dedup"])
    assert len(results) == 5
    assert {Path(k).name: v for k, v in results.items() if v} == {}


# -- mutants ------------------------------------------------------------------------

Mutant = tuple[str, str, bytes, str]  # kind, "gz" or "plain", file bytes, expected text


def _lines(rec: bytes) -> tuple[list[bytes], bytes]:
    """A record's header lines (version line first) and everything after the header."""
    head, rest = rec.split(b"\r\n\r\n", 1)
    return head.split(b"\r\n"), rest


def _join(lines: list[bytes], rest: bytes) -> bytes:
    """Reassemble a record from header lines and the rest."""
    return b"\r\n".join(lines) + b"\r\n\r\n" + rest


def _name(line: bytes) -> bytes:
    """The lower-case field name of a header line."""
    return line.split(b":", 1)[0].strip().lower()


def _without(rec: bytes, field: str) -> bytes | None:
    """The record without ``field``, or None if it has no such field."""
    lines, rest = _lines(rec)
    kept = [line for line in lines if _name(line) != field.lower().encode()]
    return None if len(kept) == len(lines) else _join(kept, rest)


def _set(rec: bytes, field: str, value: bytes) -> bytes:
    """The record with the value of ``field`` replaced."""
    lines, rest = _lines(rec)
    for i, line in enumerate(lines):
        if i and _name(line) == field.lower().encode():
            lines[i] = line.split(b":", 1)[0] + b": " + value
    return _join(lines, rest)


def _field(rec: bytes, field: str) -> bytes:
    """The value of ``field`` in a record."""
    lines, _ = _lines(rec)
    return next(
        line.split(b":", 1)[1].strip()
        for line in lines[1:]
        if _name(line) == field.lower().encode()
    )


def _replaced(base: Base, fmt: str, i: int, rec: bytes) -> bytes:
    """The file with record ``i`` replaced (re-compressed as its own member in gz)."""
    if fmt == "gz":
        return b"".join(gzip_member(rec) if j == i else m for j, m in enumerate(base.members))
    return b"".join(rec if j == i else r for j, r in enumerate(base.records))


def _record_edits(base: Base) -> Iterator[tuple[str, str, int, bytes]]:
    """Record-level damage: (kind, expected text, record index, damaged record)."""
    dates = [
        b"2024-13-02T03:04:05Z",
        b"2024-01-02 03:04:05Z",
        b"2024-01-02T03:04:05",
        b"2024-01-02T03:04:05+07:00",
        b"2024-02-30T03:04:05Z",
        b"20240102T030405Z",
        b"2024-01-02T24:04:05Z",
        b"2024-01-02",
        b"",
        b"Tue, 02 Jan 2024 03:04:05 GMT",
        b"2024-01-02T03:04:05.Z",
        b"2024-1-2T03:04:05Z",
    ]
    versions = [
        b"WARC/1.2",
        b"WARC/0.18",
        b"warc/1.1",
        b"WARC/1.1 ",
        b"HTTP/1.1",
        b"WARC/11",
        b"WARC/1.10",
        b" WARC/1.1",
        b"WARC/2.0",
        b"WARC 1.1",
    ]
    for i, rec in enumerate(base.records):
        rtype = _field(rec, "WARC-Type").decode()
        for field in (*MANDATORY, *TYPE_MANDATORY.get(rtype, ())):
            damaged = _without(rec, field)
            assert damaged is not None, (i, field)
            yield (
                "missing-field",
                f"missing {'mandatory ' * (field in MANDATORY)}field {field}",
                i,
                damaged,
            )
        length = int(_field(rec, "Content-Length"))
        for delta in (-10, -1, 1, 10):
            yield (
                "content-length",
                "Content-Length",
                i,
                _set(rec, "Content-Length", str(length + delta).encode()),
            )
        for k in range(4):
            bad = dates[(4 * i + k) % len(dates)]
            yield "bad-date", "WARC-Date", i, _set(rec, "WARC-Date", bad)
        for k in range(2):
            lines, rest = _lines(rec)
            yield (
                "bad-version",
                "version line",
                i,
                _join([versions[(2 * i + k) % len(versions)], *lines[1:]], rest),
            )


def _header_targets(rec: bytes) -> list[tuple[int, bool]]:
    """Header bytes that no change can leave valid: (offset, is a case-insensitive letter).

    The version line, every CR, LF and first colon, the names of mandatory fields, the
    Content-Length digits, digest values, the <> of WARC-Record-ID and the punctuation
    of WARC-Date. Other bytes (a letter of WARC-Target-URI, say) can change into another
    valid value that no structural check can tell from the original.
    """
    out: list[tuple[int, bool]] = []
    lines, _ = _lines(rec)
    pos = 0
    for i, line in enumerate(lines):
        out += [(pos + len(line), False), (pos + len(line) + 1, False)]
        if i == 0:
            out += [(pos + j, False) for j in range(len(line))]
        else:
            name, _, value = line.partition(b":")
            colon = pos + len(name)
            out.append((colon, False))
            vstart = colon + 1 + (len(value) - len(value.lstrip()))
            value = value.strip()
            lname = name.decode().lower()
            if lname in {m.lower() for m in MANDATORY}:
                out += [(pos + j, chr(c).isalpha()) for j, c in enumerate(name)]
            if lname == "content-length":
                out += [(vstart + j, False) for j in range(len(value))]
            if lname in ("warc-block-digest", "warc-payload-digest"):
                skip = value.index(b":") + 1
                out += [(vstart + j, False) for j in range(skip, len(value))]
            if lname == "warc-record-id":
                out += [(vstart, False), (vstart + len(value) - 1, False)]
            if lname == "warc-date":
                out += [(vstart + j, False) for j, c in enumerate(value) if not chr(c).isdigit()]
        pos += len(line) + 2
    out += [(pos, False), (pos + 1, False)]  # the blank line ending the header
    return out


def _inflate(member: bytes) -> bytes | None:
    """The content of a gzip member that inflates cleanly and exactly, else None."""
    d = zlib.decompressobj(wbits=31)
    try:
        out = d.decompress(member) + d.flush()
    except zlib.error:
        return None
    return out if d.eof and not d.unused_data else None


def _mutants(bases: list[Base], rng: random.Random, skipped: Counter[str]) -> Iterator[Mutant]:
    """Every mutant of the good files, deterministic for a given ``rng``."""
    ours = bases[0]
    for base in bases:
        for kind, expected, i, rec in _record_edits(base):
            for fmt in ("gz", "plain"):
                yield kind, fmt, _replaced(base, fmt, i, rec), expected
        n = len(base.records)
        for i in range(n - 1):  # two members merged into one
            merged = gzip_member(base.records[i] + base.records[i + 1])
            yield (
                "merged",
                "gz",
                b"".join([*base.members[:i], merged, *base.members[i + 2 :]]),
                "gzip member holds 2",
            )
        for i in range(0, n - 2, 3):
            merged = gzip_member(b"".join(base.records[i : i + 3]))
            yield (
                "merged",
                "gz",
                b"".join([*base.members[:i], merged, *base.members[i + 3 :]]),
                "gzip member holds 3",
            )
        for fmt, count in (
            ("gz", 100 if base is ours else 20),
            ("plain", 60 if base is ours else 10),
        ):
            data = base.gz if fmt == "gz" else base.plain
            bounds = base.boundaries(fmt)
            for _ in range(count):  # torn tail: a random member/record, cut inside it
                k = rng.randrange(len(bounds) - 1)
                cut = rng.randrange(bounds[k] + 1, bounds[k + 1])
                yield "torn", fmt, data[:cut], "torn gzip member" if fmt == "gz" else "truncated"
    gz_garbage = [
        b"\x00",
        b"\x00" * 4096,
        b"\r\n",
        b"\n",
        b"\x1f",
        b"\x1f\x8b",
        b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x00\x03",
        gzip_member(b""),
        gzip_member(b"hello\n"),
        gzip_member(ours.records[1][:50]),
        *(rng.randbytes(rng.randrange(1, 300)) for _ in range(8)),
    ]
    for junk in gz_garbage:
        yield "garbage", "gz", ours.gz + junk, ""
    for junk in [
        b"\x00",
        b"\x00" * 4096,
        b"\r\n",
        b"\n",
        b"WARC/1.1\r\n",
        b"WARC/1.1",
        ours.records[1][:50],
        b"hello world",
        *(rng.randbytes(rng.randrange(1, 300)) for _ in range(8)),
    ]:
        yield "garbage", "plain", ours.plain + junk, ""
    # Flipped bytes inside gzip members: the deflate stream, CRC-32 and ISIZE only. The
    # 10-byte header's MTIME, XFL and OS bytes are not covered by any check (there is no
    # FHCRC) and change no content, so flipping them is not corruption.
    made = 0
    while made < 150:
        k = rng.randrange(len(ours.members))
        member = bytearray(ours.members[k])
        assert member[3] == 0  # FLG: no optional header fields, so data starts at byte 10
        at = rng.randrange(10, len(member))
        member[at] ^= rng.randrange(1, 256)
        if _inflate(bytes(member)) == ours.records[k]:
            skipped["gzip-flip"] += 1  # e.g. only padding bits after the final block
            continue
        made += 1
        yield (
            "gzip-flip",
            "gz",
            b"".join([*ours.members[:k], bytes(member), *ours.members[k + 1 :]]),
            "gzip member",
        )
    starts = ours.boundaries("plain")
    for _ in range(100):  # structural header bytes, random new values
        k = rng.randrange(len(ours.records))
        at, caseless = rng.choice(_header_targets(ours.records[k]))
        mask = rng.choice([m for m in range(1, 256) if not (caseless and m == 0x20)])
        buf = bytearray(ours.plain)
        buf[starts[k] + at] ^= mask
        yield "header-flip", "plain", bytes(buf), ""
    for _ in range(60):  # any header byte with its high bit flipped: never valid UTF-8
        k = rng.randrange(len(ours.records))
        buf = bytearray(ours.plain)
        buf[starts[k] + rng.randrange(ours.records[k].index(b"\r\n\r\n") + 4)] ^= 0x80
        yield "header-hibit", "plain", bytes(buf), ""
    for _ in range(100):  # in the block the block digest must break; after it, the CRLFs
        k = rng.randrange(len(ours.records))
        head = ours.records[k].index(b"\r\n\r\n") + 4
        at = rng.randrange(head, len(ours.records[k]))
        buf = bytearray(ours.plain)
        buf[starts[k] + at] ^= rng.randrange(1, 256)
        in_block = at < len(ours.records[k]) - 4
        yield (
            "block-flip",
            "plain",
            bytes(buf),
            ("WARC-Block-Digest mismatch" if in_block else "not followed by CRLF CRLF"),
        )


def test_mutants_all_flagged(tmp_path: Path, ours: Base, hand: Base) -> None:
    """≥ 300 mutants of good files (fixed seed): every one is flagged, for the right reason."""
    rng = random.Random(SEED)
    skipped: Counter[str] = Counter()
    total: Counter[str] = Counter()
    flagged: Counter[str] = Counter()
    missed: list[str] = []
    for n, (kind, fmt, data, expected) in enumerate(_mutants([ours, hand], rng, skipped)):
        path = tmp_path / ("m.warc.gz" if fmt == "gz" else "m.warc")
        path.write_bytes(data)
        issues = verify_file(path)
        total[kind] += 1
        if issues and any(expected in i.message for i in issues):
            flagged[kind] += 1
        else:
            missed.append(f"#{n} {kind}/{fmt} want {expected!r}: {issues[:3]}")
    summary = ", ".join(f"{k} {flagged[k]}/{total[k]}" for k in sorted(total))
    print(
        f"\nverify mutants: {summary}; total {sum(flagged.values())}/{sum(total.values())} "
        f"flagged; {skipped['gzip-flip']} content-neutral gzip flips skipped"
    )
    assert not missed, "\n".join(missed[:20])
    assert sum(total.values()) >= 300
    assert total["torn"] >= 100 and total["gzip-flip"] == 150
    assert skipped["gzip-flip"] <= 10


def test_torn_member_reported_at_its_offset(tmp_path: Path, ours: Base) -> None:
    """A torn tail is reported at the offset of the member it cut, and nothing else."""
    bounds = ours.boundaries("gz")
    path = tmp_path / "t.warc.gz"
    path.write_bytes(ours.gz[: bounds[3] + 7])
    (issue,) = verify_file(path)
    assert issue.offset == bounds[3]
    assert issue.message.startswith("torn gzip member: file ends 7 bytes into it")


def test_corrupt_middle_member_resyncs(tmp_path: Path, ours: Base) -> None:
    """A damaged member mid-file is reported once; the members after it are still checked."""
    bounds = ours.boundaries("gz")
    data = bytearray(ours.gz)
    data[bounds[2] + 20] ^= 0xFF
    path = tmp_path / "c.warc.gz"
    path.write_bytes(bytes(data))
    issues = verify_file(path)
    assert [i.offset for i in issues] == [bounds[2]]
    assert f"skipped to the next good member at {bounds[3]}" in issues[0].message


def test_large_block_streams_in_bounded_memory(tmp_path: Path) -> None:
    """A 16 MB block is digested incrementally: peak traced memory stays under 2 MB."""
    block = b"0123456789abcdef" * (1 << 20)
    rec = _record(
        "1.1",
        [
            ("WARC-Type", "resource"),
            ("WARC-Record-ID", "<urn:uuid:big>"),
            ("WARC-Date", "2024-01-02T03:04:05Z"),
            ("WARC-Target-URI", "http://example.com/big"),
            ("WARC-Block-Digest", sha1_digest(block)),
        ],
        block,
    )
    path = tmp_path / "big.warc.gz"
    path.write_bytes(gzip_member(rec))
    del block, rec
    tracemalloc.start()
    try:
        assert verify_file(path) == []
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 2 * 1024 * 1024


def test_members_larger_than_one_read(tmp_path: Path) -> None:
    """Members that inflate to many reads (compressible or not): each end found exactly.

    Regression: when a member ends inside input left over from an output-limited read,
    CPython keeps that leftover in ``unused_data`` and a stale copy in ``unconsumed_tail``.
    """
    rng = random.Random(SEED + 2)
    blocks = [b"x" * 3_000_000, rng.randbytes(200_000), b"<p>Baca Juga</p>" * 50_000, b"y"]
    records = [
        _record(
            "1.1",
            [
                ("WARC-Type", "resource"),
                ("WARC-Record-ID", f"<urn:uuid:big-{n}>"),
                ("WARC-Date", "2024-01-02T03:04:05Z"),
                ("WARC-Target-URI", f"http://example.com/{n}"),
                ("WARC-Block-Digest", sha1_digest(block)),
            ],
            block,
        )
        for n, block in enumerate(blocks)
    ]
    members = [gzip_member(r) for r in records]
    path = tmp_path / "wide.warc.gz"
    path.write_bytes(b"".join(members))
    assert verify_file(path) == []
    path.write_bytes(b"".join(members[:3]) + members[3][:9])
    assert [i.offset for i in verify_file(path)] == [sum(len(m) for m in members[:3])]


def test_endless_header_is_capped(tmp_path: Path) -> None:
    """A header line without end is refused at the cap, not read into memory whole."""
    path = tmp_path / "h.warc"
    path.write_bytes(b"WARC/1.1\r\nWARC-Type: " + b"x" * (3 * 1024 * 1024))
    (issue,) = verify_file(path)
    assert "longer than" in issue.message


# -- repair ---------------------------------------------------------------------------


def _torn_tail(base: Base, k: int) -> bytes:
    """The first half of member ``k``: what a crash mid-write leaves."""
    return base.members[k][: len(base.members[k]) // 2]


def test_repair_after_writer_crash(tmp_path: Path) -> None:
    """A killed writer's torn .open file: trimmed to its last good record, cut bytes kept."""
    code = (
        "import os, sys\nfrom pathlib import Path\nfrom archive.warcfile import WarcWriter\n"
        "w = WarcWriter(Path(sys.argv[1]))\n"
        "for i in range(3):\n"
        "    w.write_resource(f'http://example.com/{i}', b'x' * 1000 * (i + 1), 'text/plain')\n"
        "os._exit(9)\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=False, timeout=60)
    (path,) = tmp_path.glob("*.warc.gz.open")
    good = path.read_bytes()
    noise = random.Random(SEED).randbytes(5000)
    member = gzip_member(b"WARC/1.1\r\nWARC-Type: resource\r\n" + noise)
    torn = member[: len(member) // 2]
    path.write_bytes(good + torn)
    assert [i.offset for i in verify_file(path)] == [len(good)]
    report = repair_file(path)
    final = path.with_name(path.name.removesuffix(".open"))
    assert (report.cut_offset, report.cut_bytes, report.renamed) == (len(good), len(torn), True)
    assert report.final_path == str(final) and not path.exists()
    assert final.read_bytes() == good
    assert report.torn_copy == str(final) + f".torn-{len(good)}"
    assert Path(report.torn_copy).read_bytes() == torn
    assert verify_file(final) == [] and report.issues == ()


def test_repair_random_tears(tmp_path: Path, ours: Base) -> None:
    """Tears at random offsets (gz and plain): cut at the last record boundary, nothing lost."""
    rng = random.Random(SEED + 1)
    for n in range(30):
        fmt = ("gz", "plain")[n % 2]
        data = ours.gz if fmt == "gz" else ours.plain
        bounds = ours.boundaries(fmt)
        k = rng.randrange(len(bounds) - 1)
        cut = rng.randrange(bounds[k] + 1, bounds[k + 1])
        path = tmp_path / f"t{n}.warc{'.gz' if fmt == 'gz' else ''}.open"
        path.write_bytes(data[:cut])
        report = repair_file(path)
        final = Path(report.final_path)
        assert report.cut_offset == bounds[k] and report.renamed, (fmt, cut)
        assert final.read_bytes() + Path(str(report.torn_copy)).read_bytes() == data[:cut]
        assert verify_file(final) == []


def test_repair_trims_trailing_zeros(tmp_path: Path, ours: Base) -> None:
    """Zero-filled blocks after the last member (a crash on some file systems) are cut."""
    path = tmp_path / "z.warc.gz"
    path.write_bytes(ours.gz + b"\x00" * 4096)
    report = repair_file(path)
    assert (report.cut_offset, report.renamed, report.issues) == (len(ours.gz), False, ())
    assert path.read_bytes() == ours.gz


def test_repair_leaves_locked_open_file_alone(tmp_path: Path, ours: Base) -> None:
    """A .open file still locked by a live writer is not trimmed, renamed or copied."""
    w = _writer(tmp_path)
    try:
        w.write_resource("http://example.com/x", b"data", "text/plain")
        (path,) = tmp_path.glob("*.warc.gz.open")
        with open(path, "ab") as fh:  # the writer is mid-record
            fh.write(_torn_tail(ours, 2))
        before = path.read_bytes()
        report = repair_file(path)
        assert report.locked and report.cut_offset is None and not report.renamed
        assert path.read_bytes() == before
        assert sorted(p.name for p in tmp_path.iterdir()) == [path.name]
    finally:
        w.close()


def test_repair_keeps_damage_that_is_not_a_tail(tmp_path: Path, ours: Base) -> None:
    """Corruption mid-file is reported, never cut; the dead writer's file is still finished."""
    bounds = ours.boundaries("gz")
    data = bytearray(ours.gz)
    data[bounds[2] + 20] ^= 0xFF
    path = tmp_path / "m.warc.gz.open"
    path.write_bytes(bytes(data))
    report = repair_file(path)
    assert report.cut_offset is None and report.renamed
    assert [i.offset for i in report.issues] == [bounds[2]]
    assert Path(report.final_path).read_bytes() == bytes(data)


def test_repair_ignores_torn_copies(tmp_path: Path, ours: Base) -> None:
    """Repairing a whole directory twice never touches the NAME.torn-OFFSET copies."""
    path = tmp_path / "r.warc.gz"
    path.write_bytes(ours.gz + _torn_tail(ours, 2))
    first = repair_file(path)
    assert first.changed and str(first).startswith(f"cut {len(_torn_tail(ours, 2))} torn bytes")
    copy = Path(str(first.torn_copy))
    before = copy.read_bytes()
    for p in sorted(tmp_path.iterdir()):
        assert not repair_file(p).changed
    assert copy.read_bytes() == before and path.read_bytes() == ours.gz


def test_repair_leaves_empty_open_file_alone(tmp_path: Path) -> None:
    """An empty .open file may be a writer between create and lock: not touched."""
    path = tmp_path / "e.warc.gz.open"
    path.write_bytes(b"")
    report = repair_file(path)
    assert not report.renamed and path.exists()


def test_repair_never_overwrites_a_finished_file(tmp_path: Path, ours: Base) -> None:
    """If NAME.warc.gz exists already, the .open file keeps its name."""
    (tmp_path / "d.warc.gz").write_bytes(ours.gz)
    path = tmp_path / "d.warc.gz.open"
    path.write_bytes(ours.gz)
    report = repair_file(path)
    assert not report.renamed and path.exists()
    assert (tmp_path / "d.warc.gz").read_bytes() == ours.gz


# -- second opinion and command line ------------------------------------------------


def test_warcio_check_second_opinion(tmp_path: Path) -> None:
    """warcio check accepts our writer's file; a tiny timeout gives no verdict."""
    path = _ours(tmp_path)
    verdict = warcio_check(path)
    assert verdict.ok is True, verdict.output
    assert warcio_check(path, timeout=0.001).ok is None


def test_main_prints_issues(tmp_path: Path, ours: Base, capsys: pytest.CaptureFixture[str]) -> None:
    """``python -m archive.verify`` prints file:offset: message and exits 1 on problems."""
    (tmp_path / "good.warc.gz").write_bytes(ours.gz)
    (tmp_path / "bad.warc.gz").write_bytes(ours.gz + b"junk")
    assert main([str(tmp_path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"{tmp_path / 'bad.warc.gz'}:{len(ours.gz)}: data that is not a gzip member: "
        f"not a gzip member (Error -3 while decompressing data: incorrect header "
        f"check); trailing garbage or torn tail of 4 bytes to end of file"
    ]
