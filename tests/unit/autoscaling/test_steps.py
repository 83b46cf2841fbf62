"""Step scaling: bound validation, step selection, percent rounding, MinAdjustmentMagnitude."""

from __future__ import annotations

import pytest

from dockyard.domain.autoscaling import AutoScalingValidationException, StepAdjustment
from dockyard.domain.autoscaling_math import (
    apply_adjustment,
    percent_change,
    select_step,
    validate_steps,
)

S = StepAdjustment
ABOVE = [S(0, 10, 1), S(10, 20, 2), S(20, None, 3)]
BELOW = [S(None, -20, -3), S(-20, -10, -2), S(-10, 0, -1)]
BOTH = [S(None, -10, -2), S(-10, 0, -1), S(0, 10, 1), S(10, None, 2)]


@pytest.mark.parametrize(
    ("steps", "message"),
    [
        pytest.param([], "at least one", id="empty"),
        pytest.param([S(None, None, 1)], "cannot be null", id="both-null"),
        pytest.param([S(5, 5, 1), S(5, None, 1)], "above its lower", id="empty-interval"),
        pytest.param([S(None, 0, 1), S(None, -5, 1)], "null lower", id="two-null-lower"),
        pytest.param([S(0, None, 1), S(5, None, 1)], "null upper", id="two-null-upper"),
        pytest.param([S(0, 10, 1), S(20, None, 2)], "gaps", id="gap"),
        pytest.param([S(0, 15, 1), S(10, None, 2)], "gaps", id="overlap"),
        pytest.param([S(-10, 0, -1)], "negative lower", id="negative-lower-without-null"),
        pytest.param([S(0, 10, 1)], "positive upper", id="positive-upper-without-null"),
        pytest.param(
            [S(i, i + 1, 1) for i in range(20)] + [S(20, None, 1)], "at most 20", id="21-steps"
        ),
    ],
)
def test_invalid_steps(steps: list[StepAdjustment], message: str) -> None:
    with pytest.raises(AutoScalingValidationException, match=message):
        validate_steps(steps)


@pytest.mark.parametrize(
    "steps",
    [
        pytest.param(ABOVE, id="above"),
        pytest.param(BELOW, id="below"),
        pytest.param(BOTH, id="both-sides"),
        pytest.param([S(0, None, 1)], id="single-open"),
        pytest.param([S(None, 0, -1)], id="single-open-below"),
        pytest.param(list(reversed(ABOVE)), id="any-order"),
    ],
)
def test_valid_steps(steps: list[StepAdjustment]) -> None:
    validate_steps(steps)


@pytest.mark.parametrize(
    ("steps", "breach", "expected"),
    [
        pytest.param(ABOVE, 0, 1, id="above-lower-inclusive"),
        pytest.param(ABOVE, 9.99, 1, id="above-inside"),
        pytest.param(ABOVE, 10, 2, id="above-upper-exclusive"),
        pytest.param(ABOVE, 1000, 3, id="above-open-end"),
        pytest.param(ABOVE, -1, None, id="above-nothing-below"),
        pytest.param(BELOW, 0, None, id="below-zero-is-not-a-breach"),
        pytest.param(BELOW, -5, -1, id="below-inside"),
        pytest.param(BELOW, -10, -2, id="below-upper-inclusive"),
        pytest.param(BELOW, -9.99, -1, id="below-lower-exclusive"),
        pytest.param(BELOW, -20, -3, id="below-boundary-20"),
        pytest.param(BELOW, -500, -3, id="below-open-end"),
        pytest.param(BOTH, 0, 1, id="both-zero-goes-above"),
        pytest.param(BOTH, -0.5, -1, id="both-just-below"),
    ],
)
def test_select_step(steps: list[StepAdjustment], breach: float, expected: int | None) -> None:
    step = select_step(steps, breach)
    assert (step.adjustment if step else None) == expected


@pytest.mark.parametrize(
    ("capacity", "percent", "change"),
    [
        pytest.param(10, 10, 1, id="exact-1"),
        pytest.param(11, 30, 3, id="3.3-rounds-down"),
        pytest.param(10, 5, 1, id="0.5-becomes-1"),
        pytest.param(10, -5, -1, id="-0.5-becomes--1"),
        pytest.param(10, -25, -2, id="-2.5-toward-zero"),
        pytest.param(10, 200, 20, id="+200%"),
        pytest.param(0, 50, 0, id="zero-capacity"),
        pytest.param(3, 50, 1, id="1.5-down"),
    ],
)
def test_percent_rounding(capacity: int, percent: int, change: int) -> None:
    assert percent_change(capacity, percent) == change


def test_aws_worked_example() -> None:
    """Capacity 10, threshold 50, +10 % for [60,70), +30 % for ≥ 70 ⇒ 11, then 14."""
    steps = [S(0, 10, 0), S(10, 20, 10), S(20, None, 30)]
    validate_steps(steps)
    first = select_step(steps, 60 - 50)
    assert first is not None
    capacity = apply_adjustment(10, "PercentChangeInCapacity", first.adjustment)
    assert capacity == 11
    second = select_step(steps, 70 - 50)
    assert second is not None
    assert apply_adjustment(capacity, "PercentChangeInCapacity", second.adjustment) == 14


@pytest.mark.parametrize(
    ("kind", "adjustment", "magnitude", "expected"),
    [
        pytest.param("ChangeInCapacity", 3, None, 13, id="change"),
        pytest.param("ChangeInCapacity", -4, None, 6, id="change-negative"),
        pytest.param("ExactCapacity", 4, None, 4, id="exact"),
        pytest.param("PercentChangeInCapacity", 10, 3, 13, id="min-magnitude-raises"),
        pytest.param("PercentChangeInCapacity", -10, 3, 7, id="min-magnitude-negative"),
        pytest.param("PercentChangeInCapacity", 50, 3, 15, id="min-magnitude-not-needed"),
    ],
)
def test_apply_adjustment(kind: str, adjustment: int, magnitude: int | None, expected: int) -> None:
    assert apply_adjustment(10, kind, adjustment, min_magnitude=magnitude) == expected
