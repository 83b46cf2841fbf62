"""The AWS JSON 1.0 / 1.1 body codec: request JSON to Python values, results to response JSON.

Decoding follows the input shape: timestamps (epoch numbers or ISO text) become aware UTC
datetimes, blobs (base64) become bytes, ``"NaN"``/``"Infinity"`` become floats, integral
numbers for integer members become ints. ``null`` members count as absent. Members the shape
does not know are ignored, as AWS's JSON services do (clients may be newer than the model).
A JSON value of the wrong kind is a :class:`~.violations.ShapeMismatch`, which the caller turns
into a ``SerializationException``.

Encoding follows the output shape: ``None`` and unknown members are dropped, datetimes become
epoch seconds (millisecond precision), bytes become base64.

Pure functions over compiled :mod:`.schema` nodes.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

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

__all__ = ["MalformedJson", "decode_request", "encode_response", "json_dumps", "json_type"]


class MalformedJson(ValueError):
    """The body is not a JSON object at all (bad syntax, bad encoding or not an object)."""


def decode_request(node: Node | None, body: bytes) -> dict[str, Any]:
    """Python params for a JSON request ``body`` read as ``node``; an empty body is ``{}``.

    Raises :class:`MalformedJson` or :class:`ShapeMismatch` (with the member path).
    """
    if not body.strip():
        document: Any = {}
    else:
        try:
            document = json.loads(body)
        except (ValueError, UnicodeDecodeError) as exc:
            raise MalformedJson(f"Request body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise MalformedJson(f"Request body must be a JSON object, not {json_type(document)}.")
    if node is None:
        return {}
    return _structure(node, document)


def json_type(value: Any) -> str:
    """The JSON name of a decoded value's type (``object``, ``array``, ``number``...)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, dict):
        return "object"
    if isinstance(value, list):
        return "array"
    if isinstance(value, str):
        return "string"
    return "number"


def _structure(node: Node, value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ShapeMismatch("object", value, json_type(value))
    out: dict[str, Any] = {}
    by_wire = node.by_wire
    for key, item in value.items():
        field = by_wire.get(key)
        if field is None or item is None:
            continue
        child = field.node
        if child.kind == STRING and type(item) is str:
            out[field.name] = item
            continue
        try:
            out[field.name] = _DECODERS[child.kind](child, item)
        except ShapeMismatch as exc:
            raise exc.add(field.path_name) from None
    return out


def _list(node: Node, value: Any) -> list[Any]:
    if type(value) is not list:
        raise ShapeMismatch("array", value, json_type(value))
    member = node.member
    assert member is not None
    if member.kind == STRING and all(type(item) is str for item in value):
        return value
    decode = _DECODERS[member.kind]
    out: list[Any] = []
    for index, item in enumerate(value):
        try:
            out.append(None if item is None else decode(member, item))
        except ShapeMismatch as exc:
            raise exc.add(f"{index + 1}.member") from None
    return out


def _map(node: Node, value: Any) -> dict[str, Any]:
    if type(value) is not dict:
        raise ShapeMismatch("object", value, json_type(value))
    member = node.value
    assert member is not None
    decode = _DECODERS[member.kind]
    out: dict[str, Any] = {}
    for key, item in value.items():
        try:
            out[key] = None if item is None else decode(member, item)
        except ShapeMismatch as exc:
            raise exc.add(key) from None
    return out


def _string(node: Node, value: Any) -> str:
    if type(value) is not str:
        raise ShapeMismatch("string", value, json_type(value))
    return value


def _integer(node: Node, value: Any) -> int:
    if type(value) is int:
        return value
    if type(value) is float and value.is_integer():
        return int(value)
    raise ShapeMismatch("integer", value, json_type(value))


def _float(node: Node, value: Any) -> float:
    try:
        return scalars.parse_float(value)
    except ValueError:
        raise ShapeMismatch("number", value, json_type(value)) from None


def _boolean(node: Node, value: Any) -> bool:
    if type(value) is not bool:
        raise ShapeMismatch("boolean", value, json_type(value))
    return value


def _timestamp(node: Node, value: Any) -> Any:
    try:
        return scalars.parse_timestamp(value)
    except ValueError:
        raise ShapeMismatch("timestamp", value, json_type(value)) from None


def _blob(node: Node, value: Any) -> bytes:
    if type(value) is not str:
        raise ShapeMismatch("base64 string", value, json_type(value))
    try:
        return scalars.decode_blob(value)
    except ValueError:
        raise ShapeMismatch("valid base64", value, "string") from None


def _document(node: Node, value: Any) -> Any:
    return value


_DECODERS: dict[str, Callable[[Node, Any], Any]] = {
    STRUCTURE: _structure,
    LIST: _list,
    MAP: _map,
    STRING: _string,
    INTEGER: _integer,
    FLOAT: _float,
    BOOLEAN: _boolean,
    TIMESTAMP: _timestamp,
    BLOB: _blob,
    DOCUMENT: _document,
}


# --- responses ---------------------------------------------------------------------------

_VERBATIM = frozenset({STRING, INTEGER, BOOLEAN, DOCUMENT})


def encode_response(node: Node | None, result: Mapping[str, Any]) -> bytes:
    """The JSON body for ``result`` shaped by ``node`` (``{}`` when the operation has none)."""
    return json_dumps(_out_structure(node, result) if node is not None else {})


def json_dumps(document: Any) -> bytes:
    """Compact UTF-8 JSON (non-ASCII escaped, so any Python ``str`` encodes)."""
    return json.dumps(document, separators=(",", ":")).encode("utf-8")


def _out(node: Node, value: Any) -> Any:
    kind = node.kind
    if kind in _VERBATIM:
        return value
    if kind == STRUCTURE:
        return _out_structure(node, value)
    if kind == LIST:
        member = node.member
        assert member is not None
        return [_out(member, item) for item in value if item is not None]
    if kind == MAP:
        member = node.value
        assert member is not None
        return {str(k): _out(member, v) for k, v in value.items() if v is not None}
    if kind == TIMESTAMP:
        return scalars.epoch_seconds(value)
    if kind == BLOB:
        return scalars.encode_blob(value)
    return scalars.float_out(float(value))


def _out_structure(node: Node, value: Mapping[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    by_name = node.by_name
    for key, item in value.items():
        field = by_name.get(key)
        if field is None or item is None:
            continue
        child = field.node
        out[field.wire_name] = item if child.kind in _VERBATIM else _out(child, item)
    return out
