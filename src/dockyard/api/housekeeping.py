"""Background upkeep of the control plane, run for the app's lifetime.

- Stopped tasks stay describable for :data:`STOPPED_TASK_RETENTION` (ECS: "at least one
  hour"), then are forgotten, swept every :data:`SWEEP_INTERVAL_SECONDS`.
- Metric points are compacted on the same cadence: raw points older than 3 hours become minute
  rollups, rollups older than 15 days are dropped (``store/repositories/metrics.py``).
- Application Auto Scaling activities are kept :data:`SCALING_ACTIVITY_RETENTION` (six weeks,
  as AWS) and at most :data:`SCALING_ACTIVITIES_PER_TARGET` per scalable target.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from datetime import timedelta
from typing import Protocol

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool

from dockyard.api.context import Dependencies
from dockyard.api.sts import sessions as sts_sessions
from dockyard.store.repositories.autoscaling import AutoScalingRepository
from dockyard.store.repositories.metrics import MetricRepository

log = logging.getLogger("dockyard.housekeeping")

STOPPED_TASK_RETENTION = timedelta(hours=1)
SWEEP_INTERVAL_SECONDS = 300.0
SCALING_ACTIVITY_RETENTION = timedelta(weeks=6)
"""DescribeScalingActivities covers the last six weeks on AWS."""
SCALING_ACTIVITIES_PER_TARGET = 1000
"""A flapping alarm can record an activity per evaluation (every 5 s on the fast profile); the
cap bounds what one target keeps. DescribeScalingActivities pages through at most this many."""


def sweep_stopped_tasks(deps: Dependencies) -> int:
    cutoff = deps.clock.now() - STOPPED_TASK_RETENTION
    return deps.store.write(lambda uow: uow.tasks.delete_stopped_before(cutoff))


def compact_metrics(deps: Dependencies) -> int:
    """Roll raw metric points into minute sets and forget expired ones (metric store)."""
    now = deps.clock.now()
    return deps.store.write(lambda uow: MetricRepository(uow.session).compact(now))


def prune_scaling_activities(deps: Dependencies) -> int:
    """Forget scaling activities past their retention or beyond the per-target cap."""
    before = deps.clock.now() - SCALING_ACTIVITY_RETENTION
    return deps.store.write(
        lambda uow: AutoScalingRepository(uow.session).prune_activities(
            before=before, keep_per_target=SCALING_ACTIVITIES_PER_TARGET
        )
    )


def purge_expired_sessions(deps: Dependencies) -> int:
    """Forget STS sessions (AssumeRole, task roles) past their expiration."""
    return sts_sessions.purge_expired(deps)


async def _sweeper(deps: Dependencies) -> None:
    while True:
        await asyncio.sleep(SWEEP_INTERVAL_SECONDS)
        try:
            removed = await run_in_threadpool(sweep_stopped_tasks, deps)
            await run_in_threadpool(compact_metrics, deps)
            await run_in_threadpool(prune_scaling_activities, deps)
            await run_in_threadpool(purge_expired_sessions, deps)
        except Exception:
            log.exception("sweeping stopped tasks, metrics or scaling activities failed")
            continue
        if removed:
            log.info("forgot %d tasks stopped over %s ago", removed, STOPPED_TASK_RETENTION)


class Background(Protocol):
    """A long-running part of the control plane started and stopped with the app (the
    service controller): ``start`` returns at once, ``stop`` waits for it to finish."""

    def start(self) -> None: ...

    def stop(self) -> None: ...


def lifespan(
    deps: Dependencies, background: Sequence[Background] = ()
) -> Callable[[Starlette], AbstractAsyncContextManager[None]]:
    """A Starlette lifespan running the sweeps and ``background`` while the app serves."""

    @contextlib.asynccontextmanager
    async def run(_app: Starlette) -> AsyncIterator[None]:
        task = asyncio.create_task(_sweeper(deps))
        for part in background:
            part.start()
        try:
            yield
        finally:
            for part in background:
                await run_in_threadpool(part.stop)
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    return run
