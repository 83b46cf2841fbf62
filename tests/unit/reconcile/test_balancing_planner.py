"""Services behind load balancers: register RUNNING tasks, count them healthy only when their
targets are, drain before stopping, release after the deregistration delay."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from tests.unit.placement.placement_support import SeededRandom
from tests.unit.reconcile.reconcile_support import NEW, NOW, OLD, instance, service, task

from dockyard.domain.service import LoadBalancer, RolloutState
from dockyard.domain.task import NetworkBinding
from dockyard.domain.task_status import DesiredStatus, TaskStatus
from dockyard.reconcile import messages as msg
from dockyard.reconcile.plan import ServiceSnapshot
from dockyard.reconcile.service import plan_service
from dockyard.reconcile.targets import TargetGroupView, TargetRef

TG = "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/web/abc"
LB = LoadBalancer(target_group_arn=TG, container_name="a", container_port=80)
DELAY = timedelta(seconds=30)


def bound(task_id: str, port: int, deployment: str = NEW, **kw: object):  # type: ignore[no-untyped-def]
    t = task(task_id, deployment, **kw)  # type: ignore[arg-type]
    container = replace(t.containers[0], network_bindings=(NetworkBinding(80, port, "tcp", "127.0.0.1"),))
    return replace(t, containers=(container,))


def plan(svc, tasks, *, registered=(), health=None, now=NOW):  # type: ignore[no-untyped-def]
    group = TargetGroupView(TG, "instance", DELAY, frozenset(registered), health or {})
    snapshot = ServiceSnapshot(
        service=replace(svc, load_balancers=(LB,)), tasks=tuple(tasks),
        instances=(instance("i1", ec2_instance_id="i-0001"),), now=now, target_groups={TG: group},
    )
    return plan_service(snapshot, SeededRandom(1))


def test_running_task_is_registered_with_its_dynamic_host_port() -> None:
    p = plan(service(1, rolling=False), [bound("n0", 32768)])
    assert p.registers == (TargetRef(TG, ("i-0001", 32768)),)
    assert f"(service api) registered 1 targets in (target-group {TG})" in [e.message for e in p.service.events]


def test_healthy_only_when_the_target_is_healthy() -> None:
    key = ("i-0001", 32768)
    initial = plan(service(1, rolling=False), [bound("n0", 32768)], registered=[key], health={key: "initial"})
    assert not initial.service.steady
    healthy = plan(service(1, rolling=False), [bound("n0", 32768)], registered=[key], health={key: "healthy"})
    assert healthy.service.steady
    assert healthy.service.primary.rollout_state is RolloutState.COMPLETED


def test_replaced_task_drains_before_it_stops() -> None:
    old, new = ("i-0001", 32768), ("i-0001", 32769)
    tasks = [bound("o0", 32768, OLD), bound("n0", 32769)]
    p = plan(service(1, 100, 200), tasks, registered=[old, new], health={old: "healthy", new: "healthy"})
    (stop,) = p.stops
    assert stop.task_id == "o0" and stop.drain_until == NOW + DELAY
    assert p.deregisters == (TargetRef(TG, old),)
    assert "(service api) has begun draining connections on 1 tasks." in [e.message for e in p.service.events]


def test_drained_task_is_released_to_its_agent_after_the_delay() -> None:
    held = replace(bound("o0", 32768, OLD), last_status=TaskStatus.DEACTIVATING,
                   desired_status=DesiredStatus.STOPPED, stop_after=NOW + DELAY)
    key = ("i-0001", 32769)
    early = plan(service(1, 100, 200), [held, bound("n0", 32769)], registered=[key], health={key: "healthy"})
    assert early.releases == ()
    assert early.next_check_at == NOW + DELAY
    later = plan(service(1, 100, 200), [held, bound("n0", 32769)], registered=[key], health={key: "healthy"},
                 now=NOW + DELAY)
    assert later.releases == ("o0",)


def test_failing_elb_checks_stop_the_task_with_elbs_reason() -> None:
    key = ("i-0001", 32768)
    p = plan(service(1, rolling=False), [bound("n0", 32768)], registered=[key], health={key: "unhealthy"})
    (stop,) = p.stops
    assert stop.reason == msg.elb_unhealthy_reason(TG)
    assert stop.drain_until == NOW + DELAY
    assert p.start_count == 1


def test_a_task_that_died_is_deregistered() -> None:
    key = ("i-0001", 32768)
    dead = bound("n0", 32768, status=TaskStatus.STOPPED, desired=DesiredStatus.STOPPED)
    p = plan(service(1, rolling=False), [dead], registered=[key], health={key: "unhealthy"})
    assert p.deregisters == (TargetRef(TG, key),)
    assert p.start_count == 1
