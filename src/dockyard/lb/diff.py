"""What it takes to go from the running data plane to the desired one. Pure.

:func:`plan_change` compares two :class:`~dockyard.lb.model.DataPlane` values and answers with
a :class:`DataPlaneChange`:

* **runtime-only**: only servers of existing backends were added, removed, re-weighted or
  changed state. ``runtime_ops`` does it through the Runtime API, no reload: adds first (new
  capacity before anything leaves), then weight and state changes, then deletes; each group
  sorted by backend and server name.
* **reload**: anything else (a frontend, rule, backend setting, global setting, or a server's
  address changed). Frontends and backends are compared as rendered text, so rules or values
  given in another order are no change. ``reload_reasons`` says what; the new configuration
  carries every server and ``runtime_ops`` lists only the state pushes to run *after* the
  reload: HAProxy 2.6 has no configuration keyword for drain, and the server-state file
  replays the old worker's admin states, so every ``drain`` server and every server whose
  state changed is set explicitly.
* **unchanged**: both empty.

``previous=None`` means "what runs is unknown" (first apply, a restarted or adopted process,
a failed runtime change): a reload followed by a state push for *every* server, so admin
states match ``desired`` whatever the state file replayed.

Invariant: ``plan_change(p, d)`` never mutates its inputs, and ``plan_change(d, d)`` is
unchanged.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, replace

from dockyard.lb.model import Backend, DataPlane, Server, ServerState
from dockyard.lb.render import render_backend
from dockyard.lb.rules import render_frontend

__all__ = [
    "AddServer",
    "DataPlaneChange",
    "DeleteServer",
    "RuntimeOp",
    "SetServerState",
    "SetServerWeight",
    "plan_change",
]


@dataclass(frozen=True, slots=True)
class AddServer:
    """Add ``server`` (checks per ``backend``) and bring it to ``server.state``."""

    backend: Backend
    server: Server


@dataclass(frozen=True, slots=True)
class SetServerState:
    backend: str
    server: str
    state: ServerState


@dataclass(frozen=True, slots=True)
class SetServerWeight:
    backend: str
    server: str
    weight: int


@dataclass(frozen=True, slots=True)
class DeleteServer:
    """Put the server in maintenance, let its connections finish, delete it."""

    backend: str
    server: str


RuntimeOp = AddServer | SetServerState | SetServerWeight | DeleteServer


@dataclass(frozen=True, slots=True)
class DataPlaneChange:
    reload_reasons: tuple[str, ...]
    runtime_ops: tuple[RuntimeOp, ...]

    @property
    def reload_needed(self) -> bool:
        return bool(self.reload_reasons)

    @property
    def unchanged(self) -> bool:
        return not self.reload_reasons and not self.runtime_ops


def plan_change(previous: DataPlane | None, desired: DataPlane) -> DataPlaneChange:
    """The change from ``previous`` (what HAProxy runs) to ``desired``."""
    if previous is None:
        return DataPlaneChange(("running state unknown",), tuple(_after_reload(None, desired)))
    reasons = tuple(_structural_reasons(previous, desired))
    if reasons:
        return DataPlaneChange(reasons, tuple(_after_reload(previous, desired)))
    return DataPlaneChange((), tuple(_runtime_ops(previous, desired)))


def _skeleton(backend: Backend) -> str:
    """The backend's configuration without its servers."""
    return render_backend(replace(backend, servers=()))


def _structural_reasons(previous: DataPlane, desired: DataPlane) -> Iterator[str]:
    """Compared as rendered text, so an input order that renders the same is no change."""
    if (previous.stats_socket, previous.server_state_file, previous.timeouts) != (
        desired.stats_socket,
        desired.server_state_file,
        desired.timeouts,
    ):
        yield "global settings changed"
    old_fronts = {f.name: render_frontend(f) for f in previous.frontends}
    new_fronts = {f.name: render_frontend(f) for f in desired.frontends}
    for name in sorted(old_fronts.keys() | new_fronts.keys()):
        if old_fronts.get(name) != new_fronts.get(name):
            yield f"frontend {name} {_verb(old_fronts.get(name), new_fronts.get(name))}"
    old_backs = {b.name: b for b in previous.backends}
    new_backs = {b.name: b for b in desired.backends}
    for name in sorted(old_backs.keys() | new_backs.keys()):
        old, new = old_backs.get(name), new_backs.get(name)
        if old is None or new is None or _skeleton(old) != _skeleton(new):
            yield f"backend {name} {_verb(old, new)}"
        else:
            yield from _address_changes(old, new)


def _verb(old: object | None, new: object | None) -> str:
    return "added" if old is None else "removed" if new is None else "changed"


def _address_changes(old: Backend, new: Backend) -> Iterator[str]:
    before = {s.name: (s.address, s.port) for s in old.servers}
    for server in sorted(new.servers, key=lambda s: s.name):
        if before.get(server.name, (server.address, server.port)) != (server.address, server.port):
            yield f"server {new.name}/{server.name} address changed"


def _runtime_ops(previous: DataPlane, desired: DataPlane) -> Iterator[RuntimeOp]:
    old_backs = {b.name: b for b in previous.backends}
    pairs = [(old_backs[b.name], b) for b in sorted(desired.backends, key=lambda b: b.name)]
    adds: list[RuntimeOp] = []
    changes: list[RuntimeOp] = []
    deletes: list[RuntimeOp] = []
    for old, new in pairs:
        before = {s.name: s for s in old.servers}
        after = {s.name: s for s in new.servers}
        for name in sorted(after.keys() - before.keys()):
            adds.append(AddServer(new, after[name]))
        for name in sorted(before.keys() & after.keys()):
            changes.extend(_server_changes(new.name, before[name], after[name]))
        deletes.extend(
            DeleteServer(new.name, name) for name in sorted(before.keys() - after.keys())
        )
    yield from adds + changes + deletes


def _server_changes(backend: str, old: Server, new: Server) -> Iterator[RuntimeOp]:
    if old.weight != new.weight:
        yield SetServerWeight(backend, new.name, new.weight)
    if old.state is not new.state:
        yield SetServerState(backend, new.name, new.state)


def _after_reload(previous: DataPlane | None, desired: DataPlane) -> Iterator[RuntimeOp]:
    old_states: dict[tuple[str, str], ServerState] = {}
    for backend in previous.backends if previous else ():
        old_states.update({(backend.name, s.name): s.state for s in backend.servers})
    for backend in sorted(desired.backends, key=lambda b: b.name):
        for server in sorted(backend.servers, key=lambda s: s.name):
            old = old_states.get((backend.name, server.name), ServerState.READY)
            if previous is None or server.state is ServerState.DRAIN or old is not server.state:
                yield SetServerState(backend.name, server.name, server.state)
