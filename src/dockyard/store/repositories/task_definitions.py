"""Task definitions and their per-family revision counters.

Revision numbers come from an atomic ``UPDATE … SET last_revision = last_revision + 1`` on the
family row, so concurrent registrations of one family get distinct, gap-free, increasing
revisions on SQLite and PostgreSQL alike; the unique key on (region, family, revision) is the
backstop.
"""

from __future__ import annotations

import functools
from dataclasses import replace
from typing import Any

from sqlalchemy import bindparam, func, insert, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from dockyard.domain.task_definition import (
    TaskDefinition,
    TaskDefinitionStatus,
    task_definition_from_document,
    task_definition_to_document,
)
from dockyard.store.schema import TaskDefinitionFamilyRow, TaskDefinitionRow
from dockyard.store.versioned_cache import VersionedCache

_TIMESTAMP_KEYS = ("registeredAt", "deregisteredAt", "deleteRequestedAt")
"""Held in typed columns, not in the JSON document."""


_TABLE = TaskDefinitionRow.__table__
_BY_REVISION = select(_TABLE).where(
    _TABLE.c.region == bindparam("region"),
    _TABLE.c.family == bindparam("family"),
    _TABLE.c.revision == bindparam("revision"),
)
_LATEST_ACTIVE = (
    select(_TABLE)
    .where(
        _TABLE.c.region == bindparam("region"),
        _TABLE.c.family == bindparam("family"),
        _TABLE.c.status == TaskDefinitionStatus.ACTIVE.value,
    )
    .order_by(_TABLE.c.revision.desc())
    .limit(1)
)
"""Prebuilt Core statements for the hot read paths (see clusters.py for why)."""


@functools.cache
def _next_revision_statement(dialect: str) -> Any:
    insert_fn = sqlite_insert if dialect == "sqlite" else pg_insert
    row = TaskDefinitionFamilyRow
    upsert = insert_fn(row).values(
        region=bindparam("region"), family=bindparam("family"), last_revision=1
    )
    return upsert.on_conflict_do_update(
        index_elements=[row.region, row.family],
        set_={"last_revision": row.last_revision + 1},
    ).returning(row.last_revision)


class TaskDefinitionRepository:
    def __init__(
        self, session: Session, cache: VersionedCache[TaskDefinition] | None = None
    ) -> None:
        self._session = session
        self._cache: VersionedCache[TaskDefinition] = (
            cache if cache is not None else VersionedCache()
        )

    def next_revision(self, region: str, family: str) -> int:
        """Reserve the family's next revision number (1 for a new family).

        One atomic upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``), on SQLite ≥ 3.35
        and PostgreSQL alike: two concurrent callers can never read the same number.
        """
        connection = self._session.connection()
        statement = _next_revision_statement(connection.dialect.name)
        params = {"region": region, "family": family}
        return int(connection.execute(statement, params).scalar_one())

    def add(self, region: str, td: TaskDefinition) -> None:
        row = TaskDefinitionRow(region=region, family=td.family, revision=td.revision)
        _fill(row, td)
        values = {c.name: getattr(row, c.key) for c in _TABLE.columns if c.name != "id"}
        values["version"] = 1  # what the ORM's version counter starts at
        self._session.connection().execute(insert(TaskDefinitionRow), values)

    def save(self, region: str, td: TaskDefinition) -> None:
        row = self._row(region, td.family, td.revision)
        if row is None:
            raise LookupError(f"{td.family}:{td.revision}")
        _fill(row, td)
        self._session.flush()

    def get(self, region: str, family: str, revision: int) -> TaskDefinition | None:
        params = {"region": region, "family": family, "revision": revision}
        row = self._session.connection().execute(_BY_REVISION, params).first()
        if row is None:
            return None
        # a revision's document never changes; its status and dates do, so they are the key
        key = (
            *(region, family, revision),
            *(row.status, row.registered_at, row.deregistered_at, row.delete_requested_at),
        )
        cached = self._cache.get(key, 0)
        if cached is None:
            cached = _to_domain(row)
            self._cache.put(key, 0, cached)
        return cached

    def latest_active(self, region: str, family: str) -> TaskDefinition | None:
        params = {"region": region, "family": family}
        row = self._session.connection().execute(_LATEST_ACTIVE, params).first()
        return _to_domain(row) if row else None

    def list_page(
        self,
        region: str,
        *,
        family: str | None,
        family_prefix: str | None,
        status: str | None,
        descending: bool,
        after: tuple[str, int] | None,
        limit: int,
    ) -> list[tuple[str, int]]:
        """(family, revision) pairs in (family, revision) order, resuming after ``after``."""
        t = TaskDefinitionRow
        query = select(t.family, t.revision).where(t.region == region)
        if status is not None:
            query = query.where(t.status == status)
        if family is not None:
            query = query.where(t.family == family)
        if family_prefix:
            query = query.where(t.family.startswith(family_prefix, autoescape=True))
        if after is not None:
            a_family, a_rev = after
            if descending:
                query = query.where(
                    (t.family < a_family) | ((t.family == a_family) & (t.revision < a_rev))
                )
            else:
                query = query.where(
                    (t.family > a_family) | ((t.family == a_family) & (t.revision > a_rev))
                )
        order = (t.family.desc(), t.revision.desc()) if descending else (t.family, t.revision)
        rows = self._session.connection().execute(query.order_by(*order).limit(limit))
        return [(r.family, r.revision) for r in rows]

    def list_families_page(
        self,
        region: str,
        *,
        family_prefix: str | None,
        status: str,
        after: str | None,
        limit: int,
    ) -> list[str]:
        """Families by name. status ACTIVE: ≥1 ACTIVE revision; INACTIVE: none; ALL: any."""
        t = TaskDefinitionRow
        active_count = func.sum(
            func.cast(t.status == TaskDefinitionStatus.ACTIVE.value, type_=t.revision.type)
        )
        query = select(t.family).where(t.region == region).group_by(t.family)
        if family_prefix:
            query = query.where(t.family.startswith(family_prefix, autoescape=True))
        if after is not None:
            query = query.where(t.family > after)
        if status == "ACTIVE":
            query = query.having(active_count > 0)
        elif status == "INACTIVE":
            query = query.having(active_count == 0)
        return list(self._session.scalars(query.order_by(t.family).limit(limit)))

    def _row(self, region: str, family: str, revision: int) -> TaskDefinitionRow | None:
        return self._session.scalars(
            select(TaskDefinitionRow).where(
                TaskDefinitionRow.region == region,
                TaskDefinitionRow.family == family,
                TaskDefinitionRow.revision == revision,
            )
        ).first()


def _fill(row: TaskDefinitionRow, td: TaskDefinition) -> None:
    document = task_definition_to_document(td)
    for key in _TIMESTAMP_KEYS:
        document.pop(key, None)
    row.status = td.status.value
    row.document = document
    row.registered_at = td.registered_at  # type: ignore[assignment]
    row.deregistered_at = td.deregistered_at
    row.delete_requested_at = td.delete_requested_at


def _to_domain(row: Any) -> TaskDefinition:
    """A task definition from an ORM row or a Core row of its table."""
    document: dict[str, Any] = dict(row.document)
    document["status"] = row.status
    td = task_definition_from_document(document)
    return replace(
        td,
        registered_at=row.registered_at,
        deregistered_at=row.deregistered_at,
        delete_requested_at=row.delete_requested_at,
    )
