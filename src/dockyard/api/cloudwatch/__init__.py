"""CloudWatch (``GraniteServiceVersion20100801``, JSON 1.0): metric operations.

Points live in the metric store (``store/repositories/metrics.py``); statistics and metric math
are pure (``domain/metrics.py``). Dockyard itself publishes ``AWS/ECS`` service utilisation and
``AWS/ApplicationELB`` request counts there. Alarms: ``alarms.py`` (configuration, state and
history); the evaluation loop is ``control/alarm_controller.py``.
"""

from __future__ import annotations

from dockyard.api.cloudwatch import alarms, metrics
from dockyard.api.context import Handler

OPERATIONS: dict[str, Handler] = {
    "PutMetricData": metrics.put_metric_data,
    "GetMetricStatistics": metrics.get_metric_statistics,
    "GetMetricData": metrics.get_metric_data,
    "ListMetrics": metrics.list_metrics,
    "PutMetricAlarm": alarms.put_metric_alarm,
    "DescribeAlarms": alarms.describe_alarms,
    "DescribeAlarmsForMetric": alarms.describe_alarms_for_metric,
    "DeleteAlarms": alarms.delete_alarms,
    "SetAlarmState": alarms.set_alarm_state,
    "EnableAlarmActions": alarms.enable_alarm_actions,
    "DisableAlarmActions": alarms.disable_alarm_actions,
    "DescribeAlarmHistory": alarms.describe_alarm_history,
    "ListTagsForResource": alarms.list_tags_for_resource,
    "TagResource": alarms.tag_resource,
    "UntagResource": alarms.untag_resource,
}

__all__ = ["OPERATIONS"]
