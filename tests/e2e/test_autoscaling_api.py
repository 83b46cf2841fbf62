"""Application Auto Scaling through boto3 against a real server: targets, policies, scheduled
actions, activities, tags and AWS's error codes. (Scaling itself is the controller's, covered
in tests/unit/autoscaling; it is wired by the composition root.)"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

pytestmark = pytest.mark.e2e

CLUSTER = "as"
RID = f"service/{CLUSTER}/web"
DIM = "ecs:service:DesiredCount"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    proc = ServerProcess(data_dir=tmp_path_factory.mktemp("autoscaling") / "data").start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def aas(server: ServerProcess) -> Any:
    ecs = server.client("ecs")
    ecs.create_cluster(clusterName=CLUSTER)
    ecs.register_task_definition(
        family="web", containerDefinitions=[{"name": "a", "image": "app:1", "memory": 64}]
    )
    for name in ("web", "api"):
        ecs.create_service(cluster=CLUSTER, serviceName=name, taskDefinition="web", desiredCount=0)
    return server.client("application-autoscaling")


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def register(aas: Any, rid: str = RID, **kw: Any) -> dict[str, Any]:
    return dict(
        aas.register_scalable_target(
            ServiceNamespace="ecs", ResourceId=rid, ScalableDimension=DIM, **kw
        )
    )


def test_register_describe_update(aas: Any) -> None:
    arn = register(aas, MinCapacity=1, MaxCapacity=5, Tags={"team": "a"})["ScalableTargetARN"]
    assert arn.startswith("arn:aws:application-autoscaling:us-east-1:")
    register(aas, MaxCapacity=8, SuspendedState={"DynamicScalingInSuspended": True})
    (target,) = aas.describe_scalable_targets(ServiceNamespace="ecs", ResourceIds=[RID])[
        "ScalableTargets"
    ]
    assert (target["MinCapacity"], target["MaxCapacity"]) == (1, 8)
    assert target["SuspendedState"] == {
        "DynamicScalingInSuspended": True,
        "DynamicScalingOutSuspended": False,
        "ScheduledScalingSuspended": False,
    }
    assert target["ScalableTargetARN"] == arn and "CreationTime" in target
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"team": "a"}
    aas.tag_resource(ResourceARN=arn, Tags={"env": "prod"})
    aas.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert aas.list_tags_for_resource(ResourceARN=arn)["Tags"] == {"env": "prod"}


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        pytest.param(
            {
                "ServiceNamespace": "dynamodb",
                "ResourceId": "table/t",
                "ScalableDimension": "dynamodb:table:ReadCapacityUnits",
                "MinCapacity": 1,
                "MaxCapacity": 2,
            },
            "ValidationException",
            id="namespace",
        ),
        pytest.param(
            {"ResourceId": f"service/{CLUSTER}/nope", "MinCapacity": 1, "MaxCapacity": 2},
            "ValidationException",
            id="no-service",
        ),
        pytest.param(
            {"ResourceId": f"service/{CLUSTER}/api"},
            "ValidationException",
            id="first-needs-min-max",
        ),
        pytest.param(
            {"ResourceId": f"service/{CLUSTER}/api", "MinCapacity": 3, "MaxCapacity": 2},
            "ValidationException",
            id="min-above-max",
        ),
        pytest.param(
            {"ResourceId": "web", "MinCapacity": 1, "MaxCapacity": 2},
            "ValidationException",
            id="bad-resource-id",
        ),
    ],
)
def test_register_errors(aas: Any, kwargs: dict[str, Any], error: str) -> None:
    args = {"ServiceNamespace": "ecs", "ScalableDimension": DIM, **kwargs}
    with pytest.raises(ClientError) as exc:
        aas.register_scalable_target(**args)
    assert code(exc) == error


def test_target_tracking_policy(aas: Any) -> None:
    register(aas, MinCapacity=1, MaxCapacity=8)
    out = aas.put_scaling_policy(
        PolicyName="cpu50",
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension=DIM,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 50.0,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
    )
    assert ":scalingPolicy:" in out["PolicyARN"]
    assert out["PolicyARN"].endswith(f":resource/ecs/{RID}:policyName/cpu50")
    names = [a["AlarmName"] for a in out["Alarms"]]
    assert names[0].startswith(f"TargetTracking-{RID}-AlarmHigh-")
    assert names[1].startswith(f"TargetTracking-{RID}-AlarmLow-")
    (policy,) = aas.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["cpu50"])[
        "ScalingPolicies"
    ]
    config = policy["TargetTrackingScalingPolicyConfiguration"]
    assert (config["ScaleOutCooldown"], config["ScaleInCooldown"], config["DisableScaleIn"]) == (
        300,
        300,
        False,
    )
    assert policy["Alarms"] == out["Alarms"]
    again = aas.put_scaling_policy(
        PolicyName="cpu50",
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension=DIM,
        PolicyType="TargetTrackingScaling",
        TargetTrackingScalingPolicyConfiguration={
            "TargetValue": 60.0,
            "DisableScaleIn": True,
            "PredefinedMetricSpecification": {
                "PredefinedMetricType": "ECSServiceAverageCPUUtilization"
            },
        },
    )
    assert again["PolicyARN"] == out["PolicyARN"] and len(again["Alarms"]) == 1
    aas.delete_scaling_policy(
        PolicyName="cpu50", ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM
    )
    assert (
        aas.describe_scaling_policies(ServiceNamespace="ecs", ResourceId=RID)["ScalingPolicies"]
        == []
    )


STEPS = [
    {"MetricIntervalLowerBound": 0, "MetricIntervalUpperBound": 10, "ScalingAdjustment": 10},
    {"MetricIntervalLowerBound": 10, "ScalingAdjustment": 30},
]


@pytest.mark.parametrize(
    ("config", "error"),
    [
        pytest.param(
            {
                "AdjustmentType": "PercentChangeInCapacity",
                "StepAdjustments": STEPS,
                "MinAdjustmentMagnitude": 1,
            },
            None,
            id="valid",
        ),
        pytest.param(
            {"AdjustmentType": "ChangeInCapacity", "StepAdjustments": [STEPS[0]]},
            "ValidationException",
            id="positive-upper-without-null",
        ),
        pytest.param(
            {
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": STEPS,
                "MinAdjustmentMagnitude": 1,
            },
            "ValidationException",
            id="magnitude-needs-percent",
        ),
    ],
)
def test_step_policy(aas: Any, config: dict[str, Any], error: str | None) -> None:
    register(aas, MinCapacity=1, MaxCapacity=8)
    call = lambda: aas.put_scaling_policy(  # noqa: E731
        PolicyName="steps",
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension=DIM,
        PolicyType="StepScaling",
        StepScalingPolicyConfiguration=config,
    )
    if error is None:
        call()
        (p,) = aas.describe_scaling_policies(ServiceNamespace="ecs", PolicyNames=["steps"])[
            "ScalingPolicies"
        ]
        assert p["StepScalingPolicyConfiguration"]["StepAdjustments"] == STEPS
        assert p["StepScalingPolicyConfiguration"]["Cooldown"] == 300
        return
    with pytest.raises(ClientError) as exc:
        call()
    assert code(exc) == error


def test_scheduled_actions(aas: Any) -> None:
    register(aas, MinCapacity=1, MaxCapacity=8)
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension=DIM,
        ScheduledActionName="night",
        Schedule="cron(0 22 ? * MON-FRI *)",
        Timezone="Europe/Paris",
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 2},
    )
    (a,) = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=RID)[
        "ScheduledActions"
    ]
    assert (a["Schedule"], a["Timezone"], a["ScalableTargetAction"]) == (
        "cron(0 22 ? * MON-FRI *)",
        "Europe/Paris",
        {"MinCapacity": 0, "MaxCapacity": 2},
    )
    assert ":scheduledAction:" in a["ScheduledActionARN"]
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension=DIM,
        ScheduledActionName="night",
        Schedule="rate(2 hours)",
        ScalableTargetAction={"MaxCapacity": 3},
        StartTime=datetime(2030, 1, 1, tzinfo=UTC),
        EndTime=datetime(2030, 2, 1, tzinfo=UTC),
    )
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ResourceId=RID,
        ScalableDimension=DIM,
        ScheduledActionName="night",
        Schedule="cron(0 22 ? * MON-FRI *)",
        Timezone="Europe/Paris",
        ScalableTargetAction={"MinCapacity": 0, "MaxCapacity": 2},
    )
    (b,) = aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=RID)[
        "ScheduledActions"
    ]
    assert b["ScheduledActionARN"] == a["ScheduledActionARN"]
    assert b["CreationTime"] == a["CreationTime"]
    assert "StartTime" not in b and "EndTime" not in b
    for bad in ("cron(0 22 * * MON *)", "rate(0 minutes)", "cron(0 9 L * ? *)"):
        with pytest.raises(ClientError) as exc:
            aas.put_scheduled_action(
                ServiceNamespace="ecs",
                ResourceId=RID,
                ScalableDimension=DIM,
                ScheduledActionName="bad",
                Schedule=bad,
                ScalableTargetAction={"MinCapacity": 1},
            )
        assert code(exc) == "ValidationException"
    aas.delete_scheduled_action(
        ServiceNamespace="ecs", ResourceId=RID, ScalableDimension=DIM, ScheduledActionName="night"
    )
    with pytest.raises(ClientError) as exc:
        aas.delete_scheduled_action(
            ServiceNamespace="ecs",
            ResourceId=RID,
            ScalableDimension=DIM,
            ScheduledActionName="night",
        )
    assert code(exc) == "ObjectNotFoundException"


def test_deregister_removes_everything(aas: Any) -> None:
    rid = f"service/{CLUSTER}/api"
    register(aas, rid, MinCapacity=0, MaxCapacity=3)
    aas.put_scheduled_action(
        ServiceNamespace="ecs",
        ResourceId=rid,
        ScalableDimension=DIM,
        ScheduledActionName="x",
        Schedule="rate(5 minutes)",
        ScalableTargetAction={"MaxCapacity": 2},
    )
    aas.deregister_scalable_target(ServiceNamespace="ecs", ResourceId=rid, ScalableDimension=DIM)
    assert (
        aas.describe_scheduled_actions(ServiceNamespace="ecs", ResourceId=rid)["ScheduledActions"]
        == []
    )
    with pytest.raises(ClientError) as exc:
        aas.deregister_scalable_target(
            ServiceNamespace="ecs", ResourceId=rid, ScalableDimension=DIM
        )
    assert code(exc) == "ObjectNotFoundException"
    with pytest.raises(ClientError) as exc:
        aas.put_scaling_policy(
            PolicyName="p",
            ServiceNamespace="ecs",
            ResourceId=rid,
            ScalableDimension=DIM,
            PolicyType="StepScaling",
            StepScalingPolicyConfiguration={
                "AdjustmentType": "ChangeInCapacity",
                "StepAdjustments": STEPS,
            },
        )
    assert code(exc) == "ObjectNotFoundException"


def test_activities_and_paging(aas: Any) -> None:
    """Registering min 1 over a service of desired 0 (the first test) raises it to 1 on the
    controller's next tick, recorded as an activity as Application Auto Scaling does."""
    deadline = time.monotonic() + 30
    while True:
        out = aas.describe_scaling_activities(ServiceNamespace="ecs", ResourceId=RID)
        if out["ScalingActivities"] or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    [activity] = out["ScalingActivities"]
    assert (activity["Cause"], activity["Description"], activity["StatusCode"]) == (
        "scalable target bounds changed (RegisterScalableTarget)",
        "Setting desired count to 1.",
        "Successful",
    )
    with pytest.raises(ClientError) as exc:
        aas.describe_scalable_targets(ServiceNamespace="ecs", NextToken="garbage")
    assert code(exc) == "InvalidNextTokenException"
    page = aas.describe_scalable_targets(ServiceNamespace="ecs", MaxResults=1)
    assert len(page["ScalableTargets"]) == 1


def test_tag_limits(aas: Any) -> None:
    arn = register(aas, MinCapacity=1, MaxCapacity=8)["ScalableTargetARN"]
    with pytest.raises(ClientError) as exc:
        aas.tag_resource(ResourceARN=arn, Tags={f"k{i}": "v" for i in range(51)})
    assert code(exc) == "TooManyTagsException"
    with pytest.raises(ClientError) as exc:
        aas.tag_resource(ResourceARN=arn, Tags={"aws:reserved": "v"})
    assert code(exc) == "ValidationException"
    with pytest.raises(ClientError) as exc:
        aas.list_tags_for_resource(ResourceARN=arn + "0")
    assert code(exc) == "ResourceNotFoundException"


def test_aws_cli(server: ServerProcess, aas: Any) -> None:
    register(aas, MinCapacity=1, MaxCapacity=8)
    result = subprocess.run(
        [
            "aws",
            "application-autoscaling",
            "describe-scalable-targets",
            "--service-namespace",
            "ecs",
            "--resource-ids",
            RID,
            "--output",
            "json",
        ],
        env=server.env(),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    (target,) = json.loads(result.stdout)["ScalableTargets"]
    assert target["ResourceId"] == RID and target["MaxCapacity"] == 8
