"""Test support for the protocol layer: a shared catalog, a valid-value generator per botocore
shape, and botocore's own client-side request serialiser and response parser as the oracle.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterator, Mapping
from typing import Any

import botocore.model
from botocore.awsrequest import create_request_object, prepare_request_dict
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from dockyard.api.protocol import ALL_SERVICES, Catalog, ServiceSpec

CATALOG = Catalog()
ENDPOINT = "https://dockyard.test"
UTC = datetime.UTC

REQUEST_TIME = datetime.datetime(2024, 5, 1, 12, 30, 45, tzinfo=UTC)
"""Whole seconds: botocore's JSON serializer sends request timestamps as integer seconds."""
RESPONSE_TIME = datetime.datetime(2024, 5, 1, 12, 30, 45, 123000, tzinfo=UTC)
"""Millisecond precision, as AWS answers."""


class Infeasible(Exception):
    """No valid value fits in the depth budget (a required member recurses forever)."""


class ValueGenerator:
    """Builds a value that satisfies a shape's model: enums, min/max, required members.

    Deterministic: choices rotate with a counter. Structures get every member until
    ``max_depth``, then only the required ones; unions get exactly one member.
    ``skip_empty`` drops members whose value would be an empty structure or map (the query
    protocol cannot carry them: they serialise to nothing).
    """

    def __init__(self, *, max_depth: int = 5, skip_empty: bool = False,
                 time: datetime.datetime = REQUEST_TIME) -> None:
        self._counter = itertools.count()
        self._max_depth = max_depth
        self._skip_empty = skip_empty
        self._time = time

    def value(self, shape: botocore.model.Shape, depth: int = 0) -> Any:
        if depth > self._max_depth + 6:
            raise Infeasible(shape.name)
        method = getattr(self, f"_{shape.type_name}")
        return method(shape, depth)

    def _structure(self, shape: Any, depth: int) -> Any:
        if shape.is_document_type:
            return {"doc": [1, "two", {"three": True}]}
        required = set(shape.required_members)
        out: dict[str, Any] = {}
        for name, member in shape.members.items():
            if member.serialization.get("eventstream"):
                continue
            if name not in required and (depth >= self._max_depth or shape.is_tagged_union):
                continue
            try:
                value = self.value(member, depth + 1)
            except Infeasible:
                if name in required:
                    raise
                continue
            if self._skip_empty and value == {} and name not in required:
                continue
            out[name] = value
        if not out and shape.members and (shape.is_tagged_union or self._skip_empty):
            out = self._one_member(shape, depth)
        return out

    def _one_member(self, shape: Any, depth: int) -> dict[str, Any]:
        for name, member in shape.members.items():
            try:
                return {name: self.value(member, depth + 1)}
            except Infeasible:
                continue
        raise Infeasible(shape.name)

    def _list(self, shape: Any, depth: int) -> list[Any]:
        count = int(_clamp(2, shape.metadata.get("min"), shape.metadata.get("max")))
        if depth >= self._max_depth:
            count = max(int(shape.metadata.get("min", 0)), 0)
        return [self.value(shape.member, depth + 1) for _ in range(count)]

    def _map(self, shape: Any, depth: int) -> dict[Any, Any]:
        count = int(_clamp(2, shape.metadata.get("min"), shape.metadata.get("max")))
        keys: list[Any] = []
        for _ in range(count * 4):
            key = self.value(shape.key, depth + 1)
            if key not in keys:
                keys.append(key)
            if len(keys) == count:
                break
        return {key: self.value(shape.value, depth + 1) for key in keys}

    def _string(self, shape: Any, depth: int) -> str:
        n = next(self._counter)
        if shape.enum:
            return str(shape.enum[n % len(shape.enum)])
        text = f"v{n}-{shape.name}"
        low = int(shape.metadata.get("min", 0))
        high = int(shape.metadata.get("max", 10_000))
        text = text[:high]
        return text + "x" * (low - len(text))

    def _integer(self, shape: Any, depth: int) -> int:
        return int(_clamp(3 + next(self._counter) % 5, shape.metadata.get("min"),
                          shape.metadata.get("max")))

    _long = _integer

    def _double(self, shape: Any, depth: int) -> float:
        return float(_clamp(2.5, shape.metadata.get("min"), shape.metadata.get("max")))

    _float = _double

    def _boolean(self, shape: Any, depth: int) -> bool:
        return next(self._counter) % 2 == 0

    def _timestamp(self, shape: Any, depth: int) -> Any:
        return self._time

    def _blob(self, shape: Any, depth: int) -> bytes:
        return b"\x00\x01blob\xff"[: int(shape.metadata.get("max", 8))]


def _clamp(value: float, low: float | None, high: float | None) -> float:
    if low is not None and value < low:
        value = low
    if high is not None and value > high:
        value = high
    return value


# --- the oracle: botocore's client side ---------------------------------------------------


def operations(*, protocol: str | None = None) -> Iterator[tuple[ServiceSpec, str]]:
    """Every (spec, operation name) of every served service and wire protocol."""
    for name in ALL_SERVICES:
        for proto in ("json", "query"):
            if protocol is not None and proto != protocol:
                continue
            try:
                spec = CATALOG.get(name, protocol=proto)
            except KeyError:
                continue
            for op in spec.model.operation_names:
                yield spec, op


def op_id(spec: ServiceSpec, op: str) -> str:
    return f"{spec.name}.{spec.protocol}.{op}"


def client_request(
    spec: ServiceSpec, op: str, params: Mapping[str, Any]
) -> tuple[dict[str, str], bytes]:
    """Headers (lower-case) and body exactly as botocore's client would send them (unsigned)."""
    operation = spec.model.operation_model(op)
    request = create_serializer(spec.protocol).serialize_to_request(params, operation)
    prepare_request_dict(request, endpoint_url=ENDPOINT)
    prepared = create_request_object(request).prepare()
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return {k.lower(): v for k, v in prepared.headers.items()}, body


def client_parse(
    spec: ServiceSpec,
    op: str | None,
    response: tuple[int, dict[str, str], bytes],
) -> dict[str, Any]:
    """What botocore's client makes of our response (``ResponseMetadata`` removed)."""
    status, headers, body = response
    shape = None if op is None else spec.model.operation_model(op).output_shape
    if status >= 300:
        shape = None
    parsed: dict[str, Any] = create_parser(spec.protocol).parse(
        {"status_code": status, "headers": headers, "body": body}, shape
    )
    parsed.pop("ResponseMetadata", None)
    return parsed


def has_event_stream(spec: ServiceSpec, op: str) -> bool:
    operation = spec.model.operation_model(op)
    return bool(operation.get_event_stream_output() or operation.get_event_stream_input())


def canonical(shape: Any, value: Any) -> Any:
    """``value`` as botocore's parser yields it: unknown/None members gone, timestamps parsed."""
    from botocore.utils import parse_timestamp

    if shape is None or value is None:
        return value
    kind = shape.type_name
    if kind == "structure" and not shape.is_document_type:
        members = shape.members
        return {
            k: canonical(members[k], v) for k, v in value.items() if k in members and v is not None
        }
    if kind == "list":
        return [canonical(shape.member, v) for v in value if v is not None]
    if kind == "map":
        return {k: canonical(shape.value, v) for k, v in value.items() if v is not None}
    if kind == "timestamp" and not isinstance(value, datetime.datetime):
        return parse_timestamp(value)
    if kind in ("double", "float"):
        return float(value)
    return value
