"""CreateSecret, UpdateSecret, DescribeSecret, ListSecrets, DeleteSecret, RestoreSecret,
TagResource and UntagResource.

A deleted secret stays (refusing all but Describe, Restore and a forced Delete) until its
deletion date; every write first purges the secrets of the region whose date has passed.
"""

from __future__ import annotations

from dataclasses import replace

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.secretsmanager.values import Written, write_version
from dockyard.api.secretsmanager.wire import (
    found,
    new_version_id,
    page_after,
    paged,
    repo,
    secret_to_wire,
    store_write,
    value_param,
)
from dockyard.domain.secrets import (
    ResourceExistsException,
    Secret,
    SecretsInvalidParameter,
    SecretsInvalidRequest,
    arn_suffix,
    check_name,
    check_value_choice,
    filter_matches,
    merge_tags,
    require_live,
    restored,
    schedule_deletion,
    secret_arn,
)
from dockyard.store.repositories.secrets import SecretRepository
from dockyard.store.uow import UnitOfWork

LIST_PAGE = 100


def _check_value(params: Params) -> str | bytes | None:
    check_value_choice(
        params.get("SecretString") is not None,
        params.get("SecretBinary") is not None,
        required=False,
    )
    return value_param(params)


def create_secret(ctx: RequestContext, params: Params) -> Result:
    name: str = params["Name"]
    check_name(name)
    value = _check_value(params)
    token = params.get("ClientRequestToken") or new_version_id(ctx)
    tags = merge_tags({}, [(t["Key"], t["Value"]) for t in params.get("Tags") or []])
    suffix = arn_suffix(ctx.deps.rng.token_bytes(6))

    def write(uow: UnitOfWork) -> tuple[Secret, str | None]:
        r = repo(ctx, uow)
        r.purge_expired(ctx.region, ctx.now)
        existing = r.find(ctx.region, name, ctx.now)
        if existing is not None:
            return _repeated(r, existing, token, value), token
        secret = Secret(
            region=ctx.region,
            name=name,
            arn=secret_arn(ctx.region, ctx.account_id, name, suffix),
            created_at=ctx.now,
            last_changed=ctx.now,
            description=params.get("Description"),
            kms_key_id=params.get("KmsKeyId"),
            tags=tags,
        )
        r.create(secret)
        if value is None:
            return secret, None
        return write_version(ctx, r, secret, token=token, value=value).secret, token

    secret, version_id = store_write(ctx, write)
    out: Result = {"ARN": secret.arn, "Name": secret.name}
    if version_id is not None:
        out["VersionId"] = version_id
    return out


def _repeated(
    r: SecretRepository, existing: Secret, token: str, value: str | bytes | None
) -> Secret:
    """A CreateSecret retried with the same token and value answers as the first did."""
    if existing.scheduled_for_deletion:
        raise SecretsInvalidRequest(
            "You can't create this secret because a secret with this name is already scheduled "
            "for deletion."
        )
    if (
        value is not None
        and existing.version(token) is not None
        and r.value(existing, token) == value
    ):
        return existing
    raise ResourceExistsException(
        f"The operation failed because the secret {existing.name} already exists."
    )


def update_secret(ctx: RequestContext, params: Params) -> Result:
    value = _check_value(params)
    token = params.get("ClientRequestToken") or new_version_id(ctx)

    def write(uow: UnitOfWork) -> tuple[Secret, str | None]:
        r = repo(ctx, uow)
        r.purge_expired(ctx.region, ctx.now)
        secret = require_live(found(ctx, r, params["SecretId"]))
        secret = replace(
            secret,
            description=params.get("Description", secret.description),
            kms_key_id=params.get("KmsKeyId", secret.kms_key_id),
            last_changed=ctx.now,
        )
        r.save(secret)
        if value is None:
            return secret, None
        done: Written = write_version(ctx, r, secret, token=token, value=value)
        return done.secret, done.version.version_id

    secret, version_id = store_write(ctx, write)
    out: Result = {"ARN": secret.arn, "Name": secret.name}
    if version_id is not None:
        out["VersionId"] = version_id
    return out


def describe_secret(ctx: RequestContext, params: Params) -> Result:
    secret = ctx.store.read(lambda uow: found(ctx, repo(ctx, uow), params["SecretId"]))
    return secret_to_wire(secret, listing=False)


_SORT_KEYS = {
    "created-date": lambda s: f"{s.created_at.isoformat()}|{s.arn}",
    "last-accessed-date": lambda s: f"{s.created_at.isoformat()}|{s.arn}",
    "last-changed-date": lambda s: f"{s.last_changed.isoformat()}|{s.arn}",
    "name": lambda s: f"{s.name}|{s.arn}",
}


def list_secrets(ctx: RequestContext, params: Params) -> Result:
    include_deleted = bool(params.get("IncludePlannedDeletion"))
    filters = [(f.get("Key"), list(f.get("Values") or [])) for f in params.get("Filters") or []]
    for key, values in filters:
        if key is None or not values:
            raise SecretsInvalidParameter("Each filter needs a Key and at least one Value.")
    after = page_after("ListSecrets", params)
    limit = int(params.get("MaxResults") or LIST_PAGE)
    key_fn = _SORT_KEYS[params.get("SortBy") or "created-date"]
    secrets = [
        s
        for s in ctx.store.read(lambda uow: repo(ctx, uow).in_region(ctx.region, ctx.now))
        if (include_deleted or not s.scheduled_for_deletion)
        and all(filter_matches(s, k, v) for k, v in filters if k is not None)
    ]
    page, extra = paged(
        "ListSecrets",
        secrets,
        after,
        limit,
        key_fn,
        descending=params.get("SortOrder") == "desc",
    )
    return {"SecretList": [secret_to_wire(s, listing=True) for s in page], **extra}


def delete_secret(ctx: RequestContext, params: Params) -> Result:
    force = bool(params.get("ForceDeleteWithoutRecovery"))
    window = params.get("RecoveryWindowInDays")

    def write(uow: UnitOfWork) -> Secret:
        r = repo(ctx, uow)
        r.purge_expired(ctx.region, ctx.now)
        secret = found(ctx, r, params["SecretId"])
        scheduled = schedule_deletion(
            secret, now=ctx.now, window_days=None if window is None else int(window), force=force
        )
        if force:
            r.purge(secret)
        else:
            r.save(scheduled)
        return scheduled

    secret = store_write(ctx, write)
    return {"ARN": secret.arn, "Name": secret.name, "DeletionDate": secret.deletion_date}


def restore_secret(ctx: RequestContext, params: Params) -> Result:
    def write(uow: UnitOfWork) -> Secret:
        r = repo(ctx, uow)
        r.purge_expired(ctx.region, ctx.now)
        secret = restored(found(ctx, r, params["SecretId"]))
        r.save(secret)
        return secret

    secret = store_write(ctx, write)
    return {"ARN": secret.arn, "Name": secret.name}


def tag_resource(ctx: RequestContext, params: Params) -> Result:
    new = [(t["Key"], t["Value"]) for t in params["Tags"]]

    def write(uow: UnitOfWork) -> None:
        r = repo(ctx, uow)
        secret = require_live(found(ctx, r, params["SecretId"]))
        r.save(replace(secret, tags=merge_tags(secret.tags, new)))

    store_write(ctx, write)
    return {}


def untag_resource(ctx: RequestContext, params: Params) -> Result:
    keys = set(params["TagKeys"])

    def write(uow: UnitOfWork) -> None:
        r = repo(ctx, uow)
        secret = require_live(found(ctx, r, params["SecretId"]))
        r.save(replace(secret, tags={k: v for k, v in secret.tags.items() if k not in keys}))

    store_write(ctx, write)
    return {}
