"""The agent channel over HTTP: long-poll wake-ups, heartbeat, batched reports, auth — and a
simulated agent process registering many hollow instances."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from tests.support.server import ServerProcess

from dockyard.agent.client import ControlPlaneError, HttpControlPlane


def channel(server: ServerProcess) -> HttpControlPlane:
    return HttpControlPlane(server.endpoint, region="us-east-1", credentials=server.credentials())


def setup(ecs: Any, cluster: str) -> str:
    ecs.create_cluster(clusterName=cluster)
    ecs.register_task_definition(family="chan", containerDefinitions=[{"name": "a", "image": "x", "memory": 10}])
    arn = ecs.register_container_instance(cluster=cluster, totalResources=[
        {"name": "CPU", "type": "INTEGER", "integerValue": 1024},
        {"name": "MEMORY", "type": "INTEGER", "integerValue": 1024},
    ])["containerInstance"]["containerInstanceArn"]
    return str(arn).rsplit("/", 1)[1]


def test_a_waiting_poll_wakes_on_run_task_and_carries_the_manifest(ecs: Any, server: ServerProcess) -> None:
    instance = setup(ecs, "chan1")
    client = channel(server)
    first = client.poll("chan1", {instance: ""}, wait=0)
    [entry] = first["instances"]
    assert entry["status"] == "ACTIVE" and entry["tasks"] == []
    result: dict[str, Any] = {}

    def wait() -> None:
        started = time.monotonic()
        result["body"] = client.poll("chan1", {instance: entry["etag"]}, wait=10)
        result["seconds"] = time.monotonic() - started

    waiter = threading.Thread(target=wait)
    waiter.start()
    time.sleep(0.3)
    task = ecs.run_task(cluster="chan1", taskDefinition="chan")["tasks"][0]
    waiter.join(15)
    [changed] = result["body"]["instances"]
    assert [t["taskArn"] for t in changed["tasks"]] == [task["taskArn"]]
    assert changed["tasks"][0]["taskDefinition"]["family"] == "chan"
    assert changed["etag"] != entry["etag"]
    # It came back because of the change, long before its 10 s wait ran out.
    assert result["seconds"] < 8, result["seconds"]
    unchanged = client.poll("chan1", {instance: changed["etag"]}, wait=0.2)
    assert unchanged["instances"] == []


def test_batched_report_moves_tasks_and_names_unknown_ones(ecs: Any, server: ServerProcess) -> None:
    instance = setup(ecs, "chan2")
    tasks = ecs.run_task(cluster="chan2", taskDefinition="chan", count=2)["tasks"]
    client = channel(server)
    reply = client.report("chan2", [
        {"task": t["taskArn"], "status": "RUNNING", "containers": [
            {"containerName": "a", "status": "RUNNING", "runtimeId": "r", "healthStatus": "HEALTHY"}]}
        for t in tasks
    ] + [{"task": "0" * 32, "status": "RUNNING"}])
    assert reply["unknown"] == ["0" * 32] and len(reply["acknowledged"]) == 2
    described = ecs.describe_tasks(cluster="chan2", tasks=[t["taskArn"] for t in tasks])["tasks"]
    assert {t["lastStatus"] for t in described} == {"RUNNING"}
    assert described[0]["containers"][0]["healthStatus"] == "HEALTHY"
    ci = ecs.describe_container_instances(cluster="chan2", containerInstances=[instance])
    assert ci["containerInstances"][0]["agentConnected"] is True


def test_channel_requires_a_valid_signature_and_sane_input(server: ServerProcess) -> None:
    bad = HttpControlPlane(server.endpoint, region="us-east-1", credentials=("AKIAFAKE", "nope"))
    with pytest.raises(ControlPlaneError, match="UnrecognizedClient"):
        bad.poll("default", {"x": ""}, wait=0)
    with pytest.raises(ControlPlaneError, match="InvalidParameterException"):
        channel(server).report("default", [{"no-task": 1}])
    with pytest.raises(ControlPlaneError, match="InvalidParameterException"):
        channel(server).poll("default", {}, wait=0)


def test_simulated_agent_registers_many_hollow_instances_that_run_tasks(ecs: Any, server: ServerProcess) -> None:
    ecs.create_cluster(clusterName="hollow")
    ecs.register_task_definition(family="tiny", containerDefinitions=[{"name": "a", "image": "x", "memory": 10, "cpu": 10}])
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint, "--cluster", "hollow",
         "--runtime", "simulated", "--count", "25", "--cpu-units", "1024", "--memory-mib", "1024",
         "--sim-exit-after", "1", "--log-level", "warning"],
        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(ecs.list_container_instances(cluster="hollow")["containerInstanceArns"]) < 25:
            assert time.monotonic() < deadline and agent.poll() is None
            time.sleep(0.2)
        arns = [t["taskArn"] for _ in range(3) for t in ecs.run_task(cluster="hollow", taskDefinition="tiny", count=10)["tasks"]]
        assert len(arns) == 30
        deadline = time.monotonic() + 60
        while True:
            described = ecs.describe_tasks(cluster="hollow", tasks=arns)["tasks"]
            if all(t["lastStatus"] == "STOPPED" for t in described):
                break
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert {t["stopCode"] for t in described} == {"EssentialContainerExited"}
        assert all("startedAt" in t and t["containers"][0]["exitCode"] == 0 for t in described)
        assert len({t["containerInstanceArn"] for t in described}) > 1
        instances = ecs.list_container_instances(cluster="hollow")["containerInstanceArns"][:3]
        connected = ecs.describe_container_instances(cluster="hollow", containerInstances=instances)
        assert all(i["agentConnected"] for i in connected["containerInstances"])
    finally:
        agent.terminate()
        agent.wait(10)
    # Its polls were its heartbeat: with the agent gone, the instances turn disconnected.
    deadline = time.monotonic() + 60
    while any(i["agentConnected"] for i in ecs.describe_container_instances(
            cluster="hollow", containerInstances=instances)["containerInstances"]):
        assert time.monotonic() < deadline
        time.sleep(1)
