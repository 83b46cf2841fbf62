"""``logConfiguration`` → Docker's log driver, and the awslogs settings the agent ships by.

``awslogs`` cannot reach CloudWatch from here: such a container logs with Docker's
``json-file`` driver (rotated, see :data:`AWSLOGS_LOCAL_OPTIONS`) and the agent reads its output
and puts it to Dockyard's CloudWatch Logs API under :func:`awslogs_settings`. Every other
driver (``json-file``, ``none``, ``syslog``...) passes through with its options. No
``logConfiguration`` leaves the daemon's default driver.

Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dockyard.domain.task_definition import ContainerDefinition

__all__ = [
    "AWSLOGS",
    "AWSLOGS_LOCAL_DRIVER",
    "AWSLOGS_LOCAL_OPTIONS",
    "AwsLogsSettings",
    "LogSpec",
    "awslogs_settings",
    "log_spec",
]

AWSLOGS = "awslogs"
AWSLOGS_LOCAL_DRIVER = "json-file"
AWSLOGS_LOCAL_OPTIONS: Mapping[str, str] = {"max-size": "10m", "max-file": "5"}
"""Bounds the local copy of an awslogs container's output to 50 MB: the agent ships as it
reads, and Docker's log API reads across rotated files, so only a reader more than 50 MB behind
loses lines (the real awslogs driver's ``max-buffer-size`` is a bound of the same kind)."""


@dataclass(frozen=True, slots=True)
class LogSpec:
    """Docker's ``LogConfig``: ``driver`` and its ``options``."""

    driver: str
    options: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True, slots=True, kw_only=True)
class AwsLogsSettings:
    """Where an awslogs container's output goes.

    ``stream`` is ``<prefix>/<container-name>/<task-id>`` with ``awslogs-stream-prefix``, else
    None: the stream is then named after the Docker container id, which only the caller knows.
    """

    group: str
    region: str | None
    stream: str | None
    create_group: bool
    datetime_format: str | None = None
    multiline_pattern: str | None = None


def log_spec(container: ContainerDefinition) -> LogSpec | None:
    """The container's Docker log driver; None keeps the daemon's default."""
    config = container.log_configuration
    if config is None:
        return None
    if config.log_driver == AWSLOGS:
        return LogSpec(AWSLOGS_LOCAL_DRIVER, dict(AWSLOGS_LOCAL_OPTIONS))
    return LogSpec(config.log_driver, dict(config.options or {}))


def awslogs_settings(container: ContainerDefinition, task_id: str) -> AwsLogsSettings | None:
    """The awslogs destination of ``container`` in task ``task_id``; None unless awslogs.

    A missing ``awslogs-group`` gives ``group=""`` (registration normally rejects it).
    """
    config = container.log_configuration
    if config is None or config.log_driver != AWSLOGS:
        return None
    options = config.options or {}
    prefix = options.get("awslogs-stream-prefix")
    return AwsLogsSettings(
        group=options.get("awslogs-group", ""),
        region=options.get("awslogs-region"),
        stream=f"{prefix}/{container.name}/{task_id}" if prefix else None,
        create_group=options.get("awslogs-create-group", "").lower() == "true",
        datetime_format=options.get("awslogs-datetime-format"),
        multiline_pattern=options.get("awslogs-multiline-pattern"),
    )
