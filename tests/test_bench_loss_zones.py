"""Tests of bench/loss_zones.py: where the false-positive shingles of a page stand."""

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import loss_zones
from bench.metric import page_scores

TRUTH = "the council voted on tuesday to extend the library hours\nit will review the budget"


def test_zones_split_false_positives_by_position_and_add_up_to_the_precision_loss() -> None:
    """Lines before the first true line are lead, after the last one tail, between them
    interior; a true shingle printed twice is a repeat; the four add up to 1 - precision."""
    lead = "share this story on social media now"
    inner = "advertisement slot number one here"
    tail = "related posts you might also like"
    first, second = TRUTH.split("\n")
    pred = "\n".join([lead, first, inner, second, first, tail])
    zones = loss_zones.page_zones(pred, TRUTH)
    assert zones is not None
    assert zones["lead"] > 0 and zones["interior"] > 0 and zones["tail"] > 0
    assert zones["repeat"] > 0
    precision, _ = page_scores(pred, TRUTH)
    assert precision is not None
    assert sum(zones.values()) == pytest.approx(1 - precision)


def test_a_page_the_metric_skips_is_skipped_and_an_exact_page_loses_nothing() -> None:
    """No output for a real truth is left out (as the metric does); the truth itself loses
    nothing in any zone."""
    assert loss_zones.page_zones("", TRUTH) is None
    assert loss_zones.page_zones("", "") == dict.fromkeys(loss_zones.ZONES, 0.0)
    assert loss_zones.page_zones(TRUTH, TRUTH) == dict.fromkeys(loss_zones.ZONES, 0.0)
