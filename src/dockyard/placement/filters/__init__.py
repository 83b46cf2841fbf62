"""Placement filters: the binding stages of ECS's pipeline, one small class per module.

A filter answers "why can this instance not take this task?" as a tuple of ECS reason strings
(empty: it can). The engine runs, in ECS's order (ecs-reference §1.1)::

    eligibility (AGENT, INACTIVE) ─▶ resources (RESOURCE:*) ─▶ attributes (ATTRIBUTE)
        ─▶ constraints in request order (memberOf, distinctInstance)

Every filter runs on every instance, so a rejected instance carries *all* its reasons.
Constraint filters are found by their ECS ``type`` in :data:`CONSTRAINT_FILTERS`.

A filter is ``dynamic`` when its verdict can change as the batch proposes tasks on the instance
(resources, memberOf — the query may read ``runningTasksCount`` or ``task:group`` — and
distinctInstance); after each placement only the chosen instance's dynamic filters run again.
Pure: no I/O, no clock, no randomness.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Protocol

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.filters.attributes import AttributesFilter
from dockyard.placement.filters.distinct_instance import DistinctInstanceFilter
from dockyard.placement.filters.eligibility import EligibilityFilter
from dockyard.placement.filters.member_of import MemberOfFilter
from dockyard.placement.filters.resources import ResourcesFilter
from dockyard.placement.model import InstanceSnapshot, PlacementConstraint, TaskDemand

__all__ = [
    "CONSTRAINT_FILTERS",
    "PlacementFilter",
    "build_filters",
    "rejection",
    "survivors",
]


class PlacementFilter(Protocol):
    """One binding stage: every reason ``instance`` cannot take a task of ``demand``."""

    @property
    def dynamic(self) -> bool: ...

    def reasons(
        self, instance: InstanceSnapshot, demand: TaskDemand, group: str | None
    ) -> tuple[str, ...]: ...

    def keep(
        self, instances: list[InstanceSnapshot], demand: TaskDemand, group: str | None
    ) -> list[InstanceSnapshot]:
        """The instances :meth:`reasons` has nothing against, in order (the batch fast path)."""
        ...


CONSTRAINT_FILTERS: dict[str, Callable[[PlacementConstraint], PlacementFilter]] = {
    "memberOf": MemberOfFilter.from_constraint,
    "distinctInstance": DistinctInstanceFilter.from_constraint,
}
"""ECS constraint ``type`` → the filter that enforces it."""


def build_filters(constraints: Sequence[PlacementConstraint]) -> tuple[PlacementFilter, ...]:
    """The built-in stages followed by one filter per constraint, in ECS's order.

    Raises InvalidParameterException for a constraint type no filter is registered for.
    """
    stages: list[PlacementFilter] = [EligibilityFilter(), ResourcesFilter(), AttributesFilter()]
    for constraint in constraints:
        factory = CONSTRAINT_FILTERS.get(constraint.type)
        if factory is None:
            raise InvalidParameterException(
                f"Unsupported placement constraint type: {constraint.type}"
            )
        stages.append(factory(constraint))
    return tuple(stages)


def rejection(
    filters: Sequence[PlacementFilter],
    instance: InstanceSnapshot,
    demand: TaskDemand,
    group: str | None,
) -> tuple[str, ...]:
    """Every filter's reasons, in stage order, without duplicates (empty: feasible)."""
    found: tuple[str, ...] = ()
    for stage in filters:
        reasons = stage.reasons(instance, demand, group)
        if reasons:
            found += reasons
    return tuple(dict.fromkeys(found)) if len(found) > 1 else found


def survivors(
    filters: Sequence[PlacementFilter],
    instances: list[InstanceSnapshot],
    demand: TaskDemand,
    group: str | None,
) -> list[InstanceSnapshot]:
    """The instances every filter keeps, stage by stage (each stage sees only the survivors
    of the previous ones, as in ECS's pipeline); full reasons are worked out only when they
    are reported (:func:`rejection`)."""
    for stage in filters:
        instances = stage.keep(instances, demand, group)
    return instances
