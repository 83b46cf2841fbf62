"""ECS container-instance operations: Register, Deregister, Describe, List, UpdateState.

Tasks arrive with the agent; until then an instance's remaining resources equal its registered
ones and its task counts are zero, which is exactly true.
"""

from __future__ import annotations

import json
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.placement_wire import cluster_snapshots
from dockyard.api.ecs.wire import request_cluster, tags_from_wire, tags_to_wire
from dockyard.domain import arns
from dockyard.domain.cluster import ClusterStatus
from dockyard.domain.container_instance import (
    Attribute,
    ContainerInstance,
    ContainerInstanceStatus,
    Resource,
    VersionInfo,
    can_set_status,
    validate_attribute,
    validate_attribute_count,
    validate_resources,
)
from dockyard.domain.errors import ClusterNotFoundException, InvalidParameterException
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.domain.tags import merge_tags
from dockyard.infra.ids import hex_id
from dockyard.store.repositories.tasks import InstanceUsage
from dockyard.store.uow import UnitOfWork

if TYPE_CHECKING:
    from dockyard.placement.query import Query

MAX_DESCRIBE = 100
MAX_UPDATE_STATE = 10


def instance_arn(ctx: RequestContext, instance: ContainerInstance) -> str:
    return arns.container_instance_arn(
        ctx.region, ctx.account_id, instance.cluster, instance.instance_id
    )


def parse_instance_ref(ref: str, cluster: str) -> str | None:
    """The instance id a reference names in ``cluster`` (ARN or bare id); None for another
    cluster's ARN or a malformed one."""
    if not ref.startswith("arn:"):
        return ref.rsplit("/", 1)[-1]
    parsed = arns.parse_arn(ref)
    if parsed is None or parsed.resource_type != "container-instance":
        return None
    owner, _, instance_id = parsed.resource_path.rpartition("/")
    if owner and owner != cluster:
        return None
    return instance_id


def require_active_cluster(ctx: RequestContext, uow: UnitOfWork, name: str) -> None:
    cluster = uow.clusters.get(ctx.region, name)
    if cluster is None or cluster.status is not ClusterStatus.ACTIVE:
        raise ClusterNotFoundException()


def register_container_instance(ctx: RequestContext, params: Params) -> Result:
    """Register a host, or re-register one (same ARN) when ``containerInstanceArn`` is given."""
    cluster = request_cluster(ctx, params)
    resources = _resources(params.get("totalResources"))
    validate_resources(resources)
    attributes = _attributes(params.get("attributes"))
    tags = tags_from_wire(params.get("tags"))
    merge_tags({}, tags)
    info = params.get("versionInfo") or {}
    version_info = VersionInfo(
        info.get("agentVersion"), info.get("agentHash"), info.get("dockerVersion")
    )
    identity = _identity_document(params.get("instanceIdentityDocument"))
    existing_ref = params.get("containerInstanceArn")

    def write(uow: UnitOfWork) -> ContainerInstance:
        require_active_cluster(ctx, uow, cluster)
        previous = None
        if existing_ref:
            instance_id = parse_instance_ref(existing_ref, cluster)
            previous = uow.container_instances.get(ctx.region, cluster, instance_id or "")
        if previous is not None:
            updated = replace(
                previous,
                registered_resources=resources,
                version_info=version_info,
                status=ContainerInstanceStatus.ACTIVE,
                last_heartbeat_at=ctx.now,
            ).with_attributes(attributes)
            return uow.container_instances.save(updated)
        instance_id = hex_id(ctx.deps.rng)
        instance = ContainerInstance(
            instance_id=instance_id,
            cluster=cluster,
            region=ctx.region,
            ec2_instance_id=str(identity.get("instanceId") or f"i-{instance_id[:17]}"),
            status=ContainerInstanceStatus.ACTIVE,
            registered_resources=resources,
            attributes=(),
            version_info=version_info,
            registered_at=ctx.now,
            last_heartbeat_at=ctx.now,
        ).with_attributes(attributes)
        stored = uow.container_instances.add(instance)
        if tags:
            uow.tags.replace(instance_arn(ctx, stored), dict(tags))
        return stored

    instance = ctx.store.write(write)
    ctx.deps.services.wake_cluster(ctx.region, cluster)  # DAEMON services follow new hosts
    return {"containerInstance": instance_to_wire(ctx, instance)}


def deregister_container_instance(ctx: RequestContext, params: Params) -> Result:
    """INACTIVE, no longer listed, still describable. ``force`` matters once tasks exist."""
    cluster = request_cluster(ctx, params)
    instance_id = parse_instance_ref(params["containerInstance"], cluster)

    force = bool(params.get("force"))

    def write(uow: UnitOfWork) -> ContainerInstance:
        require_active_cluster(ctx, uow, cluster)
        instance = uow.container_instances.get(ctx.region, cluster, instance_id or "")
        if instance is None or instance.status is ContainerInstanceStatus.INACTIVE:
            raise InvalidParameterException("Container instance not found.")
        usage = uow.tasks.usage_by_instance(ctx.region, cluster, [instance.instance_id])
        if usage and not force:
            raise InvalidParameterException(
                "Found running tasks on the instance; use force to deregister it anyway "
                "(its tasks keep running, unmanaged)."
            )
        return uow.container_instances.save(
            replace(instance, status=ContainerInstanceStatus.INACTIVE)
        )

    instance = ctx.store.write(write)
    ctx.deps.services.wake_cluster(ctx.region, cluster)
    return {"containerInstance": instance_to_wire(ctx, instance)}


def describe_container_instances(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    refs = list(params["containerInstances"])
    if len(refs) > MAX_DESCRIBE:
        raise InvalidParameterException(
            f"containerInstances can have at most {MAX_DESCRIBE} items."
        )
    include = set(params.get("include") or ())
    ids = [parse_instance_ref(ref, cluster) for ref in refs]

    def read(
        uow: UnitOfWork,
    ) -> tuple[dict[str, ContainerInstance], dict[str, dict[str, str]], dict[str, InstanceUsage]]:
        require_active_cluster(ctx, uow, cluster)
        found = uow.container_instances.get_many(ctx.region, cluster, [i for i in ids if i])
        tags = (
            uow.tags.get_many(instance_arn(ctx, i) for i in found.values())
            if "TAGS" in include
            else {}
        )
        return found, tags, uow.tasks.usage_by_instance(ctx.region, cluster, list(found))

    found, tags, usage = ctx.store.read(read)
    instances, failures = [], []
    for ref, instance_id in zip(refs, ids, strict=True):
        instance = found.get(instance_id or "")
        if instance is None:
            failures.append({"arn": ref, "reason": "MISSING"})
            continue
        wire = instance_to_wire(ctx, instance, usage.get(instance.instance_id))
        if "TAGS" in include:
            wire["tags"] = tags_to_wire(tags.get(wire["containerInstanceArn"], {}))
        instances.append(wire)
    return {"containerInstances": instances, "failures": failures}


def list_container_instances(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    status = params.get("status")
    statuses = (status,) if status else ("ACTIVE", "DRAINING")
    limit = page_size(params.get("maxResults"), default=100)
    token = params.get("nextToken")
    after = str(decode_token("ListContainerInstances", token)[0]) if token else None

    query = _compile(params["filter"]) if params.get("filter") else None

    def read(uow: UnitOfWork) -> list[str]:
        require_active_cluster(ctx, uow, cluster)
        if query is not None:
            return _filtered_page(ctx, uow, cluster, query, statuses, after, limit)
        page = uow.container_instances.list_page(
            ctx.region, cluster, statuses=statuses, after=after, limit=limit
        )
        return [i.instance_id for i in page]

    ids = ctx.store.read(read)
    result: Result = {
        "containerInstanceArns": [
            arns.container_instance_arn(ctx.region, ctx.account_id, cluster, i) for i in ids
        ]
    }
    if len(ids) == limit:
        result["nextToken"] = encode_token("ListContainerInstances", [ids[-1]])
    return result


def _compile(expression: str) -> Query:
    from dockyard.placement.query import compile_cached

    return compile_cached(expression)


def _filtered_page(
    ctx: RequestContext,
    uow: UnitOfWork,
    cluster: str,
    query: Query,
    statuses: tuple[str, ...],
    after: str | None,
    limit: int,
) -> list[str]:
    """Ids of the instances matching ``query`` (cluster query language), by id. The query
    sees what placement sees, so only ACTIVE and DRAINING instances can match."""
    wanted = {"ACTIVE": True, "DRAINING": False}
    matched = [
        s.instance_id
        for s in cluster_snapshots(ctx, uow, cluster)
        if any(wanted.get(status) is s.active for status in statuses)
        and (after is None or s.instance_id > after)
        and query.matches(s)
    ]
    return matched[:limit]


def update_container_instances_state(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    refs = list(params["containerInstances"])
    if len(refs) > MAX_UPDATE_STATE:
        raise InvalidParameterException(
            f"containerInstances can have at most {MAX_UPDATE_STATE} items."
        )
    target = ContainerInstanceStatus(params["status"])

    def write(uow: UnitOfWork) -> tuple[list[ContainerInstance], list[dict[str, str]]]:
        require_active_cluster(ctx, uow, cluster)
        updated, failures = [], []
        for ref in refs:
            instance_id = parse_instance_ref(ref, cluster)
            instance = uow.container_instances.get(ctx.region, cluster, instance_id or "")
            if instance is None:
                failures.append({"arn": ref, "reason": "MISSING"})
            elif not can_set_status(instance.status, target):
                failures.append({"arn": ref, "reason": "INACTIVE"})
            else:
                updated.append(uow.container_instances.save(replace(instance, status=target)))
        return updated, failures

    updated, failures = ctx.store.write(write)
    ctx.deps.services.wake_cluster(ctx.region, cluster)  # draining moves service tasks
    return {
        "containerInstances": [instance_to_wire(ctx, i) for i in updated],
        "failures": failures,
    }


def instance_to_wire(
    ctx: RequestContext, instance: ContainerInstance, usage: InstanceUsage | None = None
) -> dict[str, Any]:
    """The ECS ``ContainerInstance`` shape; ``usage`` is what its live tasks hold."""
    usage = usage or InstanceUsage()
    resources = [_resource_to_wire(r) for r in instance.registered_resources]
    remaining = [_resource_to_wire(_remaining(r, usage)) for r in instance.registered_resources]
    wire: dict[str, Any] = {
        "containerInstanceArn": instance_arn(ctx, instance),
        "ec2InstanceId": instance.ec2_instance_id,
        "version": instance.version,
        "versionInfo": {
            k: v
            for k, v in {
                "agentVersion": instance.version_info.agent_version,
                "agentHash": instance.version_info.agent_hash,
                "dockerVersion": instance.version_info.docker_version,
            }.items()
            if v is not None
        },
        "remainingResources": remaining,
        "registeredResources": resources,
        "status": instance.status.value,
        "agentConnected": instance.agent_connected(ctx.now),
        "runningTasksCount": usage.running_count,
        "pendingTasksCount": usage.pending_count,
        "attributes": [
            {"name": a.name, **({"value": a.value} if a.value is not None else {})}
            for a in instance.attributes
        ],
        "registeredAt": instance.registered_at,
        "attachments": [],
    }
    if instance.status_reason:
        wire["statusReason"] = instance.status_reason
    if instance.capacity_provider_name:
        wire["capacityProviderName"] = instance.capacity_provider_name
    return wire


def _remaining(resource: Resource, usage: InstanceUsage) -> Resource:
    """Registered minus held: CPU and MEMORY subtract, PORTS / PORTS_UDP gain taken ports."""
    if resource.name == "CPU":
        return replace(resource, integer_value=resource.integer_value - usage.cpu)
    if resource.name == "MEMORY":
        return replace(resource, integer_value=resource.integer_value - usage.memory)
    protocol = {"PORTS": "tcp", "PORTS_UDP": "udp"}.get(resource.name)
    if protocol is None:
        return resource
    taken = {str(port) for port, proto in usage.ports if proto == protocol}
    merged = sorted(set(resource.string_set_value) | taken, key=lambda p: (len(p), p))
    return replace(resource, string_set_value=tuple(merged))


def _resource_to_wire(resource: Resource) -> dict[str, Any]:
    wire: dict[str, Any] = {"name": resource.name, "type": resource.type}
    if resource.type == "STRINGSET":
        wire["stringSetValue"] = list(resource.string_set_value)
    elif resource.type == "LONG":
        wire["longValue"] = resource.long_value
    elif resource.type == "DOUBLE":
        wire["doubleValue"] = resource.double_value
    else:
        wire["integerValue"] = resource.integer_value
    return wire


def _resources(items: Any) -> tuple[Resource, ...]:
    resources = []
    for item in items or ():
        if not item.get("name") or not item.get("type"):
            raise InvalidParameterException("Each resource requires a name and a type.")
        resources.append(
            Resource(
                name=item["name"],
                type=item["type"],
                integer_value=item.get("integerValue") or 0,
                string_set_value=tuple(item.get("stringSetValue") or ()),
                long_value=item.get("longValue") or 0,
                double_value=item.get("doubleValue") or 0.0,
            )
        )
    return tuple(resources)


def _attributes(items: Any) -> tuple[Attribute, ...]:
    attributes = tuple(Attribute(a["name"], a.get("value")) for a in items or ())
    for attribute in attributes:
        validate_attribute(attribute)
    validate_attribute_count(attributes)
    return attributes


def _identity_document(text: str | None) -> dict[str, Any]:
    if not text:
        return {}
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InvalidParameterException("instanceIdentityDocument is not valid JSON.") from exc
    if not isinstance(document, dict):
        raise InvalidParameterException("instanceIdentityDocument must be a JSON object.")
    return document
