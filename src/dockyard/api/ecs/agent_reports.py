"""Agent-facing ECS operations: SubmitTaskStateChange, SubmitContainerStateChange,
DiscoverPollEndpoint — and :func:`apply_reports`, the one place agent reports enter the store
(the agent channel's batched ``report`` uses it too).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.ecs.container_instances import require_active_cluster
from dockyard.api.ecs.task_wire import binding_from_wire, parse_task_ref
from dockyard.api.ecs.wire import request_cluster
from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.task import ContainerReport, Task, TaskReport, apply_report
from dockyard.domain.task_status import ContainerStatus, HealthStatus, StopCode, TaskStatus
from dockyard.store.uow import UnitOfWork

AGENT_CHANNEL_PATH = "/_dockyard/agent/v1"
"""Where agents long-poll for their tasks and send batched reports (see ``api/agent_channel``)."""

TASK_NOT_FOUND = "The referenced task was not found."


@dataclass(frozen=True, slots=True)
class AddressedReport:
    """A report and the task it is about."""

    task_id: str
    report: TaskReport


def submit_task_state_change(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    task_id = parse_task_ref(params.get("task") or "", cluster)
    if task_id is None:
        raise InvalidParameterException(TASK_NOT_FOUND)
    report = report_from_wire(params)
    applied = apply_reports(ctx, cluster, [AddressedReport(task_id, report)])
    if not applied:
        raise InvalidParameterException(TASK_NOT_FOUND)
    return {"acknowledgment": "true"}


def submit_container_state_change(ctx: RequestContext, params: Params) -> Result:
    cluster = request_cluster(ctx, params)
    task_id = parse_task_ref(params.get("task") or "", cluster)
    name = params.get("containerName")
    if task_id is None or not name:
        raise InvalidParameterException("task and containerName are required.")
    container = container_report_from_wire({**params, "containerName": name})
    applied = apply_reports(
        ctx, cluster, [AddressedReport(task_id, TaskReport(containers=(container,)))]
    )
    if not applied:
        raise InvalidParameterException(TASK_NOT_FOUND)
    return {"acknowledgment": "true"}


def discover_poll_endpoint(ctx: RequestContext, params: Params) -> Result:
    """Where this control plane's agent channel is (one endpoint serves everything)."""
    base = ctx.deps.settings.endpoint_url
    return {
        "endpoint": base + AGENT_CHANNEL_PATH,
        "telemetryEndpoint": base + AGENT_CHANNEL_PATH,
        "serviceConnectEndpoint": base + AGENT_CHANNEL_PATH,
    }


def apply_reports(
    ctx: RequestContext, cluster: str, reports: Iterable[AddressedReport]
) -> list[Task]:
    """Fold reports into their tasks in one transaction; unknown tasks are skipped.

    Returns the tasks that exist (changed or not). Agents whose tasks' desired status changed
    as a result (an essential container exited) are woken.
    """
    batch = list(reports)

    def write(uow: UnitOfWork) -> tuple[list[Task], set[str], list[Task]]:
        require_active_cluster(ctx, uow, cluster)
        found = uow.tasks.get_many(ctx.region, cluster, [r.task_id for r in batch])
        result: dict[str, Task] = {}
        changed: dict[str, Task] = {}
        woken: set[str] = set()
        for item in batch:
            task = result.get(item.task_id) or found.get(item.task_id)
            if task is None:
                continue
            updated = apply_report(task, item.report, ctx.now)
            if updated != task:
                if updated.desired_status is not task.desired_status and task.instance_id:
                    woken.add(task.instance_id)
                changed[item.task_id] = updated
            result[item.task_id] = updated
        saved_tasks = uow.tasks.save_many(list(changed.values()))
        for saved in saved_tasks:
            result[saved.task_id] = saved
        return list(result.values()), woken, saved_tasks

    tasks, woken, changed_tasks = ctx.store.write(write)
    if woken:
        ctx.deps.notifier.notify(woken)
    services = {(t.region, t.cluster, t.service_name) for t in changed_tasks if t.service_name}
    if services:
        ctx.deps.services.wake(services)
    return tasks


def report_from_wire(wire: Mapping[str, Any]) -> TaskReport:
    """A ``SubmitTaskStateChange`` request (or one entry of the agent channel's ``reports``)."""
    status = wire.get("status")
    stop_code = wire.get("stopCode")
    return TaskReport(
        status=_enum(TaskStatus, status, "status") if status else None,
        reason=wire.get("reason") or None,
        stop_code=_enum(StopCode, stop_code, "stopCode") if stop_code else None,
        containers=tuple(container_report_from_wire(c) for c in wire.get("containers") or ()),
        pull_started_at=_time(wire.get("pullStartedAt")),
        pull_stopped_at=_time(wire.get("pullStoppedAt")),
        execution_stopped_at=_time(wire.get("executionStoppedAt")),
    )


def container_report_from_wire(wire: Mapping[str, Any]) -> ContainerReport:
    status = wire.get("status")
    health = wire.get("healthStatus")
    bindings = wire.get("networkBindings")
    name = wire.get("containerName")
    if not name:
        raise InvalidParameterException("Each container state change needs a containerName.")
    return ContainerReport(
        name=str(name),
        status=_enum(ContainerStatus, status, "container status") if status else None,
        exit_code=wire.get("exitCode"),
        reason=wire.get("reason") or None,
        runtime_id=wire.get("runtimeId") or None,
        image_digest=wire.get("imageDigest") or None,
        network_bindings=(
            tuple(binding_from_wire(b) for b in bindings) if bindings is not None else None
        ),
        health_status=_enum(HealthStatus, health, "healthStatus") if health else None,
    )


def _enum(kind: Any, value: Any, what: str) -> Any:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(m.value for m in kind)
        raise InvalidParameterException(
            f"Invalid {what} '{value}'; expected one of {allowed}."
        ) from None


def _time(value: Any) -> datetime | None:
    if value is None:
        return None
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    raise InvalidParameterException(f"Invalid timestamp {value!r}.")
