"""Managed policies attached to users, groups and roles (at most ten each, AWS's default)."""

from __future__ import annotations

from dockyard.api.context import Handler, Params, RequestContext, Result
from dockyard.api.iam.wire import (
    page_params,
    paged,
    repo,
    require_owner,
    resolve_policy,
    validate_path_prefix,
    write,
)
from dockyard.domain.errors import NoSuchEntity
from dockyard.domain.iam import (
    ManagedPolicy,
    OwnerKind,
)
from dockyard.domain.iam_managed import BuiltinPolicy, builtin_by_id
from dockyard.domain.iam_rules import (
    MAX_ATTACHED_POLICIES,
    check_owner_quota,
)
from dockyard.store.uow import UnitOfWork

_MEMBER = {OwnerKind.USER: "UserName", OwnerKind.GROUP: "GroupName", OwnerKind.ROLE: "RoleName"}
_QUOTA = {
    OwnerKind.USER: "PoliciesPerUser",
    OwnerKind.GROUP: "PoliciesPerGroup",
    OwnerKind.ROLE: "PoliciesPerRole",
}
_ENTITY_FILTERS = {"User": OwnerKind.USER, "Group": OwnerKind.GROUP, "Role": OwnerKind.ROLE}


def _policy(found: ManagedPolicy | BuiltinPolicy) -> ManagedPolicy:
    return found.policy if isinstance(found, BuiltinPolicy) else found


def attach(kind: OwnerKind) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Result:
        arn = params["PolicyArn"]

        def write_attachment(uow: UnitOfWork) -> None:
            policy = _policy(
                resolve_policy(uow, ctx, arn, missing="does not exist or is not attachable.")
            )
            owner_id, _ = require_owner(uow, kind, params[_MEMBER[kind]])
            iam = repo(uow)
            attached = iam.attached_policy_ids(kind, owner_id)
            if policy.policy_id in attached:
                return
            check_owner_quota(len(attached), MAX_ATTACHED_POLICIES, _QUOTA[kind])
            iam.attach(kind, owner_id, policy.policy_id)

        write(ctx, write_attachment)
        return {}

    return handler


def detach(kind: OwnerKind) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Result:
        arn = params["PolicyArn"]

        def remove(uow: UnitOfWork) -> None:
            policy = _policy(resolve_policy(uow, ctx, arn))
            owner_id, _ = require_owner(uow, kind, params[_MEMBER[kind]])
            if not repo(uow).detach(kind, owner_id, policy.policy_id):
                raise NoSuchEntity(f"Policy {arn} was not found.")

        write(ctx, remove)
        return {}

    return handler


def list_attached(kind: OwnerKind) -> Handler:
    operation = f"ListAttached{kind.value.title()}Policies"

    def handler(ctx: RequestContext, params: Params) -> Result:
        prefix = validate_path_prefix(params)
        after, limit = page_params(operation, params)

        def read(uow: UnitOfWork) -> list[ManagedPolicy]:
            owner_id, _ = require_owner(uow, kind, params[_MEMBER[kind]])
            ids = repo(uow).attached_policy_ids(kind, owner_id)
            local = repo(uow).policies_by_id(ids)
            builtins = [b.policy for i in ids if (b := builtin_by_id(i)) is not None]
            return list(local.values()) + builtins

        found = [p for p in ctx.store.read(read) if p.path.startswith(prefix)]
        ordered = sorted(found, key=lambda p: p.arn(ctx.account_id))
        ordered = [p for p in ordered if after is None or p.arn(ctx.account_id) > after]
        page, more = paged(operation, ordered, limit, lambda p: p.arn(ctx.account_id))
        return {
            "AttachedPolicies": [
                {"PolicyName": p.name, "PolicyArn": p.arn(ctx.account_id)} for p in page
            ],
            **more,
        }

    return handler


def list_entities_for_policy(ctx: RequestContext, params: Params) -> Result:
    wanted = _ENTITY_FILTERS.get(params.get("EntityFilter") or "")

    def read(uow: UnitOfWork) -> list[tuple[OwnerKind, str, str]]:
        policy = _policy(resolve_policy(uow, ctx, params["PolicyArn"]))
        return [
            (e.kind, e.entity_id, e.name) for e in repo(uow).entities_for_policy(policy.policy_id)
        ]

    found = [e for e in ctx.store.read(read) if wanted is None or e[0] is wanted]
    return {
        "PolicyGroups": [
            {"GroupName": n, "GroupId": i} for k, i, n in found if k is OwnerKind.GROUP
        ],
        "PolicyUsers": [{"UserName": n, "UserId": i} for k, i, n in found if k is OwnerKind.USER],
        "PolicyRoles": [{"RoleName": n, "RoleId": i} for k, i, n in found if k is OwnerKind.ROLE],
        "IsTruncated": False,
    }


def operations() -> dict[str, Handler]:
    """``Attach/Detach{User,Group,Role}Policy`` and ``ListAttached{User,Group,Role}Policies``."""
    found: dict[str, Handler] = {}
    for kind in OwnerKind:
        title = kind.value.title()
        found[f"Attach{title}Policy"] = attach(kind)
        found[f"Detach{title}Policy"] = detach(kind)
        found[f"ListAttached{title}Policies"] = list_attached(kind)
    found["ListEntitiesForPolicy"] = list_entities_for_policy
    return found
