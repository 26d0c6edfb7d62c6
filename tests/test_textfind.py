"""The text-matcher lookup's pre-filters: never a different answer than trying every matcher."""

from __future__ import annotations

import re

from cleaner.ruleset import RuleSet
from cleaner.selectors import make_text_matcher
from cleaner.textfind import (
    alternation_test,
    case_insensitive_test,
    finder,
    first_chars,
    required_literals,
)

SAMPLES = [
    "Advertisement",
    "ADVERTISEMENT",
    "Share",
    "Share on Facebook",
    "Baca juga: Berita hari ini",
    "Related Articles",
    "Tags:",
    "A A A",
    "A- A+",
    "We may earn a commission when you buy through links on our site.",
    "This post contains affiliate links; we earn from qualifying purchases.",
    "Editor: Jo Smith",
    "Photo: Reuters",
    "A long paragraph of prose that is no label at all, with commas, and words.",
    "Follow us on Instagram",
    "Ikuti kami di Google News",
    "Subscribe to our newsletter",
    "Copyright © 2024 Example",
    "x",
    "Ünïcode text",
]


def _brute(matchers: tuple, text: str) -> object:
    """The first matcher that matches ``text``, by trying each in order."""
    return next((m for m in matchers if m.matches(text)), None)


def test_finder_agrees_with_trying_every_matcher() -> None:
    matchers = RuleSet.default().defaults.remove_text
    find = finder(matchers)
    for text in SAMPLES:
        assert find(text) == _brute(matchers, text), text


def test_prefilters_of_unusual_patterns() -> None:
    matchers = tuple(
        make_text_matcher("regex", expr)
        for expr in (
            r"(?i)^share$",
            r"^(x)?y?",
            r"^[^a]bc$",
            r"^\d+ comments$",
            r"^.{0,20}(?i:affiliate)",
            r"^.{0,40}\bsponsored by\b",
            r"(?m)^tag$",
            r"label$",
        )
    )
    find = finder(matchers)
    for text in [
        *SAMPLES,
        "SHARE",
        "zzz",
        "qbc",
        "12 comments",
        "an AFFILIATE link",
        "tag",
        "sponsored by Acme",
        "a label",
        "one\ntag",
    ]:
        assert find(text) == _brute(matchers, text), text


def test_first_chars_and_literals() -> None:
    assert first_chars(re.compile("^(Read|Also) more$")) == {"R", "A"}
    assert first_chars(re.compile("^(x)?y")) == {"x", "y"}
    assert first_chars(re.compile("^(x)?y?")) is None
    assert first_chars(re.compile("(?i)^share")) is None
    assert first_chars(re.compile("^[A-C]x")) == {"A", "B", "C"}
    assert required_literals(re.compile(r"^.{0,9}\b(foo bar|bazz)\b")) == {"foo bar", "bazz"}
    assert required_literals(re.compile(r"^.{0,9}(foo|x)")) is None
    assert required_literals(re.compile(r"^.{0,9}(?i:foo)")) is None


def test_alternation_test_agrees_with_search() -> None:
    """``alternation_test`` answers as ``re.search`` does, for the class/id vocabularies
    (words, anchors, word boundaries, optional letters) and for patterns it leaves alone."""
    from cleaner.generic import AUTHOR_BOX_RE, GALLERY_RE
    from cleaner.measure import COMMENTS_RE, NEGATIVE_RE, POSITIVE_RE

    names = [
        "ad-slot",
        "top-ad-unit",
        "ads",
        "my-ads box",
        "badge",
        "bacajuga",
        "baca-juga-list",
        "tags",
        "tagsx",
        "post-tag",
        "navbar",
        "media-share",
        "terpopuler",
        "entry-content",
        "read__content",
        "photo-gallery",
        "author-box",
        "about-the-author",
        "field-author",
        "field-authors",
        "comments-area",
        "x-comments",
        "disqus_thread",
        "",
        "x",
        *[s.lower() for s in SAMPLES],
    ]
    patterns = [
        NEGATIVE_RE.pattern,
        POSITIVE_RE.pattern,
        GALLERY_RE.pattern,
        AUTHOR_BOX_RE.pattern,
        COMMENTS_RE.pattern,
        "a(b|c)",
        "ab|ac",
    ]
    for pattern in patterns:
        test = alternation_test(pattern)
        for name in names:
            assert test(name) == (re.search(pattern, name) is not None), (pattern, name)


def test_case_insensitive_test_agrees_with_search() -> None:
    """``case_insensitive_test`` answers as the case-insensitive search does, for ASCII names
    in any case and for non-ASCII ones (the Kelvin sign folds onto "k")."""
    from cleaner.generic import AUTHOR_BOX_RE
    from cleaner.measure import NEGATIVE_RE

    for rx in (NEGATIVE_RE, AUTHOR_BOX_RE, re.compile("Kb|ab", re.I)):
        test = case_insensitive_test(rx)
        for name in ("SideBar", "Author-Box", "nav", "\u212ab", "KB", "Ab", "caf\u00e9 ADS", "x"):
            assert test(name) == (rx.search(name) is not None), (rx.pattern, name)
