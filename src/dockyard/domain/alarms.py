"""CloudWatch metric alarms: the alarm value and its M-out-of-N evaluation. Pure.

An alarm looks at the last ``evaluation_periods`` (N) complete periods of one metric statistic
and goes to ALARM when ``datapoints_to_alarm`` (M) of them breach the threshold. Missing
periods are handled by ``treat_missing_data`` as CloudWatch documents it (its table, M=3, N=5;
``0`` ok, ``X`` breaching, ``-`` missing):

==============  ==================  ==================  ==========  ============
periods          missing             ignore              breaching   notBreaching
==============  ==================  ==================  ==========  ============
``0 - X - X``    OK                  OK                  ALARM       OK
``0 - - - -``    OK                  OK                  ALARM       OK
``- - - - -``    INSUFFICIENT_DATA   (current state)     ALARM       OK
``0 X X - X``    ALARM               ALARM               ALARM       ALARM
``- - X - -``    ALARM               ALARM               ALARM       OK
==============  ==================  ==================  ==========  ============

So with ``missing`` / ``ignore`` the present points alone decide: ALARM when at least M breach,
or when fewer than M are present and every one of them breaches; otherwise OK.

Usage (the shell reads the period values, this decides)::

    values = [...]                       # oldest first, one per period, None = missing
    ev = evaluate(alarm, values, current_state="OK", query_end=now)
    ev.state, ev.breaching, ev.reason, state_reason_data(alarm, ev, now)

Invariant: ``evaluate`` is deterministic in its arguments; it never reads a clock.
"""

from __future__ import annotations

import json
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from dockyard.domain.metrics import Aggregate

__all__ = [
    "COMPARISONS",
    "STATES",
    "TREAT_MISSING",
    "Alarm",
    "AlarmEvaluation",
    "HistoryItem",
    "actions_to_fire",
    "alarm_arn",
    "breaches",
    "evaluate",
    "period_starts",
    "period_values",
    "state_reason_data",
]

OK, ALARM, INSUFFICIENT = "OK", "ALARM", "INSUFFICIENT_DATA"
STATES = (OK, ALARM, INSUFFICIENT)
COMPARISONS = {
    "GreaterThanOrEqualToThreshold": ">=",
    "GreaterThanThreshold": ">",
    "LessThanThreshold": "<",
    "LessThanOrEqualToThreshold": "<=",
}
TREAT_MISSING = ("missing", "ignore", "breaching", "notBreaching")
SCALING_POLICY_MARK = ":scalingPolicy:"
"""Actions whose ARN contains this are Auto Scaling policies: AWS re-invokes them on every
evaluation while the alarm stays in ALARM (see :func:`actions_to_fire`)."""


def alarm_arn(region: str, account: str, name: str) -> str:
    return f"arn:aws:cloudwatch:{region}:{account}:alarm:{name}"


@dataclass(frozen=True, slots=True)
class Alarm:
    """One metric alarm's configuration and current state (PutMetricAlarm's input).

    Invariant: ``1 <= datapoints_to_alarm <= evaluation_periods``; ``comparison`` is a key of
    :data:`COMPARISONS`; ``treat_missing_data`` one of :data:`TREAT_MISSING`.
    """

    name: str
    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    treat_missing_data: str = "missing"
    unit: str | None = None
    actions_enabled: bool = True
    alarm_actions: tuple[str, ...] = ()
    ok_actions: tuple[str, ...] = ()
    insufficient_data_actions: tuple[str, ...] = ()
    description: str | None = None
    extended_statistic: str | None = None
    tags: tuple[tuple[str, str], ...] = ()
    state: str = INSUFFICIENT
    state_reason: str = "Unchecked: Initial alarm creation"
    state_reason_data: str | None = None
    state_updated: datetime | None = None
    configuration_updated: datetime | None = None

    def actions_for(self, state: str) -> tuple[str, ...]:
        return {
            ALARM: self.alarm_actions,
            OK: self.ok_actions,
            INSUFFICIENT: self.insufficient_data_actions,
        }[state]


@dataclass(frozen=True, slots=True)
class AlarmEvaluation:
    """What one evaluation saw and decided (handed to the action sink as is).

    ``values`` are the N period values oldest first (None = missing) starting at
    ``start_date``; ``breaching`` the values that breached; ``recent`` the present values
    newest first (StateReasonData's ``recentDatapoints``).
    """

    state: str
    previous_state: str
    threshold: float
    values: tuple[float | None, ...]
    breaching: tuple[float, ...]
    start_date: datetime
    query_date: datetime
    reason: str
    recent: tuple[float, ...] = field(default=())

    @property
    def changed(self) -> bool:
        return self.state != self.previous_state

    @property
    def latest_value(self) -> float | None:
        """The newest present value (what target tracking compares with its target)."""
        return self.recent[0] if self.recent else None


@dataclass(frozen=True, slots=True)
class HistoryItem:
    """One DescribeAlarmHistory entry; ``kind`` is StateUpdate, ConfigurationUpdate or Action."""

    alarm_name: str
    timestamp: datetime
    kind: str
    summary: str
    data: str


def breaches(alarm: Alarm, value: float) -> bool:
    op = COMPARISONS[alarm.comparison]
    t = alarm.threshold
    return {">=": value >= t, ">": value > t, "<": value < t, "<=": value <= t}[op]


def period_starts(alarm: Alarm, now: datetime) -> list[datetime]:
    """Starts of the N complete periods before ``now`` (aligned to the period), oldest first."""
    epoch = datetime(1970, 1, 1, tzinfo=now.tzinfo)
    seconds = int((now - epoch).total_seconds())
    end = epoch + timedelta(seconds=seconds - seconds % alarm.period)
    n = alarm.evaluation_periods
    return [end - timedelta(seconds=alarm.period * (n - i)) for i in range(n)]


def period_values(
    alarm: Alarm, aggregates: Sequence[Aggregate], starts: Sequence[datetime]
) -> list[float | None]:
    """The alarm's statistic per period start (None where the period has no data)."""
    stat = alarm.extended_statistic or alarm.statistic
    by_start = {a.timestamp: a for a in aggregates}
    values: list[float | None] = []
    for start in starts:
        found = by_start.get(start)
        value = None if found is None or not found.sample_count else found.statistic(stat)
        values.append(None if value is None or math.isnan(value) else value)
    return values


def evaluate(
    alarm: Alarm,
    values: Sequence[float | None],
    *,
    current_state: str,
    start_date: datetime,
    query_date: datetime,
) -> AlarmEvaluation:
    """Decide the alarm's state from its N period values (oldest first, None = missing)."""
    marks = [_mark(alarm, v) for v in values]
    present = [b for b in marks if b is not None]
    hits = sum(present)
    m = alarm.datapoints_to_alarm
    if not present:
        state = current_state if alarm.treat_missing_data == "ignore" else INSUFFICIENT
    elif hits >= m or (len(present) < m and hits == len(present)):
        state = ALARM
    else:
        state = OK
    return AlarmEvaluation(
        state=state,
        previous_state=current_state,
        threshold=alarm.threshold,
        values=tuple(values),
        breaching=tuple(v for v in values if v is not None and breaches(alarm, v)),
        start_date=start_date,
        query_date=query_date,
        reason=_reason(alarm, state, values, hits),
        recent=tuple(v for v in reversed(values) if v is not None),
    )


def _mark(alarm: Alarm, value: float | None) -> bool | None:
    """Whether one period breaches; None when it is missing and missing data is not filled."""
    if value is not None:
        return breaches(alarm, value)
    return {"breaching": True, "notBreaching": False}.get(alarm.treat_missing_data)


def _reason(alarm: Alarm, state: str, values: Sequence[float | None], hits: int) -> str:
    if state == INSUFFICIENT:
        return f"Insufficient Data: {len(values)} datapoints were unknown."
    shown = [v for v in values if v is not None][-5:]
    listed = ", ".join(_fmt(v) for v in reversed(shown))
    crossed = "was" if state == ALARM else "was not"
    return (
        f"Threshold Crossed: {hits} out of the last {alarm.evaluation_periods} "
        f"datapoints [{listed}] {crossed} {COMPARISONS[alarm.comparison]} the threshold "
        f"({_fmt(alarm.threshold)}) (minimum {alarm.datapoints_to_alarm} datapoints for "
        f"{'OK -> ALARM' if state == ALARM else 'ALARM -> OK'} transition)."
    )


def _fmt(v: float) -> str:
    return repr(float(v))


def state_reason_data(alarm: Alarm, ev: AlarmEvaluation) -> str:
    """StateReasonData as CloudWatch writes it (JSON, version 1.0)."""
    stat_key = "extendedStatistic" if alarm.extended_statistic else "statistic"
    data = {
        "version": "1.0",
        "queryDate": _iso(ev.query_date),
        "startDate": _iso(ev.start_date),
        stat_key: alarm.extended_statistic or alarm.statistic,
        "period": alarm.period,
        "recentDatapoints": list(ev.recent),
        "threshold": alarm.threshold,
        "evaluatedDatapoints": [
            {"timestamp": _iso(ev.start_date + timedelta(seconds=alarm.period * i)), "value": v}
            for i, v in reversed(list(enumerate(ev.values)))
            if v is not None
        ],
    }
    return json.dumps(data, separators=(",", ":"))


def _iso(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.") + f"{t.microsecond // 1000:03d}+0000"


def actions_to_fire(alarm: Alarm, ev: AlarmEvaluation) -> tuple[str, ...]:
    """Actions to invoke after an evaluation: every action of the new state on a transition;
    while an alarm stays in ALARM, again its Auto Scaling policy actions (as AWS re-invokes
    scaling policies each evaluation). Nothing when actions are disabled."""
    if not alarm.actions_enabled:
        return ()
    actions = alarm.actions_for(ev.state)
    if ev.changed:
        return actions
    if ev.state == ALARM:
        return tuple(a for a in actions if SCALING_POLICY_MARK in a)
    return ()
