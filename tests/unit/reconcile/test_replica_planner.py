"""The REPLICA planner against ECS's worked examples (ecs-reference §3.3) and the named
buckets: one step, snapshot in, plan out."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.unit.reconcile.reconcile_support import (
    NEW,
    NOW,
    OLD,
    healthy,
    instance,
    messages,
    plan,
    replace,
    service,
    stopped_ids,
    task,
)

from dockyard.domain.service import RolloutState, ServiceStatus
from dockyard.domain.task_status import DesiredStatus, HealthStatus, StopCode, TaskStatus
from dockyard.reconcile import messages as msg

# (id, desired, min, max, old healthy, new healthy, expected stops of old, expected starts)
WORKED_EXAMPLES = [
    ("D4-100-200-start-all-first", 4, 100, 200, 4, 0, 0, 4),
    ("D4-50-200-start-4-stop-2", 4, 50, 200, 4, 0, 2, 4),
    ("D4-50-100-stop-2-start-2", 4, 50, 100, 4, 0, 2, 2),
    ("D2-min75-nothing-stops", 2, 75, 200, 2, 0, 0, 2),
    ("D1-100-200-start-then-stop", 1, 100, 200, 1, 0, 0, 1),
    ("D1-0-100-stop-first", 1, 0, 100, 1, 0, 1, 1),
    ("D4-100-200-new-healthy-stop-old", 4, 100, 200, 4, 4, 4, 0),
    ("D4-50-100-half-way", 4, 50, 100, 2, 2, 2, 2),
    ("D6-100-150-third", 6, 100, 150, 6, 0, 0, 3),
]


@pytest.mark.parametrize(
    ("desired", "minimum", "maximum", "old", "new", "stops", "starts"),
    [case[1:] for case in WORKED_EXAMPLES],
    ids=[case[0] for case in WORKED_EXAMPLES],
)
def test_rolling_update_worked_examples(
    desired: int, minimum: int, maximum: int, old: int, new: int, stops: int, starts: int
) -> None:
    tasks = healthy(old, OLD, "old") + healthy(new, NEW, "new")
    p = plan(service(desired, minimum, maximum), tasks)
    assert len(p.stops) == stops
    assert all(i.startswith("old") for i in stopped_ids(p))
    assert p.start_count == starts
    if starts:
        assert p.starts[0].deployment_id == NEW


def test_max_125_with_min_100_is_stuck_and_says_so() -> None:
    p = plan(service(3, 100, 125), healthy(3, OLD, "old"))
    assert not p.stops and not p.starts
    assert msg.stuck("api") in messages(p)


def test_nothing_started_beyond_maximum_while_new_tasks_are_pending() -> None:
    tasks = healthy(4, OLD, "old") + [
        task(f"p{i}", NEW, status=TaskStatus.PENDING) for i in range(4)
    ]
    p = plan(service(4, 100, 200), tasks)
    assert not p.starts and not p.stops


# --- named buckets ---------------------------------------------------------------------


def test_forty_second_rule_warming_then_healthy() -> None:
    svc = service(2, 100, 200, rolling=False)
    young = [task("n0", running_for=10), task("n1", running_for=39)]
    p = plan(svc, young)
    assert not p.service.steady
    assert p.next_check_at == NOW + timedelta(seconds=1)
    grown = plan(svc, [task("n0", running_for=41), task("n1", running_for=40)])
    assert grown.service.steady
    assert grown.service.primary.rollout_state is RolloutState.COMPLETED
    assert messages(grown)[:2] == [msg.steady("api"), msg.deployment_completed("api", NEW)]


def test_health_checks_decide_instead_of_forty_seconds() -> None:
    svc = service(1, 100, 200, rolling=False)
    assert not plan(svc, [task("n0", health=HealthStatus.UNKNOWN, running_for=300)]).service.steady
    assert plan(svc, [task("n0", health=HealthStatus.HEALTHY, running_for=1)]).service.steady


def test_unhealthy_task_is_stopped_and_replaced_after_the_grace_period() -> None:
    sick = task("n0", health=HealthStatus.UNHEALTHY, running_for=30)
    in_grace = plan(
        service(1, 100, 200, rolling=False, health_check_grace_period_seconds=60), [sick]
    )
    assert not in_grace.stops and not in_grace.starts
    assert in_grace.next_check_at == NOW + timedelta(seconds=30)
    after = plan(service(1, 100, 200, rolling=False), [sick])
    assert [(s.task_id, s.reason) for s in after.stops] == [("n0", msg.UNHEALTHY_STOP_REASON)]
    assert after.start_count == 1


def test_lost_task_is_stopped_and_replaced() -> None:
    p = plan(service(1, 100, 200, rolling=False), [task("n0", instance="gone")], [instance("i1")])
    assert [(s.task_id, s.reason) for s in p.stops] == [("n0", msg.LOST_STOP_REASON)]
    assert p.start_count == 1


def test_old_pending_tasks_stop_at_once() -> None:
    tasks = [*healthy(2, OLD, "old"), task("oldp", OLD, status=TaskStatus.PENDING)]
    p = plan(service(2, 100, 200), tasks)
    assert stopped_ids(p) == {"oldp"}


def test_tasks_on_a_draining_instance_are_replaced_within_min_and_max() -> None:
    tasks = [task("n0", instance="drain"), task("n1", instance="drain")]
    pool = [instance("drain", active=False), instance("i1")]
    first = plan(service(2, 100, 200, rolling=False), tasks, pool)
    assert not first.stops  # min 100: replacements must be healthy first
    assert first.start_count == 2
    replaced = [*tasks, task("n2"), task("n3")]
    second = plan(service(2, 100, 200, rolling=False), replaced, pool)
    assert stopped_ids(second) == {"n0", "n1"}
    assert {s.reason for s in second.stops} == {msg.DRAINING_STOP_REASON}
    assert not second.starts


def test_pending_task_on_draining_instance_stops_immediately() -> None:
    tasks = [task("n0", status=TaskStatus.PENDING, instance="drain")]
    p = plan(
        service(1, 100, 200, rolling=False),
        tasks,
        [instance("drain", active=False), instance("i1")],
    )
    assert stopped_ids(p) == {"n0"}


def test_scale_in_stops_pending_first_then_healthy() -> None:
    tasks = [task("n0"), task("n1"), task("n2"), task("np", status=TaskStatus.PENDING)]
    p = plan(service(2, 100, 200, rolling=False), tasks)
    assert "np" in stopped_ids(p)
    assert len(p.stops) == 2
    assert not p.starts


def test_stopping_tasks_count_for_nothing_but_keep_the_deployment() -> None:
    tasks = [
        *healthy(2, NEW, "n"),
        task("o0", OLD, desired=DesiredStatus.STOPPED, status=TaskStatus.STOPPING),
    ]
    p = plan(service(2, 100, 200), tasks)
    assert not p.stops and not p.starts
    assert [d.deployment_id for d in p.service.deployments] == [NEW, OLD]
    assert not p.service.steady
    gone = [
        *healthy(2, NEW, "n"),
        task("o0", OLD, status=TaskStatus.STOPPED, desired=DesiredStatus.STOPPED),
    ]
    done = plan(service(2, 100, 200), gone)
    assert [d.deployment_id for d in done.service.deployments] == [NEW]
    assert done.service.primary.rollout_state is RolloutState.COMPLETED


# --- circuit breaker, throttle --------------------------------------------------------


def failed(i: int) -> object:
    return task(
        f"f{i}",
        status=TaskStatus.STOPPED,
        desired=DesiredStatus.STOPPED,
        stop_code=StopCode.TASK_FAILED_TO_START,
        ever_ran=False,
    )


def test_circuit_breaker_fails_the_deployment_at_the_threshold() -> None:
    svc = service(4, 100, 200, breaker=True)
    two = plan(svc, [*healthy(4, OLD, "old"), failed(0), failed(1)])
    assert two.service.primary.failed_tasks == 2
    assert two.service.primary.rollout_state is RolloutState.IN_PROGRESS
    three = plan(two.service, [*healthy(4, OLD, "old"), failed(0), failed(1), failed(2)])
    assert three.service.primary.rollout_state is RolloutState.FAILED
    assert three.service.primary.rollout_state_reason == msg.CIRCUIT_BREAKER_FAILED_REASON
    assert not three.starts  # a FAILED deployment launches nothing
    assert not three.stops  # and, without rollback, the old tasks stay


def test_stopped_tasks_are_counted_once() -> None:
    svc = service(4, 100, 200, breaker=True)
    tasks = [*healthy(4, OLD, "old"), failed(0)]
    once = plan(svc, tasks)
    again = plan(once.service, tasks)
    assert again.service.primary.failed_tasks == 1


def test_rollback_returns_to_the_last_completed_deployment() -> None:
    svc = replace(service(4, 100, 200, breaker=True, rollback=True))
    p = plan(svc, healthy(4, OLD, "old") + [failed(i) for i in range(3)])
    primary = p.service.primary
    assert primary.task_definition.revision == 1
    assert primary.adopted == (OLD,)  # the healthy v1 tasks are kept, not replaced
    assert not p.stops and not p.starts
    assert primary.rollout_state is RolloutState.COMPLETED
    assert [d.deployment_id for d in p.service.deployments] == [primary.deployment_id]
    assert messages(p)[::-1][:3] == [
        msg.deployment_failed("api", NEW),
        msg.rolling_back("api", OLD),
        msg.deployment_completed("api", primary.deployment_id),
    ]


def test_rollback_keeps_the_failed_deployment_listed_while_it_has_tasks() -> None:
    svc = service(2, 100, 200, breaker=True, rollback=True)
    tasks = (
        healthy(2, OLD, "old")
        + [task("n0", status=TaskStatus.PENDING)]
        + [failed(i) for i in range(3)]
    )
    p = plan(svc, tasks)
    assert p.service.primary.rollout_state_reason == msg.rollback_reason(OLD)
    assert [d.rollout_state for d in p.service.deployments] == [
        RolloutState.IN_PROGRESS,
        RolloutState.FAILED,
    ]
    assert stopped_ids(p) == {"n0"}


def test_threshold_follows_desired_count() -> None:
    svc = service(10, 100, 200, breaker=True)
    p = plan(svc, healthy(10, OLD, "old") + [failed(i) for i in range(4)])
    assert p.service.primary.rollout_state is RolloutState.IN_PROGRESS  # threshold 5
    p = plan(p.service, healthy(10, OLD, "old") + [failed(i) for i in range(5)])
    assert p.service.primary.rollout_state is RolloutState.FAILED


def test_restart_throttle_holds_starts_after_repeated_failed_waves() -> None:
    svc = service(1, 100, 200, rolling=False)
    first = plan(svc, [failed(0)])
    assert first.start_count == 1  # the first failure restarts at once
    second = plan(first.service, [failed(0), failed(1)])
    assert second.service.next_start_at == NOW + timedelta(seconds=5)
    assert not second.starts
    assert second.next_check_at == NOW + timedelta(seconds=5)
    later = plan(second.service, [failed(0), failed(1)], now=NOW + timedelta(seconds=5))
    assert later.start_count == 1


# --- lifecycle -------------------------------------------------------------------------


def test_deleted_service_stops_everything_then_goes_inactive() -> None:
    svc = replace(service(2, 100, 200, rolling=False), status=ServiceStatus.DRAINING)
    p = plan(svc, healthy(2, NEW, "n"))
    assert stopped_ids(p) == {"n0", "n1"}
    assert p.service.status is ServiceStatus.DRAINING
    done = plan(p.service, [task("n0", status=TaskStatus.STOPPED, desired=DesiredStatus.STOPPED)])
    assert done.service.status is ServiceStatus.INACTIVE


def test_planner_is_deterministic_and_does_not_mutate_inputs() -> None:
    svc = service(4, 50, 200)
    tasks = healthy(4, OLD, "old")
    a, b = plan(svc, tasks, seed=7), plan(svc, tasks, seed=7)
    assert a == b
    assert svc == service(4, 50, 200)
