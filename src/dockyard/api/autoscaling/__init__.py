"""Application Auto Scaling (``AnyScaleFrontendService``, JSON 1.1) for ECS services.

Targets, policies, scheduled actions and activities live in the store
(``store/repositories/autoscaling.py``); the arithmetic and schedules are pure
(``domain/autoscaling*.py``); the scaling itself happens in ``control/scaling_controller.py``.
Target-tracking alarms go through :mod:`dockyard.api.autoscaling.alarm_hooks`.
"""

from __future__ import annotations

from dockyard.api.autoscaling import policies, scheduled, targets
from dockyard.api.context import Handler

OPERATIONS: dict[str, Handler] = {
    "RegisterScalableTarget": targets.register_scalable_target,
    "DescribeScalableTargets": targets.describe_scalable_targets,
    "DeregisterScalableTarget": targets.deregister_scalable_target,
    "TagResource": targets.tag_resource,
    "UntagResource": targets.untag_resource,
    "ListTagsForResource": targets.list_tags_for_resource,
    "PutScalingPolicy": policies.put_scaling_policy,
    "DescribeScalingPolicies": policies.describe_scaling_policies,
    "DeleteScalingPolicy": policies.delete_scaling_policy,
    "PutScheduledAction": scheduled.put_scheduled_action,
    "DescribeScheduledActions": scheduled.describe_scheduled_actions,
    "DeleteScheduledAction": scheduled.delete_scheduled_action,
    "DescribeScalingActivities": scheduled.describe_scaling_activities,
}

__all__ = ["OPERATIONS"]
