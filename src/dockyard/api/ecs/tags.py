"""ECS TagResource / UntagResource / ListTagsForResource.

Only resources that exist can be tagged. Today those are clusters, container instances and
task definitions; services and tasks join as they arrive (their ARNs answer ResourceNotFound
until then, which is true: none can exist yet).
"""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.wire import tags_from_wire, tags_to_wire
from dockyard.domain import arns
from dockyard.domain.cluster import ClusterStatus
from dockyard.domain.errors import (
    ClusterNotFoundException,
    InvalidParameterException,
    ResourceNotFoundException,
)
from dockyard.domain.tags import merge_tags
from dockyard.store.uow import UnitOfWork


def tag_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]
    new = tags_from_wire(params.get("tags"))

    def write(uow: UnitOfWork) -> None:
        _require_resource(ctx, uow, arn)
        uow.tags.replace(arn, merge_tags(uow.tags.get(arn), new))

    ctx.store.write(write)
    return {}


def untag_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]
    keys = set(params.get("tagKeys") or ())

    def write(uow: UnitOfWork) -> None:
        _require_resource(ctx, uow, arn)
        current = uow.tags.get(arn)
        uow.tags.replace(arn, {k: v for k, v in current.items() if k not in keys})

    ctx.store.write(write)
    return {}


def list_tags_for_resource(ctx: RequestContext, params: Params) -> Result:
    arn = params["resourceArn"]

    def read(uow: UnitOfWork) -> dict[str, str]:
        _require_resource(ctx, uow, arn)
        return uow.tags.get(arn)

    return {"tags": tags_to_wire(ctx.store.read(read))}


def _require_resource(ctx: RequestContext, uow: UnitOfWork, arn: str) -> None:
    """Raise the ECS error for an ARN that is malformed, foreign or names nothing."""
    parsed = arns.parse_arn(arn)
    if parsed is None or parsed.service != "ecs":
        raise InvalidParameterException("The ARN provided is invalid.")
    if parsed.region != ctx.region or parsed.account != ctx.account_id:
        raise InvalidParameterException(
            "The ARN provided does not belong to this account or region."
        )
    kind = parsed.resource_type
    if kind == "cluster":
        cluster = uow.clusters.get(ctx.region, parsed.resource_path)
        if cluster is None or cluster.status is ClusterStatus.INACTIVE:
            raise ClusterNotFoundException()
        return
    if kind == "container-instance":
        owner, _, instance_id = parsed.resource_path.rpartition("/")
        if uow.container_instances.get(ctx.region, owner, instance_id):
            return
    if kind == "task":
        owner, _, task_id = parsed.resource_path.rpartition("/")
        if uow.tasks.get(ctx.region, owner, task_id):
            return
    if kind == "task-definition":
        family, _, revision = parsed.resource_path.partition(":")
        if revision.isdigit() and uow.task_definitions.get(ctx.region, family, int(revision)):
            return
    raise ResourceNotFoundException("The specified resource could not be found.")
