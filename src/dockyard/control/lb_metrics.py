"""``AWS/ApplicationELB`` metrics from HAProxy's counters: ``RequestCount`` (requests a target
group received in the period) and ``RequestCountPerTarget`` (that ÷ its healthy targets), with
dimension ``TargetGroup`` = ``targetgroup/NAME/ID`` as AWS names it. Pure.

HAProxy's counters start again at every reload; a counter lower than its last reading counts
from zero (so a reload loses at most the requests of one reading's interval).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from dockyard.domain.elb import TargetGroup
from dockyard.domain.utilization import UtilizationPoint

__all__ = ["request_points"]

NAMESPACE = "AWS/ApplicationELB"


def request_points(
    previous: Mapping[str, int],
    current: Mapping[str, int],
    groups: Mapping[str, TargetGroup],
    healthy: Mapping[str, int],
    at: datetime,
) -> list[UtilizationPoint]:
    """Points for each target group in ``current`` (ARN → requests_total)."""
    points = []
    for arn in sorted(current):
        tg = groups.get(arn)
        if tg is None:
            continue
        before = previous.get(arn, current[arn])
        count = current[arn] - before if current[arn] >= before else current[arn]
        dims = (("TargetGroup", f"targetgroup/{tg.name}/{tg.tg_id}"),)
        points.append(UtilizationPoint(NAMESPACE, "RequestCount", dims, at, float(count), "Count"))
        targets = max(healthy.get(arn, 0), 1)
        points.append(
            UtilizationPoint(NAMESPACE, "RequestCountPerTarget", dims, at, count / targets, "Count")
        )
    return points
