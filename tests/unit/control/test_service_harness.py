"""The service scheduler end to end, minus the network: the real planner and
:class:`ServiceStepApplier` on a real SQLite store, a :class:`FakeClock`, a seeded rng, and a
simulated agent (:class:`Harness.agent`) that moves tasks through the store between steps the
way agent reports do (``apply_report`` + ``save_many``) and keeps the instances' heartbeats
fresh.

The agent is deterministic: one lifecycle phase per round (PROVISIONING → PENDING → RUNNING),
a stop request is STOPPED by the next round, tasks of a ``broken`` revision fail to start, and
tasks named in ``kill`` have their essential container exit. Every round moves the clock
:data:`TICK` seconds, so a task without health checks counts healthy three rounds after RUNNING.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import cast

import pytest
from tests.unit.placement.placement_support import SeededRandom

from dockyard.control.service_applier import STOPPED_LOOKBACK, ServiceStepApplier, StepOutcome
from dockyard.domain.cluster import Cluster
from dockyard.domain.container_instance import (
    ContainerInstance,
    ContainerInstanceStatus,
    Resource,
    VersionInfo,
)
from dockyard.domain.service import (
    IN_PROGRESS_REASON,
    CircuitBreaker,
    DeploymentConfiguration,
    RolloutState,
    SchedulingStrategy,
    Service,
    TaskDefinitionRef,
)
from dockyard.domain.task import ContainerReport, Task, TaskReport, apply_report
from dockyard.domain.task_definition import build_task_definition, registration_from_request
from dockyard.domain.task_status import ContainerStatus, DesiredStatus, StopCode, TaskStatus
from dockyard.infra.clock import FakeClock
from dockyard.reconcile import messages
from dockyard.store import Store
from dockyard.store.uow import UnitOfWork

REGION, CLUSTER, NAME, ACCOUNT = "us-east-1", "main", "api", "123456789012"
KEY = (REGION, CLUSTER, NAME)
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
TICK = 15
"""Seconds per agent round: under the 20-second heartbeat timeout, 3 rounds past 40 s."""
HEALTHY_AFTER = timedelta(seconds=40)
INSTANCE_IDS = tuple(f"{n:032x}" for n in range(1, 4))


@dataclass(frozen=True)
class Observation:
    """The store after one step."""

    outcome: StepOutcome
    service: Service
    tasks: tuple[Task, ...]
    now: datetime

    @property
    def live(self) -> list[Task]:
        """Count toward maximumPercent: desired RUNNING and not STOPPED."""
        return [
            t
            for t in self.tasks
            if t.desired_status is DesiredStatus.RUNNING and t.last_status is not TaskStatus.STOPPED
        ]

    @property
    def healthy(self) -> list[Task]:
        """RUNNING, still wanted, 40 s past RUNNING (these tasks declare no health check)."""
        return [
            t
            for t in self.live
            if t.last_status is TaskStatus.RUNNING
            and t.started_at is not None
            and self.now >= t.started_at + HEALTHY_AFTER
        ]

    @property
    def events(self) -> list[str]:
        return [e.message for e in self.service.events]

    def of(self, revision: int) -> list[Task]:
        return [t for t in self.live if t.revision == revision]


class Harness:
    def __init__(self, tmp_path: Path, *, seed: int = 1) -> None:
        self.store = Store(f"sqlite:///{tmp_path / 'dockyard.db'}")
        self.clock = FakeClock(START)
        self.applier = self.new_applier(seed)
        self.broken: set[int] = set()
        self.kill: set[str] = set()
        self.history: list[Observation] = []
        self.created: set[str] = set()
        """Every task id the applier ever created (a duplicate start would show here)."""

        def setup(uow: UnitOfWork) -> None:
            uow.clusters.add(Cluster(CLUSTER, REGION, created_at=START))
            for instance_id in INSTANCE_IDS:
                uow.container_instances.add(
                    ContainerInstance(
                        instance_id=instance_id,
                        cluster=CLUSTER,
                        region=REGION,
                        ec2_instance_id=f"i-{instance_id[-4:]}",
                        status=ContainerInstanceStatus.ACTIVE,
                        registered_resources=(
                            Resource("CPU", "INTEGER", 4096),
                            Resource("MEMORY", "INTEGER", 8192),
                        ),
                        attributes=(),
                        version_info=VersionInfo("1.80.0", None, "24.0"),
                        registered_at=START,
                        last_heartbeat_at=START,
                    )
                )

        self.store.write(setup)

    def new_applier(self, seed: int) -> ServiceStepApplier:
        """A control plane: what a restart builds afresh (the store is all it shares)."""
        return ServiceStepApplier(
            self.store,
            self.clock,
            SeededRandom(seed),
            account_id=ACCOUNT,
            healthy_after=HEALTHY_AFTER,
        )

    def close(self) -> None:
        self.store.dispose()

    # -- API side

    def register(self, image: str = "busybox") -> TaskDefinitionRef:
        registration = registration_from_request(
            {
                "family": "web",
                "containerDefinitions": [
                    {"name": "app", "image": image, "cpu": 128, "memory": 128, "essential": True}
                ],
            }
        )

        def write(uow: UnitOfWork) -> TaskDefinitionRef:
            revision = uow.task_definitions.next_revision(REGION, "web")
            uow.task_definitions.add(
                REGION,
                build_task_definition(
                    registration,
                    revision=revision,
                    registered_at=self.clock.now(),
                    registered_by=f"arn:aws:iam::{ACCOUNT}:root",
                ),
            )
            return TaskDefinitionRef("web", revision)

        return self.store.write(write)

    def create_service(
        self,
        ref: TaskDefinitionRef,
        desired: int,
        minimum: int = 100,
        maximum: int = 200,
        *,
        breaker: CircuitBreaker | None = None,
        daemon: bool = False,
    ) -> None:
        rng = SeededRandom(99)
        service = Service(
            name=NAME,
            region=REGION,
            cluster=CLUSTER,
            task_definition=ref,
            created_at=self.clock.now(),
            created_by=f"arn:aws:iam::{ACCOUNT}:root",
            desired_count=desired,
            scheduling_strategy=SchedulingStrategy.DAEMON if daemon else SchedulingStrategy.REPLICA,
            deployment_configuration=DeploymentConfiguration(
                minimum, maximum, breaker or CircuitBreaker()
            ),
        )
        created = service.with_new_deployment(ref, self.clock.now(), rng, reason=IN_PROGRESS_REASON)
        self.store.write(lambda uow: uow.services.add(created))

    def update(self, ref: TaskDefinitionRef) -> str:
        """UpdateService to ``ref``; returns the new deployment's id."""
        rng = SeededRandom(100 + ref.revision)

        def write(uow: UnitOfWork) -> Service:
            service = uow.services.get(REGION, CLUSTER, NAME)
            assert service is not None
            return uow.services.save(
                service.with_new_deployment(ref, self.clock.now(), rng, reason=IN_PROGRESS_REASON)
            )

        return self.store.write(write).primary.deployment_id

    def drain(self, instance_id: str) -> None:
        """UpdateContainerInstancesState to DRAINING."""

        def write(uow: UnitOfWork) -> None:
            instance = uow.container_instances.get(REGION, CLUSTER, instance_id)
            assert instance is not None
            uow.container_instances.save(replace(instance, status=ContainerInstanceStatus.DRAINING))

        self.store.write(write)

    # -- agent side

    def agent(self) -> None:
        """One round: the clock moves, heartbeats arrive, every task moves one phase."""
        self.clock.advance(TICK)
        now = self.clock.now()

        def write(uow: UnitOfWork) -> None:
            uow.container_instances.touch(INSTANCE_IDS, now, older_than=now)
            tasks = uow.tasks.for_service(
                REGION, CLUSTER, NAME, stopped_since=now - STOPPED_LOOKBACK
            )
            changed = []
            for task in tasks:
                report = self._report(task)
                if report is not None:
                    changed.append(apply_report(task, report, now))
            uow.tasks.save_many(changed)

        self.store.write(write)

    def _report(self, task: Task) -> TaskReport | None:
        if task.last_status is TaskStatus.STOPPED:
            return None
        if task.desired_status is DesiredStatus.STOPPED:
            return TaskReport(
                status=TaskStatus.STOPPED,
                containers=(
                    ContainerReport(name="app", status=ContainerStatus.STOPPED, exit_code=0),
                ),
            )
        if task.last_status is TaskStatus.PROVISIONING and task.revision in self.broken:
            return TaskReport(
                status=TaskStatus.STOPPED,
                containers=(
                    ContainerReport(
                        name="app",
                        status=ContainerStatus.STOPPED,
                        reason="CannotPullContainerError: manifest unknown",
                    ),
                ),
            )
        if task.last_status is TaskStatus.PROVISIONING:
            return TaskReport(status=TaskStatus.PENDING)
        if task.last_status is TaskStatus.PENDING:
            return TaskReport(
                status=TaskStatus.RUNNING,
                containers=(
                    ContainerReport(
                        name="app",
                        status=ContainerStatus.RUNNING,
                        runtime_id=f"docker-{task.task_id[:12]}",
                    ),
                ),
            )
        if task.task_id in self.kill:
            self.kill.discard(task.task_id)
            return TaskReport(
                status=TaskStatus.STOPPED,
                stop_code=StopCode.ESSENTIAL_CONTAINER_EXITED,
                containers=(
                    ContainerReport(name="app", status=ContainerStatus.STOPPED, exit_code=137),
                ),
            )
        return None

    # -- driving

    def observe(self, outcome: StepOutcome) -> Observation:
        now = self.clock.now()

        def read(uow: UnitOfWork) -> tuple[Service | None, list[Task]]:
            return (
                uow.services.get(REGION, CLUSTER, NAME),
                uow.tasks.for_service(REGION, CLUSTER, NAME, stopped_since=START),
            )

        service, tasks = self.store.read(read)
        assert service is not None
        return Observation(outcome, service, tuple(tasks), now)

    def step(self) -> Observation:
        self.agent()
        before = {t.task_id for t in self.observe(StepOutcome(pending=True)).tasks}
        seen = self.observe(self.applier.step(KEY))
        new = {t.task_id for t in seen.tasks} - before
        assert not new & self.created, f"task ids reused: {new & self.created}"
        self.created |= new
        self.history.append(seen)
        return seen

    def run_until(
        self,
        done: Callable[[Observation], bool],
        limit: int = 40,
        check: Callable[[Observation], None] | None = None,
    ) -> Observation:
        for _ in range(limit):
            seen = self.step()
            if check is not None:
                check(seen)
            if done(seen):
                return seen
        deployments = [(d.task_definition, d.rollout_state.value) for d in seen.service.deployments]
        raise AssertionError(f"not reached in {limit} steps: {deployments} {seen.events[:4]}")


def settled(seen: Observation) -> bool:
    return seen.service.steady and seen.service.primary.rollout_state is RolloutState.COMPLETED


@pytest.fixture
def harness(tmp_path: Path) -> Iterator[Harness]:
    h = Harness(tmp_path)
    yield h
    h.close()


# --- tests --------------------------------------------------------------------------------------


def test_create_reaches_a_steady_state_with_desired_tasks(harness: Harness) -> None:
    v1 = harness.register()
    harness.create_service(v1, desired=3)
    first = harness.step()
    assert first.outcome.acted and len(first.live) == 3
    assert {t.instance_id for t in first.live} == set(INSTANCE_IDS)
    seen = harness.run_until(settled)
    assert [t.task_id for t in seen.healthy] == sorted(t.task_id for t in first.live)
    assert seen.outcome.steady and seen.service.deployments == (seen.service.primary,)
    started = [m for m in seen.events if "has started 3 tasks:" in m]
    assert len(started) == 1 and started[0].startswith(
        f"(service {NAME}) has started 3 tasks: (task "
    )
    assert seen.events[0] == messages.steady(NAME)
    assert messages.deployment_completed(NAME, seen.service.primary.deployment_id) in seen.events
    again = harness.step()
    assert not again.outcome.acted and again.events == seen.events  # steady: nothing more to do


def test_rollout_at_50_100_keeps_both_bounds_every_step(harness: Harness) -> None:
    v1, v2 = harness.register(), harness.register("busybox:v2")
    harness.create_service(v1, desired=4, minimum=50, maximum=100)
    harness.run_until(settled)
    new_id = harness.update(v2)
    low, high = DeploymentConfiguration(50, 100).bounds(4)
    assert (low, high) == (2, 4)

    def within_bounds(seen: Observation) -> None:
        assert len(seen.live) <= high, [(t.revision, t.last_status.value) for t in seen.live]
        assert len(seen.healthy) >= low, [(t.revision, t.last_status.value) for t in seen.live]
        assert len(seen.of(2)) <= 4

    first = harness.run_until(lambda s: True, check=within_bounds)
    assert (len(first.of(1)), len(first.of(2))) == (2, 2)  # stop 2 old, start 2 new
    seen = harness.run_until(settled, check=within_bounds)
    assert seen.service.primary.deployment_id == new_id and len(seen.service.deployments) == 1
    assert len(seen.healthy) == 4 and all(t.revision == 2 for t in seen.live)
    assert len(harness.created) == 8  # 4 of v1, 4 of v2: nothing started twice


def test_a_killed_task_is_replaced(harness: Harness) -> None:
    v1 = harness.register()
    harness.create_service(v1, desired=2)
    steady = harness.run_until(settled)
    victim = steady.live[0].task_id
    harness.kill.add(victim)
    seen = harness.step()
    dead = next(t for t in seen.tasks if t.task_id == victim)
    assert (
        dead.last_status is TaskStatus.STOPPED
        and dead.stop_code is StopCode.ESSENTIAL_CONTAINER_EXITED
    )
    assert len(seen.live) == 2 and victim not in {t.task_id for t in seen.live}
    assert seen.events[0].startswith(f"(service {NAME}) has started 1 tasks:")
    again = harness.run_until(lambda s: s.service.steady)
    assert len(again.healthy) == 2 and again.service.primary.rollout_state is RolloutState.COMPLETED


def test_a_revision_that_never_starts_fails_and_rolls_back(harness: Harness) -> None:
    v1, v2 = harness.register(), harness.register("busybox:missing")
    harness.broken.add(v2.revision)
    harness.create_service(
        v1, desired=4, minimum=50, maximum=200, breaker=CircuitBreaker(enable=True, rollback=True)
    )
    completed = harness.run_until(settled).service.primary
    failed_id = harness.update(v2)
    seen = harness.run_until(lambda s: s.service.primary.deployment_id != failed_id)
    failed = next(d for d in seen.service.deployments if d.deployment_id == failed_id)
    assert failed.rollout_state is RolloutState.FAILED
    assert failed.rollout_state_reason == messages.CIRCUIT_BREAKER_FAILED_REASON
    assert failed.failed_tasks >= 3  # clamp(ceil(4 / 2), 3, 200)
    rollback = seen.service.primary
    assert rollback.task_definition == v1 and rollback.rollout_state is RolloutState.IN_PROGRESS
    assert rollback.rollout_state_reason == messages.rollback_reason(completed.deployment_id)
    rolling_back = seen.events.index(messages.rolling_back(NAME, completed.deployment_id))
    assert rolling_back < seen.events.index(
        messages.deployment_failed(NAME, failed_id)
    )  # newest first
    final = harness.run_until(settled)
    assert final.service.primary.deployment_id == rollback.deployment_id
    assert [d.deployment_id for d in final.service.deployments] == [rollback.deployment_id]
    assert len(final.healthy) == 4 and all(t.revision == 1 for t in final.live)
    assert not [
        t
        for t in harness.history[-1].tasks
        if t.revision == 2 and t.last_status is not TaskStatus.STOPPED
    ]


def test_daemon_leaves_a_draining_instance(harness: Harness) -> None:
    v1 = harness.register()
    harness.create_service(v1, desired=0, minimum=0, maximum=100, daemon=True)
    steady = harness.run_until(settled)
    assert steady.service.desired_count == 3
    assert sorted(t.instance_id for t in steady.live) == sorted(INSTANCE_IDS)
    drained = INSTANCE_IDS[1]
    victim = next(t for t in steady.live if t.instance_id == drained)
    harness.drain(drained)
    seen = harness.step()
    stopping = next(t for t in seen.tasks if t.task_id == victim.task_id)
    assert stopping.desired_status is DesiredStatus.STOPPED
    assert stopping.stopped_reason == messages.DRAINING_STOP_REASON
    assert seen.service.desired_count == 2
    final = harness.run_until(lambda s: s.service.steady)
    for _ in range(3):
        final = harness.step()
    assert (
        next(t for t in final.tasks if t.task_id == victim.task_id).last_status
        is TaskStatus.STOPPED
    )
    assert sorted(t.instance_id for t in final.live) == sorted(set(INSTANCE_IDS) - {drained})
    assert all(
        t.instance_id != drained
        for s in harness.history
        for t in s.live
        if t.task_id != victim.task_id
    )


def test_a_restarted_control_plane_continues_the_rollout(harness: Harness) -> None:
    v1, v2 = harness.register(), harness.register("busybox:v2")
    harness.create_service(v1, desired=4, minimum=100, maximum=150)
    harness.run_until(settled)
    harness.update(v2)
    low, high = DeploymentConfiguration(100, 150).bounds(4)

    def within_bounds(seen: Observation) -> None:
        assert len(seen.live) <= high and len(seen.healthy) >= low

    mid = harness.run_until(lambda s: len(s.of(2)) > 0 and len(s.of(1)) == 4, check=within_bounds)
    assert len(mid.of(2)) == high - 4
    old = harness.applier
    harness.applier = harness.new_applier(seed=2)  # the old one is gone; only the store remains
    again = harness.step()
    within_bounds(again)
    started = {t.task_id for t in mid.of(2)}
    assert {t.task_id for t in again.of(2)} == started  # nothing started twice
    zombie = harness.observe(old.step(KEY))  # an old control plane that did not quite die
    within_bounds(zombie)
    assert {t.task_id for t in zombie.of(2)} == started
    final = harness.run_until(settled, check=within_bounds)
    assert len(final.healthy) == 4 and all(t.revision == 2 for t in final.live)
    assert len(harness.created) == 8


class Crash(Exception):
    """The control plane dies after the step's work, before its COMMIT."""


class DiesBeforeCommit:
    """A store whose write transactions do all their work, then die (and roll back)."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def read(self, fn: Callable[[UnitOfWork], object]) -> object:
        return self._store.read(fn)

    def write(self, fn: Callable[[UnitOfWork], object]) -> object:
        def doomed(uow: UnitOfWork) -> object:
            fn(uow)
            uow.session.flush()
            raise Crash

        return self._store.write(doomed)


def test_a_step_that_dies_before_commit_leaves_nothing(harness: Harness) -> None:
    v1 = harness.register()
    harness.create_service(v1, desired=2)
    doomed = ServiceStepApplier(
        cast(Store, DiesBeforeCommit(harness.store)),
        harness.clock,
        SeededRandom(1),
        account_id=ACCOUNT,
    )
    harness.clock.advance(TICK)
    with pytest.raises(Crash):
        doomed.step(KEY)
    untouched = harness.observe(StepOutcome(pending=True))
    assert untouched.tasks == () and untouched.service.events == () and not untouched.service.steady
    harness.applier = harness.new_applier(seed=1)  # same seed: the same ids again, no clash
    seen = harness.run_until(settled)
    assert len(seen.healthy) == 2 and len(harness.created) == 2
