"""Application Auto Scaling for ECS services: the aggregate values and their rules (pure).

A *scalable target* (``service/CLUSTER/SERVICE`` + ``ecs:service:DesiredCount``) owns its
*scaling policies* (target tracking or step scaling), *scheduled actions* and the history of
*scaling activities*. The capacity arithmetic is in ``autoscaling_math``, schedules in
``autoscaling_schedule`` and the target-tracking alarm definitions in ``autoscaling_alarms``.

Errors (all HTTP 400, Application Auto Scaling's ``__type`` codes)::

    ApiError
    ├── AutoScalingValidationException  ValidationException
    ├── ObjectNotFoundException         unknown target / policy / scheduled action
    ├── ConcurrentUpdateException       a conflicting change in flight
    └── AutoScalingLimitExceeded        LimitExceededException (quotas of §9.1)
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from dockyard.domain.errors import ApiError

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
DEFAULT_COOLDOWN = 300
"""ECS's default cooldown (seconds) for target tracking scale-out/in and step policies."""

MAX_POLICIES_PER_TARGET = 50
MAX_SCHEDULED_ACTIONS_PER_TARGET = 200
MAX_STEP_ADJUSTMENTS = 20
MAX_TARGETS_PER_REGION = 3000

TARGET_TRACKING = "TargetTrackingScaling"
STEP_SCALING = "StepScaling"

_RESOURCE_ID = re.compile(r"^service/([^/]+)/([^/]+)$")
_BAD_NAME = re.compile(r"[:/|\x00-\x1f\x7f]")


class AutoScalingValidationException(ApiError):
    code = "ValidationException"


class ObjectNotFoundException(ApiError):
    code = "ObjectNotFoundException"


class ConcurrentUpdateException(ApiError):
    code = "ConcurrentUpdateException"


class AutoScalingLimitExceeded(ApiError):
    code = "LimitExceededException"


@dataclass(frozen=True, slots=True)
class SuspendedState:
    """Which kinds of scaling are paused; all False by default."""

    dynamic_in: bool = False
    dynamic_out: bool = False
    scheduled: bool = False


@dataclass(frozen=True, slots=True)
class ScalingState:
    """The cooldown clock of a target, written by the scaling controller.

    ``scale_out_added`` is the capacity added by the last scale-out; during the scale-out
    cooldown it counts toward the next scale-out (AWS: the next one only adds the difference).
    ``clamp_pending``: min/max changed; the controller must move the desired count into them.
    """

    last_scale_out_at: datetime | None = None
    last_scale_in_at: datetime | None = None
    scale_out_added: int = 0
    clamp_pending: bool = False


@dataclass(frozen=True, slots=True)
class ScalableTarget:
    """A registered ``ecs:service:DesiredCount`` dimension.

    Invariant: ``0 <= min_capacity <= max_capacity``.
    """

    region: str
    resource_id: str
    min_capacity: int
    max_capacity: int
    arn: str
    created_at: datetime
    role_arn: str | None = None
    suspended: SuspendedState = SuspendedState()
    state: ScalingState = ScalingState()

    @property
    def cluster(self) -> str:
        return parse_resource_id(self.resource_id)[0]

    @property
    def service(self) -> str:
        return parse_resource_id(self.resource_id)[1]


@dataclass(frozen=True, slots=True)
class StepAdjustment:
    """One step: offsets from the alarm threshold (``None`` = unbounded) and the adjustment."""

    lower: float | None
    upper: float | None
    adjustment: int


@dataclass(frozen=True, slots=True)
class StepScalingConfig:
    adjustment_type: str
    steps: tuple[StepAdjustment, ...]
    min_adjustment_magnitude: int | None = None
    cooldown: int = DEFAULT_COOLDOWN
    aggregation: str | None = None


@dataclass(frozen=True, slots=True)
class MetricSpec:
    """The metric a target-tracking policy follows (predefined types are resolved to it)."""

    namespace: str
    name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    unit: str | None = None
    predefined_type: str | None = None
    resource_label: str | None = None


@dataclass(frozen=True, slots=True)
class TargetTrackingConfig:
    target_value: float
    metric: MetricSpec
    scale_out_cooldown: int = DEFAULT_COOLDOWN
    scale_in_cooldown: int = DEFAULT_COOLDOWN
    disable_scale_in: bool = False


@dataclass(frozen=True, slots=True)
class AlarmRef:
    name: str
    arn: str


@dataclass(frozen=True, slots=True)
class ScalingPolicy:
    """Invariant: exactly one of ``step`` / ``target`` is set, matching ``policy_type``."""

    region: str
    resource_id: str
    name: str
    arn: str
    policy_type: str
    created_at: datetime
    step: StepScalingConfig | None = None
    target: TargetTrackingConfig | None = None
    alarms: tuple[AlarmRef, ...] = ()


@dataclass(frozen=True, slots=True)
class ScheduledAction:
    """A schedule (``at()``/``rate()``/``cron()``) that replaces the target's min and/or max.

    ``next_fire`` is the next UTC time it is due (``None``: never again).
    """

    region: str
    resource_id: str
    name: str
    arn: str
    schedule: str
    created_at: datetime
    timezone: str = "UTC"
    start: datetime | None = None
    end: datetime | None = None
    min_capacity: int | None = None
    max_capacity: int | None = None
    next_fire: datetime | None = None


ACTIVITY_STATUSES = (
    "Pending",
    "InProgress",
    "Successful",
    "Overridden",
    "Unfulfilled",
    "Failed",
)


@dataclass(frozen=True, slots=True)
class ScalingActivity:
    region: str
    resource_id: str
    activity_id: str
    description: str
    cause: str
    start: datetime
    status: str = "Successful"
    end: datetime | None = None
    status_message: str | None = None
    details: dict[str, str] = field(default_factory=dict)


def parse_resource_id(resource_id: str) -> tuple[str, str]:
    """``service/CLUSTER/SERVICE`` → (cluster, service); ValidationException otherwise."""
    match = _RESOURCE_ID.match(resource_id)
    if match is None:
        raise AutoScalingValidationException(
            f"Unsupported resource ID {resource_id!r}: ECS resource IDs have the form "
            "service/<clusterName>/<serviceName>."
        )
    return match.group(1), match.group(2)


def check_namespace(namespace: str, dimension: str | None = None) -> None:
    """Only ``ecs`` and ``ecs:service:DesiredCount`` are implemented."""
    if namespace != NAMESPACE:
        raise AutoScalingValidationException(
            f"Unsupported service namespace {namespace!r}: Dockyard only scales 'ecs'."
        )
    if dimension is not None and dimension != DIMENSION:
        raise AutoScalingValidationException(
            f"Unsupported scalable dimension {dimension!r} for namespace ecs."
        )


def check_capacities(min_capacity: int, max_capacity: int) -> None:
    if min_capacity < 0 or max_capacity < 0:
        raise AutoScalingValidationException("Capacities must not be negative.")
    if min_capacity > max_capacity:
        raise AutoScalingValidationException(
            f"Minimum capacity cannot be greater than maximum capacity "
            f"({min_capacity} > {max_capacity})."
        )


def check_policy_name(name: str) -> None:
    """Policy names: 1–256 printable characters (the model's ``\\p{Print}+``)."""
    if not name or len(name) > 256 or not name.isprintable():
        raise AutoScalingValidationException(
            f"Policy name {name!r} is invalid: it must be 1-256 printable characters."
        )


def check_name(kind: str, name: str) -> None:
    """Scheduled-action names: 1–256 chars, no edge spaces, ``:`` ``/`` ``|`` or controls."""
    if not name or len(name) > 256 or name != name.strip() or _BAD_NAME.search(name):
        raise AutoScalingValidationException(
            f"{kind} name {name!r} is invalid: it must be 1-256 characters without leading or "
            "trailing spaces, ':', '/', '|' or control characters."
        )


def target_arn(region: str, account: str, target_id: str) -> str:
    return f"arn:aws:application-autoscaling:{region}:{account}:scalable-target/{target_id}"


def policy_arn(region: str, account: str, uuid: str, resource_id: str, name: str) -> str:
    return (
        f"arn:aws:autoscaling:{region}:{account}:scalingPolicy:{uuid}:"
        f"resource/ecs/{resource_id}:policyName/{name}"
    )


def is_policy_arn(arn: str) -> bool:
    """Whether an alarm action names an Application Auto Scaling policy."""
    return arn.startswith("arn:aws:autoscaling:") and ":scalingPolicy:" in arn


def scheduled_action_arn(region: str, account: str, uuid: str, resource_id: str, name: str) -> str:
    return (
        f"arn:aws:autoscaling:{region}:{account}:scheduledAction:{uuid}:"
        f"resource/ecs/{resource_id}:scheduledActionName/{name}"
    )


def clamp(value: int, low: int, high: int) -> int:
    """``value`` moved into ``[low, high]``."""
    return max(low, min(high, value))


def desired_count_description(desired: int) -> str:
    """AWS's activity description for an ECS service."""
    return f"Setting desired count to {desired}."
