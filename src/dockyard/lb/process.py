"""``HaproxyProcess``: one HAProxy 2.6 master-worker process on this host (imperative shell).

Files live in one directory (:class:`HaproxyPaths`, e.g. ``DATA_DIR/haproxy``): the config,
the master CLI socket (``-S``), the worker's admin stats socket, the server-state file, the
master's pid file and HAProxy's own log.

* :meth:`~HaproxyProcess.write_config` validates with ``haproxy -c`` and atomically replaces
  the config; nothing running changes.
* :meth:`~HaproxyProcess.start_or_reload` writes, then starts HAProxy (``haproxy -W -S … -f
  … -p …``, in its own session so Dockyard's Ctrl-C does not stop traffic) or reloads it.
* A reload dumps ``show servers state`` to the server-state file (so the new worker keeps
  health and admin states), sends ``reload`` on the master socket, and returns once the master
  reports a new worker and the stats socket answers from it. The old worker hands the listening
  sockets over (``expose-fd listeners``) and finishes its connections: no request is refused.
* A fresh start empties the server-state file: states are then the config's.
* :meth:`~HaproxyProcess.ensure_running` restarts HAProxy from the config on disk if the
  master died (HAProxy's workers exit with it). A master left running by an earlier Dockyard
  is adopted through the pid file.

Every wait is bounded by a named timeout; failures raise :mod:`dockyard.lb.errors` types.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from dockyard.lb.errors import (
    ConfigInvalid,
    HaproxyNotFound,
    ProcessFailed,
    RuntimeApiError,
)
from dockyard.lb.proctable import ProcTable, parse_show_proc
from dockyard.lb.transport import SocketTransport

__all__ = [
    "EMPTY_SERVER_STATE",
    "RELOAD_TIMEOUT",
    "START_TIMEOUT",
    "STOP_TIMEOUT",
    "VALIDATE_TIMEOUT",
    "HaproxyPaths",
    "HaproxyProcess",
    "ProcessSupervisor",
    "find_haproxy",
]

VALIDATE_TIMEOUT = 30.0
"""``haproxy -c`` parses the whole config; tens of milliseconds normally, seconds for
thousands of servers. Thirty seconds means it hung."""
START_TIMEOUT = 10.0
"""From exec to a worker answering on the stats socket: well under a second normally."""
RELOAD_TIMEOUT = 10.0
"""From ``reload`` to the new worker answering; the master re-executes and parses again."""
STOP_TIMEOUT = 5.0
"""After SIGTERM (hard stop), before SIGKILL."""
POLL_INTERVAL = 0.05
EMPTY_SERVER_STATE = "1\n"
"""A server-state file with only its version line: HAProxy loads nothing and warns about
nothing (a missing or empty file makes ``haproxy -c`` warn)."""
UNIX_PATH_MAX = 107
"""``sun_path`` holds 108 bytes including the terminating NUL."""


def find_haproxy() -> str:
    """The haproxy binary: on PATH, else Debian's ``/usr/sbin/haproxy``."""
    found = shutil.which("haproxy") or shutil.which("haproxy", path="/usr/sbin:/usr/local/sbin")
    if found is None:
        raise HaproxyNotFound("haproxy is not installed (apt-get install haproxy)")
    return found


@dataclass(frozen=True, slots=True)
class HaproxyPaths:
    directory: Path

    @property
    def config(self) -> Path:
        return self.directory / "haproxy.cfg"

    @property
    def candidate(self) -> Path:
        return self.directory / "haproxy.cfg.new"

    @property
    def master_socket(self) -> Path:
        return self.directory / "master.sock"

    @property
    def stats_socket(self) -> Path:
        return self.directory / "stats.sock"

    @property
    def server_state(self) -> Path:
        return self.directory / "server-state"

    @property
    def pid_file(self) -> Path:
        return self.directory / "haproxy.pid"

    @property
    def log(self) -> Path:
        return self.directory / "haproxy.log"


class ProcessSupervisor(Protocol):
    """What :class:`~dockyard.lb.controller.DataPlaneController` needs from the process."""

    def write_config(self, config: str) -> None: ...

    def start_or_reload(self, config: str) -> bool:
        """True when HAProxy was (re)started rather than reloaded."""
        ...

    def ensure_running(self) -> bool:
        """True when HAProxy had to be started again."""
        ...

    def is_running(self) -> bool: ...

    def stop(self) -> None: ...


class HaproxyProcess:
    """The :class:`ProcessSupervisor` of a real HAProxy. Not thread-safe: one caller."""

    def __init__(
        self,
        paths: HaproxyPaths,
        *,
        binary: str | None = None,
        monotonic: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.paths = paths
        self._binary = binary
        self._popen: subprocess.Popen[bytes] | None = None
        self._master = SocketTransport(paths.master_socket)
        self._stats = SocketTransport(paths.stats_socket)
        self._monotonic = monotonic
        self._sleep = sleep

    @property
    def binary(self) -> str:
        if self._binary is None:
            self._binary = find_haproxy()
        return self._binary

    def validate(self, config: str) -> None:
        """Raise :class:`ConfigInvalid` unless ``haproxy -c`` accepts ``config``."""
        self.paths.directory.mkdir(parents=True, exist_ok=True)
        self.paths.candidate.write_text(config)
        command = [self.binary, "-c", "-f", str(self.paths.candidate)]
        try:
            result = subprocess.run(
                command, capture_output=True, text=True, timeout=VALIDATE_TIMEOUT, check=False
            )
        except subprocess.TimeoutExpired as error:
            raise ConfigInvalid(f"haproxy -c did not finish in {VALIDATE_TIMEOUT}s") from error
        if result.returncode != 0:
            raise ConfigInvalid(result.stdout + result.stderr)

    def write_config(self, config: str) -> None:
        self.validate(config)
        if not self.paths.server_state.exists():
            self.paths.server_state.write_text(EMPTY_SERVER_STATE)
        os.replace(self.paths.candidate, self.paths.config)

    def start_or_reload(self, config: str) -> bool:
        self.write_config(config)
        if self.is_running():
            self.reload()
            return False
        self.start()
        return True

    def ensure_running(self) -> bool:
        if self.is_running():
            return False
        self.start()
        return True

    def is_running(self) -> bool:
        return self.master_pid() is not None

    def master_pid(self) -> int | None:
        """The live master's pid: the one this object started, else an adopted one."""
        if self._popen is not None:
            return self._popen.pid if self._popen.poll() is None else None
        return _adoptable_pid(self.paths.pid_file)

    def start(self) -> None:
        """Start HAProxy from the config on disk; return once a worker answers."""
        paths = self.paths
        for path in (paths.master_socket, paths.stats_socket):
            if len(str(path)) > UNIX_PATH_MAX:
                raise ProcessFailed(f"socket path longer than {UNIX_PATH_MAX} bytes: {path}")
        if not paths.config.exists():
            raise ProcessFailed(f"no configuration at {paths.config}")
        paths.server_state.write_text(EMPTY_SERVER_STATE)
        command = [
            self.binary,
            "-W",
            "-S",
            f"{paths.master_socket},mode,600",
            "-f",
            str(paths.config),
            "-p",
            str(paths.pid_file),
        ]
        with paths.log.open("ab") as log:
            self._popen = subprocess.Popen(
                command,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self._wait_for_worker(lambda table: bool(table.workers), START_TIMEOUT, "start")

    def reload(self) -> None:
        """Reload without refusing a connection; return once the new worker answers."""
        before = self.proc_table()
        state = self._master.send("@1 show servers state")
        temporary = self.paths.server_state.with_suffix(".new")
        temporary.write_text(state if state.startswith("1\n") else EMPTY_SERVER_STATE)
        os.replace(temporary, self.paths.server_state)
        with contextlib.suppress(RuntimeApiError):  # the master may close the CLI as it re-execs
            self._master.send("reload")

        def reloaded(table: ProcTable) -> bool:
            if table.failed_reloads > before.failed_reloads:
                raise ProcessFailed(f"haproxy reload failed: {self._log_tail()}")
            return table.reloads > before.reloads and _new_worker(table, before)

        self._wait_for_worker(reloaded, RELOAD_TIMEOUT, "reload")

    def proc_table(self) -> ProcTable:
        return parse_show_proc(self._master.send("show proc"))

    def worker_pids(self) -> tuple[int, ...]:
        return self.proc_table().workers

    def _wait_for_worker(
        self, ready: Callable[[ProcTable], bool], timeout: float, what: str
    ) -> None:
        """Poll the master until ``ready`` and the stats socket answers from its worker."""
        deadline = self._monotonic() + timeout
        while self._monotonic() < deadline:
            if not self.is_running():
                raise ProcessFailed(f"haproxy exited during {what}: {self._log_tail()}")
            try:
                table = self.proc_table()
                if ready(table) and _info_pid(self._stats.send("show info")) == table.workers[0]:
                    return
            except RuntimeApiError:
                pass  # sockets not bound yet, or being re-bound by the new worker
            self._sleep(POLL_INTERVAL)
        raise ProcessFailed(f"haproxy {what} not done in {timeout}s: {self._log_tail()}")

    def stop(self) -> None:
        """Hard-stop HAProxy (SIGTERM, SIGKILL after :data:`STOP_TIMEOUT`)."""
        pid = self.master_pid()
        if pid is None:
            return
        os.kill(pid, signal.SIGTERM)
        deadline = self._monotonic() + STOP_TIMEOUT
        while self.master_pid() is not None and self._monotonic() < deadline:
            self._sleep(POLL_INTERVAL)
        if self.master_pid() is not None:
            os.kill(pid, signal.SIGKILL)
            if self._popen is not None:
                self._popen.wait(STOP_TIMEOUT)
        self.paths.pid_file.unlink(missing_ok=True)

    def _log_tail(self, lines: int = 10) -> str:
        try:
            text = self.paths.log.read_text(errors="replace")
        except OSError:
            return "(no log)"
        return " | ".join(text.strip().splitlines()[-lines:])


def _new_worker(table: ProcTable, before: ProcTable) -> bool:
    return bool(table.workers) and table.workers[0] not in before.workers


def _info_pid(info: str) -> int | None:
    for line in info.splitlines():
        if line.startswith("Pid:"):
            return int(line.split(":", 1)[1])
    return None


def _adoptable_pid(pid_file: Path) -> int | None:
    """The pid in ``pid_file`` if that process is alive and is haproxy."""
    try:
        pid = int(pid_file.read_text().split()[0])
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except (OSError, ValueError, IndexError):
        return None
    return pid if b"haproxy" in cmdline else None
