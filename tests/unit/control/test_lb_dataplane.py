"""ELBv2 resources → HAProxy data-plane model, HAProxy's health → ELBv2 target states, the
hosts-file block for load-balancer names and the Prometheus exposition."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dockyard.control.hosts_file import with_names
from dockyard.control.lb_controller import observation, prometheus_text
from dockyard.control.lb_dataplane import ElbState, to_dataplane
from dockyard.domain.elb import (
    Action,
    Condition,
    ForwardTarget,
    Listener,
    Rule,
    Target,
    TargetGroup,
    default_health_check,
)
from dockyard.lb.model import FixedResponseAction, ForwardAction, Mode, ServerState, WeightedBackend
from dockyard.lb.stats import ProxyCounters, ProxyKind, ServerHealth, ServerStatus

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
TG_A, TG_B = "arn:tg/a/0001", "arn:tg/b/0002"


def group(tg_id: str, targets: tuple[Target, ...] = (), **kw: object) -> TargetGroup:
    return TargetGroup(name=f"g{tg_id}", region="r", tg_id=tg_id, protocol="HTTP", port=80, target_type="instance",
                       vpc_id="vpc", health=default_health_check("HTTP", "instance"), created_at=NOW,
                       targets=targets, **kw)  # type: ignore[arg-type]


def state() -> ElbState:
    forward = (Action("forward", (ForwardTarget(TG_A, 1),)),)
    split = (Action("forward", (ForwardTarget(TG_A, 3), ForwardTarget(TG_B, 1))),)
    targets = (
        Target("i-1", 32768, NOW),
        Target("i-1", 32769, NOW, deregistered_at=NOW - timedelta(seconds=10)),
        Target("i-1", 32770, NOW, deregistered_at=NOW - timedelta(seconds=400)),
    )
    return ElbState(
        listeners={"arn:l/1": Listener("l1", "arn:lb/1", 8080, "HTTP", forward)},
        rules={
            "arn:r/2": Rule("r2", "arn:l/1", 20, (Condition("path-pattern", ("/api/*",)),), split),
            "arn:r/1": Rule("r1", "arn:l/1", 5, (Condition("host-header", ("a.example",)),),
                            (Action("fixed-response", config=(("StatusCode", "418"), ("MessageBody", "tea"))),)),
        },
        target_groups={TG_A: group("0001", targets), TG_B: group("0002")},
        addresses={("i-1", 32768): "127.0.0.5"},
    )


def test_listeners_rules_and_groups_become_frontends_and_backends() -> None:
    plane = to_dataplane(state(), bind_address="127.0.0.1", stats_socket="/s", now=NOW)
    (frontend,) = plane.frontends
    assert (frontend.name, frontend.port, frontend.mode) == ("l-l1", 8080, Mode.HTTP)
    assert [r.priority for r in frontend.rules] == [5, 20]
    assert frontend.rules[0].action == FixedResponseAction(418, "text/plain", "tea")
    assert frontend.rules[1].action == ForwardAction((WeightedBackend("tg-0001", 3), WeightedBackend("tg-0002", 1)))
    assert frontend.default_action == ForwardAction((WeightedBackend("tg-0001", 1),))
    backend = plane.backend("tg-0001")
    assert backend is not None
    assert [(s.name, s.address, s.port, s.state) for s in backend.servers] == [
        ("i-1-32768", "127.0.0.5", 32768, ServerState.READY),
        ("i-1-32769", "127.0.0.1", 32769, ServerState.DRAIN),  # within the 300 s delay
    ]  # the target drained 400 s ago is gone
    assert backend.health.interval_seconds == 30 and backend.health.healthy_threshold == 5


def test_conversion_is_deterministic() -> None:
    a = to_dataplane(state(), bind_address="127.0.0.1", stats_socket="/s", now=NOW)
    assert a == to_dataplane(state(), bind_address="127.0.0.1", stats_socket="/s", now=NOW)


def row(status: ServerStatus, check: str, code: int | None = None) -> ServerHealth:
    return ServerHealth("b", "s", status, status.value, check, code, "", "", 0, 1)


@pytest.mark.parametrize(("health", "expected"), [
    (row(ServerStatus.UP, "L7OK", 200), ("healthy", None, None)),
    (row(ServerStatus.UP, "INI"), ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")),
    (row(ServerStatus.DOWN, "L7STS", 500), ("unhealthy", "Target.ResponseCodeMismatch",
                                            "Health checks failed with these codes: [500]")),
    (row(ServerStatus.DOWN, "L4TOUT"), ("unhealthy", "Target.Timeout", "Request timed out")),
    (row(ServerStatus.DOWN, "L4CON"), ("unhealthy", "Target.FailedHealthChecks", "Health checks failed")),
    (row(ServerStatus.DRAIN, "L7OK", 200), ("draining", "Target.DeregistrationInProgress",
                                            "Target deregistration is in progress")),
], ids=["up", "initial", "wrong-code", "timeout", "refused", "drain"])
def test_haproxy_health_maps_to_elb_target_states(health: ServerHealth, expected: tuple[str, str | None, str | None]) -> None:
    assert observation(health) == expected


def test_a_rising_server_keeps_its_earlier_target_state() -> None:
    """DOWN with a passing last check: below the healthy threshold yet (HAProxy's ``DOWN 2/5``)."""
    rising = row(ServerStatus.DOWN, "L7OK", 200)
    initial = ("initial", "Elb.InitialHealthChecking", "Initial health checks in progress")
    mismatch = ("unhealthy", "Target.ResponseCodeMismatch", "Health checks failed with these codes: [500]")
    assert observation(rising) == initial  # a new target
    assert observation(rising, initial) == initial
    assert observation(rising, mismatch) == mismatch  # recovering: unhealthy until the threshold
    assert observation(rising, ("healthy", None, None)) == (
        "unhealthy", "Target.FailedHealthChecks", "Health checks failed")  # went down, now rising
    assert observation(row(ServerStatus.UP, "L7OK", 200), initial) == ("healthy", None, None)


def test_hosts_block_is_ours_only_and_idempotent() -> None:
    text = "127.0.0.1 localhost\n10.0.0.1 db  # dockyard-elb-other\n"
    once = with_names(text, "dockyard-elb-me", ["b.elb.localhost", "a.elb.localhost"], "127.0.0.1")
    assert once.splitlines() == [
        "127.0.0.1 localhost", "10.0.0.1 db  # dockyard-elb-other",
        "127.0.0.1 a.elb.localhost  # dockyard-elb-me", "127.0.0.1 b.elb.localhost  # dockyard-elb-me",
    ]
    assert with_names(once, "dockyard-elb-me", ["a.elb.localhost", "b.elb.localhost"], "127.0.0.1") == once
    assert "dockyard-elb-me" not in with_names(once, "dockyard-elb-me", [], "127.0.0.1")


def test_prometheus_text_has_one_series_per_target_group() -> None:
    counters = {TG_A: ProxyCounters(ProxyKind.BACKEND, "tg-0001", 10, 8, 0, 1, 1, 3, 2, 12)}
    text = prometheus_text(counters)
    assert f'dockyard_lb_requests_total{{target_group="{TG_A}"}} 10' in text
    assert f'dockyard_lb_responses_5xx_total{{target_group="{TG_A}"}} 1' in text
    assert "# TYPE dockyard_lb_active_connections gauge" in text
