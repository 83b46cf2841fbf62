"""``HaproxyRuntimeClient`` over a scripted transport: the exact CLI commands it sends, how it
reads HAProxy's replies, and the drain-then-delete sequence on a fake clock (no sleeping)."""

from __future__ import annotations

import pytest
from tests.unit.lb.lb_support import server, web_backend

from dockyard.lb.errors import CommandFailed, ServerNotFound
from dockyard.lb.model import ServerState
from dockyard.lb.runtime import DELETE_DRAIN_TIMEOUT, HaproxyRuntimeClient


class ScriptedTransport:
    """Answers each expected command in order; anything unexpected fails the test."""

    def __init__(self, script: list[tuple[str, str]]) -> None:
        self.script = list(script)
        self.sent: list[str] = []

    def send(self, command: str) -> str:
        self.sent.append(command)
        assert self.script, f"unexpected command {command!r}"
        expected, reply = self.script.pop(0)
        assert command == expected
        return reply


class FakeTime:
    def __init__(self) -> None:
        self.now = 0.0

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def _client(
    script: list[tuple[str, str]],
) -> tuple[HaproxyRuntimeClient, ScriptedTransport, FakeTime]:
    transport, clock = ScriptedTransport(script), FakeTime()
    client = HaproxyRuntimeClient(transport, monotonic=clock.monotonic, sleep=clock.sleep)
    return client, transport, clock


def _stat(scur: int) -> str:
    return f"# pxname,svname,scur,status,type\nweb,t9,{scur},MAINT,2\n"


ADD = "add server web/t9 10.0.0.1:8009 check inter 10s fall 2 rise 3 weight 1 slowstart 30s"


def test_add_server_enables_cookie_health_and_state_and_starts_down() -> None:
    client, transport, _ = _client(
        [
            (ADD, "New server registered.\n\n"),
            ("enable dynamic-cookie backend web", "\n"),
            ("enable health web/t9", "\n"),
            ("set server web/t9 state ready; set server web/t9 health down", "\n\n"),
        ]
    )
    client.add_server(web_backend(), server("t9", 8009))  # rises on its checks, like ELBv2
    assert transport.script == []


def test_add_server_in_maintenance_stays_unchecked() -> None:
    client, transport, _ = _client(
        [(ADD + "", "New server registered.\n"), ("enable dynamic-cookie backend web", "")]
    )
    client.add_server(web_backend(), server("t9", 8009, state=ServerState.MAINT))
    assert transport.script == []


def test_add_server_refused() -> None:
    client, _, _ = _client([(ADD, "Already exists a server with the same name in backend.\n")])
    with pytest.raises(CommandFailed, match="Already exists"):
        client.add_server(web_backend(), server("t9", 8009))


def test_set_state_of_unknown_server() -> None:
    client, _, _ = _client([("set server web/nope state drain", "No such server.\n")])
    with pytest.raises(ServerNotFound):
        client.set_server_state("web", "nope", ServerState.DRAIN)


def test_delete_waits_for_sessions_then_deletes() -> None:
    client, transport, clock = _client(
        [
            ("set server web/t9 state maint", ""),
            ("show stat -1 4 -1", _stat(2)),
            ("show stat -1 4 -1", _stat(1)),
            ("show stat -1 4 -1", _stat(0)),
            ("del server web/t9", "Server deleted.\n"),
        ]
    )
    client.delete_server("web", "t9")
    assert transport.script == [] and clock.now == pytest.approx(0.2)


def test_delete_cuts_sessions_left_after_the_drain_timeout() -> None:
    client, transport, clock = _client(
        [
            ("set server web/t9 state maint", ""),
            ("shutdown sessions server web/t9", ""),
            (
                "del server web/t9",
                "Server still has connections attached to it, cannot remove it.\n",
            ),
            ("del server web/t9", "Server deleted.\n"),
        ]
    )
    busy = transport.send

    def send(command: str) -> str:  # sessions never end on their own
        return _stat(3) if command == "show stat -1 4 -1" else busy(command)

    transport.send = send  # type: ignore[method-assign]
    client.delete_server("web", "t9")
    assert transport.script == []
    assert DELETE_DRAIN_TIMEOUT <= clock.now < DELETE_DRAIN_TIMEOUT + 0.5


def test_delete_of_a_missing_server_succeeds() -> None:
    client, transport, _ = _client([("set server web/gone state maint", "No such server.\n")])
    client.delete_server("web", "gone")
    assert transport.sent == ["set server web/gone state maint"]


def test_server_states_and_counters_use_typed_show_stat() -> None:
    client, _, _ = _client(
        [
            ("show stat -1 4 -1", "# pxname,svname,status,type\nweb,t1,UP,2\n"),
            ("show stat -1 3 -1", "# pxname,svname,type,req_tot\nalb,FRONTEND,0,7\n"),
        ]
    )
    assert list(client.server_states()) == [("web", "t1")]
    assert [c.requests_total for c in client.counters().values()] == [7]


def test_add_server_in_drain_is_not_forced_down() -> None:
    """A target deregistered before it was added drains; forcing it down would hide that."""
    client, transport, _ = _client(
        [
            (ADD, "New server registered.\n\n"),
            ("enable dynamic-cookie backend web", "\n"),
            ("enable health web/t9", "\n"),
            ("set server web/t9 state drain", "\n"),
        ]
    )
    client.add_server(web_backend(), server("t9", 8009, state=ServerState.DRAIN))
    assert transport.script == []
