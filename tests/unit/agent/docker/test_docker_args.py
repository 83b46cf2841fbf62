"""ContainerSpec → the Docker SDK's create_container / create_host_config arguments."""

from __future__ import annotations

from docker.types import LogConfig, Mount

from dockyard.agent.docker.dockerargs import create_args, host_config_args
from dockyard.agent.docker.linux import LinuxSpec
from dockyard.agent.docker.logconfig import LogSpec
from dockyard.agent.docker.mounts import LinkSpec, MountSpec
from dockyard.agent.docker.spec import ContainerSpec

MIB = 1024 * 1024


def test_defaults_leave_docker_defaults() -> None:
    args = host_config_args(ContainerSpec(name="n", image="i", labels={}))
    assert {k: v for k, v in args.items() if v not in (None, False)} == {
        "network_mode": "bridge", "cpu_shares": 2}


def test_task_relations_and_host_settings() -> None:
    spec = ContainerSpec(
        name="n", image="i", labels={}, memory_mib=256,
        mounts=(MountSpec("/srv", "/d", False, True), MountSpec("/ro", "/r", True, True),
                MountSpec("vol", "/v", True, False)),
        volumes_from=("peer:ro",), links=(LinkSpec("ecs-db", "db"),),
        dns_servers=("1.1.1.1",), dns_search_domains=("corp",), extra_hosts=("h:1.2.3.4",),
        log=LogSpec("json-file", {"max-size": "1m"}),
        linux=LinuxSpec(privileged=True, cap_add=("NET_ADMIN",), init=True, shm_size_mib=64,
                        tmpfs={"/run": "size=8m"}, memory_swap_mib=512, swappiness=10),
    )
    args = host_config_args(spec)
    assert args["binds"] == ["/srv:/d", "/ro:/r:ro"]
    assert args["mounts"] == [Mount(target="/v", source="vol", type="volume", read_only=True)]
    assert (args["volumes_from"], args["links"]) == (["peer:ro"], [("ecs-db", "db")])
    assert (args["dns"], args["dns_search"], args["extra_hosts"]) == (
        ["1.1.1.1"], ["corp"], ["h:1.2.3.4"])
    assert args["log_config"] == LogConfig(type="json-file", config={"max-size": "1m"})
    assert (args["privileged"], args["cap_add"], args["init"], args["shm_size"],
            args["tmpfs"]) == (True, ["NET_ADMIN"], True, 64 * MIB, {"/run": "size=8m"})
    assert (args["mem_limit"], args["memswap_limit"], args["mem_swappiness"]) == (
        256 * MIB, 512 * MIB, 10)


def test_create_args_carry_hostname_and_terminal() -> None:
    args = create_args(ContainerSpec(name="n", image="i", labels={}, hostname="h", tty=True,
                                     interactive=True, network_disabled=True))
    assert (args["hostname"], args["tty"], args["stdin_open"], args["network_disabled"]) == (
        "h", True, True, True)
