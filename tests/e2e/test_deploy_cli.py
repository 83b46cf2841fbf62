"""``dockyard deploy`` as a subprocess against a real server and a simulated fleet: a rollout
followed to COMPLETED (exit 0), a revision that cannot start tripping the circuit breaker
into a rollback (exit 1), and the error exits (bad file 2, unknown service 1).

The server runs with ``--task-healthy-after 1`` (ECS: 40 s) so rollouts finish in seconds;
the simulated runtime fails to pull any image whose name contains ``no-such-image``.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess
from tests.support.waiting import wait_for

CLUSTER = "deploy"
DEPLOY_TIMEOUT_SECONDS = 120
"""A two-task rollout on the simulated fleet takes a few seconds; generous for a busy box."""




@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("deploy") / "data"
    proc = ServerProcess(data_dir=data_dir, extra_args=("--task-healthy-after", "1")).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def ecs(server: ServerProcess) -> Any:
    return server.client("ecs")


@pytest.fixture(scope="module")
def fleet(server: ServerProcess, ecs: Any) -> Iterator[None]:
    ecs.create_cluster(clusterName=CLUSTER)
    agent = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "dockyard.cli",
            "agent",
            "--endpoint",
            server.endpoint,
            "--cluster",
            CLUSTER,
            "--runtime",
            "simulated",
            "--count",
            "2",
            "--cpu-units",
            "4096",
            "--memory-mib",
            "4096",
            "--log-level",
            "warning",
        ],
        env=server.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(
            lambda: len(ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]) == 2
        )
        yield
    finally:
        agent.terminate()
        agent.wait(10)


def definition(family: str, image: str) -> dict[str, Any]:
    return {
        "family": family,
        "containerDefinitions": [
            {"name": "app", "image": image, "memory": 64, "cpu": 64, "essential": True}
        ],
    }


def completed(ecs: Any, name: str) -> dict[str, Any] | None:
    s = ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]
    d = s["deployments"]
    ok = (
        len(d) == 1
        and d[0]["rolloutState"] == "COMPLETED"
        and s["runningCount"] == s["desiredCount"]
    )
    return dict(s) if ok else None


def create_service(ecs: Any, name: str, **config: Any) -> dict[str, Any]:
    ecs.register_task_definition(**definition(name, "app:1"))
    ecs.create_service(
        cluster=CLUSTER,
        serviceName=name,
        taskDefinition=name,
        desiredCount=2,
        deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 200, **config},
    )
    return dict(wait_for(lambda: completed(ecs, name), 60))


def deploy(
    server: ServerProcess, name: str, td_file: Path, *extra: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "dockyard.cli",
            "deploy",
            "--cluster",
            CLUSTER,
            "--service",
            name,
            "--task-definition",
            str(td_file),
            "--poll",
            "0.5",
            "--timeout",
            "90",
            *extra,
        ],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=DEPLOY_TIMEOUT_SECONDS,
    )


def test_deploy_follows_the_rollout_to_completion(
    server: ServerProcess, ecs: Any, fleet: None, tmp_path: Path
) -> None:
    before = create_service(ecs, "web")
    described = ecs.describe_task_definition(taskDefinition="web", include=["TAGS"])
    described["taskDefinition"]["containerDefinitions"][0]["image"] = "app:2"
    td_file = tmp_path / "web.json"  # DescribeTaskDefinition output: read-only fields stripped
    td_file.write_text(json.dumps(described, default=str))
    result = deploy(server, "web", td_file)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    new_arn = lines[0].removeprefix("registered ")
    assert new_arn.endswith(":task-definition/web:2")
    deployment_id = lines[1].removeprefix("deployment ").removesuffix(" started")
    assert lines[-1] == f"deployment {deployment_id} completed"
    assert any("has started" in line for line in lines)  # service events, printed as they came
    older = [e["message"] for e in before["events"] if "has started" in e["message"]]
    assert older and not any(line.endswith(m) for m in older for line in lines)  # not news
    service = ecs.describe_services(cluster=CLUSTER, services=["web"])["services"][0]
    assert service["taskDefinition"] == new_arn
    (only,) = service["deployments"]
    assert (only["id"], only["rolloutState"], only["taskDefinition"]) == (
        deployment_id,
        "COMPLETED",
        new_arn,
    )


def test_deploy_of_a_revision_that_cannot_start_exits_1_after_the_rollback(
    server: ServerProcess, ecs: Any, fleet: None, tmp_path: Path
) -> None:
    good = create_service(
        ecs, "breaker", deploymentCircuitBreaker={"enable": True, "rollback": True}
    )
    td_file = tmp_path / "breaker.json"
    td_file.write_text(json.dumps(definition("breaker", "registry.invalid/no-such-image:2")))
    result = deploy(server, "breaker", td_file)
    assert result.returncode == 1, result.stdout + result.stderr
    deployment_id = (
        result.stdout.splitlines()[1].removeprefix("deployment ").removesuffix(" started")
    )
    assert f"deployment {deployment_id} failed: ECS deployment circuit breaker" in result.stderr
    assert "the service is rolling back in deployment ecs-svc/" in result.stderr
    final = wait_for(lambda: completed(ecs, "breaker"), 60)
    assert final["taskDefinition"] == good["taskDefinition"]


def test_a_bad_file_exits_2_and_an_unknown_service_exits_1(
    server: ServerProcess, ecs: Any, fleet: None, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"family": "web"')
    result = deploy(server, "web", bad)
    assert result.returncode == 2 and "not valid JSON" in result.stderr
    unknown = tmp_path / "unknown.json"
    unknown.write_text(json.dumps({**definition("ghost", "app:1"), "bogus": True}))
    result = deploy(server, "ghost", unknown)
    assert result.returncode == 2 and 'Unknown parameter in input: "bogus"' in result.stderr
    unknown.write_text(json.dumps(definition("ghost", "app:1")))
    result = deploy(server, "ghost", unknown)
    assert result.returncode == 1
    assert result.stderr.strip() == "error: ServiceNotFoundException: Service not found."


def test_no_wait_returns_once_the_service_is_updated(
    server: ServerProcess, ecs: Any, fleet: None, tmp_path: Path
) -> None:
    create_service(ecs, "quick")
    td_file = tmp_path / "quick.json"
    td_file.write_text(json.dumps(definition("quick", "app:2")))
    result = deploy(server, "quick", td_file, "--no-wait", "--desired-count", "3")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].endswith(" started")
    service = ecs.describe_services(cluster=CLUSTER, services=["quick"])["services"][0]
    assert service["desiredCount"] == 3 and service["taskDefinition"].endswith(
        ":task-definition/quick:2"
    )
