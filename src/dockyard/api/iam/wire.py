"""Shared plumbing of the IAM handlers: lookups worded as IAM's errors, paging with
``Marker`` / ``MaxItems`` / ``IsTruncated``, policy-document checks, and response shapes.

Policy documents travel URL-encoded in IAM's responses (``policyDocumentType``); botocore's
``json_decode_policies`` hook un-quotes and parses them for SDK users, as it does for AWS.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from urllib.parse import quote

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.errors import ApiError, InvalidInput, NoSuchEntity, ValidationError
from dockyard.domain.iam import (
    Group,
    ManagedPolicy,
    OwnerKind,
    Role,
    User,
    parse_policy_arn,
)
from dockyard.domain.iam_managed import BuiltinPolicy, builtin_by_name
from dockyard.domain.iam_rules import (
    validate_path,
)
from dockyard.domain.identity import ADMIN_USER_NAME
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.domain.policy import PolicyDocument, PolicyKind, parse_policy_document
from dockyard.store.repositories.iam import IamRepository
from dockyard.store.uow import UnitOfWork

T = TypeVar("T")

DEFAULT_MAX_ITEMS = 100
"""IAM's page size when MaxItems is not given (the model bounds it to 1..1000)."""

ADMIN_REFUSAL = (
    f"{ADMIN_USER_NAME} is Dockyard's bootstrap administrator, the root of trust of this "
    "installation"
)


def repo(uow: UnitOfWork) -> IamRepository:
    return IamRepository(uow.session)


def write(ctx: RequestContext, fn: Callable[[UnitOfWork], T]) -> T:
    """Run ``fn`` in a write transaction, then tell identity caches that IAM changed."""
    result = ctx.store.write(fn)
    ctx.deps.identity.changed()
    return result


# --- lookups -------------------------------------------------------------------------------


def require_user(uow: UnitOfWork, name: str) -> User:
    user = repo(uow).get_user(name)
    if user is None:
        raise NoSuchEntity(f"The user with name {name} cannot be found.")
    return user


def require_group(uow: UnitOfWork, name: str) -> Group:
    group = repo(uow).get_group(name)
    if group is None:
        raise NoSuchEntity(f"The group with name {name} cannot be found.")
    return group


def require_role(uow: UnitOfWork, name: str) -> Role:
    role = repo(uow).get_role(name)
    if role is None:
        raise NoSuchEntity(f"The role with name {name} cannot be found.")
    return role


def require_owner(uow: UnitOfWork, kind: OwnerKind, name: str) -> tuple[str, str]:
    """(unique id, canonical name) of the user, group or role called ``name``."""
    if kind is OwnerKind.USER:
        user = require_user(uow, name)
        return user.user_id, user.name
    if kind is OwnerKind.GROUP:
        group = require_group(uow, name)
        return group.group_id, group.name
    role = require_role(uow, name)
    return role.role_id, role.name


def caller_user_name(ctx: RequestContext, params: Params) -> str:
    """``UserName`` if given, else the calling IAM user (IAM's default for user operations)."""
    name = params.get("UserName")
    if name:
        return str(name)
    if ctx.principal.is_assumed_role:
        raise ValidationError("Must specify userName when calling with non-User credentials")
    return ctx.principal.user_name


def resolve_policy(
    uow: UnitOfWork, ctx: RequestContext, arn: str, *, missing: str = "was not found."
) -> ManagedPolicy | BuiltinPolicy:
    """The managed policy an ARN names: a local one or an AWS managed built-in.

    InvalidInput for a malformed ARN; NoSuchEntity ``Policy <arn> <missing>`` otherwise.
    """
    ref = parse_policy_arn(arn, ctx.account_id)
    if ref is None:
        raise InvalidInput(f"ARN {arn} is not valid.")
    if ref.aws_managed:
        builtin = builtin_by_name(ref.path, ref.name)
        if builtin is not None:
            return builtin
    else:
        policy = repo(uow).get_policy(ref.name)
        if policy is not None and policy.path == ref.path and policy.name == ref.name:
            return policy
    raise NoSuchEntity(f"Policy {arn} {missing}")


def local_policy(uow: UnitOfWork, ctx: RequestContext, arn: str, action: str) -> ManagedPolicy:
    """A customer managed policy; AWS managed ones cannot be changed or deleted."""
    found = resolve_policy(uow, ctx, arn)
    if isinstance(found, BuiltinPolicy):
        raise ApiError(
            f"User: {ctx.principal.arn} is not authorized to perform: iam:{action} on "
            f"resource: policy {arn}: AWS managed policies cannot be changed",
            code="AccessDenied",
            http_status=403,
        )
    return found


def validate_path_prefix(params: Params) -> str:
    """``PathPrefix`` (``/`` by default); a prefix need not end with a slash."""
    prefix = str(params.get("PathPrefix") or "/")
    if not prefix.startswith("/"):
        validate_path(prefix, "pathPrefix")
    return prefix


def no_boundary(params: Params) -> None:
    """Permissions boundaries would narrow what a principal may do; refusing them is safer than
    ignoring them."""
    if params.get("PermissionsBoundary"):
        raise InvalidInput("Dockyard does not support permissions boundaries.")


# --- documents -----------------------------------------------------------------------------


def identity_document(text: str) -> PolicyDocument:
    """Validate an identity-policy document (MalformedPolicyDocument with IAM's message)."""
    return parse_policy_document(text, kind=PolicyKind.IDENTITY)


def trust_document(text: str) -> PolicyDocument:
    return parse_policy_document(text, kind=PolicyKind.TRUST)


def encoded(document: str) -> str:
    """A document as IAM answers it: URL-encoded JSON (botocore un-quotes it)."""
    return quote(document, safe="")


# --- paging --------------------------------------------------------------------------------


def page_params(operation: str, params: Params) -> tuple[str | None, int]:
    """(exclusive start key, page size) of a Marker / MaxItems request."""
    limit = int(params.get("MaxItems") or DEFAULT_MAX_ITEMS)
    marker = params.get("Marker")
    if not marker:
        return None, limit
    try:
        return str(decode_token(operation, marker)[0]), limit
    except ApiError:
        raise ValidationError("Invalid Marker.") from None


def paged(
    operation: str, items: Sequence[T], limit: int, key: Callable[[T], str]
) -> tuple[list[T], dict[str, Any]]:
    """The first ``limit`` of ``items`` (read with one extra) and IsTruncated / Marker."""
    page = list(items[:limit])
    if len(items) > limit and page:
        return page, {"IsTruncated": True, "Marker": encode_token(operation, [key(page[-1])])}
    return page, {"IsTruncated": False}


# --- response shapes -----------------------------------------------------------------------


def tags_out(tags: Sequence[tuple[str, str]]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags]


def tags_in(params: Params, member: str = "Tags") -> tuple[tuple[str, str], ...]:
    return tuple((t["Key"], t.get("Value", "")) for t in params.get(member) or ())


def user_out(ctx: RequestContext, user: User, *, with_tags: bool = False) -> Result:
    out: Result = {
        "Path": user.path,
        "UserName": user.name,
        "UserId": user.user_id,
        "Arn": user.arn(ctx.account_id),
        "CreateDate": user.created_at,
    }
    if with_tags and user.tags:
        out["Tags"] = tags_out(user.tags)
    return out


def group_out(ctx: RequestContext, group: Group) -> Result:
    return {
        "Path": group.path,
        "GroupName": group.name,
        "GroupId": group.group_id,
        "Arn": group.arn(ctx.account_id),
        "CreateDate": group.created_at,
    }


def role_out(ctx: RequestContext, role: Role, *, full: bool = False) -> Result:
    out: Result = {
        "Path": role.path,
        "RoleName": role.name,
        "RoleId": role.role_id,
        "Arn": role.arn(ctx.account_id),
        "CreateDate": role.created_at,
        "AssumeRolePolicyDocument": encoded(role.trust_document),
        "Description": role.description,
        "MaxSessionDuration": role.max_session_duration,
    }
    if full:
        if role.tags:
            out["Tags"] = tags_out(role.tags)
        out["RoleLastUsed"] = {}
    return out


def policy_out(
    ctx: RequestContext, policy: ManagedPolicy, attachments: int, *, full: bool = False
) -> Result:
    out: Result = {
        "PolicyName": policy.name,
        "PolicyId": policy.policy_id,
        "Arn": policy.arn(ctx.account_id),
        "Path": policy.path,
        "DefaultVersionId": policy.default_version_id,
        "AttachmentCount": attachments,
        "PermissionsBoundaryUsageCount": 0,
        "IsAttachable": True,
        "CreateDate": policy.created_at,
        "UpdateDate": policy.updated_at,
    }
    if full:
        out["Description"] = policy.description
        if policy.tags:
            out["Tags"] = tags_out(policy.tags)
    return out
