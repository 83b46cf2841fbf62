"""The model validator: which violations it finds, and AWS's exact wording for each."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from tests.unit.protocol.protocol_support import CATALOG

from dockyard.api.protocol import validate
from dockyard.domain.errors import ValidationError

CONSTRAINT = "failed to satisfy constraint"
ECS_INCLUDE = "[ATTACHMENTS, CONFIGURATIONS, SETTINGS, STATISTICS, TAGS]"
LAUNCH_TYPES = "[EC2, FARGATE, EXTERNAL, MANAGED_INSTANCES]"


def cut(text: str) -> str:
    """A rendered value as the message shows it: at most 200 characters, then ``...``."""
    return text[:200] + "..." if len(text) > 200 else text


FIFTY_ONE_TAGS = "[" + ", ".join(f"{{key=k{i}, value=v}}" for i in range(51)) + "]"
LONG_TAG_MAP = "{=v, k=" + "x" * 257 + "}"


def _message(service: str, op: str, params: dict[str, Any]) -> str:
    spec = CATALOG.get(service)
    with pytest.raises(ValidationError) as caught:
        validate(spec, spec.model.operation_model(op), params)
    assert caught.value.code == spec.validation_error_code
    assert caught.value.http_status == 400
    return caught.value.message


CASES = [
    pytest.param(
        "ecs", "DeleteCluster", {},
        f"1 validation error detected: Value null at 'cluster' {CONSTRAINT}: "
        "Member must not be null",
        id="ecs-missing-required",
    ),
    pytest.param(
        "ecs", "RegisterTaskDefinition", {"cpu": "256"},
        f"2 validation errors detected: Value null at 'family' {CONSTRAINT}: Member must not be "
        f"null; Value null at 'containerDefinitions' {CONSTRAINT}: Member must not be null",
        id="ecs-two-missing-required",
    ),
    pytest.param(
        "ecs", "RunTask", {"taskDefinition": "td", "count": "3"},
        f"1 validation error detected: Value '3' at 'count' {CONSTRAINT}: "
        "Member must be of type integer",
        id="ecs-wrong-type-string-for-integer",
    ),
    pytest.param(
        "ecs", "RunTask", {"taskDefinition": "td", "count": True},
        f"1 validation error detected: Value 'true' at 'count' {CONSTRAINT}: "
        "Member must be of type integer",
        id="ecs-bool-is-not-an-integer",
    ),
    pytest.param(
        "ecs", "DescribeClusters", {"clusters": "default"},
        f"1 validation error detected: Value 'default' at 'clusters' {CONSTRAINT}: "
        "Member must be of type list",
        id="ecs-wrong-type-string-for-list",
    ),
    pytest.param(
        "ecs", "RunTask", {"taskDefinition": "td", "launchType": "SPOT"},
        f"1 validation error detected: Value 'SPOT' at 'launchType' {CONSTRAINT}: "
        f"Member must satisfy enum value set: {LAUNCH_TYPES}",
        id="ecs-enum",
    ),
    pytest.param(
        "ecs", "DescribeClusters", {"include": ["TAGS", "NOPE", "NOPE"]},
        f"1 validation error detected: Value '[TAGS, NOPE, NOPE]' at 'include' {CONSTRAINT}: "
        f"Member must satisfy constraint: [Member must satisfy enum value set: {ECS_INCLUDE}]",
        id="ecs-enum-in-list-of-scalars",
    ),
    pytest.param(
        "ecs", "DescribeClusters", {"include": ["TAGS", None]},
        f"1 validation error detected: Value '[TAGS, null]' at 'include' {CONSTRAINT}: "
        "Member must satisfy constraint: [Member must not be null]",
        id="ecs-null-in-list-of-scalars",
    ),
    pytest.param(
        "ecs", "RegisterTaskDefinition",
        {"family": "f", "containerDefinitions": [
            {"name": "a"},
            {"name": "b", "ulimits": [{"name": "nofile", "softLimit": 1}]},
        ]},
        f"1 validation error detected: Value null at "
        f"'containerDefinitions.2.member.ulimits.1.member.hardLimit' {CONSTRAINT}: "
        "Member must not be null",
        id="ecs-nested-list-member-required",
    ),
    pytest.param(
        "ecs", "RegisterTaskDefinition",
        {"family": "f", "containerDefinitions": [None]},
        f"1 validation error detected: Value null at 'containerDefinitions.1.member' "
        f"{CONSTRAINT}: Member must not be null",
        id="ecs-null-list-element",
    ),
    pytest.param(
        "ecs", "TagResource", {"resourceArn": "arn", "tags": [{"key": "", "value": "v"}]},
        f"1 validation error detected: Value '' at 'tags.1.member.key' {CONSTRAINT}: "
        "Member must have length greater than or equal to 1",
        id="ecs-string-min-length-in-list",
    ),
    pytest.param(
        "ecs", "TagResource", {"resourceArn": "arn", "tags": [{"key": "k", "value": "v" * 257}]},
        f"1 validation error detected: Value '{'v' * 200}...' at 'tags.1.member.value' "
        f"{CONSTRAINT}: Member must have length less than or equal to 256",
        id="ecs-string-max-length-value-truncated",
    ),
    pytest.param(
        "ecs", "TagResource",
        {"resourceArn": "arn", "tags": [{"key": f"k{i}", "value": "v"} for i in range(51)]},
        f"1 validation error detected: Value '{cut(FIFTY_ONE_TAGS)}' at 'tags' {CONSTRAINT}: "
        "Member must have length less than or equal to 50",
        id="ecs-list-max-length",
    ),
    pytest.param(
        "ecs", "PutClusterCapacityProviders",
        {"cluster": "c", "capacityProviders": [], "defaultCapacityProviderStrategy": [
            {"capacityProvider": "cp", "weight": 1001, "base": -1}]},
        f"2 validation errors detected: Value '1001' at "
        f"'defaultCapacityProviderStrategy.1.member.weight' {CONSTRAINT}: Member must have "
        f"value less than or equal to 1000; Value '-1' at "
        f"'defaultCapacityProviderStrategy.1.member.base' {CONSTRAINT}: Member must have "
        "value greater than or equal to 0",
        id="ecs-integer-range",
    ),
    pytest.param(
        "logs", "DescribeLogGroups", {"limit": 0},
        f"1 validation error detected: Value '0' at 'limit' {CONSTRAINT}: "
        "Member must have value greater than or equal to 1",
        id="logs-range-min",
    ),
    pytest.param(
        "logs", "CreateLogGroup", {"logGroupName": "", "logGroupClass": "COLD"},
        f"2 validation errors detected: Value '' at 'logGroupName' {CONSTRAINT}: Member must "
        f"have length greater than or equal to 1; Value 'COLD' at 'logGroupClass' {CONSTRAINT}: "
        "Member must satisfy enum value set: [STANDARD, INFREQUENT_ACCESS, DELIVERY]",
        id="logs-length-and-enum",
    ),
    pytest.param(
        "logs", "TagLogGroup", {"logGroupName": "g", "tags": {"": "v", "k": "x" * 257}},
        f"2 validation errors detected: Value '{cut(LONG_TAG_MAP)}' at 'tags' {CONSTRAINT}: "
        "Map keys must satisfy constraint: [Member must have length greater than or equal to 1]"
        f"; Value '{cut(LONG_TAG_MAP)}' at 'tags' {CONSTRAINT}: Map value must satisfy "
        "constraint: [Member must have length less than or equal to 256]",
        id="logs-map-keys-and-values",
    ),
    pytest.param(
        "logs", "TagLogGroup", {"logGroupName": "g", "tags": {}},
        f"1 validation error detected: Value '{{}}' at 'tags' {CONSTRAINT}: "
        "Member must have length greater than or equal to 1",
        id="logs-map-min-length",
    ),
    pytest.param(
        "sts", "AssumeRole",
        {"RoleArn": "arn:aws:iam::123456789012:role/r", "RoleSessionName": "s",
         "DurationSeconds": 100},
        f"2 validation errors detected: Value 's' at 'roleSessionName' {CONSTRAINT}: Member must "
        f"have length greater than or equal to 2; Value '100' at 'durationSeconds' {CONSTRAINT}: "
        "Member must have value greater than or equal to 900",
        id="sts-query-member-paths-are-lower-camel",
    ),
    pytest.param(
        "elbv2", "CreateTargetGroup", {"Name": "tg", "Protocol": "FTP", "Port": 70000},
        f"2 validation errors detected: Value 'FTP' at 'protocol' {CONSTRAINT}: Member must "
        "satisfy enum value set: [HTTP, HTTPS, TCP, TLS, UDP, TCP_UDP, GENEVE, QUIC, TCP_QUIC]; "
        f"Value '70000' at 'port' {CONSTRAINT}: Member must have value less than or equal to "
        "65535",
        id="elbv2-enum-and-range",
    ),
    pytest.param(
        "cloudwatch", "GetMetricStatistics",
        {"Namespace": "n", "MetricName": "m", "StartTime": "yesterday",
         "EndTime": datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC), "Period": 0},
        f"2 validation errors detected: Value 'yesterday' at 'startTime' {CONSTRAINT}: Member "
        f"must be of type timestamp; Value '0' at 'period' {CONSTRAINT}: Member must have "
        "value greater than or equal to 1",
        id="cloudwatch-timestamp-type-and-range",
    ),
]


@pytest.mark.parametrize(("service", "op", "params", "expected"), CASES)
def test_violation_message(service: str, op: str, params: dict[str, Any], expected: str) -> None:
    assert _message(service, op, params) == expected


def test_more_than_ten_violations_are_counted_but_elided() -> None:
    tags = [{"key": "", "value": "v"} for _ in range(12)]
    message = _message("ecs", "TagResource", {"resourceArn": "a", "tags": tags})
    assert message.startswith("12 validation errors detected: Value '' at 'tags.1.member.key'")
    assert message.count("Value '' at") == 10
    assert message.endswith("Member must have length greater than or equal to 1; ...")


@pytest.mark.parametrize(
    ("service", "op", "params"),
    [
        pytest.param("ecs", "CreateCluster", {"clusterName": "a", "unknownMember": 1},
                     id="ecs-unknown-member-ignored"),
        pytest.param("ecs", "ListClusters", {}, id="ecs-no-required-members"),
        pytest.param("ecs", "RegisterTaskDefinition",
                     {"family": "f", "containerDefinitions": [], "pattern_ignored": "x"},
                     id="ecs-empty-list-ok"),
        pytest.param("ecs", "TagResource",
                     {"resourceArn": "arn", "tags": [{"key": "not a [pattern]", "value": ""}]},
                     id="ecs-patterns-not-enforced"),
        pytest.param("ecs", "RunTask", {"taskDefinition": "td", "count": 10}, id="ecs-ok"),
        pytest.param("sts", "GetCallerIdentity", {}, id="sts-no-input-members"),
    ],
)
def test_valid_params_pass(service: str, op: str, params: dict[str, Any]) -> None:
    spec = CATALOG.get(service)
    validate(spec, spec.model.operation_model(op), params)


@pytest.mark.parametrize(
    ("service", "code"),
    [
        ("ecs", "InvalidParameterException"),
        ("logs", "InvalidParameterException"),
        ("application-autoscaling", "ValidationException"),
        ("ssm", "ValidationException"),
        ("secretsmanager", "ValidationException"),
        ("cloudwatch", "InvalidParameterValue"),
        ("elbv2", "ValidationError"),
        ("iam", "ValidationError"),
        ("sts", "ValidationError"),
    ],
)
def test_error_code_per_service(service: str, code: str) -> None:
    spec = CATALOG.get(service)
    op = next(
        name for name in spec.model.operation_names
        if (shape := spec.model.operation_model(name).input_shape) and shape.required_members
    )
    with pytest.raises(ValidationError) as caught:
        validate(spec, spec.model.operation_model(op), {})
    assert caught.value.code == code
