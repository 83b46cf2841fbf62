"""Scale-out reaction time: a service under a step of CPU load, from the step to the
desiredCount change and to the new task RUNNING, on the ``fast`` and the ``aws`` scaling
profiles.

Per profile, a fresh ``dockyard up`` (control plane + this host's Docker agent; the profile's
alarm cadence, the agent sampling containers every ``--metrics-interval`` seconds: by
default what ``dockyard up`` uses for the profile, 2 s for fast and 10 s for aws) runs one service of one busybox task reserving 128 CPU units,
min 1 / max 2, under an ECSServiceAverageCPUUtilization target-tracking policy (target 50 %,
ScaleOutCooldown 0). The task reads a flag from a bind-mounted host file every second and
burns a core while it exists. After an idle warm-up long enough to fill the high alarm's
evaluation window with idle datapoints (3 periods, as a service in steady state has) and a
random fraction of a period (the step's phase within a period moves the reaction by up to one
period, so runs spread it; ``--seed``), the
bench creates the flag (the load step) and polls DescribeAlarms / DescribeServices every
``--poll-ms`` until the high alarm is in ALARM, desiredCount is 2 and the new task is RUNNING.

Baselines: the alarm's own rule (3 datapoints × period: the earliest any CloudWatch-style
evaluation can react) measured against in the same run, and published ECS figures for the same
step — about 360 s with classic 1-minute metrics, about 86 s with 20-second high-resolution
metrics. Goal: fast ≤ 30 s from the step to the desiredCount change.

    python3 bench/scale_reaction.py [--profile fast|aws|both] [--runs 1] [--metrics-interval S]

The ``aws`` profile needs a 3-minute warm-up plus its 3-minute alarm window (about 7 minutes),
so the default is ``fast``; ``--profile both`` runs the two. CPU: one burning container, two
after the scale-out (for a few seconds), on a machine with 2 shared cores.
"""

from __future__ import annotations

import argparse
import json
import random
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.support.server import ServerProcess
from tests.support.waiting import has_instances

from dockyard.cli_agent import DEFAULT_METRICS_INTERVAL, FAST_PROFILE_METRICS_INTERVAL

CLUSTER = "default"
SERVICE = "reactor"
TASK_ARN_LABEL = "com.amazonaws.ecs.task-arn"
PERIODS = {"fast": 10, "aws": 60}
"""The target-tracking high alarm's period per profile (``domain/autoscaling_alarms.PROFILES``)."""
HIGH_DATAPOINTS = 3
ECS_CLASSIC_SECONDS = 360.0
"""Published: ECS target tracking on 1-minute metrics reacts to a load step in about 6 minutes."""
ECS_HIGH_RESOLUTION_SECONDS = 86.0
"""Published: with 20-second ECS metrics (ECSServiceAverageCPUUtilizationHighResolution)."""
GOAL_FAST_SECONDS = 30.0
LOAD = (
    "trap 'exit 0' TERM; while :; do if [ -e /flag/burn ]; then "
    "e=$(( $(date +%s) + 1 )); while [ $(date +%s) -lt $e ]; do :; done; "
    "else sleep 1; fi; done"
)
"""Idle (one ``sleep 1`` a second) until /flag/burn exists, then a core's worth of busy loop."""


@dataclass(frozen=True)
class Reaction:
    profile: str
    alarm: float
    desired: float
    running: float


def build_image() -> str:
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run(
        ["scripts/build-test-image.sh"], cwd=root, check=True, capture_output=True, text=True
    )
    return out.stdout.strip().splitlines()[-1]


def wait(predicate: Any, timeout: float, poll: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(poll)
    raise TimeoutError(f"not reached in {timeout:.0f} s")


def measure(profile: str, image: str, args: argparse.Namespace, work: Path) -> Reaction:
    data, flags = work / f"{profile}-data", work / f"{profile}-flag"
    data.mkdir()
    flags.mkdir()
    server = _start(data, profile, args)
    ecs, aas, cw = server.client("ecs"), server.client("application-autoscaling"), server.client("cloudwatch")
    poll = args.poll_ms / 1000
    try:
        wait(lambda: has_instances(ecs), 60, poll)
        ecs.register_task_definition(family=SERVICE, containerDefinitions=[{
            "name": "load", "image": image, "cpu": 128, "memory": 32, "stopTimeout": 2,
            "command": ["sh", "-c", LOAD],
            "mountPoints": [{"sourceVolume": "flag", "containerPath": "/flag", "readOnly": True}]}],
            volumes=[{"name": "flag", "host": {"sourcePath": str(flags)}}])
        ecs.create_service(cluster=CLUSTER, serviceName=SERVICE, taskDefinition=SERVICE, desiredCount=1)
        resource = f"service/{CLUSTER}/{SERVICE}"
        aas.register_scalable_target(ServiceNamespace="ecs", ResourceId=resource,
                                     ScalableDimension="ecs:service:DesiredCount", MinCapacity=1, MaxCapacity=2)
        policy = aas.put_scaling_policy(
            PolicyName="cpu50", ServiceNamespace="ecs", ResourceId=resource,
            ScalableDimension="ecs:service:DesiredCount", PolicyType="TargetTrackingScaling",
            TargetTrackingScalingPolicyConfiguration={
                "TargetValue": 50.0, "ScaleOutCooldown": 0, "ScaleInCooldown": 300,
                "PredefinedMetricSpecification": {"PredefinedMetricType": "ECSServiceAverageCPUUtilization"}})
        high = next(a["AlarmName"] for a in policy["Alarms"] if "-AlarmHigh-" in a["AlarmName"])
        wait(lambda: _service(ecs)["runningCount"] == 1, 60, poll)
        warmup = HIGH_DATAPOINTS * PERIODS[profile] + _sampling(profile, args)
        print(f"[{profile}] idle warm-up {warmup:.0f} s (fills the high alarm's window)", flush=True)
        # the step's phase within an alarm period decides up to one period of the reaction:
        # spread it uniformly over the period (a fixed warm-up would repeat one phase every run)
        time.sleep(warmup + args.rng.uniform(0, PERIODS[profile]))
        assert _service(ecs)["desiredCount"] == 1, "scaled before the load step"
        step, step_wall = time.monotonic(), time.time()
        (flags / "burn").touch()
        timeout = args.timeout_factor * HIGH_DATAPOINTS * PERIODS[profile] + 60
        alarm = desired = None
        while desired is None:
            if time.monotonic() - step > timeout:
                raise TimeoutError(f"[{profile}] no scale-out {timeout:.0f} s after the step")
            if alarm is None and _state(cw, high) == "ALARM":
                alarm = time.monotonic() - step
            if _service(ecs)["desiredCount"] == 2:
                desired = time.monotonic() - step
            time.sleep(poll)
        wait(lambda: _service(ecs)["runningCount"] >= 2, 120, poll)
        running = time.monotonic() - step
        _explain(cw, high, profile, step_wall)
        return Reaction(profile, alarm if alarm is not None else desired, desired, running)
    finally:
        (flags / "burn").unlink(missing_ok=True)
        _teardown(server, ecs)


def _start(data: Path, profile: str, args: argparse.Namespace) -> ServerProcess:
    """``dockyard up`` for ``profile``; one retry on a fresh port (a start right after the
    previous profile's server stopped has been seen to fail once)."""
    extra: tuple[str, ...] = ("--scaling-profile", profile, "--task-healthy-after", "1")
    if args.metrics_interval is not None:
        extra += ("--metrics-interval", str(args.metrics_interval))
    try:
        return ServerProcess(data_dir=data, command="up", extra_args=extra).start()
    except RuntimeError as exc:
        for log in data.parent.glob("server-*.log"):
            print(f"[{profile}] {exc}; {log.name}: {log.read_text()[-2000:]}", flush=True)
        time.sleep(3)
        return ServerProcess(data_dir=data, command="up", extra_args=extra).start()




def _service(ecs: Any) -> dict[str, Any]:
    return dict(ecs.describe_services(cluster=CLUSTER, services=[SERVICE])["services"][0])


def _explain(cw: Any, alarm: str, profile: str, step_wall: float) -> None:
    """Print the evaluation that set ALARM: its query date and datapoints, relative to the step."""
    items = cw.describe_alarm_history(AlarmName=alarm, HistoryItemType="StateUpdate")
    for item in items["AlarmHistoryItems"]:
        data = json.loads(item.get("HistoryData") or "{}")
        if data.get("newState", {}).get("stateValue") != "ALARM":
            continue
        reason = data["newState"].get("stateReasonData") or {}
        reason = json.loads(reason) if isinstance(reason, str) else reason
        query = reason.get("queryDate")
        start = reason.get("startDate")
        when = item["Timestamp"].timestamp() - step_wall
        print(f"[{profile}] ALARM written at step + {when:.1f} s; window from {start} to "
              f"{query}; datapoints {reason.get('recentDatapoints')}", flush=True)
        return


def _state(cw: Any, alarm: str) -> str:
    return str(cw.describe_alarms(AlarmNames=[alarm])["MetricAlarms"][0]["StateValue"])


def _teardown(server: ServerProcess, ecs: Any) -> None:
    arns: list[str] = []
    try:
        ecs.update_service(cluster=CLUSTER, service=SERVICE, desiredCount=0)
        for status in ("RUNNING", "STOPPED"):
            arns += ecs.list_tasks(cluster=CLUSTER, desiredStatus=status)["taskArns"]
    except Exception:
        pass
    server.stop()
    for arn in arns:
        subprocess.run(["docker", "rm", "-f", *_containers(arn)], capture_output=True, check=False)


def _containers(task_arn: str) -> list[str]:
    out = subprocess.run(["docker", "ps", "-aq", "--filter", f"label={TASK_ARN_LABEL}={task_arn}"],
                         capture_output=True, text=True, check=False)
    return out.stdout.split()


def _sampling(profile: str, args: argparse.Namespace) -> float:
    """The agent's sampling period in this run: the flag, else ``dockyard up``'s default."""
    if args.metrics_interval is not None:
        return float(args.metrics_interval)
    return FAST_PROFILE_METRICS_INTERVAL if profile == "fast" else DEFAULT_METRICS_INTERVAL


def report(results: list[Reaction], args: argparse.Namespace) -> None:
    console = Console()
    table = Table(title=f"scale_reaction: CPU load step → scale-out ({args.runs} run(s) per "
                        "profile, medians)")
    for column in ("profile", "sampling", "alarm rule", "→ ALARM", "→ desiredCount", "→ RUNNING",
                   "desired / rule", "ECS classic / this", "ECS 20-s / this"):
        table.add_column(column, justify="right")
    for profile in dict.fromkeys(r.profile for r in results):
        mine = [r for r in results if r.profile == profile]
        alarm = statistics.median(r.alarm for r in mine)
        desired = statistics.median(r.desired for r in mine)
        running = statistics.median(r.running for r in mine)
        rule = HIGH_DATAPOINTS * PERIODS[profile]
        table.add_row(profile, f"{_sampling(profile, args):g} s", f"{rule} s", f"{alarm:.1f} s", f"{desired:.1f} s", f"{running:.1f} s",
                      f"{desired / rule:.2f}", f"{ECS_CLASSIC_SECONDS / desired:.1f}×",
                      f"{ECS_HIGH_RESOLUTION_SECONDS / desired:.1f}×")
    console.print(table)
    fast = [r.desired for r in results if r.profile == "fast"]
    if fast:
        value = statistics.median(fast)
        verdict = "met" if value <= GOAL_FAST_SECONDS else "NOT met"
        console.print(f"goal: fast ≤ {GOAL_FAST_SECONDS:.0f} s from the load step to the desiredCount "
                      f"change — {value:.1f} s, {verdict}. References: ECS classic ≈ "
                      f"{ECS_CLASSIC_SECONDS:.0f} s, ECS 20-second metrics ≈ {ECS_HIGH_RESOLUTION_SECONDS:.0f} s.")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", choices=("fast", "aws", "both"), default="fast")
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--metrics-interval", type=float, default=None,
                        help="the agent's sampling period (default: dockyard up's for the profile)")
    parser.add_argument("--poll-ms", type=float, default=250.0)
    parser.add_argument("--timeout-factor", type=float, default=3.0,
                        help="give up after this many alarm windows (plus 60 s)")
    parser.add_argument("--seed", type=int, default=None, help="seed of the step phases")
    args = parser.parse_args()
    args.rng = random.Random(args.seed)
    profiles = ["fast", "aws"] if args.profile == "both" else [args.profile]
    image = build_image()
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        for run in range(args.runs):
            for profile in profiles:
                work = Path(tmp) / f"run{run}"
                work.mkdir(exist_ok=True)
                results.append(measure(profile, image, args, work))
                print(f"[{profile}] {results[-1]}", flush=True)
    report(results, args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
