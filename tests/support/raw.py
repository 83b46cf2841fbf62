"""Raw HTTP requests to a server, signed (or deliberately not) with botocore's signer."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from unittest import mock

import httpx
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

ECS_TARGET = "AmazonEC2ContainerServiceV20141113"


@dataclass
class RawResponse:
    status: int
    headers: httpx.Headers
    body: bytes

    def json(self) -> dict:  # type: ignore[type-arg]
        return json.loads(self.body)  # type: ignore[no-any-return]


def signed_headers(
    url: str,
    body: bytes,
    headers: dict[str, str],
    *,
    key: str,
    secret: str,
    service: str = "ecs",
    region: str = "us-east-1",
    when: datetime | None = None,
) -> dict[str, str]:
    """Headers with a SigV4 Authorization computed by botocore, optionally at time ``when``."""
    request = AWSRequest(method="POST", url=url, data=body, headers=headers)
    signer = SigV4Auth(Credentials(key, secret), service, region)
    if when is None:
        signer.add_auth(request)
    else:
        with mock.patch(
            "botocore.auth.get_current_datetime", return_value=when.replace(tzinfo=None)
        ):
            signer.add_auth(request)
    return dict(request.headers.items())


def post(url: str, body: bytes, headers: dict[str, str]) -> RawResponse:
    response = httpx.post(url, content=body, headers=headers, timeout=10)
    return RawResponse(response.status_code, response.headers, response.content)


def ecs_call(
    url: str,
    operation: str,
    body: bytes | dict | None,
    *,
    key: str | None,
    secret: str | None,  # type: ignore[type-arg]
    target: str | None = None,
    when: datetime | None = None,
    region: str = "us-east-1",
) -> RawResponse:
    payload = body if isinstance(body, bytes) else json.dumps(body or {}).encode()
    headers = {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": target or f"{ECS_TARGET}.{operation}",
    }
    if key is not None and secret is not None:
        headers = signed_headers(
            url, payload, headers, key=key, secret=secret, when=when, region=region
        )
    return post(url, payload, headers)


def now() -> datetime:
    return datetime.now(UTC)
