"""The AWS query protocol's request side: a form (``Action=...&A.member.1=x``) to Python values.

botocore's query conventions, inverted:

* structure members nest with dots: ``LoadBalancer.Scheme=internal``;
* lists are ``Name.member.N`` (or ``Name.<locationName>.N``; ``Name.N`` when flattened); an
  empty list is sent as a bare ``Name=``;
* maps are ``Name.entry.N.key`` / ``Name.entry.N.value`` (``Name.N.key`` when flattened);
* scalars are text: ``true``/``false``, decimal numbers, ISO-8601 timestamps, base64 blobs.

``Action`` and ``Version`` are routing, not parameters; names the shape does not know are
ignored. A malformed value raises :class:`~.violations.ShapeMismatch` with its member path.
Pure functions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import parse_qsl

from dockyard.api.protocol import scalars
from dockyard.api.protocol.schema import (
    BLOB,
    BOOLEAN,
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
from dockyard.api.protocol.violations import ShapeMismatch

__all__ = ["decode_form", "form_pairs"]

_ROUTING = ("Action", "Version")

Tree = dict[str, Any]
"""Parameter names split on dots: leaves are the raw text values."""


def form_pairs(body: bytes, query_string: str = "") -> list[tuple[str, str]]:
    """Name/value pairs of the query string then the urlencoded body (blank values kept).

    Raises ``UnicodeDecodeError`` when the body is not UTF-8.
    """
    pairs = parse_qsl(query_string, keep_blank_values=True) if query_string else []
    if body:
        pairs.extend(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    return pairs


def decode_form(node: Node | None, pairs: Iterable[tuple[str, str]]) -> dict[str, Any]:
    """Python params for the form ``pairs`` read as the input shape ``node``."""
    tree = _tree(name_value for name_value in pairs if name_value[0] not in _ROUTING)
    if node is None:
        return {}
    return _structure(node, tree)


def _tree(pairs: Iterable[tuple[str, str]]) -> Tree:
    root: Tree = {}
    for name, value in pairs:
        parts = name.split(".")
        branch = root
        for depth, part in enumerate(parts[:-1]):
            child = branch.setdefault(part, {})
            if not isinstance(child, dict):
                raise _conflict(parts[: depth + 1], child)
            branch = child
        if isinstance(branch.get(parts[-1]), dict):
            raise _conflict(parts, value)
        branch[parts[-1]] = value
    return root


def _conflict(parts: list[str], value: Any) -> ShapeMismatch:
    exc = ShapeMismatch("a single value or nested parameters, not both", value)
    for part in parts:
        exc.add(part[:1].lower() + part[1:])
    return exc


def _convert(node: Node, value: Any) -> Any:
    return _CONVERTERS[node.kind](node, value)


def _structure(node: Node, value: Any) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise ShapeMismatch("a structure", value)
    out: dict[str, Any] = {}
    for key, item in value.items():
        field = node.by_query.get(key)
        if field is None:
            continue
        try:
            out[field.name] = _convert(field.node, item)
        except ShapeMismatch as exc:
            raise exc.add(field.path_name) from None
    return out


def _list(node: Node, value: Any) -> list[Any]:
    if value == "":
        return []
    items = value if node.flattened or not isinstance(value, dict) else value.get(node.member_name)
    member = node.member
    assert member is not None
    out = []
    for index, item in _indexed(items, "a list"):
        try:
            out.append(_convert(member, item))
        except ShapeMismatch as exc:
            raise exc.add(f"{index}.member") from None
    return out


def _map(node: Node, value: Any) -> dict[str, Any]:
    if value == "":
        return {}
    entries = value if node.flattened or not isinstance(value, dict) else value.get("entry")
    key_node, value_node = node.key, node.value
    assert key_node is not None and value_node is not None
    out: dict[str, Any] = {}
    for _, entry in _indexed(entries, "a map"):
        if not isinstance(entry, dict) or not isinstance(entry.get(node.key_name), str):
            raise ShapeMismatch("a map entry with a key", entry)
        key = entry[node.key_name]
        raw = entry.get(node.value_name)
        try:
            out[key] = None if raw is None else _convert(value_node, raw)
        except ShapeMismatch as exc:
            raise exc.add(key) from None
    return out


def _indexed(items: Any, expected: str) -> list[tuple[int, Any]]:
    """``{"2": b, "1": a}`` as ``[(1, a), (2, b)]``; anything else is a mismatch."""
    if not isinstance(items, dict):
        raise ShapeMismatch(expected, items)
    try:
        numbered = [(int(index), item) for index, item in items.items()]
        return sorted(numbered, key=lambda pair: pair[0])
    except ValueError:
        raise ShapeMismatch(expected, items) from None


def _text(expected: str, parse: Callable[[str], Any]) -> Callable[[Node, Any], Any]:
    """A scalar converter: the value must be text that ``parse`` accepts."""

    def convert(node: Node, value: Any) -> Any:
        if not isinstance(value, str):
            raise ShapeMismatch(expected, value, "nested parameters")
        try:
            return parse(value)
        except ValueError:
            raise ShapeMismatch(expected, value) from None

    return convert


def _boolean(text: str) -> bool:
    lowered = text.lower()
    if lowered not in ("true", "false"):
        raise ValueError(text)
    return lowered == "true"


_CONVERTERS: dict[str, Callable[[Node, Any], Any]] = {
    STRUCTURE: _structure,
    LIST: _list,
    MAP: _map,
    STRING: _text("a string", str),
    INTEGER: _text("an integer", int),
    FLOAT: _text("a number", scalars.parse_float),
    BOOLEAN: _text("a boolean (true or false)", _boolean),
    TIMESTAMP: _text("a timestamp", scalars.parse_timestamp),
    BLOB: _text("base64 data", scalars.decode_blob),
    DOCUMENT: _text("a document", str),
}
