"""Tests of the extraction metric in bench/metric.py, on hand-computed examples."""

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.metric import aggregate, page_counts, page_f1, page_scores, shingles, tokens


def test_tokens_are_unicode_word_runs() -> None:
    """Punctuation splits tokens; accented and non-Latin letters stay inside them."""
    assert tokens("Hello, world! It's 2023.") == ["Hello", "world", "It", "s", "2023"]
    assert tokens("Berita naïve 東京_x") == ["Berita", "naïve", "東京_x"]
    assert tokens(" \n ") == []


def test_text_below_four_tokens_has_no_shingles() -> None:
    """Three tokens make no shingle; four make one; five make two."""
    assert shingles("a b c") == Counter()
    assert shingles("a b c d") == Counter({("a", "b", "c", "d"): 1})
    assert shingles("a b c d e") == Counter({("a", "b", "c", "d"): 1, ("b", "c", "d", "e"): 1})


def test_shingles_count_repeats() -> None:
    """Six equal tokens make the same shingle three times."""
    assert shingles("x x x x x x") == Counter({("x", "x", "x", "x"): 3})


def test_perfect_match() -> None:
    """Identical texts score 1 and 1, whatever their punctuation and spacing."""
    assert page_counts("one two three four five", "one, two\nthree four five") == (2, 0, 0)
    assert page_scores("one two three four five", "one, two\nthree four five") == (1.0, 1.0)


def test_disjoint_texts() -> None:
    """No shared shingle: TP 0, precision 0, recall 0."""
    assert page_counts("a b c d", "e f g h") == (0, 1, 1)
    assert page_scores("a b c d", "e f g h") == (0.0, 0.0)


def test_partial_overlap() -> None:
    """abcd, bcde shared; cdef extra; cdez, dezw missing: P = 2/3, R = 2/4."""
    assert page_counts("a b c d e f", "a b c d e z w") == (2, 1, 2)
    assert page_scores("a b c d e f", "a b c d e z w") == (2 / 3, 0.5)


def test_shared_shingles_count_with_multiplicity() -> None:
    """Three predicted copies against two true copies: TP 2, FP 1, FN 0."""
    assert page_counts("x x x x x x", "x x x x x") == (2, 1, 0)
    assert page_scores("x x x x x x", "x x x x x") == (2 / 3, 1.0)
    assert page_scores("x x x x x", "x x x x x x") == (1.0, 2 / 3)


def test_short_texts() -> None:
    """Short equal texts have FP = FN = 0 and score 1; a short prediction is skipped for P."""
    assert page_scores("a b c", "a b c") == (1.0, 1.0)
    assert page_scores("a b c", "x y") == (1.0, 1.0)
    assert page_scores("a b c", "a b c d e") == (None, 0.0)


def test_empty_prediction_and_empty_truth() -> None:
    """Empty prediction: recall 0, precision skipped; empty truth: the reverse; both: 1, 1."""
    assert page_scores("", "a b c d e") == (None, 0.0)
    assert page_scores("a b c d", "") == (0.0, None)
    assert page_scores("", "") == (1.0, 1.0)


def test_page_f1_counts_a_skipped_side_as_zero() -> None:
    """Page F1 is the harmonic mean of the page's P and R, None counting as 0."""
    assert page_f1((2 / 3, 0.5)) == 2 * (2 / 3) * 0.5 / (2 / 3 + 0.5)
    assert page_f1((None, 0.0)) == 0.0
    assert page_f1((1.0, 1.0)) == 1.0


def test_aggregate_is_harmonic_mean_of_means() -> None:
    """P = mean(1, 0.5) = 0.75, R = mean(0.5, 0) = 0.25, F1 = 2*0.75*0.25/1 = 0.375."""
    assert aggregate([(1.0, 0.5), (0.5, None), (None, 0.0)]) == {
        "precision": 0.75,
        "recall": 0.25,
        "f1": 0.375,
        "pages": 3,
    }


def test_aggregate_of_pages_scored_from_text() -> None:
    """Perfect page plus empty prediction: P = 1 (one page), R = 0.5, F1 = 2/3."""
    pages = [page_scores("a b c d e", "a b c d e"), page_scores("", "a b c d e")]
    assert aggregate(pages) == {"precision": 1.0, "recall": 0.5, "f1": 2 / 3, "pages": 2}


def test_aggregate_of_nothing_is_zero() -> None:
    """A mean over no pages is 0, and so is F1."""
    assert aggregate([]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "pages": 0}
    assert aggregate([(None, 0.0)]) == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "pages": 1}
