"""Metric store contract on SQLite and PostgreSQL: range reads and minute rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dockyard.store import Store
from dockyard.store.repositories.metrics import MetricRepository, StoredPoint

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def point(seconds_ago: float, value: float, metric: str = "m") -> StoredPoint:
    return StoredPoint("ns", metric, "k=v", NOW - timedelta(seconds=seconds_ago), "None", value, 1, value, value)


def test_range_reads_and_rollups(store: Store) -> None:
    old = [point(4 * 3600 + 40 - s, float(s)) for s in (0, 10, 20)] + [point(4 * 3600 + 100, 70.0)]
    fresh = [point(5, 1.0), point(3, 2.0)]
    store.write(lambda uow: MetricRepository(uow.session).put_many("r", old + fresh + [point(20 * 86400, 9.0)]))
    recent = store.read(lambda uow: MetricRepository(uow.session).points("r", "ns", "m", "k=v", NOW - timedelta(minutes=1), NOW))
    assert sorted(p.sum for p in recent) == [1.0, 2.0]
    removed = store.write(lambda uow: MetricRepository(uow.session).compact(NOW))
    assert removed == 3  # 4 raw points → 2 minute rollups, and the 20-day-old point
    rolled = store.read(lambda uow: MetricRepository(uow.session).points(
        "r", "ns", "m", "k=v", NOW - timedelta(hours=5), NOW - timedelta(hours=3)))
    assert sorted((p.count, p.sum, p.minimum, p.maximum) for p in rolled) == [(1, 70, 70, 70), (3, 30, 0, 20)]
    assert store.read(lambda uow: MetricRepository(uow.session).list_metrics("r")) == [("ns", "m", "k=v")]
