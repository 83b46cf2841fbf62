"""References to secrets (``secrets[].valueFrom``) and environment files, parsed.

``valueFrom`` names either a Systems Manager parameter — its full ARN, or just its name when it
lives in the task's Region (a ``name:version`` / ``name:label`` selector is allowed, as
GetParameters accepts it) — or a Secrets Manager secret by ARN. The Secrets Manager ARN has an
extended form ``…:secret:<name>:<json-key>:<version-stage>:<version-id>`` whose three trailing
fields are each optional but whose colons must all be there; a version stage and a version id
are mutually exclusive. This is the rule the ECS agent applies (the resource split on ``:``
has exactly 2 or 5 parts).

An environment file is an S3 object ARN (``arn:aws:s3:::bucket/key.env``) with the ``.env``
extension.

Pure. The agent resolves what :func:`parse_secret_reference` returns; validation only checks
that it parses.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "InvalidSecretReference",
    "SecretReference",
    "SecretSource",
    "is_s3_env_file_arn",
    "parse_secret_reference",
]

_PARAMETER_NAME = re.compile(r"^[A-Za-z0-9_.\-/]+(?::[A-Za-z0-9_.\-]+)?$")
_S3_OBJECT_ARN = re.compile(r"^arn:[a-z\-]+:s3:::[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9]/.*\.env$")
_ARN = re.compile(
    r"^arn:(?P<partition>[^:]+):(?P<service>[^:]+):(?P<region>[^:]*):(?P<account>[^:]*):"
    r"(?P<resource>.+)$"
)
_SECRET_ARN_PARTS_WHOLE = 2
_SECRET_ARN_PARTS_EXTENDED = 5


class InvalidSecretReference(ValueError):
    """``valueFrom`` is neither an SSM parameter nor a Secrets Manager secret reference."""


class SecretSource(StrEnum):
    SSM_PARAMETER = "ssm"
    SECRETS_MANAGER = "secretsmanager"


@dataclass(frozen=True, slots=True, kw_only=True)
class SecretReference:
    """A parsed ``valueFrom``.

    ``name`` is the parameter name or the secret name (with its random suffix when given);
    ``arn`` is the full ARN (for Secrets Manager, of the whole secret) or None for a bare
    parameter name; ``region`` is None when the reference is Region-relative.

    Invariant: ``version_stage`` and ``version_id`` are never both set; the JSON key and version
    fields are only set for Secrets Manager.
    """

    source: SecretSource
    name: str
    arn: str | None = None
    region: str | None = None
    json_key: str | None = None
    version_stage: str | None = None
    version_id: str | None = None


def parse_secret_reference(value_from: str) -> SecretReference:
    """Parse ``valueFrom``; raise :class:`InvalidSecretReference` with the reason."""
    if not value_from.startswith("arn:"):
        if not _PARAMETER_NAME.match(value_from):
            raise InvalidSecretReference(
                "The value must be a Systems Manager parameter name or ARN, "
                "or a Secrets Manager secret ARN."
            )
        return SecretReference(source=SecretSource.SSM_PARAMETER, name=value_from)
    arn = _ARN.match(value_from)
    service, region, resource = (
        (arn["service"], arn["region"], arn["resource"]) if arn else ("",) * 3
    )
    if service == "ssm" and resource.startswith("parameter/") and resource != "parameter/":
        name = resource.removeprefix("parameter")
        return SecretReference(
            source=SecretSource.SSM_PARAMETER,
            name=name.removeprefix("/") if name.count("/") == 1 else name,
            arn=value_from,
            region=region or None,
        )
    if service == "secretsmanager":
        return _secrets_manager_reference(value_from, region, resource)
    raise InvalidSecretReference(
        "The value must be a Systems Manager parameter name or ARN, "
        "or a Secrets Manager secret ARN."
    )


def _secrets_manager_reference(value_from: str, region: str, resource: str) -> SecretReference:
    parts = resource.split(":")
    if parts[0] != "secret" or not parts[1:2] or not parts[1]:
        raise InvalidSecretReference("The Secrets Manager ARN must name a secret.")
    if len(parts) not in (_SECRET_ARN_PARTS_WHOLE, _SECRET_ARN_PARTS_EXTENDED):
        raise InvalidSecretReference(
            "A Secrets Manager ARN must be the secret's ARN, optionally followed by "
            ":json-key:version-stage:version-id (each may be empty, the colons may not)."
        )
    extra = [*parts[2:], "", "", ""]
    json_key, stage, version_id = (field or None for field in extra[:3])
    if stage is not None and version_id is not None:
        raise InvalidSecretReference("Specify either a version stage or a version id, not both.")
    whole = value_from[: len(value_from) - len(resource)] + ":".join(parts[:2])
    return SecretReference(
        source=SecretSource.SECRETS_MANAGER,
        name=parts[1],
        arn=whole,
        region=region or None,
        json_key=json_key,
        version_stage=stage,
        version_id=version_id,
    )


def is_s3_env_file_arn(value: str) -> bool:
    """Whether ``value`` is an S3 object ARN whose key has the ``.env`` extension."""
    return _S3_OBJECT_ARN.match(value) is not None
