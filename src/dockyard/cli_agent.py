"""``dockyard agent`` and ``dockyard up``.

::

    dockyard agent [--endpoint URL] [--cluster C] [--runtime docker|simulated] [--count N] ...
    dockyard up [--port P] [--data-dir D]      control plane + one local Docker agent

Both take the agent options, among them ``--credentials-address HOST:PORT|off`` (the task
credentials endpoint, default 169.254.170.2:80; a Docker agent only) and ``--s3-endpoint URL``
(where environment files are read, also ``DOCKYARD_S3_ENDPOINT``).

``up`` runs the control plane on this thread (uvicorn handles Ctrl-C) and the agent on a
background thread that waits for the endpoint, creates cluster ``default`` and registers this
host in it. Stopping ``up`` stops Dockyard, never the containers it started.
"""

from __future__ import annotations

import argparse
import configparser
import logging
import os
import secrets
import sys
import threading
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from dockyard.agent.client import HttpControlPlane
from dockyard.agent.credentials_server import (
    DEFAULT_CREDENTIALS_HOST,
    DEFAULT_CREDENTIALS_PORT,
    parse_address,
)
from dockyard.agent.docker.model import ContainerRuntime, PullBehavior
from dockyard.agent.engine import DEFAULT_CLEANUP_WAIT_SECONDS
from dockyard.agent.host import HostFacts, RegistrationOptions, detect_host
from dockyard.agent.log_collector import LogCollector
from dockyard.agent.process import Agent, AgentConfig
from dockyard.agent.record import TaskRecord
from dockyard.agent.secrets_fetch import ExecutionResourceFetcher
from dockyard.agent.steps import StepRunner
from dockyard.agent.task_resources import TaskResources
from dockyard.infra.clock import SystemClock
from dockyard.infra.settings import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_PORT,
    DEFAULT_REGION,
    default_data_dir,
)

log = logging.getLogger("dockyard.cli")

__all__ = ["register"]

READY_TIMEOUT_SECONDS = 60.0


def register(commands: Any, common: Any) -> None:
    """Add ``agent`` and ``up`` to the ``dockyard`` subcommands."""
    agent = commands.add_parser("agent", help="run an agent that registers this host")
    agent.add_argument(
        "--endpoint",
        default=os.environ.get("AWS_ENDPOINT_URL") or f"http://127.0.0.1:{DEFAULT_PORT}",
    )
    agent.add_argument("--cluster", default="default")
    agent.add_argument(
        "--region",
        default=os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or DEFAULT_REGION,
    )
    agent.add_argument("--profile", default=None)
    agent.add_argument(
        "--data-dir", type=Path, default=None, help="local state (default: DOCKYARD_DATA_DIR/agent)"
    )
    agent.add_argument("--runtime", choices=("docker", "simulated"), default="docker")
    agent.add_argument("--count", type=int, default=1, help="instances (simulated runtime)")
    agent.add_argument("--sim-start-delay", type=float, default=0.0)
    agent.add_argument("--sim-exit-after", type=float, default=None)
    agent.add_argument("--sim-exit-code", type=int, default=0)
    _agent_options(agent)
    agent.add_argument("--log-level", default="info")
    agent.set_defaults(func=_agent)

    up = commands.add_parser("up", help="control plane + a local Docker agent, one command")
    common(up)
    up.add_argument("--host", default="127.0.0.1")
    up.add_argument("--db", default=None, help="SQLAlchemy URL (default: SQLite in data dir)")
    up.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID)
    up.add_argument("--log-level", default="info")
    from dockyard.cli import add_scheduler_options

    add_scheduler_options(up, default_profile="fast")
    _agent_options(up)
    up.set_defaults(func=_up)


def _agent_options(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--host-ip", default="127.0.0.1", help="where bridge ports are published")
    cmd.add_argument("--reserved-memory-mib", type=int, default=0)
    cmd.add_argument("--cpu-units", type=int, default=None)
    cmd.add_argument("--memory-mib", type=int, default=None)
    cmd.add_argument("--attribute", action="append", default=[], metavar="NAME=VALUE")
    cmd.add_argument(
        "--availability-zone",
        default=None,
        help="zone attribute; a comma-separated list rotates over a --count fleet",
    )
    cmd.add_argument(
        "--instance-type",
        default="dockyard.local",
        help="instance-type attribute; a comma-separated list rotates over a --count fleet",
    )
    cmd.add_argument(
        "--pull-behavior",
        choices=[b.value for b in PullBehavior],
        default=PullBehavior.DEFAULT.value,
    )
    cmd.add_argument("--workers", type=int, default=32)
    cmd.add_argument(
        "--metrics-interval",
        type=float,
        default=None,
        metavar="SECONDS",
        help="container CPU / memory sampling period (0: off; default 10, or 2 under "
        "`dockyard up --scaling-profile fast` so its 10-second alarm periods see ~5 samples)",
    )
    cmd.add_argument(
        "--credentials-address",
        type=_credentials_address,
        default=(DEFAULT_CREDENTIALS_HOST, DEFAULT_CREDENTIALS_PORT),
        metavar="HOST:PORT|off",
        help="task-role credentials endpoint (default 169.254.170.2:80, put on lo; needs root)",
    )
    cmd.add_argument(
        "--s3-endpoint",
        default=os.environ.get("DOCKYARD_S3_ENDPOINT") or None,
        metavar="URL",
        help="S3-compatible endpoint for environmentFiles (default: $DOCKYARD_S3_ENDPOINT)",
    )
    cmd.add_argument(
        "--task-cleanup-wait",
        type=float,
        default=DEFAULT_CLEANUP_WAIT_SECONDS,
        help="seconds a stopped task's containers are kept (ECS default: 3 h)",
    )


DEFAULT_METRICS_INTERVAL = 10.0
FAST_PROFILE_METRICS_INTERVAL = 2.0
"""Under the fast profile alarms use 10-second periods: a 10-second sampling period leaves
some periods with no point and delays a breach by up to a period (load → desiredCount
measured 38.7 s at 10 s sampling against 27.9 s at 1 s, ``bench/scale_reaction.py``)."""


def metrics_interval(args: argparse.Namespace) -> float:
    """``--metrics-interval`` if given, else the default for the scaling profile in use."""
    if args.metrics_interval is not None:
        return float(args.metrics_interval)
    if getattr(args, "scaling_profile", None) == "fast":
        return FAST_PROFILE_METRICS_INTERVAL
    return DEFAULT_METRICS_INTERVAL


def _agent(args: argparse.Namespace) -> int:
    _logging(args.log_level)
    data_dir = args.data_dir or default_data_dir() / "agent"
    client = HttpControlPlane(args.endpoint, region=args.region, profile=args.profile)
    agent = _build_agent(args, client, data_dir=data_dir, region=client.region)
    agent.start()
    print(
        f"dockyard agent: {len(agent.instance_arns)} instance(s) in cluster {args.cluster} "
        f"via {args.endpoint}",
        file=sys.stderr,
        flush=True,
    )
    try:
        agent.wait()
    except KeyboardInterrupt:
        pass
    finally:
        agent.stop()
    return 0


def _up(args: argparse.Namespace) -> int:
    import uvicorn

    from dockyard.api.server import build_app

    _logging(args.log_level)
    from dockyard.cli import _settings, control_plane_background

    settings = _settings(args)
    app = build_app(settings, background=control_plane_background)
    holder: dict[str, Agent] = {}
    thread = threading.Thread(
        target=_boot_local_agent, args=(args, settings, holder), name="agent-boot", daemon=True
    )
    thread.start()
    print(
        f"dockyard: listening on {settings.endpoint_url} (data dir {settings.data_dir})",
        file=sys.stderr,
        flush=True,
    )
    try:
        uvicorn.run(
            app,
            host=settings.host,
            port=settings.port,
            log_level="warning",
            access_log=False,
            proxy_headers=False,
            server_header=False,
        )
    finally:
        if "agent" in holder:
            holder["agent"].stop(timeout=2.0)
    return 0


def _boot_local_agent(args: argparse.Namespace, settings: Any, holder: dict[str, Agent]) -> None:
    try:
        _wait_ready(settings.endpoint_url)
        key, secret = _admin_credentials(settings.data_dir / "credentials")
        client = HttpControlPlane(
            settings.endpoint_url, region=settings.region, credentials=(key, secret)
        )
        client.ecs.create_cluster(clusterName="default")
        args.cluster = "default"
        args.runtime = "docker"
        args.count = 1
        agent = _build_agent(
            args, client, data_dir=settings.data_dir / "agent", region=settings.region
        )
        holder["agent"] = agent
        agent.start()
        print(
            f"dockyard: this host is registered in cluster default as {agent.instance_arns[0]}",
            file=sys.stderr,
            flush=True,
        )
    except Exception:
        log.exception("the local agent failed to start")


def _build_agent(
    args: argparse.Namespace, client: HttpControlPlane, *, data_dir: Path | None, region: str
) -> Agent:
    runtime: ContainerRuntime
    facts = detect_host()
    simulated = getattr(args, "runtime", "docker") == "simulated"
    if simulated:
        from dockyard.agent.simulated import SimulatedRuntime

        runtime = SimulatedRuntime(
            start_delay=args.sim_start_delay,
            exit_after=args.sim_exit_after,
            exit_code=args.sim_exit_code,
        )
        data_dir = None  # hollow instances have nothing to re-adopt
    else:
        from dockyard.agent.docker.runtime import DockerRuntime

        runtime = DockerRuntime()
        facts = _with_docker_version(facts, runtime)
    options = RegistrationOptions(
        cpu_units=args.cpu_units,
        memory_mib=args.memory_mib,
        reserved_memory_mib=args.reserved_memory_mib,
        attributes=[_attribute(a) for a in args.attribute],
        availability_zone=_first(args.availability_zone),
        instance_type=_first(args.instance_type) or "dockyard.local",
    )
    config = AgentConfig(
        cluster=args.cluster,
        region=region,
        facts=facts,
        options=options,
        data_dir=data_dir,
        count=args.count,
        availability_zones=_split(args.availability_zone),
        instance_types=_split(args.instance_type),
        workers=args.workers,
        cleanup_wait=args.task_cleanup_wait,
        metrics_interval=metrics_interval(args),
        # hollow containers make no requests: a simulated agent fetches, but serves nothing
        credentials_address=None if simulated else args.credentials_address,
    )
    clock = SystemClock()
    resources = TaskResources(
        client,
        clock,
        fetcher=ExecutionResourceFetcher(client.endpoint, s3_endpoint=args.s3_endpoint),
        default_region=region,
    )
    collector = LogCollector(runtime, client.logs_client) if data_dir is not None else None
    runner = StepRunner(
        runtime,
        clock,
        host_ip=args.host_ip,
        pull_behavior=PullBehavior(args.pull_behavior),
        on_started=collector.start if collector else None,  # hollow containers print nothing
        resources=resources,
    )
    return Agent(
        config,
        client,
        runner,
        random_hex=lambda: secrets.token_hex(10),
        on_adopted=(lambda record: _resume_logs(collector, record)) if collector else None,
    )


def _resume_logs(collector: LogCollector, record: TaskRecord) -> None:
    now = datetime.now(UTC)
    for container in record.containers.values():
        if container.known.is_running:
            collector.start(record, container, since=now)


def _with_docker_version(facts: HostFacts, runtime: Any) -> HostFacts:
    version = getattr(runtime, "docker_version", None)
    if version is None:
        return facts
    try:
        return HostFacts(facts.cpu_count, facts.memory_mib, facts.architecture, version())
    except Exception:
        return facts


def _credentials_address(text: str) -> tuple[str, int] | None:
    try:
        return parse_address(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None


def _split(text: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(",") if part.strip())


def _first(text: str | None) -> str | None:
    parts = _split(text)
    return parts[0] if parts else None


def _attribute(text: str) -> tuple[str, str]:
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise SystemExit(f"--attribute expects NAME=VALUE, got {text!r}")
    return name, value


def _admin_credentials(path: Path) -> tuple[str, str]:
    parser = configparser.ConfigParser()
    parser.read(path)
    section = parser["dockyard"]
    return section["aws_access_key_id"], section["aws_secret_access_key"]


def _wait_ready(endpoint: str) -> None:
    deadline = time.monotonic() + READY_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(endpoint + "/_dockyard/health", timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"the control plane at {endpoint} did not become ready")


def _logging(level: str) -> None:
    logging.basicConfig(
        level=level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
