"""The DAEMON service planner: exactly one task of the PRIMARY deployment on every ACTIVE
container instance that meets the service's constraints (ecs-reference §1.4). Pure.

One step::

    eligible      ACTIVE instances whose attributes satisfy the constraints
    free stops    lost, unhealthy, on a draining or no longer eligible instance, old pending,
                  a second current task on one instance
    retire        an old task on an eligible instance: not-healthy ones freely, healthy ones
                  while healthy − stopped ≥ lo (DAEMON's minimumHealthyPercent defaults to 0)
    start         one current task on each eligible, connected instance with no live task of
                  the service (a stopping old task must be STOPPED first: it holds the room)
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from dockyard.infra.ids import RandomSource
from dockyard.placement import InstanceSnapshot, PlacementConstraint, TaskDemand, place_tasks
from dockyard.reconcile import messages
from dockyard.reconcile.buckets import Bucket, TaskView
from dockyard.reconcile.plan import StopTask

_NO_DEMAND = TaskDemand(0, 0, frozenset())
"""Eligibility looks at constraints only: resources are checked when the task is placed."""


def eligible_instances(
    instances: Sequence[InstanceSnapshot],
    constraints: Sequence[PlacementConstraint],
    group: str,
    rng: RandomSource,
) -> list[InstanceSnapshot]:
    """ACTIVE instances that satisfy ``constraints`` (resources aside), by id."""
    eligible = []
    for instance in sorted(instances, key=lambda i: i.instance_id):
        if not instance.active:
            continue
        probe = place_tasks(
            _NO_DEMAND,
            [_assume_connected(instance)],
            count=1,
            rng=rng,
            group=group,
            constraints=[c for c in constraints if c.type != "distinctInstance"],
        )
        if probe.placements:
            eligible.append(instance)
    return eligible


def _assume_connected(instance: InstanceSnapshot) -> InstanceSnapshot:
    return replace(instance, connected=True)


def daemon_step(
    views: Sequence[TaskView],
    *,
    service_name: str,
    eligible: Sequence[InstanceSnapshot],
    low: int,
    primary_id: str,
    may_launch: bool,
) -> tuple[list[StopTask], list[str], list[str]]:
    """(stops, instance ids to start a PRIMARY task on, event messages)."""
    scaling = messages.scaling_stop_reason(primary_id)
    wanted = {i.instance_id for i in eligible}
    stops: list[StopTask] = []
    seen_current: set[str] = set()
    for v in sorted(views, key=lambda v: (v.task.created_at, v.task_id)):
        instance = v.task.instance_id or ""
        if not v.bucket.live:
            continue
        if v.bucket is Bucket.LOST:
            stops.append(StopTask(v.task_id, messages.LOST_STOP_REASON))
        elif v.bucket is Bucket.UNHEALTHY:
            stops.append(StopTask(v.task_id, messages.UNHEALTHY_STOP_REASON))
        elif v.bucket is Bucket.ON_DRAINING_INSTANCE:
            stops.append(StopTask(v.task_id, messages.DRAINING_STOP_REASON))
        elif _surplus(v, instance, wanted, seen_current):
            stops.append(StopTask(v.task_id, scaling))
        elif v.current:
            seen_current.add(instance)
    stopped = {s.task_id for s in stops}
    healthy = sum(1 for v in views if v.healthy and v.task_id not in stopped)
    budget = healthy - low
    old = [
        v
        for v in views
        if not v.current
        and v.bucket.live
        and v.task_id not in stopped
        and (v.task.instance_id or "") not in seen_current
    ]
    for v in sorted(old, key=lambda v: (v.healthy, v.task_id)):
        if v.healthy and budget <= 0:
            continue
        budget -= 1 if v.healthy else 0
        stops.append(StopTask(v.task_id, scaling))
        stopped.add(v.task_id)
    occupied = {v.task.instance_id for v in views if v.bucket is not Bucket.STOPPED}
    starts = (
        [i.instance_id for i in eligible if i.instance_id not in occupied and i.connected]
        if may_launch
        else []
    )
    events = [messages.stopped(service_name, [s.task_id for s in stops])] if stops else []
    if may_launch and not stops and not starts and _blocked(views, seen_current):
        events.append(messages.stuck(service_name))
    return stops, starts, events


def _blocked(views: Sequence[TaskView], seen_current: set[str]) -> bool:
    """Old tasks wait to be replaced, nothing is in flight, and the minimum forbids stopping
    them: the deployment configuration itself blocks the rollout."""
    in_flight = any(v.bucket in (Bucket.PENDING, Bucket.WARMING, Bucket.STOPPING) for v in views)
    waiting = any(
        not v.current and v.bucket.live and (v.task.instance_id or "") not in seen_current
        for v in views
    )
    return waiting and not in_flight


def _surplus(view: TaskView, instance: str, wanted: set[str], seen_current: set[str]) -> bool:
    """Not needed here: an ineligible instance, a second current task, an old pending one."""
    if instance not in wanted or (view.current and instance in seen_current):
        return True
    return view.bucket is Bucket.PENDING and not view.current
