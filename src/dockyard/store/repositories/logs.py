"""CloudWatch Logs: groups, streams and events.

Methods take names and return domain values; a missing group or stream is ``None`` / ``False``
(the handler words the error). Events are read in position order ``(timestamp, id)``; ``id`` is
the insertion sequence (``LogEvent.seq``). Names compare byte-wise on both backends (see
``schema.LOG_NAME``), so prefixes are index-friendly ranges, not LIKE (which ignores case on
SQLite and treats ``_`` and ``%`` as wildcards).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, cast

from sqlalchemy import (
    ColumnElement,
    Table,
    and_,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    update,
)
from sqlalchemy.orm import Session

from dockyard.domain.logs import InputEvent, LogEvent, LogGroup, LogStream, Position
from dockyard.store.schema import LogEventRow, LogGroupRow, LogStreamRow

_GROUPS = cast(Table, LogGroupRow.__table__)
_STREAMS = cast(Table, LogStreamRow.__table__)
_EVENTS = cast(Table, LogEventRow.__table__)

StreamKey = tuple[int, str]
"""A DescribeLogStreams page boundary: (sort value, name); the sort value is the last event
time when ordering by LastEventTime, else 0."""


class LogRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- groups ---------------------------------------------------------------------------

    def get_group(self, region: str, name: str) -> LogGroup | None:
        found = self.list_groups(region, names=[name])
        return found[0] if found else None

    def add_group(self, group: LogGroup) -> None:
        self._execute(
            insert(_GROUPS).values(
                region=group.region,
                name=group.name,
                creation_time=group.creation_time,
                retention_days=group.retention_in_days,
                kms_key_id=group.kms_key_id,
                log_group_class=group.log_group_class,
            )
        )

    def delete_group(self, region: str, name: str) -> bool:
        """Delete the group with its streams and events; False when there is no such group."""
        group_id = self._group_id(region, name)
        if group_id is None:
            return False
        self._execute(delete(_EVENTS).where(_EVENTS.c.group_id == group_id))
        self._execute(delete(_STREAMS).where(_STREAMS.c.group_id == group_id))
        self._execute(delete(_GROUPS).where(_GROUPS.c.id == group_id))
        return True

    def set_retention(self, region: str, name: str, days: int | None) -> bool:
        result = self._execute(
            update(_GROUPS)
            .where(_GROUPS.c.region == region, _GROUPS.c.name == name)
            .values(retention_days=days)
        )
        return bool(result.rowcount)

    def list_groups(
        self,
        region: str,
        *,
        prefix: str | None = None,
        names: Sequence[str] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[LogGroup]:
        """Groups by name, after ``after``, with ``stored_bytes`` summed over their streams."""
        stored = (
            select(_STREAMS.c.group_id, func.sum(_STREAMS.c.stored_bytes).label("bytes"))
            .group_by(_STREAMS.c.group_id)
            .subquery()
        )
        query = (
            select(_GROUPS, func.coalesce(stored.c.bytes, 0).label("stored_bytes"))
            .outerjoin(stored, stored.c.group_id == _GROUPS.c.id)
            .where(_GROUPS.c.region == region)
        )
        if names is not None:
            query = query.where(_GROUPS.c.name.in_(list(names)))
        if prefix:
            query = query.where(_prefix(_GROUPS.c.name, prefix))
        if after is not None:
            query = query.where(_GROUPS.c.name > after)
        rows = self._execute(query.order_by(_GROUPS.c.name).limit(limit))
        return [_group(row) for row in rows]

    # --- streams --------------------------------------------------------------------------

    def get_stream(self, region: str, group: str, name: str) -> LogStream | None:
        found = self.list_streams(region, group, names=[name])
        return found[0] if found else None

    def add_stream(self, region: str, group: str, name: str, creation_time: int) -> bool:
        """Insert an empty stream; False when the group does not exist."""
        group_id = self._group_id(region, group)
        if group_id is None:
            return False
        self._execute(
            insert(_STREAMS).values(
                group_id=group_id, name=name, creation_time=creation_time, stored_bytes=0
            )
        )
        return True

    def delete_stream(self, region: str, group: str, name: str) -> bool:
        """Delete the stream and its events; False when there is no such stream."""
        row = self._stream_row(region, group, name)
        if row is None:
            return False
        self._execute(delete(_EVENTS).where(_EVENTS.c.stream_id == row.id))
        self._execute(delete(_STREAMS).where(_STREAMS.c.id == row.id))
        return True

    def list_streams(
        self,
        region: str,
        group: str,
        *,
        prefix: str | None = None,
        names: Sequence[str] | None = None,
        by_event_time: bool = False,
        descending: bool = False,
        after: StreamKey | None = None,
        limit: int = 50,
    ) -> list[LogStream]:
        """Streams of ``group`` ordered by name, or by last event time then name."""
        sort = func.coalesce(_STREAMS.c.last_event_timestamp, 0) if by_event_time else literal(0)
        query = (
            select(_STREAMS, _GROUPS.c.name.label("group_name"))
            .join(_GROUPS, _GROUPS.c.id == _STREAMS.c.group_id)
            .where(_GROUPS.c.region == region, _GROUPS.c.name == group)
        )
        if names is not None:
            query = query.where(_STREAMS.c.name.in_(list(names)))
        if prefix:
            query = query.where(_prefix(_STREAMS.c.name, prefix))
        if after is not None:
            query = query.where(_after_key(sort, _STREAMS.c.name, after, descending))
        order = [sort, _STREAMS.c.name] if by_event_time else [_STREAMS.c.name]
        query = query.order_by(*(c.desc() if descending else c.asc() for c in order))
        return [_stream(row) for row in self._execute(query.limit(limit))]

    # --- events ---------------------------------------------------------------------------

    def append(
        self,
        region: str,
        group: str,
        stream: str,
        events: Sequence[InputEvent],
        *,
        ingestion_time: int,
    ) -> LogStream | None:
        """Store ``events`` (chronological) in the stream and update its summary; None when
        the group or stream does not exist."""
        row = self._stream_row(region, group, stream)
        if row is None:
            return None
        if events:
            self._session.connection().execute(
                insert(_EVENTS),
                [
                    {
                        "group_id": row.group_id,
                        "stream_id": row.id,
                        "timestamp": e.timestamp,
                        "ingestion_time": ingestion_time,
                        "message": e.message,
                    }
                    for e in events
                ],
            )
            first, last = events[0].timestamp, events[-1].timestamp
            self._execute(
                update(_STREAMS)
                .where(_STREAMS.c.id == row.id)
                .values(
                    first_event_timestamp=_min(row.first_event_timestamp, first),
                    last_event_timestamp=max(row.last_event_timestamp or last, last),
                    last_ingestion_time=ingestion_time,
                    stored_bytes=_STREAMS.c.stored_bytes
                    + sum(len(e.message.encode("utf-8")) for e in events),
                )
            )
        return self.get_stream(region, group, stream)

    def read_stream(
        self,
        region: str,
        group: str,
        stream: str,
        *,
        start: int | None,
        end: int | None,
        after: Position | None = None,
        before: Position | None = None,
        limit: int,
    ) -> list[LogEvent]:
        """Events of one stream in ``[start, end)``, ascending. With ``before``, the *last*
        ``limit`` events before it (still returned ascending); else the first after ``after``."""
        row = self._stream_row(region, group, stream)
        if row is None:
            return []
        query = _events_query(start, end).where(
            _EVENTS.c.group_id == row.group_id, _EVENTS.c.stream_id == row.id
        )
        backward = before is not None
        if before is not None:
            query = query.where(_before(before))
        if after is not None:
            query = query.where(_after(after))
        order = (_EVENTS.c.timestamp, _EVENTS.c.id)
        query = query.order_by(*(c.desc() for c in order) if backward else order)
        events = [_event(r) for r in self._execute(query.limit(limit))]
        return events[::-1] if backward else events

    def scan_group(
        self,
        region: str,
        group: str,
        *,
        streams: Sequence[str] | None = None,
        prefix: str | None = None,
        start: int | None,
        end: int | None,
        after: Position | None,
        limit: int,
    ) -> list[LogEvent]:
        """Events of a group's streams (all, named, or by prefix) in ``[start, end)``, in
        position order after ``after``."""
        group_id = self._group_id(region, group)
        if group_id is None:
            return []
        query = _events_query(start, end).where(_EVENTS.c.group_id == group_id)
        if streams is not None:
            query = query.where(_STREAMS.c.name.in_(list(streams)))
        if prefix:
            query = query.where(_prefix(_STREAMS.c.name, prefix))
        if after is not None:
            query = query.where(_after(after))
        query = query.order_by(_EVENTS.c.timestamp, _EVENTS.c.id).limit(limit)
        return [_event(r) for r in self._execute(query)]

    # --- helpers --------------------------------------------------------------------------

    def _execute(self, statement: Any) -> Any:
        return self._session.connection().execute(statement)

    def _group_id(self, region: str, name: str) -> int | None:
        query = select(_GROUPS.c.id).where(_GROUPS.c.region == region, _GROUPS.c.name == name)
        found: int | None = self._execute(query).scalar()
        return found

    def _stream_row(self, region: str, group: str, name: str) -> Any:
        query = (
            select(_STREAMS)
            .join(_GROUPS, _GROUPS.c.id == _STREAMS.c.group_id)
            .where(_GROUPS.c.region == region, _GROUPS.c.name == group, _STREAMS.c.name == name)
        )
        return self._execute(query).first()


def _events_query(start: int | None, end: int | None) -> Any:
    query = select(
        _EVENTS.c.id,
        _EVENTS.c.timestamp,
        _EVENTS.c.ingestion_time,
        _EVENTS.c.message,
        _STREAMS.c.name.label("stream_name"),
    ).join(_STREAMS, _STREAMS.c.id == _EVENTS.c.stream_id)
    if start is not None:
        query = query.where(_EVENTS.c.timestamp >= start)
    if end is not None:
        query = query.where(_EVENTS.c.timestamp < end)
    return query


def _after(position: Position) -> ColumnElement[bool]:
    ts, seq = _EVENTS.c.timestamp, _EVENTS.c.id
    return or_(ts > position.timestamp, and_(ts == position.timestamp, seq > position.seq))


def _before(position: Position) -> ColumnElement[bool]:
    ts, seq = _EVENTS.c.timestamp, _EVENTS.c.id
    return or_(ts < position.timestamp, and_(ts == position.timestamp, seq < position.seq))


def _after_key(sort: Any, name: Any, key: StreamKey, descending: bool) -> ColumnElement[bool]:
    value, last = key
    if descending:
        return or_(sort < value, and_(sort == value, name < last))
    return or_(sort > value, and_(sort == value, name > last))


def _prefix(column: Any, prefix: str) -> ColumnElement[bool]:
    """``column`` starts with ``prefix``, as a range on the byte-wise name order."""
    last = ord(prefix[-1])
    if last >= 0x10FFFF:
        return func.substr(column, 1, len(prefix)) == prefix
    following = 0xE000 if 0xD7FF <= last < 0xE000 else last + 1  # skip the surrogates
    upper = prefix[:-1] + chr(following)
    return and_(column >= prefix, column < upper)


def _min(current: int | None, candidate: int) -> int:
    return candidate if current is None else min(current, candidate)


def _group(row: Any) -> LogGroup:
    return LogGroup(
        name=row.name,
        region=row.region,
        creation_time=row.creation_time,
        retention_in_days=row.retention_days,
        kms_key_id=row.kms_key_id,
        log_group_class=row.log_group_class,
        stored_bytes=int(row.stored_bytes),
    )


def _stream(row: Any) -> LogStream:
    return LogStream(
        group=row.group_name,
        name=row.name,
        creation_time=row.creation_time,
        first_event_timestamp=row.first_event_timestamp,
        last_event_timestamp=row.last_event_timestamp,
        last_ingestion_time=row.last_ingestion_time,
        stored_bytes=row.stored_bytes,
    )


def _event(row: Any) -> LogEvent:
    return LogEvent(
        stream=row.stream_name,
        timestamp=row.timestamp,
        message=row.message,
        ingestion_time=row.ingestion_time,
        seq=row.id,
    )
