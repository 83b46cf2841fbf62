"""Temporary credentials for a task's roles, handed to the agent that runs the task.

The agent asks (``POST …/agent/v1/credentials``) for a task's ``TaskApplication`` role (the task
role, served to its containers at 169.254.170.2) or ``TaskExecution`` role (used by the agent
itself for secrets and environment files). Dockyard then acts as ECS does:

1. the task must exist on the named cluster and not be STOPPED;
2. the role comes from the task's overrides, else its task definition;
3. the role's trust policy must let the service ``ecs-tasks.amazonaws.com`` assume it
   (refused: 403 AccessDeniedException with ECS's "unable to assume the role" message);
4. a session is minted for the role, named after the task id and sourced to the task ARN, so
   its keys stop authenticating once the task stops (``api/auth/authenticator.py``).

The caller must be allowed ``ecs:Poll`` on the cluster (agents run as the bootstrap admin or an
instance role that has it), so no ordinary user can fetch another task's credentials.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.api.ecs.wire import cluster_name
from dockyard.api.sts.sessions import mint_role_session
from dockyard.domain.errors import ApiError, InvalidParameterException
from dockyard.domain.policy import (
    Decision,
    PolicyKind,
    TrustPrincipal,
    evaluate_trust,
    parse_policy_document,
)
from dockyard.domain.task import Task
from dockyard.domain.task_status import TaskStatus
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.uow import UnitOfWork

TASK_SERVICE_PRINCIPAL = "ecs-tasks.amazonaws.com"
ROLE_TYPES = ("TaskApplication", "TaskExecution")
MAX_TASK_SESSION_SECONDS = 6 * 3600
"""ECS task credentials last up to six hours; the role's MaxSessionDuration caps them."""


@dataclass(frozen=True, slots=True)
class CredentialsRequest:
    cluster: str
    task_arn: str
    role_type: str


def parse_request(ctx: RequestContext, body: dict[str, Any]) -> CredentialsRequest:
    role_type = body.get("roleType")
    task_arn_value = body.get("taskArn")
    if role_type not in ROLE_TYPES:
        raise InvalidParameterException(f"roleType must be one of {', '.join(ROLE_TYPES)}.")
    if not isinstance(task_arn_value, str) or ":task/" not in task_arn_value:
        raise InvalidParameterException("taskArn must be a task ARN.")
    cluster = cluster_name(ctx.region, ctx.account_id, body.get("cluster"))
    return CredentialsRequest(cluster, task_arn_value, role_type)


def issue(ctx: RequestContext, request: CredentialsRequest) -> dict[str, Any]:
    """Mint credentials for the task's role (one write transaction); ECS's wire shape."""

    def mint(uow: UnitOfWork) -> dict[str, Any]:
        task = _live_task(uow, ctx, request)
        role_arn = _role_arn(uow, ctx, task, request.role_type)
        role = IamRepository(uow.session).get_role(role_arn.rsplit("/", 1)[-1])
        if role is None or role.arn(ctx.account_id) != role_arn or not _trusts_ecs_tasks(role):
            raise ApiError(
                _unable_to_assume(role_arn), code="AccessDeniedException", http_status=403
            )
        issued = mint_role_session(
            uow,
            ctx.deps,
            role=role,
            session_name=task.task_id,
            duration_seconds=min(role.max_session_duration, MAX_TASK_SESSION_SECONDS),
            now=ctx.now,
            source=request.task_arn,
        )
        return {
            "RoleArn": issued.role_arn,
            "AccessKeyId": issued.access_key_id,
            "SecretAccessKey": issued.secret_access_key,
            "Token": issued.session_token,
            "Expiration": issued.expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
        }

    return ctx.store.write(mint)


def _live_task(uow: UnitOfWork, ctx: RequestContext, request: CredentialsRequest) -> Task:
    task_id = request.task_arn.rsplit("/", 1)[-1]
    task = uow.tasks.get(ctx.region, request.cluster, task_id)
    if task is None or task.last_status is TaskStatus.STOPPED:
        raise InvalidParameterException(
            f"The task {request.task_arn} is not running on cluster {request.cluster}."
        )
    return task


def _role_arn(uow: UnitOfWork, ctx: RequestContext, task: Task, role_type: str) -> str:
    overrides = task.overrides
    if role_type == "TaskApplication":
        chosen = overrides.task_role_arn if overrides else None
    else:
        chosen = overrides.execution_role_arn if overrides else None
    if not chosen:
        td = uow.task_definitions.get(ctx.region, task.family, task.revision)
        if td is not None:
            chosen = td.task_role_arn if role_type == "TaskApplication" else td.execution_role_arn
    if not chosen:
        kind = "task role" if role_type == "TaskApplication" else "execution role"
        raise InvalidParameterException(f"The task {task.task_id} has no {kind}.")
    return chosen


def _trusts_ecs_tasks(role: Any) -> bool:
    try:
        document = parse_policy_document(role.trust_document, kind=PolicyKind.TRUST)
    except ApiError:
        return False
    principal = TrustPrincipal(
        arn=TASK_SERVICE_PRINCIPAL, account_id="", service=TASK_SERVICE_PRINCIPAL
    )
    return evaluate_trust(document, principal=principal).decision is Decision.ALLOW


def _unable_to_assume(role_arn: str) -> str:
    return (
        f"ECS was unable to assume the role '{role_arn}' that was provided for this task. "
        "Please verify that the role being passed has the proper trust relationship and "
        "permissions and that your IAM user has permissions to pass this role."
    )
