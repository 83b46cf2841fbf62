"""binpack: fill the instance with the least of a resource left, to use the fewest instances."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.model import InstanceSnapshot, PlacementStrategy, RunningTask, TaskDemand

FIELDS = ("cpu", "memory")


@dataclass(frozen=True, slots=True)
class BinpackStrategy:
    """Placement key: what would remain of ``field`` after placing (least remaining wins).
    Stop key: minus what would remain after stopping (the emptiest instance loses a task first,
    ecs-reference §1.2). ``field`` is ``cpu`` or ``memory`` (case-insensitive)."""

    field: str
    shared: bool = False
    random: bool = False

    @classmethod
    def from_strategy(cls, strategy: PlacementStrategy) -> BinpackStrategy:
        name = (strategy.field or "").lower()
        if name not in FIELDS:
            raise InvalidParameterException(
                f"Invalid field for binpack placement strategy: {strategy.field!r}; "
                "valid values are cpu and memory."
            )
        return cls(name)

    @property
    def label(self) -> str:
        return f"binpack {self.field}"

    def bucket(self, instance: InstanceSnapshot) -> Hashable:
        return instance.instance_id

    def placement_key(self, instance: InstanceSnapshot, demand: TaskDemand, group: str) -> int:
        if self.field == "memory":
            return instance.memory - instance.used_memory - demand.memory
        return instance.cpu - instance.used_cpu - demand.cpu

    def stop_key(self, instance: InstanceSnapshot, task: RunningTask, bucket_count: int) -> int:
        if self.field == "memory":
            return -(instance.memory - instance.used_memory + task.memory)
        return -(instance.cpu - instance.used_cpu + task.cpu)
