"""The agent's container sampler (CPU units from two readings of CPU time, memory in MiB) and
the control plane's utilisation formula (ECS: used ÷ reserved × 100 per service and cluster)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from dockyard.agent.docker.model import ContainerNotFound, ContainerStats
from dockyard.agent.metrics import MetricsSampler, cpu_units
from dockyard.domain.task_status import TaskStatus
from dockyard.domain.utilization import TaskUsage, utilization_points

S = 1_000_000_000


@pytest.mark.parametrize(("previous", "current", "expected"), [
    (ContainerStats(0, 0, 0), ContainerStats(S, 0, S), 1024.0),          # one core busy
    (ContainerStats(0, 0, 0), ContainerStats(S // 4, 0, S), 256.0),      # a quarter core
    (ContainerStats(5 * S, 0, 0), ContainerStats(S, 0, S), None),        # counter reset
    (ContainerStats(0, 0, S), ContainerStats(S, 0, S), None),            # no time passed
], ids=["full-core", "quarter", "reset", "same-instant"])
def test_cpu_units_between_two_readings(previous: ContainerStats, current: ContainerStats, expected: float | None) -> None:
    assert cpu_units(previous, current) == expected


class Runtime:
    def __init__(self) -> None:
        self.readings: dict[str, list[ContainerStats]] = {}

    def stats(self, container_id: str) -> ContainerStats:
        if container_id not in self.readings:
            raise ContainerNotFound(container_id)
        return self.readings[container_id].pop(0)


class Container:
    def __init__(self, runtime_id: str | None) -> None:
        self.runtime_id = runtime_id


class Record:
    def __init__(self, arn: str, status: TaskStatus, containers: dict[str, Container]) -> None:
        self.task_arn, self.last_status, self.containers = arn, status, containers


def test_first_reading_primes_then_tasks_sum_their_containers() -> None:
    runtime = Runtime()
    runtime.readings = {
        "a": [ContainerStats(0, 100 * 2**20, 0), ContainerStats(S // 2, 100 * 2**20, S)],
        "b": [ContainerStats(0, 50 * 2**20, 0), ContainerStats(S // 4, 60 * 2**20, S)],
    }
    records: list[Any] = [
        Record("arn:t/1", TaskStatus.RUNNING, {"app": Container("a"), "side": Container("b")}),
        Record("arn:t/2", TaskStatus.PENDING, {"app": Container("c")}),
    ]
    sampler = MetricsSampler(runtime, lambda: records, lambda _samples: None)
    assert sampler.sample_once() == []
    (sample,) = sampler.sample_once()
    assert sample.task_arn == "arn:t/1"
    assert sample.cpu_units == pytest.approx(768.0)
    assert sample.memory_mib == pytest.approx(160.0)


def test_utilization_per_service_and_cluster() -> None:
    at = datetime(2026, 11, 28, tzinfo=UTC)
    points = utilization_points([
        TaskUsage("c", "web", 512, 256, 256.0, 128.0),
        TaskUsage("c", "web", 512, 256, 512.0, 64.0),
        TaskUsage("c", None, 0, 100, 512.0, 100.0),  # standalone, no CPU reservation: one core
    ], at)
    by_key = {(p.metric, p.dimensions): p.value for p in points}
    web = (("ClusterName", "c"), ("ServiceName", "web"))
    assert by_key[("CPUUtilization", web)] == 75.0
    assert by_key[("MemoryUtilization", web)] == 37.5
    assert by_key[("CPUUtilization", (("ClusterName", "c"),))] == pytest.approx(1280 / 2048 * 100)
    assert all(p.namespace == "AWS/ECS" and p.unit == "Percent" and p.timestamp == at for p in points)
