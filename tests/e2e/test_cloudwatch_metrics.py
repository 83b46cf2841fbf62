"""CloudWatch metrics through boto3: PutMetricData in its three forms, GetMetricStatistics,
GetMetricData with metric math, ListMetrics, CloudWatch's errors — and the AWS/ECS utilisation
Dockyard publishes from its agents' container samples (a simulated fleet)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

NOW = datetime.now(UTC).replace(microsecond=0)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("cloudwatch") / "data"
    proc = ServerProcess(data_dir=data_dir, extra_args=("--task-healthy-after", "1")).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def cw(server: ServerProcess) -> Any:
    return server.client("cloudwatch")


def dims(**kw: str) -> list[dict[str, str]]:
    return [{"Name": k, "Value": v} for k, v in kw.items()]


def test_put_then_statistics_per_period(cw: Any) -> None:
    base = NOW - timedelta(minutes=10)
    cw.put_metric_data(Namespace="App", MetricData=[
        {"MetricName": "Latency", "Dimensions": dims(Api="get"), "Timestamp": base + timedelta(seconds=s),
         "Value": v, "Unit": "Milliseconds"} for s, v in ((1, 10.0), (2, 20.0), (3, 30.0), (61, 100.0))
    ] + [
        {"MetricName": "Latency", "Dimensions": dims(Api="get"), "Timestamp": base + timedelta(seconds=5),
         "Values": [1.0, 2.0], "Counts": [1.0, 3.0]},
        {"MetricName": "Latency", "Dimensions": dims(Api="get"), "Timestamp": base + timedelta(seconds=62),
         "StatisticValues": {"SampleCount": 2, "Sum": 300, "Minimum": 100, "Maximum": 200}},
    ])
    got = cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims(Api="get"),
                                   StartTime=base, EndTime=base + timedelta(minutes=2), Period=60,
                                   Statistics=["SampleCount", "Sum", "Average", "Minimum", "Maximum"],
                                   )["Datapoints"]
    first, second = sorted(got, key=lambda d: d["Timestamp"])
    assert (first["SampleCount"], first["Sum"], first["Minimum"], first["Maximum"]) == (7.0, 67.0, 1.0, 30.0)
    assert first["Average"] == pytest.approx(67 / 7)
    assert (second["SampleCount"], second["Sum"], second["Maximum"]) == (3.0, 400.0, 200.0)
    p = cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims(Api="get"),
                                 StartTime=base, EndTime=base + timedelta(seconds=60), Period=60,
                                 ExtendedStatistics=["p50"])["Datapoints"][0]
    assert p["ExtendedStatistics"]["p50"] == 10.0
    other = cw.get_metric_statistics(Namespace="App", MetricName="Latency", Dimensions=dims(Api="put"),
                                     StartTime=base, EndTime=NOW, Period=60, Statistics=["Sum"])
    assert other["Datapoints"] == []  # dimensions match exactly, as in CloudWatch


def test_metric_data_with_math_and_listing(cw: Any) -> None:
    base = NOW - timedelta(minutes=5)
    for name, value in (("Hits", 30.0), ("Misses", 10.0)):
        cw.put_metric_data(Namespace="Cache", MetricData=[
            {"MetricName": name, "Dimensions": dims(Node="a"), "Timestamp": base + timedelta(seconds=s), "Value": value}
            for s in (0, 60)])
    stat = {"Namespace": "Cache", "Dimensions": dims(Node="a")}
    result = cw.get_metric_data(StartTime=base, EndTime=base + timedelta(minutes=2), MetricDataQueries=[
        {"Id": "h", "MetricStat": {"Metric": {**stat, "MetricName": "Hits"}, "Period": 60, "Stat": "Sum"},
         "ReturnData": False},
        {"Id": "m", "MetricStat": {"Metric": {**stat, "MetricName": "Misses"}, "Period": 60, "Stat": "Sum"},
         "ReturnData": False},
        {"Id": "ratio", "Expression": "100 * h / (h + m)", "Label": "HitRatio"},
        {"Id": "total", "Expression": "SUM([h, m])"},
    ])["MetricDataResults"]
    by_id = {r["Id"]: r for r in result}
    assert set(by_id) == {"ratio", "total"}
    assert by_id["ratio"]["Values"] == [75.0, 75.0] and by_id["ratio"]["Label"] == "HitRatio"
    assert by_id["total"]["Values"] == [40.0, 40.0]
    assert by_id["total"]["Timestamps"][0] > by_id["total"]["Timestamps"][1]  # newest first
    listed = cw.list_metrics(Namespace="Cache", Dimensions=[{"Name": "Node"}])["Metrics"]
    assert sorted(m["MetricName"] for m in listed) == ["Hits", "Misses"]
    assert cw.list_metrics(Namespace="Cache", Dimensions=[{"Name": "Node", "Value": "b"}])["Metrics"] == []


@pytest.mark.parametrize(("call", "code"), [
    (lambda cw: cw.put_metric_data(Namespace="AWS/EC2", MetricData=[{"MetricName": "x", "Value": 1}]),
     "InvalidParameterValue"),
    (lambda cw: cw.get_metric_statistics(Namespace="App", MetricName="Latency", StartTime=NOW - timedelta(hours=1),
                                         EndTime=NOW, Period=7, Statistics=["Sum"]), "InvalidParameterValue"),
    (lambda cw: cw.get_metric_statistics(Namespace="App", MetricName="Latency", StartTime=NOW - timedelta(days=3),
                                         EndTime=NOW, Period=60, Statistics=["Sum"]), "InvalidParameterValue"),
    (lambda cw: cw.put_metric_data(Namespace="App", MetricData=[{"MetricName": "x", "Values": [1.0], "Counts": [1.0, 2.0]}]),
     "InvalidParameterCombination"),
], ids=["reserved-namespace", "bad-period", "too-many-datapoints", "values-counts"])
def test_cloudwatch_errors(cw: Any, call: Any, code: str) -> None:
    with pytest.raises(ClientError) as info:
        call(cw)
    assert info.value.response["Error"]["Code"] == code


def test_service_utilization_is_published_from_agent_samples(server: ServerProcess, cw: Any) -> None:
    ecs = server.client("ecs")
    ecs.create_cluster(clusterName="busy")
    agent = subprocess.Popen(
        [sys.executable, "-m", "dockyard.cli", "agent", "--endpoint", server.endpoint, "--cluster", "busy",
         "--runtime", "simulated", "--count", "2", "--cpu-units", "4096", "--memory-mib", "4096",
         "--metrics-interval", "1", "--log-level", "warning"],
        env=server.env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        ecs.register_task_definition(family="burn", containerDefinitions=[{
            "name": "a", "image": "app", "cpu": 1024, "memory": 256,
            "environment": [{"name": "DOCKYARD_SIM_CPU_UNITS", "value": "512"},
                            {"name": "DOCKYARD_SIM_MEMORY_MIB", "value": "64"}]}])
        deadline = time.monotonic() + 60
        while len(ecs.list_container_instances(cluster="busy")["containerInstanceArns"]) < 2:
            assert time.monotonic() < deadline
            time.sleep(0.2)
        ecs.create_service(cluster="busy", serviceName="burn", taskDefinition="burn", desiredCount=2)
        query = {"Namespace": "AWS/ECS", "Dimensions": dims(ClusterName="busy", ServiceName="burn"),
                 "Period": 10, "Statistics": ["Average"]}

        def latest(metric: str) -> float | None:
            now = datetime.now(UTC)
            points = cw.get_metric_statistics(MetricName=metric, StartTime=now - timedelta(minutes=2),
                                              EndTime=now + timedelta(seconds=10), **query)["Datapoints"]
            return max(points, key=lambda d: d["Timestamp"])["Average"] if points else None

        deadline = time.monotonic() + 60
        while (cpu := latest("CPUUtilization")) is None:
            assert time.monotonic() < deadline, "no CPUUtilization datapoint"
            time.sleep(0.5)
        assert cpu == pytest.approx(50.0, abs=5.0)  # 512 of 1024 reserved units
        assert latest("MemoryUtilization") == pytest.approx(25.0, abs=1.0)  # 64 of 256 MiB
        names = {(m["MetricName"], len(m["Dimensions"])) for m in cw.list_metrics(Namespace="AWS/ECS")["Metrics"]}
        assert {("CPUUtilization", 2), ("CPUUtilization", 1), ("MemoryUtilization", 2)} <= names
    finally:
        agent.terminate()
        agent.wait(10)
