"""Scale-in: which tasks of a service stop, by the same strategies that placed them.

ECS's rules (ecs-reference §1.2):

* ``spread`` — keep the field balanced: stop a task in the bucket (AZ, instance...) with the
  most tasks; ``[spread AZ, spread instanceId]`` is also the default for a service without a
  strategy (:data:`DEFAULT_SERVICE_STRATEGIES`): the fullest AZ, then the fullest instance in it.
* ``binpack`` — stop the task on the instance that has the most of the field left after the
  stop (the emptiest instance is emptied first, so whole instances free up).
* ``random`` — any task.

Tasks whose instance is not among ``instances`` (deregistered or lost) are stopped first. Keys
compare in strategy order, the rng breaks what is left, and every key is recomputed after each
stop (a stop changes its bucket's count and its instance's free capacity). Pure; O(count ×
tasks).
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence

from dockyard.infra.ids import RandomSource
from dockyard.placement.model import InstanceSnapshot, PlacementStrategy, RunningTask
from dockyard.placement.race import exp_draws
from dockyard.placement.strategies import (
    DEFAULT_SERVICE_STRATEGIES,
    RankingStrategy,
    build_strategies,
)


def select_tasks_to_stop(
    tasks: Sequence[RunningTask],
    instances: Sequence[InstanceSnapshot],
    *,
    count: int,
    rng: RandomSource,
    strategies: Sequence[PlacementStrategy] = (),
) -> tuple[str, ...]:
    """The ids of ``min(count, len(tasks))`` tasks to stop, in stop order. Pure.

    ``tasks`` are the service's live tasks; spread counts are taken over them. ``strategies``
    empty means ECS's default service rule. Tasks are taken in ``task_id`` order, so a seeded
    ``rng`` replays the decision.
    """
    ranking = build_strategies(strategies or DEFAULT_SERVICE_STRATEGIES)
    remaining = sorted(tasks, key=lambda t: t.task_id)
    clocks = dict(zip((t.task_id for t in remaining), exp_draws(rng, len(remaining)), strict=True))
    state = {i.instance_id: i for i in instances}
    counts = [_counts(s, remaining, state) for s in ranking]
    stopped: list[str] = []
    while remaining and len(stopped) < count:
        victim = min(remaining, key=lambda t: _key(ranking, counts, state, t, clocks[t.task_id]))
        remaining.remove(victim)
        stopped.append(victim.task_id)
        instance = state.get(victim.instance_id)
        if instance is None:
            continue
        for strategy, bucket_counts in zip(ranking, counts, strict=True):
            bucket_counts[strategy.bucket(instance)] -= 1
        state[victim.instance_id] = instance.without_task(victim)
    return tuple(stopped)


def _counts(
    strategy: RankingStrategy,
    tasks: Sequence[RunningTask],
    state: dict[str, InstanceSnapshot],
) -> dict[Hashable, int]:
    counts: dict[Hashable, int] = {}
    for task in tasks:
        instance = state.get(task.instance_id)
        if instance is not None:
            value = strategy.bucket(instance)
            counts[value] = counts.get(value, 0) + 1
    return counts


def _key(
    ranking: Sequence[RankingStrategy],
    counts: Sequence[dict[Hashable, int]],
    state: dict[str, InstanceSnapshot],
    task: RunningTask,
    clock: float,
) -> tuple[object, ...]:
    """Less stops first: lost tasks, then per strategy (fullest bucket, emptiest instance,
    clock), then the clock, then the id."""
    instance = state.get(task.instance_id)
    if instance is None:
        return (0, clock, task.task_id)
    parts: list[object] = [1]
    for strategy, bucket_counts in zip(ranking, counts, strict=True):
        if strategy.random:
            parts.append(clock)
        else:
            bucket_count = bucket_counts[strategy.bucket(instance)]
            parts.append(strategy.stop_key(instance, task, bucket_count))
    parts.extend((clock, task.task_id))
    return tuple(parts)
