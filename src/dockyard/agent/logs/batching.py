"""The pure core of the log shipper: awslogs options, stream names and PutLogEvents batches.

A batch taken here always satisfies CloudWatch's PutLogEvents rules (see
``dockyard.domain.logs``): chronological, ≤ 10,000 events, ≤ 1,048,576 bytes counting 26 bytes
per event, spanning ≤ 24 h, no event over the byte limit. Pure: no clock, no I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from dockyard.domain.logs import (
    EVENT_OVERHEAD_BYTES,
    MAX_BATCH_BYTES,
    MAX_BATCH_EVENTS,
    MAX_BATCH_SPAN_MS,
    InputEvent,
    event_size,
)

MAX_MESSAGE_BYTES = MAX_BATCH_BYTES - EVENT_OVERHEAD_BYTES
"""The longest message one event can carry; longer lines are split into several events (the
Docker awslogs driver splits long lines too)."""


@dataclass(frozen=True, slots=True)
class AwslogsOptions:
    """A container's ``logConfiguration.options`` for the ``awslogs`` driver."""

    group: str
    region: str | None = None
    stream_prefix: str | None = None
    create_group: bool = False

    @staticmethod
    def parse(options: Mapping[str, str]) -> AwslogsOptions:
        """From the ECS options map; ``awslogs-group`` is required (KeyError otherwise)."""
        return AwslogsOptions(
            group=options["awslogs-group"],
            region=options.get("awslogs-region"),
            stream_prefix=options.get("awslogs-stream-prefix") or None,
            create_group=options.get("awslogs-create-group", "false").lower() == "true",
        )

    def stream_name(self, *, container_name: str, task_id: str, container_id: str) -> str:
        """``<prefix>/<container-name>/<task-id>`` with a stream prefix, else the Docker
        container id, as ECS names awslogs streams."""
        if self.stream_prefix:
            return f"{self.stream_prefix}/{container_name}/{task_id}"
        return container_id


def split_message(timestamp: int, message: str) -> list[InputEvent]:
    """One event, or several when ``message`` is too long for one (cut on UTF-8 character
    boundaries, same timestamp, in order). An empty message becomes a single space, since
    CloudWatch refuses empty messages."""
    if not message:
        return [InputEvent(timestamp, " ")]
    encoded = message.encode("utf-8")
    if len(encoded) <= MAX_MESSAGE_BYTES:
        return [InputEvent(timestamp, message)]
    parts, start = [], 0
    while start < len(encoded):
        end = min(start + MAX_MESSAGE_BYTES, len(encoded))
        while end < len(encoded) and (encoded[end] & 0xC0) == 0x80:  # continuation byte
            end -= 1
        parts.append(InputEvent(timestamp, encoded[start:end].decode("utf-8")))
        start = end
    return parts


def take_batch(buffer: Sequence[InputEvent]) -> list[InputEvent]:
    """The longest prefix of ``buffer`` (chronological, events fit) that is one valid batch.

    Invariant: non-empty whenever ``buffer`` is, so a shipper always makes progress.
    """
    batch: list[InputEvent] = []
    size = 0
    for event in buffer:
        cost = event_size(event.message)
        if batch and (
            len(batch) == MAX_BATCH_EVENTS
            or size + cost > MAX_BATCH_BYTES
            or event.timestamp - batch[0].timestamp > MAX_BATCH_SPAN_MS
            or event.timestamp < batch[-1].timestamp
        ):
            break
        batch.append(event)
        size += cost
    return batch
