"""CloudWatch metric data: points, statistics over periods, and metric-math expressions. Pure.

A stored point is a statistic set (sum, count, min, max) at a timestamp: a single value is
(v, 1, v, v). Statistics over a period combine the sets that fall in it; percentiles come from
the points' own values (``sum / count``), which is exact for single-value points.
"""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from dockyard.domain.errors import ApiError

__all__ = [
    "Aggregate",
    "MetricError",
    "Point",
    "aggregate",
    "dimensions_key",
    "evaluate_expression",
]

STATISTICS = ("SampleCount", "Average", "Sum", "Minimum", "Maximum")


class MetricError(ApiError):
    code = "InvalidParameterValue"


@dataclass(frozen=True, slots=True)
class Point:
    timestamp: datetime
    sum: float
    count: float
    minimum: float
    maximum: float


@dataclass(frozen=True, slots=True)
class Aggregate:
    """One period's statistics."""

    timestamp: datetime
    sample_count: float
    sum: float
    minimum: float
    maximum: float
    values: tuple[float, ...]

    @property
    def average(self) -> float:
        return self.sum / self.sample_count if self.sample_count else 0.0

    def statistic(self, name: str) -> float:
        if name.startswith("p"):
            return percentile(self.values, float(name[1:]))
        return {
            "SampleCount": self.sample_count,
            "Average": self.average,
            "Sum": self.sum,
            "Minimum": self.minimum,
            "Maximum": self.maximum,
        }[name]


def dimensions_key(dimensions: Iterable[tuple[str, str]]) -> str:
    """A canonical key for a dimension set (order does not matter, as in CloudWatch)."""
    return "|".join(f"{k}={v}" for k, v in sorted(dimensions))


def aggregate(points: Iterable[Point], start: datetime, period: int) -> list[Aggregate]:
    """Points grouped into ``period``-second buckets counted from ``start``, oldest first."""
    buckets: dict[int, list[Point]] = {}
    for p in points:
        index = int((p.timestamp - start).total_seconds() // period)
        buckets.setdefault(index, []).append(p)
    result = []
    for index in sorted(buckets):
        group = buckets[index]
        at = datetime.fromtimestamp(start.timestamp() + index * period, start.tzinfo)
        result.append(
            Aggregate(
                timestamp=at,
                sample_count=sum(p.count for p in group),
                sum=sum(p.sum for p in group),
                minimum=min(p.minimum for p in group),
                maximum=max(p.maximum for p in group),
                values=tuple(p.sum / p.count for p in group if p.count),
            )
        )
    return result


def percentile(values: Sequence[float], p: float) -> float:
    """Nearest-rank percentile (``p`` in 0–100); NaN without values."""
    if not values:
        return math.nan
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


Series = Mapping[datetime, float]
_FUNCTIONS: dict[str, Callable[[list[float]], float]] = {
    "SUM": sum,
    "AVG": lambda xs: sum(xs) / len(xs),
    "MIN": min,
    "MAX": max,
}
_OPERATORS: dict[type, Callable[[float, float], float]] = {
    ast.Add: lambda a, b: a + b,
    ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b,
    ast.Div: lambda a, b: a / b if b else math.nan,
}


def evaluate_expression(expression: str, series: Mapping[str, Series]) -> dict[datetime, float]:
    """Metric math over query ids: ``+ - * /``, parentheses, numbers, ids, and SUM / AVG /
    MIN / MAX of ids (``SUM([a, b])`` or ``SUM(a)``). Series combine at common timestamps."""
    try:
        tree = ast.parse(expression, mode="eval").body
    except SyntaxError:
        raise MetricError(f"The expression '{expression}' is not valid.") from None
    stamps = sorted({t for s in series.values() for t in s})
    result = {}
    for t in stamps:
        try:
            value = _eval(tree, series, t)
        except KeyError:
            continue
        if not math.isnan(value):
            result[t] = value
    return result


def _eval(node: ast.AST, series: Mapping[str, Series], t: datetime) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float)):
        return float(node.value)
    if isinstance(node, ast.Name):
        if node.id not in series:
            raise MetricError(f"Unknown id '{node.id}' in expression.")
        return series[node.id][t]
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_eval(node.operand, series, t)
    if isinstance(node, ast.BinOp) and type(node.op) in _OPERATORS:
        return _OPERATORS[type(node.op)](_eval(node.left, series, t), _eval(node.right, series, t))
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id in _FUNCTIONS
    ):
        args = node.args[0].elts if node.args and isinstance(node.args[0], ast.List) else node.args
        values = [_eval(a, series, t) for a in args]
        if not values:
            raise MetricError(f"{node.func.id} needs at least one argument.")
        return _FUNCTIONS[node.func.id](values)
    raise MetricError("The expression uses an operator or function Dockyard does not support.")
