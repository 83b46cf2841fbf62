"""PutMetricData, GetMetricStatistics, GetMetricData, ListMetrics."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.metrics import (
    STATISTICS,
    Aggregate,
    MetricError,
    aggregate,
    dimensions_key,
    evaluate_expression,
)
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.domain.utilization import UtilizationPoint
from dockyard.store import Store
from dockyard.store.repositories.metrics import MetricRepository, StoredPoint
from dockyard.store.uow import UnitOfWork

MAX_DATAPOINTS = 1440
"""GetMetricStatistics answers at most 1,440 datapoints, as CloudWatch does."""
LIST_PAGE = 500


def put_metric_data(ctx: RequestContext, params: Params) -> Result:
    namespace = params["Namespace"]
    if namespace.startswith("AWS/"):
        raise MetricError("The value AWS/ for parameter Namespace is invalid.")
    points = [
        p for datum in params.get("MetricData") or () for p in _stored(namespace, datum, ctx.now)
    ]
    ctx.store.write(lambda uow: MetricRepository(uow.session).put_many(ctx.region, points))
    return {}


def store_points(uow: UnitOfWork, region: str, points: Sequence[UtilizationPoint]) -> int:
    """Dockyard's own measurements (any namespace, ``AWS/…`` included)."""
    stored = [
        StoredPoint(
            p.namespace,
            p.metric,
            dimensions_key(p.dimensions),
            p.timestamp,
            p.unit,
            p.value,
            1.0,
            p.value,
            p.value,
        )
        for p in points
    ]
    return MetricRepository(uow.session).put_many(region, stored)


class StoreMetricSink:
    """The :class:`~dockyard.api.context.MetricSink` writing to the metric store."""

    def __init__(self, store: Store) -> None:
        self._store = store

    def put(self, region: str, points: Sequence[UtilizationPoint]) -> None:
        self._store.write(lambda uow: store_points(uow, region, points))


def get_metric_statistics(ctx: RequestContext, params: Params) -> Result:
    statistics = list(params.get("Statistics") or ())
    extended = list(params.get("ExtendedStatistics") or ())
    if not statistics and not extended:
        raise MetricError(
            "Either Statistics or ExtendedStatistics must be specified.", code="MissingParameter"
        )
    start, end, period = params["StartTime"], params["EndTime"], int(params["Period"])
    _check_period(period)
    if (end - start).total_seconds() / period > MAX_DATAPOINTS:
        raise MetricError(
            f"You have requested up to {int((end - start).total_seconds() / period)} "
            f"datapoints, which exceeds the limit of {MAX_DATAPOINTS}."
        )
    dims = _dims(params.get("Dimensions"))
    aggregates = _aggregates(
        ctx, params["Namespace"], params["MetricName"], dims, start, end, period
    )
    datapoints = []
    for a in aggregates:
        point: dict[str, Any] = {"Timestamp": a.timestamp, "Unit": params.get("Unit") or "None"}
        point |= {s: a.statistic(s) for s in statistics}
        if extended:
            point["ExtendedStatistics"] = {e: a.statistic(e) for e in extended}
        datapoints.append(point)
    return {"Label": params["MetricName"], "Datapoints": datapoints}


def get_metric_data(ctx: RequestContext, params: Params) -> Result:
    queries = list(params["MetricDataQueries"])
    start, end = params["StartTime"], params["EndTime"]
    series: dict[str, dict[datetime, float]] = {}
    for q in queries:
        if "MetricStat" in q:
            series[q["Id"]] = _stat_series(ctx, q["MetricStat"], start, end)
    for q in queries:
        if "Expression" in q:
            series[q["Id"]] = evaluate_expression(q["Expression"], series)
    descending = (params.get("ScanBy") or "TimestampDescending") == "TimestampDescending"
    results = []
    for q in queries:
        if q.get("ReturnData", True) is False:
            continue
        ordered = sorted(series.get(q["Id"], {}).items(), reverse=descending)
        results.append(
            {
                "Id": q["Id"],
                "Label": q.get("Label") or q["Id"],
                "StatusCode": "Complete",
                "Timestamps": [t for t, _ in ordered],
                "Values": [v for _, v in ordered],
                "Messages": [],
            }
        )
    return {"MetricDataResults": results, "Messages": []}


def list_metrics(ctx: RequestContext, params: Params) -> Result:
    wanted = [(d["Name"], d.get("Value")) for d in params.get("Dimensions") or ()]
    found = ctx.store.read(
        lambda uow: MetricRepository(uow.session).list_metrics(
            ctx.region, namespace=params.get("Namespace"), metric=params.get("MetricName")
        )
    )
    metrics = []
    for namespace, metric, key in found:
        dims = [tuple(item.split("=", 1)) for item in key.split("|") if item]
        if all(_has(dims, name, value) for name, value in wanted):
            metrics.append(
                {
                    "Namespace": namespace,
                    "MetricName": metric,
                    "Dimensions": [{"Name": n, "Value": v} for n, v in dims],
                }
            )
    start = (
        int(decode_token("ListMetrics", params["NextToken"], (int,))[0])
        if params.get("NextToken")
        else 0
    )
    page = metrics[start : start + LIST_PAGE]
    result: Result = {"Metrics": page}
    if start + LIST_PAGE < len(metrics):
        result["NextToken"] = encode_token("ListMetrics", [start + LIST_PAGE])
    return result


def _has(dims: Sequence[tuple[str, ...]], name: str, value: str | None) -> bool:
    """ListMetrics' dimension filter: the name, and the value when one is given."""
    return any(d[0] == name and (value is None or d[1] == value) for d in dims)


def _stat_series(
    ctx: RequestContext, stat: Mapping[str, Any], start: datetime, end: datetime
) -> dict[datetime, float]:
    metric = stat["Metric"]
    period = int(stat["Period"])
    _check_period(period)
    name = stat["Stat"]
    if name not in STATISTICS and not (
        name.startswith("p") and name[1:].replace(".", "", 1).isdigit()
    ):
        raise MetricError(f"The statistic '{name}' is not supported.")
    aggregates = _aggregates(
        ctx,
        metric.get("Namespace", ""),
        metric.get("MetricName", ""),
        _dims(metric.get("Dimensions")),
        start,
        end,
        period,
    )
    return {a.timestamp: a.statistic(name) for a in aggregates}


def _aggregates(
    ctx: RequestContext,
    namespace: str,
    metric: str,
    dims: str,
    start: datetime,
    end: datetime,
    period: int,
) -> list[Aggregate]:
    points = ctx.store.read(
        lambda uow: MetricRepository(uow.session).points(
            ctx.region, namespace, metric, dims, start, end
        )
    )
    return aggregate(points, start, period)


def _dims(items: Sequence[Mapping[str, str]] | None) -> str:
    return dimensions_key((d["Name"], d["Value"]) for d in items or ())


def _check_period(period: int) -> None:
    if (
        period < 1
        or (period >= 60 and period % 60)
        or (period < 60 and period not in (1, 5, 10, 30))
    ):
        raise MetricError("The parameter Period must be 1, 5, 10, 30 or a multiple of 60.")


def _stored(namespace: str, datum: Mapping[str, Any], now: datetime) -> list[StoredPoint]:
    dims = dimensions_key((d["Name"], d["Value"]) for d in datum.get("Dimensions") or ())
    if len(datum.get("Dimensions") or ()) > 30:
        raise MetricError("A metric can have at most 30 dimensions.")
    at, unit = datum.get("Timestamp") or now, datum.get("Unit") or "None"
    base = (namespace, datum["MetricName"], dims, at, unit)
    if "StatisticValues" in datum:
        s = datum["StatisticValues"]
        return [StoredPoint(*base, s["Sum"], s["SampleCount"], s["Minimum"], s["Maximum"])]
    if "Values" in datum:
        counts = datum.get("Counts") or [1.0] * len(datum["Values"])
        if len(counts) != len(datum["Values"]):
            raise MetricError(
                "Values and Counts must have the same length.", code="InvalidParameterCombination"
            )
        return [
            StoredPoint(*base, v * c, c, v, v) for v, c in zip(datum["Values"], counts, strict=True)
        ]
    if "Value" not in datum:
        raise MetricError(
            "One of Value, Values or StatisticValues is required.", code="MissingParameter"
        )
    v = float(datum["Value"])
    return [StoredPoint(*base, v, 1.0, v, v)]
