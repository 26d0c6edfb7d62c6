"""Streams for the WARC verifier: a buffered line reader and a one-member gzip inflater.

Both work a chunk at a time, so a file of any size is checked with bounded memory.
``find_next`` locates the next gzip header or WARC version line after damage.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from typing import BinaryIO

CHUNK = 64 * 1024
GZIP_MAGIC = b"\x1f\x8b\x08"


class Reader:
    """Buffered ``read``/``readline`` over a function that yields chunks (b"" at end)."""

    def __init__(self, produce: Callable[[], bytes]) -> None:
        """Wrap a chunk producer."""
        self._produce = produce
        self._buf = b""
        self._pos = 0
        self._done = False
        self.consumed = 0

    def _fill(self) -> bool:
        """Append one produced chunk to the buffer; False at the end of the data."""
        if self._done:
            return False
        data = self._produce()
        if not data:
            self._done = True
            return False
        self._buf = self._buf[self._pos :] + data
        self._pos = 0
        return True

    def read(self, n: int) -> bytes:
        """Return 1..n bytes, or b"" at the end of the data."""
        if self._pos >= len(self._buf) and not self._fill():
            return b""
        out = self._buf[self._pos : self._pos + n]
        self._pos += len(out)
        self.consumed += len(out)
        return out

    def read_exact(self, n: int) -> bytes:
        """Return n bytes, or fewer only at the end of the data."""
        parts = []
        while n > 0:
            part = self.read(n)
            if not part:
                break
            parts.append(part)
            n -= len(part)
        return b"".join(parts)

    def readline(self, limit: int) -> bytes:
        """Return a line with its LF, or ``limit`` bytes, or what is left at the end."""
        while True:
            i = self._buf.find(b"\n", self._pos, self._pos + limit)
            if i >= 0:
                end = i + 1
                break
            if len(self._buf) - self._pos >= limit:
                end = self._pos + limit
                break
            if not self._fill():
                end = len(self._buf)
                break
        out = self._buf[self._pos : end]
        self._pos = end
        self.consumed += len(out)
        return out

    def at_end(self) -> bool:
        """True when no data is left."""
        return self._pos >= len(self._buf) and not self._fill()


class Member:
    """Inflates one gzip member starting at ``start``, a chunk at a time."""

    def __init__(self, fh: BinaryIO, start: int) -> None:
        """Prepare to inflate the member at ``start``."""
        self.fh = fh
        self.start = start
        self.fed = 0
        self.produced = 0
        self.end: int | None = None
        self.torn = False
        self.error: str | None = None
        self._d = zlib.decompressobj(wbits=31)

    def produce(self) -> bytes:
        """Return the next inflated chunk, or b"" at the member's end or on a failure."""
        while self.end is None and self.error is None and not self.torn:
            data = self._d.unconsumed_tail
            if not data:
                self.fh.seek(self.start + self.fed)
                data = self.fh.read(CHUNK)
                if not data:
                    self.torn = True
                    break
                self.fed += len(data)
            try:
                out = self._d.decompress(data, CHUNK)
            except zlib.error as exc:
                self.error = _zlib_message(exc)
                break
            if self._d.eof:
                # All input read so far went in; what the member did not use is in
                # unused_data. (At the end CPython may leave a stale copy of it in
                # unconsumed_tail too, so that one must not be subtracted again.)
                self.end = self.start + self.fed - len(self._d.unused_data)
            if out:
                self.produced += len(out)
                return out
        return b""

    def drain(self) -> None:
        """Inflate whatever is left, to learn how the member ends."""
        while self.produce():
            pass


def _zlib_message(exc: zlib.error) -> str:
    """Say what a zlib error means for a gzip member."""
    text = str(exc)
    if "incorrect data check" in text:
        return f"CRC-32 mismatch ({text})"
    if "incorrect length check" in text:
        return f"ISIZE mismatch ({text})"
    if "incorrect header check" in text or "unknown compression method" in text:
        return f"not a gzip member ({text})"
    return f"corrupt deflate data ({text})"


def find_next(fh: BinaryIO, start: int, needles: tuple[bytes, ...]) -> int | None:
    """Offset of the first of ``needles`` (all the same length) at or after ``start``."""
    width = len(needles[0])
    pos = start
    while True:
        fh.seek(pos)
        data = fh.read(CHUNK + width - 1)
        if len(data) < width:
            return None
        hits = [i for i in (data.find(n) for n in needles) if i >= 0]
        if hits:
            return pos + min(hits)
        pos += len(data) - (width - 1)
