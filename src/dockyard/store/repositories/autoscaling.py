"""Application Auto Scaling: targets, policies, scheduled actions and activities.

Built on a unit of work's session: ``AutoScalingRepository(uow.session)``. Methods take and
return domain values (``domain/autoscaling.py``); missing objects are ``None`` / ``False`` and
the caller words the error. Targets are listed by resource id, policies and scheduled
actions by ARN (both page with an exclusive ``after`` key), activities newest first;
``prune_activities`` forgets old ones (the housekeeping sweep).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from dockyard.domain.autoscaling import (
    AlarmRef,
    MetricSpec,
    ScalableTarget,
    ScalingActivity,
    ScalingPolicy,
    ScalingState,
    ScheduledAction,
    StepAdjustment,
    StepScalingConfig,
    SuspendedState,
    TargetTrackingConfig,
)
from dockyard.store.schema_autoscaling import (
    ScalableTargetRow,
    ScalingActivityRow,
    ScalingPolicyRow,
    ScheduledActionRow,
)

R = TypeVar("R", ScalingPolicyRow, ScheduledActionRow)

PRUNE_BATCH = 500
"""Activity ids per DELETE … IN (…) when pruning (well under SQLite's bound-parameter cap)."""


class AutoScalingRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # --- scalable targets -----------------------------------------------------------------

    def get_target(self, region: str, resource_id: str) -> ScalableTarget | None:
        row = self._target_row(region, resource_id)
        return None if row is None else _target(row)

    def list_targets(
        self,
        region: str,
        *,
        resource_ids: Sequence[str] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[ScalableTarget]:
        query = select(ScalableTargetRow).where(ScalableTargetRow.region == region)
        if resource_ids is not None:
            query = query.where(ScalableTargetRow.resource_id.in_(list(resource_ids)))
        if after is not None:
            query = query.where(ScalableTargetRow.resource_id > after)
        query = query.order_by(ScalableTargetRow.resource_id).limit(limit)
        return [_target(row) for row in self._session.scalars(query)]

    def targets_to_clamp(self, limit: int = 500) -> list[ScalableTarget]:
        """Targets of every region whose min/max changed since the controller last looked."""
        query = (
            select(ScalableTargetRow)
            .where(ScalableTargetRow.clamp_pending.is_(True))
            .order_by(ScalableTargetRow.id)
            .limit(limit)
        )
        return [_target(row) for row in self._session.scalars(query)]

    def count_targets(self, region: str) -> int:
        query = select(func.count()).where(ScalableTargetRow.region == region)
        return int(self._session.scalar(query.select_from(ScalableTargetRow)) or 0)

    def put_target(self, target: ScalableTarget) -> None:
        """Insert or replace the target with ``target``'s region and resource id."""
        row = self._target_row(target.region, target.resource_id)
        if row is None:
            row = ScalableTargetRow(
                region=target.region, resource_id=target.resource_id, created_at=target.created_at
            )
            self._session.add(row)
        row.document = _target_doc(target)
        row.clamp_pending = target.state.clamp_pending

    def delete_target(self, region: str, resource_id: str) -> bool:
        """Delete the target with its policies and scheduled actions (activities stay)."""
        row = self._target_row(region, resource_id)
        if row is None:
            return False
        for table in (ScalingPolicyRow, ScheduledActionRow):
            self._session.execute(
                delete(table).where(table.region == region, table.resource_id == resource_id)
            )
        self._session.delete(row)
        return True

    def _target_row(self, region: str, resource_id: str) -> ScalableTargetRow | None:
        query = select(ScalableTargetRow).where(
            ScalableTargetRow.region == region, ScalableTargetRow.resource_id == resource_id
        )
        return self._session.scalars(query).first()

    # --- policies and scheduled actions ---------------------------------------------------

    def get_policy(self, region: str, resource_id: str, name: str) -> ScalingPolicy | None:
        found = self.list_policies(region, resource_id=resource_id, names=[name])
        return found[0] if found else None

    def get_policy_by_arn(self, arn: str) -> ScalingPolicy | None:
        row = self._session.get(ScalingPolicyRow, arn)
        return None if row is None else _policy(row.document)

    def list_policies(
        self,
        region: str,
        *,
        resource_id: str | None = None,
        names: Sequence[str] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[ScalingPolicy]:
        rows = self._list(ScalingPolicyRow, region, resource_id, names, after, limit)
        return [_policy(row.document) for row in rows]

    def put_policy(self, policy: ScalingPolicy) -> None:
        """Insert or replace (by region, resource id and name; the ARN is kept)."""
        self._put(ScalingPolicyRow, policy, _policy_doc(policy))

    def delete_policy(self, region: str, resource_id: str, name: str) -> bool:
        return self._delete(ScalingPolicyRow, region, resource_id, name)

    def count_policies(self, region: str, resource_id: str) -> int:
        return self._count(ScalingPolicyRow, region, resource_id)

    def get_action(self, region: str, resource_id: str, name: str) -> ScheduledAction | None:
        found = self.list_actions(region, resource_id=resource_id, names=[name])
        return found[0] if found else None

    def list_actions(
        self,
        region: str,
        *,
        resource_id: str | None = None,
        names: Sequence[str] | None = None,
        after: str | None = None,
        limit: int = 50,
    ) -> list[ScheduledAction]:
        rows = self._list(ScheduledActionRow, region, resource_id, names, after, limit)
        return [_action(row.document) for row in rows]

    def due_actions(self, now: datetime, limit: int = 100) -> list[ScheduledAction]:
        """Scheduled actions of every region whose ``next_fire`` is at or before ``now``."""
        query = (
            select(ScheduledActionRow)
            .where(ScheduledActionRow.next_fire <= now)
            .order_by(ScheduledActionRow.next_fire, ScheduledActionRow.arn)
            .limit(limit)
        )
        return [_action(row.document) for row in self._session.scalars(query)]

    def claim_action(self, action: ScheduledAction, following: ScheduledAction) -> bool:
        """Move a due action to its following time if nobody did since it was read (so two
        control planes never both fire it); False when it changed or is gone."""
        row = self._row(ScheduledActionRow, action.region, action.resource_id, action.name)
        if row is None or row.next_fire != action.next_fire:
            return False
        self.put_action(following)
        return True

    def put_action(self, action: ScheduledAction) -> None:
        """Insert or replace (by region, resource id and name; the ARN is kept)."""
        row = self._put(ScheduledActionRow, action, _action_doc(action))
        row.next_fire = action.next_fire

    def delete_action(self, region: str, resource_id: str, name: str) -> bool:
        return self._delete(ScheduledActionRow, region, resource_id, name)

    def count_actions(self, region: str, resource_id: str) -> int:
        return self._count(ScheduledActionRow, region, resource_id)

    def _list(
        self,
        table: type[R],
        region: str,
        resource_id: str | None,
        names: Sequence[str] | None,
        after: str | None,
        limit: int,
    ) -> Sequence[R]:
        query = select(table).where(table.region == region)
        if resource_id is not None:
            query = query.where(table.resource_id == resource_id)
        if names is not None:
            query = query.where(table.name.in_(list(names)))
        if after is not None:
            query = query.where(table.arn > after)
        return self._session.scalars(query.order_by(table.arn).limit(limit)).all()

    def _row(self, table: type[R], region: str, resource_id: str, name: str) -> R | None:
        query = select(table).where(
            table.region == region, table.resource_id == resource_id, table.name == name
        )
        return self._session.scalars(query).first()

    def _put(self, table: type[R], value: ScalingPolicy | ScheduledAction, doc: Any) -> R:
        row = self._row(table, value.region, value.resource_id, value.name)
        if row is None:
            row = table(
                arn=value.arn,
                region=value.region,
                resource_id=value.resource_id,
                name=value.name,
                created_at=value.created_at,
            )
            self._session.add(row)
        row.document = {**doc, "arn": row.arn}
        return row

    def _delete(self, table: type[R], region: str, resource_id: str, name: str) -> bool:
        row = self._row(table, region, resource_id, name)
        if row is None:
            return False
        self._session.delete(row)
        return True

    def _count(self, table: type[R], region: str, resource_id: str) -> int:
        query = select(func.count()).select_from(table)
        query = query.where(table.region == region, table.resource_id == resource_id)
        return int(self._session.scalar(query) or 0)

    # --- activities -----------------------------------------------------------------------

    def add_activity(self, activity: ScalingActivity) -> None:
        self._session.add(
            ScalingActivityRow(
                activity_id=activity.activity_id,
                region=activity.region,
                resource_id=activity.resource_id,
                started_at=activity.start,
                document=_activity_doc(activity),
            )
        )

    def list_activities(
        self, region: str, *, resource_id: str | None = None, offset: int = 0, limit: int = 50
    ) -> list[ScalingActivity]:
        """Newest first."""
        query = select(ScalingActivityRow).where(ScalingActivityRow.region == region)
        if resource_id is not None:
            query = query.where(ScalingActivityRow.resource_id == resource_id)
        query = query.order_by(ScalingActivityRow.started_at.desc(), ScalingActivityRow.activity_id)
        rows = self._session.scalars(query.offset(offset).limit(limit))
        return [_activity(row.document) for row in rows]

    def prune_activities(self, *, before: datetime, keep_per_target: int) -> int:
        """Forget activities started before ``before`` and, per (region, resource id), all but
        the newest ``keep_per_target``; returns how many were removed."""
        a = ScalingActivityRow
        gone = self._session.execute(delete(a).where(a.started_at < before))
        removed = int(getattr(gone, "rowcount", 0) or 0)
        crowded = self._session.execute(
            select(a.region, a.resource_id)
            .group_by(a.region, a.resource_id)
            .having(func.count() > keep_per_target)
        ).all()
        for region, resource_id in crowded:
            extra = self._session.scalars(
                select(a.activity_id)
                .where(a.region == region, a.resource_id == resource_id)
                .order_by(a.started_at.desc(), a.activity_id)
                .offset(keep_per_target)
            ).all()
            for start in range(0, len(extra), PRUNE_BATCH):
                batch = extra[start : start + PRUNE_BATCH]
                self._session.execute(delete(a).where(a.activity_id.in_(batch)))
            removed += len(extra)
        return removed


# --- documents ------------------------------------------------------------------------------


def _when(value: datetime | None) -> str | None:
    return None if value is None else value.isoformat()


def _parse(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def _target_doc(t: ScalableTarget) -> dict[str, Any]:
    state = t.state
    return {
        "region": t.region,
        "resource_id": t.resource_id,
        "min": t.min_capacity,
        "max": t.max_capacity,
        "arn": t.arn,
        "created_at": _when(t.created_at),
        "role_arn": t.role_arn,
        "suspended": asdict(t.suspended),
        "state": [
            _when(state.last_scale_out_at),
            _when(state.last_scale_in_at),
            state.scale_out_added,
            state.clamp_pending,
        ],
    }


def _target(row: ScalableTargetRow) -> ScalableTarget:
    d = row.document
    out_at, in_at, added, clamp = d["state"]
    return ScalableTarget(
        region=d["region"],
        resource_id=d["resource_id"],
        min_capacity=d["min"],
        max_capacity=d["max"],
        arn=d["arn"],
        created_at=row.created_at,
        role_arn=d["role_arn"],
        suspended=SuspendedState(**d["suspended"]),
        state=ScalingState(_parse(out_at), _parse(in_at), added, clamp),
    )


def _policy_doc(p: ScalingPolicy) -> dict[str, Any]:
    doc = asdict(p)
    doc["created_at"] = _when(p.created_at)
    return doc


def _policy(d: dict[str, Any]) -> ScalingPolicy:
    step = d["step"]
    target = d["target"]
    if step is not None:
        steps = tuple(StepAdjustment(**s) for s in step["steps"])
        step = StepScalingConfig(**{**step, "steps": steps})
    if target is not None:
        m = target["metric"]
        metric = MetricSpec(**{**m, "dimensions": tuple(tuple(x) for x in m["dimensions"])})
        target = TargetTrackingConfig(**{**target, "metric": metric})
    return ScalingPolicy(
        **{
            **d,
            "created_at": _parse(d["created_at"]),
            "step": step,
            "target": target,
            "alarms": tuple(AlarmRef(**a) for a in d["alarms"]),
        }
    )


def _action_doc(a: ScheduledAction) -> dict[str, Any]:
    doc = asdict(a)
    for key in ("created_at", "start", "end", "next_fire"):
        doc[key] = _when(doc[key])
    return doc


def _action(d: dict[str, Any]) -> ScheduledAction:
    times = {key: _parse(d[key]) for key in ("created_at", "start", "end", "next_fire")}
    return ScheduledAction(**{**d, **times})


def _activity_doc(a: ScalingActivity) -> dict[str, Any]:
    doc = asdict(a)
    doc["start"], doc["end"] = _when(a.start), _when(a.end)
    return doc


def _activity(d: dict[str, Any]) -> ScalingActivity:
    return ScalingActivity(**{**d, "start": _parse(d["start"]), "end": _parse(d["end"])})
