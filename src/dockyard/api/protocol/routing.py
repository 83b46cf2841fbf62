"""Which service and operation a request is for, from its headers, body and SigV4 scope.

::

    X-Amz-Target: Prefix.Operation ──► JSON service with that target prefix
    no target, SigV4 scope service ──► that service; the operation is the form's ``Action``
                                       (a JSON service that also speaks query — CloudWatch —
                                       is answered in query when called that way)

Errors (all HTTP 400): ``UnknownOperationException`` for an unknown target prefix, an unknown
JSON operation or a request nothing identifies; ``InvalidAction`` for an unknown query action
(also when a form names an ``Action`` but no known service signed it); ``MissingAction`` for a
query request without one. The ``Version`` parameter is not checked. Pure.
"""

from __future__ import annotations

from collections.abc import Mapping

from dockyard.api.protocol import query_wire
from dockyard.api.protocol.catalog import Catalog, ServiceSpec
from dockyard.api.protocol.inbound import operation_for
from dockyard.domain.errors import ApiError

__all__ = ["identify"]


def identify(
    catalog: Catalog,
    *,
    headers: Mapping[str, str],
    body: bytes,
    scope_service: str | None,
    query_string: str = "",
) -> tuple[ServiceSpec, str]:
    """The service spec (in the wire protocol the caller used) and the operation name.

    ``headers`` have lower-case names. ``scope_service`` is the service of the SigV4
    credential scope (``elasticloadbalancing``, ``monitoring``...), if the request was signed.
    """
    target = headers.get("x-amz-target")
    if target:
        return _by_target(catalog, target)
    spec = _query_spec(catalog, scope_service)
    action = _action(body, query_string)
    if spec is None:
        if action is None:
            raise ApiError(
                "Unable to determine the service and operation of this request.",
                code="UnknownOperationException",
            )
        raise ApiError(f"Could not find operation {action}.", code="InvalidAction")
    if action is None:
        raise ApiError("The request must contain the parameter Action.", code="MissingAction")
    operation_for(spec, action)
    return spec, action


def _query_spec(catalog: Catalog, scope_service: str | None) -> ServiceSpec | None:
    """The query-protocol spec of the service that signed a target-less request, if any."""
    spec = catalog.by_signing_name(scope_service) if scope_service else None
    if spec is None or spec.protocol == "query":
        return spec
    try:
        return catalog.get(spec.name, protocol="query")
    except KeyError:
        raise ApiError("Missing X-Amz-Target header.", code="UnknownOperationException") from None


def _by_target(catalog: Catalog, target: str) -> tuple[ServiceSpec, str]:
    prefix, _, operation = target.rpartition(".")
    spec = catalog.by_target_prefix(prefix) if prefix else None
    if spec is None or not operation:
        raise ApiError(f"Unknown operation target {target!r}.", code="UnknownOperationException")
    operation_for(spec, operation)
    return spec, operation


def _action(body: bytes, query_string: str) -> str | None:
    """The form's ``Action`` value, or ``None`` (also for a body that is not form data)."""
    try:
        pairs = query_wire.form_pairs(body, query_string)
    except UnicodeDecodeError:
        return None
    for name, value in pairs:
        if name == "Action":
            return value or None
    return None
