"""Formulas (MathML) are kept as HTML text: the reading document holds no foreign markup."""

from __future__ import annotations

import sys

from lxml import etree

from cleaner import clean
from cleaner.mathml import MAX_DEPTH, linearize
from tests.safety import find_hazards

PROSE = (
    "The quadratic formula gives both roots of any second-degree polynomial equation, and "
    "students meet it early because it always works when the leading coefficient is not zero."
)
QUADRATIC = (
    "<math display='block'><mi>x</mi><mo>=</mo><mfrac><mrow><mo>−</mo><mi>b</mi><mo>±</mo>"
    "<msqrt><msup><mi>b</mi><mn>2</mn></msup><mo>−</mo><mn>4</mn><mi>a</mi><mi>c</mi></msqrt>"
    "</mrow><mrow><mn>2</mn><mi>a</mi></mrow></mfrac></math>"
)


def _formula(mathml: str) -> str:
    """The HTML that ``linearize`` writes for one formula."""
    root = etree.fromstring(f"<div><p>{mathml}</p></div>", etree.HTMLParser(huge_tree=True))
    div = root.find(".//div")
    assert linearize(div) == 1
    span = div.find(".//span")
    return etree.tostring(span, encoding="unicode", with_tail=False)


def test_a_mathjax_formula_stays_as_html_text_without_mathml() -> None:
    """MathJax draws a formula with glyph boxes hidden from assistive technology and keeps
    the MathML beside them, in a container whose class names a menu: the formula stays
    in the article, written as HTML (sub/superscripts, brackets), and the document holds
    no MathML element, which the archive's safety checks refuse."""
    container = (
        "<mjx-container class='MathJax CtxtMenu_Attached_0' jax='CHTML' display='true'>"
        "<mjx-math aria-hidden='true'><mjx-mi><mjx-c class='mjx-c1D465'></mjx-c></mjx-mi>"
        f"</mjx-math><mjx-assistive-mml display='block'>{QUADRATIC}</mjx-assistive-mml>"
        "</mjx-container>"
    )
    r = clean(
        f"<html><body><article><p>{PROSE}</p>{container}<p>{PROSE} Again.</p></article>"
        "</body></html>",
        url="https://example.test/math",
    )
    assert "x = (− b ± √(b2 − 4 a c)) / (2 a)" in r.text
    assert "b<sup>2</sup>" in r.content_html
    assert "<math" not in r.html and "<mi" not in r.html
    assert find_hazards(r.html) == []
    assert clean(r.html, url="https://example.test/math").text == r.text


def test_formula_layouts_are_written_on_one_line() -> None:
    """Fractions bracket their parts unless each is one token, roots say √, scripts are
    sub/sup, table rows are apart; annotations (a TeX source), phantoms and a semantics
    element's alternatives are not shown."""
    assert _formula("<math><mfrac><mi>a</mi><mi>b</mi></mfrac></math>") == (
        '<span class="math">a / b</span>'
    )
    tex = (
        "<math><semantics><mrow><msubsup><mi>x</mi><mi>i</mi><mn>2</mn></msubsup>"
        "<mphantom><mi>z</mi></mphantom></mrow>"
        "<annotation encoding='application/x-tex'>x_i^2</annotation></semantics></math>"
    )
    assert _formula(tex) == '<span class="math">x<sub>i</sub><sup>2</sup></span>'
    table = (
        "<math><mtable><mtr><mtd><mi>a</mi></mtd><mtd><mi>b</mi></mtd></mtr>"
        "<mtr><mtd><mi>c</mi></mtd><mtd><mi>d</mi></mtd></mtr></mtable></math>"
    )
    assert _formula(table) == '<span class="math">a b; c d</span>'
    bracketed = (
        "<math><mfrac><mn>1</mn><mrow><mo>(</mo><mn>1</mn><mo>−</mo><mi>q</mi><mo>)</mo>"
        "<mo>(</mo><mn>1</mn><mo>+</mo><mi>q</mi><mo>)</mo></mrow></mfrac>"
        "<mo>+</mo><mroot><mi>y</mi><mn>3</mn></mroot></math>"
    )
    assert _formula(bracketed) == (
        '<span class="math">1 / ((1 − q) (1 + q)) + <sup>3</sup>√(y)</span>'
    )


def test_a_formula_nested_past_the_limit_is_written_as_its_text() -> None:
    """A pathological formula (rows inside rows, deeper than Python's recursion limit) is
    written as its plain text past ``MAX_DEPTH`` instead of exhausting the stack."""
    levels = 1500
    assert levels > sys.getrecursionlimit() > MAX_DEPTH
    deep = "<mrow>" * levels + "<mi>z</mi>" + "</mrow>" * levels
    assert _formula(f"<math><mi>y</mi><mo>=</mo>{deep}</math>") == (
        '<span class="math">y = z</span>'
    )
    fraction = f"<math><mfrac>{deep}<mn>2</mn></mfrac></math>"
    assert _formula(fraction) == '<span class="math">z / 2</span>'


def test_a_formulas_picture_beside_its_hidden_mathml_stays() -> None:
    """MediaWiki draws a formula as an image (hidden from screen readers) beside a MathML
    copy it hides from the eye: the image, what the reader sees, stays; the hidden copy
    goes with the other hidden elements, so the formula is not there twice."""
    formula = (
        "<span class='mwe-math-element'><span class='mwe-math-mathml-inline' "
        "style='display: none;'><math><mi>a</mi><mo>=</mo><mi>b</mi></math></span>"
        "<img src='https://wikimedia.example.test/math/render/svg/abc' aria-hidden='true' "
        "class='mwe-math-fallback-image-inline' alt='a=b'></span>"
    )
    r = clean(
        f"<html><body><article><p>{PROSE}</p><p>Here {formula} holds.</p><p>{PROSE} Again."
        "</p></article></body></html>",
        url="https://example.test/wiki/Equality",
    )
    assert r.images == ["https://wikimedia.example.test/math/render/svg/abc"]
    assert (
        '<p>Here <span><img src="https://wikimedia.example.test/math/render/svg/abc" '
        'alt="a=b"></span> holds.</p>'
    ) in r.content_html
    # An image hidden from screen readers with no formula beside it stays hidden.
    icon = "<img src='https://img.example.test/icon.png' aria-hidden='true' alt='icon'>"
    plain = clean(
        f"<html><body><article><p>{PROSE}</p><p>Here {icon} holds.</p><p>{PROSE} Again."
        "</p></article></body></html>",
        url="https://example.test/wiki/Equality",
    )
    assert plain.images == []
