"""The whole protocol layer behind a real botocore client: requests leave botocore signed and
serialised exactly as on the wire; our answers come back through its parser, retry handler and
error factory (typed exceptions). No network: a ``before-send`` hook plays the server.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import botocore.session
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError
from tests.unit.protocol.protocol_support import CATALOG

from dockyard.api.protocol import (
    identify,
    parse_request,
    serialize_error,
    serialize_response,
    validate,
)
from dockyard.domain.errors import ApiError, ClusterNotFoundException

Handler = Callable[[dict[str, Any]], dict[str, Any]]
NOW = datetime.datetime(2024, 5, 1, 12, 30, 45, 123000, tzinfo=datetime.UTC)


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self._body


class FakeServer:
    """identify → parse_request → validate → handler → serialize, as the app will do it."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.seen: list[tuple[str, str, dict[str, Any]]] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        headers = {k.lower(): v.decode() if isinstance(v, bytes) else v
                   for k, v in request.headers.items()}
        body = request.body or b""
        body = body.encode() if isinstance(body, str) else body
        scope = headers["authorization"].split("Credential=")[1].split("/")[3]
        spec = None
        try:
            spec, op = identify(CATALOG, headers=headers, body=body, scope_service=scope)
            parsed = parse_request(spec, op, body)
            validate(spec, parsed.operation, parsed.params)
            self.seen.append((spec.name, op, parsed.params))
            result = self.handlers[op](parsed.params)
            status, out_headers, out = serialize_response(
                spec, parsed.operation, result, request_id="req-1"
            )
        except ApiError as error:
            status, out_headers, out = serialize_error(spec, error, request_id="req-1")
        return AWSResponse(request.url, status, out_headers, _Raw(out))


def _client(service: str, server: FakeServer, **config: Any) -> Any:
    session = botocore.session.get_session()
    client = session.create_client(
        service,
        region_name="us-east-1",
        endpoint_url="http://dockyard.test",
        aws_access_key_id="AKIDEXAMPLE",
        aws_secret_access_key="secret",
        config=Config(retries={"max_attempts": 1, "mode": "standard"}, **config),
    )
    client.meta.events.register("before-send", server)
    return client


def test_ecs_success_and_typed_errors() -> None:
    def describe(params: dict[str, Any]) -> dict[str, Any]:
        if params["clusters"] == ["missing"]:
            raise ClusterNotFoundException()
        return {"clusters": [{"clusterName": "default", "activeServicesCount": 0,
                              "tags": [{"key": "k", "value": "v"}]}], "failures": []}

    server = FakeServer({"DescribeClusters": describe})
    ecs = _client("ecs", server)
    answer = ecs.describe_clusters(clusters=["default"], include=["TAGS"])
    assert answer["clusters"] == [{"clusterName": "default", "activeServicesCount": 0,
                                   "tags": [{"key": "k", "value": "v"}]}]
    assert answer["ResponseMetadata"]["RequestId"] == "req-1"
    assert server.seen == [("ecs", "DescribeClusters",
                            {"clusters": ["default"], "include": ["TAGS"]})]
    with pytest.raises(ecs.exceptions.ClusterNotFoundException, match=r"Cluster not found\."):
        ecs.describe_clusters(clusters=["missing"])


def test_ecs_validation_error_is_invalid_parameter_exception() -> None:
    ecs = _client("ecs", FakeServer({}), parameter_validation=False)
    with pytest.raises(ecs.exceptions.InvalidParameterException) as caught:
        ecs.run_task(taskDefinition="td", launchType="SPOT")
    assert caught.value.response["Error"]["Message"] == (
        "1 validation error detected: Value 'SPOT' at 'launchType' failed to satisfy "
        "constraint: Member must satisfy enum value set: [EC2, FARGATE, EXTERNAL, "
        "MANAGED_INSTANCES]"
    )
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_ecs_wrong_json_kind_is_serialization_exception() -> None:
    ecs = _client("ecs", FakeServer({}), parameter_validation=False)
    with pytest.raises(ClientError) as caught:
        ecs.run_task(taskDefinition="td", count="three")
    assert caught.value.response["Error"]["Code"] == "SerializationException"


def test_elbv2_query_and_xml() -> None:
    def describe(params: dict[str, Any]) -> dict[str, Any]:
        return {"LoadBalancers": [{"LoadBalancerName": params["Names"][0], "CreatedTime": NOW,
                                   "AvailabilityZones": [], "Scheme": "internal"}]}

    elbv2 = _client("elbv2", FakeServer({"DescribeLoadBalancers": describe}),
                    parameter_validation=False)
    answer = elbv2.describe_load_balancers(Names=["web"], PageSize=10)
    assert answer["LoadBalancers"] == [{"LoadBalancerName": "web", "CreatedTime": NOW,
                                        "AvailabilityZones": [], "Scheme": "internal"}]
    with pytest.raises(ClientError) as caught:
        elbv2.describe_load_balancers(PageSize=0)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "at 'pageSize'" in caught.value.response["Error"]["Message"]


def test_cloudwatch_json_and_query_compatible_errors() -> None:
    server = FakeServer({"PutMetricData": lambda params: {}})
    cloudwatch = _client("cloudwatch", server, disable_request_compression=True,
                         parameter_validation=False)
    cloudwatch.put_metric_data(Namespace="app", MetricData=[{"MetricName": "m", "Value": 1.5,
                                                             "Timestamp": NOW}])
    assert server.seen[0][2]["MetricData"][0]["Value"] == 1.5
    with pytest.raises(cloudwatch.exceptions.InvalidParameterValueException):
        cloudwatch.put_metric_data(Namespace="", MetricData=[{"MetricName": "m"}])


def test_sts_get_caller_identity() -> None:
    identity = {"Account": "123456789012", "Arn": "arn:aws:iam::123456789012:root",
                "UserId": "123456789012"}
    sts = _client("sts", FakeServer({"GetCallerIdentity": lambda params: identity}))
    answer = sts.get_caller_identity()
    answer.pop("ResponseMetadata")
    assert answer == identity


def test_server_fault_is_500_receiver() -> None:
    def boom(params: dict[str, Any]) -> dict[str, Any]:
        raise ApiError("We encountered an internal error.", code="InternalFailure",
                       http_status=500)

    sts = _client("sts", FakeServer({"GetCallerIdentity": boom}))
    with pytest.raises(ClientError) as caught:
        sts.get_caller_identity()
    assert caught.value.response["Error"]["Code"] == "InternalFailure"
    assert caught.value.response["Error"]["Type"] == "Receiver"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
