"""CloudWatch (``GraniteServiceVersion20100801``, JSON 1.0): metric operations.

Points live in the metric store (``store/repositories/metrics.py``); statistics and metric math
are pure (``domain/metrics.py``). Dockyard itself publishes ``AWS/ECS`` service utilisation and
``AWS/ApplicationELB`` request counts there. Alarms are not implemented yet.
"""

from __future__ import annotations

from dockyard.api.cloudwatch import metrics
from dockyard.api.context import Handler

OPERATIONS: dict[str, Handler] = {
    "PutMetricData": metrics.put_metric_data,
    "GetMetricStatistics": metrics.get_metric_statistics,
    "GetMetricData": metrics.get_metric_data,
    "ListMetrics": metrics.list_metrics,
}

__all__ = ["OPERATIONS"]
