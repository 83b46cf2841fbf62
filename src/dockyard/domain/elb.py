"""ELBv2 resources: load balancers, listeners, rules, target groups and their targets. Pure.

AWS's defaults and ranges live here (ecs-reference §10): health checks (ALB HTTP: interval 30 s
in 5–300, timeout 5 s in 2–120, healthy 5 / unhealthy 2 in 2–10, matcher 200; NLB TCP timeout
10 s), target-group attributes (``deregistration_delay.timeout_seconds`` 300 in 0–3600,
``slow_start.duration_seconds`` 0 or 30–900, stickiness), name rules and ARNs.

Invariant: a target group's ``targets`` holds each (id, port) at most once; a deregistered
target stays, ``draining`` with ``deregistered_at``, until its delay has passed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime
from enum import Enum

from dockyard.domain.errors import ApiError

__all__ = [
    "Action",
    "Condition",
    "ElbError",
    "HealthCheck",
    "Listener",
    "LoadBalancer",
    "Rule",
    "Target",
    "TargetGroup",
    "default_attributes",
    "default_health_check",
    "validate_attributes",
    "validate_name",
]

NAME_RE = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?$")
"""Load balancer and target group names: ≤ 32 alphanumerics or hyphens, no hyphen at the ends."""

MAX_RULES_PER_LISTENER = 100
MAX_TARGETS_PER_GROUP = 1000
MAX_LISTENERS = 50


class ElbError(ApiError):
    """An ELBv2 error: ``code`` as the service model spells it (``LoadBalancerNotFound``…)."""

    def __init__(self, code: str, message: str, http_status: int = 400) -> None:
        super().__init__(message, code=code, http_status=http_status)


class LoadBalancerType(Enum):
    APPLICATION = "application"
    NETWORK = "network"


@dataclass(frozen=True, slots=True)
class LoadBalancer:
    name: str
    region: str
    lb_id: str
    type: LoadBalancerType
    scheme: str
    created_at: datetime
    ip_address_type: str = "ipv4"
    security_groups: tuple[str, ...] = ()
    version: int = field(default=0, compare=False)

    @property
    def kind(self) -> str:
        """``app`` or ``net``, as in the ARN."""
        return "app" if self.type is LoadBalancerType.APPLICATION else "net"

    @property
    def dns_name(self) -> str:
        """Shaped like AWS's (``NAME-NUMBER.REGION.elb.…``); the load-balancer controller maps
        it to the listeners' address in /etc/hosts so it resolves on this host."""
        return f"{self.name}-{int(self.lb_id[:8], 16)}.{self.region}.elb.localhost"


@dataclass(frozen=True, slots=True)
class ForwardTarget:
    target_group_arn: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class Action:
    """``forward`` (one or several weighted target groups), ``fixed-response``, ``redirect``.
    ``config`` keeps the redirect / fixed-response settings as AWS names them."""

    type: str
    forward: tuple[ForwardTarget, ...] = ()
    config: tuple[tuple[str, str], ...] = ()
    order: int | None = None
    stickiness_seconds: int | None = None

    def setting(self, name: str, default: str | None = None) -> str | None:
        return next((v for k, v in self.config if k == name), default)


@dataclass(frozen=True, slots=True)
class Condition:
    """A rule condition: ``field`` with OR-ed ``values``; ``key`` for http-header (the header
    name); query-string values are ``key=value`` pairs (key may be empty)."""

    field: str
    values: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True, slots=True)
class Listener:
    listener_id: str
    load_balancer_arn: str
    port: int
    protocol: str
    default_actions: tuple[Action, ...]
    version: int = field(default=0, compare=False)


@dataclass(frozen=True, slots=True)
class Rule:
    rule_id: str
    listener_arn: str
    priority: int | None
    """None for the listener's default rule (evaluated last)."""
    conditions: tuple[Condition, ...]
    actions: tuple[Action, ...]


@dataclass(frozen=True, slots=True)
class HealthCheck:
    protocol: str
    port: str
    """``traffic-port`` or a port number."""
    path: str | None
    interval_seconds: int
    timeout_seconds: int
    healthy_threshold: int
    unhealthy_threshold: int
    matcher: str | None
    enabled: bool = True


@dataclass(frozen=True, slots=True)
class Target:
    target_id: str
    """An instance id (``i-…``) or an IP address."""
    port: int
    registered_at: datetime
    deregistered_at: datetime | None = None
    availability_zone: str | None = None


@dataclass(frozen=True, slots=True)
class TargetGroup:
    name: str
    region: str
    tg_id: str
    protocol: str | None
    port: int | None
    target_type: str
    vpc_id: str | None
    health: HealthCheck
    created_at: datetime
    attributes: tuple[tuple[str, str], ...] = ()
    targets: tuple[Target, ...] = ()
    protocol_version: str | None = None
    version: int = field(default=0, compare=False)

    def attribute(self, name: str) -> str:
        return dict(self.attributes).get(name) or default_attributes(self.protocol).get(name, "")

    @property
    def deregistration_delay(self) -> int:
        return int(self.attribute("deregistration_delay.timeout_seconds") or 300)


_HTTP = frozenset({"HTTP", "HTTPS"})


def default_health_check(protocol: str | None, target_type: str) -> HealthCheck:
    """AWS's defaults for a new target group of ``protocol``."""
    http = (protocol or "HTTP") in _HTTP
    return HealthCheck(
        protocol="HTTP" if http else "TCP",
        port="traffic-port",
        path="/" if http else None,
        interval_seconds=30,
        timeout_seconds=5 if http else 10,
        healthy_threshold=5,
        unhealthy_threshold=2,
        matcher="200" if http else None,
    )


HEALTH_RANGES = {
    "HealthCheckIntervalSeconds": (5, 300),
    "HealthCheckTimeoutSeconds": (2, 120),
    "HealthyThresholdCount": (2, 10),
    "UnhealthyThresholdCount": (2, 10),
}


def default_attributes(protocol: str | None) -> dict[str, str]:
    attrs = {
        "deregistration_delay.timeout_seconds": "300",
        "stickiness.enabled": "false",
        "stickiness.type": "lb_cookie" if (protocol or "HTTP") in _HTTP else "source_ip",
    }
    if (protocol or "HTTP") in _HTTP:
        attrs |= {
            "slow_start.duration_seconds": "0",
            "stickiness.lb_cookie.duration_seconds": "86400",
            "load_balancing.algorithm.type": "round_robin",
        }
    return attrs


_ATTRIBUTE_RANGES = {
    "deregistration_delay.timeout_seconds": (0, 3600),
    "stickiness.lb_cookie.duration_seconds": (1, 604800),
}


def validate_attributes(protocol: str | None, items: dict[str, str]) -> None:
    """ModifyTargetGroupAttributes' checks; raises InvalidConfigurationRequest / ValidationError."""
    known = default_attributes(protocol)
    for key, value in items.items():
        if key not in known:
            raise ElbError(
                "ValidationError", f"Target group attribute key '{key}' is not recognized"
            )
        if key in _ATTRIBUTE_RANGES:
            low, high = _ATTRIBUTE_RANGES[key]
            if not value.isdigit() or not low <= int(value) <= high:
                raise ElbError(
                    "ValidationError",
                    f"'{key}' must be an integer between {low} and {high}",
                )
        if key == "slow_start.duration_seconds" and (
            not value.isdigit() or not (int(value) == 0 or 30 <= int(value) <= 900)
        ):
            raise ElbError(
                "ValidationError", "'slow_start.duration_seconds' must be 0 or between 30 and 900"
            )
        if key == "stickiness.enabled" and value not in ("true", "false"):
            raise ElbError("ValidationError", "'stickiness.enabled' must be true or false")
        if key == "load_balancing.algorithm.type" and value not in (
            "round_robin",
            "least_outstanding_requests",
        ):
            raise ElbError("ValidationError", f"Unsupported load balancing algorithm '{value}'")


def validate_name(name: str, what: str) -> None:
    if not NAME_RE.match(name):
        raise ElbError(
            "ValidationError",
            f"{what} name '{name}' can have a maximum of 32 characters, must contain only "
            "alphanumeric characters or hyphens, and must not begin or end with a hyphen",
        )
