"""Scaling policies: PutScalingPolicy, DescribeScalingPolicies, DeleteScalingPolicy.

A target-tracking policy owns two alarms (``domain/autoscaling_alarms``); they are created,
replaced and deleted through ``alarm_hooks`` once the policy's transaction has committed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dockyard.api.autoscaling import alarm_hooks
from dockyard.api.autoscaling.wire import (
    checked_resource,
    new_uuid,
    page_after,
    page_size,
    paged,
    policy_to_wire,
    repo,
    store_write,
)
from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.autoscaling import (
    DEFAULT_COOLDOWN,
    MAX_POLICIES_PER_TARGET,
    STEP_SCALING,
    TARGET_TRACKING,
    AlarmRef,
    AutoScalingLimitExceeded,
    AutoScalingValidationException,
    MetricSpec,
    ObjectNotFoundException,
    ScalingPolicy,
    StepAdjustment,
    StepScalingConfig,
    TargetTrackingConfig,
    check_namespace,
    check_policy_name,
    parse_resource_id,
    policy_arn,
)
from dockyard.domain.autoscaling_alarms import AlarmSpec, alarm_specs, predefined_metric
from dockyard.domain.autoscaling_math import ADJUSTMENT_TYPES, PERCENT, validate_steps
from dockyard.store.uow import UnitOfWork


def put_scaling_policy(ctx: RequestContext, params: Params) -> Result:
    resource_id = checked_resource(params)
    name = params["PolicyName"]
    check_policy_name(name)
    policy_type = params.get("PolicyType") or STEP_SCALING
    fresh_arn = policy_arn(ctx.region, ctx.account_id, new_uuid(ctx), resource_id, name)
    draft = _policy(ctx, params, resource_id, name, policy_type, fresh_arn)

    def write(uow: UnitOfWork) -> tuple[ScalingPolicy, list[str]]:
        r = repo(uow)
        if r.get_target(ctx.region, resource_id) is None:
            raise ObjectNotFoundException(
                f"No scalable target registered for service namespace: ecs, resource ID: "
                f"{resource_id}, scalable dimension: ecs:service:DesiredCount"
            )
        old = r.get_policy(ctx.region, resource_id, name)
        if old is None and r.count_policies(ctx.region, resource_id) >= MAX_POLICIES_PER_TARGET:
            raise AutoScalingLimitExceeded(
                f"Maximum number of scaling policies ({MAX_POLICIES_PER_TARGET}) reached."
            )
        kept = draft if old is None else replace(draft, arn=old.arn, created_at=old.created_at)
        policy, _ = _with_alarms(ctx, kept)
        r.put_policy(policy)
        stale = [a.name for a in (old.alarms if old else ()) if a not in policy.alarms]
        return policy, stale

    policy, stale = store_write(ctx, write)
    alarm_hooks.delete_alarms(ctx.region, stale)
    alarm_hooks.put_alarms(ctx.region, _with_alarms(ctx, policy)[1])
    alarms = [{"AlarmName": a.name, "AlarmARN": a.arn} for a in policy.alarms]
    return {"PolicyARN": policy.arn, "Alarms": alarms}


def _with_alarms(
    ctx: RequestContext, policy: ScalingPolicy
) -> tuple[ScalingPolicy, tuple[AlarmSpec, ...]]:
    """The policy with the references of its target-tracking alarms, and their specs."""
    uuid = policy.arn.split(":")[5]
    specs = alarm_specs(policy, uuid, profile=alarm_hooks.profile())
    refs = tuple(
        AlarmRef(s.name, f"arn:aws:cloudwatch:{ctx.region}:{ctx.account_id}:alarm:{s.name}")
        for s in specs
    )
    return replace(policy, alarms=refs), specs


def _policy(
    ctx: RequestContext, params: Params, resource_id: str, name: str, kind: str, arn: str
) -> ScalingPolicy:
    base: dict[str, Any] = dict(
        region=ctx.region,
        resource_id=resource_id,
        name=name,
        arn=arn,
        policy_type=kind,
        created_at=ctx.now,
    )
    if kind == TARGET_TRACKING:
        config = params.get("TargetTrackingScalingPolicyConfiguration")
        if config is None:
            raise AutoScalingValidationException(
                "TargetTrackingScalingPolicyConfiguration is required for TargetTrackingScaling."
            )
        return ScalingPolicy(**base, target=_tracking(config, resource_id))
    if kind == STEP_SCALING:
        step = params.get("StepScalingPolicyConfiguration")
        if step is None:
            raise AutoScalingValidationException(
                "StepScalingPolicyConfiguration is required for StepScaling."
            )
        return ScalingPolicy(**base, step=_step(step))
    raise AutoScalingValidationException(f"Dockyard does not support policy type {kind}.")


def _tracking(c: dict[str, Any], resource_id: str) -> TargetTrackingConfig:
    predefined = c.get("PredefinedMetricSpecification")
    custom = c.get("CustomizedMetricSpecification")
    if (predefined is None) == (custom is None):
        raise AutoScalingValidationException(
            "Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification "
            "must be given."
        )
    if c["TargetValue"] <= 0:
        raise AutoScalingValidationException("TargetValue must be greater than 0.")
    cluster, service = parse_resource_id(resource_id)
    if predefined is not None:
        metric = predefined_metric(
            predefined["PredefinedMetricType"], predefined.get("ResourceLabel"), cluster, service
        )
    else:
        assert custom is not None
        metric = _custom(custom)
    return TargetTrackingConfig(
        target_value=float(c["TargetValue"]),
        metric=metric,
        scale_out_cooldown=c.get("ScaleOutCooldown", DEFAULT_COOLDOWN),
        scale_in_cooldown=c.get("ScaleInCooldown", DEFAULT_COOLDOWN),
        disable_scale_in=bool(c.get("DisableScaleIn", False)),
    )


def _custom(c: dict[str, Any]) -> MetricSpec:
    if c.get("Metrics"):
        raise AutoScalingValidationException(
            "Dockyard does not support metric math (Metrics) in CustomizedMetricSpecification."
        )
    if not (c.get("MetricName") and c.get("Namespace") and c.get("Statistic")):
        raise AutoScalingValidationException(
            "CustomizedMetricSpecification needs MetricName, Namespace and Statistic."
        )
    dims = tuple((d["Name"], d["Value"]) for d in c.get("Dimensions") or ())
    return MetricSpec(c["Namespace"], c["MetricName"], dims, c["Statistic"], c.get("Unit"))


def _step(c: dict[str, Any]) -> StepScalingConfig:
    kind = c.get("AdjustmentType")
    if kind not in ADJUSTMENT_TYPES:
        raise AutoScalingValidationException(
            "AdjustmentType is required: ChangeInCapacity, PercentChangeInCapacity or "
            "ExactCapacity."
        )
    magnitude = c.get("MinAdjustmentMagnitude")
    if magnitude is not None and kind != PERCENT:
        raise AutoScalingValidationException(
            "MinAdjustmentMagnitude is only supported with PercentChangeInCapacity."
        )
    steps = tuple(
        StepAdjustment(
            s.get("MetricIntervalLowerBound"),
            s.get("MetricIntervalUpperBound"),
            s["ScalingAdjustment"],
        )
        for s in c.get("StepAdjustments") or ()
    )
    validate_steps(steps)
    return StepScalingConfig(
        adjustment_type=kind,
        steps=steps,
        min_adjustment_magnitude=magnitude,
        cooldown=c.get("Cooldown", DEFAULT_COOLDOWN),
        aggregation=c.get("MetricAggregationType"),
    )


def describe_scaling_policies(ctx: RequestContext, params: Params) -> Result:
    check_namespace(params["ServiceNamespace"], params.get("ScalableDimension"))
    resource_id = params.get("ResourceId")
    names = params.get("PolicyNames")
    limit = page_size(params)
    after = page_after("DescribeScalingPolicies", params)
    found = ctx.store.read(
        lambda uow: repo(uow).list_policies(
            ctx.region, resource_id=resource_id, names=names, after=after, limit=limit + 1
        )
    )
    page, extra = paged("DescribeScalingPolicies", found, limit, lambda p: p.arn)
    return {"ScalingPolicies": [policy_to_wire(p) for p in page], **extra}


def delete_scaling_policy(ctx: RequestContext, params: Params) -> Result:
    resource_id = checked_resource(params)
    name = params["PolicyName"]

    def write(uow: UnitOfWork) -> list[str]:
        r = repo(uow)
        policy = r.get_policy(ctx.region, resource_id, name)
        if policy is None:
            raise ObjectNotFoundException(
                f"No scaling policy found for service namespace: ecs, resource ID: "
                f"{resource_id}, scalable dimension: ecs:service:DesiredCount, "
                f"policy name: {name}"
            )
        r.delete_policy(ctx.region, resource_id, name)
        return [a.name for a in policy.alarms] if policy.target is not None else []

    alarm_hooks.delete_alarms(ctx.region, store_write(ctx, write))
    return {}
