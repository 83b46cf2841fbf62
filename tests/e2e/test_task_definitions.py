"""Task definitions through boto3 against a real server, including botocore's own examples."""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor

import botocore
import pytest
from botocore.exceptions import ClientError

TD_ARN = "arn:aws:ecs:us-east-1:123456789012:task-definition/"


def botocore_examples(operation: str) -> list[dict]:  # type: ignore[type-arg]
    path = os.path.join(os.path.dirname(botocore.__file__), "data/ecs/2014-11-13/examples-1.json")
    with open(path) as handle:
        return [e["input"] for e in json.load(handle)["examples"].get(operation, [])]


def web(family: str = "web", **extra: object) -> dict:  # type: ignore[type-arg]
    return {
        "family": family,
        "containerDefinitions": [
            {
                "name": "web",
                "image": "busybox",
                "memory": 64,
                "essential": True,
                "portMappings": [{"containerPort": 80, "hostPort": 0}],
            }
        ],
        **extra,
    }


@pytest.mark.parametrize("example", botocore_examples("RegisterTaskDefinition"))
def test_botocore_examples_register(ecs, example: dict) -> None:  # type: ignore[type-arg]
    out = ecs.register_task_definition(**example)["taskDefinition"]
    assert out["family"] == example["family"]
    assert out["status"] == "ACTIVE"
    assert out["taskDefinitionArn"] == f"{TD_ARN}{example['family']}:{out['revision']}"
    for container, sent in zip(
        out["containerDefinitions"], example["containerDefinitions"], strict=True
    ):
        assert container["name"] == sent["name"]
        assert container["image"] == sent["image"]
    described = ecs.describe_task_definition(taskDefinition=example["family"])["taskDefinition"]
    assert described == out


def test_revisions_increment_and_describe_forms(ecs) -> None:
    first = ecs.register_task_definition(**web("rev"))["taskDefinition"]
    second = ecs.register_task_definition(**web("rev"))["taskDefinition"]
    assert (first["revision"], second["revision"]) == (1, 2)
    assert ecs.describe_task_definition(taskDefinition="rev")["taskDefinition"]["revision"] == 2
    assert ecs.describe_task_definition(taskDefinition="rev:1")["taskDefinition"]["revision"] == 1
    by_arn = ecs.describe_task_definition(taskDefinition=first["taskDefinitionArn"])
    assert by_arn["taskDefinition"]["revision"] == 1
    assert first["registeredAt"].year >= 2026
    assert first["registeredBy"].startswith("arn:aws:iam::123456789012:")


def test_deregister_then_delete_keeps_numbering(ecs) -> None:
    ecs.register_task_definition(**web("life"))
    gone = ecs.deregister_task_definition(taskDefinition="life:1")["taskDefinition"]
    assert gone["status"] == "INACTIVE" and "deregisteredAt" in gone
    with pytest.raises(ClientError) as exc:
        ecs.describe_task_definition(taskDefinition="life")
    assert exc.value.response["Error"]["Code"] == "ClientException"
    assert (
        ecs.describe_task_definition(taskDefinition="life:1")["taskDefinition"]["status"]
        == "INACTIVE"
    )
    ecs.register_task_definition(**web("life"))
    deleted = ecs.delete_task_definitions(taskDefinitions=["life:1", "life:2", "life:9"])
    assert [t["status"] for t in deleted["taskDefinitions"]] == ["DELETE_IN_PROGRESS"]
    reasons = {f["arn"]: f["reason"] for f in deleted["failures"]}
    assert "ACTIVE" in reasons["life:2"] and "does not exist" in reasons["life:9"]
    third = ecs.register_task_definition(**web("life"))["taskDefinition"]
    assert third["revision"] == 3


def test_list_task_definitions_filters_sorts_and_pages(ecs) -> None:
    for _ in range(3):
        ecs.register_task_definition(**web("lister"))
    ecs.register_task_definition(**web("lister-other"))
    ecs.deregister_task_definition(taskDefinition="lister:2")
    arns = ecs.list_task_definitions(familyPrefix="lister")["taskDefinitionArns"]
    assert arns == [f"{TD_ARN}lister:1", f"{TD_ARN}lister:3"]
    desc = ecs.list_task_definitions(familyPrefix="lister", sort="DESC", status="ACTIVE")
    assert desc["taskDefinitionArns"] == [f"{TD_ARN}lister:3", f"{TD_ARN}lister:1"]
    inactive = ecs.list_task_definitions(familyPrefix="lister", status="INACTIVE")
    assert inactive["taskDefinitionArns"] == [f"{TD_ARN}lister:2"]
    pages = list(
        ecs.get_paginator("list_task_definitions").paginate(PaginationConfig={"PageSize": 1})
    )
    flat = [a for p in pages for a in p["taskDefinitionArns"]]
    assert f"{TD_ARN}lister:3" in flat and len(flat) == len(set(flat))


def test_list_families(ecs) -> None:
    ecs.register_task_definition(**web("fam-a"))
    ecs.register_task_definition(**web("fam-b"))
    ecs.deregister_task_definition(taskDefinition="fam-b:1")
    assert ecs.list_task_definition_families(familyPrefix="fam-")["families"] == ["fam-a"]
    assert ecs.list_task_definition_families(familyPrefix="fam-", status="INACTIVE")[
        "families"
    ] == ["fam-b"]
    assert ecs.list_task_definition_families(familyPrefix="fam-", status="ALL")["families"] == [
        "fam-a",
        "fam-b",
    ]


def test_tags_on_task_definition(ecs) -> None:
    out = ecs.register_task_definition(**web("tagged-td"), tags=[{"key": "k", "value": "v"}])
    assert out["tags"] == [{"key": "k", "value": "v"}]
    arn = out["taskDefinition"]["taskDefinitionArn"]
    described = ecs.describe_task_definition(taskDefinition=arn, include=["TAGS"])
    assert described["tags"] == [{"key": "k", "value": "v"}]
    ecs.tag_resource(resourceArn=arn, tags=[{"key": "x", "value": "y"}])
    assert {t["key"] for t in ecs.list_tags_for_resource(resourceArn=arn)["tags"]} == {"k", "x"}
    with pytest.raises(ClientError) as exc:
        ecs.list_tags_for_resource(resourceArn=TD_ARN + "tagged-td:99")
    assert exc.value.response["Error"]["Code"] == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("case", "request_kwargs", "code"),
    [
        (
            "no-memory",
            {"family": "bad", "containerDefinitions": [{"name": "a", "image": "i"}]},
            "ClientException",
        ),
        (
            "bad-family",
            {
                "family": "bad family",
                "containerDefinitions": [{"name": "a", "image": "i", "memory": 10}],
            },
            "ClientException",
        ),
        (
            "eleven-containers",
            {
                "family": "bad",
                "containerDefinitions": [
                    {"name": f"c{i}", "image": "i", "memory": 10} for i in range(11)
                ],
            },
            "ClientException",
        ),
        (
            "fargate-bad-combo",
            {
                "family": "bad",
                "requiresCompatibilities": ["FARGATE"],
                "networkMode": "awsvpc",
                "cpu": "256",
                "memory": "4096",
                "containerDefinitions": [{"name": "a", "image": "i"}],
            },
            "ClientException",
        ),
        (
            "host-port-mismatch",
            {
                "family": "bad",
                "networkMode": "host",
                "containerDefinitions": [
                    {
                        "name": "a",
                        "image": "i",
                        "memory": 10,
                        "portMappings": [{"containerPort": 80, "hostPort": 81}],
                    }
                ],
            },
            "ClientException",
        ),
        (
            "unknown-volume",
            {
                "family": "bad",
                "containerDefinitions": [
                    {
                        "name": "a",
                        "image": "i",
                        "memory": 10,
                        "mountPoints": [{"sourceVolume": "nope", "containerPath": "/x"}],
                    }
                ],
            },
            "ClientException",
        ),
    ],
)
def test_invalid_registrations_are_refused_and_store_nothing(
    ecs,
    case: str,
    request_kwargs: dict,
    code: str,  # type: ignore[type-arg]
) -> None:
    with pytest.raises(ClientError) as exc:
        ecs.register_task_definition(**request_kwargs)
    assert exc.value.response["Error"]["Code"] in (code, "InvalidParameterException")
    assert exc.value.response["Error"]["Message"]
    assert ecs.list_task_definitions(familyPrefix="bad")["taskDefinitionArns"] == []


def test_concurrent_registrations_get_distinct_revisions(server) -> None:
    def register(_: int) -> int:
        client = server.client("ecs")
        return int(client.register_task_definition(**web("racy"))["taskDefinition"]["revision"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        revisions = list(pool.map(register, range(24)))
    assert sorted(revisions) == list(range(1, 25))
