"""CloudTrail's LookupEvents over Dockyard's audit trail (JSON 1.1, ``CloudTrail_20131101``).

Every call to the endpoint — allowed, denied or unauthenticated — is an event (see
``api/audit.py``). ``aws cloudtrail lookup-events`` and ``dockyard audit`` read them here,
newest first, filtered by at most one lookup attribute and a time window, 50 per page. Each
event's ``CloudTrailEvent`` JSON carries CloudTrail's record fields plus ``dockyardDecision``
(Allow, ExplicitDeny, ImplicitDeny or Unauthenticated).
"""

from __future__ import annotations

import json
from typing import Any

from dockyard.api.context import Handler, Params, RequestContext, Result
from dockyard.domain.arns import parse_arn
from dockyard.domain.audit import AuditEvent, AuditQuery
from dockyard.domain.errors import ApiError
from dockyard.store.repositories.audit import AuditRepository

MAX_RESULTS = 50


def lookup_events(ctx: RequestContext, params: Params) -> Result:
    query = _query(params)
    rows = ctx.store.read(lambda uow: AuditRepository(uow.session).lookup(query))
    result: Result = {"Events": [_event(event, ctx.account_id) for _, event in rows]}
    if len(rows) == query.limit:
        result["NextToken"] = str(rows[-1][0])
    return result


def _query(params: Params) -> AuditQuery:
    attributes = params.get("LookupAttributes") or []
    if len(attributes) > 1:
        raise ApiError(
            "You cannot specify more than one lookup attribute.",
            code="InvalidLookupAttributesException",
        )
    start, end = params.get("StartTime"), params.get("EndTime")
    if start is not None and end is not None and start > end:
        raise ApiError(
            "Start time must be earlier than end time.", code="InvalidTimeRangeException"
        )
    limit = int(params.get("MaxResults") or MAX_RESULTS)
    if not 1 <= limit <= MAX_RESULTS:
        raise ApiError(
            f"MaxResults must be between 1 and {MAX_RESULTS}.", code="InvalidMaxResultsException"
        )
    token = params.get("NextToken")
    if token is not None and not str(token).isdigit():
        raise ApiError("Invalid NextToken.", code="InvalidNextTokenException")
    attribute = attributes[0] if attributes else {}
    return AuditQuery(
        start=start,
        end=end,
        attribute=attribute.get("AttributeKey"),
        value=attribute.get("AttributeValue"),
        before_id=int(token) if token is not None else None,
        limit=limit,
    )


def _event(event: AuditEvent, account_id: str) -> dict[str, Any]:
    return {
        "EventId": event.event_id,
        "EventName": event.event_name,
        "ReadOnly": "true" if event.read_only else "false",
        "AccessKeyId": event.access_key_id,
        "EventTime": event.event_time,
        "EventSource": event.event_source,
        "Username": event.user_name,
        "Resources": [
            {"ResourceType": _resource_type(arn), "ResourceName": arn}
            for arn in event.resources
            if arn != "*"
        ],
        "CloudTrailEvent": json.dumps(_record(event, account_id), separators=(",", ":")),
    }


def _record(event: AuditEvent, account_id: str) -> dict[str, Any]:
    """CloudTrail's JSON record of one call (the fields Dockyard knows)."""
    identity_type = "AssumedRole" if ":assumed-role/" in event.principal_arn else "IAMUser"
    record: dict[str, Any] = {
        "eventVersion": "1.08",
        "userIdentity": {
            "type": identity_type if event.principal_arn else "Unknown",
            "arn": event.principal_arn,
            "accountId": account_id,
            "accessKeyId": event.access_key_id,
            "userName": event.user_name,
        },
        "eventTime": event.event_time.strftime("%Y-%m-%dT%H:%M:%SZ"),
        "eventSource": event.event_source,
        "eventName": event.event_name,
        "awsRegion": event.region,
        "sourceIPAddress": event.source_ip,
        "requestID": event.event_id,
        "eventID": event.event_id,
        "readOnly": event.read_only,
        "resources": [{"ARN": arn} for arn in event.resources if arn != "*"],
        "eventType": "AwsApiCall",
        "managementEvent": True,
        "recipientAccountId": account_id,
        "dockyardDecision": event.decision,
    }
    if event.error_code:
        record["errorCode"] = event.error_code
        record["errorMessage"] = event.error_message or ""
    return record


def _resource_type(arn: str) -> str:
    """``arn:aws:ecs:…:cluster/x`` → ``AWS::ECS::Cluster`` (CloudTrail's naming)."""
    parsed = parse_arn(arn)
    if parsed is None:
        return "Unknown"
    kind = "".join(part.capitalize() for part in parsed.resource_type.split("-"))
    return f"AWS::{parsed.service.upper()}::{kind}"


OPERATIONS: dict[str, Handler] = {"LookupEvents": lookup_events}

__all__ = ["OPERATIONS"]
