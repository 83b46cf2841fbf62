"""Builders and the table format shared by the task-definition tests (holds no tests itself).

Requests are written the way boto3 sends them (ECS member names, JSON values), so every rule
test also goes through :func:`registration_from_request`.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import botocore

from dockyard.domain.errors import ApiError
from dockyard.domain.task_definition import (
    TaskDefinition,
    build_task_definition,
    registration_from_request,
    validate_registration,
)

Params = dict[str, Any]

ACCOUNT = "123456789012"
EXECUTION_ROLE = f"arn:aws:iam::{ACCOUNT}:role/ecsTaskExecutionRole"
TASK_ROLE = f"arn:aws:iam::{ACCOUNT}:role/app"
ECR_IMAGE = f"{ACCOUNT}.dkr.ecr.us-east-1.amazonaws.com/web:1.0"
REGISTERED_AT = datetime(2026, 3, 1, 12, 0, 0, tzinfo=UTC)
REGISTERED_BY = f"arn:aws:iam::{ACCOUNT}:root"


@dataclass(frozen=True)
class Rejected:
    """A request ECS refuses: the error class and the exact message it answers with."""

    id: str
    params: Params
    error: type[ApiError]
    message: str


@dataclass(frozen=True)
class Accepted:
    id: str
    params: Params


def container(**members: Any) -> Params:
    """A valid container definition (EC2, bridge) plus ``members``; None drops a member."""
    base: Params = {"name": "web", "image": "nginx:1.27", "memory": 128}
    return {k: v for k, v in {**base, **members}.items() if v is not None}


def task(*containers: Params, **members: Any) -> Params:
    """A valid RegisterTaskDefinition request plus ``members``; None drops a member."""
    base: Params = {"family": "web", "containerDefinitions": list(containers) or [container()]}
    return {k: v for k, v in {**base, **members}.items() if v is not None}


def fargate(*containers: Params, **members: Any) -> Params:
    """A valid Fargate request (awsvpc, 0.25 vCPU, 512 MiB) plus ``members``."""
    defaults: Params = {
        "requiresCompatibilities": ["FARGATE"],
        "networkMode": "awsvpc",
        "cpu": "256",
        "memory": "512",
    }
    return task(*containers, **{**defaults, **members})


def register(params: Params) -> TaskDefinition:
    """Parse, validate and build revision 1 of ``params``, as the handler will."""
    reg = registration_from_request(params)
    validate_registration(reg)
    return build_task_definition(
        reg, revision=1, registered_at=REGISTERED_AT, registered_by=REGISTERED_BY
    )


def botocore_examples(operation: str) -> list[dict[str, Any]]:
    """The examples botocore ships for an ECS operation (real inputs written by AWS)."""
    root = os.path.dirname(botocore.__file__)
    with open(os.path.join(root, "data/ecs/2014-11-13/examples-1.json")) as handle:
        examples: list[dict[str, Any]] = json.load(handle)["examples"].get(operation, [])
    return examples


def assert_contains(actual: object, expected: object, path: str = "$") -> None:
    """Every member of ``expected`` appears in ``actual`` with the same value (recursively)."""
    if isinstance(expected, dict):
        assert isinstance(actual, dict), path
        for key, value in expected.items():
            assert key in actual, f"{path}.{key} missing"
            assert_contains(actual[key], value, f"{path}.{key}")
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), path
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_contains(a, e, f"{path}[{i}]")
    else:
        assert actual == expected, f"{path}: {actual!r} != {expected!r}"
