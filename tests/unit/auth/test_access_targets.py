"""What each request means in IAM's terms: action, resources, ecs:cluster (pure table)."""

from __future__ import annotations

import pytest

from dockyard.api.auth.resources import ResourceLookups, access_target

R, A = "eu-west-1", "123456789012"
ECS = f"arn:aws:ecs:{R}:{A}"


@pytest.mark.parametrize(
    ("service", "operation", "params", "resources", "cluster"),
    [
        ("ecs", "ListClusters", {}, ("*",), None),
        ("ecs", "CreateCluster", {"clusterName": "prod"}, ("*",), None),
        (
            "ecs",
            "DescribeClusters",
            {"clusters": ["prod", f"{ECS}:cluster/dev"]},
            (f"{ECS}:cluster/prod", f"{ECS}:cluster/dev"),
            None,
        ),
        ("ecs", "DescribeClusters", {}, (f"{ECS}:cluster/default",), None),
        ("ecs", "DeleteCluster", {"cluster": "prod"}, (f"{ECS}:cluster/prod",), "prod"),
        (
            "ecs",
            "RunTask",
            {"cluster": "prod", "taskDefinition": "web:3"},
            (f"{ECS}:task-definition/web:3",),
            "prod",
        ),
        (
            "ecs",
            "RunTask",
            {"taskDefinition": "web"},
            (f"{ECS}:task-definition/web:*",),
            "default",
        ),
        (
            "ecs",
            "StopTask",
            {"cluster": "prod", "task": "abc"},
            (f"{ECS}:task/prod/abc",),
            "prod",
        ),
        (
            "ecs",
            "DescribeServices",
            {"cluster": "prod", "services": ["a", f"{ECS}:service/prod/b"]},
            (f"{ECS}:service/prod/a", f"{ECS}:service/prod/b"),
            "prod",
        ),
        (
            "ecs",
            "CreateService",
            {"cluster": "prod", "serviceName": "web"},
            (f"{ECS}:service/prod/web",),
            "prod",
        ),
        ("ecs", "ListTasks", {"cluster": "prod"}, ("*",), "prod"),
        (
            "ecs",
            "TagResource",
            {"resourceArn": f"{ECS}:cluster/x", "tags": []},
            (f"{ECS}:cluster/x",),
            None,
        ),
        (
            "ssm",
            "GetParameters",
            {"Names": ["/app/db:3", "plain"]},
            (f"arn:aws:ssm:{R}:{A}:parameter/app/db", f"arn:aws:ssm:{R}:{A}:parameter/plain"),
            None,
        ),
        (
            "monitoring",
            "DeleteAlarms",
            {"AlarmNames": ["hi"]},
            (f"arn:aws:cloudwatch:{R}:{A}:alarm:hi",),
            None,
        ),
        (
            "logs",
            "GetLogEvents",
            {"logGroupName": "/ecs/web", "logStreamName": "s"},
            (f"arn:aws:logs:{R}:{A}:log-group:/ecs/web:log-stream:s",),
            None,
        ),
        ("iam", "GetUser", {"UserName": "bob"}, (f"arn:aws:iam::{A}:user/bob",), None),
        (
            "sts",
            "AssumeRole",
            {"RoleArn": f"arn:aws:iam::{A}:role/r", "RoleSessionName": "s"},
            (f"arn:aws:iam::{A}:role/r",),
            None,
        ),
        ("elasticloadbalancing", "DescribeLoadBalancers", {}, ("*",), None),
    ],
)
def test_access_target(service, operation, params, resources, cluster):
    target = access_target(service, operation, params, region=R, account_id=A)
    assert target.resources == resources
    if cluster is None:
        assert "ecs:cluster" not in target.context
    else:
        assert target.context["ecs:cluster"] == f"{ECS}:cluster/{cluster}"


def test_cloudwatch_signs_as_monitoring_but_its_actions_are_cloudwatch():
    target = access_target("monitoring", "ListMetrics", {}, region=R, account_id=A)
    assert target.action == "cloudwatch:ListMetrics"


def test_secret_names_resolve_to_their_suffixed_arn_through_the_lookup():
    arn = f"arn:aws:secretsmanager:{R}:{A}:secret:db-AbCdEf"
    lookups = ResourceLookups(secret_arn=lambda region, name: arn if name == "db" else None)
    target = access_target(
        "secretsmanager",
        "GetSecretValue",
        {"SecretId": "db"},
        region=R,
        account_id=A,
        lookups=lookups,
    )
    assert target.resources == (arn,)
    unknown = access_target(
        "secretsmanager",
        "GetSecretValue",
        {"SecretId": "nope"},
        region=R,
        account_id=A,
        lookups=lookups,
    )
    assert unknown.resources == (f"arn:aws:secretsmanager:{R}:{A}:secret:nope",)


def test_a_secret_id_given_as_an_arn_is_the_resource():
    arn = f"arn:aws:secretsmanager:{R}:{A}:secret:db-AbCdEf"
    target = access_target(
        "secretsmanager", "GetSecretValue", {"SecretId": arn}, region=R, account_id=A
    )
    assert target.resources == (arn,)
