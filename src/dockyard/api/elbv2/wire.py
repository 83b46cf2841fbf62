"""ELBv2 wire forms: actions and conditions in and out, resources out, AWS's checks on them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain import arns
from dockyard.domain.elb import (
    Action,
    Condition,
    ElbError,
    ForwardTarget,
    HealthCheck,
    Listener,
    LoadBalancer,
    Rule,
    TargetGroup,
)

VPC_ID = "vpc-dockyard"
"""Dockyard's one network, named like a VPC."""
ZONE_SUFFIXES = ("a", "b")
HOSTED_ZONE_ID = "Z35SXDOTRQ7X7K"

_CONDITION_FIELDS = {
    "path-pattern": "PathPatternConfig",
    "host-header": "HostHeaderConfig",
    "http-header": "HttpHeaderConfig",
    "query-string": "QueryStringConfig",
    "http-request-method": "HttpRequestMethodConfig",
}
_SINGLE_FIELDS = ("path-pattern", "host-header", "http-request-method", "source-ip")
MAX_CONDITION_VALUES = 5
MAX_VALUE_LENGTH = 128


def lb_arn(ctx: RequestContext, lb: LoadBalancer) -> str:
    return arns.load_balancer_arn(ctx.region, ctx.account_id, lb.kind, lb.name, lb.lb_id)


def tg_arn(ctx: RequestContext, tg: TargetGroup) -> str:
    return arns.target_group_arn(ctx.region, ctx.account_id, tg.name, tg.tg_id)


def dns_name(ctx: RequestContext, lb: LoadBalancer) -> str:
    return lb.dns_name


def actions_from_wire(items: Sequence[Mapping[str, Any]] | None) -> tuple[Action, ...]:
    """``Actions`` / ``DefaultActions``: exactly one terminal action, last by ``Order``."""
    parsed = [_action(item) for item in items or ()]
    if not parsed:
        raise ElbError("ValidationError", "At least one action must be specified")
    terminal = [a for a in parsed if a.type in ("forward", "redirect", "fixed-response")]
    if len(terminal) != 1:
        raise ElbError(
            "InvalidLoadBalancerAction",
            "Exactly one forward, redirect or fixed-response action is allowed",
        )
    unsupported = [a.type for a in parsed if a not in terminal]
    if unsupported:
        raise ElbError(
            "InvalidLoadBalancerAction",
            f"Action type '{unsupported[0]}' is not supported by Dockyard",
        )
    return tuple(parsed)


def _action(item: Mapping[str, Any]) -> Action:
    kind = item.get("Type", "")
    order = item.get("Order")
    if kind == "forward":
        groups = [
            ForwardTarget(g["TargetGroupArn"], int(g.get("Weight", 1)))
            for g in (item.get("ForwardConfig") or {}).get("TargetGroups") or ()
        ]
        if item.get("TargetGroupArn"):
            groups = groups or [ForwardTarget(item["TargetGroupArn"], 1)]
        if not groups:
            raise ElbError("ValidationError", "A forward action needs a target group")
        if len(groups) > 5:
            raise ElbError(
                "TooManyTargetGroups", "A forward action can have at most 5 target groups"
            )
        sticky = (item.get("ForwardConfig") or {}).get("TargetGroupStickinessConfig") or {}
        seconds = sticky.get("DurationSeconds") if sticky.get("Enabled") else None
        return Action("forward", tuple(groups), order=order, stickiness_seconds=seconds)
    if kind == "fixed-response":
        cfg = item.get("FixedResponseConfig") or {}
        if "StatusCode" not in cfg:
            raise ElbError("ValidationError", "A fixed-response action needs a StatusCode")
        return Action(kind, config=_config(cfg), order=order)
    if kind == "redirect":
        cfg = item.get("RedirectConfig") or {}
        if cfg.get("StatusCode") not in ("HTTP_301", "HTTP_302"):
            raise ElbError(
                "ValidationError", "A redirect action needs StatusCode HTTP_301 or HTTP_302"
            )
        return Action(kind, config=_config(cfg), order=order)
    return Action(kind, order=order)


def _config(cfg: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k, str(v)) for k, v in cfg.items() if v is not None))


def action_to_wire(a: Action) -> dict[str, Any]:
    wire: dict[str, Any] = {"Type": a.type}
    if a.order is not None:
        wire["Order"] = a.order
    if a.type == "forward":
        if len(a.forward) == 1:
            wire["TargetGroupArn"] = a.forward[0].target_group_arn
        wire["ForwardConfig"] = {
            "TargetGroups": [
                {"TargetGroupArn": f.target_group_arn, "Weight": f.weight} for f in a.forward
            ],
            "TargetGroupStickinessConfig": {"Enabled": a.stickiness_seconds is not None}
            | ({"DurationSeconds": a.stickiness_seconds} if a.stickiness_seconds else {}),
        }
    elif a.type == "fixed-response":
        wire["FixedResponseConfig"] = dict(a.config)
    elif a.type == "redirect":
        wire["RedirectConfig"] = dict(a.config)
    return wire


def conditions_from_wire(items: Sequence[Mapping[str, Any]] | None) -> tuple[Condition, ...]:
    conditions = tuple(_condition(item) for item in items or ())
    for single in _SINGLE_FIELDS:
        if sum(1 for c in conditions if c.field == single) > 1:
            raise ElbError("ValidationError", f"A rule can only have one '{single}' condition")
    if sum(len(c.values) for c in conditions) > MAX_CONDITION_VALUES:
        raise ElbError(
            "ValidationError", f"A rule can have at most {MAX_CONDITION_VALUES} condition values"
        )
    return conditions


def _condition(item: Mapping[str, Any]) -> Condition:
    field_name = item.get("Field", "")
    if field_name not in _CONDITION_FIELDS:
        raise ElbError("ValidationError", f"Condition field '{field_name}' is not supported")
    config = item.get(_CONDITION_FIELDS[field_name]) or {}
    key = None
    if field_name == "query-string":
        values = tuple(
            f"{v.get('Key') or ''}={v.get('Value', '')}" for v in config.get("Values") or ()
        )
    elif field_name == "http-header":
        key = config.get("HttpHeaderName")
        if not key:
            raise ElbError("ValidationError", "An http-header condition needs HttpHeaderName")
        values = tuple(config.get("Values") or ())
    else:
        values = tuple(config.get("Values") or item.get("Values") or ())
    if not values:
        raise ElbError("ValidationError", f"A '{field_name}' condition needs at least one value")
    if any(len(v) > MAX_VALUE_LENGTH for v in values):
        raise ElbError(
            "ValidationError", f"Condition values can be at most {MAX_VALUE_LENGTH} characters"
        )
    return Condition(field_name, values, key)


def condition_to_wire(c: Condition) -> dict[str, Any]:
    wire: dict[str, Any] = {"Field": c.field}
    if c.field == "query-string":
        pairs = [v.split("=", 1) for v in c.values]
        wire["QueryStringConfig"] = {
            "Values": [({"Key": k} if k else {}) | {"Value": v} for k, v in pairs]
        }
    elif c.field == "http-header":
        wire["HttpHeaderConfig"] = {"HttpHeaderName": c.key, "Values": list(c.values)}
    else:
        wire["Values"] = list(c.values)
        wire[_CONDITION_FIELDS[c.field]] = {"Values": list(c.values)}
    return wire


def load_balancer_to_wire(ctx: RequestContext, lb: LoadBalancer) -> dict[str, Any]:
    return {
        "LoadBalancerArn": lb_arn(ctx, lb),
        "DNSName": dns_name(ctx, lb),
        "CanonicalHostedZoneId": HOSTED_ZONE_ID,
        "CreatedTime": lb.created_at,
        "LoadBalancerName": lb.name,
        "Scheme": lb.scheme,
        "VpcId": VPC_ID,
        "State": {"Code": "active"},
        "Type": lb.type.value,
        "AvailabilityZones": [
            {"ZoneName": f"{ctx.region}{z}", "SubnetId": f"subnet-dockyard{z}"}
            for z in ZONE_SUFFIXES
        ],
        "SecurityGroups": list(lb.security_groups),
        "IpAddressType": lb.ip_address_type,
    }


def listener_to_wire(arn: str, listener: Listener) -> dict[str, Any]:
    return {
        "ListenerArn": arn,
        "LoadBalancerArn": listener.load_balancer_arn,
        "Port": listener.port,
        "Protocol": listener.protocol,
        "DefaultActions": [action_to_wire(a) for a in listener.default_actions],
    }


def rule_to_wire(arn: str, rule: Rule) -> dict[str, Any]:
    return {
        "RuleArn": arn,
        "Priority": "default" if rule.priority is None else str(rule.priority),
        "Conditions": [condition_to_wire(c) for c in rule.conditions],
        "Actions": [action_to_wire(a) for a in rule.actions],
        "IsDefault": rule.priority is None,
    }


def target_group_to_wire(
    ctx: RequestContext, tg: TargetGroup, load_balancer_arns: list[str]
) -> dict[str, Any]:
    h: HealthCheck = tg.health
    wire: dict[str, Any] = {
        "TargetGroupArn": tg_arn(ctx, tg),
        "TargetGroupName": tg.name,
        "Protocol": tg.protocol,
        "Port": tg.port,
        "VpcId": tg.vpc_id,
        "HealthCheckProtocol": h.protocol,
        "HealthCheckPort": h.port,
        "HealthCheckEnabled": h.enabled,
        "HealthCheckIntervalSeconds": h.interval_seconds,
        "HealthCheckTimeoutSeconds": h.timeout_seconds,
        "HealthyThresholdCount": h.healthy_threshold,
        "UnhealthyThresholdCount": h.unhealthy_threshold,
        "HealthCheckPath": h.path,
        "Matcher": {"HttpCode": h.matcher} if h.matcher else None,
        "LoadBalancerArns": load_balancer_arns,
        "TargetType": tg.target_type,
        "ProtocolVersion": tg.protocol_version,
        "IpAddressType": "ipv4",
    }
    return {k: v for k, v in wire.items() if v is not None}
