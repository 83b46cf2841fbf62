"""Scheduled-action schedules: ``at()``, ``rate()`` and ``cron()`` (pure; §9.4).

``cron(Minutes Hours Day-of-month Month Day-of-week Year)`` follows CloudWatch Events: exactly
one of day-of-month / day-of-week is ``?``; fields take ``*``, ``,``, ``-``, ``/`` and names
(``JAN``–``DEC``, ``SUN``–``SAT``; day-of-week 1 = Sunday). ``L``, ``W`` and ``#`` are refused
with a ValidationException. Times are wall-clock times in ``timezone`` (IANA, via zoneinfo): a
time skipped by a DST jump fires at the same offset as before the jump (an hour later on the
clock); a time repeated by a DST fall-back fires once, at its first occurrence.

:func:`next_fire` returns the first due time strictly after ``after``, within
``[start, end]``; ``None`` when there is none.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dockyard.domain.autoscaling import AutoScalingValidationException, ScheduledAction

MONTHS = ("JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC")
DAYS = ("SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT")
_FIELDS = (  # name, low, high, names (index 0 ↔ low)
    ("Minutes", 0, 59, ()),
    ("Hours", 0, 23, ()),
    ("Day-of-month", 1, 31, ()),
    ("Month", 1, 12, MONTHS),
    ("Day-of-week", 1, 7, DAYS),
    ("Year", 1970, 2199, ()),
)
_RATE = re.compile(r"^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$")
_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_UNIT_SECONDS = {"minute": 60, "hour": 3600, "day": 86400}
MAX_SEARCH_YEARS = 10
"""How far :func:`next_fire` looks for a cron match before answering "never"."""


def _invalid(message: str) -> AutoScalingValidationException:
    return AutoScalingValidationException(message)


@dataclass(frozen=True, slots=True)
class At:
    local: datetime  # naive wall-clock time in the action's timezone


@dataclass(frozen=True, slots=True)
class Rate:
    seconds: int


@dataclass(frozen=True, slots=True)
class Cron:
    """Allowed values per field; ``None`` for a day field set to ``?``."""

    minutes: frozenset[int]
    hours: frozenset[int]
    days_of_month: frozenset[int] | None
    months: frozenset[int]
    days_of_week: frozenset[int] | None
    years: frozenset[int]


Schedule = At | Rate | Cron


def zone(name: str | None) -> ZoneInfo:
    """The IANA zone ``name`` (default UTC); ValidationException when unknown."""
    try:
        return ZoneInfo(name or "UTC")
    except (ZoneInfoNotFoundError, ValueError):
        raise _invalid(f"Time zone {name!r} is not a valid time zone.") from None


def parse_schedule(expression: str) -> Schedule:
    """Parse an ``at()``, ``rate()`` or ``cron()`` expression; ValidationException if bad."""
    text = expression.strip()
    if match := _AT.match(text):
        try:
            return At(datetime.fromisoformat(match.group(1)))
        except ValueError:
            raise _invalid(f"Invalid at() expression {expression!r}.") from None
    if match := _RATE.match(text):
        value, unit = int(match.group(1)), match.group(2).rstrip("s")
        if value <= 0:
            raise _invalid("The rate value must be a positive integer.")
        if (value == 1) != (not match.group(2).endswith("s")):
            raise _invalid(f"Use '{unit}' for 1 and '{unit}s' for more in {expression!r}.")
        return Rate(value * _UNIT_SECONDS[unit])
    if text.startswith("cron(") and text.endswith(")"):
        return parse_cron(text[5:-1])
    raise _invalid(
        f"Invalid schedule expression {expression!r}: use at(yyyy-mm-ddThh:mm:ss), "
        "rate(value unit) or cron(fields)."
    )


def parse_cron(body: str) -> Cron:
    """The six CloudWatch Events cron fields (a leading seconds field is tolerated)."""
    parts = body.split()
    if len(parts) == 7:
        parts = parts[1:]
    if len(parts) != 6:
        raise _invalid(f"A cron expression needs 6 fields, got {len(parts)}: {body!r}.")
    dom, dow = parts[2], parts[4]
    if (dom == "?") == (dow == "?"):
        raise _invalid("Exactly one of day-of-month and day-of-week must be '?'.")
    sets = [
        None if text == "?" else _parse_field(text, *spec)
        for text, spec in zip(parts, _FIELDS, strict=True)
    ]
    minutes, hours, doms, months, dows, years = sets
    assert minutes and hours and months and years
    return Cron(minutes, hours, doms, months, dows, years)


def _parse_field(
    text: str, name: str, low: int, high: int, names: tuple[str, ...]
) -> frozenset[int]:
    if any(mark in text.upper() for mark in ("L", "W", "#")) and not _only_names(text, names):
        raise _invalid(f"Dockyard does not support 'L', 'W' or '#' in cron field {name}.")
    values: set[int] = set()
    for item in text.split(","):
        values.update(_parse_item(item, name, low, high, names))
    return frozenset(values)


def _only_names(text: str, names: tuple[str, ...]) -> bool:
    stripped = text.upper()
    for n in names:
        stripped = stripped.replace(n, "")
    return not any(mark in stripped for mark in ("L", "W", "#"))


def _parse_item(item: str, name: str, low: int, high: int, names: tuple[str, ...]) -> range:
    base, _, step_text = item.partition("/")
    step = _number(step_text, name, names, 0) if step_text else 1
    if step < 1:
        raise _invalid(f"Invalid step in cron field {name}: {item!r}.")
    if base == "*":
        first, last = low, high
    elif "-" in base:
        a, b = base.split("-", 1)
        first, last = _number(a, name, names, low), _number(b, name, names, low)
    else:
        first = _number(base, name, names, low)
        last = high if step_text else first
    if not (low <= first <= high and low <= last <= high) or first > last:
        raise _invalid(f"Value out of range in cron field {name}: {item!r}.")
    return range(first, last + 1, step)


def _number(text: str, name: str, names: tuple[str, ...], low: int) -> int:
    upper = text.upper()
    if upper in names:
        return names.index(upper) + low
    if not text.isdigit():
        raise _invalid(f"Invalid value {text!r} in cron field {name}.")
    return int(text)


def _to_utc(local: datetime, tz: ZoneInfo) -> datetime:
    return local.replace(tzinfo=tz, fold=0).astimezone(UTC)


def _cron_days(cron: Cron, first: date) -> Iterator[date]:
    day = first
    last = first + timedelta(days=366 * MAX_SEARCH_YEARS)
    while day <= last:
        if day.year > max(cron.years):
            return
        if day.year in cron.years and day.month in cron.months and _day_matches(cron, day):
            yield day
        day += timedelta(days=1)


def _day_matches(cron: Cron, day: date) -> bool:
    if cron.days_of_month is not None:
        return day.day in cron.days_of_month
    assert cron.days_of_week is not None
    return (day.isoweekday() % 7) + 1 in cron.days_of_week


def _next_cron(cron: Cron, after: datetime, tz: ZoneInfo) -> datetime | None:
    local_after = after.astimezone(tz).replace(tzinfo=None)
    for day in _cron_days(cron, local_after.date() - timedelta(days=1)):
        for hour in sorted(cron.hours):
            for minute in sorted(cron.minutes):
                moment = _to_utc(datetime(day.year, day.month, day.day, hour, minute), tz)
                if moment > after:
                    return moment
    return None


def _next_rate(seconds: int, anchor: datetime, after: datetime) -> datetime:
    if after < anchor:
        return anchor
    periods = int((after - anchor).total_seconds() // seconds) + 1
    return anchor + timedelta(seconds=periods * seconds)


def next_fire(
    schedule: Schedule,
    *,
    after: datetime,
    timezone: str | None = None,
    anchor: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
) -> datetime | None:
    """The first UTC time the schedule is due strictly after ``after`` (aware UTC).

    ``anchor`` is where a ``rate()`` counts from (its start time, else its creation time);
    ``start``/``end`` bound recurring schedules.
    """
    tz = zone(timezone)
    if start is not None and after < start:
        after = start - timedelta(microseconds=1)
    if isinstance(schedule, At):
        moment: datetime | None = _to_utc(schedule.local, tz)
        if moment is not None and moment <= after:
            return None
    elif isinstance(schedule, Rate):
        moment = _next_rate(schedule.seconds, start or anchor, after)
    else:
        moment = _next_cron(schedule, after, tz)
    if moment is not None and end is not None and moment > end:
        return None
    return moment


def action_due_after(action: ScheduledAction, now: datetime) -> datetime | None:
    """When ``action`` is next due after ``now``; a ``rate()`` counts from its start time,
    else from its creation time."""
    return next_fire(
        parse_schedule(action.schedule),
        after=now,
        timezone=action.timezone,
        anchor=action.start or action.created_at,
        start=action.start,
        end=action.end,
    )
