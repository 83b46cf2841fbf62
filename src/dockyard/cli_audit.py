"""``dockyard audit``: the CloudTrail-like trail of every call — who, what, where, decided how.

Reads CloudTrail ``LookupEvents`` from the endpoint (so it shows exactly what ``aws cloudtrail
lookup-events`` shows), newest first. CloudTrail allows one lookup attribute per query, so
``--user`` (or else ``--action``) is sent to the server and the other filters — ``--action``
when both are given, ``--denied`` — are applied here.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from dockyard.cli_logs import DEFAULT_ENDPOINT, _data_dir_credentials
from dockyard.infra.settings import DEFAULT_REGION, default_data_dir

__all__ = ["AuditRow", "register", "rows_from", "run"]

_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


@dataclass(frozen=True, slots=True)
class AuditRow:
    time: datetime
    user: str
    action: str
    resources: str
    decision: str
    error: str
    source_ip: str


def register(subparsers: Any) -> None:
    cmd = subparsers.add_parser("audit", help="who called what, and what was decided")
    cmd.add_argument("--user", help="only this user name (or session name)")
    cmd.add_argument("--action", help="only this operation, e.g. RunTask")
    cmd.add_argument("--denied", action="store_true", help="only refused calls")
    cmd.add_argument("--since", default="1h", help="how far back: 30s, 15m, 2h, 7d (default 1h)")
    cmd.add_argument("--limit", type=int, default=100, help="at most this many rows")
    cmd.add_argument("--json", action="store_true", help="print CloudTrail records as JSON lines")
    cmd.add_argument(
        "--endpoint", default=None, help=f"default: $AWS_ENDPOINT_URL or {DEFAULT_ENDPOINT}"
    )
    cmd.add_argument("--profile", default=None)
    cmd.add_argument("--region", default=None)
    cmd.add_argument("--data-dir", type=Path, default=None)
    cmd.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    from rich.console import Console

    client = _client(args)
    since = datetime.now(UTC) - parse_since(args.since)
    events = _events(client, args, since)
    rows = rows_from(events, action=args.action, denied_only=args.denied, limit=args.limit)
    if args.json:
        for event in events:
            record = json.loads(event["CloudTrailEvent"])
            if _keep(event, record, args.action, args.denied):
                print(json.dumps(record))
        return 0
    Console().print(render(rows))
    return 0


def parse_since(text: str) -> timedelta:
    """``90s`` / ``15m`` / ``2h`` / ``7d`` → a duration; a bare number is seconds."""
    text = text.strip()
    unit = text[-1:] if text[-1:] in _UNITS else "s"
    number = text[:-1] if text[-1:] in _UNITS else text
    try:
        return timedelta(seconds=float(number) * _UNITS[unit])
    except ValueError as exc:
        raise SystemExit(f"dockyard audit: cannot read --since {text!r} (try 15m, 2h, 7d)") from exc


def rows_from(
    events: Sequence[Mapping[str, Any]],
    *,
    action: str | None = None,
    denied_only: bool = False,
    limit: int = 100,
) -> list[AuditRow]:
    """Table rows from LookupEvents events, filtered client-side. Pure."""
    rows = []
    for event in events:
        record = json.loads(event["CloudTrailEvent"])
        if not _keep(event, record, action, denied_only):
            continue
        source = str(event.get("EventSource", "")).removesuffix(".amazonaws.com")
        rows.append(
            AuditRow(
                time=event["EventTime"],
                user=event.get("Username") or record["userIdentity"].get("arn") or "—",
                action=f"{source}:{event['EventName']}",
                resources=", ".join(r["ResourceName"] for r in event.get("Resources", [])) or "*",
                decision=record.get("dockyardDecision", "?"),
                error=record.get("errorCode", ""),
                source_ip=record.get("sourceIPAddress", ""),
            )
        )
        if len(rows) >= limit:
            break
    return rows


def _keep(
    event: Mapping[str, Any], record: Mapping[str, Any], action: str | None, denied: bool
) -> bool:
    if action and event.get("EventName") != action:
        return False
    return not denied or record.get("dockyardDecision") != "Allow"


def render(rows: Sequence[AuditRow]) -> Any:
    from rich.table import Table

    table = Table(title=f"dockyard audit — {len(rows)} calls, newest first")
    for column in ("time (UTC)", "user", "action", "resources", "decision", "error", "from"):
        table.add_column(column, overflow="fold")
    for r in rows:
        style = "red" if r.decision != "Allow" else None
        table.add_row(
            f"{r.time:%Y-%m-%d %H:%M:%S}",
            r.user,
            r.action,
            r.resources,
            r.decision,
            r.error,
            r.source_ip,
            style=style,
        )
    return table


def _events(client: Any, args: argparse.Namespace, since: datetime) -> list[dict[str, Any]]:
    attributes = []
    if args.user:
        attributes = [{"AttributeKey": "Username", "AttributeValue": args.user}]
    elif args.action:
        attributes = [{"AttributeKey": "EventName", "AttributeValue": args.action}]
    wanted = args.limit if not args.denied and not (args.user and args.action) else None
    return list(_paged(client, attributes, since, wanted))


def _paged(
    client: Any, attributes: list[dict[str, str]], since: datetime, wanted: int | None
) -> Iterator[dict[str, Any]]:
    pages = client.get_paginator("lookup_events").paginate(
        LookupAttributes=attributes, StartTime=since
    )
    count = 0
    for page in pages:
        for event in page["Events"]:
            yield event
            count += 1
            if wanted is not None and count >= wanted:
                return


def _client(args: argparse.Namespace) -> Any:
    import boto3

    endpoint = args.endpoint or os.environ.get("AWS_ENDPOINT_URL") or DEFAULT_ENDPOINT
    session = boto3.session.Session(profile_name=args.profile, region_name=args.region)
    region = session.region_name or DEFAULT_REGION
    if session.get_credentials() is None:
        key, secret = _data_dir_credentials(args.data_dir or default_data_dir())
        session = boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, region_name=region
        )
    return session.client("cloudtrail", endpoint_url=endpoint, region_name=region)
