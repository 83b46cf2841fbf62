"""What a service planner decides: value objects the applier commits in one transaction."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dockyard.domain.service import Service, TaskDefinitionRef
from dockyard.domain.task import Task
from dockyard.placement import InstanceSnapshot, PlacementConstraint

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
    task_id: str
    reason: str


@dataclass(frozen=True, slots=True)
class ServicePlan:
    """The service as it should be stored, the tasks to launch and to stop, and when the
    planner must run again even if nothing else happens (a clock-driven change)."""

    service: Service
    starts: tuple[StartTasks, ...] = ()
    stops: tuple[StopTask, ...] = ()
    next_check_at: datetime | None = None
    notes: tuple[str, ...] = field(default=())

    @property
    def start_count(self) -> int:
        return sum(s.count for s in self.starts)
