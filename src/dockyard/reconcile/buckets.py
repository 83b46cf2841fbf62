"""Sort a service's tasks into named buckets (the glossary in ``README.md``). Pure.

The rule table is ordered: the first rule that matches names the bucket.

=====================  ===============================================================
bucket                 rule
=====================  ===============================================================
stopped                lastStatus STOPPED
stopping               desiredStatus STOPPED (the scheduler or a user already asked)
lost                   its container instance is no longer registered
unhealthy              RUNNING, healthStatus UNHEALTHY, health-check grace period over
on-draining-instance   its container instance is DRAINING
pending                not yet RUNNING
warming                RUNNING but not yet counted healthy (40-second rule, health
                       UNKNOWN, or UNHEALTHY within the grace period)
healthy                RUNNING and healthy: every essential health check passes, or 40 s
                       after RUNNING when it has none
=====================  ===============================================================

Each task is also *current* (of the PRIMARY deployment) or *old*. A task in
``on-draining-instance`` keeps its health in :attr:`TaskView.healthy` since it still counts
toward minimumHealthyPercent until it stops.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import Enum

from dockyard.domain.service import Deployment
from dockyard.domain.task import Task
from dockyard.domain.task_status import DesiredStatus, HealthStatus, TaskStatus

HEALTHY_AFTER_RUNNING = timedelta(seconds=40)
"""ECS counts a task without container health checks (and no load balancer) healthy 40
seconds after it reaches RUNNING."""


class Bucket(Enum):
    STOPPED = "stopped"
    STOPPING = "stopping"
    LOST = "lost"
    UNHEALTHY = "unhealthy"
    ON_DRAINING_INSTANCE = "on-draining-instance"
    PENDING = "pending"
    WARMING = "warming"
    HEALTHY = "healthy"

    @property
    def live(self) -> bool:
        """Still wanted RUNNING by the scheduler (counts toward maximumPercent)."""
        return self not in (Bucket.STOPPED, Bucket.STOPPING)


@dataclass(frozen=True, slots=True)
class TaskView:
    task: Task
    bucket: Bucket
    current: bool
    healthy: bool
    healthy_at: datetime | None = None
    """When a warming task will count healthy by the clock alone (40-second rule, grace end)."""

    @property
    def task_id(self) -> str:
        return self.task.task_id

    @property
    def deployment_id(self) -> str | None:
        return self.task.started_by


@dataclass(frozen=True, slots=True)
class HealthRules:
    """How health is judged: the 40-second rule and the service's grace period."""

    healthy_after: timedelta = HEALTHY_AFTER_RUNNING
    grace: timedelta = timedelta(0)
    lb_states: Mapping[str, str | None] = field(default_factory=dict)
    """Task id → load-balancer health (``healthy`` / ``unhealthy`` / ``initial``) for a
    service behind load balancers; such a task counts healthy only when its targets are
    (and its container health checks pass, if it has any)."""
    behind_lb: bool = False


def classify(
    tasks: Iterable[Task],
    *,
    primary: Deployment,
    instance_states: Mapping[str, bool],
    rules: HealthRules,
    now: datetime,
) -> list[TaskView]:
    """Views of ``tasks``; ``instance_states`` maps registered instance ids to "is DRAINING"."""
    return [_view(t, primary, instance_states, rules, now) for t in tasks]


def _view(
    task: Task,
    primary: Deployment,
    instances: Mapping[str, bool],
    rules: HealthRules,
    now: datetime,
) -> TaskView:
    current = primary.owns(task.started_by)
    healthy, healthy_at = _health(task, rules, now)
    if task.last_status is TaskStatus.STOPPED:
        bucket = Bucket.STOPPED
    elif task.desired_status is DesiredStatus.STOPPED:
        bucket = Bucket.STOPPING
    elif task.instance_id is not None and task.instance_id not in instances:
        bucket = Bucket.LOST
    elif _unhealthy(task, rules, now):
        bucket = Bucket.UNHEALTHY
    elif task.instance_id is not None and instances[task.instance_id]:
        bucket = Bucket.ON_DRAINING_INSTANCE
    elif task.last_status.rank < TaskStatus.RUNNING.rank:
        bucket = Bucket.PENDING
    elif not healthy:
        bucket = Bucket.WARMING
    else:
        bucket = Bucket.HEALTHY
    return TaskView(task, bucket, current, healthy and bucket.live, healthy_at)


def _health(task: Task, rules: HealthRules, now: datetime) -> tuple[bool, datetime | None]:
    if task.last_status is not TaskStatus.RUNNING or task.started_at is None:
        return False, None
    if rules.behind_lb:
        containers_ok = task.health_status is HealthStatus.HEALTHY or not any(
            c.has_health_check for c in task.containers
        )
        return containers_ok and rules.lb_states.get(task.task_id) == "healthy", None
    if any(c.essential and c.has_health_check for c in task.containers) or any(
        c.has_health_check for c in task.containers
    ):
        return task.health_status is HealthStatus.HEALTHY, None
    at = task.started_at + rules.healthy_after
    return now >= at, at


def _unhealthy(task: Task, rules: HealthRules, now: datetime) -> bool:
    if task.last_status is not TaskStatus.RUNNING:
        return False
    failing = task.health_status is HealthStatus.UNHEALTHY or (
        rules.behind_lb and rules.lb_states.get(task.task_id) == "unhealthy"
    )
    if not failing:
        return False
    return task.started_at is None or now >= task.started_at + rules.grace


def grace_ends(views: Sequence[TaskView], rules: HealthRules) -> list[datetime]:
    """When unhealthy tasks still inside their grace period become replaceable."""
    return [
        v.task.started_at + rules.grace
        for v in views
        if v.bucket is Bucket.WARMING
        and v.task.health_status is HealthStatus.UNHEALTHY
        and v.task.started_at is not None
    ]


def in_bucket(
    views: Iterable[TaskView], *buckets: Bucket, current: bool | None = None
) -> list[TaskView]:
    """Views in any of ``buckets`` (and of the current / old deployments when given)."""
    wanted = set(buckets)
    return [v for v in views if v.bucket in wanted and (current is None or v.current is current)]
