"""Elastic Load Balancing v2 (query protocol in, XML out): operation name → handler.

Resources live in the store (``store/repositories/elb.py``); the data plane (HAProxy) is
rendered from them by the load-balancer controller, woken through ``deps.dataplane``.
"""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.elbv2 import load_balancers, tags, target_groups

OPERATIONS: dict[str, Handler] = {
    "CreateLoadBalancer": load_balancers.create_load_balancer,
    "DescribeLoadBalancers": load_balancers.describe_load_balancers,
    "DeleteLoadBalancer": load_balancers.delete_load_balancer,
    "CreateListener": load_balancers.create_listener,
    "DescribeListeners": load_balancers.describe_listeners,
    "ModifyListener": load_balancers.modify_listener,
    "DeleteListener": load_balancers.delete_listener,
    "CreateRule": load_balancers.create_rule,
    "DescribeRules": load_balancers.describe_rules,
    "ModifyRule": load_balancers.modify_rule,
    "DeleteRule": load_balancers.delete_rule,
    "SetRulePriorities": load_balancers.set_rule_priorities,
    "CreateTargetGroup": target_groups.create_target_group,
    "DescribeTargetGroups": target_groups.describe_target_groups,
    "ModifyTargetGroup": target_groups.modify_target_group,
    "DeleteTargetGroup": target_groups.delete_target_group,
    "DescribeTargetGroupAttributes": target_groups.describe_target_group_attributes,
    "ModifyTargetGroupAttributes": target_groups.modify_target_group_attributes,
    "RegisterTargets": target_groups.register_targets,
    "DeregisterTargets": target_groups.deregister_targets,
    "DescribeTargetHealth": target_groups.describe_target_health,
    "AddTags": tags.add_tags,
    "RemoveTags": tags.remove_tags,
    "DescribeTags": tags.describe_tags,
}

__all__ = ["OPERATIONS"]
