"""Placement at the API edge: snapshots of a cluster for the pure engine, and the ECS wire
forms of constraints and strategies.

:func:`cluster_snapshots` reads a cluster in a few queries whatever its size: capacity and the
attributes the query language looks at come from a per-store cache validated against the
database (``ContainerInstanceRepository.capacities``), usage and task groups from one
aggregate over live tasks.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import timedelta
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain.container_instance import AGENT_HEARTBEAT_TIMEOUT_SECONDS
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.task_definition import TaskDefinition
from dockyard.placement import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    validate_placement,
)
from dockyard.store.repositories.tasks import InstanceUsage
from dockyard.store.uow import UnitOfWork

__all__ = [
    "cluster_snapshots",
    "constraints_from_wire",
    "placement_request",
    "strategies_from_wire",
]


def cluster_snapshots(
    ctx: RequestContext, uow: UnitOfWork, cluster: str, ids: list[str] | None = None
) -> list[InstanceSnapshot]:
    """Placement's view of the cluster's ACTIVE and DRAINING instances (or of ``ids``)."""
    since = ctx.now - timedelta(seconds=AGENT_HEARTBEAT_TIMEOUT_SECONDS)
    capacities = uow.container_instances.capacities(ctx.region, cluster, ids, connected_since=since)
    if not capacities:
        return []
    usage = uow.tasks.usage_by_instance(
        ctx.region, cluster, [c.instance_id for c in capacities] if ids is not None else None
    )
    snapshots = []
    for c in capacities:
        used = usage.get(c.instance_id, InstanceUsage())
        snapshots.append(
            InstanceSnapshot(
                instance_id=c.instance_id,
                active=c.active,
                connected=c.connected,
                cpu=c.cpu,
                memory=c.memory,
                used_cpu=used.cpu,
                used_memory=used.memory,
                reserved_ports=c.reserved_ports,
                used_ports=used.ports,
                ec2_instance_id=c.ec2_instance_id,
                attributes=c.attributes,
                agent_version=c.agent_version,
                registered_at=c.registered_at,
                group_counts=used.group_counts,
                running_tasks_count=used.running_count,
            )
        )
    return snapshots


def constraints_from_wire(
    items: Iterable[Mapping[str, Any]] | None,
) -> tuple[PlacementConstraint, ...]:
    return tuple(
        PlacementConstraint(str(item.get("type") or ""), item.get("expression"))
        for item in items or ()
    )


def strategies_from_wire(
    items: Iterable[Mapping[str, Any]] | None,
) -> tuple[PlacementStrategy, ...]:
    return tuple(
        PlacementStrategy(str(item.get("type") or ""), item.get("field")) for item in items or ()
    )


def placement_request(
    td: TaskDefinition, params: Mapping[str, Any]
) -> tuple[tuple[PlacementConstraint, ...], tuple[PlacementStrategy, ...]]:
    """RunTask's constraints (the task definition's memberOf ones plus the request's, at most
    10 together) and strategies, validated; raises InvalidParameterException."""
    from_definition = tuple(
        PlacementConstraint(c.type or "memberOf", c.expression) for c in td.placement_constraints
    )
    constraints = from_definition + constraints_from_wire(params.get("placementConstraints"))
    strategies = strategies_from_wire(params.get("placementStrategy"))
    if any(not c.type for c in constraints):
        raise InvalidParameterException("Each placement constraint needs a type.")
    validate_placement(constraints, strategies)
    return constraints, strategies
