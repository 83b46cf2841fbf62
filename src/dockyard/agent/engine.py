"""The agent's task engine: one serial worker per task, parallel across tasks.

::

    manifests (poll) ──apply_manifest──▶ TaskRecord per task ──kick──▶ TaskWorker (pool thread)
    runtime events ───on_event────────────────────────────────┘          │
                                                                         ▼
            next_steps(record.view(), now)  ─▶ StepRunner.run(step) ─▶ record changes
                       │ Wait(until)                                    │
                       └──▶ timer kick                 LocalState.save + Reporter.submit

A worker is never run twice at once (``_scheduled``); a kick while it runs makes it go round
again, so no event is lost. The pool bounds how many tasks make Docker calls at the same time.

Invariant: a task's record is mutated only by its worker, inside ``_drain``.
"""

from __future__ import annotations

import logging
import threading
from collections import deque
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from dockyard.agent.docker.model import ContainerNotFound, ContainerRuntimeError, RuntimeEvent
from dockyard.agent.docker.volumes import plan_task_volumes
from dockyard.agent.manifest import InstanceManifest, TaskManifest
from dockyard.agent.record import TaskRecord
from dockyard.agent.reporter import Reporter
from dockyard.agent.scheduler import Scheduler
from dockyard.agent.state import LocalState
from dockyard.agent.statemachine import next_steps
from dockyard.agent.statemachine_model import Wait
from dockyard.agent.steps import StepRunner, apply_container_state
from dockyard.domain.task_status import AgentContainerStatus, DesiredStatus, HealthStatus

log = logging.getLogger("dockyard.agent")

__all__ = ["TaskEngine"]

MAX_ROUNDS_PER_DRAIN = 64
"""Plans one drain may execute before yielding its pool thread to other tasks."""

DEFAULT_CLEANUP_WAIT_SECONDS = 3 * 3600.0
"""``ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION``'s default: stopped containers stay 3 h for
``docker logs`` / inspection, then go."""

MAX_REMEMBERED_FINISHED = 100_000
"""Finished task ids remembered so a stale manifest cannot start a task twice."""

_HEALTH = {"healthy": HealthStatus.HEALTHY, "unhealthy": HealthStatus.UNHEALTHY}


class TaskEngine:
    def __init__(
        self,
        runner: StepRunner,
        reporter: Reporter,
        *,
        state: LocalState | None = None,
        workers: int = 32,
        random_hex: Callable[[], str],
        cleanup_wait: float = DEFAULT_CLEANUP_WAIT_SECONDS,
    ) -> None:
        """``cleanup_wait``: seconds after a task is STOPPED (and the control plane knows) before
        its containers and task-scoped volumes are removed."""
        self.runner = runner
        self.scheduler = Scheduler()
        self._cleanup_wait = cleanup_wait
        self.reporter = reporter
        self.state = state
        self._random_hex = random_hex
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="task")
        self._lock = threading.Lock()
        self._workers: dict[str, _TaskWorker] = {}
        self._by_container: dict[str, str] = {}  # runtime id → task id
        self._finished: dict[str, None] = {}  # recently forgotten task ids, oldest first
        self._closed = False

    # -- inputs ---------------------------------------------------------------------------

    def apply_manifest(self, manifest: InstanceManifest) -> None:
        """Start new tasks, pass on desired-status changes, and stop tasks the control plane
        no longer lists for this instance."""
        listed = {t.task_id: t for t in manifest.tasks}
        for task in listed.values():
            self._upsert(manifest.instance_id, task)
        with self._lock:
            gone = [
                w
                for w in self._workers.values()
                if w.record.instance_id == manifest.instance_id and w.task_id not in listed
            ]
        for worker in gone:
            worker.submit(lambda r: r.desire_stop(None, "Task is no longer assigned"))

    def adopt(self, record: TaskRecord) -> None:
        """Take over a task from local state (after a restart): reconcile with the runtime."""
        worker = self._worker_for(record)
        worker.submit(self._reconcile_with_runtime)

    def on_event(self, event: RuntimeEvent) -> None:
        with self._lock:
            task_id = self._by_container.get(event.container_id)
            worker = self._workers.get(task_id or "")
        if worker is not None:
            worker.submit(lambda r: self._apply_event(r, event))

    def acknowledged(self, task_id: str, report: Mapping[str, Any]) -> None:
        """The control plane has the task STOPPED: forget it (its containers stay for logs)."""
        if report.get("status") != "STOPPED":
            return
        with self._lock:
            worker = self._workers.pop(task_id, None)
            self._finished[task_id] = None
            if len(self._finished) > MAX_REMEMBERED_FINISHED:
                del self._finished[next(iter(self._finished))]
            if worker is not None:
                for c in worker.record.containers.values():
                    self._by_container.pop(c.runtime_id or "", None)
        if worker is None:
            return
        if self.state is not None:
            self.state.forget_task(task_id)
        record = worker.record
        self.scheduler.call_later(self._cleanup_wait, lambda: self._clean_up(record))

    def tasks(self) -> list[TaskRecord]:
        with self._lock:
            return [w.record for w in self._workers.values()]

    def running_container_ids(self) -> set[str]:
        with self._lock:
            return set(self._by_container)

    def shutdown(self) -> None:
        self._closed = True
        self.scheduler.stop()
        self._pool.shutdown(wait=True, cancel_futures=True)

    # -- internals ------------------------------------------------------------------------

    def _upsert(self, instance_id: str, task: TaskManifest) -> None:
        with self._lock:
            worker = self._workers.get(task.task_id)
            if worker is None and task.task_id in self._finished:
                return  # a manifest read before our STOPPED report was committed
        if worker is None:
            record = TaskRecord(task, instance_id, self._random_hex())
            self._worker_for(record).submit(None)
        elif (
            task.desired is DesiredStatus.STOPPED and worker.record.desired is DesiredStatus.RUNNING
        ):
            worker.submit(lambda r: r.update_manifest(task))

    def _worker_for(self, record: TaskRecord) -> _TaskWorker:
        with self._lock:
            worker = self._workers.get(record.task_id)
            if worker is None:
                worker = _TaskWorker(self, record)
                self._workers[record.task_id] = worker
            return worker

    def _track(self, record: TaskRecord) -> None:
        with self._lock:
            for c in record.containers.values():
                if c.runtime_id:
                    self._by_container[c.runtime_id] = record.task_id

    def _apply_event(self, record: TaskRecord, event: RuntimeEvent) -> None:
        c = next(
            (c for c in record.containers.values() if c.runtime_id == event.container_id), None
        )
        if c is None or c.known is AgentContainerStatus.STOPPED:
            return
        if event.kind == "health_status":
            c.health = _HEALTH.get(event.health or "", c.health)
            return
        if event.kind in ("die", "oom", "destroy"):
            self._refresh_container(record, c.name)

    def _refresh_container(self, record: TaskRecord, name: str) -> None:
        c = record.containers[name]
        assert c.runtime_id is not None
        try:
            state = self.runner.runtime.inspect(c.runtime_id)
        except ContainerNotFound:
            c.reason = c.reason or "Container disappeared from the Docker host"
            c.move_to(AgentContainerStatus.STOPPED)
            return
        except ContainerRuntimeError as exc:
            log.warning("inspect of %s failed: %s", c.runtime_id, exc.reason)
            return
        apply_container_state(c, state)
        if state.status == "running":
            c.move_to(AgentContainerStatus.RUNNING)
        elif state.status in ("exited", "dead"):
            c.move_to(AgentContainerStatus.STOPPED)

    def _reconcile_with_runtime(self, record: TaskRecord) -> None:
        """After a restart: what did each created container do while we were away? And a
        running task's containers find their task-role credentials at the same URI again."""
        for name, c in record.containers.items():
            if c.runtime_id and c.known.rank >= AgentContainerStatus.CREATED.rank:
                self._refresh_container(record, name)
        if self.runner.resources is not None:
            self.runner.resources.resume(record)

    def _clean_up(self, record: TaskRecord) -> None:
        """Remove a finished task's containers and task-scoped volumes
        (``ECS_ENGINE_TASK_CLEANUP_WAIT_DURATION``)."""
        runtime = self.runner.runtime
        for c in record.containers.values():
            if c.runtime_id:
                try:
                    runtime.remove(c.runtime_id)
                except ContainerRuntimeError as exc:
                    log.warning("removing %s failed: %s", c.runtime_id[:12], exc.reason)
        td = record.manifest.task_definition
        try:
            runtime.remove_task_volumes(
                plan_task_volumes(record.task_id, record.manifest.cluster, td)
            )
        except (ContainerRuntimeError, ValueError) as exc:
            log.warning("removing the volumes of task %s failed: %s", record.task_id, exc)

    def _persist_and_report(
        self, record: TaskRecord, before: dict[str, Any] | None
    ) -> dict[str, Any]:
        after = record.report()
        if after != before:
            if self.state is not None:
                self.state.save_task(record)
            self.reporter.submit(record.task_id, record.manifest.cluster, after)
        return after


class _TaskWorker:
    """The serial worker of one task. ``submit`` queues a mutation and schedules a drain."""

    def __init__(self, engine: TaskEngine, record: TaskRecord) -> None:
        self.engine = engine
        self.record = record
        self.task_id = record.task_id
        self._lock = threading.Lock()
        self._inbox: deque[Callable[[TaskRecord], None]] = deque()
        self._scheduled = False
        self._last_report: dict[str, Any] | None = None

    def submit(self, change: Callable[[TaskRecord], None] | None) -> None:
        with self._lock:
            if change is not None:
                self._inbox.append(change)
            if self._scheduled or self.engine._closed:
                return
            self._scheduled = True
        self.engine._pool.submit(self._drain)

    def _drain(self) -> None:
        try:
            self._drain_once()
        except Exception:
            log.exception("task %s worker failed", self.task_id)
        with self._lock:
            again = bool(self._inbox)
            self._scheduled = again
        if again and not self.engine._closed:
            self.engine._pool.submit(self._drain)

    def _drain_once(self) -> None:
        record = self.record
        while True:
            with self._lock:
                changes = list(self._inbox)
                self._inbox.clear()
            for change in changes:
                change(record)
            self._advance(record)
            with self._lock:
                if not self._inbox:
                    return

    def _advance(self, record: TaskRecord) -> None:
        engine = self.engine
        for _ in range(MAX_ROUNDS_PER_DRAIN):
            plan = next_steps(record.view(), now=engine.runner.clock.now())
            if not plan:
                break
            if isinstance(plan[0], Wait):
                self._schedule(plan[0])
                break
            for step in plan:
                engine.runner.run(record, step)
            engine._track(record)
            self._last_report = engine._persist_and_report(record, self._last_report)
        self._last_report = engine._persist_and_report(record, self._last_report)

    def _schedule(self, wait: Wait) -> None:
        if wait.until is None:
            return
        delay = max(0.0, (wait.until - self.engine.runner.clock.now()).total_seconds())
        self.engine.scheduler.call_later(delay + 0.01, lambda: self.submit(None))
