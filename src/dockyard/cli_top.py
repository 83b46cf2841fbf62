"""``dockyard top``: live per-service CPU, memory, request rate and scaling state.

Everything comes from the public APIs (ECS DescribeServices, CloudWatch GetMetricData on
``AWS/ECS`` and ``AWS/ApplicationELB``, Application Auto Scaling DescribeScalableTargets and
DescribeScalingActivities), so it shows what any client would see. ``--once`` prints one table
and exits (scripts, tests); otherwise the table refreshes every ``--interval`` seconds (rich).
"""

from __future__ import annotations

import argparse
import os
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dockyard.cli_logs import DEFAULT_ENDPOINT, _data_dir_credentials
from dockyard.infra.settings import DEFAULT_REGION, default_data_dir

__all__ = ["ServiceRow", "register", "rows_from", "run"]

WINDOW = timedelta(minutes=5)
PERIOD_SECONDS = 10


@dataclass(frozen=True, slots=True)
class ServiceRow:
    name: str
    desired: int
    running: int
    pending: int
    cpu: float | None
    memory: float | None
    requests_per_minute: float | None
    scaling: str


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("top", help="live CPU, memory, requests and scaling per service")
    cmd.add_argument("--cluster", default="default")
    cmd.add_argument("--interval", type=float, default=2.0)
    cmd.add_argument("--once", action="store_true", help="print one table and exit")
    cmd.add_argument(
        "--endpoint", default=None, help=f"default: $AWS_ENDPOINT_URL or {DEFAULT_ENDPOINT}"
    )
    cmd.add_argument("--profile", default=None)
    cmd.add_argument("--region", default=None)
    cmd.add_argument("--data-dir", type=Path, default=None)
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.live import Live

    clients = _clients(args)
    console = Console()
    if args.once or not console.is_terminal:
        console.print(render(args.cluster, collect(clients, args.cluster)))
        return 0
    with Live(console=console, refresh_per_second=4) as live:
        try:
            while True:
                live.update(render(args.cluster, collect(clients, args.cluster)))
                time.sleep(args.interval)
        except KeyboardInterrupt:
            return 0


def collect(clients: Mapping[str, Any], cluster: str) -> list[ServiceRow]:
    ecs, cw, aas = clients["ecs"], clients["cloudwatch"], clients["application-autoscaling"]
    arns = [
        a
        for page in ecs.get_paginator("list_services").paginate(cluster=cluster)
        for a in page["serviceArns"]
    ]
    services = []
    for i in range(0, len(arns), 10):
        services += ecs.describe_services(cluster=cluster, services=arns[i : i + 10])["services"]
    metrics = _metrics(cw, cluster, services)
    targets = aas.describe_scalable_targets(ServiceNamespace="ecs")["ScalableTargets"]
    return rows_from(services, metrics, targets, cluster)


def rows_from(
    services: Sequence[Mapping[str, Any]],
    metrics: Mapping[str, float],
    targets: Sequence[Mapping[str, Any]],
    cluster: str,
) -> list[ServiceRow]:
    """Rows from API responses (``metrics``: query id → latest value). Pure."""
    scaling = {t["ResourceId"]: t for t in targets}
    rows = []
    for index, s in enumerate(services):
        target = scaling.get(f"service/{cluster}/{s['serviceName']}")
        state = f"{target['MinCapacity']}–{target['MaxCapacity']}" if target else "—"
        if target and any((target.get("SuspendedState") or {}).values()):
            state += " (suspended)"
        rows.append(
            ServiceRow(
                name=s["serviceName"],
                desired=s["desiredCount"],
                running=s["runningCount"],
                pending=s["pendingCount"],
                cpu=metrics.get(f"cpu{index}"),
                memory=metrics.get(f"mem{index}"),
                requests_per_minute=metrics.get(f"req{index}"),
                scaling=state,
            )
        )
    return rows


def render(cluster: str, rows: Sequence[ServiceRow]) -> Any:
    from rich.table import Table

    table = Table(title=f"dockyard top — cluster {cluster} — {datetime.now(UTC):%H:%M:%S} UTC")
    for column in (
        "service",
        "desired",
        "running",
        "pending",
        "CPU %",
        "memory %",
        "req/min",
        "scaling min–max",
    ):
        table.add_column(column, justify="left" if column == "service" else "right")
    for r in rows:
        table.add_row(
            r.name,
            str(r.desired),
            str(r.running),
            str(r.pending),
            _num(r.cpu),
            _num(r.memory),
            _num(r.requests_per_minute),
            r.scaling,
        )
    return table


def _num(value: float | None) -> str:
    return "—" if value is None else f"{value:.1f}"


def _metrics(cw: Any, cluster: str, services: Sequence[Mapping[str, Any]]) -> dict[str, float]:
    queries = []
    for index, s in enumerate(services):
        dims = [
            {"Name": "ClusterName", "Value": cluster},
            {"Name": "ServiceName", "Value": s["serviceName"]},
        ]
        for prefix, name in (("cpu", "CPUUtilization"), ("mem", "MemoryUtilization")):
            queries.append(_query(f"{prefix}{index}", "AWS/ECS", name, dims, "Average"))
        group = next((lb.get("targetGroupArn") for lb in s.get("loadBalancers") or ()), None)
        if group:
            value = "targetgroup/" + group.split(":targetgroup/", 1)[1]
            queries.append(
                _query(
                    f"req{index}",
                    "AWS/ApplicationELB",
                    "RequestCount",
                    [{"Name": "TargetGroup", "Value": value}],
                    "Sum",
                )
            )
    if not queries:
        return {}
    end = datetime.now(UTC)
    latest: dict[str, float] = {}
    for i in range(0, len(queries), 500):
        result = cw.get_metric_data(
            MetricDataQueries=queries[i : i + 500], StartTime=end - WINDOW, EndTime=end
        )
        for r in result["MetricDataResults"]:
            if r["Values"]:
                latest[r["Id"]] = float(r["Values"][0])  # newest first (ScanBy default)
    for key in [k for k in latest if k.startswith("req")]:
        latest[key] = latest[key] * 60 / PERIOD_SECONDS
    return latest


def _query(
    qid: str, namespace: str, name: str, dims: list[dict[str, str]], stat: str
) -> dict[str, Any]:
    return {
        "Id": qid,
        "MetricStat": {
            "Metric": {"Namespace": namespace, "MetricName": name, "Dimensions": dims},
            "Period": PERIOD_SECONDS,
            "Stat": stat,
        },
    }


def _clients(args: argparse.Namespace) -> dict[str, Any]:
    import boto3

    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    region = session.region_name or DEFAULT_REGION
    if session.get_credentials() is None:
        key, secret = _data_dir_credentials(args.data_dir or default_data_dir())
        session = boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, region_name=region
        )
    return {
        name: session.client(name, endpoint_url=endpoint, region_name=region)
        for name in ("ecs", "cloudwatch", "application-autoscaling")
    }
