"""``DataPlaneController`` on the fakes: when it reloads, when it only uses the Runtime API,
how it recovers from a failed runtime change and a dead HAProxy."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.lb.lb_support import sample_plane, server, web_backend, with_backend

from dockyard.lb.controller import DataPlaneController
from dockyard.lb.errors import CommandFailed, ConfigInvalid, InvalidDataPlane
from dockyard.lb.fakes import FakeHaproxyRuntime, FakeProcessSupervisor
from dockyard.lb.model import DataPlane, FixedResponseAction, ServerState

T1, T2, T3 = server("t1", 8001), server("t2", 8002), server("t3", 8003)
ALL_READY = [
    "state api/a1 ready",
    "state db/d1 maint",
    "state db/d2 ready",
    "state web/t1 ready",
    "state web/t2 ready",
]


def _setup() -> tuple[DataPlaneController, FakeHaproxyRuntime, FakeProcessSupervisor]:
    runtime = FakeHaproxyRuntime()
    process = FakeProcessSupervisor(runtime)
    return DataPlaneController(process, runtime), runtime, process


def _states(runtime: FakeHaproxyRuntime, backend: str = "web") -> dict[str, ServerState]:
    return {name: s.state for (b, name), s in sorted(runtime.servers.items()) if b == backend}


def _started(plane: DataPlane | None = None):  # type: ignore[no-untyped-def]
    controller, runtime, process = _setup()
    controller.apply(plane or sample_plane())
    runtime.events.clear()
    return controller, runtime, process


def test_first_apply_starts_and_pushes_every_state() -> None:
    controller, runtime, _ = _setup()
    change = controller.apply(sample_plane())
    assert change.reload_needed
    assert runtime.events == ["write", "start", *ALL_READY]
    assert controller.current == sample_plane()


def test_unchanged_apply_does_nothing() -> None:
    controller, runtime, _ = _started()
    assert controller.apply(sample_plane()).unchanged
    assert runtime.events == []


def test_added_server_goes_through_the_runtime_api_without_reload() -> None:
    controller, runtime, _ = _started()
    controller.apply(with_backend(sample_plane(), web_backend(T1, T2, T3)))
    assert runtime.events == ["write", "add web/t3 ready"]
    assert _states(runtime) == {"t1": "ready", "t2": "ready", "t3": "ready"}


def test_drain_then_delete_without_reload() -> None:
    controller, runtime, _ = _started()
    controller.apply(
        with_backend(sample_plane(), web_backend(T1, replace(T2, state=ServerState.DRAIN)))
    )
    controller.apply(with_backend(sample_plane(), web_backend(T1)))
    assert runtime.events == ["write", "state web/t2 drain", "write", "delete web/t2"]
    assert _states(runtime) == {"t1": "ready"}


def test_structural_change_reloads_and_keeps_drain() -> None:
    draining = with_backend(sample_plane(), web_backend(T1, replace(T2, state=ServerState.DRAIN)))
    controller, runtime, _ = _started(draining)
    front = replace(draining.frontends[0], default_action=FixedResponseAction(404))
    controller.apply(replace(draining, frontends=(front, draining.frontends[1])))
    assert runtime.events == ["write", "reload", "state web/t2 drain"]
    assert _states(runtime) == {"t1": "ready", "t2": "drain"}


def test_failed_runtime_change_falls_back_to_reload_with_full_push() -> None:
    controller, runtime, _ = _started()
    runtime.fail_next.append(CommandFailed("add server", "out of memory"))
    desired = with_backend(sample_plane(), web_backend(T1, T2, T3))
    change = controller.apply(desired)
    assert change.reload_reasons == ("running state unknown",)
    assert runtime.events == [
        "write",
        "add web/t3 ready",
        "write",
        "reload",
        *ALL_READY[:5],
        "state web/t3 ready",
    ]
    assert controller.current == desired and "t3" in _states(runtime)


def test_ensure_running_restarts_and_restores_drain() -> None:
    draining = with_backend(sample_plane(), web_backend(T1, replace(T2, state=ServerState.DRAIN)))
    controller, runtime, process = _started(draining)
    assert controller.ensure_running() is False
    process.crash()
    assert controller.ensure_running() is True
    assert runtime.events[:1] == ["start"] and "state web/t2 drain" in runtime.events
    assert _states(runtime) == {"t1": "ready", "t2": "drain"}


def test_ensure_running_before_any_apply_does_nothing() -> None:
    controller, runtime, _ = _setup()
    assert controller.ensure_running() is False
    assert runtime.events == []


def test_invalid_plane_touches_nothing() -> None:
    controller, runtime, _ = _started()
    with pytest.raises(InvalidDataPlane):
        controller.apply(with_backend(sample_plane(), web_backend(server("bad name", 1))))
    assert runtime.events == [] and controller.current == sample_plane()


def test_refused_config_leaves_state_unknown_so_the_next_apply_reloads() -> None:
    controller, _, process = _started()
    process.invalid_marker = "t3"
    with pytest.raises(ConfigInvalid):
        controller.apply(with_backend(sample_plane(), web_backend(T1, T2, T3)))
    assert controller.current is None
    process.invalid_marker = None
    assert controller.apply(sample_plane()).reload_needed
