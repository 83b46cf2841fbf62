"""ECS wire forms of services: the ``Service`` and ``Deployment`` shapes, service references,
``deploymentConfiguration`` and ``loadBalancers`` with ECS's defaults and ranges."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain import arns
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.service import (
    CircuitBreaker,
    Deployment,
    DeploymentConfiguration,
    LoadBalancer,
    SchedulingStrategy,
    Service,
)

__all__ = [
    "deployment_configuration",
    "load_balancers_from_wire",
    "parse_service_ref",
    "service_to_wire",
]

MAX_PERCENT_LIMIT = 2000
"""Dockyard's cap on maximumPercent (ECS documents no upper bound; 20× desired is plenty)."""


def parse_service_ref(ref: str) -> str:
    """A service name or ARN (``…:service/CLUSTER/NAME`` or the old ``…:service/NAME``) → name."""
    if ref.startswith("arn:"):
        resource = ref.split(":", 5)[-1]
        if not resource.startswith("service/"):
            raise InvalidParameterException("Invalid service ARN.")
        return resource.rsplit("/", 1)[-1]
    return ref


def deployment_configuration(
    wire: Mapping[str, Any] | None,
    strategy: SchedulingStrategy,
    current: DeploymentConfiguration | None,
) -> DeploymentConfiguration:
    """``deploymentConfiguration`` with unset fields from ``current`` (UpdateService) or ECS's
    defaults: REPLICA 100 / 200, DAEMON 0 / 100, circuit breaker off."""
    daemon = strategy is SchedulingStrategy.DAEMON
    base = current or DeploymentConfiguration(
        minimum_healthy_percent=0 if daemon else 100, maximum_percent=100 if daemon else 200
    )
    wire = wire or {}
    minimum = wire.get("minimumHealthyPercent", base.minimum_healthy_percent)
    maximum = wire.get("maximumPercent", base.maximum_percent)
    if not 0 <= minimum <= 100:
        raise InvalidParameterException("minimumHealthyPercent must be between 0 and 100.")
    if daemon and maximum != 100:
        raise InvalidParameterException(
            "maximumPercent must be 100 for services with the DAEMON scheduling strategy."
        )
    if not daemon and not 100 <= maximum <= MAX_PERCENT_LIMIT:
        raise InvalidParameterException(
            f"maximumPercent must be between 100 and {MAX_PERCENT_LIMIT}."
        )
    breaker_wire = wire.get("deploymentCircuitBreaker")
    breaker = base.circuit_breaker
    if breaker_wire is not None:
        breaker = CircuitBreaker(
            enable=bool(breaker_wire.get("enable")), rollback=bool(breaker_wire.get("rollback"))
        )
    if wire.get("alarms", {}).get("enable"):
        raise InvalidParameterException(
            "deploymentConfiguration.alarms is not supported by Dockyard yet."
        )
    return DeploymentConfiguration(minimum, maximum, breaker)


def load_balancers_from_wire(items: Any) -> tuple[LoadBalancer, ...]:
    balancers = []
    for item in items or ():
        if item.get("containerName") is None or item.get("containerPort") is None:
            raise InvalidParameterException(
                "A load balancer needs containerName and containerPort."
            )
        if not item.get("targetGroupArn") and not item.get("loadBalancerName"):
            raise InvalidParameterException(
                "A load balancer needs targetGroupArn (or loadBalancerName for a Classic LB)."
            )
        balancers.append(
            LoadBalancer(
                target_group_arn=item.get("targetGroupArn"),
                load_balancer_name=item.get("loadBalancerName"),
                container_name=item["containerName"],
                container_port=int(item["containerPort"]),
            )
        )
    return tuple(balancers)


def service_to_wire(
    ctx: RequestContext, service: Service, counts: Mapping[str, tuple[int, int]]
) -> dict[str, Any]:
    """The ECS ``Service`` shape; ``counts`` are (RUNNING, PENDING) per deployment id."""
    region, account = ctx.region, ctx.account_id
    config = service.deployment_configuration
    deployments = [_deployment_to_wire(ctx, service, d, counts) for d in service.deployments]
    wire: dict[str, Any] = {
        "serviceArn": arns.service_arn(region, account, service.cluster, service.name),
        "serviceName": service.name,
        "clusterArn": arns.cluster_arn(region, account, service.cluster),
        "loadBalancers": [_lb_to_wire(lb) for lb in service.load_balancers],
        "serviceRegistries": [],
        "status": service.status.value,
        "desiredCount": service.desired_count,
        "runningCount": sum(d["runningCount"] for d in deployments),
        "pendingCount": sum(d["pendingCount"] for d in deployments),
        "launchType": service.launch_type,
        "taskDefinition": arns.task_definition_arn(
            region, account, service.task_definition.family, service.task_definition.revision
        ),
        "deploymentConfiguration": {
            "deploymentCircuitBreaker": {
                "enable": config.circuit_breaker.enable,
                "rollback": config.circuit_breaker.rollback,
            },
            "maximumPercent": config.maximum_percent,
            "minimumHealthyPercent": config.minimum_healthy_percent,
        },
        "deployments": deployments,
        "events": [
            {"id": e.event_id, "createdAt": e.created_at, "message": e.message}
            for e in service.events
        ],
        "createdAt": service.created_at,
        "placementConstraints": [
            {k: v for k, v in (("type", t), ("expression", e)) if v is not None}
            for t, e in service.placement_constraints
        ],
        "placementStrategy": [
            {k: v for k, v in (("type", t), ("field", f)) if v is not None}
            for t, f in service.placement_strategy
        ],
        "schedulingStrategy": service.scheduling_strategy.value,
        "deploymentController": {"type": "ECS"},
        "createdBy": service.created_by,
        "enableECSManagedTags": service.enable_ecs_managed_tags,
        "propagateTags": service.propagate_tags,
        "enableExecuteCommand": service.enable_execute_command,
    }
    if service.health_check_grace_period_seconds or service.load_balancers:
        wire["healthCheckGracePeriodSeconds"] = service.health_check_grace_period_seconds
    return wire


def _deployment_to_wire(
    ctx: RequestContext,
    service: Service,
    d: Deployment,
    counts: Mapping[str, tuple[int, int]],
) -> dict[str, Any]:
    owned = [counts.get(i, (0, 0)) for i in (d.deployment_id, *d.adopted)]
    running, pending = sum(r for r, _ in owned), sum(p for _, p in owned)
    return {
        "id": d.deployment_id,
        "status": d.status.value,
        "taskDefinition": arns.task_definition_arn(
            ctx.region, ctx.account_id, d.task_definition.family, d.task_definition.revision
        ),
        "desiredCount": d.desired_count,
        "pendingCount": pending,
        "runningCount": running,
        "failedTasks": d.failed_tasks,
        "createdAt": d.created_at,
        "updatedAt": d.updated_at,
        "launchType": d.launch_type,
        "rolloutState": d.rollout_state.value,
        "rolloutStateReason": d.rollout_state_reason,
    }


def _lb_to_wire(lb: LoadBalancer) -> dict[str, Any]:
    wire = {
        "targetGroupArn": lb.target_group_arn,
        "loadBalancerName": lb.load_balancer_name,
        "containerName": lb.container_name,
        "containerPort": lb.container_port,
    }
    return {k: v for k, v in wire.items() if v is not None}
