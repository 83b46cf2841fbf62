"""``dockyard`` command line.

::

    dockyard up [--port P] [--data-dir D]      control plane + a local Docker agent
    dockyard agent [--endpoint URL] [--cluster C] [--runtime docker|simulated] [--count N]
    dockyard logs TASK [--cluster C] [--follow]
    dockyard deploy --cluster C --service S --task-definition FILE.json
    dockyard top [--cluster C] [--once]
    dockyard placement explain --task-definition TD | rebalance --strategy TYPE:FIELD
    dockyard server [--host H] [--port P] [--data-dir D] [--db URL] [--account-id A] [--region R]
    dockyard env [--data-dir D] [--port P] [--region R]
"""

from __future__ import annotations

import argparse
import logging
import shlex
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from dockyard.infra.settings import (
    DEFAULT_ACCOUNT_ID,
    DEFAULT_HOST,
    DEFAULT_PORT,
    DEFAULT_REGION,
    Settings,
    default_data_dir,
)

if TYPE_CHECKING:
    from dockyard.api.context import Dependencies
    from dockyard.api.housekeeping import Background


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return 2
    return int(args.func(args) or 0)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dockyard", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command")
    server = commands.add_parser("server", help="run the control plane (ECS API endpoint)")
    _common(server)
    server.add_argument("--host", default=DEFAULT_HOST)
    server.add_argument("--db", default=None, help="SQLAlchemy URL (default: SQLite in data dir)")
    server.add_argument("--account-id", default=DEFAULT_ACCOUNT_ID)
    server.add_argument("--log-level", default="info")
    add_scheduler_options(server)
    server.set_defaults(func=_server)
    env = commands.add_parser("env", help="print export lines for the aws CLI and SDKs")
    _common(env)
    env.add_argument("--host", default="127.0.0.1")
    env.set_defaults(func=_env)
    from dockyard import cli_agent, cli_audit, cli_deploy, cli_logs, cli_placement, cli_top

    cli_agent.register(commands, _common)
    cli_logs.register(commands)
    cli_deploy.register(commands)
    cli_placement.register(commands)
    cli_top.register(commands)
    cli_audit.register(commands)
    return parser


def _common(cmd: argparse.ArgumentParser) -> None:
    cmd.add_argument("--port", type=int, default=DEFAULT_PORT)
    cmd.add_argument("--data-dir", type=Path, default=None)
    cmd.add_argument("--region", default=DEFAULT_REGION)


def add_scheduler_options(cmd: argparse.ArgumentParser, *, default_profile: str = "aws") -> None:
    cmd.add_argument(
        "--task-healthy-after",
        type=float,
        default=40.0,
        metavar="SECONDS",
        help="a service task without health checks counts healthy this long after RUNNING "
        "(ECS: 40; shorten only for tests and demos)",
    )
    cmd.add_argument(
        "--scaling-profile",
        choices=("aws", "fast"),
        default=default_profile,
        help="target-tracking alarm cadence: aws (60-second periods, alarms evaluated every "
        "minute) or fast (10-second periods: a sustained breach scales within about 30 s)",
    )
    cmd.add_argument(
        "--lb-address",
        default="127.0.0.1",
        metavar="IP",
        help="address load-balancer listeners bind on (HAProxy, started once a listener exists)",
    )


def _settings(args: argparse.Namespace) -> Settings:
    return Settings(
        data_dir=(args.data_dir or default_data_dir()).expanduser().resolve(),
        host=args.host,
        port=args.port,
        account_id=getattr(args, "account_id", DEFAULT_ACCOUNT_ID),
        region=args.region,
        db_url=getattr(args, "db", None),
        task_healthy_after_seconds=getattr(args, "task_healthy_after", 40.0),
        lb_bind_address=getattr(args, "lb_address", "127.0.0.1"),
        scaling_profile=getattr(args, "scaling_profile", "aws"),
    )


FAST_ALARM_INTERVAL = 5.0
"""Alarm evaluation cadence of the ``fast`` scaling profile (its alarms use 10-second periods)."""
AWS_ALARM_INTERVAL = 60.0
"""CloudWatch evaluates alarms every minute."""


def control_plane_background(deps: Dependencies) -> list[Background]:
    """The service controller and the load-balancer controller (HAProxy), plugged into the
    API's wake-ups and into each other (target health gates rollouts)."""
    from dockyard.api.autoscaling import alarm_hooks
    from dockyard.api.cloudwatch import state_hooks
    from dockyard.control.alarm_controller import AlarmController
    from dockyard.control.lb_controller import LoadBalancerController
    from dockyard.control.scaling_controller import ScalingController, StoreServiceState
    from dockyard.control.wiring import (
        ScalingAlarmSink,
        ServiceDesiredCountWriter,
        StoreAlarmManager,
        build_service_controller,
    )

    settings = deps.settings
    woken: list[Callable[[], None]] = []

    def health_changed() -> None:
        for wake in woken:
            wake()

    from dockyard.api.cloudwatch.metrics import StoreMetricSink

    deps.metrics.target = StoreMetricSink(deps.store)
    balancer = LoadBalancerController(
        deps.store,
        deps.clock,
        directory=settings.data_dir / "haproxy",
        bind_address=settings.lb_bind_address,
        on_health_changed=health_changed,
        emit_metrics=deps.metrics.put,
    )
    controller = build_service_controller(
        store=deps.store,
        clock=deps.clock,
        rng=deps.rng,
        account_id=settings.account_id,
        healthy_after_seconds=settings.task_healthy_after_seconds,
        notify=deps.notifier.notify,
        target_health=balancer.states,
        on_targets_changed=balancer.changed,
    )
    woken.append(controller.wake_all)
    deps.services.target = controller
    deps.dataplane.target = balancer
    scaling = ScalingController(
        deps.store,
        clock=deps.clock,
        writer=ServiceDesiredCountWriter(deps.store, deps.rng, deps.clock, controller.wake),
        services=StoreServiceState(deps.store),
    )
    fast = settings.scaling_profile == "fast"
    alarm_hooks.configure(
        StoreAlarmManager(deps.store, deps.clock), profile=settings.scaling_profile
    )
    alarms = AlarmController(
        deps.store,
        ScalingAlarmSink(scaling),
        clock=deps.clock,
        evaluation_interval=FAST_ALARM_INTERVAL if fast else AWS_ALARM_INTERVAL,
    )
    state_hooks.configure(alarms)
    return [controller, balancer, scaling, alarms]


def _server(args: argparse.Namespace) -> int:
    import uvicorn

    from dockyard.api.server import build_app

    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(levelname)s %(name)s %(message)s"
    )
    settings = _settings(args)
    app = build_app(settings, background=control_plane_background)
    print(
        f"dockyard: listening on {settings.endpoint_url} (data dir {settings.data_dir})",
        file=sys.stderr,
        flush=True,
    )
    uvicorn.run(
        app,
        host=settings.host,
        port=settings.port,
        log_level="warning",
        access_log=False,
        proxy_headers=False,  # clients talk to Dockyard directly; no X-Forwarded-* to trust
        server_header=False,
    )
    return 0


def _env(args: argparse.Namespace) -> int:
    settings = _settings(args)
    lines = {
        "AWS_ENDPOINT_URL": settings.endpoint_url,
        "AWS_SHARED_CREDENTIALS_FILE": str(settings.data_dir / "credentials"),
        "AWS_PROFILE": "dockyard",
        "AWS_DEFAULT_REGION": settings.region,
    }
    for name, value in lines.items():
        print(f"export {name}={shlex.quote(value)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
