"""The request pipeline, independent of Starlette: bytes in, (status, headers, bytes) out.

::

    raw request ──► guess service (X-Amz-Target prefix) ──► SigV4 authenticate ──► identify op
        ──► parse (botocore model) ──► validate (model) ──► authorise (IAM policies)
        ──► handler(ctx, params) ──► serialize
                 any ApiError ───────────────────────────────────────────────► error envelope
                 any other exception ──► logged with request id ──► internal-failure envelope
        every call, allowed, denied or unauthenticated ──► audit trail (queued, batched)

Contract: never raises; every failure is an AWS error envelope of the called service's
protocol (JSON 1.1 when the service cannot be told). The audit record holds who, what, which
resources, the decision and the error code — never parameters or results.
"""

from __future__ import annotations

import logging
import uuid
import zlib
from collections.abc import Mapping
from dataclasses import dataclass, field

from dockyard.api import protocol
from dockyard.api.audit import AuditTrail
from dockyard.api.auth.authenticator import Authenticated, Authenticator
from dockyard.api.auth.authorizer import Authorizer, RequestFacts, denial_message
from dockyard.api.auth.resources import (
    UNCHECKED_ACTIONS,
    AccessTarget,
    ResourceLookups,
    access_target,
    iam_action,
)
from dockyard.api.auth.sigv4 import SignedRequest
from dockyard.api.context import Dependencies, Handler, RequestContext
from dockyard.domain.audit import (
    DECISION_ALLOW,
    DECISION_EXPLICIT_DENY,
    DECISION_IMPLICIT_DENY,
    DECISION_UNAUTHENTICATED,
    AuditEvent,
    event_source,
)
from dockyard.domain.errors import ApiError, InvalidSignature
from dockyard.domain.identity import Principal
from dockyard.domain.policy import Decision

log = logging.getLogger("dockyard.api")

Response = tuple[int, dict[str, str], bytes]

QUERY_AUTH_CODES = {
    "UnrecognizedClientException": "InvalidClientTokenId",
    "InvalidSignatureException": "SignatureDoesNotMatch",
}
"""Query-protocol services (IAM, STS, ELBv2) name two of the auth errors differently."""


_DECISIONS = {
    Decision.ALLOW: DECISION_ALLOW,
    Decision.EXPLICIT_DENY: DECISION_EXPLICIT_DENY,
    Decision.IMPLICIT_DENY: DECISION_IMPLICIT_DENY,
}


@dataclass(slots=True)
class _Trace:
    """What one request revealed about itself so far, for its audit record."""

    principal: Principal | None = None
    service: str = ""
    operation: str = ""
    region: str = ""
    target: AccessTarget | None = None
    decision: str = DECISION_UNAUTHENTICATED


@dataclass(frozen=True, slots=True)
class Dispatcher:
    """Routes signed AWS requests to handlers. Shared by all requests; holds no request state.

    Without an ``authorizer`` every authenticated call is allowed (unit-test wiring); the
    server always builds one.
    """

    catalog: protocol.Catalog
    handlers: Mapping[str, Mapping[str, Handler]]  # service name → operation → handler
    authenticator: Authenticator
    deps: Dependencies
    authorizer: Authorizer | None = None
    audit: AuditTrail | None = None
    lookups: ResourceLookups = field(default_factory=ResourceLookups)

    def handle(self, request: SignedRequest) -> Response:
        request_id = str(uuid.uuid4())
        spec = self._guess_service(request)
        trace = _Trace()
        try:
            return self._handle(request, request_id, trace)
        except ApiError as error:
            recoded = _recode(spec, error)
            self._record(request, request_id, trace, spec, recoded)
            return protocol.serialize_error(spec, recoded, request_id=request_id)
        except Exception:
            log.exception("unexpected failure in request %s", request_id)
            code = spec.internal_error_code if spec else "InternalFailure"
            internal = ApiError(
                "An internal error occurred. Request id: " + request_id, code=code, http_status=500
            )
            self._record(request, request_id, trace, spec, internal)
            return protocol.serialize_error(spec, internal, request_id=request_id)

    def _handle(self, request: SignedRequest, request_id: str, trace: _Trace) -> Response:
        auth = self.authenticator.authenticate(request)
        trace.principal = auth.principal
        trace.region = auth.claim.region
        trace.service = auth.claim.service
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
        trace.operation = operation
        protocol.validate(spec, parsed.operation, parsed.params)
        handler = self.handlers.get(spec.name, {}).get(operation)
        if handler is None:
            raise ApiError(
                f"Dockyard does not implement {spec.signing_name}:{operation} yet.",
                code="UnknownOperationException" if spec.protocol == "json" else "InvalidAction",
            )
        self._authorize(request, auth, spec, operation, parsed.params, trace)
        ctx = self._context(auth, spec, operation, request_id)
        result = handler(ctx, parsed.params)
        response = protocol.serialize_response(
            spec, parsed.operation, result, request_id=request_id
        )
        self._record(request, request_id, trace, spec, None)
        return response

    def _authorize(
        self,
        request: SignedRequest,
        auth: Authenticated,
        spec: protocol.ServiceSpec,
        operation: str,
        params: Mapping[str, object],
        trace: _Trace,
    ) -> None:
        """Raise AccessDenied unless the principal's policies allow the call."""
        target = access_target(
            spec.signing_name,
            operation,
            params,
            region=auth.claim.region,
            account_id=self.deps.settings.account_id,
            lookups=self.lookups,
        )
        trace.target = target
        if self.authorizer is None or target.action in UNCHECKED_ACTIONS:
            trace.decision = DECISION_ALLOW
            return
        facts = RequestFacts(self.deps.clock.now(), request.source_ip, auth.claim.region)
        result = self.authorizer.authorize(auth.principal, target, facts)
        if _trust_policy_grants(self.lookups, target, result.decision, auth.principal):
            trace.decision = DECISION_ALLOW
            return
        trace.decision = _DECISIONS[result.decision]
        if not result.allowed:
            message = denial_message(auth.principal, target.action, result)
            if spec.protocol == "query":
                raise ApiError(message, code="AccessDenied", http_status=403)
            raise ApiError(message, code="AccessDeniedException", http_status=400)

    def _record(
        self,
        request: SignedRequest,
        request_id: str,
        trace: _Trace,
        spec: protocol.ServiceSpec | None,
        error: ApiError | None,
    ) -> None:
        if self.audit is None:
            return
        principal = trace.principal
        service = trace.service or (spec.signing_name if spec else "unknown")
        action = iam_action(service, trace.operation or "Unknown")
        self.audit.record(
            AuditEvent(
                event_id=request_id,
                event_time=self.deps.clock.now(),
                region=trace.region,
                event_source=event_source(action.split(":", 1)[0]),
                event_name=trace.operation or "Unknown",
                principal_arn=principal.arn if principal else "",
                user_name=principal.user_name if principal else "",
                access_key_id=principal.access_key_id if principal else _claimed_key(request),
                source_ip=request.source_ip,
                resources=trace.target.resources if trace.target else (),
                decision=trace.decision,
                error_code=error.code if error else None,
                error_message=error.message[:1024] if error else None,
            )
        )

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


def _trust_policy_grants(
    lookups: ResourceLookups, target: AccessTarget, decision: Decision, principal: Principal
) -> bool:
    """AssumeRole within the account needs no identity policy when the role's trust policy
    names the caller's ARN itself; an explicit Deny in the caller's policies still wins."""
    return (
        target.action == "sts:AssumeRole"
        and decision is Decision.IMPLICIT_DENY
        and target.resources[0].startswith(f"arn:aws:iam::{principal.account_id}:role/")
        and lookups.trust_names(target.resources[0], principal.arn)
    )


def _claimed_key(request: SignedRequest) -> str:
    """The access key id an unauthenticated request claimed, for its audit record."""
    auth = request.header("authorization") or ""
    marker = "Credential="
    if marker not in auth:
        return ""
    return auth.split(marker, 1)[1].split("/", 1)[0][:128]


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
