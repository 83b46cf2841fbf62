"""What a task asks of its execution role at start, and how the answers become container
environment: the pure half of secrets and environment files (ecs-reference §5.5).

::

    task definition ──secret_requests──▶ SecretRequest per (container, name)
                    ──ssm_batches──────▶ ≤10 parameter names per GetParameters call, per Region
    answers ──select_json_key / render_go_value──▶ values
    .env bodies ──parse_env_file──▶ dicts ──merge_environment(env, files, secrets)──▶ Docker Env

``valueFrom`` is parsed by :func:`dockyard.domain.task_definition.parse_secret_reference` (the
rule registration already enforced). Precedence, as the ECS agent applies it: an
``environment`` entry (or a RunTask override) beats every environment file; among files the
first one listing a name wins; ``secrets`` override both. Within one file a later line
replaces an earlier one (the agent reads each file into a map).

Failure reasons are built here in ECS's ``ResourceInitializationError: …`` form. They name the
parameter, secret or file and quote the service's error, and never contain a secret value:
callers pass names, ARNs, keys and error messages only.

Pure: no I/O, no boto3.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Literal

from dockyard.domain.task_definition import (
    ContainerDefinition,
    SecretReference,
    SecretSource,
    parse_secret_reference,
)

__all__ = [
    "MAX_REASON_LENGTH",
    "MAX_SSM_NAMES_PER_CALL",
    "SECRETS_PREFIX",
    "ContainerResources",
    "ResourceInitializationError",
    "SecretRequest",
    "SecretValueError",
    "SsmBatch",
    "env_file_failure",
    "match_parameter",
    "merge_environment",
    "parse_env_file",
    "region_of_arn",
    "render_go_value",
    "s3_location",
    "secret_failure",
    "secret_requests",
    "select_json_key",
    "ssm_batches",
    "ssm_failure",
]

MAX_SSM_NAMES_PER_CALL = 10
"""GetParameters takes at most 10 names per call."""

MAX_REASON_LENGTH = 1024
"""ECS truncates a container's ``reason`` here; a stoppedReason is cut to the same."""

SECRETS_PREFIX = (
    "ResourceInitializationError: unable to pull secrets or registry auth: "
    "execution resource retrieval failed: "
)
RETRIED = "service call has been retried 1 time(s): "
ENV_FILES_PREFIX = "ResourceInitializationError: failed to download env files: "


class ResourceInitializationError(Exception):
    """A task cannot start: ``reason`` is its stoppedReason (no secret values in it)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason[:MAX_REASON_LENGTH])
        self.reason = reason[:MAX_REASON_LENGTH]


class SecretValueError(ValueError):
    """A fetched secret cannot give what ``valueFrom`` asks (no such JSON key, not JSON...).
    The message names the key, never the value."""


@dataclass(frozen=True, slots=True)
class SecretRequest:
    """One secret of one container: an environment variable or a log driver option."""

    container: str
    name: str
    value_from: str
    reference: SecretReference
    target: Literal["environment", "log"] = "environment"


@dataclass(frozen=True, slots=True)
class SsmBatch:
    """One GetParameters call: ``names`` (≤10, no repeats) in ``region``."""

    region: str
    names: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ContainerResources:
    """What the execution role fetched for one container. Secret: kept out of ``repr``, held
    in memory only until the container is created, never persisted or logged."""

    env_files: Mapping[str, str] = field(default_factory=dict, repr=False)
    secrets: Mapping[str, str] = field(default_factory=dict, repr=False)
    log_options: Mapping[str, str] = field(default_factory=dict, repr=False)


def secret_requests(containers: Iterable[ContainerDefinition]) -> tuple[SecretRequest, ...]:
    """Every ``secrets`` entry and log ``secretOptions`` entry, in definition order.

    Raises :class:`ResourceInitializationError` for a ``valueFrom`` that does not parse
    (registration rejects those, so only a hand-made document gets here)."""
    found = []
    for c in containers:
        log_secrets = c.log_configuration.secret_options if c.log_configuration else None
        for target, secrets in (("environment", c.secrets), ("log", log_secrets)):
            for secret in secrets or ():
                try:
                    reference = parse_secret_reference(secret.value_from)
                except ValueError as exc:
                    raise ResourceInitializationError(
                        f"{SECRETS_PREFIX}invalid valueFrom {secret.value_from!r} for secret "
                        f"{secret.name} of container {c.name}: {exc}"
                    ) from None
                found.append(
                    SecretRequest(c.name, secret.name, secret.value_from, reference, target)  # type: ignore[arg-type]
                )
    return tuple(found)


def ssm_name(reference: SecretReference) -> str:
    """The name GetParameters is asked for (with a ``:version`` / ``:label`` selector)."""
    return reference.name


def ssm_batches(requests: Iterable[SecretRequest], default_region: str) -> tuple[SsmBatch, ...]:
    """The GetParameters calls for the SSM requests: grouped by Region (a parameter ARN names
    its own; a bare name is the task's), each name once, at most 10 per call."""
    by_region: dict[str, dict[str, None]] = {}
    for request in requests:
        if request.reference.source is SecretSource.SSM_PARAMETER:
            region = request.reference.region or default_region
            by_region.setdefault(region, {})[ssm_name(request.reference)] = None
    batches = []
    for region, names in by_region.items():
        ordered = list(names)
        for start in range(0, len(ordered), MAX_SSM_NAMES_PER_CALL):
            batches.append(SsmBatch(region, tuple(ordered[start : start + MAX_SSM_NAMES_PER_CALL])))
    return tuple(batches)


def match_parameter(requested: str, parameters: Sequence[Mapping[str, Any]]) -> str | None:
    """The value GetParameters returned for ``requested`` (a name, maybe ``name:selector``).

    A returned parameter matches by ``Name`` + ``Selector``, by its ``ARN``, or — when the
    service leaves ``Selector`` out — by ``Name`` alone if only one parameter has that name.
    """
    for p in parameters:
        keys = {str(p.get("Name", "")) + str(p.get("Selector") or ""), str(p.get("ARN", ""))}
        if requested in keys:
            return str(p.get("Value", ""))
    base = requested.rsplit(":", 1)[0] if ":" in requested else requested
    same = [p for p in parameters if p.get("Name") in (base, requested)]
    return str(same[0].get("Value", "")) if len(same) == 1 else None


def select_json_key(secret_id: str, secret_string: str | None, json_key: str | None) -> str:
    """The value a Secrets Manager reference gives: the whole SecretString, or its JSON
    object's ``json_key`` rendered like Go's ``%v``. Raises :class:`SecretValueError`."""
    if secret_string is None:
        raise SecretValueError(
            f"secret {secret_id} has no SecretString (a SecretBinary cannot be an "
            "environment variable)"
        )
    if json_key is None:
        return secret_string
    try:
        document = json.loads(secret_string)
    except ValueError:
        document = None
    if not isinstance(document, dict):
        raise SecretValueError(
            f"secret {secret_id}: the secret string is not a JSON object, so json key "
            f"{json_key} cannot be read"
        )
    if json_key not in document:
        raise SecretValueError(
            f"retrieved secret {secret_id} from Secrets Manager did not contain json key {json_key}"
        )
    return render_go_value(document[json_key])


def render_go_value(value: Any) -> str:
    """A decoded JSON value as Go's ``fmt`` ``%v`` prints it after ``json.Unmarshal`` into
    ``interface{}`` (what the ECS agent does): strings as they are, numbers as float64 ``%g``
    with the shortest digits (``42``, ``1.5``, ``1e+06``), ``true``/``false``, ``<nil>``,
    ``[a b]`` for arrays and ``map[k:v …]`` (keys sorted) for objects."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "<nil>"
    if isinstance(value, int | float):
        return _go_float(float(value))
    if isinstance(value, list):
        return "[" + " ".join(render_go_value(v) for v in value) + "]"
    if isinstance(value, dict):
        items = (f"{k}:{render_go_value(value[k])}" for k in sorted(value))
        return "map[" + " ".join(items) + "]"
    return str(value)


def _go_float(number: float) -> str:
    """``strconv.FormatFloat(f, 'g', -1, 64)``: %e when the exponent is < -4 or ≥ 6 (Go uses 6
    for the shortest form), else %f with just the digits needed."""
    if number != number:
        return "NaN"
    if number in (float("inf"), float("-inf")):
        return "+Inf" if number > 0 else "-Inf"
    sign = "-" if str(number).startswith("-") else ""
    if number == 0:
        return sign + "0"
    parsed = Decimal(repr(abs(number))).normalize().as_tuple()
    digits = "".join(map(str, parsed.digits))
    point = len(digits) + int(parsed.exponent)  # digits before the decimal point
    exponent = point - 1
    if exponent < -4 or exponent >= 6:
        mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
        return f"{sign}{mantissa}e{'-' if exponent < 0 else '+'}{abs(exponent):02d}"
    if point <= 0:
        return f"{sign}0.{'0' * -point}{digits}"
    if point >= len(digits):
        return sign + digits + "0" * (point - len(digits))
    return f"{sign}{digits[:point]}.{digits[point:]}"


def parse_env_file(text: str) -> dict[str, str]:
    """A ``.env`` body: ``NAME=VALUE`` lines, kept literally (spaces, quotes, further ``=``);
    blank lines and lines starting with ``#`` are skipped, and so are lines without ``=`` or
    with an empty name or value (as the ECS agent does). A later line replaces an earlier."""
    found: dict[str, str] = {}
    for line in text.removeprefix("\ufeff").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        name, sep, value = line.partition("=")
        if sep and name and value:
            found[name] = value
    return found


def merge_environment(
    environment: Mapping[str, str],
    env_files: Sequence[Mapping[str, str]],
    secrets: Mapping[str, str],
) -> dict[str, str]:
    """A container's environment: file variables (first file wins) under ``environment``
    (which beats every file), with ``secrets`` over both."""
    merged: dict[str, str] = {}
    for variables in env_files:
        for name, value in variables.items():
            merged.setdefault(name, value)
    merged.update(environment)
    merged.update(secrets)
    return merged


def s3_location(arn: str) -> tuple[str, str]:
    """(bucket, key) of an S3 object ARN ``arn:aws:s3:::bucket/key``; ValueError otherwise."""
    parts = arn.split(":", 5)
    if len(parts) != 6 or parts[0] != "arn" or parts[2] != "s3" or "/" not in parts[5]:
        raise ValueError(f"{arn} is not an S3 object ARN")
    bucket, key = parts[5].split("/", 1)
    if not bucket or not key:
        raise ValueError(f"{arn} is not an S3 object ARN")
    return bucket, key


def region_of_arn(arn: str) -> str | None:
    """The Region field of an ARN (``arn:aws:ecs:us-east-1:…`` → ``us-east-1``), None if empty."""
    parts = arn.split(":")
    return parts[3] or None if len(parts) > 4 and parts[0] == "arn" else None


def ssm_failure(detail: str, names: Sequence[str]) -> str:
    """Reason for a failed GetParameters call; ``detail`` is ``Code: message`` or the
    ``invalid ssm parameters: …`` list. Names the parameters unless ``detail`` already does."""
    named = any(name in detail for name in names)
    suffix = "" if named else f" (parameters: {', '.join(names)})"
    return f"{SECRETS_PREFIX}unable to retrieve secrets from ssm: {RETRIED}{detail}{suffix}"


def secret_failure(secret_id: str, detail: str, *, service_error: bool) -> str:
    """Reason for a secret that could not be read; ``service_error`` when Secrets Manager
    refused (``detail`` is ``Code: message``), else ``detail`` is a :class:`SecretValueError`."""
    if service_error:
        detail = f"{RETRIED}failed to fetch secret {secret_id} from secrets manager: {detail}"
    return f"{SECRETS_PREFIX}unable to retrieve secret from asm: {detail}"


def env_file_failure(arn: str, detail: str) -> str:
    """Reason for an environment file that could not be fetched or read."""
    return f"{ENV_FILES_PREFIX}unable to download env file {arn}: {detail}"
