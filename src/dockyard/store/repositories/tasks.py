"""Tasks: rows ↔ :class:`dockyard.domain.task.Task`, and the aggregate queries placement,
container-instance views and the agent channel need."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, case, func, literal, select, update
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from dockyard.domain.task import (
    Task,
)
from dockyard.domain.task_status import (
    DesiredStatus,
    TaskStatus,
)
from dockyard.store.repositories.task_codec import (
    COLUMNS,
    TABLE,
    decode_ports,
    fill,
    to_domain,
    values,
)
from dockyard.store.schema import TaskRow
from dockyard.store.versioned_cache import VersionedCache

_STOPPED = TaskStatus.STOPPED.value
_PENDING_STATUSES = (TaskStatus.PROVISIONING.value, TaskStatus.PENDING.value)


@dataclass(frozen=True, slots=True)
class InstanceUsage:
    """What live tasks hold on one instance, and its ECS task counts."""

    cpu: int = 0
    memory: int = 0
    ports: frozenset[tuple[int, str]] = frozenset()
    running_count: int = 0
    pending_count: int = 0
    group_counts: Mapping[str, int] = field(default_factory=dict)
    """Tasks with desiredStatus RUNNING per task group (spread, distinctInstance, task:group)."""


@dataclass(frozen=True, slots=True)
class TaskFilter:
    """ListTasks filters; None means "any"."""

    family: str | None = None
    started_by: str | None = None
    service_name: str | None = None
    instance_id: str | None = None
    desired_status: str | None = None
    launch_type: str | None = None


class TaskRepository:
    def __init__(self, session: Session, cache: VersionedCache[Task] | None = None) -> None:
        self._session = session
        self._cache: VersionedCache[Task] = cache if cache is not None else VersionedCache()

    def get(self, region: str, cluster: str, task_id: str) -> Task | None:
        row = self._session.get(TaskRow, task_id)
        if row is None or row.region != region or row.cluster != cluster:
            return None
        return to_domain(row)

    def get_by_id(self, task_id: str) -> Task | None:
        row = self._session.get(TaskRow, task_id)
        return None if row is None else to_domain(row)

    def get_many(self, region: str, cluster: str, task_ids: Iterable[str]) -> dict[str, Task]:
        wanted = list(dict.fromkeys(task_ids))
        if not wanted:
            return {}
        table = TABLE
        rows = self._session.execute(
            select(table).where(
                table.c.region == region, table.c.cluster == cluster, table.c.task_id.in_(wanted)
            )
        )
        return {row.task_id: to_domain(row) for row in rows}

    def by_client_token(self, region: str, cluster: str, token: str) -> list[Task]:
        rows = self._session.scalars(
            select(TaskRow)
            .where(
                TaskRow.region == region,
                TaskRow.cluster == cluster,
                TaskRow.client_token == token,
            )
            .order_by(TaskRow.task_id)
        )
        return [to_domain(r) for r in rows]

    def list_page(
        self, region: str, cluster: str, filters: TaskFilter, *, after: str | None, limit: int
    ) -> list[str]:
        """Task ids matching ``filters``, by id, resuming after ``after``."""
        t = TaskRow
        query = select(t.task_id).where(t.region == region, t.cluster == cluster)
        for column, value in (
            (t.family, filters.family),
            (t.started_by, filters.started_by),
            (t.service_name, filters.service_name),
            (t.instance_id, filters.instance_id),
            (t.desired_status, filters.desired_status),
            (t.launch_type, filters.launch_type),
        ):
            if value is not None:
                query = query.where(column == value)
        if after is not None:
            query = query.where(t.task_id > after)
        return list(self._session.scalars(query.order_by(t.task_id).limit(limit)))

    def for_service(
        self, region: str, cluster: str, service: str, *, stopped_since: datetime
    ) -> list[Task]:
        """The service's tasks not STOPPED, and those STOPPED at or after ``stopped_since``.

        Reads (id, version) pairs first and decodes only the tasks that changed since this
        process last saw them (the scheduler reads a service's tasks at every step)."""
        t = TABLE
        keys = self._session.execute(
            select(t.c.task_id, t.c.version).where(
                t.c.region == region,
                t.c.cluster == cluster,
                t.c.service_name == service,
                (t.c.last_status != _STOPPED) | (t.c.stopped_at >= stopped_since),
            )
        ).all()
        return sorted(self._decoded(keys), key=lambda x: x.task_id)

    def service_counts(
        self, region: str, cluster: str, services: Iterable[str]
    ) -> dict[str, dict[str, tuple[int, int]]]:
        """(RUNNING, PENDING) counts of live tasks per service and deployment (``startedBy``).
        PENDING counts PROVISIONING too; tasks being stopped count in neither."""
        names = list(services)
        if not names:
            return {}
        t = TaskRow
        rows = self._session.execute(
            select(t.service_name, t.started_by, t.last_status, func.count())
            .where(
                t.region == region,
                t.cluster == cluster,
                t.service_name.in_(names),
                t.last_status != _STOPPED,
                t.desired_status == DesiredStatus.RUNNING.value,
            )
            .group_by(t.service_name, t.started_by, t.last_status)
        )
        counts: dict[str, dict[str, tuple[int, int]]] = {}
        for service, started_by, last, n in rows:
            per = counts.setdefault(str(service), {})
            running, pending = per.get(str(started_by), (0, 0))
            if last == TaskStatus.RUNNING.value:
                running += int(n)
            elif last in _PENDING_STATUSES or last == TaskStatus.ACTIVATING.value:
                pending += int(n)
            per[str(started_by)] = (running, pending)
        return counts

    def live_for_instances(self, instance_ids: Iterable[str]) -> list[Task]:
        """Tasks on these instances whose lastStatus is not STOPPED (the agents' manifests),
        by task id. Reads (id, version) pairs first and decodes only tasks this process has
        not seen at that version (an instance's manifest is re-sent on every change of it)."""
        wanted = list(instance_ids)
        if not wanted:
            return []
        t = TABLE
        keys = self._session.execute(
            select(t.c.task_id, t.c.version)
            .where(t.c.instance_id.in_(wanted), t.c.last_status != _STOPPED)
            .order_by(t.c.task_id)
        ).all()
        return self._decoded(keys)

    def _decoded(self, keys: Sequence[Any]) -> list[Task]:
        """The tasks of ``(task_id, version)`` rows in that order, from the cache where it
        holds that version; a task whose row changed meanwhile is read at its newer version."""
        found = {task_id: self._cache.get(task_id, version) for task_id, version in keys}
        missing = [task_id for task_id, task in found.items() if task is None]
        if missing:
            t = TABLE
            for row in self._session.execute(select(t).where(t.c.task_id.in_(missing))):
                task = to_domain(row)
                self._cache.put(task.task_id, task.version, task)
                found[task.task_id] = task
        return [task for task in found.values() if task is not None]

    def live_keys(self, instance_ids: Iterable[str]) -> list[tuple[str, str, str]]:
        """(instance id, task id, desiredStatus as the agent sees it) of live tasks on these
        instances, by task id: what the agent channel's etags are made of, without loading
        documents. A DEACTIVATING task is still RUNNING for its agent (its targets drain)."""
        wanted = list(instance_ids)
        if not wanted:
            return []
        t = TaskRow
        rows = self._session.execute(
            select(t.instance_id, t.task_id, t.desired_status, t.last_status)
            .where(t.instance_id.in_(wanted), t.last_status != _STOPPED)
            .order_by(t.task_id)
        )
        return [(str(i), str(task), _agent_desired(str(d), str(last))) for i, task, d, last in rows]

    def usage_by_instance(
        self,
        region: str,
        cluster: str,
        instance_ids: Iterable[str] | None = None,
        *,
        only_group: str | None = None,
    ) -> dict[str, InstanceUsage]:
        """Resources held and task counts per instance, from live (non-STOPPED) tasks: one
        aggregate over every live task (by instance, group and statuses, summed here), and the
        static ports of the few that hold any.

        ``only_group`` limits ``group_counts`` to that task group (a service placing its own
        tasks needs no other group's counts): the aggregate then groups by instance and
        statuses only, and one more narrow query counts the group, so the work no longer grows
        with instances × groups."""
        t = TaskRow
        where = [
            t.region == region,
            t.cluster == cluster,
            t.last_status != _STOPPED,
            t.instance_id.is_not(None),
        ]
        if instance_ids is not None:
            where.append(t.instance_id.in_(list(instance_ids)))
        connection = self._session.connection()
        ports: dict[str, set[tuple[int, str]]] = {}
        for instance_id, text in connection.execute(
            select(t.instance_id, t.ports).where(*where, t.ports != "")
        ):
            ports.setdefault(str(instance_id), set()).update(decode_ports(text))
        totals: dict[str, list[int]] = {}  # instance → [cpu, memory, running, pending]
        groups: dict[str, dict[str, int]] = {}
        group_column = t.group_name if only_group is None else literal(only_group)
        if only_group is not None:
            groups = self._group_counts(where, only_group)
        for instance_id, group, desired, last, n, cpu, memory in connection.execute(
            select(
                t.instance_id,
                group_column,
                t.desired_status,
                t.last_status,
                func.count(),
                func.sum(t.cpu),
                func.sum(t.memory),
            )
            .where(*where)
            .group_by(
                t.instance_id,
                *((t.group_name,) if only_group is None else ()),
                t.desired_status,
                t.last_status,
            )
        ):
            key = str(instance_id)
            total = totals.setdefault(key, [0, 0, 0, 0])
            total[0] += int(cpu or 0)
            total[1] += int(memory or 0)
            if desired == DesiredStatus.RUNNING.value:
                total[2] += int(n)
                if only_group is None:
                    counts = groups.setdefault(key, {})
                    counts[str(group or "")] = counts.get(str(group or ""), 0) + int(n)
            if last in _PENDING_STATUSES:
                total[3] += int(n)
        return {
            instance_id: InstanceUsage(
                cpu=cpu,
                memory=memory,
                ports=frozenset(ports.get(instance_id, ())),
                running_count=running,
                pending_count=pending,
                group_counts=groups.get(instance_id, {}),
            )
            for instance_id, (cpu, memory, running, pending) in totals.items()
        }

    def _group_counts(self, where: list[Any], group: str) -> dict[str, dict[str, int]]:
        t = TaskRow
        rows = self._session.connection().execute(
            select(t.instance_id, func.count())
            .where(*where, t.group_name == group, t.desired_status == DesiredStatus.RUNNING.value)
            .group_by(t.instance_id)
        )
        return {str(i): {group: int(n)} for i, n in rows}

    def status_counts(self, region: str, clusters: Iterable[str]) -> dict[str, tuple[int, int]]:
        """(RUNNING, PENDING) task counts per cluster name (absent clusters count zero).
        PENDING counts PROVISIONING too: both are "not yet running" in ECS's cluster totals."""
        names = list(clusters)
        counts = dict.fromkeys(names, (0, 0))
        if not names:
            return counts
        t = TaskRow
        rows = self._session.execute(
            select(
                t.cluster,
                func.sum(case((t.last_status == TaskStatus.RUNNING.value, 1), else_=0)),
                func.sum(case((t.last_status.in_(_PENDING_STATUSES), 1), else_=0)),
            )
            .where(t.region == region, t.cluster.in_(names), t.last_status != _STOPPED)
            .group_by(t.cluster)
        )
        for cluster, running, pending in rows:
            counts[cluster] = (int(running or 0), int(pending or 0))
        return counts

    def count_live(self, region: str, cluster: str) -> int:
        """Tasks of the cluster not yet STOPPED (DeleteCluster refuses while any exist)."""
        t = TaskRow
        return int(
            self._session.scalar(
                select(func.count()).where(
                    t.region == region, t.cluster == cluster, t.last_status != _STOPPED
                )
            )
            or 0
        )

    def add(self, task: Task) -> Task:
        return self.add_many([task])[0]

    def add_many(self, tasks: Sequence[Task]) -> list[Task]:
        """Insert new tasks in one flush; returns them as stored (``version`` 1)."""
        rows = []
        for task in tasks:
            row = TaskRow(task_id=task.task_id)
            fill(row, task)
            rows.append(row)
        self._session.add_all(rows)
        self._session.flush()
        return [replace(task, version=row.version) for task, row in zip(tasks, rows, strict=True)]

    def save(self, task: Task) -> Task:
        """Update; a change by someone else since ``task`` was read raises StaleDataError."""
        return self.save_many([task])[0]

    def save_many(self, tasks: Sequence[Task]) -> list[Task]:
        """Update several tasks in one statement (optimistic, like :meth:`save`): each row must
        still carry the version its task was read with, or StaleDataError for the batch."""
        if not tasks:
            return []
        table = TABLE
        statement = (
            update(table)
            .where(table.c.task_id == bindparam("k_task_id"))
            .where(table.c.version == bindparam("k_version"))
            .values(
                {name: bindparam(f"v_{name}") for name in COLUMNS}
                | {"version": bindparam("v_version")}
            )
        )
        params = [
            {
                **{f"v_{k}": v for k, v in values(t).items()},
                "v_version": t.version + 1,
                "k_task_id": t.task_id,
                "k_version": t.version,
            }
            for t in tasks
        ]
        connection = self._session.connection()
        if connection.dialect.supports_sane_multi_rowcount:
            updated = connection.execute(statement, params).rowcount
        else:
            updated = sum(connection.execute(statement, p).rowcount for p in params)
        if updated != len(tasks):
            raise StaleDataError(f"{len(tasks) - updated} of {len(tasks)} tasks changed since read")
        return [replace(t, version=t.version + 1) for t in tasks]

    def delete_stopped_before(self, cutoff: datetime) -> int:
        """Forget tasks STOPPED before ``cutoff`` (ECS keeps them describable ≥ 1 hour)."""
        rows = list(self._session.scalars(select(TaskRow).where(TaskRow.stopped_at < cutoff)))
        for row in rows:
            self._session.delete(row)
        return len(rows)


def _agent_desired(desired: str, last: str) -> str:
    return DesiredStatus.RUNNING.value if last == TaskStatus.DEACTIVATING.value else desired
