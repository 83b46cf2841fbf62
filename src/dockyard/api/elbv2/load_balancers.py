"""ELBv2 load balancers, listeners and rules.

Every change wakes the data plane (``ctx.deps.dataplane``), which renders HAProxy's
configuration from the store and reloads it when the structure changed.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.elbv2.wire import (
    actions_from_wire,
    conditions_from_wire,
    lb_arn,
    listener_to_wire,
    load_balancer_to_wire,
    rule_to_wire,
)
from dockyard.domain import arns
from dockyard.domain.elb import (
    MAX_LISTENERS,
    MAX_RULES_PER_LISTENER,
    Action,
    ElbError,
    Listener,
    LoadBalancer,
    LoadBalancerType,
    Rule,
    validate_name,
)
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.infra.ids import hex_id
from dockyard.store.uow import UnitOfWork

HTTP_PROTOCOLS = ("HTTP", "HTTPS")
TCP_PROTOCOLS = ("TCP", "TLS", "UDP", "TCP_UDP")
DEFAULT_PAGE = 400


def create_load_balancer(ctx: RequestContext, params: Params) -> Result:
    name = params["Name"]
    validate_name(name, "Load balancer")
    kind = LoadBalancerType(params.get("Type") or "application")
    if kind is not LoadBalancerType.APPLICATION and kind is not LoadBalancerType.NETWORK:
        raise ElbError("ValidationError", f"Load balancer type '{kind.value}' is not supported")
    scheme = params.get("Scheme") or "internet-facing"
    tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags") or ()}

    def write(uow: UnitOfWork) -> LoadBalancer:
        existing = uow.elb.load_balancers(ctx.region, [name])
        if existing:
            raise ElbError(
                "DuplicateLoadBalancerName", "A load balancer with the same name already exists"
            )
        lb = LoadBalancer(
            name=name,
            region=ctx.region,
            lb_id=hex_id(ctx.deps.rng, 8),
            type=kind,
            scheme=scheme,
            created_at=ctx.now,
            ip_address_type=params.get("IpAddressType") or "ipv4",
            security_groups=tuple(params.get("SecurityGroups") or ()),
        )
        stored = uow.elb.put_load_balancer(lb_arn(ctx, lb), lb, new=True)
        if tags:
            uow.tags.replace(lb_arn(ctx, stored), tags)
        return stored

    lb = ctx.store.write(write)
    _changed(ctx)
    return {"LoadBalancers": [load_balancer_to_wire(ctx, lb)]}


def describe_load_balancers(ctx: RequestContext, params: Params) -> Result:
    wanted_arns = list(params.get("LoadBalancerArns") or ())
    names = list(params.get("Names") or ())
    found = ctx.store.read(lambda uow: uow.elb.load_balancers(ctx.region, names))
    if wanted_arns:
        by_arn = dict(found)
        missing = [a for a in wanted_arns if a not in by_arn]
        if missing:
            raise ElbError("LoadBalancerNotFound", f"Load balancers '{missing}' not found")
        found = [(a, by_arn[a]) for a in wanted_arns]
    if names and len(found) != len(set(names)):
        missing = sorted(set(names) - {lb.name for _, lb in found})
        raise ElbError("LoadBalancerNotFound", f"Load balancers '{missing}' not found")
    page, marker = _page("DescribeLoadBalancers", found, params)
    result: Result = {"LoadBalancers": [load_balancer_to_wire(ctx, lb) for _, lb in page]}
    if marker:
        result["NextMarker"] = marker
    return result


def delete_load_balancer(ctx: RequestContext, params: Params) -> Result:
    arn = params["LoadBalancerArn"]

    def write(uow: UnitOfWork) -> None:
        if uow.elb.load_balancer(arn) is None:
            return  # AWS: deleting a missing load balancer succeeds
        for listener in uow.elb.children(arn):
            for rule in uow.elb.children(listener):
                uow.elb.delete(rule)
                uow.tags.delete_all(rule)
            uow.elb.delete(listener)
            uow.tags.delete_all(listener)
        uow.elb.delete(arn)
        uow.tags.delete_all(arn)

    ctx.store.write(write)
    _changed(ctx)
    return {}


def create_listener(ctx: RequestContext, params: Params) -> Result:
    arn = params["LoadBalancerArn"]
    port = int(params["Port"])
    actions = actions_from_wire(params.get("DefaultActions"))

    def write(uow: UnitOfWork) -> tuple[str, Listener]:
        lb = uow.elb.load_balancer(arn)
        if lb is None:
            raise ElbError("LoadBalancerNotFound", "One or more load balancers not found")
        protocol = _protocol(lb, params.get("Protocol"))
        siblings = uow.elb.listeners(ctx.region, arn)
        if any(other.port == port for _, other in siblings):
            raise ElbError(
                "DuplicateListener", "A listener already exists on this port for this load balancer"
            )
        _port_free_across(uow, ctx, port, arn)
        if len(siblings) >= MAX_LISTENERS:
            raise ElbError(
                "TooManyListeners", f"A load balancer can have at most {MAX_LISTENERS} listeners"
            )
        _check_actions(uow, lb, actions)
        listener = Listener(hex_id(ctx.deps.rng, 8), arn, port, protocol, actions)
        listener_arn = arns.listener_arn(arn, listener.listener_id)
        stored = uow.elb.put_listener(
            listener_arn, ctx.region, listener, created_at=ctx.now, new=True
        )
        _tag(uow, listener_arn, params)
        return listener_arn, stored

    listener_arn, listener = ctx.store.write(write)
    _changed(ctx)
    return {"Listeners": [listener_to_wire(listener_arn, listener)]}


def describe_listeners(ctx: RequestContext, params: Params) -> Result:
    lb = params.get("LoadBalancerArn")
    wanted = list(params.get("ListenerArns") or ())
    if not lb and not wanted:
        raise ElbError(
            "ValidationError", "Either LoadBalancerArn or ListenerArns must be specified"
        )

    def read(uow: UnitOfWork) -> list[tuple[str, Listener]]:
        if lb and uow.elb.load_balancer(lb) is None:
            raise ElbError("LoadBalancerNotFound", "One or more load balancers not found")
        found = uow.elb.listeners(ctx.region, lb)
        if wanted:
            by_arn = dict(found)
            if any(a not in by_arn for a in wanted):
                raise ElbError("ListenerNotFound", "One or more listeners not found")
            found = [(a, by_arn[a]) for a in wanted]
        return found

    page, marker = _page("DescribeListeners", ctx.store.read(read), params)
    result: Result = {"Listeners": [listener_to_wire(a, listener) for a, listener in page]}
    if marker:
        result["NextMarker"] = marker
    return result


def modify_listener(ctx: RequestContext, params: Params) -> Result:
    arn = params["ListenerArn"]

    def write(uow: UnitOfWork) -> Listener:
        listener = _listener(uow, arn)
        lb = uow.elb.load_balancer(listener.load_balancer_arn)
        assert lb is not None
        changes: dict[str, Any] = {}
        if params.get("Port") is not None and int(params["Port"]) != listener.port:
            port = int(params["Port"])
            siblings = uow.elb.listeners(ctx.region, listener.load_balancer_arn)
            if any(o.port == port for _, o in siblings):
                raise ElbError(
                    "DuplicateListener",
                    "A listener already exists on this port for this load balancer",
                )
            _port_free_across(uow, ctx, port, listener.load_balancer_arn)
            changes["port"] = port
        if params.get("Protocol"):
            changes["protocol"] = _protocol(lb, params["Protocol"])
        if params.get("DefaultActions"):
            actions = actions_from_wire(params["DefaultActions"])
            _check_actions(uow, lb, actions)
            changes["default_actions"] = actions
        updated = replace(listener, **changes)
        return uow.elb.put_listener(arn, ctx.region, updated, created_at=ctx.now, new=False)

    listener = ctx.store.write(write)
    _changed(ctx)
    return {"Listeners": [listener_to_wire(arn, listener)]}


def delete_listener(ctx: RequestContext, params: Params) -> Result:
    arn = params["ListenerArn"]

    def write(uow: UnitOfWork) -> None:
        _listener(uow, arn)
        for rule in uow.elb.children(arn):
            uow.elb.delete(rule)
            uow.tags.delete_all(rule)
        uow.elb.delete(arn)
        uow.tags.delete_all(arn)

    ctx.store.write(write)
    _changed(ctx)
    return {}


def create_rule(ctx: RequestContext, params: Params) -> Result:
    listener_arn = params["ListenerArn"]
    priority = int(params["Priority"])
    if not 1 <= priority <= 50000:
        raise ElbError("ValidationError", "Priority must be between 1 and 50000")
    conditions = conditions_from_wire(params.get("Conditions"))
    actions = actions_from_wire(params.get("Actions"))

    def write(uow: UnitOfWork) -> tuple[str, Rule]:
        listener = _listener(uow, listener_arn)
        rules = uow.elb.rules(ctx.region, listener_arn)
        if any(r.priority == priority for _, r in rules):
            raise ElbError("PriorityInUse", f"Priority '{priority}' is currently in use")
        if len(rules) >= MAX_RULES_PER_LISTENER:
            raise ElbError(
                "TooManyRules", f"A listener can have at most {MAX_RULES_PER_LISTENER} rules"
            )
        lb = uow.elb.load_balancer(listener.load_balancer_arn)
        assert lb is not None
        _check_actions(uow, lb, actions)
        rule = Rule(hex_id(ctx.deps.rng, 8), listener_arn, priority, conditions, actions)
        arn = arns.rule_arn(listener_arn, rule.rule_id)
        uow.elb.put_rule(arn, ctx.region, rule, created_at=ctx.now)
        _tag(uow, arn, params)
        return arn, rule

    arn, rule = ctx.store.write(write)
    _changed(ctx)
    return {"Rules": [rule_to_wire(arn, rule)]}


def describe_rules(ctx: RequestContext, params: Params) -> Result:
    listener_arn = params.get("ListenerArn")
    wanted = list(params.get("RuleArns") or ())
    if not listener_arn and not wanted:
        raise ElbError("ValidationError", "Either ListenerArn or RuleArns must be specified")

    def read(uow: UnitOfWork) -> list[tuple[str, Rule]]:
        if listener_arn:
            listener = _listener(uow, listener_arn)
            found = uow.elb.rules(ctx.region, listener_arn)
            found.append((_default_rule_arn(listener_arn), _default_rule(listener_arn, listener)))
        else:
            found = []
            for arn in wanted:
                rule = uow.elb.rule(arn)
                if rule is None:
                    raise ElbError("RuleNotFound", "One or more rules not found")
                found.append((arn, rule))
        return sorted(found, key=lambda p: (p[1].priority is None, p[1].priority or 0))

    page, marker = _page("DescribeRules", ctx.store.read(read), params)
    result: Result = {"Rules": [rule_to_wire(a, r) for a, r in page]}
    if marker:
        result["NextMarker"] = marker
    return result


def modify_rule(ctx: RequestContext, params: Params) -> Result:
    arn = params["RuleArn"]

    def write(uow: UnitOfWork) -> Rule:
        rule = uow.elb.rule(arn)
        if rule is None:
            raise ElbError("RuleNotFound", "One or more rules not found")
        if params.get("Conditions") is not None:
            rule = replace(rule, conditions=conditions_from_wire(params["Conditions"]))
        if params.get("Actions"):
            actions = actions_from_wire(params["Actions"])
            listener = _listener(uow, rule.listener_arn)
            lb = uow.elb.load_balancer(listener.load_balancer_arn)
            assert lb is not None
            _check_actions(uow, lb, actions)
            rule = replace(rule, actions=actions)
        uow.elb.put_rule(arn, ctx.region, rule, created_at=ctx.now)
        return rule

    rule = ctx.store.write(write)
    _changed(ctx)
    return {"Rules": [rule_to_wire(arn, rule)]}


def delete_rule(ctx: RequestContext, params: Params) -> Result:
    arn = params["RuleArn"]

    def write(uow: UnitOfWork) -> None:
        if uow.elb.rule(arn) is None:
            raise ElbError("RuleNotFound", "One or more rules not found")
        uow.elb.delete(arn)
        uow.tags.delete_all(arn)

    ctx.store.write(write)
    _changed(ctx)
    return {}


def set_rule_priorities(ctx: RequestContext, params: Params) -> Result:
    pairs = [(p["RuleArn"], int(p["Priority"])) for p in params["RulePriorities"]]

    def write(uow: UnitOfWork) -> list[tuple[str, Rule]]:
        updated = []
        for arn, priority in pairs:
            rule = uow.elb.rule(arn)
            if rule is None:
                raise ElbError("RuleNotFound", "One or more rules not found")
            updated.append((arn, replace(rule, priority=priority)))
        moved = {a for a, _ in updated}
        for _arn, rule in updated:
            others = [r for a, r in uow.elb.rules(ctx.region, rule.listener_arn) if a not in moved]
            clash = (
                any(r.priority == rule.priority for r in others)
                or sum(
                    1
                    for _, r in updated
                    if r.listener_arn == rule.listener_arn and r.priority == rule.priority
                )
                > 1
            )
            if clash:
                raise ElbError("PriorityInUse", f"Priority '{rule.priority}' is currently in use")
        for arn, rule in updated:
            uow.elb.put_rule(arn, ctx.region, rule, created_at=ctx.now)
        return updated

    rules = ctx.store.write(write)
    _changed(ctx)
    return {"Rules": [rule_to_wire(a, r) for a, r in rules]}


def _listener(uow: UnitOfWork, arn: str) -> Listener:
    listener = uow.elb.listener(arn)
    if listener is None:
        raise ElbError("ListenerNotFound", "One or more listeners not found")
    return listener


def _default_rule_arn(listener_arn: str) -> str:
    return arns.rule_arn(listener_arn, "default")


def _default_rule(listener_arn: str, listener: Listener) -> Rule:
    return Rule("default", listener_arn, None, (), listener.default_actions)


def _protocol(lb: LoadBalancer, protocol: str | None) -> str:
    allowed = HTTP_PROTOCOLS if lb.type is LoadBalancerType.APPLICATION else TCP_PROTOCOLS
    chosen = protocol or allowed[0]
    if chosen not in allowed:
        raise ElbError(
            "IncompatibleProtocols",
            f"Protocol '{chosen}' is not supported by a load balancer of type '{lb.type.value}'",
        )
    if chosen in ("HTTPS", "TLS", "UDP", "TCP_UDP"):
        raise ElbError(
            "UnsupportedProtocol", f"Protocol '{chosen}' is not supported by Dockyard yet"
        )
    return chosen


def _port_free_across(uow: UnitOfWork, ctx: RequestContext, port: int, own_lb: str) -> None:
    """Every listener binds the data plane's address, so a port serves one load balancer."""
    for _, other in uow.elb.listeners(ctx.region):
        if other.port == port and other.load_balancer_arn != own_lb:
            raise ElbError(
                "DuplicateListener",
                f"Port {port} is already used by a listener of another load balancer "
                "(Dockyard's load balancers share one address)",
            )


def _check_actions(uow: UnitOfWork, lb: LoadBalancer, actions: tuple[Action, ...]) -> None:
    for action in actions:
        if action.type != "forward":
            if lb.type is LoadBalancerType.NETWORK:
                raise ElbError("InvalidLoadBalancerAction", "Network load balancers only forward")
            continue
        for target in action.forward:
            tg = uow.elb.target_group(target.target_group_arn)
            if tg is None:
                raise ElbError(
                    "TargetGroupNotFound", f"Target group '{target.target_group_arn}' not found"
                )
            http = (tg.protocol or "HTTP") in HTTP_PROTOCOLS
            if http != (lb.type is LoadBalancerType.APPLICATION):
                raise ElbError(
                    "IncompatibleProtocols",
                    f"The target group '{tg.name}' protocol does not fit the load balancer",
                )


def _tag(uow: UnitOfWork, arn: str, params: Params) -> None:
    tags = {t["Key"]: t.get("Value", "") for t in params.get("Tags") or ()}
    if tags:
        uow.tags.replace(arn, tags)


def _page(scope: str, items: list[Any], params: Params) -> tuple[list[Any], str | None]:
    size = int(params.get("PageSize") or DEFAULT_PAGE)
    start = int(decode_token(scope, params["Marker"], (int,))[0]) if params.get("Marker") else 0
    page = items[start : start + size]
    more = start + size < len(items)
    return page, encode_token(scope, [start + size]) if more else None


def _changed(ctx: RequestContext) -> None:
    ctx.deps.dataplane.changed()
