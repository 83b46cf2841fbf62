"""The audit trail's rows: appended in batches, read newest first, pruned by age."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select
from sqlalchemy.orm import Session
from sqlalchemy.sql.elements import ColumnElement

from dockyard.domain.audit import AuditEvent, AuditQuery
from dockyard.store.schema_audit import AuditEventRow

_ATTRIBUTE_COLUMNS = {
    "EventId": AuditEventRow.event_id,
    "EventName": AuditEventRow.event_name,
    "Username": AuditEventRow.user_name,
    "EventSource": AuditEventRow.event_source,
    "AccessKeyId": AuditEventRow.access_key_id,
}


class AuditRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, events: Sequence[AuditEvent]) -> None:
        if not events:
            return
        self._session.execute(insert(AuditEventRow), [_to_row(e) for e in events])

    def lookup(self, query: AuditQuery) -> list[tuple[int, AuditEvent]]:
        """(row id, event) pairs matching ``query``, newest first, at most ``query.limit``."""
        statement = select(AuditEventRow).order_by(AuditEventRow.id.desc()).limit(query.limit)
        for condition in _conditions(query):
            statement = statement.where(condition)
        return [(row.id, _to_domain(row)) for row in self._session.scalars(statement)]

    def prune(self, before: datetime) -> int:
        result = self._session.execute(
            delete(AuditEventRow).where(AuditEventRow.event_time < before)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def _conditions(query: AuditQuery) -> list[ColumnElement[bool]]:
    conditions: list[ColumnElement[bool]] = []
    if query.start is not None:
        conditions.append(AuditEventRow.event_time >= query.start)
    if query.end is not None:
        conditions.append(AuditEventRow.event_time <= query.end)
    if query.before_id is not None:
        conditions.append(AuditEventRow.id < query.before_id)
    if query.attribute == "ReadOnly" and query.value is not None:
        conditions.append(AuditEventRow.read_only.is_(query.value.lower() == "true"))
    elif query.attribute == "Decision" and query.value is not None:
        conditions.append(AuditEventRow.decision == query.value)
    elif query.attribute == "ResourceName" and query.value is not None:
        conditions.append(AuditEventRow.resources.contains(query.value))
    elif query.attribute in _ATTRIBUTE_COLUMNS and query.value is not None:
        conditions.append(_ATTRIBUTE_COLUMNS[query.attribute] == query.value)
    return conditions


def _to_row(event: AuditEvent) -> dict[str, object]:
    return {
        "event_id": event.event_id,
        "event_time": event.event_time,
        "region": event.region,
        "event_source": event.event_source,
        "event_name": event.event_name,
        "read_only": event.read_only,
        "principal_arn": event.principal_arn,
        "user_name": event.user_name,
        "access_key_id": event.access_key_id,
        "source_ip": event.source_ip,
        "resources": json.dumps(list(event.resources)),
        "decision": event.decision,
        "error_code": event.error_code,
        "error_message": event.error_message,
    }


def _to_domain(row: AuditEventRow) -> AuditEvent:
    return AuditEvent(
        event_id=row.event_id,
        event_time=row.event_time,
        region=row.region,
        event_source=row.event_source,
        event_name=row.event_name,
        principal_arn=row.principal_arn,
        user_name=row.user_name,
        access_key_id=row.access_key_id,
        source_ip=row.source_ip,
        resources=tuple(json.loads(row.resources)),
        decision=row.decision,
        error_code=row.error_code,
        error_message=row.error_message,
    )
