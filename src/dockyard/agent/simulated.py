"""A :class:`ContainerRuntime` with no containers: tasks only account resources and walk the
same states, like Kubernetes' hollow nodes. For placement and scale tests with thousands of
instances in one process; the agent code above it is the same as with Docker.

Behaviour: images are always "present", except names containing :data:`MISSING_IMAGE_MARK`,
which fail to pull (a task that cannot start, for circuit-breaker tests); ``start`` takes
``start_delay`` seconds; a started container exits by itself after ``exit_after`` seconds
with ``exit_code`` (never, when None); ``stop`` ends it at once with 143 (SIGTERM honoured).
Dynamic host ports are handed out from :data:`FIRST_DYNAMIC_PORT` upwards.
"""

from __future__ import annotations

import heapq
import itertools
import queue
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from dockyard.agent.docker.model import (
    ContainerNotFound,
    ContainerRuntimeError,
    ContainerState,
    ContainerStats,
    HostInfo,
    ImageUnavailable,
    ManagedContainer,
    NetworkBinding,
    PullBehavior,
    RuntimeEvent,
    RuntimeEventKind,
)
from dockyard.agent.docker.spec import (
    LABEL_CLUSTER,
    LABEL_CONTAINER_NAME,
    LABEL_TASK_ARN,
    ContainerSpec,
)
from dockyard.agent.docker.volumes import TaskVolumes

__all__ = ["FIRST_DYNAMIC_PORT", "SimulatedRuntime"]

SIM_CPU_UNITS = "DOCKYARD_SIM_CPU_UNITS"
SIM_MEMORY_MIB = "DOCKYARD_SIM_MEMORY_MIB"
MISSING_IMAGE_MARK = "no-such-image"
"""Simulated images whose name contains this fail to pull."""

FIRST_DYNAMIC_PORT = 32768
"""Where Linux's default ephemeral port range starts, like Docker's dynamic ports."""

SIGTERM_EXIT_CODE = 143


@dataclass
class _Container:
    spec: ContainerSpec
    state: ContainerState
    generation: int = 0


@dataclass(order=True)
class _Exit:
    when: float
    container_id: str = field(compare=False)
    generation: int = field(compare=False)


class SimulatedRuntime:
    def __init__(
        self,
        *,
        start_delay: float = 0.0,
        exit_after: float | None = None,
        exit_code: int = 0,
    ) -> None:
        self.start_delay = start_delay
        self.exit_after = exit_after
        self.exit_code = exit_code
        self._containers: dict[str, _Container] = {}
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._ports = itertools.count(FIRST_DYNAMIC_PORT)
        self._events: queue.Queue[RuntimeEvent] = queue.Queue()
        self._exits: list[_Exit] = []
        self._exit_cond = threading.Condition(self._lock)
        self._timer = threading.Thread(target=self._run_exits, name="sim-exits", daemon=True)
        self._timer.start()

    def stats(self, container_id: str) -> ContainerStats:
        """CPU and memory a simulated container declares it uses: environment variables
        :data:`SIM_CPU_UNITS` (CPU units busy while running, 1024 = one core) and
        :data:`SIM_MEMORY_MIB`; zero when absent."""
        with self._lock:
            container = self._containers.get(container_id)
            if container is None:
                raise ContainerNotFound(container_id)
            env = container.spec.environment
            started = container.state.started_at
        now = time.monotonic_ns()
        units = float(env.get(SIM_CPU_UNITS, "0") or 0)
        busy_ns = 0
        if started is not None:
            busy_ns = int((datetime.now(UTC) - started).total_seconds() * 1e9 * units / 1024)
        memory = int(float(env.get(SIM_MEMORY_MIB, "0") or 0) * 1024 * 1024)
        return ContainerStats(cpu_total_ns=max(busy_ns, 0), memory_bytes=memory, read_at_ns=now)

    def ensure_image(self, image: str, pull_behavior: PullBehavior) -> str:
        if MISSING_IMAGE_MARK in image:
            raise ImageUnavailable(f"{image}: simulated pull failure (no such image)")
        return "sha256:" + "0" * 64

    def create(self, spec: ContainerSpec) -> str:
        container_id = f"{next(self._ids):064x}"
        ports = tuple(
            NetworkBinding(
                p.container_port, p.protocol, p.host_ip, p.host_port or next(self._ports)
            )
            for p in spec.ports
        )
        state = ContainerState(
            container_id=container_id,
            name=spec.name,
            status="created",
            exit_code=None,
            error=None,
            oom_killed=False,
            started_at=None,
            finished_at=None,
            health=None,
            ports=ports,
            labels=dict(spec.labels),
        )
        with self._lock:
            self._containers[container_id] = _Container(spec, state)
        return container_id

    def start(self, container_id: str) -> None:
        if self.start_delay:
            time.sleep(self.start_delay)
        now = datetime.now(UTC)
        with self._lock:
            c = self._get(container_id)
            c.state = replace(c.state, status="running", started_at=now)
            c.generation += 1
            if self.exit_after is not None:
                heapq.heappush(
                    self._exits,
                    _Exit(time.monotonic() + self.exit_after, container_id, c.generation),
                )
                self._exit_cond.notify()

    def stop(self, container_id: str, timeout_seconds: int) -> None:
        with self._lock:
            c = self._get(container_id)
            if c.state.status != "running":
                return
            self._exit(c, SIGTERM_EXIT_CODE)
            event = self._die_event(container_id, c)
        self._events.put(event)

    def inspect(self, container_id: str) -> ContainerState:
        with self._lock:
            return self._get(container_id).state

    def remove(self, container_id: str) -> None:
        with self._lock:
            self._containers.pop(container_id, None)

    def list_managed(self, cluster: str | None = None) -> tuple[ManagedContainer, ...]:
        with self._lock:
            items = list(self._containers.items())
        return tuple(
            ManagedContainer(
                container_id=cid,
                name=c.spec.name,
                status=c.state.status,
                task_arn=c.spec.labels[LABEL_TASK_ARN],
                container_name=c.spec.labels.get(LABEL_CONTAINER_NAME, ""),
                cluster=c.spec.labels.get(LABEL_CLUSTER),
            )
            for cid, c in items
            if cluster is None or c.spec.labels.get(LABEL_CLUSTER) == cluster
        )

    def ensure_volumes(self, volumes: TaskVolumes) -> None:
        return None  # nothing is mounted anywhere

    def remove_task_volumes(self, volumes: TaskVolumes) -> None:
        return None

    def logs(
        self,
        container_id: str,
        *,
        since: datetime | None = None,
        follow: bool = True,
        stop: threading.Event | None = None,
    ) -> Iterator[tuple[datetime, str]]:
        raise ContainerRuntimeError("simulated containers produce no output")

    def docker_version(self) -> str:
        return "simulated"

    def host_info(self) -> HostInfo:
        return HostInfo(ncpu=1, mem_total=1 << 30, architecture="x86_64", os_type="linux")

    def events(
        self, stop: threading.Event, *, since: datetime | None = None
    ) -> Iterator[RuntimeEvent]:
        while not stop.is_set():
            try:
                yield self._events.get(timeout=0.2)
            except queue.Empty:
                continue

    def count(self, status: str) -> int:
        with self._lock:
            return sum(1 for c in self._containers.values() if c.state.status == status)

    def _get(self, container_id: str) -> _Container:
        c = self._containers.get(container_id)
        if c is None:
            raise ContainerNotFound(f"No such container: {container_id}")
        return c

    def _exit(self, c: _Container, code: int) -> None:
        c.state = replace(c.state, status="exited", exit_code=code, finished_at=datetime.now(UTC))
        c.generation += 1

    def _run_exits(self) -> None:
        while True:
            with self._lock:
                while not self._exits or self._exits[0].when > time.monotonic():
                    timeout = self._exits[0].when - time.monotonic() if self._exits else None
                    self._exit_cond.wait(timeout)
                due = heapq.heappop(self._exits)
                c = self._containers.get(due.container_id)
                if c is None or c.generation != due.generation or c.state.status != "running":
                    continue
                self._exit(c, self.exit_code)
                event = self._die_event(due.container_id, c)
            self._events.put(event)

    @staticmethod
    def _die_event(container_id: str, c: _Container) -> RuntimeEvent:
        return RuntimeEvent(
            container_id=container_id,
            kind=RuntimeEventKind.DIE,
            task_arn=c.spec.labels[LABEL_TASK_ARN],
            container_name=c.spec.labels.get(LABEL_CONTAINER_NAME, ""),
            exit_code=c.state.exit_code,
        )
