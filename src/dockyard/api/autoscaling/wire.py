"""Wire ⇄ domain for Application Auto Scaling: request parsing helpers and response shapes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.autoscaling import (
    AutoScalingValidationException,
    ConcurrentUpdateException,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    ScheduledAction,
    StepScalingConfig,
    TargetTrackingConfig,
    check_namespace,
    parse_resource_id,
)
from dockyard.domain.errors import ApiError, ConcurrentModificationError
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.infra.ids import hex_id
from dockyard.store.repositories.autoscaling import AutoScalingRepository
from dockyard.store.uow import UnitOfWork

T = TypeVar("T")

NAMESPACE = "ecs"
DIMENSION = "ecs:service:DesiredCount"
DEFAULT_PAGE = 50


class InvalidNextTokenException(ApiError):
    code = "InvalidNextTokenException"


def store_write(ctx: RequestContext, fn: Callable[[UnitOfWork], T]) -> T:
    """``ctx.store.write`` with a conflict that outlived the store's retries worded as
    Application Auto Scaling's ``ConcurrentUpdateException``."""
    try:
        return ctx.store.write(fn)
    except ConcurrentModificationError:
        raise ConcurrentUpdateException(
            "Concurrent update to the scalable target; try again."
        ) from None


def repo(uow: UnitOfWork) -> AutoScalingRepository:
    return AutoScalingRepository(uow.session)


def new_uuid(ctx: RequestContext) -> str:
    """A random UUID-shaped id (8-4-4-4-12 hex) from the request's rng."""
    h = hex_id(ctx.deps.rng)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def checked_resource(params: Params) -> str:
    """Namespace, dimension and resource id of a request, validated; the resource id."""
    check_namespace(params["ServiceNamespace"], params.get("ScalableDimension"))
    resource_id: str = params["ResourceId"]
    parse_resource_id(resource_id)
    return resource_id


def page_after(operation: str, params: Params) -> str | None:
    token = params.get("NextToken")
    if not token:
        return None
    try:
        return str(decode_token(operation, token)[0])
    except ApiError:
        raise InvalidNextTokenException("Invalid token.") from None


def paged(
    operation: str, items: list[T], limit: int, last_key: Callable[[T], str]
) -> tuple[list[T], dict[str, Any]]:
    """The first ``limit`` items and a ``NextToken`` when more were read."""
    extra: dict[str, Any] = {}
    if len(items) > limit:
        extra["NextToken"] = encode_token(operation, [last_key(items[limit - 1])])
    return items[:limit], extra


def page_size(params: Params) -> int:
    return int(params.get("MaxResults") or DEFAULT_PAGE)


def _common(resource_id: str) -> Result:
    return {
        "ServiceNamespace": NAMESPACE,
        "ResourceId": resource_id,
        "ScalableDimension": DIMENSION,
    }


def target_to_wire(t: ScalableTarget) -> Result:
    return {
        **_common(t.resource_id),
        "MinCapacity": t.min_capacity,
        "MaxCapacity": t.max_capacity,
        "RoleARN": t.role_arn or _service_linked_role(t.arn),
        "CreationTime": t.created_at,
        "SuspendedState": {
            "DynamicScalingInSuspended": t.suspended.dynamic_in,
            "DynamicScalingOutSuspended": t.suspended.dynamic_out,
            "ScheduledScalingSuspended": t.suspended.scheduled,
        },
        "ScalableTargetARN": t.arn,
    }


def _service_linked_role(target_arn: str) -> str:
    account = target_arn.split(":")[4]
    return (
        f"arn:aws:iam::{account}:role/aws-service-role/ecs.application-autoscaling.amazonaws.com/"
        "AWSServiceRoleForApplicationAutoScaling_ECSService"
    )


def policy_to_wire(p: ScalingPolicy) -> Result:
    out: Result = {
        **_common(p.resource_id),
        "PolicyARN": p.arn,
        "PolicyName": p.name,
        "PolicyType": p.policy_type,
        "Alarms": [{"AlarmName": a.name, "AlarmARN": a.arn} for a in p.alarms],
        "CreationTime": p.created_at,
    }
    if p.step is not None:
        out["StepScalingPolicyConfiguration"] = _step_to_wire(p.step)
    if p.target is not None:
        out["TargetTrackingScalingPolicyConfiguration"] = _tracking_to_wire(p.target)
    return out


def _step_to_wire(c: StepScalingConfig) -> Result:
    steps = []
    for s in c.steps:
        step: Result = {"ScalingAdjustment": s.adjustment}
        if s.lower is not None:
            step["MetricIntervalLowerBound"] = s.lower
        if s.upper is not None:
            step["MetricIntervalUpperBound"] = s.upper
        steps.append(step)
    out: Result = {
        "AdjustmentType": c.adjustment_type,
        "StepAdjustments": steps,
        "Cooldown": c.cooldown,
    }
    if c.min_adjustment_magnitude is not None:
        out["MinAdjustmentMagnitude"] = c.min_adjustment_magnitude
    if c.aggregation is not None:
        out["MetricAggregationType"] = c.aggregation
    return out


def _tracking_to_wire(c: TargetTrackingConfig) -> Result:
    m = c.metric
    out: Result = {
        "TargetValue": c.target_value,
        "ScaleOutCooldown": c.scale_out_cooldown,
        "ScaleInCooldown": c.scale_in_cooldown,
        "DisableScaleIn": c.disable_scale_in,
    }
    if m.predefined_type is not None:
        spec: Result = {"PredefinedMetricType": m.predefined_type}
        if m.resource_label is not None:
            spec["ResourceLabel"] = m.resource_label
        out["PredefinedMetricSpecification"] = spec
    else:
        custom: Result = {
            "MetricName": m.name,
            "Namespace": m.namespace,
            "Dimensions": [{"Name": k, "Value": v} for k, v in m.dimensions],
            "Statistic": m.statistic,
        }
        if m.unit is not None:
            custom["Unit"] = m.unit
        out["CustomizedMetricSpecification"] = custom
    return out


def action_to_wire(a: ScheduledAction) -> Result:
    out: Result = {
        **_common(a.resource_id),
        "ScheduledActionName": a.name,
        "ScheduledActionARN": a.arn,
        "Schedule": a.schedule,
        "Timezone": a.timezone,
        "CreationTime": a.created_at,
        "ScalableTargetAction": _capacities(a.min_capacity, a.max_capacity),
    }
    if a.start is not None:
        out["StartTime"] = a.start
    if a.end is not None:
        out["EndTime"] = a.end
    return out


def _capacities(low: int | None, high: int | None) -> Result:
    out: Result = {}
    if low is not None:
        out["MinCapacity"] = low
    if high is not None:
        out["MaxCapacity"] = high
    return out


def activity_to_wire(a: ScalingActivity) -> Result:
    out: Result = {
        **_common(a.resource_id),
        "ActivityId": a.activity_id,
        "Description": a.description,
        "Cause": a.cause,
        "StartTime": a.start,
        "StatusCode": a.status,
    }
    if a.end is not None:
        out["EndTime"] = a.end
    if a.status_message is not None:
        out["StatusMessage"] = a.status_message
    return out


def require(value: T | None, message: str) -> T:
    if value is None:
        raise AutoScalingValidationException(message)
    return value
