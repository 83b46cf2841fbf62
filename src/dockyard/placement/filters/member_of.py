"""memberOf: the instance must satisfy a cluster query language expression."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from dockyard.placement import reasons as R
from dockyard.placement.model import InstanceSnapshot, PlacementConstraint, TaskDemand

if TYPE_CHECKING:
    from dockyard.placement.query import Query


@dataclass(frozen=True, slots=True)
class MemberOfFilter:
    """``MemberOf placement constraint unsatisfied.`` when the query does not match.

    Dynamic: an expression may read ``runningTasksCount`` or ``task:group``, which this batch's
    proposals change (``not(task:group == service:web)`` keeps a batch off its own instances).
    """

    query: Query
    dynamic: bool = True

    @classmethod
    def from_constraint(cls, constraint: PlacementConstraint) -> MemberOfFilter:
        """Compiles (cached) the expression; raises ``QueryError`` if it is malformed.

        The query language is imported here, on first use, so the engine does not depend on
        it at import time (it is a sibling package built separately)."""
        from dockyard.placement.query import compile_cached

        return cls(compile_cached(constraint.expression or ""))

    def reasons(
        self, instance: InstanceSnapshot, demand: TaskDemand, group: str | None
    ) -> tuple[str, ...]:
        return () if self.query.matches(instance) else (R.MEMBER_OF,)

    def keep(
        self, instances: list[InstanceSnapshot], demand: TaskDemand, group: str | None
    ) -> list[InstanceSnapshot]:
        matches = self.query.matches
        return [i for i in instances if matches(i)]
