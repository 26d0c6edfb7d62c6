"""Reading recorded HTTP responses: status, headers, de-chunked and decoded bodies, digests.

A WARC response block holds the bytes as they arrived: chunk framing and gzip
included. Everything that reads a page back (ingest, re-clean, replay) goes
through here. Decoding is bounded: a gzip of 1 GB of zeros is about 1 MB on the
wire, so output is produced in small steps with zlib's ``max_length`` and
decoding stops with ``PayloadError`` as soon as it passes the cap.

Two different "bodies" matter:

- the *entity body* (``entity_body``): de-chunked and content-decoded, the page
  itself, what the cleaner reads;
- the *de-chunked payload* (``entity_digest``): de-chunked but still
  content-encoded. Its digest is the de-duplication key: the same gzip body sent
  with other chunk sizes has the same key, whatever the transfer framing was.
"""

from __future__ import annotations

import base64
import hashlib
import zlib

STEP = 64 * 1024
_HEX = b"0123456789abcdefABCDEF"
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


class PayloadError(Exception):
    """A recorded response that cannot be parsed or decoded; the message says why."""


# -- transfer coding ------------------------------------------------------------
def dechunk_report(data: bytes) -> tuple[bytes, bool]:
    """De-chunk ``data``; returns (body, complete) where complete means the 0-chunk was seen."""
    out = bytearray()
    pos = 0
    n = len(data)
    while pos < n:
        eol = data.find(b"\n", pos)
        if eol < 0:
            return bytes(out), False
        line = data[pos:eol].split(b";", 1)[0].strip()
        if not line or line.strip(_HEX):
            return bytes(out), False
        size = int(line, 16)
        pos = eol + 1
        if size == 0:
            return bytes(out), True
        out += data[pos : pos + size]
        if pos + size > n:
            return bytes(out), False
        pos += size
        # The CRLF after the chunk data; tolerate a bare LF or its absence.
        if data[pos : pos + 2] == b"\r\n":
            pos += 2
        elif data[pos : pos + 1] == b"\n":
            pos += 1
    return bytes(out), False


def dechunk(data: bytes) -> bytes:
    """Remove chunked transfer coding; tolerant of a missing last chunk, never raises."""
    return dechunk_report(data)[0]


# -- content coding -------------------------------------------------------------
def _codings(content_encoding: str | None) -> list[str]:
    """The content codings applied, in the order the sender applied them."""
    if not content_encoding:
        return []
    return [
        c.strip().lower()
        for c in content_encoding.split(",")
        if c.strip() and c.strip().lower() != "identity"
    ]


def _is_zlib_header(data: bytes) -> bool:
    """Whether ``data`` starts with a valid zlib (RFC 1950) header."""
    return (
        len(data) >= 2
        and data[0] & 0x0F == 8
        and data[0] >> 4 <= 7
        and ((data[0] << 8) | data[1]) % 31 == 0
    )


def _inflate(data: bytes, coding: str, max_bytes: int, strict: bool) -> bytes:
    """Inflate one gzip/deflate layer in bounded steps, raising past ``max_bytes``."""
    if coding in ("gzip", "x-gzip"):
        return _inflate_with(data, coding, 31, max_bytes, strict)
    # "deflate" is meant to be zlib-wrapped (RFC 9110) but servers also send raw
    # deflate; a raw stream can look like a zlib header by chance, so fall back.
    if _is_zlib_header(data):
        try:
            return _inflate_with(data, coding, 15, max_bytes, strict)
        except _EarlyError:
            pass
    return _inflate_with(data, coding, -15, max_bytes, strict)


class _EarlyError(PayloadError):
    """Corrupt data before any byte was decoded (maybe the wrong wrapper)."""


def _inflate_with(data: bytes, coding: str, wbits: int, max_bytes: int, strict: bool) -> bytes:
    """Inflate with one zlib window setting; see ``_inflate``."""
    out: list[bytes] = []
    total = 0
    members = 0
    rest = data
    while True:
        d = zlib.decompressobj(wbits)
        members += 1
        buf = rest
        while True:
            try:
                piece = d.decompress(buf, STEP)
            except zlib.error as exc:
                error = _EarlyError if total == 0 and members == 1 else PayloadError
                raise error(
                    f"corrupt {coding} data (member {members}, after {total} decoded bytes): {exc}"
                ) from None
            total += len(piece)
            if total > max_bytes:
                raise PayloadError(f"decompressed body exceeds {max_bytes} bytes")
            out.append(piece)
            buf = d.unconsumed_tail
            if d.eof or (not buf and len(piece) < STEP):
                break
        if not d.eof:
            if strict:
                raise PayloadError(
                    f"{coding} data ends before its end marker ({total} bytes decoded; truncated?)"
                )
            break
        rest = d.unused_data
        # Concatenated gzip members are one body (RFC 1952); other trailing bytes
        # are ignored, as browsers do.
        if wbits != 31 or not rest.startswith(b"\x1f\x8b"):
            break
    return b"".join(out)


def decode_content(
    data: bytes,
    content_encoding: str | None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    *,
    strict: bool = False,
) -> bytes:
    """Undo Content-Encoding (gzip, x-gzip, deflate, identity), never producing > max_bytes.

    A stream cut short (a truncated capture) yields what could be decoded unless
    ``strict``; corrupt data, unknown codings and output past ``max_bytes`` raise
    ``PayloadError``.
    """
    codings = _codings(content_encoding)
    for coding in codings:
        if coding not in ("gzip", "x-gzip", "deflate"):
            raise PayloadError(f"unsupported content-encoding {coding!r}")
    if not codings and len(data) > max_bytes:
        raise PayloadError(f"body exceeds {max_bytes} bytes")
    for coding in reversed(codings):
        data = _inflate(data, coding, max_bytes, strict)
    return data


# -- HTTP messages ----------------------------------------------------------------
def split_head(message: bytes) -> tuple[bytes, bytes]:
    """Split an HTTP message into (head without the blank line, payload)."""
    crlf = message.find(b"\r\n\r\n")
    lf = message.find(b"\n\n")
    if crlf >= 0 and (lf < 0 or crlf < lf):
        return message[:crlf], message[crlf + 4 :]
    if lf >= 0:
        return message[:lf], message[lf + 2 :]
    return message, b""


def http_parts(response: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    """Parse a recorded response into (status, [(name, value)], raw payload), latin-1 safe."""
    head, payload = split_head(response)
    lines = head.decode("latin-1").replace("\r\n", "\n").split("\n")
    status_line = lines[0].strip()
    parts = status_line.split(None, 2)
    if len(parts) < 2 or not parts[0].upper().startswith("HTTP/"):
        raise PayloadError(f"not an HTTP response: status line {status_line[:80]!r}")
    try:
        status = int(parts[1])
    except ValueError:
        raise PayloadError(f"bad status code in {status_line[:80]!r}") from None
    if not 100 <= status <= 999:
        raise PayloadError(f"bad status code in {status_line[:80]!r}")
    headers: list[tuple[str, str]] = []
    for line in lines[1:]:
        if line[:1] in (" ", "\t") and headers:
            name, value = headers[-1]
            headers[-1] = (name, f"{value} {line.strip()}".strip())
        elif ":" in line:
            name, value = line.split(":", 1)
            headers.append((name.strip(), value.strip()))
    return status, headers, payload


def header(headers: list[tuple[str, str]], name: str) -> str | None:
    """All values of header ``name`` (case-insensitive) joined by ', ', or None."""
    values = [v for k, v in headers if k.lower() == name.lower()]
    return ", ".join(values) if values else None


def _is_chunked(headers: list[tuple[str, str]]) -> bool:
    """Whether the last transfer coding is chunked."""
    te = header(headers, "transfer-encoding")
    return bool(te) and te.split(",")[-1].strip().lower() == "chunked"  # type: ignore[union-attr]


def dechunked_payload(response: bytes) -> bytes:
    """The payload with transfer framing removed (still content-encoded)."""
    status, headers, payload = http_parts(response)
    if status in (204, 304) or 100 <= status < 200:
        return b""
    if _is_chunked(headers):
        return dechunk(payload)
    length = header(headers, "content-length")
    if length is not None:
        try:
            n = int(length.split(",")[0].strip())
        except ValueError:
            return payload
        if 0 <= n < len(payload):
            return payload[:n]
    return payload


def entity_body(
    response: bytes, max_bytes: int = DEFAULT_MAX_BYTES, *, strict: bool = False
) -> bytes:
    """The body as the page author meant it: de-chunked, then content-decoded (bounded)."""
    headers = http_parts(response)[1]  # not the payload: one copy of the body at a time
    return decode_content(
        dechunked_payload(response), header(headers, "content-encoding"), max_bytes, strict=strict
    )


def sha1_b32(data: bytes) -> str:
    """``sha1:`` + base32 of the SHA-1 (the WARC digest form)."""
    return "sha1:" + base64.b32encode(hashlib.sha1(data).digest()).decode("ascii")


def entity_digest(response: bytes) -> str:
    """The de-duplication key: digest of the de-chunked, still content-encoded payload."""
    return sha1_b32(dechunked_payload(response))
