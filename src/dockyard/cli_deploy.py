"""``dockyard deploy``: register a task definition revision, point a service at it and follow
the rollout until it completes, fails or times out.

::

    dockyard deploy --cluster C --service S --task-definition FILE.json [--desired-count N]
                    [--force-new-deployment] [--timeout SECONDS] [--poll SECONDS] [--no-wait]
                    [--endpoint URL] [--profile P] [--region R] [--data-dir D]

``FILE.json`` is a RegisterTaskDefinition input (what ``aws ecs register-task-definition
--cli-input-json`` takes) or DescribeTaskDefinition output (``{"taskDefinition": {...}}``,
whose read-only fields are dropped). The deployment followed is the PRIMARY that UpdateService
answers with; DescribeServices is polled every ``--poll`` seconds. On a terminal the rollout is
a live ``rich`` table; otherwise each new service event and each deployment change is a line.

Contract (exit codes):

* ``0``: that deployment is COMPLETED and the only one (or, without ``rolloutState``: the
  only deployment and runningCount == desiredCount); with ``--no-wait``, once it exists.
* ``1``: it FAILED, the service rolled back or another deployment replaced it, the service is
  no longer ACTIVE, ``--timeout`` passed, or an AWS call failed (``error: CODE: MESSAGE``).
* ``2``: FILE.json is unreadable or not a valid RegisterTaskDefinition input.

The pure parts (``task_definition_input``, ``rollout_verdict``, ``new_events``,
``deployment_row``, ``render_rollout``) take DescribeServices-shaped dicts; the loop
(``follow_rollout``) takes ``sleep`` and ``now`` so tests never wait.
"""

from __future__ import annotations

import argparse
import enum
import json
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, Protocol, TextIO

from dockyard.cli_logs import DEFAULT_ENDPOINT, Clients

if TYPE_CHECKING:  # rich is imported where used: other commands should not pay for it
    from rich.console import RenderableType
    from rich.live import Live

__all__ = [
    "READ_ONLY_FIELDS",
    "LiveView",
    "PlainView",
    "RolloutView",
    "TaskDefinitionFileError",
    "Verdict",
    "deploy",
    "deployment_line",
    "deployment_row",
    "event_line",
    "follow_rollout",
    "health_counts",
    "load_task_definition",
    "new_events",
    "primary_deployment",
    "register",
    "render_rollout",
    "rollout_verdict",
    "run",
    "short_task_definition",
    "task_definition_input",
    "verdict_message",
]

DEFAULT_TIMEOUT_SECONDS = 1800.0
"""Thirty minutes: a rollout at ECS's health-check defaults (40 s healthy-after, batches of
min/max percent) of a large service fits comfortably; ``--timeout`` for anything longer."""
DEFAULT_POLL_SECONDS = 2.0
"""DescribeServices every two seconds: fresh enough to watch, light on the control plane."""
LIVE_EVENTS_SHOWN = 10
"""The live view shows this many of the newest events (plain output prints every one)."""
DESCRIBE_TASKS_BATCH = 100
"""DescribeTasks takes at most 100 tasks per call."""

READ_ONLY_FIELDS = frozenset(
    {
        "taskDefinitionArn",
        "revision",
        "status",
        "requiresAttributes",
        "compatibilities",
        "registeredAt",
        "registeredBy",
        "deregisteredAt",
        "deleteRequestedAt",
    }
)
"""DescribeTaskDefinition fields RegisterTaskDefinition does not accept."""

ROLLBACK_MARK = "rolling back"
"""ECS's rollback deployment says ``… circuit breaker: rolling back to deploymentId …``."""


class TaskDefinitionFileError(ValueError):
    """FILE.json cannot be used as a RegisterTaskDefinition input."""


class Verdict(enum.Enum):
    """Where the followed deployment stands; everything but IN_PROGRESS ends the wait."""

    IN_PROGRESS = "IN_PROGRESS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    ROLLED_BACK = "ROLLED_BACK"
    SUPERSEDED = "SUPERSEDED"
    """Another UpdateService made a newer PRIMARY (not a rollback)."""
    GONE = "GONE"
    """The service is missing or no longer ACTIVE."""


# --- pure parts ------------------------------------------------------------------------------


def task_definition_input(document: Any) -> dict[str, Any]:
    """The RegisterTaskDefinition parameters in ``document``: as given, or unwrapped from
    DescribeTaskDefinition output without its read-only fields (non-empty ``tags`` kept)."""
    if not isinstance(document, dict):
        raise TaskDefinitionFileError("expected a JSON object")
    params = dict(document)
    if "taskDefinition" in params:
        wrapped = params["taskDefinition"]
        if not isinstance(wrapped, dict):
            raise TaskDefinitionFileError('"taskDefinition" must be an object')
        tags = params.get("tags")
        params = {k: v for k, v in wrapped.items() if k not in READ_ONLY_FIELDS}
        if tags:
            params["tags"] = tags
    if not isinstance(params.get("family"), str) or not params["family"]:
        raise TaskDefinitionFileError('"family" is missing')
    if not isinstance(params.get("containerDefinitions"), list):
        raise TaskDefinitionFileError('"containerDefinitions" must be a list')
    return params


def load_task_definition(path: Path) -> dict[str, Any]:
    """``task_definition_input`` of the JSON file at ``path``."""
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as error:
        raise TaskDefinitionFileError(error.strerror or str(error)) from error
    except ValueError as error:
        raise TaskDefinitionFileError(f"not valid JSON: {error}") from error
    return task_definition_input(document)


def _find(deployments: Sequence[Mapping[str, Any]], deployment_id: str) -> Mapping[str, Any] | None:
    return next((d for d in deployments if d.get("id") == deployment_id), None)


def primary_deployment(service: Mapping[str, Any]) -> Mapping[str, Any] | None:
    return next((d for d in service.get("deployments", []) if d.get("status") == "PRIMARY"), None)


def rollout_verdict(service: Mapping[str, Any] | None, deployment_id: str) -> Verdict:
    """Where deployment ``deployment_id`` of a DescribeServices ``service`` stands (``None``:
    the service was not found). Pure."""
    if service is None or service.get("status") != "ACTIVE":
        return Verdict.GONE
    deployments = service.get("deployments", [])
    mine, primary = _find(deployments, deployment_id), primary_deployment(service)
    if primary is not None and primary.get("id") != deployment_id:
        if ROLLBACK_MARK in (primary.get("rolloutStateReason") or "").lower():
            return Verdict.ROLLED_BACK
        if mine is None or mine.get("rolloutState") != "FAILED":
            return Verdict.SUPERSEDED
    if mine is None:
        return Verdict.SUPERSEDED
    state = mine.get("rolloutState")
    if state == "FAILED":
        return Verdict.FAILED
    alone = len(deployments) == 1
    if state == "COMPLETED" and alone:
        return Verdict.COMPLETED
    if state is None and alone and service.get("runningCount") == service.get("desiredCount"):
        return Verdict.COMPLETED
    return Verdict.IN_PROGRESS


def verdict_message(verdict: Verdict, service: Mapping[str, Any] | None, deployment_id: str) -> str:
    """Why the wait ended (a second line names the rollback deployment). Pure."""
    deployments = (service or {}).get("deployments", [])
    mine, primary = _find(deployments, deployment_id), primary_deployment(service or {})
    reason = (mine or {}).get("rolloutStateReason") or ""
    if verdict is Verdict.COMPLETED:
        return f"deployment {deployment_id} completed"
    if verdict is Verdict.FAILED:
        return f"deployment {deployment_id} failed: {reason or 'no reason given'}"
    if verdict is Verdict.ROLLED_BACK:
        back = f"{(primary or {}).get('id')} ({(primary or {}).get('rolloutStateReason')})"
        failed = f"deployment {deployment_id} failed" + (f": {reason}" if reason else "")
        return f"{failed}\nthe service is rolling back in deployment {back}"
    if verdict is Verdict.SUPERSEDED:
        newer = (primary or {}).get("id", "another deployment")
        return f"deployment {deployment_id} was replaced by {newer}"
    if verdict is Verdict.GONE:
        status = (service or {}).get("status", "MISSING")
        return f"the service is {status}; stopped following deployment {deployment_id}"
    return f"deployment {deployment_id} is in progress"


def new_events(service: Mapping[str, Any], seen_ids: Iterable[str]) -> list[Mapping[str, Any]]:
    """Events of ``service`` whose id is not in ``seen_ids``, oldest first (the API lists
    newest first). Pure."""
    seen = set(seen_ids)
    return [e for e in reversed(service.get("events", [])) if e.get("id") not in seen]


def short_task_definition(arn: str | None) -> str:
    """``family:revision`` of a task definition ARN (anything else as given)."""
    return (arn or "-").rsplit("/", 1)[-1]


def deployment_row(deployment: Mapping[str, Any]) -> tuple[str, ...]:
    """id, status, family:revision, rolloutState, desired, pending, running, failed."""
    return (
        str(deployment.get("id", "-")),
        str(deployment.get("status", "-")),
        short_task_definition(deployment.get("taskDefinition")),
        str(deployment.get("rolloutState", "-")),
        *(
            str(deployment.get(key, 0))
            for key in ("desiredCount", "pendingCount", "runningCount", "failedTasks")
        ),
    )


def deployment_line(deployment: Mapping[str, Any]) -> str:
    """``deployment_row`` as one plain line."""
    ident, status, td, state, desired, pending, running, failed = deployment_row(deployment)
    return (
        f"deployment {ident} {status} {td} {state}: desired {desired}, pending {pending}, "
        f"running {running}, failed {failed}"
    )


def event_line(event: Mapping[str, Any]) -> str:
    created = event.get("createdAt")
    stamp = created.strftime("%H:%M:%S") if isinstance(created, datetime) else str(created or "")
    return f"{stamp} {event.get('message', '')}".strip()


def health_counts(tasks: Iterable[Mapping[str, Any]]) -> Counter[str]:
    """How many DescribeTasks tasks are in each ``healthStatus`` (absent counts UNKNOWN)."""
    return Counter(str(t.get("healthStatus") or "UNKNOWN") for t in tasks)


COLUMNS = ("deployment", "status", "task def", "rollout", "want", "pend", "run", "fail")
"""Headers of ``deployment_row``'s fields; short so the table fits 80 columns unwrapped."""


def render_rollout(
    service: Mapping[str, Any],
    deployment_id: str,
    *,
    events: Sequence[Mapping[str, Any]],
    health: Mapping[str, int] | None,
    elapsed: float,
) -> RenderableType:
    """The live view: one row per deployment (the followed one in bold), the PRIMARY's task
    health, and ``events`` (oldest first). Pure."""
    from rich.console import Group
    from rich.table import Table
    from rich.text import Text

    title = f"{service.get('serviceName', '?')} — waiting {elapsed:.0f}s"
    table = Table(title=title, title_justify="left", box=None, padding=(0, 1, 0, 0))
    for index, column in enumerate(COLUMNS):
        justify: Literal["left", "right"] = "right" if index >= 4 else "left"
        table.add_column(column, justify=justify, no_wrap=True, header_style="bold underline")
    for deployment in service.get("deployments", []):
        mine = deployment.get("id") == deployment_id
        table.add_row(*deployment_row(deployment), style="bold" if mine else None)
    parts: list[RenderableType] = [table]
    if health:
        summary = ", ".join(f"{count} {status}" for status, count in sorted(health.items()))
        parts.append(Text(f"PRIMARY tasks: {summary}"))
    for event in events[-LIVE_EVENTS_SHOWN:]:
        parts.append(Text(event_line(event), style="dim"))
    return Group(*parts)


# --- shell -----------------------------------------------------------------------------------


class RolloutView(Protocol):
    """Shows each DescribeServices answer (``None``: service not found) while waiting."""

    def show(self, service: Mapping[str, Any] | None, elapsed: float) -> None: ...


class PlainView:
    """A line per new event and per deployment whose row changed (for pipes and logs)."""

    def __init__(self, out: TextIO, seen_event_ids: Iterable[str]) -> None:
        self._out = out
        self._seen = set(seen_event_ids)
        self._rows: dict[str, tuple[str, ...]] = {}

    def show(self, service: Mapping[str, Any] | None, elapsed: float) -> None:
        if service is None:
            return
        for event in new_events(service, self._seen):
            self._seen.add(str(event.get("id")))
            print(event_line(event), file=self._out, flush=True)
        for deployment in service.get("deployments", []):
            row = deployment_row(deployment)
            if self._rows.get(row[0]) != row:
                self._rows[row[0]] = row
                print(deployment_line(deployment), file=self._out, flush=True)


class LiveView:
    """The ``rich`` live table, with the PRIMARY's task health from ListTasks/DescribeTasks."""

    def __init__(
        self,
        live: Live,
        deployment_id: str,
        seen_event_ids: Iterable[str],
        health: Callable[[Mapping[str, Any]], Mapping[str, int]],
    ) -> None:
        self._live, self._deployment_id, self._health = live, deployment_id, health
        self._seen = set(seen_event_ids)
        self._events: list[Mapping[str, Any]] = []

    def show(self, service: Mapping[str, Any] | None, elapsed: float) -> None:
        if service is None:
            return
        fresh = new_events(service, self._seen)
        self._seen.update(str(e.get("id")) for e in fresh)
        self._events = (self._events + fresh)[-LIVE_EVENTS_SHOWN:]
        view = render_rollout(
            service,
            self._deployment_id,
            events=self._events,
            health=self._health(service),
            elapsed=elapsed,
        )
        self._live.update(view, refresh=True)


def follow_rollout(
    describe: Callable[[], Mapping[str, Any] | None],
    deployment_id: str,
    *,
    view: RolloutView,
    timeout: float,
    poll: float,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> tuple[Verdict, str]:
    """Poll ``describe`` until deployment ``deployment_id`` reaches a verdict other than
    IN_PROGRESS, or ``timeout`` seconds pass (IN_PROGRESS is then returned)."""
    start = now()
    while True:
        service = describe()
        elapsed = now() - start
        view.show(service, elapsed)
        verdict = rollout_verdict(service, deployment_id)
        if verdict is not Verdict.IN_PROGRESS:
            return verdict, verdict_message(verdict, service, deployment_id)
        if elapsed >= timeout:
            state = (_find((service or {}).get("deployments", []), deployment_id) or {}).get(
                "rolloutState", "IN_PROGRESS"
            )
            return verdict, (
                f"timed out after {timeout:g}s waiting for deployment {deployment_id} "
                f"(rolloutState {state}); it continues in the background"
            )
        sleep(min(poll, max(timeout - elapsed, 0.0)))


def register(subparsers: Any) -> None:
    """Add ``deploy`` to ``dockyard``'s sub-commands."""
    cmd = subparsers.add_parser(
        "deploy", help="register a task definition, update a service, follow the rollout"
    )
    cmd.add_argument("--cluster", required=True, help="cluster name or ARN")
    cmd.add_argument("--service", required=True, help="service name or ARN")
    cmd.add_argument("--task-definition", required=True, type=Path, metavar="FILE.json")
    cmd.add_argument("--desired-count", type=int, default=None)
    cmd.add_argument("--force-new-deployment", action="store_true")
    cmd.add_argument("--timeout", type=float, default=DEFAULT_TIMEOUT_SECONDS, metavar="SECONDS")
    cmd.add_argument("--poll", type=float, default=DEFAULT_POLL_SECONDS, metavar="SECONDS")
    cmd.add_argument("--no-wait", action="store_true", help="return once the service is updated")
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
    """The ``deploy`` command: errors become messages and exit codes (see the module doc)."""
    from botocore.exceptions import BotoCoreError, ClientError, ParamValidationError

    try:
        params = load_task_definition(args.task_definition)
    except TaskDefinitionFileError as error:
        print(f"error: {args.task_definition}: {error}", file=sys.stderr)
        return 2
    try:
        ecs = Clients.from_args(args).ecs
        return deploy(ecs, args, params, out=sys.stdout, err=sys.stderr)
    except ParamValidationError as error:
        print(f"error: {args.task_definition}: {error}", file=sys.stderr)
        return 2
    except ClientError as error:
        info = error.response.get("Error", {})
        print(f"error: {info.get('Code')}: {info.get('Message')}", file=sys.stderr)
        return 1
    except BotoCoreError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("interrupted; the deployment continues", file=sys.stderr)
        return 130


def deploy(
    ecs: Any,
    args: argparse.Namespace,
    params: Mapping[str, Any],
    *,
    out: TextIO,
    err: TextIO,
    sleep: Callable[[float], None] = time.sleep,
    now: Callable[[], float] = time.monotonic,
) -> int:
    """Register, update, then (unless ``--no-wait``) follow; AWS errors propagate."""
    arn = ecs.register_task_definition(**params)["taskDefinition"]["taskDefinitionArn"]
    print(f"registered {arn}", file=out, flush=True)
    update: dict[str, Any] = {"cluster": args.cluster, "service": args.service}
    update["taskDefinition"] = arn
    if args.desired_count is not None:
        update["desiredCount"] = args.desired_count
    if args.force_new_deployment:
        update["forceNewDeployment"] = True
    service = ecs.update_service(**update)["service"]
    primary = primary_deployment(service)
    if primary is None:
        print("error: UpdateService answered without a PRIMARY deployment", file=err)
        return 1
    deployment_id = str(primary["id"])
    print(f"deployment {deployment_id} started", file=out, flush=True)
    if args.no_wait:
        return 0
    seen = [str(e.get("id")) for e in service.get("events", [])]
    verdict, message = _wait(ecs, args, deployment_id, seen, out=out, sleep=sleep, now=now)
    print(message, file=out if verdict is Verdict.COMPLETED else err, flush=True)
    return 0 if verdict is Verdict.COMPLETED else 1


def _wait(
    ecs: Any,
    args: argparse.Namespace,
    deployment_id: str,
    seen: list[str],
    *,
    out: TextIO,
    sleep: Callable[[float], None],
    now: Callable[[], float],
) -> tuple[Verdict, str]:
    def describe() -> Mapping[str, Any] | None:
        found = ecs.describe_services(cluster=args.cluster, services=[args.service])
        return next(iter(found.get("services", [])), None)

    def follow(view: RolloutView) -> tuple[Verdict, str]:
        return follow_rollout(
            describe,
            deployment_id,
            view=view,
            timeout=args.timeout,
            poll=args.poll,
            sleep=sleep,
            now=now,
        )

    if not out.isatty():
        return follow(PlainView(out, seen))
    from rich.console import Console
    from rich.live import Live

    with Live(console=Console(file=out), auto_refresh=False) as live:

        def health(service: Mapping[str, Any]) -> Mapping[str, int]:
            return _primary_health(ecs, args.cluster, service)

        return follow(LiveView(live, deployment_id, seen, health))


def _primary_health(ecs: Any, cluster: str, service: Mapping[str, Any]) -> Counter[str]:
    """healthStatus counts of the PRIMARY deployment's live tasks."""
    primary = primary_deployment(service)
    if primary is None:
        return Counter()
    arns: list[str] = []
    pages = ecs.get_paginator("list_tasks").paginate(cluster=cluster, startedBy=primary["id"])
    for page in pages:
        arns += page.get("taskArns", [])
    tasks: list[Mapping[str, Any]] = []
    for i in range(0, len(arns), DESCRIBE_TASKS_BATCH):
        batch = arns[i : i + DESCRIBE_TASKS_BATCH]
        tasks += ecs.describe_tasks(cluster=cluster, tasks=batch).get("tasks", [])
    return health_counts(tasks)
