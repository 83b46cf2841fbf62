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
    response = ecs_call(server.endpoint, "DescribeCapacityProviders", {}, key=creds[0], secret=creds[1])
    assert response.status == 400
    assert response.json()["__type"] == "UnknownOperationException"
    assert "DescribeCapacityProviders" in response.json()["message"]


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


@pytest.mark.parametrize(
    "token_key", [[], [1], ["a", "b"], [None]], ids=["empty", "int", "too-long", "null"]
)
def test_forged_tokens_of_our_scope_are_invalid_parameters(
    server: ServerProcess, creds, token_key: list
) -> None:
    from dockyard.domain.pagination import encode_token

    token = encode_token("ListClusters", token_key)
    response = ecs_call(server.endpoint, "ListClusters", {"nextToken": token},
                        key=creds[0], secret=creds[1])
    assert response.status == 400
    assert response.json()["__type"] == "InvalidParameterException"


def test_unsigned_payload_declaration_cannot_swap_the_body(server: ServerProcess, creds) -> None:
    from tests.support.raw import post, signed_headers

    headers = signed_headers(
        server.endpoint, b'{"clusterName": "legit"}',
        {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Content-SHA256": "UNSIGNED-PAYLOAD",
         "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.CreateCluster"},
        key=creds[0], secret=creds[1],
    )
    response = post(server.endpoint, b'{"clusterName": "evil"}', headers)
    assert response.status == 403
    assert response.json()["__type"] == "InvalidSignatureException"


@pytest.mark.parametrize("region", ["x" * 40, "us-east-1/../x", "US-EAST-1"])
def test_malformed_signing_region_is_refused(server: ServerProcess, creds, region: str) -> None:
    response = ecs_call(server.endpoint, "ListClusters", {}, key=creds[0], secret=creds[1],
                        region=region)
    assert response.status == 400
    assert response.json()["__type"] == "IncompleteSignatureException"


def test_unsigned_target_header_is_refused(server: ServerProcess, creds) -> None:
    from botocore.auth import SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    from tests.support.raw import post

    body = b"{}"
    request = AWSRequest(method="POST", url=server.endpoint, data=body,
                         headers={"Content-Type": "application/x-amz-json-1.1"})
    SigV4Auth(Credentials(*creds), "ecs", "us-east-1").add_auth(request)
    headers = dict(request.headers.items())
    headers["X-Amz-Target"] = "AmazonEC2ContainerServiceV20141113.ListClusters"
    response = post(server.endpoint, body, headers)
    assert response.status == 400
    assert response.json()["__type"] == "IncompleteSignatureException"


def test_oversized_body_is_refused_before_reading_it(server: ServerProcess) -> None:
    from tests.support.raw import post

    response = post(server.endpoint, b"x" * (16 * 1024 * 1024 + 1), {
        "Content-Type": "application/x-amz-json-1.1",
        "X-Amz-Target": "AmazonEC2ContainerServiceV20141113.ListClusters",
    })
    assert response.status == 413
    assert response.json()["__type"] == "RequestEntityTooLargeException"
