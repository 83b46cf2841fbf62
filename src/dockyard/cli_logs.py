"""``dockyard logs TASK``: print (and with ``--follow``, tail) a task's awslogs output.

::

    dockyard logs TASK [--cluster C] [--follow] [--container NAME]
                       [--endpoint URL] [--profile P] [--region R] [--data-dir D]

ECS DescribeTasks names the task definition, DescribeTaskDefinition each container's
``awslogs`` options; the stream is ``<prefix>/<container>/<task-id>`` (or, without a stream
prefix, the Docker container id ECS reports as ``runtimeId``). Events come from GetLogEvents,
following ``nextForwardToken`` until it repeats; ``--follow`` polls until the task is STOPPED
and its streams are drained. With several containers each line starts with the container name.

Credentials come from the normal boto3 chain (``--profile``, environment, shared files); when
that finds none, from the ``dockyard`` profile the server wrote to ``DATA_DIR/credentials``.
"""

from __future__ import annotations

import argparse
import configparser
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from dockyard.infra.settings import DEFAULT_REGION, default_data_dir

DEFAULT_ENDPOINT = "http://127.0.0.1:8780"
POLL_INTERVAL_SECONDS = 1.0
"""How often ``--follow`` asks for new events: the shipper flushes about once a second."""


@dataclass(frozen=True, slots=True)
class LogTarget:
    """Where one container of the task logs to."""

    container: str
    group: str
    stream: str
    region: str | None


# --- pure parts ------------------------------------------------------------------------------


def task_id(task_arn: str) -> str:
    """The id at the end of a task ARN (``.../cluster/ID`` or the old ``.../ID``)."""
    return task_arn.rsplit("/", 1)[-1]


def log_targets(
    task: Mapping[str, Any], task_definition: Mapping[str, Any], *, only: str | None = None
) -> tuple[list[LogTarget], list[str]]:
    """The awslogs streams of a DescribeTasks ``task`` whose DescribeTaskDefinition
    ``taskDefinition`` is given, plus a note per container that has none (other driver, or no
    stream prefix and no ``runtimeId`` yet). ``only`` keeps one container."""
    runtime_ids = {c.get("name"): c.get("runtimeId") for c in task.get("containers", [])}
    targets, notes = [], []
    for container in task_definition.get("containerDefinitions", []):
        name = container["name"]
        if only is not None and name != only:
            continue
        config = container.get("logConfiguration") or {}
        options = config.get("options") or {}
        if config.get("logDriver") != "awslogs" or "awslogs-group" not in options:
            notes.append(f"{name}: no awslogs log configuration")
            continue
        prefix = options.get("awslogs-stream-prefix")
        stream = f"{prefix}/{name}/{task_id(task['taskArn'])}" if prefix else runtime_ids.get(name)
        if not stream:
            notes.append(f"{name}: no stream prefix and no container id yet")
            continue
        targets.append(
            LogTarget(name, options["awslogs-group"], stream, options.get("awslogs-region"))
        )
    return targets, notes


def format_line(container: str, message: str, *, prefixed: bool) -> str:
    text = message.rstrip("\n")
    return f"{container} | {text}" if prefixed else text


def merge_round(
    batches: Iterable[tuple[LogTarget, list[Mapping[str, Any]]]],
) -> list[tuple[str, str]]:
    """One polling round's events of every container as (container, message), in timestamp
    order (stable, so each container's own order is kept)."""
    tagged = [
        (event["timestamp"], target.container, event["message"])
        for target, events in batches
        for event in events
    ]
    tagged.sort(key=lambda item: item[0])
    return [(container, message) for _, container, message in tagged]


# --- shell -----------------------------------------------------------------------------------


def register(subparsers: Any) -> None:
    """Add ``logs`` to ``dockyard``'s sub-commands."""
    cmd = subparsers.add_parser("logs", help="print a task's awslogs output (CloudWatch Logs)")
    cmd.add_argument("task", help="task id or ARN")
    cmd.add_argument("--cluster", default=None, help="cluster name or ARN (default: default)")
    cmd.add_argument("--follow", "-f", action="store_true", help="poll until the task stops")
    cmd.add_argument("--container", default=None, help="only this container's output")
    cmd.add_argument(
        "--endpoint", default=None, help=f"default: $AWS_ENDPOINT_URL or {DEFAULT_ENDPOINT}"
    )
    cmd.add_argument("--profile", default=None)
    cmd.add_argument("--region", default=None)
    cmd.add_argument(
        "--data-dir", type=Path, default=None, help="where the server wrote credentials"
    )
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        clients = Clients.from_args(args)
        return show_task_logs(
            clients,
            args.task,
            cluster=args.cluster,
            container=args.container,
            follow=args.follow,
        )
    except (BotoCoreError, ClientError) as error:
        print(f"dockyard logs: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


@dataclass
class Clients:
    """An ECS client and one Logs client per region (awslogs-region may differ)."""

    ecs: Any
    logs_for: Callable[[str | None], Any]

    @staticmethod
    def from_args(args: argparse.Namespace) -> Clients:
        import boto3

        endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
        session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
        region = session.region_name or DEFAULT_REGION
        if session.get_credentials() is None:
            key, secret = _data_dir_credentials(args.data_dir or default_data_dir())
            session = boto3.session.Session(
                aws_access_key_id=key, aws_secret_access_key=secret, region_name=region
            )
        cache: dict[str, Any] = {}

        def logs_for(log_region: str | None) -> Any:
            name = log_region or region
            if name not in cache:
                cache[name] = session.client("logs", endpoint_url=endpoint, region_name=name)
            return cache[name]

        return Clients(session.client("ecs", endpoint_url=endpoint, region_name=region), logs_for)


def _data_dir_credentials(data_dir: Path) -> tuple[str, str]:
    parser = configparser.ConfigParser()
    path = data_dir.expanduser() / "credentials"
    if not parser.read(path) or "dockyard" not in parser:
        raise SystemExit(f"dockyard logs: no AWS credentials found (and none in {path})")
    section = parser["dockyard"]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


def show_task_logs(
    clients: Clients,
    task_ref: str,
    *,
    cluster: str | None = None,
    container: str | None = None,
    follow: bool = False,
    out: TextIO | None = None,
    err: TextIO | None = None,
    sleep: Callable[[float], None] = time.sleep,
    poll_interval: float = POLL_INTERVAL_SECONDS,
) -> int:
    """Print the task's events; with ``follow``, poll until it is STOPPED and drained."""
    out, err = out or sys.stdout, err or sys.stderr
    task = _describe_task(clients.ecs, task_ref, cluster)
    if task is None:
        print(f"dockyard logs: task {task_ref} not found", file=err)
        return 1
    definition = clients.ecs.describe_task_definition(taskDefinition=task["taskDefinitionArn"])
    targets, notes = log_targets(task, definition["taskDefinition"], only=container)
    for note in notes:
        print(f"dockyard logs: {note}", file=err)
    if not targets:
        print("dockyard logs: no container of this task logs with awslogs", file=err)
        return 1
    reader = StreamReader(clients.logs_for)
    prefixed = len(targets) > 1
    stopped_rounds = 0
    while True:
        stopped = follow and _is_stopped(clients.ecs, task_ref, cluster)
        for name, message in merge_round(reader.drain(t) for t in targets):
            print(format_line(name, message, prefixed=prefixed), file=out, flush=True)
        if not follow:
            return 0
        if stopped:
            stopped_rounds += 1
            if stopped_rounds > 1:  # one more round after STOPPED: the shipper's last flush
                return 0
        sleep(poll_interval)


class StreamReader:
    """Reads each target's stream forward from the head, remembering its forward token."""

    def __init__(self, logs_for: Callable[[str | None], Any]) -> None:
        self._logs_for = logs_for
        self._tokens: dict[LogTarget, str] = {}

    def drain(self, target: LogTarget) -> tuple[LogTarget, list[Mapping[str, Any]]]:
        """Every event after the remembered position, until the forward token repeats; none
        while the stream does not exist yet (the shipper creates it with the first batch)."""
        client = self._logs_for(target.region)
        events: list[Mapping[str, Any]] = []
        while True:
            kwargs: dict[str, Any] = {"logGroupName": target.group, "logStreamName": target.stream}
            token = self._tokens.get(target)
            if token:
                kwargs["nextToken"] = token
            else:
                kwargs["startFromHead"] = True
            try:
                page = client.get_log_events(**kwargs)
            except client.exceptions.ResourceNotFoundException:
                return target, events
            events += page["events"]
            new_token = page["nextForwardToken"]
            if new_token == token or not page["events"]:
                self._tokens[target] = new_token
                return target, events
            self._tokens[target] = new_token


def _describe_task(ecs: Any, task_ref: str, cluster: str | None) -> Mapping[str, Any] | None:
    kwargs: dict[str, Any] = {"tasks": [task_ref]}
    if cluster:
        kwargs["cluster"] = cluster
    tasks = ecs.describe_tasks(**kwargs).get("tasks", [])
    return tasks[0] if tasks else None


def _is_stopped(ecs: Any, task_ref: str, cluster: str | None) -> bool:
    task = _describe_task(ecs, task_ref, cluster)
    return task is None or task.get("lastStatus") == "STOPPED"
