"""Routing and malformed requests: which error code, status and message each one gets."""

from __future__ import annotations

import datetime
import math
from typing import Any

import pytest
from tests.unit.protocol.protocol_support import CATALOG

from dockyard.api.protocol import identify, parse_request
from dockyard.domain.errors import ApiError

ECS = "AmazonEC2ContainerServiceV20141113"
FORM = {"content-type": "application/x-www-form-urlencoded; charset=utf-8"}


def _target(value: str) -> dict[str, str]:
    return {"x-amz-target": value, "content-type": "application/x-amz-json-1.1"}


# --- identify -----------------------------------------------------------------------------

ROUTES = [
    pytest.param(_target(f"{ECS}.DescribeClusters"), b"{}", "ecs", "", ("ecs", "json",
                 "DescribeClusters"), id="ecs-target"),
    pytest.param(_target("Logs_20140328.CreateLogGroup"), b"{}", None, "", ("logs", "json",
                 "CreateLogGroup"), id="logs-target-without-scope"),
    pytest.param(_target("GraniteServiceVersion20100801.PutMetricData"), b"{}", "monitoring", "",
                 ("cloudwatch", "json", "PutMetricData"), id="cloudwatch-json"),
    pytest.param(FORM, b"Action=DescribeAlarms&Version=2010-08-01", "monitoring", "",
                 ("cloudwatch", "query", "DescribeAlarms"), id="cloudwatch-query-for-old-sdks"),
    pytest.param(FORM, b"Action=DescribeLoadBalancers&Version=2015-12-01",
                 "elasticloadbalancing", "", ("elbv2", "query", "DescribeLoadBalancers"),
                 id="elbv2-form"),
    pytest.param({}, b"", "sts", "Action=GetCallerIdentity&Version=2011-06-15",
                 ("sts", "query", "GetCallerIdentity"), id="sts-action-in-query-string"),
]


@pytest.mark.parametrize(("headers", "body", "scope", "query", "expected"), ROUTES)
def test_identify(
    headers: dict[str, str], body: bytes, scope: str | None, query: str, expected: tuple[str, ...]
) -> None:
    spec, op = identify(CATALOG, headers=headers, body=body, scope_service=scope,
                        query_string=query)
    assert (spec.name, spec.protocol, op) == expected


UNROUTABLE = [
    pytest.param(_target("Nope_2020.DescribeClusters"), b"{}", "ecs",
                 "UnknownOperationException", id="unknown-target-prefix"),
    pytest.param(_target(f"{ECS}.DescribeUnicorns"), b"{}", "ecs",
                 "UnknownOperationException", id="unknown-json-operation"),
    pytest.param(_target("DescribeClusters"), b"{}", "ecs", "UnknownOperationException",
                 id="target-without-prefix"),
    pytest.param({"content-type": "application/x-amz-json-1.1"}, b"{}", "ecs",
                 "UnknownOperationException", id="json-service-without-target"),
    pytest.param({}, b"{}", None, "UnknownOperationException", id="nothing-identifies"),
    pytest.param(FORM, b"Action=DescribeThings", None, "InvalidAction",
                 id="form-action-without-known-scope"),
    pytest.param(FORM, b"Action=DescribeThings", "ec2", "InvalidAction",
                 id="form-action-from-unserved-service"),
    pytest.param(FORM, b"Action=CreateUnicorn&Version=2010-05-08", "iam", "InvalidAction",
                 id="unknown-query-action"),
    pytest.param(FORM, b"Version=2011-06-15", "sts", "MissingAction", id="missing-action"),
    pytest.param(FORM, b"Action=", "sts", "MissingAction", id="empty-action"),
]


@pytest.mark.parametrize(("headers", "body", "scope", "code"), UNROUTABLE)
def test_identify_rejects(
    headers: dict[str, str], body: bytes, scope: str | None, code: str
) -> None:
    with pytest.raises(ApiError) as caught:
        identify(CATALOG, headers=headers, body=body, scope_service=scope)
    assert (caught.value.code, caught.value.http_status) == (code, 400)


def test_unknown_query_action_message_names_the_api_version() -> None:
    with pytest.raises(ApiError) as caught:
        identify(CATALOG, headers=FORM, body=b"Action=CreateUnicorn", scope_service="iam")
    assert caught.value.message == "Could not find operation CreateUnicorn for version 2010-05-08"


# --- JSON bodies --------------------------------------------------------------------------

def _json_error(op: str, body: bytes, service: str = "ecs") -> ApiError:
    with pytest.raises(ApiError) as caught:
        parse_request(CATALOG.get(service), op, body)
    assert caught.value.http_status == 400
    return caught.value


MALFORMED_JSON = [
    pytest.param(b"{", "Request body is not valid JSON: ", id="truncated"),
    pytest.param(b"\xff\xfe{", "Request body is not valid JSON: ", id="not-utf8"),
    pytest.param(b"[]", "Request body must be a JSON object, not array.", id="array"),
    pytest.param(b'"clusters"', "Request body must be a JSON object, not string.", id="string"),
    pytest.param(b"null", "Request body must be a JSON object, not null.", id="null"),
    pytest.param(b'{"clusters": "default"}',
                 "Cannot deserialize JSON string at 'clusters': expected array.",
                 id="string-for-list"),
    pytest.param(b'{"clusters": ["a", 1]}',
                 "Cannot deserialize JSON number at 'clusters.2.member': expected string.",
                 id="number-in-string-list"),
    pytest.param(b'{"include": {"TAGS": true}}',
                 "Cannot deserialize JSON object at 'include': expected array.",
                 id="object-for-list"),
]


@pytest.mark.parametrize(("body", "message"), MALFORMED_JSON)
def test_malformed_json_is_a_serialization_exception(body: bytes, message: str) -> None:
    error = _json_error("DescribeClusters", body)
    assert error.code == "SerializationException"
    assert error.message.startswith(message)


WRONG_KINDS = [
    pytest.param({"cpu": "256"}, "'containerDefinitions.1.member.cpu': expected integer",
                 id="string-for-integer"),
    pytest.param({"cpu": True}, "'containerDefinitions.1.member.cpu': expected integer",
                 id="boolean-for-integer"),
    pytest.param({"cpu": 1.5}, "'containerDefinitions.1.member.cpu': expected integer",
                 id="fraction-for-integer"),
    pytest.param({"essential": "true"}, "'containerDefinitions.1.member.essential': expected "
                 "boolean", id="string-for-boolean"),
    pytest.param({"portMappings": {}}, "'containerDefinitions.1.member.portMappings': expected "
                 "array", id="object-for-list"),
    pytest.param({"dockerLabels": {"a": 1}}, "'containerDefinitions.1.member.dockerLabels.a': "
                 "expected string", id="number-as-map-value"),
]


@pytest.mark.parametrize(("container", "where"), WRONG_KINDS)
def test_wrong_json_kind_names_the_member_path(container: dict[str, Any], where: str) -> None:
    body = {"family": "f", "containerDefinitions": [{"name": "a", **container}]}
    error = _json_error("RegisterTaskDefinition", _dumps(body))
    assert error.code == "SerializationException"
    assert where in error.message


def _dumps(value: Any) -> bytes:
    import json

    return json.dumps(value).encode()


@pytest.mark.parametrize("body", [b"", b"  \n", b"{}"], ids=["empty", "blank", "object"])
def test_empty_body_is_an_empty_object(body: bytes) -> None:
    assert parse_request(CATALOG.get("ecs"), "ListClusters", body).params == {}


def test_nulls_and_unknown_members_are_dropped_and_integral_floats_accepted() -> None:
    body = b'{"cluster": null, "count": 2.0, "taskDefinition": "td", "futureMember": {"x": 1}}'
    params = parse_request(CATALOG.get("ecs"), "RunTask", body).params
    assert params == {"count": 2, "taskDefinition": "td"}
    assert type(params["count"]) is int


@pytest.mark.parametrize(
    ("wire", "expected"),
    [
        (1714566645, datetime.datetime(2024, 5, 1, 12, 30, 45, tzinfo=datetime.UTC)),
        (1714566645.5, datetime.datetime(2024, 5, 1, 12, 30, 45, 500000, tzinfo=datetime.UTC)),
        ("2024-05-01T12:30:45Z", datetime.datetime(2024, 5, 1, 12, 30, 45, tzinfo=datetime.UTC)),
        ("2024-05-01T14:30:45+02:00",
         datetime.datetime(2024, 5, 1, 12, 30, 45, tzinfo=datetime.UTC)),
        ("1714566645", datetime.datetime(2024, 5, 1, 12, 30, 45, tzinfo=datetime.UTC)),
    ],
    ids=["epoch-int", "epoch-float", "iso-z", "iso-offset", "epoch-text"],
)
def test_json_timestamps_become_aware_utc_datetimes(wire: Any, expected: datetime.datetime) -> None:
    body = _dumps({"pullStartedAt": wire})
    params = parse_request(CATALOG.get("ecs"), "SubmitTaskStateChange", body).params
    assert params["pullStartedAt"] == expected
    assert params["pullStartedAt"].tzinfo == datetime.UTC


@pytest.mark.parametrize("wire", ["yesterday", True, [1]], ids=["text", "boolean", "array"])
def test_bad_json_timestamp(wire: Any) -> None:
    error = _json_error("SubmitTaskStateChange", _dumps({"pullStartedAt": wire}))
    assert error.code == "SerializationException"
    assert "'pullStartedAt': expected timestamp" in error.message


def test_json_blob_is_base64() -> None:
    spec = CATALOG.get("secretsmanager")
    ok = parse_request(spec, "PutSecretValue", b'{"SecretId": "s", "SecretBinary": "AAH/"}')
    assert ok.params["SecretBinary"] == b"\x00\x01\xff"
    error = _json_error("PutSecretValue", b'{"SecretBinary": "not base64!"}', "secretsmanager")
    assert error.code == "SerializationException"
    assert error.message == (
        "Cannot deserialize JSON string at 'secretBinary': expected valid base64."
    )
    error = _json_error("PutSecretValue", b'{"SecretBinary": 12}', "secretsmanager")
    assert error.message == (
        "Cannot deserialize JSON number at 'secretBinary': expected base64 string."
    )


def test_json_special_floats() -> None:
    body = b'{"Namespace": "n", "MetricData": [{"MetricName": "m", "Value": "NaN"}, ' \
           b'{"MetricName": "m", "Value": "-Infinity"}, {"MetricName": "m", "Value": 3}]}'
    data = parse_request(CATALOG.get("cloudwatch"), "PutMetricData", body).params["MetricData"]
    assert math.isnan(data[0]["Value"])
    assert data[1]["Value"] == -math.inf
    assert data[2]["Value"] == 3.0 and type(data[2]["Value"]) is float


def test_parse_request_rejects_unknown_operation() -> None:
    error = _json_error("DescribeUnicorns", b"{}")
    assert error.code == "UnknownOperationException"


# --- query forms --------------------------------------------------------------------------

BAD_FORMS = [
    pytest.param("iam", "ListRoles", b"Action=ListRoles&MaxItems=ten",
                 "Value 'ten' at 'maxItems' failed to satisfy constraint: Member must be an "
                 "integer", id="integer"),
    pytest.param("elbv2", "ModifyTargetGroup",
                 b"TargetGroupArn=a&HealthCheckEnabled=yes",
                 "Value 'yes' at 'healthCheckEnabled' failed to satisfy constraint: Member must "
                 "be a boolean (true or false)", id="boolean"),
    pytest.param("elbv2", "DescribeLoadBalancers", b"LoadBalancerArns.member.first=a",
                 "Value '{first=a}' at 'loadBalancerArns' failed to satisfy constraint: Member "
                 "must be a list", id="list-index"),
    pytest.param("elbv2", "DescribeLoadBalancers", b"LoadBalancerArns=a",
                 "Value 'a' at 'loadBalancerArns' failed to satisfy constraint: Member must be "
                 "a list", id="scalar-for-list"),
    pytest.param("elbv2", "DescribeLoadBalancers", b"Names=a&Names.member.1=b",
                 "Value 'a' at 'names' failed to satisfy constraint: Member must be a single "
                 "value or nested parameters, not both", id="value-and-nested"),
    pytest.param("elbv2", "DescribeLoadBalancers", b"PageSize.x=1",
                 "Value '{x=1}' at 'pageSize' failed to satisfy constraint: Member must be an "
                 "integer", id="nested-for-scalar"),
    pytest.param("cloudwatch", "GetMetricStatistics", b"StartTime=yesterday",
                 "Value 'yesterday' at 'startTime' failed to satisfy constraint: Member must be "
                 "a timestamp", id="timestamp"),
]


@pytest.mark.parametrize(("service", "op", "body", "violation"), BAD_FORMS)
def test_bad_form_values_are_validation_errors(
    service: str, op: str, body: bytes, violation: str
) -> None:
    spec = CATALOG.get(service, protocol="query")
    with pytest.raises(ApiError) as caught:
        parse_request(spec, op, body)
    assert (caught.value.code, caught.value.http_status) == (spec.validation_error_code, 400)
    assert caught.value.message == f"1 validation error detected: {violation}"


def test_form_lists_structures_and_empty_lists() -> None:
    body = (
        b"Action=AddTags&Version=2015-12-01&ResourceArns.member.2=b&ResourceArns.member.1=a"
        b"&Tags.member.1.Key=k1&Tags.member.1.Value=v%201&Tags.member.2.Key=k2"
        b"&Tags.member.2.Value=&Unknown.Param=x"
    )
    params = parse_request(CATALOG.get("elbv2"), "AddTags", body).params
    assert params == {
        "ResourceArns": ["a", "b"],
        "Tags": [{"Key": "k1", "Value": "v 1"}, {"Key": "k2", "Value": ""}],
    }
    empty = parse_request(CATALOG.get("elbv2"), "AddTags", b"ResourceArns=&Tags=").params
    assert empty == {"ResourceArns": [], "Tags": []}


def test_form_values_from_query_string_and_body_merge() -> None:
    spec = CATALOG.get("iam")
    parsed = parse_request(spec, "GetRole", b"", query_string="Action=GetRole&RoleName=web")
    assert parsed.params == {"RoleName": "web"}


def test_form_body_must_be_utf8() -> None:
    spec = CATALOG.get("sts")
    with pytest.raises(ApiError) as caught:
        parse_request(spec, "GetCallerIdentity", b"Action=\xff")
    assert caught.value.code == "ValidationError"
