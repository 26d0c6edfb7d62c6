"""Pages that are not articles: what a page keeps once its article is taken out of it.

Usage::

    python bench/non_article.py CORPUS_DIR [--no-rules] [--limit N] [--worst N]

For each page of a corpus with truth text (any layout of ``bench/corpora.py``), takes the
article out of the page's markup: every block (paragraph, list item, heading, table cell,
caption, ``<pre>``, quotation, definition) whose 4-token shingles are mostly in the truth,
or, for a block too short to have one, whose words all are; and the JSON-LD (its
``articleBody`` would bring the article back). What is left is the site's own frame: its
menus, teasers, sidebars and footer, the stuff of a home page or an index. The page is
cleaned and the result measured in words. The report gives the median, 90th percentile
and largest result, and counts the walls of links: results of ``WALL_WORDS`` words or
more whose text is mostly link text (what a reader must never get for a page that is not
an article). ``--worst N`` lists the N longest results. Exit codes: 0, 2 bad arguments.
"""

from __future__ import annotations

import statistics
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import lxml.html
from lxml import etree

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.corpora import corpus_arguments, iter_cases  # noqa: E402
from bench.metric import TOKEN_RE, shingles  # noqa: E402
from bench.quality import rules_without_sites  # noqa: E402

# The blocks an article is made of, taken out when their text is the truth's.
ARTICLE_BLOCKS = (
    "p",
    "li",
    *(f"h{n}" for n in range(1, 7)),
    "td",
    "th",
    "figcaption",
    "pre",
    "blockquote",
    "dd",
    "dt",
)
# A result this long (in words) whose text is mostly in links is a wall of links.
WALL_WORDS = 100


@dataclass
class Result:
    """One page's result once its article is out: words, and the share in links."""

    id: str
    words: int
    link_share: float

    @property
    def wall(self) -> bool:
        """Whether the result is a wall of links."""
        return self.words >= WALL_WORDS and self.link_share > 0.5


def without_article(html: bytes, truth: str) -> bytes:
    """The page's markup with the article's blocks and the JSON-LD taken out."""
    doc = lxml.html.document_fromstring(html)
    true = shingles(truth)
    words = set(TOKEN_RE.findall(truth))
    gone: set[etree._Element] = set()
    for el in list(doc.iter(*ARTICLE_BLOCKS)):
        if any(a in gone for a in el.iterancestors()):
            continue
        text = el.text_content()
        grams = shingles(text)
        total = sum(grams.values())
        if total:
            inside = sum(n for gram, n in grams.items() if gram in true)
            article = inside * 2 >= total
        else:
            tokens = TOKEN_RE.findall(text)
            article = bool(tokens) and all(t in words for t in tokens)
        if article:
            gone.add(el)
            el.drop_tree()
    for script in list(doc.iter("script")):
        if (script.get("type") or "").strip().lower() == "application/ld+json":
            script.drop_tree()
    return etree.tostring(doc, encoding="utf-8", method="html")


def link_share(content_html: str) -> float:
    """The share of a result's text that is link text (0 for an empty result)."""
    if not content_html.strip():
        return 0.0
    root = lxml.html.fragment_fromstring(content_html, create_parent="div")
    total = len(" ".join(root.itertext()).split())
    links = sum(len(" ".join(a.itertext()).split()) for a in root.iter("a"))
    return links / total if total else 0.0


def run(corpus: Path, no_rules: bool, limit: int | None) -> list[Result]:
    """Clean every page of the corpus without its article; pages without truth are left
    out."""
    from cleaner import CleanerError, clean

    rules = rules_without_sites() if no_rules else None
    out = []
    for case in iter_cases(corpus, limit):
        if not (case.truth_text or "").strip():
            continue
        page = without_article(case.html_bytes, case.truth_text or "")
        try:
            result = clean(page, url=case.url, rules=rules)
        except CleanerError:
            out.append(Result(case.id, 0, 0.0))
            continue
        out.append(Result(case.id, len(result.text.split()), link_share(result.content_html)))
    return out


def report(results: list[Result], worst: int) -> Iterable[str]:
    """The lines to print: the size of the results, the walls of links, the longest."""
    if not results:
        yield "0 pages with truth text"
        return
    words = sorted(r.words for r in results)
    p90 = words[min(len(words) - 1, int(len(words) * 0.9))]
    yield (
        f"{len(results)} pages without their article: words kept median "
        f"{statistics.median(words):g}, p90 {p90}, max {words[-1]}"
    )
    walls = [r for r in results if r.wall]
    yield f"walls of links ({WALL_WORDS}+ words, mostly links): {len(walls)}" + (
        ": " + ", ".join(r.id for r in walls) if walls else ""
    )
    if worst:
        top = sorted(results, key=lambda r: -r.words)[:worst]
        yield "longest: " + ", ".join(f"{r.id} {r.words} ({r.link_share:.2f})" for r in top)


def main(argv: list[str] | None = None) -> int:
    """Parse arguments, run, print."""
    args = corpus_arguments(__doc__ or "", "the N longest results", argv)
    for line in report(run(args.corpus, args.no_rules, args.limit), args.worst):
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
