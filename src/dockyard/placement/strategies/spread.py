"""spread: balance a task group's tasks over the values of a field."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.model import InstanceSnapshot, PlacementStrategy, RunningTask, TaskDemand

INSTANCE_FIELDS = ("instanceid", "host")
ATTRIBUTE_PREFIX = "attribute:"


@dataclass(frozen=True, slots=True)
class SpreadStrategy:
    """Key: how many tasks of the group (desiredStatus RUNNING, plus this batch's proposals)
    run on instances with the candidate's value of ``field`` (fewest wins).

    ``field`` ``instanceId`` or ``host`` (same effect) counts per instance; ``attribute:<name>``
    counts per attribute value, and every instance without a value for the attribute counts in
    one more bucket of its own (ECS does not document this case; a missing value is treated as
    one more value, so such instances are neither preferred nor avoided).
    """

    field: str
    attribute: str | None
    random: bool = False

    @classmethod
    def from_strategy(cls, strategy: PlacementStrategy) -> SpreadStrategy:
        name = strategy.field or ""
        if not name:
            raise InvalidParameterException(
                "The spread placement strategy requires a field: instanceId, host or "
                "attribute:<name>."
            )
        if name.lower() in INSTANCE_FIELDS:
            return cls(name, None)
        if name.startswith(ATTRIBUTE_PREFIX) and len(name) > len(ATTRIBUTE_PREFIX):
            return cls(name, name[len(ATTRIBUTE_PREFIX) :])
        raise InvalidParameterException(
            f"Invalid field for spread placement strategy: {strategy.field!r}; valid values are "
            "instanceId, host or attribute:<name>."
        )

    @property
    def shared(self) -> bool:
        return self.attribute is not None

    @property
    def label(self) -> str:
        return f"spread {self.field}"

    def bucket(self, instance: InstanceSnapshot) -> Hashable:
        if self.attribute is None:
            return instance.instance_id
        return instance.attributes.get(self.attribute)

    def placement_key(self, instance: InstanceSnapshot, demand: TaskDemand, group: str) -> int:
        return instance.group_counts.get(group, 0)

    def stop_key(self, instance: InstanceSnapshot, task: RunningTask, bucket_count: int) -> int:
        return -bucket_count
