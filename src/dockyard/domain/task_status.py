"""Ordered task and container lifecycles, stop codes and the task-health rule.

Pure: standard library only; no clock, no I/O. Every lifecycle is an :class:`OrderedStatus`
whose members are declared in lifecycle order, plus an explicit table of legal next statuses.

::

    task lastStatus      PROVISIONING → PENDING → ACTIVATING → RUNNING → DEACTIVATING
                         → STOPPING → DEPROVISIONING → STOPPED
    task desiredStatus   PENDING → RUNNING → STOPPED
    container (ECS)      PENDING → RUNNING → STOPPED
    container (agent)    NONE → MANIFEST_PULLED → PULLED → CREATED → RUNNING
                         → RESOURCES_PROVISIONED → STOPPED      (any state may jump to STOPPED)

Invariant: every entry of a transition table moves strictly forward (later ``rank``).
Invariant: a terminal status (STOPPED) has no successors.
Invariant: :func:`advance` never returns a status earlier than ``current``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import Enum
from typing import TypeVar

__all__ = [
    "ESSENTIAL_CONTAINER_EXITED_REASON",
    "AgentContainerStatus",
    "ContainerStatus",
    "DesiredStatus",
    "HealthReport",
    "HealthStatus",
    "OrderedStatus",
    "StopCode",
    "TaskStatus",
    "advance",
    "can_transition",
    "task_health",
]

ESSENTIAL_CONTAINER_EXITED_REASON = "Essential container in task exited"
"""The ``stoppedReason`` ECS gives with stopCode ``EssentialContainerExited``."""


class OrderedStatus(Enum):
    """Base of the lifecycle enums: members are declared in lifecycle order.

    Invariant: ``a.rank < b.rank`` iff ``a`` comes before ``b`` in its lifecycle.
    """

    @property
    def rank(self) -> int:
        """Position in the lifecycle, 0 for the first status."""
        return type(self)._member_names_.index(self.name)

    @property
    def successors(self) -> frozenset[OrderedStatus]:
        """The statuses this one may legally move to next (empty when terminal)."""
        return _SUCCESSORS[self]

    @property
    def is_terminal(self) -> bool:
        return not _SUCCESSORS[self]


class TaskStatus(OrderedStatus):
    """A task's ``lastStatus`` as ECS reports it."""

    PROVISIONING = "PROVISIONING"
    PENDING = "PENDING"
    ACTIVATING = "ACTIVATING"
    RUNNING = "RUNNING"
    DEACTIVATING = "DEACTIVATING"
    STOPPING = "STOPPING"
    DEPROVISIONING = "DEPROVISIONING"
    STOPPED = "STOPPED"


class DesiredStatus(OrderedStatus):
    """A task's ``desiredStatus``. ECS only ever sets RUNNING or STOPPED; ListTasks accepts
    PENDING as a filter value that matches nothing."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class ContainerStatus(OrderedStatus):
    """A container's ``lastStatus`` as ECS reports it."""

    PENDING = "PENDING"
    RUNNING = "RUNNING"
    STOPPED = "STOPPED"


class AgentContainerStatus(OrderedStatus):
    """The agent's finer container states (amazon-ecs-agent ``ContainerStatus``).

    RESOURCES_PROVISIONED is the steady state of agent-internal containers (e.g. a pause
    container after CNI setup); task-definition containers are steady at RUNNING. The agent's
    ``RESTARTING`` (restartPolicy) and ``ZOMBIE`` (an impossible upper bound used as a loop
    sentinel) are not modelled.
    """

    NONE = "NONE"
    MANIFEST_PULLED = "MANIFEST_PULLED"
    PULLED = "PULLED"
    CREATED = "CREATED"
    RUNNING = "RUNNING"
    RESOURCES_PROVISIONED = "RESOURCES_PROVISIONED"
    STOPPED = "STOPPED"

    @property
    def reported(self) -> ContainerStatus:
        """The ECS-reported status: pre-start states are PENDING, both running states RUNNING."""
        return _REPORTED[self]

    @property
    def is_running(self) -> bool:
        return self in (AgentContainerStatus.RUNNING, AgentContainerStatus.RESOURCES_PROVISIONED)


class StopCode(Enum):
    """ECS ``TaskStopCode`` values, spelled as on the wire."""

    TASK_FAILED_TO_START = "TaskFailedToStart"
    ESSENTIAL_CONTAINER_EXITED = "EssentialContainerExited"
    USER_INITIATED = "UserInitiated"
    SERVICE_SCHEDULER_INITIATED = "ServiceSchedulerInitiated"
    SPOT_INTERRUPTION = "SpotInterruption"
    TERMINATION_NOTICE = "TerminationNotice"


class HealthStatus(Enum):
    """Container and task ``healthStatus``. UNKNOWN is also the value with no health check."""

    HEALTHY = "HEALTHY"
    UNHEALTHY = "UNHEALTHY"
    UNKNOWN = "UNKNOWN"


@dataclass(frozen=True, slots=True)
class HealthReport:
    """One container's contribution to task health."""

    essential: bool
    has_health_check: bool
    status: HealthStatus = HealthStatus.UNKNOWN


def task_health(reports: Iterable[HealthReport]) -> HealthStatus:
    """The task's ``healthStatus`` from its containers', as ECS computes it.

    The deciding containers are the essential ones that declare a health check; only when no
    essential container declares one do non-essential checked containers decide. Among the
    deciders, UNHEALTHY beats UNKNOWN beats HEALTHY. No checked container at all gives UNKNOWN.
    A container without a health check never decides (its UNKNOWN is left out, as observed in
    aws/amazon-ecs-agent#4094).

    Invariant: HEALTHY only if every deciding container is HEALTHY.
    """
    checked = [r for r in reports if r.has_health_check]
    deciders = [r for r in checked if r.essential] or checked
    statuses = {r.status for r in deciders}
    if not statuses:
        return HealthStatus.UNKNOWN
    for status in (HealthStatus.UNHEALTHY, HealthStatus.UNKNOWN):
        if status in statuses:
            return status
    return HealthStatus.HEALTHY


S = TypeVar("S", bound=OrderedStatus)


def advance(current: S, proposed: S) -> S:
    """The later of ``current`` and ``proposed``: how a known status absorbs a report.

    Invariant: ``advance(c, p).rank >= c.rank`` and the result is one of the two arguments.
    Raises TypeError when the two come from different lifecycles.
    """
    _same_lifecycle(current, proposed)
    return proposed if proposed.rank > current.rank else current


def can_transition(current: S, proposed: S) -> bool:
    """True iff ``proposed`` is a legal next status after ``current`` (its transition table).

    Invariant: ``can_transition(a, b)`` implies ``b.rank > a.rank``; never true for a == b.
    Raises TypeError when the two come from different lifecycles.
    """
    _same_lifecycle(current, proposed)
    return proposed in _SUCCESSORS[current]


def _same_lifecycle(a: OrderedStatus, b: OrderedStatus) -> None:
    if type(a) is not type(b):
        raise TypeError(f"{a!r} and {b!r} belong to different lifecycles")


def _table(rows: Mapping[S, Iterable[S]]) -> dict[OrderedStatus, frozenset[OrderedStatus]]:
    return {status: frozenset(nexts) for status, nexts in rows.items()}


_T = TaskStatus
_A = AgentContainerStatus

_SUCCESSORS: dict[OrderedStatus, frozenset[OrderedStatus]] = {
    # Every phase but PROVISIONING may be skipped: ACTIVATING / DEACTIVATING only happen with
    # load balancers or service discovery, and the agent's PENDING/RUNNING/STOPPED reports are
    # coalesced. A task that never left PROVISIONING is torn down, never started.
    **_table(
        {
            _T.PROVISIONING: (_T.PENDING, _T.DEPROVISIONING, _T.STOPPED),
            _T.PENDING: (
                _T.ACTIVATING,
                _T.RUNNING,
                _T.DEACTIVATING,
                _T.STOPPING,
                _T.DEPROVISIONING,
                _T.STOPPED,
            ),
            _T.ACTIVATING: (
                _T.RUNNING,
                _T.DEACTIVATING,
                _T.STOPPING,
                _T.DEPROVISIONING,
                _T.STOPPED,
            ),
            _T.RUNNING: (_T.DEACTIVATING, _T.STOPPING, _T.DEPROVISIONING, _T.STOPPED),
            _T.DEACTIVATING: (_T.STOPPING, _T.DEPROVISIONING, _T.STOPPED),
            _T.STOPPING: (_T.DEPROVISIONING, _T.STOPPED),
            _T.DEPROVISIONING: (_T.STOPPED,),
            _T.STOPPED: (),
        }
    ),
    **_table(
        {
            DesiredStatus.PENDING: (DesiredStatus.RUNNING, DesiredStatus.STOPPED),
            DesiredStatus.RUNNING: (DesiredStatus.STOPPED,),
            DesiredStatus.STOPPED: (),
        }
    ),
    **_table(
        {
            ContainerStatus.PENDING: (ContainerStatus.RUNNING, ContainerStatus.STOPPED),
            ContainerStatus.RUNNING: (ContainerStatus.STOPPED,),
            ContainerStatus.STOPPED: (),
        }
    ),
    # The agent steps one state at a time towards RUNNING, or jumps straight to STOPPED.
    **_table(
        {
            _A.NONE: (_A.MANIFEST_PULLED, _A.STOPPED),
            _A.MANIFEST_PULLED: (_A.PULLED, _A.STOPPED),
            _A.PULLED: (_A.CREATED, _A.STOPPED),
            _A.CREATED: (_A.RUNNING, _A.STOPPED),
            _A.RUNNING: (_A.RESOURCES_PROVISIONED, _A.STOPPED),
            _A.RESOURCES_PROVISIONED: (_A.STOPPED,),
            _A.STOPPED: (),
        }
    ),
}

_REPORTED: dict[AgentContainerStatus, ContainerStatus] = {
    _A.NONE: ContainerStatus.PENDING,
    _A.MANIFEST_PULLED: ContainerStatus.PENDING,
    _A.PULLED: ContainerStatus.PENDING,
    _A.CREATED: ContainerStatus.PENDING,
    _A.RUNNING: ContainerStatus.RUNNING,
    _A.RESOURCES_PROVISIONED: ContainerStatus.RUNNING,
    _A.STOPPED: ContainerStatus.STOPPED,
}
