"""The metric store: CloudWatch points with retention and minute rollups.

Python API (also used by Dockyard itself for ``AWS/ECS`` and ``AWS/ApplicationELB``)::

    repo = MetricRepository(uow.session)
    repo.put_many(region, [StoredPoint(...), ...])
    repo.points(region, namespace, metric, dimensions_key, start, end) -> list[Point]
    repo.list_metrics(region, namespace=None, metric=None) -> list[(namespace, metric, dims)]
    repo.latest(namespace, metrics, since) -> list[LatestPoint]   # newest raw point per series
    repo.compact(now)        # raw → minute rollups after RAW_RETENTION; drop after RETENTION

Dimensions are stored as :func:`dockyard.domain.metrics.dimensions_key` strings.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import and_, delete, func, insert, select
from sqlalchemy.orm import Session

from dockyard.domain.metrics import Point
from dockyard.store.schema_metrics import MetricPointRow

__all__ = ["RAW_RETENTION", "RETENTION", "LatestPoint", "MetricRepository", "StoredPoint"]

RAW_RETENTION = timedelta(hours=3)
"""CloudWatch keeps sub-minute data 3 hours; after that Dockyard keeps minute rollups."""
RETENTION = timedelta(days=15)
"""CloudWatch keeps 1-minute data 15 days."""


@dataclass(frozen=True, slots=True)
class StoredPoint:
    namespace: str
    metric: str
    dimensions: str
    timestamp: datetime
    unit: str
    sum: float
    count: float
    minimum: float
    maximum: float


@dataclass(frozen=True, slots=True)
class LatestPoint:
    """The newest raw point of one series (all regions): its average value."""

    region: str
    metric: str
    dimensions: str
    timestamp: datetime
    value: float


class MetricRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def put_many(self, region: str, points: Iterable[StoredPoint]) -> int:
        rows = [
            {
                "region": region,
                "namespace": p.namespace,
                "metric": p.metric,
                "dimensions": p.dimensions,
                "timestamp": p.timestamp,
                "resolution": 1,
                "unit": p.unit,
                "sum": p.sum,
                "count": p.count,
                "minimum": p.minimum,
                "maximum": p.maximum,
            }
            for p in points
        ]
        if rows:
            self._session.execute(insert(MetricPointRow), rows)
        return len(rows)

    def points(
        self,
        region: str,
        namespace: str,
        metric: str,
        dimensions: str,
        start: datetime,
        end: datetime,
    ) -> list[Point]:
        m = MetricPointRow
        rows = self._session.execute(
            select(m.timestamp, m.sum, m.count, m.minimum, m.maximum).where(
                m.region == region,
                m.namespace == namespace,
                m.metric == metric,
                m.dimensions == dimensions,
                m.timestamp >= start,
                m.timestamp < end,
            )
        )
        return [Point(t, s, c, lo, hi) for t, s, c, lo, hi in rows]

    def list_metrics(
        self, region: str, *, namespace: str | None = None, metric: str | None = None
    ) -> list[tuple[str, str, str]]:
        m = MetricPointRow
        query = select(m.namespace, m.metric, m.dimensions).where(m.region == region).distinct()
        if namespace:
            query = query.where(m.namespace == namespace)
        if metric:
            query = query.where(m.metric == metric)
        rows = self._session.execute(query.order_by(m.namespace, m.metric, m.dimensions))
        return [(str(n), str(name), str(d)) for n, name, d in rows]

    def latest(self, namespace: str, metrics: Iterable[str], since: datetime) -> list[LatestPoint]:
        """The newest raw point (at or after ``since``) of every series of ``metrics`` in
        ``namespace``, in every region, sorted by (region, metric, dimensions)."""
        m = MetricPointRow
        scope = (
            m.resolution == 1,
            m.timestamp >= since,
            m.namespace == namespace,
            m.metric.in_(list(metrics)),
        )
        newest = (
            select(m.region, m.metric, m.dimensions, func.max(m.timestamp).label("at"))
            .where(*scope)
            .group_by(m.region, m.metric, m.dimensions)
            .subquery()
        )
        query = (
            select(m.region, m.metric, m.dimensions, m.timestamp, m.sum, m.count)
            .join(
                newest,
                and_(
                    m.region == newest.c.region,
                    m.metric == newest.c.metric,
                    m.dimensions == newest.c.dimensions,
                    m.timestamp == newest.c.at,
                ),
            )
            .where(*scope)
        )
        found: dict[tuple[str, str, str], LatestPoint] = {}
        for region, metric, dims, at, total, count in self._session.execute(query):
            value = total / count if count else 0.0
            found[(region, metric, dims)] = LatestPoint(region, metric, dims, at, value)
        return [found[k] for k in sorted(found)]

    def compact(self, now: datetime) -> int:
        """Roll raw points older than :data:`RAW_RETENTION` into minute sets and forget
        everything older than :data:`RETENTION`; returns the rows removed."""
        m = MetricPointRow
        cutoff = now - RAW_RETENTION
        old = self._session.execute(
            select(
                m.region,
                m.namespace,
                m.metric,
                m.dimensions,
                m.unit,
                m.timestamp,
                m.sum,
                m.count,
                m.minimum,
                m.maximum,
            ).where(m.resolution == 1, m.timestamp < cutoff)
        ).all()
        minutes: dict[tuple[object, ...], list[float]] = {}
        for region, ns, metric, dims, unit, at, s, c, lo, hi in old:
            key = (region, ns, metric, dims, unit, at.replace(second=0, microsecond=0))
            agg = minutes.setdefault(key, [0.0, 0.0, lo, hi])
            agg[0] += s
            agg[1] += c
            agg[2], agg[3] = min(agg[2], lo), max(agg[3], hi)
        self._session.execute(delete(m).where(m.resolution == 1, m.timestamp < cutoff))
        if minutes:
            self._session.execute(
                insert(MetricPointRow),
                [
                    {
                        "region": k[0],
                        "namespace": k[1],
                        "metric": k[2],
                        "dimensions": k[3],
                        "unit": k[4],
                        "timestamp": k[5],
                        "resolution": 60,
                        "sum": v[0],
                        "count": v[1],
                        "minimum": v[2],
                        "maximum": v[3],
                    }
                    for k, v in minutes.items()
                ],
            )
        gone = self._session.execute(delete(m).where(m.timestamp < now - RETENTION))
        return len(old) - len(minutes) + int(getattr(gone, "rowcount", 0) or 0)

    def count(self) -> int:
        return int(self._session.scalar(select(func.count()).select_from(MetricPointRow)) or 0)
