"""``plan_change``: structural change → reload (with post-reload state pushes); server-only
change → Runtime API operations in order (adds, changes, deletes); no change → nothing."""

from __future__ import annotations

from dataclasses import replace

import pytest
from tests.unit.lb.lb_support import api_backend, sample_plane, server, web_backend, with_backend

from dockyard.lb.diff import (
    AddServer,
    DataPlaneChange,
    DeleteServer,
    SetServerState,
    SetServerWeight,
    plan_change,
)
from dockyard.lb.model import (
    DataPlane,
    FixedResponseAction,
    HealthCheck,
    ServerState,
    Timeouts,
)

BASE = sample_plane()
T1, T2 = server("t1", 8001), server("t2", 8002)
READY, DRAIN, MAINT = ServerState.READY, ServerState.DRAIN, ServerState.MAINT


def test_same_plane_is_unchanged() -> None:
    change = plan_change(BASE, sample_plane())
    assert change == DataPlaneChange((), ())
    assert change.unchanged and not change.reload_needed


def test_nothing_running_is_a_reload_pushing_every_server_state() -> None:
    change = plan_change(None, BASE)
    assert change.reload_reasons == ("running state unknown",)
    assert change.runtime_ops == (
        SetServerState("api", "a1", READY),
        SetServerState("db", "d1", MAINT),
        SetServerState("db", "d2", READY),
        SetServerState("web", "t1", READY),
        SetServerState("web", "t2", READY),
    )


RUNTIME_CASES = [
    (
        "add",
        web_backend(T1, T2, server("t3", 8003)),
        (AddServer(web_backend(T1, T2, server("t3", 8003)), server("t3", 8003)),),
    ),
    ("delete", web_backend(T1), (DeleteServer("web", "t2"),)),
    ("drain", web_backend(T1, replace(T2, state=DRAIN)), (SetServerState("web", "t2", DRAIN),)),
    ("weight", web_backend(replace(T1, weight=5), T2), (SetServerWeight("web", "t1", 5),)),
    (
        "weight-and-maint",
        web_backend(T1, replace(T2, weight=0, state=MAINT)),
        (SetServerWeight("web", "t2", 0), SetServerState("web", "t2", MAINT)),
    ),
    (
        "replace-all: adds before changes before deletes",
        web_backend(replace(T1, state=DRAIN), server("t4", 8004), server("t3", 8003)),
        (
            AddServer(
                web_backend(replace(T1, state=DRAIN), server("t4", 8004), server("t3", 8003)),
                server("t3", 8003),
            ),
            AddServer(
                web_backend(replace(T1, state=DRAIN), server("t4", 8004), server("t3", 8003)),
                server("t4", 8004),
            ),
            SetServerState("web", "t1", DRAIN),
            DeleteServer("web", "t2"),
        ),
    ),
]


@pytest.mark.parametrize(
    "backend,ops", [(b, o) for _, b, o in RUNTIME_CASES], ids=[c[0] for c in RUNTIME_CASES]
)
def test_server_only_changes_need_no_reload(backend: object, ops: tuple[object, ...]) -> None:
    desired = with_backend(BASE, backend)  # type: ignore[arg-type]
    change = plan_change(BASE, desired)
    assert change.reload_reasons == ()
    assert change.runtime_ops == ops


def _front(plane: DataPlane) -> DataPlane:
    front = replace(plane.frontends[0], default_action=FixedResponseAction(404))
    return replace(plane, frontends=(front, plane.frontends[1]))


RELOAD_CASES = [
    ("frontend", _front(BASE), ["frontend alb-80 changed"]),
    (
        "frontend-removed",
        replace(BASE, frontends=BASE.frontends[:1]),
        ["frontend nlb-5432 removed"],
    ),
    (
        "backend-setting",
        with_backend(BASE, web_backend(health=HealthCheck(interval_seconds=5))),
        ["backend web changed"],
    ),
    (
        "backend-added",
        with_backend(BASE, replace(api_backend(), name="api2")),
        ["backend api2 added"],
    ),
    (
        "address",
        with_backend(BASE, web_backend(T1, replace(T2, port=9999))),
        ["server web/t2 address changed"],
    ),
    ("timeouts", replace(BASE, timeouts=Timeouts(idle=120)), ["global settings changed"]),
]


@pytest.mark.parametrize(
    "desired,reasons", [(d, r) for _, d, r in RELOAD_CASES], ids=[c[0] for c in RELOAD_CASES]
)
def test_structural_changes_reload(desired: DataPlane, reasons: list[str]) -> None:
    change = plan_change(BASE, desired)
    assert list(change.reload_reasons) == reasons
    assert change.reload_needed


def test_reload_pushes_drain_and_changed_states_only() -> None:
    """The config cannot say drain, and the state file replays old admin states."""
    previous = with_backend(BASE, web_backend(replace(T1, state=MAINT), replace(T2, state=DRAIN)))
    desired = _front(
        with_backend(
            BASE,
            web_backend(T1, replace(T2, state=DRAIN), replace(server("t3", 8003), state=DRAIN)),
        )
    )
    change = plan_change(previous, desired)
    assert change.reload_reasons == ("frontend alb-80 changed",)
    assert change.runtime_ops == (
        SetServerState("web", "t1", READY),
        SetServerState("web", "t2", DRAIN),
        SetServerState("web", "t3", DRAIN),
    )


def test_reordered_rules_and_values_are_no_change() -> None:
    front = BASE.frontends[0]
    rules = tuple(
        replace(
            rule, conditions=tuple(replace(c, values=c.values[::-1]) for c in rule.conditions[::-1])
        )
        for rule in front.rules[::-1]
    )
    reordered = replace(BASE, frontends=(replace(front, rules=rules), BASE.frontends[1]))
    assert reordered != BASE
    assert plan_change(BASE, reordered).unchanged


def test_plan_does_not_mutate_inputs() -> None:
    previous, desired = sample_plane(), _front(sample_plane())
    plan_change(previous, desired)
    assert previous == sample_plane() and desired == _front(sample_plane())
