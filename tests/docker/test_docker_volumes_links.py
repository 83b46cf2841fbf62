"""Task volumes, volumesFrom, links and linuxParameters on the real Docker Engine.

Every container carries the ECS labels of a per-module cluster and is force-removed at
teardown; every Docker volume a test plans is removed at teardown too (shared ones by name).
"""

from __future__ import annotations

import secrets
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from dockyard.agent.docker import (
    ContainerSpec,
    TaskVolumes,
    VolumeFailed,
    container_spec,
    creation_order,
    plan_task_volumes,
)
from dockyard.agent.docker.runtime import DockerRuntime
from dockyard.domain.task_definition import (
    ContainerDefinition,
    DockerVolumeConfiguration,
    HostVolumeProperties,
    LinuxParameters,
    MountPoint,
    TaskDefinition,
    Volume,
    VolumeFrom,
)

CLUSTER = f"dockyard-test-{secrets.token_hex(4)}"


@pytest.fixture(scope="module")
def runtime(docker_client: object) -> Iterator[DockerRuntime]:
    rt = DockerRuntime(pull_timeout=5.0)
    yield rt
    rt.close()


class Task:
    """One task of a test: plans its volumes, creates its containers in creation order, and
    removes containers and volumes at teardown."""

    def __init__(self, runtime: DockerRuntime, docker_client: Any, td: TaskDefinition) -> None:
        self.runtime, self.client, self.td = runtime, docker_client, td
        self.task_id = secrets.token_hex(16)
        self.arn = f"arn:aws:ecs:us-east-1:000000000000:task/{CLUSTER}/{self.task_id}"
        self.volumes: TaskVolumes = plan_task_volumes(self.task_id, CLUSTER, td)
        self.ids: dict[str, str] = {}

    def spec(self, name: str) -> ContainerSpec:
        container = self.td.container(name)
        assert container is not None
        return container_spec(self.arn, self.td.family, self.td.revision, CLUSTER, container,
                              network_mode="bridge", random_hex=secrets.token_hex(6),
                              volumes=self.volumes, peers=self.ids)

    def create(self, name: str) -> str:
        self.ids[name] = self.runtime.create(self.spec(name))
        return self.ids[name]

    def run(self, name: str, seconds: float = 20) -> int | None:
        """Create and start ``name``, wait for it to exit, return its exit code."""
        container_id = self.ids.get(name) or self.create(name)
        self.runtime.start(container_id)
        deadline = time.monotonic() + seconds
        state = self.runtime.inspect(container_id)
        while state.status != "exited" and time.monotonic() < deadline:
            time.sleep(0.1)
            state = self.runtime.inspect(container_id)
        return state.exit_code

    def output(self, name: str) -> list[str]:
        return [line for _, line in self.runtime.logs(self.ids[name], follow=False)]

    def remove_containers(self) -> None:
        for container_id in self.ids.values():
            self.runtime.remove(container_id)

    def remove_volumes(self) -> None:
        self.runtime.remove_task_volumes(self.volumes)
        for volume in self.volumes.docker_volumes:
            for found in self.client.volumes.list(filters={"name": volume.name}):
                if found.name == volume.name:
                    found.remove(force=True)


@pytest.fixture
def task(runtime: DockerRuntime, docker_client: Any) -> Iterator[Callable[..., Task]]:
    tasks: list[Task] = []

    def make(containers: tuple[ContainerDefinition, ...], volumes: tuple[Volume, ...] = ()) -> Task:
        td = TaskDefinition(family="dockyard-test", revision=1, container_definitions=containers,
                            volumes=volumes)
        tasks.append(Task(runtime, docker_client, td))
        return tasks[-1]

    yield make
    for t in tasks:
        t.remove_containers()
    for t in tasks:
        t.remove_volumes()


def sh(name: str, script: str, **fields: Any) -> ContainerDefinition:
    return ContainerDefinition(name=name, image="dockyard-test/busybox:latest",
                               command=("sh", "-c", script), **fields)


def mount(volume: str, path: str, read_only: bool = False) -> MountPoint:
    return MountPoint(source_volume=volume, container_path=path, read_only=read_only)


def volume_names(docker_client: Any) -> set[str]:
    return {v.name for v in docker_client.volumes.list()}


def test_bind_mount_read_only_refuses_writes_and_a_missing_path_is_created(
    task, test_image: str, tmp_path: Path
) -> None:
    (tmp_path / "in.txt").write_text("from-host\n")
    fresh = tmp_path / "created-by-docker"
    t = task((sh("app", "cat /ro/in.txt > /rw/out.txt && touch /new/made "
                        "&& if touch /ro/denied; then exit 9; fi",
                 mount_points=(mount("hostdir", "/ro", read_only=True), mount("rw", "/rw"),
                               mount("fresh", "/new"))),),
             (Volume(name="hostdir", host=HostVolumeProperties(source_path=str(tmp_path))),
              Volume(name="rw", host=HostVolumeProperties(source_path=str(tmp_path))),
              Volume(name="fresh", host=HostVolumeProperties(source_path=str(fresh)))))
    t.runtime.ensure_volumes(t.volumes)
    assert t.volumes.docker_volumes == ()
    assert t.run("app") == 0
    assert (tmp_path / "out.txt").read_text() == "from-host\n"
    assert not (tmp_path / "denied").exists()
    assert (fresh / "made").exists()


def test_empty_task_volume_is_shared_by_the_tasks_containers_then_removed(
    task, docker_client, test_image: str
) -> None:
    t = task((sh("writer", "echo hello-volume > /data/msg", mount_points=(mount("scratch", "/data"),)),
              sh("reader", 'test "$(cat /shared/msg)" = hello-volume',
                 mount_points=(mount("scratch", "/shared", read_only=True),))),
             (Volume(name="scratch"),))
    [planned] = t.volumes.docker_volumes
    t.runtime.ensure_volumes(t.volumes)
    assert planned.name in volume_names(docker_client)
    labels = docker_client.volumes.get(planned.name).attrs["Labels"]
    assert labels["com.dockyard.task-id"] == t.task_id
    assert (t.run("writer"), t.run("reader")) == (0, 0)
    for container_id in t.ids.values():
        t.runtime.remove(container_id)
    t.runtime.remove_task_volumes(t.volumes)
    assert planned.name not in volume_names(docker_client)
    t.runtime.remove_task_volumes(t.volumes)  # gone already is fine


def test_task_scoped_docker_volume_with_driver_options(task, docker_client, test_image) -> None:
    config = DockerVolumeConfiguration(scope="task", driver="local",
                                       driver_opts={"type": "tmpfs", "device": "tmpfs"},
                                       labels={"team": "dockyard"})
    t = task((sh("app", "mount | grep -q ' /mem type tmpfs'",
                 mount_points=(mount("mem", "/mem"),)),),
             (Volume(name="mem", docker_volume_configuration=config),))
    t.runtime.ensure_volumes(t.volumes)
    attrs = docker_client.volumes.get(t.volumes.docker_volumes[0].name).attrs
    assert attrs["Options"] == {"type": "tmpfs", "device": "tmpfs"}
    assert attrs["Labels"]["team"] == "dockyard"
    assert t.run("app") == 0


def test_shared_volume_autoprovisioned_persists_after_the_task(task, docker_client, test_image) -> None:
    name = f"dockyard-test-shared-{secrets.token_hex(4)}"
    config = DockerVolumeConfiguration(scope="shared", autoprovision=True, labels={"k": "v"})
    first = task((sh("app", "echo kept > /db/f", mount_points=(mount(name, "/db"),)),),
                 (Volume(name=name, docker_volume_configuration=config),))
    first.runtime.ensure_volumes(first.volumes)
    assert first.run("app") == 0
    first.runtime.remove(first.ids["app"])
    first.runtime.remove_task_volumes(first.volumes)
    assert name in volume_names(docker_client)
    assert docker_client.volumes.get(name).attrs["Labels"] == {"k": "v"}

    second = task((sh("app", 'test "$(cat /db/f)" = kept', mount_points=(mount(name, "/db"),)),),
                  (Volume(name=name, docker_volume_configuration=config),))
    second.runtime.ensure_volumes(second.volumes)  # exists and matches: fine
    assert second.run("app") == 0


def test_shared_volume_without_autoprovision_must_exist(task, docker_client) -> None:
    name = f"dockyard-test-missing-{secrets.token_hex(4)}"
    t = task((sh("app", "true", mount_points=(mount(name, "/db"),)),),
             (Volume(name=name, docker_volume_configuration=DockerVolumeConfiguration(
                 scope="shared", autoprovision=False)),))
    with pytest.raises(VolumeFailed) as failed:
        t.runtime.ensure_volumes(t.volumes)
    assert failed.value.reason == f"volume {name} does not exist and autoprovision is false"
    assert name not in volume_names(docker_client)
    docker_client.volumes.create(name)
    t.runtime.ensure_volumes(t.volumes)  # now it exists


def test_autoprovisioned_shared_volume_that_exists_differently_fails(task, docker_client) -> None:
    name = f"dockyard-test-other-{secrets.token_hex(4)}"
    t = task((sh("app", "true", mount_points=(mount(name, "/db"),)),),
             (Volume(name=name, docker_volume_configuration=DockerVolumeConfiguration(
                 scope="shared", autoprovision=True, labels={"owner": "me"})),))
    docker_client.volumes.create(name, labels={"owner": "someone-else"})
    with pytest.raises(VolumeFailed, match="its label owner is 'someone-else', not 'me'"):
        t.runtime.ensure_volumes(t.volumes)


def test_volumes_from_a_peer_read_only(task, test_image: str) -> None:
    t = task((sh("app", 'test "$(cat /shared/f)" = from-store && if touch /shared/g; then exit 9; fi',
                 volumes_from=(VolumeFrom(source_container="store", read_only=True),)),
              sh("store", "echo from-store > /shared/f", mount_points=(mount("v", "/shared"),))),
             (Volume(name="v"),))
    t.runtime.ensure_volumes(t.volumes)
    assert creation_order(t.td) == ("store", "app")
    assert t.run("store") == 0
    assert t.run("app") == 0
    volumes_from = t.runtime.inspect(t.ids["app"])
    assert volumes_from.exit_code == 0


def test_links_reach_the_peer_by_alias(task, test_image: str) -> None:
    serve = "mkdir -p /www && echo pong > /www/index.html && exec httpd -f -p 8080 -h /www"
    fetch = ("for i in $(seq 1 40); do "
             "if wget -q -O - http://database:8080/ | grep -q pong; then exit 0; fi; "
             "sleep 0.25; done; exit 1")
    t = task((sh("web", fetch, links=("db:database",)), sh("db", serve)))
    order = creation_order(t.td)
    assert order == ("db", "web")
    t.create("db")
    t.runtime.start(t.ids["db"])
    assert t.run("web") == 0
    t.runtime.stop(t.ids["db"], timeout_seconds=0)


def test_init_process_and_shared_memory_size(task, test_image: str) -> None:
    t = task((sh("app", "cat /proc/1/comm; df -k /dev/shm | tail -n 1",
                 linux_parameters=LinuxParameters(init_process_enabled=True,
                                                  shared_memory_size=32)),
              sh("plain", "cat /proc/1/comm; true")))
    assert (t.run("app"), t.run("plain")) == (0, 0)
    comm, shm = t.output("app")
    assert comm == "docker-init"
    assert shm.split()[1] == str(32 * 1024)  # 1K-blocks
    assert t.output("plain") == ["sh"]
