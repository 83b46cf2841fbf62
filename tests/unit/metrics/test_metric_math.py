"""Statistics over periods, percentiles and metric math (pure)."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.metrics import (
    MetricError,
    Point,
    aggregate,
    dimensions_key,
    evaluate_expression,
    percentile,
)

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def at(seconds: int) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_points_fall_into_period_buckets_from_the_start() -> None:
    points = [Point(at(1), 10, 1, 10, 10), Point(at(9), 30, 1, 30, 30), Point(at(10), 300, 3, 50, 150)]
    first, second = aggregate(points, T0, 10)
    assert (first.timestamp, first.sample_count, first.sum, first.average) == (T0, 2, 40, 20)
    assert (second.timestamp, second.minimum, second.maximum, second.average) == (at(10), 50, 150, 100)
    assert second.statistic("SampleCount") == 3


@pytest.mark.parametrize(("values", "p", "expected"), [
    ([1, 2, 3, 4], 50, 2), ([1, 2, 3, 4], 99, 4), ([5], 90, 5), ([10, 20, 30, 40, 50], 80, 40),
])
def test_nearest_rank_percentiles(values: list[float], p: float, expected: float) -> None:
    assert percentile(values, p) == expected


def test_percentile_of_nothing_is_nan() -> None:
    assert math.isnan(percentile([], 50))


def test_expressions_combine_series_at_common_timestamps() -> None:
    series = {"a": {at(0): 30.0, at(60): 10.0}, "b": {at(0): 10.0, at(60): 10.0, at(120): 5.0}}
    assert evaluate_expression("100 * a / (a + b)", series) == {at(0): 75.0, at(60): 50.0}
    assert evaluate_expression("SUM([a, b])", series) == {at(0): 40.0, at(60): 20.0}
    assert evaluate_expression("MAX(b) - 1", series) == {at(0): 9.0, at(60): 9.0, at(120): 4.0}
    assert evaluate_expression("a / 0", series) == {}


@pytest.mark.parametrize("expression", ["a +", "__import__('os')", "a ** 2", "c + 1"])
def test_bad_expressions_are_refused(expression: str) -> None:
    with pytest.raises(MetricError):
        evaluate_expression(expression, {"a": {T0: 1.0}})


def test_dimension_keys_ignore_order() -> None:
    assert dimensions_key([("b", "2"), ("a", "1")]) == dimensions_key([("a", "1"), ("b", "2")]) == "a=1|b=2"
