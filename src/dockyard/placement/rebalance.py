"""Rebalancing (a Dockyard extension; ECS never moves running tasks): a plan of moves.

``binpack <field>`` consolidates: instances are visited emptiest first (least of ``field``
used); an instance is *drained* when every task on it can move to another instance that
already runs tasks (largest task first, each to the candidate left with the least of
``field`` — best fit) — otherwise none of its tasks move. Instances are never newly opened, so
the number of instances in use only goes down.

``spread <field>`` evens each task group out: while the fullest bucket (AZ, instance...) has
two or more tasks more than the emptiest bucket that has an eligible instance, one task moves
from the fullest bucket's fullest instance to the emptiest bucket's instance with the fewest
tasks of the group that passes every filter; it stops at the first move it cannot make.

Every move passes the engine's filters (eligibility, resources and ports, required attributes,
``constraints`` with the task's own group) against the snapshot plus the moves planned so far:
a plan never over-commits an instance or breaks a constraint. A task moved twice appears once,
from its first to its last instance. Greedy, not optimal; pure.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.filters import PlacementFilter, build_filters, rejection
from dockyard.placement.model import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    RunningTask,
)
from dockyard.placement.strategies import build_strategies


@dataclass(frozen=True, slots=True)
class Move:
    """Stop ``task_id`` on ``from_instance`` and start its replacement on ``to_instance``."""

    task_id: str
    from_instance: str
    to_instance: str


@dataclass(frozen=True, slots=True)
class RebalancePlan:
    """The moves, and how many instances run at least one task before and after them."""

    moves: tuple[Move, ...]
    instances_before: int
    instances_after: int


class _Cluster:
    """The snapshot plus the moves planned so far (the plan's overlay)."""

    def __init__(self, tasks: Sequence[RunningTask], instances: Sequence[InstanceSnapshot]):
        self.state = {i.instance_id: i for i in sorted(instances, key=lambda i: i.instance_id)}
        self.tasks = {t.task_id: t for t in sorted(tasks, key=lambda t: t.task_id)}
        self.origin = {t.task_id: t.instance_id for t in tasks}

    def on(self, instance_id: str) -> list[RunningTask]:
        return [t for t in self.tasks.values() if t.instance_id == instance_id]

    def in_use(self) -> int:
        return sum(1 for i in self.state.values() if i.running_tasks_count > 0)

    def move(self, task: RunningTask, to: str) -> None:
        source = self.state[task.instance_id]
        self.state[task.instance_id] = source.without_task(task)
        self.state[to] = self.state[to].with_task(task.demand, task.group)
        self.tasks[task.task_id] = RunningTask(
            task.task_id,
            to,
            task.group,
            task.cpu,
            task.memory,
            task.ports,
            task.required_attributes,
        )

    def plan(self, before: int) -> RebalancePlan:
        moves = tuple(
            Move(task_id, self.origin[task_id], task.instance_id)
            for task_id, task in self.tasks.items()
            if task.instance_id != self.origin[task_id]
        )
        return RebalancePlan(moves, before, self.in_use())


def rebalance(
    tasks: Sequence[RunningTask],
    instances: Sequence[InstanceSnapshot],
    *,
    strategy: PlacementStrategy,
    constraints: Sequence[PlacementConstraint] = (),
    max_moves: int | None = None,
) -> RebalancePlan:
    """Plan moves of ``tasks`` (on ``instances``) toward ``strategy``. Pure.

    ``strategy`` is ``binpack cpu|memory`` or ``spread <field>``; ``max_moves`` bounds the plan
    (None: no bound). An instance running tasks that are not in ``tasks`` (its
    ``running_tasks_count`` is larger) is never drained. Raises InvalidParameterException for
    ``random``, which has nothing to rebalance toward.
    """
    (ranking,) = build_strategies([strategy])
    cluster = _Cluster(tasks, instances)
    before = cluster.in_use()
    filters = build_filters(constraints)
    budget = max_moves if max_moves is not None else len(tasks) * len(instances) + 1
    if strategy.type == "binpack":
        _consolidate(cluster, filters, field=strategy.field or "", budget=budget)
    elif strategy.type == "spread":
        _even_out(cluster, filters, bucket=ranking.bucket, budget=budget)
    else:
        raise InvalidParameterException("Only binpack and spread strategies can be rebalanced.")
    return cluster.plan(before)


def _used(instance: InstanceSnapshot, field: str) -> int:
    return instance.used_memory if field == "memory" else instance.used_cpu


def _consolidate(
    cluster: _Cluster, filters: Sequence[PlacementFilter], *, field: str, budget: int
) -> None:
    field = field.lower()
    order = sorted(
        (i for i in cluster.state.values() if i.running_tasks_count > 0),
        key=lambda i: (_used(i, field), i.instance_id),
    )
    drained: set[str] = set()
    for source in order:
        moving = sorted(cluster.on(source.instance_id), key=lambda t: -getattr(t, field))
        if not moving or len(moving) < source.running_tasks_count or len(moving) > budget:
            continue
        trial = _drain(cluster, filters, source.instance_id, moving, drained, field)
        if trial is not None:
            for task, target in trial:
                cluster.move(task, target)
            drained.add(source.instance_id)
            budget -= len(trial)


def _drain(
    cluster: _Cluster,
    filters: Sequence[PlacementFilter],
    source: str,
    moving: Sequence[RunningTask],
    drained: set[str],
    field: str,
) -> list[tuple[RunningTask, str]] | None:
    """Best-fit targets for every task of ``source``, or None if one has nowhere to go."""
    overlay = dict(cluster.state)
    chosen: list[tuple[RunningTask, str]] = []
    for task in moving:
        best: tuple[int, str] | None = None
        for target in overlay.values():
            tid = target.instance_id
            if tid == source or tid in drained or target.running_tasks_count == 0:
                continue
            left = (
                (target.memory - target.used_memory)
                if field == "memory"
                else (target.cpu - target.used_cpu)
            )
            left -= getattr(task, field)
            if left < 0 or (best is not None and (left, tid) >= best):
                continue
            if not rejection(filters, target, task.demand, task.group):
                best = (left, tid)
        if best is None:
            return None
        overlay[best[1]] = overlay[best[1]].with_task(task.demand, task.group)
        chosen.append((task, best[1]))
    return chosen


def _even_out(
    cluster: _Cluster,
    filters: Sequence[PlacementFilter],
    *,
    bucket: Callable[[InstanceSnapshot], Hashable],
    budget: int,
) -> None:
    groups = sorted({t.group or "" for t in cluster.tasks.values()})
    for group in groups:
        while budget > 0 and _move_one(cluster, filters, group, bucket):
            budget -= 1


def _move_one(
    cluster: _Cluster,
    filters: Sequence[PlacementFilter],
    group: str,
    of: Callable[[InstanceSnapshot], Hashable],
) -> bool:
    """Move one task of ``group`` from the fullest bucket to the emptiest; False if balanced
    (within one) or the move is impossible."""
    eligible = [i for i in cluster.state.values() if i.active and i.connected]
    counts: dict[Hashable, int] = {of(i): 0 for i in eligible}
    for task in cluster.tasks.values():
        if (task.group or "") == group:
            value = of(cluster.state[task.instance_id])
            counts[value] = counts.get(value, 0) + 1
    order = sorted(counts, key=lambda v: (counts[v], v is None, str(v)))
    low, high = order[0], order[-1]
    if counts[high] - counts[low] <= 1:
        return False
    per_instance = {i.instance_id: i.group_count(group or None) for i in cluster.state.values()}
    candidates = [
        t
        for t in cluster.tasks.values()
        if (t.group or "") == group and of(cluster.state[t.instance_id]) == high
    ]
    task = max(candidates, key=lambda t: (per_instance[t.instance_id], t.task_id))
    targets = sorted(
        (i for i in eligible if of(i) == low),
        key=lambda i: (per_instance[i.instance_id], i.instance_id),
    )
    for target in targets:
        if not rejection(filters, target, task.demand, task.group):
            cluster.move(task, target.instance_id)
            return True
    return False
