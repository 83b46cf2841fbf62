"""Scalable targets: Register, Describe, Deregister; TagResource, UntagResource, ListTags.

Registering checks that the ECS service exists; re-registering changes only what is given.
Either way the target is marked ``clamp_pending`` so the scaling controller moves the
service's desired count into ``[MinCapacity, MaxCapacity]`` right away (the API may not set a
desired count itself: that is the controller's one writer).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace

from dockyard.api.autoscaling import alarm_hooks
from dockyard.api.autoscaling.wire import (
    checked_resource,
    page_after,
    page_size,
    paged,
    repo,
    store_write,
    target_to_wire,
)
from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.autoscaling import (
    MAX_TARGETS_PER_REGION,
    AutoScalingLimitExceeded,
    AutoScalingValidationException,
    ObjectNotFoundException,
    ScalableTarget,
    SuspendedState,
    check_capacities,
    check_namespace,
    parse_resource_id,
    target_arn,
)
from dockyard.domain.errors import ApiError
from dockyard.domain.service import ServiceStatus
from dockyard.domain.tags import MAX_TAGS_PER_RESOURCE, merge_tags
from dockyard.infra.ids import hex_id
from dockyard.store.uow import UnitOfWork


def register_scalable_target(ctx: RequestContext, params: Params) -> Result:
    resource_id = checked_resource(params)
    cluster, service = parse_resource_id(resource_id)
    target_id = hex_id(ctx.deps.rng)

    def write(uow: UnitOfWork) -> ScalableTarget:
        found = uow.services.get(ctx.region, cluster, service)
        if found is None or found.status is not ServiceStatus.ACTIVE:
            # AWS answers ValidationException here (its model lists no ObjectNotFound for
            # RegisterScalableTarget; clients such as Spinnaker retry on exactly this).
            raise AutoScalingValidationException(f"ECS service doesn't exist: {resource_id}")
        r = repo(uow)
        existing = r.get_target(ctx.region, resource_id)
        if existing is None:
            if r.count_targets(ctx.region) >= MAX_TARGETS_PER_REGION:
                raise AutoScalingLimitExceeded("Maximum number of scalable targets reached.")
            existing = _new_target(ctx, params, resource_id, target_id)
        target = _updated(existing, params)
        check_capacities(target.min_capacity, target.max_capacity)
        r.put_target(target)
        if params.get("Tags"):
            _merge_tags(uow, target.arn, params["Tags"].items())
        return target

    target = store_write(ctx, write)
    return {"ScalableTargetARN": target.arn}


def _new_target(
    ctx: RequestContext, params: Params, resource_id: str, target_id: str
) -> ScalableTarget:
    if params.get("MinCapacity") is None or params.get("MaxCapacity") is None:
        raise AutoScalingValidationException(
            "MinCapacity and MaxCapacity are required for registering a new scalable target."
        )
    return ScalableTarget(
        region=ctx.region,
        resource_id=resource_id,
        min_capacity=params["MinCapacity"],
        max_capacity=params["MaxCapacity"],
        arn=target_arn(ctx.region, ctx.account_id, target_id),
        created_at=ctx.now,
    )


def _updated(target: ScalableTarget, params: Params) -> ScalableTarget:
    """``target`` with the given fields replaced and a clamp requested."""
    given = params.get("SuspendedState") or {}
    s = target.suspended
    suspended = SuspendedState(
        dynamic_in=given.get("DynamicScalingInSuspended", s.dynamic_in),
        dynamic_out=given.get("DynamicScalingOutSuspended", s.dynamic_out),
        scheduled=given.get("ScheduledScalingSuspended", s.scheduled),
    )
    low, high = params.get("MinCapacity"), params.get("MaxCapacity")
    return replace(
        target,
        min_capacity=target.min_capacity if low is None else low,
        max_capacity=target.max_capacity if high is None else high,
        role_arn=params.get("RoleARN") or target.role_arn,
        suspended=suspended,
        state=replace(target.state, clamp_pending=True),
    )


def describe_scalable_targets(ctx: RequestContext, params: Params) -> Result:
    check_namespace(params["ServiceNamespace"], params.get("ScalableDimension"))
    ids = params.get("ResourceIds")
    limit = page_size(params)
    after = page_after("DescribeScalableTargets", params)
    targets = ctx.store.read(
        lambda uow: repo(uow).list_targets(
            ctx.region, resource_ids=ids, after=after, limit=limit + 1
        )
    )
    page, extra = paged("DescribeScalableTargets", targets, limit, lambda t: t.resource_id)
    return {"ScalableTargets": [target_to_wire(t) for t in page], **extra}


def deregister_scalable_target(ctx: RequestContext, params: Params) -> Result:
    resource_id = checked_resource(params)

    def write(uow: UnitOfWork) -> list[str]:
        r = repo(uow)
        target = r.get_target(ctx.region, resource_id)
        if target is None:
            raise ObjectNotFoundException(
                f"No scalable target registered for service namespace: ecs, resource ID: "
                f"{resource_id}, scalable dimension: ecs:service:DesiredCount"
            )
        policies = r.list_policies(ctx.region, resource_id=resource_id, limit=10_000)
        r.delete_target(ctx.region, resource_id)
        uow.tags.delete_all(target.arn)
        return [a.name for p in policies for a in p.alarms if p.target is not None]

    alarms = store_write(ctx, write)
    alarm_hooks.delete_alarms(ctx.region, alarms)
    return {}


# --- tags -------------------------------------------------------------------------------------


def _find_target(uow: UnitOfWork, region: str, arn: str) -> ScalableTarget:
    for target in repo(uow).list_targets(region, limit=1_000_000):
        if target.arn == arn:
            return target
    raise ApiError(f"No scalable target found for ARN {arn}.", code="ResourceNotFoundException")


def _merge_tags(uow: UnitOfWork, arn: str, new: Iterable[tuple[str, str]]) -> None:
    """Merge tags, worded as Application Auto Scaling errors (TooManyTagsException, else
    ValidationException)."""
    existing = uow.tags.get(arn)
    new = list(new)
    keys = {k for k in [*existing, *(k for k, _ in new)] if not k.startswith("aws:")}
    if len(keys) > MAX_TAGS_PER_RESOURCE:
        raise ApiError(
            f"The number of tags on the resource exceeds the limit of {MAX_TAGS_PER_RESOURCE}.",
            code="TooManyTagsException",
        )
    try:
        tags = merge_tags(existing, new)
    except ApiError as exc:
        raise AutoScalingValidationException(exc.message) from None
    uow.tags.replace(arn, tags)


def tag_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["ResourceARN"]

    def write(uow: UnitOfWork) -> None:
        _find_target(uow, ctx.region, arn)
        _merge_tags(uow, arn, params["Tags"].items())

    store_write(ctx, write)
    return {}


def untag_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["ResourceARN"]
    keys = set(params["TagKeys"])

    def write(uow: UnitOfWork) -> None:
        _find_target(uow, ctx.region, arn)
        kept = {k: v for k, v in uow.tags.get(arn).items() if k not in keys}
        uow.tags.replace(arn, kept)

    store_write(ctx, write)
    return {}


def list_tags_for_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["ResourceARN"]

    def read(uow: UnitOfWork) -> dict[str, str]:
        _find_target(uow, ctx.region, arn)
        return uow.tags.get(arn)

    return {"Tags": ctx.store.read(read)}
