"""Clusters, tags and account settings through boto3 against a real server."""

from __future__ import annotations

import pytest
from botocore.exceptions import ClientError

ARN_PREFIX = "arn:aws:ecs:us-east-1:123456789012:cluster/"


def error_code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_create_is_idempotent_and_listed(ecs) -> None:
    first = ecs.create_cluster(clusterName="alpha", tags=[{"key": "team", "value": "a"}])
    again = ecs.create_cluster(clusterName="alpha")
    assert first["cluster"]["clusterArn"] == ARN_PREFIX + "alpha"
    assert first["cluster"]["status"] == "ACTIVE"
    assert first["cluster"]["tags"] == [{"key": "team", "value": "a"}]
    assert again["cluster"]["clusterArn"] == first["cluster"]["clusterArn"]
    assert ARN_PREFIX + "alpha" in ecs.list_clusters()["clusterArns"]


def test_default_cluster_when_name_omitted(ecs) -> None:
    created = ecs.create_cluster()
    assert created["cluster"]["clusterName"] == "default"
    described = ecs.describe_clusters()
    assert [c["clusterName"] for c in described["clusters"]] == ["default"]


def test_describe_reports_missing_as_failures(ecs) -> None:
    ecs.create_cluster(clusterName="beta")
    out = ecs.describe_clusters(clusters=["beta", "nope", ARN_PREFIX + "gone"], include=["TAGS"])
    assert [c["clusterName"] for c in out["clusters"]] == ["beta"]
    assert out["clusters"][0]["tags"] == []
    assert out["failures"] == [
        {"arn": ARN_PREFIX + "nope", "reason": "MISSING"},
        {"arn": ARN_PREFIX + "gone", "reason": "MISSING"},
    ]


def test_describe_include_settings_and_statistics(ecs) -> None:
    ecs.create_cluster(
        clusterName="gamma", settings=[{"name": "containerInsights", "value": "enabled"}]
    )
    cluster = ecs.describe_clusters(clusters=["gamma"], include=["SETTINGS", "STATISTICS"])[
        "clusters"
    ][0]
    assert cluster["settings"] == [{"name": "containerInsights", "value": "enabled"}]
    assert {s["name"] for s in cluster["statistics"]} >= {"runningEC2TasksCount"}
    plain = ecs.describe_clusters(clusters=["gamma"])["clusters"][0]
    assert "settings" not in plain


def test_update_settings_and_capacity_providers(ecs) -> None:
    ecs.create_cluster(clusterName="delta")
    updated = ecs.update_cluster_settings(
        cluster="delta", settings=[{"name": "containerInsights", "value": "enhanced"}]
    )
    assert updated["cluster"]["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    cp = ecs.put_cluster_capacity_providers(
        cluster=ARN_PREFIX + "delta",
        capacityProviders=["FARGATE"],
        defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1, "base": 1}],
    )
    assert cp["cluster"]["capacityProviders"] == ["FARGATE"]
    assert cp["cluster"]["defaultCapacityProviderStrategy"] == [
        {"capacityProvider": "FARGATE", "weight": 1, "base": 1}
    ]
    with pytest.raises(ClientError) as exc:
        ecs.put_cluster_capacity_providers(
            cluster="delta",
            capacityProviders=[],
            defaultCapacityProviderStrategy=[{"capacityProvider": "FARGATE", "weight": 1}],
        )
    assert error_code(exc) == "InvalidParameterException"


def test_delete_makes_inactive_and_unknown_raises(ecs) -> None:
    ecs.create_cluster(clusterName="epsilon")
    deleted = ecs.delete_cluster(cluster="epsilon")
    assert deleted["cluster"]["status"] == "INACTIVE"
    assert ARN_PREFIX + "epsilon" not in ecs.list_clusters()["clusterArns"]
    described = ecs.describe_clusters(clusters=["epsilon"])["clusters"][0]
    assert described["status"] == "INACTIVE"
    with pytest.raises(ClientError) as exc:
        ecs.delete_cluster(cluster="epsilon")
    assert error_code(exc) == "ClusterNotFoundException"
    assert exc.value.response["Error"]["Message"] == "Cluster not found."
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_bad_cluster_name_is_invalid_parameter(ecs) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.create_cluster(clusterName="bad name!")
    assert error_code(exc) == "InvalidParameterException"


def test_list_clusters_paginates_with_stable_tokens(ecs) -> None:
    for i in range(7):
        ecs.create_cluster(clusterName=f"page-{i}")
    paginator = ecs.get_paginator("list_clusters")
    pages = list(paginator.paginate(PaginationConfig={"PageSize": 3}))
    arns = [a for p in pages for a in p["clusterArns"]]
    assert len(arns) == len(set(arns))
    assert [a for a in arns if "page-" in a] == [ARN_PREFIX + f"page-{i}" for i in range(7)]
    with pytest.raises(ClientError) as exc:
        ecs.list_clusters(nextToken="garbage")
    assert error_code(exc) == "InvalidParameterException"


def test_tags_on_cluster(ecs) -> None:
    arn = ecs.create_cluster(clusterName="tagged")["cluster"]["clusterArn"]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "a", "value": "1"}, {"key": "b", "value": "2"}])
    ecs.untag_resource(resourceArn=arn, tagKeys=["a"])
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(ClientError) as exc:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": "aws:x", "value": "1"}])
    assert error_code(exc) == "InvalidParameterException"
    with pytest.raises(ClientError) as exc:
        ecs.tag_resource(resourceArn=arn, tags=[{"key": f"k{i}", "value": ""} for i in range(50)])
    assert error_code(exc) == "InvalidParameterException"
    assert ecs.list_tags_for_resource(resourceArn=arn)["tags"] == [{"key": "b", "value": "2"}]
    with pytest.raises(ClientError) as exc:
        ecs.list_tags_for_resource(resourceArn=ARN_PREFIX + "never")
    assert error_code(exc) == "ClusterNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.list_tags_for_resource(resourceArn="not-an-arn")
    assert error_code(exc) == "InvalidParameterException"


def test_account_settings(ecs) -> None:
    put = ecs.put_account_setting(name="awsvpcTrunking", value="enabled")
    assert put["setting"]["value"] == "enabled"
    assert put["setting"]["principalArn"].startswith("arn:aws:iam::123456789012:")
    own = ecs.list_account_settings()["settings"]
    assert [(s["name"], s["value"]) for s in own] == [("awsvpcTrunking", "enabled")]
    ecs.put_account_setting_default(name="containerInsights", value="enabled")
    effective = {
        s["name"]: s["value"]
        for s in ecs.list_account_settings(effectiveSettings=True, maxResults=100)["settings"]
    }
    assert effective["containerInsights"] == "enabled"
    assert effective["serviceLongArnFormat"] == "enabled"
    assert effective["awsvpcTrunking"] == "enabled"
    with pytest.raises(ClientError) as exc:
        ecs.put_account_setting(name="awsvpcTrunking", value="sideways")
    assert error_code(exc) == "InvalidParameterException"


def test_arn_of_another_region_or_account_is_missing(ecs) -> None:
    ecs.create_cluster(clusterName="local")
    foreign = [
        "arn:aws:ecs:eu-west-1:123456789012:cluster/local",
        "arn:aws:ecs:us-east-1:999999999999:cluster/local",
    ]
    out = ecs.describe_clusters(clusters=foreign)
    assert out["clusters"] == []
    assert [f["arn"] for f in out["failures"]] == foreign
    with pytest.raises(ClientError) as exc:
        ecs.update_cluster_settings(
            cluster=foreign[0], settings=[{"name": "containerInsights", "value": "enabled"}]
        )
    assert error_code(exc) == "ClusterNotFoundException"


def test_new_cluster_inherits_account_container_insights(server) -> None:
    ecs = server.client("ecs", region_name="ap-south-1")
    ecs.put_account_setting_default(name="containerInsights", value="enhanced")
    made = ecs.create_cluster(clusterName="insightful")["cluster"]
    assert made["settings"] == [{"name": "containerInsights", "value": "enhanced"}]
    explicit = ecs.create_cluster(
        clusterName="explicit", settings=[{"name": "containerInsights", "value": "disabled"}]
    )["cluster"]
    assert explicit["settings"] == [{"name": "containerInsights", "value": "disabled"}]
