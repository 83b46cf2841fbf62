"""Request side of the protocol layer: parse a body into params, then validate them.

::

    body ──parse_request──► ParsedRequest.params ──validate──► handler
            │  JSON: SerializationException (400) for malformed JSON / wrong JSON kinds
            └─ query: the service's validation code (400) for malformed values

``parse_request`` only reads; ``validate`` only checks. Both are pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import botocore.model

from dockyard.api.protocol import json_wire, query_wire
from dockyard.api.protocol.catalog import ServiceSpec
from dockyard.api.protocol.schema import input_node
from dockyard.api.protocol.validation import check
from dockyard.api.protocol.violations import ShapeMismatch, summary, violation
from dockyard.domain.errors import ApiError, ValidationError

__all__ = ["ParsedRequest", "operation_for", "parse_request", "unknown_operation", "validate"]

SERIALIZATION_EXCEPTION = "SerializationException"


@dataclass(frozen=True)
class ParsedRequest:
    """A request read against its operation's input shape.

    ``params`` are boto3-kwargs-shaped Python values keyed by member names: ``str``, ``int``,
    ``float``, ``bool``, ``bytes``, aware UTC ``datetime``, ``list`` and ``dict``.
    """

    service: ServiceSpec
    operation: botocore.model.OperationModel
    params: dict[str, Any]


def operation_for(spec: ServiceSpec, operation_name: str) -> botocore.model.OperationModel:
    """The operation model, or the protocol's unknown-operation error (HTTP 400)."""
    try:
        return spec.model.operation_model(operation_name)
    except botocore.model.OperationNotFoundError:
        raise unknown_operation(spec, operation_name) from None


def unknown_operation(spec: ServiceSpec | None, operation_name: str) -> ApiError:
    """``UnknownOperationException`` (JSON) or ``InvalidAction`` (query) for ``operation_name``."""
    if spec is not None and spec.protocol == "query":
        version = spec.model.metadata.get("apiVersion", "")
        message = f"Could not find operation {operation_name} for version {version}"
        return ApiError(message, code="InvalidAction")
    return ApiError(f"Unknown operation {operation_name!r}.", code="UnknownOperationException")


def parse_request(
    spec: ServiceSpec, operation_name: str, body: bytes, *, query_string: str = ""
) -> ParsedRequest:
    """Read ``body`` (and, for query services, ``query_string``) as ``operation_name``'s input.

    Raises ``ApiError``: unknown operation; ``SerializationException`` for a JSON body that is
    malformed, not an object, or holds a member of the wrong JSON kind; the service's
    validation code for a query value that cannot be read as its shape.
    """
    operation = operation_for(spec, operation_name)
    node = input_node(spec.model, operation)
    try:
        if spec.protocol == "json":
            params = json_wire.decode_request(node, body)
        else:
            params = query_wire.decode_form(node, _form_pairs(spec, body, query_string))
    except json_wire.MalformedJson as exc:
        raise ApiError(str(exc), code=SERIALIZATION_EXCEPTION) from None
    except ShapeMismatch as exc:
        raise _mismatch_error(spec, exc) from None
    return ParsedRequest(service=spec, operation=operation, params=params)


def _form_pairs(spec: ServiceSpec, body: bytes, query_string: str) -> list[tuple[str, str]]:
    try:
        return query_wire.form_pairs(body, query_string)
    except UnicodeDecodeError:
        raise ValidationError(
            "Request body is not UTF-8 form data.", code=spec.validation_error_code
        ) from None


def _mismatch_error(spec: ServiceSpec, exc: ShapeMismatch) -> ApiError:
    if spec.protocol == "json":
        got = f"JSON {exc.got}" if exc.got else "a value"
        message = f"Cannot deserialize {got} at '{exc.path}': expected {exc.expected}."
        return ApiError(message, code=SERIALIZATION_EXCEPTION)
    constraint = f"Member must be {exc.expected}"
    message = summary([violation(exc.value, exc.path, constraint)])
    return ValidationError(message, code=spec.validation_error_code)


def validate(
    spec: ServiceSpec, operation: botocore.model.OperationModel, params: Mapping[str, Any]
) -> None:
    """Check ``params`` against the input shape; raise one ``ValidationError`` listing all.

    The error's code is ``spec.validation_error_code``; its message is AWS's, e.g.
    ``1 validation error detected: Value null at 'cluster' failed to satisfy constraint:
    Member must not be null``.
    """
    node = input_node(spec.model, operation)
    if node is None:
        return
    problems = check(node, params)
    if problems:
        raise ValidationError(summary(problems), code=spec.validation_error_code)
