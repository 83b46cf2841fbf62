"""Registration rules for task ``volumes`` and the containers' ``mountPoints``.

- a volume has a unique name of up to 255 letters, digits, underscores and hyphens, and at most
  one kind (``host``, ``dockerVolumeConfiguration``, ``efsVolumeConfiguration``, FSx, S3 Files,
  ``configuredAtLaunch``); at most one volume per revision is configured at launch;
- Docker volumes: ``autoprovision`` only with ``scope: shared``;
- EFS: with an access point, ``rootDirectory`` is omitted or ``/``; IAM authorization or an
  access point needs ``transitEncryption: ENABLED``;
- ``mountPoints[].sourceVolume`` names a declared volume and ``containerPath`` is set.

Messages quoted from real ECS responses are marked ``# ECS``; the others are composed.

Pure.
"""

from __future__ import annotations

from collections import Counter

from dockyard.domain.errors import ClientException
from dockyard.domain.task_definition_model import TaskDefinitionRegistration
from dockyard.domain.task_definition_rules_container import NAME_PATTERN
from dockyard.domain.task_definition_volume import Volume


def check_volumes(reg: TaskDefinitionRegistration) -> None:
    for volume in reg.volumes:
        _check_volume(volume)
    for name, count in Counter(v.name for v in reg.volumes).items():
        if count > 1:
            raise ClientException(f"Duplicate volume name '{name}'. Names must be unique.")
    if sum(1 for v in reg.volumes if v.configured_at_launch) > 1:
        raise ClientException("Only one volume in a task definition can be configured at launch.")


def _check_volume(volume: Volume) -> None:
    if not volume.name:
        raise ClientException("Volume.name should not be null or empty.")
    if not NAME_PATTERN.match(volume.name):
        raise ClientException("Volume.name contains invalid characters.")
    kinds = volume.kinds()
    if len(kinds) > 1:
        raise ClientException(
            f"Invalid volume '{volume.name}'. Specify only one volume type; "
            f"found {', '.join(kinds)}."
        )
    docker = volume.docker_volume_configuration
    if docker is not None and docker.autoprovision and docker.scope != "shared":
        raise ClientException(
            f"Invalid volume '{volume.name}'. 'autoprovision' can only be true when 'scope' is "
            "'shared'."
        )
    _check_efs(volume)


def _check_efs(volume: Volume) -> None:
    efs = volume.efs_volume_configuration
    if efs is None:
        return
    auth = efs.authorization_config
    access_point = auth is not None and bool(auth.access_point_id)
    iam = auth is not None and auth.iam == "ENABLED"
    if access_point and efs.root_directory not in (None, "/"):
        raise ClientException(
            f"Invalid volume '{volume.name}'. 'rootDirectory' must be omitted or '/' when an "
            "access point is specified."
        )
    if (access_point or iam) and efs.transit_encryption != "ENABLED":
        raise ClientException(
            f"Invalid volume '{volume.name}'. 'transitEncryption' must be ENABLED when IAM "
            "authorization or an access point is used."
        )


def check_mount_points(reg: TaskDefinitionRegistration) -> None:
    declared = {v.name for v in reg.volumes}
    for c in reg.container_definitions:
        for mount in c.mount_points:
            if mount.source_volume is None or mount.source_volume not in declared:
                shown = "null" if mount.source_volume is None else mount.source_volume
                raise ClientException(f"Unknown volume '{shown}'.")  # ECS
            if not mount.container_path:
                raise ClientException(
                    f"Invalid 'mountPoints' setting for container '{c.name}'. "
                    "'containerPath' should not be null or empty."
                )
