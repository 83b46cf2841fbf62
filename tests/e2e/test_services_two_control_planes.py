"""Two control planes on one PostgreSQL both run the service scheduler: a rollout driven by
both stays within maximumPercent, converges, and leaves exactly desiredCount tasks (the
per-service row lock keeps them from acting on one service at once)."""

from __future__ import annotations

import math
import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess

pytestmark = pytest.mark.postgres
CLUSTER = "shared"


@pytest.fixture
def pg_url() -> Iterator[str]:
    import sqlalchemy as sa

    base = os.environ["DOCKYARD_TEST_PG_URL"]
    schema = "twocp_" + os.urandom(4).hex()
    engine = sa.create_engine(base)
    with engine.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with engine.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
        engine.dispose()


def live(ecs: Any, name: str) -> list[dict[str, Any]]:
    arns = ecs.list_tasks(cluster=CLUSTER, serviceName=name, desiredStatus="RUNNING")["taskArns"]
    return ecs.describe_tasks(cluster=CLUSTER, tasks=arns)["tasks"] if arns else []


def completed(ecs: Any, name: str) -> bool:
    s = ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0]
    d = s["deployments"]
    return len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and s["runningCount"] == s["desiredCount"]


def test_two_control_planes_share_the_work_without_overshooting(tmp_path: Path, pg_url: str) -> None:
    data_dir = tmp_path / "data"
    args = ("--task-healthy-after", "1")
    first = ServerProcess(data_dir=data_dir, db_url=pg_url, extra_args=args).start()
    second = ServerProcess(data_dir=data_dir, db_url=pg_url, extra_args=args).start()
    agent = None
    try:
        ecs_a, ecs_b = first.client("ecs"), second.client("ecs")
        ecs_a.create_cluster(clusterName=CLUSTER)
        agent = subprocess.Popen(
            [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", first.endpoint, "--cluster", CLUSTER,
             "--runtime", "simulated", "--count", "4", "--cpu-units", "4096", "--memory-mib", "4096",
             "--log-level", "warning"],
            env=first.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while len(ecs_b.list_container_instances(cluster=CLUSTER)["containerInstanceArns"]) < 4:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        for revision in (1, 2):
            ecs_a.register_task_definition(family="two", containerDefinitions=[
                {"name": "a", "image": f"app:{revision}", "memory": 32}])
        desired = 8
        names = [f"svc-{i}" for i in range(4)]
        for name in names:
            ecs_b.create_service(cluster=CLUSTER, serviceName=name, taskDefinition="two:1", desiredCount=desired,
                                 deploymentConfiguration={"minimumHealthyPercent": 50, "maximumPercent": 125})
        deadline = time.monotonic() + 120
        while not all(completed(ecs_a, n) for n in names):
            assert time.monotonic() < deadline
            time.sleep(0.5)
        for name in names:  # updates through both endpoints
            (ecs_a if name.endswith(("0", "2")) else ecs_b).update_service(
                cluster=CLUSTER, service=name, taskDefinition="two:2")
        high = math.floor(desired * 125 / 100)
        deadline = time.monotonic() + 180
        while not all(completed(ecs_b, n) for n in names):
            for name in names:
                assert len(live(ecs_a, name)) <= high
            assert time.monotonic() < deadline
            time.sleep(0.2)
        for name in names:
            tasks = live(ecs_a, name)
            assert len(tasks) == desired
            assert {t["taskDefinitionArn"].rsplit("/", 1)[1] for t in tasks} == {"two:2"}
            started = [e for e in ecs_a.describe_services(cluster=CLUSTER, services=[name])["services"][0]["events"]
                       if "has started" in e["message"]]
            assert sum(int(e["message"].split("has started ")[1].split()[0]) for e in started) == 2 * desired
    finally:
        if agent is not None:
            agent.terminate()
            agent.wait(10)
        first.stop()
        second.stop()
