"""Placement through the API: RunTask strategies and constraints, and ListContainerInstances
filters, on a simulated fleet (6 hollow instances over 3 AZs and 2 instance types)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

CLUSTER = "fleet"
ZONES = ("us-east-1a", "us-east-1b", "us-east-1c")


@pytest.fixture(scope="module")
def fleet(server: ServerProcess) -> Iterator[dict[str, dict[str, str | None]]]:
    """Instance id → its attributes, for 6 instances: zone i % 3, type t2.small / m5.large."""
    ecs = server.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint,
         "--cluster", CLUSTER, "--runtime", "simulated", "--count", "6",
         "--cpu-units", "2048", "--memory-mib", "1024", "--attribute", "stack=prod",
         "--availability-zone", ",".join(ZONES), "--instance-type", "t2.small,m5.large",
         "--log-level", "warning"],
        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        while len(arns := ecs.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]) < 6:
            assert time.monotonic() < deadline and agent.poll() is None
            time.sleep(0.2)
        described = ecs.describe_container_instances(cluster=CLUSTER, containerInstances=arns)
        yield {
            i["containerInstanceArn"]: {a["name"]: a.get("value") for a in i["attributes"]}
            for i in described["containerInstances"]
        }
    finally:
        agent.terminate()
        agent.wait(10)


def register(ecs: Any, family: str, memory: int = 128, **extra: Any) -> None:
    ecs.register_task_definition(
        family=family,
        containerDefinitions=[{"name": "a", "image": "x", "memory": memory, "cpu": 10}],
        **extra,
    )


def placed(run: dict[str, Any]) -> list[str]:
    return [t["containerInstanceArn"] for t in run["tasks"]]


def stop_all(ecs: Any, family: str) -> None:
    """Stop the family's tasks and wait until the agent has stopped them (resources freed)."""
    arns = ecs.list_tasks(cluster=CLUSTER, family=family)["taskArns"]
    for arn in arns:
        ecs.stop_task(cluster=CLUSTER, task=arn)
    deadline = time.monotonic() + 30
    while arns and any(t["lastStatus"] != "STOPPED" for t in
                       ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"]):
        assert time.monotonic() < deadline
        time.sleep(0.1)


def test_spread_over_zones_puts_two_tasks_in_each(ecs: Any, fleet: dict[str, Any]) -> None:
    register(ecs, "spread")
    run = ecs.run_task(cluster=CLUSTER, taskDefinition="spread", count=6, placementStrategy=[
        {"type": "spread", "field": "attribute:ecs.availability-zone"},
        {"type": "spread", "field": "instanceId"},
    ])
    zones = Counter(fleet[arn]["ecs.availability-zone"] for arn in placed(run))
    assert zones == {zone: 2 for zone in ZONES}
    assert len(set(placed(run))) == 6  # then even over instances inside each zone
    stop_all(ecs, "spread")


def test_binpack_memory_fills_one_instance_first(ecs: Any, fleet: dict[str, Any]) -> None:
    register(ecs, "packed", memory=256)
    run = ecs.run_task(cluster=CLUSTER, taskDefinition="packed", count=4,
                       placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert len(set(placed(run))) == 1  # 4 × 256 MiB fill one 1024 MiB instance
    more = ecs.run_task(cluster=CLUSTER, taskDefinition="packed", count=1,
                        placementStrategy=[{"type": "binpack", "field": "memory"}])
    assert placed(more)[0] not in placed(run)
    stop_all(ecs, "packed")


def test_member_of_and_distinct_instance(ecs: Any, fleet: dict[str, Any]) -> None:
    register(ecs, "small-only", placementConstraints=[
        {"type": "memberOf", "expression": "attribute:ecs.instance-type == t2.small"}])
    run = ecs.run_task(cluster=CLUSTER, taskDefinition="small-only", count=5,
                       placementConstraints=[{"type": "distinctInstance"}])
    smalls = {arn for arn, attrs in fleet.items() if attrs["ecs.instance-type"] == "t2.small"}
    assert set(placed(run)) == smalls and len(placed(run)) == 3
    reasons = {f["reason"] for f in run["failures"]}
    assert reasons and all("placement constraint unsatisfied" in r for r in reasons), reasons
    stop_all(ecs, "small-only")


def test_member_of_with_the_query_language(ecs: Any, fleet: dict[str, Any]) -> None:
    register(ecs, "cql")
    run = ecs.run_task(cluster=CLUSTER, taskDefinition="cql", count=4, placementConstraints=[{
        "type": "memberOf",
        "expression": "attribute:ecs.availability-zone in [us-east-1a, us-east-1b] "
                      "and attribute:stack == prod and not(attribute:ecs.instance-type == m5.large)",
    }])
    for arn in placed(run):
        assert fleet[arn]["ecs.availability-zone"] in ("us-east-1a", "us-east-1b")
        assert fleet[arn]["ecs.instance-type"] == "t2.small"
    assert len(placed(run)) == 4
    stop_all(ecs, "cql")


def test_malformed_expression_is_refused_with_its_position(ecs: Any, fleet: dict[str, Any]) -> None:
    register(ecs, "bad")
    with pytest.raises(ClientError) as exc:
        ecs.run_task(cluster=CLUSTER, taskDefinition="bad",
                     placementConstraints=[{"type": "memberOf", "expression": "attribute:stack == (prod"}])
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"
    assert "position" in exc.value.response["Error"]["Message"]


def test_list_container_instances_filter(ecs: Any, fleet: dict[str, Any]) -> None:
    found = ecs.list_container_instances(
        cluster=CLUSTER, filter="attribute:ecs.availability-zone == us-east-1a")["containerInstanceArns"]
    assert sorted(found) == sorted(a for a, attrs in fleet.items() if attrs["ecs.availability-zone"] == "us-east-1a")
    assert len(found) == 2
    none = ecs.list_container_instances(cluster=CLUSTER, filter="attribute:stack != prod")
    assert none["containerInstanceArns"] == []
    with pytest.raises(ClientError) as exc:
        ecs.list_container_instances(cluster=CLUSTER, filter="attribute:stack ===")
    assert exc.value.response["Error"]["Code"] == "InvalidParameterException"


def test_placement_explain_and_rebalance_cli(ecs: Any, fleet: dict[str, Any], server: ServerProcess) -> None:
    register(ecs, "explained", memory=512)
    register(ecs, "too-big", memory=2048)

    def cli(*args: str) -> str:
        done = subprocess.run([sys.executable, "-m", "dockyard.cli", "placement", *args,
                               "--cluster", CLUSTER, "--endpoint", server.endpoint],
                              env={**server.env(), "COLUMNS": "250"}, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr
        return done.stdout

    out = cli("explain", "--task-definition", "too-big", "--strategy", "binpack:memory")
    ids = [arn.rsplit("/", 1)[1] for arn in fleet]
    assert all(i in out for i in ids)
    assert out.count("RESOURCE:MEMORY") == 6
    ran = ecs.run_task(cluster=CLUSTER, taskDefinition="explained", count=1)
    busy = placed(ran)[0].rsplit("/", 1)[1]
    out = cli("explain", "--task-definition", "explained", "--strategy", "binpack:memory")
    first = next(line for line in out.splitlines() if line.strip().startswith("│ 1"))
    assert busy in first  # binpack ranks the instance already holding 512 MiB first
    plan = cli("rebalance", "--strategy", "binpack:memory")
    assert "nothing was changed" in plan
    stop_all(ecs, "explained")
