"""The SQLite index: FTS queries are escaped, ranking is windowed for very common terms."""

from __future__ import annotations

import pytest

import archive.index as index_mod
from archive.index import Index, fts_query


def _fill(ix: Index, texts: list[str]) -> None:
    """Insert one record and one article per text (ids in insertion order)."""
    with ix.transaction() as db:
        for i, text in enumerate(texts, start=1):
            db.execute(
                "INSERT INTO records (id, url, type, warc_file, warc_offset, warc_length, "
                "record_id, date) VALUES (?, ?, 'response', 'x.warc.gz', 0, 1, ?, '2026')",
                (i, f"https://x.test/{i}", f"<urn:x:{i}>"),
            )
            db.execute(
                "INSERT INTO articles (url, final_url, site, title, text, captured_at, "
                "updated_at, record, rules_digest, html_path) VALUES "
                "(?, ?, 'x.test', ?, ?, '2026', '2026', ?, 'd', 'p')",
                (f"https://x.test/{i}", f"https://x.test/{i}", f"T{i}", text, i),
            )


@pytest.mark.parametrize(
    ("user", "query"),
    [
        ("korea utara", '"korea" "utara"'),
        ('"korea utara"', '"korea utara"'),
        ("kor*", '"kor"*'),
        ("AND AND", '"AND" "AND"'),
        ("NEAR(", '"NEAR"'),
        ("col:x", '"col" "x"'),
        ('"', ""),
        ("*", ""),
    ],
)
def test_user_text_is_quoted_before_match(user, query):
    """Any user text becomes a valid FTS5 query of quoted terms, phrases and prefixes."""
    assert fts_query(user) == query


def test_common_terms_are_ranked_among_the_newest_matches(tmp_path, monkeypatch):
    """With more matches than RANK_WINDOW, bm25 ranks only the most recent ones."""
    monkeypatch.setattr(index_mod, "RANK_WINDOW", 3)
    ix = Index(tmp_path / "i.sqlite3")
    # Article 1 is the best bm25 match but the oldest; 2..6 mention the word once.
    _fill(ix, ["kata " * 30, *[f"kata lain nomor {n} di sini" for n in range(2, 7)]])
    assert {h.id for h in ix.search("kata", limit=10)} == {4, 5, 6}
    monkeypatch.setattr(index_mod, "RANK_WINDOW", 100)
    assert ix.search("kata", limit=1)[0].id == 1
    ix.close()
