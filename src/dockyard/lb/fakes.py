"""Typed in-memory doubles of HAProxy for unit tests: the runtime and the process.

:class:`FakeHaproxyRuntime` keeps servers in a dict and behaves like HAProxy 2.6's Runtime API
where the data plane depends on it: ``add server`` of an existing name and ``set server`` of a
missing one are refused, ``delete_server`` of a missing server succeeds, states and weights
stick. Tests set health (:meth:`~FakeHaproxyRuntime.set_health`) and counters by hand, and can
queue errors for the next calls (``fail_next``).

:class:`FakeProcessSupervisor` "runs" a config by reading back its ``server`` lines into the
fake runtime, as HAProxy would: a fresh start knows only the config (``disabled`` → maint,
everything else ready: 2.6 has no drain keyword); a reload also keeps each surviving server's
admin state and health, as the server-state file does.

Both append to one shared ``events`` list so tests can assert the order of what happened.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from dockyard.lb.errors import (
    CommandFailed,
    ConfigInvalid,
    LbError,
    ProcessFailed,
    ServerNotFound,
)
from dockyard.lb.model import Backend, Server, ServerState
from dockyard.lb.stats import ProxyCounters, ProxyKind, ServerHealth, ServerStatus

__all__ = ["FakeHaproxyRuntime", "FakeProcessSupervisor", "FakeServer"]

SERVER_LINE = re.compile(
    r"^\s+server (?P<name>\S+) \[?(?P<address>[^\s\]]+?)\]?:(?P<port>\d+) .*"
    r"weight (?P<weight>\d+)(?P<rest>.*)$"
)
STATE_STATUS = {
    ServerState.READY: ServerStatus.UP,
    ServerState.DRAIN: ServerStatus.DRAIN,
    ServerState.MAINT: ServerStatus.MAINT,
}


@dataclass(slots=True)
class FakeServer:
    address: str
    port: int
    weight: int = 1
    state: ServerState = ServerState.READY
    healthy: bool = True
    check_status: str = "L7OK"
    sessions: int = 0


@dataclass
class FakeHaproxyRuntime:
    """A :class:`~dockyard.lb.runtime.HaproxyRuntime` in memory."""

    events: list[str] = field(default_factory=list)
    servers: dict[tuple[str, str], FakeServer] = field(default_factory=dict)
    proxy_counters: dict[tuple[ProxyKind, str], ProxyCounters] = field(default_factory=dict)
    fail_next: list[LbError] = field(default_factory=list)

    def _call(self, event: str) -> None:
        self.events.append(event)
        if self.fail_next:
            raise self.fail_next.pop(0)

    def _server(self, backend: str, server: str, command: str) -> FakeServer:
        found = self.servers.get((backend, server))
        if found is None:
            raise ServerNotFound(command, "No such server.")
        return found

    def add_server(self, backend: Backend, server: Server) -> None:
        self._call(f"add {backend.name}/{server.name} {server.state.value}")
        if (backend.name, server.name) in self.servers:
            raise CommandFailed("add server", "Already exists a server with the same name")
        self.servers[(backend.name, server.name)] = FakeServer(
            server.address, server.port, server.weight, server.state
        )

    def set_server_state(self, backend: str, server: str, state: ServerState) -> None:
        self._call(f"state {backend}/{server} {state.value}")
        self._server(backend, server, "set server").state = state

    def set_server_weight(self, backend: str, server: str, weight: int) -> None:
        self._call(f"weight {backend}/{server} {weight}")
        self._server(backend, server, "set server").weight = weight

    def delete_server(self, backend: str, server: str) -> None:
        self._call(f"delete {backend}/{server}")
        self.servers.pop((backend, server), None)

    def set_health(
        self, backend: str, server: str, *, healthy: bool, check_status: str = "L7STS"
    ) -> None:
        found = self._server(backend, server, "set health")
        found.healthy = healthy
        found.check_status = check_status

    def server_states(self) -> dict[tuple[str, str], ServerHealth]:
        self._call("show servers")
        return {key: _health(key, server) for key, server in sorted(self.servers.items())}

    def counters(self) -> dict[tuple[ProxyKind, str], ProxyCounters]:
        self._call("show proxies")
        return dict(self.proxy_counters)


def _health(key: tuple[str, str], server: FakeServer) -> ServerHealth:
    status = STATE_STATUS[server.state]
    if status is ServerStatus.UP and not server.healthy:
        status = ServerStatus.DOWN
    return ServerHealth(
        backend=key[0],
        server=key[1],
        status=status,
        status_text=status.value,
        check_status=server.check_status,
        check_code=None,
        check_description="",
        last_check="",
        current_sessions=server.sessions,
        weight=server.weight,
    )


@dataclass
class FakeProcessSupervisor:
    """A :class:`~dockyard.lb.process.ProcessSupervisor` that loads configs into ``runtime``."""

    runtime: FakeHaproxyRuntime
    running: bool = False
    config_on_disk: str | None = None
    invalid_marker: str | None = None
    """A config containing this text is refused as ``haproxy -c`` would refuse it."""

    def write_config(self, config: str) -> None:
        if self.invalid_marker is not None and self.invalid_marker in config:
            raise ConfigInvalid(f"refused: {self.invalid_marker}")
        self.runtime.events.append("write")
        self.config_on_disk = config

    def start_or_reload(self, config: str) -> bool:
        self.write_config(config)
        if self.running:
            self.runtime.events.append("reload")
            self._load(keep_states=True)
            return False
        self._start()
        return True

    def ensure_running(self) -> bool:
        if self.running:
            return False
        self._start()
        return True

    def is_running(self) -> bool:
        return self.running

    def stop(self) -> None:
        self.runtime.events.append("stop")
        self.running = False

    def crash(self) -> None:
        """HAProxy died: its runtime state is gone."""
        self.running = False
        self.runtime.servers.clear()

    def _start(self) -> None:
        if self.config_on_disk is None:
            raise ProcessFailed("no configuration")
        self.runtime.events.append("start")
        self.running = True
        self._load(keep_states=False)

    def _load(self, *, keep_states: bool) -> None:
        old = self.runtime.servers
        self.runtime.servers = {}
        backend = ""
        for line in (self.config_on_disk or "").splitlines():
            if line.startswith("backend "):
                backend = line.split()[1]
            elif found := SERVER_LINE.match(line):
                key = (backend, found["name"])
                server = FakeServer(found["address"], int(found["port"]), int(found["weight"]))
                server.state = ServerState.MAINT if "disabled" in found["rest"] else server.state
                if keep_states and key in old:
                    server.state, server.healthy = old[key].state, old[key].healthy
                self.runtime.servers[key] = server
