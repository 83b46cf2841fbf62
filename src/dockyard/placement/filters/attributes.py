"""Required attributes: the task definition's ``requiresAttributes`` must all be present."""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.placement import reasons as R
from dockyard.placement.model import InstanceSnapshot, TaskDemand


@dataclass(frozen=True, slots=True)
class AttributesFilter:
    """``ATTRIBUTE`` when the instance lacks a required attribute, or has it with another value
    (a required ``(name, None)`` only needs the name). Static."""

    dynamic: bool = False

    def reasons(
        self, instance: InstanceSnapshot, demand: TaskDemand, group: str | None
    ) -> tuple[str, ...]:
        attributes = instance.attributes
        for name, value in demand.required_attributes:
            if name not in attributes or (value is not None and attributes[name] != value):
                return (R.ATTRIBUTE,)
        return ()

    def keep(
        self, instances: list[InstanceSnapshot], demand: TaskDemand, group: str | None
    ) -> list[InstanceSnapshot]:
        if not demand.required_attributes:
            return instances
        return [i for i in instances if not self.reasons(i, demand, group)]
