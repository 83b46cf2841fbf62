"""The control plane's stopped-task sweep on each backend, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from dockyard.api.context import Dependencies
from dockyard.api.housekeeping import sweep_stopped_tasks
from dockyard.domain.task import Task
from dockyard.domain.task_status import TaskStatus
from dockyard.infra.clock import FakeClock
from dockyard.infra.ids import SecureRandom
from dockyard.infra.settings import Settings
from dockyard.store import Store

NOW = datetime(2026, 11, 28, tzinfo=UTC)


def stopped(task_id: str, at: datetime) -> Task:
    return Task(task_id=task_id, region="r", cluster="c", family="f", revision=1, instance_id=None,
                containers=(), created_at=at, last_status=TaskStatus.STOPPED, stopped_at=at)


def test_tasks_stopped_over_an_hour_ago_are_forgotten(store: Store, tmp_path: Path) -> None:
    store.write(lambda uow: [
        uow.tasks.add(stopped("a" * 32, NOW - timedelta(minutes=61))),
        uow.tasks.add(stopped("b" * 32, NOW - timedelta(minutes=59))),
    ])
    deps = Dependencies(settings=Settings(data_dir=tmp_path), store=store, clock=FakeClock(NOW), rng=SecureRandom())
    assert sweep_stopped_tasks(deps) == 1
    assert store.read(lambda uow: uow.tasks.get("r", "c", "a" * 32)) is None
    assert store.read(lambda uow: uow.tasks.get("r", "c", "b" * 32)) is not None
