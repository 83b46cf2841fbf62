"""The AWS wire protocols, server side, driven entirely by botocore's service models.

::

    headers + body ─► identify ─► (ServiceSpec, operation name)
                   ─► parse_request ─► ParsedRequest(params)   JSON 1.0/1.1 or query form
                   ─► validate                                  required/type/enum/range/length
    handler result ─► serialize_response ─► (200, headers, body)  JSON or XML
    ApiError       ─► serialize_error    ─► (status, headers, body)

Modules: ``catalog`` (services, framing, error codes), ``schema`` (shapes compiled to nodes),
``json_wire`` / ``query_wire`` / ``xml_wire`` (codecs), ``validation`` and ``violations``
(AWS-worded checks), ``scalars`` (timestamps, blobs, floats), ``routing`` (identify),
``inbound`` / ``outbound`` (the public entry points). Nothing here does I/O beyond reading
botocore's bundled model files when a :class:`Catalog` is built.
"""

from dockyard.api.protocol.catalog import ALL_SERVICES, Catalog, ServiceSpec
from dockyard.api.protocol.inbound import ParsedRequest, parse_request, validate
from dockyard.api.protocol.outbound import serialize_error, serialize_response
from dockyard.api.protocol.routing import identify

__all__ = [
    "ALL_SERVICES",
    "Catalog",
    "ParsedRequest",
    "ServiceSpec",
    "identify",
    "parse_request",
    "serialize_error",
    "serialize_response",
    "validate",
]
