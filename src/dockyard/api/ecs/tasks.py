"""ECS task operations: RunTask, StartTask, StopTask, DescribeTasks, ListTasks.

RunTask and StartTask follow one shape: resolve and check inputs, then in one write
transaction read a snapshot, place (:func:`dockyard.placement.place_tasks` — a batch sees its
own proposals), build the tasks and store them; agents of the chosen instances are woken after
the commit.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.container_instances import parse_instance_ref, require_active_cluster
from dockyard.api.ecs.placement_wire import (
    cluster_snapshots,
    constraints_from_wire,
    placement_request,
    strategies_from_wire,
)
from dockyard.api.ecs.task_definitions import parse_task_definition_ref
from dockyard.api.ecs.task_wire import overrides_from_wire, parse_task_ref, task_arn, task_to_wire
from dockyard.api.ecs.wire import request_cluster, tags_from_wire
from dockyard.domain import arns
from dockyard.domain.errors import ClientException, InvalidParameterException
from dockyard.domain.pagination import decode_token, encode_token, page_size
from dockyard.domain.tags import merge_tags
from dockyard.domain.task import USER_STOP_REASON, Task, TaskOverrides, new_task, request_stop
from dockyard.domain.task_definition import Compatibility, NetworkMode, TaskDefinition
from dockyard.domain.task_definition import TaskDefinitionStatus as TdStatus
from dockyard.domain.task_status import StopCode
from dockyard.infra.ids import hex_id
from dockyard.placement import PlacementFailure, TaskDemand, place_tasks, validate_placement
from dockyard.reconcile.launch import task_demand
from dockyard.store.repositories.tasks import TaskFilter
from dockyard.store.uow import UnitOfWork

MAX_RUN_COUNT = 10
MAX_DESCRIBE = 100
MAX_START_INSTANCES = 10
NO_INSTANCES = "No Container Instances were found in your cluster."
TASK_NOT_FOUND = "The referenced task was not found."


@dataclass(frozen=True, slots=True)
class _LaunchRequest:
    """The parsed, checked common part of RunTask and StartTask."""

    cluster: str
    family: str
    revision: int | None
    overrides: TaskOverrides
    started_by: str | None
    group: str | None
    tags: list[tuple[str, str]]
    propagate_tags: str | None


def run_task(ctx: RequestContext, params: Params) -> Result:
    launch = _launch_request(ctx, params)
    count = params.get("count", 1)
    if not 1 <= count <= MAX_RUN_COUNT:
        raise InvalidParameterException(f"count must be between 1 and {MAX_RUN_COUNT}.")
    _refuse_unsupported(params)
    token = params.get("clientToken")

    def write(uow: UnitOfWork) -> tuple[list[Task], list[dict[str, str]]]:
        require_active_cluster(ctx, uow, launch.cluster)
        if token:
            existing = uow.tasks.by_client_token(ctx.region, launch.cluster, token)
            if existing:
                return existing, []
        td = _task_definition(ctx, uow, launch)
        constraints, strategies = placement_request(td, params)
        snapshots = cluster_snapshots(ctx, uow, launch.cluster)
        if not snapshots:
            raise InvalidParameterException(NO_INSTANCES)
        result = place_tasks(
            _demand(td, launch.overrides),
            snapshots,
            count=count,
            rng=ctx.deps.rng,
            group=launch.group or f"family:{td.family}",
            constraints=constraints,
            strategies=strategies,
        )
        tasks = _store_tasks(ctx, uow, td, launch, result.placements, token)
        return tasks, _failures(ctx, launch.cluster, result.failures)

    tasks, failures = ctx.store.write(write)
    return _launched(ctx, tasks, failures)


def start_task(ctx: RequestContext, params: Params) -> Result:
    launch = _launch_request(ctx, params)
    refs = list(params["containerInstances"])
    if not 1 <= len(refs) <= MAX_START_INSTANCES:
        raise InvalidParameterException(
            f"containerInstances must have between 1 and {MAX_START_INSTANCES} items."
        )

    def write(uow: UnitOfWork) -> tuple[list[Task], list[dict[str, str]]]:
        require_active_cluster(ctx, uow, launch.cluster)
        td = _task_definition(ctx, uow, launch)
        demand = _demand(td, launch.overrides)
        group = launch.group or f"family:{td.family}"
        ids = [parse_instance_ref(ref, launch.cluster) or "" for ref in refs]
        snapshots = {s.instance_id: s for s in cluster_snapshots(ctx, uow, launch.cluster, ids)}
        tasks, failures = [], []
        for ref, instance_id in zip(refs, ids, strict=True):
            snapshot = snapshots.get(instance_id)
            if snapshot is None:
                failures.append({"arn": ref, "reason": "MISSING"})
                continue
            placed = place_tasks(demand, [snapshot], count=1, rng=ctx.deps.rng, group=group)
            if not placed.placements:
                failures.extend(_failures(ctx, launch.cluster, placed.failures))
                continue
            snapshots[instance_id] = snapshot.with_task(demand, group)
            tasks.extend(_store_tasks(ctx, uow, td, launch, [instance_id], None))
        return tasks, failures

    tasks, failures = ctx.store.write(write)
    return _launched(ctx, tasks, failures)


def stop_task(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    task_id = parse_task_ref(params["task"], cluster)
    reason = params.get("reason") or USER_STOP_REASON

    def write(uow: UnitOfWork) -> Task:
        require_active_cluster(ctx, uow, cluster)
        task = uow.tasks.get(ctx.region, cluster, task_id or "")
        if task is None:
            raise InvalidParameterException(TASK_NOT_FOUND)
        stopped = request_stop(task, StopCode.USER_INITIATED, reason, ctx.now)
        return task if stopped is task else uow.tasks.save(stopped)

    task = ctx.store.write(write)
    _notify(ctx, [task])
    return {"task": task_to_wire(ctx, task)}


def describe_tasks(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    refs = list(params["tasks"])
    if len(refs) > MAX_DESCRIBE:
        raise InvalidParameterException(f"tasks can have at most {MAX_DESCRIBE} items.")
    include_tags = "TAGS" in (params.get("include") or ())
    ids = [parse_task_ref(ref, cluster) for ref in refs]

    def read(uow: UnitOfWork) -> tuple[dict[str, Task], dict[str, dict[str, str]]]:
        require_active_cluster(ctx, uow, cluster)
        found = uow.tasks.get_many(ctx.region, cluster, [i for i in ids if i])
        tags = uow.tags.get_many(task_arn(ctx, t) for t in found.values()) if include_tags else {}
        return found, tags

    found, tags = ctx.store.read(read)
    tasks, failures = [], []
    for ref, task_id in zip(refs, ids, strict=True):
        task = found.get(task_id or "")
        if task is None:
            failures.append({"arn": ref, "reason": "MISSING"})
        else:
            tasks.append(task_to_wire(ctx, task, tags=tags.get(task_arn(ctx, task))))
    return {"tasks": tasks, "failures": failures}


def list_tasks(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    if params.get("family") and params.get("serviceName"):
        raise InvalidParameterException("family and serviceName cannot both be specified.")
    instance_ref = params.get("containerInstance")
    instance_id = parse_instance_ref(instance_ref, cluster) if instance_ref else None
    if instance_ref and instance_id is None:
        raise InvalidParameterException("containerInstance is not a valid reference.")
    filters = TaskFilter(
        family=params.get("family"),
        started_by=params.get("startedBy"),
        service_name=params.get("serviceName"),
        instance_id=instance_id,
        desired_status=params.get("desiredStatus") or "RUNNING",
        launch_type=params.get("launchType"),
    )
    limit = page_size(params.get("maxResults"), default=100)
    token = params.get("nextToken")
    after = str(decode_token("ListTasks", token)[0]) if token else None

    def read(uow: UnitOfWork) -> list[str]:
        require_active_cluster(ctx, uow, cluster)
        return uow.tasks.list_page(ctx.region, cluster, filters, after=after, limit=limit)

    page = ctx.store.read(read)
    result: Result = {
        "taskArns": [arns.task_arn(ctx.region, ctx.account_id, cluster, i) for i in page]
    }
    if len(page) == limit:
        result["nextToken"] = encode_token("ListTasks", [page[-1]])
    return result


def _launch_request(ctx: RequestContext, params: Params) -> _LaunchRequest:
    family, revision = parse_task_definition_ref(params["taskDefinition"])
    raw = params.get("overrides")
    size = len(json.dumps(raw, separators=(",", ":"))) if raw else 0
    tags = tags_from_wire(params.get("tags"))
    merge_tags({}, tags)
    started_by = params.get("startedBy")
    if started_by is not None and len(started_by) > 128:
        raise InvalidParameterException("startedBy must be at most 128 characters.")
    return _LaunchRequest(
        cluster=request_cluster(ctx, params),
        family=family,
        revision=revision,
        overrides=overrides_from_wire(raw, size),
        started_by=started_by,
        group=params.get("group"),
        tags=tags,
        propagate_tags=params.get("propagateTags"),
    )


def _refuse_unsupported(params: Params) -> None:
    """RunTask inputs Dockyard does not honour yet are refused, never silently ignored."""
    if params.get("launchType") not in (None, "EC2", "EXTERNAL"):
        raise InvalidParameterException(
            f"launchType {params['launchType']} is not supported by Dockyard yet."
        )
    if params.get("capacityProviderStrategy"):
        raise InvalidParameterException(
            "capacityProviderStrategy is not supported by Dockyard yet."
        )
    validate_placement(  # the request's own constraints and strategies, before any work
        constraints_from_wire(params.get("placementConstraints")),
        strategies_from_wire(params.get("placementStrategy")),
    )


def _task_definition(
    ctx: RequestContext, uow: UnitOfWork, launch: _LaunchRequest
) -> TaskDefinition:
    if launch.revision is None:
        td = uow.task_definitions.latest_active(ctx.region, launch.family)
    else:
        td = uow.task_definitions.get(ctx.region, launch.family, launch.revision)
    if td is None or td.status is TdStatus.DELETE_IN_PROGRESS:
        raise ClientException("TaskDefinition not found.")
    if td.status is not TdStatus.ACTIVE:
        raise ClientException("TaskDefinition is inactive")
    if (
        Compatibility.EC2 not in td.compatibilities
        and Compatibility.EXTERNAL not in td.compatibilities
    ):
        raise InvalidParameterException("Task definition does not support launch_type EC2.")
    if td.effective_network_mode is NetworkMode.AWSVPC:
        raise InvalidParameterException(
            "Network mode awsvpc needs an ENI per task, which Dockyard's Docker hosts cannot "
            "provide; use bridge or host."
        )
    names = {c.name for c in td.container_definitions}
    for override in launch.overrides.containers:
        if override.name not in names:
            raise InvalidParameterException(
                f"Override for container named {override.name} is not a container in the "
                "TaskDefinition."
            )
    return td


def _demand(td: TaskDefinition, overrides: TaskOverrides) -> TaskDemand:
    return task_demand(td, overrides)


def _store_tasks(
    ctx: RequestContext,
    uow: UnitOfWork,
    td: TaskDefinition,
    launch: _LaunchRequest,
    instance_ids: Sequence[str],
    token: str | None,
) -> list[Task]:
    """New PROVISIONING tasks on ``instance_ids`` (one each), stored in one flush, tagged."""
    tasks = [
        new_task(
            td,
            task_id=hex_id(ctx.deps.rng),
            container_ids=tuple(_uuid(ctx) for _ in td.container_definitions),
            region=ctx.region,
            cluster=launch.cluster,
            instance_id=instance_id,
            overrides=launch.overrides,
            now=ctx.now,
            started_by=launch.started_by,
            group=launch.group,
            client_token=token,
        )
        for instance_id in instance_ids
    ]
    stored = uow.tasks.add_many(tasks)
    tags = dict(launch.tags)
    if launch.propagate_tags == "TASK_DEFINITION":
        td_arn = arns.task_definition_arn(ctx.region, ctx.account_id, td.family, td.revision)
        tags = {**uow.tags.get(td_arn), **tags}
    if tags:
        for task in stored:
            uow.tags.replace(task_arn(ctx, task), tags)
    return stored


def _uuid(ctx: RequestContext) -> str:
    h = hex_id(ctx.deps.rng)
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _failures(
    ctx: RequestContext, cluster: str, failures: tuple[PlacementFailure, ...]
) -> list[dict[str, str]]:
    return [
        {
            "arn": arns.container_instance_arn(ctx.region, ctx.account_id, cluster, f.instance_id),
            "reason": reason,
        }
        for f in failures
        for reason in f.reasons
    ]


def _launched(ctx: RequestContext, tasks: list[Task], failures: list[dict[str, str]]) -> Result:
    _notify(ctx, tasks)
    if not tasks:
        return {"tasks": [], "failures": failures}
    tags = ctx.store.read(lambda uow: uow.tags.get_many(task_arn(ctx, t) for t in tasks))
    return {
        "tasks": [task_to_wire(ctx, t, tags=tags.get(task_arn(ctx, t))) for t in tasks],
        "failures": failures,
    }


def _notify(ctx: RequestContext, tasks: list[Task]) -> None:
    ctx.deps.notifier.notify({t.instance_id for t in tasks if t.instance_id})
