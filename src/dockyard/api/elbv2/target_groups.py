"""ELBv2 target groups, their attributes, targets and target health.

Health comes from the data plane (HAProxy's checks) through ``ctx.deps.dataplane.health``;
the states the control plane knows by itself (not registered, not in use, draining) are
decided here, with AWS's reason codes (ecs-reference §10.2).
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.elbv2.load_balancers import HTTP_PROTOCOLS, TCP_PROTOCOLS, _changed, _page
from dockyard.api.elbv2.wire import VPC_ID, target_group_to_wire, tg_arn
from dockyard.domain.elb import (
    HEALTH_RANGES,
    MAX_TARGETS_PER_GROUP,
    ElbError,
    HealthCheck,
    Target,
    TargetGroup,
    default_attributes,
    default_health_check,
    validate_attributes,
    validate_name,
)
from dockyard.infra.ids import hex_id
from dockyard.store.uow import UnitOfWork

TARGET_TYPES = ("instance", "ip")


def create_target_group(ctx: RequestContext, params: Params) -> Result:
    name = params["Name"]
    validate_name(name, "Target group")
    target_type = params.get("TargetType") or "instance"
    if target_type not in TARGET_TYPES:
        raise ElbError(
            "ValidationError", f"Target type '{target_type}' is not supported by Dockyard"
        )
    protocol = params.get("Protocol")
    if protocol is None or params.get("Port") is None:
        raise ElbError(
            "ValidationError",
            "Protocol and Port must be specified for instance and ip target groups",
        )
    if protocol not in HTTP_PROTOCOLS + TCP_PROTOCOLS:
        raise ElbError("ValidationError", f"Protocol '{protocol}' is not supported")
    health = _health(params, default_health_check(protocol, target_type))

    def write(uow: UnitOfWork) -> TargetGroup:
        existing = uow.elb.target_groups(ctx.region, [name])
        if existing:
            same = existing[0][1]
            if (same.protocol, same.port, same.health) == (protocol, params["Port"], health):
                return same  # AWS: an identical CreateTargetGroup returns the existing group
            raise ElbError(
                "DuplicateTargetGroupName",
                "A target group with the same name exists, but with different settings",
            )
        tg = TargetGroup(
            name=name,
            region=ctx.region,
            tg_id=hex_id(ctx.deps.rng, 8),
            protocol=protocol,
            port=int(params["Port"]),
            target_type=target_type,
            vpc_id=params.get("VpcId") or VPC_ID,
            health=health,
            created_at=ctx.now,
            protocol_version="HTTP1" if protocol in HTTP_PROTOCOLS else None,
        )
        stored = uow.elb.put_target_group(tg_arn(ctx, tg), tg, new=True)
        tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags") or ()}
        if tags:
            uow.tags.replace(tg_arn(ctx, stored), tags)
        return stored

    tg = ctx.store.write(write)
    return {"TargetGroups": [target_group_to_wire(ctx, tg, _lbs_of(ctx, tg))]}


def describe_target_groups(ctx: RequestContext, params: Params) -> Result:
    names = list(params.get("Names") or ())
    wanted = list(params.get("TargetGroupArns") or ())
    lb = params.get("LoadBalancerArn")

    def read(uow: UnitOfWork) -> tuple[list[tuple[str, TargetGroup]], dict[str, list[str]]]:
        found = uow.elb.target_groups(ctx.region, names)
        if names and len(found) != len(set(names)):
            raise ElbError("TargetGroupNotFound", "One or more target groups not found")
        if wanted:
            by_arn = dict(found)
            if any(a not in by_arn for a in wanted):
                raise ElbError("TargetGroupNotFound", "One or more target groups not found")
            found = [(a, by_arn[a]) for a in wanted]
        usage = _usage(uow, ctx)
        if lb:
            if uow.elb.load_balancer(lb) is None:
                raise ElbError("LoadBalancerNotFound", "One or more load balancers not found")
            found = [(a, tg) for a, tg in found if lb in usage.get(a, [])]
        return found, usage

    found, usage = ctx.store.read(read)
    page, marker = _page("DescribeTargetGroups", found, params)
    result: Result = {
        "TargetGroups": [target_group_to_wire(ctx, tg, usage.get(a, [])) for a, tg in page]
    }
    if marker:
        result["NextMarker"] = marker
    return result


def modify_target_group(ctx: RequestContext, params: Params) -> Result:
    arn = params["TargetGroupArn"]

    def write(uow: UnitOfWork) -> TargetGroup:
        tg = _tg(uow, arn)
        updated = replace(tg, health=_health(params, tg.health))
        return uow.elb.put_target_group(arn, updated, new=False)

    tg = ctx.store.write(write)
    _changed(ctx)
    return {"TargetGroups": [target_group_to_wire(ctx, tg, _lbs_of(ctx, tg))]}


def delete_target_group(ctx: RequestContext, params: Params) -> Result:
    arn = params["TargetGroupArn"]

    def write(uow: UnitOfWork) -> None:
        if uow.elb.target_group(arn) is None:
            return
        if _usage(uow, ctx).get(arn):
            raise ElbError(
                "ResourceInUse", f"Target group '{arn}' is currently in use by a listener or a rule"
            )
        uow.elb.delete(arn)
        uow.tags.delete_all(arn)

    ctx.store.write(write)
    _changed(ctx)
    return {}


def describe_target_group_attributes(ctx: RequestContext, params: Params) -> Result:
    tg = ctx.store.read(lambda uow: _tg(uow, params["TargetGroupArn"]))
    merged = default_attributes(tg.protocol) | dict(tg.attributes)
    return {"Attributes": [{"Key": k, "Value": v} for k, v in sorted(merged.items())]}


def modify_target_group_attributes(ctx: RequestContext, params: Params) -> Result:
    arn = params["TargetGroupArn"]
    items = {a["Key"]: a.get("Value", "") for a in params["Attributes"]}

    def write(uow: UnitOfWork) -> TargetGroup:
        tg = _tg(uow, arn)
        validate_attributes(tg.protocol, items)
        merged = dict(tg.attributes) | items
        return uow.elb.put_target_group(
            arn, replace(tg, attributes=tuple(sorted(merged.items()))), new=False
        )

    tg = ctx.store.write(write)
    _changed(ctx)
    merged = default_attributes(tg.protocol) | dict(tg.attributes)
    return {"Attributes": [{"Key": k, "Value": v} for k, v in sorted(merged.items())]}


def register_targets(ctx: RequestContext, params: Params) -> Result:
    arn = params["TargetGroupArn"]
    targets = params["Targets"]

    def write(uow: UnitOfWork) -> None:
        tg = _tg(uow, arn)
        current = {(t.target_id, t.port): t for t in tg.targets}
        for item in targets:
            port = int(item.get("Port") or tg.port or 0)
            _check_target(tg, item["Id"], port)
            key = (item["Id"], port)
            old = current.get(key)
            if old is None or old.deregistered_at is not None:
                current[key] = Target(item["Id"], port, ctx.now, None, item.get("AvailabilityZone"))
        if len(current) > MAX_TARGETS_PER_GROUP:
            raise ElbError(
                "TooManyTargets", f"A target group can have at most {MAX_TARGETS_PER_GROUP} targets"
            )
        uow.elb.put_target_group(
            arn, replace(tg, targets=tuple(sorted(current.values(), key=_key))), new=False
        )

    ctx.store.write(write)
    _changed(ctx)
    return {}


def deregister_targets(ctx: RequestContext, params: Params) -> Result:
    """Targets go ``draining`` for the deregistration delay, then disappear (missing ones are
    ignored, as AWS does)."""
    arn = params["TargetGroupArn"]

    def write(uow: UnitOfWork) -> None:
        tg = _tg(uow, arn)
        wanted = {(t["Id"], int(t.get("Port") or tg.port or 0)) for t in params["Targets"]}
        updated = tuple(
            replace(t, deregistered_at=ctx.now)
            if (t.target_id, t.port) in wanted and t.deregistered_at is None
            else t
            for t in tg.targets
        )
        if updated != tg.targets:
            uow.elb.put_target_group(arn, replace(tg, targets=updated), new=False)

    ctx.store.write(write)
    _changed(ctx)
    return {}


def describe_target_health(ctx: RequestContext, params: Params) -> Result:
    arn = params["TargetGroupArn"]

    def read(uow: UnitOfWork) -> tuple[TargetGroup, bool]:
        return _tg(uow, arn), bool(_usage(uow, ctx).get(arn))

    tg, in_use = ctx.store.read(read)
    observed = ctx.deps.dataplane.health(arn)
    wanted = [(t["Id"], int(t.get("Port") or tg.port or 0)) for t in params.get("Targets") or ()]
    known = {(t.target_id, t.port): t for t in tg.targets if not _gone(tg, t, ctx)}
    keys = wanted or list(known)
    descriptions = []
    for key in keys:
        state = _state(known.get(key), in_use, observed.get(key))
        health = (
            {"State": state[0]}
            | ({"Reason": state[1]} if state[1] else {})
            | ({"Description": state[2]} if state[2] else {})
        )
        descriptions.append(
            {
                "Target": {"Id": key[0], "Port": key[1]},
                "HealthCheckPort": str(key[1])
                if tg.health.port == "traffic-port"
                else tg.health.port,
                "TargetHealth": health,
            }
        )
    return {"TargetHealthDescriptions": descriptions}


_DESCRIPTIONS = {
    "Target.NotRegistered": "Target is not registered to the target group",
    "Target.NotInUse": "Target group is not configured to receive traffic from the load balancer",
    "Target.DeregistrationInProgress": "Target deregistration is in progress",
    "Elb.RegistrationInProgress": "Target registration is in progress",
    "Elb.InitialHealthChecking": "Initial health checks in progress",
}


def _state(
    target: Target | None, in_use: bool, observed: tuple[str, str | None, str | None] | None
) -> tuple[str, str | None, str | None]:
    if target is None:
        return "unused", "Target.NotRegistered", _DESCRIPTIONS["Target.NotRegistered"]
    if target.deregistered_at is not None:
        reason = "Target.DeregistrationInProgress"
        return "draining", reason, _DESCRIPTIONS[reason]
    if not in_use:
        return "unused", "Target.NotInUse", _DESCRIPTIONS["Target.NotInUse"]
    if observed is None:
        return "initial", "Elb.RegistrationInProgress", _DESCRIPTIONS["Elb.RegistrationInProgress"]
    return observed


def _gone(tg: TargetGroup, target: Target, ctx: RequestContext) -> bool:
    """A drained target is no longer described once the deregistration delay has passed."""
    if target.deregistered_at is None:
        return False
    return ctx.now >= target.deregistered_at + timedelta(seconds=tg.deregistration_delay)


def _check_target(tg: TargetGroup, target_id: str, port: int) -> None:
    if not 1 <= port <= 65535:
        raise ElbError("InvalidTarget", f"The port {port} is not valid")
    if tg.target_type == "instance" and not target_id.startswith("i-"):
        raise ElbError(
            "InvalidTarget", f"The following targets are not valid instances: '{target_id}'"
        )
    if tg.target_type == "ip" and not _is_ipv4(target_id):
        raise ElbError("InvalidTarget", f"The IP address '{target_id}' is not valid")


def _is_ipv4(text: str) -> bool:
    parts = text.split(".")
    return len(parts) == 4 and all(p.isdigit() and 0 <= int(p) <= 255 for p in parts)


def _key(t: Target) -> tuple[str, int]:
    return (t.target_id, t.port)


def _tg(uow: UnitOfWork, arn: str) -> TargetGroup:
    tg = uow.elb.target_group(arn)
    if tg is None:
        raise ElbError("TargetGroupNotFound", "One or more target groups not found")
    return tg


def _usage(uow: UnitOfWork, ctx: RequestContext) -> dict[str, list[str]]:
    """Target group ARN → the load balancers whose listeners or rules forward to it."""
    usage: dict[str, set[str]] = {}
    listeners = dict(uow.elb.listeners(ctx.region))
    for _, listener in listeners.items():
        for action in listener.default_actions:
            for f in action.forward:
                usage.setdefault(f.target_group_arn, set()).add(listener.load_balancer_arn)
    for _, rule in uow.elb.rules(ctx.region):
        owner = listeners.get(rule.listener_arn)
        for action in rule.actions:
            for f in action.forward:
                if owner is not None:
                    usage.setdefault(f.target_group_arn, set()).add(owner.load_balancer_arn)
    return {k: sorted(v) for k, v in usage.items()}


def _lbs_of(ctx: RequestContext, tg: TargetGroup) -> list[str]:
    return ctx.store.read(lambda uow: _usage(uow, ctx)).get(tg_arn(ctx, tg), [])


def _health(params: Params, base: HealthCheck) -> HealthCheck:
    for key, (low, high) in HEALTH_RANGES.items():
        value = params.get(key)
        if value is not None and not low <= int(value) <= high:
            raise ElbError("ValidationError", f"{key} must be between {low} and {high}")
    matcher = (params.get("Matcher") or {}).get("HttpCode")
    port = params.get("HealthCheckPort")
    if (
        port is not None
        and port != "traffic-port"
        and not (port.isdigit() and 1 <= int(port) <= 65535)
    ):
        raise ElbError("ValidationError", "HealthCheckPort must be 'traffic-port' or a port number")
    updated = replace(
        base,
        protocol=params.get("HealthCheckProtocol") or base.protocol,
        port=port or base.port,
        path=params.get("HealthCheckPath") or base.path,
        interval_seconds=int(params.get("HealthCheckIntervalSeconds") or base.interval_seconds),
        timeout_seconds=int(params.get("HealthCheckTimeoutSeconds") or base.timeout_seconds),
        healthy_threshold=int(params.get("HealthyThresholdCount") or base.healthy_threshold),
        unhealthy_threshold=int(params.get("UnhealthyThresholdCount") or base.unhealthy_threshold),
        matcher=matcher or base.matcher,
        enabled=bool(params.get("HealthCheckEnabled", base.enabled)),
    )
    if updated.timeout_seconds >= updated.interval_seconds:
        raise ElbError("ValidationError", "Health check timeout must be smaller than the interval")
    return updated
