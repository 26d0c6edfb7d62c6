"""Clean pages with inlined images are streamed: byte-identical to the in-memory inliner,
the same images dropped, no needless rewrite, atomic writes (memory: test_store_memory.py)."""

from __future__ import annotations

from pathlib import Path

import pytest
from imgstore import (
    BASE,
    SVG,
    avif,
    gif,
    jpeg,
    make_article,
    old_inline_images,
    png_bytes,
    response,
    store_response,
    webp,
)

import archive.store as store
from archive.store import ARCHIVE_CSP, Archive, Page
from archive.store_images import (
    B64_CHUNK,
    inline_images,
    page_differs,
    write_inlined,
)
from cleaner.render import render_result


# -- the string/stream inliners ----------------------------------------------------------------
def test_streamed_inlining_is_byte_identical_to_the_old_inliner() -> None:
    """Chunked base64 of every size around the chunk boundary, every raster type, and the
    tags the old inliner dropped (no src, unknown src, SVG, short or empty bytes)."""
    images = {
        f"{BASE}/a.jpg": jpeg(B64_CHUNK - 1),
        f"{BASE}/b.png": png_bytes(B64_CHUNK),
        f"{BASE}/c.gif": gif(B64_CHUNK + 1),
        f"{BASE}/c87.gif": gif(1000, version=b"87a"),
        f"{BASE}/d.webp": webp(3 * B64_CHUNK + 2),
        f"{BASE}/e.avif": avif(13),
        f"{BASE}/q?a=1&b=2.png": png_bytes(5000, seed=9),
        f"{BASE}/f.svg": SVG,
        f"{BASE}/short.jpg": b"\xff\xd8",
        f"{BASE}/empty.png": b"",
    }
    tags = [
        f'<img src="{BASE}/a.jpg" alt="a">',
        f'<IMG class="x" SRC="{BASE}/b.png">',  # upper-case src: not matched, dropped
        f'<img alt="c" src="{BASE}/c.gif" width="3">',
        f'<img src="{BASE}/c87.gif">',
        f'<img\tsrc="{BASE}/d.webp"/>',
        f'<img src="{BASE}/e.avif">',
        f'<img src="{BASE}/q?a=1&amp;b=2.png">',
        f'<img src="{BASE}/f.svg">',
        f'<img src="{BASE}/short.jpg">',
        f'<img src="{BASE}/empty.png">',
        f'<img src="{BASE}/missing.png">',
        '<img alt="no source">',
        f'<img src="{BASE}/a.jpg" alt="again">',
    ]
    page = (
        "<!doctype html><html><head><meta charset=utf-8><title>Ünïcode — “ok” 😀</title>"
        "</head><body><p>före</p>" + "<p>mellan é</p>".join(tags) + "<p>efter 😀</p></body></html>"
    )
    expected = old_inline_images(page, images)
    assert inline_images(page, images) == expected
    parts: list[bytes] = []
    write_inlined(page, images.get, parts.append)
    assert b"".join(parts) == expected.encode("utf-8")
    assert max(len(p) for p in parts) <= B64_CHUNK * 4 // 3
    assert expected.count("data:image/") == 7
    for mime in ("jpeg", "png", "gif", "webp", "avif"):
        assert f"data:image/{mime};base64," in expected
    assert inline_images("", images) == "" and inline_images("<p>x</p>", {}) == "<p>x</p>"


def test_page_differs_compares_chunk_wise(tmp_path: Path) -> None:
    """Equal, shorter, longer, one byte off and missing files are told apart."""
    chunks = [b"abc", b"", b"defgh", b"i" * 100_000]
    whole = b"".join(chunks)

    def produce(write: store.Sink) -> None:
        """Write the chunks."""
        for c in chunks:
            write(c)

    path = tmp_path / "p.html"
    assert page_differs(path, produce)
    for content, differs in (
        (whole, False),
        (whole[:-1], True),
        (whole + b"\n", True),
        (whole[:50] + b"X" + whole[51:], True),
        (b"", True),
    ):
        path.write_bytes(content)
        assert page_differs(path, produce) is differs


# -- through the archive ---------------------------------------------------------------------
def expected_doc(page: Page, images: dict[str, bytes]) -> bytes:
    """What the in-memory code wrote for this page: old inliner over render_result."""
    doc = render_result(page.result, page.result.content_html, csp=ARCHIVE_CSP)
    return old_inline_images(doc, images).encode("utf-8")


def test_saved_page_is_byte_identical_and_drops_what_it_dropped_before(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Through stored WARC records: plain, gzip+chunked and revisit images are inlined;
    truncated captures, 404s, SVG, garbage, over-size and unrecorded images are dropped."""
    monkeypatch.setattr(store, "MAX_IMAGE_BYTES", 300_000)
    good = {
        f"{BASE}/1.jpg": jpeg(250_001, seed=11),
        f"{BASE}/2.png": png_bytes(B64_CHUNK + 2, seed=12),
        f"{BASE}/3.gif": gif(70_000, seed=13),
        f"{BASE}/4.webp": webp(9_999, seed=14),
        f"{BASE}/5-same-as-1.jpg": jpeg(250_001, seed=11),  # stored as a revisit
    }
    with Archive(tmp_path / "arc") as arc:
        for url, data in good.items():
            enc = "gzip" if url.endswith(".png") else None
            store_response(arc, url, response(data, "image/x", encoding=enc))
        bad = {
            f"{BASE}/cut.jpg": (jpeg(50_000, seed=21), 200, "length"),
            f"{BASE}/404.png": (png_bytes(1000, seed=22), 404, None),
            f"{BASE}/v.svg": (SVG, 200, None),
            f"{BASE}/junk.png": (b"not an image at all", 200, None),
            f"{BASE}/big.jpg": (jpeg(300_001, seed=23), 200, None),
        }
        for url, (data, status, trunc) in bad.items():
            raw = response(data, "image/x", status)
            store_response(arc, url, raw[: len(raw) - 10] if trunc else raw, status, trunc)
        page = make_article(arc, good, [*bad, f"{BASE}/never-fetched.jpg"])
        assert arc.index.record(arc.stored_images([page])[f"{BASE}/5-same-as-1.jpg"])["type"] in (
            "revisit",
            "response",
        )
        article = arc.save_article(f"{BASE}/post.html", [page], arc.stored_images([page]), ())
        row = arc.index.article(article)
        written = (arc.root / row["html_path"]).read_bytes()
        doc, _ = arc.render([page], arc.stored_images([page]))
    assert written == expected_doc(page, good)
    assert doc.encode("utf-8") == written
    assert written.count(b"data:image/") == len(good)
    assert b"v.svg" not in written and b"never-fetched" not in written


def test_reclean_of_an_unchanged_page_does_not_rewrite_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stored page is compared as it is produced; only a differing page is rewritten."""
    images = {f"{BASE}/{i}.jpg": jpeg(100_000 + i, seed=30 + i) for i in range(3)}
    with Archive(tmp_path / "arc") as arc:
        for url, data in images.items():
            store_response(arc, url, response(data, "image/jpeg"))
        page = make_article(arc, images, [])
        article = arc.save_article(f"{BASE}/post.html", [page], arc.stored_images([page]), ())
        row = arc.index.article(article)
        path = arc.root / row["html_path"]
        good = path.read_bytes()
        assert good == expected_doc(page, images)
        before = path.stat()

        def no_write(*a: object) -> None:
            """Fail: the page is unchanged."""
            raise AssertionError("unchanged page rewritten")

        with monkeypatch.context() as m:
            m.setattr(store, "write_page_atomically", no_write)
            assert arc.reclean_article(row)[0] is False
        after = path.stat()
        assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)

        for damaged in (good[:-1], good + b" ", good[:5000] + b"Z" + good[5001:], None):
            if damaged is None:
                path.unlink()
            else:
                path.write_bytes(damaged)
            assert arc.reclean_article(row)[0] is False
            assert path.read_bytes() == good
        assert not list(path.parent.glob("*.tmp*"))


def test_a_failed_write_keeps_the_old_page_and_no_temp_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An error while streaming (here: while loading an image) leaves no partial page."""
    images = {f"{BASE}/x.jpg": jpeg(10_000)}
    with Archive(tmp_path / "arc") as arc:
        store_response(arc, f"{BASE}/x.jpg", response(images[f"{BASE}/x.jpg"], "image/jpeg"))
        page = make_article(arc, images, [])
        arc.save_article(f"{BASE}/post.html", [page], arc.stored_images([page]), ())
        path = arc.root / arc.html_path(f"{BASE}/post.html")
        good = path.read_bytes()

        def broken(self: Archive, record: int) -> bytes | None:
            """A disk error half-way."""
            raise OSError(5, "Input/output error")

        monkeypatch.setattr(Archive, "_image_bytes", broken)
        with pytest.raises(store.ArchiveError, match="Input/output error"):
            arc.save_article(f"{BASE}/post.html", [page], arc.stored_images([page]), ())
        assert path.read_bytes() == good
        assert [p.name for p in path.parent.iterdir()] == [path.name]
