"""The placement engine: ECS's pipeline over immutable snapshots. Pure (rng injected).

For each task of a batch in turn::

    instances ──filters (eligibility, resources, attributes, constraints)──▶ candidates
      ──strategies (lexicographic key, rng clock last)──▶ best ──▶ overlay the proposal ──┐
         ▲                                                                              │
         └──────── only the chosen instance is re-filtered and rescored ◀───────────────┘

Every instance is filtered once (O(instances), stopping at its first reason; all its reasons
are worked out only if the batch falls short and they are reported); a placement then costs
O(buckets + log n), where buckets is the number of distinct values of the attribute-spread
fields (one without attribute spread).

Invariant: a batch sees its own proposals: usage, ports, group counts and the running-task
count of every chosen instance include the tasks already proposed in this batch, so no instance
is over-committed, no static port claimed twice, and constraints and spread counts hold for
the batch as a whole.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockyard.infra.ids import RandomSource
from dockyard.placement.filters import build_filters, rejection, survivors
from dockyard.placement.model import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementFailure,
    PlacementResult,
    PlacementStrategy,
    TaskDemand,
)
from dockyard.placement.ranking import CandidateRanking
from dockyard.placement.strategies import build_strategies

ANONYMOUS_GROUP = "\x00batch"
"""The group a batch counts in when the caller gives none: no live task is in it (no real group
name holds a NUL), so spread and distinctInstance see only this batch's own proposals."""


def place_tasks(
    demand: TaskDemand,
    instances: Sequence[InstanceSnapshot],
    *,
    count: int,
    rng: RandomSource,
    group: str | None = None,
    constraints: Sequence[PlacementConstraint] = (),
    strategies: Sequence[PlacementStrategy] = (),
) -> PlacementResult:
    """Place ``count`` tasks of ``demand`` in ``group`` on ``instances``. Pure.

    ``strategies`` empty means random (RunTask's default; services pass
    ``DEFAULT_SERVICE_STRATEGIES``). Instances are taken in ``instance_id`` order, so a seeded
    ``rng`` replays a decision. Fewer placements than ``count``: ``failures`` lists every
    instance that cannot take one more task, with all its reasons. Raises
    InvalidParameterException (or QueryError) for invalid constraints or strategies.
    """
    filters = build_filters(constraints)
    ranking_strategies = build_strategies(strategies)
    name = group if group is not None else ANONYMOUS_GROUP
    pool = sorted(instances, key=lambda i: i.instance_id)
    feasible = survivors(filters, pool, demand, name)
    ranking = CandidateRanking(
        ranking_strategies, demand=demand, group=name, pool=pool, feasible=feasible, rng=rng
    )
    dynamic = tuple(f for f in filters if f.dynamic)
    failures: dict[str, tuple[str, ...]] = {}
    placements: list[str] = []
    while len(placements) < count:
        slot = ranking.best()
        if slot is None:
            break
        chosen = ranking.instances[slot].with_task(demand, name)
        placements.append(chosen.instance_id)
        reasons = rejection(dynamic, chosen, demand, name)
        if reasons:
            failures[chosen.instance_id] = reasons
        ranking.placed(slot, chosen, feasible=not reasons)
    if len(placements) == count:
        return PlacementResult(tuple(placements))
    kept = {s.instance_id for s in feasible}
    for snapshot in pool:
        if snapshot.instance_id not in kept:
            failures[snapshot.instance_id] = rejection(filters, snapshot, demand, name)
    return PlacementResult(
        tuple(placements), tuple(PlacementFailure(i, r) for i, r in sorted(failures.items()))
    )
