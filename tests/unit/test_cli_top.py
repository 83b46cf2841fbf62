"""``dockyard top``'s rows from API responses (pure)."""

from __future__ import annotations

from dockyard.cli_top import ServiceRow, render, rows_from


def test_rows_join_services_metrics_and_scalable_targets() -> None:
    services = [
        {"serviceName": "web", "desiredCount": 3, "runningCount": 2, "pendingCount": 1},
        {"serviceName": "batch", "desiredCount": 1, "runningCount": 1, "pendingCount": 0},
    ]
    metrics = {"cpu0": 71.5, "mem0": 40.0, "req0": 120.0, "cpu1": 3.0}
    targets = [{"ResourceId": "service/c/web", "MinCapacity": 1, "MaxCapacity": 10,
                "SuspendedState": {"DynamicScalingInSuspended": True}}]
    rows = rows_from(services, metrics, targets, "c")
    assert rows == [
        ServiceRow("web", 3, 2, 1, 71.5, 40.0, 120.0, "1–10 (suspended)"),
        ServiceRow("batch", 1, 1, 0, 3.0, None, None, "—"),
    ]
    assert render("c", rows).row_count == 2
