"""Placement at the API edge: snapshots of a cluster for the pure engine
(:mod:`dockyard.store.snapshots`), and the ECS wire forms of constraints and strategies."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.task_definition import TaskDefinition
from dockyard.placement import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    validate_placement,
)
from dockyard.store.snapshots import cluster_snapshots as store_snapshots
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
    return store_snapshots(uow, ctx.region, cluster, ctx.now, ids)


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
