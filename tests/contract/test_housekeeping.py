"""The control plane's stopped-task sweep on each backend, with a fake clock."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dockyard.api import housekeeping
from dockyard.api.context import Dependencies
from dockyard.api.housekeeping import sweep_stopped_tasks
from dockyard.domain.autoscaling import ScalingActivity
from dockyard.domain.task import Task
from dockyard.domain.task_status import TaskStatus
from dockyard.infra.clock import FakeClock
from dockyard.infra.ids import SecureRandom
from dockyard.infra.settings import Settings
from dockyard.store import Store
from dockyard.store.repositories.autoscaling import AutoScalingRepository

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


def test_scaling_activities_older_than_six_weeks_or_beyond_the_cap_are_forgotten(
    store: Store, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(housekeeping, "SCALING_ACTIVITIES_PER_TARGET", 3)

    def activity(resource: str, n: int, at: datetime) -> ScalingActivity:
        return ScalingActivity("r", resource, f"{resource}-{n}", "Setting desired count to 1.", "c", at, end=at)

    busy = [activity("service/c/busy", n, NOW - timedelta(minutes=10 - n)) for n in range(5)]
    old = [activity("service/c/quiet", 0, NOW - timedelta(weeks=6, minutes=1)),
           activity("service/c/quiet", 1, NOW - timedelta(weeks=6) + timedelta(minutes=1))]
    store.write(lambda uow: [AutoScalingRepository(uow.session).add_activity(a) for a in busy + old])
    deps = Dependencies(settings=Settings(data_dir=tmp_path), store=store, clock=FakeClock(NOW), rng=SecureRandom())
    assert housekeeping.prune_scaling_activities(deps) == 3

    def kept(resource: str) -> list[str]:
        found = store.read(lambda uow: AutoScalingRepository(uow.session).list_activities("r", resource_id=resource))
        return [a.activity_id for a in found]

    assert kept("service/c/busy") == ["service/c/busy-4", "service/c/busy-3", "service/c/busy-2"]
    assert kept("service/c/quiet") == ["service/c/quiet-1"]
    assert housekeeping.prune_scaling_activities(deps) == 0
