"""A tiny ``QueryTarget`` for the query-language tests, and a one-line way to evaluate."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from dockyard.placement.query import QueryTarget, compile_expression

REGISTERED = datetime(2018, 6, 18, 22, 28, 28, tzinfo=UTC)


def _attributes() -> Mapping[str, str | None]:
    return {
        "ecs.instance-type": "t2.small",
        "ecs.availability-zone": "us-east-1a",
        "ecs.os-type": "linux",
        "stack": "prod",
        "ecs.capability.container-health-check": None,  # name-only (a capability)
    }


@dataclass(frozen=True)
class Target:
    """An instance as the query language sees it; every field has a readable default."""

    instance_id: str = "4f1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e"
    ec2_instance_id: str = "i-abcd1234"
    attributes: Mapping[str, str | None] = field(default_factory=_attributes)
    agent_connected: bool = True
    agent_version: str | None = "1.14.5"
    registered_at: datetime | None = REGISTERED
    running_tasks_count: int = 1
    task_groups: frozenset[str] = frozenset({"service:production", "family:web"})


DEFAULT = Target()


def matches(expression: str, target: QueryTarget = DEFAULT) -> bool:
    return compile_expression(expression).matches(target)
