"""The master CLI's ``show proc`` table, parsed. Pure.

HAProxy 2.6 prints::

    #<PID>          <type>          <reloads>       <uptime>        <version>
    10977           master          1 [failed: 0]   0d00h01m08s     2.6.12-1+deb12u4
    # workers
    12589           worker          0               0d00h00m16s     2.6.12-1+deb12u4
    # old workers
    12001           worker          1               0d00h02m16s     2.6.12-1+deb12u4
    # programs

The master's ``reloads`` counts its re-executions and ``failed`` the reloads whose new
configuration did not load (the old workers then keep serving). Current workers are listed
before old ones (still finishing connections after a reload).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["ProcTable", "parse_show_proc"]

MASTER_RE = re.compile(r"^(\d+)\s+master\s+(\d+)\s+\[failed:\s*(\d+)\]")
WORKER_RE = re.compile(r"^(\d+)\s+worker\b")


@dataclass(frozen=True, slots=True)
class ProcTable:
    master: int | None
    reloads: int
    failed_reloads: int
    workers: tuple[int, ...]
    old_workers: tuple[int, ...]


def parse_show_proc(text: str) -> ProcTable:
    master: int | None = None
    reloads = failed = 0
    sections: dict[str, list[int]] = {"# workers": [], "# old workers": []}
    current: list[int] | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("#"):
            current = sections.get(line)
        elif found := MASTER_RE.match(line):
            master, reloads, failed = (int(group) for group in found.groups())
        elif (worker := WORKER_RE.match(line)) and current is not None:
            current.append(int(worker.group(1)))
    return ProcTable(
        master=master,
        reloads=reloads,
        failed_reloads=failed,
        workers=tuple(sections["# workers"]),
        old_workers=tuple(sections["# old workers"]),
    )
