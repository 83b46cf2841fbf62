"""The agent's awslogs log shipper: a pure batching core and a threaded shipper shell."""

from dockyard.agent.logs.batching import AwslogsOptions, split_message, take_batch
from dockyard.agent.logs.shipper import LogShipper, LogsTransport, already_exists

__all__ = [
    "AwslogsOptions",
    "LogShipper",
    "LogsTransport",
    "already_exists",
    "split_message",
    "take_batch",
]
