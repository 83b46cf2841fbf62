"""Alarm evaluation: M out of N, every treatMissingData value, actions and reason data (pure)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dockyard.domain.alarms import (
    Alarm,
    actions_to_fire,
    alarm_arn,
    breaches,
    evaluate,
    period_starts,
    state_reason_data,
)

T0 = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
POLICY = (
    "arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:abc:resource/ecs/"
    "service/default/web:policyName/up"
)
TOPIC = "arn:aws:sns:us-east-1:123456789012:ops"

BASE = Alarm(
    name="cpu-high",
    namespace="AWS/ECS",
    metric_name="CPUUtilization",
    dimensions=(("ClusterName", "default"), ("ServiceName", "web")),
    statistic="Average",
    period=60,
    evaluation_periods=5,
    datapoints_to_alarm=3,
    threshold=50.0,
    comparison="GreaterThanThreshold",
)


def series(pattern: str) -> list[float | None]:
    """CloudWatch's notation: ``0`` within threshold, ``X`` breaching, ``-`` missing."""
    return [{"0": 10.0, "X": 90.0, "-": None}[c] for c in pattern.split()]


def run(alarm: Alarm, pattern: str, current: str = "OK") -> str:
    ev = evaluate(alarm, series(pattern), current_state=current, start_date=T0, query_date=T0)
    return ev.state


# CloudWatch's documented table (3 of 5), one column per treatMissingData value.
TABLE = [
    ("0 0 0 0 0", "OK", "OK", "OK", "OK"),
    ("0 0 X X X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("0 - X - X", "OK", "OK", "ALARM", "OK"),
    ("0 - - - -", "OK", "OK", "ALARM", "OK"),
    ("- - - - -", "INSUFFICIENT_DATA", "OK", "ALARM", "OK"),
    ("0 X X - X", "ALARM", "ALARM", "ALARM", "ALARM"),
    ("- - X - -", "ALARM", "ALARM", "ALARM", "OK"),
    ("X X 0 0 0", "OK", "OK", "OK", "OK"),
]


@pytest.mark.parametrize(
    ("pattern", "treat", "expected"),
    [
        (row[0], treat, row[i + 1])
        for row in TABLE
        for i, treat in enumerate(("missing", "ignore", "breaching", "notBreaching"))
    ],
    ids=lambda v: str(v).replace(" ", ""),
)
def test_documented_missing_data_table(pattern: str, treat: str, expected: str) -> None:
    assert run(replace(BASE, treat_missing_data=treat), pattern) == expected


def test_ignore_keeps_the_current_state_when_everything_is_missing() -> None:
    alarm = replace(BASE, treat_missing_data="ignore")
    assert run(alarm, "- - - - -", current="ALARM") == "ALARM"
    assert run(alarm, "- - - - -", current="INSUFFICIENT_DATA") == "INSUFFICIENT_DATA"


@pytest.mark.parametrize(
    ("m", "n", "pattern", "expected"),
    [
        (1, 1, "X", "ALARM"),
        (1, 1, "0", "OK"),
        (2, 3, "X 0 X", "ALARM"),
        (2, 3, "X 0 0", "OK"),
        (3, 3, "X X 0", "OK"),
        (3, 3, "X X X", "ALARM"),
        (15, 15, " ".join(["X"] * 14 + ["0"]), "OK"),
    ],
    ids=["1of1-breach", "1of1-ok", "2of3-breach", "2of3-ok", "3of3-two", "3of3-all", "15of15"],
)
def test_datapoints_to_alarm(m: int, n: int, pattern: str, expected: str) -> None:
    alarm = replace(BASE, datapoints_to_alarm=m, evaluation_periods=n)
    assert run(alarm, pattern) == expected


@pytest.mark.parametrize(
    ("comparison", "value", "expected"),
    [
        ("GreaterThanThreshold", 50.0, False),
        ("GreaterThanThreshold", 50.1, True),
        ("GreaterThanOrEqualToThreshold", 50.0, True),
        ("LessThanThreshold", 50.0, False),
        ("LessThanThreshold", 49.9, True),
        ("LessThanOrEqualToThreshold", 50.0, True),
    ],
)
def test_comparisons(comparison: str, value: float, expected: bool) -> None:
    assert breaches(replace(BASE, comparison=comparison), value) is expected


def test_breaching_missing_data_breaches_a_less_than_alarm_too() -> None:
    alarm = replace(BASE, comparison="LessThanThreshold", treat_missing_data="breaching")
    assert run(alarm, "- - - - -") == "ALARM"


def test_period_starts_are_the_last_complete_aligned_periods() -> None:
    now = T0 + timedelta(seconds=125)
    assert period_starts(replace(BASE, evaluation_periods=2), now) == [
        T0,
        T0 + timedelta(seconds=60),
    ]


def test_reason_and_reason_data_follow_cloudwatch() -> None:
    values = series("0 X - X X")
    ev = evaluate(BASE, values, current_state="OK", start_date=T0, query_date=T0)
    assert ev.changed and ev.breaching == (90.0, 90.0, 90.0) and ev.latest_value == 90.0
    assert ev.reason.startswith("Threshold Crossed: 3 out of the last 5 datapoints [90.0, 90.0")
    data = json.loads(state_reason_data(BASE, ev))
    assert data["version"] == "1.0" and data["statistic"] == "Average"
    assert data["period"] == 60 and data["threshold"] == 50.0
    assert data["recentDatapoints"] == [90.0, 90.0, 90.0, 10.0]
    assert [p["value"] for p in data["evaluatedDatapoints"]] == [90.0, 90.0, 90.0, 10.0]
    assert data["evaluatedDatapoints"][0]["timestamp"] == "2026-11-28T12:04:00.000+0000"
    assert data["startDate"] == "2026-11-28T12:00:00.000+0000"


ALARMING = replace(BASE, alarm_actions=(TOPIC, POLICY), ok_actions=(TOPIC,))


@pytest.mark.parametrize(
    ("alarm", "before", "pattern", "expected"),
    [
        (ALARMING, "OK", "X X X X X", (TOPIC, POLICY)),
        (ALARMING, "ALARM", "X X X X X", (POLICY,)),
        (ALARMING, "ALARM", "0 0 0 0 0", (TOPIC,)),
        (ALARMING, "OK", "0 0 0 0 0", ()),
        (replace(ALARMING, actions_enabled=False), "OK", "X X X X X", ()),
    ],
    ids=["into-alarm", "still-alarm-policies-only", "into-ok", "still-ok", "disabled"],
)
def test_actions_to_fire(
    alarm: Alarm, before: str, pattern: str, expected: tuple[str, ...]
) -> None:
    ev = evaluate(alarm, series(pattern), current_state=before, start_date=T0, query_date=T0)
    assert actions_to_fire(alarm, ev) == expected


def test_alarm_arn() -> None:
    assert alarm_arn("us-east-1", "123456789012", "a") == (
        "arn:aws:cloudwatch:us-east-1:123456789012:alarm:a"
    )


@given(
    st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=1, max_size=10),
    st.sampled_from(("missing", "ignore", "breaching", "notBreaching")),
    st.data(),
)
def test_m_breaching_present_points_always_alarm(
    values: list[float | None], treat: str, data: st.DataObject
) -> None:
    n = len(values)
    m = data.draw(st.integers(1, n))
    alarm = replace(BASE, evaluation_periods=n, datapoints_to_alarm=m, treat_missing_data=treat)
    ev = evaluate(alarm, values, current_state="OK", start_date=T0, query_date=T0)
    if len(ev.breaching) >= m:
        assert ev.state == "ALARM"
    if all(v is not None and not breaches(alarm, v) for v in values):
        assert ev.state == "OK"
