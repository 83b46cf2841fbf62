"""What launching a task of a task definition asks of an instance. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

from dockyard.domain.task import TaskOverrides, new_task
from dockyard.domain.task_definition import TaskDefinition
from dockyard.placement import PlacementConstraint, TaskDemand

__all__ = ["definition_constraints", "task_demand"]

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def task_demand(td: TaskDefinition, overrides: TaskOverrides) -> TaskDemand:
    """CPU, memory, static host ports and required attributes of one task of ``td``."""
    probe = new_task(
        td,
        task_id="0" * 32,
        container_ids=tuple("0" for _ in td.container_definitions),
        region="",
        cluster="",
        instance_id=None,
        overrides=overrides,
        now=td.registered_at or _EPOCH,
    )
    return TaskDemand(
        probe.cpu,
        probe.memory,
        frozenset(probe.ports),
        required_attributes=tuple((a.name, a.value) for a in td.requires_attributes),
    )


def definition_constraints(td: TaskDefinition) -> tuple[PlacementConstraint, ...]:
    """The task definition's own placement constraints (memberOf)."""
    return tuple(
        PlacementConstraint(c.type or "memberOf", c.expression) for c in td.placement_constraints
    )
