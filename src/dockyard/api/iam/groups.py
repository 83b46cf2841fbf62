"""IAM groups and their members."""

from __future__ import annotations

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.iam.wire import (
    group_out,
    page_params,
    paged,
    repo,
    require_group,
    require_user,
    user_out,
    validate_path_prefix,
    write,
)
from dockyard.domain.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from dockyard.domain.iam import (
    GROUP_ID_PREFIX,
    Group,
    OwnerKind,
    User,
    entity_id,
    name_key,
)
from dockyard.domain.iam_rules import (
    MAX_GROUPS_PER_USER,
    check_owner_quota,
    validate_name,
    validate_path,
)
from dockyard.store.uow import UnitOfWork


def create_group(ctx: RequestContext, params: Params) -> Result:
    name = params["GroupName"]
    validate_name(name, "groupName")
    path = validate_path(params.get("Path"))

    def create(uow: UnitOfWork) -> Group:
        if repo(uow).get_group(name) is not None:
            raise EntityAlreadyExists(f"Group with name {name} already exists.")
        group = Group(entity_id(GROUP_ID_PREFIX, ctx.deps.rng.token_bytes(17)), name, path, ctx.now)
        repo(uow).add_group(group)
        return group

    return {"Group": group_out(ctx, write(ctx, create))}


def get_group(ctx: RequestContext, params: Params) -> Result:
    after, limit = page_params("GetGroup", params)

    def read(uow: UnitOfWork) -> tuple[Group, list[User]]:
        group = require_group(uow, params["GroupName"])
        return group, repo(uow).group_members(group.group_id, after=after, limit=limit + 1)

    group, members = ctx.store.read(read)
    page, more = paged("GetGroup", members, limit, lambda u: name_key(u.name))
    return {"Group": group_out(ctx, group), "Users": [user_out(ctx, u) for u in page], **more}


def list_groups(ctx: RequestContext, params: Params) -> Result:
    prefix = validate_path_prefix(params)
    after, limit = page_params("ListGroups", params)
    found = ctx.store.read(
        lambda uow: repo(uow).list_groups(path_prefix=prefix, after=after, limit=limit + 1)
    )
    page, more = paged("ListGroups", found, limit, lambda g: name_key(g.name))
    return {"Groups": [group_out(ctx, g) for g in page], **more}


def list_groups_for_user(ctx: RequestContext, params: Params) -> Result:
    after, limit = page_params("ListGroupsForUser", params)

    def read(uow: UnitOfWork) -> list[Group]:
        user = require_user(uow, params["UserName"])
        return repo(uow).groups_for_user(user.user_id, after=after, limit=limit + 1)

    page, more = paged("ListGroupsForUser", ctx.store.read(read), limit, lambda g: name_key(g.name))
    return {"Groups": [group_out(ctx, g) for g in page], **more}


def delete_group(ctx: RequestContext, params: Params) -> Result:
    def delete(uow: UnitOfWork) -> None:
        group = require_group(uow, params["GroupName"])
        iam = repo(uow)
        if iam.count_members(group.group_id):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        if iam.count_inline(OwnerKind.GROUP, group.group_id):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if iam.attached_policy_ids(OwnerKind.GROUP, group.group_id):
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        iam.delete_group(group.group_id)

    write(ctx, delete)
    return {}


def add_user_to_group(ctx: RequestContext, params: Params) -> Result:
    def add(uow: UnitOfWork) -> None:
        group = require_group(uow, params["GroupName"])
        user = require_user(uow, params["UserName"])
        iam = repo(uow)
        if any(g.group_id == group.group_id for g in iam.groups_for_user(user.user_id)):
            return
        check_owner_quota(
            iam.count_groups_for_user(user.user_id), MAX_GROUPS_PER_USER, "GroupsPerUser"
        )
        iam.add_member(group.group_id, user.user_id)

    write(ctx, add)
    return {}


def remove_user_from_group(ctx: RequestContext, params: Params) -> Result:
    def remove(uow: UnitOfWork) -> None:
        group = require_group(uow, params["GroupName"])
        user = require_user(uow, params["UserName"])
        if not repo(uow).remove_member(group.group_id, user.user_id):
            raise NoSuchEntity(
                f"The user with name {user.name} cannot be found in group {group.name}."
            )

    write(ctx, remove)
    return {}
