"""ECS service operations: CreateService, UpdateService, DeleteService, DescribeServices,
ListServices, ListServicesByNamespace.

Handlers validate, then change the stored service in one transaction and wake the service
controller (:mod:`dockyard.control.service_controller`), which does the rest: tasks are never
started or stopped here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.container_instances import require_active_cluster
from dockyard.api.ecs.placement_wire import constraints_from_wire, strategies_from_wire
from dockyard.api.ecs.service_wire import (
    deployment_configuration,
    load_balancers_from_wire,
    parse_service_ref,
    service_to_wire,
)
from dockyard.api.ecs.task_definitions import parse_task_definition_ref
from dockyard.api.ecs.wire import request_cluster, tags_from_wire
from dockyard.domain import arns
from dockyard.domain.errors import (
    ClientException,
    InvalidParameterException,
    ServiceNotActiveException,
    ServiceNotFoundException,
)
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.domain.service import (
    IN_PROGRESS_REASON,
    MAX_LOAD_BALANCERS,
    LoadBalancer,
    SchedulingStrategy,
    Service,
    ServiceStatus,
    TaskDefinitionRef,
    validate_service_name,
)
from dockyard.domain.tags import merge_tags
from dockyard.domain.task_definition import NetworkMode, TaskDefinition
from dockyard.domain.task_definition import TaskDefinitionStatus as TdStatus
from dockyard.placement import validate_placement
from dockyard.store.uow import UnitOfWork

MAX_DESCRIBE = 10
MAX_DESIRED_COUNT = 5000
"""ECS: tasks per service (a quota)."""


def create_service(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    name = params["serviceName"]
    validate_service_name(name)
    _refuse_unsupported(params)
    strategy = SchedulingStrategy(params.get("schedulingStrategy") or "REPLICA")
    desired = _desired_count(params, strategy, required=True)
    config = deployment_configuration(params.get("deploymentConfiguration"), strategy, None)
    constraints, strategies = _placement(params, strategy)
    tags = tags_from_wire(params.get("tags"))
    merge_tags({}, tags)
    grace = _grace(params.get("healthCheckGracePeriodSeconds"))
    if "taskDefinition" not in params:
        raise InvalidParameterException("TaskDefinition must be specified.")
    family, revision = parse_task_definition_ref(params["taskDefinition"])

    def write(uow: UnitOfWork) -> Service:
        require_active_cluster(ctx, uow, cluster)
        td = _task_definition(ctx, uow, family, revision)
        balancers = _load_balancers(params.get("loadBalancers"), td)
        candidate = Service(
            name=name,
            region=ctx.region,
            cluster=cluster,
            task_definition=TaskDefinitionRef(td.family, td.revision),
            created_at=ctx.now,
            created_by=ctx.principal.arn,
            scheduling_strategy=strategy,
            desired_count=desired,
            launch_type=params.get("launchType") or "EC2",
            placement_constraints=constraints,
            placement_strategy=strategies,
            deployment_configuration=config,
            health_check_grace_period_seconds=grace,
            propagate_tags=params.get("propagateTags") or "NONE",
            enable_ecs_managed_tags=bool(params.get("enableECSManagedTags")),
            enable_execute_command=bool(params.get("enableExecuteCommand")),
            load_balancers=balancers,
            client_token=params.get("clientToken"),
        )
        existing = uow.services.get(ctx.region, cluster, name)
        if existing is not None and existing.status is not ServiceStatus.INACTIVE:
            if _same_creation(existing, candidate):
                return existing
            raise InvalidParameterException("Creation of service was not idempotent.")
        service = candidate.with_new_deployment(
            candidate.task_definition, ctx.now, ctx.deps.rng, reason=IN_PROGRESS_REASON
        )
        stored = uow.services.add(service)
        if tags:
            uow.tags.replace(_arn(ctx, stored), dict(tags))
        return stored

    service = ctx.store.write(write)
    ctx.deps.services.wake([(ctx.region, cluster, name)])
    return {"service": _describe_one(ctx, service, include_tags=False)}


def update_service(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    name = parse_service_ref(params["service"])
    _refuse_unsupported(params)
    force = bool(params.get("forceNewDeployment"))
    ref = (
        parse_task_definition_ref(params["taskDefinition"])
        if params.get("taskDefinition")
        else None
    )

    def write(uow: UnitOfWork) -> Service:
        require_active_cluster(ctx, uow, cluster)
        service = _get(ctx, uow, cluster, name)
        if service.status is not ServiceStatus.ACTIVE:
            raise ServiceNotActiveException()
        td = _task_definition(ctx, uow, *ref) if ref else _current_definition(ctx, uow, service)
        updated = _updated_fields(service, params, td)
        new_ref = TaskDefinitionRef(td.family, td.revision)
        balancers_changed = updated.load_balancers != service.load_balancers
        if force or new_ref != service.task_definition or balancers_changed:
            updated = updated.with_new_deployment(
                new_ref, ctx.now, ctx.deps.rng, reason=IN_PROGRESS_REASON
            )
        elif updated.desired_count != service.desired_count:
            updated = replace(updated, steady=False)
        return uow.services.save(updated) if updated != service else service

    service = ctx.store.write(write)
    ctx.deps.services.wake([(ctx.region, cluster, name)])
    return {"service": _describe_one(ctx, service, include_tags=False)}


def delete_service(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    name = parse_service_ref(params["service"])
    force = bool(params.get("force"))

    def write(uow: UnitOfWork) -> Service:
        require_active_cluster(ctx, uow, cluster)
        service = _get(ctx, uow, cluster, name)
        if service.status is not ServiceStatus.ACTIVE:
            raise ServiceNotActiveException()
        replica = service.scheduling_strategy is SchedulingStrategy.REPLICA
        if replica and service.desired_count > 0 and not force:
            raise InvalidParameterException(
                "The service cannot be stopped while it is scaled above 0."
            )
        draining = replace(service, status=ServiceStatus.DRAINING, desired_count=0, steady=False)
        return uow.services.save(draining)

    service = ctx.store.write(write)
    ctx.deps.services.wake([(ctx.region, cluster, name)])
    return {"service": _describe_one(ctx, service, include_tags=False)}


def describe_services(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    refs = list(params["services"])
    if not 1 <= len(refs) <= MAX_DESCRIBE:
        raise InvalidParameterException(f"services can have between 1 and {MAX_DESCRIBE} items.")
    include_tags = "TAGS" in (params.get("include") or ())
    names = [parse_service_ref(r) for r in refs]

    def read(uow: UnitOfWork) -> tuple[dict[str, Service], Any, dict[str, dict[str, str]]]:
        require_active_cluster(ctx, uow, cluster)
        found = uow.services.get_many(ctx.region, cluster, names)
        counts = uow.tasks.service_counts(ctx.region, cluster, found)
        tags = uow.tags.get_many(_arn(ctx, s) for s in found.values()) if include_tags else {}
        return found, counts, tags

    found, counts, tags = ctx.store.read(read)
    services, failures = [], []
    for ref, service_name in zip(refs, names, strict=True):
        service = found.get(service_name)
        if service is None:
            failures.append({"arn": _missing_arn(ctx, cluster, ref), "reason": "MISSING"})
            continue
        wire = service_to_wire(ctx, service, counts.get(service_name, {}))
        if include_tags:
            wire["tags"] = [
                {"key": k, "value": v} for k, v in tags.get(_arn(ctx, service), {}).items()
            ]
        services.append(wire)
    return {"services": services, "failures": failures}


def list_services(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    limit = page_size(params.get("maxResults"), default=10)
    token = params.get("nextToken")
    after = str(decode_token("ListServices", token)[0]) if token else None

    def read(uow: UnitOfWork) -> list[str]:
        require_active_cluster(ctx, uow, cluster)
        return uow.services.list_page(
            ctx.region,
            cluster,
            launch_type=params.get("launchType"),
            scheduling_strategy=params.get("schedulingStrategy"),
            after=after,
            limit=limit,
        )

    page = ctx.store.read(read)
    result: Result = {
        "serviceArns": [arns.service_arn(ctx.region, ctx.account_id, cluster, n) for n in page]
    }
    if len(page) == limit:
        result["nextToken"] = encode_token("ListServices", [page[-1]])
    return result


def list_services_by_namespace(ctx: RequestContext, params: Params) -> Result:
    """Service Connect / Cloud Map namespaces do not exist in Dockyard yet: always empty."""
    return {"serviceArns": []}


def _describe_one(ctx: RequestContext, service: Service, *, include_tags: bool) -> dict[str, Any]:
    counts = ctx.store.read(
        lambda uow: uow.tasks.service_counts(ctx.region, service.cluster, [service.name])
    )
    return service_to_wire(ctx, service, counts.get(service.name, {}))


def _get(ctx: RequestContext, uow: UnitOfWork, cluster: str, name: str) -> Service:
    service = uow.services.get(ctx.region, cluster, name)
    if service is None:
        raise ServiceNotFoundException()
    return service


def _arn(ctx: RequestContext, service: Service) -> str:
    return arns.service_arn(ctx.region, ctx.account_id, service.cluster, service.name)


def _missing_arn(ctx: RequestContext, cluster: str, ref: str) -> str:
    return (
        ref
        if ref.startswith("arn:")
        else arns.service_arn(ctx.region, ctx.account_id, cluster, ref)
    )


def _refuse_unsupported(params: Params) -> None:
    """Inputs Dockyard does not honour yet are refused, never silently ignored."""
    if params.get("launchType") not in (None, "EC2", "EXTERNAL"):
        raise InvalidParameterException(
            f"launchType {params['launchType']} is not supported by Dockyard yet."
        )
    if params.get("capacityProviderStrategy"):
        raise InvalidParameterException(
            "capacityProviderStrategy is not supported by Dockyard yet."
        )
    controller = (params.get("deploymentController") or {}).get("type", "ECS")
    if controller != "ECS":
        raise InvalidParameterException(
            f"deploymentController {controller} is not supported by Dockyard yet; use ECS."
        )
    if params.get("serviceRegistries"):
        raise InvalidParameterException("serviceRegistries are not supported by Dockyard yet.")
    network = (params.get("networkConfiguration") or {}).get("awsvpcConfiguration")
    if network:
        raise InvalidParameterException(
            "networkConfiguration (awsvpc) is not supported by Dockyard's Docker hosts."
        )


def _desired_count(params: Params, strategy: SchedulingStrategy, *, required: bool) -> int:
    value = params.get("desiredCount")
    if strategy is SchedulingStrategy.DAEMON:
        if value not in (None, 0) and required:
            raise InvalidParameterException(
                "The daemon scheduling strategy does not support a desired count for services."
            )
        return 0
    if value is None:
        if required:
            raise InvalidParameterException(
                "The desired count must be specified for services with the REPLICA scheduling "
                "strategy."
            )
        return 0
    if not 0 <= value <= MAX_DESIRED_COUNT:
        raise InvalidParameterException(f"desiredCount must be between 0 and {MAX_DESIRED_COUNT}.")
    return int(value)


def _placement(
    params: Params, strategy: SchedulingStrategy
) -> tuple[tuple[tuple[str, str | None], ...], tuple[tuple[str, str | None], ...]]:
    constraints = constraints_from_wire(params.get("placementConstraints"))
    strategies = strategies_from_wire(params.get("placementStrategy"))
    if strategies and strategy is SchedulingStrategy.DAEMON:
        raise InvalidParameterException(
            "Placement strategies are not supported with DAEMON scheduling strategy."
        )
    if any(not c.type for c in constraints):
        raise InvalidParameterException("Each placement constraint needs a type.")
    validate_placement(constraints, strategies)
    return (
        tuple((c.type, c.expression) for c in constraints),
        tuple((s.type, s.field) for s in strategies),
    )


def _grace(value: Any) -> int:
    if value is None:
        return 0
    if not 0 <= int(value) <= 2_147_483_647:
        raise InvalidParameterException(
            "healthCheckGracePeriodSeconds must be between 0 and 2147483647."
        )
    return int(value)


def _task_definition(
    ctx: RequestContext, uow: UnitOfWork, family: str, revision: int | None
) -> TaskDefinition:
    if revision is None:
        td = uow.task_definitions.latest_active(ctx.region, family)
    else:
        td = uow.task_definitions.get(ctx.region, family, revision)
    if td is None or td.status is TdStatus.DELETE_IN_PROGRESS:
        raise ClientException("TaskDefinition not found.")
    if td.status is not TdStatus.ACTIVE:
        raise ClientException("TaskDefinition is inactive")
    if td.effective_network_mode is NetworkMode.AWSVPC:
        raise InvalidParameterException(
            "Network mode awsvpc needs an ENI per task, which Dockyard's Docker hosts cannot "
            "provide; use bridge or host."
        )
    return td


def _current_definition(ctx: RequestContext, uow: UnitOfWork, service: Service) -> TaskDefinition:
    """The revision a service runs; existing services keep running on INACTIVE revisions."""
    ref = service.task_definition
    td = uow.task_definitions.get(ctx.region, ref.family, ref.revision)
    if td is None:
        raise ClientException("TaskDefinition not found.")
    return td


def _load_balancers(items: Any, td: TaskDefinition) -> tuple[LoadBalancer, ...]:
    balancers = load_balancers_from_wire(items)
    if len(balancers) > MAX_LOAD_BALANCERS:
        raise InvalidParameterException(
            f"A service can have at most {MAX_LOAD_BALANCERS} load balancers."
        )
    for lb in balancers:
        container = next((c for c in td.container_definitions if c.name == lb.container_name), None)
        if container is None:
            raise InvalidParameterException(
                f"The container {lb.container_name} does not exist in the task definition."
            )
        ports = {p.container_port for p in container.port_mappings}
        if lb.container_port not in ports:
            raise InvalidParameterException(
                f"The container {lb.container_name} did not have a container port "
                f"{lb.container_port} defined."
            )
    return balancers


def _updated_fields(service: Service, params: Params, td: TaskDefinition) -> Service:
    """The service with UpdateService's fields applied (unset ones keep their value); ``td``
    is the task definition the service will run (load balancers are checked against it)."""
    strategy = service.scheduling_strategy
    changes: dict[str, Any] = {}
    if params.get("desiredCount") is not None:
        if strategy is SchedulingStrategy.DAEMON:
            raise InvalidParameterException(
                "The daemon scheduling strategy does not support a desired count for services."
            )
        changes["desired_count"] = _desired_count(params, strategy, required=False)
    if params.get("deploymentConfiguration") is not None:
        changes["deployment_configuration"] = deployment_configuration(
            params["deploymentConfiguration"], strategy, service.deployment_configuration
        )
    if "placementConstraints" in params or "placementStrategy" in params:
        constraints, strategies = _placement(params, strategy)
        if "placementConstraints" in params:
            changes["placement_constraints"] = constraints
        if "placementStrategy" in params:
            changes["placement_strategy"] = strategies
    if params.get("healthCheckGracePeriodSeconds") is not None:
        changes["health_check_grace_period_seconds"] = _grace(
            params["healthCheckGracePeriodSeconds"]
        )
    for wire, attr in (
        ("propagateTags", "propagate_tags"),
        ("enableECSManagedTags", "enable_ecs_managed_tags"),
        ("enableExecuteCommand", "enable_execute_command"),
    ):
        if params.get(wire) is not None:
            changes[attr] = params[wire]
    if params.get("loadBalancers") is not None:
        changes["load_balancers"] = _load_balancers(params["loadBalancers"], td)
    return replace(service, **changes) if changes else service


def _same_creation(existing: Service, candidate: Service) -> bool:
    """CreateService repeated with the same client token returns the existing service."""
    return candidate.client_token is not None and existing.client_token == candidate.client_token
