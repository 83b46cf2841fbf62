"""``render(DataPlane) -> haproxy.cfg``: the whole HAProxy 2.6 configuration. Pure.

Contract: the same data plane renders to byte-identical text (frontends, backends, servers,
rules, conditions and values are sorted; nothing reads a clock, the environment or the file
system). An invalid data plane raises :class:`~dockyard.lb.errors.InvalidDataPlane` with every
problem :func:`~dockyard.lb.validate.validate` found.

Sections, in order: ``global`` (master-worker, the admin stats socket with ``expose-fd
listeners`` so a reload hands the listening sockets over, the server-state file), ``defaults``
(timeouts), one ``frontend`` per listener (:mod:`dockyard.lb.rules`), one ``backend`` per
target group.

Backends are written so that HAProxy 2.6's ``add server`` works on them at runtime: a dynamic
algorithm (``roundrobin`` or ``leastconn``), no ``default-server`` (a runtime server would not
inherit it) and so every server line carries its own check settings, produced by
:func:`server_arguments`, the same function the runtime adapter uses for ``add server``.
Stickiness uses *dynamic* cookies (a hash of the server address and a key) because 2.6 does
not accept ``cookie`` on ``add server``.
"""

from __future__ import annotations

from dockyard.lb.errors import InvalidDataPlane
from dockyard.lb.model import (
    Algorithm,
    Backend,
    DataPlane,
    HealthProtocol,
    Mode,
    Server,
    ServerState,
)
from dockyard.lb.patterns import parse_matcher, render_matcher
from dockyard.lb.quoting import word
from dockyard.lb.rules import INDENT, bind_address, render_frontend
from dockyard.lb.validate import validate

__all__ = [
    "HEADER",
    "STICKY_COOKIE",
    "render",
    "render_backend",
    "server_address",
    "server_arguments",
]

HEADER = "# Rendered by dockyard.lb.render from the load balancers' state: do not edit.\n"

STICKY_COOKIE = "AWSALB"
"""The cookie name of ALB's duration-based (``lb_cookie``) stickiness."""

BALANCE = {Algorithm.ROUND_ROBIN: "roundrobin", Algorithm.LEAST_OUTSTANDING_REQUESTS: "leastconn"}

STATS_TIMEOUT = "stats timeout 30s"
"""How long the Runtime API waits on an idle client connection (HAProxy's default is 10 s)."""


def render(plane: DataPlane) -> str:
    """The configuration text of ``plane``."""
    problems = validate(plane)
    if problems:
        raise InvalidDataPlane(problems)
    sections = [HEADER + _global(plane), _defaults(plane)]
    sections += [render_frontend(f) for f in sorted(plane.frontends, key=lambda f: f.name)]
    sections += [render_backend(b) for b in sorted(plane.backends, key=lambda b: b.name)]
    return "\n".join(sections)


def _section(title: str, lines: list[str]) -> str:
    return "\n".join([title, *(INDENT + line for line in lines)]) + "\n"


def _global(plane: DataPlane) -> str:
    lines = [
        "master-worker",
        f"stats socket {word(plane.stats_socket)} mode 600 level admin expose-fd listeners",
        STATS_TIMEOUT,
        f"hard-stop-after {plane.timeouts.hard_stop_after}s",
    ]
    if plane.server_state_file is not None:
        lines.append(f"server-state-file {word(plane.server_state_file)}")
    return _section("global", lines)


def _defaults(plane: DataPlane) -> str:
    timeouts = plane.timeouts
    lines = [
        f"timeout connect {timeouts.connect}s",
        f"timeout client {timeouts.idle}s",
        f"timeout server {timeouts.idle}s",
        f"timeout http-request {timeouts.http_request}s",
        # A connection refused by a target that is going away is retried on another one
        # (HAProxy retries only failed connections, never a request a target has seen).
        "retries 3",
        "option redispatch 1",
    ]
    if plane.server_state_file is not None:
        lines.append("load-server-state-from-file global")
    return _section("defaults", lines)


def render_backend(backend: Backend) -> str:
    """The ``backend`` section of one target group (ends with a newline)."""
    lines = [f"mode {backend.mode.value}", f"balance {BALANCE[backend.algorithm]}"]
    health = backend.health
    if health.protocol is not HealthProtocol.TCP:
        lines.append(f"option httpchk GET {word(health.path)}")
        lines.append(f"http-check expect status {render_matcher(parse_matcher(health.matcher))}")
    lines.append(f"timeout check {health.timeout_seconds}s")
    if backend.stickiness_seconds is not None and backend.mode is Mode.HTTP:
        lines.append(
            f"cookie {STICKY_COOKIE} insert indirect nocache dynamic "
            f"maxlife {backend.stickiness_seconds}s"
        )
        lines.append(f"dynamic-cookie-key {backend.name}")
    for server in sorted(backend.servers, key=lambda s: s.name):
        args = server_arguments(backend, server)
        if server.state is ServerState.MAINT:
            args += " disabled"
        lines.append(f"server {server.name} {server_address(server)} {args}")
    return _section(f"backend {backend.name}", lines)


def server_address(server: Server) -> str:
    return bind_address(server.address, server.port)


def server_arguments(backend: Backend, server: Server) -> str:
    """Everything after the address on a ``server`` line or an ``add server`` command.

    Drain is not a configuration keyword in 2.6: a draining server is rendered like a ready
    one and put in drain through the Runtime API (see :mod:`dockyard.lb.controller`).
    """
    health = backend.health
    args = [
        "check",
        f"inter {health.interval_seconds}s",
        f"fall {health.unhealthy_threshold}",
        f"rise {health.healthy_threshold}",
        f"weight {server.weight}",
    ]
    if health.port is not None:
        args.append(f"port {health.port}")
    if health.protocol is HealthProtocol.HTTPS:
        args.append("check-ssl verify none")
    if backend.slow_start_seconds > 0:
        args.append(f"slowstart {backend.slow_start_seconds}s")
    return " ".join(args)
