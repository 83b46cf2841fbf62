"""Syntax tree → closure tree: type-checked once, cheap to evaluate. Pure.

Each :class:`Comparison` becomes one closure over precompiled values (a frozenset, a compiled
pattern, a version tuple, an aware datetime); ``and`` / ``or`` / ``not`` wrap them. No
evaluation parses, compiles or allocates beyond what reading the target costs.

Invariant: every negative operator is the exact complement of its positive one
(``!=`` ≡ ``not ==``, ``not_in`` ≡ ``not in``, ``!~`` ≡ ``not =~``, ``!exists`` ≡
``not exists``), for every subject, including a missing attribute or an absent value.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dockyard.placement.query import literals
from dockyard.placement.query.model import Matcher, QueryError, QueryTarget
from dockyard.placement.query.nodes import Comparison, Conjunction, Negation, Node

__all__ = ["ALLOWED_OPERATORS", "compile_node", "subjects"]

_STRING = ("==", "!=", "in", "not_in", "=~", "!~")
_ORDERED = ("==", "!=", ">", ">=", "<", "<=")
ALLOWED_OPERATORS: dict[str, tuple[str, ...]] = {
    "agentConnected": _STRING,
    "agentVersion": _ORDERED,
    "attribute": (*_STRING, "exists", "not_exists"),
    "ec2InstanceId": _STRING,
    "registeredAt": _ORDERED,
    "runningTasksCount": _ORDERED,
    "task:group": _STRING,
}
"""Each subject's operators: ECS's documented lists; ``attribute:<name>`` takes the string
operators and ``exists``; ``task:group`` (undocumented) the string operators."""

_NEGATED = {"!=": "==", "not_in": "in", "!~": "=~", "not_exists": "exists"}
_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def compile_node(node: Node) -> Matcher:
    """The closure for ``node``; raises :class:`QueryError` for a type error in it."""
    if isinstance(node, Comparison):
        return _comparison(node)
    if isinstance(node, Negation):
        return _not(compile_node(node.operand))
    matchers = tuple(compile_node(n) for n in node.operands)
    return _all(matchers) if isinstance(node, Conjunction) else _any(matchers)


def subjects(node: Node) -> frozenset[str]:
    """Every subject ``node`` reads."""
    if isinstance(node, Comparison):
        return frozenset({node.subject})
    if isinstance(node, Negation):
        return subjects(node.operand)
    return frozenset().union(*(subjects(n) for n in node.operands))


def _not(inner: Matcher) -> Matcher:
    return lambda t: not inner(t)


def _all(matchers: tuple[Matcher, ...]) -> Matcher:
    if len(matchers) == 2:
        first, second = matchers
        return lambda t: first(t) and second(t)

    def every(t: QueryTarget) -> bool:
        for m in matchers:  # noqa: SIM110 - a loop allocates no generator per evaluation
            if not m(t):
                return False
        return True

    return every


def _any(matchers: tuple[Matcher, ...]) -> Matcher:
    if len(matchers) == 2:
        first, second = matchers
        return lambda t: first(t) or second(t)

    def some(t: QueryTarget) -> bool:
        for m in matchers:  # noqa: SIM110 - a loop allocates no generator per evaluation
            if m(t):
                return True
        return False

    return some


# --- one comparison ----------------------------------------------------------------------


def _comparison(c: Comparison) -> Matcher:
    kind = "attribute" if c.subject.startswith("attribute:") else c.subject
    allowed = ALLOWED_OPERATORS[kind]
    if c.operator in ("exists", "not_exists") and kind != "attribute":
        raise QueryError(
            f"{c.operator_text} applies to attribute:<name> subjects only", c.operator_at
        )
    if c.operator not in allowed:
        raise QueryError(
            f"{c.operator_text} does not apply to {c.subject} (it takes {', '.join(allowed)})",
            c.argument_at,
        )
    if c.is_list and c.operator not in ("in", "not_in"):
        raise QueryError(f"a list [...] needs in / not_in, not {c.operator_text}", c.operator_at)
    positive = _NEGATED.get(c.operator, c.operator)
    try:
        matcher = _positive(kind, c, positive)
    except ValueError as exc:
        raise QueryError(str(exc), c.argument_at) from None
    return _not(matcher) if positive != c.operator else matcher


def _positive(kind: str, c: Comparison, op: str) -> Matcher:
    """The closure for ``c`` under its positive operator ``op`` (==, in, =~, exists, <...)."""
    if kind == "attribute":
        key = c.subject[len("attribute:") :]
        if op == "exists":
            return lambda t: key in t.attributes
        if op == "==":  # the hot path of memberOf, without the getter's extra call
            (wanted,) = c.values
            return lambda t: t.attributes.get(key) == wanted
        return _string(lambda t: t.attributes.get(key), op, c.values)
    if kind == "ec2InstanceId":
        return _string(operator.attrgetter("ec2_instance_id"), op, c.values)
    if kind == "task:group":
        return _groups(op, c.values)
    if kind == "agentConnected":
        return _connected(op, c.values)
    if kind == "runningTasksCount":
        bound: object = literals.count(c.values[0])
        return _ordered(operator.attrgetter("running_tasks_count"), op, bound)
    if kind == "agentVersion":
        version_of = literals.version_of
        return _ordered(lambda t: version_of(t.agent_version), op, literals.version(c.values[0]))
    assert kind == "registeredAt", kind
    return _ordered(_registered_at, op, literals.instant(c.values[0]))


def _string(get: Callable[[QueryTarget], str | None], op: str, values: tuple[str, ...]) -> Matcher:
    """==, in, =~ on one string value; ``None`` (missing, or a name-only attribute) matches
    none of them."""
    if op == "==":
        (wanted,) = values
        return lambda t: get(t) == wanted
    if op == "in":
        choices = frozenset(values)
        return lambda t: get(t) in choices
    fullmatch = literals.regex(values[0]).fullmatch

    def matches(t: QueryTarget) -> bool:
        value = get(t)
        return value is not None and fullmatch(value) is not None

    return matches


def _groups(op: str, values: tuple[str, ...]) -> Matcher:
    """==, in, =~ hold when *some* group of the instance's running tasks matches."""
    if op == "==":
        (wanted,) = values
        return lambda t: wanted in t.task_groups
    if op == "in":
        choices = frozenset(values)
        return lambda t: not choices.isdisjoint(t.task_groups)
    fullmatch = literals.regex(values[0]).fullmatch

    def some(t: QueryTarget) -> bool:
        for group in t.task_groups:  # noqa: SIM110 - as above
            if fullmatch(group) is not None:
                return True
        return False

    return some


def _connected(op: str, values: tuple[str, ...]) -> Matcher:
    """==, in, =~ against ``true`` / ``false``, decided at compile time as a set of flags."""
    if op == "=~":
        pattern: re.Pattern[str] = literals.regex(values[0])
        accepted = frozenset(f for f in (True, False) if pattern.fullmatch(str(f).lower()))
    else:
        accepted = frozenset(literals.boolean(v) for v in values)
    return lambda t: t.agent_connected in accepted


def _ordered(get: Callable[[QueryTarget], Any], op: str, bound: object) -> Matcher:
    """==, >, >=, <, <= on a comparable value; an absent value (``None``) satisfies none."""
    compare = _COMPARE[op]

    def check(t: QueryTarget) -> bool:
        actual = get(t)
        return actual is not None and compare(actual, bound)

    return check


def _registered_at(t: QueryTarget) -> datetime | None:
    moment = t.registered_at
    if moment is not None and moment.tzinfo is None:  # tolerate a naive UTC timestamp
        return moment.replace(tzinfo=UTC)
    return moment
