"""SigV4 verification with botocore's own signer (no hand-rolled HMAC plumbing).

We rebuild the request exactly as the client signed it (method, raw path, raw query, the headers
named in ``SignedHeaders``, the body) and let :class:`botocore.auth.SigV4Auth` compute the
canonical request, string to sign and signature for the claimed scope; then compare in constant
time. Errors are the ones AWS returns, in the order AWS checks.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.compat import HTTPHeaders
from botocore.credentials import Credentials

from dockyard.domain.errors import (
    IncompleteSignature,
    InvalidSignature,
    MissingAuthenticationToken,
)

ALGORITHM = "AWS4-HMAC-SHA256"
AMZ_DATE_FORMAT = "%Y%m%dT%H%M%SZ"
_REGION_RE = re.compile(r"^[a-z]{2}(-[a-z0-9]+){1,4}$")
"""Region names as AWS spells them (us-east-1, eu-central-2, us-gov-west-1, ...): letters,
digits and hyphens, so a region can never break an ARN or overflow a column."""
_MUST_SIGN = ("host", "x-amz-date", "x-amz-target", "content-type")
"""Headers that decide what a request means: when present they must be covered by the
signature, or a captured request could be replayed as another operation."""
_PARAM_RE = re.compile(r"(Credential|SignedHeaders|Signature)=([^,\s]+)")


@dataclass(frozen=True, slots=True)
class SignedRequest:
    """What the edge received, raw: enough to recompute the signature."""

    method: str
    raw_path: str
    raw_query: str
    headers: Sequence[tuple[str, str]]  # lowercase names, in arrival order
    body: bytes
    source_ip: str = ""
    """The peer address (for ``aws:SourceIp`` and the audit trail); not part of the signature."""

    def header(self, name: str) -> str | None:
        for key, value in self.headers:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class SignatureClaim:
    """The parsed Authorization header: who claims to sign, for which scope."""

    access_key_id: str
    date: str
    region: str
    service: str
    signed_headers: tuple[str, ...]
    signature: str
    amz_date: str
    session_token: str | None


def parse_authorization(request: SignedRequest) -> SignatureClaim:
    """The signature claim; MissingAuthenticationToken / IncompleteSignature as AWS says."""
    auth = request.header("authorization")
    if auth is None:
        raise MissingAuthenticationToken("Missing Authentication Token")
    if not auth.startswith(ALGORITHM + " "):
        raise IncompleteSignature(
            f"Authorization header requires '{ALGORITHM}' algorithm. "
            f"Authorization={auth.split(' ', 1)[0]}"
        )
    params = dict(_PARAM_RE.findall(auth))
    missing = [p for p in ("Credential", "Signature", "SignedHeaders") if p not in params]
    if missing:
        detail = " ".join(f"Authorization header requires '{p}' parameter." for p in missing)
        raise IncompleteSignature(f"{detail} Authorization={auth}")
    scope = params["Credential"].split("/")
    if len(scope) != 5 or scope[4] != "aws4_request" or not _REGION_RE.match(scope[2]):
        raise IncompleteSignature(
            f"Credential should be scoped to a valid region. Credential={params['Credential']}"
        )
    signed = set(params["SignedHeaders"].split(";"))
    unsigned = [h for h in _MUST_SIGN if h not in signed and request.header(h) is not None]
    if unsigned:
        raise IncompleteSignature(
            f"The following headers must be signed: {', '.join(unsigned)}. Authorization={auth}"
        )
    amz_date = request.header("x-amz-date")
    if amz_date is None:
        raise IncompleteSignature(
            "Authorization header requires existence of either a 'X-Amz-Date' or a "
            f"'Date' header. Authorization={auth}"
        )
    return SignatureClaim(
        access_key_id=scope[0],
        date=scope[1],
        region=scope[2],
        service=scope[3],
        signed_headers=tuple(params["SignedHeaders"].split(";")),
        signature=params["Signature"],
        amz_date=amz_date,
        session_token=request.header("x-amz-security-token"),
    )


def check_clock_skew(claim: SignatureClaim, now: datetime, max_skew_seconds: int) -> None:
    """InvalidSignature when X-Amz-Date is unparseable or too far from ``now``."""
    try:
        signed_at = _parse_amz_date(claim.amz_date)
    except ValueError as exc:
        raise IncompleteSignature(
            f"Date must be in ISO-8601 'basic format'. Got '{claim.amz_date}'."
        ) from exc
    if claim.date != claim.amz_date[:8]:
        raise InvalidSignature(
            f"Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
            f"date from HTTP: '{claim.date}' != '{claim.amz_date[:8]}', from '{claim.amz_date}'."
        )
    skew = (signed_at - now).total_seconds()
    if abs(skew) > max_skew_seconds:
        minutes = max_skew_seconds // 60
        now_text = now.strftime(AMZ_DATE_FORMAT)
        if skew < 0:
            raise InvalidSignature(
                f"Signature expired: {claim.amz_date} is now earlier than "
                f"{_shift(now, -max_skew_seconds)} ({now_text} - {minutes} min.)"
            )
        raise InvalidSignature(
            f"Signature not yet current: {claim.amz_date} is still later than "
            f"{_shift(now, max_skew_seconds)} ({now_text} + {minutes} min.)"
        )


def signature_matches(request: SignedRequest, claim: SignatureClaim, secret_key: str) -> bool:
    """Recompute the signature with botocore for the claimed scope; constant-time compare."""
    signer = SigV4Auth(
        Credentials(claim.access_key_id, secret_key, claim.session_token),
        claim.service,
        claim.region,
    )
    aws_request = _rebuild(request, claim)
    declared_hash = request.header("x-amz-content-sha256")
    # No service Dockyard speaks allows unsigned payloads: a declared hash (UNSIGNED-PAYLOAD
    # included) must be the body's real one, or a captured request could carry any body.
    if declared_hash is not None and not hmac.compare_digest(
        declared_hash, hashlib.sha256(request.body).hexdigest()
    ):
        return False
    canonical = signer.canonical_request(aws_request)
    string_to_sign = signer.string_to_sign(aws_request, canonical)
    expected = signer.signature(string_to_sign, aws_request)
    return hmac.compare_digest(expected, claim.signature)


def _rebuild(request: SignedRequest, claim: SignatureClaim) -> AWSRequest:
    signed = set(claim.signed_headers)
    headers = HTTPHeaders()
    for name, value in request.headers:
        if name in signed:
            headers[name] = value
    host = request.header("host") or ""
    url = f"http://{host}{request.raw_path}"
    if request.raw_query:
        url += "?" + request.raw_query
    aws_request = AWSRequest(method=request.method, url=url, data=request.body)
    aws_request.headers = headers
    aws_request.context["timestamp"] = claim.amz_date
    return aws_request


def _parse_amz_date(text: str) -> datetime:
    """``20261128T120000Z`` → aware datetime; ValueError otherwise (strptime is 10× slower)."""
    if len(text) != 16 or text[8] != "T" or text[15] != "Z":
        raise ValueError(text)
    date, time = text[:8], text[9:15]
    if not (date.isdigit() and time.isdigit()):
        raise ValueError(text)
    return datetime(
        int(date[:4]),
        int(date[4:6]),
        int(date[6:]),
        int(time[:2]),
        int(time[2:4]),
        int(time[4:]),
        tzinfo=UTC,
    )


def _shift(now: datetime, seconds: int) -> str:
    from datetime import timedelta

    return (now + timedelta(seconds=seconds)).strftime(AMZ_DATE_FORMAT)
