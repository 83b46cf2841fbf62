"""Performs the state machine's steps for one task: the Docker (or simulated) calls.

:class:`StepRunner` is the imperative half of the agent's task engine: ``next_steps`` (pure)
names a step, :meth:`StepRunner.run` performs it and records the outcome in the task's
:class:`~dockyard.agent.record.TaskRecord`. A runtime failure never escapes: the container is
recorded STOPPED with ECS's reason (``CannotPullContainerError: …``, ``CannotCreateContainerError:
…``, ``CannotStartContainerError: …``) and the task is marked to stop with ``TaskFailedToStart``.
So is a task whose resources (role credentials, secrets, environment files) cannot be fetched,
with a ``ResourceInitializationError: …`` reason.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING

from dockyard.agent.credentials_server import relative_uri
from dockyard.agent.docker.model import (
    ContainerNotFound,
    ContainerRuntime,
    ContainerRuntimeError,
    ContainerState,
    PullBehavior,
)
from dockyard.agent.docker.spec import container_spec
from dockyard.agent.docker.volumes import plan_task_volumes
from dockyard.agent.record import ContainerRecord, TaskRecord
from dockyard.agent.secrets_model import (
    ContainerResources,
    ResourceInitializationError,
    merge_environment,
)
from dockyard.agent.statemachine_model import (
    CreateContainer,
    MarkContainerStopped,
    MarkTaskRunning,
    MarkTaskStopped,
    PrepareTaskResources,
    PullImage,
    ResolveManifest,
    StartContainer,
    Step,
    StopContainer,
    StopTask,
    Wait,
)
from dockyard.domain.task import NetworkBinding
from dockyard.domain.task_definition import ContainerDefinition, KeyValuePair, NetworkMode
from dockyard.domain.task_status import AgentContainerStatus, HealthStatus, StopCode, TaskStatus
from dockyard.infra.clock import Clock

if TYPE_CHECKING:
    from dockyard.agent.task_resources import TaskResources

log = logging.getLogger("dockyard.agent")

__all__ = [
    "CREDENTIALS_URI_VARIABLE",
    "StepRunner",
    "apply_container_state",
    "effective_definition",
]

CREDENTIALS_URI_VARIABLE = "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"
_NOTHING = ContainerResources()

_A = AgentContainerStatus
_HEALTH = {"healthy": HealthStatus.HEALTHY, "unhealthy": HealthStatus.UNHEALTHY}


class StepRunner:
    """Runs steps against a :class:`ContainerRuntime`. Stateless apart from its collaborators;
    safe to share between workers."""

    def __init__(
        self,
        runtime: ContainerRuntime,
        clock: Clock,
        *,
        host_ip: str = "127.0.0.1",
        pull_behavior: PullBehavior = PullBehavior.DEFAULT,
        on_started: Callable[[TaskRecord, ContainerRecord], None] | None = None,
        resources: TaskResources | None = None,
    ) -> None:
        """``on_started`` is called after a container starts (the agent's log collection).
        ``resources`` fetches task-role credentials, secrets and environment files; without it
        a task that has any fails to start."""
        self.runtime = runtime
        self.clock = clock
        self.host_ip = host_ip
        self.pull_behavior = pull_behavior
        self.on_started = on_started
        self.resources = resources

    def run(self, record: TaskRecord, step: Step) -> None:
        """Perform ``step`` and record its outcome. Never raises a runtime error."""
        if isinstance(step, Wait):
            return
        if isinstance(step, PrepareTaskResources):
            self._prepare(record)
        elif isinstance(step, StopTask):
            record.desire_stop(step.stop_code, step.reason)
        elif isinstance(step, MarkTaskRunning):
            record.last_status = TaskStatus.RUNNING
        elif isinstance(step, MarkTaskStopped):
            self._task_stopped(record, step)
        elif isinstance(step, MarkContainerStopped):
            c = record.containers[step.container]
            c.move_to(_A.STOPPED)
            c.reason = c.reason or step.reason
            c.exit_code = c.exit_code if c.exit_code is not None else step.exit_code
        else:
            self._container_step(record, step)

    def _prepare(self, record: TaskRecord) -> None:
        try:
            if self.resources is None:
                raise ResourceInitializationError(
                    "ResourceInitializationError: this agent cannot fetch task role "
                    "credentials, secrets or environment files"
                )
            self.resources.prepare(record)
            return
        except ResourceInitializationError as exc:
            reason = exc.reason
        except Exception:  # a bug must fail the task, not leave it PENDING for ever
            log.exception("task %s: fetching its resources failed", record.task_id)
            reason = "ResourceInitializationError: internal error while fetching task resources"
        log.info("task %s failed to start: %s", record.task_id, reason)
        record.desire_stop(StopCode.TASK_FAILED_TO_START, reason)
        for c in record.containers.values():  # the control plane reads the first reason it sees
            if c.known.rank < _A.CREATED.rank:
                c.reason = c.reason or reason
        if self.resources is not None:
            self.resources.release(record)

    def _task_stopped(self, record: TaskRecord, step: MarkTaskStopped) -> None:
        record.desire_stop(step.stop_code, step.reason)
        record.last_status = TaskStatus.STOPPED
        record.execution_stopped_at = record.execution_stopped_at or self.clock.now()
        if self.resources is not None:
            self.resources.release(record)
        record.resources = {}

    def _container_step(self, record: TaskRecord, step: Step) -> None:
        assert isinstance(
            step, ResolveManifest | PullImage | CreateContainer | StartContainer | StopContainer
        )
        c = record.containers[step.container]
        try:
            if isinstance(step, ResolveManifest):
                record.pull_started_at = record.pull_started_at or self.clock.now()
            elif isinstance(step, PullImage):
                self._pull(record, c)
            elif isinstance(step, CreateContainer):
                self._create(record, c)
            elif isinstance(step, StartContainer):
                self._start(record, c)
            else:
                self._stop(c, int(step.timeout.total_seconds()))
                return
        except ContainerRuntimeError as exc:
            self._failed(record, c, step, exc)
            return
        except ValueError as exc:  # the task asks for what this host cannot provide
            self._failed(record, c, step, ContainerRuntimeError(str(exc)))
            return
        c.move_to(step.target)
        if isinstance(step, StartContainer) and self.on_started is not None:
            self.on_started(record, c)

    def _pull(self, record: TaskRecord, c: ContainerRecord) -> None:
        self.runtime.ensure_image(record.definition(c.name).image, self.pull_behavior)
        if all(x.known.rank >= _A.MANIFEST_PULLED.rank for x in record.containers.values()):
            record.pull_stopped_at = self.clock.now()

    def _create(self, record: TaskRecord, c: ContainerRecord) -> None:
        td = record.manifest.task_definition
        definition = effective_definition(record, c.name)
        volumes = plan_task_volumes(record.task_id, record.manifest.cluster, td)
        if volumes.docker_volumes and not record.volumes_ready:
            ensure = getattr(self.runtime, "ensure_volumes", None)
            if ensure is not None:
                ensure(volumes)
            record.volumes_ready = True
        peers = {
            name: other.docker_name
            for name, other in record.containers.items()
            if other.docker_name and other.runtime_id
        }
        spec = container_spec(
            record.task_arn,
            td.family,
            td.revision,
            record.manifest.cluster,
            definition,
            network_mode=td.effective_network_mode.value,
            random_hex=record.random_hex,
            host_ip=self.host_ip,
            volumes=volumes,
            peers=peers,
        )
        c.docker_name = spec.name
        c.runtime_id = self.runtime.create(spec)
        record.resources.pop(c.name, None)  # the secrets now live in the container only

    def _start(self, record: TaskRecord, c: ContainerRecord) -> None:
        assert c.runtime_id is not None
        self.runtime.start(c.runtime_id)
        c.started_at = self.clock.now()
        if record.manifest.task_definition.effective_network_mode is NetworkMode.HOST:
            c.bindings = host_mode_bindings(record.definition(c.name))
        try:
            state = self.runtime.inspect(c.runtime_id)
        except ContainerRuntimeError:
            return
        c.bindings = _bindings(state) or c.bindings
        c.started_at = state.started_at or c.started_at

    def _stop(self, c: ContainerRecord, timeout: int) -> None:
        """Stop signal, SIGKILL after ``timeout``; the exit code comes from inspecting."""
        assert c.runtime_id is not None
        try:
            self.runtime.stop(c.runtime_id, timeout)
            state = self.runtime.inspect(c.runtime_id)
        except ContainerNotFound:
            c.reason = c.reason or "Container disappeared from the Docker host"
            c.move_to(_A.STOPPED)
            return
        except ContainerRuntimeError as exc:
            log.warning("stopping %s failed: %s", c.runtime_id, exc.reason)
            return  # still running: the next plan asks again
        apply_container_state(c, state)
        c.move_to(_A.STOPPED)

    def _failed(
        self, record: TaskRecord, c: ContainerRecord, step: Step, exc: ContainerRuntimeError
    ) -> None:
        prefix = {
            PullImage: "CannotPullContainerError",
            CreateContainer: "CannotCreateContainerError",
            StartContainer: "CannotStartContainerError",
        }.get(type(step), "CannotStartContainerError")
        reason = f"{prefix}: {exc.reason}"[:1024]
        log.info("task %s container %s: %s", record.task_id, c.name, reason)
        c.reason = reason
        if record.definition(c.name).essential:
            record.desire_stop(StopCode.TASK_FAILED_TO_START, reason)
        c.move_to(_A.STOPPED)


def effective_definition(record: TaskRecord, name: str) -> ContainerDefinition:
    """The container definition as it is created: the task's overrides (command, environment)
    applied, environment files under and secrets over the environment, ECS's injected
    variables (``AWS_EXECUTION_ENV``, ``AWS_CONTAINER_CREDENTIALS_RELATIVE_URI`` for a task
    role) added unless the container sets them, and log ``secretOptions`` among the log
    driver's options."""
    definition = record.definition(name)
    override = record.manifest.overrides.for_container(name)
    env = {e.name: e.value or "" for e in definition.environment if e.name}
    command = definition.command
    if override is not None:
        env.update(dict(override.environment))
        command = override.command if override.command is not None else command
    fetched = record.resources.get(name, _NOTHING)
    env = merge_environment(env, [fetched.env_files], fetched.secrets)
    env.setdefault("AWS_EXECUTION_ENV", "AWS_ECS_EC2")
    if record.credentials_id and record.manifest.task_role_arn:
        env.setdefault(CREDENTIALS_URI_VARIABLE, relative_uri(record.credentials_id))
    log_configuration = definition.log_configuration
    if log_configuration is not None and fetched.log_options:
        options = {**(log_configuration.options or {}), **fetched.log_options}
        log_configuration = replace(log_configuration, options=options)
    return replace(
        definition,
        command=command,
        environment=tuple(KeyValuePair(name=k, value=v) for k, v in env.items()),
        log_configuration=log_configuration,
    )


def apply_container_state(c: ContainerRecord, state: ContainerState) -> None:
    """Fold what Docker reports into the record (exit code, OOM, health, bindings)."""
    if state.exit_code is not None:
        c.exit_code = state.exit_code
        if state.oom_killed:
            c.reason = c.reason or "OutOfMemoryError: Container killed due to memory usage"
        elif state.error:
            c.reason = c.reason or state.error
    if state.health in _HEALTH:
        c.health = _HEALTH[state.health]
    if state.ports and not c.bindings:
        c.bindings = _bindings(state)
    if c.started_at is None and state.started_at is not None:
        c.started_at = state.started_at


def _bindings(state: ContainerState) -> tuple[NetworkBinding, ...]:
    return tuple(
        NetworkBinding(p.container_port, p.host_port, p.protocol, p.host_ip or "0.0.0.0")
        for p in state.ports
    )


def host_mode_bindings(definition: ContainerDefinition) -> tuple[NetworkBinding, ...]:
    """In ``host`` mode the container binds the host's ports itself: hostPort = containerPort."""
    return tuple(
        NetworkBinding(pm.container_port, pm.container_port, pm.protocol or "tcp", "0.0.0.0")
        for pm in definition.port_mappings
        if pm.container_port is not None
    )
