"""The agent's next-step decision for one task, as a pure function.

Modelled on amazon-ecs-agent's ``containerNextState`` and its dependency graph: compare each
container's known status with its desired status, check ``dependsOn``, and name the next step.
No I/O, no clock (``now`` is a parameter), no randomness, no Docker; the worker performs the
returned steps and asks again after the next event.

Rules, in the order they are applied:

1. A task already STOPPED has nothing left to do: the plan is empty.
2. While the task should run, an essential container that has stopped stops the task
   (``EssentialContainerExited``, "Essential container in task exited"); an essential container
   whose dependency can never be met fails it (``TaskFailedToStart``, with the reason).
3. While the task should stop, every container stops in reverse dependency order: a container
   waits until everything that depends on it is STOPPED. A running container gets
   :class:`StopContainer`; one that never ran is just marked stopped.
4. While the task should run and a container is yet to be created, the task's resources
   (role credentials, secrets, environment files) are fetched first, as the plan's only step.
5. While the task should run, each container steps forward one state at a time
   (manifest → pull → create → start) once its dependencies are met. A non-essential container
   whose dependency can never be met is marked stopped with exit code 143; the task goes on.
6. The task is RUNNING once every container has reached RUNNING (or has run and stopped), and
   STOPPED once every container is STOPPED.

Invariant: every container step's ``target`` is a legal next status of that container's known
status, and every task step's target is later than the task's ``last_status``.
Invariant: with desired STOPPED and an acyclic ``dependsOn``, applying each plan's steps reaches
task STOPPED in at most ``containers + 1`` plans.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from dockyard.agent.statemachine_model import (
    DEPENDENCY_FAILED_EXIT_CODE,
    ContainerDependency,
    ContainerStep,
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
    Step,
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
)

__all__ = ["STEADY_REASON", "next_steps"]

_A = AgentContainerStatus
_C = DependencyCondition

_FORWARD: dict[AgentContainerStatus, Callable[[str], ContainerStep]] = {
    _A.NONE: ResolveManifest,
    _A.MANIFEST_PULLED: PullImage,
    _A.PULLED: CreateContainer,
    _A.CREATED: StartContainer,
}
_TIMED_CONDITIONS = frozenset({_C.COMPLETE, _C.SUCCESS, _C.HEALTHY})
"""startTimeout bounds the wait for these; START has no timeout."""

STEADY_REASON = "task is at its desired status"
"""The reason of the Wait returned when a running task needs nothing."""


@dataclass(frozen=True, slots=True)
class _Dependencies:
    """Where a container stands with its ``dependsOn``: met, blocked, or never to be met."""

    failure: str | None = None
    waiting: tuple[str, ...] = ()
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class _Verdict:
    """A decision to stop a task that should run, and the containers that can never start."""

    stop: StopTask
    failed: dict[str, str]


def next_steps(task: TaskView, *, now: datetime) -> Plan:
    """The steps to perform now for ``task``, given what is known at ``now``.

    Pure and deterministic: the same view and ``now`` give the same plan. Steps in one plan are
    independent and may run in parallel, except that :class:`StopTask` comes first.

    Invariant: the plan is empty iff ``task.last_status`` is STOPPED.
    Invariant: a :class:`Wait` or :class:`PrepareTaskResources` is always a plan's only step.
    Invariant: no CreateContainer is planned while ``task.resources_ready`` is False.
    """
    if task.last_status is TaskStatus.STOPPED:
        return ()
    if task.desired is DesiredStatus.STOPPED:
        return _stopping_plan(task, None)
    verdict = _verdict(task, now)
    if verdict is not None:
        return _stopping_plan(task, verdict)
    if not task.resources_ready and any(_needs_create(c) for c in task.containers):
        return (PrepareTaskResources(),)
    return _running_plan(task, now)


def _verdict(task: TaskView, now: datetime) -> _Verdict | None:
    """Rule 2: must a task that should run be stopped?"""
    if any(c.essential and c.known is _A.STOPPED for c in task.containers):
        stop = StopTask(StopCode.ESSENTIAL_CONTAINER_EXITED, ESSENTIAL_CONTAINER_EXITED_REASON)
        return _Verdict(stop, {})
    failed: dict[str, str] = {}
    for c in task.containers:
        failure = _dependencies(task, c, now).failure if c.essential and _needs_start(c) else None
        if failure is not None:
            failed[c.name] = failure
    if not failed:
        return None
    return _Verdict(StopTask(StopCode.TASK_FAILED_TO_START, next(iter(failed.values()))), failed)


def _stopping_plan(task: TaskView, verdict: _Verdict | None) -> Plan:
    """Rule 3: stop every container, dependents before their dependencies."""
    head: tuple[Step, ...] = () if verdict is None else (verdict.stop,)
    failed = {} if verdict is None else verdict.failed
    if all(c.known is _A.STOPPED for c in task.containers):
        code = task.stop_code or (verdict.stop.stop_code if verdict else None)
        reason = task.stopped_reason or (verdict.stop.reason if verdict else None)
        return (*head, MarkTaskStopped(code, reason))
    outcomes = [
        _stop_step(task, c, failed.get(c.name))
        for c in task.containers
        if c.known is not _A.STOPPED
    ]
    steps = [o for o in outcomes if not isinstance(o, Wait)]
    if steps or head:
        return (*head, *steps)
    return (_merge_waits(outcomes),)


def _running_plan(task: TaskView, now: datetime) -> Plan:
    """Rules 5 and 6: move each container towards its desired status."""
    outcomes = [_running_step(task, c, now) for c in task.containers]
    steps: list[Step] = [o for o in outcomes if o is not None and not isinstance(o, Wait)]
    steps.extend(_task_status_steps(task))
    if steps:
        return tuple(steps)
    waits = [o for o in outcomes if isinstance(o, Wait)]
    return (_merge_waits(waits) if waits else Wait(STEADY_REASON),)


def _running_step(task: TaskView, c: ContainerView, now: datetime) -> Step | None:
    if c.known.rank >= c.desired.rank:
        return None
    if c.desired is _A.STOPPED:
        return _stop_step(task, c, None)
    deps = _dependencies(task, c, now)
    if deps.failure is not None:
        return MarkContainerStopped(c.name, deps.failure, DEPENDENCY_FAILED_EXIT_CODE)
    if deps.waiting:
        return Wait(f"container {c.name} waits for " + ", ".join(deps.waiting), deps.until)
    return _FORWARD[c.known](c.name)


def _task_status_steps(task: TaskView) -> tuple[Step, ...]:
    """Rule 6 while the task should run (the agent's "earliest container status")."""
    known = [c.known for c in task.containers]
    if all(k is _A.STOPPED for k in known):
        return (MarkTaskStopped(task.stop_code, task.stopped_reason),)
    past_start = all(k.rank >= _A.RUNNING.rank for k in known)
    if past_start and task.last_status.rank < TaskStatus.RUNNING.rank:
        return (MarkTaskRunning(),)
    return ()


def _stop_step(task: TaskView, c: ContainerView, reason: str | None) -> Step:
    """Stop ``c`` once no container that depends on it is still alive."""
    dependents = [
        other.name
        for other in task.containers
        if other.known is not _A.STOPPED
        and any(d.container_name == c.name for d in other.depends_on)
    ]
    if dependents:
        return Wait(f"container {c.name} stops after " + ", ".join(dependents))
    if c.known.is_running:
        return StopContainer(c.name, c.stop_timeout)
    exit_code = None if reason is None else DEPENDENCY_FAILED_EXIT_CODE
    return MarkContainerStopped(c.name, reason, exit_code)


def _needs_create(c: ContainerView) -> bool:
    return c.desired is _A.RUNNING and c.known.rank < _A.CREATED.rank


def _needs_start(c: ContainerView) -> bool:
    return c.desired is _A.RUNNING and c.known.rank < _A.RUNNING.rank


def _dependencies(task: TaskView, c: ContainerView, now: datetime) -> _Dependencies:
    """Check ``c.depends_on`` in order: the first hopeless dependency decides; else list waits.

    Invariant: ``until`` is the earliest startTimeout deadline among the dependencies waited on.
    """
    waiting: list[str] = []
    deadlines: list[datetime] = []
    for dep in c.depends_on:
        target = task.container(dep.container_name)
        if target is None:
            return _Dependencies(failure=_failure(c, dep, "is not in the task"))
        if _satisfied(target, dep.condition):
            continue
        problem = _hopeless(c, target, dep.condition, now)
        if problem is not None:
            return _Dependencies(failure=_failure(c, dep, problem))
        waiting.append(f"{dep.container_name} to reach {dep.condition.value}")
        deadline = _deadline(c, target, dep.condition)
        if deadline is not None:
            deadlines.append(deadline)
    return _Dependencies(waiting=tuple(waiting), until=min(deadlines, default=None))


def _satisfied(dep: ContainerView, condition: DependencyCondition) -> bool:
    """The ECS meaning of each condition. START counts a dependency that ran and exited."""
    if condition is _C.START:
        return dep.has_started
    if condition is _C.COMPLETE:
        return dep.known is _A.STOPPED and dep.has_started
    if condition is _C.SUCCESS:
        return dep.known is _A.STOPPED and dep.has_started and dep.exit_code == 0
    return dep.known.is_running and dep.has_health_check and dep.health is HealthStatus.HEALTHY


def _hopeless(
    c: ContainerView, dep: ContainerView, condition: DependencyCondition, now: datetime
) -> str | None:
    """Why an unmet dependency can never be met, or None while there is still hope."""
    never_runs = dep.known is _A.STOPPED or dep.desired is _A.STOPPED
    if never_runs and not dep.has_started:
        return "stopped without starting"
    if dep.known is _A.STOPPED and condition is _C.SUCCESS:
        return f"exited with code {dep.exit_code}; SUCCESS needs exit code 0"
    if dep.known is _A.STOPPED and condition is _C.HEALTHY:
        return "stopped before it was HEALTHY"
    deadline = _deadline(c, dep, condition)
    if deadline is not None and now >= deadline:
        seconds = dep.start_timeout.total_seconds() if dep.start_timeout else 0.0
        return f"did not reach {condition.value} within its startTimeout of {seconds:g}s"
    return None


def _deadline(
    c: ContainerView, dep: ContainerView, condition: DependencyCondition
) -> datetime | None:
    """When the dependency's startTimeout runs out, if it bounds this wait at all.

    As in the agent, it only applies before the dependent is created, to a started dependency
    that has not stopped, for COMPLETE / SUCCESS / HEALTHY.
    """
    if condition not in _TIMED_CONDITIONS or c.known.rank >= _A.CREATED.rank:
        return None
    if dep.started_at is None or not dep.start_timeout or dep.known is _A.STOPPED:
        return None
    return dep.started_at + dep.start_timeout


def _failure(c: ContainerView, dep: ContainerDependency, problem: str) -> str:
    return (
        f"CannotStartContainerError: container {c.name} depends on {dep.container_name} "
        f"({dep.condition.value}), which {problem}"
    )


def _merge_waits(waits: Iterable[Step]) -> Wait:
    """One Wait for the plan: the reasons joined, the earliest deadline kept."""
    found = [w for w in waits if isinstance(w, Wait)]
    deadlines = [w.until for w in found if w.until is not None]
    return Wait("; ".join(w.reason for w in found), min(deadlines, default=None))
