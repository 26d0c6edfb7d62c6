"""Reading recorded responses back: de-chunking, bounded decoding, header parsing, digests."""

from __future__ import annotations

import gzip
import random
import tracemalloc
import zlib

import pytest
from origin import MB, SAME_BODY, chunk, gzip_bytes, response, zeros_bytes, zeros_stream

from archive.payload import (
    PayloadError,
    dechunk,
    dechunk_report,
    decode_content,
    entity_body,
    entity_digest,
    http_parts,
    sha1_b32,
)

BODY = b"<p>Berita \xe2\x80\x9cterkini\xe2\x80\x9d</p>\n" * 200


# -- dechunk ----------------------------------------------------------------------
@pytest.mark.parametrize("size", [1, 7, 64, 4096, 10**6])
def test_dechunk_undoes_every_chunk_size(size: int) -> None:
    """De-chunking gives back the body whatever the chunk size."""
    assert dechunk_report(chunk(BODY, size)) == (BODY, True)


def test_dechunk_tolerates_a_missing_last_chunk() -> None:
    """A stream cut after a complete chunk yields that data, marked incomplete."""
    data = chunk(BODY, 100)[:-5]
    assert dechunk_report(data) == (BODY, False)


def test_dechunk_keeps_a_partial_chunk() -> None:
    """A stream cut inside a chunk's data keeps the part that arrived."""
    data = b"a\r\n0123456789\r\n10\r\nabcdef"
    assert dechunk(data) == b"0123456789abcdef"


def test_dechunk_handles_extensions_trailers_bare_lf_and_uppercase_hex() -> None:
    """Chunk extensions, trailers, LF-only framing and upper-case sizes are all understood."""
    data = b"5;name=value\r\nhello\r\nA\n0123456789\n0\r\nX-Trailer: 1\r\n\r\n"
    assert dechunk_report(data) == (b"hello0123456789", True)


@pytest.mark.parametrize(
    "data,expected",
    [
        (b"", b""),
        (b"zz\r\nhello\r\n0\r\n\r\n", b""),
        (b"5\r\nhello\r\nnot-hex\r\nxx\r\n", b"hello"),
        (b"-5\r\nhello\r\n", b""),
        (b"0x5\r\nhello\r\n", b""),
        (b"5\r\nhello", b"hello"),
        (b"5", b""),
    ],
    ids=["empty", "bad-size", "garbage-later", "negative", "0x-prefix", "no-crlf", "no-newline"],
)
def test_dechunk_returns_what_decodes_from_garbage(data: bytes, expected: bytes) -> None:
    """Garbage stops de-chunking at the last good chunk, without raising."""
    assert dechunk(data) == expected


def test_dechunk_never_raises_on_random_bytes() -> None:
    """Random bytes and mutated chunk streams never raise."""
    rng = random.Random(7)
    good = chunk(BODY, 37)
    for _ in range(2000):
        data = bytearray(good)
        for _ in range(rng.randint(1, 5)):
            data[rng.randrange(len(data))] = rng.randrange(256)
        dechunk(bytes(data)[: rng.randrange(len(data) + 1)])
        dechunk(rng.randbytes(rng.randrange(64)))


# -- decode_content -------------------------------------------------------------------
def _deflate(data: bytes, wbits: int) -> bytes:
    """Deflate with a given window/wrapper setting."""
    c = zlib.compressobj(6, zlib.DEFLATED, wbits)
    return c.compress(data) + c.flush()


@pytest.mark.parametrize(
    "encoding,data",
    [
        (None, BODY),
        ("", BODY),
        ("identity", BODY),
        ("gzip", gzip_bytes(BODY)),
        ("GZIP", gzip_bytes(BODY)),
        ("x-gzip", gzip_bytes(BODY)),
        ("deflate", _deflate(BODY, 15)),
        ("deflate", _deflate(BODY, -15)),
        ("gzip, gzip", gzip_bytes(gzip_bytes(BODY))),
        ("deflate, gzip", gzip_bytes(_deflate(BODY, 15))),
    ],
    ids=[
        "none",
        "empty",
        "identity",
        "gzip",
        "GZIP",
        "x-gzip",
        "deflate-zlib",
        "deflate-raw",
        "gzip-twice",
        "deflate-then-gzip",
    ],
)
def test_decode_content_undoes_each_coding(encoding: str | None, data: bytes) -> None:
    """Every supported coding (and stacks of them) decodes to the original body."""
    assert decode_content(data, encoding, 10 * MB) == BODY


def test_decode_content_joins_concatenated_gzip_members() -> None:
    """Two gzip members back to back are one body (RFC 1952), as gzip(1) reads them."""
    data = gzip_bytes(b"first ") + gzip_bytes(b"second")
    assert decode_content(data, "gzip", MB) == gzip.decompress(data) == b"first second"


def test_decode_content_ignores_trailing_garbage_after_gzip() -> None:
    """Bytes after the gzip trailer that are not another member are ignored, like browsers."""
    assert decode_content(gzip_bytes(BODY) + b"\0\0\0junk", "gzip", MB) == BODY


def test_decode_content_returns_the_decodable_part_of_a_truncated_stream() -> None:
    """A stream cut short yields a prefix of the body; ``strict`` refuses it with a reason."""
    data = gzip_bytes(BODY)[:-30]
    got = decode_content(data, "gzip", MB)
    assert got and BODY.startswith(got) and len(got) < len(BODY)
    with pytest.raises(PayloadError) as exc:
        decode_content(data, "gzip", MB, strict=True)
    assert str(exc.value) == (
        f"gzip data ends before its end marker ({len(got)} bytes decoded; truncated?)"
    )


def test_decode_content_empty_gzip_body_is_empty() -> None:
    """An empty body labelled gzip (e.g. a 304) decodes to nothing rather than failing."""
    assert decode_content(b"", "gzip", MB) == b""


def test_decode_content_reports_corrupt_data() -> None:
    """Corrupt compressed data raises PayloadError naming the coding."""
    with pytest.raises(PayloadError, match=r"^corrupt gzip data \(member 1, after 0 decoded"):
        decode_content(b"\x1f\x8b\x08\x00garbage-garbage-garbage", "gzip", MB)
    with pytest.raises(PayloadError, match=r"^corrupt gzip data"):
        decode_content(BODY, "gzip", MB)
    with pytest.raises(PayloadError, match=r"^corrupt deflate data"):
        decode_content(b"\xff\xff\xff\xff\xff", "deflate", MB)
    bad = bytearray(gzip_bytes(BODY))
    bad[-6] ^= 0xFF  # the CRC-32
    with pytest.raises(PayloadError, match=r"^corrupt gzip data .*incorrect data check"):
        decode_content(bytes(bad), "gzip", MB)


def test_decode_content_refuses_unknown_codings() -> None:
    """An unsupported coding is an error with its name, not a silent pass-through."""
    with pytest.raises(PayloadError) as exc:
        decode_content(b"x", "br", MB)
    assert str(exc.value) == "unsupported content-encoding 'br'"


def test_decode_content_cap_is_exact() -> None:
    """Exactly ``max_bytes`` decodes; one byte less of allowance raises the bomb error."""
    data = gzip_bytes(bytes(200_000))
    assert len(decode_content(data, "gzip", 200_000)) == 200_000
    with pytest.raises(PayloadError) as exc:
        decode_content(data, "gzip", 199_999)
    assert str(exc.value) == "decompressed body exceeds 199999 bytes"
    with pytest.raises(PayloadError, match=r"^body exceeds 10 bytes$"):
        decode_content(b"x" * 11, None, 10)


@pytest.mark.parametrize("wrapper,encoding", [("gzip", "gzip"), ("zlib", "deflate")])
def test_decompression_bomb_stops_at_cap_with_bounded_memory(wrapper: str, encoding: str) -> None:
    """1 GB of zeros (~1 MB compressed) capped at 20 MB: clear error, peak memory < 50 MB."""
    bomb = zeros_bytes(1024 * MB, wrapper)
    assert len(bomb) < 2 * MB
    tracemalloc.start()
    try:
        with pytest.raises(PayloadError) as exc:
            decode_content(bomb, encoding, 20 * MB)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert str(exc.value) == f"decompressed body exceeds {20 * MB} bytes"
    assert peak < 50 * MB, f"peak {peak / MB:.1f} MB"


def test_zeros_stream_is_a_valid_gzip_of_the_stated_size() -> None:
    """The fixture bomb really is a well-formed gzip of exactly ``total`` zeros."""
    data = b"".join(zeros_stream(8 * MB))
    assert gzip.decompress(data) == bytes(8 * MB)
    assert zlib.decompress(b"".join(zeros_stream(4 * MB, wrapper="zlib"))) == bytes(4 * MB)


# -- http_parts -----------------------------------------------------------------------
def test_http_parts_splits_status_headers_and_payload() -> None:
    """Status, headers in order (duplicates kept) and the raw payload."""
    raw = b"HTTP/1.1 404 Not Found\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\n\r\nbody\r\n\r\nmore"
    assert http_parts(raw) == (
        404,
        [("Set-Cookie", "a=1"), ("Set-Cookie", "b=2")],
        b"body\r\n\r\nmore",
    )


def test_http_parts_tolerates_odd_headers() -> None:
    """Latin-1 bytes, folding, missing spaces, junk lines, LF-only and no reason phrase."""
    raw = (
        b"HTTP/1.0 200\nX-Caf\xe9: na\xefve \xff\ncontent-type:text/plain\nX-Folded: one\n"
        b"\t two\njunk line without colon\nX-Empty:\n\npayload"
    )
    status, headers, payload = http_parts(raw)
    assert status == 200
    assert headers == [
        ("X-Café", "naïve ÿ"),
        ("content-type", "text/plain"),
        ("X-Folded", "one two"),
        ("X-Empty", ""),
    ]
    assert payload == b"payload"


def test_http_parts_without_blank_line_has_empty_payload() -> None:
    """A response cut inside its headers parses what is there, with an empty payload."""
    assert http_parts(b"HTTP/1.1 200 OK\r\nContent-Type: text/ht") == (
        200,
        [("Content-Type", "text/ht")],
        b"",
    )


@pytest.mark.parametrize(
    "raw,message",
    [
        (b"", "not an HTTP response: status line ''"),
        (b"<html>hello</html>", "not an HTTP response: status line '<html>hello</html>'"),
        (b"HTTP/1.1 abc OK\r\n\r\n", "bad status code in 'HTTP/1.1 abc OK'"),
        (b"HTTP/1.1 42 Odd\r\n\r\n", "bad status code in 'HTTP/1.1 42 Odd'"),
    ],
    ids=["empty", "not-http", "non-numeric", "out-of-range"],
)
def test_http_parts_refuses_what_is_not_a_response(raw: bytes, message: str) -> None:
    """Non-HTTP bytes raise PayloadError with the offending status line."""
    with pytest.raises(PayloadError) as exc:
        http_parts(raw)
    assert str(exc.value) == message


# -- entity_body and entity_digest ------------------------------------------------------
@pytest.mark.parametrize("chunked", [None, 1, 7, 64, 4096])
@pytest.mark.parametrize("coding", ["identity", "gzip", "deflate"])
def test_entity_body_is_dechunked_and_decoded(chunked: int | None, coding: str) -> None:
    """Whatever the framing and coding, the entity body is the page itself."""
    raw = response(BODY, chunked=chunked, gzip=coding == "gzip", deflate=coding == "deflate")
    assert entity_body(raw, MB) == BODY


def test_entity_body_stops_at_content_length_and_ignores_bodies_of_204_and_304() -> None:
    """Bytes past Content-Length are not body; 204/304 have none."""
    assert entity_body(response(b"abc") + b"EXTRA") == b"abc"
    assert entity_body(b"HTTP/1.1 304 Not Modified\r\nContent-Encoding: gzip\r\n\r\n") == b""
    assert entity_body(b"HTTP/1.1 204 No Content\r\n\r\nstray") == b""


def test_entity_body_of_a_bomb_response_raises() -> None:
    """A recorded bomb response fails to decode with the cap in the message."""
    raw = (
        b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n"
        + chunk(zeros_bytes(64 * MB), 4096)
    )
    with pytest.raises(PayloadError, match=f"^decompressed body exceeds {MB} bytes$"):
        entity_body(raw, MB)


def test_entity_digest_is_the_same_for_every_chunk_size() -> None:
    """The de-duplication key ignores transfer framing: same body, same key."""
    keys = {entity_digest(response(SAME_BODY, chunked=size)) for size in (None, 1, 7, 64, 4096)}
    assert keys == {sha1_b32(SAME_BODY)}
    gz = {entity_digest(response(SAME_BODY, chunked=size, gzip=True)) for size in (None, 7, 4096)}
    assert gz == {sha1_b32(gzip_bytes(SAME_BODY))}


def test_entity_digest_covers_the_encoded_payload_not_the_decoded_one() -> None:
    """Gzip and identity copies of one page are different payloads, so different keys."""
    assert entity_digest(response(SAME_BODY, gzip=True)) != entity_digest(response(SAME_BODY))
    assert entity_digest(response(b"other")) != entity_digest(response(SAME_BODY))


def test_sha1_b32_format() -> None:
    """The digest form WARC tools write: ``sha1:`` and 32 base32 characters."""
    assert sha1_b32(b"") == "sha1:3I42H3S6NNFQ2MSVX7XZKYAYSCX5QBYJ"
