"""The ECS service aggregate: desired state the service scheduler keeps true.

Pure value objects and the pure transitions the API applies to them (create, update, delete);
the reconcile planners (:mod:`dockyard.reconcile`) move deployments along.

::

    CreateService ──▶ ACTIVE ──DeleteService──▶ DRAINING ──all tasks STOPPED──▶ INACTIVE
                        │ UpdateService (taskDefinition, loadBalancers, forceNewDeployment)
                        ▼
        deployments: [PRIMARY (newest, IN_PROGRESS) , ACTIVE (older, being replaced) ...]
        PRIMARY ──healthy == desired, no older tasks──▶ COMPLETED
        PRIMARY ──circuit breaker──▶ FAILED (──rollback──▶ new PRIMARY on the last COMPLETED)

Invariant: ``deployments`` is newest first and exactly its first item is PRIMARY.
Invariant: ``events`` is newest first and holds at most :data:`MAX_EVENTS` items.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import Enum

from dockyard.domain.errors import InvalidParameterException
from dockyard.infra.ids import RandomSource

__all__ = [
    "MAX_EVENTS",
    "CircuitBreaker",
    "Deployment",
    "DeploymentConfiguration",
    "DeploymentStatus",
    "LoadBalancer",
    "RolloutState",
    "SchedulingStrategy",
    "Service",
    "ServiceEvent",
    "ServiceStatus",
    "TaskDefinitionRef",
    "circuit_breaker_threshold",
    "deployment_id",
    "validate_service_name",
]

SERVICE_NAME_RE = re.compile(r"^[A-Za-z0-9_-]{1,255}$")
MAX_EVENTS = 100
"""ECS returns the latest 100 service events."""

MAX_LOAD_BALANCERS = 5
"""ECS: at most five target groups per service."""


class SchedulingStrategy(Enum):
    REPLICA = "REPLICA"
    DAEMON = "DAEMON"


class ServiceStatus(Enum):
    ACTIVE = "ACTIVE"
    DRAINING = "DRAINING"
    INACTIVE = "INACTIVE"


class DeploymentStatus(Enum):
    PRIMARY = "PRIMARY"
    ACTIVE = "ACTIVE"
    INACTIVE = "INACTIVE"


class RolloutState(Enum):
    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"


@dataclass(frozen=True, slots=True)
class TaskDefinitionRef:
    family: str
    revision: int

    def __str__(self) -> str:
        return f"{self.family}:{self.revision}"


@dataclass(frozen=True, slots=True)
class CircuitBreaker:
    """``deploymentCircuitBreaker``: fail a deployment whose tasks keep failing, and roll
    back to the last COMPLETED one when ``rollback``."""

    enable: bool = False
    rollback: bool = False


@dataclass(frozen=True, slots=True)
class DeploymentConfiguration:
    """minimumHealthyPercent / maximumPercent bound a rollout (ecs-reference §3.3)."""

    minimum_healthy_percent: int = 100
    maximum_percent: int = 200
    circuit_breaker: CircuitBreaker = field(default_factory=CircuitBreaker)

    def bounds(self, desired: int) -> tuple[int, int]:
        """(lowest healthy count, highest RUNNING + PENDING count) for ``desired`` tasks:
        ``ceil(D × min / 100)`` and ``floor(D × max / 100)``."""
        low = math.ceil(desired * self.minimum_healthy_percent / 100)
        high = math.floor(desired * self.maximum_percent / 100)
        return low, high


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    target_group_arn: str | None = None
    load_balancer_name: str | None = None
    container_name: str | None = None
    container_port: int | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Deployment:
    """One revision the service rolls to. ``failed_tasks`` counts failures for the circuit
    breaker; running / pending counts are derived from the tasks at describe time."""

    deployment_id: str
    task_definition: TaskDefinitionRef
    status: DeploymentStatus
    rollout_state: RolloutState
    rollout_state_reason: str
    created_at: datetime
    updated_at: datetime
    desired_count: int = 0
    failed_tasks: int = 0
    launch_type: str = "EC2"
    adopted: tuple[str, ...] = ()
    """Older deployments whose tasks this one counts as its own: a rollback adopts the
    running tasks of the deployment it returns to instead of replacing them."""

    def owns(self, started_by: str | None) -> bool:
        return started_by == self.deployment_id or started_by in self.adopted


@dataclass(frozen=True, slots=True)
class ServiceEvent:
    event_id: str
    created_at: datetime
    message: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Service:
    """A service as stored. Controller state (throttle, accounted task ids, steadiness) lives
    here too, so a restarted control plane continues exactly where the last one stopped.

    ``accounted_stopped`` holds ids of STOPPED tasks whose stop was already counted (circuit
    breaker, restart throttle); ``start_failures`` and ``next_start_at`` are the restart
    throttle; ``last_completed`` is the rollback target.
    """

    name: str
    region: str
    cluster: str
    task_definition: TaskDefinitionRef
    created_at: datetime
    created_by: str
    status: ServiceStatus = ServiceStatus.ACTIVE
    scheduling_strategy: SchedulingStrategy = SchedulingStrategy.REPLICA
    desired_count: int = 0
    launch_type: str = "EC2"
    placement_constraints: tuple[tuple[str, str | None], ...] = ()
    placement_strategy: tuple[tuple[str, str | None], ...] = ()
    deployment_configuration: DeploymentConfiguration = field(
        default_factory=DeploymentConfiguration
    )
    health_check_grace_period_seconds: int = 0
    propagate_tags: str = "NONE"
    enable_ecs_managed_tags: bool = False
    enable_execute_command: bool = False
    load_balancers: tuple[LoadBalancer, ...] = ()
    deployments: tuple[Deployment, ...] = ()
    events: tuple[ServiceEvent, ...] = ()
    client_token: str | None = None
    last_completed: Deployment | None = None
    start_failures: int = 0
    next_start_at: datetime | None = None
    accounted_stopped: frozenset[str] = frozenset()
    steady: bool = False
    version: int = field(default=0, compare=False)

    @property
    def primary(self) -> Deployment:
        return self.deployments[0]

    def owner(self, started_by: str | None) -> str | None:
        """The id of the deployment a task started by ``started_by`` belongs to."""
        return next((d.deployment_id for d in self.deployments if d.owns(started_by)), None)

    @property
    def group(self) -> str:
        """The task group of the service's tasks (``service:NAME``)."""
        return f"service:{self.name}"

    def with_events(self, messages: list[str], now: datetime, rng: RandomSource) -> Service:
        """``messages`` added newest first (in the given order, the last is newest). A message
        equal to the newest existing one is not repeated (ECS suppresses duplicates)."""
        events = list(self.events)
        for message in messages:
            if events and events[0].message == message:
                continue
            events.insert(0, ServiceEvent(_uuid(rng), now, message))
        return replace(self, events=tuple(events[:MAX_EVENTS]))

    def with_new_deployment(
        self,
        task_definition: TaskDefinitionRef,
        now: datetime,
        rng: RandomSource,
        *,
        reason: str,
        adopt: tuple[str, ...] = (),
    ) -> Service:
        """A new PRIMARY on ``task_definition``; the old primary becomes ACTIVE; the restart
        throttle resets (ECS: updating the service resets it)."""
        new_id = deployment_id(rng)
        deployment = Deployment(
            deployment_id=new_id,
            task_definition=task_definition,
            status=DeploymentStatus.PRIMARY,
            rollout_state=RolloutState.IN_PROGRESS,
            rollout_state_reason=reason.format(id=new_id),
            created_at=now,
            updated_at=now,
            desired_count=self.desired_count,
            launch_type=self.launch_type,
            adopted=adopt,
        )
        older = tuple(
            replace(d, status=DeploymentStatus.ACTIVE, updated_at=now) for d in self.deployments
        )
        return replace(
            self,
            task_definition=task_definition,
            deployments=(deployment, *older),
            start_failures=0,
            next_start_at=None,
            steady=False,
        )


IN_PROGRESS_REASON = "ECS deployment {id} in progress."


def deployment_id(rng: RandomSource) -> str:
    """ECS's deployment id form: ``ecs-svc/`` and 19 digits."""
    number = int.from_bytes(rng.token_bytes(8), "big") % 10**19
    return f"ecs-svc/{number:019d}"


def circuit_breaker_threshold(desired: int) -> int:
    """Failed tasks that fail a deployment: ``clamp(ceil(0.5 × desired), 3, 200)``."""
    return min(max(math.ceil(0.5 * desired), 3), 200)


def validate_service_name(name: str) -> None:
    if not SERVICE_NAME_RE.match(name):
        raise InvalidParameterException(
            "Service name must be 1-255 characters: letters, numbers, hyphens and underscores."
        )


def _uuid(rng: RandomSource) -> str:
    h = rng.token_bytes(16).hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
