"""IAM users, their access keys and tags.

The bootstrap admin ``dockyard-admin`` is an ordinary user to read, but it cannot be deleted,
renamed or moved, and its last active access key cannot be deleted or deactivated: it is the
root of trust of the installation.
"""

from __future__ import annotations

from dataclasses import replace

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.iam.wire import (
    ADMIN_REFUSAL,
    caller_user_name,
    no_boundary,
    page_params,
    paged,
    repo,
    require_user,
    tags_in,
    tags_out,
    user_out,
    validate_path_prefix,
    write,
)
from dockyard.domain.errors import (
    DeleteConflict,
    EntityAlreadyExists,
    InvalidInput,
    NoSuchEntity,
)
from dockyard.domain.iam import (
    ACCESS_KEY_PREFIX,
    USER_ID_PREFIX,
    OwnerKind,
    User,
    entity_id,
    name_key,
)
from dockyard.domain.iam_rules import (
    MAX_ACCESS_KEYS_PER_USER,
    check_owner_quota,
    merge_tags,
    validate_name,
    validate_path,
    validate_tags,
)
from dockyard.domain.identity import ADMIN_USER_NAME, StoredAccessKey
from dockyard.infra.ids import access_key_id, secret_access_key
from dockyard.store.uow import UnitOfWork


def create_user(ctx: RequestContext, params: Params) -> Result:
    name = params["UserName"]
    validate_name(name, "userName")
    path = validate_path(params.get("Path"))
    no_boundary(params)
    tags = validate_tags(tags_in(params))

    def create(uow: UnitOfWork) -> User:
        if repo(uow).get_user(name) is not None:
            raise EntityAlreadyExists(f"User with name {name} already exists.")
        user = User(
            entity_id(USER_ID_PREFIX, ctx.deps.rng.token_bytes(17)), name, path, ctx.now, tags
        )
        repo(uow).add_user(user)
        return user

    return {"User": user_out(ctx, write(ctx, create), with_tags=True)}


def get_user(ctx: RequestContext, params: Params) -> Result:
    name = caller_user_name(ctx, params)
    user = ctx.store.read(lambda uow: require_user(uow, name))
    return {"User": user_out(ctx, user, with_tags=True)}


def list_users(ctx: RequestContext, params: Params) -> Result:
    prefix = validate_path_prefix(params)
    after, limit = page_params("ListUsers", params)
    found = ctx.store.read(
        lambda uow: repo(uow).list_users(path_prefix=prefix, after=after, limit=limit + 1)
    )
    page, more = paged("ListUsers", found, limit, lambda u: name_key(u.name))
    return {"Users": [user_out(ctx, u) for u in page], **more}


def update_user(ctx: RequestContext, params: Params) -> Result:
    name = params["UserName"]
    new_name = params.get("NewUserName")
    if new_name is not None:
        validate_name(new_name, "newUserName")
    new_path = params.get("NewPath")
    if new_path is not None:
        validate_path(new_path, "newPath")

    def update(uow: UnitOfWork) -> None:
        user = require_user(uow, name)
        changed = replace(user, name=new_name or user.name, path=new_path or user.path)
        if changed == user:
            return
        if user.name == ADMIN_USER_NAME:
            raise InvalidInput(f"Cannot rename or move {ADMIN_USER_NAME}: {ADMIN_REFUSAL}.")
        other = repo(uow).get_user(changed.name)
        if other is not None and other.user_id != user.user_id:
            raise EntityAlreadyExists(f"User with name {changed.name} already exists.")
        repo(uow).update_user(changed, principal_arn=changed.arn(ctx.account_id))

    write(ctx, update)
    return {}


def delete_user(ctx: RequestContext, params: Params) -> Result:
    name = params["UserName"]

    def delete(uow: UnitOfWork) -> None:
        user = require_user(uow, name)
        if user.name == ADMIN_USER_NAME:
            raise DeleteConflict(f"Cannot delete entity, {ADMIN_REFUSAL}.")
        iam = repo(uow)
        if uow.access_keys.for_user(user.name):
            raise DeleteConflict("Cannot delete entity, must delete access keys first.")
        if iam.count_inline(OwnerKind.USER, user.user_id):
            raise DeleteConflict("Cannot delete entity, must delete policies first.")
        if iam.attached_policy_ids(OwnerKind.USER, user.user_id):
            raise DeleteConflict("Cannot delete entity, must detach all policies first.")
        if iam.count_groups_for_user(user.user_id):
            raise DeleteConflict("Cannot delete entity, must remove users from group first.")
        iam.delete_user(user.user_id)

    write(ctx, delete)
    return {}


# --- access keys ---------------------------------------------------------------------------


def create_access_key(ctx: RequestContext, params: Params) -> Result:
    name = caller_user_name(ctx, params)
    key_id = access_key_id(ctx.deps.rng, prefix=ACCESS_KEY_PREFIX)
    secret = secret_access_key(ctx.deps.rng)

    def create(uow: UnitOfWork) -> StoredAccessKey:
        user = require_user(uow, name)
        check_owner_quota(
            len(uow.access_keys.for_user(user.name)), MAX_ACCESS_KEYS_PER_USER, "AccessKeysPerUser"
        )
        key = StoredAccessKey(
            access_key_id=key_id,
            secret_encrypted=ctx.deps.secret_box.encrypt(secret),
            principal_arn=user.arn(ctx.account_id),
            user_name=user.name,
            status="Active",
            created_at=ctx.now,
        )
        uow.access_keys.add(key)
        return key

    key = write(ctx, create)
    return {
        "AccessKey": {
            "UserName": key.user_name,
            "AccessKeyId": key.access_key_id,
            "Status": key.status,
            "SecretAccessKey": secret,
            "CreateDate": key.created_at,
        }
    }


def list_access_keys(ctx: RequestContext, params: Params) -> Result:
    name = caller_user_name(ctx, params)
    after, limit = page_params("ListAccessKeys", params)

    def read(uow: UnitOfWork) -> list[StoredAccessKey]:
        user = require_user(uow, name)
        keys = sorted(uow.access_keys.for_user(user.name), key=lambda k: k.access_key_id)
        return [k for k in keys if after is None or k.access_key_id > after]

    page, more = paged("ListAccessKeys", ctx.store.read(read), limit, lambda k: k.access_key_id)
    return {
        "AccessKeyMetadata": [
            {
                "UserName": k.user_name,
                "AccessKeyId": k.access_key_id,
                "Status": k.status,
                "CreateDate": k.created_at,
            }
            for k in page
        ],
        **more,
    }


def update_access_key(ctx: RequestContext, params: Params) -> Result:
    name = caller_user_name(ctx, params)
    key_id, status = params["AccessKeyId"], params["Status"]

    def update(uow: UnitOfWork) -> None:
        key = _user_key(uow, name, key_id)
        if status == "Inactive" and key.user_name == ADMIN_USER_NAME:
            _keep_one_admin_key(uow, key_id, "deactivate")
        repo(uow).set_access_key_status(key_id, status)

    write(ctx, update)
    return {}


def delete_access_key(ctx: RequestContext, params: Params) -> Result:
    name = caller_user_name(ctx, params)
    key_id = params["AccessKeyId"]

    def delete(uow: UnitOfWork) -> None:
        key = _user_key(uow, name, key_id)
        if key.user_name == ADMIN_USER_NAME:
            _keep_one_admin_key(uow, key_id, "delete")
        repo(uow).delete_access_key(key_id)

    write(ctx, delete)
    return {}


def _user_key(uow: UnitOfWork, user_name: str, key_id: str) -> StoredAccessKey:
    user = require_user(uow, user_name)
    key = uow.access_keys.get(key_id)
    if key is None or key.user_name != user.name:
        raise NoSuchEntity(f"The Access Key with id {key_id} cannot be found.")
    return key


def _keep_one_admin_key(uow: UnitOfWork, key_id: str, verb: str) -> None:
    others = [
        k
        for k in uow.access_keys.for_user(ADMIN_USER_NAME)
        if k.access_key_id != key_id and k.is_active
    ]
    if not others:
        raise DeleteConflict(
            f"Cannot {verb} the last active access key of {ADMIN_USER_NAME}: {ADMIN_REFUSAL}. "
            "Create another access key first."
        )


# --- tags ----------------------------------------------------------------------------------


def tag_user(ctx: RequestContext, params: Params) -> Result:
    added = tags_in(params)

    def tag(uow: UnitOfWork) -> None:
        user = require_user(uow, params["UserName"])
        tagged = replace(user, tags=merge_tags(user.tags, added))
        repo(uow).update_user(tagged, principal_arn=tagged.arn(ctx.account_id))

    write(ctx, tag)
    return {}


def untag_user(ctx: RequestContext, params: Params) -> Result:
    removed = set(params["TagKeys"])

    def untag(uow: UnitOfWork) -> None:
        user = require_user(uow, params["UserName"])
        kept = tuple((k, v) for k, v in user.tags if k not in removed)
        repo(uow).update_user(replace(user, tags=kept), principal_arn=user.arn(ctx.account_id))

    write(ctx, untag)
    return {}


def list_user_tags(ctx: RequestContext, params: Params) -> Result:
    user = ctx.store.read(lambda uow: require_user(uow, params["UserName"]))
    return {"Tags": tags_out(user.tags), "IsTruncated": False}
