"""A real ``dockyard server`` process for end-to-end tests and benchmarks."""

from __future__ import annotations

import configparser
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

STARTUP_TIMEOUT_SECONDS = 30.0
"""Cold start includes migrations and botocore model loading; 30 s is generous on a busy box."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class ServerProcess:
    data_dir: Path
    port: int = field(default_factory=free_port)
    db_url: str | None = None
    region: str = "us-east-1"
    account_id: str = "123456789012"
    extra_args: tuple[str, ...] = ()
    command: str = "server"
    """``server``, or ``up`` (control plane + a local Docker agent)."""
    proc: subprocess.Popen[bytes] | None = None

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def credentials_file(self) -> Path:
        return self.data_dir / "credentials"

    def credentials(self) -> tuple[str, str]:
        parser = configparser.ConfigParser()
        parser.read(self.credentials_file)
        section = parser["dockyard"]
        return section["aws_access_key_id"], section["aws_secret_access_key"]

    def start(self) -> ServerProcess:
        cmd = [
            sys.executable,
            "-m",
            "dockyard.cli",
            self.command,
            "--port",
            str(self.port),
            "--data-dir",
            str(self.data_dir),
            "--region",
            self.region,
            "--account-id",
            self.account_id,
            "--log-level",
            "warning",
            *self.extra_args,
        ]
        if self.db_url:
            cmd += ["--db", self.db_url]
        log = open(self.data_dir.parent / f"server-{self.port}.log", "ab")  # noqa: SIM115
        self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT)
        self._wait_healthy()
        return self

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.proc = None

    def kill(self) -> None:
        """SIGKILL, as a crash would: no shutdown code runs."""
        if self.proc and self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()
        self.proc = None

    def env(self) -> dict[str, str]:
        """Environment for a subprocess using the aws CLI against this server."""
        env = dict(os.environ)
        env.update(
            AWS_ENDPOINT_URL=self.endpoint,
            AWS_SHARED_CREDENTIALS_FILE=str(self.credentials_file),
            AWS_PROFILE="dockyard",
            AWS_DEFAULT_REGION=self.region,
            AWS_CONFIG_FILE=os.devnull,
        )
        for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"):
            env.pop(name, None)
        return env

    def client(self, service: str = "ecs", **kwargs: object):  # type: ignore[no-untyped-def]
        import boto3

        key, secret = self.credentials()
        session = boto3.session.Session(
            aws_access_key_id=key, aws_secret_access_key=secret, region_name=self.region
        )
        return session.client(service, endpoint_url=self.endpoint, **kwargs)  # type: ignore[call-overload]

    def _wait_healthy(self) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
        url = self.endpoint + "/_dockyard/health"
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"dockyard server exited with {self.proc.returncode}")
            try:
                with urllib.request.urlopen(url, timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("dockyard server did not become healthy in time")
