"""Eligibility: only ACTIVE instances whose agent is connected take tasks."""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.placement import reasons as R
from dockyard.placement.model import InstanceSnapshot, TaskDemand


@dataclass(frozen=True, slots=True)
class EligibilityFilter:
    """``AGENT`` when the agent is disconnected, ``INACTIVE`` when not ACTIVE (both if both).

    Static: proposals never change an instance's status.
    """

    dynamic: bool = False

    def reasons(
        self, instance: InstanceSnapshot, demand: TaskDemand, group: str | None
    ) -> tuple[str, ...]:
        if instance.connected and instance.active:
            return ()
        if not instance.connected:
            return (R.AGENT,) if instance.active else (R.AGENT, R.INACTIVE)
        return (R.INACTIVE,)

    def keep(
        self, instances: list[InstanceSnapshot], demand: TaskDemand, group: str | None
    ) -> list[InstanceSnapshot]:
        return [i for i in instances if i.connected and i.active]
