"""Rule files: validation reports every problem at once, located as path:line:col."""

from __future__ import annotations

import textwrap
import time

import pytest

from cleaner.schema import load_rule_text

GOOD = textwrap.dedent("""\
    version: 1
    name: Example
    match:
      hosts: [example.com, "*.example.com"]
      paths: ["^/news/"]
    content: "div.article-body"
    title: "h1"
    byline: {css: ".author"}
    date: {xpath: "//time"}
    remove:
      - ".font-size-tools"
      - {css: ".share-box", reason: social share bar}
      - {xpath: "//div[@id='x']"}
    remove_text:
      - "Advertisement"
      - {text: "Baca Juga", reason: read-also label}
      - {regex: "^Follow WhatsApp Channel .*$", reason: follow widget}
    unwrap: ["span.wrapper"]
    strip_attrs: ["style", "data-*"]
    replace:
      - {find: "<p>&nbsp;</p>", with: ""}
      - {regex: "<br ?/?>\\\\s*<br ?/?>", with: "<p>"}
    keep: [".caption"]
    next_page: "a.next"
    generic: false
    tests:
      - page: ../tests/sites/example.com/a/source.html
        url: https://example.com/news/a
        keeps: ["first paragraph"]
        drops: ["Advertisement"]
    """)


def errors(text: str, path: str = "rules/x.yaml", defaults: bool = False) -> list[str]:
    """The problems of a rule text, rendered as strings."""
    rule, problems = load_rule_text(text, path, is_defaults=defaults)
    assert (rule is None) == bool(problems)
    return [str(p) for p in problems]


def test_valid_rule_compiles_every_key():
    """A rule using every key loads with no problems and keeps each value."""
    rule, problems = load_rule_text(GOOD, "rules/example.com.yaml")
    assert problems == []
    assert rule is not None
    assert rule.id == "example.com"
    assert rule.hosts == ("example.com", "*.example.com")
    assert rule.content is not None and rule.content.expr == "div.article-body"
    assert set(rule.fields) == {"title", "byline", "date"}
    assert [s.kind for s in rule.remove] == ["css", "css", "xpath"]
    assert rule.remove[1].reason == "social share bar"
    assert [m.kind for m in rule.remove_text] == ["text", "text", "regex"]
    assert rule.strip_attrs == ("style", "data-*")
    assert len(rule.replace) == 2 and rule.generic is False
    assert rule.tests[0].keeps == ("first paragraph",)


def test_broken_file_reports_all_problems_at_once_with_locations():
    """Every problem of a broken file is reported, each as path:line:col: error: message."""
    text = textwrap.dedent("""\
        version: 2
        match:
          hosts: [okezone.com, "bad host"]
          pths: ["^/read/"]
        content: "div["
        remove:
          - #sidebar
          - {css: "body", reason: r}
          - {xpath: "count(//p)"}
        remove_text:
          - {regex: "(a+)+$"}
          - 5
        generic: "yes"
        strp_attrs: [style]
        """)
    assert errors(text) == [
        "rules/x.yaml:1:10: error: unsupported version 2: this cleaner reads version 1",
        "rules/x.yaml:3:24: error: 'bad host' is not a host name "
        "(use 'example.com' or '*.example.com')",
        "rules/x.yaml:4:3: error: unknown key 'pths' in match (did you mean 'paths'?)",
        "rules/x.yaml:5:10: error: invalid CSS selector 'div[': Expected ident or '*', "
        "got <EOF at 4>",
        "rules/x.yaml:7:4: error: remove entry must be a string, not null "
        "(an unquoted '#' starts a YAML comment: quote the selector)",
        "rules/x.yaml:8:11: error: selector 'body' would match <body>: the whole page",
        "rules/x.yaml:9:13: error: xpath 'count(//p)' must select elements, not text or numbers",
        "rules/x.yaml:11:13: error: regex '(a+)+$' nests a repeat inside a repeat, which can "
        "backtrack catastrophically; rewrite it without the nested quantifier",
        "rules/x.yaml:12:5: error: remove_text entry text must be a string, not an integer",
        "rules/x.yaml:13:10: error: generic must be true or false, not a string",
        "rules/x.yaml:14:1: error: unknown key 'strp_attrs' in the rule file "
        "(did you mean 'strip_attrs'?)",
    ]


@pytest.mark.parametrize(
    "selector", ["html", "body", "body.home", "div, body", "*", ":not(p)", "html > body"]
)
def test_selector_matching_the_whole_page_is_refused(selector):
    """A remove selector that would match <html> or <body> is an error at load time."""
    text = f'version: 1\nmatch: {{hosts: [a.com]}}\nremove: ["{selector}"]\n'
    (problem,) = errors(text)
    assert problem.startswith("rules/x.yaml:3:10: error: ")
    assert "the whole page" in problem


def test_xpath_matching_body_is_refused():
    """An XPath that selects <body> is refused like a CSS one."""
    text = 'version: 1\nmatch: {hosts: [a.com]}\nremove: [{xpath: "//body"}]\n'
    assert errors(text) == [
        "rules/x.yaml:3:18: error: xpath selector '//body' would match <body>: the whole page"
    ]


def test_yaml_syntax_error_is_located():
    """A YAML syntax error names the line and column where parsing stopped."""
    (problem,) = errors("version: 1\nmatch: {hosts: [a.com]\nremove: [x]\n")
    assert problem.startswith("rules/x.yaml:3:")
    assert "YAML syntax error" in problem


def test_tab_indentation_is_explained():
    """Tabs in indentation get a YAML error that says tabs are not allowed."""
    (problem,) = errors("version: 1\nmatch:\n\thosts: [a.com]\n")
    assert problem.startswith("rules/x.yaml:3:1: error: YAML syntax error")
    assert "tabs" in problem


def test_python_object_tag_is_refused():
    """Tags outside YAML's core schema (code execution gadgets) are refused."""
    (problem,) = errors(
        "version: 1\nmatch: {hosts: [a.com]}\nname: !!python/object/apply:os.system ['true']\n"
    )
    assert problem == (
        "rules/x.yaml:3:7: error: tag 'tag:yaml.org,2002:python/object/apply:"
        "os.system' is not allowed in rule files"
    )


def test_alias_bomb_is_refused_fast():
    """A billion-laughs alias bomb is refused in well under a second."""
    lines = ["version: 1", "match: {hosts: [a.com]}", 'a: &a ["lol","lol","lol","lol"]']
    for i in range(1, 12):
        prev = chr(ord("a") + i - 1)
        cur = chr(ord("a") + i)
        lines.append(f"{cur}: &{cur} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    problems = errors("\n".join(lines) + "\n")
    assert time.perf_counter() - start < 1.0
    assert problems[0] == "rules/x.yaml:3:4: error: anchors (&name) are not allowed in rule files"


def test_bom_is_accepted():
    """A UTF-8 byte-order mark at the start of the file is ignored."""
    rule, problems = load_rule_text("\ufeffversion: 1\nmatch: {hosts: [a.com]}\n", "r/a.com.yaml")
    assert problems == [] and rule is not None and rule.hosts == ("a.com",)


def test_missing_version_and_match_are_reported():
    """A site rule needs version and match.hosts."""
    assert errors("name: x\n") == [
        "rules/x.yaml:1:1: error: missing required key 'version' (use version: 1)",
        "rules/x.yaml:1:1: error: missing required key 'match' (with 'hosts')",
    ]


def test_defaults_file_needs_no_match():
    """_defaults.yaml applies everywhere, so it has no match block."""
    assert errors("version: 1\nremove: ['.ad']\n", "rules/_defaults.yaml", defaults=True) == []


def test_duplicate_key_is_reported():
    """A key given twice is an error, not a silent override."""
    assert errors("version: 1\nmatch: {hosts: [a.com]}\ncontent: p\ncontent: div\n") == [
        "rules/x.yaml:4:1: error: duplicate key 'content' in the rule file"
    ]


def test_selector_entry_needs_exactly_one_kind():
    """A selector mapping must give css or xpath, not both or neither."""
    assert errors("version: 1\nmatch: {hosts: [a.com]}\nremove: [{reason: x}]\n") == [
        "rules/x.yaml:3:10: error: remove entry needs exactly one of 'css' or 'xpath'"
    ]
