"""Compiled predicates: one closure per ``subject operator argument``, type-checked at compile
time (a bad literal is a :class:`QueryError` with its position), cheap to evaluate. Pure."""

from __future__ import annotations

import operator
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from dockyard.placement.query.model import Predicate, QueryError, QueryTarget

__all__ = ["build_predicate"]

_NEGATIVE = frozenset({"!=", "not_in", "!~"})
_ORDERED = frozenset({">", ">=", "<", "<="})


def build_predicate(name: str, op: str, values: list[str], position: int) -> Predicate:
    if name.startswith("attribute:"):
        key = name[len("attribute:") :]

        def attribute(t: QueryTarget) -> object:
            return t.attributes.get(key) if key in t.attributes else _MISSING

        return _string_predicate(attribute, op, values, position, name)
    if name == "task:group":
        return _group_predicate(op, values, position)
    if name == "runningTasksCount":
        return _ordered(
            lambda t: t.running_tasks_count, op, [_int(v, position) for v in values], position, name
        )
    if name == "agentVersion":
        return _ordered(
            lambda t: _version(t.agent_version or "") if t.agent_version else None,
            op,
            [_version(v) for v in values],
            position,
            name,
        )
    if name == "registeredAt":
        return _ordered(
            lambda t: t.registered_at, op, [_instant(v, position) for v in values], position, name
        )
    if name == "agentConnected":
        flags = [_bool(v, position) for v in values]
        if op in _ORDERED:
            raise QueryError(f"{op} does not apply to agentConnected", position)
        return _string_predicate(
            lambda t: "true" if t.agent_connected else "false",
            op,
            ["true" if f else "false" for f in flags],
            position,
            name,
        )
    if op in _ORDERED:
        raise QueryError(f"{op} does not apply to {name}", position)
    return _string_predicate(lambda t: t.ec2_instance_id, op, values, position, name)


class _Missing:
    pass


_MISSING = _Missing()


def _string_predicate(
    get: Callable[[QueryTarget], object], op: str, values: list[str], position: int, name: str
) -> Predicate:
    if op in _ORDERED:
        raise QueryError(f"{op} does not apply to {name}", position)
    pattern = _regex(values[0], position) if op in ("=~", "!~") else None
    wanted = frozenset(values)

    def positive(value: object) -> bool:
        if not isinstance(value, str):
            return False
        return bool(pattern.fullmatch(value)) if pattern is not None else value in wanted

    if op in _NEGATIVE:
        return lambda t: not positive(get(t))
    return lambda t: positive(get(t))


def _group_predicate(op: str, values: list[str], position: int) -> Predicate:
    if op in _ORDERED:
        raise QueryError(f"{op} does not apply to task:group", position)
    pattern = _regex(values[0], position) if op in ("=~", "!~") else None
    wanted = frozenset(values)

    def some(t: QueryTarget) -> bool:
        if pattern is not None:
            return any(pattern.fullmatch(g) for g in t.task_groups)
        return not wanted.isdisjoint(t.task_groups)

    if op in _NEGATIVE:
        return lambda t: not some(t)
    return some


def _ordered(
    get: Callable[[QueryTarget], object], op: str, values: list[object], position: int, name: str
) -> Predicate:
    if op in ("=~", "!~"):
        raise QueryError(f"{op} does not apply to {name}", position)
    if op in ("in", "not_in"):
        negate = op == "not_in"
        return lambda t: (get(t) in values) is not negate
    fn, bound = _COMPARE[op], values[0]

    def check(t: QueryTarget) -> bool:
        actual = get(t)
        if actual is None:
            return op == "!="
        return fn(actual, bound)

    return check


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _regex(text: str, position: int) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {text!r}: {exc}", position) from None


def _int(text: str, position: int) -> int:
    if not text.lstrip("-").isdigit():
        raise QueryError(f"runningTasksCount compares with integers, not {text!r}", position)
    return int(text)


def _bool(text: str, position: int) -> bool:
    if text.lower() not in ("true", "false"):
        raise QueryError(f"agentConnected is true or false, not {text!r}", position)
    return text.lower() == "true"


def _version(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts)


def _instant(text: str, position: int) -> datetime:
    value = text.replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(
            f"registeredAt compares with dates like 2018-06-18T22:28:28Z, not {text!r}", position
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
