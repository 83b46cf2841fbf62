"""Parsing Docker's event messages and log chunks, and the stream cursors. Pure."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dockyard.agent.docker.model import RuntimeEvent, RuntimeEventKind, docker_time, runtime_event
from dockyard.agent.docker.streams import LogLineSplitter, docker_since, nanos

ARN = "arn:aws:ecs:us-east-1:1:task/c/abc"
LABELS = {"com.amazonaws.ecs.task-arn": ARN, "com.amazonaws.ecs.container-name": "web"}
AT = datetime(2024, 5, 1, 12, 0, 0, 123456, tzinfo=UTC)
AT_NANO = 1714564800123456789


def message(action: str, **attributes: str) -> dict[str, object]:
    return {"Type": "container", "Action": action, "id": "c1", "timeNano": AT_NANO,
            "Actor": {"ID": "c1", "Attributes": {**LABELS, "name": "x", **attributes}}}


@pytest.mark.parametrize(("msg", "expected"), [
    pytest.param(message("start"), RuntimeEvent("c1", RuntimeEventKind.START, ARN, "web", at=AT),
                 id="start"),
    pytest.param(message("die", exitCode="137"),
                 RuntimeEvent("c1", RuntimeEventKind.DIE, ARN, "web", exit_code=137, at=AT),
                 id="die-exit-code"),
    pytest.param(message("die", exitCode="0"),
                 RuntimeEvent("c1", RuntimeEventKind.DIE, ARN, "web", exit_code=0, at=AT),
                 id="die-zero"),
    pytest.param(message("oom"), RuntimeEvent("c1", RuntimeEventKind.OOM, ARN, "web", at=AT),
                 id="oom"),
    pytest.param(message("health_status: unhealthy"),
                 RuntimeEvent("c1", RuntimeEventKind.HEALTH_STATUS, ARN, "web",
                              health="unhealthy", at=AT), id="health"),
    pytest.param(message("destroy"),
                 RuntimeEvent("c1", RuntimeEventKind.DESTROY, ARN, "web", at=AT), id="destroy"),
    pytest.param(message("exec_start: sh"), None, id="other-action"),
    pytest.param({**message("start"), "Type": "network"}, None, id="not-a-container"),
    pytest.param({"Type": "container", "Action": "start", "Actor": {"ID": "c1",
                                                                    "Attributes": {}}},
                 None, id="unmanaged"),
])
def test_runtime_event(msg: dict[str, object], expected: RuntimeEvent | None) -> None:
    assert runtime_event(msg) == expected


def test_event_kinds_compare_as_dockers_action_names() -> None:
    event = runtime_event(message("die", exitCode="1"))
    assert event is not None and event.kind == "die"


@pytest.mark.parametrize(("text", "expected"), [
    ("2024-05-01T12:00:00.123456789Z", AT),
    ("2024-05-01T12:00:00Z", AT.replace(microsecond=0)),
    ("2024-05-01T14:00:00.123456+02:00", AT),
    ("0001-01-01T00:00:00Z", None),
    ("", None),
])
def test_docker_time(text: str, expected: datetime | None) -> None:
    assert docker_time(text) == expected


def test_cursor_round_trip() -> None:
    assert nanos(AT) == 1714564800123456000
    assert docker_since(AT_NANO) == "1714564800.123456789"
    assert docker_since(5) == "0.000000005"


def test_log_lines_split_across_chunks_and_lose_their_newline() -> None:
    splitter = LogLineSplitter()
    chunks = [b"2024-05-01T12:00:00.123456789Z hello\n2024-05-01T12:00:01Z wor",
              b"ld\r\n2024-05-01T12:00:02Z caf\xc3", b"\xa9 \xff\n", b"2024-05-01T12:00:03Z tail"]
    lines = [pair for chunk in chunks for pair in splitter.feed(chunk)]
    lines += list(splitter.flush())
    assert [text for _, text in lines] == ["hello", "world", "café \ufffd", "tail"]
    assert lines[0][0] == AT
    assert [at.second for at, _ in lines] == [0, 1, 2, 3]


def test_log_lines_without_a_time_are_skipped_and_empty_lines_kept() -> None:
    splitter = LogLineSplitter()
    lines = list(splitter.feed(b"garbage\n2024-05-01T12:00:00Z \n"))
    assert lines == [(AT.replace(microsecond=0), "")]
