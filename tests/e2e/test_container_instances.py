"""Container instances and attributes through boto3 against a real server."""

from __future__ import annotations

import json

import pytest
from botocore.exceptions import ClientError

RESOURCES = [
    {"name": "CPU", "type": "INTEGER", "integerValue": 2048},
    {"name": "MEMORY", "type": "INTEGER", "integerValue": 3768},
    {"name": "PORTS", "type": "STRINGSET", "stringSetValue": ["22", "2375", "51678"]},
    {"name": "PORTS_UDP", "type": "STRINGSET", "stringSetValue": []},
]
ARN_PREFIX = "arn:aws:ecs:us-east-1:123456789012:container-instance/"


def register(ecs, cluster: str, **extra):  # type: ignore[no-untyped-def]
    return ecs.register_container_instance(
        cluster=cluster, totalResources=RESOURCES,
        versionInfo={"agentVersion": "0.1.0", "dockerVersion": "20.10.24"},
        attributes=[{"name": "ecs.os-type", "value": "linux"}, {"name": "stack", "value": "prod"}],
        **extra,
    )["containerInstance"]


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def test_register_describe_list(ecs) -> None:
    ecs.create_cluster(clusterName="hosts")
    instance = register(
        ecs, "hosts", instanceIdentityDocument=json.dumps({"instanceId": "i-0123456789abcdef0"}),
        tags=[{"key": "rack", "value": "r1"}],
    )
    arn = instance["containerInstanceArn"]
    assert arn.startswith(ARN_PREFIX + "hosts/") and len(arn.rsplit("/", 1)[1]) == 32
    assert instance["ec2InstanceId"] == "i-0123456789abcdef0"
    assert instance["status"] == "ACTIVE" and instance["agentConnected"] is True
    assert instance["registeredResources"] == RESOURCES
    assert instance["remainingResources"] == RESOURCES
    assert {"name": "stack", "value": "prod"} in instance["attributes"]
    described = ecs.describe_container_instances(
        cluster="hosts", containerInstances=[arn, "0" * 32], include=["TAGS"]
    )
    assert described["containerInstances"][0]["tags"] == [{"key": "rack", "value": "r1"}]
    assert described["failures"] == [{"arn": "0" * 32, "reason": "MISSING"}]
    assert ecs.list_container_instances(cluster="hosts")["containerInstanceArns"] == [arn]
    cluster = ecs.describe_clusters(clusters=["hosts"])["clusters"][0]
    assert cluster["registeredContainerInstancesCount"] == 1


def test_reregister_keeps_the_arn(ecs) -> None:
    ecs.create_cluster(clusterName="rereg")
    first = register(ecs, "rereg")
    again = register(ecs, "rereg", containerInstanceArn=first["containerInstanceArn"])
    assert again["containerInstanceArn"] == first["containerInstanceArn"]
    assert len(ecs.list_container_instances(cluster="rereg")["containerInstanceArns"]) == 1


def test_drain_and_deregister(ecs) -> None:
    ecs.create_cluster(clusterName="drain")
    arn = register(ecs, "drain")["containerInstanceArn"]
    out = ecs.update_container_instances_state(
        cluster="drain", containerInstances=[arn, "f" * 32], status="DRAINING"
    )
    assert out["containerInstances"][0]["status"] == "DRAINING"
    assert out["failures"] == [{"arn": "f" * 32, "reason": "MISSING"}]
    draining = ecs.list_container_instances(cluster="drain", status="DRAINING")
    assert draining["containerInstanceArns"] == [arn]
    with pytest.raises(ClientError) as exc:
        ecs.delete_cluster(cluster="drain")
    assert code(exc) == "ClusterContainsContainerInstancesException"
    gone = ecs.deregister_container_instance(cluster="drain", containerInstance=arn)
    assert gone["containerInstance"]["status"] == "INACTIVE"
    assert ecs.list_container_instances(cluster="drain")["containerInstanceArns"] == []
    assert ecs.delete_cluster(cluster="drain")["cluster"]["status"] == "INACTIVE"


def test_attributes(ecs) -> None:
    ecs.create_cluster(clusterName="attrs")
    arn = register(ecs, "attrs")["containerInstanceArn"]
    ecs.put_attributes(cluster="attrs", attributes=[
        {"name": "gpu", "value": "none", "targetType": "container-instance", "targetId": arn},
    ])
    listed = ecs.list_attributes(cluster="attrs", targetType="container-instance",
                                 attributeName="gpu")["attributes"]
    assert listed == [{"name": "gpu", "value": "none", "targetType": "container-instance",
                       "targetId": arn}]
    ecs.delete_attributes(cluster="attrs", attributes=[{"name": "gpu", "targetId": arn}])
    assert ecs.list_attributes(cluster="attrs", targetType="container-instance",
                               attributeName="gpu")["attributes"] == []
    with pytest.raises(ClientError) as exc:
        ecs.put_attributes(cluster="attrs", attributes=[
            {"name": "x", "value": "1", "targetId": ARN_PREFIX + "attrs/" + "a" * 32}])
    assert code(exc) == "TargetNotFoundException"
    with pytest.raises(ClientError) as exc:
        ecs.put_attributes(cluster="attrs", attributes=[
            {"name": f"custom-{i}", "value": "v", "targetId": arn} for i in range(10)])
    assert code(exc) == "InvalidParameterException"
    names = {a["name"] for a in ecs.list_attributes(
        cluster="attrs", targetType="container-instance")["attributes"]}
    assert not any(n.startswith("custom-") for n in names), "a refused call must change nothing"


def test_refusals(ecs) -> None:
    with pytest.raises(ClientError) as exc:
        register(ecs, "no-such-cluster")
    assert code(exc) == "ClusterNotFoundException"
    ecs.create_cluster(clusterName="refuse")
    with pytest.raises(ClientError) as exc:
        ecs.register_container_instance(cluster="refuse", totalResources=RESOURCES[2:])
    assert code(exc) == "InvalidParameterException"
    assert ecs.list_container_instances(
        cluster="refuse", filter="attribute:stack == prod")["containerInstanceArns"] == []
    with pytest.raises(ClientError) as exc:
        ecs.list_container_instances(cluster="refuse", filter="attribute:stack == ")
    assert code(exc) == "InvalidParameterException"
