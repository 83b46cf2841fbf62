"""``dockyard up`` end to end: boto3 against the control plane, tasks as real Docker containers.

One ``up`` process per module (its cluster ``default`` holds this host); the restart tests
kill it with SIGKILL and start it again on the same data dir.
"""

from __future__ import annotations

import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess
from tests.support.waiting import has_instances
from tests.support.waiting import wait_for as until

TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"


def wait_for(predicate: Any, timeout: float = 60.0, interval: float = 0.1) -> Any:
    return until(predicate, timeout, interval)




@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory, test_image: str, docker_client: Any) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("up") / "data"
    proc = ServerProcess(data_dir=data_dir, command="up", extra_args=("--log-level", "info")).start()
    ecs = proc.client("ecs")
    wait_for(lambda: has_instances(ecs))
    try:
        yield proc
    finally:
        arns: list[str] = []
        try:
            ecs = proc.client("ecs")
            for status in ("RUNNING", "STOPPED"):
                arns += ecs.list_tasks(cluster="default", desiredStatus=status)["taskArns"]
        except Exception:
            pass
        proc.stop()
        for arn in arns:
            for c in docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"}):
                c.remove(force=True)


@pytest.fixture
def ecs(up: ServerProcess) -> Any:
    return up.client("ecs")


def register(ecs: Any, family: str, image: str, containers: list[dict[str, Any]] | None = None, **extra: Any) -> str:
    definitions = containers or [{"name": "main", "image": image, "memory": 32}]
    for c in definitions:
        c.setdefault("image", image)
        c.setdefault("memory", 32)
    return str(
        ecs.register_task_definition(family=family, containerDefinitions=definitions, **extra)[
            "taskDefinition"
        ]["taskDefinitionArn"]
    )


def describe(ecs: Any, arn: str) -> dict[str, Any]:
    return dict(ecs.describe_tasks(cluster="default", tasks=[arn])["tasks"][0])


def wait_status(ecs: Any, arn: str, status: str, timeout: float = 60.0) -> dict[str, Any]:
    return dict(wait_for(lambda: (t := describe(ecs, arn))["lastStatus"] == status and t, timeout))


SERVE = (
    "mkdir -p /www; echo hello-from-dockyard > /www/index.html; "
    "trap 'exit 0' TERM; httpd -f -p 8080 -h /www & wait"
)


def test_run_task_serves_http_on_a_dynamic_port_then_stops(ecs: Any, test_image: str, docker_client: Any) -> None:
    register(ecs, "web", test_image, [{
        "name": "web", "command": ["sh", "-c", SERVE], "stopTimeout": 5,
        "portMappings": [{"containerPort": 8080, "hostPort": 0}],
    }])
    task = ecs.run_task(cluster="default", taskDefinition="web")["tasks"][0]
    running = wait_status(ecs, task["taskArn"], "RUNNING")
    container = running["containers"][0]
    binding = container["networkBindings"][0]
    assert binding["containerPort"] == 8080 and binding["bindIP"] == "127.0.0.1"
    assert binding["hostPort"] >= 1024
    body = wait_for(lambda: _get(f"http://127.0.0.1:{binding['hostPort']}/index.html"))
    assert body.strip() == "hello-from-dockyard"
    inspected = docker_client.containers.get(container["runtimeId"])
    assert inspected.labels[TASK_ARN_LABEL] == task["taskArn"]
    assert inspected.name.startswith("ecs-web-1-web-")
    for stamp in ("createdAt", "pullStartedAt", "pullStoppedAt", "startedAt"):
        assert stamp in running, stamp

    stopping = ecs.stop_task(cluster="default", task=task["taskArn"], reason="enough")["task"]
    assert stopping["desiredStatus"] == "STOPPED"
    stopped = wait_status(ecs, task["taskArn"], "STOPPED")
    assert stopped["stopCode"] == "UserInitiated" and stopped["stoppedReason"] == "enough"
    assert stopped["containers"][0]["exitCode"] == 0  # the trap honoured SIGTERM
    assert stopped["stoppingAt"] <= stopped["executionStoppedAt"] <= stopped["stoppedAt"]
    inspected.reload()
    assert inspected.status == "exited"


def test_essential_exit_code_and_non_essential_sidecar(ecs: Any, test_image: str) -> None:
    register(ecs, "exits", test_image, [
        {"name": "main", "command": ["sh", "-c", "sleep 1; exit 3"]},
        {"name": "side", "command": ["sh", "-c", "exit 0"], "essential": False},
    ])
    task = ecs.run_task(cluster="default", taskDefinition="exits")["tasks"][0]
    stopped = wait_status(ecs, task["taskArn"], "STOPPED")
    assert stopped["stopCode"] == "EssentialContainerExited"
    assert stopped["stoppedReason"] == "Essential container in task exited"
    codes = {c["name"]: c.get("exitCode") for c in stopped["containers"]}
    assert codes == {"main": 3, "side": 0}
    assert "startedAt" in stopped  # it did run


def test_missing_image_fails_to_start_with_dockers_reason(ecs: Any, test_image: str) -> None:
    register(ecs, "ghost", test_image, [{"name": "main", "image": "dockyard-test/no-such-image:1"}])
    task = ecs.run_task(cluster="default", taskDefinition="ghost")["tasks"][0]
    stopped = wait_status(ecs, task["taskArn"], "STOPPED", timeout=120)
    assert stopped["stopCode"] == "TaskFailedToStart"
    reason = stopped["containers"][0]["reason"]
    assert reason.startswith("CannotPullContainerError: dockyard-test/no-such-image:1")
    assert stopped["stoppedReason"].startswith("CannotPullContainerError")
    assert "startedAt" not in stopped


def test_taken_static_port_fails_to_start(ecs: Any, test_image: str) -> None:
    import socket

    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        held.listen()
        port = held.getsockname()[1]
        register(ecs, "clash", test_image, [{
            "name": "main", "command": ["sleep", "30"],
            "portMappings": [{"containerPort": 80, "hostPort": port}],
        }])
        task = ecs.run_task(cluster="default", taskDefinition="clash")["tasks"][0]
        stopped = wait_status(ecs, task["taskArn"], "STOPPED")
    assert stopped["stopCode"] == "TaskFailedToStart"
    assert stopped["containers"][0]["reason"].startswith("CannotStartContainerError")


def test_depends_on_success_orders_containers(ecs: Any, test_image: str, docker_client: Any) -> None:
    register(ecs, "ordered", test_image, [
        {"name": "init", "command": ["sh", "-c", "sleep 1; exit 0"], "essential": False},
        {"name": "app", "command": ["sleep", "30"], "stopTimeout": 2,
         "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
    ])
    task = ecs.run_task(cluster="default", taskDefinition="ordered")["tasks"][0]
    running = wait_status(ecs, task["taskArn"], "RUNNING")
    ids = {c["name"]: c.get("runtimeId") for c in running["containers"]}
    init = docker_client.api.inspect_container(ids["init"])["State"]
    app = docker_client.api.inspect_container(ids["app"])["State"]
    assert init["ExitCode"] == 0
    assert init["FinishedAt"] <= app["StartedAt"]
    ecs.stop_task(cluster="default", task=task["taskArn"])
    wait_status(ecs, task["taskArn"], "STOPPED")


def test_depends_on_success_failure_stops_the_task(ecs: Any, test_image: str) -> None:
    register(ecs, "badinit", test_image, [
        {"name": "init", "command": ["sh", "-c", "exit 1"], "essential": False},
        {"name": "app", "command": ["sleep", "30"],
         "dependsOn": [{"containerName": "init", "condition": "SUCCESS"}]},
    ])
    task = ecs.run_task(cluster="default", taskDefinition="badinit")["tasks"][0]
    stopped = wait_status(ecs, task["taskArn"], "STOPPED")
    assert stopped["stopCode"] == "TaskFailedToStart"
    app = next(c for c in stopped["containers"] if c["name"] == "app")
    assert "runtimeId" not in app  # never created
    assert "SUCCESS" in app["reason"]


def test_health_check_makes_the_task_healthy(ecs: Any, test_image: str) -> None:
    register(ecs, "healthy", test_image, [{
        "name": "main", "command": ["sleep", "60"], "stopTimeout": 2,
        "healthCheck": {"command": ["CMD-SHELL", "true"], "interval": 5, "timeout": 2, "retries": 1},
    }])
    task = ecs.run_task(cluster="default", taskDefinition="healthy")["tasks"][0]
    running = wait_status(ecs, task["taskArn"], "RUNNING")
    assert running["healthStatus"] == "UNKNOWN"
    healthy = wait_for(lambda: (t := describe(ecs, task["taskArn"]))["healthStatus"] == "HEALTHY" and t, 30)
    assert healthy["containers"][0]["healthStatus"] == "HEALTHY"
    ecs.stop_task(cluster="default", task=task["taskArn"])
    wait_status(ecs, task["taskArn"], "STOPPED")


def test_restart_readopts_running_containers_and_reports_what_happened(
    up: ServerProcess, test_image: str, docker_client: Any
) -> None:
    ecs = up.client("ecs")
    register(ecs, "survivor", test_image, [{"name": "main", "command": ["sleep", "300"], "stopTimeout": 2}])
    keep = ecs.run_task(cluster="default", taskDefinition="survivor")["tasks"][0]
    lose = ecs.run_task(cluster="default", taskDefinition="survivor")["tasks"][0]
    keep_id = wait_status(ecs, keep["taskArn"], "RUNNING")["containers"][0]["runtimeId"]
    lose_id = wait_status(ecs, lose["taskArn"], "RUNNING")["containers"][0]["runtimeId"]

    up.kill()  # kill -9: no shutdown code runs; containers keep running
    docker_client.containers.get(lose_id).kill()  # exits (137) while Dockyard is away
    assert docker_client.containers.get(keep_id).status == "running"
    up.start()
    ecs = up.client("ecs")
    lost = wait_status(ecs, lose["taskArn"], "STOPPED")
    assert lost["stopCode"] == "EssentialContainerExited"
    assert lost["containers"][0]["exitCode"] == 137
    kept = describe(ecs, keep["taskArn"])
    assert kept["lastStatus"] == "RUNNING"
    assert kept["containers"][0]["runtimeId"] == keep_id
    same_task = docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={keep['taskArn']}"})
    assert [c.id for c in same_task] == [keep_id]  # adopted, not duplicated
    instances = ecs.list_container_instances(cluster="default")["containerInstanceArns"]
    assert len(instances) == 1  # re-registered under the same ARN
    ecs.stop_task(cluster="default", task=keep["taskArn"])
    stopped = wait_status(ecs, keep["taskArn"], "STOPPED")
    assert stopped["containers"][0]["runtimeId"] == keep_id


def _get(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return str(response.read().decode())
    except OSError:
        return None


def test_shared_task_volume_and_awslogs_reach_get_log_events(up: ServerProcess, ecs: Any, test_image: str) -> None:
    import subprocess
    import sys

    register(ecs, "logged", test_image, [
        {"name": "writer", "essential": False, "command": ["sh", "-c", "echo data-42 > /shared/f"],
         "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared"}]},
        {"name": "reader", "command": ["sh", "-c", "cat /shared/f; echo line-two; touch /shared/x || echo read-only"],
         "dependsOn": [{"containerName": "writer", "condition": "SUCCESS"}],
         "mountPoints": [{"sourceVolume": "shared", "containerPath": "/shared", "readOnly": True}],
         "logConfiguration": {"logDriver": "awslogs", "options": {
             "awslogs-group": "/dockyard/test", "awslogs-region": "us-east-1",
             "awslogs-stream-prefix": "app", "awslogs-create-group": "true"}}},
    ], volumes=[{"name": "shared"}])
    task = ecs.run_task(cluster="default", taskDefinition="logged")["tasks"][0]
    stopped = wait_status(ecs, task["taskArn"], "STOPPED")
    codes = {c["name"]: c.get("exitCode") for c in stopped["containers"]}
    assert codes == {"writer": 0, "reader": 0}
    task_id = task["taskArn"].rsplit("/", 1)[1]
    logs = up.client("logs")

    def messages() -> list[str]:
        try:
            events = logs.get_log_events(
                logGroupName="/dockyard/test", logStreamName=f"app/reader/{task_id}", startFromHead=True
            )["events"]
        except logs.exceptions.ResourceNotFoundException:
            return []
        return [e["message"] for e in events]

    found = wait_for(lambda: len(messages()) >= 4 and messages(), timeout=30)
    assert sorted(found) == sorted(
        ["data-42", "line-two", "touch: /shared/x: Read-only file system", "read-only"]
    )  # stdout and stderr; within a millisecond their relative order is not defined
    assert found.index("data-42") < found.index("line-two") < found.index("read-only")
    out = subprocess.run(
        [sys.executable, "-m", "dockyard.cli", "logs", task_id, "--cluster", "default"],
        env=up.env(), capture_output=True, text=True, timeout=60, check=True,
    ).stdout
    assert "data-42" in out and "line-two" in out


def test_aws_cli_runs_and_stops_a_task(up: ServerProcess, test_image: str) -> None:
    import json
    import subprocess

    def aws(*args: str) -> Any:
        done = subprocess.run(["aws", "ecs", *args, "--output", "json"], env=up.env(),
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout) if done.stdout.strip() else None

    aws("register-task-definition", "--family", "cli-task", "--container-definitions", json.dumps(
        [{"name": "main", "image": test_image, "memory": 32, "command": ["sleep", "60"], "stopTimeout": 2}]))
    arn = aws("run-task", "--task-definition", "cli-task")["tasks"][0]["taskArn"]
    ecs = up.client("ecs")
    wait_status(ecs, arn, "RUNNING")
    assert arn in aws("list-tasks")["taskArns"]
    aws("stop-task", "--task", arn, "--reason", "cli says stop")
    stopped = wait_status(ecs, arn, "STOPPED")
    assert stopped["stoppedReason"] == "cli says stop" and stopped["containers"][0]["exitCode"] == 137
