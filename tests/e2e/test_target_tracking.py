"""Target tracking end to end on the fast profile: busy tasks (a simulated fleet declaring CPU
use) breach the policy's high alarm, CloudWatch evaluates it, and Application Auto Scaling
raises the service's desired count; the scheduler starts the tasks."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("tracking") / "data"
    proc = ServerProcess(data_dir=data_dir,
                         extra_args=("--task-healthy-after", "1", "--scaling-profile", "fast")).start()
    try:
        yield proc
    finally:
        proc.stop()


def describe(ecs: Any) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster="hot", services=["burn"])["services"][0])


def test_cpu_target_tracking_scales_out(server: ServerProcess) -> None:
    ecs, aas, cw = server.client("ecs"), server.client("application-autoscaling"), server.client("cloudwatch")
    ecs.create_cluster(clusterName="hot")
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint, "--cluster", "hot",
         "--runtime", "simulated", "--count", "2", "--cpu-units", "8192", "--memory-mib", "8192",
         "--metrics-interval", "1", "--log-level", "warning"],
        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while len(ecs.list_container_instances(cluster="hot")["containerInstanceArns"]) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        ecs.register_task_definition(family="burn", containerDefinitions=[{
            "name": "a", "image": "app", "cpu": 1024, "memory": 128,
            "environment": [{"name": "DOCKYARD_SIM_CPU_UNITS", "value": "920"}]}])
        ecs.create_service(cluster="hot", serviceName="burn", taskDefinition="burn", desiredCount=1)
        resource = "service/hot/burn"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource,
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=4)
        policy = aas.put_scaling_policy(
            PolicyName="cpu50", ServiceNamespace="ecs", ResourceId=resource,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 50.0, "ScaleOutCooldown": 0, "ScaleInCooldown": 300,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
        alarm_names = [a["AlarmName"] for a in policy["Alarms"]]
        assert any("AlarmHigh" in n for n in alarm_names) and any("AlarmLow" in n for n in alarm_names)
        described = cw.describe_alarms(AlarmNames=alarm_names)["MetricAlarms"]
        assert {a["Period"] for a in described} == {10}  # the fast profile
        started = time.monotonic()
        while describe(ecs)["desiredCount"] < 2:
            assert time.monotonic() - started < 120, "target tracking never scaled out"
            time.sleep(1)
        high = cw.describe_alarms(AlarmNames=[n for n in alarm_names if "AlarmHigh" in n])["MetricAlarms"][0]
        assert high["StateValue"] == "ALARM"
        deadline = time.monotonic() + 15
        while not any(a["StatusCode"] == "Successful" for a in aas.describe_scaling_activities(
                ServiceNamespace="ecs", ResourceId=resource)["ScalingActivities"]):
            assert time.monotonic() < deadline, "no successful scaling activity recorded"
            time.sleep(0.2)
    finally:
        agent.terminate()
        agent.wait(10)
