"""``linuxParameters`` (and the other kernel-facing members) as Docker host-config values.

Mapping, as the real agent does it (ecs-reference §5.7)::

    capabilities.add / drop     CapAdd / CapDrop (names pass through: NET_ADMIN or CAP_NET_ADMIN)
    devices                     Devices "<host>:<container>:<perms>" (read/write/mknod → rwm)
    initProcessEnabled          Init
    sharedMemorySize (MiB)      ShmSize
    tmpfs (size MiB)            Tmpfs {path: "size=<n>m[,<mountOptions>]"}
    maxSwap (MiB)               MemorySwap = memory + maxSwap (only with a hard memory limit;
                                Docker refuses a swap limit without one); 0 disables swap
    swappiness                  MemorySwappiness, default 60 when maxSwap is set, ignored without
    systemControls              Sysctls
    dockerSecurityOptions       SecurityOpt (verbatim)
    privileged                  Privileged

Pure.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from dockyard.domain.task_definition import ContainerDefinition, Device, Tmpfs

__all__ = ["DEFAULT_SWAPPINESS", "LinuxSpec", "linux_spec"]

DEFAULT_SWAPPINESS = 60
"""ECS's (and the kernel's) default swappiness when ``maxSwap`` is set without it."""

_PERMISSION_LETTERS = {"read": "r", "write": "w", "mknod": "m"}


@dataclass(frozen=True, slots=True, kw_only=True)
class LinuxSpec:
    """Kernel-facing settings of one container; sizes are MiB. Defaults are Docker's."""

    privileged: bool = False
    cap_add: tuple[str, ...] = ()
    cap_drop: tuple[str, ...] = ()
    devices: tuple[str, ...] = ()
    init: bool | None = None
    shm_size_mib: int | None = None
    tmpfs: Mapping[str, str] = field(default_factory=dict)
    memory_swap_mib: int | None = None
    swappiness: int | None = None
    sysctls: Mapping[str, str] = field(default_factory=dict)
    security_opt: tuple[str, ...] = ()


def linux_spec(container: ContainerDefinition) -> LinuxSpec:
    """The container's :class:`LinuxSpec`. Pure."""
    lp = container.linux_parameters
    caps = lp.capabilities if lp is not None else None
    max_swap = lp.max_swap if lp is not None else None
    swap_applies = max_swap is not None and container.memory is not None
    return LinuxSpec(
        privileged=bool(container.privileged),
        cap_add=tuple(caps.add or ()) if caps is not None else (),
        cap_drop=tuple(caps.drop or ()) if caps is not None else (),
        devices=tuple(_device(d) for d in (lp.devices if lp else None) or ()),
        init=lp.init_process_enabled if lp is not None else None,
        shm_size_mib=lp.shared_memory_size if lp is not None else None,
        tmpfs={t.container_path: _tmpfs_options(t) for t in (lp.tmpfs if lp else None) or ()},
        memory_swap_mib=(container.memory or 0) + (max_swap or 0) if swap_applies else None,
        swappiness=(
            (lp.swappiness if lp and lp.swappiness is not None else DEFAULT_SWAPPINESS)
            if swap_applies
            else None
        ),
        sysctls={
            s.namespace: s.value or "" for s in container.system_controls or () if s.namespace
        },
        security_opt=tuple(container.docker_security_options or ()),
    )


def _device(device: Device) -> str:
    perms = (
        "".join(
            _PERMISSION_LETTERS[p] for p in device.permissions or () if p in _PERMISSION_LETTERS
        )
        or "rwm"
    )
    return f"{device.host_path}:{device.container_path or device.host_path}:{perms}"


def _tmpfs_options(tmpfs: Tmpfs) -> str:
    return ",".join([f"size={tmpfs.size}m", *(tmpfs.mount_options or ())])
