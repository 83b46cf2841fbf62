"""Application Auto Scaling driving a real service end to end (simulated fleet): a scheduled
action raises the minimum at its time, the desired count follows, the scheduler starts the
tasks, and the scaling activity and service event say why."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("scaling") / "data"
    proc = ServerProcess(data_dir=data_dir, extra_args=("--task-healthy-after", "1")).start()
    try:
        yield proc
    finally:
        proc.stop()


def running(ecs: Any, name: str) -> int:
    return int(ecs.describe_services(cluster="scale", services=[name])["services"][0]["runningCount"])


def test_scheduled_action_scales_the_service_at_its_time(server: ServerProcess) -> None:
    ecs, aas = server.client("ecs"), server.client("application-autoscaling")
    ecs.create_cluster(clusterName="scale")
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint, "--cluster", "scale",
         "--runtime", "simulated", "--count", "2", "--cpu-units", "4096", "--memory-mib", "4096",
         "--log-level", "warning"], env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(ecs.list_container_instances(cluster="scale")["containerInstanceArns"]) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        ecs.register_task_definition(family="web", containerDefinitions=[{"name": "a", "image": "x", "memory": 32}])
        ecs.create_service(cluster="scale", serviceName="web", taskDefinition="web", desiredCount=1)
        resource = "service/scale/web"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource,
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=5)
        when = (datetime.now(UTC) + timedelta(seconds=10)).strftime("%Y-%m-%dT%H:%M:%S")
        aas.put_scheduled_action(ServiceNamespace="ecs", ResourceId=resource, ScheduledActionName="morning",
                                 ScalableDimension="ecs:service:DesiredCount", Schedule=f"at({when})",
                                 ScalableTargetAction={"MinCapacity": 3})
        deadline = time.monotonic() + 60
        while running(ecs, "web") < 3:
            assert time.monotonic() < deadline, "the scheduled action never scaled the service"
            time.sleep(0.5)
        target = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource])["ScalableTargets"][0]
        assert target["MinCapacity"] == 3
        activities = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=resource)["ScalingActivities"]
        assert any(a["StatusCode"] == "Successful" for a in activities)
        events = [e["message"] for e in ecs.describe_services(cluster="scale", services=["web"])["services"][0]["events"]]
        assert any("by Application Auto Scaling" in m for m in events)
    finally:
        agent.terminate()
        agent.wait(10)
