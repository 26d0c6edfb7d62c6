"""Saving an article holds about one image in memory, not all of them (tracemalloc, not
timing). Uses the public archive API only: run against the code before streaming (``git
archive`` of it on PYTHONPATH), ``test_saving_an_article_holds_about_one_image_in_memory``
fails there."""

from __future__ import annotations

from pathlib import Path

import pytest
from imgstore import (
    BASE,
    MB,
    jpeg,
    make_article,
    old_inline_images,
    response,
    store_response,
    traced_peak,
)

from archive.store import ARCHIVE_CSP, Archive
from cleaner.render import render_result

IMAGE = 4 * MB
COUNT = 6
SLACK = 2 * MB


@pytest.fixture(scope="module")
def big_article(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """An archive holding an article that shows six 4 MB images; (root, article url)."""
    root = tmp_path_factory.mktemp("big")
    images = {f"{BASE}/big-{i}.jpg": jpeg(IMAGE - 1000, seed=100 + i) for i in range(COUNT)}
    with Archive(root) as arc:
        for url, data in images.items():
            store_response(arc, url, response(data, "image/jpeg"))
        page = make_article(arc, images, [])
        arc.save_article(f"{BASE}/post.html", [page], arc.stored_images([page]), ())
    return root, f"{BASE}/post.html"


def test_saving_an_article_holds_about_one_image_in_memory(big_article: tuple[Path, str]) -> None:
    """Save (the import path: stored_images + save_article) and reclean with a page compare
    each peak below two images, where the six images alone are 24 MB (their base64 32 MB)."""
    root, url = big_article
    with Archive(root) as arc:
        row = arc.index.article_by_url(url)
        page = arc.clean_record(row["record"])
        assert not isinstance(page, str)
        path = root / row["html_path"]
        path.unlink()

        def save() -> None:
            """What import and archive_url do once the page is cleaned."""
            arc.save_article(url, [page], arc.stored_images([page]), ())

        peak_save = traced_peak(save)
        written = path.stat().st_size
        peak_compare = traced_peak(lambda: arc.reclean_article(row))
    print(f"peak save {peak_save / MB:.1f} MB, reclean compare {peak_compare / MB:.1f} MB")
    assert written > COUNT * (IMAGE - 1000) * 4 // 3
    assert peak_save < 2 * IMAGE + SLACK, peak_save / MB
    assert peak_compare < 2 * IMAGE + SLACK, peak_compare / MB


def test_the_in_memory_inliner_fails_the_memory_bound(big_article: tuple[Path, str]) -> None:
    """The bound above is not loose: holding every image and the whole document at once
    (the code before streaming) peaks far above it."""
    root, url = big_article
    with Archive(root) as arc:
        row = arc.index.article_by_url(url)
        page = arc.clean_record(row["record"])
        assert not isinstance(page, str)
        records = arc.stored_images([page])

        def old_save() -> None:
            """Every image's bytes in a dict, one document string, written whole."""
            images = {src: arc._image_bytes(rid) for src, rid in records.items()}
            page_html = render_result(page.result, page.result.content_html, csp=ARCHIVE_CSP)
            doc = old_inline_images(page_html, images)  # type: ignore[arg-type]
            (root / "old.html").write_text(doc, encoding="utf-8")

        peak = traced_peak(old_save)
    print(f"peak in-memory inliner {peak / MB:.1f} MB")
    assert peak > COUNT * IMAGE, peak / MB
    assert peak > 2 * IMAGE + SLACK
