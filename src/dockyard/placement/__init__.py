"""Task placement: which container instance each new task runs on, and which tasks stop. Pure.

ECS's pipeline (ecs-reference §1.1) over immutable snapshots — see ``README.md`` here for the
diagram and the glossary::

    instances ─▶ eligibility ─▶ resources ─▶ required attributes ─▶ constraints
              ─▶ strategies (lexicographic, rng last) ─▶ pick ─▶ overlay, next task

* :func:`place_tasks` — RunTask / StartTask / service scale-out; a batch sees its own proposals.
* :func:`validate_placement` — ECS's checks of constraints and strategies, before any work.
* :func:`select_tasks_to_stop` — scale-in by the same strategies.
* :func:`explain` — every instance's verdict and key values (``dockyard placement explain``).
* :func:`rebalance` — a plan of moves toward binpack or spread (a Dockyard extension).

Every rejection is data: :class:`PlacementFailure` carries ECS's ``failures[].reason`` strings
(:mod:`dockyard.placement.reasons`). The cluster query language lives in
:mod:`dockyard.placement.query`.
"""

from __future__ import annotations

from dockyard.placement.engine import ANONYMOUS_GROUP, place_tasks
from dockyard.placement.explain import InstanceVerdict, StrategyValue, explain
from dockyard.placement.model import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementFailure,
    PlacementResult,
    PlacementStrategy,
    RunningTask,
    TaskDemand,
)
from dockyard.placement.rebalance import Move, RebalancePlan, rebalance
from dockyard.placement.scale_in import select_tasks_to_stop
from dockyard.placement.strategies import DEFAULT_SERVICE_STRATEGIES
from dockyard.placement.validation import (
    MAX_CONSTRAINTS,
    MAX_EXPRESSION_LENGTH,
    MAX_STRATEGIES,
    validate_placement,
)

__all__ = [
    "ANONYMOUS_GROUP",
    "DEFAULT_SERVICE_STRATEGIES",
    "MAX_CONSTRAINTS",
    "MAX_EXPRESSION_LENGTH",
    "MAX_STRATEGIES",
    "InstanceSnapshot",
    "InstanceVerdict",
    "Move",
    "PlacementConstraint",
    "PlacementFailure",
    "PlacementResult",
    "PlacementStrategy",
    "RebalancePlan",
    "RunningTask",
    "StrategyValue",
    "TaskDemand",
    "explain",
    "place_tasks",
    "rebalance",
    "select_tasks_to_stop",
    "validate_placement",
]
