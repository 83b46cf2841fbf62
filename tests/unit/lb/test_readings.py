"""Parsing HAProxy 2.6 output: ``show stat`` (a capture from a real 2.6.12 with a healthy, a
500-answering, a refused, a maintenance and a draining server) and ``show proc``."""

from __future__ import annotations

from pathlib import Path

import pytest

from dockyard.lb.proctable import ProcTable, parse_show_proc
from dockyard.lb.stats import (
    ProxyCounters,
    ProxyKind,
    ServerStatus,
    parse_counters,
    parse_server_health,
)

SHOW_STAT = (Path(__file__).parent / "data" / "show_stat_2_6.csv").read_text()


@pytest.mark.parametrize(
    "server,status,check,code,last",
    [
        ("ok", ServerStatus.UP, "L7OK", 200, ""),
        ("bad", ServerStatus.DOWN, "L7STS", 500, "Internal Server Error"),
        ("refused", ServerStatus.DOWN, "L4CON", None, "Connection refused"),
        ("off", ServerStatus.MAINT, "", None, ""),
        ("draining", ServerStatus.DRAIN, "L7OK", 200, ""),
    ],
)
def test_server_health_from_real_show_stat(
    server: str, status: ServerStatus, check: str, code: int | None, last: str
) -> None:
    health = parse_server_health(SHOW_STAT)[("be", server)]
    assert (health.status, health.check_status, health.check_code, health.last_check) == (
        status,
        check,
        code,
        last,
    )


def test_only_server_rows_are_servers() -> None:
    assert sorted(parse_server_health(SHOW_STAT)) == [
        ("be", name) for name in sorted(["ok", "bad", "refused", "off", "draining"])
    ]


def test_check_description_and_sessions() -> None:
    bad = parse_server_health(SHOW_STAT)[("be", "bad")]
    assert bad.check_description == "Layer7 wrong status"
    assert (bad.current_sessions, bad.weight) == (0, 1)


def test_counters_per_frontend_and_backend() -> None:
    counters = parse_counters(SHOW_STAT)
    assert sorted(counters) == [(ProxyKind.BACKEND, "be"), (ProxyKind.FRONTEND, "fe")]
    assert counters[(ProxyKind.BACKEND, "be")] == ProxyCounters(
        kind=ProxyKind.BACKEND,
        name="be",
        requests_total=1,
        http_2xx=1,
        http_3xx=0,
        http_4xx=0,
        http_5xx=0,
        response_time_ms=2,
        current_sessions=0,
        sessions_total=1,
    )


@pytest.mark.parametrize(
    "text,status",
    [
        ("UP 1/3", ServerStatus.UP),
        ("DOWN 1/2", ServerStatus.DOWN),
        ("MAINT (via be/x)", ServerStatus.MAINT),
        ("no check", ServerStatus.NO_CHECK),
        ("NOLB", ServerStatus.NOLB),
        ("DRAIN (agent)", ServerStatus.DRAIN),
    ],
)
def test_transitional_statuses_keep_their_first_word(text: str, status: ServerStatus) -> None:
    csv = f"# pxname,svname,status,type,check_status\nb,s,{text},2,* L7OK\n"
    health = parse_server_health(csv)[("b", "s")]
    assert (health.status, health.status_text, health.check_status) == (status, text, "L7OK")


def test_internal_proxies_are_not_counted() -> None:
    csv = "# pxname,svname,type,req_tot\n<HTTPCLIENT>,FRONTEND,0,1\nfe,FRONTEND,0,2\n"
    assert list(parse_counters(csv)) == [(ProxyKind.FRONTEND, "fe")]


SHOW_PROC = """\
#<PID>          <type>          <reloads>       <uptime>        <version>
10977           master          2 [failed: 1]   0d00h01m08s     2.6.12-1+deb12u4
# workers
12919           worker          0               0d00h00m00s     2.6.12-1+deb12u4
# old workers
12589           worker          1               0d00h00m16s     2.6.12-1+deb12u4
# programs
"""


def test_show_proc() -> None:
    assert parse_show_proc(SHOW_PROC) == ProcTable(
        master=10977, reloads=2, failed_reloads=1, workers=(12919,), old_workers=(12589,)
    )


def test_show_proc_without_workers() -> None:
    table = parse_show_proc("#<PID> <type>\n1 master 0 [failed: 0] 0d 2.6\n# workers\n")
    assert table.workers == () and table.master == 1
