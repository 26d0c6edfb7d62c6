"""The article title from ``<title>``, cut at site-name separators as Readability does."""

from __future__ import annotations

import re
from collections.abc import Sequence
from urllib.parse import urlsplit

from lxml import etree

from .actions import element_text, name_key, norm_text, text_content

_TITLE_SEP = re.compile(r" [|\-\\/>»–—] ")
_HIER_SEP = re.compile(r" [\\/>»] ")


def _words(text: str) -> int:
    """Word count as Readability counts it (a split on whitespace runs)."""
    return len(re.split(r"\s+", text))


def text_similarity(a: str, b: str) -> float:
    """Share of ``b``'s tokens (by length) that also occur in ``a``."""
    tokens_a = [t for t in re.split(r"\W+", a.lower()) if t]
    tokens_b = [t for t in re.split(r"\W+", b.lower()) if t]
    if not tokens_a or not tokens_b:
        return 0.0
    seen = set(tokens_a)
    uniq_b = [t for t in tokens_b if t not in seen]
    return 1 - len(" ".join(uniq_b)) / len(" ".join(tokens_b))


def article_title(doc: etree._Element) -> str:
    """The title from ``<title>``, cut at site-name separators as Readability does."""
    t = next(doc.iter("title"), None)
    orig = cur = (
        norm_text(etree.tostring(t, method="text", encoding="unicode", with_tail=False))
        if t is not None
        else ""
    )
    hierarchical = False
    if _TITLE_SEP.search(cur):
        hierarchical = _HIER_SEP.search(cur) is not None
        cur = orig[: list(_TITLE_SEP.finditer(orig))[-1].start()]
        if _words(cur) < 3:
            cur = re.sub(r"^[^|\-\\/>»–—]*[|\-\\/>»–—]", "", orig, count=1)
    elif ": " in cur:
        if not any((text_content(h) or "").strip() == cur.strip() for h in doc.iter("h1", "h2")):
            cur = orig[orig.rfind(":") + 1 :]
            if _words(cur) < 3:
                cur = orig[orig.find(":") + 1 :]
            elif _words(orig[: orig.find(":")]) > 5:
                cur = orig
    elif len(cur) > 150 or len(cur) < 15:
        h1s = list(doc.iter("h1"))
        if len(h1s) == 1:
            cur = element_text(h1s[0])
    cur = re.sub(r"\s{2,}", " ", cur.strip())
    n = _words(cur)
    if n <= 4 and (not hierarchical or n != _words(re.sub(r"[|\-\\/>»–—]+", "", orig)) - 1):
        cur = orig
    return cur


# A title's segments: words between separators with space on both sides ("A | B", "A - B").
_SEGMENT_SEP = re.compile(r"\s+[|\-–—:·•»/]\s+")


def headline(
    title: str | None, site_name: str | None, url: str | None, headings: Sequence[str] = ()
) -> str | None:
    """The article's headline: the page's own ``<h1>`` when one restates the title (most of
    its words are the title's, and it has a fair share of them), as the page shows it above
    the article; else the title. Either way without the site's name: a first or last
    segment that names the site (its ``og:site_name``, or its host without "www." and with
    or without the domain ending) is cut ("How to Build a Terrarium | eHow"). Titles that
    name no site stay whole."""
    if not title:
        return title
    names = {name_key(site_name or "")}
    host = (urlsplit(url).hostname or "") if url and "://" in url else ""
    host = host.removeprefix("www.")
    if host:
        names |= {name_key(host), name_key(host.split(".")[0])}
    names.discard("")
    heading = next((h for h in headings if restates(h, title) and name_key(h) not in names), None)
    return _cut_site(heading or title, names)


# A heading restates the title when this share of its words are the title's, and they are
# this share of the title's words ("8 Recent Trends in Photography" restates "Recent Trends
# in Photography | Acme"; a site's name or a section's does not).
RESTATE_HEADING = 0.5
RESTATE_TITLE = 0.3


def restates(heading: str, title: str) -> bool:
    """True when a heading says (a version of) the title: of its words (numbers aside: "Page
    1" does not restate "Part 1"), two or more and ``RESTATE_HEADING`` of them are the
    title's, making ``RESTATE_TITLE`` of the title's words."""
    words = _words_of(heading)
    have = _words_of(title)
    shared = len(words & have)
    return (
        shared >= 2
        and shared >= RESTATE_HEADING * len(words)
        and shared >= RESTATE_TITLE * len(have)
    )


def _words_of(text: str) -> set[str]:
    """A text's words, case-folded, without the numbers."""
    return {w for w in _TOKEN_RE.findall(text.casefold()) if not w.isdigit()}


_TOKEN_RE = re.compile(r"\w+")


def _cut_site(title: str, names: set[str]) -> str:
    """A title without its first or last segments whose name key is one of ``names``, as
    many as there are ("Acme | acme.com - Headline"): cutting it again changes nothing."""
    while True:
        seps = list(_SEGMENT_SEP.finditer(title))
        if not seps:
            return title
        last, first = title[seps[-1].end() :], title[: seps[0].start()]
        if name_key(last) in names:
            cut = title[: seps[-1].start()].strip()
        elif name_key(first) in names:
            cut = title[seps[0].end() :].strip()
        else:
            return title
        if not cut:
            return title
        title = cut
