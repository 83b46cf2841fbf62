"""Response side of the protocol layer: a result or an ``ApiError`` as status, headers, body.

JSON services answer ``application/x-amz-json-1.x``; errors are ``{"__type", "message"}`` with
``x-amzn-ErrorType``. A query-compatible JSON service (CloudWatch) also sends
``x-amzn-query-error: <code>;Sender|Receiver`` and names the error shape in ``__type``, which is
how botocore recovers the query code. Query services answer ``text/xml``. Every response carries
``x-amzn-RequestId``. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import botocore.model

from dockyard.api.protocol import json_wire, xml_wire
from dockyard.api.protocol.catalog import ServiceSpec
from dockyard.api.protocol.schema import output_node
from dockyard.domain.errors import ApiError, ValidationError

__all__ = ["serialize_error", "serialize_response"]

Response = tuple[int, dict[str, str], bytes]
"""HTTP status, headers, body."""

_XML = "text/xml"
_JSON_FALLBACK = "application/x-amz-json-1.1"


def serialize_response(
    spec: ServiceSpec,
    operation: botocore.model.OperationModel,
    result: Mapping[str, Any],
    *,
    request_id: str,
) -> Response:
    """HTTP 200 answering ``operation`` with ``result`` (shaped like its output shape).

    ``None`` values and members the output shape does not know are dropped.
    """
    shape = operation.output_shape
    node = output_node(spec.model, operation)
    if spec.protocol == "json":
        body = json_wire.encode_response(node, result)
        return 200, _headers(_json_type(spec), request_id), body
    body = xml_wire.encode_response(
        node,
        result,
        operation_name=operation.name,
        result_wrapper=None if shape is None else shape.serialization.get("resultWrapper"),
        namespace=spec.xml_namespace,
        request_id=request_id,
    )
    return 200, _headers(_XML, request_id), body


def serialize_error(spec: ServiceSpec | None, error: ApiError, *, request_id: str) -> Response:
    """The error envelope of ``spec``'s protocol (JSON 1.1 when no service was identified).

    A domain ``ValidationError`` still carrying its generic code is answered with the
    service's own validation code (``InvalidParameterException`` for ECS...).
    """
    code = _wire_code(spec, error)
    if spec is not None and spec.protocol == "query":
        body = xml_wire.encode_error(
            code,
            error.message,
            sender=not error.is_server_fault,
            namespace=spec.xml_namespace,
            request_id=request_id,
        )
        return error.http_status, _headers(_XML, request_id), body
    content_type = _JSON_FALLBACK if spec is None else _json_type(spec)
    headers = _headers(content_type, request_id)
    headers["x-amzn-ErrorType"] = code
    error_type = code
    if spec is not None and spec.query_compatible:
        fault = "Receiver" if error.is_server_fault else "Sender"
        headers["x-amzn-query-error"] = f"{code};{fault}"
        modeled = spec.model.shape_for_error_code(code)
        error_type = code if modeled is None else modeled.name
    body = json_wire.json_dumps({"__type": error_type, "message": error.message})
    return error.http_status, headers, body


def _wire_code(spec: ServiceSpec | None, error: ApiError) -> str:
    if (
        spec is not None
        and isinstance(error, ValidationError)
        and (error.code == ValidationError.code)
    ):
        return spec.validation_error_code
    return error.code


def _json_type(spec: ServiceSpec) -> str:
    return f"application/x-amz-json-{spec.json_version or '1.1'}"


def _headers(content_type: str, request_id: str) -> dict[str, str]:
    return {"Content-Type": content_type, "x-amzn-RequestId": request_id}
