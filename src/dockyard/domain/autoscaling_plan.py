"""What one alarm trigger or scheduled action should do to a scalable target (pure).

:func:`plan_policy` turns (policy, target, trigger, service counts, now) into a
:class:`ScalingDecision`; :func:`plan_schedule` does the same for a scheduled action. The
controller applies decisions; nothing here reads a clock or a store.

ECS rules applied (§9.1–9.3): scaling starts from the *running* count; scale-in is suspended
while a deployment is in progress; ``SuspendedState`` pauses each direction; cooldowns per
:func:`autoscaling_math.cooldown_decision`; the result is clamped into [min, max] (so a desired
count below min first jumps to min). Target-tracking scale-in needs every target-tracking
policy of the target (with scale-in enabled) to want it (``low_votes``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime

from dockyard.domain.autoscaling import (
    ScalableTarget,
    ScalingPolicy,
    ScalingState,
    ScheduledAction,
    clamp,
)
from dockyard.domain.autoscaling_alarms import is_high_alarm
from dockyard.domain.autoscaling_math import (
    Proposal,
    apply_adjustment,
    cooldown_decision,
    resolve,
    select_step,
    target_tracking_capacity,
)


@dataclass(frozen=True, slots=True)
class ServiceCounts:
    desired: int
    running: int
    deployment_in_progress: bool = False


@dataclass(frozen=True, slots=True)
class PolicyTrigger:
    """An alarm action naming a scaling policy ARN: the alarm, its new state and the breaching
    value (aggregated as the policy's MetricAggregationType) against the alarm's threshold."""

    policy_arn: str
    alarm_name: str
    alarm_state: str
    metric_value: float
    threshold: float
    at: datetime


@dataclass(frozen=True, slots=True)
class ScalingDecision:
    """``capacity`` None means "no change"; ``reason`` says why (for logs and tests);
    ``state`` is the target's cooldown clock after applying the decision."""

    capacity: int | None
    reason: str
    state: ScalingState


def _none(target: ScalableTarget, reason: str) -> ScalingDecision:
    return ScalingDecision(None, reason, target.state)


def raw_capacity(
    policy: ScalingPolicy, alarm_name: str, metric: float, threshold: float, current: int
) -> int | None:
    """What ``policy`` alone asks for from ``current``; None when it asks nothing."""
    if policy.step is not None:
        step = select_step(policy.step.steps, metric - threshold)
        if step is None:
            return None
        return apply_adjustment(
            current,
            policy.step.adjustment_type,
            step.adjustment,
            min_magnitude=policy.step.min_adjustment_magnitude,
        )
    assert policy.target is not None
    wanted = target_tracking_capacity(current, metric, policy.target.target_value)
    if is_high_alarm(alarm_name):
        return max(wanted, current)
    if policy.target.disable_scale_in:
        return None
    return min(wanted, current)


def _cooldowns(policy: ScalingPolicy) -> tuple[int, int]:
    if policy.step is not None:
        return policy.step.cooldown, policy.step.cooldown
    assert policy.target is not None
    return policy.target.scale_out_cooldown, policy.target.scale_in_cooldown


def plan_policy(
    policy: ScalingPolicy,
    target: ScalableTarget,
    *,
    alarm_name: str,
    metric: float,
    threshold: float,
    counts: ServiceCounts,
    now: datetime,
    low_votes: Mapping[str, int] | None = None,
) -> ScalingDecision:
    """The decision for an alarm of ``policy`` in state ALARM.

    ``low_votes``: for a target-tracking scale-in, each target-tracking policy's (with
    scale-in enabled) current scale-in wish by name; a missing one vetoes the scale-in.
    """
    wanted = raw_capacity(policy, alarm_name, metric, threshold, counts.running)
    if wanted is None:
        return _none(target, "no step adjustment or scale-in disabled")
    if wanted == counts.running and target.min_capacity <= counts.desired <= target.max_capacity:
        return _none(target, "already at the wanted capacity")
    if wanted < counts.running and policy.target is not None:
        if low_votes is None:
            return _none(target, "other target tracking policies do not agree")
        proposals = [Proposal(n, c, True) for n, c in low_votes.items()]
        agreed = resolve(counts.running, proposals, 0, 1 << 30)
        wanted = counts.running if agreed is None else agreed
    direction = 1 if wanted >= counts.running else -1
    return _guarded(policy, target, wanted, direction, counts, now)


def _guarded(
    policy: ScalingPolicy,
    target: ScalableTarget,
    wanted: int,
    direction: int,
    counts: ServiceCounts,
    now: datetime,
) -> ScalingDecision:
    """Apply suspension, deployment and cooldown rules, then clamp.

    Invariant: a scale-out never lowers the desired count and a scale-in never raises it.
    """
    if direction > 0 and target.suspended.dynamic_out:
        return _none(target, "dynamic scale-out is suspended")
    if direction < 0 and (target.suspended.dynamic_in or counts.deployment_in_progress):
        return _none(target, "dynamic scale-in is suspended")
    out_cd, in_cd = _cooldowns(policy)
    state = target.state
    gate = cooldown_decision(
        direction=direction,
        now=now,
        last_scale_out_at=state.last_scale_out_at,
        last_scale_in_at=state.last_scale_in_at,
        scale_out_added=state.scale_out_added,
        scale_out_cooldown=out_cd,
        scale_in_cooldown=in_cd,
    )
    if not gate.allowed:
        return _none(target, "scale-in cooldown in progress")
    if gate.already_added:
        change = wanted - counts.running
        wanted = max(counts.desired, counts.desired - gate.already_added + change)
    final = clamp(wanted, target.min_capacity, target.max_capacity)
    return _decide(target, final, direction, counts, gate.already_added, now)


def _decide(
    target: ScalableTarget,
    final: int,
    direction: int,
    counts: ServiceCounts,
    already_added: int,
    now: datetime,
) -> ScalingDecision:
    """The decision for a clamped capacity, with the cooldown clock it starts."""
    state = target.state
    if final == counts.desired:
        return _none(target, "desired count unchanged")
    if (final > counts.desired) != (direction > 0):
        # Counting from the running tasks must not turn a scale-out into lowering the desired
        # count (tasks still starting), nor a scale-in into raising it.
        return _none(target, "desired count already beyond the wanted capacity")
    if final > counts.desired:
        added = final - counts.desired + already_added
        return ScalingDecision(
            final, "scale-out", replace(state, last_scale_out_at=now, scale_out_added=added)
        )
    return ScalingDecision(
        final, "scale-in", replace(state, last_scale_in_at=now, scale_out_added=0)
    )


@dataclass(frozen=True, slots=True)
class ScheduleOutcome:
    """A scheduled action's effect: the target's new bounds and, if the desired count must
    move into them, the new desired count."""

    min_capacity: int
    max_capacity: int
    desired: int | None


def plan_schedule(action: ScheduledAction, target: ScalableTarget, desired: int) -> ScheduleOutcome:
    """Replace min and/or max (the other follows if they would cross) and clamp ``desired``.

    Scheduled actions ignore cooldowns.
    """
    low = target.min_capacity if action.min_capacity is None else action.min_capacity
    high = target.max_capacity if action.max_capacity is None else action.max_capacity
    if action.min_capacity is None:
        low = min(low, high)
    if action.max_capacity is None:
        high = max(low, high)
    moved = clamp(desired, low, high)
    return ScheduleOutcome(low, high, None if moved == desired else moved)


def clamp_desired(target: ScalableTarget, desired: int) -> int | None:
    """The desired count moved into the target's bounds, or None when already inside."""
    moved = clamp(desired, target.min_capacity, target.max_capacity)
    return None if moved == desired else moved
