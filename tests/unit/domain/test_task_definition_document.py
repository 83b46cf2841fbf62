"""The document mapping: member names exactly as botocore's ECS model spells them, lossless round
trips, and AWS's own examples.
"""

from __future__ import annotations

import copy
import json
from dataclasses import fields, replace
from datetime import UTC, datetime
from typing import Any

import botocore.session
import pytest
from tests.unit.domain.test_task_definition_support import (
    EXECUTION_ROLE,
    TASK_ROLE,
    assert_contains,
    botocore_examples,
    container,
    register,
    task,
)

from dockyard.domain import task_definition as api
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.task_definition_codec import encode, wire_name

ECS = botocore.session.get_session().get_service_model("ecs")

MODELLED: dict[str, type] = {
    "TaskDefinition": api.TaskDefinition,
    "RegisterTaskDefinitionRequest": api.TaskDefinitionRegistration,
    "ContainerDefinition": api.ContainerDefinition,
    "PortMapping": api.PortMapping,
    "KeyValuePair": api.KeyValuePair,
    "EnvironmentFile": api.EnvironmentFile,
    "Secret": api.Secret,
    "MountPoint": api.MountPoint,
    "VolumeFrom": api.VolumeFrom,
    "HealthCheck": api.HealthCheck,
    "ContainerDependency": api.ContainerDependency,
    "HostEntry": api.HostEntry,
    "LogConfiguration": api.LogConfiguration,
    "Ulimit": api.Ulimit,
    "KernelCapabilities": api.KernelCapabilities,
    "Device": api.Device,
    "Tmpfs": api.Tmpfs,
    "LinuxParameters": api.LinuxParameters,
    "RepositoryCredentials": api.RepositoryCredentials,
    "ContainerRestartPolicy": api.ContainerRestartPolicy,
    "SystemControl": api.SystemControl,
    "ResourceRequirement": api.ResourceRequirement,
    "FirelensConfiguration": api.FirelensConfiguration,
    "Volume": api.Volume,
    "HostVolumeProperties": api.HostVolumeProperties,
    "DockerVolumeConfiguration": api.DockerVolumeConfiguration,
    "EFSVolumeConfiguration": api.EfsVolumeConfiguration,
    "EFSAuthorizationConfig": api.EfsAuthorizationConfig,
    "TaskDefinitionPlacementConstraint": api.TaskDefinitionPlacementConstraint,
    "ProxyConfiguration": api.ProxyConfiguration,
    "InferenceAccelerator": api.InferenceAccelerator,
    "EphemeralStorage": api.EphemeralStorage,
    "RuntimePlatform": api.RuntimePlatform,
    "Attribute": api.Attribute,
}
"""botocore shape → the dataclass that models it."""

NOT_MODELLED: dict[str, set[str]] = {
    "TaskDefinition": {"taskDefinitionArn"},
    "RegisterTaskDefinitionRequest": {"tags"},
    "Volume": {"fsxWindowsFileServerVolumeConfiguration", "s3filesVolumeConfiguration"},
}
"""Members deliberately outside the model: added by the edge, handled by the caller, or kept
verbatim in ``passthrough``."""


@pytest.mark.parametrize("shape_name", sorted(MODELLED))
def test_every_botocore_member_has_a_field_with_its_exact_name(shape_name: str) -> None:
    members = set(ECS.shape_for(shape_name).members)
    model = {
        wire_name(f) for f in fields(MODELLED[shape_name]) if not f.metadata.get("passthrough")
    }
    assert model == members - NOT_MODELLED.get(shape_name, set())


def sample(shape: Any, name: str = "") -> object:
    """A value for every member of ``shape`` (one list item, one map entry)."""
    if name in ("cpu", "memory") and shape.type_name == "string":
        return "1024"
    kind = shape.type_name
    if kind == "structure":
        return {member: sample(sub, member) for member, sub in shape.members.items()}
    if kind == "list":
        return [sample(shape.member)]
    if kind == "map":
        return {"key": sample(shape.value)}
    if kind == "string":
        return shape.enum[-1] if shape.enum else f"{name or 'text'}-value"
    if kind == "timestamp":
        return datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    return {"integer": 7, "long": 7, "boolean": True}[kind]


def test_a_document_with_every_member_round_trips() -> None:
    doc = sample(ECS.shape_for("TaskDefinition"))
    assert isinstance(doc, dict)
    del doc["taskDefinitionArn"]
    td = api.task_definition_from_document(doc)
    assert api.task_definition_to_document(td) == doc
    assert api.task_definition_from_document(api.task_definition_to_document(td)) == td


def test_a_request_with_every_member_is_typed_without_loss() -> None:
    params = sample(ECS.shape_for("RegisterTaskDefinitionRequest"))
    assert isinstance(params, dict)
    reg = api.registration_from_request(params)
    assert reg.cpu == 1024 and reg.memory == 1024
    assert encode(reg) == {k: v for k, v in params.items() if k != "tags"}


def test_unknown_members_are_kept_verbatim() -> None:
    doc = api.task_definition_to_document(register(task()))
    doc["futureMember"] = {"nested": [1, 2]}
    doc["containerDefinitions"][0]["futureContainerMember"] = "kept"
    doc["volumes"] = [
        {"name": "win", "fsxWindowsFileServerVolumeConfiguration": {"fileSystemId": "fs-1"}}
    ]
    td = api.task_definition_from_document(doc)
    assert td.passthrough == {"futureMember": {"nested": [1, 2]}}
    assert td.container_definitions[0].passthrough == {"futureContainerMember": "kept"}
    assert td.volumes[0].kinds() == ("fsxWindowsFileServerVolumeConfiguration",)
    assert api.task_definition_to_document(td) == doc


def test_documents_never_alias_the_model() -> None:
    params = task(futureMember={"kept": ["as", "sent"]})
    reg = api.registration_from_request(params)
    params["futureMember"]["kept"].append("later")
    assert reg.passthrough == {"futureMember": {"kept": ["as", "sent"]}}
    td = register(task(futureMember={"kept": []}))
    api.task_definition_to_document(td)["futureMember"]["kept"].append("x")
    assert td.passthrough == {"futureMember": {"kept": []}}


def test_task_definition_arn_is_not_part_of_the_aggregate() -> None:
    td = register(task())
    doc = {"taskDefinitionArn": "arn:aws:ecs:us-east-1:1:task-definition/web:1"}
    doc.update(api.task_definition_to_document(td))
    assert api.task_definition_from_document(doc) == td


def test_lifecycle_members_and_timestamps_round_trip() -> None:
    at = datetime(2026, 4, 1, 8, 30, 15, 250000, tzinfo=UTC)
    td = replace(
        register(task()),
        status=api.TaskDefinitionStatus.DELETE_IN_PROGRESS,
        deregistered_at=at,
        delete_requested_at=at,
    )
    doc = api.task_definition_to_document(td)
    assert (doc["status"], doc["deregisteredAt"], doc["deleteRequestedAt"]) == (
        "DELETE_IN_PROGRESS",
        at,
        at,
    )
    assert api.task_definition_from_document(doc) == td


def test_document_of_a_rich_definition_is_json_and_round_trips() -> None:
    td = register(RICH)
    doc = api.task_definition_to_document(td)
    text = json.dumps(doc, default=lambda value: value.timestamp())
    assert json.loads(text)["containerDefinitions"][0]["portMappings"][0]["protocol"] == "tcp"
    assert api.task_definition_from_document(doc) == td
    assert api.task_definition_to_document(api.task_definition_from_document(doc)) == doc
    assert_contains(doc, {k: v for k, v in RICH.items() if k not in ("cpu", "memory")})
    assert (doc["cpu"], doc["memory"]) == ("512", "1024")


def test_missing_revision_is_refused() -> None:
    doc = api.task_definition_to_document(register(task()))
    del doc["revision"]
    with pytest.raises(InvalidParameterException, match=r"^Missing required parameter revision\.$"):
        api.task_definition_from_document(doc)


def test_request_is_not_mutated() -> None:
    params = task(taskRoleArn="", cpu="1 vCPU", tags=[{"key": "a", "value": "b"}])
    before = copy.deepcopy(params)
    reg = api.registration_from_request(params)
    assert params == before
    assert (reg.task_role_arn, reg.cpu, reg.passthrough) == (None, 1024, {})


@pytest.mark.parametrize(
    ("cpu", "memory", "units", "mib"),
    [
        ("1024", "2048", 1024, 2048),
        ("1 vCPU", "2GB", 1024, 2048),
        ("1 vcpu", "2 GB", 1024, 2048),
        ("0.25 vCPU", "0.5GB", 256, 512),
        (" 256 ", "512 MiB", 256, 512),
        ("16 vCPU", "120 GB", 16384, 122880),
    ],
    ids=lambda v: repr(v),
)
def test_cpu_and_memory_strings_are_normalised(cpu: str, memory: str, units: int, mib: int) -> None:
    reg = api.registration_from_request(task(cpu=cpu, memory=memory))
    assert (reg.cpu, reg.memory) == (units, mib)
    assert api.task_definition_to_document(register(task(cpu=cpu, memory=memory)))["cpu"] == str(
        units
    )


@pytest.mark.parametrize(
    "example", botocore_examples("RegisterTaskDefinition"), ids=lambda e: e["id"]
)
def test_botocore_register_examples_are_accepted_and_answered_like_aws(
    example: dict[str, Any],
) -> None:
    td = register(example["input"])
    doc = api.task_definition_to_document(td)
    assert api.task_definition_from_document(doc) == td
    aws = example["output"]["taskDefinition"]
    assert_contains(doc, {k: aws[k] for k in ("family", "containerDefinitions", "volumes")})
    assert "taskRoleArn" not in doc  # sent as "", answered without one


@pytest.mark.parametrize(
    "example", botocore_examples("DescribeTaskDefinition"), ids=lambda e: e["id"]
)
def test_botocore_describe_examples_decode(example: dict[str, Any]) -> None:
    aws = dict(example["output"]["taskDefinition"])
    td = api.task_definition_from_document(aws)
    aws.pop("taskDefinitionArn")
    assert_contains(api.task_definition_to_document(td), aws)
    api.validate_registration(td)


RICH = task(
    container(
        image="nginx:1.27",
        cpu=256,
        memory=512,
        memoryReservation=256,
        links=["cache:redis"],
        portMappings=[{"containerPort": 80, "hostPort": 8080, "protocol": "tcp"}],
        environment=[{"name": "MODE", "value": "prod"}],
        mountPoints=[{"sourceVolume": "data", "containerPath": "/data", "readOnly": False}],
        volumesFrom=[{"sourceContainer": "cache", "readOnly": True}],
        secrets=[{"name": "TOKEN", "valueFrom": "/prod/token"}],
        dependsOn=[{"containerName": "cache", "condition": "HEALTHY"}],
        healthCheck={"command": ["CMD-SHELL", "curl -f http://localhost/"], "startPeriod": 10},
        logConfiguration={"logDriver": "json-file", "options": {"max-size": "10m"}},
        ulimits=[{"name": "nofile", "softLimit": 1024, "hardLimit": 4096}],
        dockerLabels={"team": "web"},
        linuxParameters={"initProcessEnabled": True, "capabilities": {"add": ["SYS_PTRACE"]}},
        stopTimeout=45,
        user="1000",
    ),
    container(
        name="cache",
        image="redis:7",
        memory=256,
        healthCheck={"command": ["CMD", "redis-cli", "ping"]},
    ),
    cpu="512",
    memory="1024",
    taskRoleArn=TASK_ROLE,
    executionRoleArn=EXECUTION_ROLE,
    volumes=[
        {"name": "data", "dockerVolumeConfiguration": {"scope": "shared", "autoprovision": True}}
    ],
    placementConstraints=[{"type": "memberOf", "expression": "attribute:ecs.os-type == linux"}],
    pidMode="task",
)
