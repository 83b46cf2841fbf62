"""IAM roles: trust policies, descriptions, session durations and tags.

Deleting a role also ends its STS sessions: AWS ties sessions to the role's unique id, so a
later role of the same name never inherits them; Dockyard's sessions name the role, so they go.

A trust policy is validated as a TRUST document (it must name a Principal) and may hold at most
2048 non-whitespace characters (AWS's default ``ACLSizePerRole``).
"""

from __future__ import annotations

from dataclasses import replace

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.iam.wire import (
    no_boundary,
    page_params,
    paged,
    repo,
    require_role,
    role_out,
    tags_in,
    tags_out,
    trust_document,
    validate_path_prefix,
    write,
)
from dockyard.domain.errors import DeleteConflict, EntityAlreadyExists
from dockyard.domain.iam import (
    ROLE_ID_PREFIX,
    OwnerKind,
    Role,
    entity_id,
    name_key,
)
from dockyard.domain.iam_rules import (
    check_max_session_duration,
    check_trust_size,
    merge_tags,
    validate_name,
    validate_path,
    validate_tags,
)
from dockyard.store.uow import UnitOfWork


def create_role(ctx: RequestContext, params: Params) -> Result:
    name = params["RoleName"]
    validate_name(name, "roleName")
    path = validate_path(params.get("Path"))
    document = params["AssumeRolePolicyDocument"]
    trust_document(document)
    check_trust_size(document)
    duration = check_max_session_duration(params.get("MaxSessionDuration"))
    no_boundary(params)
    tags = validate_tags(tags_in(params))

    def create(uow: UnitOfWork) -> Role:
        if repo(uow).get_role(name) is not None:
            raise EntityAlreadyExists(f"Role with name {name} already exists.")
        role = Role(
            role_id=entity_id(ROLE_ID_PREFIX, ctx.deps.rng.token_bytes(17)),
            name=name,
            path=path,
            trust_document=document,
            created_at=ctx.now,
            description=params.get("Description"),
            max_session_duration=duration,
            tags=tags,
        )
        repo(uow).add_role(role)
        return role

    return {"Role": role_out(ctx, write(ctx, create), full=True)}


def get_role(ctx: RequestContext, params: Params) -> Result:
    role = ctx.store.read(lambda uow: require_role(uow, params["RoleName"]))
    return {"Role": role_out(ctx, role, full=True)}


def list_roles(ctx: RequestContext, params: Params) -> Result:
    prefix = validate_path_prefix(params)
    after, limit = page_params("ListRoles", params)
    found = ctx.store.read(
        lambda uow: repo(uow).list_roles(path_prefix=prefix, after=after, limit=limit + 1)
    )
    page, more = paged("ListRoles", found, limit, lambda r: name_key(r.name))
    return {"Roles": [role_out(ctx, r) for r in page], **more}


def update_role(ctx: RequestContext, params: Params) -> Result:
    duration = params.get("MaxSessionDuration")
    if duration is not None:
        check_max_session_duration(duration)

    def update(uow: UnitOfWork) -> None:
        role = require_role(uow, params["RoleName"])
        changed = replace(
            role,
            description=params.get("Description", role.description),
            max_session_duration=duration or role.max_session_duration,
        )
        repo(uow).update_role(changed)

    write(ctx, update)
    return {}


def update_assume_role_policy(ctx: RequestContext, params: Params) -> Result:
    document = params["PolicyDocument"]
    trust_document(document)
    check_trust_size(document)

    def update(uow: UnitOfWork) -> None:
        role = require_role(uow, params["RoleName"])
        repo(uow).update_role(replace(role, trust_document=document))

    write(ctx, update)
    return {}


def delete_role(ctx: RequestContext, params: Params) -> Result:
    def delete(uow: UnitOfWork) -> None:
        role = require_role(uow, params["RoleName"])
        iam = repo(uow)
        if iam.count_inline(OwnerKind.ROLE, role.role_id):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if iam.attached_policy_ids(OwnerKind.ROLE, role.role_id):
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        iam.delete_sessions_of_role(role.role_id)
        iam.delete_role(role.role_id)

    write(ctx, delete)
    return {}


def tag_role(ctx: RequestContext, params: Params) -> Result:
    added = tags_in(params)

    def tag(uow: UnitOfWork) -> None:
        role = require_role(uow, params["RoleName"])
        repo(uow).update_role(replace(role, tags=merge_tags(role.tags, added)))

    write(ctx, tag)
    return {}


def untag_role(ctx: RequestContext, params: Params) -> Result:
    removed = set(params["TagKeys"])

    def untag(uow: UnitOfWork) -> None:
        role = require_role(uow, params["RoleName"])
        kept = tuple((k, v) for k, v in role.tags if k not in removed)
        repo(uow).update_role(replace(role, tags=kept))

    write(ctx, untag)
    return {}


def list_role_tags(ctx: RequestContext, params: Params) -> Result:
    role = ctx.store.read(lambda uow: require_role(uow, params["RoleName"]))
    return {"Tags": tags_out(role.tags), "IsTruncated": False}
