"""Task repository contract on SQLite and PostgreSQL."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.errors import ConcurrentModificationError
from dockyard.domain.task import (
    ContainerOverride,
    NetworkBinding,
    Task,
    TaskContainer,
    TaskOverrides,
)
from dockyard.domain.task_status import ContainerStatus, DesiredStatus, StopCode, TaskStatus
from dockyard.store import Store
from dockyard.store.repositories.tasks import InstanceUsage, TaskFilter

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def task(task_id: str, instance: str | None = "i1", **kw: object) -> Task:
    base: dict[str, object] = dict(
        task_id=task_id, region="r", cluster="c", family="web", revision=2, instance_id=instance,
        containers=(TaskContainer(container_id="u1", name="app", image="busybox", cpu=10, memory=64,
                                  network_bindings=(NetworkBinding(80, 32768, "tcp", "127.0.0.1"),)),),
        created_at=NOW, cpu=10, memory=64, ports=((8080, "tcp"),), started_by="me",
        overrides=TaskOverrides(containers=(ContainerOverride("app", command=("sh",), environment=(("A", "1"),)),)),
    )
    base.update(kw)
    return Task(**base)  # type: ignore[arg-type]


def test_round_trip_with_every_member(store: Store) -> None:
    original = task("a" * 32, stop_code=StopCode.USER_INITIATED, stopped_reason="why",
                    pull_started_at=NOW, started_at=NOW + timedelta(seconds=1), client_token="tok")
    store.write(lambda uow: uow.tasks.add(original))
    loaded = store.read(lambda uow: uow.tasks.get("r", "c", "a" * 32))
    assert loaded == original
    assert store.read(lambda uow: uow.tasks.get("r", "other", "a" * 32)) is None
    assert [t.task_id for t in store.read(lambda uow: uow.tasks.by_client_token("r", "c", "tok"))] == ["a" * 32]


def test_usage_counts_only_live_tasks(store: Store) -> None:
    store.write(lambda uow: [
        uow.tasks.add(task("a" * 32, group="family:web")),
        uow.tasks.add(task("b" * 32, ports=((53, "udp"),), last_status=TaskStatus.RUNNING, group="service:api")),
        uow.tasks.add(task("c" * 32, last_status=TaskStatus.STOPPED, desired_status=DesiredStatus.STOPPED)),
        uow.tasks.add(task("d" * 32, instance="i2", ports=())),
    ])
    usage = store.read(lambda uow: uow.tasks.usage_by_instance("r", "c"))
    assert usage["i1"] == InstanceUsage(
        cpu=20, memory=128, ports=frozenset({(8080, "tcp"), (53, "udp")}), running_count=2, pending_count=1,
        group_counts={"family:web": 1, "service:api": 1},
    )
    assert usage["i2"].ports == frozenset() and usage["i2"].cpu == 10
    assert store.read(lambda uow: uow.tasks.count_live("r", "c")) == 3
    assert store.read(lambda uow: uow.tasks.status_counts("r", ["c", "none"])) == {"c": (1, 2), "none": (0, 0)}
    keys = store.read(lambda uow: uow.tasks.live_keys(["i1"]))
    assert keys == [("i1", "a" * 32, "RUNNING"), ("i1", "b" * 32, "RUNNING")]


def test_list_filters_and_pages(store: Store) -> None:
    store.write(lambda uow: [uow.tasks.add(task(f"{n:032x}", started_by="me" if n % 2 else "you")) for n in range(5)])
    ids = store.read(lambda uow: uow.tasks.list_page("r", "c", TaskFilter(started_by="me"), after=None, limit=10))
    assert ids == [f"{n:032x}" for n in (1, 3)]
    first = store.read(lambda uow: uow.tasks.list_page("r", "c", TaskFilter(), after=None, limit=2))
    rest = store.read(lambda uow: uow.tasks.list_page("r", "c", TaskFilter(), after=first[-1], limit=10))
    assert first + rest == [f"{n:032x}" for n in range(5)]
    assert store.read(lambda uow: uow.tasks.list_page("r", "c", TaskFilter(desired_status="STOPPED"), after=None, limit=10)) == []


def test_save_is_optimistic(store: Store) -> None:
    stored = store.write(lambda uow: uow.tasks.add(task("e" * 32)))
    store.write(lambda uow: uow.tasks.save(replace(stored, last_status=TaskStatus.RUNNING)))
    with pytest.raises(ConcurrentModificationError):
        store.write(lambda uow: uow.tasks.save(replace(stored, last_status=TaskStatus.PENDING)), retries=0)
    loaded = store.read(lambda uow: uow.tasks.get("r", "c", "e" * 32))
    assert loaded is not None and loaded.last_status is TaskStatus.RUNNING and loaded.version == stored.version + 1
    container = loaded.containers[0]
    assert container.last_status is ContainerStatus.PENDING


def test_retention_sweep_forgets_old_stopped_tasks(store: Store) -> None:
    store.write(lambda uow: [
        uow.tasks.add(task("f" * 32, last_status=TaskStatus.STOPPED, stopped_at=NOW - timedelta(hours=2))),
        uow.tasks.add(task("0" * 32, last_status=TaskStatus.STOPPED, stopped_at=NOW)),
    ])
    assert store.write(lambda uow: uow.tasks.delete_stopped_before(NOW - timedelta(hours=1))) == 1
    assert store.read(lambda uow: uow.tasks.get("r", "c", "f" * 32)) is None
