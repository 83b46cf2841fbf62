"""The agent process: register, re-adopt, then poll for desired state and report back.

::

    start ─▶ register each instance (re-register with the stored ARN: same identity)
          ─▶ load local state, adopt its tasks (inspect their containers: exited meanwhile?)
          ─▶ threads: poll loop (long-poll = heartbeat), runtime events, reporter
    stop  ─▶ threads end; containers keep running (as when an ECS agent stops)

One process may register many instances (``count``): the simulated runtime uses that to stand
up thousands of hollow instances; a Docker agent registers exactly one.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from dockyard.agent.client import ControlPlane, ControlPlaneError
from dockyard.agent.credentials_server import CredentialsServer, start_endpoint
from dockyard.agent.engine import DEFAULT_CLEANUP_WAIT_SECONDS, TaskEngine
from dockyard.agent.host import HostFacts, RegistrationOptions, registration_request
from dockyard.agent.manifest import parse_poll_response
from dockyard.agent.metrics import DEFAULT_INTERVAL_SECONDS, MetricsSampler
from dockyard.agent.record import TaskRecord
from dockyard.agent.reporter import Reporter
from dockyard.agent.state import LocalState
from dockyard.agent.steps import StepRunner

log = logging.getLogger("dockyard.agent")

__all__ = ["Agent", "AgentConfig"]

POLL_WAIT_SECONDS = 10.0
"""How long the control plane may hold a poll: the agent's heartbeat interval at worst."""

RETRY_DELAYS = (0.2, 0.5, 1.0, 2.0)


@dataclass(frozen=True, slots=True, kw_only=True)
class AgentConfig:
    cluster: str
    region: str
    facts: HostFacts
    options: RegistrationOptions
    data_dir: Path | None = None
    count: int = 1
    availability_zones: tuple[str, ...] = ()
    instance_types: tuple[str, ...] = ()
    workers: int = 32
    cleanup_wait: float = DEFAULT_CLEANUP_WAIT_SECONDS
    metrics_interval: float = DEFAULT_INTERVAL_SECONDS
    """Seconds between container CPU / memory samples (0 turns sampling off)."""
    credentials_address: tuple[str, int] | None = None
    """Where to serve task-role credentials (169.254.170.2:80); None: no endpoint."""


class Agent:
    def __init__(
        self,
        config: AgentConfig,
        client: ControlPlane,
        runner: StepRunner,
        *,
        random_hex: Callable[[], str],
        on_adopted: Callable[[TaskRecord], None] | None = None,
    ) -> None:
        """``on_adopted`` runs for each task taken over from local state (log collection)."""
        self.config = config
        self._on_adopted = on_adopted
        self.client = client
        self.state = LocalState(config.data_dir) if config.data_dir else None
        self.reporter = Reporter(client, on_acknowledged=self._acknowledged)
        self.engine = TaskEngine(
            runner,
            self.reporter,
            state=self.state,
            workers=config.workers,
            random_hex=random_hex,
            cleanup_wait=config.cleanup_wait,
        )
        self.runtime = runner.runtime
        self.instance_arns: list[str] = []
        self._etags: dict[str, str] = {}
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self.connected = threading.Event()
        self.credentials_server: CredentialsServer | None = None

    @property
    def instance_ids(self) -> list[str]:
        return [arn.rsplit("/", 1)[-1] for arn in self.instance_arns]

    def start(self) -> Agent:
        self.instance_arns = self._register_all()
        self._etags = dict.fromkeys(self.instance_ids, "")
        self.reporter.start()
        resources = self.engine.runner.resources
        if self.config.credentials_address is not None and resources is not None:
            self.credentials_server = start_endpoint(
                resources.registry, *self.config.credentials_address
            )
        if self.state is not None:
            for record in self.state.load_tasks():
                self.engine.adopt(record)
                if self._on_adopted is not None:
                    self._on_adopted(record)
        self._spawn(self._poll_loop, "poll")
        if self.config.metrics_interval > 0:
            sampler = MetricsSampler(
                self.runtime,
                self.engine.tasks,
                self._send_metrics,
                interval=self.config.metrics_interval,
            )
            self._spawn(lambda: sampler.run(self._stop), "metrics")
        if hasattr(self.runtime, "events"):
            self._spawn(self._event_loop, "events")
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Stop polling and reporting (after a flush); running containers are left alone."""
        self._stop.set()
        self.reporter.stop(timeout)
        for thread in self._threads:
            thread.join(timeout)
        self.engine.shutdown()
        if self.credentials_server is not None:
            self.credentials_server.stop()
        if self.engine.runner.resources is not None:
            self.engine.runner.resources.close()

    def wait(self) -> None:
        while not self._stop.wait(1.0):
            pass

    def _send_metrics(self, samples: list[dict[str, Any]]) -> None:
        self.client.metrics(self.config.cluster, samples)

    def _spawn(self, target: Callable[[], None], name: str) -> None:
        thread = threading.Thread(target=target, name=name, daemon=True)
        thread.start()
        self._threads.append(thread)

    def _register_all(self) -> list[str]:
        known = self.state.instances(self.config.cluster) if self.state else []
        arns = []
        for index in range(self.config.count):
            previous = known[index] if index < len(known) else None
            arns.append(self._register(previous, self._options_for(index)))
        if self.state is not None:
            self.state.save_instances(self.config.cluster, arns)
        log.info("registered %d instance(s) in cluster %s", len(arns), self.config.cluster)
        return arns

    def _options_for(self, index: int) -> RegistrationOptions:
        """The ``index``-th instance's options: zones and instance types rotate over the
        configured lists (a simulated fleet spread over several AZs / types)."""
        zones, types = self.config.availability_zones, self.config.instance_types
        options = self.config.options
        if zones:
            options = replace(options, availability_zone=zones[index % len(zones)])
        if types:
            options = replace(options, instance_type=types[index % len(types)])
        return options

    def _register(self, previous: str | None, options: RegistrationOptions) -> str:
        request = registration_request(
            self.config.cluster,
            self.config.facts,
            options,
            region=self.config.region,
            instance_arn=previous,
        )
        for attempt in range(60):
            try:
                return str(self.client.register(**request)["containerInstanceArn"])
            except ControlPlaneError as exc:
                if self._stop.is_set() or attempt == 59:
                    raise
                log.warning("registration failed (%s); retrying", exc)
                time.sleep(RETRY_DELAYS[min(attempt, len(RETRY_DELAYS) - 1)])
        raise AssertionError("unreachable")

    def _poll_loop(self) -> None:
        failures = 0
        while not self._stop.is_set():
            try:
                body = self.client.poll(self.config.cluster, self._etags, POLL_WAIT_SECONDS)
            except ControlPlaneError as exc:
                self.connected.clear()
                failures += 1
                if failures in (1, 10) or failures % 100 == 0:
                    log.warning("poll failed (%s); retrying", exc)
                self._stop.wait(RETRY_DELAYS[min(failures, len(RETRY_DELAYS)) - 1])
                continue
            failures = 0
            self.connected.set()
            self._apply(body)

    def _apply(self, body: dict[str, Any]) -> None:
        try:
            manifests = parse_poll_response(body)
        except (KeyError, ValueError, TypeError) as exc:
            log.error("unreadable poll response: %s", exc)
            return
        for manifest in manifests:
            if manifest.status in ("MISSING", "INACTIVE"):
                log.warning(
                    "instance %s is %s in the control plane", manifest.instance_id, manifest.status
                )
            self._etags[manifest.instance_id] = manifest.etag
            self.engine.apply_manifest(manifest)

    def _event_loop(self) -> None:
        while not self._stop.is_set():
            try:
                for event in self.runtime.events(self._stop):
                    self.engine.on_event(event)
            except Exception:
                log.exception("runtime event stream failed; reconnecting")
                self._stop.wait(1.0)

    def _acknowledged(self, task_id: str, report: Mapping[str, Any]) -> None:
        self.engine.acknowledged(task_id, report)
