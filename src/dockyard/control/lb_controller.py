"""The load-balancer controller: keeps one managed HAProxy serving the ELBv2 resources in the
store, and reads its health checks back.

::

    API change / target (de)registration ──changed()──┐
    every REFRESH_SECONDS ────────────────────────────┼─▶ read ELB state ─▶ to_dataplane (pure)
                                                      │     ─▶ DataPlaneController.apply
                                                      │        (runtime API, or render+reload)
                                                      │     ─▶ ensure_running (restart if dead)
                                                      └── show stat ─▶ health cache ─▶ health()
                                                                     └─ changed? wake services

HAProxy starts only once a listener exists. One control plane per data plane: several
control planes on one database must not all run it (``--no-data-plane`` on the others).
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from pathlib import Path

from dockyard.control.hosts_file import HOSTS_FILE, marker_for, update
from dockyard.control.lb_dataplane import ElbState, backend_name, server_name, to_dataplane
from dockyard.control.lb_metrics import request_points
from dockyard.domain.elb import TargetGroup
from dockyard.domain.utilization import UtilizationPoint
from dockyard.infra.clock import Clock
from dockyard.lb.controller import DataPlaneController
from dockyard.lb.model import DataPlane
from dockyard.lb.process import HaproxyPaths, HaproxyProcess
from dockyard.lb.runtime import HaproxyRuntimeClient
from dockyard.lb.stats import ProxyCounters, ServerHealth, ServerStatus
from dockyard.store import Store
from dockyard.store.uow import UnitOfWork

log = logging.getLogger("dockyard.lb")

METRICS_PERIOD_SECONDS = 10.0
"""How often request counts become ``AWS/ApplicationELB`` datapoints."""
REFRESH_SECONDS = 1.0
"""How often health is read back and drained targets expire, without any change: below the
shortest ELBv2 health-check interval (5 s), so a state change shows within one interval."""

_PASSED = frozenset({"L4OK", "L6OK", "L7OK", "L7OKC"})
_TIMEOUTS = frozenset({"L4TOUT", "L6TOUT", "L7TOUT"})

TargetHealthObservation = tuple[str, str | None, str | None]
"""(state, reason, description) as DescribeTargetHealth shows it."""
HealthMap = dict[tuple[str, int], TargetHealthObservation]


class LoadBalancerController:
    """Background part of the control plane (``start`` / ``stop``) and the API's view of the
    data plane (``changed`` / ``health`` / ``counters``)."""

    def __init__(
        self,
        store: Store,
        clock: Clock,
        *,
        directory: Path,
        bind_address: str,
        on_health_changed: Callable[[], None] = lambda: None,
        hosts_file: Path | None = HOSTS_FILE,
        emit_metrics: Callable[[str, list[UtilizationPoint]], None] = lambda _r, _p: None,
        metrics_period: float = METRICS_PERIOD_SECONDS,
    ) -> None:
        self._emit_metrics = emit_metrics
        self._metrics_period = metrics_period
        self._last_requests: dict[str, int] = {}
        self._last_emit = 0.0
        self._hosts_file = hosts_file
        self._marker = marker_for(directory)
        self._store = store
        self._clock = clock
        self._paths = HaproxyPaths(directory)
        self._bind = bind_address
        self._on_health_changed = on_health_changed
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._health: dict[str, HealthMap] = {}
        self._counters: dict[str, ProxyCounters] = {}
        self._names: dict[str, str] = {}
        self._plane: DataPlaneController | None = None
        self._process: HaproxyProcess | None = None
        self._runtime: HaproxyRuntimeClient | None = None
        self._thread: threading.Thread | None = None

    # --- Background ----------------------------------------------------------------------
    def start(self) -> None:
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="lb-controller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stopping.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
        if self._process is not None:
            self._process.stop()
        if self._hosts_file is not None:
            update(self._hosts_file, self._marker, [], self._bind)

    # --- the API's view ------------------------------------------------------------------
    def changed(self) -> None:
        self._wake.set()

    def health(self, target_group_arn: str) -> HealthMap:
        with self._lock:
            return dict(self._health.get(target_group_arn, {}))

    def states(self, target_group_arn: str) -> dict[tuple[str, int], str]:
        """Observed state only (``healthy`` / ``unhealthy`` / ``initial``), for the scheduler."""
        return {key: obs[0] for key, obs in self.health(target_group_arn).items()}

    def counters(self) -> dict[str, ProxyCounters]:
        """Backend counters by target group ARN."""
        with self._lock:
            return dict(self._counters)

    def metrics(self) -> str:
        """Prometheus text exposition of the target groups' counters."""
        return prometheus_text(self.counters())

    # --- the loop ------------------------------------------------------------------------
    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.wait(REFRESH_SECONDS)
            self._wake.clear()
            if self._stopping.is_set():
                return
            try:
                self._sync()
            except Exception:
                log.exception("load-balancer data plane sync failed")

    def _sync(self) -> None:
        state = self._store.read(_load)
        if self._hosts_file is not None:
            names = self._store.read(lambda uow: uow.elb.dns_names())
            update(self._hosts_file, self._marker, names, self._bind)
        if not state.listeners and self._plane is None:
            return  # no listener yet: no HAProxy
        desired = to_dataplane(
            state,
            bind_address=self._bind,
            stats_socket=str(self._paths.stats_socket),
            now=self._clock.now(),
            server_state_file=str(self._paths.server_state),
        )
        plane = self._ensure_plane()
        plane.apply(desired)
        plane.ensure_running()
        self._read_back(desired, state)

    def _ensure_plane(self) -> DataPlaneController:
        if self._plane is None:
            self._paths.directory.mkdir(parents=True, exist_ok=True)
            self._process = HaproxyProcess(self._paths)
            runtime = HaproxyRuntimeClient.at(self._paths.stats_socket)
            self._runtime = runtime
            self._plane = DataPlaneController(self._process, runtime)
        return self._plane

    def _read_back(self, desired: DataPlane, state: ElbState) -> None:
        runtime = self._runtime
        if runtime is None:
            return
        arn_of = {backend_name(tg): arn for arn, tg in state.target_groups.items()}
        keys = {
            (backend_name(tg), server_name(t)): (t.target_id, t.port)
            for tg in state.target_groups.values()
            for t in tg.targets
        }
        health: dict[str, HealthMap] = {}
        with self._lock:
            before = self._health
        for (backend, server), row in runtime.server_states().items():
            arn, key = arn_of.get(backend), keys.get((backend, server))
            if arn is not None and key is not None:
                previous = before.get(arn, {}).get(key)
                health.setdefault(arn, {})[key] = observation(row, previous)
        counters = {
            arn_of[name]: c
            for (kind, name), c in runtime.counters().items()
            if kind.value == "backend" and name in arn_of
        }
        with self._lock:
            changed = health != self._health
            self._health, self._counters = health, counters
        if changed:
            self._on_health_changed()
        self._publish(counters, health, state)

    def _publish(
        self,
        counters: Mapping[str, ProxyCounters],
        health: Mapping[str, HealthMap],
        state: ElbState,
    ) -> None:
        """Every ``metrics_period`` seconds: the target groups' request metrics."""
        now = time.monotonic()
        if now - self._last_emit < self._metrics_period:
            return
        self._last_emit = now
        current = {arn: c.requests_total for arn, c in counters.items()}
        healthy = {
            arn: sum(1 for obs in targets.values() if obs[0] == "healthy")
            for arn, targets in health.items()
        }
        at = self._clock.now()
        for region in sorted({tg.region for tg in state.target_groups.values()}):
            groups = {a: tg for a, tg in state.target_groups.items() if tg.region == region}
            points = request_points(self._last_requests, current, groups, healthy, at)
            if points:
                self._emit_metrics(region, points)
        self._last_requests = current


_METRICS = (
    (
        "dockyard_lb_requests_total",
        "counter",
        "HTTP requests sent to the target group",
        "requests_total",
    ),
    ("dockyard_lb_responses_2xx_total", "counter", "2xx responses from targets", "http_2xx"),
    ("dockyard_lb_responses_3xx_total", "counter", "3xx responses from targets", "http_3xx"),
    ("dockyard_lb_responses_4xx_total", "counter", "4xx responses from targets", "http_4xx"),
    ("dockyard_lb_responses_5xx_total", "counter", "5xx responses from targets", "http_5xx"),
    (
        "dockyard_lb_response_time_ms",
        "gauge",
        "Average response time, last 1024 requests",
        "response_time_ms",
    ),
    ("dockyard_lb_active_connections", "gauge", "Connections open to targets", "current_sessions"),
)


def prometheus_text(counters: Mapping[str, ProxyCounters]) -> str:
    """Prometheus' text format, one series per target group (label ``target_group``)."""
    lines = []
    for name, kind, help_text, attribute in _METRICS:
        lines += [f"# HELP {name} {help_text}", f"# TYPE {name} {kind}"]
        for arn in sorted(counters):
            value = getattr(counters[arn], attribute)
            lines.append(f'{name}{{target_group="{arn}"}} {value}')
    return "\n".join(lines) + "\n"


_INITIAL: TargetHealthObservation = (
    "initial",
    "Elb.InitialHealthChecking",
    "Initial health checks in progress",
)
_FAILED: TargetHealthObservation = (
    "unhealthy",
    "Target.FailedHealthChecks",
    "Health checks failed",
)


def observation(
    row: ServerHealth, previous: TargetHealthObservation | None = None
) -> TargetHealthObservation:
    """ELBv2's (state, reason, description) for HAProxy's view of one server; ``previous`` is
    what the last reading said (None for a server not seen before).

    A server that is DOWN but whose last check passed is rising towards the healthy
    threshold: ELBv2 keeps such a target in its earlier state, ``initial`` for a new one and
    ``unhealthy`` (with its reason) for a recovering one."""
    if row.status in (ServerStatus.DRAIN, ServerStatus.NOLB):
        return "draining", "Target.DeregistrationInProgress", "Target deregistration is in progress"
    if row.status is ServerStatus.UP and row.check_status in _PASSED:
        return "healthy", None, None
    if row.status in (ServerStatus.MAINT, ServerStatus.UP) or row.check_status in ("", "INI"):
        return _INITIAL
    if row.check_status in _PASSED:
        if previous is None or previous[0] == "initial":
            return _INITIAL
        return previous if previous[0] == "unhealthy" else _FAILED
    if row.check_status == "L7STS":
        code = row.check_code if row.check_code is not None else 0
        return (
            "unhealthy",
            "Target.ResponseCodeMismatch",
            f"Health checks failed with these codes: [{code}]",
        )
    if row.check_status in _TIMEOUTS:
        return "unhealthy", "Target.Timeout", "Request timed out"
    return _FAILED


def _load(uow: UnitOfWork) -> ElbState:
    listeners, rules, groups = uow.elb.everything()
    return ElbState(
        listeners=listeners, rules=rules, target_groups=groups, addresses=_addresses(uow, groups)
    )


def _addresses(uow: UnitOfWork, groups: Mapping[str, TargetGroup]) -> dict[tuple[str, int], str]:
    """(EC2 instance id, host port) → the address that port is published on, from the
    network bindings of live tasks on those instances."""
    ec2_ids = {
        t.target_id for tg in groups.values() for t in tg.targets if tg.target_type == "instance"
    }
    hosts = uow.container_instances.by_ec2_instance_ids(ec2_ids)
    addresses: dict[tuple[str, int], str] = {}
    for task in uow.tasks.live_for_instances(hosts):
        for container in task.containers:
            for b in container.network_bindings:
                address = b.bind_ip if b.bind_ip not in ("", "0.0.0.0") else "127.0.0.1"
                addresses[(hosts[task.instance_id or ""], b.host_port)] = address
    return addresses
