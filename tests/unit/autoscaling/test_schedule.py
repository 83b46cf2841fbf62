"""Schedules: at(), rate(), cron() parsing; next-fire times with time zones and DST."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from dockyard.domain.autoscaling import AutoScalingValidationException
from dockyard.domain.autoscaling_schedule import At, Cron, Rate, next_fire, parse_schedule

T0 = datetime(2026, 1, 1, tzinfo=UTC)


def utc(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        pytest.param("at(2026-03-01T10:00:00)", At(datetime(2026, 3, 1, 10)), id="at"),
        pytest.param("rate(1 minute)", Rate(60), id="rate-minute"),
        pytest.param("rate(5 minutes)", Rate(300), id="rate-minutes"),
        pytest.param("rate(2 hours)", Rate(7200), id="rate-hours"),
        pytest.param("rate(1 day)", Rate(86400), id="rate-day"),
    ],
)
def test_parse_simple(expression: str, expected: object) -> None:
    assert parse_schedule(expression) == expected


@pytest.mark.parametrize(
    ("expression", "field", "values"),
    [
        pytest.param("cron(0 9 ? * MON-FRI *)", "days_of_week", {2, 3, 4, 5, 6}, id="dow-names"),
        pytest.param("cron(0/15 * * * ? *)", "minutes", {0, 15, 30, 45}, id="step-from-start"),
        pytest.param("cron(5,10 * * * ? *)", "minutes", {5, 10}, id="list"),
        pytest.param("cron(0 8-10 * * ? *)", "hours", {8, 9, 10}, id="range"),
        pytest.param("cron(0 0 1 JAN,JUL ? *)", "months", {1, 7}, id="month-names"),
        pytest.param("cron(0 0 1 * ? 2027-2028)", "years", {2027, 2028}, id="years"),
        pytest.param("cron(0 0 ? * 1 *)", "days_of_week", {1}, id="sunday-is-1"),
        pytest.param("cron(0 0 0 1 * ? *)", "minutes", {0}, id="seven-fields-tolerated"),
    ],
)
def test_parse_cron(expression: str, field: str, values: set[int]) -> None:
    cron = parse_schedule(expression)
    assert isinstance(cron, Cron)
    assert getattr(cron, field) == values


@pytest.mark.parametrize(
    ("expression", "message"),
    [
        pytest.param("rate(0 minutes)", "positive", id="rate-zero"),
        pytest.param("rate(1 minutes)", "minute", id="rate-plural-1"),
        pytest.param("rate(5 minute)", "minutes", id="rate-singular-5"),
        pytest.param("rate(5 weeks)", "Invalid schedule", id="rate-unit"),
        pytest.param("at(2026-13-01T00:00:00)", "at()", id="at-bad-month"),
        pytest.param("cron(0 9 * * MON *)", "Exactly one", id="both-days"),
        pytest.param("cron(0 9 ? * ? *)", "Exactly one", id="no-days"),
        pytest.param("cron(0 9 * *)", "6 fields", id="too-few"),
        pytest.param("cron(60 9 * * ? *)", "out of range", id="minute-60"),
        pytest.param("cron(0 9 L * ? *)", "'L'", id="L-refused"),
        pytest.param("cron(0 9 15W * ? *)", "'L'", id="W-refused"),
        pytest.param("cron(0 9 ? * 6#3 *)", "'L'", id="hash-refused"),
        pytest.param("cron(0 9 ? * FOO *)", "Invalid value", id="bad-name"),
        pytest.param("every day", "Invalid schedule", id="garbage"),
    ],
)
def test_parse_errors(expression: str, message: str) -> None:
    with pytest.raises(AutoScalingValidationException, match=message):
        parse_schedule(expression)


def test_unknown_timezone() -> None:
    with pytest.raises(AutoScalingValidationException, match="time zone"):
        next_fire(Rate(60), after=T0, timezone="Mars/Olympus", anchor=T0)


@pytest.mark.parametrize(
    ("expression", "after", "tz", "expected"),
    [
        pytest.param(
            "cron(0 9 ? * MON-FRI *)",
            utc(2026, 3, 6, 12),
            "America/New_York",
            utc(2026, 3, 6, 14),
            id="ny-winter-friday",
        ),
        pytest.param(
            "cron(0 9 ? * MON-FRI *)",
            utc(2026, 3, 6, 15),
            "America/New_York",
            utc(2026, 3, 9, 13),
            id="ny-skips-weekend-into-dst",
        ),
        pytest.param(
            "cron(30 2 * * ? *)",
            utc(2026, 3, 8, 0),
            "America/New_York",
            utc(2026, 3, 8, 7, 30),
            id="spring-gap-fires-shifted",
        ),
        pytest.param(
            "cron(30 1 * * ? *)",
            utc(2026, 11, 1, 0),
            "America/New_York",
            utc(2026, 11, 1, 5, 30),
            id="fall-back-first-occurrence",
        ),
        pytest.param(
            "cron(30 1 * * ? *)",
            utc(2026, 11, 1, 5, 30),
            "America/New_York",
            utc(2026, 11, 2, 6, 30),
            id="fall-back-fires-once",
        ),
        pytest.param("cron(0 0 1 * ? *)", utc(2026, 1, 15), "UTC", utc(2026, 2, 1), id="monthly"),
        pytest.param("cron(0 0 29 2 ? *)", utc(2026, 1, 1), "UTC", utc(2028, 2, 29), id="leap-day"),
        pytest.param("cron(0 12 * * ? 2025)", utc(2026, 1, 1), "UTC", None, id="past-year-never"),
        pytest.param(
            "cron(0 9 * * ? *)",
            utc(2026, 6, 1, 9),
            "Europe/Paris",
            utc(2026, 6, 2, 7),
            id="paris-summer-strictly-after",
        ),
        pytest.param(
            "at(2026-06-01T09:00:00)",
            utc(2026, 5, 1),
            "Europe/Paris",
            utc(2026, 6, 1, 7),
            id="at-in-zone",
        ),
        pytest.param(
            "at(2026-06-01T09:00:00)", utc(2026, 6, 1, 7), "Europe/Paris", None, id="at-passed"
        ),
    ],
)
def test_next_fire(expression: str, after: datetime, tz: str, expected: datetime | None) -> None:
    assert next_fire(parse_schedule(expression), after=after, timezone=tz, anchor=T0) == expected


@pytest.mark.parametrize(
    ("after", "start", "end", "expected"),
    [
        pytest.param(
            utc(2026, 1, 1, 0, 0, 30), None, None, utc(2026, 1, 1, 0, 5), id="from-anchor"
        ),
        pytest.param(
            utc(2026, 1, 1, 0, 5), None, None, utc(2026, 1, 1, 0, 10), id="strictly-after"
        ),
        pytest.param(utc(2025, 12, 1), None, None, T0, id="before-anchor"),
        pytest.param(T0, utc(2026, 2, 1), None, utc(2026, 2, 1), id="start-time-anchors"),
        pytest.param(
            utc(2026, 1, 1, 0, 59), None, utc(2026, 1, 1, 1), utc(2026, 1, 1, 1), id="end-inclusive"
        ),
        pytest.param(utc(2026, 1, 1, 1), None, utc(2026, 1, 1, 1), None, id="after-end"),
    ],
)
def test_rate_next_fire(
    after: datetime, start: datetime | None, end: datetime | None, expected: datetime | None
) -> None:
    got = next_fire(Rate(300), after=after, anchor=T0, start=start, end=end)
    assert got == expected


def test_cron_start_and_end_bound() -> None:
    cron = parse_schedule("cron(0 * * * ? *)")
    assert next_fire(cron, after=T0, anchor=T0, start=utc(2026, 1, 5)) == utc(2026, 1, 5)
    assert next_fire(cron, after=T0, anchor=T0, end=utc(2026, 1, 1, 0, 30)) is None
