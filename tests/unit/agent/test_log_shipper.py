"""The agent's log shipper: awslogs options, stream names, batching, and the shipper shell
(fake transport, fake clock; one threaded run with a real clock and millisecond flushes)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pytest

import dockyard.agent.logs.shipper as shipper_module
from dockyard.agent.logs import (
    AwslogsOptions,
    LogShipper,
    LogsTransport,
    already_exists,
    split_message,
    take_batch,
)
from dockyard.agent.logs.batching import MAX_MESSAGE_BYTES
from dockyard.domain.logs import (
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    InputEvent,
    event_size,
    screen_batch,
)

T0 = 1_800_000_000_000


@pytest.mark.parametrize(
    ("options", "expected_stream", "create_group"),
    [
        ({"awslogs-group": "/ecs/web", "awslogs-stream-prefix": "app"}, "app/web/task1", False),
        ({"awslogs-group": "/ecs/web"}, "cid123", False),
        ({"awslogs-group": "g", "awslogs-create-group": "true"}, "cid123", True),
        ({"awslogs-group": "g", "awslogs-create-group": "TRUE"}, "cid123", True),
        ({"awslogs-group": "g", "awslogs-create-group": "yes"}, "cid123", False),
        ({"awslogs-group": "g", "awslogs-stream-prefix": ""}, "cid123", False),
    ],
    ids=["prefix", "no-prefix-container-id", "create-group", "create-group-any-case",
         "create-group-only-true", "empty-prefix"],
)
def test_awslogs_options_and_stream_names(
    options: dict[str, str], expected_stream: str, create_group: bool
) -> None:
    parsed = AwslogsOptions.parse(options)
    assert parsed.group == options["awslogs-group"]
    assert parsed.create_group is create_group
    name = parsed.stream_name(container_name="web", task_id="task1", container_id="cid123")
    assert name == expected_stream


def test_missing_group_option_is_an_error() -> None:
    with pytest.raises(KeyError):
        AwslogsOptions.parse({"awslogs-region": "us-east-1"})


@pytest.mark.parametrize(
    ("message", "parts"),
    [("hello", 1), ("", 1), ("x" * MAX_MESSAGE_BYTES, 1), ("x" * (MAX_MESSAGE_BYTES + 1), 2),
     ("a" + "é" * (MAX_MESSAGE_BYTES // 2), 2)],
    ids=["short", "empty", "exactly-max", "one-byte-over", "cut-between-characters"],
)
def test_split_message_keeps_text_and_fits_events(message: str, parts: int) -> None:
    events = split_message(T0, message)
    assert len(events) == parts
    assert all(event_size(e.message) <= MAX_BATCH_BYTES for e in events)
    assert all(e.timestamp == T0 for e in events)
    assert "".join(e.message for e in events) == (message or " ")


def _ev(n: int, *, step: int = 1, message: str = "m") -> list[InputEvent]:
    return [InputEvent(T0 + i * step, message) for i in range(n)]


@pytest.mark.parametrize(
    ("buffer", "expected_len"),
    [
        ([], 0),
        (_ev(3), 3),
        (_ev(MAX_BATCH_EVENTS + 5), MAX_BATCH_EVENTS),
        (_ev(5, message="x" * (MAX_BATCH_BYTES // 4)), 3),
        ([InputEvent(T0, "a"), InputEvent(T0 + MAX_BATCH_SPAN_MS, "b"),
          InputEvent(T0 + MAX_BATCH_SPAN_MS + 1, "c")], 2),
        ([InputEvent(T0 + 5, "a"), InputEvent(T0 + 6, "b"), InputEvent(T0, "late")], 2),
    ],
    ids=["empty", "small", "count-limit", "byte-limit-26-per-event", "span-limit",
         "out-of-order-starts-next-batch"],
)
def test_take_batch_takes_the_longest_valid_prefix(
    buffer: list[InputEvent], expected_len: int
) -> None:
    batch = take_batch(buffer)
    assert batch == buffer[:expected_len]
    if batch:
        assert screen_batch(batch, now_ms=batch[-1].timestamp).end == len(batch)


class FakeTransport:
    """Records calls; fails the next ``fail_next`` calls of any kind."""

    def __init__(self) -> None:
        self.batches: list[list[InputEvent]] = []
        self.created: list[tuple[str, ...]] = []
        self.fail_next = 0
        self.result: dict[str, Any] | None = None
        self.existing: set[tuple[str, ...]] = set()

    def _maybe_fail(self) -> None:
        if self.fail_next:
            self.fail_next -= 1
            raise ConnectionError("control plane unreachable")

    def put(self, group: str, stream: str, events: Sequence[InputEvent]) -> dict[str, Any] | None:
        self._maybe_fail()
        self.batches.append(list(events))
        return self.result

    def create(self, *names: str) -> None:
        self._maybe_fail()
        if names in self.existing:
            raise AlreadyExists()
        self.created.append(names)
        self.existing.add(names)

    def transport(self) -> LogsTransport:
        return LogsTransport(
            put_log_events=self.put,
            create_log_group=lambda g: self.create(g),
            create_log_stream=lambda g, s: self.create(g, s),
        )


class AlreadyExists(Exception):
    response = {"Error": {"Code": "ResourceAlreadyExistsException"}}


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def shipper(fake: FakeTransport, clock: Clock, **kwargs: Any) -> LogShipper:
    return LogShipper(group="g", stream="s", transport=fake.transport(), clock=clock, **kwargs)


def test_creates_group_only_when_asked_and_stream_always() -> None:
    for create_group, expected in [(True, [("g",), ("g", "s")]), (False, [("g", "s")])]:
        fake, clock = FakeTransport(), Clock()
        ship = shipper(fake, clock, create_group=create_group)
        ship.offer(T0, "one")
        assert ship.ship_once()
        ship.offer(T0 + 1, "two")
        assert ship.ship_once()
        assert fake.created == expected  # created once, not per batch
        assert [[e.message for e in b] for b in fake.batches] == [["one"], ["two"]]


def test_existing_group_and_stream_count_as_created() -> None:
    fake, clock = FakeTransport(), Clock()
    fake.existing = {("g",), ("g", "s")}
    ship = shipper(fake, clock, create_group=True)
    ship.offer(T0, "x")
    assert ship.ship_once()
    assert fake.batches == [[InputEvent(T0, "x")]]
    assert already_exists(AlreadyExists()) and not already_exists(ValueError("x"))


def test_transport_errors_back_off_exponentially_and_keep_events() -> None:
    fake, clock = FakeTransport(), Clock()
    ship = shipper(fake, clock)
    ship.offer(T0, "kept")
    fake.fail_next = 3
    delays = []
    for _ in range(3):
        assert not ship.ship_once()
        assert not ship.ship_once()  # still backing off: no call made
        delays.append(ship._retry_at - clock.now)
        clock.now = ship._retry_at
    assert delays == [0.5, 1.0, 2.0]
    assert ship.pending == 1
    assert ship.ship_once()
    assert fake.batches == [[InputEvent(T0, "kept")]] and ship.pending == 0


def test_bounded_buffer_drops_oldest() -> None:
    fake, clock = FakeTransport(), Clock()
    ship = shipper(fake, clock, max_buffered_events=3)
    for i in range(5):
        ship.offer(T0 + i, f"line {i}")
    assert (ship.pending, ship.dropped) == (3, 2)
    assert ship.ship_once()
    assert [e.message for e in fake.batches[0]] == ["line 2", "line 3", "line 4"]


def test_rejected_events_are_counted_not_retried() -> None:
    fake, clock = FakeTransport(), Clock()
    fake.result = {"rejectedLogEventsInfo": {"tooOldLogEventEndIndex": 0,
                                             "tooNewLogEventStartIndex": 2}}
    ship = shipper(fake, clock)
    for i in range(3):
        ship.offer(T0 + i, "m")
    assert ship.ship_once()
    assert (ship.rejected, ship.pending, ship.shipped) == (2, 0, 3)
    assert not ship.ship_once()


def test_run_ships_everything_through_failures_with_a_real_thread(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(shipper_module, "BACKOFF_INITIAL_SECONDS", 0.001)
    fake = FakeTransport()
    fake.fail_next = 1
    ship = LogShipper(group="g", stream="s", transport=fake.transport(), flush_interval=0.005)
    lines = [(T0 + i, f"line {i}") for i in range(25_000)]
    ship.run(iter(lines))
    shipped = [e.message for batch in fake.batches for e in batch]
    assert shipped == [m for _, m in lines]
    assert all(len(b) <= MAX_BATCH_EVENTS for b in fake.batches)
    assert ship.pending == 0 and ship.dropped == 0


def test_run_survives_a_broken_line_source() -> None:
    fake = FakeTransport()

    def lines():  # type: ignore[no-untyped-def]
        yield T0, "before"
        raise OSError("docker log stream closed")

    ship = LogShipper(group="g", stream="s", transport=fake.transport(), flush_interval=0.005)
    ship.run(lines())
    assert [e.message for b in fake.batches for e in b] == ["before"]


def test_transport_for_a_boto3_style_client() -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    class Client:
        def __getattr__(self, name: str) -> Any:
            return lambda **kw: calls.append((name, kw))

    transport = LogsTransport.for_client(Client())
    transport.create_log_group("g")
    transport.create_log_stream("g", "s")
    transport.put_log_events("g", "s", [InputEvent(T0, "hi")])
    assert calls == [
        ("create_log_group", {"logGroupName": "g"}),
        ("create_log_stream", {"logGroupName": "g", "logStreamName": "s"}),
        ("put_log_events", {"logGroupName": "g", "logStreamName": "s",
                            "logEvents": [{"timestamp": T0, "message": "hi"}]}),
    ]
