"""``valueFrom`` parsing (SSM parameters, Secrets Manager secrets) and cpu/memory strings."""

from __future__ import annotations

import re

import pytest

from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.task_definition import (
    InvalidSecretReference,
    SecretReference,
    SecretSource,
    parse_secret_reference,
    parse_task_cpu,
    parse_task_memory,
)

SSM = SecretSource.SSM_PARAMETER
ASM = SecretSource.SECRETS_MANAGER
SECRET = "arn:aws:secretsmanager:us-west-2:123456789012:secret:appauthexample-AbCdEf"
VERSION = "0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"


@pytest.mark.parametrize(
    ("value_from", "expected"),
    [
        ("db_password", SecretReference(source=SSM, name="db_password")),
        ("/prod/db/password", SecretReference(source=SSM, name="/prod/db/password")),
        ("db.password:3", SecretReference(source=SSM, name="db.password:3")),
        (
            "arn:aws:ssm:us-east-1:123456789012:parameter/db_password",
            SecretReference(
                source=SSM,
                name="db_password",
                arn="arn:aws:ssm:us-east-1:123456789012:parameter/db_password",
                region="us-east-1",
            ),
        ),
        (
            "arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password",
            SecretReference(
                source=SSM,
                name="/prod/db/password",
                arn="arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password",
                region="us-east-1",
            ),
        ),
        (
            SECRET,
            SecretReference(
                source=ASM, name="appauthexample-AbCdEf", arn=SECRET, region="us-west-2"
            ),
        ),
        (
            f"{SECRET}:username1::",
            SecretReference(
                source=ASM,
                name="appauthexample-AbCdEf",
                arn=SECRET,
                region="us-west-2",
                json_key="username1",
            ),
        ),
        (
            f"{SECRET}::AWSPREVIOUS:",
            SecretReference(
                source=ASM,
                name="appauthexample-AbCdEf",
                arn=SECRET,
                region="us-west-2",
                version_stage="AWSPREVIOUS",
            ),
        ),
        (
            f"{SECRET}:::{VERSION}",
            SecretReference(
                source=ASM,
                name="appauthexample-AbCdEf",
                arn=SECRET,
                region="us-west-2",
                version_id=VERSION,
            ),
        ),
        (
            f"{SECRET}:password:AWSCURRENT:",
            SecretReference(
                source=ASM,
                name="appauthexample-AbCdEf",
                arn=SECRET,
                region="us-west-2",
                json_key="password",
                version_stage="AWSCURRENT",
            ),
        ),
    ],
    ids=[
        "ssm-name",
        "ssm-path",
        "ssm-name-with-version",
        "ssm-arn",
        "ssm-arn-path",
        "asm-whole-secret",
        "asm-json-key",
        "asm-version-stage",
        "asm-version-id",
        "asm-key-and-stage",
    ],
)
def test_parse_secret_reference(value_from: str, expected: SecretReference) -> None:
    assert parse_secret_reference(value_from) == expected


@pytest.mark.parametrize(
    ("value_from", "reason"),
    [
        ("", "Systems Manager parameter name"),
        ("db password", "Systems Manager parameter name"),
        ("arn:aws:s3:::bucket/key", "Systems Manager parameter name"),
        ("arn:aws:ssm:us-east-1:123456789012:parameter/", "Systems Manager parameter name"),
        ("arn:aws:ssm:us-east-1:123456789012:document/x", "Systems Manager parameter name"),
        ("arn:aws:secretsmanager:us-east-1:123456789012:rotation:x", "must name a secret"),
        (f"{SECRET}:username", ":json-key:version-stage:version-id"),
        (f"{SECRET}:a:b:c:d", ":json-key:version-stage:version-id"),
        (f"{SECRET}::AWSPREVIOUS:{VERSION}", "not both"),
    ],
    ids=[
        "empty",
        "space",
        "other-service",
        "ssm-empty-name",
        "ssm-not-parameter",
        "asm-not-secret",
        "asm-three-fields",
        "asm-six-fields",
        "asm-stage-and-id",
    ],
)
def test_parse_secret_reference_refuses(value_from: str, reason: str) -> None:
    with pytest.raises(InvalidSecretReference, match=re.escape(reason)):
        parse_secret_reference(value_from)


@pytest.mark.parametrize(
    ("text", "units"),
    [
        ("1024", 1024),
        ("1 vCPU", 1024),
        ("1 vcpu", 1024),
        ("0.25 vCPU", 256),
        (".5 vCPU", 512),
        ("2vcpu", 2048),
        ("192 vCPU", 196608),
        (512, 512),
    ],
    ids=lambda v: repr(v),
)
def test_parse_task_cpu(text: object, units: int) -> None:
    assert parse_task_cpu(text) == units


@pytest.mark.parametrize(
    ("text", "mib"),
    [
        ("2048", 2048),
        ("2GB", 2048),
        ("2 GB", 2048),
        ("2 gb", 2048),
        ("0.5GB", 512),
        ("512 MiB", 512),
        ("120 GiB", 122880),
    ],
    ids=lambda v: repr(v),
)
def test_parse_task_memory(text: str, mib: int) -> None:
    assert parse_task_memory(text) == mib


@pytest.mark.parametrize(
    "text",
    [
        "",
        " ",
        "fast",
        "0",
        "-1",
        "1e3",
        "0.3 vCPU",
        "1 GB",
        "1 vCPU 2",
        "\u0661\u0660\u0662\u0664",
        None,
        True,
        10**12,
    ],
    ids=lambda v: repr(v),
)
def test_parse_task_cpu_refuses(text: object) -> None:
    with pytest.raises(InvalidParameterException, match=r"^Invalid 'cpu' setting for task\.$"):
        parse_task_cpu(text)


@pytest.mark.parametrize("text", ["", "2 TB", "1.0001 GB", "vcpu"], ids=lambda v: repr(v))
def test_parse_task_memory_refuses(text: str) -> None:
    with pytest.raises(InvalidParameterException, match=r"^Invalid 'memory' setting for task\.$"):
        parse_task_memory(text)
