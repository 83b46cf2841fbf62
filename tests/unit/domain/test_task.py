"""The task aggregate's pure transitions: new_task, request_stop, apply_report."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.task import (
    ContainerOverride,
    ContainerReport,
    NetworkBinding,
    Task,
    TaskOverrides,
    TaskReport,
    apply_report,
    new_task,
    request_stop,
)
from dockyard.domain.task_definition import build_task_definition, registration_from_request
from dockyard.domain.task_status import ContainerStatus as C
from dockyard.domain.task_status import DesiredStatus as D
from dockyard.domain.task_status import HealthStatus as H
from dockyard.domain.task_status import StopCode
from dockyard.domain.task_status import TaskStatus as T

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def td(**extra: object):  # type: ignore[no-untyped-def]
    reg = registration_from_request({
        "family": "web",
        "containerDefinitions": [
            {"name": "app", "image": "x", "cpu": 100, "memory": 300,
             "portMappings": [{"containerPort": 80, "hostPort": 8080}],
             "healthCheck": {"command": ["CMD", "true"]}},
            {"name": "side", "image": "y", "memoryReservation": 50, "essential": False},
        ],
        **extra,
    })
    return build_task_definition(reg, revision=3, registered_at=NOW, registered_by="me")


def task(**overrides: object) -> Task:
    return new_task(
        td(), task_id="t" * 32, container_ids=("c1", "c2"), region="us-east-1", cluster="c",
        instance_id="i", overrides=TaskOverrides(**overrides), now=NOW,  # type: ignore[arg-type]
    )


def test_new_task_reserves_what_the_definition_asks() -> None:
    t = task()
    assert (t.cpu, t.memory, t.ports) == (100, 350, ((8080, "tcp"),))
    assert t.last_status is T.PROVISIONING and t.desired_status is D.RUNNING
    assert t.group == "family:web" and t.revision == 3
    assert [c.has_health_check for c in t.containers] == [True, False]


def test_overrides_change_the_reservation() -> None:
    t = task(containers=(ContainerOverride("app", memory=100, cpu=10),))
    assert (t.cpu, t.memory) == (10, 150)
    assert task(cpu="512", memory="1024").memory == 1024


def report(status: T | None = None, **containers: C) -> TaskReport:
    return TaskReport(status=status, containers=tuple(
        ContainerReport(name=name, status=s) for name, s in containers.items()
    ))


@pytest.mark.parametrize(
    ("start", "reported", "expected"),
    [
        (T.PROVISIONING, T.PENDING, T.PENDING),
        (T.PROVISIONING, T.RUNNING, T.RUNNING),
        (T.RUNNING, T.PENDING, T.RUNNING),
        (T.STOPPING, T.RUNNING, T.STOPPING),
    ],
    ids=["acknowledged", "coalesced", "never-backwards", "stopping-stays"],
)
def test_task_status_only_moves_forward(start: T, reported: T, expected: T) -> None:
    from dataclasses import replace

    t = replace(task(), last_status=start)
    assert apply_report(t, report(reported), NOW).last_status is expected


def test_running_report_sets_started_and_bindings() -> None:
    binding = NetworkBinding(80, 32768, "tcp", "127.0.0.1")
    t = apply_report(task(), TaskReport(status=T.RUNNING, containers=(
        ContainerReport(name="app", status=C.RUNNING, runtime_id="abc", network_bindings=(binding,)),
    )), NOW)
    assert t.started_at == NOW and t.connectivity_at == NOW
    assert t.containers[0].runtime_id == "abc" and t.containers[0].network_bindings == (binding,)


def test_essential_exit_stops_the_task_non_essential_does_not() -> None:
    running = apply_report(task(), report(T.RUNNING, app=C.RUNNING, side=C.RUNNING), NOW)
    side_gone = apply_report(running, report(side=C.STOPPED), NOW)
    assert side_gone.desired_status is D.RUNNING
    app_gone = apply_report(side_gone, report(app=C.STOPPED), NOW)
    assert app_gone.desired_status is D.STOPPED
    assert app_gone.stop_code is StopCode.ESSENTIAL_CONTAINER_EXITED
    assert app_gone.last_status is T.STOPPING


def test_stopped_without_running_is_task_failed_to_start() -> None:
    t = apply_report(task(), TaskReport(status=T.STOPPED, containers=(
        ContainerReport(name="app", status=C.STOPPED, reason="CannotPullContainerError: nope"),
    )), NOW)
    assert t.last_status is T.STOPPED and t.stop_code is StopCode.TASK_FAILED_TO_START
    assert t.stopped_reason == "CannotPullContainerError: nope"
    assert t.stopped_at == NOW and t.execution_stopped_at == NOW


def test_first_stop_code_wins() -> None:
    later = NOW + timedelta(seconds=5)
    t = request_stop(task(), StopCode.USER_INITIATED, "by me", NOW)
    again = request_stop(t, StopCode.SERVICE_SCHEDULER_INITIATED, "scale in", later)
    assert again is t
    stopped = apply_report(t, TaskReport(status=T.STOPPED, stop_code=StopCode.ESSENTIAL_CONTAINER_EXITED), later)
    assert stopped.stop_code is StopCode.USER_INITIATED and stopped.stopped_reason == "by me"
    assert stopped.stopping_at == NOW


def test_reports_about_a_stopped_task_change_nothing() -> None:
    stopped = apply_report(task(), report(T.STOPPED), NOW)
    assert apply_report(stopped, report(T.RUNNING, app=C.RUNNING), NOW) is stopped


def test_task_health_follows_essential_checked_containers() -> None:
    t = apply_report(task(), TaskReport(containers=(
        ContainerReport(name="app", health_status=H.HEALTHY),
    )), NOW)
    assert t.health_status is H.HEALTHY
    t = apply_report(t, TaskReport(containers=(ContainerReport(name="app", health_status=H.UNHEALTHY),)), NOW)
    assert t.health_status is H.UNHEALTHY


def test_reasons_are_truncated_to_ecs_limit() -> None:
    t = apply_report(task(), TaskReport(containers=(ContainerReport(name="app", reason="x" * 5000),)), NOW)
    assert len(t.containers[0].reason or "") == 1024
