"""CloudWatch metric alarms and their history.

Python API::

    repo = AlarmRepository(uow.session)
    repo.put(region, alarm, now)            -> bool   # True when created; an update keeps
                                                      # the state and the tags (as AWS)
    repo.set_tags(region, name, tags)       -> bool
    repo.get(region, name)                  -> Alarm | None
    repo.find(region, names=None, prefix=None, state=None) -> list[Alarm]  (by name)
    repo.all()                              -> list[tuple[str, Alarm]]     (region, alarm)
    repo.delete(region, names)              -> list[str]  (the names that existed)
    repo.set_state(region, name, state, reason, reason_data, now) -> bool
    repo.record_transition(region, alarm, evaluation, now) -> None  # state + StateUpdate item
    repo.set_actions_enabled(region, names, enabled) -> None
    repo.add_history(region, item)          -> None
    repo.history(region, name=None, kind=None, start=None, end=None) -> list[HistoryItem]
                                                     (newest first)

Configuration lives in a JSON document, state in columns, so the evaluation loop updates a
state without rewriting the configuration.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, fields, replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from dockyard.domain.alarms import Alarm, AlarmEvaluation, HistoryItem, state_reason_data
from dockyard.store.schema_metrics import AlarmHistoryRow, AlarmRow

__all__ = ["AlarmRepository"]

_STATE_FIELDS = {
    "state",
    "state_reason",
    "state_reason_data",
    "state_updated",
    "configuration_updated",
}
_TUPLE_FIELDS = {"alarm_actions", "ok_actions", "insufficient_data_actions"}


def _config(alarm: Alarm) -> dict[str, Any]:
    return {k: v for k, v in asdict(alarm).items() if k not in _STATE_FIELDS}


def _alarm(row: AlarmRow) -> Alarm:
    known = {f.name for f in fields(Alarm)}
    cfg: dict[str, Any] = {k: v for k, v in row.config.items() if k in known}
    for name in _TUPLE_FIELDS:
        cfg[name] = tuple(cfg.get(name) or ())
    for name in ("dimensions", "tags"):
        cfg[name] = tuple((str(n), str(v)) for n, v in cfg.get(name) or ())
    return Alarm(
        **cfg,
        state=row.state,
        state_reason=row.state_reason,
        state_reason_data=row.state_reason_data,
        state_updated=row.state_updated,
        configuration_updated=row.configuration_updated,
    )


class AlarmRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def _row(self, region: str, name: str) -> AlarmRow | None:
        return self._session.scalar(
            select(AlarmRow).where(AlarmRow.region == region, AlarmRow.name == name)
        )

    def put(self, region: str, alarm: Alarm, now: datetime) -> bool:
        """Create or replace an alarm's configuration; an existing alarm keeps its state."""
        row = self._row(region, alarm.name)
        if row is not None:
            row.config = _config(replace(alarm, tags=_alarm(row).tags))
            row.configuration_updated = now
            return False
        self._session.add(
            AlarmRow(
                region=region,
                name=alarm.name,
                config=_config(alarm),
                state=alarm.state,
                state_reason=alarm.state_reason,
                state_reason_data=alarm.state_reason_data,
                state_updated=now,
                configuration_updated=now,
            )
        )
        self._session.flush()
        return True

    def get(self, region: str, name: str) -> Alarm | None:
        row = self._row(region, name)
        return None if row is None else _alarm(row)

    def find(
        self,
        region: str,
        *,
        names: Iterable[str] | None = None,
        prefix: str | None = None,
        state: str | None = None,
    ) -> list[Alarm]:
        query = select(AlarmRow).where(AlarmRow.region == region).order_by(AlarmRow.name)
        if names is not None:
            query = query.where(AlarmRow.name.in_(list(names)))
        if prefix:
            query = query.where(AlarmRow.name.startswith(prefix, autoescape=True))
        if state:
            query = query.where(AlarmRow.state == state)
        return [_alarm(r) for r in self._session.scalars(query)]

    def all(self) -> list[tuple[str, Alarm]]:
        rows = self._session.scalars(select(AlarmRow).order_by(AlarmRow.region, AlarmRow.name))
        return [(r.region, _alarm(r)) for r in rows]

    def delete(self, region: str, names: Iterable[str]) -> list[str]:
        wanted = list(names)
        found = [a.name for a in self.find(region, names=wanted)]
        if found:
            self._session.execute(
                delete(AlarmRow).where(AlarmRow.region == region, AlarmRow.name.in_(found))
            )
        return found

    def set_state(
        self,
        region: str,
        name: str,
        state: str,
        reason: str,
        reason_data: str | None,
        now: datetime,
    ) -> bool:
        """Record a new state; False when the alarm is gone (deleted meanwhile)."""
        result = self._session.execute(
            update(AlarmRow)
            .where(AlarmRow.region == region, AlarmRow.name == name)
            .values(
                state=state, state_reason=reason, state_reason_data=reason_data, state_updated=now
            )
        )
        return bool(getattr(result, "rowcount", 0))

    def record_transition(
        self, region: str, alarm: Alarm, ev: AlarmEvaluation, now: datetime
    ) -> None:
        """Write an evaluation's new state and its StateUpdate history item."""
        data = state_reason_data(alarm, ev)
        if not self.set_state(region, alarm.name, ev.state, ev.reason, data, now):
            return
        summary = f"Alarm updated from {ev.previous_state} to {ev.state}"
        history = {
            "version": "1.0",
            "oldState": {"stateValue": ev.previous_state},
            "newState": {"stateValue": ev.state, "stateReason": ev.reason, "stateReasonData": data},
        }
        self.add_history(
            region, HistoryItem(alarm.name, now, "StateUpdate", summary, json.dumps(history))
        )

    def set_tags(self, region: str, name: str, tags: tuple[tuple[str, str], ...]) -> bool:
        """Replace an alarm's tags; False when there is no such alarm."""
        row = self._row(region, name)
        if row is None:
            return False
        row.config = _config(replace(_alarm(row), tags=tags))
        return True

    def set_actions_enabled(self, region: str, names: Iterable[str], enabled: bool) -> None:
        for row in self._session.scalars(
            select(AlarmRow).where(AlarmRow.region == region, AlarmRow.name.in_(list(names)))
        ):
            row.config = _config(replace(_alarm(row), actions_enabled=enabled))

    def add_history(self, region: str, item: HistoryItem) -> None:
        self._session.add(
            AlarmHistoryRow(
                region=region,
                alarm=item.alarm_name,
                timestamp=item.timestamp,
                kind=item.kind,
                summary=item.summary,
                data=item.data,
            )
        )

    def history(
        self,
        region: str,
        *,
        name: str | None = None,
        kind: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
    ) -> list[HistoryItem]:
        h = AlarmHistoryRow
        query = select(h).where(h.region == region).order_by(h.timestamp.desc(), h.id.desc())
        if name:
            query = query.where(h.alarm == name)
        if kind:
            query = query.where(h.kind == kind)
        if start:
            query = query.where(h.timestamp >= start)
        if end:
            query = query.where(h.timestamp <= end)
        return [
            HistoryItem(r.alarm, r.timestamp, r.kind, r.summary, r.data)
            for r in self._session.scalars(query)
        ]
