"""``dockyard logs``: its pure parts (table-driven), then the command against a real server's
Logs API with a stand-in ECS client (DescribeTasks-shaped answers; running a real task needs an
agent)."""

from __future__ import annotations

import argparse
import io
import time
from typing import Any

import pytest

from dockyard.cli_logs import (
    Clients,
    LogTarget,
    format_line,
    log_targets,
    merge_round,
    register,
    show_task_logs,
    task_id,
)

TASK_ARN = "arn:aws:ecs:us-east-1:123456789012:task/demo/0123456789abcdef0123456789abcdef"
TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:1"


def container(name: str, options: dict[str, str] | None, driver: str = "awslogs") -> dict[str, Any]:
    definition: dict[str, Any] = {"name": name, "image": "busybox"}
    if options is not None:
        definition["logConfiguration"] = {"logDriver": driver, "options": options}
    return definition


def task(last_status: str = "RUNNING") -> dict[str, Any]:
    return {
        "taskArn": TASK_ARN,
        "taskDefinitionArn": TD_ARN,
        "lastStatus": last_status,
        "containers": [
            {"name": "web", "runtimeId": "docker-web-id"},
            {"name": "sidecar", "runtimeId": "docker-sidecar-id"},
        ],
    }


@pytest.mark.parametrize(
    ("definitions", "only", "expected", "notes"),
    [
        (
            [container("web", {"awslogs-group": "/g", "awslogs-stream-prefix": "app"})],
            None,
            [LogTarget("web", "/g", "app/web/0123456789abcdef0123456789abcdef", None)],
            0,
        ),
        (
            [container("web", {"awslogs-group": "/g", "awslogs-region": "eu-west-1"})],
            None,
            [LogTarget("web", "/g", "docker-web-id", "eu-west-1")],
            0,
        ),
        (
            [container("web", {"awslogs-group": "/g", "awslogs-stream-prefix": "p"}),
             container("sidecar", {"max-size": "1m"}, driver="json-file"),
             container("init", None)],
            None,
            [LogTarget("web", "/g", "p/web/0123456789abcdef0123456789abcdef", None)],
            2,
        ),
        (
            [container("web", {"awslogs-group": "/g", "awslogs-stream-prefix": "p"}),
             container("sidecar", {"awslogs-group": "/s", "awslogs-stream-prefix": "p"})],
            "sidecar",
            [LogTarget("sidecar", "/s", "p/sidecar/0123456789abcdef0123456789abcdef", None)],
            0,
        ),
        (
            [container("ghost", {"awslogs-group": "/g"})],
            None,
            [],
            1,
        ),
    ],
    ids=["prefix-stream", "container-id-stream-and-region", "non-awslogs-noted",
         "one-container", "no-prefix-no-runtime-id"],
)
def test_log_targets(
    definitions: list[dict[str, Any]], only: str | None, expected: list[LogTarget], notes: int
) -> None:
    targets, found_notes = log_targets(task(), {"containerDefinitions": definitions}, only=only)
    assert targets == expected
    assert len(found_notes) == notes


@pytest.mark.parametrize(
    ("arn", "expected"),
    [(TASK_ARN, "0123456789abcdef0123456789abcdef"),
     ("arn:aws:ecs:us-east-1:1:task/abc", "abc"), ("abc", "abc")],
    ids=["new-arn", "old-arn", "bare-id"],
)
def test_task_id(arn: str, expected: str) -> None:
    assert task_id(arn) == expected


def test_format_and_merge() -> None:
    assert format_line("web", "hello\n", prefixed=True) == "web | hello"
    assert format_line("web", "hello", prefixed=False) == "hello"
    a, b = LogTarget("a", "g", "s1", None), LogTarget("b", "g", "s2", None)
    merged = merge_round([
        (a, [{"timestamp": 1, "message": "a1"}, {"timestamp": 3, "message": "a3"}]),
        (b, [{"timestamp": 2, "message": "b2"}, {"timestamp": 3, "message": "b3"}]),
    ])
    assert merged == [("a", "a1"), ("b", "b2"), ("a", "a3"), ("b", "b3")]


def test_register_parses_the_documented_options() -> None:
    parser = argparse.ArgumentParser()
    register(parser.add_subparsers(dest="command"))
    args = parser.parse_args(
        ["logs", "abc", "--cluster", "demo", "--follow", "--container", "web",
         "--endpoint", "http://x:1", "--profile", "p", "--region", "eu-west-1"]
    )
    assert (args.task, args.cluster, args.follow, args.container) == ("abc", "demo", True, "web")
    assert (args.endpoint, args.profile, args.region) == ("http://x:1", "p", "eu-west-1")
    assert callable(args.func)


class FakeEcs:
    """DescribeTasks / DescribeTaskDefinition answers shaped like botocore's ECS model."""

    def __init__(self, statuses: list[str]) -> None:
        self.statuses = statuses
        self.definition = {
            "taskDefinitionArn": TD_ARN,
            "containerDefinitions": [
                container("web", {"awslogs-group": "/cli", "awslogs-stream-prefix": "app"}),
                container("sidecar", {"awslogs-group": "/cli", "awslogs-stream-prefix": "app"}),
            ],
        }

    def describe_tasks(self, **kwargs: Any) -> dict[str, Any]:
        assert kwargs["tasks"] == [TASK_ARN]
        status = self.statuses.pop(0) if len(self.statuses) > 1 else self.statuses[0]
        return {"tasks": [task(status)], "failures": []}

    def describe_task_definition(self, taskDefinition: str) -> dict[str, Any]:
        assert taskDefinition == TD_ARN
        return {"taskDefinition": self.definition}


@pytest.fixture(scope="module")
def logs(server):  # type: ignore[no-untyped-def]
    client = server.client("logs")
    client.create_log_group(logGroupName="/cli")
    for name in ("web", "sidecar"):
        client.create_log_stream(
            logGroupName="/cli", logStreamName=f"app/{name}/0123456789abcdef0123456789abcdef"
        )
    return client


def put(logs, container_name: str, *messages: str, at: int) -> None:  # type: ignore[no-untyped-def]
    logs.put_log_events(
        logGroupName="/cli",
        logStreamName=f"app/{container_name}/0123456789abcdef0123456789abcdef",
        logEvents=[{"timestamp": at + i, "message": m} for i, m in enumerate(messages)],
    )


def test_prints_every_event_of_every_container(logs) -> None:  # type: ignore[no-untyped-def]
    base = int(time.time() * 1000) - 60_000
    put(logs, "web", *[f"web {i}" for i in range(30)], at=base)
    put(logs, "sidecar", "side 0", at=base + 5)
    out, err = io.StringIO(), io.StringIO()
    clients = Clients(ecs=FakeEcs(["RUNNING"]), logs_for=lambda region: logs)
    assert show_task_logs(clients, TASK_ARN, out=out, err=err) == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 31
    assert lines[:7] == [f"web | web {i}" for i in range(6)] + ["sidecar | side 0"]  # ties: stable
    assert err.getvalue() == ""
    only = io.StringIO()
    show_task_logs(clients, TASK_ARN, container="sidecar", out=only, err=err)
    assert only.getvalue().splitlines() == ["side 0"]


def test_follow_polls_until_stopped_and_drained(logs) -> None:  # type: ignore[no-untyped-def]
    base = int(time.time() * 1000) - 30_000
    ecs = FakeEcs(["RUNNING", "RUNNING", "RUNNING", "STOPPED"])  # the first answers the lookup
    out = io.StringIO()
    polls: list[float] = []
    arrivals = iter([["late 1"], ["late 2"], [], []])

    def sleep(seconds: float) -> None:
        polls.append(seconds)
        messages = next(arrivals)
        if messages:
            put(logs, "web", *messages, at=base + len(polls))

    clients = Clients(ecs=ecs, logs_for=lambda region: logs)
    code = show_task_logs(
        clients, TASK_ARN, container="web", follow=True, out=out, sleep=sleep, poll_interval=0.5
    )
    assert code == 0
    lines = out.getvalue().splitlines()
    assert lines[-2:] == ["late 1", "late 2"]
    assert lines.count("late 2") == 1  # nothing is printed twice
    assert polls == [0.5, 0.5, 0.5]  # RUNNING, RUNNING, STOPPED, then one last drain


def test_unknown_task_and_no_awslogs_are_errors(logs) -> None:  # type: ignore[no-untyped-def]
    class NoTasks(FakeEcs):
        def describe_tasks(self, **kwargs: Any) -> dict[str, Any]:
            return {"tasks": [], "failures": [{"arn": TASK_ARN, "reason": "MISSING"}]}

    err = io.StringIO()
    clients = Clients(ecs=NoTasks(["RUNNING"]), logs_for=lambda region: logs)
    assert show_task_logs(clients, TASK_ARN, out=io.StringIO(), err=err) == 1
    assert "not found" in err.getvalue()
    plain = FakeEcs(["RUNNING"])
    plain.definition = {"containerDefinitions": [container("web", None)]}
    err = io.StringIO()
    clients = Clients(ecs=plain, logs_for=lambda region: logs)
    assert show_task_logs(clients, TASK_ARN, out=io.StringIO(), err=err) == 1
    assert "no awslogs log configuration" in err.getvalue()


def test_a_stream_not_created_yet_prints_nothing(server) -> None:  # type: ignore[no-untyped-def]
    client = server.client("logs")
    client.create_log_group(logGroupName="/empty")
    ecs = FakeEcs(["RUNNING"])
    ecs.definition = {
        "containerDefinitions": [container("web", {"awslogs-group": "/empty",
                                                   "awslogs-stream-prefix": "p"})]
    }
    out = io.StringIO()
    assert show_task_logs(Clients(ecs=ecs, logs_for=lambda r: client), TASK_ARN, out=out) == 0
    assert out.getvalue() == ""


def test_clients_fall_back_to_the_data_dir_credentials(
    server, monkeypatch: pytest.MonkeyPatch  # type: ignore[no-untyped-def]
) -> None:
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
                 "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_CONFIG_FILE", "/nonexistent")
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    args = argparse.Namespace(endpoint=server.endpoint, profile=None, region="us-east-1",
                              data_dir=server.data_dir)
    clients = Clients.from_args(args)
    clients.logs_for(None).create_log_group(logGroupName="/fallback")
    groups = clients.logs_for("us-east-1").describe_log_groups(logGroupNamePrefix="/fallback")
    assert [g["logGroupName"] for g in groups["logGroups"]] == ["/fallback"]
    assert clients.ecs.list_clusters()["clusterArns"] == []
