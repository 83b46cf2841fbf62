"""Scheduled actions: Put, Describe, Delete; and DescribeScalingActivities.

Putting an action validates its schedule and time zone and stores its next due time, which
the scaling controller watches. Updating an action without StartTime/EndTime clears them (as
AWS does).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dockyard.api.autoscaling.wire import (
    action_to_wire,
    activity_to_wire,
    checked_resource,
    new_uuid,
    page_after,
    page_size,
    paged,
    repo,
    store_write,
)
from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.autoscaling import (
    MAX_SCHEDULED_ACTIONS_PER_TARGET,
    AutoScalingLimitExceeded,
    AutoScalingValidationException,
    ObjectNotFoundException,
    ScheduledAction,
    check_name,
    check_namespace,
    scheduled_action_arn,
)
from dockyard.domain.autoscaling_schedule import action_due_after, parse_schedule, zone
from dockyard.domain.pagination import encode_token
from dockyard.store.uow import UnitOfWork


def put_scheduled_action(ctx: RequestContext, params: Params) -> Result:
    resource_id = checked_resource(params)
    name = params["ScheduledActionName"]
    check_name("Scheduled action", name)
    arn = scheduled_action_arn(ctx.region, ctx.account_id, new_uuid(ctx), resource_id, name)
    draft = _action(ctx, params, resource_id, name, arn)

    def write(uow: UnitOfWork) -> None:
        r = repo(uow)
        if r.get_target(ctx.region, resource_id) is None:
            raise ObjectNotFoundException(
                f"No scalable target registered for service namespace: ecs, resource ID: "
                f"{resource_id}, scalable dimension: ecs:service:DesiredCount"
            )
        old = r.get_action(ctx.region, resource_id, name)
        count = r.count_actions(ctx.region, resource_id)
        if old is None and count >= MAX_SCHEDULED_ACTIONS_PER_TARGET:
            raise AutoScalingLimitExceeded(
                f"Maximum number of scheduled actions ({MAX_SCHEDULED_ACTIONS_PER_TARGET}) reached."
            )
        action = draft
        if old is not None:
            kept = replace(draft, arn=old.arn, created_at=old.created_at)
            action = replace(kept, next_fire=action_due_after(kept, ctx.now))
        r.put_action(action)

    store_write(ctx, write)
    return {}


def _action(
    ctx: RequestContext, params: Params, resource_id: str, name: str, arn: str
) -> ScheduledAction:
    expression = params.get("Schedule")
    if not expression:
        raise AutoScalingValidationException("Schedule is required.")
    parse_schedule(expression)
    tz = params.get("Timezone") or "UTC"
    zone(tz)
    capacities: dict[str, Any] = params.get("ScalableTargetAction") or {}
    low, high = capacities.get("MinCapacity"), capacities.get("MaxCapacity")
    if low is None and high is None:
        raise AutoScalingValidationException(
            "ScalableTargetAction must specify MinCapacity, MaxCapacity or both."
        )
    if low is not None and high is not None and low > high:
        raise AutoScalingValidationException(
            "Minimum capacity cannot be greater than maximum capacity."
        )
    start, end = params.get("StartTime"), params.get("EndTime")
    if start is not None and end is not None and end <= start:
        raise AutoScalingValidationException("EndTime must be after StartTime.")
    action = ScheduledAction(
        region=ctx.region,
        resource_id=resource_id,
        name=name,
        arn=arn,
        schedule=expression,
        created_at=ctx.now,
        timezone=tz,
        start=start,
        end=end,
        min_capacity=low,
        max_capacity=high,
    )
    return replace(action, next_fire=action_due_after(action, ctx.now))


def describe_scheduled_actions(ctx: RequestContext, params: Params) -> Result:
    check_namespace(params["ServiceNamespace"], params.get("ScalableDimension"))
    limit = page_size(params)
    after = page_after("DescribeScheduledActions", params)
    found = ctx.store.read(
        lambda uow: repo(uow).list_actions(
            ctx.region,
            resource_id=params.get("ResourceId"),
            names=params.get("ScheduledActionNames"),
            after=after,
            limit=limit + 1,
        )
    )
    page, extra = paged("DescribeScheduledActions", found, limit, lambda a: a.arn)
    return {"ScheduledActions": [action_to_wire(a) for a in page], **extra}


def delete_scheduled_action(ctx: RequestContext, params: Params) -> Result:
    resource_id = checked_resource(params)
    name = params["ScheduledActionName"]

    def write(uow: UnitOfWork) -> None:
        if not repo(uow).delete_action(ctx.region, resource_id, name):
            raise ObjectNotFoundException(
                f"No scheduled action found for service namespace: ecs, resource ID: "
                f"{resource_id}, scalable dimension: ecs:service:DesiredCount, "
                f"scheduled action name: {name}"
            )

    store_write(ctx, write)
    return {}


def describe_scaling_activities(ctx: RequestContext, params: Params) -> Result:
    """Newest first; the token is an offset into that order."""
    check_namespace(params["ServiceNamespace"], params.get("ScalableDimension"))
    limit = page_size(params)
    offset = int(page_after("DescribeScalingActivities", params) or 0)
    found = ctx.store.read(
        lambda uow: repo(uow).list_activities(
            ctx.region, resource_id=params.get("ResourceId"), offset=offset, limit=limit + 1
        )
    )
    result: Result = {"ScalingActivities": [activity_to_wire(a) for a in found[:limit]]}
    if len(found) > limit:
        result["NextToken"] = encode_token("DescribeScalingActivities", [str(offset + limit)])
    return result


__all__ = [
    "delete_scheduled_action",
    "describe_scaling_activities",
    "describe_scheduled_actions",
    "put_scheduled_action",
]
