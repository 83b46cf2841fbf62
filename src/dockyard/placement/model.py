"""Placement's value objects: instance snapshots, task demand, constraints, strategies, results.

Everything here is an immutable value. :class:`InstanceSnapshot` is what one container
instance looks like to placement at the start of a decision, and (through
:meth:`InstanceSnapshot.with_task`) what it looks like once this batch's proposals are
overlaid: a batch never writes anywhere, it derives new snapshots.

Invariant: ``with_task`` only ever adds (usage, ports, counts); a snapshot's registered
``cpu`` / ``memory`` never change.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from types import MappingProxyType

from dockyard.placement import reasons as R

_EMPTY: Mapping[str, int] = MappingProxyType({})
_NO_ATTRIBUTES: Mapping[str, str | None] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class TaskDemand:
    """What one task asks of an instance.

    ``cpu`` in CPU units, ``memory`` in MiB, ``ports`` the static ``(host port, protocol)``
    pairs, ``required_attributes`` the task definition's ``requiresAttributes`` as
    ``(name, value or None)`` — a ``None`` value only needs the attribute to exist.
    """

    cpu: int
    memory: int
    ports: frozenset[tuple[int, str]] = frozenset()
    required_attributes: tuple[tuple[str, str | None], ...] = ()


@dataclass(frozen=True, slots=True, kw_only=True)
class InstanceSnapshot:
    """An instance as placement sees it: registered capacity minus what live tasks hold.

    ``reserved_ports`` are the agent's PORTS / PORTS_UDP resources; ``used_ports`` the static
    host ports of live tasks. ``group_counts`` counts live tasks (desiredStatus RUNNING) per
    task group; ``running_tasks_count`` is the instance's task count as the cluster query
    language's ``runningTasksCount`` sees it. Implements the query language's ``QueryTarget``.
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
    ec2_instance_id: str = ""
    attributes: Mapping[str, str | None] = field(default_factory=lambda: _NO_ATTRIBUTES)
    agent_version: str | None = None
    registered_at: datetime | None = None
    group_counts: Mapping[str, int] = field(default_factory=lambda: _EMPTY)
    running_tasks_count: int = 0

    @property
    def agent_connected(self) -> bool:
        """The query language's ``agentConnected`` (the same as :attr:`connected`)."""
        return self.connected

    @property
    def task_groups(self) -> frozenset[str]:
        """Groups with at least one live task here (the query language's ``task:group``)."""
        return frozenset(g for g, n in self.group_counts.items() if n > 0)

    @property
    def remaining_cpu(self) -> int:
        return self.cpu - self.used_cpu

    @property
    def remaining_memory(self) -> int:
        return self.memory - self.used_memory

    def group_count(self, group: str | None) -> int:
        """Live tasks of ``group`` here; an anonymous group (``None``) has none."""
        return self.group_counts.get(group, 0) if group is not None else 0

    def shortfalls(self, demand: TaskDemand) -> tuple[str, ...]:
        """Every reason ``demand`` does not fit, in ECS's order (empty: it fits)."""
        reasons = []
        if self.cpu - self.used_cpu < demand.cpu:
            reasons.append(R.CPU)
        if self.memory - self.used_memory < demand.memory:
            reasons.append(R.MEMORY)
        if demand.ports:
            taken = self.reserved_ports | self.used_ports
            clashes = {protocol for port, protocol in demand.ports if (port, protocol) in taken}
            if "tcp" in clashes:
                reasons.append(R.PORTS)
            if "udp" in clashes:
                reasons.append(R.PORTS_UDP)
        return tuple(reasons)

    def with_task(self, demand: TaskDemand, group: str | None = None) -> InstanceSnapshot:
        """This instance once a task of ``demand`` (in ``group``) is proposed on it."""
        counts = self.group_counts
        if group is not None:
            counts = {**counts, group: counts.get(group, 0) + 1}
        return replace(
            self,
            used_cpu=self.used_cpu + demand.cpu,
            used_memory=self.used_memory + demand.memory,
            used_ports=self.used_ports | demand.ports if demand.ports else self.used_ports,
            group_counts=counts,
            running_tasks_count=self.running_tasks_count + 1,
        )

    def without_task(self, task: RunningTask) -> InstanceSnapshot:
        """This instance once ``task`` has left it (scale-in and rebalance planning)."""
        counts = self.group_counts
        if task.group is not None and counts.get(task.group, 0) > 0:
            counts = {**counts, task.group: counts[task.group] - 1}
        return replace(
            self,
            used_cpu=self.used_cpu - task.cpu,
            used_memory=self.used_memory - task.memory,
            used_ports=self.used_ports - task.ports,
            group_counts=counts,
            running_tasks_count=max(0, self.running_tasks_count - 1),
        )


@dataclass(frozen=True, slots=True)
class PlacementConstraint:
    """``distinctInstance`` (no expression) or ``memberOf`` (a cluster query expression)."""

    type: str
    expression: str | None = None


@dataclass(frozen=True, slots=True)
class PlacementStrategy:
    """``random`` (no field), ``spread`` (``instanceId`` / ``host`` / ``attribute:<name>``) or
    ``binpack`` (``cpu`` / ``memory``)."""

    type: str
    field: str | None = None


@dataclass(frozen=True, slots=True)
class RunningTask:
    """A live task as scale-in and rebalance see it: where it runs, its group, what it holds."""

    task_id: str
    instance_id: str
    group: str | None
    cpu: int
    memory: int
    ports: frozenset[tuple[int, str]] = frozenset()
    required_attributes: tuple[tuple[str, str | None], ...] = ()

    @property
    def demand(self) -> TaskDemand:
        return TaskDemand(self.cpu, self.memory, self.ports, self.required_attributes)


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
