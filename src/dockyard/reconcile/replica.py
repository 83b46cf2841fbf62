"""The REPLICA service planner: keep ``desiredCount`` healthy tasks of the PRIMARY
deployment, rolling from older deployments within minimumHealthyPercent / maximumPercent.
Pure.

One step (ecs-reference §3.3, formalised)::

    lo = ceil(D × min / 100)   hi = floor(D × max / 100)
    free stops    lost, unhealthy, pending-old, pending on a draining instance
    scale-in      current tasks beyond D (pending, then warming, then by placement strategy)
    retire        old and on-draining tasks: not-healthy ones freely, healthy ones while
                  healthy − stopped ≥ lo
    start         min(hi − live, D − current) when the PRIMARY may launch

Invariant: live tasks after the step (desired RUNNING) ≤ max(hi, live before).
Invariant: healthy tasks after the step ≥ min(lo, healthy before): only not-healthy tasks stop
below ``lo``, except in scale-in, which ECS does not bound by the minimum.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from dockyard.domain.service import RolloutState, ServiceStatus
from dockyard.infra.ids import RandomSource
from dockyard.placement import (
    InstanceSnapshot,
    PlacementStrategy,
    RunningTask,
    select_tasks_to_stop,
)
from dockyard.reconcile import messages
from dockyard.reconcile.buckets import Bucket, TaskView, in_bucket
from dockyard.reconcile.plan import StopTask


def replica_step(
    views: Sequence[TaskView],
    *,
    service_name: str,
    desired: int,
    bounds: tuple[int, int],
    primary_id: str,
    may_launch: bool,
    retire_old: bool = True,
    instances: Sequence[InstanceSnapshot],
    strategies: Sequence[PlacementStrategy],
    rng: RandomSource,
) -> tuple[list[StopTask], int, list[str]]:
    """(stops, number of PRIMARY tasks to start, event messages) for one step.

    ``retire_old`` False (a FAILED deployment that did not roll back) keeps older tasks.
    """
    low, high = bounds
    scaling = messages.scaling_stop_reason(primary_id)
    stops = _free_stops(views, scaling)
    stopped = {s.task_id for s in stops}
    keep = [
        v for v in in_bucket(views, Bucket.PENDING, Bucket.WARMING, Bucket.HEALTHY, current=True)
    ]
    excess = len(keep) - desired
    if excess > 0:
        victims = _scale_in(keep, excess, instances, strategies, rng)
        stops += [StopTask(i, scaling) for i in victims]
        stopped.update(victims)
    retire = [
        v
        for v in views
        if v.task_id not in stopped
        and (
            (retire_old and not v.current and v.bucket in (Bucket.WARMING, Bucket.HEALTHY))
            or (v.bucket is Bucket.ON_DRAINING_INSTANCE)
        )
    ]
    healthy = sum(1 for v in views if v.healthy and v.task_id not in stopped)
    budget = healthy - low
    for v in sorted(retire, key=lambda v: (v.healthy, v.current, v.task.created_at, v.task_id)):
        if not v.healthy:
            stops.append(StopTask(v.task_id, _retire_reason(v, scaling)))
        elif budget > 0:
            stops.append(StopTask(v.task_id, _retire_reason(v, scaling)))
            budget -= 1
        else:
            continue
        stopped.add(v.task_id)
    live = sum(1 for v in views if v.bucket.live and v.task_id not in stopped)
    current = sum(1 for v in keep if v.task_id not in stopped)
    start = max(0, min(high - live, desired - current)) if may_launch else 0
    events = []
    if stops:
        events.append(messages.stopped(service_name, [s.task_id for s in stops]))
    stuck = may_launch and not stops and start == 0 and _blocked(views, current, desired)
    if stuck:
        events.append(messages.stuck(service_name))
    return stops, start, events


def _free_stops(views: Sequence[TaskView], reason: str) -> list[StopTask]:
    """Stops that cost no healthy task: lost, unhealthy, old pending, pending on draining."""
    stops = []
    for v in views:
        if v.bucket is Bucket.LOST:
            stops.append(StopTask(v.task_id, messages.LOST_STOP_REASON))
        elif v.bucket is Bucket.UNHEALTHY:
            stops.append(StopTask(v.task_id, messages.UNHEALTHY_STOP_REASON))
        elif v.bucket is Bucket.PENDING and not v.current:
            stops.append(StopTask(v.task_id, reason))
        elif v.bucket is Bucket.ON_DRAINING_INSTANCE and _not_running(v):
            stops.append(StopTask(v.task_id, messages.DRAINING_STOP_REASON))
    return stops


def _not_running(view: TaskView) -> bool:
    return view.task.started_at is None


def _retire_reason(view: TaskView, scaling: str) -> str:
    return messages.DRAINING_STOP_REASON if view.bucket is Bucket.ON_DRAINING_INSTANCE else scaling


def _scale_in(
    keep: Sequence[TaskView],
    excess: int,
    instances: Sequence[InstanceSnapshot],
    strategies: Sequence[PlacementStrategy],
    rng: RandomSource,
) -> list[str]:
    """Pending first, then warming, then healthy ones chosen by the placement strategies."""
    victims: list[str] = []
    for bucket in (Bucket.PENDING, Bucket.WARMING):
        for v in sorted(in_bucket(keep, bucket), key=lambda v: (v.task.created_at, v.task_id)):
            if len(victims) < excess:
                victims.append(v.task_id)
    left = excess - len(victims)
    if left <= 0:
        return victims
    healthy = [
        RunningTask(
            task_id=v.task_id,
            instance_id=v.task.instance_id or "",
            group=v.task.group,
            cpu=v.task.cpu,
            memory=v.task.memory,
            ports=frozenset(v.task.ports),
        )
        for v in in_bucket(keep, Bucket.HEALTHY)
    ]
    victims += select_tasks_to_stop(healthy, instances, count=left, rng=rng, strategies=strategies)
    return victims


def _blocked(views: Sequence[TaskView], current: int, desired: int) -> bool:
    """Work remains (older tasks or too few current ones) but nothing is in flight that could
    unblock it: the deployment configuration itself forbids progress."""
    in_flight = any(v.bucket in (Bucket.PENDING, Bucket.WARMING, Bucket.STOPPING) for v in views)
    work_left = current < desired or any(not v.current and v.bucket.live for v in views)
    return work_left and not in_flight


def may_launch(
    status: ServiceStatus, rollout: RolloutState, next_start_at: datetime | None, now: datetime
) -> bool:
    """The PRIMARY launches unless the service is being deleted, the deployment FAILED, or
    the restart throttle holds starts back."""
    if status is not ServiceStatus.ACTIVE or rollout is RolloutState.FAILED:
        return False
    return next_start_at is None or now >= next_start_at
