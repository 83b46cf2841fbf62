"""Conversions between CloudWatch Logs wire values and domain values, shared by the handlers."""

from __future__ import annotations

from typing import Any

from dockyard.api.context import Params, RequestContext
from dockyard.domain.errors import InvalidParameterException, ResourceNotFoundException
from dockyard.domain.logs import (
    GROUP_NOT_FOUND,
    STREAM_NOT_FOUND,
    LogGroup,
    LogStream,
    group_arn,
    stream_arn,
    validate_group_name,
)


def now_ms(ctx: RequestContext) -> int:
    """The request's clock reading in epoch milliseconds, the unit of every Logs time."""
    return int(ctx.now.timestamp() * 1000)


def group_name(params: Params) -> str:
    """The log group a request names by ``logGroupName`` or ``logGroupIdentifier`` (a name or
    an ARN, with or without the trailing ``:*``); exactly one must be given."""
    name, identifier = params.get("logGroupName"), params.get("logGroupIdentifier")
    if (name is None) == (identifier is None):
        raise InvalidParameterException(
            "Exactly one of logGroupName and logGroupIdentifier must be specified."
        )
    if identifier is not None:
        name = identifier.split(":log-group:", 1)[1] if ":log-group:" in identifier else identifier
        name = name.removesuffix(":*")
    assert name is not None
    validate_group_name(name)
    return str(name)


def group_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException(GROUP_NOT_FOUND)


def stream_not_found() -> ResourceNotFoundException:
    return ResourceNotFoundException(STREAM_NOT_FOUND)


def group_to_wire(ctx: RequestContext, group: LogGroup) -> dict[str, Any]:
    """The ``LogGroup`` shape: ``arn`` ends in ``:*``, ``logGroupArn`` does not."""
    arn = group_arn(ctx.region, ctx.account_id, group.name)
    return {
        "logGroupName": group.name,
        "creationTime": group.creation_time,
        "retentionInDays": group.retention_in_days,
        "metricFilterCount": 0,
        "arn": arn + ":*",
        "storedBytes": group.stored_bytes,
        "kmsKeyId": group.kms_key_id,
        "logGroupClass": group.log_group_class,
        "logGroupArn": arn,
    }


def stream_to_wire(ctx: RequestContext, stream: LogStream) -> dict[str, Any]:
    return {
        "logStreamName": stream.name,
        "creationTime": stream.creation_time,
        "firstEventTimestamp": stream.first_event_timestamp,
        "lastEventTimestamp": stream.last_event_timestamp,
        "lastIngestionTime": stream.last_ingestion_time,
        "arn": stream_arn(ctx.region, ctx.account_id, stream.group, stream.name),
        "storedBytes": stream.stored_bytes,
    }
