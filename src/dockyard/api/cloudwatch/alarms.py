"""PutMetricAlarm, DescribeAlarms(ForMetric), DeleteAlarms, SetAlarmState,
Enable/DisableAlarmActions, DescribeAlarmHistory, and Tag/Untag/ListTagsForResource on alarms.

Alarms live in ``store/repositories/alarms.py``; their evaluation is pure
(``domain/alarms.py``) and runs in ``control/alarm_controller.py``.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from dockyard.api.cloudwatch import state_hooks
from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.alarms import (
    COMPARISONS,
    STATES,
    Alarm,
    AlarmEvaluation,
    HistoryItem,
    alarm_arn,
)
from dockyard.domain.errors import ApiError
from dockyard.domain.metrics import STATISTICS, MetricError
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.store.repositories.alarms import AlarmRepository
from dockyard.store.uow import UnitOfWork

PAGE = 100
"""DescribeAlarms / DescribeAlarmHistory page size when MaxRecords is absent (AWS: 50–100)."""
MAX_PERIODS_SECONDS = 86400
"""EvaluationPeriods × Period may not exceed one day, as CloudWatch requires."""


class ResourceNotFound(ApiError):
    code = "ResourceNotFound"
    http_status = 404


def put_metric_alarm(ctx: RequestContext, params: Params) -> Result:
    alarm = _alarm(params)
    now = ctx.now

    def write(uow: UnitOfWork) -> None:
        repo = AlarmRepository(uow.session)
        created = repo.put(ctx.region, alarm, now)
        verb = "created" if created else "updated"
        data = json.dumps({"version": "1.0", "type": "Create" if created else "Update"})
        item = HistoryItem(
            alarm.name, now, "ConfigurationUpdate", f'Alarm "{alarm.name}" {verb}', data
        )
        repo.add_history(ctx.region, item)

    ctx.store.write(write)
    return {}


def _alarm(params: Params) -> Alarm:
    statistic, extended = params.get("Statistic"), params.get("ExtendedStatistic")
    if bool(statistic) == bool(extended):
        raise MetricError(
            "Exactly one of Statistic or ExtendedStatistic must be specified.",
            code="InvalidParameterCombination",
        )
    for key in ("MetricName", "Namespace", "Period", "Threshold"):
        if params.get(key) is None:
            raise MetricError(f"The parameter {key} is required.", code="MissingParameter")
    if statistic and statistic not in STATISTICS:
        raise MetricError(f"The value {statistic} for parameter Statistic is invalid.")
    if params["ComparisonOperator"] not in COMPARISONS:
        raise MetricError(
            f"The value {params['ComparisonOperator']} for parameter ComparisonOperator "
            "is not supported."
        )
    return _check(_build(params, statistic or "", extended))


def _build(params: Params, statistic: str, extended: str | None) -> Alarm:
    n = int(params["EvaluationPeriods"])
    return Alarm(
        name=params["AlarmName"],
        namespace=params["Namespace"],
        metric_name=params["MetricName"],
        dimensions=tuple((d["Name"], d["Value"]) for d in params.get("Dimensions") or ()),
        statistic=statistic,
        extended_statistic=extended,
        period=int(params["Period"]),
        evaluation_periods=n,
        datapoints_to_alarm=int(params.get("DatapointsToAlarm") or n),
        threshold=float(params["Threshold"]),
        comparison=params["ComparisonOperator"],
        treat_missing_data=params.get("TreatMissingData") or "missing",
        unit=params.get("Unit"),
        actions_enabled=params.get("ActionsEnabled", True),
        alarm_actions=tuple(params.get("AlarmActions") or ()),
        ok_actions=tuple(params.get("OKActions") or ()),
        insufficient_data_actions=tuple(params.get("InsufficientDataActions") or ()),
        description=params.get("AlarmDescription"),
        tags=tuple((t["Key"], t["Value"]) for t in params.get("Tags") or ()),
    )


def _check(alarm: Alarm) -> Alarm:
    if alarm.treat_missing_data not in ("missing", "ignore", "breaching", "notBreaching"):
        raise MetricError(
            f"The value {alarm.treat_missing_data} for parameter TreatMissingData is invalid."
        )
    if alarm.period not in (10, 20, 30) and alarm.period % 60:
        raise MetricError("The parameter Period must be 10, 20, 30 or a multiple of 60.")
    if alarm.datapoints_to_alarm > alarm.evaluation_periods:
        raise MetricError(
            "DatapointsToAlarm must be less than or equal to EvaluationPeriods.",
        )
    if alarm.period * alarm.evaluation_periods > MAX_PERIODS_SECONDS:
        raise MetricError("The evaluation period exceeds the maximum of one day.")
    if len(alarm.dimensions) > 30:
        raise MetricError("The collection Dimensions must not have more than 30 members.")
    return alarm


def describe_alarms(ctx: RequestContext, params: Params) -> Result:
    types = params.get("AlarmTypes")
    if types and "MetricAlarm" not in types:
        return {"MetricAlarms": [], "CompositeAlarms": []}
    names = params.get("AlarmNames")
    prefix, action_prefix = params.get("AlarmNamePrefix"), params.get("ActionPrefix")
    if names and prefix:
        raise MetricError(
            "AlarmNames and AlarmNamePrefix cannot be specified together.",
            code="InvalidParameterCombination",
        )
    alarms = ctx.store.read(
        lambda uow: AlarmRepository(uow.session).find(
            ctx.region, names=names or None, prefix=prefix, state=params.get("StateValue")
        )
    )
    if action_prefix:
        alarms = [a for a in alarms if any(x.startswith(action_prefix) for x in _actions(a))]
    page, token = _page("DescribeAlarms", alarms, params)
    result: dict[str, Any] = {
        "MetricAlarms": [_wire(ctx, a) for a in page],
        "CompositeAlarms": [],
    }
    if token:
        result["NextToken"] = token
    return result


def _actions(alarm: Alarm) -> tuple[str, ...]:
    return alarm.alarm_actions + alarm.ok_actions + alarm.insufficient_data_actions


def _page(scope: str, items: list[Any], params: Params) -> tuple[list[Any], str | None]:
    start = (
        int(decode_token(scope, params["NextToken"], (int,))[0]) if params.get("NextToken") else 0
    )
    size = int(params.get("MaxRecords") or PAGE)
    end = start + size
    return items[start:end], encode_token(scope, [end]) if end < len(items) else None


def describe_alarms_for_metric(ctx: RequestContext, params: Params) -> Result:
    dims = tuple(sorted((d["Name"], d["Value"]) for d in params.get("Dimensions") or ()))
    alarms = ctx.store.read(lambda uow: AlarmRepository(uow.session).find(ctx.region))
    wanted = [
        a
        for a in alarms
        if a.namespace == params["Namespace"]
        and a.metric_name == params["MetricName"]
        and (not dims or tuple(sorted(a.dimensions)) == dims)
        and _matches(a, params)
    ]
    return {"MetricAlarms": [_wire(ctx, a) for a in wanted]}


def _matches(alarm: Alarm, params: Params) -> bool:
    checks = (
        ("Statistic", alarm.statistic),
        ("ExtendedStatistic", alarm.extended_statistic),
        ("Period", alarm.period),
        ("Unit", alarm.unit),
    )
    return all(params.get(k) is None or params[k] == v for k, v in checks)


def _wire(ctx: RequestContext, a: Alarm) -> dict[str, Any]:
    out: dict[str, Any] = {
        "AlarmName": a.name,
        "AlarmArn": alarm_arn(ctx.region, ctx.account_id, a.name),
        "AlarmConfigurationUpdatedTimestamp": a.configuration_updated,
        "ActionsEnabled": a.actions_enabled,
        "OKActions": list(a.ok_actions),
        "AlarmActions": list(a.alarm_actions),
        "InsufficientDataActions": list(a.insufficient_data_actions),
        "StateValue": a.state,
        "StateReason": a.state_reason,
        "StateUpdatedTimestamp": a.state_updated,
        "StateTransitionedTimestamp": a.state_updated,
        "MetricName": a.metric_name,
        "Namespace": a.namespace,
        "Dimensions": [{"Name": n, "Value": v} for n, v in a.dimensions],
        "Period": a.period,
        "EvaluationPeriods": a.evaluation_periods,
        "DatapointsToAlarm": a.datapoints_to_alarm,
        "Threshold": a.threshold,
        "ComparisonOperator": a.comparison,
        "TreatMissingData": a.treat_missing_data,
    }
    optional = {
        "AlarmDescription": a.description,
        "StateReasonData": a.state_reason_data,
        "Statistic": a.statistic or None,
        "ExtendedStatistic": a.extended_statistic,
        "Unit": a.unit,
    }
    out.update({k: v for k, v in optional.items() if v is not None})
    return out


def delete_alarms(ctx: RequestContext, params: Params) -> Result:
    """All or nothing: an unknown name deletes none (CloudWatch's rule)."""
    names = list(params.get("AlarmNames") or ())

    def write(uow: UnitOfWork) -> None:
        found = AlarmRepository(uow.session).delete(ctx.region, names)
        missing = sorted(set(names) - set(found))
        if missing:
            raise ResourceNotFound(f"Alarm(s) not found: {', '.join(missing)}")

    ctx.store.write(write)
    return {}


def set_alarm_state(ctx: RequestContext, params: Params) -> Result:
    """Record the given state and a StateUpdate item, then tell the alarm loop, which fires the
    new state's actions at once (as AWS does on any state change). The next evaluation
    re-evaluates the alarm from it (a set state lasts until then, as on AWS)."""
    state, name = params["StateValue"], params["AlarmName"]
    if state not in STATES:
        raise MetricError(f"The value {state} for parameter StateValue is invalid.")
    data = params.get("StateReasonData")
    if data is not None:
        try:
            json.loads(data)
        except ValueError as exc:
            raise MetricError("The StateReasonData is not valid JSON.") from exc
    now = ctx.now

    def write(uow: UnitOfWork) -> str:
        repo = AlarmRepository(uow.session)
        alarm = repo.get(ctx.region, name)
        if alarm is None:
            raise ResourceNotFound(f"Alarm {name} not found")
        ev = AlarmEvaluation(
            state, alarm.state, alarm.threshold, (), (), now, now, params["StateReason"]
        )
        repo.record_transition(ctx.region, alarm, ev, now)
        repo.set_state(ctx.region, name, state, params["StateReason"], data, now)
        return alarm.state

    previous = ctx.store.write(write)
    state_hooks.state_set(ctx.region, name, previous, state)
    return {}


def enable_alarm_actions(ctx: RequestContext, params: Params) -> Result:
    return _set_actions(ctx, params, enabled=True)


def disable_alarm_actions(ctx: RequestContext, params: Params) -> Result:
    return _set_actions(ctx, params, enabled=False)


def _set_actions(ctx: RequestContext, params: Params, *, enabled: bool) -> Result:
    names = list(params.get("AlarmNames") or ())
    ctx.store.write(
        lambda uow: AlarmRepository(uow.session).set_actions_enabled(ctx.region, names, enabled)
    )
    return {}


def describe_alarm_history(ctx: RequestContext, params: Params) -> Result:
    start: datetime | None = params.get("StartDate")
    end: datetime | None = params.get("EndDate")
    items = ctx.store.read(
        lambda uow: AlarmRepository(uow.session).history(
            ctx.region,
            name=params.get("AlarmName"),
            kind=params.get("HistoryItemType"),
            start=start,
            end=end,
        )
    )
    if params.get("ScanBy") == "TimestampAscending":
        items.reverse()
    page, token = _page("DescribeAlarmHistory", items, params)
    result: dict[str, Any] = {
        "AlarmHistoryItems": [
            {
                "AlarmName": i.alarm_name,
                "AlarmType": "MetricAlarm",
                "Timestamp": i.timestamp,
                "HistoryItemType": i.kind,
                "HistorySummary": i.summary,
                "HistoryData": i.data,
            }
            for i in page
        ]
    }
    if token:
        result["NextToken"] = token
    return result


def list_tags_for_resource(ctx: RequestContext, params: Params) -> Result:
    name = _alarm_name(ctx, params["ResourceARN"])
    alarm = ctx.store.read(lambda uow: AlarmRepository(uow.session).get(ctx.region, name))
    if alarm is None:
        raise ResourceNotFound(f"Alarm {name} not found")
    return {"Tags": [{"Key": k, "Value": v} for k, v in alarm.tags]}


def tag_resource(ctx: RequestContext, params: Params) -> Result:
    added = {t["Key"]: t["Value"] for t in params.get("Tags") or ()}
    return _retag(ctx, params["ResourceARN"], lambda tags: {**tags, **added})


def untag_resource(ctx: RequestContext, params: Params) -> Result:
    gone = set(params.get("TagKeys") or ())
    return _retag(
        ctx, params["ResourceARN"], lambda tags: {k: v for k, v in tags.items() if k not in gone}
    )


def _retag(
    ctx: RequestContext, arn: str, change: Callable[[dict[str, str]], dict[str, str]]
) -> Result:
    name = _alarm_name(ctx, arn)

    def write(uow: UnitOfWork) -> None:
        repo = AlarmRepository(uow.session)
        alarm = repo.get(ctx.region, name)
        if alarm is None:
            raise ResourceNotFound(f"Alarm {name} not found")
        repo.set_tags(ctx.region, name, tuple(sorted(change(dict(alarm.tags)).items())))

    ctx.store.write(write)
    return {}


def _alarm_name(ctx: RequestContext, arn: str) -> str:
    prefix = alarm_arn(ctx.region, ctx.account_id, "")
    if not arn.startswith(prefix) or arn == prefix:
        raise MetricError(f"The value {arn} for parameter ResourceARN is invalid.")
    return arn[len(prefix) :]
