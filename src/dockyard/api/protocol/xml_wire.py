"""The AWS query protocol's response side: results and errors as XML documents.

Success::

    <DescribeLoadBalancersResponse xmlns="http://elasticloadbalancing.amazonaws.com/doc/...">
      <DescribeLoadBalancersResult>...members of the output shape...</DescribeLoadBalancersResult>
      <ResponseMetadata><RequestId>...</RequestId></ResponseMetadata>
    </DescribeLoadBalancersResponse>

Members use their ``locationName``; lists wrap items in ``<member>`` (or the member's
``locationName``) unless flattened; maps are ``<entry><key/><value/></entry>``; timestamps are
ISO-8601 UTC with milliseconds; booleans ``true``/``false``; blobs base64. ``None`` and unknown
members are dropped.

Error::

    <ErrorResponse xmlns="..."><Error><Type>Sender</Type><Code>...</Code>
      <Message>...</Message></Error><RequestId>...</RequestId></ErrorResponse>

Pure functions; documents are built as string fragments and joined once.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from typing import Any
from xml.sax.saxutils import escape

from dockyard.api.protocol import scalars
from dockyard.api.protocol.schema import (
    BLOB,
    BOOLEAN,
    DOCUMENT,
    FLOAT,
    LIST,
    MAP,
    STRING,
    STRUCTURE,
    TIMESTAMP,
    Node,
)

__all__ = ["encode_error", "encode_response"]

_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n'
_ENTITIES = {"\r": "&#13;", '"': "&quot;"}
# Characters XML 1.0 cannot carry at all; they would make the whole document unreadable.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def text(value: str) -> str:
    """``value`` escaped for XML character data; characters XML forbids become U+FFFD."""
    return escape(_NOT_XML.sub("\ufffd", value), _ENTITIES)


def encode_response(
    node: Node | None,
    result: Mapping[str, Any],
    *,
    operation_name: str,
    result_wrapper: str | None,
    namespace: str | None,
    request_id: str,
) -> bytes:
    """The XML document answering ``operation_name`` with ``result`` shaped by ``node``."""
    root = f"{operation_name}Response"
    parts = [_DECLARATION, f"<{root}{_xmlns(namespace)}>"]
    if node is not None:
        wrapper = result_wrapper or f"{operation_name}Result"
        parts.append(f"<{wrapper}>")
        _members(parts, node, result)
        parts.append(f"</{wrapper}>")
    parts.append(f"<ResponseMetadata><RequestId>{text(request_id)}</RequestId></ResponseMetadata>")
    parts.append(f"</{root}>")
    return "".join(parts).encode("utf-8")


def encode_error(
    code: str, message: str, *, sender: bool, namespace: str | None, request_id: str
) -> bytes:
    """The query protocol's ``<ErrorResponse>`` document."""
    fault = "Sender" if sender else "Receiver"
    return (
        f"{_DECLARATION}<ErrorResponse{_xmlns(namespace)}><Error><Type>{fault}</Type>"
        f"<Code>{text(code)}</Code><Message>{text(message)}</Message></Error>"
        f"<RequestId>{text(request_id)}</RequestId></ErrorResponse>"
    ).encode()


def _xmlns(namespace: str | None) -> str:
    return f' xmlns="{text(namespace)}"' if namespace else ""


def _members(parts: list[str], node: Node, value: Mapping[str, Any]) -> None:
    for field in node.fields:
        item = value.get(field.name)
        if item is not None:
            _element(parts, field.query_name, field.node, item)


def _element(parts: list[str], name: str, node: Node, value: Any) -> None:
    kind = node.kind
    if kind == STRUCTURE:
        parts.append(f"<{name}>")
        _members(parts, node, value)
        parts.append(f"</{name}>")
    elif kind == LIST:
        _list(parts, name, node, value)
    elif kind == MAP:
        _map(parts, name, node, value)
    else:
        parts.append(f"<{name}>{_scalar(node, value)}</{name}>")


def _list(parts: list[str], name: str, node: Node, value: Any) -> None:
    member = node.member
    assert member is not None
    items = [item for item in value if item is not None]
    if node.flattened:
        for item in items:
            _element(parts, name, member, item)
        return
    parts.append(f"<{name}>")
    for item in items:
        _element(parts, node.member_name, member, item)
    parts.append(f"</{name}>")


def _map(parts: list[str], name: str, node: Node, value: Mapping[Any, Any]) -> None:
    key_node, value_node = node.key, node.value
    assert key_node is not None and value_node is not None
    if not node.flattened:
        parts.append(f"<{name}>")
    for key, item in value.items():
        if item is None:
            continue
        parts.append(f"<{name}>" if node.flattened else "<entry>")
        parts.append(f"<{node.key_name}>{_scalar(key_node, key)}</{node.key_name}>")
        _element(parts, node.value_name, value_node, item)
        parts.append(f"</{name}>" if node.flattened else "</entry>")
    if not node.flattened:
        parts.append(f"</{name}>")


def _scalar(node: Node, value: Any) -> str:
    kind = node.kind
    if kind == STRING:
        return text(value if isinstance(value, str) else str(value))
    if kind == BOOLEAN:
        return "true" if value else "false"
    if kind == TIMESTAMP:
        return scalars.format_timestamp(value, node.timestamp_format)
    if kind == FLOAT:
        return _float_text(float(value))
    if kind == BLOB:
        return scalars.encode_blob(value)
    if kind == DOCUMENT:
        return text(json.dumps(value))
    return str(int(value))


def _float_text(value: float) -> str:
    if math.isfinite(value):
        return repr(value)
    if math.isnan(value):
        return "NaN"
    return "Infinity" if value > 0 else "-Infinity"
