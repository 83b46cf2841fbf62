"""A task's resources, acquired before its containers are created (the imperative shell over
:mod:`.task_credentials` and :mod:`.secrets_fetch`).

::

    PrepareTaskResources step ─▶ TaskResources.prepare(record)
        task role?      credentials(TaskApplication) ─▶ registry[id] ─▶ endpoint; refresh timer
        secrets/files?  credentials(TaskExecution) ─▶ ExecutionResourceFetcher ─▶ record.resources
    task STOPPED ─────▶ release(record): forget the id (the endpoint answers InvalidIdInRequest)
    agent restart ────▶ resume(record): same id, fresh credentials, refresh timer

Refreshes run on a small pool, timed by :func:`~.task_credentials.refresh_delay`; a failed
refresh keeps the current credentials and retries with backoff until the task stops.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

from dockyard.agent.client import ChannelError, ControlPlane, ControlPlaneError, RoleType
from dockyard.agent.record import TaskRecord
from dockyard.agent.scheduler import Scheduler
from dockyard.agent.secrets_fetch import ExecutionResourceFetcher
from dockyard.agent.secrets_model import (
    SECRETS_PREFIX,
    ContainerResources,
    ResourceInitializationError,
)
from dockyard.agent.task_credentials import (
    CredentialsRegistry,
    RoleCredentials,
    new_credentials_id,
    refresh_delay,
)
from dockyard.domain.task_status import AgentContainerStatus
from dockyard.infra.clock import Clock

log = logging.getLogger("dockyard.agent")

__all__ = ["RETRY_DELAYS", "TaskResources", "unable_to_assume"]

RETRY_DELAYS = (5.0, 15.0, 30.0, 60.0, 120.0, 300.0)
"""Seconds between attempts after a failed refresh (the current credentials stay served)."""

REFRESH_WORKERS = 4
"""Refreshes are rare (hours apart per task) and short; a few threads cover thousands of tasks."""


def unable_to_assume(role_arn: str) -> str:
    """ECS's wording when a role does not trust ecs-tasks.amazonaws.com."""
    return (
        f"ECS was unable to assume the role '{role_arn}' that was provided for this task. "
        "Please verify that the role being passed has the proper trust relationship and "
        "permissions and that your IAM user has permissions to pass this role."
    )


class TaskResources:
    """Fetches, refreshes and forgets task resources. Thread-safe; one per agent process.

    ``fetcher`` None: tasks with secrets or environment files fail to start (saying so).
    """

    def __init__(
        self,
        client: ControlPlane,
        clock: Clock,
        *,
        registry: CredentialsRegistry | None = None,
        fetcher: ExecutionResourceFetcher | None = None,
        new_id: Callable[[], str] = new_credentials_id,
        default_region: str = "us-east-1",
    ) -> None:
        self.client = client
        self.clock = clock
        self.registry = registry or CredentialsRegistry()
        self.fetcher = fetcher
        self._new_id = new_id
        self._default_region = default_region
        self._scheduler: Scheduler | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._lock = threading.Lock()
        self._generations: dict[str, int] = {}
        """credentials id → the live refresh chain; an older chain's timer does nothing."""

    # -- called by the task's worker --------------------------------------------------------

    def prepare(self, record: TaskRecord) -> None:
        """Fetch what the task's containers still to be created need; raises
        :class:`ResourceInitializationError` with the task's stoppedReason."""
        manifest = record.manifest
        if manifest.task_role_arn:
            credentials_id = record.credentials_id or self._new_id()
            record.credentials_id = credentials_id
            self.registry.register(credentials_id, record.task_arn)
            credentials = self._fetch_task_role(record)
            self._store(credentials_id, record, credentials)
        if manifest.needs_execution_resources:
            record.resources = self._execution_resources(record)
        record.resources_ready = True

    def resume(self, record: TaskRecord) -> None:
        """An adopted task (agent restart): serve its id again with fresh credentials."""
        if record.credentials_id is None or record.is_stopped:
            return
        if not record.manifest.task_role_arn:
            return
        credentials_id = record.credentials_id
        self.registry.register(credentials_id, record.task_arn)
        generation = self._next_generation(credentials_id)
        self._submit(lambda: self._refresh(record, credentials_id, generation, 0))

    def release(self, record: TaskRecord) -> None:
        """The task stopped: its id stops working at once; fetched secrets are dropped."""
        if record.credentials_id is not None:
            self.registry.forget(record.credentials_id)
            with self._lock:
                self._generations.pop(record.credentials_id, None)
        record.resources = {}

    def close(self) -> None:
        with self._lock:
            scheduler, pool = self._scheduler, self._pool
        if scheduler is not None:
            scheduler.stop()
        if pool is not None:
            pool.shutdown(wait=False, cancel_futures=True)

    # -- internals --------------------------------------------------------------------------

    def _fetch_task_role(self, record: TaskRecord) -> RoleCredentials:
        role_arn = record.manifest.task_role_arn or ""
        try:
            return self._credentials(record, "TaskApplication")
        except ChannelError as exc:
            if exc.status == 403 or exc.code == "AccessDeniedException":
                raise ResourceInitializationError(
                    f"ResourceInitializationError: {unable_to_assume(role_arn)}"
                ) from None
            detail = f"{exc.code}: {exc.message}"
        except (ControlPlaneError, ValueError) as exc:
            detail = str(exc)
        raise ResourceInitializationError(
            f"ResourceInitializationError: unable to get credentials for the task role "
            f"'{role_arn}': {detail}"
        )

    def _execution_resources(self, record: TaskRecord) -> dict[str, ContainerResources]:
        manifest = record.manifest
        role_arn = manifest.execution_role_arn or ""
        if self.fetcher is None:
            raise ResourceInitializationError(
                f"{SECRETS_PREFIX}this agent cannot fetch secrets or environment files"
            )
        try:
            credentials = self._credentials(record, "TaskExecution")
        except ChannelError as exc:
            detail = f"{exc.code}: {exc.message}"
            if exc.status == 403 or exc.code == "AccessDeniedException":
                detail = unable_to_assume(role_arn)
            raise ResourceInitializationError(f"{SECRETS_PREFIX}{detail}") from None
        except (ControlPlaneError, ValueError) as exc:
            raise ResourceInitializationError(
                f"{SECRETS_PREFIX}unable to get credentials for the execution role "
                f"'{role_arn}': {exc}"
            ) from None
        pending = [
            record.definition(name)
            for name, c in record.containers.items()
            if c.known.rank < AgentContainerStatus.CREATED.rank
        ]
        region = manifest.region or self._default_region
        return dict(self.fetcher.fetch(pending, region=region, credentials=credentials))

    def _credentials(self, record: TaskRecord, role_type: RoleType) -> RoleCredentials:
        wire = self.client.credentials(record.manifest.cluster, record.task_arn, role_type)
        return RoleCredentials.from_wire(wire)

    def _store(self, credentials_id: str, record: TaskRecord, credentials: RoleCredentials) -> None:
        """Serve ``credentials`` under the id and time the next refresh."""
        if not self.registry.update(credentials_id, credentials):
            return  # the task stopped meanwhile
        generation = self._next_generation(credentials_id)
        now = self.clock.now()
        delay = refresh_delay(now, credentials.expiration, now=now)
        self._later(delay, lambda: self._refresh(record, credentials_id, generation, 0))

    def _next_generation(self, credentials_id: str) -> int:
        with self._lock:
            generation = self._generations.get(credentials_id, 0) + 1
            self._generations[credentials_id] = generation
            return generation

    def _refresh(
        self, record: TaskRecord, credentials_id: str, generation: int, failures: int
    ) -> None:
        with self._lock:
            live = self._generations.get(credentials_id) == generation
        if not live or credentials_id not in self.registry:
            return
        try:
            credentials = self._credentials(record, "TaskApplication")
        except (ControlPlaneError, ValueError) as exc:
            delay = RETRY_DELAYS[min(failures, len(RETRY_DELAYS) - 1)]
            log.warning(
                "task %s: refreshing task role credentials failed (%s); retrying in %gs",
                record.task_id,
                exc,
                delay,
            )
            self._later(
                delay, lambda: self._refresh(record, credentials_id, generation, failures + 1)
            )
            return
        self._store(credentials_id, record, credentials)

    def _later(self, delay: float, fn: Callable[[], None]) -> None:
        with self._lock:
            if self._scheduler is None:
                self._scheduler = Scheduler()
            scheduler = self._scheduler
        scheduler.call_later(delay, lambda: self._submit(fn))

    def _submit(self, fn: Callable[[], None]) -> None:
        with self._lock:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(REFRESH_WORKERS, thread_name_prefix="credentials")
            pool = self._pool
        try:
            pool.submit(fn)
        except RuntimeError:  # shut down
            return
