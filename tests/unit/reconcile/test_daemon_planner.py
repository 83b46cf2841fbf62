"""The DAEMON planner: one task per eligible ACTIVE instance (ecs-reference §1.4)."""

from __future__ import annotations

from tests.unit.placement.placement_support import SeededRandom
from tests.unit.reconcile.reconcile_support import (
    NEW,
    NOW,
    OLD,
    daemon_service,
    instance,
    plan,
    stopped_ids,
    task,
)

from dockyard.domain.task_status import DesiredStatus, TaskStatus
from dockyard.placement import PlacementConstraint
from dockyard.reconcile import messages as msg
from dockyard.reconcile.plan import ServiceSnapshot
from dockyard.reconcile.service import plan_service


def test_one_task_on_every_active_instance_none_on_draining() -> None:
    pool = [instance("i1"), instance("i2"), instance("i3", active=False)]
    p = plan(daemon_service(rolling=False), [], pool)
    assert [s.instance_ids for s in p.starts] == [("i1", "i2")]
    assert p.service.desired_count == 2


def test_instances_already_served_get_nothing_and_new_ones_get_a_task() -> None:
    pool = [instance("i1"), instance("i2"), instance("i4")]
    p = plan(
        daemon_service(rolling=False), [task("a", instance="i1"), task("b", instance="i2")], pool
    )
    assert [s.instance_ids for s in p.starts] == [("i4",)]
    assert not p.stops


def test_task_on_instance_turned_draining_is_stopped() -> None:
    pool = [instance("i1", active=False), instance("i2")]
    p = plan(
        daemon_service(rolling=False), [task("a", instance="i1"), task("b", instance="i2")], pool
    )
    assert [(s.task_id, s.reason) for s in p.stops] == [("a", msg.DRAINING_STOP_REASON)]
    assert not p.starts


def test_constraints_choose_the_instances() -> None:
    pool = [instance("i1", attributes={"role": "edge"}), instance("i2", attributes={"role": "db"})]
    snapshot = ServiceSnapshot(
        service=daemon_service(rolling=False),
        tasks=(),
        instances=tuple(pool),
        now=NOW,
        constraints=(PlacementConstraint("memberOf", "attribute:role == edge"),),
    )
    p = plan_service(snapshot, SeededRandom(1))
    assert [s.instance_ids for s in p.starts] == [("i1",)]


def test_deployment_replaces_old_task_per_instance_after_it_stopped() -> None:
    pool = [instance("i1"), instance("i2")]
    old = [task("o1", OLD, instance="i1"), task("o2", OLD, instance="i2")]
    first = plan(daemon_service(), old, pool)
    assert stopped_ids(first) == {"o1", "o2"}  # DAEMON min 0 %: stop first
    assert not first.starts  # the room is still held until they are STOPPED
    stopping = [
        task(
            t.task_id,
            OLD,
            instance=t.instance_id or "",
            desired=DesiredStatus.STOPPED,
            status=TaskStatus.STOPPING,
        )
        for t in old
    ]
    assert not plan(daemon_service(), stopping, pool).starts
    gone = [
        task(
            t.task_id,
            OLD,
            instance=t.instance_id or "",
            desired=DesiredStatus.STOPPED,
            status=TaskStatus.STOPPED,
        )
        for t in old
    ]
    after = plan(daemon_service(), gone, pool)
    assert [s.instance_ids for s in after.starts] == [("i1", "i2")]
    assert after.starts[0].deployment_id == NEW


def test_disconnected_instance_gets_no_new_task_but_keeps_its_own() -> None:
    pool = [instance("i1", connected=False), instance("i2", connected=False)]
    p = plan(daemon_service(rolling=False), [task("a", instance="i1")], pool)
    assert not p.stops
    assert not p.starts


def test_minimum_that_forbids_every_stop_is_reported_as_stuck() -> None:
    from dataclasses import replace

    svc = daemon_service()
    svc = replace(svc, deployment_configuration=replace(svc.deployment_configuration, minimum_healthy_percent=100))
    pool = [instance("i1"), instance("i2")]
    p = plan(svc, [task("o1", OLD, instance="i1"), task("o2", OLD, instance="i2")], pool)
    assert not p.stops and not p.starts
    assert msg.stuck("api") in [e.message for e in p.service.events]
