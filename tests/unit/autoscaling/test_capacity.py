"""Target-tracking capacity, cooldowns and conflict resolution between policies."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.autoscaling_math import (
    Proposal,
    cooldown_decision,
    resolve,
    target_tracking_capacity,
)

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@pytest.mark.parametrize(
    ("current", "metric", "target", "expected"),
    [
        pytest.param(4, 100, 50, 8, id="double-load-doubles"),
        pytest.param(10, 50.1, 50, 11, id="just-above-adds-one"),
        pytest.param(10, 75, 50, 15, id="proportional-out"),
        pytest.param(3, 70, 60, 4, id="3.5-rounds-up"),
        pytest.param(10, 40, 50, 8, id="proportional-in"),
        pytest.param(10, 46, 50, 10, id="in-rounds-up-no-change"),
        pytest.param(10, 44, 50, 9, id="in-8.8-to-9"),
        pytest.param(0, 5, 50, 1, id="from-zero-one-datapoint"),
        pytest.param(0, 0, 50, 0, id="from-zero-no-load"),
        pytest.param(5, 50, 50, 5, id="on-target"),
    ],
)
def test_target_tracking_capacity(
    current: int, metric: float, target: float, expected: int
) -> None:
    assert target_tracking_capacity(current, metric, target) == expected


def _decide(
    direction: int,
    *,
    out_at: datetime | None = None,
    in_at: datetime | None = None,
    added: int = 0,
    now: datetime = T0,
):
    return cooldown_decision(
        direction=direction,
        now=now,
        last_scale_out_at=out_at,
        last_scale_in_at=in_at,
        scale_out_added=added,
        scale_out_cooldown=300,
        scale_in_cooldown=300,
    )


@pytest.mark.parametrize(
    ("direction", "kwargs", "allowed", "already"),
    [
        pytest.param(1, {}, True, 0, id="out-no-history"),
        pytest.param(-1, {}, True, 0, id="in-no-history"),
        pytest.param(
            1,
            {"out_at": T0 - timedelta(seconds=100), "added": 2},
            True,
            2,
            id="out-in-out-cooldown-counts-added",
        ),
        pytest.param(
            1, {"out_at": T0 - timedelta(seconds=300), "added": 2}, True, 0, id="out-after-cooldown"
        ),
        pytest.param(
            -1, {"in_at": T0 - timedelta(seconds=299)}, False, 0, id="in-blocked-by-in-cooldown"
        ),
        pytest.param(
            -1, {"in_at": T0 - timedelta(seconds=300)}, True, 0, id="in-after-in-cooldown"
        ),
        pytest.param(
            -1, {"out_at": T0 - timedelta(seconds=10)}, False, 0, id="in-blocked-by-out-cooldown"
        ),
        pytest.param(
            1, {"in_at": T0 - timedelta(seconds=10)}, True, 0, id="out-ignores-in-cooldown"
        ),
    ],
)
def test_cooldown(direction: int, kwargs: dict, allowed: bool, already: int) -> None:
    gate = _decide(direction, **kwargs)
    assert (gate.allowed, gate.already_added) == (allowed, already)


@pytest.mark.parametrize(
    ("current", "proposals", "expected"),
    [
        pytest.param(
            10, [("step", 13, False), ("pct", 30, False)], 30, id="aws-example-largest-wins"
        ),
        pytest.param(10, [("a", 8, True), ("b", 12, True)], 12, id="any-out-wins"),
        pytest.param(10, [("a", 8, True), ("b", 10, True)], None, id="in-needs-all"),
        pytest.param(10, [("a", 8, True), ("b", 7, True)], 8, id="all-in-most-conservative"),
        pytest.param(10, [("a", 50, False)], 40, id="clamped-to-max"),
        pytest.param(10, [("a", 0, False)], 2, id="clamped-to-min"),
        pytest.param(10, [], None, id="nothing"),
    ],
)
def test_resolve(
    current: int, proposals: list[tuple[str, int, bool]], expected: int | None
) -> None:
    assert resolve(current, [Proposal(*p) for p in proposals], 2, 40) == expected
