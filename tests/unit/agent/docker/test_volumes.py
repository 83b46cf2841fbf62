"""plan_task_volumes: ECS volume kinds → Docker volumes and mount sources (ecs-reference §5.4)."""

from __future__ import annotations

import pytest

from dockyard.agent.docker.volumes import (
    DockerVolumeSpec,
    MountSource,
    TaskVolumes,
    UnsupportedVolume,
    VolumeScope,
    plan_task_volumes,
    task_volume_name,
    volume_mismatch,
)
from dockyard.domain.task_definition import (
    DockerVolumeConfiguration,
    EfsVolumeConfiguration,
    HostVolumeProperties,
    TaskDefinition,
    Volume,
)

TASK_ID = "0123456789abcdef0123456789abcdef"
TASK_LABELS = {"com.amazonaws.ecs.cluster": "prod", "com.dockyard.task-id": TASK_ID}


def plan(*volumes: Volume) -> TaskVolumes:
    td = TaskDefinition(family="shop", revision=4, volumes=volumes)
    return plan_task_volumes(TASK_ID, "prod", td)


def generated(name: str) -> str:
    return f"ecs-shop-4-{name}-{TASK_ID}"


@pytest.mark.parametrize(("volume", "docker_volume", "source"), [
    pytest.param(Volume(name="data", host=HostVolumeProperties(source_path="/srv/data")),
                 None, MountSource("/srv/data", bind=True), id="host-source-path"),
    pytest.param(Volume(name="scratch"),
                 DockerVolumeSpec(name=generated("scratch"), scope=VolumeScope.TASK,
                                  labels=TASK_LABELS, empty=True),
                 MountSource(generated("scratch"), bind=False), id="empty"),
    pytest.param(Volume(name="scratch", host=HostVolumeProperties()),
                 DockerVolumeSpec(name=generated("scratch"), scope=VolumeScope.TASK,
                                  labels=TASK_LABELS, empty=True),
                 MountSource(generated("scratch"), bind=False), id="host-without-path-is-empty"),
    pytest.param(Volume(name="cache", docker_volume_configuration=DockerVolumeConfiguration()),
                 DockerVolumeSpec(name=generated("cache"), scope=VolumeScope.TASK,
                                  labels=TASK_LABELS),
                 MountSource(generated("cache"), bind=False), id="docker-default-scope-task"),
    pytest.param(Volume(name="cache", docker_volume_configuration=DockerVolumeConfiguration(
                     scope="task", driver="rexray", driver_opts={"size": "5"},
                     labels={"team": "a", "com.dockyard.task-id": "spoof"})),
                 DockerVolumeSpec(name=generated("cache"), scope=VolumeScope.TASK,
                                  driver="rexray", driver_opts={"size": "5"},
                                  labels={"team": "a", **TASK_LABELS}),
                 MountSource(generated("cache"), bind=False), id="docker-task-driver-opts-labels"),
    pytest.param(Volume(name="db", docker_volume_configuration=DockerVolumeConfiguration(
                     scope="shared", autoprovision=True, labels={"team": "a"})),
                 DockerVolumeSpec(name="db", scope=VolumeScope.SHARED, labels={"team": "a"},
                                  autoprovision=True),
                 MountSource("db", bind=False), id="shared-autoprovision-named-exactly"),
    pytest.param(Volume(name="db", docker_volume_configuration=DockerVolumeConfiguration(
                     scope="shared")),
                 DockerVolumeSpec(name="db", scope=VolumeScope.SHARED),
                 MountSource("db", bind=False), id="shared-must-exist"),
])
def test_each_volume_kind(volume: Volume, docker_volume: DockerVolumeSpec | None,
                          source: MountSource) -> None:
    result = plan(volume)
    assert result.docker_volumes == ((docker_volume,) if docker_volume else ())
    assert result.sources == {volume.name: source}
    assert result.source(volume.name or "") == source
    assert result.source("other") is None


def test_only_task_scoped_volumes_are_removed_with_the_task() -> None:
    result = plan(
        Volume(name="empty"),
        Volume(name="task", docker_volume_configuration=DockerVolumeConfiguration(scope="task")),
        Volume(name="shared", docker_volume_configuration=DockerVolumeConfiguration(
            scope="shared", autoprovision=True)),
        Volume(name="bind", host=HostVolumeProperties(source_path="/tmp/x")),
    )
    assert [v.name for v in result.removed_with_task] == [generated("empty"), generated("task")]
    assert [v.name for v in result.docker_volumes] == [generated("empty"), generated("task"),
                                                       "shared"]


def test_generated_names_differ_per_task_and_drop_chars_docker_rejects() -> None:
    td = TaskDefinition(family="shop", revision=4, volumes=(Volume(name="v"),))
    first = plan_task_volumes("aaaa", "c", td).docker_volumes[0].name
    second = plan_task_volumes("bbbb", "c", td).docker_volumes[0].name
    assert (first, second) == ("ecs-shop-4-v-aaaa", "ecs-shop-4-v-bbbb")
    assert task_volume_name("my/fam", 1, "v:1", "t") == "ecs-myfam-1-v1-t"


def test_efs_is_refused_with_the_volume_named() -> None:
    with pytest.raises(UnsupportedVolume, match=r"'files'.*efsVolumeConfiguration"):
        plan(Volume(name="files",
                    efs_volume_configuration=EfsVolumeConfiguration(file_system_id="fs-1")))


def test_a_task_without_volumes_plans_nothing() -> None:
    assert plan() == TaskVolumes()


@pytest.mark.parametrize(("existing", "expected"), [
    pytest.param({"Driver": "local", "Labels": {"team": "a", "x": "y"}, "Options": None}, None,
                 id="match-with-extra-labels"),
    pytest.param({"Driver": "nfs", "Labels": {"team": "a"}}, "its driver is nfs, not local",
                 id="driver"),
    pytest.param({"Driver": "local", "Labels": None}, "its label team is None, not 'a'",
                 id="label-missing"),
    pytest.param({"Driver": "local", "Labels": {"team": "b"}}, "its label team is 'b', not 'a'",
                 id="label-differs"),
])
def test_volume_mismatch(existing: dict[str, object], expected: str | None) -> None:
    volume = DockerVolumeSpec(name="db", scope=VolumeScope.SHARED, labels={"team": "a"},
                              autoprovision=True)
    assert volume_mismatch(volume, existing) == expected


def test_driver_options_must_match_too() -> None:
    volume = DockerVolumeSpec(name="db", scope=VolumeScope.SHARED, driver_opts={"type": "tmpfs"})
    assert volume_mismatch(volume, {"Driver": "local", "Options": {"type": "tmpfs"}}) is None
    assert volume_mismatch(volume, {"Driver": "local", "Options": {}}) == (
        "its driver option type is None, not 'tmpfs'")
