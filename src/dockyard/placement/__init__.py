"""Task placement: which container instance each new task runs on. Pure.

This first version is the resource-fit stage of ECS's pipeline (ecs-reference §1.1) followed by
a random pick; constraints and strategies (binpack / spread, the cluster query language) come
with the placement issue and plug in behind the same :func:`place_tasks` call.

Stages, for each task of the batch in turn::

    instances ──eligible (ACTIVE, agent connected)──▶ fit (CPU, MEMORY, PORTS, PORTS_UDP)
              ──▶ pick one at random ──▶ overlay the proposal, next task

Invariant: a batch sees its own proposals: the instances' usage plus everything already placed
in this batch never exceeds any instance's registered CPU or MEMORY, and no two live tasks on
one instance claim the same static host port.
Every rejection is data: :class:`PlacementFailure` carries ECS's ``failures[].reason``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from dockyard.infra.ids import RandomSource

__all__ = [
    "InstanceSnapshot",
    "PlacementFailure",
    "PlacementResult",
    "TaskDemand",
    "place_tasks",
]


@dataclass(frozen=True, slots=True)
class TaskDemand:
    """What one task asks of an instance: CPU units, MiB, static ``(port, protocol)`` pairs."""

    cpu: int
    memory: int
    ports: frozenset[tuple[int, str]] = frozenset()


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceSnapshot:
    """An instance as placement sees it: registered capacity minus what live tasks hold.

    ``reserved_ports`` are the agent's PORTS / PORTS_UDP resources; ``used_ports`` the static
    host ports of live tasks.
    """

    instance_id: str
    active: bool
    connected: bool
    cpu: int
    memory: int
    used_cpu: int = 0
    used_memory: int = 0
    reserved_ports: frozenset[tuple[int, str]] = frozenset()
    used_ports: frozenset[tuple[int, str]] = frozenset()

    def shortfalls(self, demand: TaskDemand) -> tuple[str, ...]:
        """Every reason ``demand`` does not fit, in ECS's order (empty: it fits)."""
        reasons = []
        if self.cpu - self.used_cpu < demand.cpu:
            reasons.append("RESOURCE:CPU")
        if self.memory - self.used_memory < demand.memory:
            reasons.append("RESOURCE:MEMORY")
        taken = self.reserved_ports | self.used_ports
        clashes = {protocol for port, protocol in demand.ports if (port, protocol) in taken}
        if "tcp" in clashes:
            reasons.append("RESOURCE:PORTS")
        if "udp" in clashes:
            reasons.append("RESOURCE:PORTS_UDP")
        return tuple(reasons)

    def with_task(self, demand: TaskDemand) -> InstanceSnapshot:
        return replace(
            self,
            used_cpu=self.used_cpu + demand.cpu,
            used_memory=self.used_memory + demand.memory,
            used_ports=self.used_ports | demand.ports,
        )


@dataclass(frozen=True, slots=True)
class PlacementFailure:
    """One instance that could not take a task, and every reason why."""

    instance_id: str
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class PlacementResult:
    """``placements[i]`` is the instance of the batch's i-th placed task; fewer placements than
    asked means the rest did not fit, and ``failures`` says why (one entry per instance)."""

    placements: tuple[str, ...] = ()
    failures: tuple[PlacementFailure, ...] = field(default=())


def place_tasks(
    demand: TaskDemand,
    instances: Sequence[InstanceSnapshot],
    *,
    count: int,
    rng: RandomSource,
) -> PlacementResult:
    """Place ``count`` tasks of ``demand`` on ``instances``. Pure (randomness injected).

    Instances are considered in ``instance_id`` order so a seeded ``rng`` replays a decision.
    Every instance is checked once; after a placement only the chosen one is checked again
    (nothing else changed), so a batch costs O(instances + count).
    """
    pool = sorted(instances, key=lambda i: i.instance_id)
    failures: dict[str, tuple[str, ...]] = {}
    feasible: list[InstanceSnapshot] = []
    for snapshot in pool:
        reasons = _rejection(snapshot, demand)
        if reasons:
            failures[snapshot.instance_id] = reasons
        else:
            feasible.append(snapshot)
    placements: list[str] = []
    while len(placements) < count and feasible:
        index = _index(rng, len(feasible))
        chosen = feasible[index].with_task(demand)
        placements.append(chosen.instance_id)
        reasons = _rejection(chosen, demand)
        if reasons:
            failures[chosen.instance_id] = reasons
            del feasible[index]
        else:
            feasible[index] = chosen
    if len(placements) == count:
        return PlacementResult(tuple(placements))
    return PlacementResult(
        tuple(placements),
        tuple(PlacementFailure(i, r) for i, r in sorted(failures.items())),
    )


def _rejection(snapshot: InstanceSnapshot, demand: TaskDemand) -> tuple[str, ...]:
    if not snapshot.connected:
        return ("AGENT",)
    if not snapshot.active:
        return ("INACTIVE",)
    return snapshot.shortfalls(demand)


def _index(rng: RandomSource, n: int) -> int:
    """A uniform-enough index in ``range(n)`` from 4 random bytes (bias < n / 2**32)."""
    return int.from_bytes(rng.token_bytes(4), "big") % n
