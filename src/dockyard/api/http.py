"""Starlette request → the transport-free :class:`SignedRequest` the SigV4 check reads."""

from __future__ import annotations

from starlette.requests import Request

from dockyard.api.auth.sigv4 import SignedRequest


def signed_request(request: Request, body: bytes) -> SignedRequest:
    """The request exactly as it came over the wire: raw path and query, headers in order."""
    return SignedRequest(
        method=request.method,
        raw_path=request.scope.get("raw_path", b"/").decode("latin-1") or "/",
        raw_query=request.scope.get("query_string", b"").decode("latin-1"),
        headers=[(k.decode("latin-1"), v.decode("latin-1")) for k, v in request.scope["headers"]],
        body=body,
        source_ip=request.client.host if request.client else "",
    )
