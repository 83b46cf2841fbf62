"""The two CloudWatch alarms a target-tracking policy owns, as pure specs (§9.2).

The high alarm (metric above target) drives scale-out; the low alarm (metric well below
target: :data:`LOW_THRESHOLD_RATIO` × target) drives scale-in and is omitted when the policy
disables scale-in. Names follow what AWS users report:
``TargetTracking-service/CLUSTER/SERVICE-AlarmHigh-<uuid>`` / ``-AlarmLow-<uuid>``.

Profiles: ``aws`` is AWS's cadence (60-s periods; high 3 of 3, low 15 of 15); ``fast`` is a
demo/test cadence (10-s periods; high 3 of 3 = 30 s, low 15 of 15 = 150 s).
"""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.domain.autoscaling import (
    AutoScalingValidationException,
    MetricSpec,
    ScalingPolicy,
)

LOW_THRESHOLD_RATIO = 0.9
"""AWS scales in only when the metric is well below target ("usually more than 10 %")."""

HIGH = "GreaterThanThreshold"
LOW = "LessThanThreshold"


@dataclass(frozen=True, slots=True)
class AlarmProfile:
    period: int
    high_datapoints: int
    low_datapoints: int


PROFILES = {
    "aws": AlarmProfile(period=60, high_datapoints=3, low_datapoints=15),
    "fast": AlarmProfile(period=10, high_datapoints=3, low_datapoints=15),
}


@dataclass(frozen=True, slots=True)
class AlarmSpec:
    """One metric alarm to create (PutMetricAlarm-equivalent), its action = the policy ARN.

    ``datapoints_to_alarm`` of ``evaluation_periods`` periods must breach; missing data is
    ``missing`` (never scale in on missing data).
    """

    name: str
    namespace: str
    metric_name: str
    dimensions: tuple[tuple[str, str], ...]
    statistic: str
    unit: str | None
    period: int
    evaluation_periods: int
    datapoints_to_alarm: int
    threshold: float
    comparison: str
    alarm_actions: tuple[str, ...]
    description: str
    treat_missing_data: str = "missing"


def predefined_metric(
    predefined_type: str, resource_label: str | None, cluster: str, service: str
) -> MetricSpec:
    """The CloudWatch metric of a ``PredefinedMetricType`` for one ECS service."""
    dims = (("ClusterName", cluster), ("ServiceName", service))
    if predefined_type == "ECSServiceAverageCPUUtilization":
        return MetricSpec("AWS/ECS", "CPUUtilization", dims, "Average", "Percent", predefined_type)
    if predefined_type == "ECSServiceAverageMemoryUtilization":
        return MetricSpec(
            "AWS/ECS", "MemoryUtilization", dims, "Average", "Percent", predefined_type
        )
    if predefined_type == "ALBRequestCountPerTarget":
        return _alb_metric(resource_label)
    raise AutoScalingValidationException(
        f"Unsupported predefined metric type {predefined_type!r} for an ECS service."
    )


def _alb_metric(resource_label: str | None) -> MetricSpec:
    parts = (resource_label or "").split("/")
    if len(parts) != 6 or parts[0] != "app" or parts[3] != "targetgroup":
        raise AutoScalingValidationException(
            "ResourceLabel is required for ALBRequestCountPerTarget and must have the form "
            "app/<load-balancer-name>/<load-balancer-id>/targetgroup/<target-group-name>/"
            "<target-group-id>."
        )
    dims = (("TargetGroup", "/".join(parts[3:])),)
    return MetricSpec(
        "AWS/ApplicationELB",
        "RequestCountPerTarget",
        dims,
        "Sum",
        None,
        "ALBRequestCountPerTarget",
        resource_label,
    )


def alarm_specs(policy: ScalingPolicy, uuid: str, *, profile: str = "aws") -> tuple[AlarmSpec, ...]:
    """The high (and, unless scale-in is disabled, low) alarm of a target-tracking policy."""
    config = policy.target
    if config is None:
        return ()
    p = PROFILES[profile]
    prefix = f"TargetTracking-{policy.resource_id}"
    metric = config.metric
    high = _spec(
        policy,
        metric,
        f"{prefix}-AlarmHigh-{uuid}",
        p,
        p.high_datapoints,
        HIGH,
        config.target_value,
    )
    if config.disable_scale_in:
        return (high,)
    low_threshold = round(config.target_value * LOW_THRESHOLD_RATIO, 6)
    low = _spec(
        policy, metric, f"{prefix}-AlarmLow-{uuid}", p, p.low_datapoints, LOW, low_threshold
    )
    return (high, low)


def _spec(
    policy: ScalingPolicy,
    metric: MetricSpec,
    name: str,
    profile: AlarmProfile,
    datapoints: int,
    comparison: str,
    threshold: float,
) -> AlarmSpec:
    return AlarmSpec(
        name=name,
        namespace=metric.namespace,
        metric_name=metric.name,
        dimensions=metric.dimensions,
        statistic=metric.statistic,
        unit=metric.unit,
        period=profile.period,
        evaluation_periods=datapoints,
        datapoints_to_alarm=datapoints,
        threshold=threshold,
        comparison=comparison,
        alarm_actions=(policy.arn,),
        description=(f"DO NOT EDIT OR DELETE. For TargetTrackingScaling policy {policy.arn}."),
    )


def is_high_alarm(alarm_name: str) -> bool:
    """Whether a target-tracking alarm is the scale-out one."""
    return "-AlarmHigh-" in alarm_name
