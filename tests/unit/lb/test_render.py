"""``render``: golden configurations, determinism, and refusal of invalid input.

The golden file ``data/sample.haproxy.cfg`` is the sample data plane of ``lb_support`` (every
condition kind, all three actions, weighted forward, stickiness, slow start, HTTPS and TCP
checks, a maintenance server). After an intended change, regenerate it with
``DOCKYARD_UPDATE_GOLDEN=1 pytest tests/unit/lb/test_render.py`` and review the diff.
"""

from __future__ import annotations

import os
import random
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from tests.unit.lb.lb_support import sample_plane, server, web_backend, with_backend

from dockyard.lb.errors import InvalidDataPlane
from dockyard.lb.model import (
    Backend,
    Condition,
    ConditionKind,
    DataPlane,
    FixedResponseAction,
    ForwardAction,
    Frontend,
    Mode,
    RedirectAction,
    RedirectStatus,
    Rule,
    ServerState,
    Timeouts,
    WeightedBackend,
)
from dockyard.lb.render import render, render_backend, server_arguments

GOLDEN = Path(__file__).parent / "data" / "sample.haproxy.cfg"


def test_sample_plane_matches_golden_config() -> None:
    text = render(sample_plane())
    if os.environ.get("DOCKYARD_UPDATE_GOLDEN"):
        GOLDEN.write_text(text)
    assert text == GOLDEN.read_text()


def _shuffled(plane: DataPlane, rng: random.Random) -> DataPlane:
    def shuffle(items: tuple[Any, ...]) -> tuple[Any, ...]:
        out = list(items)
        rng.shuffle(out)
        return tuple(out)

    def shuffle_rule(rule: Rule) -> Rule:
        conditions = tuple(replace(c, values=shuffle(c.values)) for c in rule.conditions)
        return replace(rule, conditions=shuffle(conditions))

    frontends = tuple(
        replace(f, rules=shuffle(tuple(map(shuffle_rule, f.rules)))) for f in plane.frontends
    )
    backends = tuple(replace(b, servers=shuffle(b.servers)) for b in plane.backends)
    return replace(plane, frontends=shuffle(frontends), backends=shuffle(backends))


@pytest.mark.parametrize("seed", range(5))
def test_render_is_byte_identical_whatever_the_input_order(seed: int) -> None:
    plane = sample_plane()
    assert render(_shuffled(plane, random.Random(seed))) == render(plane)


MINIMAL_GOLDEN = """\
# Rendered by dockyard.lb.render from the load balancers' state: do not edit.
global
    master-worker
    stats socket '/tmp/dir with space/stats.sock' mode 600 level admin expose-fd listeners
    stats timeout 30s
    hard-stop-after 30s

defaults
    timeout connect 3s
    timeout client 15s
    timeout server 15s
    timeout http-request 5s
    retries 3
    option redispatch 1

frontend moved
    mode http
    bind [::1]:80
    option forwardfor
    http-request set-header X-Forwarded-Proto http
    http-request set-header X-Forwarded-Port 80
    acl r5_c1 path /teapot
    http-request set-var(txn.rule) int(5) if !{ var(txn.rule) -m found } r5_c1
    http-request set-var(txn.rule) int(0) if !{ var(txn.rule) -m found }
    http-request return status 418 content-type application/json string '{"tea": "100%"}' if { var(txn.rule) -m int 5 }
    http-request redirect location 'http://%[req.hdr(host),field(1,:)]:8443/%[path,bytes(1)]?%[query]' code 302 if { var(txn.rule) -m int 0 } { query -m len gt 0 }
    http-request redirect location 'http://%[req.hdr(host),field(1,:)]:8443/%[path,bytes(1)]' code 302 if { var(txn.rule) -m int 0 }

frontend split
    mode tcp
    bind 127.0.0.1:7000
    tcp-request content set-var(txn.weight) rand(10)
    use_backend blue if { var(txn.weight) -m int lt 9 }
    use_backend green

backend blue
    mode tcp
    balance roundrobin
    option httpchk GET /
    http-check expect status 200
    timeout check 5s

backend green
    mode tcp
    balance roundrobin
    option httpchk GET /
    http-check expect status 200
    timeout check 5s

backend red
    mode tcp
    balance roundrobin
    option httpchk GET /
    http-check expect status 200
    timeout check 5s
"""


def test_minimal_plane_tcp_weighted_split_and_non_forward_default() -> None:
    tcp_split = ForwardAction(
        (WeightedBackend("green", 1), WeightedBackend("blue", 9), WeightedBackend("red", 0))
    )
    plane = DataPlane(
        (
            Frontend("split", "127.0.0.1", 7000, Mode.TCP, (), tcp_split),
            Frontend(
                "moved",
                "::1",
                80,
                Mode.HTTP,
                (
                    Rule(
                        5,
                        (Condition(ConditionKind.PATH_PATTERN, ("/teapot",)),),
                        FixedResponseAction(418, "application/json", '{"tea": "100%"}'),
                    ),
                ),
                RedirectAction(RedirectStatus.HTTP_302, port="8443"),
            ),
        ),
        tuple(Backend(name, Mode.TCP, ()) for name in ("green", "blue", "red")),
        "/tmp/dir with space/stats.sock",
        timeouts=Timeouts(connect=3, idle=15, http_request=5, hard_stop_after=30),
    )
    assert render(plane) == MINIMAL_GOLDEN


def test_fixed_response_without_body_has_no_payload() -> None:
    plane = sample_plane()
    front = replace(plane.frontends[0], rules=(), default_action=FixedResponseAction(404))
    text = render(replace(plane, frontends=(front, plane.frontends[1])))
    assert "    http-request return status 404 if { var(txn.rule) -m int 0 }\n" in text


def test_drain_is_rendered_as_ready_and_maint_as_disabled() -> None:
    backend = web_backend(
        server("ready", 1),
        server("draining", 2, state=ServerState.DRAIN),
        server("off", 3, state=ServerState.MAINT),
    )
    servers = [line.strip() for line in render_backend(backend).splitlines() if "server " in line]
    assert servers == [
        "server draining 10.0.0.1:2 check inter 10s fall 2 rise 3 weight 1 slowstart 30s",
        "server off 10.0.0.1:3 check inter 10s fall 2 rise 3 weight 1 slowstart 30s disabled",
        "server ready 10.0.0.1:1 check inter 10s fall 2 rise 3 weight 1 slowstart 30s",
    ]


def test_server_arguments_carry_every_check_setting_for_add_server() -> None:
    """2.6 dynamic servers inherit nothing from default-server: all settings are per server."""
    backend = web_backend()
    assert server_arguments(backend, server("x", 80, weight=7)) == (
        "check inter 10s fall 2 rise 3 weight 7 slowstart 30s"
    )
    assert "default-server" not in render(sample_plane())


def test_invalid_plane_lists_every_problem() -> None:
    plane = sample_plane()
    broken_front = replace(plane.frontends[0], default_action=ForwardAction.to("nowhere"))
    broken = with_backend(
        replace(plane, frontends=(broken_front, plane.frontends[1])),
        web_backend(server("bad name", 0)),
    )
    with pytest.raises(InvalidDataPlane) as caught:
        render(broken)
    assert caught.value.problems == (
        "frontend 'alb-80' default: forwards to unknown backend 'nowhere'",
        "backend 'web' server 'bad name': the name has characters HAProxy refuses",
        "backend 'web' server 'bad name': port 0 is out of range",
    )
