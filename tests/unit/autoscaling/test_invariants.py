"""Safety invariants with Hypothesis: valid step sets cover every breach exactly once on their
range; a decision never leaves [min, max]; scale-in never happens during a deployment."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from dockyard.domain.autoscaling import (
    ScalableTarget,
    ScalingPolicy,
    ScalingState,
    StepAdjustment,
    StepScalingConfig,
)
from dockyard.domain.autoscaling_math import select_step, validate_steps
from dockyard.domain.autoscaling_plan import ServiceCounts, plan_policy

T0 = datetime(2026, 1, 1, tzinfo=UTC)


@st.composite
def step_sets(draw: st.DrawFn) -> list[StepAdjustment]:
    """Contiguous steps over sorted cut points, open at the ends that need it."""
    cuts = sorted(draw(st.sets(st.integers(-50, 50), min_size=1, max_size=6)))
    bounds: list[float | None] = [None, *map(float, cuts), None]
    if cuts[0] >= 0 and draw(st.booleans()):
        bounds = bounds[1:]
    if cuts[-1] <= 0 and len(bounds) > 2 and draw(st.booleans()):
        bounds = bounds[:-1]
    steps = [
        StepAdjustment(lo, hi, draw(st.integers(-5, 5))) for lo, hi in itertools.pairwise(bounds)
    ]
    return draw(st.permutations(steps))


@given(step_sets(), st.floats(-100, 100, allow_nan=False))
def test_valid_steps_match_at_most_one_and_cover_their_range(
    steps: list[StepAdjustment], breach: float
) -> None:
    validate_steps(steps)
    lows = [s.lower for s in steps]
    highs = [s.upper for s in steps]
    low = None if None in lows else min(x for x in lows if x is not None)
    high = None if None in highs else max(x for x in highs if x is not None)
    matches = [s for s in steps if select_step([s], breach) is not None]
    assert len(matches) <= 1
    inside = (low is None or breach > low) and (high is None or breach < high)
    if inside:
        assert select_step(steps, breach) is not None


@given(
    adjustment=st.integers(-20, 20),
    kind=st.sampled_from(["ChangeInCapacity", "PercentChangeInCapacity", "ExactCapacity"]),
    bounds=st.tuples(st.integers(0, 10), st.integers(0, 30)).filter(lambda b: b[0] <= b[1]),
    running=st.integers(0, 40),
    desired=st.integers(0, 40),
    deploying=st.booleans(),
    since=st.integers(0, 1000),
)
def test_decisions_stay_in_bounds(
    adjustment: int,
    kind: str,
    bounds: tuple[int, int],
    running: int,
    desired: int,
    deploying: bool,
    since: int,
) -> None:
    policy = ScalingPolicy(
        "r",
        "service/c/s",
        "p",
        "arn:p",
        "StepScaling",
        T0,
        step=StepScalingConfig(
            kind, (StepAdjustment(None, 0, adjustment), StepAdjustment(0, None, adjustment))
        ),
    )
    target = ScalableTarget(
        "r",
        "service/c/s",
        bounds[0],
        bounds[1],
        "arn:t",
        T0,
        state=ScalingState(last_scale_out_at=T0 - timedelta(seconds=since), scale_out_added=1),
    )
    decision = plan_policy(
        policy,
        target,
        alarm_name="a",
        metric=60,
        threshold=50,
        counts=ServiceCounts(desired, running, deploying),
        now=T0,
    )
    if decision.capacity is not None:
        assert bounds[0] <= decision.capacity <= bounds[1]
        assert decision.capacity != desired
        if kind == "ChangeInCapacity" and adjustment > 0:
            assert decision.capacity > desired
        if deploying:
            assert decision.capacity > desired or desired > bounds[1]
