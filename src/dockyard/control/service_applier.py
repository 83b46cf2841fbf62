"""One reconcile step of one service, planned and applied in one transaction.

::

    lock service row ─▶ read its tasks, the cluster's instances ─▶ plan_service (pure)
      ─▶ stop tasks (desiredStatus STOPPED) ─▶ place + create new tasks ─▶ save service + events
      ─▶ commit ─▶ wake the agents of the instances touched

Crash safety: everything a step decides is written in the same transaction as the service's
new state, so a control plane killed at any moment leaves either the whole step or none of it.
On PostgreSQL the service row is locked ``FOR UPDATE SKIP LOCKED``: a second control plane
skips a service the first is acting on. Task rows are updated optimistically (version
columns): a concurrent agent report makes the step retry on fresh data.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from dockyard.control.service_targets import HealthSource, apply_target_changes, target_group_views
from dockyard.domain import arns
from dockyard.domain.service import SchedulingStrategy, Service, ServiceStatus
from dockyard.domain.task import Task, TaskOverrides, new_task, release_drained, request_stop
from dockyard.domain.task_definition import TaskDefinition
from dockyard.domain.task_status import StopCode
from dockyard.infra.clock import Clock
from dockyard.infra.ids import RandomSource, hex_id
from dockyard.placement import (
    DEFAULT_SERVICE_STRATEGIES,
    InstanceSnapshot,
    PlacementConstraint,
    PlacementFailure,
    PlacementStrategy,
    TaskDemand,
    place_tasks,
)
from dockyard.reconcile import messages
from dockyard.reconcile.launch import definition_constraints, task_demand
from dockyard.reconcile.plan import ServicePlan, ServiceSnapshot, StartTasks
from dockyard.reconcile.service import plan_service
from dockyard.store import Store
from dockyard.store.repositories.services import ServiceKey
from dockyard.store.snapshots import cluster_instances, cluster_snapshots
from dockyard.store.uow import UnitOfWork

__all__ = ["STOPPED_LOOKBACK", "ServiceStepApplier", "StepOutcome"]

STOPPED_LOOKBACK = timedelta(hours=1)
"""STOPPED tasks the planner still sees (for accounting); ECS keeps them describable 1 h."""


@dataclass(frozen=True, slots=True)
class StepOutcome:
    """What one step did. ``pending`` is False once the service needs no more steps
    (INACTIVE, missing, or locked by another control plane)."""

    pending: bool
    acted: bool = False
    next_check_at: datetime | None = None
    woken: frozenset[str] = frozenset()
    steady: bool = False
    targets_changed: bool = False


@dataclass
class _Applied:
    service: Service
    events: list[str] = field(default_factory=list)
    woken: set[str] = field(default_factory=set)
    targets_changed: bool = False


class ServiceStepApplier:
    """Plans and applies steps for services of one store."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        rng: RandomSource,
        *,
        account_id: str,
        healthy_after: timedelta = timedelta(seconds=40),
        target_health: HealthSource = lambda _arn: {},
        on_targets_changed: Callable[[], None] = lambda: None,
    ) -> None:
        self._store = store
        self._clock = clock
        self._rng = rng
        self._account_id = account_id
        self._healthy_after = healthy_after
        self._target_health = target_health
        self._on_targets_changed = on_targets_changed

    def step(self, key: ServiceKey) -> StepOutcome:
        """Plan on a read transaction first; only a step that changes something is planned
        again and applied under the service's lock (a steady service costs one read)."""
        now = self._clock.now()
        probe = self._store.read(lambda uow: self._plan(uow, key, now, lock=False))
        if probe is None:
            return StepOutcome(pending=False)
        snapshot, plan = probe
        quiet = not (
            plan.stops or plan.starts or plan.registers or plan.deregisters or plan.releases
        )
        if quiet and plan.service == snapshot.service:
            return _outcome(plan, plan.service, frozenset())
        outcome = self._store.write(lambda uow: self._step(uow, key, now))
        if outcome.targets_changed:
            self._on_targets_changed()
        return outcome

    def _plan(
        self, uow: UnitOfWork, key: ServiceKey, now: datetime, *, lock: bool
    ) -> tuple[ServiceSnapshot, ServicePlan] | None:
        region, cluster, name = key
        service = uow.services.lock(key) if lock else uow.services.get_cached(*key)
        if service is None or service.status is ServiceStatus.INACTIVE:
            return None
        tasks = uow.tasks.for_service(region, cluster, name, stopped_since=now - STOPPED_LOOKBACK)
        usage_matters = any(t == "binpack" for t, _ in service.placement_strategy)
        instances = (
            cluster_snapshots(uow, region, cluster, now, only_group=service.group)
            if usage_matters
            else cluster_instances(uow, region, cluster, now)
        )
        ref = service.primary.task_definition
        td = uow.task_definitions.get(region, ref.family, ref.revision)
        snapshot = ServiceSnapshot(
            service=service,
            tasks=tuple(tasks),
            instances=tuple(instances),
            now=now,
            constraints=_constraints(service, td),
            healthy_after=self._healthy_after,
            target_groups=target_group_views(uow, service, self._target_health)
            if service.load_balancers
            else {},
        )
        return snapshot, plan_service(snapshot, self._rng)

    def _step(self, uow: UnitOfWork, key: ServiceKey, now: datetime) -> StepOutcome:
        planned = self._plan(uow, key, now, lock=True)
        if planned is None:
            return StepOutcome(pending=False)
        snapshot, plan = planned
        if plan.starts:  # placement needs what live tasks hold on each instance
            group = None if _reads_other_groups(snapshot.constraints) else snapshot.service.group
            full = cluster_snapshots(uow, key[0], key[1], now, only_group=group)
            snapshot = replace(snapshot, instances=tuple(full))
        applied = self._apply(uow, plan, snapshot, now)
        saved = applied.service
        if applied.events:
            saved = saved.with_events(applied.events, now, self._rng)
        if saved != snapshot.service:
            saved = uow.services.save(saved)
        return replace(
            _outcome(plan, saved, frozenset(applied.woken)),
            targets_changed=applied.targets_changed,
        )

    def _apply(
        self, uow: UnitOfWork, plan: ServicePlan, snapshot: ServiceSnapshot, now: datetime
    ) -> _Applied:
        applied = _Applied(plan.service)
        by_id = {t.task_id: t for t in snapshot.tasks}
        stopped = [
            request_stop(
                by_id[s.task_id],
                StopCode.SERVICE_SCHEDULER_INITIATED,
                s.reason,
                now,
                drain_until=s.drain_until,
            )
            for s in plan.stops
        ]
        stopped += [release_drained(by_id[i], now) for i in plan.releases]
        uow.tasks.save_many([t for t in stopped if t is not by_id[t.task_id]])
        applied.woken.update(t.instance_id for t in stopped if t.instance_id)
        applied.targets_changed = apply_target_changes(uow, plan, now)
        instances = list(snapshot.instances)
        for start in plan.starts:
            self._launch(uow, start, plan.service, instances, snapshot.constraints, applied, now)
        return applied

    def _launch(
        self,
        uow: UnitOfWork,
        start: StartTasks,
        service: Service,
        instances: list[InstanceSnapshot],
        constraints: tuple[PlacementConstraint, ...],
        applied: _Applied,
        now: datetime,
    ) -> None:
        ref = start.task_definition
        td = uow.task_definitions.get(service.region, ref.family, ref.revision)
        if td is None:
            applied.events.append(
                messages.unable_to_place(service.name, f"its task definition {ref} is missing.")
            )
            return
        demand = task_demand(td, TaskOverrides())
        if service.scheduling_strategy is SchedulingStrategy.DAEMON:
            placed, failures = _place_pinned(
                demand, instances, start.instance_ids, service, self._rng
            )
        else:
            result = place_tasks(
                demand,
                instances,
                count=start.count,
                rng=self._rng,
                group=service.group,
                constraints=constraints,
                strategies=_strategies(service),
            )
            placed, failures = list(result.placements), result.failures
        if len(placed) < start.count:
            applied.events.append(messages.unable_to_place(service.name, _why(instances, failures)))
        if not placed:
            return
        tasks = [self._new_task(td, service, start.deployment_id, i, now) for i in placed]
        stored = uow.tasks.add_many(tasks)
        self._tag(uow, service, td, stored)
        applied.events.append(messages.started(service.name, [t.task_id for t in stored]))
        applied.woken.update(placed)

    def _new_task(
        self,
        td: TaskDefinition,
        service: Service,
        deployment_id: str,
        instance_id: str,
        now: datetime,
    ) -> Task:
        return new_task(
            td,
            task_id=hex_id(self._rng),
            container_ids=tuple(_uuid(self._rng) for _ in td.container_definitions),
            region=service.region,
            cluster=service.cluster,
            instance_id=instance_id,
            overrides=TaskOverrides(),
            now=now,
            launch_type=service.launch_type,
            started_by=deployment_id,
            group=service.group,
            service_name=service.name,
        )

    def _tag(
        self, uow: UnitOfWork, service: Service, td: TaskDefinition, tasks: Sequence[Task]
    ) -> None:
        region, account = service.region, self._account_id
        tags: dict[str, str] = {}
        if service.propagate_tags == "SERVICE":
            tags.update(
                uow.tags.get(arns.service_arn(region, account, service.cluster, service.name))
            )
        elif service.propagate_tags == "TASK_DEFINITION":
            tags.update(
                uow.tags.get(arns.task_definition_arn(region, account, td.family, td.revision))
            )
        if service.enable_ecs_managed_tags:
            tags["aws:ecs:serviceName"] = service.name
            tags["aws:ecs:clusterName"] = service.cluster
        if tags:
            for task in tasks:
                uow.tags.replace(arns.task_arn(region, account, task.cluster, task.task_id), tags)


def _outcome(plan: ServicePlan, saved: Service, woken: frozenset[str]) -> StepOutcome:
    return StepOutcome(
        pending=saved.status is not ServiceStatus.INACTIVE,
        acted=bool(plan.stops or plan.starts or plan.registers or plan.releases),
        next_check_at=plan.next_check_at,
        woken=woken,
        steady=saved.steady,
    )


def _reads_other_groups(constraints: Sequence[PlacementConstraint]) -> bool:
    """A ``task:group`` expression may look at any group's tasks."""
    return any("task:group" in (c.expression or "") for c in constraints)


def _constraints(service: Service, td: TaskDefinition | None) -> tuple[PlacementConstraint, ...]:
    own = tuple(PlacementConstraint(t, e) for t, e in service.placement_constraints)
    return (definition_constraints(td) if td else ()) + own


def _strategies(service: Service) -> tuple[PlacementStrategy, ...]:
    given = tuple(PlacementStrategy(t, f) for t, f in service.placement_strategy)
    return given or DEFAULT_SERVICE_STRATEGIES


def _place_pinned(
    demand: TaskDemand,
    instances: list[InstanceSnapshot],
    instance_ids: Sequence[str],
    service: Service,
    rng: RandomSource,
) -> tuple[list[str], tuple[PlacementFailure, ...]]:
    """DAEMON: one task on each of ``instance_ids`` where it fits."""
    by_id = {i.instance_id: i for i in instances}
    placed: list[str] = []
    failures: list[PlacementFailure] = []
    for instance_id in instance_ids:
        snapshot = by_id.get(instance_id)
        if snapshot is None:
            continue
        result = place_tasks(demand, [snapshot], count=1, rng=rng, group=service.group)
        if result.placements:
            placed.append(instance_id)
        else:
            failures.extend(result.failures)
    return placed, tuple(failures)


_REASON_TEXT = {
    "RESOURCE:CPU": "has insufficient CPU units available",
    "RESOURCE:MEMORY": "has insufficient memory available",
    "RESOURCE:PORTS": "is already using a port required by your task",
    "RESOURCE:PORTS_UDP": "is already using a port required by your task",
    "AGENT": "has no connected agent",
    "ATTRIBUTE": "is missing an attribute required by your task",
}


def _why(instances: Sequence[InstanceSnapshot], failures: Sequence[PlacementFailure]) -> str:
    """ECS's "unable to place a task because …" detail, naming the closest instance."""
    if not any(i.active for i in instances):
        return (
            "no container instance met all of its requirements. "
            "Reason: No Container Instances were found in your cluster."
        )
    if not failures:
        return "no container instance met all of its requirements."
    closest = min(failures, key=lambda f: (len(f.reasons), f.instance_id))
    reason = next((r for r in closest.reasons if r in _REASON_TEXT), None)
    text = _REASON_TEXT.get(reason or "", "does not satisfy the placement constraints")
    return (
        "no container instance met all of its requirements. The closest matching "
        f"(container-instance {closest.instance_id}) {text}. For more information, see the "
        "Troubleshooting section."
    )


def _uuid(rng: RandomSource) -> str:
    h = hex_id(rng)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"
