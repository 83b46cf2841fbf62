"""Placement strategies: how the feasible instances are ranked, one small class per module.

Each strategy contributes one component to a lexicographic key per candidate instance (less
is better); the first strategy decides, later ones break its ties, and the injected rng breaks
whatever is left (ecs-reference §1.2, STYLE guideline 5). Strategies are found by their ECS
``type`` in :data:`STRATEGIES`.

A component is one of three kinds, which lets the engine avoid rescoring every instance after
each placement:

* **per instance** (binpack, spread on ``instanceId`` / ``host``): a function of the instance
  alone; only the chosen instance's value changes after a placement.
* **shared** (spread on ``attribute:<name>``): the count of the group's tasks over every
  instance with the same attribute value (a *bucket*); a placement changes one bucket's count.
* **random**: the instance's random clock (see the engine).

For scale-in the same strategies rank *tasks* to stop (:mod:`dockyard.placement.scale_in`).
Pure.
"""

from __future__ import annotations

from collections.abc import Hashable, Sequence
from typing import Protocol

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.model import InstanceSnapshot, PlacementStrategy, RunningTask, TaskDemand
from dockyard.placement.strategies.binpack import BinpackStrategy
from dockyard.placement.strategies.random import RandomStrategy
from dockyard.placement.strategies.spread import SpreadStrategy

__all__ = [
    "AVAILABILITY_ZONE",
    "DEFAULT_SERVICE_STRATEGIES",
    "STRATEGIES",
    "RankingStrategy",
    "build_strategies",
]

AVAILABILITY_ZONE = "attribute:ecs.availability-zone"

DEFAULT_SERVICE_STRATEGIES: tuple[PlacementStrategy, ...] = (
    PlacementStrategy("spread", AVAILABILITY_ZONE),
    PlacementStrategy("spread", "instanceId"),
)
"""ECS's rule for a service with no strategy (ecs-reference §1.2 "Defaults"): fewest tasks of
the service in the instance's AZ first, then fewest on the instance; scale-in mirrors it."""


class RankingStrategy(Protocol):
    """One component of the placement key (see the module docstring for the three kinds)."""

    @property
    def label(self) -> str:
        """``"<type> <field>"`` as ``explain`` prints it."""
        ...

    @property
    def shared(self) -> bool: ...

    @property
    def random(self) -> bool: ...

    def bucket(self, instance: InstanceSnapshot) -> Hashable:
        """The spread value the instance counts under (spread only)."""
        ...

    def placement_key(self, instance: InstanceSnapshot, demand: TaskDemand, group: str) -> int:
        """Per-instance component for placing ``demand`` (less is better)."""
        ...

    def stop_key(self, instance: InstanceSnapshot, task: RunningTask, bucket_count: int) -> int:
        """Component for stopping ``task`` (less stops first); ``bucket_count`` is how many of
        the tasks count in the instance's bucket (spread: the fullest bucket stops first)."""
        ...


STRATEGIES: dict[str, type[BinpackStrategy] | type[SpreadStrategy] | type[RandomStrategy]] = {
    "binpack": BinpackStrategy,
    "spread": SpreadStrategy,
    "random": RandomStrategy,
}
"""ECS strategy ``type`` → its class; each has ``from_strategy(PlacementStrategy)``."""


def build_strategies(strategies: Sequence[PlacementStrategy]) -> tuple[RankingStrategy, ...]:
    """One ranking component per strategy, in request order; empty means random (RunTask).

    Raises InvalidParameterException for an unknown type or a field the type does not take.
    """
    built: list[RankingStrategy] = []
    for strategy in strategies:
        cls = STRATEGIES.get(strategy.type)
        if cls is None:
            raise InvalidParameterException(f"Unsupported placement strategy type: {strategy.type}")
        built.append(cls.from_strategy(strategy))
    return tuple(built) or (RandomStrategy(),)
