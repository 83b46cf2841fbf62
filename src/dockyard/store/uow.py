"""The unit of work: one transaction, its repositories, bounded retries on conflict.

Usage::

    store.write(lambda uow: uow.clusters.add(cluster))
    clusters = store.read(lambda uow: uow.clusters.get_many(region, names))

Contract: ``fn`` runs inside one transaction; if it raises, everything it wrote is rolled back
and the exception propagates unchanged. On an optimistic-concurrency conflict (a stale version
column or a unique-key race) the whole ``fn`` is re-run on fresh data, at most
:data:`MAX_CONFLICT_RETRIES` times, so ``fn`` must be a pure function of what it reads.
"""

from __future__ import annotations

import contextlib
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from sqlalchemy import Engine
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from dockyard.domain.errors import ConcurrentModificationError, InvalidParameterException
from dockyard.domain.service import Service
from dockyard.domain.task import Task
from dockyard.domain.task_definition import TaskDefinition
from dockyard.store.engine import WRITE_OPTION, create_db_engine, migrate
from dockyard.store.repositories.access_keys import AccessKeyRepository
from dockyard.store.repositories.account_settings import AccountSettingRepository
from dockyard.store.repositories.clusters import ClusterRepository
from dockyard.store.repositories.container_instances import (
    CapacityCache,
    ContainerInstanceRepository,
)
from dockyard.store.repositories.elb import ElbRepository
from dockyard.store.repositories.logs import LogRepository
from dockyard.store.repositories.services import ServiceRepository
from dockyard.store.repositories.tags import TagRepository
from dockyard.store.repositories.task_definitions import TaskDefinitionRepository
from dockyard.store.repositories.tasks import TaskRepository
from dockyard.store.versioned_cache import VersionedCache

T = TypeVar("T")

MAX_CONFLICT_RETRIES = 10
"""Conflicts need two writers on the same rows within one transaction; with jittered back-off
(:func:`_backoff`) ten retries make a spurious failure vanishingly unlikely while bounding the
work spent on a hot row."""

BACKOFF_CAP_SECONDS = 0.05
"""Longest pause between two attempts: long enough for a competing transaction to commit."""


@dataclass
class StoreCaches:
    """Process-wide read caches a Store shares with its units of work (each validates itself
    against the database, so several control-plane processes stay correct)."""

    capacity: CapacityCache = field(default_factory=CapacityCache)
    tasks: VersionedCache[Task] = field(default_factory=VersionedCache)
    services: VersionedCache[Service] = field(default_factory=VersionedCache)
    task_definitions: VersionedCache[TaskDefinition] = field(default_factory=VersionedCache)


class UnitOfWork:
    """Repositories bound to one session (one transaction)."""

    def __init__(self, session: Session, caches: StoreCaches | None = None) -> None:
        caches = caches or StoreCaches()
        self.session = session
        self.clusters = ClusterRepository(session)
        self.task_definitions = TaskDefinitionRepository(session, caches.task_definitions)
        self.tags = TagRepository(session)
        self.account_settings = AccountSettingRepository(session)
        self.access_keys = AccessKeyRepository(session)
        self.container_instances = ContainerInstanceRepository(session, caches.capacity)
        self.logs = LogRepository(session)
        self.tasks = TaskRepository(session, caches.tasks)
        self.services = ServiceRepository(session, caches.services)
        self.elb = ElbRepository(session)


class Store:
    """Entry point to persistence. Migrates the schema to head on construction."""

    def __init__(self, url: str, *, run_migrations: bool = True) -> None:
        self.url = url
        self._caches = StoreCaches()
        self.engine: Engine = create_db_engine(url)
        if run_migrations:
            migrate(self.engine)
        self._read_sessions = sessionmaker(self.engine, expire_on_commit=False)
        writer = self.engine.execution_options(**{WRITE_OPTION: True})
        if self.dialect == "postgresql":
            # Read-check-write across rows (DeleteCluster vs. RegisterContainerInstance, tag
            # read-modify-replace) is only safe under SERIALIZABLE; its serialization failures
            # are retried below like version conflicts.
            writer = writer.execution_options(isolation_level="SERIALIZABLE")
        self._write_sessions = sessionmaker(writer, expire_on_commit=False)
        self._write_lock: threading.Lock | contextlib.nullcontext[None] = (
            threading.Lock() if self.dialect == "sqlite" else contextlib.nullcontext()
        )

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def read(self, fn: Callable[[UnitOfWork], T]) -> T:
        """Run ``fn`` in a read transaction (it must not write)."""
        with self._read_sessions() as session, session.begin():
            return fn(UnitOfWork(session, self._caches))

    def write(self, fn: Callable[[UnitOfWork], T], *, retries: int = MAX_CONFLICT_RETRIES) -> T:
        """Run ``fn`` in a write transaction, re-running it on conflicts (see module doc).

        On SQLite, writers of this process queue on an in-process lock: SQLite's own busy
        handler waits by sleeping with back-off (up to 100 ms a step), which turned lock
        contention between threads into tail latency. Other processes still meet the busy
        timeout, which is correct, only slower.
        """
        last_error: Exception | None = None
        for attempt in range(retries + 1):
            if attempt:
                _backoff(attempt)
            try:
                with self._write_lock, self._write_sessions() as session, session.begin():
                    result = fn(UnitOfWork(session, self._caches))
                    session.flush()
                    return result
            except StaleDataError as exc:
                last_error = exc
            except IntegrityError as exc:
                if not _is_unique_race(exc):
                    raise
                last_error = exc
            except DataError as exc:
                raise InvalidParameterException(
                    "A value in the request is too long or malformed to be stored."
                ) from exc
            except OperationalError as exc:
                if not _is_transient(exc):
                    raise
                last_error = exc
        raise ConcurrentModificationError(
            "The request conflicted with concurrent changes; try again."
        ) from last_error

    def dispose(self) -> None:
        self.engine.dispose()


def _backoff(attempt: int) -> None:
    """Full-jitter exponential back-off, so retrying writers stop colliding in lock-step."""
    time.sleep(random.uniform(0, min(BACKOFF_CAP_SECONDS, 0.001 * 2**attempt)))


def _is_unique_race(exc: IntegrityError) -> bool:
    """Two writers inserting the same key: retrying re-reads and finds the winner's row."""
    text = str(exc.orig).lower()
    return "unique" in text or "duplicate key" in text


def _is_transient(exc: OperationalError) -> bool:
    text = str(exc.orig).lower()
    return "database is locked" in text or "could not serialize" in text or "deadlock" in text
