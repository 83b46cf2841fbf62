"""Every reason a :class:`~dockyard.lb.model.DataPlane` cannot be rendered. Pure.

:func:`validate` returns all problems as sentences naming the object at fault (an empty tuple
means renderable); it never stops at the first. The control plane validates ELBv2 requests
with AWS's own rules before building a data plane, so a problem here is a conversion bug or
an input HAProxy cannot express, and :func:`dockyard.lb.render.render` refuses it with
:class:`~dockyard.lb.errors.InvalidDataPlane`.
"""

from __future__ import annotations

import ipaddress
import re
from collections import Counter
from collections.abc import Iterable, Iterator

from dockyard.lb.model import (
    Action,
    Backend,
    Condition,
    ConditionKind,
    DataPlane,
    FixedResponseAction,
    ForwardAction,
    Frontend,
    HealthCheck,
    Mode,
    RedirectAction,
)
from dockyard.lb.patterns import parse_matcher

__all__ = ["NAME_RE", "validate"]

NAME_RE = re.compile(r"^[A-Za-z0-9_.:-]{1,100}$")
"""Frontend, backend and server names: HAProxy's identifier characters (§2.3 of its manual)."""

HEADER_NAME_RE = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,40}$")
"""RFC 7230 token characters; ELBv2 allows header names up to 40 of them."""

METHOD_RE = re.compile(r"^[A-Z_-]{1,40}$")
"""ELBv2: request methods are A–Z, hyphen and underscore."""

REDIRECT_PROTOCOLS = ("http", "https", "#{protocol}")
MAX_SERVER_WEIGHT = 256
MAX_FORWARD_WEIGHT = 999
PORT_RANGE = range(1, 65536)


def validate(plane: DataPlane) -> tuple[str, ...]:
    """All problems of ``plane``, in a stable order."""
    problems = list(_duplicates("frontend", (f.name for f in plane.frontends)))
    problems += _duplicates("backend", (b.name for b in plane.backends))
    problems += _duplicates("bind address", (f"{f.bind_address}:{f.port}" for f in plane.frontends))
    modes = {b.name: b.mode for b in plane.backends}
    for frontend in plane.frontends:
        problems += _frontend_problems(frontend, modes)
    for backend in plane.backends:
        problems += _backend_problems(backend)
    return tuple(problems)


def _duplicates(what: str, names: Iterable[str]) -> Iterator[str]:
    for name, count in sorted(Counter(names).items()):
        if count > 1:
            yield f"{what} {name!r} is defined {count} times"


def _frontend_problems(frontend: Frontend, modes: dict[str, Mode]) -> Iterator[str]:
    where = f"frontend {frontend.name!r}"
    if not NAME_RE.match(frontend.name):
        yield f"{where}: the name has characters HAProxy does not allow"
    if frontend.port not in PORT_RANGE:
        yield f"{where}: port {frontend.port} is out of range"
    if not _is_ip(frontend.bind_address):
        yield f"{where}: bind address {frontend.bind_address!r} is not an IP address"
    if frontend.mode is Mode.TCP and frontend.rules:
        yield f"{where}: a tcp frontend cannot have rules"
    if frontend.mode is Mode.TCP and not isinstance(frontend.default_action, ForwardAction):
        yield f"{where}: a tcp frontend can only forward"
    yield from _duplicates(f"{where}: rule priority", (str(r.priority) for r in frontend.rules))
    for rule in frontend.rules:
        rule_where = f"{where} rule {rule.priority}"
        if rule.priority < 1:
            yield f"{rule_where}: priorities start at 1"
        for condition in rule.conditions:
            yield from _condition_problems(condition, rule_where)
        yield from _action_problems(rule.action, rule_where, frontend.mode, modes)
    yield from _action_problems(frontend.default_action, f"{where} default", frontend.mode, modes)


def _condition_problems(condition: Condition, where: str) -> Iterator[str]:
    where = f"{where} {condition.kind.value}"
    if not condition.values:
        yield f"{where}: a condition needs at least one value"
    if condition.kind is ConditionKind.HTTP_HEADER:
        if condition.key is None or not HEADER_NAME_RE.match(condition.key):
            yield f"{where}: needs a header name of RFC 7230 token characters"
    elif condition.key is not None:
        yield f"{where}: only http-header conditions take a key"
    for value in condition.values:
        if not value or any(ord(c) < 0x20 or ord(c) == 0x7F for c in value):
            yield f"{where}: value {value!r} is empty or has control characters"
        elif condition.kind is ConditionKind.HTTP_REQUEST_METHOD and not METHOD_RE.match(value):
            yield f"{where}: {value!r} is not a request method"


def _action_problems(
    action: Action, where: str, mode: Mode, modes: dict[str, Mode]
) -> Iterator[str]:
    if isinstance(action, ForwardAction):
        yield from _forward_problems(action, where, mode, modes)
    elif isinstance(action, FixedResponseAction):
        if not 200 <= action.status_code <= 599:
            yield f"{where}: fixed-response status {action.status_code} is not 2XX–5XX"
    elif isinstance(action, RedirectAction):
        if action.protocol.lower() not in REDIRECT_PROTOCOLS:
            yield f"{where}: redirect protocol {action.protocol!r} is not HTTP or HTTPS"
        if not action.path.startswith("/"):
            yield f"{where}: redirect path {action.path!r} must start with /"


def _forward_problems(
    action: ForwardAction, where: str, mode: Mode, modes: dict[str, Mode]
) -> Iterator[str]:
    if not any(t.weight > 0 for t in action.targets):
        yield f"{where}: forward needs a target group with a positive weight"
    yield from _duplicates(f"{where}: forward target", (t.backend for t in action.targets))
    for target in action.targets:
        if target.backend not in modes:
            yield f"{where}: forwards to unknown backend {target.backend!r}"
        elif modes[target.backend] is not mode:
            yield f"{where}: a {mode.value} frontend cannot use {target.backend!r}"
        if not 0 <= target.weight <= MAX_FORWARD_WEIGHT:
            yield f"{where}: weight {target.weight} of {target.backend!r} is not 0–999"


def _backend_problems(backend: Backend) -> Iterator[str]:
    where = f"backend {backend.name!r}"
    if not NAME_RE.match(backend.name):
        yield f"{where}: the name has characters HAProxy does not allow"
    yield from _duplicates(f"{where}: server", (s.name for s in backend.servers))
    for server in backend.servers:
        if not NAME_RE.match(server.name):
            yield f"{where} server {server.name!r}: the name has characters HAProxy refuses"
        if server.port not in PORT_RANGE:
            yield f"{where} server {server.name!r}: port {server.port} is out of range"
        if not _is_ip(server.address):
            yield f"{where} server {server.name!r}: {server.address!r} is not an IP address"
        if not 0 <= server.weight <= MAX_SERVER_WEIGHT:
            yield f"{where} server {server.name!r}: weight {server.weight} is not 0–256"
    if backend.slow_start_seconds < 0:
        yield f"{where}: slow start cannot be negative"
    if backend.stickiness_seconds is not None and backend.stickiness_seconds < 1:
        yield f"{where}: stickiness duration must be at least 1 second"
    yield from _health_problems(backend.health, where)


def _health_problems(health: HealthCheck, where: str) -> Iterator[str]:
    numbers = {
        "interval": health.interval_seconds,
        "timeout": health.timeout_seconds,
        "healthy threshold": health.healthy_threshold,
        "unhealthy threshold": health.unhealthy_threshold,
    }
    for name, value in numbers.items():
        if value < 1:
            yield f"{where}: health check {name} must be at least 1"
    if health.port is not None and health.port not in PORT_RANGE:
        yield f"{where}: health check port {health.port} is out of range"
    if not health.path.startswith("/") or any(c <= " " or c == "\x7f" for c in health.path):
        yield f"{where}: health check path {health.path!r} must start with / and have no spaces"
    try:
        parse_matcher(health.matcher)
    except ValueError as error:
        yield f"{where}: {error}"


def _is_ip(text: str) -> bool:
    """HAProxy 2.6 never resolves a server added at runtime (``init-addr none``), so every
    address is an IP literal."""
    try:
        ipaddress.ip_address(text)
    except ValueError:
        return False
    return True
