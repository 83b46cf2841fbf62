"""awslogs_settings: where the agent ships an awslogs container's output (ecs-reference §5.6)."""

from __future__ import annotations

import pytest

from dockyard.agent.docker.logconfig import AwsLogsSettings, awslogs_settings
from dockyard.domain.task_definition import ContainerDefinition, LogConfiguration

TASK_ID = "0123456789abcdef"


def settings(driver: str, **options: str) -> AwsLogsSettings | None:
    container = ContainerDefinition(
        name="web", image="i",
        log_configuration=LogConfiguration(log_driver=driver, options=options))
    return awslogs_settings(container, TASK_ID)


@pytest.mark.parametrize(("options", "expected"), [
    pytest.param({"awslogs-group": "g", "awslogs-region": "eu-west-1"},
                 AwsLogsSettings(group="g", region="eu-west-1", stream=None, create_group=False),
                 id="no-prefix-means-container-id"),
    pytest.param({"awslogs-group": "g", "awslogs-region": "eu-west-1",
                  "awslogs-stream-prefix": "app", "awslogs-create-group": "True"},
                 AwsLogsSettings(group="g", region="eu-west-1",
                                 stream=f"app/web/{TASK_ID}", create_group=True),
                 id="prefix-and-create-group"),
    pytest.param({"awslogs-group": "g", "awslogs-create-group": "false",
                  "awslogs-datetime-format": "%Y", "awslogs-multiline-pattern": "^x"},
                 AwsLogsSettings(group="g", region=None, stream=None, create_group=False,
                                 datetime_format="%Y", multiline_pattern="^x"),
                 id="no-region-and-multiline"),
])
def test_awslogs_options(options: dict[str, str], expected: AwsLogsSettings) -> None:
    assert settings("awslogs", **options) == expected


@pytest.mark.parametrize("driver", ["json-file", "none", "syslog"])
def test_other_drivers_have_no_awslogs_settings(driver: str) -> None:
    assert settings(driver, **{"awslogs-group": "g"}) is None


def test_no_log_configuration_has_no_awslogs_settings() -> None:
    assert awslogs_settings(ContainerDefinition(name="web", image="i"), TASK_ID) is None
