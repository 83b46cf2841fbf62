"""ELBv2 resources → the HAProxy data-plane model (:mod:`dockyard.lb.model`). Pure.

One frontend per listener (``l-<listener id>``), one backend per target group that a
listener or rule forwards to (``tg-<target group id>``), one server per registered target
(``<id>-<port>``); deregistered targets stay as ``drain`` servers until their deregistration
delay has passed, then disappear. Instance targets (``i-…``) are reached at the address their
task's port is published on (``addresses``); ip targets at their own address.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from dockyard.domain.elb import Action, Condition, Listener, Rule, Target, TargetGroup
from dockyard.lb.model import Action as PlaneAction
from dockyard.lb.model import (
    Algorithm,
    Backend,
    ConditionKind,
    DataPlane,
    FixedResponseAction,
    ForwardAction,
    Frontend,
    HealthCheck,
    HealthProtocol,
    Mode,
    RedirectAction,
    RedirectStatus,
    Server,
    ServerState,
    WeightedBackend,
)
from dockyard.lb.model import Condition as PlaneCondition
from dockyard.lb.model import Rule as PlaneRule

__all__ = ["ElbState", "backend_name", "server_name", "to_dataplane"]

DEFAULT_ADDRESS = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class ElbState:
    """The ELBv2 resources of one region (ARN → value) and where instance targets live."""

    listeners: Mapping[str, Listener]
    rules: Mapping[str, Rule]
    target_groups: Mapping[str, TargetGroup]
    addresses: Mapping[tuple[str, int], str]
    """(instance id, port) → the address that port is published on."""


def backend_name(tg: TargetGroup) -> str:
    return f"tg-{tg.tg_id}"


def server_name(target: Target) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", f"{target.target_id}-{target.port}")


def to_dataplane(
    state: ElbState,
    *,
    bind_address: str,
    stats_socket: str,
    now: datetime,
    server_state_file: str | None = None,
) -> DataPlane:
    """The data plane serving ``state`` at ``now`` (drained targets past their delay gone)."""
    used = _used_groups(state)
    backends = tuple(
        _backend(state.target_groups[arn], state.addresses, now)
        for arn in sorted(used)
        if arn in state.target_groups
    )
    names = {arn: backend_name(tg) for arn, tg in state.target_groups.items()}
    frontends = tuple(
        _frontend(arn, listener, _rules_of(state, arn), names, bind_address)
        for arn, listener in sorted(state.listeners.items(), key=lambda p: p[1].port)
    )
    return DataPlane(
        frontends=frontends,
        backends=backends,
        stats_socket=stats_socket,
        server_state_file=server_state_file,
    )


def _used_groups(state: ElbState) -> set[str]:
    actions = [a for listener in state.listeners.values() for a in listener.default_actions]
    actions += [a for rule in state.rules.values() for a in rule.actions]
    return {f.target_group_arn for a in actions for f in a.forward}


def _rules_of(state: ElbState, listener_arn: str) -> list[Rule]:
    return sorted(
        (r for r in state.rules.values() if r.listener_arn == listener_arn and r.priority),
        key=lambda r: r.priority or 0,
    )


def _frontend(
    arn: str, listener: Listener, rules: Sequence[Rule], names: Mapping[str, str], bind: str
) -> Frontend:
    mode = Mode.HTTP if listener.protocol in ("HTTP", "HTTPS") else Mode.TCP
    return Frontend(
        name=f"l-{listener.listener_id}",
        bind_address=bind,
        port=listener.port,
        mode=mode,
        rules=tuple(
            PlaneRule(
                r.priority or 0,
                tuple(_condition(c) for c in r.conditions),
                _action(r.actions, names),
            )
            for r in rules
        )
        if mode is Mode.HTTP
        else (),
        default_action=_action(listener.default_actions, names),
    )


def _condition(c: Condition) -> PlaneCondition:
    return PlaneCondition(ConditionKind(c.field), c.values, c.key)


def _action(actions: Sequence[Action], names: Mapping[str, str]) -> PlaneAction:
    action = actions[-1] if len(actions) == 1 else sorted(actions, key=lambda a: a.order or 0)[-1]
    if action.type == "forward":
        return ForwardAction(
            tuple(WeightedBackend(names[f.target_group_arn], f.weight) for f in action.forward)
        )
    if action.type == "fixed-response":
        return FixedResponseAction(
            status_code=int(action.setting("StatusCode") or 200),
            content_type=action.setting("ContentType") or "text/plain",
            body=action.setting("MessageBody") or "",
        )
    return RedirectAction(
        status=RedirectStatus(action.setting("StatusCode") or "HTTP_302"),
        protocol=action.setting("Protocol") or "#{protocol}",
        host=action.setting("Host") or "#{host}",
        port=action.setting("Port") or "#{port}",
        path=action.setting("Path") or "/#{path}",
        query=action.setting("Query") or "#{query}",
    )


def _backend(tg: TargetGroup, addresses: Mapping[tuple[str, int], str], now: datetime) -> Backend:
    mode = Mode.HTTP if (tg.protocol or "HTTP") in ("HTTP", "HTTPS") else Mode.TCP
    h = tg.health
    sticky = tg.attribute("stickiness.enabled") == "true"
    servers = tuple(
        Server(
            name=server_name(t),
            address=t.target_id
            if tg.target_type == "ip"
            else addresses.get((t.target_id, t.port), DEFAULT_ADDRESS),
            port=t.port,
            state=ServerState.READY if t.deregistered_at is None else ServerState.DRAIN,
        )
        for t in sorted(tg.targets, key=lambda t: (t.target_id, t.port))
        if _still_served(tg, t, now)
    )
    return Backend(
        name=backend_name(tg),
        mode=mode,
        servers=servers,
        health=HealthCheck(
            protocol=HealthProtocol(h.protocol if h.protocol in ("HTTP", "HTTPS") else "TCP"),
            port=None if h.port == "traffic-port" else int(h.port),
            path=h.path or "/",
            interval_seconds=h.interval_seconds,
            timeout_seconds=h.timeout_seconds,
            healthy_threshold=h.healthy_threshold,
            unhealthy_threshold=h.unhealthy_threshold,
            matcher=h.matcher or "200",
        ),
        slow_start_seconds=int(tg.attribute("slow_start.duration_seconds") or 0),
        stickiness_seconds=int(tg.attribute("stickiness.lb_cookie.duration_seconds") or 86400)
        if sticky and mode is Mode.HTTP
        else None,
        algorithm=Algorithm(tg.attribute("load_balancing.algorithm.type") or "round_robin")
        if mode is Mode.HTTP
        else Algorithm.ROUND_ROBIN,
    )


def _still_served(tg: TargetGroup, target: Target, now: datetime) -> bool:
    if target.deregistered_at is None:
        return True
    return now < target.deregistered_at + timedelta(seconds=tg.deregistration_delay)
