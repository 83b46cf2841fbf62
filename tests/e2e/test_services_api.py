"""Services through boto3 and the aws CLI against a real server and a simulated fleet
(3 hollow instances): validation, describe/list, waiters, rolling deployments sampled for
their bounds, the circuit breaker with rollback, DAEMON services and draining instances.

The server runs with ``--task-healthy-after 1`` (ECS: 40 s) so tasks without health checks
count healthy quickly; the simulated runtime has no health checks.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess
from tests.support.waiting import wait_for

CLUSTER = "svc"




@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("services") / "data"
    proc = ServerProcess(data_dir=data_dir, extra_args=("--task-healthy-after", "1")).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def ecs(server: ServerProcess) -> Any:
    return server.client("ecs")


@pytest.fixture(scope="module")
def fleet(server: ServerProcess, ecs: Any) -> Iterator[list[str]]:
    ecs.create_cluster(clusterName=CLUSTER)
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint,
         "--cluster", CLUSTER, "--runtime", "simulated", "--count", "3",
         "--cpu-units", "4096", "--memory-mib", "4096", "--log-level", "warning"],
        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        arns = wait_for(lambda: len(a := ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]) == 3 and a)
        yield arns
    finally:
        agent.terminate()
        agent.wait(10)


def register(ecs: Any, family: str, image: str = "app:1", **extra: Any) -> str:
    return str(ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "a", "image": image, "memory": 64, "cpu": 64,
                               "portMappings": [{"containerPort": 80}]}],
        **extra,
    )["taskDefinition"]["taskDefinitionArn"])


def describe(ecs: Any, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0])


def completed(ecs: Any, name: str) -> dict[str, Any] | None:
    s = describe(ecs, name)
    d = s["deployments"]
    ok = len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and s["runningCount"] == s["desiredCount"]
    return s if ok else None


def live_tasks(ecs: Any, name: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def error_code(call: Callable[[], Any]) -> tuple[str, str]:
    with pytest.raises(ClientError) as info:
        call()
    return info.value.response["Error"]["Code"], info.value.response["Error"]["Message"]


# --- API surface -------------------------------------------------------------------------

def test_create_describe_list_and_the_task_fields(ecs: Any, fleet: list[str]) -> None:
    register(ecs, "web")
    created = ecs.create_service(cluster=CLUSTER, serviceName="web", taskDefinition="web", desiredCount=3,
                                 tags=[{"key": "team", "value": "a"}], propagateTags="SERVICE",
                                 enableECSManagedTags=True)["service"]
    assert created["serviceArn"] == f"arn:aws:ecs:us-east-1:123456789012:service/{CLUSTER}/web"
    assert created["status"] == "ACTIVE" and created["schedulingStrategy"] == "REPLICA"
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 100
    assert created["deploymentConfiguration"]["maximumPercent"] == 200
    (deployment,) = created["deployments"]
    assert deployment["status"] == "PRIMARY" and deployment["rolloutState"] == "IN_PROGRESS"
    assert deployment["id"].startswith("ecs-svc/") and len(deployment["id"]) == len("ecs-svc/") + 19
    ecs.get_waiter("services_stable").wait(cluster=CLUSTER, services=["web"], WaiterConfig={"Delay": 1})
    steady = wait_for(lambda: completed(ecs, "web"), 30)
    messages = [e["message"] for e in steady["events"]]
    assert messages[0] == "(service web) has reached a steady state."
    assert any(m.startswith("(service web) has started 3 tasks: (task ") for m in messages)
    tasks = live_tasks(ecs, "web")
    assert len(tasks) == 3
    assert {t["startedBy"] for t in tasks} == {deployment["id"]}
    assert {t["group"] for t in tasks} == {"service:web"}
    assert len({t["containerInstanceArn"] for t in tasks}) == 3  # spread over instances by default
    tags = ecs.list_tags_for_resource(resourceArn=tasks[0]["taskArn"])["tags"]
    assert {t["key"]: t["value"] for t in tags} == {
        "team": "a", "aws:ecs:serviceName": "web", "aws:ecs:clusterName": CLUSTER}
    described = ecs.describe_services(cluster=CLUSTER, services=["web", "nope"], include=["TAGS"])
    assert described["services"][0]["tags"] == [{"key": "team", "value": "a"}]
    assert described["failures"][0]["reason"] == "MISSING"
    assert ecs.list_services(cluster=CLUSTER)["serviceArns"] == [created["serviceArn"]]
    cluster = ecs.describe_clusters(clusters=[CLUSTER])["clusters"][0]
    assert cluster["activeServicesCount"] == 1
    assert error_code(lambda: ecs.delete_cluster(cluster=CLUSTER))[0] == "ClusterContainsServicesException"


@pytest.mark.parametrize(("kwargs", "code", "fragment"), [
    ({"serviceName": "bad name!", "desiredCount": 1}, "InvalidParameterException", "Service name"),
    ({"serviceName": "nodesired"}, "InvalidParameterException", "desired count"),
    ({"serviceName": "daemonstrat", "schedulingStrategy": "DAEMON",
      "placementStrategy": [{"type": "binpack", "field": "memory"}]}, "InvalidParameterException", "DAEMON"),
    ({"serviceName": "lowmax", "desiredCount": 1, "deploymentConfiguration": {"maximumPercent": 90}},
     "InvalidParameterException", "maximumPercent"),
    ({"serviceName": "highmin", "desiredCount": 1, "deploymentConfiguration": {"minimumHealthyPercent": 150}},
     "InvalidParameterException", "minimumHealthyPercent"),
    ({"serviceName": "badtd", "desiredCount": 1, "taskDefinition": "missing-family"},
     "ClientException", "TaskDefinition not found"),
    ({"serviceName": "badlb", "desiredCount": 1, "loadBalancers": [
        {"targetGroupArn": "arn:aws:elasticloadbalancing:us-east-1:123456789012:targetgroup/t/1",
         "containerName": "a", "containerPort": 8080}]}, "InvalidParameterException", "container port"),
    ({"serviceName": "badcql", "desiredCount": 1, "placementConstraints": [
        {"type": "memberOf", "expression": "attribute:x =="}]}, "InvalidParameterException", ""),
    ({"serviceName": "fargate", "desiredCount": 1, "launchType": "FARGATE"}, "InvalidParameterException", "FARGATE"),
])
def test_create_service_validation(ecs: Any, fleet: list[str], kwargs: dict[str, Any], code: str, fragment: str) -> None:
    register(ecs, "valid")
    params = {"cluster": CLUSTER, "taskDefinition": "valid", **kwargs}
    got, message = error_code(lambda: ecs.create_service(**params))
    assert got == code
    assert fragment in message


def test_update_and_delete_errors(ecs: Any, fleet: list[str]) -> None:
    assert error_code(lambda: ecs.update_service(cluster=CLUSTER, service="ghost", desiredCount=1)) == (
        "ServiceNotFoundException", "Service not found.")
    register(ecs, "errs")
    ecs.create_service(cluster=CLUSTER, serviceName="errs", taskDefinition="errs", desiredCount=1)
    code, message = error_code(lambda: ecs.delete_service(cluster=CLUSTER, service="errs"))
    assert code == "InvalidParameterException" and "scaled above 0" in message
    code, _ = error_code(lambda: ecs.create_service(cluster=CLUSTER, serviceName="errs", taskDefinition="errs",
                                                    desiredCount=2))
    assert code == "InvalidParameterException"  # not idempotent
    ecs.delete_service(cluster=CLUSTER, service="errs", force=True)
    assert error_code(lambda: ecs.update_service(cluster=CLUSTER, service="errs", desiredCount=1)) == (
        "ServiceNotActiveException", "Service was not ACTIVE.")
    ecs.get_waiter("services_inactive").wait(cluster=CLUSTER, services=["errs"], WaiterConfig={"Delay": 1})
    assert not live_tasks(ecs, "errs")
    arns = ecs.list_services(cluster=CLUSTER, maxResults=100)["serviceArns"]
    assert not any(a.endswith("/errs") for a in arns)  # hidden once deleted
    # the name can be used again once INACTIVE
    again = ecs.create_service(cluster=CLUSTER, serviceName="errs", taskDefinition="errs", desiredCount=0)
    assert again["service"]["status"] == "ACTIVE"
    ecs.delete_service(cluster=CLUSTER, service="errs")


def test_list_services_pages(ecs: Any, fleet: list[str]) -> None:
    register(ecs, "pages")
    for i in range(3):
        ecs.create_service(cluster=CLUSTER, serviceName=f"page-{i}", taskDefinition="pages", desiredCount=0)
    seen: list[str] = []
    for page in ecs.get_paginator("list_services").paginate(cluster=CLUSTER, PaginationConfig={"PageSize": 2}):
        assert len(page["serviceArns"]) <= 2
        seen += page["serviceArns"]
    assert {a.rsplit("/", 1)[1] for a in seen} >= {"page-0", "page-1", "page-2"}
    assert len(seen) == len(set(seen))


# --- scheduling --------------------------------------------------------------------------

def test_rollout_stays_within_min_and_max_then_completes(ecs: Any, fleet: list[str]) -> None:
    register(ecs, "roll", image="app:1")
    desired, minimum, maximum = 6, 50, 150
    ecs.create_service(cluster=CLUSTER, serviceName="roll", taskDefinition="roll", desiredCount=desired,
                       deploymentConfiguration={"minimumHealthyPercent": minimum, "maximumPercent": maximum})
    wait_for(lambda: completed(ecs, "roll"), 60)
    v2 = register(ecs, "roll", image="app:2")
    ecs.update_service(cluster=CLUSTER, service="roll", taskDefinition=v2)
    low, high = math.ceil(desired * minimum / 100), math.floor(desired * maximum / 100)
    samples = 0
    while not completed(ecs, "roll"):
        tasks = live_tasks(ecs, "roll")
        running = [t for t in tasks if t["lastStatus"] == "RUNNING"]
        assert len(tasks) <= high, f"{len(tasks)} RUNNING+PENDING tasks > maximum {high}"
        assert len(running) >= low - 1, f"{len(running)} running < minimum {low}"
        samples += 1
        assert samples < 600
        time.sleep(0.1)
    final = live_tasks(ecs, "roll")
    assert len(final) == desired
    assert {t["taskDefinitionArn"] for t in final} == {v2}
    messages = [e["message"] for e in describe(ecs, "roll")["events"]]
    assert any("deployment completed." in m for m in messages)


def test_scale_out_and_in_and_a_stopped_task_is_replaced(ecs: Any, fleet: list[str]) -> None:
    register(ecs, "heal")
    ecs.create_service(cluster=CLUSTER, serviceName="heal", taskDefinition="heal", desiredCount=2)
    wait_for(lambda: completed(ecs, "heal"), 30)
    victim = live_tasks(ecs, "heal")[0]["taskArn"]
    ecs.stop_task(cluster=CLUSTER, task=victim, reason="chaos")
    wait_for(lambda: len(ts := live_tasks(ecs, "heal")) == 2 and victim not in {t["taskArn"] for t in ts}, 30)
    ecs.update_service(cluster=CLUSTER, service="heal", desiredCount=4)
    wait_for(lambda: completed(ecs, "heal") and len(live_tasks(ecs, "heal")) == 4, 30)
    ecs.update_service(cluster=CLUSTER, service="heal", desiredCount=1)
    wait_for(lambda: completed(ecs, "heal") and len(live_tasks(ecs, "heal")) == 1, 30)
    stopped = ecs.list_tasks(cluster=CLUSTER, serviceName="heal", desiredStatus="STOPPED")["taskArns"]
    reasons = {t["stoppedReason"] for t in ecs.describe_tasks(cluster=CLUSTER, tasks=stopped)["tasks"]}
    assert "chaos" in reasons
    assert any(r.startswith("Scaling activity initiated by (deployment ecs-svc/") for r in reasons)


def test_circuit_breaker_fails_the_bad_revision_and_rolls_back(ecs: Any, fleet: list[str]) -> None:
    good = register(ecs, "breaker", image="app:1")
    ecs.create_service(cluster=CLUSTER, serviceName="breaker", taskDefinition=good, desiredCount=2,
                       deploymentConfiguration={"deploymentCircuitBreaker": {"enable": True, "rollback": True}})
    first = wait_for(lambda: completed(ecs, "breaker"), 30)
    good_tasks = {t["taskArn"] for t in live_tasks(ecs, "breaker")}
    bad = register(ecs, "breaker", image="registry.invalid/no-such-image:2")
    bad_id = ecs.update_service(cluster=CLUSTER, service="breaker", taskDefinition=bad)["service"]["deployments"][0]["id"]

    def rolled_back() -> dict[str, Any] | None:
        s = completed(ecs, "breaker")
        return s if s and s["deployments"][0]["id"] != bad_id else None

    final = wait_for(rolled_back, 90)
    assert final["taskDefinition"] == good
    assert final["deployments"][0]["taskDefinition"] == good
    messages = [e["message"] for e in final["events"]]
    assert f"(service breaker) (deployment {bad_id}) deployment failed: tasks failed to start." in messages
    assert f"(service breaker) rolling back to deployment {first['deployments'][0]['id']}." in messages
    assert {t["taskArn"] for t in live_tasks(ecs, "breaker")} == good_tasks  # kept, not replaced
    failed = ecs.list_tasks(cluster=CLUSTER, serviceName="breaker", desiredStatus="STOPPED")["taskArns"]
    codes = [t["stopCode"] for t in ecs.describe_tasks(cluster=CLUSTER, tasks=failed)["tasks"]]
    assert codes.count("TaskFailedToStart") >= 3  # the threshold for 2 desired tasks
    assert set(codes) <= {"TaskFailedToStart", "ServiceSchedulerInitiated"}  # + a pending one retired


def test_daemon_follows_instances_and_draining(ecs: Any, fleet: list[str]) -> None:
    register(ecs, "daemon")
    created = ecs.create_service(cluster=CLUSTER, serviceName="daemon", taskDefinition="daemon",
                                 schedulingStrategy="DAEMON")["service"]
    assert created["deploymentConfiguration"]["maximumPercent"] == 100
    assert created["deploymentConfiguration"]["minimumHealthyPercent"] == 0
    wait_for(lambda: completed(ecs, "daemon"), 30)
    tasks = live_tasks(ecs, "daemon")
    assert sorted(t["containerInstanceArn"] for t in tasks) == sorted(fleet)
    assert describe(ecs, "daemon")["desiredCount"] == 3
    ecs.update_container_instances_state(cluster=CLUSTER, containerInstances=[fleet[0]], status="DRAINING")
    try:
        wait_for(lambda: {t["containerInstanceArn"] for t in live_tasks(ecs, "daemon")} == set(fleet[1:]), 30)
        assert wait_for(lambda: completed(ecs, "daemon"), 30)["desiredCount"] == 2
    finally:
        ecs.update_container_instances_state(cluster=CLUSTER, containerInstances=[fleet[0]], status="ACTIVE")
    wait_for(lambda: len(live_tasks(ecs, "daemon")) == 3, 30)
    ecs.delete_service(cluster=CLUSTER, service="daemon")
    ecs.get_waiter("services_inactive").wait(cluster=CLUSTER, services=["daemon"], WaiterConfig={"Delay": 1})


def test_replica_tasks_leave_a_draining_instance(ecs: Any, fleet: list[str]) -> None:
    register(ecs, "mover")
    ecs.create_service(cluster=CLUSTER, serviceName="mover", taskDefinition="mover", desiredCount=3)
    wait_for(lambda: completed(ecs, "mover"), 30)
    ecs.update_container_instances_state(cluster=CLUSTER, containerInstances=[fleet[2]], status="DRAINING")
    try:
        wait_for(lambda: len(ts := live_tasks(ecs, "mover")) == 3
                 and fleet[2] not in {t["containerInstanceArn"] for t in ts}, 30)
    finally:
        ecs.update_container_instances_state(cluster=CLUSTER, containerInstances=[fleet[2]], status="ACTIVE")


def test_aws_cli_waits_for_a_stable_service(server: ServerProcess, ecs: Any, fleet: list[str]) -> None:
    register(ecs, "cli")
    env = server.env()
    out = subprocess.run(
        ["aws", "ecs", "create-service", "--cluster", CLUSTER, "--service-name", "cli",
         "--task-definition", "cli", "--desired-count", "2", "--output", "json"],
        env=env, capture_output=True, text=True, timeout=60, check=True)
    assert json.loads(out.stdout)["service"]["serviceName"] == "cli"
    subprocess.run(["aws", "ecs", "wait", "services-stable", "--cluster", CLUSTER, "--services", "cli"],
                   env=env, capture_output=True, text=True, timeout=120, check=True)
    assert describe(ecs, "cli")["runningCount"] == 2
