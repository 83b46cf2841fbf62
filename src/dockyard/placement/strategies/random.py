"""random: any feasible instance, uniformly (RunTask's default)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from dockyard.placement.model import InstanceSnapshot, PlacementStrategy, RunningTask, TaskDemand


@dataclass(frozen=True, slots=True)
class RandomStrategy:
    """Its component is the instance's random clock, kept by the engine (the field is ignored,
    as ECS ignores it). Whatever strategy follows a ``random`` one never matters."""

    shared: bool = False
    random: bool = True

    @classmethod
    def from_strategy(cls, strategy: PlacementStrategy) -> RandomStrategy:
        return cls()

    @property
    def label(self) -> str:
        return "random"

    def bucket(self, instance: InstanceSnapshot) -> Hashable:
        return instance.instance_id

    def placement_key(self, instance: InstanceSnapshot, demand: TaskDemand, group: str) -> int:
        return 0

    def stop_key(self, instance: InstanceSnapshot, task: RunningTask, bucket_count: int) -> int:
        return 0
