"""The data plane as HAProxy will run it: frontends, rules, actions, backends, servers. Pure.

This is the input model of :mod:`dockyard.lb`, not the ELBv2 resource model: the control plane
converts listeners, rules and target groups into these values (one :class:`Frontend` per
listener, one :class:`Backend` per target group, one :class:`Server` per registered target) and
hands a whole :class:`DataPlane` to :func:`dockyard.lb.render.render` or to the
:class:`~dockyard.lb.controller.DataPlaneController`.

Semantics follow ELBv2: a rule's conditions are AND-ed and each condition's values are OR-ed;
rules are evaluated by ascending priority and the first match wins; the frontend's
``default_action`` answers when no rule matches. Wildcards are ``*`` (zero or more characters)
and ``?`` (exactly one). See :mod:`dockyard.lb.patterns` for how each condition kind matches.

Every value is frozen and hashable, so two data planes compare with ``==`` and
:mod:`dockyard.lb.diff` can tell a structural change from a server-only change.
:func:`dockyard.lb.validate.validate` lists everything wrong with a data plane (never just the
first problem); the renderer refuses an invalid one.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

__all__ = [
    "Action",
    "Algorithm",
    "Backend",
    "Condition",
    "ConditionKind",
    "DataPlane",
    "FixedResponseAction",
    "ForwardAction",
    "Frontend",
    "HealthCheck",
    "HealthProtocol",
    "Mode",
    "RedirectAction",
    "RedirectStatus",
    "Rule",
    "Server",
    "ServerState",
    "Timeouts",
    "WeightedBackend",
]


class Mode(StrEnum):
    """HAProxy proxy mode: ``http`` for ALB listeners, ``tcp`` for NLB listeners."""

    HTTP = "http"
    TCP = "tcp"


class ConditionKind(StrEnum):
    """ELBv2 rule condition fields (``source-ip`` is not supported)."""

    PATH_PATTERN = "path-pattern"
    HOST_HEADER = "host-header"
    HTTP_HEADER = "http-header"
    QUERY_STRING = "query-string"
    HTTP_REQUEST_METHOD = "http-request-method"


@dataclass(frozen=True, slots=True)
class Condition:
    """One rule condition; ``values`` are OR-ed.

    ``key`` is the header name for ``http-header`` and must be None otherwise. A
    ``query-string`` value is ``key=value`` or ``value`` (``=value`` means the same: any key).
    """

    kind: ConditionKind
    values: tuple[str, ...]
    key: str | None = None


@dataclass(frozen=True, slots=True)
class WeightedBackend:
    """One target group of a forward action. ELBv2 weights are 0–999; weight 0 gets nothing."""

    backend: str
    weight: int = 1


@dataclass(frozen=True, slots=True)
class ForwardAction:
    """Forward to one backend, or split between several by weight."""

    targets: tuple[WeightedBackend, ...]

    @classmethod
    def to(cls, backend: str) -> ForwardAction:
        return cls((WeightedBackend(backend),))


@dataclass(frozen=True, slots=True)
class FixedResponseAction:
    """Answer without a backend. ELBv2 allows 2XX, 4XX and 5XX codes and ≤ 1024 body chars."""

    status_code: int
    content_type: str = "text/plain"
    body: str = ""


class RedirectStatus(StrEnum):
    HTTP_301 = "HTTP_301"
    HTTP_302 = "HTTP_302"

    @property
    def code(self) -> int:
        return int(self.value.removeprefix("HTTP_"))


@dataclass(frozen=True, slots=True)
class RedirectAction:
    """An ELBv2 redirect. Each part may use ``#{protocol}``, ``#{host}``, ``#{port}``,
    ``#{path}`` (the request path without its leading ``/``) and ``#{query}``; the defaults
    keep the request's own part. ``query`` is without the ``?``."""

    status: RedirectStatus
    protocol: str = "#{protocol}"
    host: str = "#{host}"
    port: str = "#{port}"
    path: str = "/#{path}"
    query: str = "#{query}"


Action = ForwardAction | FixedResponseAction | RedirectAction


@dataclass(frozen=True, slots=True)
class Rule:
    """A listener rule: all ``conditions`` must match (ELBv2 priorities are 1–50000)."""

    priority: int
    conditions: tuple[Condition, ...]
    action: Action


@dataclass(frozen=True, slots=True)
class Frontend:
    """One listener: HAProxy binds ``bind_address:port``. ``rules`` may come in any order
    (rendering sorts them by priority); a ``tcp`` frontend has no rules and forwards."""

    name: str
    bind_address: str
    port: int
    mode: Mode
    rules: tuple[Rule, ...]
    default_action: Action


class HealthProtocol(StrEnum):
    HTTP = "HTTP"
    HTTPS = "HTTPS"
    TCP = "TCP"


@dataclass(frozen=True, slots=True)
class HealthCheck:
    """A target group's health check; the defaults are ALB's.

    ``port`` None means the traffic port. ``matcher`` is ELBv2's ``HttpCode``: a code
    (``200``), a list (``200,302``), a range (``200-299``) or a list of both.
    """

    protocol: HealthProtocol = HealthProtocol.HTTP
    port: int | None = None
    path: str = "/"
    interval_seconds: int = 30
    timeout_seconds: int = 5
    healthy_threshold: int = 5
    unhealthy_threshold: int = 2
    matcher: str = "200"


class ServerState(StrEnum):
    """Administrative state of a server, as HAProxy's ``set server … state`` names it.

    ``ready`` takes traffic; ``drain`` takes no new requests (ELBv2's *draining* target:
    deregistered, in-flight requests finish); ``maint`` takes no traffic and is not checked.
    """

    READY = "ready"
    DRAIN = "drain"
    MAINT = "maint"


@dataclass(frozen=True, slots=True)
class Server:
    """One registered target. ``weight`` is HAProxy's (0–256)."""

    name: str
    address: str
    port: int
    weight: int = 1
    state: ServerState = ServerState.READY


class Algorithm(StrEnum):
    """ELBv2 ``load_balancing.algorithm.type``; both are dynamic in HAProxy, which
    ``add server`` requires."""

    ROUND_ROBIN = "round_robin"
    LEAST_OUTSTANDING_REQUESTS = "least_outstanding_requests"


@dataclass(frozen=True, slots=True)
class Backend:
    """One target group. ``stickiness_seconds`` set means load-balancer cookie stickiness
    (``lb_cookie``) with that duration; ``slow_start_seconds`` 0 means off."""

    name: str
    mode: Mode
    servers: tuple[Server, ...]
    health: HealthCheck = field(default_factory=HealthCheck)
    slow_start_seconds: int = 0
    stickiness_seconds: int | None = None
    algorithm: Algorithm = Algorithm.ROUND_ROBIN


@dataclass(frozen=True, slots=True)
class Timeouts:
    """Proxy timeouts in seconds (HAProxy ``timeout …``)."""

    connect: int = 10
    """ALB gives up connecting to a target after 10 s."""
    idle: int = 60
    """ALB's default ``idle_timeout.timeout_seconds``; HAProxy's client and server timeouts."""
    http_request: int = 60
    """How long a client may take to send a whole request head."""
    hard_stop_after: int = 300
    """How long an old worker may keep serving its connections after a reload; bounds the
    number of HAProxy processes alive during frequent reloads."""


@dataclass(frozen=True, slots=True)
class DataPlane:
    """Everything one HAProxy process serves.

    ``stats_socket`` is the admin Runtime API socket; ``server_state_file`` (optional) is where
    server health and admin states are saved before a reload so the new worker starts from
    them (see :class:`~dockyard.lb.process.HaproxyPaths`).
    """

    frontends: tuple[Frontend, ...]
    backends: tuple[Backend, ...]
    stats_socket: str
    server_state_file: str | None = None
    timeouts: Timeouts = field(default_factory=Timeouts)

    def backend(self, name: str) -> Backend | None:
        return next((b for b in self.backends if b.name == name), None)
