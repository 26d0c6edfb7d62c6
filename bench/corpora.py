"""Loaders for the benchmark corpora kept outside the repository (path given as argument).

Three layouts, detected from the directory contents:

- ``wcxb``: ``html/NNNN.html.gz`` and ``ground-truth/NNNN.json`` whose ``ground_truth`` holds
  ``main_content`` (the truth text), ``with`` / ``without`` snippet lists, ``title``,
  ``author``, ``publish_date``; ``url`` sits at the top level (missing in a few files).
- ``readability``: ``pages/<case>/source.html``, ``expected.html`` (Mozilla Readability's
  output; its text is the truth) and ``expected-metadata.json`` (``title``, ``byline``,
  ``publishedTime``). Readability's test harness serves every page as
  ``http://fakehost/test/page.html`` (the expected links resolve against it).
- ``indonesian``: ``<case>/source.html``, ``expected.txt`` (the truth) and ``meta.json``
  (``url``); no snippets or metadata, but a list of clutter terms to look for.
"""

from __future__ import annotations

import argparse
import gzip
import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import lxml.etree
import lxml.html

READABILITY_URL = "http://fakehost/test/page.html"

# Boilerplate that Indonesian news pages of 2015-2017 put around the article; matched
# case-sensitively as whole words in our output when the expected text lacks them.
INDONESIAN_CLUTTER = (
    "Advertisement",
    "ADVERTISEMENT",
    "Iklan",
    "Sponsored",
    "Konten Bersponsor",
    "Scroll to continue with content",
    "Bagikan",
    "Share on",
    "Ikuti kami",
    "Baca Juga",
    "Baca juga",
    "Berita Terkait",
    "Berita Lainnya",
    "Artikel Terkait",
    "Follow",
    "Read more",
    "Read also",
)

# Elements whose boundaries separate text, so that adjacent blocks never glue into one token.
BLOCK_TAGS = frozenset(
    [
        "address",
        "article",
        "aside",
        "blockquote",
        "body",
        "caption",
        "dd",
        "details",
        "dialog",
        "div",
        "dl",
        "dt",
        "fieldset",
        "figcaption",
        "figure",
        "footer",
        "form",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "header",
        "hgroup",
        "hr",
        "html",
        "li",
        "main",
        "nav",
        "ol",
        "option",
        "p",
        "pre",
        "section",
        "summary",
        "table",
        "tbody",
        "td",
        "tfoot",
        "th",
        "thead",
        "tr",
        "ul",
    ]
)
SKIPPED_TAGS = frozenset({"head", "script", "style", "noscript", "template"})
UTF8_PARSER = lxml.html.HTMLParser(encoding="utf-8")


@dataclass(frozen=True)
class Case:
    """One benchmark page: the input, the truth and what must or must not survive."""

    id: str
    html_bytes: bytes
    url: str | None
    truth_text: str | None
    with_snippets: tuple[str, ...] = ()
    without_snippets: tuple[str, ...] = ()
    expected_meta: dict[str, str | None] = field(default_factory=dict)
    clutter_terms: tuple[str, ...] = ()
    # The absolute URLs of the images the expected document shows (None: not known).
    expected_images: frozenset[str] | None = None


def html_images(html: str, base: str) -> frozenset[str]:
    """The absolute http(s) URLs of the ``<img src>`` of an HTML document or fragment."""
    if not html.strip():
        return frozenset()
    root = lxml.html.document_fromstring(html.encode("utf-8"), parser=UTF8_PARSER)
    urls = (urljoin(base, (img.get("src") or "").strip()) for img in root.iter("img"))
    return frozenset(u for u in urls if u.startswith(("http://", "https://")))


def html_to_text(html: str) -> str:
    """Return the body text of an HTML document or fragment, one line per block element."""
    if not html.strip():
        return ""
    # Parse bytes: lxml refuses a str that carries an XML encoding declaration.
    root = lxml.html.document_fromstring(html.encode("utf-8"), parser=UTF8_PARSER)
    parts: list[str] = []
    skipping = 0
    for event, el in _walk(root):
        tag = el.tag if isinstance(el.tag, str) else None
        if event == "start":
            if tag in SKIPPED_TAGS:
                skipping += 1
            if tag in BLOCK_TAGS or tag == "br":
                parts.append("\n")
            if tag is not None and not skipping and el.text:
                parts.append(el.text)
            continue
        if tag in SKIPPED_TAGS:
            skipping -= 1
        if tag in BLOCK_TAGS:
            parts.append("\n")
        if not skipping and el.tail:
            parts.append(el.tail)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _walk(root: lxml.etree._Element) -> Iterator[tuple[str, lxml.etree._Element]]:
    """Yield ("start", node) and ("end", node) for every node, comments included, in order."""
    # lxml's iterwalk skips comments and their tail text, so walk with an explicit stack.
    stack: list[tuple[lxml.etree._Element, bool]] = [(root, False)]
    while stack:
        node, finished = stack.pop()
        if finished:
            yield "end", node
            continue
        yield "start", node
        stack.append((node, True))
        stack.extend((child, False) for child in reversed(node))


def detect_layout(path: Path) -> str:
    """Return the layout name of the corpus at ``path``, or raise ValueError."""
    if (path / "html").is_dir() and (path / "ground-truth").is_dir():
        return "wcxb"
    if (path / "pages").is_dir():
        return "readability"
    if any((d / "source.html").is_file() and (d / "expected.txt").is_file() for d in _dirs(path)):
        return "indonesian"
    raise ValueError(f"{path}: not a known corpus layout (wcxb, readability, indonesian)")


def iter_cases(path: Path, limit: int | None = None) -> Iterator[Case]:
    """Yield the cases of the corpus at ``path`` in a stable order, at most ``limit``."""
    loader = LOADERS[detect_layout(path)]
    for n, case in enumerate(loader(path)):
        if limit is not None and n >= limit:
            return
        yield case


def load_wcxb(path: Path) -> Iterator[Case]:
    """Yield the cases of a WCXB-style corpus (gzipped pages, JSON ground truth)."""
    for truth_file in sorted((path / "ground-truth").glob("*.json")):
        page_id = truth_file.stem
        doc = json.loads(truth_file.read_text(encoding="utf-8"))
        truth = doc.get("ground_truth", {})
        yield Case(
            id=page_id,
            html_bytes=gzip.decompress((path / "html" / f"{page_id}.html.gz").read_bytes()),
            url=doc.get("url"),
            truth_text=truth.get("main_content"),
            with_snippets=tuple(truth.get("with") or ()),
            without_snippets=tuple(truth.get("without") or ()),
            expected_meta={
                "title": truth.get("title"),
                "byline": truth.get("author"),
                "published": truth.get("publish_date"),
            },
        )


def load_readability(path: Path) -> Iterator[Case]:
    """Yield the cases of a Mozilla Readability test-page corpus."""
    for case_dir in _dirs(path / "pages"):
        meta: dict[str, Any] = json.loads(
            (case_dir / "expected-metadata.json").read_text(encoding="utf-8")
        )
        expected = (case_dir / "expected.html").read_text(encoding="utf-8")
        yield Case(
            id=case_dir.name,
            html_bytes=(case_dir / "source.html").read_bytes(),
            url=READABILITY_URL,
            truth_text=html_to_text(expected),
            expected_images=html_images(expected, READABILITY_URL),
            expected_meta={
                "title": meta.get("title"),
                "byline": meta.get("byline"),
                "published": meta.get("publishedTime"),
            },
        )


def load_indonesian(path: Path) -> Iterator[Case]:
    """Yield the cases of the Indonesian news corpus (source, expected text, URL)."""
    for case_dir in _dirs(path):
        if not (case_dir / "source.html").is_file():
            continue
        meta_file = case_dir / "meta.json"
        meta = json.loads(meta_file.read_text(encoding="utf-8")) if meta_file.is_file() else {}
        yield Case(
            id=case_dir.name,
            html_bytes=(case_dir / "source.html").read_bytes(),
            url=meta.get("url"),
            truth_text=(case_dir / "expected.txt").read_text(encoding="utf-8"),
            clutter_terms=INDONESIAN_CLUTTER,
        )


def _dirs(path: Path) -> list[Path]:
    """Return the subdirectories of ``path`` sorted by name."""
    return sorted(p for p in path.iterdir() if p.is_dir())


LOADERS = {"wcxb": load_wcxb, "readability": load_readability, "indonesian": load_indonesian}


def corpus_arguments(doc: str, worst: str, argv: list[str] | None) -> argparse.Namespace:
    """The command line of a report over one corpus (``CORPUS_DIR``, ``--no-rules``,
    ``--limit N``, ``--worst N`` saying ``worst``), parsed, with the tool's docstring's first
    line as its description; a folder of no known layout is a usage error (exit 2)."""
    parser = argparse.ArgumentParser(description=doc.split("\n", 1)[0])
    parser.add_argument("corpus", type=Path, metavar="CORPUS_DIR")
    parser.add_argument("--no-rules", action="store_true", help="clean without site rules")
    parser.add_argument("--limit", type=int, metavar="N", help="only the first N pages")
    parser.add_argument("--worst", type=int, default=0, metavar="N", help=worst)
    args = parser.parse_args(argv)
    try:
        detect_layout(args.corpus)
    except (ValueError, OSError) as exc:
        parser.error(str(exc))
    return args
