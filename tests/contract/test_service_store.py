"""Service repository contract on SQLite and PostgreSQL: round trip of every member,
optimistic concurrency, the per-service lock two control planes contend for, and the task
queries the scheduler and DescribeServices make."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.orm.exc import StaleDataError
from tests.unit.placement.placement_support import SeededRandom

from dockyard.domain.errors import ConcurrentModificationError
from dockyard.domain.service import (
    CircuitBreaker,
    DeploymentConfiguration,
    LoadBalancer,
    RolloutState,
    SchedulingStrategy,
    Service,
    ServiceStatus,
    TaskDefinitionRef,
)
from dockyard.domain.task import Task, TaskContainer
from dockyard.domain.task_status import DesiredStatus, TaskStatus
from dockyard.store import Store

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
KEY = ("r", "c", "api")


def service(**kw: object) -> Service:
    base = Service(
        name="api", region="r", cluster="c", task_definition=TaskDefinitionRef("web", 1),
        created_at=NOW, created_by="arn:aws:iam::123456789012:root", desired_count=3,
        scheduling_strategy=SchedulingStrategy.REPLICA,
        placement_constraints=(("memberOf", "attribute:stack == prod"), ("distinctInstance", None)),
        placement_strategy=(("spread", "attribute:ecs.availability-zone"),),
        deployment_configuration=DeploymentConfiguration(50, 150, CircuitBreaker(True, True)),
        health_check_grace_period_seconds=30, propagate_tags="SERVICE", enable_ecs_managed_tags=True,
        load_balancers=(LoadBalancer("arn:tg", None, "app", 80),), client_token="tok",
        start_failures=2, next_start_at=NOW + timedelta(seconds=5), accounted_stopped=frozenset({"x"}),
    )
    svc = base.with_new_deployment(TaskDefinitionRef("web", 1), NOW, SeededRandom(1), reason="r {id}")
    svc = svc.with_new_deployment(TaskDefinitionRef("web", 2), NOW, SeededRandom(2), reason="r {id}",
                                  adopt=("ecs-svc/1",))
    svc = svc.with_events(["one", "two"], NOW, SeededRandom(3))
    return replace(svc, last_completed=svc.deployments[1], **kw)  # type: ignore[arg-type]


def task(task_id: str, *, deployment: str, status: TaskStatus = TaskStatus.RUNNING,
         desired: DesiredStatus = DesiredStatus.RUNNING, stopped_at: datetime | None = None) -> Task:
    return Task(
        task_id=task_id, region="r", cluster="c", family="web", revision=1, instance_id="i1",
        containers=(TaskContainer(container_id="u", name="app", image="x"),), created_at=NOW,
        last_status=status, desired_status=desired, started_by=deployment, group="service:api",
        service_name="api", stopped_at=stopped_at,
    )


def test_round_trip_with_every_member(store: Store) -> None:
    original = service()
    stored = store.write(lambda uow: uow.services.add(original))
    loaded = store.read(lambda uow: uow.services.get("r", "c", "api"))
    assert loaded == original
    assert loaded is not None and loaded.version == stored.version
    assert loaded.primary.adopted == ("ecs-svc/1",)
    assert [e.message for e in loaded.events] == ["two", "one"]


def test_stale_save_is_refused_and_a_write_conflict_retries(store: Store) -> None:
    stored = store.write(lambda uow: uow.services.add(service()))
    store.write(lambda uow: uow.services.save(replace(stored, desired_count=5)))
    with pytest.raises((StaleDataError, ConcurrentModificationError)):
        store.write(lambda uow: uow.services.save(replace(stored, desired_count=7)), retries=0)
    assert store.read(lambda uow: uow.services.get(*KEY)).desired_count == 5  # type: ignore[union-attr]


def test_listing_counting_and_reusing_an_inactive_name(store: Store) -> None:
    store.write(lambda uow: uow.services.add(service()))
    store.write(lambda uow: uow.services.add(replace(service(), name="gone", status=ServiceStatus.INACTIVE)))
    store.write(lambda uow: uow.services.add(replace(service(), name="going", status=ServiceStatus.DRAINING)))
    page = store.read(lambda uow: uow.services.list_page("r", "c", launch_type=None, scheduling_strategy=None,
                                                         after=None, limit=10))
    assert page == ["api"]
    assert store.read(lambda uow: uow.services.count_active("r", ["c"])) == {"c": 1}
    assert store.read(lambda uow: uow.services.count_active("r", ["c"], include_draining=True)) == {"c": 2}
    assert sorted(store.read(lambda uow: uow.services.keys_to_reconcile())) == [("r", "c", "api"), ("r", "c", "going")]
    reborn = store.write(lambda uow: uow.services.add(replace(service(), name="gone", desired_count=9)))
    assert reborn.status is ServiceStatus.ACTIVE
    assert store.read(lambda uow: uow.services.get("r", "c", "gone")).desired_count == 9  # type: ignore[union-attr]


def test_tasks_for_the_scheduler_and_counts_per_deployment(store: Store) -> None:
    store.write(lambda uow: uow.tasks.add_many([
        task("a" * 32, deployment="d1"),
        task("b" * 32, deployment="d1", status=TaskStatus.PENDING),
        task("c" * 32, deployment="d2", status=TaskStatus.PROVISIONING),
        task("d" * 32, deployment="d2", status=TaskStatus.STOPPING, desired=DesiredStatus.STOPPED),
        task("e" * 32, deployment="d2", status=TaskStatus.STOPPED, desired=DesiredStatus.STOPPED,
             stopped_at=NOW - timedelta(minutes=5)),
        task("f" * 32, deployment="d2", status=TaskStatus.STOPPED, desired=DesiredStatus.STOPPED,
             stopped_at=NOW - timedelta(hours=2)),
    ]))
    seen = store.read(lambda uow: uow.tasks.for_service("r", "c", "api", stopped_since=NOW - timedelta(hours=1)))
    assert [t.task_id[0] for t in seen] == ["a", "b", "c", "d", "e"]
    counts = store.read(lambda uow: uow.tasks.service_counts("r", "c", ["api"]))
    assert counts == {"api": {"d1": (1, 1), "d2": (0, 1)}}


def test_a_locked_service_is_skipped_by_another_control_plane(store: Store) -> None:
    if store.dialect != "postgresql":
        pytest.skip("SQLite serialises writers; SKIP LOCKED is PostgreSQL's")
    store.write(lambda uow: uow.services.add(service()))
    holding, release = threading.Event(), threading.Event()
    seen_by_second: list[object] = []

    def first() -> None:
        def hold(uow: object) -> None:
            assert uow.services.lock(KEY) is not None  # type: ignore[attr-defined]
            holding.set()
            release.wait(10)
        store.write(hold)

    thread = threading.Thread(target=first)
    thread.start()
    assert holding.wait(10)
    try:
        seen_by_second.append(store.write(lambda uow: uow.services.lock(KEY)))
    finally:
        release.set()
        thread.join(10)
    assert seen_by_second == [None]
    assert store.write(lambda uow: uow.services.lock(KEY)) is not None
    assert RolloutState.IN_PROGRESS is service().primary.rollout_state


def test_usage_for_one_group_counts_resources_of_all_and_tasks_of_that_group(store: Store) -> None:
    def placed(task_id: str, group: str, instance: str, **kw: object) -> Task:
        return replace(task(task_id, deployment="d", **kw), group=group, instance_id=instance,  # type: ignore[arg-type]
                       cpu=100, memory=10)
    store.write(lambda uow: uow.tasks.add_many([
        placed("a" * 32, "service:api", "i1"), placed("b" * 32, "service:web", "i1"),
        placed("c" * 32, "service:api", "i2", status=TaskStatus.PENDING),
        placed("d" * 32, "service:api", "i2", status=TaskStatus.STOPPING, desired=DesiredStatus.STOPPED),
    ]))
    every = store.read(lambda uow: uow.tasks.usage_by_instance("r", "c"))
    narrow = store.read(lambda uow: uow.tasks.usage_by_instance("r", "c", only_group="service:api"))
    for instance in ("i1", "i2"):
        assert (narrow[instance].cpu, narrow[instance].memory) == (every[instance].cpu, every[instance].memory)
        assert narrow[instance].running_count == every[instance].running_count
        assert narrow[instance].pending_count == every[instance].pending_count
    assert every["i1"].group_counts == {"service:api": 1, "service:web": 1}
    assert narrow["i1"].group_counts == {"service:api": 1}
    assert narrow["i2"].group_counts == {"service:api": 1} and narrow["i2"].cpu == 200
