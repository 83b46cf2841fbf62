"""``validate`` lists every problem; ``word`` quotes any string so HAProxy reads it back."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.lb.lb_support import db_backend, sample_plane, server, web_backend, with_backend

from dockyard.lb.model import (
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
    RedirectStatus,
    Rule,
    WeightedBackend,
)
from dockyard.lb.quoting import log_format_literal, word
from dockyard.lb.validate import validate


def test_sample_plane_is_valid() -> None:
    assert validate(sample_plane()) == ()


def _with_front(front: Frontend) -> DataPlane:
    plane = sample_plane()
    others = tuple(f for f in plane.frontends if f.name != front.name)
    return replace(plane, frontends=(front, *others))


def _rule(*conditions: Condition, priority: int = 1) -> Frontend:
    front = sample_plane().frontends[0]
    return replace(front, rules=(Rule(priority, conditions, FixedResponseAction(200)),))


K = ConditionKind
PROBLEM_CASES = [
    (
        "tcp-rules",
        _with_front(
            replace(
                sample_plane().frontends[1], rules=_rule(Condition(K.PATH_PATTERN, ("/",))).rules
            )
        ),
        ["frontend 'nlb-5432': a tcp frontend cannot have rules"],
    ),
    (
        "tcp-fixed",
        _with_front(replace(sample_plane().frontends[1], default_action=FixedResponseAction(200))),
        ["frontend 'nlb-5432': a tcp frontend can only forward"],
    ),
    (
        "header-without-key",
        _with_front(_rule(Condition(K.HTTP_HEADER, ("x",)))),
        ["frontend 'alb-80' rule 1 http-header: needs a header name of RFC 7230 token characters"],
    ),
    (
        "key-on-path",
        _with_front(_rule(Condition(K.PATH_PATTERN, ("/",), key="X"))),
        ["frontend 'alb-80' rule 1 path-pattern: only http-header conditions take a key"],
    ),
    (
        "no-values",
        _with_front(_rule(Condition(K.HOST_HEADER, ()))),
        ["frontend 'alb-80' rule 1 host-header: a condition needs at least one value"],
    ),
    (
        "control-char",
        _with_front(_rule(Condition(K.PATH_PATTERN, ("/a\nb",)))),
        [
            "frontend 'alb-80' rule 1 path-pattern: value '/a\\nb' is empty or has control characters"
        ],
    ),
    (
        "bad-method",
        _with_front(_rule(Condition(K.HTTP_REQUEST_METHOD, ("get",)))),
        ["frontend 'alb-80' rule 1 http-request-method: 'get' is not a request method"],
    ),
    (
        "priority-0",
        _with_front(_rule(Condition(K.PATH_PATTERN, ("/",)), priority=0)),
        ["frontend 'alb-80' rule 0: priorities start at 1"],
    ),
    (
        "mode-mismatch",
        _with_front(replace(sample_plane().frontends[0], default_action=ForwardAction.to("db"))),
        ["frontend 'alb-80' default: a http frontend cannot use 'db'"],
    ),
    (
        "zero-weights",
        _with_front(
            replace(
                sample_plane().frontends[0],
                default_action=ForwardAction((WeightedBackend("web", 0),)),
            )
        ),
        ["frontend 'alb-80' default: forward needs a target group with a positive weight"],
    ),
    (
        "bad-redirect",
        _with_front(
            replace(
                sample_plane().frontends[0],
                default_action=RedirectAction(RedirectStatus.HTTP_301, protocol="ftp", path="x"),
            )
        ),
        [
            "frontend 'alb-80' default: redirect protocol 'ftp' is not HTTP or HTTPS",
            "frontend 'alb-80' default: redirect path 'x' must start with /",
        ],
    ),
    (
        "fixed-status",
        _with_front(replace(sample_plane().frontends[0], default_action=FixedResponseAction(101))),
        ["frontend 'alb-80' default: fixed-response status 101 is not 2XX–5XX"],
    ),
    (
        "duplicate-servers-and-dns-name",
        with_backend(
            sample_plane(),
            web_backend(
                server("a", 1), server("a", 2), replace(server("b", 3), address="web.internal")
            ),
        ),
        [
            "backend 'web': server 'a' is defined 2 times",
            "backend 'web' server 'b': 'web.internal' is not an IP address",
        ],
    ),
    (
        "health",
        with_backend(
            sample_plane(),
            web_backend(health=HealthCheck(path="health", interval_seconds=0, matcher="2xx")),
        ),
        [
            "backend 'web': health check interval must be at least 1",
            "backend 'web': health check path 'health' must start with / and have no spaces",
            "backend 'web': health check matcher '2xx' is not codes or ranges of codes",
        ],
    ),
    (
        "duplicates",
        replace(
            sample_plane(),
            backends=(*sample_plane().backends, db_backend()),
            frontends=(*sample_plane().frontends, sample_plane().frontends[1]),
        ),
        [
            "frontend 'nlb-5432' is defined 2 times",
            "backend 'db' is defined 2 times",
            "bind address '0.0.0.0:5432' is defined 2 times",
        ],
    ),
]


@pytest.mark.parametrize(
    "plane,expected", [(p, e) for _, p, e in PROBLEM_CASES], ids=[c[0] for c in PROBLEM_CASES]
)
def test_validate_names_every_problem(plane: DataPlane, expected: list[str]) -> None:
    assert sorted(validate(plane)) == sorted(expected)


def test_unknown_backend_and_weight_range() -> None:
    plane = sample_plane()
    front = replace(
        plane.frontends[0],
        default_action=ForwardAction((WeightedBackend("web", 1000), WeightedBackend("ghost", 1))),
    )
    assert validate(replace(plane, frontends=(front, plane.frontends[1]))) == (
        "frontend 'alb-80' default: weight 1000 of 'web' is not 0–999",
        "frontend 'alb-80' default: forwards to unknown backend 'ghost'",
    )


def test_backend_name_characters() -> None:
    plane = sample_plane()
    bad = Backend("web app", Mode.HTTP, ())
    assert "backend 'web app': the name has characters HAProxy does not allow" in validate(
        replace(plane, backends=(*plane.backends, bad))
    )


WORD_CASES = [
    ("plain", "web-1.example_com:80/x", "web-1.example_com:80/x"),
    ("regex", r"^/api/.*\.png$", r"'^/api/.*\.png$'"),
    ("space", "a b", "'a b'"),
    ("hash", "#x", "'#x'"),
    ("single-quote", 'it\'s $HOME "x" \\', '"it\'s \\$HOME \\"x\\" \\\\"'),
    ("newline", "a\nb\tc\x01", '"a\\nb\\tc\\x01"'),
    ("empty", "", "''"),
]


@pytest.mark.parametrize(
    "text,expected", [(t, e) for _, t, e in WORD_CASES], ids=[c[0] for c in WORD_CASES]
)
def test_word_quotes_only_when_needed(text: str, expected: str) -> None:
    assert word(text) == expected


def test_log_format_literal_doubles_percent() -> None:
    assert log_format_literal("a=%20") == "a=%%20"
