"""Registration rules for ``environmentFiles``, ``secrets`` and log ``secretOptions``.

- at most 10 environment files per container, each ``type: s3`` with an S3 object ARN ending in
  ``.env``;
- secrets (and log secret options) need the task's ``executionRoleArn`` (the agent reads them with
  it), and each ``valueFrom`` must parse (see :mod:`dockyard.domain.task_definition_secrets`).

Messages quoted from real ECS responses are marked ``# ECS``; the others are composed.

Pure.
"""

from __future__ import annotations

from dockyard.domain.errors import ClientException
from dockyard.domain.task_definition_container import ContainerDefinition, Secret
from dockyard.domain.task_definition_model import TaskDefinitionRegistration
from dockyard.domain.task_definition_secrets import (
    InvalidSecretReference,
    is_s3_env_file_arn,
    parse_secret_reference,
)

MAX_ENVIRONMENT_FILES = 10


def check_environment_files(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        files = c.environment_files or ()
        prefix = f"Invalid 'environmentFiles' setting for container '{c.name}'."
        if len(files) > MAX_ENVIRONMENT_FILES:
            raise ClientException(
                f"{prefix} You can specify up to {MAX_ENVIRONMENT_FILES} environment files."
            )
        for env_file in files:
            if env_file.type != "s3":
                raise ClientException(f"{prefix} The only supported type is 's3'.")
            if not is_s3_env_file_arn(env_file.value):
                raise ClientException(
                    f"{prefix} '{env_file.value}' is not the ARN of an Amazon S3 object with "
                    "a .env file extension."
                )


def check_secrets(reg: TaskDefinitionRegistration) -> None:
    for c in reg.container_definitions:
        secrets = _all_secrets(c)
        if secrets and not reg.execution_role_arn:
            raise ClientException(  # ECS
                "When you are specifying container secrets, you must also specify a value for "
                "'executionRoleArn'."
            )
        for secret in secrets:
            try:
                parse_secret_reference(secret.value_from)
            except InvalidSecretReference as reason:
                raise ClientException(
                    f"Invalid 'valueFrom' setting for secret '{secret.name}' in container "
                    f"'{c.name}'. {reason}"
                ) from None


def _all_secrets(c: ContainerDefinition) -> tuple[Secret, ...]:
    log_secrets = c.log_configuration.secret_options if c.log_configuration else None
    return (*(c.secrets or ()), *(log_secrets or ()))
