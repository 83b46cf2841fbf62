"""Customer managed policies and their versions; AWS managed ones are built in and read-only.

Version rules (AWS's): a policy holds at most five versions, ids are ``v1``, ``v2``… and never
reused; the default version is the one that applies and cannot be deleted; a policy with more
than its default version cannot be deleted, nor one that is attached.
"""

from __future__ import annotations

from dataclasses import replace

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.iam.wire import (
    encoded,
    identity_document,
    local_policy,
    page_params,
    paged,
    policy_out,
    repo,
    resolve_policy,
    tags_in,
    validate_path_prefix,
    write,
)
from dockyard.domain.errors import DeleteConflict, EntityAlreadyExists, NoSuchEntity
from dockyard.domain.iam import (
    POLICY_ID_PREFIX,
    ManagedPolicy,
    PolicyVersion,
    entity_id,
)
from dockyard.domain.iam_managed import BUILTIN_POLICIES, BuiltinPolicy
from dockyard.domain.iam_rules import (
    check_can_add_version,
    check_managed_size,
    validate_name,
    validate_path,
    validate_tags,
    version_id,
)
from dockyard.store.uow import UnitOfWork

SCOPES = ("All", "AWS", "Local")


def create_policy(ctx: RequestContext, params: Params) -> Result:
    name, document = params["PolicyName"], params["PolicyDocument"]
    validate_name(name, "policyName")
    path = validate_path(params.get("Path"))
    identity_document(document)
    check_managed_size(document)
    tags = validate_tags(tags_in(params))

    def create(uow: UnitOfWork) -> ManagedPolicy:
        if repo(uow).get_policy(name) is not None:
            raise EntityAlreadyExists(
                f"A policy called {name} already exists. Duplicate names are not allowed."
            )
        policy = ManagedPolicy(
            policy_id=entity_id(POLICY_ID_PREFIX, ctx.deps.rng.token_bytes(17)),
            name=name,
            path=path,
            default_version_id=version_id(1),
            created_at=ctx.now,
            updated_at=ctx.now,
            description=params.get("Description"),
            next_version=2,
            tags=tags,
        )
        repo(uow).add_policy(policy, PolicyVersion(version_id(1), document, ctx.now, True))
        return policy

    return {"Policy": policy_out(ctx, write(ctx, create), 0, full=True)}


def get_policy(ctx: RequestContext, params: Params) -> Result:
    def read(uow: UnitOfWork) -> tuple[ManagedPolicy, int]:
        found = resolve_policy(uow, ctx, params["PolicyArn"])
        policy = found.policy if isinstance(found, BuiltinPolicy) else found
        return policy, repo(uow).attachment_counts([policy.policy_id]).get(policy.policy_id, 0)

    policy, count = ctx.store.read(read)
    return {"Policy": policy_out(ctx, policy, count, full=True)}


def list_policies(ctx: RequestContext, params: Params) -> Result:
    scope = params.get("Scope") or "All"
    prefix = validate_path_prefix(params)
    after, limit = page_params("ListPolicies", params)

    def read(uow: UnitOfWork) -> tuple[list[ManagedPolicy], dict[str, int]]:
        found: list[ManagedPolicy] = []
        if scope in ("All", "Local"):
            found.extend(repo(uow).list_policies(path_prefix=prefix))
        if scope in ("All", "AWS"):
            found.extend(b.policy for b in BUILTIN_POLICIES if b.policy.path.startswith(prefix))
        return found, repo(uow).attachment_counts()

    found, counts = ctx.store.read(read)
    if params.get("OnlyAttached"):
        found = [p for p in found if counts.get(p.policy_id)]
    if params.get("PolicyUsageFilter") == "PermissionsBoundary":
        found = []
    ordered = sorted(found, key=lambda p: p.arn(ctx.account_id))
    ordered = [p for p in ordered if after is None or p.arn(ctx.account_id) > after]
    page, more = paged("ListPolicies", ordered, limit, lambda p: p.arn(ctx.account_id))
    return {"Policies": [policy_out(ctx, p, counts.get(p.policy_id, 0)) for p in page], **more}


def delete_policy(ctx: RequestContext, params: Params) -> Result:
    arn = params["PolicyArn"]

    def delete(uow: UnitOfWork) -> None:
        policy = local_policy(uow, ctx, arn, "DeletePolicy")
        iam = repo(uow)
        if iam.attachment_counts([policy.policy_id]).get(policy.policy_id):
            raise DeleteConflict("Cannot delete a policy attached to entities.")
        if len(iam.versions(policy)) > 1:
            raise DeleteConflict(
                "This policy has more than one version. Before you delete a policy, you must "
                "delete the policy's versions. The default version is deleted with the policy."
            )
        iam.delete_policy(policy.policy_id)

    write(ctx, delete)
    return {}


# --- versions ------------------------------------------------------------------------------


def create_policy_version(ctx: RequestContext, params: Params) -> Result:
    arn, document = params["PolicyArn"], params["PolicyDocument"]
    identity_document(document)
    check_managed_size(document)
    make_default = bool(params.get("SetAsDefault"))

    def create(uow: UnitOfWork) -> PolicyVersion:
        policy = local_policy(uow, ctx, arn, "CreatePolicyVersion")
        iam = repo(uow)
        check_can_add_version(len(iam.versions(policy)))
        version = PolicyVersion(version_id(policy.next_version), document, ctx.now, make_default)
        iam.add_version(policy.policy_id, version)
        iam.update_policy(
            replace(
                policy,
                next_version=policy.next_version + 1,
                default_version_id=(
                    version.version_id if make_default else policy.default_version_id
                ),
                updated_at=ctx.now,
            )
        )
        return version

    version = write(ctx, create)
    return {"PolicyVersion": _version_out(version, with_document=False)}


def get_policy_version(ctx: RequestContext, params: Params) -> Result:
    arn, wanted = params["PolicyArn"], params["VersionId"]

    def read(uow: UnitOfWork) -> PolicyVersion:
        found = resolve_policy(uow, ctx, arn)
        if isinstance(found, BuiltinPolicy):
            version: PolicyVersion | None = found.version
            if version is not None and version.version_id != wanted:
                version = None
        else:
            version = repo(uow).get_version(found, wanted)
        if version is None:
            raise NoSuchEntity(
                f"Policy {arn} version {wanted} does not exist or is not attachable."
            )
        return version

    return {"PolicyVersion": _version_out(ctx.store.read(read), with_document=True)}


def list_policy_versions(ctx: RequestContext, params: Params) -> Result:
    after, limit = page_params("ListPolicyVersions", params)

    def read(uow: UnitOfWork) -> list[PolicyVersion]:
        found = resolve_policy(uow, ctx, params["PolicyArn"])
        if isinstance(found, BuiltinPolicy):
            return [found.version]
        return repo(uow).versions(found)

    versions = ctx.store.read(read)
    if after is not None:
        versions = [v for v in versions if _number(v) < int(after)]
    page, more = paged("ListPolicyVersions", versions, limit, lambda v: str(_number(v)))
    return {"Versions": [_version_out(v, with_document=False) for v in page], **more}


def delete_policy_version(ctx: RequestContext, params: Params) -> Result:
    arn, wanted = params["PolicyArn"], params["VersionId"]

    def delete(uow: UnitOfWork) -> None:
        policy = local_policy(uow, ctx, arn, "DeletePolicyVersion")
        version = repo(uow).get_version(policy, wanted)
        if version is None:
            raise NoSuchEntity(
                f"Policy {arn} version {wanted} does not exist or is not attachable."
            )
        if version.is_default:
            raise DeleteConflict("Cannot delete the default version of a policy.")
        repo(uow).delete_version(policy.policy_id, wanted)

    write(ctx, delete)
    return {}


def set_default_policy_version(ctx: RequestContext, params: Params) -> Result:
    arn, wanted = params["PolicyArn"], params["VersionId"]

    def update(uow: UnitOfWork) -> None:
        policy = local_policy(uow, ctx, arn, "SetDefaultPolicyVersion")
        if repo(uow).get_version(policy, wanted) is None:
            raise NoSuchEntity(
                f"Policy {arn} version {wanted} does not exist or is not attachable."
            )
        repo(uow).update_policy(replace(policy, default_version_id=wanted, updated_at=ctx.now))

    write(ctx, update)
    return {}


def _number(version: PolicyVersion) -> int:
    return int(version.version_id[1:])


def _version_out(version: PolicyVersion, *, with_document: bool) -> Result:
    out: Result = {
        "VersionId": version.version_id,
        "IsDefaultVersion": version.is_default,
        "CreateDate": version.created_at,
    }
    if with_document:
        out["Document"] = encoded(version.document)
    return out
