"""ftr-site-config files convert to our YAML rules: every directive mapped or reported."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from cleaner import RuleSet, clean
from cleaner.ftr import convert, element_xpath, first_match, hosts_for
from cleaner.ruletext import Note, yaml_quote
from cleaner.schema import load_rule_text
from cleaner.selectors import PatternError

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("CLEANER_SHARED") or ROOT.parent / "shared")
CORPUS = SHARED / "corpora" / "ftr-site-config"

SITE_CONFIG = """\
# A site config written for these tests.
title: //h1[@class='headline']/text()
author: //span[@class='byline']
date: //time/@datetime
body: //div[@id='story']
body: //article
strip: //div[@class='related']
strip_id_or_class: share
strip_image_src: pixel.gif
strip_attr: //img/@srcset
dissolve: //span[@class='wrap']
find_string: <p>&nbsp;</p>
replace_string:
replace_string(<b>Iklan</b>):
next_page_link: //a[@rel='next']/@href
single_page_link: //a[@class='print']
prune: no
tidy: no
title: //meta[@property='og:title']/@content
test_url: https://example.com/news/1
test_contains: The harbour authority said
frobnicate: yes
"""

EXPECTED_YAML = """\
# Converted from ftr-site-config example.com.txt (public domain, CC0) by
# `cleaner rules import-ftr`. Review it: see README, section "Writing rules".
version: 1
name: "example.com"
match:
  hosts: ["example.com", "www.example.com"]
content: {xpath: "//div[@id='story'] | (//article)[not(//div[@id='story'])]", \
reason: "ftr body (line 5, 6)"}
title: {xpath: "//h1[@class='headline']", reason: "ftr title (line 2)"}
byline: {xpath: "//span[@class='byline']", reason: "ftr author (line 3)"}
date: {xpath: "//time", reason: "ftr date (line 4)"}
next_page: {xpath: "//a[@rel='next']", reason: "ftr next_page_link (line 15)"}
remove:
  - {xpath: "//div[@class='related']", reason: "ftr strip (line 7)"}
  - {css: "body [class*='share'], body [id*='share']", reason: "ftr strip_id_or_class (line 8)"}
  - {css: "img[src*='pixel.gif']", reason: "ftr strip_image_src (line 9)"}
unwrap:
  - {xpath: "//span[@class='wrap']", reason: "ftr dissolve (line 11)"}
replace:
  - {find: "<p>&nbsp;</p>", with: ""}  # line 12
  - {find: "<b>Iklan</b>", with: ""}  # line 14
generic: false  # ftr prune (line 17)
tests:  # no stored page: `cleaner rules test --archive` uses the capture
  - url: "https://example.com/news/1"  # line 20
    keeps: ["The harbour authority said"]
# Not converted (no equivalent):
#   line 10: strip_attr: removing one attribute of XPath-chosen elements has no equivalent \
(strip_attrs is page-wide); the sanitiser drops class, id, style, srcset, width and height \
from the output anyway
#   line 16: single_page_link: fetching a single-page view is not supported (the archiver \
joins next_page links instead)
#   line 18: tidy: no HTML Tidy pass: pages are parsed with lxml (libxml2)
#   line 19: title: selects the attribute @content; title reads the element's text (the \
metadata pass reads OpenGraph, JSON-LD and meta tags itself)
#   line 22: frobnicate: unknown directive 'frobnicate'
"""

PAGE = b"""<!doctype html><html><head><meta charset="utf-8"><title>Harbour</title></head>
<body class="share-page">
<article><p>An article element the first body line makes irrelevant, long enough to count
as prose, with commas, clauses, and more words than a caption would ever hold.</p></article>
<div id="story">
<h1 class="headline">Harbour dredging to start</h1>
<p>The harbour authority said on Monday that dredging of the main channel will start next
month, so that larger container ships can dock at the old quay.</p>
<div class="post-share-bar">Share on Facebook</div>
<p>Work takes about eight months, <span class="wrap">a spokesman said</span>, and the port
stays open.<b>Iklan</b></p>
<p><img src="https://example.com/pixel.gif"><img src="https://example.com/quay.jpg"></p>
<div class="related">Related: Port traffic grows</div>
<p>&nbsp;</p>
</div></body></html>"""


def test_a_site_config_converts_to_the_expected_rule_file():
    """Every directive of a small config: the YAML text, the counts and the report."""
    conv = convert(SITE_CONFIG, "example.com.txt")
    assert conv.yaml == EXPECTED_YAML
    assert conv.rule_file == "example.com.yaml"
    assert dict(conv.converted) == {
        "title": 1,
        "author": 1,
        "date": 1,
        "body": 2,
        "strip": 1,
        "strip_id_or_class": 1,
        "strip_image_src": 1,
        "dissolve": 1,
        "find_string/replace_string": 2,
        "next_page_link": 1,
        "prune": 1,
        "test_url": 1,
        "test_contains": 1,
    }
    assert [(n.line, n.directive) for n in conv.unsupported] == [
        (10, "strip_attr"),
        (16, "single_page_link"),
        (18, "tidy"),
        (19, "title"),
        (22, "frobnicate"),
    ]
    rule, problems = load_rule_text(conv.yaml, conv.rule_file)
    assert problems == [] and rule is not None
    assert rule.tests[0].page == "" and rule.tests[0].url == "https://example.com/news/1"


def test_the_converted_rule_cleans_as_full_text_rss_would():
    """First matching body line, substring strip_id_or_class (never <body>), image src
    strip, dissolve, replacements and strip all act on a page."""
    conv = convert(SITE_CONFIG, "example.com.txt")
    assert conv.yaml is not None
    rule, _ = load_rule_text(conv.yaml, "example.com.yaml")
    result = clean(PAGE, url="https://www.example.com/news/1", rules=RuleSet(sites=[rule]))
    assert result.site_rule == "example.com"
    assert result.content_source == "rule:example.com"
    assert "harbour authority said on Monday" in result.text
    assert "An article element" not in result.text  # the second body line is a fallback
    assert "Share on Facebook" not in result.text  # 'share' is a substring of the class
    assert "Related: Port traffic" not in result.text
    assert "Iklan" not in result.text
    assert "a spokesman said" in result.text  # dissolved: the text stays
    assert result.title == "Harbour dredging to start"
    assert [u.rsplit("/", 1)[-1] for u in result.images] == ["quay.jpg"]


def test_second_body_line_is_used_when_the_first_matches_nothing():
    """FTR tries body lines in order: the fallback branch selects when the first is absent."""
    conv = convert("body: //div[@id='missing']\nbody: //article\n", "example.com.txt")
    assert conv.yaml is not None
    rule, _ = load_rule_text(conv.yaml, "example.com.yaml")
    result = clean(PAGE, url="https://example.com/a", rules=RuleSet(sites=[rule]))
    assert result.content_source == "rule:example.com"
    assert result.text.startswith("An article element the first body line makes irrelevant")


def test_mismatched_find_and_replace_counts_convert_no_replacement():
    """Full-Text RSS skips every replacement when the counts differ; each line is reported."""
    conv = convert("body: //article\nfind_string: a\nfind_string: b\nreplace_string: c\n", "x.org")
    assert conv.yaml is not None and "replace:" not in conv.yaml
    why = "2 find_string but 1 replace_string: Full-Text RSS skips all of this file's replacements"
    assert conv.unsupported == [
        Note(2, 1, "find_string/replace_string", why),
        Note(3, 1, "find_string/replace_string", why),
        Note(4, 1, "find_string/replace_string", why),
    ]


def test_xpaths_that_compute_strings_or_select_the_page_are_reported():
    """String functions, a literal, //body and a broken XPath: reported, not converted."""
    text = (
        "title: substring-before(//title, ' - ')\n"
        "author: 'Jane Doe'\n"
        "body: //body\n"
        "body: //div[contains(@class='x')]\n"
        "strip: //div[@id='x']/@style\n"
        "strip: //aside\n"
    )
    conv = convert(text, "example.com.txt")
    assert [(n.line, n.message) for n in conv.unsupported] == [
        (1, "computes a string with substring-before(…); rule selectors pick elements"),
        (2, "xpath \"'Jane Doe'\" must select elements, not text or numbers"),
        (3, "xpath selector '//body' would match <body>: the whole page"),
        (
            4,
            "XPath \"//div[contains(@class='x')]\" cannot be evaluated: "
            "Invalid number of arguments",
        ),
        (5, "strip of the attribute @style has no equivalent (strip_attrs is page-wide)"),
    ]
    assert conv.converted == {"strip": 1}


def test_switches_that_match_our_defaults_convert_to_nothing():
    """autodetect_on_failure: yes is what we always do; 'no' is reported."""
    conv = convert("body: //article\nautodetect_on_failure: yes\nstrip_comments: no\n", "a.com")
    assert conv.converted["autodetect_on_failure"] == 1
    assert conv.unsupported == [
        Note(3, 1, "strip_comments", "'no' is not supported: comments never survive the sanitiser")
    ]


def test_a_file_with_nothing_convertible_is_not_converted():
    """Login and header lines alone make no rule."""
    conv = convert("http_header(user-agent): x\nrequires_login: yes\n", "a.com.txt")
    assert conv.yaml is None
    assert conv.reason == "no directive with an equivalent"
    assert [n.directive for n in conv.unsupported] == ["http_header(…)", "requires_login"]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("example.com.txt", (["example.com", "www.example.com"], "example.com.yaml")),
        (".example.com.txt", (["*.example.com"], "_.example.com.yaml")),
        ("www.example.com.txt", (["www.example.com"], "www.example.com.yaml")),
        ("bücher.de.txt", (["xn--bcher-kva.de", "www.xn--bcher-kva.de"], "xn--bcher-kva.de.yaml")),
        ("LICENSE.txt", "'LICENSE.txt' is not a host name"),
        (
            "global.txt",
            "global.txt applies to every site: merge it into rules/_defaults.yaml by hand",
        ),
        (
            "fingerprint.ippen.media.txt",
            "fingerprint configs apply by HTML fingerprint, not by host",
        ),
    ],
)
def test_file_names_give_hosts(name, expected):
    """example.com.txt is the site and www; .example.com.txt its subdomains."""
    assert hosts_for(name) == expected


def test_element_xpath_and_first_match():
    """Trailing text()/allowed attributes are dropped; fallbacks guard on earlier lines."""
    assert element_xpath("//time/@datetime | //span/text()", ("datetime",), "date") == (
        "//time | //span"
    )
    with pytest.raises(PatternError, match="selects the attribute @title; date reads"):
        element_xpath("//a/@title", ("datetime", "content"), "date")
    assert first_match(["//a | //b", "//c", "//d"]) == (
        "(//a | //b) | (//c)[not(//a | //b)] | (//d)[not(//a | //b) and not(//c)]"
    )


@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",))))
def test_yaml_quote_round_trips_any_text(value):
    """Whatever a config holds, its quoted form reads back as the same string."""
    assert yaml.safe_load(f"k: {yaml_quote(value)}") == {"k": value}


@pytest.mark.slow
@pytest.mark.skipif(not CORPUS.is_dir(), reason="ftr-site-config corpus not present")
def test_the_ftr_site_config_corpus_converts_and_validates():
    """At least 95% of the public corpus converts, and every converted file validates."""
    files = sorted(p for p in CORPUS.iterdir() if p.suffix == ".txt")
    converted = 0
    for path in files:
        conv = convert(path.read_text(encoding="utf-8"), path.name)
        if conv.yaml is None:
            continue
        converted += 1
        _, problems = load_rule_text(conv.yaml, conv.rule_file)
        assert problems == [], path.name
    assert converted / len(files) >= 0.95


def test_a_tests_entry_needs_a_page_or_a_url():
    """A case without a stored page names the URL whose archived capture it uses."""
    text = "version: 1\nmatch: {hosts: [a.com]}\ntests:\n  - keeps: [x]\n"
    _, problems = load_rule_text(text, "a.com.yaml")
    assert [str(p) for p in problems] == [
        "a.com.yaml:4:5: error: tests entry needs 'page' (or 'url' to use the archived capture)"
    ]
