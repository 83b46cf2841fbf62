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

    def keep(
        self, instances: list[InstanceSnapshot], demand: TaskDemand, group: str | None
    ) -> list[InstanceSnapshot]:
        cpu, memory, ports = demand.cpu, demand.memory, demand.ports
        fits = [
            i for i in instances if i.cpu - i.used_cpu >= cpu and i.memory - i.used_memory >= memory
        ]
        if not ports:
            return fits
        return [i for i in fits if not ports & i.used_ports and not ports & i.reserved_ports]
