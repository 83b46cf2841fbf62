"""Log stream operations: Create, Describe, Delete."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.logs.wire import (
    group_name,
    group_not_found,
    now_ms,
    stream_not_found,
    stream_to_wire,
)
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.logs import LogStream, ResourceAlreadyExistsException, validate_stream_name
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.store.uow import UnitOfWork

DEFAULT_LIMIT = 50


def create_log_stream(ctx: RequestContext, params: Params) -> Result:
    group = group_name(params)
    name = params["logStreamName"]
    validate_stream_name(name)

    def write(uow: UnitOfWork) -> None:
        if uow.logs.get_stream(ctx.region, group, name) is not None:
            raise ResourceAlreadyExistsException("The specified log stream already exists")
        if not uow.logs.add_stream(ctx.region, group, name, now_ms(ctx)):
            raise group_not_found()

    ctx.store.write(write)
    return {}


def delete_log_stream(ctx: RequestContext, params: Params) -> Result:
    group = group_name(params)
    name = params["logStreamName"]

    def write(uow: UnitOfWork) -> None:
        if uow.logs.get_group(ctx.region, group) is None:
            raise group_not_found()
        if not uow.logs.delete_stream(ctx.region, group, name):
            raise stream_not_found()

    ctx.store.write(write)
    return {}


def describe_log_streams(ctx: RequestContext, params: Params) -> Result:
    """Streams by name (optionally by prefix), or by last event time; either way ascending
    unless ``descending``."""
    group = group_name(params)
    prefix = params.get("logStreamNamePrefix")
    by_time = params.get("orderBy") == "LastEventTime"
    if by_time and prefix:
        raise InvalidParameterException("Cannot order by LastEventTime with a logStreamNamePrefix.")
    descending = bool(params.get("descending"))
    limit = params.get("limit") or DEFAULT_LIMIT
    token = params.get("nextToken")
    after = None
    if token:
        value, last = decode_token("DescribeLogStreams", token, (int, str))
        after = (int(value), str(last))

    def read(uow: UnitOfWork) -> list[LogStream]:
        if uow.logs.get_group(ctx.region, group) is None:
            raise group_not_found()
        return uow.logs.list_streams(
            ctx.region,
            group,
            prefix=prefix,
            by_event_time=by_time,
            descending=descending,
            after=after,
            limit=limit + 1,
        )

    streams = ctx.store.read(read)
    result: Result = {"logStreams": [stream_to_wire(ctx, s) for s in streams[:limit]]}
    if len(streams) > limit:
        last_stream = streams[limit - 1]
        sort_value = (last_stream.last_event_timestamp or 0) if by_time else 0
        result["nextToken"] = encode_token("DescribeLogStreams", [sort_value, last_stream.name])
    return result
