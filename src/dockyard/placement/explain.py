"""``dockyard placement explain``: why each instance would or would not take the next task.

The same filters and strategies as :func:`dockyard.placement.place_tasks`, applied once to the
snapshot with no rng: every instance is listed, kept or dropped with all its reasons, and each
kept instance shows its value per strategy and its rank (1 = where the next task goes; equal
keys rank in ``instance_id`` order, which is where the engine's rng would decide instead).
Pure.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from dataclasses import dataclass

from dockyard.placement.engine import ANONYMOUS_GROUP
from dockyard.placement.filters import build_filters, rejection
from dockyard.placement.model import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    TaskDemand,
)
from dockyard.placement.ranking import bucket_counts
from dockyard.placement.strategies import RankingStrategy, build_strategies


@dataclass(frozen=True, slots=True)
class StrategyValue:
    """One strategy's key component for an instance: ``label`` like ``"binpack memory"``;
    ``value`` the count or remaining amount (less is better), None for ``random``."""

    label: str
    value: int | None


@dataclass(frozen=True, slots=True)
class InstanceVerdict:
    """One instance: ``kept`` when it passes every filter, else ``reasons`` (all of them)."""

    instance_id: str
    kept: bool
    reasons: tuple[str, ...] = ()
    keys: tuple[StrategyValue, ...] = ()
    rank: int | None = None


def explain(
    demand: TaskDemand,
    instances: Sequence[InstanceSnapshot],
    *,
    group: str | None = None,
    constraints: Sequence[PlacementConstraint] = (),
    strategies: Sequence[PlacementStrategy] = (),
) -> tuple[InstanceVerdict, ...]:
    """A verdict per instance, kept ones first by rank, then dropped ones by id. Pure."""
    filters = build_filters(constraints)
    ranking = build_strategies(strategies)
    name = group if group is not None else ANONYMOUS_GROUP
    pool = sorted(instances, key=lambda i: i.instance_id)
    counts = [bucket_counts(s, pool, name) if s.shared else {} for s in ranking]
    kept: list[InstanceVerdict] = []
    dropped: list[InstanceVerdict] = []
    for instance in pool:
        reasons = rejection(filters, instance, demand, name)
        if reasons:
            dropped.append(InstanceVerdict(instance.instance_id, False, reasons))
            continue
        keys = tuple(
            StrategyValue(s.label, _value(s, c, instance, demand, name))
            for s, c in zip(ranking, counts, strict=True)
        )
        kept.append(InstanceVerdict(instance.instance_id, True, (), keys))
    kept.sort(key=lambda v: (tuple(k.value or 0 for k in v.keys), v.instance_id))
    ranked = [
        InstanceVerdict(v.instance_id, True, (), v.keys, rank)
        for rank, v in enumerate(kept, start=1)
    ]
    return (*ranked, *dropped)


def _value(
    strategy: RankingStrategy,
    counts: dict[Hashable, int],
    instance: InstanceSnapshot,
    demand: TaskDemand,
    group: str,
) -> int | None:
    if strategy.random:
        return None
    if strategy.shared:
        return counts.get(strategy.bucket(instance), 0)
    return strategy.placement_key(instance, demand, group)
