"""Capacity arithmetic of Application Auto Scaling (pure; §9.2–9.3 of the reference).

* Step scaling: :func:`validate_steps` (AWS's bound rules), :func:`select_step` (which step a
  breach falls in), :func:`apply_adjustment` (ChangeInCapacity / PercentChangeInCapacity /
  ExactCapacity with AWS's percent rounding and ``MinAdjustmentMagnitude``).
* Target tracking: :func:`target_tracking_capacity` (proportional, rounded conservatively).
* Cooldowns: :func:`cooldown_decision`.
* Several policies at once: :func:`resolve` (largest capacity wins; target-tracking scale-in
  only when every target-tracking policy agrees).

Bounds are offsets from the alarm threshold. Above it (breach ≥ 0) a lower bound is inclusive
and an upper bound exclusive; below it (breach < 0) a lower bound is exclusive and an upper
bound inclusive; ``None`` is −∞ (lower) or +∞ (upper).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dockyard.domain.autoscaling import (
    MAX_STEP_ADJUSTMENTS,
    AutoScalingValidationException,
    StepAdjustment,
)

CHANGE = "ChangeInCapacity"
PERCENT = "PercentChangeInCapacity"
EXACT = "ExactCapacity"
ADJUSTMENT_TYPES = (CHANGE, PERCENT, EXACT)


def _invalid(message: str) -> AutoScalingValidationException:
    return AutoScalingValidationException(message)


def _sort_key(step: StepAdjustment) -> float:
    return -math.inf if step.lower is None else step.lower


def validate_steps(steps: Sequence[StepAdjustment]) -> None:
    """Reject step adjustments AWS would refuse: none or > 20 steps; a step with both bounds
    null or ``lower >= upper``; more than one null lower / null upper bound; gaps or overlaps
    between consecutive steps; a negative lower bound without a null-lower step; a positive
    upper bound without a null-upper step."""
    if not steps:
        raise _invalid("Step scaling policies need at least one step adjustment.")
    if len(steps) > MAX_STEP_ADJUSTMENTS:
        raise _invalid(f"A step scaling policy allows at most {MAX_STEP_ADJUSTMENTS} steps.")
    for s in steps:
        if s.lower is None and s.upper is None:
            raise _invalid("Both the lower and upper bound of a step adjustment cannot be null.")
        if s.lower is not None and s.upper is not None and s.lower >= s.upper:
            raise _invalid("The upper bound of a step adjustment must be above its lower bound.")
    if sum(s.lower is None for s in steps) > 1:
        raise _invalid("There can be at most one step adjustment with a null lower bound.")
    if sum(s.upper is None for s in steps) > 1:
        raise _invalid("There can be at most one step adjustment with a null upper bound.")
    ordered = sorted(steps, key=_sort_key)
    for before, after in itertools.pairwise(ordered):
        if before.upper is None or after.lower is None or before.upper != after.lower:
            raise _invalid("Step adjustments must not have gaps or overlaps between intervals.")
    lowest, highest = ordered[0], ordered[-1]
    if lowest.lower is not None and lowest.lower < 0:
        raise _invalid("A negative lower bound requires a step adjustment with a null lower bound.")
    if highest.upper is not None and highest.upper > 0:
        raise _invalid("A positive upper bound requires a step adjustment with a null upper bound.")


def _contains(step: StepAdjustment, breach: float) -> bool:
    lower, upper = step.lower, step.upper
    if breach >= 0:
        return (lower is None or breach >= lower) and (upper is None or breach < upper)
    return (lower is None or breach > lower) and (upper is None or breach <= upper)


def select_step(steps: Sequence[StepAdjustment], breach: float) -> StepAdjustment | None:
    """The step whose interval holds ``breach`` (metric − threshold), or None."""
    for step in sorted(steps, key=_sort_key):
        if _contains(step, breach):
            return step
    return None


def percent_change(capacity: int, percent: int) -> int:
    """AWS's rounding of ``capacity × percent / 100``: > 1 rounds down; in (0, 1) becomes 1;
    in (−1, 0) becomes −1; < −1 rounds toward zero."""
    raw = capacity * percent / 100
    if raw == 0:
        return 0
    if 0 < raw < 1:
        return 1
    if -1 < raw < 0:
        return -1
    return math.trunc(raw)


def apply_adjustment(
    capacity: int, adjustment_type: str, adjustment: int, *, min_magnitude: int | None = None
) -> int:
    """The new (unclamped) capacity after one step adjustment.

    ``min_magnitude`` only applies to PercentChangeInCapacity: a change smaller in absolute
    value is raised to it (same sign).
    """
    if adjustment_type == EXACT:
        return adjustment
    if adjustment_type == CHANGE:
        return capacity + adjustment
    change = percent_change(capacity, adjustment)
    if min_magnitude and change != 0 and abs(change) < min_magnitude:
        change = min_magnitude if change > 0 else -min_magnitude
    return capacity + change


def target_tracking_capacity(current: int, metric: float, target: float) -> int:
    """Capacity that brings a utilisation-style ``metric`` to ``target``, rounded up (AWS
    rounds conservatively: out by at least one, in only when a whole task is spare).

    From zero tasks (ECS min 0) one datapoint above target scales out to one.
    """
    if target <= 0:
        raise _invalid("TargetValue must be greater than 0.")
    if current == 0:
        return 1 if metric > 0 else 0
    wanted = math.ceil(round(current * metric / target, 9))
    if metric > target:
        return max(wanted, current + 1)
    return min(wanted, current)


@dataclass(frozen=True, slots=True)
class Cooldown:
    """What a cooldown allows: ``allowed`` and, for a scale-out during a scale-out cooldown,
    the capacity already added that the new result must exceed to change anything."""

    allowed: bool
    already_added: int = 0


def cooldown_decision(
    *,
    direction: int,
    now: datetime,
    last_scale_out_at: datetime | None,
    last_scale_in_at: datetime | None,
    scale_out_added: int,
    scale_out_cooldown: int,
    scale_in_cooldown: int,
) -> Cooldown:
    """Whether a scale in ``direction`` (+1 out, −1 in) may happen at ``now``.

    Scale-out is always allowed; during its own cooldown the capacity added by the last
    scale-out counts toward this one. Scale-in is blocked during the scale-in cooldown and
    during a scale-out cooldown.
    """

    def within(at: datetime | None, seconds: int) -> bool:
        return at is not None and now < at + timedelta(seconds=seconds)

    if direction > 0:
        added = scale_out_added if within(last_scale_out_at, scale_out_cooldown) else 0
        return Cooldown(True, added)
    blocked = within(last_scale_in_at, scale_in_cooldown) or within(
        last_scale_out_at, scale_out_cooldown
    )
    return Cooldown(not blocked)


@dataclass(frozen=True, slots=True)
class Proposal:
    """One policy's wish: ``capacity`` from ``current``; ``target_tracking`` policies that
    propose a scale-in need every other target-tracking policy to agree."""

    policy_name: str
    capacity: int
    target_tracking: bool


def resolve(current: int, proposals: Sequence[Proposal], low: int, high: int) -> int | None:
    """The capacity to set, or None for no change.

    Any scale-out wins over scale-in, and the largest capacity wins among scale-outs (AWS:
    current 10, +3 vs +200 % ⇒ 30). Scale-in happens only when *every* proposal is a scale-in
    (target tracking policies all agree); then the largest (most conservative) one wins.
    The result is clamped into ``[low, high]``.
    """
    if not proposals:
        return None
    best = max(p.capacity for p in proposals)
    chosen = max(low, min(high, best))
    return None if chosen == current else chosen
