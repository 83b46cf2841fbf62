"""The strategy stage's working state: candidates bucketed so a pick costs O(buckets·log n).

Candidates are grouped by their values of the *shared* strategies (spread on an attribute). In a
group every shared component is equal, so the group's members compare on their per-instance
components alone (binpack, spread instanceId, random clock — in strategy order): each group
keeps a heap on those. The best candidate overall is the best of the groups' heap tops once
the shared counts are put back in their positions. After a placement only the chosen instance's
per-instance components and its buckets' counts change, so nothing else is rescored.

Invariant: every heap entry's key is the current key of its instance; an instance sits in
exactly one group's heap while feasible and in none after.
"""

from __future__ import annotations

import heapq
from collections.abc import Hashable, Sequence

from dockyard.infra.ids import RandomSource
from dockyard.placement.model import InstanceSnapshot, TaskDemand
from dockyard.placement.race import exp_draws
from dockyard.placement.strategies import RankingStrategy

Key = tuple[object, ...]


class CandidateRanking:
    """Feasible instances ranked by the lexicographic strategy key, updatable per placement."""

    def __init__(
        self,
        strategies: Sequence[RankingStrategy],
        *,
        demand: TaskDemand,
        group: str,
        pool: Sequence[InstanceSnapshot],
        feasible: Sequence[InstanceSnapshot],
        rng: RandomSource,
    ) -> None:
        self._demand, self._group = demand, group
        self._shared = [s for s in strategies if s.shared]
        self._local = [s for s in strategies if not s.shared]
        self._layout = _layout(strategies)
        self._counts = [bucket_counts(s, pool, group) for s in self._shared]
        self.instances = list(feasible)
        self._clocks = exp_draws(rng, len(feasible))
        self._rng = rng
        columns: list[Sequence[object]] = [
            self._clocks if s.random else [s.placement_key(i, demand, group) for i in feasible]
            for s in self._local
        ]
        ids = [i.instance_id for i in feasible]
        entries = list(zip(*columns, self._clocks, ids, range(len(feasible)), strict=True))
        columns_of_buckets = ([s.bucket(i) for i in feasible] for s in self._shared)
        self._bucket_of = list(zip(*columns_of_buckets, strict=True))
        if not self._shared:
            self._bucket_of = [()] * len(feasible)
        self._heaps: dict[tuple[Hashable, ...], list[Key]] = {}
        if not self._shared:
            if entries:
                self._heaps[()] = entries
        else:
            for entry, values in zip(entries, self._bucket_of, strict=True):
                self._heaps.setdefault(values, []).append(entry)
        for heap in self._heaps.values():
            heapq.heapify(heap)

    def best(self) -> int | None:
        """The slot of the best candidate, or None when none is left."""
        if len(self._heaps) <= 1:
            return next((_slot(heap[0]) for heap in self._heaps.values()), None)
        best_key: Key | None = None
        best_slot = None
        for values, heap in self._heaps.items():
            key = self._full_key(values, heap[0])
            if best_key is None or key < best_key:
                best_key, best_slot = key, _slot(heap[0])
        return best_slot

    def placed(self, slot: int, updated: InstanceSnapshot, *, feasible: bool) -> None:
        """Record a proposal on ``slot`` (which must be :meth:`best`): its buckets count one
        more task, and it is rescored with a fresh clock, or dropped if no longer feasible."""
        values = self._bucket_of[slot]
        for counts, value in zip(self._counts, values, strict=True):
            counts[value] = counts.get(value, 0) + 1
        self.instances[slot] = updated
        heap = self._heaps[values]
        if not feasible:
            heapq.heappop(heap)
            if not heap:
                del self._heaps[values]
            return
        self._clocks[slot] += exp_draws(self._rng, 1)[0]
        heapq.heapreplace(heap, self._entry(slot))

    def _entry(self, slot: int) -> Key:
        """``(*per-instance components, clock, instance_id, slot)``."""
        instance, clock = self.instances[slot], self._clocks[slot]
        parts: list[object] = [
            clock if s.random else s.placement_key(instance, self._demand, self._group)
            for s in self._local
        ]
        parts.extend((clock, instance.instance_id, slot))
        return tuple(parts)

    def _full_key(self, values: tuple[Hashable, ...], entry: Key) -> Key:
        """The entry's key with the shared counts put back in their strategy positions."""
        parts: list[object] = []
        for shared, index in self._layout:
            parts.append(self._counts[index].get(values[index], 0) if shared else entry[index])
        parts.extend(entry[len(self._local) :])
        return tuple(parts)


def _layout(strategies: Sequence[RankingStrategy]) -> list[tuple[bool, int]]:
    """For each strategy position: (shared?, index among the shared or the local ones)."""
    layout, shared, local = [], 0, 0
    for strategy in strategies:
        if strategy.shared:
            layout.append((True, shared))
            shared += 1
        else:
            layout.append((False, local))
            local += 1
    return layout


def bucket_counts(
    strategy: RankingStrategy, pool: Sequence[InstanceSnapshot], group: str
) -> dict[Hashable, int]:
    """Tasks of ``group`` per bucket over *every* instance (feasible or not): a zone's
    count includes tasks on its full or draining instances."""
    counts: dict[Hashable, int] = {}
    for instance in pool:
        n = instance.group_counts.get(group, 0)
        if n:
            value = strategy.bucket(instance)
            counts[value] = counts.get(value, 0) + n
    return counts


def _slot(entry: Key) -> int:
    slot = entry[-1]
    assert isinstance(slot, int)
    return slot
