"""Checks of placement constraints and strategies before any placement work.

Limits (ecs-reference §1.2, §2.1): at most :data:`MAX_CONSTRAINTS` constraints (task
definition and request together — the caller passes both) and :data:`MAX_STRATEGIES`
strategies; a memberOf expression at most :data:`MAX_EXPRESSION_LENGTH` characters.
Pure.
"""

from __future__ import annotations

from collections.abc import Sequence

from dockyard.domain.errors import InvalidParameterException
from dockyard.placement.filters import build_filters
from dockyard.placement.model import PlacementConstraint, PlacementStrategy
from dockyard.placement.strategies import build_strategies

MAX_CONSTRAINTS = 10
MAX_STRATEGIES = 5
MAX_EXPRESSION_LENGTH = 2000


def validate_placement(
    constraints: Sequence[PlacementConstraint], strategies: Sequence[PlacementStrategy]
) -> None:
    """Raise InvalidParameterException when ECS would refuse these constraints or strategies.

    A malformed memberOf expression raises the query language's ``QueryError`` (an
    InvalidParameterException carrying the error's position).
    """
    if len(constraints) > MAX_CONSTRAINTS:
        raise InvalidParameterException(
            f"Too many placement constraints: {len(constraints)}; the maximum is "
            f"{MAX_CONSTRAINTS} (task definition and request together)."
        )
    if len(strategies) > MAX_STRATEGIES:
        raise InvalidParameterException(
            f"Too many placement strategies: {len(strategies)}; the maximum is {MAX_STRATEGIES}."
        )
    for constraint in constraints:
        _check_constraint(constraint)
    build_strategies(strategies)
    build_filters(constraints)


def _check_constraint(constraint: PlacementConstraint) -> None:
    expression = constraint.expression
    if constraint.type == "distinctInstance" and expression:
        raise InvalidParameterException(
            "An expression cannot be specified for a distinctInstance placement constraint."
        )
    if constraint.type == "memberOf":
        if not expression or not expression.strip():
            raise InvalidParameterException(
                "An expression is required for a memberOf placement constraint."
            )
        if len(expression) > MAX_EXPRESSION_LENGTH:
            raise InvalidParameterException(
                f"Placement constraint expression is longer than {MAX_EXPRESSION_LENGTH} "
                "characters."
            )
