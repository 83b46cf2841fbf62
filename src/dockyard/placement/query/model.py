"""The query language's values: the target it reads, the compiled query, its error. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from dockyard.domain.errors import InvalidParameterException

__all__ = ["MAX_EXPRESSION_LENGTH", "Matcher", "Query", "QueryError", "QueryTarget"]

MAX_EXPRESSION_LENGTH = 2000
"""ECS: a constraint expression is at most 2,000 characters (PlacementConstraint.expression)."""


class QueryTarget(Protocol):
    """What an expression looks at (the placement engine's ``InstanceSnapshot`` implements it).

    ``attributes`` maps a name to its value, ``None`` for a name-only attribute (the agent's
    capabilities); ``registered_at`` is UTC-aware; ``task_groups`` are the groups of the
    instance's tasks whose desiredStatus is RUNNING.
    """

    @property
    def instance_id(self) -> str: ...
    @property
    def ec2_instance_id(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, str | None]: ...
    @property
    def agent_connected(self) -> bool: ...
    @property
    def agent_version(self) -> str | None: ...
    @property
    def registered_at(self) -> datetime | None: ...
    @property
    def running_tasks_count(self) -> int: ...
    @property
    def task_groups(self) -> frozenset[str]: ...


class QueryError(InvalidParameterException):
    """A malformed expression; ``position`` is the 0-based offset of the problem in it.

    The message names the position the way ECS does:
    ``Invalid query expression at position 17: expected an operator after 'attribute:stack'``.
    """

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"Invalid query expression at position {position}: {message}")
        self.position = position
        self.reason = message


Matcher = Callable[[QueryTarget], bool]
"""A compiled expression (or part of one): a closure over precompiled values."""


@dataclass(frozen=True, slots=True, eq=False)
class Query:
    """A compiled expression: parsed and type-checked once, evaluated many times.

    Invariant: ``matches`` never raises and never re-parses; it reads only the target.
    """

    text: str
    _matcher: Matcher = field(repr=False)
    _subjects: frozenset[str] = field(repr=False)

    def matches(self, target: QueryTarget) -> bool:
        """Whether ``target`` satisfies the expression."""
        return self._matcher(target)

    def subjects(self) -> frozenset[str]:
        """The subjects the expression reads, canonically spelled, e.g.
        ``{"attribute:ecs.availability-zone", "task:group"}`` (for explain output)."""
        return self._subjects
