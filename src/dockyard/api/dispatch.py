"""The request pipeline, independent of Starlette: bytes in, (status, headers, bytes) out.

::

    raw request ──► guess service (X-Amz-Target prefix) ──► SigV4 authenticate ──► identify op
        ──► parse (botocore model) ──► validate (model) ──► handler(ctx, params) ──► serialize
                 any ApiError ───────────────────────────────────────────────► error envelope
                 any other exception ──► logged with request id ──► internal-failure envelope

Contract: never raises; every failure is an AWS error envelope of the called service's
protocol (JSON 1.1 when the service cannot be told).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from dockyard.api import protocol
from dockyard.api.auth.authenticator import Authenticated, Authenticator
from dockyard.api.auth.sigv4 import SignedRequest
from dockyard.api.context import Dependencies, Handler, RequestContext
from dockyard.domain.errors import ApiError

log = logging.getLogger("dockyard.api")

Response = tuple[int, dict[str, str], bytes]

QUERY_AUTH_CODES = {
    "UnrecognizedClientException": "InvalidClientTokenId",
    "InvalidSignatureException": "SignatureDoesNotMatch",
}
"""Query-protocol services (IAM, STS, ELBv2) name two of the auth errors differently."""


@dataclass(frozen=True, slots=True)
class Dispatcher:
    """Routes signed AWS requests to handlers. Shared by all requests; holds no request state."""

    catalog: protocol.Catalog
    handlers: Mapping[str, Mapping[str, Handler]]  # service name → operation → handler
    authenticator: Authenticator
    deps: Dependencies

    def handle(self, request: SignedRequest) -> Response:
        request_id = str(uuid.uuid4())
        spec = self._guess_service(request)
        try:
            return self._handle(request, request_id)
        except ApiError as error:
            return protocol.serialize_error(spec, _recode(spec, error), request_id=request_id)
        except Exception:
            log.exception("unexpected failure in request %s", request_id)
            code = spec.internal_error_code if spec else "InternalFailure"
            internal = ApiError(
                "An internal error occurred. Request id: " + request_id, code=code, http_status=500
            )
            return protocol.serialize_error(spec, internal, request_id=request_id)

    def _handle(self, request: SignedRequest, request_id: str) -> Response:
        auth = self.authenticator.authenticate(request)
        spec, operation = protocol.identify(
            self.catalog,
            headers=dict(request.headers),
            body=request.body,
            scope_service=auth.claim.service,
        )
        parsed = protocol.parse_request(
            spec, operation, request.body, query_string=request.raw_query
        )
        protocol.validate(spec, parsed.operation, parsed.params)
        handler = self.handlers.get(spec.name, {}).get(operation)
        if handler is None:
            raise ApiError(
                f"Dockyard does not implement {spec.signing_name}:{operation} yet.",
                code="UnknownOperationException" if spec.protocol == "json" else "InvalidAction",
            )
        ctx = self._context(auth, spec, operation, request_id)
        result = handler(ctx, parsed.params)
        return protocol.serialize_response(spec, parsed.operation, result, request_id=request_id)

    def _context(
        self, auth: Authenticated, spec: protocol.ServiceSpec, operation: str, request_id: str
    ) -> RequestContext:
        return RequestContext(
            request_id=request_id,
            principal=auth.principal,
            region=auth.claim.region,
            service=spec.signing_name,
            operation=operation,
            now=self.deps.clock.now(),
            deps=self.deps,
        )

    def _guess_service(self, request: SignedRequest) -> protocol.ServiceSpec | None:
        target = request.header("x-amz-target")
        if target and "." in target:
            return self.catalog.by_target_prefix(target.rsplit(".", 1)[0])
        auth = request.header("authorization") or ""
        marker = "Credential="
        if marker in auth:
            scope = auth.split(marker, 1)[1].split(",", 1)[0].split("/")
            if len(scope) == 5:
                return self.catalog.by_signing_name(scope[3])
        return None


def _recode(spec: protocol.ServiceSpec | None, error: ApiError) -> ApiError:
    """Give auth errors the names query services use; validation errors the service's code."""
    if spec is None:
        return error
    if spec.protocol == "query" and error.code in QUERY_AUTH_CODES:
        return ApiError(
            error.message, code=QUERY_AUTH_CODES[error.code], http_status=error.http_status
        )
    return error
