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
import zlib
from collections.abc import Mapping
from dataclasses import dataclass

from dockyard.api import protocol
from dockyard.api.auth.authenticator import Authenticated, Authenticator
from dockyard.api.auth.sigv4 import SignedRequest
from dockyard.api.context import Dependencies, Handler, RequestContext
from dockyard.domain.errors import ApiError, InvalidSignature

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
        body = _content_decoded(request)
        spec, operation = protocol.identify(
            self.catalog,
            headers=dict(request.headers),
            body=body,
            scope_service=auth.claim.service,
        )
        if spec.signing_name != auth.claim.service:
            raise InvalidSignature(
                f"Credential should be scoped to correct service: '{spec.signing_name}'."
            )
        parsed = protocol.parse_request(spec, operation, body, query_string=request.raw_query)
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


def _content_decoded(request: SignedRequest) -> bytes:
    """The body to parse. botocore gzips large CloudWatch PutMetricData bodies and signs the
    compressed bytes, so inflation happens after the signature check."""
    encoding = (request.header("content-encoding") or "").lower()
    return _gunzip(request.body) if encoding == "gzip" else request.body


MAX_INFLATED_BODY_BYTES = 64 * 1024 * 1024
"""A gzip body may inflate to at most this much: bigger than any AWS request limit, small
enough that a zip bomb cannot exhaust memory."""


def _gunzip(body: bytes) -> bytes:
    """Inflate a gzip body; a malformed or oversized one is passed on as-is and then fails its
    parse with an AWS error rather than a traceback."""
    try:
        inflater = zlib.decompressobj(wbits=31)
        inflated = inflater.decompress(body, MAX_INFLATED_BODY_BYTES)
    except zlib.error:
        return body
    return body if inflater.unconsumed_tail else inflated
