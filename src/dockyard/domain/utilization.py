"""Service utilisation as ECS publishes it: ``AWS/ECS`` ``CPUUtilization`` and
``MemoryUtilization``, per service (dimensions ClusterName, ServiceName) and per cluster
(ClusterName). Pure.

ECS's definition (ecs-reference §9.2): used ÷ (reservation of the running tasks) × 100 — the
task's CPU units and memory (MiB) as reserved on its instance; it may exceed 100 %. A task that
reserves no CPU counts :data:`UNRESERVED_CPU_UNITS` (one core), so its use still shows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

__all__ = ["TaskUsage", "UtilizationPoint", "utilization_points"]

NAMESPACE = "AWS/ECS"
UNRESERVED_CPU_UNITS = 1024


@dataclass(frozen=True, slots=True)
class TaskUsage:
    """One task's reservation and its measured use over a sampling interval."""

    cluster: str
    service: str | None
    reserved_cpu: int
    reserved_memory: int
    cpu_units: float
    memory_mib: float


@dataclass(frozen=True, slots=True)
class UtilizationPoint:
    namespace: str
    metric: str
    dimensions: tuple[tuple[str, str], ...]
    timestamp: datetime
    value: float
    unit: str = "Percent"


def utilization_points(samples: Iterable[TaskUsage], at: datetime) -> list[UtilizationPoint]:
    """Points for every service (and cluster) with at least one sampled task."""
    totals: dict[tuple[tuple[str, str], ...], list[float]] = {}
    for s in samples:
        keys: list[tuple[tuple[str, str], ...]] = [(("ClusterName", s.cluster),)]
        if s.service:
            keys.append((("ClusterName", s.cluster), ("ServiceName", s.service)))
        cpu_reserved = s.reserved_cpu if s.reserved_cpu > 0 else UNRESERVED_CPU_UNITS
        for key in keys:
            t = totals.setdefault(key, [0.0, 0.0, 0.0, 0.0])
            t[0] += s.cpu_units
            t[1] += cpu_reserved
            t[2] += s.memory_mib
            t[3] += s.reserved_memory
    points = []
    for dims, (cpu, cpu_res, mem, mem_res) in sorted(totals.items()):
        points.append(UtilizationPoint(NAMESPACE, "CPUUtilization", dims, at, _pct(cpu, cpu_res)))
        if mem_res > 0:
            points.append(
                UtilizationPoint(NAMESPACE, "MemoryUtilization", dims, at, _pct(mem, mem_res))
            )
    return points


def _pct(used: float, reserved: float) -> float:
    return round(used / reserved * 100, 4) if reserved > 0 else 0.0
