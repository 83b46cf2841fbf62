"""Samples the CPU and memory of this agent's running task containers and reports them to
the control plane, which turns them into the ``AWS/ECS`` CloudWatch metrics.

Every ``interval`` seconds each RUNNING task's containers are read once (Docker's one-shot
stats); CPU use over the interval is the difference of two readings of the container's CPU
time, in ECS CPU units (1024 per core). A task's sample is the sum over its containers. The
first reading of a container only primes it.

Invariant: a container's CPU figure is never negative (a restarted container's counter reset
is skipped, not reported).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dockyard.agent.docker.model import ContainerRuntimeError, ContainerStats
from dockyard.agent.record import TaskRecord
from dockyard.domain.task_status import TaskStatus

log = logging.getLogger("dockyard.agent")

__all__ = ["MetricsSampler", "TaskSample", "cpu_units"]

NS_PER_S = 1_000_000_000
CPU_UNITS_PER_CORE = 1024
DEFAULT_INTERVAL_SECONDS = 10.0
"""ECS publishes service utilisation every minute (20 s at high resolution); Dockyard samples
every 10 s by default, which the ``fast`` scaling profile evaluates directly."""


@dataclass(frozen=True, slots=True)
class TaskSample:
    task_arn: str
    timestamp: datetime
    cpu_units: float
    memory_mib: float

    def to_wire(self) -> dict[str, Any]:
        return {
            "taskArn": self.task_arn,
            "timestamp": self.timestamp.timestamp(),
            "cpuUnits": round(self.cpu_units, 3),
            "memoryMiB": round(self.memory_mib, 3),
        }


def cpu_units(previous: ContainerStats, current: ContainerStats) -> float | None:
    """CPU units used between two readings; None when they cannot be compared."""
    wall = current.read_at_ns - previous.read_at_ns
    used = current.cpu_total_ns - previous.cpu_total_ns
    if wall <= 0 or used < 0:
        return None
    return used / wall * CPU_UNITS_PER_CORE


class MetricsSampler:
    """``tasks()`` lists the agent's task records; ``send(samples)`` reports a batch."""

    def __init__(
        self,
        runtime: Any,
        tasks: Callable[[], Iterable[TaskRecord]],
        send: Callable[[list[dict[str, Any]]], None],
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
    ) -> None:
        self._runtime = runtime
        self._tasks = tasks
        self._send = send
        self._interval = interval
        self._previous: dict[str, ContainerStats] = {}

    def run(self, stop: threading.Event) -> None:
        while not stop.wait(self._interval):
            try:
                samples = self.sample_once()
                if samples:
                    self._send([s.to_wire() for s in samples])
            except Exception as exc:  # reporting is best effort; the next round retries
                log.warning("reporting container metrics failed: %s", exc)

    def sample_once(self) -> list[TaskSample]:
        now = datetime.now(UTC)
        samples, seen = [], set()
        for record in self._tasks():
            if record.last_status is not TaskStatus.RUNNING:
                continue
            cpu, memory, complete = 0.0, 0.0, True
            for container in record.containers.values():
                runtime_id = container.runtime_id
                if runtime_id is None:
                    continue
                seen.add(runtime_id)
                reading = self._read(runtime_id)
                if reading is None:
                    complete = False
                    continue
                previous, current = reading
                units = cpu_units(previous, current) if previous else None
                complete = complete and units is not None
                cpu += units or 0.0
                memory += current.memory_bytes / (1024 * 1024)
            if complete:
                samples.append(TaskSample(record.task_arn, now, cpu, memory))
        self._previous = {k: v for k, v in self._previous.items() if k in seen}
        return samples

    def _read(self, runtime_id: str) -> tuple[ContainerStats | None, ContainerStats] | None:
        stats = getattr(self._runtime, "stats", None)
        if stats is None:
            return None
        try:
            current: ContainerStats = stats(runtime_id)
        except ContainerRuntimeError:
            return None
        previous = self._previous.get(runtime_id)
        self._previous[runtime_id] = current
        return previous, current
