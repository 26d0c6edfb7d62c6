"""Reading single records back from WARC files by offset (gzip member or plain record)."""

from __future__ import annotations

import zlib
from dataclasses import dataclass
from pathlib import Path

MAX_RECORD_BYTES = 64 * 1024 * 1024


class RecordError(Exception):
    """A record could not be read where the index says it is; ``reason`` says why."""

    def __init__(self, where: str, reason: str):
        """Keep the location and the reason apart (importers re-locate the message)."""
        self.where = where
        self.reason = reason
        super().__init__(f"{where}: {reason}")


@dataclass
class WarcRecord:
    """A record's WARC headers (case-insensitive lookups) and its block."""

    headers: dict[str, str]
    block: bytes

    def get(self, name: str, default: str | None = None) -> str | None:
        """A WARC header by case-insensitive name."""
        return self.headers.get(name.lower(), default)


def parse_record(data: bytes, where: str) -> WarcRecord:
    """Parse one uncompressed WARC record (headers + block)."""
    head_end = data.find(b"\r\n\r\n")
    if head_end < 0:
        raise RecordError(where, "no end of WARC headers")
    lines = data[:head_end].decode("utf-8", "replace").split("\r\n")
    if not lines[0].startswith("WARC/"):
        raise RecordError(where, f"not a WARC record (starts {lines[0][:20]!r})")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if sep:
            headers[name.strip().lower()] = value.strip()
    try:
        length = int(headers.get("content-length", ""))
    except ValueError:
        raise RecordError(where, "bad Content-Length") from None
    block = data[head_end + 4 : head_end + 4 + length]
    if len(block) != length:
        raise RecordError(where, f"record is truncated ({len(block)} of {length} bytes)")
    return WarcRecord(headers, block)


def read_record(
    path: Path, offset: int, length: int | None = None, max_bytes: int = MAX_RECORD_BYTES
) -> WarcRecord:
    """Read the record at ``offset`` of a WARC file (gzip member or plain)."""
    where = f"{path.name}:{offset}"
    try:
        with open(path, "rb") as fh:
            fh.seek(offset)
            first = fh.read(2)
            fh.seek(offset)
            if first == b"\x1f\x8b":
                d = zlib.decompressobj(zlib.MAX_WBITS + 16)
                out = bytearray()
                while not d.eof:
                    chunk = fh.read(65536)
                    if not chunk:
                        raise RecordError(where, "gzip member is truncated")
                    out += d.decompress(chunk, max_bytes - len(out) + 1)
                    if len(out) > max_bytes:
                        raise RecordError(where, f"record larger than {max_bytes} bytes")
                    while d.unconsumed_tail and not d.eof:
                        out += d.decompress(d.unconsumed_tail, max_bytes - len(out) + 1)
                        if len(out) > max_bytes:
                            raise RecordError(where, f"record larger than {max_bytes} bytes")
                data = bytes(out)
                del out  # one copy of the record in memory, not two, while it is parsed
            else:
                data = fh.read(length if length else max_bytes)
    except OSError as exc:
        raise RecordError(where, f"{exc.strerror or exc}") from None
    except zlib.error as exc:
        raise RecordError(where, f"corrupt gzip member ({exc})") from None
    return parse_record(data, where)
