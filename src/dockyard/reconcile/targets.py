"""Load-balancer targets of a service's tasks: which targets a task is, whether they are
healthy, and the register / drain / stop sequence (ecs-reference §3.6). Pure.

::

    RUNNING task ──register──▶ target initial ──checks pass──▶ healthy (counts for min %)
    scheduler decides a stop ──▶ deregister (target draining, task "draining")
        ──deregistration delay──▶ StopTask (SIGTERM only after the drain)

A task is an ``instance`` target (its instance's ``i-…`` id and the host port Docker published
for the container port) or an ``ip`` target (the published address and host port).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dockyard.domain.service import LoadBalancer
from dockyard.domain.task import Task
from dockyard.placement import InstanceSnapshot

__all__ = ["TargetGroupView", "TargetKey", "TargetRef", "lb_health", "task_targets"]

TargetKey = tuple[str, int]
"""(target id, port) as ELBv2 names a target."""


@dataclass(frozen=True, slots=True)
class TargetGroupView:
    """What the planner needs of one target group: its type, drain time, who is registered
    (not draining) and the data plane's observed health per target."""

    arn: str
    target_type: str = "instance"
    deregistration_delay: timedelta = timedelta(seconds=300)
    registered: frozenset[TargetKey] = frozenset()
    health: Mapping[TargetKey, str] = field(default_factory=dict)
    """``healthy`` / ``unhealthy`` / ``initial``; absent means not observed yet."""


@dataclass(frozen=True, slots=True)
class TargetRef:
    target_group_arn: str
    key: TargetKey


def task_targets(
    task: Task,
    balancers: Sequence[LoadBalancer],
    groups: Mapping[str, TargetGroupView],
    instances: Mapping[str, InstanceSnapshot],
) -> list[TargetRef]:
    """The targets ``task`` is in its service's target groups (none until its ports are
    published, i.e. until it reports network bindings)."""
    refs = []
    for lb in balancers:
        group = groups.get(lb.target_group_arn or "")
        container = task.container(lb.container_name or "")
        if group is None or container is None:
            continue
        binding = next(
            (b for b in container.network_bindings if b.container_port == lb.container_port),
            None,
        )
        if binding is None:
            continue
        if group.target_type == "ip":
            address = binding.bind_ip if binding.bind_ip not in ("", "0.0.0.0") else "127.0.0.1"
            refs.append(TargetRef(group.arn, (address, binding.host_port)))
            continue
        instance = instances.get(task.instance_id or "")
        if instance is not None and instance.ec2_instance_id:
            refs.append(TargetRef(group.arn, (instance.ec2_instance_id, binding.host_port)))
    return refs


def lb_health(refs: Iterable[TargetRef], groups: Mapping[str, TargetGroupView]) -> str | None:
    """A task's load-balancer health over all its targets: ``unhealthy`` if any is,
    ``healthy`` if all are, else ``initial``; None when it has no target."""
    states = [groups[r.target_group_arn].health.get(r.key, "initial") for r in refs]
    if not states:
        return None
    if "unhealthy" in states:
        return "unhealthy"
    return "healthy" if all(s == "healthy" for s in states) else "initial"


def registered(refs: Iterable[TargetRef], groups: Mapping[str, TargetGroupView]) -> list[TargetRef]:
    return [r for r in refs if r.key in groups[r.target_group_arn].registered]


def drain_until(
    refs: Iterable[TargetRef], groups: Mapping[str, TargetGroupView], now: datetime
) -> datetime:
    """When the longest deregistration delay of ``refs``' groups has passed."""
    delays = [groups[r.target_group_arn].deregistration_delay for r in refs]
    return now + max(delays, default=timedelta(0))
