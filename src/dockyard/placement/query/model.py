"""The query language's values: the target it reads, the compiled query, its error. Pure."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from dockyard.domain.errors import InvalidParameterException

__all__ = ["MAX_EXPRESSION_LENGTH", "Predicate", "Query", "QueryError", "QueryTarget"]

MAX_EXPRESSION_LENGTH = 2000
"""ECS: a constraint expression is at most 2,000 characters."""


class QueryTarget(Protocol):
    """What an expression looks at (the placement engine's ``InstanceSnapshot``)."""

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
    """A malformed expression; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"Invalid query expression at position {position}: {message}")
        self.position = position


Predicate = Callable[[QueryTarget], bool]


@dataclass(frozen=True, slots=True, eq=False)
class Query:
    """A compiled expression."""

    text: str
    _predicate: Predicate
    _subjects: frozenset[str]

    def matches(self, target: QueryTarget) -> bool:
        return self._predicate(target)

    def subjects(self) -> frozenset[str]:
        return self._subjects
