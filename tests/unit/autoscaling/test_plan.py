"""Planning one trigger: ECS interplay (running count, deployments, suspension), cooldowns,
target-tracking votes, scheduled bounds and the target-tracking alarm specs."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.autoscaling import (
    AutoScalingValidationException,
    ScalableTarget,
    ScalingPolicy,
    ScalingState,
    ScheduledAction,
    StepAdjustment,
    StepScalingConfig,
    SuspendedState,
    TargetTrackingConfig,
    check_name,
    check_policy_name,
    is_policy_arn,
)
from dockyard.domain.autoscaling_alarms import alarm_specs, predefined_metric
from dockyard.domain.autoscaling_plan import ServiceCounts, plan_policy, plan_schedule

T0 = datetime(2026, 1, 1, tzinfo=UTC)
RID = "service/c1/web"
TARGET = ScalableTarget("us-east-1", RID, 1, 20, "arn:t", T0)
CPU = predefined_metric("ECSServiceAverageCPUUtilization", None, "c1", "web")
TT = ScalingPolicy(
    "us-east-1",
    RID,
    "cpu",
    "arn:aws:autoscaling:r:a:scalingPolicy:u1:x",
    "TargetTrackingScaling",
    T0,
    target=TargetTrackingConfig(50.0, CPU),
)
STEP = ScalingPolicy(
    "us-east-1",
    RID,
    "step",
    "arn:p2",
    "StepScaling",
    T0,
    step=StepScalingConfig("ChangeInCapacity", (StepAdjustment(0, None, 2),), cooldown=60),
)
FOUR = ServiceCounts(4, 4)
HIGH = "TargetTracking-service/c1/web-AlarmHigh-u1"
LOW = "TargetTracking-service/c1/web-AlarmLow-u1"


def plan(
    policy=TT,
    target=TARGET,
    *,
    alarm=HIGH,
    metric=100.0,
    threshold=50.0,
    counts=FOUR,
    now=T0,
    votes=None,
):
    return plan_policy(
        policy,
        target,
        alarm_name=alarm,
        metric=metric,
        threshold=threshold,
        counts=counts,
        now=now,
        low_votes=votes,
    )


@pytest.mark.parametrize(
    ("kwargs", "capacity", "reason"),
    [
        pytest.param({}, 8, "scale-out", id="tt-out-doubles"),
        pytest.param({"counts": ServiceCounts(6, 4)}, 8, "scale-out", id="starts-from-running"),
        pytest.param(
            {"counts": ServiceCounts(4, 4, True)}, 8, "scale-out", id="out-during-deployment"
        ),
        pytest.param(
            {"alarm": LOW, "metric": 20.0, "votes": {"cpu": 2}}, 2, "scale-in", id="tt-in"
        ),
        pytest.param(
            {"alarm": LOW, "metric": 20.0, "votes": None}, None, "do not agree", id="tt-in-vetoed"
        ),
        pytest.param(
            {
                "alarm": LOW,
                "metric": 20.0,
                "votes": {"cpu": 2},
                "counts": ServiceCounts(4, 4, True),
            },
            None,
            "suspended",
            id="no-in-during-deployment",
        ),
        pytest.param(
            {"alarm": LOW, "metric": 20.0, "votes": {"cpu": 2, "mem": 3}},
            3,
            "scale-in",
            id="tt-in-most-conservative",
        ),
        pytest.param({"metric": 1000.0}, 20, "scale-out", id="clamped-to-max"),
        pytest.param(
            {"target": replace(TARGET, suspended=SuspendedState(dynamic_out=True))},
            None,
            "suspended",
            id="out-suspended",
        ),
        pytest.param({"policy": STEP, "metric": 55.0}, 6, "scale-out", id="step-change"),
        pytest.param({"policy": STEP, "metric": 45.0}, None, "no step", id="step-no-interval"),
        pytest.param(
            {"counts": ServiceCounts(0, 0), "target": replace(TARGET, min_capacity=3)},
            3,
            "scale-out",
            id="below-min-jumps-to-min",
        ),
    ],
)
def test_plan_policy(kwargs: dict, capacity: int | None, reason: str) -> None:
    decision = plan(**kwargs)
    assert decision.capacity == capacity
    assert reason in decision.reason


def test_scale_out_cooldown_counts_capacity_already_added() -> None:
    """Step +2 then, 30 s later (cooldown 60 s), +2 again: only the difference is added."""
    first = plan(STEP, metric=55.0)
    assert first.capacity == 6
    target = replace(TARGET, state=first.state)
    again = plan(
        STEP, target, metric=55.0, counts=ServiceCounts(6, 4), now=T0 + timedelta(seconds=30)
    )
    assert again.capacity is None
    later = plan(
        STEP, target, metric=55.0, counts=ServiceCounts(6, 6), now=T0 + timedelta(seconds=61)
    )
    assert later.capacity == 8


def test_scale_in_blocked_in_cooldown_then_allowed() -> None:
    target = replace(TARGET, state=ScalingState(last_scale_in_at=T0))
    args = {"alarm": LOW, "metric": 20.0, "votes": {"cpu": 2}}
    assert plan(target=target, now=T0 + timedelta(seconds=299), **args).capacity is None
    assert plan(target=target, now=T0 + timedelta(seconds=300), **args).capacity == 2


def test_scale_out_cancels_scale_in_cooldown() -> None:
    target = replace(TARGET, state=ScalingState(last_scale_in_at=T0))
    assert plan(target=target, now=T0 + timedelta(seconds=10)).capacity == 8


def _action(low: int | None, high: int | None) -> ScheduledAction:
    return ScheduledAction(
        "us-east-1", RID, "a", "arn:a", "rate(1 hour)", T0, min_capacity=low, max_capacity=high
    )


@pytest.mark.parametrize(
    ("low", "high", "desired", "expected"),
    [
        pytest.param(5, None, 2, (5, 20, 5), id="raise-min-scales-out"),
        pytest.param(None, 3, 10, (1, 3, 3), id="lower-max-scales-in"),
        pytest.param(2, 8, 5, (2, 8, None), id="inside-no-change"),
        pytest.param(30, None, 5, (30, 30, 30), id="min-above-max-drags-max"),
        pytest.param(None, 0, 5, (0, 0, 0), id="max-below-min-drags-min"),
    ],
)
def test_plan_schedule(low: int | None, high: int | None, desired: int, expected: tuple) -> None:
    out = plan_schedule(_action(low, high), TARGET, desired)
    assert (out.min_capacity, out.max_capacity, out.desired) == expected


@pytest.mark.parametrize(
    ("profile", "period", "high_points", "low_points"),
    [pytest.param("aws", 60, 3, 15, id="aws"), pytest.param("fast", 10, 3, 15, id="fast")],
)
def test_alarm_specs(profile: str, period: int, high_points: int, low_points: int) -> None:
    high, low = alarm_specs(TT, "u1", profile=profile)
    assert high.name == HIGH and low.name == LOW
    assert (high.namespace, high.metric_name, high.statistic) == (
        "AWS/ECS",
        "CPUUtilization",
        "Average",
    )
    assert high.dimensions == (("ClusterName", "c1"), ("ServiceName", "web"))
    assert (high.threshold, high.comparison, high.datapoints_to_alarm) == (
        50.0,
        "GreaterThanThreshold",
        high_points,
    )
    assert (low.threshold, low.comparison, low.evaluation_periods) == (
        45.0,
        "LessThanThreshold",
        low_points,
    )
    assert high.period == low.period == period
    assert high.alarm_actions == (TT.arn,)


def test_alarm_specs_without_scale_in() -> None:
    assert TT.target is not None
    policy = replace(TT, target=replace(TT.target, disable_scale_in=True))
    assert [s.name for s in alarm_specs(policy, "u1")] == [HIGH]


def test_alb_metric() -> None:
    label = "app/lb/123/targetgroup/tg/456"
    m = predefined_metric("ALBRequestCountPerTarget", label, "c1", "web")
    assert (m.namespace, m.name, m.statistic) == (
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        "Sum",
    )
    assert m.dimensions == (("TargetGroup", "targetgroup/tg/456"),)
    with pytest.raises(AutoScalingValidationException, match="ResourceLabel"):
        predefined_metric("ALBRequestCountPerTarget", None, "c1", "web")


@pytest.mark.parametrize(
    ("arn", "expected"),
    [
        pytest.param(
            "arn:aws:autoscaling:us-east-1:1:scalingPolicy:u:resource/ecs/service/c/s:policyName/p",
            True,
            id="policy",
        ),
        pytest.param("arn:aws:sns:us-east-1:1:topic", False, id="sns"),
        pytest.param(
            "arn:aws:autoscaling:us-east-1:1:scheduledAction:u:resource/ecs/service/c/s:scheduledActionName/a",
            False,
            id="scheduled",
        ),
    ],
)
def test_is_policy_arn(arn: str, expected: bool) -> None:
    assert is_policy_arn(arn) is expected


@pytest.mark.parametrize(
    ("name", "policy_ok", "action_ok"),
    [
        pytest.param("cpu50", True, True, id="plain"),
        pytest.param("team/cpu", True, False, id="slash"),
        pytest.param("a:b", True, False, id="colon"),
        pytest.param(" lead", True, False, id="edge-space"),
        pytest.param("bell\x07", False, False, id="control"),
        pytest.param("", False, False, id="empty"),
        pytest.param("x" * 257, False, False, id="too-long"),
    ],
)
def test_names(name: str, policy_ok: bool, action_ok: bool) -> None:
    for check, ok in (
        (check_policy_name, policy_ok),
        (lambda n: check_name("Scheduled action", n), action_ok),
    ):
        if ok:
            check(name)
        else:
            with pytest.raises(AutoScalingValidationException):
                check(name)
