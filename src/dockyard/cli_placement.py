"""``dockyard placement explain | rebalance`` — Dockyard extensions to ECS placement.

::

    dockyard placement explain --task-definition web [--cluster C] [--group G]
        [--constraint 'memberOf:attribute:stack == prod'] [--constraint distinctInstance]
        [--strategy spread:attribute:ecs.availability-zone] [--strategy binpack:memory]
    dockyard placement rebalance [--cluster C] --strategy binpack:memory [--max-moves N]

Both read the cluster through the ECS API (DescribeContainerInstances, ListTasks,
DescribeTasks, DescribeTaskDefinition) like any client, rebuild the placement snapshot from
``registeredResources`` / ``remainingResources`` and run the same pure engine as RunTask.
``explain`` lists every instance, kept or dropped with all its reasons, with its value per
strategy and its rank. ``rebalance`` prints a plan of moves (stop a task here, run it there)
that reduces instances used (binpack) or imbalance (spread) without breaking constraints; it
changes nothing.
"""

from __future__ import annotations

import argparse
import os
from collections import Counter
from datetime import UTC
from typing import Any

from dockyard.domain.task_definition import (
    static_host_ports,
    task_cpu_units,
    task_definition_from_document,
    task_memory_mib,
)
from dockyard.infra.settings import DEFAULT_PORT
from dockyard.placement import (
    InstanceSnapshot,
    PlacementConstraint,
    PlacementStrategy,
    RunningTask,
    TaskDemand,
    explain,
    rebalance,
    validate_placement,
)

__all__ = ["register"]


def register(commands: Any) -> None:
    cmd = commands.add_parser("placement", help="explain placement decisions; plan a rebalance")
    sub = cmd.add_subparsers(dest="placement_command", required=True)
    ex = sub.add_parser("explain", help="why each instance would or would not take a task")
    ex.add_argument("--task-definition", required=True)
    ex.add_argument("--group", default=None, help="task group (default family:<family>)")
    ex.add_argument("--constraint", action="append", default=[], metavar="TYPE[:EXPRESSION]")
    ex.add_argument("--strategy", action="append", default=[], metavar="TYPE[:FIELD]")
    _client_options(ex)
    ex.set_defaults(func=_explain)
    rb = sub.add_parser("rebalance", help="plan moves toward binpack or spread (changes nothing)")
    rb.add_argument("--strategy", required=True, metavar="TYPE:FIELD")
    rb.add_argument("--constraint", action="append", default=[], metavar="TYPE[:EXPRESSION]")
    rb.add_argument("--max-moves", type=int, default=None)
    _client_options(rb)
    rb.set_defaults(func=_rebalance)


def _client_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--cluster", default="default")
    cmd.add_argument(
        "--endpoint",
        default=os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{DEFAULT_PORT}",
    )
    cmd.add_argument("--region", default=None)
    cmd.add_argument("--profile", default=None)


def _explain(args: argparse.Namespace) -> int:
    from rich.console import Console
    from rich.table import Table

    ecs = _ecs(args)
    td_doc = ecs.describe_task_definition(taskDefinition=args.task_definition)["taskDefinition"]
    td = task_definition_from_document(td_doc)
    constraints = tuple(
        PlacementConstraint(c.type or "memberOf", c.expression) for c in td.placement_constraints
    ) + tuple(_constraint(text) for text in args.constraint)
    strategies = tuple(_strategy(text) for text in args.strategy)
    validate_placement(constraints, strategies)
    demand = TaskDemand(
        task_cpu_units(td),
        task_memory_mib(td),
        frozenset(static_host_ports(td)),
        required_attributes=tuple((a.name, a.value) for a in td.requires_attributes),
    )
    snapshots, _ = cluster_view(ecs, args.cluster)
    verdicts = explain(
        demand,
        snapshots,
        group=args.group or f"family:{td.family}",
        constraints=constraints,
        strategies=strategies,
    )
    table = Table(title=f"{td.family}:{td.revision} on cluster {args.cluster}")
    for column in ("rank", "instance", "kept", "reasons / strategy values"):
        table.add_column(column)
    for v in verdicts:
        detail = (
            ", ".join(v.reasons)
            if not v.kept
            else "  ".join(f"{k.label}={k.value if k.value is not None else '-'}" for k in v.keys)
        )
        table.add_row(str(v.rank or ""), v.instance_id, "yes" if v.kept else "no", detail)
    Console().print(table)
    return 0


def _rebalance(args: argparse.Namespace) -> int:
    ecs = _ecs(args)
    strategy = _strategy(args.strategy)
    constraints = tuple(_constraint(text) for text in args.constraint)
    validate_placement(constraints, (strategy,))
    snapshots, tasks = cluster_view(ecs, args.cluster)
    plan = rebalance(
        tasks, snapshots, strategy=strategy, constraints=constraints, max_moves=args.max_moves
    )
    for move in plan.moves:
        print(f"move {move.task_id}: {move.from_instance} -> {move.to_instance}")
    print(
        f"instances in use: {plan.instances_before} -> {plan.instances_after} "
        f"({len(plan.moves)} moves; nothing was changed)"
    )
    return 0


def cluster_view(ecs: Any, cluster: str) -> tuple[list[InstanceSnapshot], list[RunningTask]]:
    """The cluster as placement sees it, rebuilt from the ECS API."""
    arns: list[str] = []
    for page in ecs.get_paginator("list_container_instances").paginate(cluster=cluster):
        arns += page["containerInstanceArns"]
    instances: list[dict[str, Any]] = []
    for i in range(0, len(arns), 100):
        instances += ecs.describe_container_instances(
            cluster=cluster, containerInstances=arns[i : i + 100]
        )["containerInstances"]
    tasks = _running_tasks(ecs, cluster)
    groups: dict[str, Counter[str]] = {}
    for t in tasks:
        groups.setdefault(t.instance_id, Counter())[t.group or ""] += 1
    snapshots = [
        _snapshot(i, groups.get(_id(i["containerInstanceArn"]), Counter())) for i in instances
    ]
    return snapshots, tasks


def _running_tasks(ecs: Any, cluster: str) -> list[RunningTask]:
    arns: list[str] = []
    for page in ecs.get_paginator("list_tasks").paginate(cluster=cluster, desiredStatus="RUNNING"):
        arns += page["taskArns"]
    result = []
    for i in range(0, len(arns), 100):
        for t in ecs.describe_tasks(cluster=cluster, tasks=arns[i : i + 100])["tasks"]:
            if t.get("containerInstanceArn"):
                result.append(
                    RunningTask(
                        task_id=_id(t["taskArn"]),
                        instance_id=_id(t["containerInstanceArn"]),
                        group=t.get("group") or "",
                        cpu=int(t.get("cpu") or 0),
                        memory=int(t.get("memory") or 0),
                    )
                )
    return result


def _snapshot(wire: dict[str, Any], groups: Counter[str]) -> InstanceSnapshot:
    registered = {r["name"]: r for r in wire.get("registeredResources", [])}
    remaining = {r["name"]: r for r in wire.get("remainingResources", [])}

    def integer(source: dict[str, Any], name: str) -> int:
        return int((source.get(name) or {}).get("integerValue") or 0)

    def ports(source: dict[str, Any], name: str, protocol: str) -> frozenset[tuple[int, str]]:
        values = (source.get(name) or {}).get("stringSetValue") or []
        return frozenset((int(p), protocol) for p in values if str(p).isdigit())

    reserved = ports(registered, "PORTS", "tcp") | ports(registered, "PORTS_UDP", "udp")
    taken = ports(remaining, "PORTS", "tcp") | ports(remaining, "PORTS_UDP", "udp")
    registered_at = wire.get("registeredAt")
    return InstanceSnapshot(
        instance_id=_id(wire["containerInstanceArn"]),
        active=wire.get("status") == "ACTIVE",
        connected=bool(wire.get("agentConnected")),
        cpu=integer(registered, "CPU"),
        memory=integer(registered, "MEMORY"),
        used_cpu=integer(registered, "CPU") - integer(remaining, "CPU"),
        used_memory=integer(registered, "MEMORY") - integer(remaining, "MEMORY"),
        reserved_ports=reserved,
        used_ports=taken - reserved,
        ec2_instance_id=wire.get("ec2InstanceId") or "",
        attributes={a["name"]: a.get("value") for a in wire.get("attributes", [])},
        agent_version=(wire.get("versionInfo") or {}).get("agentVersion"),
        registered_at=registered_at.astimezone(UTC) if registered_at else None,
        group_counts=dict(groups),
        running_tasks_count=int(wire.get("runningTasksCount") or 0),
    )


def _constraint(text: str) -> PlacementConstraint:
    kind, _, expression = text.partition(":")
    return PlacementConstraint(kind, expression or None)


def _strategy(text: str) -> PlacementStrategy:
    kind, _, field = text.partition(":")
    return PlacementStrategy(kind, field or None)


def _id(arn: str) -> str:
    return arn.rsplit("/", 1)[-1]


def _ecs(args: argparse.Namespace) -> Any:
    import boto3

    session = boto3.Session(profile_name=args.profile, region_name=args.region)
    return session.client(
        "ecs", endpoint_url=args.endpoint, region_name=session.region_name or "us-east-1"
    )
