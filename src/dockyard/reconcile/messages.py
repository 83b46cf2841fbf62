"""Service event messages and stop reasons, in ECS's words (ecs-reference §3)."""

from __future__ import annotations

from collections.abc import Sequence

MAX_TASKS_PER_EVENT = 10
"""Long id lists are cut; the count in the message stays exact."""


def _tasks(ids: Sequence[str]) -> str:
    return " ".join(f"(task {i})" for i in ids[:MAX_TASKS_PER_EVENT])


def started(service: str, task_ids: Sequence[str]) -> str:
    return f"(service {service}) has started {len(task_ids)} tasks: {_tasks(task_ids)}."


def stopped(service: str, task_ids: Sequence[str]) -> str:
    return f"(service {service}) has stopped {len(task_ids)} running tasks: {_tasks(task_ids)}."


def steady(service: str) -> str:
    return f"(service {service}) has reached a steady state."


def deployment_completed(service: str, deployment_id: str) -> str:
    return f"(service {service}) (deployment {deployment_id}) deployment completed."


def deployment_failed(service: str, deployment_id: str) -> str:
    return (
        f"(service {service}) (deployment {deployment_id}) deployment failed: "
        "tasks failed to start."
    )


def rolling_back(service: str, deployment_id: str) -> str:
    return f"(service {service}) rolling back to deployment {deployment_id}."


def stuck(service: str) -> str:
    return (
        f"(service {service}) was unable to stop or start tasks during a deployment because of "
        "the service deployment configuration. Update the minimumHealthyPercent or "
        "maximumPercent value and try again."
    )


def start_impaired(service: str) -> str:
    return f"(service {service}) is unable to consistently start tasks successfully."


def unable_to_place(service: str, detail: str) -> str:
    return f"(service {service}) was unable to place a task because {detail}"


def completed_reason(deployment_id: str) -> str:
    return f"ECS deployment {deployment_id} completed."


CIRCUIT_BREAKER_FAILED_REASON = "ECS deployment circuit breaker: task failed to start."


def rollback_reason(deployment_id: str) -> str:
    return f"ECS deployment circuit breaker: rolling back to deploymentId {deployment_id}."


def scaling_stop_reason(deployment_id: str) -> str:
    """stoppedReason of tasks the scheduler stops to scale in or replace."""
    return f"Scaling activity initiated by (deployment {deployment_id})"


UNHEALTHY_STOP_REASON = "Task failed container health checks"


def elb_unhealthy_reason(target_group_arn: str) -> str:
    return f"Task failed ELB health checks in (target-group {target_group_arn})"


LOST_STOP_REASON = "Task's container instance is no longer registered"
DRAINING_STOP_REASON = "Container instance is draining"
