"""ECS cluster operations: Create, Describe, List, Update, UpdateSettings,
PutClusterCapacityProviders and Delete."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.wire import cluster_name, request_cluster, tags_from_wire, tags_to_wire
from dockyard.domain import arns
from dockyard.domain.account_settings import effective_settings
from dockyard.domain.cluster import (
    DEFAULT_CLUSTER_NAME,
    CapacityProviderStrategyItem,
    Cluster,
    ClusterSetting,
    ClusterStatus,
    validate_capacity_provider_strategy,
    validate_cluster_name,
    validate_settings,
)
from dockyard.domain.errors import (
    ClusterContainsContainerInstancesException,
    ClusterContainsServicesException,
    ClusterContainsTasksException,
    ClusterNotFoundException,
    InvalidParameterException,
)
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.domain.tags import merge_tags
from dockyard.store.uow import UnitOfWork

BUILT_IN_CAPACITY_PROVIDERS = ("FARGATE", "FARGATE_SPOT")
"""Capacity providers every cluster may use without creating them."""

STATISTIC_NAMES = (
    "runningEC2TasksCount",
    "runningFargateTasksCount",
    "pendingEC2TasksCount",
    "pendingFargateTasksCount",
    "activeEC2ServiceCount",
    "activeFargateServiceCount",
    "drainingEC2ServiceCount",
    "drainingFargateServiceCount",
)


def create_cluster(ctx: RequestContext, params: Params) -> Result:
    """Idempotent: creating an ACTIVE cluster's name again returns that cluster unchanged."""
    name = params.get("clusterName") or DEFAULT_CLUSTER_NAME
    validate_cluster_name(name)
    settings = _settings(params)
    validate_settings(settings)
    providers, strategy = _capacity(params)
    tags = tags_from_wire(params.get("tags"))
    merge_tags({}, tags)
    candidate = Cluster(
        name=name,
        region=ctx.region,
        settings=settings,
        configuration=params.get("configuration"),
        service_connect_defaults=params.get("serviceConnectDefaults"),
        capacity_providers=providers,
        default_capacity_provider_strategy=strategy,
        created_at=ctx.now,
    )
    arn = arns.cluster_arn(ctx.region, ctx.account_id, name)

    def write(uow: UnitOfWork) -> tuple[Cluster, dict[str, str]]:
        existing = uow.clusters.get(ctx.region, name)
        if existing is not None and existing.status is ClusterStatus.ACTIVE:
            return existing, uow.tags.get(arn)
        stored = uow.clusters.add(_with_account_insights(ctx, uow, candidate))
        uow.tags.replace(arn, dict(tags))
        return stored, dict(tags)

    cluster, stored_tags = ctx.store.write(write)
    include = {"SETTINGS", "CONFIGURATIONS", "TAGS"}
    return {"cluster": cluster_to_wire(ctx, cluster, stored_tags, include)}


def _with_account_insights(ctx: RequestContext, uow: UnitOfWork, cluster: Cluster) -> Cluster:
    """A new cluster inherits the caller's effective ``containerInsights`` account setting
    unless the request sets it, as ECS does."""
    if any(s.name == "containerInsights" for s in cluster.settings):
        return cluster
    effective = effective_settings(
        uow.account_settings.list(ctx.region),
        principal_arn=ctx.principal.arn,
        root_arn=ctx.root_arn,
    )
    value = next(s.value for s in effective if s.name == "containerInsights")
    return cluster.with_settings((ClusterSetting("containerInsights", value),))


def describe_clusters(ctx: RequestContext, params: Params) -> Result:
    refs = params.get("clusters") or [DEFAULT_CLUSTER_NAME]
    if len(refs) > 100:
        raise InvalidParameterException("clusters can have at most 100 items.")
    names = [cluster_name(ctx.region, ctx.account_id, ref) for ref in refs]
    include = set(params.get("include") or ())

    def read(
        uow: UnitOfWork,
    ) -> tuple[
        dict[str, Cluster],
        dict[str, dict[str, str]],
        dict[str, int],
        dict[str, tuple[int, int]],
        dict[str, int],
    ]:
        found = uow.clusters.get_many(ctx.region, names)
        arn_list = [arns.cluster_arn(ctx.region, ctx.account_id, n) for n in found]
        tags = uow.tags.get_many(arn_list) if "TAGS" in include else {}
        return (
            found,
            tags,
            uow.container_instances.count_registered(ctx.region, found),
            uow.tasks.status_counts(ctx.region, found),
            uow.services.count_active(ctx.region, found),
        )

    found, tags, instance_counts, task_counts, service_counts = ctx.store.read(read)
    clusters, failures = [], []
    for ref, name in zip(refs, names, strict=True):
        cluster = found.get(name)
        arn = arns.cluster_arn(ctx.region, ctx.account_id, name)
        if cluster is None:
            failures.append({"arn": ref if ref.startswith("arn:") else arn, "reason": "MISSING"})
        else:
            wire = cluster_to_wire(ctx, cluster, tags.get(arn, {}), include)
            wire["registeredContainerInstancesCount"] = instance_counts[name]
            wire["runningTasksCount"], wire["pendingTasksCount"] = task_counts[name]
            wire["activeServicesCount"] = service_counts.get(name, 0)
            clusters.append(wire)
    return {"clusters": clusters, "failures": failures}


def list_clusters(ctx: RequestContext, params: Params) -> Result:
    limit = page_size(params.get("maxResults"), default=100)
    token = params.get("nextToken")
    after = str(decode_token("ListClusters", token)[0]) if token else None
    page = ctx.store.read(lambda uow: uow.clusters.list_page(ctx.region, after=after, limit=limit))
    result: Result = {
        "clusterArns": [arns.cluster_arn(ctx.region, ctx.account_id, c.name) for c in page]
    }
    if len(page) == limit:
        result["nextToken"] = encode_token("ListClusters", [page[-1].name])
    return result


def update_cluster(ctx: RequestContext, params: Params) -> Result:
    settings = _settings(params)
    validate_settings(settings)

    def change(cluster: Cluster) -> Cluster:
        updated = cluster.with_settings(settings)
        if "configuration" in params:
            updated = replace(updated, configuration=params["configuration"])
        if "serviceConnectDefaults" in params:
            updated = replace(updated, service_connect_defaults=params["serviceConnectDefaults"])
        return updated

    return _modify(ctx, params, change)


def update_cluster_settings(ctx: RequestContext, params: Params) -> Result:
    settings = _settings(params)
    validate_settings(settings)
    return _modify(ctx, params, lambda cluster: cluster.with_settings(settings))


def put_cluster_capacity_providers(ctx: RequestContext, params: Params) -> Result:
    """Stores the association only; capacity providers drive placement in a later issue."""
    providers, strategy = _capacity(params)
    return _modify(
        ctx,
        params,
        lambda c: replace(
            c, capacity_providers=providers, default_capacity_provider_strategy=strategy
        ),
    )


def delete_cluster(ctx: RequestContext, params: Params) -> Result:
    """Marks the cluster INACTIVE (still describable, no longer listed).

    Refused while container instances are registered (ACTIVE or DRAINING); the services and
    tasks refusals join when those resources exist.
    """

    def refuse_if_busy(uow: UnitOfWork, cluster: Cluster) -> None:
        if uow.services.count_active(ctx.region, [cluster.name], include_draining=True):
            raise ClusterContainsServicesException(
                "The Cluster cannot be deleted while Services are active."
            )
        counts = uow.container_instances.count_registered(ctx.region, [cluster.name])
        if counts[cluster.name]:
            raise ClusterContainsContainerInstancesException(
                "The Cluster cannot be deleted while Container Instances are active or draining."
            )
        if uow.tasks.count_live(ctx.region, cluster.name):
            raise ClusterContainsTasksException(
                "The Cluster cannot be deleted while Tasks are active."
            )

    return _modify(
        ctx, params, lambda c: replace(c, status=ClusterStatus.INACTIVE), check=refuse_if_busy
    )


def _modify(
    ctx: RequestContext,
    params: Params,
    change: Callable[[Cluster], Cluster],
    *,
    check: Callable[[UnitOfWork, Cluster], None] | None = None,
) -> Result:
    name = request_cluster(ctx, params)
    arn = arns.cluster_arn(ctx.region, ctx.account_id, name)

    def write(uow: UnitOfWork) -> tuple[Cluster, dict[str, str]]:
        cluster = uow.clusters.get(ctx.region, name)
        if cluster is None or cluster.status is ClusterStatus.INACTIVE:
            raise ClusterNotFoundException()
        if check is not None:
            check(uow, cluster)
        return uow.clusters.save(change(cluster)), uow.tags.get(arn)

    cluster, tags = ctx.store.write(write)
    return {"cluster": cluster_to_wire(ctx, cluster, tags, {"SETTINGS", "CONFIGURATIONS"})}


def _settings(params: Params) -> tuple[ClusterSetting, ...]:
    settings = []
    for item in params.get("settings") or ():
        if item.get("name") is None or item.get("value") is None:
            raise InvalidParameterException("Cluster settings require both a name and a value.")
        settings.append(ClusterSetting(item["name"], item["value"]))
    return tuple(settings)


def _capacity(params: Params) -> tuple[tuple[str, ...], tuple[CapacityProviderStrategyItem, ...]]:
    providers = tuple(params.get("capacityProviders") or ())
    for provider in providers:
        if provider not in BUILT_IN_CAPACITY_PROVIDERS:
            raise InvalidParameterException(
                f"The specified capacity provider '{provider}' does not exist. Only FARGATE and "
                f"FARGATE_SPOT exist until capacity providers can be created."
            )
    strategy = tuple(
        CapacityProviderStrategyItem(i["capacityProvider"], i.get("weight", 0), i.get("base", 0))
        for i in params.get("defaultCapacityProviderStrategy") or ()
    )
    validate_capacity_provider_strategy(providers, strategy)
    return providers, strategy


def cluster_to_wire(
    ctx: RequestContext, cluster: Cluster, tags: dict[str, str], include: set[str]
) -> dict[str, Any]:
    """The ECS ``Cluster`` shape. Task and service counts are zero until those resources exist;
    callers that read instance counts set ``registeredContainerInstancesCount``."""
    wire: dict[str, Any] = {
        "clusterArn": arns.cluster_arn(ctx.region, ctx.account_id, cluster.name),
        "clusterName": cluster.name,
        "status": cluster.status.value,
        "registeredContainerInstancesCount": 0,
        "runningTasksCount": 0,
        "pendingTasksCount": 0,
        "activeServicesCount": 0,
        "capacityProviders": list(cluster.capacity_providers),
        "defaultCapacityProviderStrategy": [
            {"capacityProvider": i.capacity_provider, "weight": i.weight, "base": i.base}
            for i in cluster.default_capacity_provider_strategy
        ],
    }
    if "STATISTICS" in include:
        wire["statistics"] = [{"name": n, "value": "0"} for n in STATISTIC_NAMES]
    if "SETTINGS" in include:
        wire["settings"] = [{"name": s.name, "value": s.value} for s in cluster.settings] or [
            {"name": "containerInsights", "value": "disabled"}
        ]
    if "CONFIGURATIONS" in include and cluster.configuration is not None:
        wire["configuration"] = cluster.configuration
    if cluster.service_connect_defaults:
        wire["serviceConnectDefaults"] = cluster.service_connect_defaults
    if "TAGS" in include:
        wire["tags"] = tags_to_wire(tags)
    return wire
