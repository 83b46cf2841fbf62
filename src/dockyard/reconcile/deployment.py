"""Deployment bookkeeping shared by the REPLICA and DAEMON planners. Pure.

* :func:`account_stopped` — count newly STOPPED tasks once: circuit-breaker failures of the
  PRIMARY deployment and the restart throttle (ecs-reference §3.4, §3.5).
* :func:`trip_circuit_breaker` — FAILED at ``clamp(ceil(D/2), 3, 200)`` failures, and the
  rollback to the last COMPLETED deployment.
* :func:`settle` — drop drained older deployments, mark the PRIMARY COMPLETED, track the
  steady state, fill deployment desired counts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from dockyard.domain.service import (
    Deployment,
    DeploymentStatus,
    RolloutState,
    Service,
    circuit_breaker_threshold,
)
from dockyard.domain.task_status import StopCode
from dockyard.infra.ids import RandomSource
from dockyard.reconcile import messages
from dockyard.reconcile.buckets import Bucket, TaskView

THROTTLE_BASE = timedelta(seconds=5)
"""Delay after the second consecutive wave of start failures; doubles per wave."""
THROTTLE_CAP = timedelta(minutes=15)
"""ECS: restarts slow down to at most one attempt per 15 minutes."""
THROTTLE_EVENT_AFTER = 3
"""Consecutive failed waves before "unable to consistently start tasks" is reported."""

_FAILURE_CODES = frozenset({StopCode.TASK_FAILED_TO_START, StopCode.ESSENTIAL_CONTAINER_EXITED})
_HEALTH_FAILURE_PREFIXES = ("Task failed container health checks", "Task failed ELB health")
"""Scheduler stops the breaker counts as failures (ecs-reference §3.4, stage 2)."""


def throttle_delay(failures: int) -> timedelta:
    """Wait before the next start after ``failures`` consecutive failed waves."""
    if failures < 2:
        return timedelta(0)
    delay: timedelta = THROTTLE_BASE * (2 ** min(failures - 2, 16))
    return min(THROTTLE_CAP, delay)


def is_failure(view: TaskView) -> bool:
    """A stop the circuit breaker counts: failed to start, an essential container exited, or
    the scheduler replaced it for failing health checks."""
    task = view.task
    if task.stop_code in _FAILURE_CODES:
        return True
    reason = task.stopped_reason or ""
    return task.stop_code is StopCode.SERVICE_SCHEDULER_INITIATED and reason.startswith(
        _HEALTH_FAILURE_PREFIXES
    )


def account_stopped(
    service: Service, views: Sequence[TaskView], now: datetime
) -> tuple[Service, list[str]]:
    """Fold STOPPED tasks not yet accounted into the PRIMARY's ``failed_tasks`` and the
    restart throttle. Returns the service and new event messages.

    Invariant: a STOPPED task is accounted at most once (``accounted_stopped``).
    """
    stopped = [v for v in views if v.bucket is Bucket.STOPPED]
    fresh = [v for v in stopped if v.task_id not in service.accounted_stopped]
    primary = service.primary
    failed = sum(1 for v in fresh if v.current and is_failure(v))
    start_failed = any(v.task.started_at is None and is_failure(v) for v in fresh)
    running_now = any(v.current and v.healthy for v in views)
    events: list[str] = []
    failures = service.start_failures
    next_start = service.next_start_at
    if running_now:
        failures, next_start = 0, None
    elif start_failed:
        failures += 1
        next_start = now + throttle_delay(failures)
        if failures == THROTTLE_EVENT_AFTER:
            events.append(messages.start_impaired(service.name))
    count = 0 if running_now else primary.failed_tasks + failed
    if count != primary.failed_tasks:
        primary = replace(primary, failed_tasks=count, updated_at=now)
    return (
        replace(
            service,
            deployments=(primary, *service.deployments[1:]),
            accounted_stopped=frozenset(v.task_id for v in stopped),
            start_failures=failures,
            next_start_at=next_start,
        ),
        events,
    )


def trip_circuit_breaker(
    service: Service, now: datetime, rng: RandomSource
) -> tuple[Service, list[str]]:
    """FAILED when the breaker is on, the PRIMARY is IN_PROGRESS and its failures reach the
    threshold; with rollback, a new PRIMARY on the last COMPLETED deployment's revision."""
    breaker = service.deployment_configuration.circuit_breaker
    primary = service.primary
    if not breaker.enable or primary.rollout_state is not RolloutState.IN_PROGRESS:
        return service, []
    if primary.failed_tasks < circuit_breaker_threshold(service.desired_count):
        return service, []
    failed = replace(
        primary,
        rollout_state=RolloutState.FAILED,
        rollout_state_reason=messages.CIRCUIT_BREAKER_FAILED_REASON,
        updated_at=now,
    )
    service = replace(service, deployments=(failed, *service.deployments[1:]))
    events = [messages.deployment_failed(service.name, failed.deployment_id)]
    target = service.last_completed
    if not breaker.rollback or target is None or target.task_definition == failed.task_definition:
        return service, events
    rolled = service.with_new_deployment(
        target.task_definition,
        now,
        rng,
        reason=messages.rollback_reason(target.deployment_id),
        adopt=(target.deployment_id, *target.adopted),
    )
    events.append(messages.rolling_back(service.name, target.deployment_id))
    return rolled, events


def settle(
    service: Service,
    views: Sequence[TaskView],
    *,
    desired: int,
    quiet: bool,
    now: datetime,
) -> tuple[Service, list[str]]:
    """After this step's stops and starts: drop older deployments with no live task, count
    the PRIMARY COMPLETED and the service steady when ``desired`` current tasks are healthy,
    nothing else is live and the step changed nothing (``quiet``)."""
    live_by_deployment: dict[str | None, int] = {}
    for v in views:
        if v.bucket is not Bucket.STOPPED:
            owner = service.owner(v.deployment_id)
            live_by_deployment[owner] = live_by_deployment.get(owner, 0) + 1
    primary = replace(service.primary, desired_count=desired)
    older = tuple(
        replace(d, desired_count=live_by_deployment.get(d.deployment_id, 0))
        for d in service.deployments[1:]
        if live_by_deployment.get(d.deployment_id, 0) > 0
    )
    healthy = sum(1 for v in views if v.current and v.bucket is Bucket.HEALTHY)
    live = sum(live_by_deployment.values())
    steady = quiet and not older and healthy == desired and live == desired
    if not steady:  # a FAILED deployment stays listed until the rollout settles
        listed = {d.deployment_id for d in older}
        older += tuple(
            d
            for d in service.deployments[1:]
            if d.rollout_state is RolloutState.FAILED and d.deployment_id not in listed
        )
    events: list[str] = []
    last_completed = service.last_completed
    if steady and primary.rollout_state is RolloutState.IN_PROGRESS:
        primary = _completed(primary, now)
        last_completed = primary
        events.append(messages.deployment_completed(service.name, primary.deployment_id))
    if steady and not service.steady:
        events.append(messages.steady(service.name))
    return (
        replace(
            service,
            deployments=(primary, *older),
            steady=steady,
            last_completed=last_completed,
        ),
        events,
    )


def _completed(primary: Deployment, now: datetime) -> Deployment:
    return replace(
        primary,
        status=DeploymentStatus.PRIMARY,
        rollout_state=RolloutState.COMPLETED,
        rollout_state_reason=messages.completed_reason(primary.deployment_id),
        updated_at=now,
    )
