"""``dockyard deploy``: the pure parts table-driven over DescribeServices-shaped dicts, then the
command's shell against a scripted ECS client and a fake clock (nothing sleeps)."""

from __future__ import annotations

import argparse
import io
import json
from collections.abc import Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from rich.console import Console

from dockyard import cli_deploy
from dockyard.cli_deploy import (
    PlainView,
    TaskDefinitionFileError,
    Verdict,
    deploy,
    deployment_line,
    deployment_row,
    follow_rollout,
    health_counts,
    load_task_definition,
    new_events,
    render_rollout,
    rollout_verdict,
    task_definition_input,
    verdict_message,
)

TD = "arn:aws:ecs:us-east-1:123456789012:task-definition/web:{}"
NEW, OLD, BACK = "ecs-svc/1111111111111111111", "ecs-svc/2222222222222222222", "ecs-svc/3333"
ROLLBACK_REASON = f"ECS deployment circuit breaker: rolling back to deploymentId {OLD}."
CONTAINERS = [{"name": "web", "image": "busybox", "memory": 64}]


def dep(
    ident: str = NEW,
    status: str = "PRIMARY",
    state: str | None = "IN_PROGRESS",
    *,
    revision: int = 2,
    desired: int = 2,
    pending: int = 0,
    running: int = 0,
    failed: int = 0,
    reason: str = "",
) -> dict[str, Any]:
    d: dict[str, Any] = {
        "id": ident,
        "status": status,
        "taskDefinition": TD.format(revision),
        "desiredCount": desired,
        "pendingCount": pending,
        "runningCount": running,
        "failedTasks": failed,
    }
    if state is not None:
        d["rolloutState"], d["rolloutStateReason"] = state, reason
    return d


def svc(
    *deployments: dict[str, Any],
    status: str = "ACTIVE",
    desired: int = 2,
    running: int | None = None,
    events: tuple[str, ...] = (),
) -> dict[str, Any]:
    """A DescribeServices service; ``events`` are messages oldest first, ids ``e0, e1, …``."""
    listed = [
        {"id": f"e{i}", "createdAt": datetime(2024, 5, 1, 12, 0, i, tzinfo=UTC), "message": m}
        for i, m in enumerate(events)
    ]
    return {
        "serviceName": "web",
        "status": status,
        "desiredCount": desired,
        "runningCount": sum(d["runningCount"] for d in deployments) if running is None else running,
        "deployments": list(deployments),
        "events": list(reversed(listed)),
    }


# --- task definition files ---------------------------------------------------------------

DESCRIBED = {
    "taskDefinition": {
        "taskDefinitionArn": TD.format(1),
        "family": "web",
        "revision": 1,
        "status": "ACTIVE",
        "containerDefinitions": CONTAINERS,
        "requiresAttributes": [{"name": "x"}],
        "compatibilities": ["EC2"],
        "registeredAt": "2024-05-01T12:00:00Z",
        "registeredBy": "arn:aws:iam::123456789012:root",
        "cpu": "256",
    },
    "tags": [{"key": "team", "value": "a"}],
}


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (
            {"family": "web", "containerDefinitions": CONTAINERS, "cpu": "256"},
            {"family": "web", "containerDefinitions": CONTAINERS, "cpu": "256"},
        ),
        (
            DESCRIBED,
            {
                "family": "web",
                "containerDefinitions": CONTAINERS,
                "cpu": "256",
                "tags": [{"key": "team", "value": "a"}],
            },
        ),
        (
            {**DESCRIBED, "tags": []},
            {"family": "web", "containerDefinitions": CONTAINERS, "cpu": "256"},
        ),
    ],
    ids=["register-input", "describe-output-stripped-with-tags", "describe-output-no-tags"],
)
def test_task_definition_input(document: dict[str, Any], expected: dict[str, Any]) -> None:
    assert task_definition_input(document) == expected


@pytest.mark.parametrize(
    ("document", "fragment"),
    [
        ([CONTAINERS], "JSON object"),
        ({"containerDefinitions": CONTAINERS}, '"family"'),
        ({"family": "", "containerDefinitions": CONTAINERS}, '"family"'),
        ({"family": "web"}, '"containerDefinitions"'),
        ({"family": "web", "containerDefinitions": {"name": "x"}}, '"containerDefinitions"'),
        ({"taskDefinition": "web:1"}, '"taskDefinition"'),
    ],
    ids=[
        "not-an-object",
        "no-family",
        "empty-family",
        "no-containers",
        "containers-not-list",
        "wrapped-not-object",
    ],
)
def test_task_definition_input_rejects(document: Any, fragment: str) -> None:
    with pytest.raises(TaskDefinitionFileError, match=fragment):
        task_definition_input(document)


def test_load_task_definition(tmp_path: Path) -> None:
    good = tmp_path / "td.json"
    good.write_text(json.dumps(DESCRIBED))
    assert load_task_definition(good)["family"] == "web"
    bad = tmp_path / "bad.json"
    bad.write_text("{nope")
    with pytest.raises(TaskDefinitionFileError, match="not valid JSON"):
        load_task_definition(bad)
    with pytest.raises(TaskDefinitionFileError, match="No such file"):
        load_task_definition(tmp_path / "missing.json")


# --- verdicts ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("service", "verdict"),
    [
        (
            svc(dep(running=1, pending=1), dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2)),
            Verdict.IN_PROGRESS,
        ),
        (svc(dep(state="COMPLETED", running=2)), Verdict.COMPLETED),
        (
            svc(
                dep(state="COMPLETED", running=2),
                dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=1),
            ),
            Verdict.IN_PROGRESS,
        ),
        (
            svc(
                dep(
                    state="FAILED",
                    failed=3,
                    reason="ECS deployment circuit breaker: task failed to start.",
                )
            ),
            Verdict.FAILED,
        ),
        (
            svc(
                dep(BACK, reason=ROLLBACK_REASON, revision=1, running=2),
                dep(status="ACTIVE", state="FAILED", failed=3),
            ),
            Verdict.ROLLED_BACK,
        ),
        (
            svc(dep(BACK, state="COMPLETED", reason=ROLLBACK_REASON, revision=1, running=2)),
            Verdict.ROLLED_BACK,
        ),
        (svc(dep(BACK, revision=3), dep(status="ACTIVE", running=1)), Verdict.SUPERSEDED),
        (svc(dep(BACK, state="COMPLETED", revision=3, running=2)), Verdict.SUPERSEDED),
        (svc(dep(BACK, revision=3), dep(status="ACTIVE", state="FAILED")), Verdict.FAILED),
        (svc(dep(running=2), status="DRAINING"), Verdict.GONE),
        (svc(dep(running=2), status="INACTIVE"), Verdict.GONE),
        (None, Verdict.GONE),
        (svc(dep(state=None, running=2)), Verdict.COMPLETED),
        (svc(dep(state=None, running=1)), Verdict.IN_PROGRESS),
        (
            svc(dep(state=None, running=2), dep(OLD, "ACTIVE", None, running=0), running=2),
            Verdict.IN_PROGRESS,
        ),
    ],
    ids=[
        "in-progress-two-deployments",
        "completed-alone",
        "completed-but-old-still-listed",
        "failed-without-rollback",
        "failed-with-rollback-primary",
        "rolled-back-failed-one-dropped",
        "newer-primary-not-rollback",
        "replaced-and-dropped",
        "failed-then-replaced",
        "service-draining",
        "service-inactive",
        "service-missing",
        "no-rollout-state-steady",
        "no-rollout-state-short",
        "no-rollout-state-two-deployments",
    ],
)
def test_rollout_verdict(service: dict[str, Any] | None, verdict: Verdict) -> None:
    assert rollout_verdict(service, NEW) is verdict


@pytest.mark.parametrize(
    ("service", "verdict", "fragments"),
    [
        (
            svc(dep(state="COMPLETED", running=2)),
            Verdict.COMPLETED,
            [f"deployment {NEW} completed"],
        ),
        (
            svc(
                dep(state="FAILED", reason="ECS deployment circuit breaker: task failed to start.")
            ),
            Verdict.FAILED,
            [f"deployment {NEW} failed: ECS deployment circuit breaker: task failed"],
        ),
        (
            svc(
                dep(BACK, reason=ROLLBACK_REASON),
                dep(status="ACTIVE", state="FAILED", reason="boom"),
            ),
            Verdict.ROLLED_BACK,
            [
                f"deployment {NEW} failed: boom",
                f"\nthe service is rolling back in deployment {BACK}",
                ROLLBACK_REASON,
            ],
        ),
        (svc(dep(BACK, revision=3)), Verdict.SUPERSEDED, [f"replaced by {BACK}"]),
        (svc(dep(), status="DRAINING"), Verdict.GONE, ["the service is DRAINING"]),
        (None, Verdict.GONE, ["the service is MISSING"]),
    ],
    ids=["completed", "failed", "rolled-back", "superseded", "draining", "missing"],
)
def test_verdict_message(
    service: dict[str, Any] | None, verdict: Verdict, fragments: list[str]
) -> None:
    message = verdict_message(verdict, service, NEW)
    for fragment in fragments:
        assert fragment in message


# --- events, rows, rendering -------------------------------------------------------------


@pytest.mark.parametrize(
    ("seen", "expected"),
    [
        (set(), ["a", "b", "c"]),
        ({"e0"}, ["b", "c"]),
        ({"e0", "e2"}, ["b"]),
        ({"e0", "e1", "e2"}, []),
    ],
    ids=["all-oldest-first", "skip-seen", "gap", "nothing-new"],
)
def test_new_events(seen: set[str], expected: list[str]) -> None:
    service = svc(dep(), events=("a", "b", "c"))
    assert [e["message"] for e in new_events(service, seen)] == expected


def test_deployment_row_and_line() -> None:
    d = dep(pending=1, running=1, failed=2)
    assert deployment_row(d) == (NEW, "PRIMARY", "web:2", "IN_PROGRESS", "2", "1", "1", "2")
    assert deployment_line(d) == (
        f"deployment {NEW} PRIMARY web:2 IN_PROGRESS: desired 2, pending 1, running 1, failed 2"
    )
    assert deployment_row({"id": "x"}) == ("x", "-", "-", "-", "0", "0", "0", "0")


def test_health_counts() -> None:
    tasks = [
        {"healthStatus": "HEALTHY"},
        {"healthStatus": "HEALTHY"},
        {"healthStatus": "UNKNOWN"},
        {},
        {"healthStatus": "UNHEALTHY"},
    ]
    assert health_counts(tasks) == {"HEALTHY": 2, "UNKNOWN": 2, "UNHEALTHY": 1}


def test_render_rollout_shows_deployments_health_and_events() -> None:
    service = svc(dep(running=1, pending=1), dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2))
    events = new_events(
        svc(dep(), events=("(service web) has started 1 tasks: (task t1).",)), set()
    )
    view = render_rollout(
        service, NEW, events=events, health={"HEALTHY": 1, "UNKNOWN": 1}, elapsed=12.4
    )
    out = io.StringIO()
    Console(file=out, width=160, color_system=None).print(view)
    text = out.getvalue()
    for fragment in (
        NEW,
        OLD,
        "web:2",
        "web:1",
        "IN_PROGRESS",
        "COMPLETED",
        "waiting 12s",
        "PRIMARY tasks: 1 HEALTHY, 1 UNKNOWN",
        "12:00:00 (service web) has started 1",
    ):
        assert fragment in text


# --- the loop ----------------------------------------------------------------------------


class FakeClock:
    def __init__(self) -> None:
        self.t = 100.0
        self.sleeps: list[float] = []

    def now(self) -> float:
        return self.t

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds


class Script:
    """Answers DescribeServices from a list; the last answer repeats."""

    def __init__(self, answers: list[dict[str, Any] | None]) -> None:
        self.answers = answers
        self.calls = 0

    def __call__(self) -> Mapping[str, Any] | None:
        self.calls += 1
        return self.answers.pop(0) if len(self.answers) > 1 else self.answers[0]


ROLLOUT = [
    svc(dep(pending=2), dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2), events=("old",)),
    svc(
        dep(running=2),
        dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2),
        events=("old", "started 2"),
    ),
    svc(
        dep(running=2),
        dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2),
        events=("old", "started 2"),
    ),
    svc(dep(state="COMPLETED", running=2), events=("old", "started 2", "stopped 2", "completed")),
]


def test_follow_prints_each_event_and_change_once_until_completed() -> None:
    clock, out = FakeClock(), io.StringIO()
    script = Script(list(ROLLOUT))
    verdict, message = follow_rollout(
        script,
        NEW,
        view=PlainView(out, ["e0"]),
        timeout=60,
        poll=2,
        sleep=clock.sleep,
        now=clock.now,
    )
    assert (verdict, message) == (Verdict.COMPLETED, f"deployment {NEW} completed")
    assert clock.sleeps == [2, 2, 2] and script.calls == 4
    lines = [
        line.split(" ", 1)[1] if line[:2].isdigit() else line
        for line in out.getvalue().splitlines()
    ]
    assert lines == [
        deployment_line(dep(pending=2)),
        deployment_line(dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2)),
        "started 2",
        deployment_line(dep(running=2)),
        "stopped 2",
        "completed",
        deployment_line(dep(state="COMPLETED", running=2)),
    ]


def test_follow_times_out_without_oversleeping() -> None:
    clock = FakeClock()
    verdict, message = follow_rollout(
        Script([svc(dep())]),
        NEW,
        view=PlainView(io.StringIO(), []),
        timeout=5,
        poll=2,
        sleep=clock.sleep,
        now=clock.now,
    )
    assert verdict is Verdict.IN_PROGRESS
    assert clock.sleeps == [2, 2, 1]
    assert message.startswith(
        f"timed out after 5s waiting for deployment {NEW} (rolloutState IN_PROGRESS)"
    )


@pytest.mark.parametrize(
    ("final", "verdict"),
    [
        (svc(dep(state="FAILED", failed=3)), Verdict.FAILED),
        (
            svc(dep(BACK, reason=ROLLBACK_REASON), dep(status="ACTIVE", state="FAILED")),
            Verdict.ROLLED_BACK,
        ),
        (None, Verdict.GONE),
    ],
    ids=["failed", "rolled-back", "deleted"],
)
def test_follow_stops_on_a_terminal_verdict(final: dict[str, Any] | None, verdict: Verdict) -> None:
    clock = FakeClock()
    got, _ = follow_rollout(
        Script([svc(dep()), final]),
        NEW,
        view=PlainView(io.StringIO(), []),
        timeout=60,
        poll=0.5,
        sleep=clock.sleep,
        now=clock.now,
    )
    assert got is verdict and clock.sleeps == [0.5]


# --- the command -------------------------------------------------------------------------


class FakeEcs:
    """RegisterTaskDefinition / UpdateService / DescribeServices / ListTasks / DescribeTasks
    answers shaped like botocore's ECS model; DescribeServices follows ``rollout``."""

    def __init__(
        self, rollout: list[dict[str, Any] | None], error: ClientError | None = None
    ) -> None:
        self.rollout = Script(rollout)
        self.error = error
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def register_task_definition(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("register_task_definition", kwargs))
        return {"taskDefinition": {"taskDefinitionArn": TD.format(2), **kwargs}}

    def update_service(self, **kwargs: Any) -> dict[str, Any]:
        self.calls.append(("update_service", kwargs))
        if self.error:
            raise self.error
        return {
            "service": svc(
                dep(), dep(OLD, "ACTIVE", "COMPLETED", revision=1, running=2), events=("old",)
            )
        }

    def describe_services(self, **kwargs: Any) -> dict[str, Any]:
        answer = self.rollout()
        return {"services": [answer] if answer else [], "failures": []}

    def get_paginator(self, name: str) -> Any:
        assert name == "list_tasks"
        ecs = self

        class Pages:
            def paginate(self, **kwargs: Any) -> list[dict[str, Any]]:
                ecs.calls.append(("list_tasks", kwargs))
                return [{"taskArns": ["t1", "t2"]}]

        return Pages()

    def describe_tasks(self, **kwargs: Any) -> dict[str, Any]:
        return {"tasks": [{"taskArn": a, "healthStatus": "HEALTHY"} for a in kwargs["tasks"]]}


def parse(*argv: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    cli_deploy.register(parser.add_subparsers(dest="command"))
    return parser.parse_args(
        ["deploy", "--cluster", "c1", "--service", "web", "--task-definition", "td.json", *argv]
    )


def test_register_parses_the_documented_options() -> None:
    args = parse()
    assert (args.cluster, args.service, args.task_definition) == ("c1", "web", Path("td.json"))
    assert (args.desired_count, args.force_new_deployment, args.no_wait) == (None, False, False)
    assert (args.timeout, args.poll, args.endpoint, args.region) == (1800.0, 2.0, None, None)
    args = parse(
        "--desired-count",
        "3",
        "--force-new-deployment",
        "--timeout",
        "60",
        "--poll",
        "0.5",
        "--no-wait",
        "--endpoint",
        "http://x:1",
        "--region",
        "eu-west-1",
    )
    assert (args.desired_count, args.force_new_deployment, args.no_wait) == (3, True, True)
    assert (args.timeout, args.poll, args.endpoint, args.region) == (
        60.0,
        0.5,
        "http://x:1",
        "eu-west-1",
    )
    assert args.func is cli_deploy.run


def test_deploy_registers_updates_and_follows_to_completion() -> None:
    ecs, clock, out, err = FakeEcs(list(ROLLOUT)), FakeClock(), io.StringIO(), io.StringIO()
    params = {"family": "web", "containerDefinitions": CONTAINERS}
    code = deploy(
        ecs,
        parse("--desired-count", "2", "--force-new-deployment"),
        params,
        out=out,
        err=err,
        sleep=clock.sleep,
        now=clock.now,
    )
    assert code == 0 and err.getvalue() == ""
    assert ecs.calls[:2] == [
        ("register_task_definition", params),
        (
            "update_service",
            {
                "cluster": "c1",
                "service": "web",
                "taskDefinition": TD.format(2),
                "desiredCount": 2,
                "forceNewDeployment": True,
            },
        ),
    ]
    lines = out.getvalue().splitlines()
    assert lines[:2] == [f"registered {TD.format(2)}", f"deployment {NEW} started"]
    assert lines[-1] == f"deployment {NEW} completed"
    assert not any(line.endswith(" old") for line in lines)  # events before the deploy are not news


def test_deploy_no_wait_returns_after_the_update() -> None:
    ecs, out = FakeEcs([None]), io.StringIO()
    assert (
        deploy(
            ecs,
            parse("--no-wait"),
            {"family": "web", "containerDefinitions": []},
            out=out,
            err=io.StringIO(),
        )
        == 0
    )
    assert ecs.rollout.calls == 0
    assert out.getvalue().splitlines()[-1] == f"deployment {NEW} started"


@pytest.mark.parametrize(
    ("rollout", "fragment"),
    [
        (
            [
                svc(
                    dep(
                        state="FAILED",
                        reason="ECS deployment circuit breaker: task failed to start.",
                    )
                )
            ],
            "failed: ECS deployment circuit breaker: task failed to start.",
        ),
        (
            [svc(dep(BACK, reason=ROLLBACK_REASON), dep(status="ACTIVE", state="FAILED"))],
            "rolling back",
        ),
        ([None], "the service is MISSING"),
        ([svc(dep())], "timed out after 3s"),
    ],
    ids=["failed", "rolled-back", "gone", "timeout"],
)
def test_deploy_exits_1_when_the_rollout_does_not_complete(
    rollout: list[dict[str, Any] | None], fragment: str
) -> None:
    clock, out, err = FakeClock(), io.StringIO(), io.StringIO()
    code = deploy(
        FakeEcs(rollout),
        parse("--timeout", "3"),
        {"family": "web", "containerDefinitions": []},
        out=out,
        err=err,
        sleep=clock.sleep,
        now=clock.now,
    )
    assert code == 1
    assert fragment in err.getvalue()


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_deploy_on_a_terminal_draws_the_live_table_with_task_health() -> None:
    ecs, clock, out = FakeEcs(list(ROLLOUT)), FakeClock(), Terminal()
    code = deploy(
        ecs,
        parse(),
        {"family": "web", "containerDefinitions": []},
        out=out,
        err=io.StringIO(),
        sleep=clock.sleep,
        now=clock.now,
    )
    assert code == 0
    text = out.getvalue()
    assert "PRIMARY tasks: 2 HEALTHY" in text and "web:2" in text and "stopped 2" in text
    assert ("list_tasks", {"cluster": "c1", "startedBy": NEW}) in ecs.calls
    assert text.rstrip().endswith(f"deployment {NEW} completed")


def write_td(tmp_path: Path, document: Any) -> Path:
    path = tmp_path / "td.json"
    path.write_text(json.dumps(document))
    return path


def run_with(monkeypatch: pytest.MonkeyPatch, ecs: FakeEcs, path: Path, *argv: str) -> int:
    monkeypatch.setattr(
        cli_deploy.Clients, "from_args", staticmethod(lambda args: type("C", (), {"ecs": ecs}))
    )
    args = parse(*argv)
    args.task_definition = path
    return cli_deploy.run(args)


def test_run_maps_a_bad_file_to_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    code = run_with(
        monkeypatch, FakeEcs([None]), write_td(tmp_path, {"family": "web"}), "--no-wait"
    )
    assert code == 2
    assert capsys.readouterr().err.startswith(f"error: {tmp_path / 'td.json'}: ")


def test_run_maps_aws_errors_to_exit_1(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    error = ClientError(
        {"Error": {"Code": "ServiceNotFoundException", "Message": "Service not found."}},
        "UpdateService",
    )
    path = write_td(tmp_path, {"family": "web", "containerDefinitions": CONTAINERS})
    assert run_with(monkeypatch, FakeEcs([None], error=error), path) == 1
    assert capsys.readouterr().err == "error: ServiceNotFoundException: Service not found.\n"


def test_run_maps_parameter_validation_to_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    import boto3

    ecs = boto3.session.Session(aws_access_key_id="k", aws_secret_access_key="s").client(
        "ecs", region_name="us-east-1", endpoint_url="http://127.0.0.1:9"
    )
    path = write_td(tmp_path, {"family": "web", "containerDefinitions": CONTAINERS, "bogus": 1})
    monkeypatch.setattr(
        cli_deploy.Clients, "from_args", staticmethod(lambda args: type("C", (), {"ecs": ecs}))
    )
    args = parse()
    args.task_definition = path
    assert cli_deploy.run(args) == 2
    assert 'Unknown parameter in input: "bogus"' in capsys.readouterr().err
