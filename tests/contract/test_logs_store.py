"""Log repository contract on SQLite and PostgreSQL: groups, streams, events, positions."""

from __future__ import annotations

import pytest

from dockyard.domain.errors import ConcurrentModificationError
from dockyard.domain.logs import InputEvent, LogGroup, Position
from dockyard.store import Store

R = "us-east-1"


def make_group(store: Store, name: str, region: str = R) -> None:
    store.write(lambda uow: uow.logs.add_group(LogGroup(name=name, region=region, creation_time=5)))


def make_stream(store: Store, group: str, name: str) -> None:
    assert store.write(lambda uow: uow.logs.add_stream(R, group, name, 7))


def put(store: Store, group: str, stream: str, *events: tuple[int, str], at: int = 100) -> None:
    batch = [InputEvent(ts, msg) for ts, msg in events]
    stored = store.write(
        lambda uow: uow.logs.append(R, group, stream, batch, ingestion_time=at)
    )
    assert stored is not None


def test_group_round_trip_with_stored_bytes_and_retention(store: Store) -> None:
    make_group(store, "/ecs/web")
    make_group(store, "/ecs/web", region="eu-west-1")
    make_stream(store, "/ecs/web", "a")
    make_stream(store, "/ecs/web", "b")
    put(store, "/ecs/web", "a", (1, "héllo"), (2, "x"))
    put(store, "/ecs/web", "b", (3, "abc"))
    assert store.write(lambda uow: uow.logs.set_retention(R, "/ecs/web", 7))
    assert not store.write(lambda uow: uow.logs.set_retention(R, "/nope", 7))
    group = store.read(lambda uow: uow.logs.get_group(R, "/ecs/web"))
    assert group == LogGroup(
        name="/ecs/web", region=R, creation_time=5, retention_in_days=7, stored_bytes=6 + 1 + 3
    )
    other = store.read(lambda uow: uow.logs.get_group("eu-west-1", "/ecs/web"))
    assert other is not None and other.stored_bytes == 0


def test_group_names_order_bytewise_with_prefix_ranges(store: Store) -> None:
    for name in ["b", "a_x", "aZ", "a-y", "a", "A", "ab", "a.z"]:
        make_group(store, name)
    names = lambda **kw: [g.name for g in store.read(lambda uow: uow.logs.list_groups(R, **kw))]  # noqa: E731
    assert names() == ["A", "a", "a-y", "a.z", "aZ", "a_x", "ab", "b"]
    assert names(prefix="a") == ["a", "a-y", "a.z", "aZ", "a_x", "ab"]
    assert names(prefix="a_") == ["a_x"]  # "_" is not a wildcard
    assert names(prefix="A") == ["A"]  # case-sensitive
    assert names(after="a.z", limit=2) == ["aZ", "a_x"]


def test_duplicate_group_is_a_unique_conflict_the_store_reports(store: Store) -> None:
    make_group(store, "g")
    with pytest.raises(ConcurrentModificationError):
        make_group(store, "g")
    assert len(store.read(lambda uow: uow.logs.list_groups(R))) == 1


def test_delete_group_removes_streams_and_events(store: Store) -> None:
    make_group(store, "g")
    make_stream(store, "g", "s")
    put(store, "g", "s", (1, "one"))
    assert store.write(lambda uow: uow.logs.delete_group(R, "g"))
    assert not store.write(lambda uow: uow.logs.delete_group(R, "g"))
    make_group(store, "g")
    make_stream(store, "g", "s")
    events = store.read(
        lambda uow: uow.logs.read_stream(R, "g", "s", start=None, end=None, limit=10)
    )
    assert events == []


def test_stream_summary_and_missing_parents(store: Store) -> None:
    assert not store.write(lambda uow: uow.logs.add_stream(R, "nope", "s", 1))
    make_group(store, "g")
    make_stream(store, "g", "s")
    empty = store.read(lambda uow: uow.logs.get_stream(R, "g", "s"))
    assert empty is not None and empty.first_event_timestamp is None and empty.stored_bytes == 0
    put(store, "g", "s", (50, "aa"), (60, "b"), at=70)
    put(store, "g", "s", (40, "c"), at=80)
    stream = store.read(lambda uow: uow.logs.get_stream(R, "g", "s"))
    assert stream is not None
    assert (stream.first_event_timestamp, stream.last_event_timestamp) == (40, 60)
    assert (stream.last_ingestion_time, stream.stored_bytes, stream.creation_time) == (80, 4, 7)
    missing = store.write(
        lambda uow: uow.logs.append(R, "g", "nope", [InputEvent(1, "x")], ingestion_time=1)
    )
    assert missing is None
    assert store.write(lambda uow: uow.logs.delete_stream(R, "g", "s"))
    assert store.read(lambda uow: uow.logs.get_stream(R, "g", "s")) is None


def test_streams_by_name_and_by_last_event_time_with_keyset_pages(store: Store) -> None:
    make_group(store, "g")
    for name, ts in [("c", 10), ("a", 30), ("b", 20), ("d", None)]:
        make_stream(store, "g", name)
        if ts is not None:
            put(store, "g", name, (ts, "m"))

    def names(**kw: object) -> list[str]:
        return [s.name for s in store.read(lambda uow: uow.logs.list_streams(R, "g", **kw))]

    assert names() == ["a", "b", "c", "d"]
    assert names(descending=True) == ["d", "c", "b", "a"]
    assert names(by_event_time=True) == ["d", "c", "b", "a"]
    assert names(by_event_time=True, descending=True) == ["a", "b", "c", "d"]
    assert names(by_event_time=True, after=(10, "c")) == ["b", "a"]
    assert names(by_event_time=True, descending=True, after=(20, "b")) == ["c", "d"]
    assert names(after=(0, "b"), limit=1) == ["c"]
    assert names(prefix="b") == ["b"]


def test_read_stream_forward_backward_and_time_range(store: Store) -> None:
    make_group(store, "g")
    make_stream(store, "g", "s")
    make_stream(store, "g", "other")
    put(store, "g", "s", (10, "a"), (10, "b"), (20, "c"), (30, "d"))
    put(store, "g", "other", (15, "x"))

    def read(**kw: object) -> list[str]:
        events = store.read(
            lambda uow: uow.logs.read_stream(R, "g", "s", start=None, end=None, **kw)
        )
        return [e.message for e in events]

    everything = store.read(
        lambda uow: uow.logs.read_stream(R, "g", "s", start=None, end=None, limit=10)
    )
    assert [e.message for e in everything] == ["a", "b", "c", "d"]
    assert [e.stream for e in everything] == ["s"] * 4
    assert everything[0].seq < everything[1].seq
    assert read(limit=2) == ["a", "b"]
    assert read(limit=2, after=everything[0].position) == ["b", "c"]
    assert read(limit=2, before=Position(2**62, 0)) == ["c", "d"]
    assert read(limit=5, before=everything[2].position) == ["a", "b"]
    ranged = store.read(
        lambda uow: uow.logs.read_stream(R, "g", "s", start=10, end=30, limit=10)
    )
    assert [e.message for e in ranged] == ["a", "b", "c"]


def test_scan_group_across_streams_in_position_order(store: Store) -> None:
    make_group(store, "g")
    for name in ["web/1", "web/2", "db/1"]:
        make_stream(store, "g", name)
    put(store, "g", "web/1", (10, "w1-a"), (30, "w1-b"))
    put(store, "g", "web/2", (20, "w2-a"))
    put(store, "g", "db/1", (10, "db-a"))

    def scan(**kw: object) -> list[str]:
        defaults: dict[str, object] = {"start": None, "end": None, "after": None, "limit": 10}
        events = store.read(lambda uow: uow.logs.scan_group(R, "g", **{**defaults, **kw}))
        return [e.message for e in events]

    assert scan() == ["w1-a", "db-a", "w2-a", "w1-b"]
    assert scan(prefix="web/") == ["w1-a", "w2-a", "w1-b"]
    assert scan(streams=["db/1", "web/2"]) == ["db-a", "w2-a"]
    assert scan(start=15, end=30) == ["w2-a"]
    first = store.read(
        lambda uow: uow.logs.scan_group(R, "g", start=None, end=None, after=None, limit=1)
    )
    assert scan(after=first[0].position, limit=2) == ["db-a", "w2-a"]
    assert store.read(
        lambda uow: uow.logs.scan_group(R, "nope", start=None, end=None, after=None, limit=1)
    ) == []


def test_large_batch_round_trips(store: Store) -> None:
    make_group(store, "g")
    make_stream(store, "g", "s")
    batch = [(1000 + i, f"line {i}") for i in range(10_000)]
    put(store, "g", "s", *batch)
    events = store.read(
        lambda uow: uow.logs.read_stream(R, "g", "s", start=None, end=None, limit=10_000)
    )
    assert len(events) == 10_000
    assert events[-1].message == "line 9999"
