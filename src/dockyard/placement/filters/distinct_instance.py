"""distinctInstance: each task of the group on a different container instance."""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.placement import reasons as R
from dockyard.placement.model import InstanceSnapshot, PlacementConstraint, TaskDemand


@dataclass(frozen=True, slots=True)
class DistinctInstanceFilter:
    """``DistinctInstance placement constraint unsatisfied.`` when a live task of the group
    (desiredStatus RUNNING, or proposed by this batch) already runs on the instance.

    Dynamic: a proposal makes its instance unavailable to the rest of the batch.
    """

    dynamic: bool = True

    @classmethod
    def from_constraint(cls, constraint: PlacementConstraint) -> DistinctInstanceFilter:
        return cls()

    def reasons(
        self, instance: InstanceSnapshot, demand: TaskDemand, group: str | None
    ) -> tuple[str, ...]:
        return (R.DISTINCT_INSTANCE,) if instance.group_count(group) > 0 else ()

    def keep(
        self, instances: list[InstanceSnapshot], demand: TaskDemand, group: str | None
    ) -> list[InstanceSnapshot]:
        if group is None:
            return instances
        return [i for i in instances if not i.group_counts.get(group, 0)]
