"""Metric store contract on SQLite and PostgreSQL: range reads and minute rollups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from dockyard.store import Store
from dockyard.store.repositories.metrics import MetricRepository, StoredPoint

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def point(seconds_ago: float, value: float, metric: str = "m") -> StoredPoint:
    return StoredPoint(
        "ns", metric, "k=v", NOW - timedelta(seconds=seconds_ago), "None", value, 1, value, value
    )


def test_range_reads_and_rollups(store: Store) -> None:
    old = [point(4 * 3600 + 40 - s, float(s)) for s in (0, 10, 20)] + [point(4 * 3600 + 100, 70.0)]
    fresh = [point(5, 1.0), point(3, 2.0)]
    store.write(
        lambda uow: MetricRepository(uow.session).put_many(
            "r", old + fresh + [point(20 * 86400, 9.0)]
        )
    )
    recent = store.read(
        lambda uow: MetricRepository(uow.session).points(
            "r", "ns", "m", "k=v", NOW - timedelta(minutes=1), NOW
        )
    )
    assert sorted(p.sum for p in recent) == [1.0, 2.0]
    removed = store.write(lambda uow: MetricRepository(uow.session).compact(NOW))
    assert removed == 3  # 4 raw points → 2 minute rollups, and the 20-day-old point
    rolled = store.read(
        lambda uow: MetricRepository(uow.session).points(
            "r", "ns", "m", "k=v", NOW - timedelta(hours=5), NOW - timedelta(hours=3)
        )
    )
    assert sorted((p.count, p.sum, p.minimum, p.maximum) for p in rolled) == [
        (1, 70, 70, 70),
        (3, 30, 0, 20),
    ]
    assert store.read(lambda uow: MetricRepository(uow.session).list_metrics("r")) == [
        ("ns", "m", "k=v")
    ]


def test_alarms_state_and_history(store: Store) -> None:
    from dockyard.domain.alarms import Alarm, HistoryItem
    from dockyard.store.repositories.alarms import AlarmRepository

    alarm = Alarm(
        name="cpu-high",
        namespace="AWS/ECS",
        metric_name="CPUUtilization",
        dimensions=(("ServiceName", "web"),),
        statistic="Average",
        period=60,
        evaluation_periods=3,
        datapoints_to_alarm=2,
        threshold=50.0,
        comparison="GreaterThanThreshold",
        alarm_actions=("arn:a",),
    )
    assert store.write(lambda uow: AlarmRepository(uow.session).put("r", alarm, NOW)) is True
    store.write(
        lambda uow: AlarmRepository(uow.session).set_state(
            "r", "cpu-high", "ALARM", "why", "{}", NOW
        )
    )
    later = NOW + timedelta(minutes=1)
    assert store.write(lambda uow: AlarmRepository(uow.session).put("r", alarm, later)) is False
    got = store.read(lambda uow: AlarmRepository(uow.session).get("r", "cpu-high"))
    assert got is not None and got.state == "ALARM" and got.state_reason == "why"
    assert got.dimensions == alarm.dimensions and got.alarm_actions == ("arn:a",)
    assert got.configuration_updated == later and got.state_updated == NOW
    store.write(
        lambda uow: AlarmRepository(uow.session).set_actions_enabled("r", ["cpu-high"], False)
    )
    listed = store.read(
        lambda uow: AlarmRepository(uow.session).find("r", prefix="cpu", state="ALARM")
    )
    assert [a.actions_enabled for a in listed] == [False]
    assert store.read(lambda uow: AlarmRepository(uow.session).find("r", prefix="cpu_")) == []
    for i, kind in enumerate(("ConfigurationUpdate", "StateUpdate")):
        item = HistoryItem("cpu-high", NOW + timedelta(seconds=i), kind, kind, "{}")
        store.write(lambda uow, item=item: AlarmRepository(uow.session).add_history("r", item))
    items = store.read(lambda uow: AlarmRepository(uow.session).history("r", name="cpu-high"))
    assert [i.kind for i in items] == ["StateUpdate", "ConfigurationUpdate"]
    assert store.write(lambda uow: AlarmRepository(uow.session).delete("r", ["cpu-high", "x"])) == [
        "cpu-high"
    ]
    assert store.read(lambda uow: AlarmRepository(uow.session).all()) == []


def test_latest_point_per_series_across_regions(store: Store) -> None:
    def at(seconds_ago: float, value: float, metric: str, dims: str) -> StoredPoint:
        return StoredPoint("AWS/ECS", metric, dims, NOW - timedelta(seconds=seconds_ago), "Percent",
                           value * 2, 2, value, value)

    web, api = "ClusterName=c|ServiceName=web", "ClusterName=c|ServiceName=api"
    store.write(lambda uow: MetricRepository(uow.session).put_many("r1", [
        at(30, 10.0, "CPUUtilization", web), at(5, 20.0, "CPUUtilization", web),
        at(5, 50.0, "MemoryUtilization", web), at(400, 70.0, "CPUUtilization", api)]))
    store.write(lambda uow: MetricRepository(uow.session).put_many("r2", [at(1, 30.0, "CPUUtilization", web)]))
    found = store.read(lambda uow: MetricRepository(uow.session).latest(
        "AWS/ECS", ["CPUUtilization", "MemoryUtilization"], NOW - timedelta(minutes=2)))
    assert [(p.region, p.metric, p.dimensions, p.value) for p in found] == [
        ("r1", "CPUUtilization", web, 20.0),
        ("r1", "MemoryUtilization", web, 50.0),
        ("r2", "CPUUtilization", web, 30.0),
    ]
