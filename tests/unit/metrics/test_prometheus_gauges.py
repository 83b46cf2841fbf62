"""``/metrics``' service utilisation gauges rendered from the metric store's newest points."""

from __future__ import annotations

from datetime import UTC, datetime

from dockyard.api.cloudwatch.prometheus import utilization_gauges
from dockyard.store.repositories.metrics import LatestPoint

AT = datetime(2026, 11, 28, tzinfo=UTC)


def test_one_gauge_per_service_and_metric_cluster_points_skipped() -> None:
    text = utilization_gauges([
        LatestPoint("us-east-1", "CPUUtilization", "ClusterName=c|ServiceName=web", AT, 812.5),
        LatestPoint("us-east-1", "CPUUtilization", "ClusterName=c", AT, 99.0),
        LatestPoint("us-east-1", "MemoryUtilization", "ClusterName=c|ServiceName=web", AT, 12.25),
        LatestPoint("eu-west-1", "CPUUtilization", 'ClusterName=c"x|ServiceName=api', AT, 0.0),
    ])
    lines = [line for line in text.splitlines() if not line.startswith("#")]
    assert lines == [
        'dockyard_ecs_service_cpu_utilization_percent{region="us-east-1",cluster="c",service="web"} 812.5',
        'dockyard_ecs_service_cpu_utilization_percent{region="eu-west-1",cluster="c\\"x",service="api"} 0',
        'dockyard_ecs_service_memory_utilization_percent{region="us-east-1",cluster="c",service="web"} 12.25',
    ]
    assert "# TYPE dockyard_ecs_service_cpu_utilization_percent gauge" in text
    assert text.endswith("\n")


def test_no_points_still_declares_the_gauges() -> None:
    text = utilization_gauges([])
    assert text.count("# TYPE") == 2 and "{" not in text
