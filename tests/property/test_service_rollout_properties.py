"""Safety and liveness of the REPLICA service planner over random task-health timelines
(Hypothesis; ecs-reference §3.3–3.5).

Only the pure planner :func:`dockyard.reconcile.service.plan_service` runs here. Between two
steps a tiny in-memory agent (:class:`Sim`) plays the tasks' lives: PROVISIONING → PENDING →
RUNNING after a random number of steps or a failure to start (STOPPED, TaskFailedToStart),
stop requests that take a few steps to become STOPPED, container health checks that turn
HEALTHY or UNHEALTHY, essential containers that exit, and a clock that moves a random number of
seconds each step so the 40-second rule matters. The plan is applied as the applier would
(``request_stop`` for stops, new PROVISIONING tasks for starts).

Properties, with ``lo = ceil(D × min / 100)`` and ``hi = floor(D × max / 100)``:

* a) live tasks (desired RUNNING, not STOPPED) after a step ≤ max(hi, live before it);
* b) the planner's own stops never take the healthy count below ``min(lo, healthy before)``;
* c) with no failures a rollout v1 → v2 ends COMPLETED with D healthy v2 tasks only;
* d) with the circuit breaker (rollback on) a v2 whose tasks never start fails and the service
  returns to D healthy v1 tasks;
* where ``lo == hi == D`` no rollout can progress: the planner says so in an event.

Every delay is bounded (waits of at most :data:`MAX_WAIT` steps, clock steps of at least
:data:`MIN_TICK` seconds), so "converges within N steps" is a real bound, not luck.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from hypothesis import assume, event, given, note, settings
from hypothesis import strategies as st
from tests.unit.placement.placement_support import SeededRandom

from dockyard.domain.service import (
    IN_PROGRESS_REASON,
    CircuitBreaker,
    DeploymentConfiguration,
    RolloutState,
    Service,
    TaskDefinitionRef,
)
from dockyard.domain.task import (
    ContainerReport,
    Task,
    TaskContainer,
    TaskReport,
    apply_report,
    request_stop,
)
from dockyard.domain.task_status import (
    ContainerStatus,
    DesiredStatus,
    HealthStatus,
    StopCode,
    TaskStatus,
)
from dockyard.placement import InstanceSnapshot
from dockyard.reconcile import messages
from dockyard.reconcile.plan import ServicePlan, ServiceSnapshot, StartTasks
from dockyard.reconcile.service import plan_service

REGION, CLUSTER, NAME, APP = "us-east-1", "c", "api", "app"
START = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
HEALTHY_AFTER = timedelta(seconds=40)
STOPPED_LOOKBACK = timedelta(hours=1)
"""Like the applier: the planner sees STOPPED tasks for an hour (circuit-breaker accounting)."""
V1, V2, V3 = (TaskDefinitionRef("web", n) for n in (1, 2, 3))
MAX_WAIT = 2
"""A task stays in a phase (provisioning, pending, health unknown, stopping) ≤ this many steps."""
MIN_TICK, MAX_TICK = 5, 30
"""Seconds the clock moves per step: the 40-second rule takes 2 to 8 steps."""
INSTANCES = tuple(
    InstanceSnapshot(
        instance_id=f"i{n}", active=True, connected=True, cpu=1_000_000, memory=1_000_000
    )
    for n in range(3)
)
SETTINGS = settings(max_examples=60, deadline=None)

MINIMUMS = st.one_of(st.sampled_from([0, 50, 75, 100]), st.integers(0, 100))
MAXIMUMS = st.one_of(st.sampled_from([100, 125, 150, 200]), st.integers(100, 200))
DESIRED = st.integers(1, 12)


# --- the simulated agent -----------------------------------------------------------------------


@dataclass(frozen=True)
class Weather:
    """How hostile the agent is. ``broken`` revisions never start; the probabilities are per
    task (fail to start) or per phase change (die, turn UNHEALTHY)."""

    broken: frozenset[int] = frozenset()
    checked: frozenset[int] = frozenset()
    """Revisions whose container declares a health check (else the 40-second rule applies)."""
    p_fail_start: float = 0.0
    p_die: float = 0.0
    p_sick: float = 0.0


CALM = Weather()


@dataclass
class Sim:
    """A service, its tasks and a clock; :meth:`step` = agent moves, plan, apply."""

    service: Service
    weather: Weather
    luck: random.Random
    ids: SeededRandom
    now: datetime = START
    tasks: dict[str, Task] = field(default_factory=dict)
    wait: dict[str, int] = field(default_factory=dict)
    doomed: set[str] = field(default_factory=set)
    plans: int = 0

    # -- planner side

    def snapshot(self) -> ServiceSnapshot:
        since = self.now - STOPPED_LOOKBACK
        visible = tuple(
            t
            for _, t in sorted(self.tasks.items())
            if t.last_status is not TaskStatus.STOPPED
            or (t.stopped_at is not None and t.stopped_at >= since)
        )
        return ServiceSnapshot(
            service=self.service,
            tasks=visible,
            instances=INSTANCES,
            now=self.now,
            healthy_after=HEALTHY_AFTER,
        )

    def step(self) -> tuple[ServiceSnapshot, ServicePlan]:
        """One agent round then one planner step, applied. Returns what the planner saw and did."""
        self.tick()
        snapshot = self.snapshot()
        plan = plan_service(snapshot, self.ids)
        self.apply(plan)
        return snapshot, plan

    def apply(self, plan: ServicePlan) -> None:
        self.plans += 1
        self.service = plan.service
        for stop in plan.stops:
            task = self.tasks[stop.task_id]
            self.tasks[stop.task_id] = request_stop(
                task, StopCode.SERVICE_SCHEDULER_INITIATED, stop.reason, self.now
            )
        for start in plan.starts:
            for _ in range(start.count):
                self._launch(start)

    def _launch(self, start: StartTasks) -> None:
        n = len(self.tasks) + 1
        ref = start.task_definition
        task = Task(
            task_id=f"{n:032x}",
            region=REGION,
            cluster=CLUSTER,
            family=ref.family,
            revision=ref.revision,
            instance_id=INSTANCES[n % len(INSTANCES)].instance_id,
            containers=(
                TaskContainer(
                    container_id=f"c{n}",
                    name=APP,
                    image=f"web:{ref.revision}",
                    has_health_check=ref.revision in self.weather.checked,
                ),
            ),
            created_at=self.now,
            started_by=start.deployment_id,
            group=f"service:{NAME}",
            service_name=NAME,
            cpu=10,
            memory=10,
        )
        self.tasks[task.task_id] = task
        self.wait[task.task_id] = self.luck.randint(0, MAX_WAIT)
        if ref.revision in self.weather.broken or self._chance(self.weather.p_fail_start):
            self.doomed.add(task.task_id)

    def update(self, ref: TaskDefinitionRef) -> None:
        """UpdateService with a new task definition."""
        self.service = self.service.with_new_deployment(
            ref, self.now, self.ids, reason=IN_PROGRESS_REASON
        )

    # -- agent side

    def _chance(self, p: float) -> bool:
        return p > 0 and self.luck.random() < p

    def tick(self) -> None:
        self.now += timedelta(seconds=self.luck.randint(MIN_TICK, MAX_TICK))
        for task_id, task in list(self.tasks.items()):
            if task.last_status is TaskStatus.STOPPED:
                continue
            if self.wait[task_id] > 0:
                self.wait[task_id] -= 1
                continue
            report = self._report(task)
            self.wait[task_id] = self.luck.randint(0, MAX_WAIT)
            if report is not None:
                self.tasks[task_id] = apply_report(task, report, self.now)

    def _report(self, task: Task) -> TaskReport | None:
        if task.desired_status is DesiredStatus.STOPPED:
            return TaskReport(
                status=TaskStatus.STOPPED,
                containers=(
                    ContainerReport(name=APP, status=ContainerStatus.STOPPED, exit_code=0),
                ),
            )
        if task.last_status.rank < TaskStatus.RUNNING.rank:
            if task.task_id in self.doomed:
                return TaskReport(
                    status=TaskStatus.STOPPED,
                    containers=(
                        ContainerReport(
                            name=APP,
                            status=ContainerStatus.STOPPED,
                            reason="CannotPullContainerError: pull access denied",
                        ),
                    ),
                )
            if task.last_status is TaskStatus.PROVISIONING:
                return TaskReport(status=TaskStatus.PENDING)
            return TaskReport(
                status=TaskStatus.RUNNING,
                containers=(
                    ContainerReport(
                        name=APP,
                        status=ContainerStatus.RUNNING,
                        runtime_id=f"docker-{task.task_id}",
                    ),
                ),
            )
        if self._chance(self.weather.p_die):
            return TaskReport(
                status=TaskStatus.STOPPED,
                containers=(
                    ContainerReport(name=APP, status=ContainerStatus.STOPPED, exit_code=1),
                ),
            )
        if task.containers[0].has_health_check:
            sick = self._chance(self.weather.p_sick)
            return TaskReport(
                containers=(
                    ContainerReport(
                        name=APP,
                        health_status=HealthStatus.UNHEALTHY if sick else HealthStatus.HEALTHY,
                    ),
                )
            )
        return None


def new_sim(
    desired: int,
    config: DeploymentConfiguration,
    weather: Weather,
    luck: random.Random,
    seed: int = 1,
) -> Sim:
    """A freshly created service on V1 (CreateService), no tasks yet."""
    ids = SeededRandom(seed)
    base = Service(
        name=NAME,
        region=REGION,
        cluster=CLUSTER,
        task_definition=V1,
        created_at=START,
        created_by="arn:aws:iam::123456789012:root",
        desired_count=desired,
        deployment_configuration=config,
    )
    return Sim(
        base.with_new_deployment(V1, START, ids, reason=IN_PROGRESS_REASON), weather, luck, ids
    )


# --- observations ------------------------------------------------------------------------------


def is_live(task: Task) -> bool:
    """Counts toward maximumPercent: desired RUNNING and not yet STOPPED."""
    return (
        task.desired_status is DesiredStatus.RUNNING and task.last_status is not TaskStatus.STOPPED
    )


def is_healthy(task: Task, now: datetime) -> bool:
    """The test's own reading of "healthy" (ecs-reference §3.3): RUNNING, still wanted, and its
    health check HEALTHY, or 40 seconds past RUNNING when it has none."""
    if (
        task.last_status is not TaskStatus.RUNNING
        or task.desired_status is not DesiredStatus.RUNNING
    ):
        return False
    if any(c.has_health_check for c in task.containers):
        return task.health_status is HealthStatus.HEALTHY
    return task.started_at is not None and now >= task.started_at + HEALTHY_AFTER


def settled(sim: Sim) -> bool:
    return sim.service.steady and sim.service.primary.rollout_state is RolloutState.COMPLETED


def run_until(sim: Sim, done: Callable[[Sim], bool], limit: int, what: str) -> None:
    for _ in range(limit):
        if done(sim):
            return
        sim.step()
    live = sorted(
        (t.revision, t.last_status.value, t.health_status.value)
        for t in sim.tasks.values()
        if is_live(t)
    )
    raise AssertionError(
        f"{what}: not reached in {limit} steps; deployments="
        f"{[(d.task_definition, d.status.value, d.rollout_state.value) for d in sim.service.deployments]} "
        f"live={live} events={[e.message for e in sim.service.events[:5]]}"
    )


def is_stuck(desired: int, config: DeploymentConfiguration) -> bool:
    """ECS's "unable to stop or start tasks": nothing may start (hi == D) nor stop (lo == D)."""
    return config.bounds(desired) == (desired, desired)


def converge_bound(desired: int, config: DeploymentConfiguration) -> int:
    """Steps within which a failure-free rollout must finish: one wave replaces at least
    max(hi − D, D − lo, 1) tasks and takes at most ~(3 phases × (MAX_WAIT + 1) + 40 s / MIN_TICK)
    steps; doubled for slack."""
    low, high = config.bounds(desired)
    per_wave = max(high - desired, desired - low, 1)
    waves = -(-desired // per_wave) + 1
    return 2 * waves * (4 * (MAX_WAIT + 1) + HEALTHY_AFTER.seconds // MIN_TICK + 1) + 20


@st.composite
def configs(draw: st.DrawFn) -> tuple[int, DeploymentConfiguration]:
    desired = draw(DESIRED)
    return desired, DeploymentConfiguration(draw(MINIMUMS), draw(MAXIMUMS))


@st.composite
def weathers(draw: st.DrawFn) -> Weather:
    """Anything from calm to a broken v2 with flaky starts, dying and sick tasks."""
    return Weather(
        broken=frozenset(draw(st.sets(st.sampled_from([2, 3]), max_size=1))),
        checked=frozenset(draw(st.sets(st.sampled_from([1, 2, 3])))),
        p_fail_start=draw(st.sampled_from([0.0, 0.1, 0.3])),
        p_die=draw(st.sampled_from([0.0, 0.05, 0.15])),
        p_sick=draw(st.sampled_from([0.0, 0.1, 0.3])),
    )


def hostile_run(
    data: st.DataObject, check: Callable[[Sim, ServiceSnapshot, ServicePlan], None]
) -> None:
    """Create on v1, update to v2 after a while and maybe to v3 later, under random weather;
    ``check`` sees every step."""
    desired, config = data.draw(configs(), label="desired, config")
    breaker = data.draw(
        st.sampled_from(
            [CircuitBreaker(), CircuitBreaker(True, False), CircuitBreaker(True, True)]
        ),
        label="breaker",
    )
    config = replace(config, circuit_breaker=breaker)
    weather = data.draw(weathers(), label="weather")
    luck = data.draw(st.randoms(use_true_random=False), label="luck")
    first = data.draw(st.integers(0, 30), label="steps on v1")
    second = data.draw(st.integers(10, 50), label="steps on v2")
    third = data.draw(st.sampled_from([0, 30]), label="steps on v3")
    sim = new_sim(desired, config, weather, luck)
    schedule = [(first, None), (second, V2)] + ([(third, V3)] if third else [])
    for steps, ref in schedule:
        if ref is not None:
            sim.update(ref)
        for _ in range(steps):
            snapshot, plan = sim.step()
            check(sim, snapshot, plan)


# --- properties ---------------------------------------------------------------------------------


@SETTINGS
@given(st.data())
def test_never_exceeds_maximum_percent(data: st.DataObject) -> None:
    def check(sim: Sim, snapshot: ServiceSnapshot, plan: ServicePlan) -> None:
        _, high = sim.service.deployment_configuration.bounds(sim.service.desired_count)
        before = sum(1 for t in snapshot.tasks if is_live(t))
        after = sum(1 for t in sim.tasks.values() if is_live(t))
        assert after <= max(high, before), f"step {sim.plans}: {before} live → {after} > hi={high}"
        if plan.starts and after == high:
            event("started up to maximumPercent")

    hostile_run(data, check)


@SETTINGS
@given(st.data())
def test_own_stops_never_drop_below_minimum_healthy_percent(data: st.DataObject) -> None:
    def check(sim: Sim, snapshot: ServiceSnapshot, plan: ServicePlan) -> None:
        low, _ = sim.service.deployment_configuration.bounds(sim.service.desired_count)
        healthy = {t.task_id for t in snapshot.tasks if is_healthy(t, snapshot.now)}
        stopped = sum(1 for s in plan.stops if s.task_id in healthy)
        assert len(healthy) - stopped >= min(low, len(healthy)), (
            f"step {sim.plans}: stopped {stopped} of {len(healthy)} healthy tasks, lo={low}: {plan.stops}"
        )
        if stopped and len(healthy) - stopped == low:
            event("stopped healthy tasks down to minimumHealthyPercent")

    hostile_run(data, check)


@SETTINGS
@given(configs(), st.randoms(use_true_random=False), st.frozensets(st.sampled_from([1, 2])))
def test_failure_free_rollout_converges(
    params: tuple[int, DeploymentConfiguration], luck: random.Random, checked: frozenset[int]
) -> None:
    desired, config = params
    sim = new_sim(desired, config, Weather(checked=checked), luck)
    bound = converge_bound(desired, config)
    note(f"D={desired} bounds={config.bounds(desired)} bound={bound}")
    run_until(sim, settled, bound, "v1 created")
    sim.update(V2)
    if is_stuck(desired, config):
        for _ in range(3):
            _, plan = sim.step()
            assert not plan.starts and not plan.stops
        assert messages.stuck(NAME) in [e.message for e in sim.service.events]
        return
    run_until(sim, settled, bound, "v2 rolled out")
    service = sim.service
    assert len(service.deployments) == 1
    assert service.primary.task_definition == V2
    assert service.primary.rollout_state is RolloutState.COMPLETED
    live = [t for t in sim.tasks.values() if is_live(t)]
    assert len(live) == desired
    assert all(t.revision == 2 and service.primary.owns(t.started_by) for t in live)
    assert all(is_healthy(t, sim.now) for t in live)
    assert not [
        t for t in sim.tasks.values() if t.last_status is not TaskStatus.STOPPED and not is_live(t)
    ]


@SETTINGS
@given(configs(), st.randoms(use_true_random=False), st.frozensets(st.sampled_from([1, 2])))
def test_circuit_breaker_rolls_back_a_revision_that_never_starts(
    params: tuple[int, DeploymentConfiguration], luck: random.Random, checked: frozenset[int]
) -> None:
    desired, config = params
    assume(not is_stuck(desired, config))
    config = replace(config, circuit_breaker=CircuitBreaker(enable=True, rollback=True))
    sim = new_sim(desired, config, Weather(broken=frozenset({2}), checked=checked), luck)
    bound = converge_bound(desired, config)
    run_until(sim, settled, bound, "v1 created")
    v1 = sim.service.primary
    sim.update(V2)
    v2_id = sim.service.primary.deployment_id
    run_until(
        sim,
        lambda s: s.service.primary.deployment_id != v2_id and settled(s),
        bound + 60,
        "rolled back",
    )
    service = sim.service
    assert service.primary.task_definition == V1
    assert service.primary.rollout_state is RolloutState.COMPLETED
    # the FAILED deployment stays listed until the rollback settles, then is gone
    assert all(
        d.rollout_state is RolloutState.FAILED
        for d in service.deployments
        if d.deployment_id == v2_id
    )
    live = [t for t in sim.tasks.values() if is_live(t)]
    assert len(live) == desired
    assert all(t.revision == 1 and is_healthy(t, sim.now) for t in live)
    events = [e.message for e in service.events]
    assert messages.deployment_failed(NAME, v2_id) in events
    assert messages.rolling_back(NAME, v1.deployment_id) in events


@st.composite
def stuck_configs(draw: st.DrawFn) -> tuple[int, DeploymentConfiguration]:
    """lo == hi == D: min high enough that ceil(D × min / 100) == D, max low enough that
    floor(D × max / 100) == D."""
    desired = draw(DESIRED)
    minimum = draw(st.integers(100 * (desired - 1) // desired + 1, 100))
    maximum = draw(st.integers(100, -(-100 * (desired + 1) // desired) - 1))
    return desired, DeploymentConfiguration(minimum, maximum)


@settings(max_examples=30, deadline=None)
@given(stuck_configs(), st.randoms(use_true_random=False))
def test_stuck_configuration_is_reported(
    params: tuple[int, DeploymentConfiguration], luck: random.Random
) -> None:
    desired, config = params
    assert is_stuck(desired, config)
    sim = new_sim(desired, config, CALM, luck)
    run_until(sim, settled, converge_bound(desired, config), "v1 created")
    v1_tasks = {t.task_id for t in sim.tasks.values() if is_live(t)}
    sim.update(V2)
    _, plan = sim.step()
    assert not plan.starts and not plan.stops
    assert sim.service.events[0].message == messages.stuck(NAME)
    assert {t.task_id for t in sim.tasks.values() if is_live(t)} == v1_tasks
