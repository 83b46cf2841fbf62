"""The agent channel: how agents learn of desired task changes and report back, over HTTP.

ECS agents hold a websocket (ACS) open to the control plane; Dockyard's agents long-poll
instead, with the same effect: a change reaches the agent as soon as it is committed.

::

    agent ── POST /_dockyard/agent/v1/poll   {cluster, instances:[{id, etag}], wait}
          ◀─ {instances:[{id, status, etag, tasks:[manifest…]}]}   (only those whose etag moved,
                                                                   or [] after ``wait`` seconds)
    agent ── POST /_dockyard/agent/v1/report {cluster, reports:[SubmitTaskStateChange…]}
          ◀─ {acknowledged: [task ids], unknown: [task ids]}

Both are SigV4-signed for service ``ecs`` with the caller's usual credentials. A poll is also
the instance's heartbeat (``agentConnected``). A manifest lists every task placed on the
instance that is not yet STOPPED, with its desiredStatus, task definition and overrides; its
etag is a digest of (task id, desiredStatus) pairs, so it moves exactly when an agent has
something new to do.

Wake-ups are in-process (:class:`AgentNotifier`): a write on this control plane wakes the
polls waiting on it at once. With several control-plane processes on one PostgreSQL store, a
change made on another process is seen when the waiting poll's ``wait`` runs out
(:data:`MAX_WAIT_SECONDS`); PostgreSQL LISTEN/NOTIFY would remove that delay.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import threading
from collections.abc import Awaitable, Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from dockyard.api import task_credentials
from dockyard.api.agent_manifests import (
    Documents,
    InstanceManifest,
    ManifestFragments,
    agent_document,
    render,
)
from dockyard.api.agent_metrics import record_metrics
from dockyard.api.auth.authenticator import Authenticator
from dockyard.api.auth.authorizer import Authorizer, RequestFacts, denial_message
from dockyard.api.auth.resources import access_target
from dockyard.api.context import Dependencies, RequestContext
from dockyard.api.ecs.agent_reports import AddressedReport, apply_reports, report_from_wire
from dockyard.api.ecs.task_wire import task_arn
from dockyard.api.ecs.wire import cluster_name
from dockyard.api.http import signed_request
from dockyard.domain.errors import ApiError, InvalidParameterException
from dockyard.domain.identity import Principal
from dockyard.domain.task import Task
from dockyard.domain.task_status import TaskStatus
from dockyard.store.uow import UnitOfWork

log = logging.getLogger("dockyard.agent_channel")

MAX_WAIT_SECONDS = 10.0
"""Longest a poll is held open. Well under the 30 s heartbeat timeout, so an idle agent that
polls in a loop never looks disconnected."""

HEARTBEAT_WRITE_INTERVAL = timedelta(seconds=5)
"""A poll records a heartbeat only if the last one is older than this: polls that return often
(a busy instance) do not turn into a stream of writes."""

MAX_INSTANCES_PER_POLL = 5000
MAX_REPORTS_PER_BATCH = 1000


_NEVER = datetime.min.replace(tzinfo=UTC)
MAX_CACHED_DOCUMENTS = 1024


class Wakeup:
    """One waiting poll: the instances notified since it last looked, and an event set on
    every notification. ``ids`` is only touched under the notifier's lock."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.event = asyncio.Event()
        self.ids: set[str] = set()


class AgentNotifier:
    """Wakes the polls waiting on an instance and tells them which instances changed.
    Thread-safe: ``notify`` may be called from any thread; waiters live on the event loop."""

    def __init__(self) -> None:
        self._waiters: dict[str, set[Wakeup]] = {}
        self._lock = threading.Lock()

    def notify(self, instance_ids: Iterable[str]) -> None:
        woken: set[Wakeup] = set()
        with self._lock:
            for i in instance_ids:
                for wakeup in self._waiters.get(i, ()):
                    wakeup.ids.add(i)
                    woken.add(wakeup)
        for wakeup in woken:
            wakeup.loop.call_soon_threadsafe(wakeup.event.set)

    def take(self, wakeup: Wakeup) -> set[str]:
        """The instances notified since the last ``take`` (and clear the event)."""
        with self._lock:
            ids, wakeup.ids = wakeup.ids, set()
            wakeup.event.clear()
        return ids

    @contextmanager
    def subscription(self, instance_ids: list[str]) -> Iterator[Wakeup]:
        """A :class:`Wakeup` that records every ``notify`` of ``instance_ids`` while open."""
        wakeup = Wakeup(asyncio.get_running_loop())
        with self._lock:
            for i in instance_ids:
                self._waiters.setdefault(i, set()).add(wakeup)
        try:
            yield wakeup
        finally:
            with self._lock:
                for i in instance_ids:
                    waiters = self._waiters.get(i)
                    if waiters is not None:
                        waiters.discard(wakeup)
                        if not waiters:
                            del self._waiters[i]


async def _guarded(route: Callable[[Request], Awaitable[Response]], request: Request) -> Response:
    """Never a traceback to the agent: unexpected failures become an AWS-style 500."""
    try:
        return await route(request)
    except Exception:
        log.exception("agent channel request failed")
        return _error(
            ApiError("An internal error occurred.", code="ServerException", http_status=500)
        )


@dataclass(frozen=True, slots=True)
class _Poll:
    region: str
    cluster: str
    etags: dict[str, str]
    wait: float


class AgentChannel:
    """The two async routes. Store work runs in the thread pool; waiting costs no thread."""

    def __init__(
        self,
        authenticator: Authenticator,
        deps: Dependencies,
        notifier: AgentNotifier,
        authorizer: Authorizer | None = None,
    ) -> None:
        self._authenticator = authenticator
        self._authorizer = authorizer
        self._deps = deps
        self._notifier = notifier
        self._touch_lock = threading.Lock()
        self._touched: dict[str, datetime] = {}
        self._documents: dict[tuple[str, str, int], dict[str, Any]] = {}
        self._fragments = ManifestFragments()

    async def poll(self, request: Request) -> Response:
        return await _guarded(self._poll, request)

    async def report(self, request: Request) -> Response:
        return await _guarded(self._report, request)

    async def metrics(self, request: Request) -> Response:
        return await _guarded(self._metrics, request)

    async def credentials(self, request: Request) -> Response:
        return await _guarded(self._credentials, request)

    async def _credentials(self, request: Request) -> Response:
        """Temporary credentials for a task's role (``api/task_credentials.py``)."""
        try:
            ctx, body = await self._authenticated(request, "AgentCredentials")
            wanted = task_credentials.parse_request(ctx, body)
            self._require_poll(ctx, wanted.cluster, request.client.host if request.client else "")
            issued = await run_in_threadpool(task_credentials.issue, ctx, wanted)
        except ApiError as error:
            return _error(error)
        return JSONResponse(issued)

    def _require_poll(self, ctx: RequestContext, cluster: str, source_ip: str) -> None:
        """Only a principal allowed ``ecs:Poll`` on the cluster (an agent) gets task secrets."""
        if self._authorizer is None:
            return
        target = access_target(
            "ecs", "Poll", {"cluster": cluster}, region=ctx.region, account_id=ctx.account_id
        )
        facts = RequestFacts(ctx.now, source_ip, ctx.region)
        result = self._authorizer.authorize(ctx.principal, target, facts)
        if not result.allowed:
            message = denial_message(ctx.principal, target.action, result)
            raise ApiError(message, code="AccessDeniedException", http_status=403)

    async def _metrics(self, request: Request) -> Response:
        try:
            ctx, body = await self._authenticated(request, "AgentMetrics")
            cluster = cluster_name(ctx.region, ctx.account_id, body.get("cluster"))
            samples = body.get("samples")
            if not isinstance(samples, list) or len(samples) > MAX_REPORTS_PER_BATCH:
                raise InvalidParameterException(
                    f"samples must be a list of at most {MAX_REPORTS_PER_BATCH} entries."
                )
            stored = await run_in_threadpool(record_metrics, ctx, cluster, samples)
        except ApiError as error:
            return _error(error)
        return JSONResponse({"points": stored})

    async def _poll(self, request: Request) -> Response:
        try:
            ctx, body = await self._authenticated(request, "AgentPoll")
            poll = _parse_poll(ctx, body)
        except ApiError as error:
            return _error(error)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + poll.wait
        heartbeat = True
        check: set[str] | None = None  # None: every polled instance
        with self._notifier.subscription(list(poll.etags)) as wakeup:
            while True:
                changed = await run_in_threadpool(self._changed, ctx, poll, heartbeat, check)
                heartbeat = False
                remaining = deadline - loop.time()
                if changed or remaining <= 0:
                    return Response(render(changed), media_type="application/json")
                try:
                    await asyncio.wait_for(wakeup.event.wait(), remaining)
                    check = self._notifier.take(wakeup)
                except TimeoutError:
                    check = None  # a last full look: changes made by other control planes

    async def _report(self, request: Request) -> Response:
        try:
            ctx, body = await self._authenticated(request, "AgentReport")
            cluster = cluster_name(ctx.region, ctx.account_id, body.get("cluster"))
            reports = body.get("reports")
            if not isinstance(reports, list) or len(reports) > MAX_REPORTS_PER_BATCH:
                raise InvalidParameterException(
                    f"reports must be a list of at most {MAX_REPORTS_PER_BATCH} entries."
                )
            addressed = [_addressed(r) for r in reports]
            tasks = await run_in_threadpool(apply_reports, ctx, cluster, addressed)
        except ApiError as error:
            return _error(error)
        stopped = [task for task in tasks if task.last_status is TaskStatus.STOPPED]
        for task in stopped:
            self._authenticator.forget_source(task_arn(ctx, task))
        self._fragments.forget([task.task_id for task in stopped])
        known = {t.task_id for t in tasks}
        return JSONResponse(
            {
                "acknowledged": sorted(known),
                "unknown": sorted({a.task_id for a in addressed} - known),
            }
        )

    async def _authenticated(
        self, request: Request, operation: str
    ) -> tuple[RequestContext, dict[str, Any]]:
        raw = await request.body()
        signed = signed_request(request, raw)
        auth = self._authenticator.authenticate(signed)
        try:
            body = json.loads(raw or b"{}")
        except ValueError:
            raise InvalidParameterException("The request body is not valid JSON.") from None
        if not isinstance(body, dict):
            raise InvalidParameterException("The request body must be a JSON object.")
        return self._context(auth.principal, auth.claim.region, operation), body

    def _context(self, principal: Principal, region: str, operation: str) -> RequestContext:
        return RequestContext(
            request_id="agent",
            principal=principal,
            region=region,
            service="ecs",
            operation=operation,
            now=self._deps.clock.now(),
            deps=self._deps,
        )

    def _changed(
        self, ctx: RequestContext, poll: _Poll, heartbeat: bool, check: set[str] | None
    ) -> list[InstanceManifest]:
        """Manifests of the polled instances (or of ``check`` among them: those notified since
        the last look) whose etag moved. Two reads: a narrow one of (instance, task,
        desiredStatus) keys, then whole tasks and task definitions only for what changed."""
        now = self._deps.clock.now()
        ids = list(poll.etags) if check is None else [i for i in poll.etags if i in check]
        if not ids:
            return []
        due = self._heartbeats_due(list(poll.etags), now) if heartbeat else []
        if due:
            self._deps.store.write(
                lambda uow: uow.container_instances.touch(
                    due, now, older_than=now - HEARTBEAT_WRITE_INTERVAL
                )
            )

        def keys(uow: UnitOfWork) -> tuple[dict[str, tuple[str, str]], list[tuple[str, str, str]]]:
            return uow.container_instances.placements(ids), uow.tasks.live_keys(ids)

        statuses, live = self._deps.store.read(keys)
        by_instance: dict[str, list[tuple[str, str]]] = {i: [] for i in ids}
        for instance_id, task_id, desired in live:
            by_instance[instance_id].append((task_id, desired))
        etags: dict[str, tuple[str, str]] = {}
        for instance_id in ids:
            cluster, status = statuses.get(instance_id, ("", "MISSING"))
            status = status if cluster == poll.cluster else "MISSING"
            etag = _etag(status, by_instance[instance_id] if status != "MISSING" else [])
            if etag != poll.etags[instance_id]:
                etags[instance_id] = (status, etag)
        if not etags:
            return []
        changed = [i for i, (status, _) in etags.items() if status != "MISSING"]

        def manifests(uow: UnitOfWork) -> tuple[list[Task], Documents]:
            tasks = uow.tasks.live_for_instances(changed)
            documents: Documents = {}
            for t in tasks:  # renderings are cached: a dict lookup per revision
                key = (t.region, t.family, t.revision)
                if key not in documents:
                    documents[key] = self._document(uow, key)
            return tasks, documents

        tasks, documents = self._deps.store.read(manifests) if changed else ([], {})
        entries: dict[str, list[Task]] = {i: [] for i in etags}
        for t in tasks:
            if t.instance_id in entries:
                entries[t.instance_id].append(t)
        return [
            InstanceManifest(
                instance_id,
                status,
                etag,
                tuple(self._fragments.fragment(ctx, t, documents) for t in entries[instance_id]),
            )
            for instance_id, (status, etag) in etags.items()
        ]

    def _heartbeats_due(self, ids: list[str], now: datetime) -> list[str]:
        """The instances this process has not recorded a heartbeat for in the last
        :data:`HEARTBEAT_WRITE_INTERVAL` (so most polls write nothing)."""
        cutoff = now - HEARTBEAT_WRITE_INTERVAL
        with self._touch_lock:
            due = [i for i in ids if self._touched.get(i, _NEVER) < cutoff]
            for i in due:
                self._touched[i] = now
        return due

    def _document(self, uow: UnitOfWork, key: tuple[str, str, int]) -> dict[str, Any] | None:
        """The agent's rendering of a task definition, cached: a revision never changes what
        the agent needs (only its status, which the agent does not read)."""
        with self._touch_lock:
            cached = self._documents.get(key)
        if cached is not None:
            return cached
        td = uow.task_definitions.get(*key)
        if td is None:
            return None
        document = agent_document(td)
        with self._touch_lock:
            if len(self._documents) >= MAX_CACHED_DOCUMENTS:
                self._documents.pop(next(iter(self._documents)))
            self._documents[key] = document
        return document


def _parse_poll(ctx: RequestContext, body: dict[str, Any]) -> _Poll:
    instances = body.get("instances")
    if not isinstance(instances, list) or not 1 <= len(instances) <= MAX_INSTANCES_PER_POLL:
        raise InvalidParameterException(
            f"instances must list 1 to {MAX_INSTANCES_PER_POLL} container instances."
        )
    etags: dict[str, str] = {}
    for item in instances:
        if not isinstance(item, dict) or not isinstance(item.get("id"), str):
            raise InvalidParameterException("Each instance needs an id.")
        etags[item["id"].rsplit("/", 1)[-1]] = str(item.get("etag") or "")
    wait = body.get("wait", MAX_WAIT_SECONDS)
    if not isinstance(wait, int | float) or wait < 0:
        raise InvalidParameterException("wait must be a non-negative number of seconds.")
    return _Poll(
        region=ctx.region,
        cluster=cluster_name(ctx.region, ctx.account_id, body.get("cluster")),
        etags=etags,
        wait=min(float(wait), MAX_WAIT_SECONDS),
    )


def _addressed(wire: Any) -> AddressedReport:
    if not isinstance(wire, dict) or not isinstance(wire.get("task"), str):
        raise InvalidParameterException("Each report needs a task.")
    return AddressedReport(wire["task"].rsplit("/", 1)[-1], report_from_wire(wire))


def _etag(status: str, tasks: list[tuple[str, str]]) -> str:
    """Digest of the instance's status and its live (task id, desiredStatus) pairs, by id."""
    text = status + ";" + ";".join(f"{task_id}={desired}" for task_id, desired in tasks)
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()[:16]


def _error(error: ApiError) -> Response:
    return JSONResponse(
        {"__type": error.code, "message": error.message},
        status_code=error.http_status,
        headers={"x-amzn-ErrorType": error.code},
    )
