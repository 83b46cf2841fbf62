"""Inputs and outputs of the agent's task state machine: frozen value objects, no behaviour.

The worker that owns a task builds a :class:`TaskView` from what it knows, asks
:func:`dockyard.agent.statemachine.next_steps` for a :data:`Plan`, performs the steps (Docker
calls for container steps, a recorded status change for task steps) and asks again when an event
arrives or a :class:`Wait` deadline passes.

Invariant: every container step names its target status in ``target``; applying a step sets the
container's known status to exactly that target.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum
from typing import ClassVar

from dockyard.domain.task_status import (
    AgentContainerStatus,
    DesiredStatus,
    HealthStatus,
    StopCode,
    TaskStatus,
)

__all__ = [
    "DEFAULT_STOP_TIMEOUT",
    "DEPENDENCY_FAILED_EXIT_CODE",
    "ContainerDependency",
    "ContainerStep",
    "ContainerView",
    "CreateContainer",
    "DependencyCondition",
    "MarkContainerStopped",
    "MarkTaskRunning",
    "MarkTaskStopped",
    "Plan",
    "PrepareTaskResources",
    "PullImage",
    "ResolveManifest",
    "StartContainer",
    "Step",
    "StopContainer",
    "StopTask",
    "TaskView",
    "Wait",
]

DEFAULT_STOP_TIMEOUT = timedelta(seconds=30)
"""``ECS_CONTAINER_STOP_TIMEOUT`` default: grace between the stop signal and SIGKILL."""

DEPENDENCY_FAILED_EXIT_CODE = 143
"""The agent reports a container that can never start (terminal dependency error) as stopped
with 143, Docker's code for SIGTERM, though no signal was sent."""

_AGENT_TASK_STATUSES = frozenset({TaskStatus.PENDING, TaskStatus.RUNNING, TaskStatus.STOPPED})
_CONTAINER_GOALS = frozenset({AgentContainerStatus.RUNNING, AgentContainerStatus.STOPPED})


class DependencyCondition(Enum):
    """``dependsOn[].condition``: what the dependency must reach before the dependent starts."""

    START = "START"
    COMPLETE = "COMPLETE"
    SUCCESS = "SUCCESS"
    HEALTHY = "HEALTHY"


@dataclass(frozen=True, slots=True)
class ContainerDependency:
    container_name: str
    condition: DependencyCondition


@dataclass(frozen=True, slots=True)
class ContainerView:
    """What the worker knows about one container of the task.

    ``start_timeout`` is this container's ``startTimeout``: how long its dependents wait, from
    ``started_at``, for it to reach COMPLETE, SUCCESS or HEALTHY.

    Invariant: ``desired`` is RUNNING or STOPPED (checked on construction).
    """

    name: str
    known: AgentContainerStatus = AgentContainerStatus.NONE
    desired: AgentContainerStatus = AgentContainerStatus.RUNNING
    essential: bool = True
    exit_code: int | None = None
    health: HealthStatus = HealthStatus.UNKNOWN
    has_health_check: bool = False
    depends_on: tuple[ContainerDependency, ...] = ()
    start_timeout: timedelta | None = None
    stop_timeout: timedelta = DEFAULT_STOP_TIMEOUT
    started_at: datetime | None = None

    def __post_init__(self) -> None:
        if self.desired not in _CONTAINER_GOALS:
            raise ValueError(f"container desired status must be RUNNING or STOPPED: {self!r}")

    @property
    def has_started(self) -> bool:
        """True once the container ever ran (a STOPPED container knows via ``started_at``)."""
        return self.started_at is not None or self.known.is_running


@dataclass(frozen=True, slots=True)
class TaskView:
    """What the worker knows about its task.

    Precondition: ``dependsOn`` is acyclic (task-definition validation guarantees it).
    Invariant: ``last_status`` is PENDING, RUNNING or STOPPED, the only task statuses an agent
    reports; container names are unique (both checked on construction).
    """

    containers: tuple[ContainerView, ...]
    desired: DesiredStatus = DesiredStatus.RUNNING
    last_status: TaskStatus = TaskStatus.PENDING
    stop_code: StopCode | None = None
    stopped_reason: str | None = None
    resources_ready: bool = True
    """False while the task's role credentials, secrets or environment files (what containers
    are created with) have not been fetched by this agent process."""

    def __post_init__(self) -> None:
        if self.last_status not in _AGENT_TASK_STATUSES:
            raise ValueError(f"an agent task is PENDING, RUNNING or STOPPED: {self.last_status}")
        names = [c.name for c in self.containers]
        if len(set(names)) != len(names):
            raise ValueError(f"container names repeat: {names}")

    def container(self, name: str) -> ContainerView | None:
        return next((c for c in self.containers if c.name == name), None)


@dataclass(frozen=True, slots=True)
class PrepareTaskResources:
    """Fetch the task role's credentials and, with the execution role, the secrets and
    environment files of the containers still to be created (the ECS agent's task resources).
    Failure stops the task with ``TaskFailedToStart`` and a ``ResourceInitializationError``."""


@dataclass(frozen=True, slots=True)
class ResolveManifest:
    """Resolve the image manifest (digest) before pulling."""

    container: str
    target: ClassVar[AgentContainerStatus] = AgentContainerStatus.MANIFEST_PULLED


@dataclass(frozen=True, slots=True)
class PullImage:
    container: str
    target: ClassVar[AgentContainerStatus] = AgentContainerStatus.PULLED


@dataclass(frozen=True, slots=True)
class CreateContainer:
    container: str
    target: ClassVar[AgentContainerStatus] = AgentContainerStatus.CREATED


@dataclass(frozen=True, slots=True)
class StartContainer:
    container: str
    target: ClassVar[AgentContainerStatus] = AgentContainerStatus.RUNNING


@dataclass(frozen=True, slots=True)
class StopContainer:
    """Send the stop signal; SIGKILL after ``timeout``."""

    container: str
    timeout: timedelta
    target: ClassVar[AgentContainerStatus] = AgentContainerStatus.STOPPED


@dataclass(frozen=True, slots=True)
class MarkContainerStopped:
    """Record STOPPED for a container that never ran: no Docker call is needed."""

    container: str
    reason: str | None = None
    exit_code: int | None = None
    target: ClassVar[AgentContainerStatus] = AgentContainerStatus.STOPPED


@dataclass(frozen=True, slots=True)
class StopTask:
    """Set the task's desiredStatus to STOPPED with this stopCode and stoppedReason.

    Invariant: a recorded stopCode is never replaced; the first decision wins.
    """

    stop_code: StopCode
    reason: str


@dataclass(frozen=True, slots=True)
class MarkTaskRunning:
    target: ClassVar[TaskStatus] = TaskStatus.RUNNING


@dataclass(frozen=True, slots=True)
class MarkTaskStopped:
    """Every container is STOPPED: the task's lastStatus becomes STOPPED."""

    stop_code: StopCode | None
    reason: str | None
    target: ClassVar[TaskStatus] = TaskStatus.STOPPED


@dataclass(frozen=True, slots=True)
class Wait:
    """Nothing can move until an event arrives, or until ``until`` (a startTimeout deadline)."""

    reason: str
    until: datetime | None = None


ContainerStep = (
    ResolveManifest
    | PullImage
    | CreateContainer
    | StartContainer
    | StopContainer
    | MarkContainerStopped
)
Step = ContainerStep | PrepareTaskResources | StopTask | MarkTaskRunning | MarkTaskStopped | Wait
Plan = tuple[Step, ...]
"""Steps to perform now, in order. Empty only once the task is STOPPED; a :class:`Wait` or a
:class:`PrepareTaskResources` is always the plan's only step."""
