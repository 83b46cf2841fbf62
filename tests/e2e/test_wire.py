"""Signing, malformed bodies and model validation, sent as raw HTTP to a real server."""

from __future__ import annotations

from datetime import timedelta

import pytest
from tests.support.raw import ecs_call, now
from tests.support.server import ServerProcess


@pytest.fixture(scope="module")
def creds(server: ServerProcess) -> tuple[str, str]:
    return server.credentials()


def test_signed_request_succeeds(server: ServerProcess, creds) -> None:
    response = ecs_call(server.endpoint, "ListClusters", {}, key=creds[0], secret=creds[1])
    assert response.status == 200, response.body
    assert "clusterArns" in response.json()
    assert response.headers["content-type"] == "application/x-amz-json-1.1"
    assert response.headers["x-amzn-requestid"]


@pytest.mark.parametrize(
    ("case", "status", "code"),
    [
        ("unsigned", 403, "MissingAuthenticationTokenException"),
        ("unknown-key", 403, "UnrecognizedClientException"),
        ("wrong-secret", 403, "InvalidSignatureException"),
        ("stale-20-minutes", 403, "InvalidSignatureException"),
        ("future-20-minutes", 403, "InvalidSignatureException"),
    ],
)
def test_bad_signatures(server: ServerProcess, creds, case: str, status: int, code: str) -> None:
    key, secret = creds
    kwargs: dict = {"key": key, "secret": secret}
    if case == "unsigned":
        kwargs = {"key": None, "secret": None}
    elif case == "unknown-key":
        kwargs["key"] = "AKIAUNKNOWNUNKNOWN00"
    elif case == "wrong-secret":
        kwargs["secret"] = secret[::-1]
    elif case.startswith("stale"):
        kwargs["when"] = now() - timedelta(minutes=20)
    elif case.startswith("future"):
        kwargs["when"] = now() + timedelta(minutes=20)
    response = ecs_call(server.endpoint, "ListClusters", {}, **kwargs)
    assert response.status == status
    assert response.json()["__type"] == code
    assert response.json()["message"]


def test_tampered_body_fails_signature(server: ServerProcess, creds) -> None:
    from tests.support.raw import post, signed_headers

    url = server.endpoint
    body = b'{"clusterName": "honest"}'
    headers = signed_headers(
        url,
        body,
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster",
        },
        key=creds[0],
        secret=creds[1],
    )
    response = post(url, b'{"clusterName": "evil"}', headers)
    assert response.status == 403
    assert response.json()["__type"] == "InvalidSignatureException"


def test_incomplete_authorization_header(server: ServerProcess) -> None:
    from tests.support.raw import post

    response = post(
        server.endpoint,
        b"{}",
        {
            "Content-Type": "application/x-amz-json-1.1",
            "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
            "Authorization": "AWS4-HMAC-SHA256 Credential=AKIA/20260101/us-east-1/ecs/aws4_request",
            "X-Amz-Date": "20260101T000000Z",
        },
    )
    assert response.status == 400
    assert response.json()["__type"] == "IncompleteSignatureException"


@pytest.mark.parametrize(
    ("case", "body", "operation", "target", "status", "code"),
    [
        ("invalid-json", b"{not json", "ListClusters", None, 400, "SerializationException"),
        ("json-array", b"[1,2]", "ListClusters", None, 400, "SerializationException"),
        (
            "wrong-member-type",
            b'{"maxResults": "ten"}',
            "ListClusters",
            None,
            400,
            "SerializationException",
        ),
        ("unknown-operation", b"{}", "LaunchRockets", None, 400, "UnknownOperationException"),
        ("unknown-target", b"{}", "x", "NoSuchService_2020.Do", 400, "UnknownOperationException"),
        (
            "missing-required",
            b"{}",
            "DescribeTaskDefinition",
            None,
            400,
            "InvalidParameterException",
        ),
        (
            "enum-violation",
            b'{"taskDefinition": "x", "include": ["NOPE"]}',
            "DescribeTaskDefinition",
            None,
            400,
            "InvalidParameterException",
        ),
        (
            "range-violation",
            b'{"maxResults": 1000}',
            "ListClusters",
            None,
            400,
            "InvalidParameterException",
        ),
    ],
)
def test_malformed_requests(
    server: ServerProcess,
    creds,
    case: str,
    body: bytes,
    operation: str,
    target: str | None,
    status: int,
    code: str,
) -> None:
    response = ecs_call(
        server.endpoint, operation, body, key=creds[0], secret=creds[1], target=target
    )
    assert response.status == status, response.body
    payload = response.json()
    assert payload["__type"] == code
    assert payload["message"]
    assert b"Traceback" not in response.body


def test_unimplemented_operation_of_known_service_names_itself(
    server: ServerProcess, creds
) -> None:
    response = ecs_call(server.endpoint, "ListServices", {}, key=creds[0], secret=creds[1])
    assert response.status == 400
    assert response.json()["__type"] == "UnknownOperationException"
    assert "ListServices" in response.json()["message"]


def test_region_comes_from_signing_scope(server: ServerProcess, creds) -> None:
    response = ecs_call(
        server.endpoint,
        "CreateCluster",
        {"clusterName": "regional"},
        key=creds[0],
        secret=creds[1],
        region="eu-west-3",
    )
    assert response.status == 200, response.body
    assert response.json()["cluster"]["clusterArn"] == (
        "arn:aws:ecs:eu-west-3:123456789012:cluster/regional"
    )
    other = ecs_call(
        server.endpoint,
        "DescribeClusters",
        {"clusters": ["regional"]},
        key=creds[0],
        secret=creds[1],
        region="us-east-1",
    )
    assert other.json()["failures"][0]["reason"] == "MISSING"


def test_scope_for_another_service_is_refused(server: ServerProcess, creds) -> None:
    from tests.support.raw import post, signed_headers

    body = b"{}"
    headers = signed_headers(
        server.endpoint, body,
        {"Content-Type": "application/x-amz-json-1.1",
         "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters"},
        key=creds[0], secret=creds[1], service="ssm",
    )
    response = post(server.endpoint, body, headers)
    assert response.status == 403
    assert response.json()["__type"] == "InvalidSignatureException"
    assert "'ecs'" in response.json()["message"]


def test_gzip_body_is_inflated_after_signature_check(server: ServerProcess, creds) -> None:
    import gzip

    from tests.support.raw import post, signed_headers

    body = gzip.compress(b'{"clusterName": "zipped"}')
    headers = signed_headers(
        server.endpoint, body,
        {"Content-Type": "application/x-amz-json-1.1", "Content-Encoding": "gzip",
         "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster"},
        key=creds[0], secret=creds[1],
    )
    response = post(server.endpoint, body, headers)
    assert response.status == 200, response.body
    assert response.json()["cluster"]["clusterName"] == "zipped"
    broken = b"\x1f\x8b not really gzip"
    headers = signed_headers(
        server.endpoint, broken,
        {"Content-Type": "application/x-amz-json-1.1", "Content-Encoding": "gzip",
         "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster"},
        key=creds[0], secret=creds[1],
    )
    response = post(server.endpoint, broken, headers)
    assert response.status == 400
    assert response.json()["__type"] == "SerializationException"
