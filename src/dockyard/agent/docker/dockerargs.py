"""A :class:`ContainerSpec` as the keyword arguments of the Docker SDK's create calls.

Memory values are MiB in the spec and bytes for Docker. Host paths are bound with ``Binds``
(``<path>:<target>[:ro]``), which creates a missing host directory as ECS's bind mounts do;
Docker volumes are ``Mounts`` of type ``volume``.
"""

from __future__ import annotations

from typing import Any

from docker.types import LogConfig, Mount, Ulimit

from dockyard.agent.docker.spec import ContainerSpec

__all__ = ["create_args", "host_config_args"]

_MIB = 1024 * 1024


def create_args(spec: ContainerSpec) -> dict[str, Any]:
    """Keyword arguments of ``APIClient.create_container`` (all but ``host_config``)."""
    args: dict[str, Any] = {
        "image": spec.image,
        "name": spec.name,
        "labels": dict(spec.labels),
        "environment": dict(spec.environment),
        "command": list(spec.command) if spec.command is not None else None,
        "entrypoint": list(spec.entrypoint) if spec.entrypoint is not None else None,
        "working_dir": spec.working_dir,
        "user": spec.user,
        "ports": [(p.container_port, p.protocol) for p in spec.ports] or None,
        "stop_timeout": spec.stop_timeout,
        "hostname": spec.hostname,
        "network_disabled": spec.network_disabled,
        "stdin_open": spec.interactive,
        "tty": spec.tty,
    }
    if spec.healthcheck is not None:
        hc = spec.healthcheck
        args["healthcheck"] = {
            "test": list(hc.test),
            "interval": hc.interval_ns,
            "timeout": hc.timeout_ns,
            "retries": hc.retries,
            "start_period": hc.start_period_ns,
        }
    return args


def host_config_args(spec: ContainerSpec) -> dict[str, Any]:
    """Keyword arguments of ``APIClient.create_host_config``."""
    return {
        "network_mode": spec.network_mode,
        "port_bindings": _port_bindings(spec) or None,
        "cpu_shares": spec.cpu_shares,
        "mem_limit": _bytes(spec.memory_mib),
        "mem_reservation": _bytes(spec.memory_reservation_mib),
        "ulimits": [Ulimit(name=u.name, soft=u.soft, hard=u.hard) for u in spec.ulimits] or None,
        "read_only": spec.read_only or None,
        "binds": [
            f"{m.source}:{m.target}" + (":ro" if m.read_only else "") for m in spec.mounts if m.bind
        ]
        or None,
        "mounts": [
            Mount(target=m.target, source=m.source, type="volume", read_only=m.read_only)
            for m in spec.mounts
            if not m.bind
        ]
        or None,
        "volumes_from": list(spec.volumes_from) or None,
        "links": [(link.container, link.alias) for link in spec.links] or None,
        "dns": list(spec.dns_servers) or None,
        "dns_search": list(spec.dns_search_domains) or None,
        "extra_hosts": list(spec.extra_hosts) or None,
        "log_config": LogConfig(type=spec.log.driver, config=dict(spec.log.options))
        if spec.log is not None
        else None,
        **_linux_args(spec),
    }


def _linux_args(spec: ContainerSpec) -> dict[str, Any]:
    linux = spec.linux
    return {
        "privileged": linux.privileged,
        "cap_add": list(linux.cap_add) or None,
        "cap_drop": list(linux.cap_drop) or None,
        "devices": list(linux.devices) or None,
        "init": linux.init,
        "shm_size": _bytes(linux.shm_size_mib),
        "tmpfs": dict(linux.tmpfs) or None,
        "memswap_limit": _bytes(linux.memory_swap_mib),
        "mem_swappiness": linux.swappiness,
        "sysctls": dict(linux.sysctls) or None,
        "security_opt": list(linux.security_opt) or None,
    }


def _port_bindings(spec: ContainerSpec) -> dict[str, list[tuple[str, int | None]]]:
    bindings: dict[str, list[tuple[str, int | None]]] = {}
    for p in spec.ports:
        bindings.setdefault(f"{p.container_port}/{p.protocol}", []).append((p.host_ip, p.host_port))
    return bindings


def _bytes(mib: int | None) -> int | None:
    return mib * _MIB if mib else None
