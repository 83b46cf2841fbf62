"""Service auto scaling end to end on real Docker through ``dockyard up`` (fast profile: 10-s
alarm periods evaluated every 5 s; the agent samples containers every second) and boto3:

- CPU-burning tasks under an ECSServiceAverageCPUUtilization target-tracking policy scale out
  to the target's max and no further;
- a custom metric (PutMetricData) alarm drives a ChangeInCapacity step policy;
- a scheduled action replaces min/max at its time and moves desiredCount into them;
- a deployment in progress suspends scale-in, which happens once the deployment completes
  (the alarm is put in ALARM with SetAlarmState, whose action fires at once);
- the service's AWS/ECS CPUUtilization reads back through GetMetricData;
- idle tasks scale back in on target tracking's low alarm (CloudWatch's rule for fewer
  datapoints than the 15 it evaluates: all present ones breach), and a second scale-in waits
  for the scale-in cooldown.

CPU budget (2 shared cores): only the target-tracking test burns, at most two containers,
and it stops them before the next test starts.
"""

from __future__ import annotations

import time
import urllib.request
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.support.server import ServerProcess
from tests.support.waiting import has_instances
from tests.support.waiting import wait_for as until

CLUSTER = "default"
TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"
DIMENSION = "ecs:service:DesiredCount"
BURN = "trap 'exit 0' TERM; while :; do :; done"
IDLE = "trap 'exit 0' TERM; while :; do sleep 1; done"
CPU_UNITS = 128
"""A burning container uses a whole core (1024 units): ~800 % of this reservation."""
IDLE_COOLDOWN = 20
"""ScaleInCooldown of the idle service: its second scale-in must wait this long."""


def wait_for(predicate: Any, timeout: float = 90.0, interval: float = 0.25) -> Any:
    return until(predicate, timeout, interval)




@pytest.fixture(scope="module")
def up(tmp_path_factory: pytest.TempPathFactory, test_image: str, docker_client: Any) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("scaling-up") / "data"
    proc = ServerProcess(data_dir=data_dir, command="up", extra_args=(
        "--log-level", "info", "--task-healthy-after", "1", "--metrics-interval", "1",
        "--scaling-profile", "fast")).start()
    ecs = proc.client("ecs")
    wait_for(lambda: has_instances(ecs))
    try:
        yield proc
    finally:
        arns: list[str] = []
        try:
            for status in ("RUNNING", "STOPPED"):
                arns += ecs.list_tasks(cluster=CLUSTER, desiredStatus=status)["taskArns"]
        except Exception:
            pass
        proc.stop()
        for arn in arns:
            for c in docker_client.containers.list(all=True, filters={"label": f"{TASK_ARN_LABEL}={arn}"}):
                c.remove(force=True)


@pytest.fixture(scope="module")
def ecs(up: ServerProcess) -> Any:
    return up.client("ecs")


@pytest.fixture(scope="module")
def aas(up: ServerProcess) -> Any:
    return up.client("application-autoscaling")


@pytest.fixture(scope="module")
def cw(up: ServerProcess) -> Any:
    return up.client("cloudwatch")


def register(ecs: Any, family: str, image: str, command: str, **extra: Any) -> str:
    container = {"name": "main", "image": image, "cpu": CPU_UNITS, "memory": 32, "stopTimeout": 2,
                 "command": ["sh", "-c", command], **extra.pop("container", {})}
    return str(ecs.register_task_definition(family=family, containerDefinitions=[container], **extra)[
        "taskDefinition"]["taskDefinitionArn"])


def describe(ecs: Any, name: str) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=CLUSTER, services=[name])["services"][0])


def completed(ecs: Any, name: str) -> bool:
    s = describe(ecs, name)
    d = s["deployments"]
    return len(d) == 1 and d[0]["rolloutState"] == "COMPLETED" and s["runningCount"] == s["desiredCount"]


def resource(name: str) -> str:
    return f"service/{CLUSTER}/{name}"


def scalable(aas: Any, name: str, low: int, high: int) -> None:
    aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource(name), ScalableDimension=DIMENSION,
                                 MinCapacity=low, MaxCapacity=high)


def target_tracking(aas: Any, name: str, *, scale_in_cooldown: int) -> dict[str, Any]:
    return dict(aas.put_scaling_policy(
        PolicyName=f"{name}-cpu50", ServiceNamespace="ecs", ResourceId=resource(name),
        ScalableDimension=DIMENSION, PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0, "ScaleOutCooldown": 0, "ScaleInCooldown": scale_in_cooldown,
            "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}}))


def step_policy(aas: Any, name: str, adjustment_type: str, steps: list[dict[str, Any]], cooldown: int) -> str:
    return str(aas.put_scaling_policy(
        PolicyName=f"{name}-step", ServiceNamespace="ecs", ResourceId=resource(name),
        ScalableDimension=DIMENSION, PolicyType="StepScaling",
        StepScalingPolicyConfiguration={"AdjustmentType": adjustment_type, "StepAdjustments": steps,
                                        "Cooldown": cooldown, "MetricAggregationType": "Average"},
    )["PolicyARN"])


def activities(aas: Any, name: str) -> list[dict[str, Any]]:
    """Newest first."""
    return list(aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=resource(name))[
        "ScalingActivities"])


def first_activities(aas: Any, name: str, count: int = 1) -> list[dict[str, Any]]:
    """The newest ``count`` activities once there are that many: an activity is recorded just
    after the desiredCount it reports, so a reader that saw the count may be a moment early."""
    def enough() -> list[dict[str, Any]] | None:
        found = activities(aas, name)
        return found[:count] if len(found) >= count else None

    return list(wait_for(enough, timeout=15, interval=0.2))


def bounds(aas: Any, name: str) -> tuple[int, int]:
    [t] = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[resource(name)])["ScalableTargets"]
    return int(t["MinCapacity"]), int(t["MaxCapacity"])


def test_cpu_burning_tasks_scale_out_to_max(ecs: Any, aas: Any, cw: Any, test_image: str) -> None:
    register(ecs, "burn", test_image, BURN)
    ecs.create_service(cluster=CLUSTER, serviceName="burn", taskDefinition="burn", desiredCount=1)
    try:
        scalable(aas, "burn", 1, 2)
        policy = target_tracking(aas, "burn", scale_in_cooldown=300)
        high = next(a["AlarmName"] for a in policy["Alarms"] if "-AlarmHigh-" in a["AlarmName"])
        wait_for(lambda: describe(ecs, "burn")["desiredCount"] == 2, timeout=90)
        assert cw.describe_alarms(AlarmNames=[high])["MetricAlarms"][0]["StateValue"] == "ALARM"
        [activity] = first_activities(aas, "burn")
        assert activity["StatusCode"] == "Successful"
        assert activity["Description"] == "Setting desired count to 2."
        assert high in activity["Cause"]
        wait_for(lambda: describe(ecs, "burn")["runningCount"] == 2, timeout=60)
        time.sleep(6)  # the high alarm stays in ALARM and is re-evaluated: max holds
        assert describe(ecs, "burn")["desiredCount"] == 2
        assert len(activities(aas, "burn")) == 1
    finally:
        aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=resource("burn"),
                                       ScalableDimension=DIMENSION)
        ecs.update_service(cluster=CLUSTER, service="burn", desiredCount=0)
    wait_for(lambda: describe(ecs, "burn")["runningCount"] == 0, timeout=30)


def test_custom_metric_alarm_drives_a_step_policy(ecs: Any, aas: Any, cw: Any, test_image: str) -> None:
    register(ecs, "worker", test_image, IDLE)
    ecs.create_service(cluster=CLUSTER, serviceName="worker", taskDefinition="worker", desiredCount=1)
    scalable(aas, "worker", 1, 5)
    arn = step_policy(aas, "worker", "ChangeInCapacity", [{"MetricIntervalLowerBound": 0, "ScalingAdjustment": 2}],
                      cooldown=300)
    dims = [{"Name": "Queue", "Value": "jobs"}]
    cw.put_metric_alarm(AlarmName="jobs-backlog", Namespace="Dockyard/Test", MetricName="QueueDepth",
                        Dimensions=dims, Statistic="Average", Period=10, EvaluationPeriods=1, Threshold=100,
                        ComparisonOperator="GreaterThanThreshold", AlarmActions=[arn])

    def backlog() -> bool:
        cw.put_metric_data(Namespace="Dockyard/Test", MetricData=[
            {"MetricName": "QueueDepth", "Dimensions": dims, "Value": 500.0, "Unit": "Count"}])
        return bool(describe(ecs, "worker")["desiredCount"] != 1)

    wait_for(backlog, timeout=45, interval=1.0)
    assert describe(ecs, "worker")["desiredCount"] == 3  # 1 + 2, not the max of 5
    [activity] = first_activities(aas, "worker")
    assert activity["Description"] == "Setting desired count to 3."
    assert "jobs-backlog" in activity["Cause"] and "worker-step" in activity["Cause"]
    for _ in range(6):  # still in ALARM, re-invoked, but inside the 300 s cooldown
        backlog()
        time.sleep(1)
    assert describe(ecs, "worker")["desiredCount"] == 3
    assert cw.describe_alarms(AlarmNames=["jobs-backlog"])["MetricAlarms"][0]["StateValue"] == "ALARM"
    wait_for(lambda: describe(ecs, "worker")["runningCount"] == 3, timeout=30)


def _series(cw: Any, service: str, metric: str = "CPUUtilization") -> list[float]:
    now = datetime.now(UTC)
    result = cw.get_metric_data(
        StartTime=now - timedelta(minutes=10), EndTime=now + timedelta(seconds=10),
        MetricDataQueries=[{"Id": "cpu", "ReturnData": True, "MetricStat": {
            "Metric": {"Namespace": "AWS/ECS", "MetricName": metric, "Dimensions": [
                {"Name": "ClusterName", "Value": CLUSTER}, {"Name": "ServiceName", "Value": service}]},
            "Period": 1, "Stat": "Average"}}])
    [series] = result["MetricDataResults"]
    assert series["Id"] == "cpu" and series["StatusCode"] == "Complete"
    return [float(v) for v in series["Values"]]


def test_service_cpu_reads_back_through_get_metric_data(cw: Any, up: ServerProcess) -> None:
    burn, idle = _series(cw, "burn"), _series(cw, "worker")  # the agent samples every second
    assert len(burn) >= 5 and len(idle) >= 3
    assert max(burn) > 100.0, burn  # a core against 128 reserved units: far above 100 %
    assert max(idle) < 10.0, idle
    assert all(0 < v <= 100 for v in _series(cw, "worker", "MemoryUtilization"))
    listed = cw.list_metrics(Namespace="AWS/ECS", MetricName="CPUUtilization",
                             Dimensions=[{"Name": "ServiceName", "Value": "burn"}])["Metrics"]
    assert [sorted(d["Name"] for d in m["Dimensions"]) for m in listed] == [["ClusterName", "ServiceName"]]
    with urllib.request.urlopen(up.endpoint + "/metrics", timeout=5) as response:
        scraped = response.read().decode()
    labels = f'{{region="{up.region}",cluster="{CLUSTER}",service="worker"}}'
    cpu = next(line for line in scraped.splitlines()
               if line.startswith("dockyard_ecs_service_cpu_utilization_percent" + labels))
    assert 0 <= float(cpu.split()[-1]) < 10.0
    assert "dockyard_ecs_service_memory_utilization_percent" + labels in scraped


def test_scheduled_action_changes_min_and_max_at_its_time(ecs: Any, aas: Any, test_image: str) -> None:
    register(ecs, "batch", test_image, IDLE)
    ecs.create_service(cluster=CLUSTER, serviceName="batch", taskDefinition="batch", desiredCount=1)
    scalable(aas, "batch", 1, 2)
    at = (datetime.now(UTC) + timedelta(seconds=10)).replace(microsecond=0)
    aas.put_scheduled_action(ServiceNamespace="ecs", ScheduledActionName="rush", ResourceId=resource("batch"),
                             ScalableDimension=DIMENSION, Schedule=f"at({at:%Y-%m-%dT%H:%M:%S})",
                             ScalableTargetAction={"MinCapacity": 3, "MaxCapacity": 4})
    assert bounds(aas, "batch") == (1, 2) and describe(ecs, "batch")["desiredCount"] == 1
    wait_for(lambda: describe(ecs, "batch")["desiredCount"] == 3, timeout=30)
    assert datetime.now(UTC) >= at
    wait_for(lambda: bounds(aas, "batch") == (3, 4), timeout=15)
    [activity] = first_activities(aas, "batch")
    assert activity["Description"] == "Setting min capacity to 3 and max capacity to 4. Setting desired count to 3."
    assert activity["Cause"] == "scheduled action name rush was triggered"
    assert activity["StartTime"] >= at
    wait_for(lambda: describe(ecs, "batch")["runningCount"] == 3, timeout=30)


def test_a_deployment_in_progress_suspends_scale_in(
    ecs: Any, aas: Any, cw: Any, test_image: str, tmp_path: Path
) -> None:
    gates = tmp_path / "gates"
    gates.mkdir()
    (gates / "v1").touch()

    def revision(gate: str) -> str:
        return register(ecs, "gated", test_image, IDLE, container={
            "environment": [{"name": "GATE", "value": gate}],
            "mountPoints": [{"sourceVolume": "gates", "containerPath": "/gates", "readOnly": True}],
            "healthCheck": {"command": ["CMD-SHELL", "test -f /gates/$GATE"], "interval": 5, "timeout": 2,
                            "retries": 3, "startPeriod": 300}},
            volumes=[{"name": "gates", "host": {"sourcePath": str(gates)}}])

    revision("v1")
    ecs.create_service(cluster=CLUSTER, serviceName="gated", taskDefinition="gated:1", desiredCount=3)
    wait_for(lambda: completed(ecs, "gated"), timeout=60)
    scalable(aas, "gated", 1, 3)
    arn = step_policy(aas, "gated", "ExactCapacity", [
        {"MetricIntervalUpperBound": 0, "ScalingAdjustment": 1},
        {"MetricIntervalLowerBound": 0, "ScalingAdjustment": 1}], cooldown=0)
    cw.put_metric_alarm(AlarmName="gated-quiet", Namespace="Dockyard/Test", MetricName="Requests",
                        Statistic="Sum", Period=10, EvaluationPeriods=1, Threshold=1,
                        ComparisonOperator="LessThanThreshold", AlarmActions=[arn])
    ecs.update_service(cluster=CLUSTER, service="gated", taskDefinition=revision("v2"))
    wait_for(lambda: describe(ecs, "gated")["runningCount"] >= 4, timeout=30)  # v2 tasks up, not healthy

    def alarm_fired() -> int:
        history = cw.describe_alarm_history(AlarmName="gated-quiet", HistoryItemType="Action")
        return len(history["AlarmHistoryItems"])

    cw.set_alarm_state(AlarmName="gated-quiet", StateValue="ALARM", StateReason="quiet (test)")
    wait_for(alarm_fired, timeout=10)
    time.sleep(6)  # past the next evaluation: no scale-in happens late either
    service = describe(ecs, "gated")
    assert len(service["deployments"]) == 2 and service["desiredCount"] == 3
    assert activities(aas, "gated") == []

    (gates / "v2").touch()
    wait_for(lambda: completed(ecs, "gated"), timeout=60)
    wait_for(lambda: cw.describe_alarms(AlarmNames=["gated-quiet"])["MetricAlarms"][0]["StateValue"] != "ALARM",
             timeout=15)
    fired = alarm_fired()
    before = datetime.now(UTC)
    cw.set_alarm_state(AlarmName="gated-quiet", StateValue="ALARM", StateReason="quiet again (test)")
    wait_for(lambda: describe(ecs, "gated")["desiredCount"] == 1, timeout=10, interval=0.1)
    wait_for(lambda: alarm_fired() > fired, timeout=15)
    [activity] = first_activities(aas, "gated")
    assert activity["Description"] == "Setting desired count to 1." and "gated-quiet" in activity["Cause"]
    fired_after = (activity["StartTime"] - before).total_seconds()
    assert fired_after < 4.0, f"SetAlarmState's action should fire at once, not at the next evaluation ({fired_after})"


def test_idle_tasks_scale_in_then_wait_for_the_scale_in_cooldown(ecs: Any, aas: Any, test_image: str) -> None:
    register(ecs, "idle", test_image, IDLE)
    ecs.create_service(cluster=CLUSTER, serviceName="idle", taskDefinition="idle", desiredCount=3)
    scalable(aas, "idle", 1, 3)
    target_tracking(aas, "idle", scale_in_cooldown=IDLE_COOLDOWN)
    wait_for(lambda: describe(ecs, "idle")["desiredCount"] == 1, timeout=90)
    [first] = first_activities(aas, "idle")
    assert "-AlarmLow-" in first["Cause"] and first["Description"] == "Setting desired count to 1."
    ecs.update_service(cluster=CLUSTER, service="idle", desiredCount=3)  # an operator scales it back up
    updated = datetime.now(UTC)
    assert (updated - first["StartTime"]).total_seconds() < IDLE_COOLDOWN - 5, "too late to see the cooldown"
    wait_for(lambda: describe(ecs, "idle")["runningCount"] == 3, timeout=30)
    wait_for(lambda: describe(ecs, "idle")["desiredCount"] == 1, timeout=60, interval=0.5)
    second, _ = first_activities(aas, "idle", 2)
    waited = (second["StartTime"] - first["StartTime"]).total_seconds()
    assert IDLE_COOLDOWN <= waited < IDLE_COOLDOWN + 15, waited
