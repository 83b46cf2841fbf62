"""The HAProxy Runtime API: the :class:`HaproxyRuntime` Protocol and its socket client.

Server changes that need no reload go through here (``add server``, ``set server … state``,
``set server … weight``, ``del server``), and so do the readings the control plane turns into
target health and metrics (``show stat``). :class:`HaproxyRuntimeClient` talks to the worker's
admin stats socket, one command per connection (:mod:`dockyard.lb.transport`);
:class:`~dockyard.lb.fakes.FakeHaproxyRuntime` is the in-memory double for unit tests.

HAProxy 2.6 behaviour this client handles:

* ``add server`` creates the server in maintenance with checks off; the client then runs
  ``enable health`` and sets the wanted state. It inherits nothing from ``default-server``,
  so the arguments come from :func:`~dockyard.lb.render.server_arguments`.
* A server leaving maintenance is UP at once (health = rise). ELBv2 keeps a new target in
  ``initial`` and out of rotation until ``healthy_threshold`` checks pass, so the same CLI line
  that readies it forces its health down (``set server … health down``, which HAProxy only
  honours outside maintenance): it then rises on its checks (``DOWN 1/5`` …) like a new
  target. Servers that come from the configuration (a fresh start, a reload) start UP.
* A server added at runtime gets no dynamic stickiness cookie until ``enable dynamic-cookie
  backend`` recomputes them (without it HAProxy *clears* the client's cookie).
* ``del server`` refuses a server that is not in maintenance or still has connections:
  :meth:`HaproxyRuntimeClient.delete_server` sets ``maint``, waits up to ``drain_timeout`` for
  its sessions to end, shuts down what is left, then deletes (retrying while idle
  connections linger). Deleting a server that is already gone succeeds.

Errors: :class:`~dockyard.lb.errors.RuntimeUnavailable` (socket), :class:`~dockyard.lb.errors.
ServerNotFound`, :class:`~dockyard.lb.errors.CommandFailed` (any other refusal).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Protocol

from dockyard.lb.errors import CommandFailed, ServerNotFound
from dockyard.lb.model import Backend, Mode, Server, ServerState
from dockyard.lb.render import server_address, server_arguments
from dockyard.lb.stats import (
    ProxyCounters,
    ProxyKind,
    ServerHealth,
    parse_counters,
    parse_server_health,
)
from dockyard.lb.transport import CommandTransport, SocketTransport

__all__ = [
    "DELETE_DRAIN_TIMEOUT",
    "DELETE_POLL_INTERVAL",
    "HaproxyRuntime",
    "HaproxyRuntimeClient",
]

DELETE_DRAIN_TIMEOUT = 10.0
"""How long ``delete_server`` lets in-flight requests finish. The control plane only deletes a
target after its deregistration delay, during which it was already draining, so what is left
are the last requests; after this they are cut, as ELBv2 does when the delay ends."""

DELETE_POLL_INTERVAL = 0.1
"""Between ``show stat`` readings while waiting for a server's sessions to end."""

NOT_FOUND_REPLIES = ("No such server", "No such backend")
ADDED_REPLY = "New server registered."
DELETED_REPLY = "Server deleted."
SHOW_SERVERS = "show stat -1 4 -1"
"""``show stat`` for every proxy (-1), servers only (type bit 4), every server (-1)."""
SHOW_PROXIES = "show stat -1 3 -1"
"""Frontends (bit 1) and backends (bit 2)."""


class HaproxyRuntime(Protocol):
    """What the data plane needs from a running HAProxy without reloading it."""

    def add_server(self, backend: Backend, server: Server) -> None: ...

    def set_server_state(self, backend: str, server: str, state: ServerState) -> None: ...

    def set_server_weight(self, backend: str, server: str, weight: int) -> None: ...

    def delete_server(self, backend: str, server: str) -> None: ...

    def server_states(self) -> dict[tuple[str, str], ServerHealth]: ...

    def counters(self) -> dict[tuple[ProxyKind, str], ProxyCounters]: ...


class HaproxyRuntimeClient:
    """:class:`HaproxyRuntime` over the admin stats socket. Time is injected for tests."""

    def __init__(
        self,
        transport: CommandTransport,
        *,
        drain_timeout: float = DELETE_DRAIN_TIMEOUT,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._transport = transport
        self._drain_timeout = drain_timeout
        self._monotonic = monotonic
        self._sleep = sleep

    @classmethod
    def at(cls, stats_socket: Path | str) -> HaproxyRuntimeClient:
        return cls(SocketTransport(stats_socket))

    def command(self, command: str, *, expect: str = "") -> str:
        """Run ``command``; a reply other than ``expect`` (stripped) is a refusal."""
        reply = self._transport.send(command)
        if reply.strip() != expect:
            if any(reply.strip().startswith(text) for text in NOT_FOUND_REPLIES):
                raise ServerNotFound(command, reply)
            raise CommandFailed(command, reply)
        return reply

    def add_server(self, backend: Backend, server: Server) -> None:
        ref = f"{backend.name}/{server.name}"
        args = server_arguments(backend, server)
        self.command(f"add server {ref} {server_address(server)} {args}", expect=ADDED_REPLY)
        if backend.stickiness_seconds is not None and backend.mode is Mode.HTTP:
            self.command(f"enable dynamic-cookie backend {backend.name}")
        if server.state is not ServerState.MAINT:
            self.command(f"enable health {ref}")
            if server.state is ServerState.READY:
                # HAProxy starts a server UP; ELBv2 sends a new target nothing until it has
                # passed the healthy threshold. One CLI line, so no request lands in between.
                self.command(
                    f"set server {ref} state {server.state.value}; set server {ref} health down"
                )
            else:
                self.set_server_state(backend.name, server.name, server.state)

    def set_server_state(self, backend: str, server: str, state: ServerState) -> None:
        self.command(f"set server {backend}/{server} state {state.value}")

    def set_server_weight(self, backend: str, server: str, weight: int) -> None:
        self.command(f"set server {backend}/{server} weight {weight}")

    def delete_server(self, backend: str, server: str) -> None:
        ref = f"{backend}/{server}"
        try:
            self.set_server_state(backend, server, ServerState.MAINT)
        except ServerNotFound:
            return
        deadline = self._monotonic() + self._drain_timeout
        if not self._wait_for_no_sessions(backend, server, deadline):
            self.command(f"shutdown sessions server {ref}")
        self._delete_when_idle(ref, deadline + self._drain_timeout)

    def _wait_for_no_sessions(self, backend: str, server: str, deadline: float) -> bool:
        while True:
            health = self.server_states().get((backend, server))
            if health is None or health.current_sessions == 0:
                return True
            if self._monotonic() >= deadline:
                return False
            self._sleep(DELETE_POLL_INTERVAL)

    def _delete_when_idle(self, ref: str, deadline: float) -> None:
        """``del server``, retried while HAProxy still holds (idle) connections to it."""
        while True:
            try:
                self.command(f"del server {ref}", expect=DELETED_REPLY)
                return
            except ServerNotFound:
                return
            except CommandFailed:
                if self._monotonic() >= deadline:
                    raise
            self._sleep(DELETE_POLL_INTERVAL)

    def server_states(self) -> dict[tuple[str, str], ServerHealth]:
        return parse_server_health(self._transport.send(SHOW_SERVERS))

    def counters(self) -> dict[tuple[ProxyKind, str], ProxyCounters]:
        return parse_counters(self._transport.send(SHOW_PROXIES))
