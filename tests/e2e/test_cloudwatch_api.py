"""CloudWatch alarms through boto3: PutMetricAlarm validation, DescribeAlarms filters and
pagination, DescribeAlarmsForMetric, SetAlarmState, actions on/off, history, DeleteAlarms."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError
from tests.support.server import ServerProcess

POLICY = "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:resource/ecs/service/d/w:policyName/p"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerProcess]:
    data_dir: Path = tmp_path_factory.mktemp("cloudwatch-alarms") / "data"
    proc = ServerProcess(data_dir=data_dir).start()
    try:
        yield proc
    finally:
        proc.stop()


@pytest.fixture(scope="module")
def cw(server: ServerProcess) -> Any:
    return server.client("cloudwatch")


def alarm(cw: Any, name: str, **kw: Any) -> None:
    args: dict[str, Any] = {
        "AlarmName": name,
        "Namespace": "App",
        "MetricName": "Latency",
        "Dimensions": [{"Name": "Api", "Value": "get"}],
        "Statistic": "Average",
        "Period": 60,
        "EvaluationPeriods": 3,
        "Threshold": 100.0,
        "ComparisonOperator": "GreaterThanThreshold",
        "AlarmActions": [POLICY],
    }
    cw.put_metric_alarm(**(args | kw))


def code(exc: pytest.ExceptionInfo[ClientError]) -> str:
    return str(exc.value.response["Error"]["Code"])


def action_history(cw: Any, name: str, timeout: float = 15.0) -> list[dict[str, Any]]:
    """The alarm's history once SetAlarmState's actions have run (they run just after the call,
    as on AWS; the action here names a policy that does not exist, so it is recorded failed)."""
    deadline = time.monotonic() + timeout
    while True:
        items: list[dict[str, Any]] = cw.describe_alarm_history(AlarmName=name)["AlarmHistoryItems"]
        if any(h["HistoryItemType"] == "Action" for h in items) or time.monotonic() > deadline:
            return items
        time.sleep(0.2)


def test_alarm_lifecycle(cw: Any) -> None:
    alarm(cw, "latency-high", DatapointsToAlarm=2, TreatMissingData="breaching")
    alarm(cw, "latency-low", ComparisonOperator="LessThanThreshold", Threshold=1.0)
    [a] = cw.describe_alarms(AlarmNames=["latency-high"])["MetricAlarms"]
    assert a["AlarmArn"].startswith("arn:aws:cloudwatch:") and a["AlarmArn"].endswith(
        ":alarm:latency-high"
    )
    assert (a["StateValue"], a["DatapointsToAlarm"], a["TreatMissingData"]) == (
        "INSUFFICIENT_DATA",
        2,
        "breaching",
    )
    assert a["Dimensions"] == [{"Name": "Api", "Value": "get"}] and a["AlarmActions"] == [POLICY]
    prefixed = cw.describe_alarms(AlarmNamePrefix="latency-")["MetricAlarms"]
    assert [x["AlarmName"] for x in prefixed] == ["latency-high", "latency-low"]
    first = cw.describe_alarms(MaxRecords=1)
    second = cw.describe_alarms(MaxRecords=1, NextToken=first["NextToken"])
    assert [x["AlarmName"] for x in first["MetricAlarms"] + second["MetricAlarms"]] == [
        "latency-high",
        "latency-low",
    ]
    assert len(cw.describe_alarms(ActionPrefix="arn:aws:autoscaling:")["MetricAlarms"]) == 2
    for_metric = cw.describe_alarms_for_metric(
        Namespace="App", MetricName="Latency", Dimensions=[{"Name": "Api", "Value": "get"}]
    )
    assert len(for_metric["MetricAlarms"]) == 2

    cw.set_alarm_state(
        AlarmName="latency-high",
        StateValue="ALARM",
        StateReason="testing",
        StateReasonData=json.dumps({"k": 1}),
    )
    [a] = cw.describe_alarms(StateValue="ALARM")["MetricAlarms"]
    assert (a["AlarmName"], a["StateReason"], json.loads(a["StateReasonData"])) == (
        "latency-high",
        "testing",
        {"k": 1},
    )
    cw.disable_alarm_actions(AlarmNames=["latency-high"])
    assert (
        cw.describe_alarms(AlarmNames=["latency-high"])["MetricAlarms"][0]["ActionsEnabled"]
        is False
    )
    cw.enable_alarm_actions(AlarmNames=["latency-high"])
    assert (
        cw.describe_alarms(AlarmNames=["latency-high"])["MetricAlarms"][0]["ActionsEnabled"] is True
    )

    # The minute's evaluation may also run meanwhile (missing data is breaching here), adding
    # its own transition and action: assert what holds either way.
    history = action_history(cw, "latency-high")
    types = [h["HistoryItemType"] for h in history]
    assert types[-1] == "ConfigurationUpdate" and "StateUpdate" in types, types
    action = next(h for h in history if h["HistoryItemType"] == "Action")
    assert action["HistorySummary"].startswith(f"Failed to execute action {POLICY}.")
    states = cw.describe_alarm_history(AlarmName="latency-high", HistoryItemType="StateUpdate")
    assert (
        states["AlarmHistoryItems"][-1]["HistorySummary"]
        == "Alarm updated from INSUFFICIENT_DATA to ALARM"
    )

    cw.delete_alarms(AlarmNames=["latency-high", "latency-low"])
    assert cw.describe_alarms()["MetricAlarms"] == []


@pytest.mark.parametrize(
    ("kw", "expected"),
    [
        ({"ExtendedStatistic": "p90"}, "InvalidParameterCombination"),
        ({"DatapointsToAlarm": 4}, "InvalidParameterValue"),
        ({"Period": 45}, "InvalidParameterValue"),
        (
            {"ComparisonOperator": "LessThanLowerOrGreaterThanUpperThreshold"},
            "InvalidParameterValue",
        ),
    ],
    ids=["both-statistics", "m-above-n", "period", "band-operator"],
)
def test_put_metric_alarm_validation(cw: Any, kw: dict[str, Any], expected: str) -> None:
    with pytest.raises(ClientError) as exc:
        alarm(cw, "bad", **kw)
    assert code(exc) == expected


def test_unknown_alarms(cw: Any) -> None:
    with pytest.raises(ClientError) as exc:
        cw.set_alarm_state(AlarmName="nope", StateValue="OK", StateReason="x")
    assert code(exc) == "ResourceNotFound"
    with pytest.raises(ClientError) as exc:
        cw.delete_alarms(AlarmNames=["nope"])
    assert code(exc) == "ResourceNotFound"


def test_delete_with_an_unknown_name_deletes_nothing(cw: Any) -> None:
    alarm(cw, "kept")
    with pytest.raises(ClientError) as exc:
        cw.delete_alarms(AlarmNames=["kept", "nope"])
    assert code(exc) == "ResourceNotFound"
    assert [a["AlarmName"] for a in cw.describe_alarms()["MetricAlarms"]] == ["kept"]
    cw.delete_alarms(AlarmNames=["kept"])


def test_alarm_tags(cw: Any) -> None:
    alarm(cw, "tagged", Tags=[{"Key": "team", "Value": "web"}])
    arn = cw.describe_alarms(AlarmNames=["tagged"])["MetricAlarms"][0]["AlarmArn"]
    alarm(cw, "tagged", Tags=[{"Key": "ignored", "Value": "on update"}])
    cw.tag_resource(ResourceARN=arn, Tags=[{"Key": "env", "Value": "prod"}])
    cw.untag_resource(ResourceARN=arn, TagKeys=["team"])
    assert cw.list_tags_for_resource(ResourceARN=arn)["Tags"] == [{"Key": "env", "Value": "prod"}]
    with pytest.raises(ClientError) as exc:
        cw.list_tags_for_resource(ResourceARN=arn + "x")
    assert code(exc) == "ResourceNotFound"
    cw.delete_alarms(AlarmNames=["tagged"])
