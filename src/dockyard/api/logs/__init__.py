"""CloudWatch Logs (``Logs_20140328``): operation name → handler.

Groups, streams and events live in the store (``store/repositories/logs.py``); the batch rules,
read positions and filter patterns are pure (``domain/logs.py``).
"""

from __future__ import annotations

from dockyard.api.context import Handler
from dockyard.api.logs import events, groups, streams

OPERATIONS: dict[str, Handler] = {
    "CreateLogGroup": groups.create_log_group,
    "DeleteLogGroup": groups.delete_log_group,
    "DescribeLogGroups": groups.describe_log_groups,
    "PutRetentionPolicy": groups.put_retention_policy,
    "DeleteRetentionPolicy": groups.delete_retention_policy,
    "CreateLogStream": streams.create_log_stream,
    "DeleteLogStream": streams.delete_log_stream,
    "DescribeLogStreams": streams.describe_log_streams,
    "PutLogEvents": events.put_log_events,
    "GetLogEvents": events.get_log_events,
    "FilterLogEvents": events.filter_log_events,
}

__all__ = ["OPERATIONS"]
