"""What a service planner decides: value objects the applier commits in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dockyard.domain.service import Service, TaskDefinitionRef
from dockyard.domain.task import Task
from dockyard.placement import InstanceSnapshot, PlacementConstraint
from dockyard.reconcile.targets import TargetGroupView, TargetRef

__all__ = ["ServicePlan", "ServiceSnapshot", "StartTasks", "StopTask"]


@dataclass(frozen=True, slots=True)
class ServiceSnapshot:
    """Everything a planner reads: the service, its tasks (live and recently STOPPED), the
    cluster's registered instances (ACTIVE and DRAINING), and the clock reading.

    ``constraints`` are the service's placement constraints plus its task definition's
    (DAEMON eligibility). ``healthy_after`` is the 40-second rule (a setting for tests).
    """

    service: Service
    tasks: tuple[Task, ...]
    instances: tuple[InstanceSnapshot, ...]
    now: datetime
    constraints: tuple[PlacementConstraint, ...] = ()
    healthy_after: timedelta = timedelta(seconds=40)
    target_groups: Mapping[str, TargetGroupView] = field(default_factory=dict)
    """The service's target groups (empty without load balancers)."""


@dataclass(frozen=True, slots=True)
class StartTasks:
    """Launch ``count`` tasks of a deployment; ``instance_ids`` pins them (DAEMON), else the
    applier places them with the service's constraints and strategies."""

    deployment_id: str
    task_definition: TaskDefinitionRef
    count: int
    instance_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StopTask:
    """Stop a task; with ``drain_until`` its targets are deregistered first and its agent
    keeps it running (DEACTIVATING) until then."""

    task_id: str
    reason: str
    drain_until: datetime | None = None


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """The service as it should be stored, the tasks to launch and to stop, and when the
    planner must run again even if nothing else happens (a clock-driven change)."""

    service: Service
    starts: tuple[StartTasks, ...] = ()
    stops: tuple[StopTask, ...] = ()
    next_check_at: datetime | None = None
    notes: tuple[str, ...] = field(default=())
    registers: tuple[TargetRef, ...] = ()
    deregisters: tuple[TargetRef, ...] = ()
    releases: tuple[str, ...] = ()
    """DEACTIVATING tasks whose drain is over: their agents may stop them now."""

    @property
    def start_count(self) -> int:
        return sum(s.count for s in self.starts)
