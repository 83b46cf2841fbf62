"""The data plane on a real HAProxy 2.6: balancing, runtime server changes without reload, rule
routing, health checks, drain, reloads that refuse nothing, and restart after a crash."""

from __future__ import annotations

import os
import signal
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import replace

import pytest
from tests.integration_lb.lb_live import LiveHaproxy, TinyBackend, eventually, web

from dockyard.lb import (
    Backend,
    Condition,
    ConditionKind,
    ConfigInvalid,
    FixedResponseAction,
    ForwardAction,
    Frontend,
    Mode,
    RedirectAction,
    RedirectStatus,
    Rule,
    ServerState,
    ServerStatus,
    WeightedBackend,
)
from dockyard.lb.diff import AddServer, DeleteServer, SetServerState

Targets = Callable[[str], TinyBackend]


def _front(live: LiveHaproxy, *rules: Rule, default: str = "web") -> Frontend:
    return Frontend("alb", "127.0.0.1", live.port, Mode.HTTP, rules, ForwardAction.to(default))


def _tags(live: LiveHaproxy, count: int, path: str = "/") -> Counter[str]:
    return Counter(live.get(path).headers.get("x-backend", "-") for _ in range(count))


def test_balances_adds_and_deletes_servers_without_reload(
    haproxy: LiveHaproxy, targets: Targets
) -> None:
    a, b, c = targets("a"), targets("b"), targets("c")
    live = haproxy
    live.controller.apply(live.plane((_front(live),), (web(a.server(), b.server()),)))
    assert _tags(live, 20) == Counter({"a": 10, "b": 10})
    workers = live.process.worker_pids()

    added = live.controller.apply(
        live.plane((_front(live),), (web(a.server(), b.server(), c.server()),))
    )
    assert not added.reload_needed and isinstance(added.runtime_ops[0], AddServer)
    eventually(lambda: "c" in _tags(live, 6))

    removed = live.controller.apply(live.plane((_front(live),), (web(a.server(), c.server()),)))
    assert removed.runtime_ops == (DeleteServer("web", "b"),)
    assert sorted(live.runtime.server_states()) == [("web", "a"), ("web", "c")]
    assert set(_tags(live, 10)) == {"a", "c"}
    assert live.process.worker_pids() == workers


def test_rules_route_in_priority_order(haproxy: LiveHaproxy, targets: Targets) -> None:
    a, b = targets("a"), targets("api")
    live = haproxy
    C, K = Condition, ConditionKind
    rules = (
        Rule(
            1,
            (C(K.PATH_PATTERN, ("/api/private",)),),
            FixedResponseAction(403, "text/plain", "no 'way' $x"),
        ),
        Rule(5, (C(K.PATH_PATTERN, ("/api/*",)),), ForwardAction.to("api")),
        Rule(
            6,
            (C(K.PATH_PATTERN, ("/api/*", "/old/*")),),
            RedirectAction(
                RedirectStatus.HTTP_301,
                protocol="HTTPS",
                host="new.example.com",
                port="443",
                path="/new/#{path}",
            ),
        ),
        Rule(
            7,
            (C(K.HOST_HEADER, ("*.example.COM",)), C(K.HTTP_HEADER, ("stag?ng",), key="X-Env")),
            FixedResponseAction(200, "text/plain", "staging"),
        ),
        Rule(
            8,
            (C(K.QUERY_STRING, ("debug=tr*",)), C(K.HTTP_REQUEST_METHOD, ("GET",))),
            FixedResponseAction(200, "text/plain", "debug"),
        ),
        Rule(
            9,
            (C(K.PATH_PATTERN, ("/split",)),),
            ForwardAction((WeightedBackend("web", 1), WeightedBackend("api", 1))),
        ),
    )
    backends = (web(a.server()), replace(web(b.server(name="b")), name="api"))
    live.controller.apply(live.plane((_front(live, *rules),), backends))

    private = live.get("/api/private")
    assert (private.status, private.body) == (403, "no 'way' $x")
    assert live.get("/api/users").body == "api /api/users"  # forward 5 beats redirect 6
    moved = live.get("/old/page?x=1&y=2")
    assert (moved.status, moved.headers["location"]) == (
        301,
        "https://new.example.com/new/old/page?x=1&y=2",
    )
    assert live.get("/old/page").headers["location"] == "https://new.example.com/new/old/page"
    assert live.get("/", {"Host": "Shop.Example.com:8080", "X-Env": "STAGING"}).body == "staging"
    assert live.get("/", {"Host": "example.com", "X-Env": "staging"}).body == "a /"
    assert live.get("/?a=1&debug=TRUE").body == "debug"
    assert live.get("/?debug=false").body == "a /?debug=false"
    assert set(_tags(live, 20, "/split")) == {"a", "api"}


def test_failing_health_check_goes_down_and_stays_down_across_reload(
    haproxy: LiveHaproxy, targets: Targets
) -> None:
    good, bad = targets("good"), targets("bad")
    bad.health_status = 500
    live = haproxy
    plane = live.plane((_front(live),), (web(good.server(), bad.server()),))
    live.controller.apply(plane)

    down = eventually(lambda: _down(live, "bad"))
    assert (down.check_status, down.check_code) == ("L7STS", 500)
    assert live.runtime.server_states()[("web", "good")].status is ServerStatus.UP
    assert set(_tags(live, 6)) == {"good"}

    changed = replace(
        plane,
        frontends=(
            _front(
                live,
                Rule(
                    1, (Condition(ConditionKind.PATH_PATTERN, ("/x",)),), FixedResponseAction(204)
                ),
            ),
        ),
    )
    assert live.controller.apply(changed).reload_needed
    assert (
        live.runtime.server_states()[("web", "bad")].status is ServerStatus.DOWN
    )  # server-state file
    assert set(_tags(live, 6)) == {"good"}


def _down(live: LiveHaproxy, server: str):  # type: ignore[no-untyped-def]
    health = live.runtime.server_states()[("web", server)]
    return health if health.status is ServerStatus.DOWN and health.check_status else None


def test_drain_stops_new_requests(haproxy: LiveHaproxy, targets: Targets) -> None:
    a, b = targets("a"), targets("b")
    live = haproxy
    live.controller.apply(live.plane((_front(live),), (web(a.server(), b.server()),)))
    drained = live.controller.apply(
        live.plane((_front(live),), (web(a.server(), b.server(state=ServerState.DRAIN)),))
    )
    assert drained.runtime_ops == (SetServerState("web", "b", ServerState.DRAIN),)
    assert live.runtime.server_states()[("web", "b")].status is ServerStatus.DRAIN
    assert set(_tags(live, 10)) == {"a"}


def test_structural_reloads_refuse_no_request(haproxy: LiveHaproxy, targets: Targets) -> None:
    a, b = targets("a"), targets("b")
    live = haproxy
    backends = (web(a.server(), b.server()),)
    live.controller.apply(live.plane((_front(live),), backends))
    failures: list[str] = []
    done = threading.Event()
    statuses: Counter[int] = Counter()
    lock = threading.Lock()

    def hammer() -> None:
        while not done.is_set():
            try:
                status = live.get("/slow" if statuses.total() % 5 == 0 else "/").status
            except OSError as error:
                failures.append(repr(error))
                continue
            with lock:
                statuses[status] += 1

    loops = [threading.Thread(target=hammer) for _ in range(4)]
    for loop in loops:
        loop.start()
    workers = [live.process.worker_pids()]
    for n in range(3):
        seen = statuses.total()
        eventually(lambda seen=seen: statuses.total() >= seen + 15)  # type: ignore[misc]
        rule = Rule(
            1,
            (Condition(ConditionKind.PATH_PATTERN, (f"/v{n}",)),),
            FixedResponseAction(200, "text/plain", f"v{n}"),
        )
        assert live.controller.apply(live.plane((_front(live, rule),), backends)).reload_needed
        workers.append(live.process.worker_pids())
    seen = statuses.total()
    eventually(lambda: statuses.total() >= seen + 15)
    done.set()
    for loop in loops:
        loop.join()
    assert failures == [] and set(statuses) == {200} and statuses.total() >= 60
    assert len({w[0] for w in workers}) == 4
    assert live.get("/v2").body == "v2"


def test_killed_haproxy_is_restarted_with_states(haproxy: LiveHaproxy, targets: Targets) -> None:
    a, b = targets("a"), targets("b")
    live = haproxy
    live.controller.apply(
        live.plane((_front(live),), (web(a.server(), b.server(state=ServerState.DRAIN)),))
    )
    master = live.process.master_pid()
    assert master is not None
    os.kill(master, signal.SIGKILL)
    eventually(lambda: not live.process.is_running())

    assert live.controller.ensure_running() is True
    assert live.process.master_pid() not in (None, master)
    assert live.runtime.server_states()[("web", "b")].status is ServerStatus.DRAIN
    assert set(_tags(live, 6)) == {"a"}
    assert live.controller.ensure_running() is False


def test_haproxy_refuses_what_it_cannot_parse(haproxy: LiveHaproxy) -> None:
    with pytest.raises(ConfigInvalid, match="unknown keyword"):
        haproxy.process.validate("global\n    no-such-keyword\n")


def test_tcp_frontend_forwards(haproxy: LiveHaproxy, targets: Targets) -> None:
    a = targets("a")
    live = haproxy
    tcp = Backend("raw", Mode.TCP, (a.server(),), web().health)
    front = Frontend("nlb", "127.0.0.1", live.port, Mode.TCP, (), ForwardAction.to("raw"))
    live.controller.apply(live.plane((front,), (tcp,)))
    assert live.get("/through-tcp").body == "a /through-tcp"
