"""A step's load-balancer work for a service behind target groups. Pure.

* RUNNING tasks the step keeps are **registered** in every target group of the service;
* a stop of a registered task becomes a **drain**: its targets are deregistered and the task
  stays DEACTIVATING (its agent keeps it running) for the longest deregistration delay;
* DEACTIVATING tasks whose drain is over are **released** to their agents;
* targets of tasks that stopped by themselves are deregistered.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import datetime

from dockyard.domain.task_status import TaskStatus
from dockyard.reconcile.buckets import Bucket, TaskView
from dockyard.reconcile.messages import UNHEALTHY_STOP_REASON, elb_unhealthy_reason
from dockyard.reconcile.plan import ServicePlan, StopTask
from dockyard.reconcile.targets import (
    TargetGroupView,
    TargetRef,
    drain_until,
    lb_health,
    registered,
)

_KEPT = (Bucket.WARMING, Bucket.HEALTHY, Bucket.ON_DRAINING_INSTANCE)


def balance(
    plan: ServicePlan,
    views: Sequence[TaskView],
    refs: Mapping[str, list[TargetRef]],
    groups: Mapping[str, TargetGroupView],
    *,
    service_name: str,
    now: datetime,
) -> tuple[ServicePlan, list[str]]:
    """``plan`` with drains, registrations, deregistrations and releases; event messages."""
    stopping = {s.task_id for s in plan.stops}
    stops: list[StopTask] = []
    deregisters: list[TargetRef] = []
    unhealthy: list[TargetRef] = []
    drained = 0
    for stop in plan.stops:
        own = refs.get(stop.task_id, [])
        if stop.reason == UNHEALTHY_STOP_REASON and lb_health(own, groups) == "unhealthy":
            failing = next(
                r for r in own if groups[r.target_group_arn].health.get(r.key) == "unhealthy"
            )
            stop = replace(stop, reason=elb_unhealthy_reason(failing.target_group_arn))
            unhealthy.append(failing)
        live = registered(own, groups)
        if live:
            stops.append(replace(stop, drain_until=drain_until(live, groups, now)))
            deregisters += live
            drained += 1
        else:
            stops.append(stop)
    registers = [
        ref
        for v in views
        if v.bucket in _KEPT and v.task_id not in stopping
        for ref in refs.get(v.task_id, ())
        if ref.key not in groups[ref.target_group_arn].registered
    ]
    for v in views:
        if v.bucket in (Bucket.STOPPED, Bucket.STOPPING, Bucket.LOST) and v.task_id not in stopping:
            deregisters += registered(refs.get(v.task_id, ()), groups)
    releases = tuple(
        v.task_id
        for v in views
        if v.task.last_status is TaskStatus.DEACTIVATING
        and (v.task.stop_after is None or v.task.stop_after <= now)
    )
    events = [
        f"(service {service_name}) (port {r.key[1]}) is unhealthy in (target-group "
        f"{r.target_group_arn}) due to (reason Health checks failed)."
        for r in unhealthy
    ]
    events += _events(service_name, registers, deregisters, drained)
    held = [v.task.stop_after for v in views if v.task.last_status is TaskStatus.DEACTIVATING]
    checks = [t for t in (*held, plan.next_check_at) if t is not None and t > now]
    balanced = replace(
        plan,
        stops=tuple(stops),
        registers=tuple(dict.fromkeys(registers)),
        deregisters=tuple(dict.fromkeys(deregisters)),
        releases=releases,
        next_check_at=min(checks) if checks else None,
    )
    return balanced, events


def _events(
    service: str, registers: list[TargetRef], deregisters: list[TargetRef], drained: int
) -> list[str]:
    events = []
    for arn in dict.fromkeys(r.target_group_arn for r in registers):
        n = sum(1 for r in registers if r.target_group_arn == arn)
        events.append(f"(service {service}) registered {n} targets in (target-group {arn})")
    if drained:
        events.append(f"(service {service}) has begun draining connections on {drained} tasks.")
    for arn in dict.fromkeys(r.target_group_arn for r in deregisters):
        n = sum(1 for r in deregisters if r.target_group_arn == arn)
        events.append(f"(service {service}) deregistered {n} targets in (target-group {arn})")
    return events
