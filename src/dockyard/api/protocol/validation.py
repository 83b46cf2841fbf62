"""Model validation of request params: required, type, enum, range and length — every violation.

What is checked, per compiled shape (:mod:`.schema`):

* required members present (``Member must not be null``);
* Python type per shape type (``bool`` is not a number);
* enum membership, numeric ``min``/``max``, and ``min``/``max`` length of strings, blobs,
  lists and maps.

What is not: ``pattern`` (ECS does not enforce it through the model path), tagged-union
"exactly one member", and unknown members (ignored, as AWS's JSON services ignore them).

Violations use AWS's wording and paths (:mod:`.violations`). A list of scalars or a map is
reported once, at the container, as AWS does: ``Member must satisfy constraint: [...]``,
``Map keys must satisfy constraint: [...]``, ``Map value must satisfy constraint: [...]``.

Hot path: the walk visits only the members present plus the required ones; path strings are
built only for containers and for violations. Pure.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from dockyard.api.protocol.schema import (
    BLOB,
    BOOLEAN,
    CONTAINERS,
    DOCUMENT,
    FLOAT,
    INTEGER,
    LIST,
    MAP,
    STRING,
    STRUCTURE,
    TIMESTAMP,
    Node,
)
from dockyard.api.protocol.violations import element, join, violation

__all__ = ["NOT_NULL", "check"]

NOT_NULL = "Member must not be null"

_PY_TYPES: dict[str, Any] = {  # shape kind -> what isinstance accepts
    STRUCTURE: Mapping,
    LIST: (list, tuple),
    MAP: Mapping,
    STRING: str,
    INTEGER: int,
    FLOAT: (int, float),
    BOOLEAN: bool,
    TIMESTAMP: datetime.datetime,
    BLOB: (bytes, bytearray),
    DOCUMENT: object,
}
_CONTAINER_TYPES = {STRUCTURE: dict, LIST: list, MAP: dict}  # the common case, tested first
_NUMBERS = frozenset({INTEGER, FLOAT})
_MEASURED_BY_LENGTH = frozenset({STRING, BLOB, LIST, MAP})
_BOUNDED = _NUMBERS | _MEASURED_BY_LENGTH


def check(node: Node, params: Mapping[str, Any]) -> list[str]:
    """Every violation in ``params`` (an input structure), as AWS-worded strings, in order."""
    out: list[str] = []
    _structure(node, params, "", out)
    return out


def _structure(node: Node, value: Mapping[str, Any], path: str, out: list[str]) -> None:
    for required in node.required:
        if value.get(required.name) is None:
            out.append(violation(None, join(path, required.path_name), NOT_NULL))
    by_name = node.by_name
    for key, item in value.items():
        field = by_name.get(key)
        if field is None or item is None:
            continue
        child = field.node
        if type(item) is child.free_type:
            continue
        if child.kind in CONTAINERS:
            _container(child, item, join(path, field.path_name), out)
            continue
        problems = _scalar(child, item)
        if problems:
            where = join(path, field.path_name)
            out.extend(violation(item, where, problem) for problem in problems)


def _container(node: Node, value: Any, path: str, out: list[str]) -> None:
    """Check a structure, list or map value found at ``path``."""
    kind = node.kind
    if type(value) is not _CONTAINER_TYPES[kind] and not isinstance(value, _PY_TYPES[kind]):
        out.append(violation(value, path, f"Member must be of type {node.kind}"))
        return
    if kind == STRUCTURE:
        _structure(node, value, path, out)
        return
    if node.min is not None or node.max is not None:
        out.extend(violation(value, path, problem) for problem in _bounds(node, len(value)))
    if kind == LIST:
        _list(node, value, path, out)
    else:
        _map(node, value, path, out)


def _list(node: Node, value: list[Any], path: str, out: list[str]) -> None:
    member = node.member
    assert member is not None
    if member.kind in CONTAINERS:
        for index, item in enumerate(value):
            if item is None:
                out.append(violation(None, element(path, index), NOT_NULL))
            else:
                _container(member, item, element(path, index), out)
        return
    problems = _collect(member, value)
    if problems:
        out.append(violation(value, path, f"Member must satisfy constraint: [{problems}]"))


def _map(node: Node, value: Mapping[Any, Any], path: str, out: list[str]) -> None:
    key_node, value_node = node.key, node.value
    assert key_node is not None and value_node is not None
    key_problems = _collect(key_node, value)
    if key_problems:
        out.append(violation(value, path, f"Map keys must satisfy constraint: [{key_problems}]"))
    if value_node.kind in CONTAINERS:
        for key, item in value.items():
            if item is None:
                out.append(violation(None, join(path, str(key)), NOT_NULL))
            else:
                _container(value_node, item, join(path, str(key)), out)
        return
    value_problems = _collect(value_node, value.values())
    if value_problems:
        out.append(violation(value, path, f"Map value must satisfy constraint: [{value_problems}]"))


def _collect(node: Node, items: Any) -> str:
    """The distinct problems of scalar ``items``, joined AWS-style (``""`` when none)."""
    free = node.free_type
    if free is not None and all(type(item) is free for item in items):
        return ""
    seen: list[str] = []
    for item in items:
        problems = [NOT_NULL] if item is None else _scalar(node, item)
        for problem in problems or ():
            if problem not in seen:
                seen.append(problem)
    return ", ".join(seen)


def _scalar(node: Node, value: Any) -> list[str] | None:
    """Problems of one scalar value, or ``None`` when it satisfies its shape."""
    kind = node.kind
    if not isinstance(value, _PY_TYPES[kind]) or (kind in _NUMBERS and isinstance(value, bool)):
        return [f"Member must be of type {kind}"]
    problems = None
    if node.enum is not None and value not in node.enum:
        problems = [f"Member must satisfy enum value set: [{', '.join(node.enum_order)}]"]
    if (node.min is None and node.max is None) or kind not in _BOUNDED:
        return problems
    measure = len(value) if kind in _MEASURED_BY_LENGTH else value
    bounds = _bounds(node, measure)
    if bounds:
        problems = (problems or []) + bounds
    return problems


def _bounds(node: Node, measure: Any) -> list[str]:
    """Problems of ``measure`` (a length or a number) against the shape's ``min``/``max``."""
    if node.min is None and node.max is None:
        return []
    noun = "length" if node.kind in _MEASURED_BY_LENGTH else "value"
    problems = []
    if node.min is not None and measure < node.min:
        problems.append(f"Member must have {noun} greater than or equal to {node.min}")
    if node.max is not None and measure > node.max:
        problems.append(f"Member must have {noun} less than or equal to {node.max}")
    return problems
