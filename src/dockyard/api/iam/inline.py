"""Inline policies of users, groups and roles: Put / Get / List / Delete<Kind>Policy.

Every document is validated as an identity policy on write, and the owner's inline policies
together must stay within AWS's aggregate size quota (user 2048, group 5120, role 10240
non-whitespace characters).
"""

from __future__ import annotations

from collections.abc import Callable

from dockyard.api.context import Handler, Params, RequestContext, Result
from dockyard.api.iam.wire import (
    encoded,
    identity_document,
    page_params,
    paged,
    repo,
    require_owner,
    write,
)
from dockyard.domain.errors import NoSuchEntity
from dockyard.domain.iam import (
    OwnerKind,
)
from dockyard.domain.iam_rules import (
    check_inline_size,
    validate_name,
)
from dockyard.store.uow import UnitOfWork

_MEMBER = {OwnerKind.USER: "UserName", OwnerKind.GROUP: "GroupName", OwnerKind.ROLE: "RoleName"}


def _missing(kind: OwnerKind, policy_name: str) -> NoSuchEntity:
    return NoSuchEntity(f"The {kind.value} policy with name {policy_name} cannot be found.")


def put_policy(kind: OwnerKind) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Result:
        policy_name, document = params["PolicyName"], params["PolicyDocument"]
        validate_name(policy_name, "policyName")
        identity_document(document)

        def put(uow: UnitOfWork) -> None:
            owner_id, owner_name = require_owner(uow, kind, params[_MEMBER[kind]])
            current = repo(uow).inline_documents(kind, owner_id)
            check_inline_size(kind, owner_name, current, policy_name, document)
            repo(uow).put_inline(kind, owner_id, policy_name, document)

        write(ctx, put)
        return {}

    return handler


def get_policy(kind: OwnerKind) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Result:
        policy_name = params["PolicyName"]

        def read(uow: UnitOfWork) -> tuple[str, str]:
            owner_id, owner_name = require_owner(uow, kind, params[_MEMBER[kind]])
            document = repo(uow).get_inline(kind, owner_id, policy_name)
            if document is None:
                raise _missing(kind, policy_name)
            return owner_name, document

        owner_name, document = ctx.store.read(read)
        return {
            _MEMBER[kind]: owner_name,
            "PolicyName": policy_name,
            "PolicyDocument": encoded(document),
        }

    return handler


def list_policies(kind: OwnerKind) -> Handler:
    operation = f"List{kind.value.title()}Policies"

    def handler(ctx: RequestContext, params: Params) -> Result:
        after, limit = page_params(operation, params)

        def read(uow: UnitOfWork) -> list[str]:
            owner_id, _ = require_owner(uow, kind, params[_MEMBER[kind]])
            return repo(uow).inline_names(kind, owner_id, after=after, limit=limit + 1)

        page, more = paged(operation, ctx.store.read(read), limit, _same)
        return {"PolicyNames": page, **more}

    return handler


def delete_policy(kind: OwnerKind) -> Handler:
    def handler(ctx: RequestContext, params: Params) -> Result:
        policy_name = params["PolicyName"]

        def delete(uow: UnitOfWork) -> None:
            owner_id, _ = require_owner(uow, kind, params[_MEMBER[kind]])
            if not repo(uow).delete_inline(kind, owner_id, policy_name):
                raise _missing(kind, policy_name)

        write(ctx, delete)
        return {}

    return handler


_same: Callable[[str], str] = str


def operations() -> dict[str, Handler]:
    """``Put/Get/List/Delete{User,Group,Role}Policy``."""
    found: dict[str, Handler] = {}
    for kind in OwnerKind:
        title = kind.value.title()
        found[f"Put{title}Policy"] = put_policy(kind)
        found[f"Get{title}Policy"] = get_policy(kind)
        found[f"List{title}Policies"] = list_policies(kind)
        found[f"Delete{title}Policy"] = delete_policy(kind)
    return found
