"""Ordered lifecycles: order, transition tables, advance, ECS spellings and the task-health rule."""

from __future__ import annotations

import itertools

import botocore.session
import pytest

from dockyard.domain.task_status import (
    AgentContainerStatus,
    ContainerStatus,
    DesiredStatus,
    HealthReport,
    HealthStatus,
    OrderedStatus,
    StopCode,
    TaskStatus,
    advance,
    can_transition,
    task_health,
)

T = TaskStatus
A = AgentContainerStatus
H = HealthStatus
LIFECYCLES: list[type[OrderedStatus]] = [TaskStatus, DesiredStatus, ContainerStatus, A]
ALL_PAIRS = [
    (a, b) for lifecycle in LIFECYCLES for a, b in itertools.product(list(lifecycle), repeat=2)
]


def _ecs_enum(shape: str) -> set[str]:
    model = botocore.session.get_session().get_service_model("ecs")
    return set(model.shape_for(shape).enum)


@pytest.mark.parametrize(
    ("lifecycle", "order"),
    [
        (
            TaskStatus,
            "PROVISIONING PENDING ACTIVATING RUNNING DEACTIVATING STOPPING DEPROVISIONING STOPPED",
        ),
        (DesiredStatus, "PENDING RUNNING STOPPED"),
        (ContainerStatus, "PENDING RUNNING STOPPED"),
        (A, "NONE MANIFEST_PULLED PULLED CREATED RUNNING RESOURCES_PROVISIONED STOPPED"),
    ],
    ids=["task-last-status", "task-desired-status", "container-ecs", "container-agent"],
)
def test_members_are_declared_in_lifecycle_order(
    lifecycle: type[OrderedStatus], order: str
) -> None:
    assert [s.value for s in sorted(lifecycle, key=lambda s: s.rank)] == order.split()
    assert [s.rank for s in lifecycle] == list(range(len(order.split())))


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda c: c.__name__)
def test_tables_only_move_forward_and_only_stopped_is_terminal(
    lifecycle: type[OrderedStatus],
) -> None:
    for status in lifecycle:
        assert all(nxt.rank > status.rank for nxt in status.successors)
        assert all(type(nxt) is lifecycle for nxt in status.successors)
        assert status.is_terminal == (status.value == "STOPPED")


@pytest.mark.parametrize("lifecycle", LIFECYCLES, ids=lambda c: c.__name__)
def test_every_status_can_reach_stopped_directly(lifecycle: type[OrderedStatus]) -> None:
    stopped = lifecycle["STOPPED"]
    assert all(can_transition(s, stopped) for s in lifecycle if s is not stopped)


@pytest.mark.parametrize(
    ("current", "proposed", "legal"),
    [
        (T.PROVISIONING, T.PENDING, True),
        (T.PROVISIONING, T.RUNNING, False),
        (T.PROVISIONING, T.DEPROVISIONING, True),
        (T.PENDING, T.RUNNING, True),
        (T.PENDING, T.ACTIVATING, True),
        (T.ACTIVATING, T.RUNNING, True),
        (T.RUNNING, T.DEACTIVATING, True),
        (T.RUNNING, T.STOPPING, True),
        (T.RUNNING, T.PENDING, False),
        (T.STOPPING, T.RUNNING, False),
        (T.STOPPED, T.STOPPED, False),
        (T.RUNNING, T.RUNNING, False),
        (DesiredStatus.RUNNING, DesiredStatus.STOPPED, True),
        (DesiredStatus.STOPPED, DesiredStatus.RUNNING, False),
        (ContainerStatus.PENDING, ContainerStatus.STOPPED, True),
        (A.NONE, A.MANIFEST_PULLED, True),
        (A.NONE, A.PULLED, False),
        (A.MANIFEST_PULLED, A.PULLED, True),
        (A.PULLED, A.CREATED, True),
        (A.PULLED, A.RUNNING, False),
        (A.CREATED, A.RUNNING, True),
        (A.CREATED, A.STOPPED, True),
        (A.RUNNING, A.RESOURCES_PROVISIONED, True),
        (A.RUNNING, A.CREATED, False),
        (A.STOPPED, A.RUNNING, False),
    ],
    ids=lambda v: v if isinstance(v, bool) else f"{type(v).__name__}.{v.name}",
)
def test_can_transition(current: OrderedStatus, proposed: OrderedStatus, legal: bool) -> None:
    assert can_transition(current, proposed) is legal


@pytest.mark.parametrize(
    ("current", "proposed", "expected"),
    [
        (T.PENDING, T.RUNNING, T.RUNNING),
        (T.RUNNING, T.PENDING, T.RUNNING),
        (T.STOPPED, T.PROVISIONING, T.STOPPED),
        (T.RUNNING, T.RUNNING, T.RUNNING),
        (A.NONE, A.CREATED, A.CREATED),
        (A.STOPPED, A.RUNNING, A.STOPPED),
        (A.RESOURCES_PROVISIONED, A.RUNNING, A.RESOURCES_PROVISIONED),
        (DesiredStatus.STOPPED, DesiredStatus.RUNNING, DesiredStatus.STOPPED),
    ],
    ids=[
        "task-forward",
        "task-late-pending-report",
        "task-stopped-is-final",
        "task-same",
        "agent-jump-forward",
        "agent-stopped-is-final",
        "agent-provisioned-beats-running",
        "desired-never-returns-to-running",
    ],
)
def test_advance(current: OrderedStatus, proposed: OrderedStatus, expected: OrderedStatus) -> None:
    assert advance(current, proposed) is expected


def test_advance_never_regresses_over_every_pair() -> None:
    for current, proposed in ALL_PAIRS:
        result = advance(current, proposed)
        assert result in (current, proposed)
        assert result.rank == max(current.rank, proposed.rank)
        if can_transition(current, proposed):
            assert result is proposed


@pytest.mark.parametrize(
    ("a", "b"),
    [(T.PENDING, DesiredStatus.PENDING), (A.RUNNING, ContainerStatus.RUNNING)],
    ids=["task-vs-desired", "agent-vs-ecs-container"],
)
def test_lifecycles_do_not_mix(a: OrderedStatus, b: OrderedStatus) -> None:
    with pytest.raises(TypeError):
        advance(a, b)
    with pytest.raises(TypeError):
        can_transition(a, b)


@pytest.mark.parametrize(
    ("agent", "reported"),
    [
        (A.NONE, ContainerStatus.PENDING),
        (A.MANIFEST_PULLED, ContainerStatus.PENDING),
        (A.PULLED, ContainerStatus.PENDING),
        (A.CREATED, ContainerStatus.PENDING),
        (A.RUNNING, ContainerStatus.RUNNING),
        (A.RESOURCES_PROVISIONED, ContainerStatus.RUNNING),
        (A.STOPPED, ContainerStatus.STOPPED),
    ],
    ids=lambda v: v.name,
)
def test_agent_status_maps_to_ecs_status(agent: A, reported: ContainerStatus) -> None:
    assert agent.reported is reported
    assert agent.is_running == (reported is ContainerStatus.RUNNING)


def test_reported_mapping_preserves_order() -> None:
    for a, b in itertools.product(list(A), repeat=2):
        if a.rank <= b.rank:
            assert a.reported.rank <= b.reported.rank


@pytest.mark.parametrize(
    ("enum", "shape"),
    [
        (StopCode, "TaskStopCode"),
        (HealthStatus, "HealthStatus"),
        (DesiredStatus, "DesiredStatus"),
    ],
    ids=["stop-code", "health-status", "desired-status"],
)
def test_values_are_spelled_as_in_the_ecs_model(enum: type, shape: str) -> None:
    assert {m.value for m in enum} == _ecs_enum(shape)


def _essential(status: H) -> HealthReport:
    return HealthReport(essential=True, has_health_check=True, status=status)


def _sidecar(status: H) -> HealthReport:
    return HealthReport(essential=False, has_health_check=True, status=status)


UNCHECKED = HealthReport(essential=True, has_health_check=False)


@pytest.mark.parametrize(
    ("reports", "expected"),
    [
        ([_essential(H.UNHEALTHY), _essential(H.UNKNOWN)], H.UNHEALTHY),
        ([_essential(H.UNHEALTHY), _essential(H.HEALTHY)], H.UNHEALTHY),
        ([_essential(H.HEALTHY), _essential(H.UNKNOWN)], H.UNKNOWN),
        ([_essential(H.HEALTHY), _essential(H.HEALTHY)], H.HEALTHY),
        ([_essential(H.UNHEALTHY), _essential(H.UNKNOWN), _essential(H.UNKNOWN)], H.UNHEALTHY),
        ([_essential(H.UNHEALTHY), _essential(H.UNKNOWN), _essential(H.HEALTHY)], H.UNHEALTHY),
        ([_essential(H.HEALTHY), _essential(H.UNKNOWN), _essential(H.HEALTHY)], H.UNKNOWN),
        ([_essential(H.HEALTHY), _sidecar(H.UNHEALTHY)], H.HEALTHY),
        ([_essential(H.HEALTHY), UNCHECKED], H.HEALTHY),
        ([UNCHECKED], H.UNKNOWN),
        ([], H.UNKNOWN),
        ([UNCHECKED, _sidecar(H.UNHEALTHY)], H.UNHEALTHY),
        ([UNCHECKED, _sidecar(H.HEALTHY)], H.HEALTHY),
    ],
    ids=[
        "api-2-unhealthy-unknown",
        "api-2-unhealthy-healthy",
        "api-2-healthy-unknown",
        "api-2-healthy-healthy",
        "api-3-unhealthy-unknown-unknown",
        "api-3-unhealthy-unknown-healthy",
        "api-3-healthy-unknown-healthy",
        "non-essential-does-not-count",
        "unchecked-essential-left-out",
        "no-checks-unknown",
        "no-containers-unknown",
        "only-non-essential-checked-decides-unhealthy",
        "only-non-essential-checked-decides-healthy",
    ],
)
def test_task_health(reports: list[HealthReport], expected: H) -> None:
    assert task_health(reports) is expected
