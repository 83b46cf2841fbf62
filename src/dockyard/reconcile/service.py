"""The service planner: one reconcile step of a service, snapshot in, plan out. Pure.

::

    snapshot ─▶ classify (buckets) ─▶ account STOPPED tasks ─▶ circuit breaker / rollback
             ─▶ re-classify against the PRIMARY ─▶ REPLICA or DAEMON step (stops, starts)
             ─▶ settle (drained deployments, COMPLETED, steady) ─▶ plan

Invariant: the planner never mutates its inputs; the same snapshot and rng give the same plan.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from dockyard.domain.service import RolloutState, SchedulingStrategy, Service, ServiceStatus
from dockyard.infra.ids import RandomSource
from dockyard.placement import DEFAULT_SERVICE_STRATEGIES, PlacementStrategy
from dockyard.reconcile.balancing import balance
from dockyard.reconcile.buckets import Bucket, HealthRules, TaskView, classify, grace_ends
from dockyard.reconcile.daemon import daemon_step, eligible_instances
from dockyard.reconcile.deployment import account_stopped, settle, trip_circuit_breaker
from dockyard.reconcile.plan import ServicePlan, ServiceSnapshot, StartTasks
from dockyard.reconcile.replica import may_launch, replica_step
from dockyard.reconcile.targets import TargetRef, lb_health, task_targets

__all__ = ["plan_service"]


def plan_service(snapshot: ServiceSnapshot, rng: RandomSource) -> ServicePlan:
    """One step for ``snapshot.service``; an INACTIVE service gets an empty plan."""
    service = snapshot.service
    if service.status is ServiceStatus.INACTIVE or not service.deployments:
        return ServicePlan(service=service)
    now = snapshot.now
    refs = _task_refs(snapshot)
    groups = snapshot.target_groups
    rules = HealthRules(
        healthy_after=snapshot.healthy_after,
        grace=_seconds(service.health_check_grace_period_seconds),
        lb_states={task_id: lb_health(r, groups) for task_id, r in refs.items()},
        behind_lb=bool(service.load_balancers),
    )
    draining = {i.instance_id: not i.active for i in snapshot.instances}
    views = classify(
        snapshot.tasks,
        primary=service.primary,
        instance_states=draining,
        rules=rules,
        now=now,
    )
    service, events = account_stopped(service, views, now)
    service, breaker_events = trip_circuit_breaker(service, now, rng)
    events += breaker_events
    views = classify(
        snapshot.tasks,
        primary=service.primary,
        instance_states=draining,
        rules=rules,
        now=now,
    )
    launch = may_launch(service.status, service.primary.rollout_state, service.next_start_at, now)
    if service.scheduling_strategy is SchedulingStrategy.DAEMON:
        plan = _daemon(service, views, snapshot, rng, launch)
    else:
        plan = _replica(service, views, snapshot, rng, launch)
    if service.load_balancers:
        plan, lb_events = balance(plan, views, refs, groups, service_name=service.name, now=now)
        plan = replace(plan, notes=(*plan.notes, *lb_events))
    desired = plan.service.desired_count if service.status is ServiceStatus.ACTIVE else 0
    quiet = not (plan.stops or plan.starts or plan.registers or plan.deregisters or plan.releases)
    settled, settle_events = settle(plan.service, views, desired=desired, quiet=quiet, now=now)
    settled = _deactivate_if_drained(settled, views)
    events += list(plan.notes) + settle_events
    return replace(
        plan,
        service=settled.with_events(events, now, rng) if events else settled,
        next_check_at=_earliest(_next_check(views, rules, settled), plan.next_check_at),
        notes=(),
    )


def _replica(
    service: Service,
    views: list[TaskView],
    snapshot: ServiceSnapshot,
    rng: RandomSource,
    launch: bool,
) -> ServicePlan:
    desired = service.desired_count if service.status is ServiceStatus.ACTIVE else 0
    primary = service.primary
    stops, start, events = replica_step(
        views,
        service_name=service.name,
        desired=desired,
        bounds=service.deployment_configuration.bounds(desired),
        primary_id=primary.deployment_id,
        may_launch=launch,
        retire_old=primary.rollout_state is not RolloutState.FAILED,
        instances=snapshot.instances,
        strategies=_strategies(service),
        rng=rng,
    )
    starts = (StartTasks(primary.deployment_id, primary.task_definition, start),) if start else ()
    return ServicePlan(service=service, starts=starts, stops=tuple(stops), notes=tuple(events))


def _daemon(
    service: Service,
    views: list[TaskView],
    snapshot: ServiceSnapshot,
    rng: RandomSource,
    launch: bool,
) -> ServicePlan:
    active = service.status is ServiceStatus.ACTIVE
    eligible = (
        eligible_instances(snapshot.instances, snapshot.constraints, service.group, rng)
        if active
        else []
    )
    service = replace(service, desired_count=len(eligible))
    low, _ = service.deployment_configuration.bounds(len(eligible))
    primary = service.primary
    stops, instance_ids, events = daemon_step(
        views,
        service_name=service.name,
        eligible=eligible,
        low=low,
        primary_id=primary.deployment_id,
        may_launch=launch,
    )
    starts = (
        (
            StartTasks(
                primary.deployment_id,
                primary.task_definition,
                len(instance_ids),
                tuple(instance_ids),
            ),
        )
        if instance_ids
        else ()
    )
    return ServicePlan(service=service, starts=starts, stops=tuple(stops), notes=tuple(events))


def _task_refs(snapshot: ServiceSnapshot) -> dict[str, list[TargetRef]]:
    """Each task's targets in the service's target groups (empty without load balancers)."""
    balancers = snapshot.service.load_balancers
    if not balancers or not snapshot.target_groups:
        return {}
    instances = {i.instance_id: i for i in snapshot.instances}
    return {
        t.task_id: task_targets(t, balancers, snapshot.target_groups, instances)
        for t in snapshot.tasks
    }


def _earliest(a: datetime | None, b: datetime | None) -> datetime | None:
    return min((t for t in (a, b) if t is not None), default=None)


def _strategies(service: Service) -> tuple[PlacementStrategy, ...]:
    given = tuple(PlacementStrategy(t, f) for t, f in service.placement_strategy)
    return given or DEFAULT_SERVICE_STRATEGIES


def _deactivate_if_drained(service: Service, views: list[TaskView]) -> Service:
    """A deleted (DRAINING) service is INACTIVE once none of its tasks is live or stopping."""
    if service.status is not ServiceStatus.DRAINING:
        return service
    if any(v.bucket is not Bucket.STOPPED for v in views):
        return service
    return replace(service, status=ServiceStatus.INACTIVE, desired_count=0)


def _next_check(views: list[TaskView], rules: HealthRules, service: Service) -> datetime | None:
    times = [
        v.healthy_at for v in views if v.healthy_at is not None and not v.healthy and v.bucket.live
    ]
    times += grace_ends(views, rules)
    if service.next_start_at is not None:
        times.append(service.next_start_at)
    return min(times) if times else None


def _seconds(value: int) -> timedelta:
    return timedelta(seconds=value)
