"""CloudWatch Logs through boto3 against a real server: groups, streams, events, errors."""

from __future__ import annotations

import time

import pytest
from botocore.exceptions import ClientError

ARN = "arn:aws:logs:us-east-1:123456789012:log-group:"


@pytest.fixture(scope="module")
def logs(server):  # type: ignore[no-untyped-def]
    return server.client("logs")


def now_ms() -> int:
    return int(time.time() * 1000)


def error(exc: pytest.ExceptionInfo[ClientError]) -> tuple[int, str, str]:
    response = exc.value.response
    return (
        response["ResponseMetadata"]["HTTPStatusCode"],
        response["Error"]["Code"],
        response["Error"]["Message"],
    )


def test_group_lifecycle_describe_and_errors(logs) -> None:
    logs.create_log_group(logGroupName="/life/a", tags={"team": "x"})
    with pytest.raises(ClientError) as exc:
        logs.create_log_group(logGroupName="/life/a")
    assert error(exc)[:2] == (400, "ResourceAlreadyExistsException")
    assert isinstance(exc.value, logs.exceptions.ResourceAlreadyExistsException)
    logs.put_retention_policy(logGroupName="/life/a", retentionInDays=14)
    [group] = logs.describe_log_groups(logGroupNamePrefix="/life/")["logGroups"]
    assert group["arn"] == ARN + "/life/a:*"
    assert group["logGroupArn"] == ARN + "/life/a"
    assert group["retentionInDays"] == 14 and group["storedBytes"] == 0
    assert group["logGroupClass"] == "STANDARD"
    assert abs(group["creationTime"] - now_ms()) < 60_000
    logs.delete_retention_policy(logGroupName="/life/a")
    described = logs.describe_log_groups(logGroupNamePrefix="/life/")["logGroups"][0]
    assert "retentionInDays" not in described
    logs.delete_log_group(logGroupName="/life/a")
    with pytest.raises(ClientError) as exc:
        logs.delete_log_group(logGroupName="/life/a")
    assert error(exc) == (
        400, "ResourceNotFoundException", "The specified log group does not exist."
    )


@pytest.mark.parametrize(
    ("call", "kwargs"),
    [
        ("create_log_group", {"logGroupName": "bad name"}),
        ("create_log_group", {"logGroupName": "a:b"}),
        ("put_retention_policy", {"logGroupName": "x", "retentionInDays": 2}),
        ("describe_log_groups", {"limit": 51}),
    ],
    ids=["space-in-name", "colon-in-name", "retention-not-allowed", "limit-over-50"],
)
def test_invalid_parameters(logs, call: str, kwargs: dict[str, object]) -> None:
    with pytest.raises(ClientError) as exc:
        getattr(logs, call)(**kwargs)
    assert error(exc)[:2] == (400, "InvalidParameterException")


def test_describe_groups_pages_with_tokens(logs) -> None:
    names = [f"/page/{i:02d}" for i in range(7)]
    for name in names:
        logs.create_log_group(logGroupName=name)
    seen, token = [], None
    while True:
        kwargs = {"logGroupNamePrefix": "/page/", "limit": 3}
        page = logs.describe_log_groups(**kwargs, **({"nextToken": token} if token else {}))
        seen += [g["logGroupName"] for g in page["logGroups"]]
        token = page.get("nextToken")
        if not token:
            break
    assert seen == names
    paginated = logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix="/page/")
    assert [g["logGroupName"] for p in paginated for g in p["logGroups"]] == names


def test_put_and_get_events_with_forward_tokens(logs) -> None:
    logs.create_log_group(logGroupName="/app")
    logs.create_log_stream(logGroupName="/app", logStreamName="web/1")
    with pytest.raises(ClientError) as exc:
        logs.create_log_stream(logGroupName="/app", logStreamName="web/1")
    assert error(exc)[1] == "ResourceAlreadyExistsException"
    base = now_ms() - 10_000
    out = logs.put_log_events(
        logGroupName="/app",
        logStreamName="web/1",
        logEvents=[{"timestamp": base + i, "message": f"line {i}"} for i in range(5)],
    )
    assert "rejectedLogEventsInfo" not in out
    head = logs.get_log_events(
        logGroupName="/app", logStreamName="web/1", startFromHead=True, limit=3
    )
    assert [e["message"] for e in head["events"]] == ["line 0", "line 1", "line 2"]
    assert head["nextForwardToken"].startswith("f/")
    assert head["nextBackwardToken"].startswith("b/")
    rest = logs.get_log_events(
        logGroupName="/app", logStreamName="web/1", nextToken=head["nextForwardToken"]
    )
    assert [e["message"] for e in rest["events"]] == ["line 3", "line 4"]
    assert rest["events"][0]["timestamp"] == base + 3
    assert abs(rest["events"][0]["ingestionTime"] - now_ms()) < 60_000
    drained = logs.get_log_events(
        logGroupName="/app", logStreamName="web/1", nextToken=rest["nextForwardToken"]
    )
    assert drained["events"] == []
    assert drained["nextForwardToken"] == rest["nextForwardToken"]
    back = logs.get_log_events(
        logGroupName="/app", logStreamName="web/1", nextToken=rest["nextBackwardToken"]
    )
    assert [e["message"] for e in back["events"]] == ["line 0", "line 1", "line 2"]
    tail = logs.get_log_events(logGroupName="/app", logStreamName="web/1", limit=2)
    assert [e["message"] for e in tail["events"]] == ["line 3", "line 4"]


def test_describe_streams_reports_event_times_and_orders(logs) -> None:
    logs.create_log_group(logGroupName="/streams")
    base = now_ms() - 60_000
    for name, offset in [("b", 30), ("a", 10), ("c", 20)]:
        logs.create_log_stream(logGroupName="/streams", logStreamName=name)
        logs.put_log_events(
            logGroupName="/streams",
            logStreamName=name,
            logEvents=[{"timestamp": base + offset, "message": "hello"}],
        )
    streams = logs.describe_log_streams(logGroupName="/streams")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["a", "b", "c"]
    assert streams[0]["firstEventTimestamp"] == streams[0]["lastEventTimestamp"] == base + 10
    assert streams[0]["storedBytes"] == 5
    assert streams[0]["arn"] == ARN + "/streams:log-stream:a"
    by_time = logs.describe_log_streams(
        logGroupName="/streams", orderBy="LastEventTime", descending=True, limit=2
    )
    assert [s["logStreamName"] for s in by_time["logStreams"]] == ["b", "c"]
    more = logs.describe_log_streams(
        logGroupName="/streams",
        orderBy="LastEventTime",
        descending=True,
        nextToken=by_time["nextToken"],
    )
    assert [s["logStreamName"] for s in more["logStreams"]] == ["a"]
    with pytest.raises(ClientError) as exc:
        logs.describe_log_streams(
            logGroupName="/streams", orderBy="LastEventTime", logStreamNamePrefix="a"
        )
    assert error(exc)[1] == "InvalidParameterException"
    group = logs.describe_log_groups(logGroupNamePrefix="/streams")["logGroups"][0]
    assert group["storedBytes"] == 15


def test_put_rejects_out_of_range_events_and_broken_batches(logs) -> None:
    logs.create_log_group(logGroupName="/rules")
    logs.create_log_stream(logGroupName="/rules", logStreamName="s")
    now = now_ms()
    day = 24 * 3600 * 1000
    hour = 3600 * 1000
    old = logs.put_log_events(
        logGroupName="/rules",
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 14 * day - hour, "message": "too old"},
            {"timestamp": now - 14 * day + hour, "message": "kept 1"},
        ],
    )
    assert old["rejectedLogEventsInfo"] == {"tooOldLogEventEndIndex": 0}
    new = logs.put_log_events(
        logGroupName="/rules",
        logStreamName="s",
        logEvents=[
            {"timestamp": now - 1000, "message": "kept 2"},
            {"timestamp": now + 3 * hour, "message": "too new"},
        ],
    )
    assert new["rejectedLogEventsInfo"] == {"tooNewLogEventStartIndex": 1}
    kept = logs.get_log_events(logGroupName="/rules", logStreamName="s", startFromHead=True)
    assert [e["message"] for e in kept["events"]] == ["kept 1", "kept 2"]
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(
            logGroupName="/rules",
            logStreamName="s",
            logEvents=[{"timestamp": now, "message": "b"}, {"timestamp": now - 1, "message": "a"}],
        )
    assert error(exc)[:2] == (400, "InvalidParameterException")
    assert "chronological" in error(exc)[2]
    with pytest.raises(ClientError) as exc:
        logs.put_log_events(
            logGroupName="/rules",
            logStreamName="missing",
            logEvents=[{"timestamp": now, "message": "x"}],
        )
    assert error(exc)[1:] == (
        "ResourceNotFoundException", "The specified log stream does not exist."
    )


def test_filter_log_events_patterns_streams_and_pages(logs) -> None:
    logs.create_log_group(logGroupName="/filter")
    base = now_ms() - 100_000
    lines = {
        "api/1": ["ERROR disk full", "INFO ok", "WARN slow request"],
        "api/2": ["ERROR Failed to connect", "INFO Exiting"],
        "worker/1": ["ERROR Exiting now"],
    }
    for offset, (stream, messages) in enumerate(lines.items()):
        logs.create_log_stream(logGroupName="/filter", logStreamName=stream)
        logs.put_log_events(
            logGroupName="/filter",
            logStreamName=stream,
            logEvents=[
                {"timestamp": base + 10 * i + offset, "message": m}
                for i, m in enumerate(messages)
            ],
        )

    def messages(**kwargs: object) -> list[str]:
        out = logs.filter_log_events(logGroupName="/filter", **kwargs)
        return [e["message"] for e in out["events"]]

    assert messages(filterPattern="ERROR") == [
        "ERROR disk full", "ERROR Failed to connect", "ERROR Exiting now"
    ]
    assert messages(filterPattern="ERROR -Exiting") == [
        "ERROR disk full", "ERROR Failed to connect"
    ]
    assert messages(filterPattern='"Failed to"') == ["ERROR Failed to connect"]
    assert messages(filterPattern="?WARN ?Exiting") == [
        "ERROR Exiting now", "INFO Exiting", "WARN slow request"
    ]
    assert messages(logStreamNamePrefix="api/", filterPattern="INFO") == ["INFO ok", "INFO Exiting"]
    assert messages(logStreamNames=["worker/1"]) == ["ERROR Exiting now"]
    assert messages(startTime=base + 10, endTime=base + 20) == ["INFO ok", "INFO Exiting"]
    page = logs.filter_log_events(logGroupName="/filter", limit=2)
    assert len(page["events"]) == 2 and page["nextToken"]
    assert {e["logStreamName"] for e in page["events"]} <= set(lines)
    assert all(e["eventId"] and e["ingestionTime"] for e in page["events"])
    pages = logs.get_paginator("filter_log_events").paginate(
        logGroupName="/filter", PaginationConfig={"PageSize": 2}
    )
    assert len([e for p in pages for e in p["events"]]) == 6
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="/filter", logStreamNames=["a"], logStreamNamePrefix="a")
    assert error(exc)[1] == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        logs.filter_log_events(logGroupName="/nope")
    assert error(exc)[1] == "ResourceNotFoundException"


def test_group_identifier_arn_and_delete_stream(logs) -> None:
    logs.create_log_group(logGroupName="/ident")
    logs.create_log_stream(logGroupName="/ident", logStreamName="s")
    streams = logs.describe_log_streams(logGroupIdentifier=ARN + "/ident:*")["logStreams"]
    assert [s["logStreamName"] for s in streams] == ["s"]
    logs.delete_log_stream(logGroupName="/ident", logStreamName="s")
    assert logs.describe_log_streams(logGroupName="/ident")["logStreams"] == []
    with pytest.raises(ClientError) as exc:
        logs.get_log_events(logGroupName="/ident", logStreamName="s")
    assert error(exc)[1] == "ResourceNotFoundException"
