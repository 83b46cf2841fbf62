"""Resource fit: CPU units, MiB and static host ports, every shortfall reported."""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.placement.model import InstanceSnapshot, TaskDemand


@dataclass(frozen=True, slots=True)
class ResourcesFilter:
    """``RESOURCE:CPU``, ``RESOURCE:MEMORY``, ``RESOURCE:PORTS``, ``RESOURCE:PORTS_UDP`` — all
    that apply, in that order (:meth:`InstanceSnapshot.shortfalls`).

    Dynamic: each proposal uses capacity and ports.
    """

    dynamic: bool = True

    def reasons(
        self, instance: InstanceSnapshot, demand: TaskDemand, group: str | None
    ) -> tuple[str, ...]:
        return instance.shortfalls(demand)
