"""Registration rules, part 3: dependsOn, health checks, environment files and secrets."""

from __future__ import annotations

import pytest
from tests.unit.domain.test_task_definition_support import (
    EXECUTION_ROLE,
    Accepted,
    Rejected,
    container,
    register,
    task,
)

from dockyard.domain.errors import ClientException

C = ClientException
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:db-AbCdEf"
BAD_VALUE_FROM = (
    "The value must be a Systems Manager parameter name or ARN, or a Secrets Manager secret ARN."
)
BAD_COMMAND = (
    "Invalid 'healthCheck' setting for container 'web'. "
    "'command' must start with CMD or CMD-SHELL followed by the command."
)
SUCCESS_OR_COMPLETE = (
    "A dependency container with SUCCESS or COMPLETE condition cannot be an essential container"
)
BAD_SECRET = "Invalid 'valueFrom' setting for secret 'DB_PASSWORD' in container 'web'."


def depends(condition: str, on: dict[str, object] | None = None) -> dict[str, object]:
    dependency = {"containerName": "db", "condition": condition}
    return task(container(dependsOn=[dependency]), on or container(name="db"))


def health(**members: object) -> dict[str, object]:
    return task(container(healthCheck={"command": ["CMD-SHELL", "true"], **members}))


def secret(value_from: str) -> dict[str, object]:
    secrets = [{"name": "DB_PASSWORD", "valueFrom": value_from}]
    return task(container(secrets=secrets), executionRoleArn=EXECUTION_ROLE)


def env_files(*values: str, kind: str = "s3") -> dict[str, object]:
    return task(container(environmentFiles=[{"type": kind, "value": v} for v in values]))


def bad_health(member: str, low: int, high: int) -> str:
    return (
        f"Invalid 'healthCheck' setting for container 'web'. '{member}' must be between {low} "
        f"and {high}."
    )


REJECTED = [
    # dependsOn
    Rejected(
        "depends-on-unknown-container",
        task(container(dependsOn=[{"containerName": "db", "condition": "START"}])),
        C,
        "Cannot depend on container + 'db' because it does not exist",
    ),
    Rejected(
        "depends-on-itself",
        task(container(dependsOn=[{"containerName": "web", "condition": "START"}])),
        C,
        "Container 'web' cannot depend on itself.",
    ),
    Rejected(
        "depends-on-essential-success",
        depends("SUCCESS"),
        C,
        SUCCESS_OR_COMPLETE,
    ),
    Rejected(
        "depends-on-essential-complete",
        depends("COMPLETE"),
        C,
        SUCCESS_OR_COMPLETE,
    ),
    Rejected(
        "depends-on-healthy-without-health-check",
        depends("HEALTHY"),
        C,
        "A dependency container with HEALTHY condition must have a health check: "
        "container 'db' has none.",
    ),
    Rejected(
        "depends-on-cycle",
        task(
            container(dependsOn=[{"containerName": "db", "condition": "START"}]),
            container(name="db", dependsOn=[{"containerName": "web", "condition": "START"}]),
        ),
        C,
        "Container dependencies must not form a cycle: web -> db -> web.",
    ),
    # health checks
    Rejected(
        "health-command-without-prefix",
        health(command=["curl", "-f", "http://localhost/"]),
        C,
        BAD_COMMAND,
    ),
    Rejected("health-command-prefix-only", health(command=["CMD"]), C, BAD_COMMAND),
    Rejected("health-command-empty", health(command=[]), C, BAD_COMMAND),
    Rejected("health-interval-4", health(interval=4), C, bad_health("interval", 5, 300)),
    Rejected("health-interval-301", health(interval=301), C, bad_health("interval", 5, 300)),
    Rejected("health-timeout-1", health(timeout=1), C, bad_health("timeout", 2, 60)),
    Rejected("health-timeout-61", health(timeout=61), C, bad_health("timeout", 2, 60)),
    Rejected("health-retries-0", health(retries=0), C, bad_health("retries", 1, 10)),
    Rejected("health-retries-11", health(retries=11), C, bad_health("retries", 1, 10)),
    Rejected(
        "health-start-period-negative", health(startPeriod=-1), C, bad_health("startPeriod", 0, 300)
    ),
    Rejected(
        "health-start-period-301", health(startPeriod=301), C, bad_health("startPeriod", 0, 300)
    ),
    # environment files
    Rejected(
        "environment-files-11",
        env_files(*(f"arn:aws:s3:::conf/f{i}.env" for i in range(11))),
        C,
        "Invalid 'environmentFiles' setting for container 'web'. "
        "You can specify up to 10 environment files.",
    ),
    Rejected(
        "environment-file-s3-url",
        env_files("s3://conf/app.env"),
        C,
        "Invalid 'environmentFiles' setting for container 'web'. 's3://conf/app.env' is not "
        "the ARN of an Amazon S3 object with a .env file extension.",
    ),
    Rejected(
        "environment-file-wrong-extension",
        env_files("arn:aws:s3:::conf/app.txt"),
        C,
        "Invalid 'environmentFiles' setting for container 'web'. 'arn:aws:s3:::conf/app.txt' is "
        "not the ARN of an Amazon S3 object with a .env file extension.",
    ),
    Rejected(
        "environment-file-type-http",
        env_files("arn:aws:s3:::conf/app.env", kind="http"),
        C,
        "Invalid 'environmentFiles' setting for container 'web'. The only supported type is 's3'.",
    ),
    # secrets
    Rejected(
        "secrets-without-execution-role",
        task(container(secrets=[{"name": "DB_PASSWORD", "valueFrom": "db-password"}])),
        C,
        "When you are specifying container secrets, you must also specify a value for "
        "'executionRoleArn'.",
    ),
    Rejected(
        "log-secret-options-without-execution-role",
        task(
            container(
                logConfiguration={
                    "logDriver": "splunk",
                    "secretOptions": [{"name": "splunk-token", "valueFrom": "splunk-token"}],
                }
            )
        ),
        C,
        "When you are specifying container secrets, you must also specify a value for "
        "'executionRoleArn'.",
    ),
    Rejected(
        "secret-from-s3",
        secret("arn:aws:s3:::bucket/password"),
        C,
        f"{BAD_SECRET} {BAD_VALUE_FROM}",
    ),
    Rejected(
        "secret-parameter-name-with-space",
        secret("db password"),
        C,
        f"{BAD_SECRET} {BAD_VALUE_FROM}",
    ),
    Rejected(
        "secret-version-stage-and-id",
        secret(f"{SECRET_ARN}::AWSPREVIOUS:0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d"),
        C,
        "Invalid 'valueFrom' setting for secret 'DB_PASSWORD' in container 'web'. "
        "Specify either a version stage or a version id, not both.",
    ),
    Rejected(
        "secret-json-key-without-trailing-colons",
        secret(f"{SECRET_ARN}:username"),
        C,
        "Invalid 'valueFrom' setting for secret 'DB_PASSWORD' in container 'web'. A Secrets "
        "Manager ARN must be the secret's ARN, optionally followed by "
        ":json-key:version-stage:version-id (each may be empty, the colons may not).",
    ),
]

ACCEPTED = [
    Accepted("depends-on-start", depends("START")),
    Accepted(
        "depends-on-complete-non-essential",
        depends("COMPLETE", container(name="db", essential=False)),
    ),
    Accepted(
        "depends-on-healthy",
        depends("HEALTHY", container(name="db", healthCheck={"command": ["CMD", "true"]})),
    ),
    Accepted("health-limits-low", health(interval=5, timeout=2, retries=1, startPeriod=0)),
    Accepted("health-limits-high", health(interval=300, timeout=60, retries=10, startPeriod=300)),
    Accepted(
        "environment-files-10", env_files(*(f"arn:aws:s3:::conf/dir/f{i}.env" for i in range(10)))
    ),
    Accepted("secret-ssm-name", secret("db-password")),
    Accepted("secret-ssm-path-with-version", secret("/prod/db/password:3")),
    Accepted(
        "secret-ssm-arn", secret("arn:aws:ssm:us-east-1:123456789012:parameter/prod/db/password")
    ),
    Accepted("secret-whole-secret", secret(SECRET_ARN)),
    Accepted("secret-json-key", secret(f"{SECRET_ARN}:username::")),
    Accepted("secret-version-stage", secret(f"{SECRET_ARN}::AWSPREVIOUS:")),
    Accepted("secret-version-id", secret(f"{SECRET_ARN}:::0ab1c2d3-e4f5-4a6b-8c7d-9e0f1a2b3c4d")),
]


@pytest.mark.parametrize("case", REJECTED, ids=lambda case: case.id)
def test_rejected(case: Rejected) -> None:
    with pytest.raises(case.error) as raised:
        register(case.params)
    assert type(raised.value) is case.error
    assert raised.value.message == case.message


@pytest.mark.parametrize("case", ACCEPTED, ids=lambda case: case.id)
def test_accepted(case: Accepted) -> None:
    assert register(case.params).status == "ACTIVE"
