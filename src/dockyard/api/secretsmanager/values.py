"""GetSecretValue, PutSecretValue, ListSecretVersionIds, and the version write they share
with CreateSecret and UpdateSecret.

A ``ClientRequestToken`` is the new version's id: repeating a request with the same token and
value is a no-op, with another value a ``ResourceExistsException`` (versions are immutable).
"""

from __future__ import annotations

from dataclasses import dataclass

from dockyard.api.context import Params, RequestContext, Result
from dockyard.api.secretsmanager.wire import (
    DEFAULT_KMS_KEY_IDS,
    found,
    new_version_id,
    page_after,
    paged,
    repo,
    store_write,
    value_param,
)
from dockyard.domain.secrets import (
    AWSCURRENT,
    ResourceExistsException,
    Secret,
    SecretVersion,
    add_version,
    check_value_choice,
    require_live,
)
from dockyard.store.repositories.secrets import SecretRepository
from dockyard.store.uow import UnitOfWork

VERSIONS_PAGE = 100


@dataclass(frozen=True, slots=True)
class Written:
    secret: Secret
    version: SecretVersion


def write_version(
    ctx: RequestContext,
    r: SecretRepository,
    secret: Secret,
    *,
    token: str,
    value: str | bytes,
    stages: tuple[str, ...] = (AWSCURRENT,),
) -> Written:
    """Store ``value`` as version ``token`` holding ``stages`` (idempotent per token)."""
    existing = secret.version(token)
    if existing is not None:
        if r.value(secret, token) != value:
            raise ResourceExistsException(
                "You can't modify an existing version, you can only create a new version."
            )
        return Written(secret, existing)
    updated, pruned = add_version(
        secret, token, stages=stages, now=ctx.now, binary=isinstance(value, bytes)
    )
    version = updated.version(token) or SecretVersion(token, stages, ctx.now)
    r.add_value(updated, version, value)
    r.save(updated, pruned)
    return Written(updated, version)


def get_secret_value(ctx: RequestContext, params: Params) -> Result:
    value = ctx.store.read(
        lambda uow: repo(ctx, uow).get_secret_value(
            ctx.region,
            params["SecretId"],
            params.get("VersionId"),
            params.get("VersionStage"),
            now=ctx.now,
        )
    )
    out: Result = {
        "ARN": value.arn,
        "Name": value.name,
        "VersionId": value.version_id,
        "VersionStages": list(value.stages),
        "CreatedDate": value.created_at,
    }
    if value.string is not None:
        out["SecretString"] = value.string
    if value.binary is not None:
        out["SecretBinary"] = value.binary
    return out


def put_secret_value(ctx: RequestContext, params: Params) -> Result:
    check_value_choice(
        params.get("SecretString") is not None,
        params.get("SecretBinary") is not None,
        required=True,
    )
    value = value_param(params)
    assert value is not None
    token = params.get("ClientRequestToken") or new_version_id(ctx)
    given = params.get("VersionStages")
    stages = (AWSCURRENT,) if given is None else tuple(dict.fromkeys(given))

    def write(uow: UnitOfWork) -> Written:
        r = repo(ctx, uow)
        r.purge_expired(ctx.region, ctx.now)
        secret = require_live(found(ctx, r, params["SecretId"]))
        return write_version(ctx, r, secret, token=token, value=value, stages=stages)

    done = store_write(ctx, write)
    return {
        "ARN": done.secret.arn,
        "Name": done.secret.name,
        "VersionId": done.version.version_id,
        "VersionStages": list(done.version.stages),
    }


def list_secret_version_ids(ctx: RequestContext, params: Params) -> Result:
    include_deprecated = bool(params.get("IncludeDeprecated"))
    after = page_after("ListSecretVersionIds", params)
    limit = int(params.get("MaxResults") or VERSIONS_PAGE)

    def read(uow: UnitOfWork) -> Secret:
        return found(ctx, repo(ctx, uow), params["SecretId"])

    secret = ctx.store.read(read)
    versions = [v for v in secret.versions if include_deprecated or v.stages]
    order = {v.version_id: i for i, v in enumerate(secret.versions)}
    page, extra = paged(
        "ListSecretVersionIds",
        versions,
        after,
        limit,
        lambda v: f"{order[v.version_id]:06d}",
    )
    kms = [secret.kms_key_id] if secret.kms_key_id else DEFAULT_KMS_KEY_IDS
    return {
        "ARN": secret.arn,
        "Name": secret.name,
        "Versions": [
            {
                "VersionId": v.version_id,
                "VersionStages": list(v.stages),
                "CreatedDate": v.created_at,
                "KmsKeyIds": kms,
            }
            for v in page
        ],
        **extra,
    }
