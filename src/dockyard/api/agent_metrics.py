"""Agents' container samples → ``AWS/ECS`` utilisation metrics (``domain/utilization.py``),
handed to the metric store through ``ctx.deps.metrics``."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.utilization import TaskUsage, utilization_points

__all__ = ["record_metrics"]


def record_metrics(ctx: RequestContext, cluster: str, samples: Sequence[Any]) -> int:
    """Store the utilisation of the sampled tasks' services and cluster; the number of
    points written. Samples of unknown tasks are ignored."""
    parsed = [_sample(s) for s in samples]
    tasks = ctx.store.read(
        lambda uow: uow.tasks.get_many(ctx.region, cluster, [task_id for task_id, *_ in parsed])
    )
    usage = [
        TaskUsage(
            cluster=cluster,
            service=tasks[task_id].service_name,
            reserved_cpu=tasks[task_id].cpu,
            reserved_memory=tasks[task_id].memory,
            cpu_units=cpu,
            memory_mib=memory,
        )
        for task_id, _, cpu, memory in parsed
        if task_id in tasks
    ]
    if not usage:
        return 0
    at = max(when for _, when, _, _ in parsed).replace(microsecond=0)
    points = utilization_points(usage, at)
    ctx.deps.metrics.put(ctx.region, points)
    return len(points)


def _sample(wire: Mapping[str, Any]) -> tuple[str, datetime, float, float]:
    try:
        task_id = str(wire["taskArn"]).rsplit("/", 1)[-1]
        when = datetime.fromtimestamp(float(wire["timestamp"]), UTC)
        return task_id, when, float(wire["cpuUnits"]), float(wire["memoryMiB"])
    except (KeyError, TypeError, ValueError):
        raise InvalidParameterException(
            "Each sample needs taskArn, timestamp, cpuUnits and memoryMiB."
        ) from None
