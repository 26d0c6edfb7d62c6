"""Record blocks for the WARC verifier: digest fields, block and payload digests, HTTP framing.

``Block`` consumes a record's block a chunk at a time. A payload digest may be over the
raw bytes after the HTTP headers, chunk framing included (as warcio and wget write it),
or over the de-chunked entity (as the WARC 1.1 spec says); both are accepted.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import hashlib
import re

MAX_HTTP_HEADER = 1024 * 1024  # HTTP headers at the start of a block
MAX_CHUNK_LINE = 4096  # a chunk-size line of a chunked HTTP body
DIGEST_SIZES = {"sha1": 20, "sha256": 32, "md5": 16, "sha224": 28, "sha384": 48, "sha512": 64}

_HEX = re.compile(r"[0-9A-Fa-f]+")
_B32 = re.compile(r"[A-Z2-7]+")
_B64 = re.compile(r"[A-Za-z0-9+/]+|[A-Za-z0-9\-_]+")
_CHUNK_SIZE = re.compile(rb"[ \t]*([0-9A-Fa-f]+)[ \t]*(;[^\r\n]*)?\r?\n")


def _digest_values(algo: str, value: str) -> set[bytes]:
    """Every byte string the encoded digest value can stand for (hex, base32, base64)."""
    size = DIGEST_SIZES[algo]
    out: set[bytes] = set()
    if len(value) == 2 * size and _HEX.fullmatch(value):
        out.add(bytes.fromhex(value))
    bare = value.rstrip("=")
    padded_ok = bare == value or len(value) % 8 == 0
    if len(bare) == -(-size * 8 // 5) and _B32.fullmatch(bare) and padded_ok:
        out.add(base64.b32decode(bare + "=" * (-len(bare) % 8)))
    pad = len(value) - len(bare)
    if len(bare) == -(-size * 4 // 3) and _B64.fullmatch(bare) and pad <= 2:
        alt = b"-_" if "-" in bare or "_" in bare else None
        with contextlib.suppress(binascii.Error):
            out.add(base64.b64decode(bare + "=" * (-len(bare) % 4), altchars=alt))
    return out


def parse_digest(name: str, raw: str) -> tuple[str, set[bytes]] | str:
    """(algorithm, acceptable digests) for a digest field, or a problem message."""
    algo, sep, value = raw.strip().partition(":")
    algo = algo.lower().replace("-", "")
    if not sep:
        return f"{name} {raw!r} lacks the 'algorithm:' prefix"
    if algo not in DIGEST_SIZES:
        return f"{name} uses an unknown algorithm {algo!r}"
    values = _digest_values(algo, value.strip())
    if not values:
        return f"{name} {raw!r} is not a valid hex, base32 or base64 {algo} digest"
    return algo, values


def _b32(digest: bytes) -> str:
    """Base32 text of a digest, for messages."""
    return base64.b32encode(digest).decode("ascii")


class _Dechunker:
    """Streaming HTTP/1.1 chunked decoder that digests the entity body it yields."""

    def __init__(self, algo: str) -> None:
        """Start before the first chunk-size line."""
        self.hash = hashlib.new(algo)
        self.state = "size"
        self.line = bytearray()
        self.left = 0
        self.ok = True

    def feed(self, data: bytes) -> None:
        """Decode more of the chunked body."""
        i, n = 0, len(data)
        while i < n and self.ok:
            if self.state in ("size", "trailer"):
                j = data.find(b"\n", i)
                stop = n if j < 0 else j + 1
                self.line += data[i:stop]
                i = stop
                if len(self.line) > MAX_CHUNK_LINE:
                    self.ok = False
                elif j >= 0:
                    self._line(bytes(self.line))
                    self.line.clear()
            elif self.state == "data":
                take = min(self.left, n - i)
                self.hash.update(data[i : i + take])
                i += take
                self.left -= take
                if not self.left:
                    self.state = "crlf"
            elif self.state == "crlf":
                self.line += data[i : i + 1]
                i += 1
                if self.line in (b"\n", b"\r\n"):
                    self.line.clear()
                    self.state = "size"
                elif self.line != b"\r":
                    self.ok = False
            else:  # bytes after the last chunk and its trailer
                self.ok = False

    def _line(self, line: bytes) -> None:
        """Handle a complete chunk-size or trailer line."""
        if self.state == "trailer":
            if not line.strip():
                self.state = "done"
            return
        m = _CHUNK_SIZE.fullmatch(line)
        if not m:
            self.ok = False
            return
        size = int(m.group(1), 16)
        self.state = "data" if size else "trailer"
        self.left = size

    def digest(self, truncated: bool) -> bytes | None:
        """The entity digest, if the body was well-formed chunked data."""
        if self.ok and (self.state == "done" or truncated):
            return self.hash.digest()
        return None


def _http_header_end(buf: bytes | bytearray) -> int:
    """Offset just after the HTTP headers (warcio's rule: up to a blank line), or -1."""
    pos = 0
    while True:
        j = buf.find(b"\n", pos)
        if j < 0:
            return -1
        line = buf[pos : j + 1]
        pos = j + 1
        if not line.rstrip():
            return pos


class Block:
    """Consumes a record block in chunks: block digest, payload digests, HTTP framing."""

    def __init__(
        self,
        block_algo: str | None,
        payload_algo: str | None,
        http: bool,
        first_line: re.Pattern[bytes] | None,
    ) -> None:
        """Prepare the digests this record asks for."""
        self.block_hash = hashlib.new(block_algo) if block_algo else None
        self.payload_algo = payload_algo
        self.raw_hash = hashlib.new(payload_algo) if payload_algo and not http else None
        self.dechunk: _Dechunker | None = None
        self.first_line = first_line
        self.in_head = http
        self.head = bytearray()
        self.head_overflow = False
        self.head_line: bytes | None = None

    def feed(self, data: bytes) -> None:
        """Account for the next piece of the block."""
        if self.block_hash:
            self.block_hash.update(data)
        if self.in_head:
            self.head += data
            end = _http_header_end(self.head)
            if end < 0:
                if len(self.head) > MAX_HTTP_HEADER:
                    self.head_overflow = True
                    self.in_head = False
                    self._first_line()
                return
            data = bytes(self.head[end:])
            del self.head[end:]
            self.in_head = False
            self._start_payload()
        if self.raw_hash:
            self.raw_hash.update(data)
        if self.dechunk:
            self.dechunk.feed(data)

    def _first_line(self) -> None:
        """Keep the first line of the HTTP headers for the status line check."""
        j = self.head.find(b"\n")
        self.head_line = bytes(self.head[: j + 1] if j >= 0 else self.head[:200])

    def _start_payload(self) -> None:
        """The HTTP headers are complete: set up the payload digests."""
        self._first_line()
        if not self.payload_algo:
            return
        self.raw_hash = hashlib.new(self.payload_algo)
        chunked = False
        for line in bytes(self.head).split(b"\n")[1:]:
            name, sep, value = line.partition(b":")
            if sep and name.strip().lower() == b"transfer-encoding":
                chunked = value.strip().lower().endswith(b"chunked")
        if chunked:
            self.dechunk = _Dechunker(self.payload_algo)

    def finish(self) -> None:
        """The block ended: headers without a blank line end there, payload empty."""
        if self.in_head:
            self.in_head = False
            self._start_payload()

    def problems(
        self,
        block_digest: tuple[str, set[bytes]] | None,
        payload_digest: tuple[str, set[bytes]] | None,
        truncated: bool,
        rtype: str,
    ) -> list[str]:
        """Compare digests and the HTTP first line after the whole block was fed."""
        out: list[str] = []
        if block_digest and self.block_hash:
            got = self.block_hash.digest()
            if got not in block_digest[1]:
                out.append(
                    f"WARC-Block-Digest mismatch: the block is {block_digest[0]}:{_b32(got)}"
                )
        if payload_digest and self.head_overflow:
            out.append(f"HTTP headers exceed {MAX_HTTP_HEADER} bytes; payload not checked")
        elif payload_digest and self.raw_hash:
            got = self.raw_hash.digest()
            entity = self.dechunk.digest(truncated) if self.dechunk else None
            if got not in payload_digest[1] and entity not in payload_digest[1]:
                form = "" if entity is None else f" (de-chunked {_b32(entity)})"
                out.append(
                    f"WARC-Payload-Digest mismatch: the payload is "
                    f"{payload_digest[0]}:{_b32(got)}{form}"
                )
        if self.first_line is not None:
            line = self.head_line or b""
            if not self.first_line.fullmatch(line):
                what = "status" if rtype == "response" else "request"
                out.append(
                    f"{rtype} block does not start with an HTTP {what} line (found {line[:60]!r})"
                )
        return out
