"""Log group operations: Create, Delete, Describe, PutRetentionPolicy, DeleteRetentionPolicy."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.logs.wire import group_name, group_not_found, group_to_wire, now_ms
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.logs import (
    LogGroup,
    ResourceAlreadyExistsException,
    group_arn,
    validate_group_name,
    validate_retention,
)
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.domain.tags import merge_tags
from dockyard.store.uow import UnitOfWork

DEFAULT_LIMIT = 50


def create_log_group(ctx: RequestContext, params: Params) -> Result:
    name = params["logGroupName"]
    validate_group_name(name)
    tags = merge_tags({}, (params.get("tags") or {}).items())
    group = LogGroup(
        name=name,
        region=ctx.region,
        creation_time=now_ms(ctx),
        kms_key_id=params.get("kmsKeyId"),
        log_group_class=params.get("logGroupClass") or "STANDARD",
    )
    arn = group_arn(ctx.region, ctx.account_id, name)

    def write(uow: UnitOfWork) -> None:
        if uow.logs.get_group(ctx.region, name) is not None:
            raise ResourceAlreadyExistsException("The specified log group already exists")
        uow.logs.add_group(group)
        uow.tags.replace(arn, tags)

    ctx.store.write(write)
    return {}


def delete_log_group(ctx: RequestContext, params: Params) -> Result:
    name = group_name(params)

    def write(uow: UnitOfWork) -> None:
        if not uow.logs.delete_group(ctx.region, name):
            raise group_not_found()
        uow.tags.delete_all(group_arn(ctx.region, ctx.account_id, name))

    ctx.store.write(write)
    return {}


def describe_log_groups(ctx: RequestContext, params: Params) -> Result:
    """Groups by name; ``logGroupNamePrefix`` or ``logGroupIdentifiers`` narrow the list."""
    if params.get("logGroupNamePattern"):
        raise InvalidParameterException("Dockyard does not support logGroupNamePattern yet.")
    prefix = params.get("logGroupNamePrefix")
    identifiers = params.get("logGroupIdentifiers")
    if prefix and identifiers:
        raise InvalidParameterException(
            "logGroupNamePrefix and logGroupIdentifiers cannot be used together."
        )
    names = None
    if identifiers is not None:
        names = [group_name({"logGroupIdentifier": i}) for i in identifiers]
    limit = params.get("limit") or DEFAULT_LIMIT
    token = params.get("nextToken")
    after = str(decode_token("DescribeLogGroups", token)[0]) if token else None
    groups = ctx.store.read(
        lambda uow: uow.logs.list_groups(
            ctx.region, prefix=prefix, names=names, after=after, limit=limit + 1
        )
    )
    result: Result = {"logGroups": [group_to_wire(ctx, g) for g in groups[:limit]]}
    if len(groups) > limit:
        result["nextToken"] = encode_token("DescribeLogGroups", [groups[limit - 1].name])
    return result


def put_retention_policy(ctx: RequestContext, params: Params) -> Result:
    days = params["retentionInDays"]
    validate_retention(days)
    return _set_retention(ctx, params, days)


def delete_retention_policy(ctx: RequestContext, params: Params) -> Result:
    return _set_retention(ctx, params, None)


def _set_retention(ctx: RequestContext, params: Params, days: int | None) -> Result:
    name = group_name(params)

    def write(uow: UnitOfWork) -> None:
        if not uow.logs.set_retention(ctx.region, name, days):
            raise group_not_found()

    ctx.store.write(write)
    return {}
