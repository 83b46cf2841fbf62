"""``GET /metrics``' service utilisation gauges: the newest ``AWS/ECS`` CPUUtilization and
MemoryUtilization of every service, as the metric store holds them (the same figures
GetMetricData and the target-tracking alarms read).

::

    # TYPE dockyard_ecs_service_cpu_utilization_percent gauge
    dockyard_ecs_service_cpu_utilization_percent{region="us-east-1",cluster="c",service="web"} 12.5

A service whose newest point is older than :data:`STALE_AFTER` is left out (stopped or
deleted), so a scrape never reports a frozen value as current.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from dockyard.domain.utilization import NAMESPACE
from dockyard.store import Store
from dockyard.store.repositories.metrics import LatestPoint, MetricRepository

__all__ = ["STALE_AFTER", "service_utilization_text", "utilization_gauges"]

STALE_AFTER = timedelta(minutes=2)
"""Agents sample every 10 s by default, 2 s under ``dockyard up``'s fast profile
(``--metrics-interval``); two minutes without a point
means the service has no running task that is being measured."""

GAUGES = (
    (
        "CPUUtilization",
        "dockyard_ecs_service_cpu_utilization_percent",
        "AWS/ECS CPUUtilization of the service: CPU used / CPU reserved by its running tasks "
        "x 100 (newest sample).",
    ),
    (
        "MemoryUtilization",
        "dockyard_ecs_service_memory_utilization_percent",
        "AWS/ECS MemoryUtilization of the service: memory used / memory reserved by its "
        "running tasks x 100 (newest sample).",
    ),
)


def service_utilization_text(store: Store, now: datetime) -> str:
    """The gauges of every service measured within :data:`STALE_AFTER` of ``now``."""
    metrics = [metric for metric, _, _ in GAUGES]
    points = store.read(
        lambda uow: MetricRepository(uow.session).latest(NAMESPACE, metrics, now - STALE_AFTER)
    )
    return utilization_gauges(points)


def utilization_gauges(points: Sequence[LatestPoint]) -> str:
    """Prometheus' text format for the per-service points (per-cluster ones are skipped).
    Pure."""
    lines: list[str] = []
    for metric, name, help_text in GAUGES:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} gauge"]
        for p in points:
            dims = _dimensions(p.dimensions)
            if p.metric != metric or set(dims) != {"ClusterName", "ServiceName"}:
                continue
            labels = ",".join(
                f'{k}="{_escape(v)}"'
                for k, v in (
                    ("region", p.region),
                    ("cluster", dims["ClusterName"]),
                    ("service", dims["ServiceName"]),
                )
            )
            lines.append(f"{name}{{{labels}}} {p.value:g}")
    return "\n".join(lines) + "\n"


def _dimensions(key: str) -> dict[str, str]:
    """The inverse of ``domain.metrics.dimensions_key`` for ECS's dimension values (cluster
    and service names cannot contain ``|`` or ``=``)."""
    pairs = (part.partition("=") for part in key.split("|") if part)
    return {name: value for name, _, value in pairs}


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
