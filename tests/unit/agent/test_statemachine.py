"""The agent's next-step function: a full single-container truth table, dependency scenarios,
and a Hypothesis run of applied plans (statuses never move back; STOPPED is always reached)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dockyard.agent.statemachine import STEADY_REASON, next_steps
from dockyard.agent.statemachine_model import (
    DEFAULT_STOP_TIMEOUT,
    ContainerDependency,
    ContainerView,
    CreateContainer,
    DependencyCondition,
    MarkContainerStopped,
    MarkTaskRunning,
    MarkTaskStopped,
    Plan,
    PrepareTaskResources,
    PullImage,
    ResolveManifest,
    StartContainer,
    StopContainer,
    StopTask,
    TaskView,
    Wait,
)
from dockyard.domain.task_status import (
    ESSENTIAL_CONTAINER_EXITED_REASON,
    AgentContainerStatus,
    DesiredStatus,
    HealthStatus,
    StopCode,
    TaskStatus,
    can_transition,
)

A = AgentContainerStatus
C = DependencyCondition
T0 = datetime(2025, 1, 1, 12, 0, tzinfo=UTC)
SECOND = timedelta(seconds=1)

# --- single container: known × container desired × task desired × essential × exit code ------

RM, PI = ResolveManifest("app"), PullImage("app")
CC, SC = CreateContainer("app"), StartContainer("app")
STOP, MARK = StopContainer("app", DEFAULT_STOP_TIMEOUT), MarkContainerStopped("app")
RUN, DONE = MarkTaskRunning(), MarkTaskStopped(None, None)
EXITED = (
    StopTask(StopCode.ESSENTIAL_CONTAINER_EXITED, ESSENTIAL_CONTAINER_EXITED_REASON),
    MarkTaskStopped(StopCode.ESSENTIAL_CONTAINER_EXITED, ESSENTIAL_CONTAINER_EXITED_REASON),
)
RUNS = "task and container should run"
DROPPED = "task should run, container should stop"
STOPS = "task should stop"

# (known, situation, plan if essential, plan if not essential)
TRUTH_TABLE: list[tuple[A, str, Plan, Plan]] = [
    (A.NONE, RUNS, (RM,), (RM,)),
    (A.MANIFEST_PULLED, RUNS, (PI,), (PI,)),
    (A.PULLED, RUNS, (CC,), (CC,)),
    (A.CREATED, RUNS, (SC,), (SC,)),
    (A.RUNNING, RUNS, (RUN,), (RUN,)),
    (A.RESOURCES_PROVISIONED, RUNS, (RUN,), (RUN,)),
    (A.STOPPED, RUNS, EXITED, (DONE,)),
    (A.NONE, DROPPED, (MARK,), (MARK,)),
    (A.MANIFEST_PULLED, DROPPED, (MARK,), (MARK,)),
    (A.PULLED, DROPPED, (MARK,), (MARK,)),
    (A.CREATED, DROPPED, (MARK,), (MARK,)),
    (A.RUNNING, DROPPED, (STOP, RUN), (STOP, RUN)),
    (A.RESOURCES_PROVISIONED, DROPPED, (STOP, RUN), (STOP, RUN)),
    (A.STOPPED, DROPPED, EXITED, (DONE,)),
    (A.NONE, STOPS, (MARK,), (MARK,)),
    (A.MANIFEST_PULLED, STOPS, (MARK,), (MARK,)),
    (A.PULLED, STOPS, (MARK,), (MARK,)),
    (A.CREATED, STOPS, (MARK,), (MARK,)),
    (A.RUNNING, STOPS, (STOP,), (STOP,)),
    (A.RESOURCES_PROVISIONED, STOPS, (STOP,), (STOP,)),
    (A.STOPPED, STOPS, (DONE,), (DONE,)),
]
SITUATIONS = {
    RUNS: [(A.RUNNING, DesiredStatus.RUNNING), (A.RUNNING, DesiredStatus.PENDING)],
    DROPPED: [(A.STOPPED, DesiredStatus.RUNNING), (A.STOPPED, DesiredStatus.PENDING)],
    STOPS: [(A.RUNNING, DesiredStatus.STOPPED), (A.STOPPED, DesiredStatus.STOPPED)],
}
TRUTH_CASES = [
    pytest.param(
        known,
        c_desired,
        t_desired,
        essential,
        exit_code,
        if_essential if essential else if_not,
        id=f"{known.name}-c:{c_desired.name}-t:{t_desired.name}-"
        f"{'essential' if essential else 'non-essential'}-exit:{exit_code}",
    )
    for known, situation, if_essential, if_not in TRUTH_TABLE
    for c_desired, t_desired in SITUATIONS[situation]
    for essential, exit_code in itertools.product((True, False), (None, 0, 1))
]


@pytest.mark.parametrize(
    ("known", "c_desired", "t_desired", "essential", "exit_code", "expected"), TRUTH_CASES
)
def test_single_container_truth_table(
    known: A,
    c_desired: A,
    t_desired: DesiredStatus,
    essential: bool,
    exit_code: int | None,
    expected: Plan,
) -> None:
    app = ContainerView("app", known=known, desired=c_desired, essential=essential)
    task = TaskView((replace(app, exit_code=exit_code),), desired=t_desired)
    assert next_steps(task, now=T0) == expected


PREPARE = (PrepareTaskResources(),)


@pytest.mark.parametrize(
    ("known", "c_desired", "t_desired", "essential", "exit_code", "expected"), TRUTH_CASES
)
def test_resources_come_first_while_a_container_is_yet_to_be_created(
    known: A,
    c_desired: A,
    t_desired: DesiredStatus,
    essential: bool,
    exit_code: int | None,
    expected: Plan,
) -> None:
    """The truth table with resources not fetched: only a task that should run and a container
    that should run but is not yet CREATED asks for them; everything else plans as before."""
    app = ContainerView("app", known=known, desired=c_desired, essential=essential)
    task = TaskView((replace(app, exit_code=exit_code),), desired=t_desired, resources_ready=False)
    to_create = (
        t_desired is not DesiredStatus.STOPPED
        and c_desired is A.RUNNING
        and known.rank < A.CREATED.rank
    )
    assert next_steps(task, now=T0) == (PREPARE if to_create else expected)


def test_resources_are_asked_for_once_per_task_not_per_container() -> None:
    created = ContainerView("db", known=A.RUNNING, started_at=T0)
    waiting = ContainerView("app", depends_on=(ContainerDependency("db", C.HEALTHY),))
    task = TaskView((created, waiting), resources_ready=False)
    assert next_steps(task, now=T0) == PREPARE
    ready = replace(task, resources_ready=True)
    assert isinstance(next_steps(ready, now=T0)[0], Wait)


def test_a_stop_decided_before_resources_skips_them() -> None:
    task = TaskView(
        (ContainerView("app"),),
        desired=DesiredStatus.STOPPED,
        stop_code=StopCode.TASK_FAILED_TO_START,
        stopped_reason="ResourceInitializationError: x",
        resources_ready=False,
    )
    assert next_steps(task, now=T0) == (MarkContainerStopped("app"),)


@pytest.mark.parametrize("known", list(A), ids=lambda k: k.name)
@pytest.mark.parametrize("desired", list(DesiredStatus), ids=lambda d: f"t:{d.name}")
def test_a_stopped_task_has_nothing_left_to_do(known: A, desired: DesiredStatus) -> None:
    task = TaskView((ContainerView("app", known=known),), desired=desired)
    assert next_steps(replace(task, last_status=TaskStatus.STOPPED), now=T0) == ()


@pytest.mark.parametrize(
    "known", [A.RUNNING, A.RESOURCES_PROVISIONED], ids=["running", "resources-provisioned"]
)
def test_a_running_task_at_its_desired_status_waits(known: A) -> None:
    task = TaskView((ContainerView("app", known=known),), last_status=TaskStatus.RUNNING)
    assert next_steps(task, now=T0) == (Wait(STEADY_REASON),)


def test_user_stop_carries_its_stop_code_to_the_end() -> None:
    task = TaskView(
        (ContainerView("app", known=A.STOPPED, exit_code=143),),
        desired=DesiredStatus.STOPPED,
        last_status=TaskStatus.RUNNING,
        stop_code=StopCode.USER_INITIATED,
        stopped_reason="Task stopped by user",
    )
    plan = next_steps(task, now=T0)
    assert plan == (MarkTaskStopped(StopCode.USER_INITIATED, "Task stopped by user"),)


def test_stop_uses_the_container_stop_timeout() -> None:
    app = ContainerView("app", known=A.RUNNING, stop_timeout=timedelta(seconds=120))
    task = TaskView((app,), desired=DesiredStatus.STOPPED)
    assert next_steps(task, now=T0) == (StopContainer("app", timedelta(seconds=120)),)


@pytest.mark.parametrize(
    "build",
    [
        lambda: ContainerView("app", desired=A.CREATED),
        lambda: TaskView((ContainerView("app"),), last_status=TaskStatus.ACTIVATING),
        lambda: TaskView((ContainerView("app"), ContainerView("app"))),
    ],
    ids=["container-desired-created", "task-activating", "duplicate-names"],
)
def test_views_reject_states_an_agent_never_holds(build: object) -> None:
    with pytest.raises(ValueError):
        build()  # type: ignore[operator]


# --- dependencies ------------------------------------------------------------------------------


def _dep(name: str, condition: C) -> tuple[ContainerDependency, ...]:
    return (ContainerDependency(name, condition),)


def _failed(target: str, dep: str, condition: str, problem: str) -> str:
    return (
        f"CannotStartContainerError: container {target} depends on {dep} ({condition}), "
        f"which {problem}"
    )


def _fails_to_start(reason: str, *before_app: MarkContainerStopped) -> Plan:
    """StopTask, then the dependent marked stopped; a running dependency waits for it."""
    stop = StopTask(StopCode.TASK_FAILED_TO_START, reason)
    return (stop, *before_app, MarkContainerStopped("app", reason, 143))


APP = ContainerView("app")
ENVOY = ContainerView("envoy", essential=False)
INIT = ContainerView("init", essential=False)
DB = ContainerView("db", has_health_check=True)
STARTED = {"known": A.RUNNING, "started_at": T0}
EXITED_OK = {"known": A.STOPPED, "started_at": T0, "exit_code": 0}
EXITED_1 = {"known": A.STOPPED, "started_at": T0, "exit_code": 1}
TIMED = {"start_timeout": 10 * SECOND}

DEPENDENCY_CASES = [
    pytest.param(
        replace(APP, depends_on=_dep("envoy", C.START)),
        ENVOY,
        T0,
        (ResolveManifest("envoy"),),
        id="start-dependency-steps-first-dependent-waits",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("envoy", C.START), known=A.NONE),
        replace(ENVOY, known=A.CREATED),
        T0,
        (StartContainer("envoy"),),
        id="start-dependency-created-is-not-started",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("envoy", C.START)),
        replace(ENVOY, **STARTED),
        T0,
        (ResolveManifest("app"),),
        id="start-dependency-met-once-running",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("envoy", C.START)),
        replace(ENVOY, **EXITED_1),
        T0,
        (ResolveManifest("app"),),
        id="start-dependency-met-by-one-that-ran-and-exited",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS)),
        replace(INIT, **STARTED),
        T0,
        (Wait("container app waits for init to reach SUCCESS"),),
        id="success-waits-while-init-runs",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS)),
        replace(INIT, **EXITED_OK),
        T0,
        (ResolveManifest("app"),),
        id="success-met-by-exit-0",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS)),
        replace(INIT, **EXITED_1),
        T0,
        _fails_to_start(
            _failed("app", "init", "SUCCESS", "exited with code 1; SUCCESS needs exit code 0")
        ),
        id="success-can-never-be-met-after-exit-1",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.COMPLETE)),
        replace(INIT, **EXITED_1),
        T0,
        (ResolveManifest("app"),),
        id="complete-met-by-any-exit-code",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.COMPLETE)),
        replace(INIT, **STARTED),
        T0,
        (Wait("container app waits for init to reach COMPLETE"),),
        id="complete-waits-while-init-runs",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("db", C.HEALTHY)),
        replace(DB, **STARTED),
        T0,
        (Wait("container app waits for db to reach HEALTHY"),),
        id="healthy-waits-while-health-unknown",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("db", C.HEALTHY)),
        replace(DB, health=HealthStatus.UNHEALTHY, **STARTED),
        T0,
        (Wait("container app waits for db to reach HEALTHY"),),
        id="healthy-waits-while-unhealthy",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("db", C.HEALTHY)),
        replace(DB, health=HealthStatus.HEALTHY, **STARTED),
        T0,
        (ResolveManifest("app"),),
        id="healthy-met",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("db", C.HEALTHY)),
        replace(DB, has_health_check=False, health=HealthStatus.HEALTHY, **STARTED),
        T0,
        (Wait("container app waits for db to reach HEALTHY"),),
        id="healthy-never-met-without-a-health-check",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS)),
        replace(INIT, **STARTED, **TIMED),
        T0 + 9 * SECOND,
        (Wait("container app waits for init to reach SUCCESS", T0 + 10 * SECOND),),
        id="start-timeout-pending-wait-until-deadline",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS)),
        replace(INIT, **STARTED, **TIMED),
        T0 + 10 * SECOND,
        _fails_to_start(
            _failed(
                "app", "init", "SUCCESS", "did not reach SUCCESS within its startTimeout of 10s"
            ),
        ),
        id="start-timeout-expired-fails-task",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("db", C.HEALTHY)),
        replace(DB, **STARTED, **TIMED),
        T0 + 11 * SECOND,
        _fails_to_start(
            _failed("app", "db", "HEALTHY", "did not reach HEALTHY within its startTimeout of 10s"),
        ),
        id="start-timeout-expired-while-waiting-for-health",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("envoy", C.START)),
        replace(ENVOY, known=A.CREATED, **TIMED),
        T0 + 60 * SECOND,
        (StartContainer("envoy"),),
        id="start-timeout-does-not-bound-start",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS), known=A.CREATED),
        replace(INIT, **STARTED, **TIMED),
        T0 + 60 * SECOND,
        (Wait("container app waits for init to reach SUCCESS"),),
        id="start-timeout-ignored-once-dependent-created",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("init", C.SUCCESS)),
        replace(INIT, known=A.STOPPED),
        T0,
        _fails_to_start(_failed("app", "init", "SUCCESS", "stopped without starting")),
        id="dependency-stopped-without-starting",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("db", C.HEALTHY)),
        replace(DB, essential=False, **EXITED_OK),
        T0,
        _fails_to_start(_failed("app", "db", "HEALTHY", "stopped before it was HEALTHY")),
        id="healthy-dependency-exited-first",
    ),
    pytest.param(
        replace(APP, depends_on=_dep("ghost", C.START)),
        ENVOY,
        T0,
        _fails_to_start(
            _failed("app", "ghost", "START", "is not in the task"), MarkContainerStopped("envoy")
        ),
        id="dependency-not-in-task",
    ),
]


@pytest.mark.parametrize(("dependent", "dependency", "now", "expected"), DEPENDENCY_CASES)
def test_dependency_scenarios(
    dependent: ContainerView, dependency: ContainerView, now: datetime, expected: Plan
) -> None:
    task = TaskView((dependency, dependent))
    assert next_steps(task, now=now) == expected


def test_non_essential_dependent_that_can_never_start_is_marked_stopped_and_task_goes_on() -> None:
    worker = ContainerView("worker", essential=False, depends_on=_dep("init", C.SUCCESS))
    task = TaskView((replace(INIT, **EXITED_1), worker, replace(APP, **STARTED)))
    reason = _failed("worker", "init", "SUCCESS", "exited with code 1; SUCCESS needs exit code 0")
    assert next_steps(task, now=T0) == (MarkContainerStopped("worker", reason, 143),)


def test_a_completed_init_container_counts_towards_task_running() -> None:
    task = TaskView((replace(INIT, **EXITED_OK), replace(APP, **STARTED)))
    assert next_steps(task, now=T0) == (MarkTaskRunning(),)


def test_wait_keeps_the_earliest_start_timeout_deadline() -> None:
    slow = replace(INIT, name="slow", start_timeout=30 * SECOND, **STARTED)
    fast = replace(INIT, name="fast", start_timeout=5 * SECOND, **STARTED)
    app = replace(
        APP,
        depends_on=(
            ContainerDependency("slow", C.COMPLETE),
            ContainerDependency("fast", C.SUCCESS),
        ),
    )
    plan = next_steps(TaskView((slow, fast, app)), now=T0 + SECOND)
    reason = "container app waits for slow to reach COMPLETE, fast to reach SUCCESS"
    assert plan == (Wait(reason, T0 + 5 * SECOND),)


def test_stop_proceeds_in_reverse_dependency_order() -> None:
    db = replace(DB, **STARTED)
    envoy = replace(ENVOY, depends_on=_dep("db", C.HEALTHY), **STARTED)
    app = replace(APP, depends_on=_dep("envoy", C.START), **STARTED)
    task = TaskView((db, envoy, app), desired=DesiredStatus.STOPPED, last_status=TaskStatus.RUNNING)
    order = []
    for _ in range(4):
        plan = next_steps(task, now=T0)
        order.append(plan)
        stopped = {s.container for s in plan if isinstance(s, StopContainer)}
        task = replace(
            task,
            containers=tuple(
                replace(c, known=A.STOPPED, exit_code=0) if c.name in stopped else c
                for c in task.containers
            ),
        )
    assert order == [
        (StopContainer("app", DEFAULT_STOP_TIMEOUT),),
        (StopContainer("envoy", DEFAULT_STOP_TIMEOUT),),
        (StopContainer("db", DEFAULT_STOP_TIMEOUT),),
        (MarkTaskStopped(None, None),),
    ]


def test_a_dependency_waits_while_its_dependent_is_still_stopping() -> None:
    envoy = replace(ENVOY, essential=True, desired=A.STOPPED, **STARTED)
    app = replace(APP, depends_on=_dep("envoy", C.START), **STARTED)
    task = TaskView((envoy, app), last_status=TaskStatus.RUNNING)
    assert next_steps(task, now=T0) == (Wait("container envoy stops after app"),)


def test_essential_exit_stops_the_rest_in_reverse_order() -> None:
    envoy = replace(ENVOY, **STARTED)
    app = replace(APP, depends_on=_dep("envoy", C.START), **EXITED_1)
    worker = replace(APP, name="worker", essential=False, depends_on=_dep("envoy", C.START))
    plan = next_steps(TaskView((envoy, app, worker), last_status=TaskStatus.RUNNING), now=T0)
    assert plan == (
        StopTask(StopCode.ESSENTIAL_CONTAINER_EXITED, ESSENTIAL_CONTAINER_EXITED_REASON),
        MarkContainerStopped("worker"),
    )


def test_non_essential_exit_does_not_stop_the_task() -> None:
    task = TaskView(
        (replace(ENVOY, **EXITED_1), replace(APP, **STARTED)), last_status=TaskStatus.RUNNING
    )
    assert next_steps(task, now=T0) == (Wait(STEADY_REASON),)


# --- property: applied plans never move a status back and always reach STOPPED -----------------

CONDITIONS = list(C)


@st.composite
def tasks(draw: st.DrawFn) -> TaskView:
    count = draw(st.integers(1, 4))
    containers = []
    for i in range(count):
        deps = draw(st.lists(st.sampled_from(range(i)), unique=True, max_size=i)) if i else []
        containers.append(
            ContainerView(
                f"c{i}",
                essential=draw(st.booleans()) if i < count - 1 else True,
                has_health_check=draw(st.booleans()),
                start_timeout=draw(st.none() | st.integers(1, 30).map(lambda s: s * SECOND)),
                depends_on=tuple(
                    ContainerDependency(f"c{d}", draw(st.sampled_from(CONDITIONS))) for d in deps
                ),
            )
        )
    return TaskView(tuple(containers), resources_ready=draw(st.booleans()))


EVENTS = st.one_of(
    st.tuples(st.just("exit"), st.integers(0, 3), st.sampled_from([0, 1, 137])),
    st.tuples(st.just("health"), st.integers(0, 3), st.sampled_from(list(HealthStatus))),
    st.tuples(st.just("tick"), st.integers(1, 20)),
    st.tuples(st.just("stop")),
)
SETTLE_ROUNDS = 6
"""Plans a worker runs between two outside events: enough to start a container from NONE."""


def _check_plan(task: TaskView, plan: Plan) -> None:
    assert (plan == ()) == (task.last_status is TaskStatus.STOPPED)
    assert not any(isinstance(s, Wait) for s in plan) or len(plan) == 1
    assert not any(isinstance(s, PrepareTaskResources) for s in plan) or len(plan) == 1
    assert task.resources_ready or not any(isinstance(s, CreateContainer) for s in plan)


def _apply(task: TaskView, plan: Plan, now: datetime) -> TaskView:
    """Perform each step the way the worker would, asserting it moves strictly forward."""
    if plan == (PrepareTaskResources(),):
        return replace(task, resources_ready=True)
    by_name = {c.name: c for c in task.containers}
    for step in plan:
        if isinstance(step, StopTask):
            if task.desired is not DesiredStatus.STOPPED:
                task = replace(task, desired=DesiredStatus.STOPPED, stop_code=step.stop_code)
        elif isinstance(step, MarkTaskRunning | MarkTaskStopped):
            assert can_transition(task.last_status, step.target)
            task = replace(task, last_status=step.target)
        elif not isinstance(step, Wait):
            c = by_name[step.container]
            assert can_transition(c.known, step.target)
            c = replace(c, known=step.target)
            if isinstance(step, StartContainer):
                c = replace(c, started_at=now)
            elif isinstance(step, StopContainer):
                c = replace(c, exit_code=137)
            elif isinstance(step, MarkContainerStopped):
                c = replace(c, exit_code=step.exit_code)
            by_name[c.name] = c
    return replace(task, containers=tuple(by_name[c.name] for c in task.containers))


def _event(task: TaskView, event: tuple[object, ...]) -> tuple[TaskView, timedelta]:
    """An outside event: a container exits or changes health, time passes, or a user stops."""
    kind = event[0]
    if kind == "tick":
        return task, event[1] * SECOND  # type: ignore[operator]
    if kind == "stop" and task.desired is not DesiredStatus.STOPPED:
        return replace(
            task, desired=DesiredStatus.STOPPED, stop_code=StopCode.USER_INITIATED
        ), 0 * SECOND
    if kind in ("exit", "health") and isinstance(event[1], int) and event[1] < len(task.containers):
        c = task.containers[event[1]]
        if c.known.is_running and kind == "exit":
            c = replace(c, known=A.STOPPED, exit_code=event[2])  # type: ignore[arg-type]
        elif c.known.is_running and c.has_health_check:
            c = replace(c, health=event[2])  # type: ignore[arg-type]
        containers = tuple(c if o.name == c.name else o for o in task.containers)
        return replace(task, containers=containers), 0 * SECOND
    return task, 0 * SECOND


def _ranks(task: TaskView) -> list[int]:
    return [task.last_status.rank, task.desired.rank, *(c.known.rank for c in task.containers)]


def _settle(task: TaskView, now: datetime, rounds: int) -> TaskView:
    """Run up to ``rounds`` plans, stopping at a Wait; every round only moves statuses forward."""
    for _ in range(rounds):
        before = _ranks(task)
        plan = next_steps(task, now=now)
        _check_plan(task, plan)
        task = _apply(task, plan, now)
        assert all(b <= a for b, a in zip(before, _ranks(task), strict=True))
        if plan == () or isinstance(plan[0], Wait):
            break
    return task


@settings(max_examples=400, deadline=None)
@given(task=tasks(), events=st.lists(EVENTS, max_size=12))
def test_applied_plans_never_regress_and_always_reach_stopped(
    task: TaskView, events: list[tuple[object, ...]]
) -> None:
    now = T0
    for event in events:
        task = _settle(task, now, SETTLE_ROUNDS)
        before = _ranks(task)
        task, elapsed = _event(task, event)
        now += elapsed
        assert all(b <= a for b, a in zip(before, _ranks(task), strict=True))
    if task.desired is not DesiredStatus.STOPPED:
        task = replace(task, desired=DesiredStatus.STOPPED, stop_code=StopCode.USER_INITIATED)
    task = _settle(task, now, len(task.containers) + 1)
    assert task.last_status is TaskStatus.STOPPED
    assert all(c.known is A.STOPPED for c in task.containers)
    assert next_steps(task, now=now) == ()
