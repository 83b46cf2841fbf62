"""Typed readings of HAProxy's ``show stat`` CSV: server health and proxy counters. Pure.

Columns are found by their header names (the ``# pxname,svname,…`` first line), never by
position, so the parser survives HAProxy adding columns. Empty cells read as 0 or None.

Server ``status`` in 2.6 is one of ``UP``, ``DOWN``, ``NOLB``, ``MAINT``, ``DRAIN`` or ``no
check``, optionally followed by a transition (``UP 1/3``: up, one failed check of three
before down) or a cause (``MAINT (via b/s)``); :class:`ServerHealth` keeps the first word as
:class:`ServerStatus` and the whole text as ``status_text``. ``check_status`` is HAProxy's
check result code (``L7OK``, ``L7STS``, ``L4CON``, ``L4TOUT``, ``INI``, …) without the ``* ``
marking a check in progress.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from enum import StrEnum

__all__ = [
    "ProxyCounters",
    "ProxyKind",
    "ServerHealth",
    "ServerStatus",
    "parse_counters",
    "parse_server_health",
]

TYPE_FRONTEND, TYPE_BACKEND, TYPE_SERVER = "0", "1", "2"
"""The ``type`` column of ``show stat``."""

INTERNAL_PREFIX = "<"
"""HAProxy's own proxies (``<HTTPCLIENT>``) are named in angle brackets."""


class ServerStatus(StrEnum):
    UP = "UP"
    DOWN = "DOWN"
    NOLB = "NOLB"
    MAINT = "MAINT"
    DRAIN = "DRAIN"
    NO_CHECK = "no check"


class ProxyKind(StrEnum):
    FRONTEND = "frontend"
    BACKEND = "backend"


@dataclass(frozen=True, slots=True)
class ServerHealth:
    """One server's row of ``show stat``."""

    backend: str
    server: str
    status: ServerStatus
    status_text: str
    check_status: str
    check_code: int | None
    check_description: str
    """HAProxy's description of ``check_status`` (``Layer7 wrong status``)."""
    last_check: str
    """Details of the last check (``Internal Server Error``, ``Connection refused``)."""
    current_sessions: int
    weight: int


@dataclass(frozen=True, slots=True)
class ProxyCounters:
    """A frontend's or backend's totals since the worker started (a reload resets them)."""

    kind: ProxyKind
    name: str
    requests_total: int
    http_2xx: int
    http_3xx: int
    http_4xx: int
    http_5xx: int
    response_time_ms: int
    """Average over the last 1024 requests (backends only; 0 for frontends)."""
    current_sessions: int
    sessions_total: int


def _rows(csv_text: str) -> list[dict[str, str]]:
    text = csv_text.lstrip()
    if text.startswith("# "):
        text = text[2:]
    return [row for row in csv.DictReader(io.StringIO(text)) if row.get("pxname")]


def _int(row: dict[str, str], column: str) -> int:
    value = row.get(column) or ""
    return int(value) if value.isdigit() else 0


def _status(text: str) -> ServerStatus:
    if text.startswith("no check"):
        return ServerStatus.NO_CHECK
    first = text.split(" ", 1)[0]
    try:
        return ServerStatus(first)
    except ValueError:
        return ServerStatus.DOWN


def parse_server_health(csv_text: str) -> dict[tuple[str, str], ServerHealth]:
    """``{(backend, server): ServerHealth}`` for every server row."""
    health: dict[tuple[str, str], ServerHealth] = {}
    for row in _rows(csv_text):
        if row.get("type") != TYPE_SERVER:
            continue
        code = row.get("check_code") or ""
        item = ServerHealth(
            backend=row["pxname"],
            server=row["svname"],
            status=_status(row.get("status") or ""),
            status_text=row.get("status") or "",
            check_status=(row.get("check_status") or "").removeprefix("* "),
            check_code=int(code) if code.isdigit() else None,
            check_description=row.get("check_desc") or "",
            last_check=row.get("last_chk") or "",
            current_sessions=_int(row, "scur"),
            weight=_int(row, "weight"),
        )
        health[(item.backend, item.server)] = item
    return health


def parse_counters(csv_text: str) -> dict[tuple[ProxyKind, str], ProxyCounters]:
    """``{(kind, name): ProxyCounters}`` for every frontend and backend row."""
    kinds = {TYPE_FRONTEND: ProxyKind.FRONTEND, TYPE_BACKEND: ProxyKind.BACKEND}
    counters: dict[tuple[ProxyKind, str], ProxyCounters] = {}
    for row in _rows(csv_text):
        kind = kinds.get(row.get("type") or "")
        if kind is None or row["pxname"].startswith(INTERNAL_PREFIX):
            continue
        counters[(kind, row["pxname"])] = ProxyCounters(
            kind=kind,
            name=row["pxname"],
            requests_total=_int(row, "req_tot"),
            http_2xx=_int(row, "hrsp_2xx"),
            http_3xx=_int(row, "hrsp_3xx"),
            http_4xx=_int(row, "hrsp_4xx"),
            http_5xx=_int(row, "hrsp_5xx"),
            response_time_ms=_int(row, "rtime"),
            current_sessions=_int(row, "scur"),
            sessions_total=_int(row, "stot"),
        )
    return counters
