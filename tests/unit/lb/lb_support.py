"""Builders for data plane tests: a small ALB + NLB data plane with every feature in it."""

from __future__ import annotations

from dataclasses import replace

from dockyard.lb.model import (
    Algorithm,
    Backend,
    Condition,
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
    Rule,
    Server,
    ServerState,
    WeightedBackend,
)

STATS = "/run/dockyard/haproxy/stats.sock"
STATE = "/run/dockyard/haproxy/server-state"


def server(name: str, port: int, **changes: object) -> Server:
    return replace(Server(name, "10.0.0.1", port), **changes)  # type: ignore[arg-type]


def web_backend(*servers: Server, **changes: object) -> Backend:
    backend = Backend(
        "web",
        Mode.HTTP,
        servers or (server("t1", 8001), server("t2", 8002)),
        HealthCheck(path="/health", matcher="200-299", interval_seconds=10, healthy_threshold=3),
        slow_start_seconds=30,
        stickiness_seconds=3600,
    )
    return replace(backend, **changes)  # type: ignore[arg-type]


def api_backend(*servers: Server) -> Backend:
    return Backend(
        "api",
        Mode.HTTP,
        servers or (server("a1", 9001),),
        HealthCheck(protocol=HealthProtocol.HTTPS, port=9443, matcher="200,302"),
        algorithm=Algorithm.LEAST_OUTSTANDING_REQUESTS,
    )


def db_backend() -> Backend:
    return Backend(
        "db",
        Mode.TCP,
        (server("d1", 5432, state=ServerState.MAINT), server("d2", 5433)),
        HealthCheck(protocol=HealthProtocol.TCP),
    )


def http_frontend(*rules: Rule) -> Frontend:
    C, K = Condition, ConditionKind
    default_rules = (
        Rule(
            20,
            (C(K.PATH_PATTERN, ("/maintenance", "/down/*")),),
            FixedResponseAction(503, "text/plain", "down for 'maintenance' $now"),
        ),
        Rule(
            10,
            (C(K.HOST_HEADER, ("api.example.com",)), C(K.PATH_PATTERN, ("/v?/*",))),
            ForwardAction((WeightedBackend("web", 1), WeightedBackend("api", 3))),
        ),
        Rule(
            30,
            (
                C(K.HTTP_HEADER, ("*Mobile*",), key="User-Agent"),
                C(K.QUERY_STRING, ("lang=en", "*=debug")),
                C(K.HTTP_REQUEST_METHOD, ("GET", "HEAD")),
            ),
            RedirectAction(RedirectStatus.HTTP_301, protocol="HTTPS", port="443"),
        ),
        Rule(
            40,
            (C(K.PATH_PATTERN, ("/old",)),),
            RedirectAction(
                RedirectStatus.HTTP_302,
                host="new.example.com",
                path="/new/#{path}",
                query="from=old",
            ),
        ),
    )
    return Frontend(
        "alb-80", "127.0.0.1", 8080, Mode.HTTP, rules or default_rules, ForwardAction.to("web")
    )


def tcp_frontend() -> Frontend:
    return Frontend("nlb-5432", "0.0.0.0", 5432, Mode.TCP, (), ForwardAction.to("db"))


def sample_plane(**changes: object) -> DataPlane:
    plane = DataPlane(
        (http_frontend(), tcp_frontend()),
        (web_backend(), api_backend(), db_backend()),
        STATS,
        STATE,
    )
    return replace(plane, **changes)  # type: ignore[arg-type]


def with_backend(plane: DataPlane, backend: Backend) -> DataPlane:
    others = tuple(b for b in plane.backends if b.name != backend.name)
    return replace(plane, backends=(*others, backend))
