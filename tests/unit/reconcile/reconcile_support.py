"""Builders for service planner tests: a service with deployments, tasks in each bucket."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.unit.placement.placement_support import SeededRandom

from dockyard.domain.service import (
    CircuitBreaker,
    Deployment,
    DeploymentConfiguration,
    DeploymentStatus,
    RolloutState,
    SchedulingStrategy,
    Service,
    TaskDefinitionRef,
)
from dockyard.domain.task import Task, TaskContainer
from dockyard.domain.task_status import DesiredStatus, HealthStatus, StopCode, TaskStatus
from dockyard.placement import InstanceSnapshot
from dockyard.reconcile.plan import ServicePlan, ServiceSnapshot
from dockyard.reconcile.service import plan_service

NOW = datetime(2026, 1, 1, 12, 0, tzinfo=UTC)
NEW, OLD = "ecs-svc/0000000000000000002", "ecs-svc/0000000000000000001"


def deployment(
    deployment_id: str,
    revision: int,
    *,
    primary: bool,
    state: RolloutState = RolloutState.IN_PROGRESS,
    failed: int = 0,
) -> Deployment:
    return Deployment(
        deployment_id=deployment_id,
        task_definition=TaskDefinitionRef("web", revision),
        status=DeploymentStatus.PRIMARY if primary else DeploymentStatus.ACTIVE,
        rollout_state=state,
        rollout_state_reason="",
        created_at=NOW - timedelta(minutes=5),
        updated_at=NOW - timedelta(minutes=5),
        failed_tasks=failed,
    )


def service(
    desired: int = 4,
    minimum: int = 100,
    maximum: int = 200,
    *,
    rolling: bool = True,
    breaker: bool = False,
    rollback: bool = False,
    **kw: Any,
) -> Service:
    """A service whose PRIMARY is NEW (web:2); with ``rolling`` OLD (web:1) is still ACTIVE."""
    deployments = [deployment(NEW, 2, primary=True)]
    if rolling:
        deployments.append(deployment(OLD, 1, primary=False, state=RolloutState.COMPLETED))
    return Service(
        name="api",
        region="us-east-1",
        cluster="c",
        task_definition=TaskDefinitionRef("web", 2),
        created_at=NOW - timedelta(hours=1),
        created_by="arn:aws:iam::123456789012:root",
        desired_count=desired,
        deployment_configuration=DeploymentConfiguration(
            minimum, maximum, CircuitBreaker(breaker, rollback)
        ),
        deployments=tuple(deployments),
        last_completed=deployment(OLD, 1, primary=False, state=RolloutState.COMPLETED),
        **kw,
    )


def daemon_service(**kw: Any) -> Service:
    return service(0, 0, 100, scheduling_strategy=SchedulingStrategy.DAEMON, **kw)


def task(
    task_id: str,
    deployment_id: str = NEW,
    *,
    status: TaskStatus = TaskStatus.RUNNING,
    health: HealthStatus | None = None,
    running_for: float = 60.0,
    instance: str = "i1",
    desired: DesiredStatus = DesiredStatus.RUNNING,
    stop_code: StopCode | None = None,
    ever_ran: bool | None = None,
) -> Task:
    """A task; ``health`` None means no container health check (40-second rule applies)."""
    ran = ever_ran if ever_ran is not None else status.rank >= TaskStatus.RUNNING.rank
    container = TaskContainer(
        container_id="c",
        name="a",
        image="x",
        has_health_check=health is not None,
        health_status=health or HealthStatus.UNKNOWN,
    )
    started = NOW - timedelta(seconds=running_for) if ran else None
    return Task(
        task_id=task_id,
        region="us-east-1",
        cluster="c",
        family="web",
        revision=2 if deployment_id == NEW else 1,
        instance_id=instance,
        containers=(container,),
        created_at=NOW - timedelta(seconds=running_for + 5),
        last_status=status,
        desired_status=desired,
        started_by=deployment_id,
        group="service:api",
        service_name="api",
        cpu=10,
        memory=10,
        started_at=started,
        health_status=health or HealthStatus.UNKNOWN,
        stop_code=stop_code,
        stopped_at=NOW - timedelta(seconds=1) if status is TaskStatus.STOPPED else None,
    )


def instance(
    name: str = "i1", *, active: bool = True, connected: bool = True, **kw: Any
) -> InstanceSnapshot:
    return InstanceSnapshot(
        instance_id=name, active=active, connected=connected, cpu=4096, memory=8192, **kw
    )


def plan(
    svc: Service,
    tasks: list[Task],
    instances: list[InstanceSnapshot] | None = None,
    *,
    now: datetime = NOW,
    seed: int = 1,
) -> ServicePlan:
    snapshot = ServiceSnapshot(
        service=svc,
        tasks=tuple(tasks),
        instances=tuple(instances or [instance("i1")]),
        now=now,
    )
    return plan_service(snapshot, SeededRandom(seed))


def healthy(n: int, deployment_id: str, prefix: str, **kw: Any) -> list[Task]:
    return [task(f"{prefix}{i}", deployment_id, **kw) for i in range(n)]


def stopped_ids(p: ServicePlan) -> set[str]:
    return {s.task_id for s in p.stops}


def messages(p: ServicePlan) -> list[str]:
    return [e.message for e in p.service.events]


__all__ = [
    "NEW",
    "NOW",
    "OLD",
    "daemon_service",
    "healthy",
    "instance",
    "messages",
    "plan",
    "replace",
    "service",
    "stopped_ids",
    "task",
]
