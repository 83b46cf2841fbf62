"""Wire ⇄ domain for Secrets Manager: repositories, lookups, response shapes, pagination."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.errors import ApiError, ConcurrentModificationError
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.domain.secrets import Secret, SecretsInvalidNextToken, SecretsNotFound
from dockyard.infra.ids import hex_id
from dockyard.store.repositories.secrets import SecretRepository
from dockyard.store.uow import UnitOfWork

T = TypeVar("T")

DEFAULT_KMS_KEY_IDS = ["DefaultEncryptionKey"]


def repo(ctx: RequestContext, uow: UnitOfWork) -> SecretRepository:
    """The secret repository of this unit of work (data keys and nonces from the OS)."""
    return SecretRepository(uow.session, ctx.deps.secret_box.envelope())


def store_write(ctx: RequestContext, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return ctx.store.write(fn)
    except ConcurrentModificationError:
        raise ApiError(
            "The request conflicted with a concurrent change to the secret; try again.",
            code="InternalServiceError",
            http_status=500,
        ) from None


def found(ctx: RequestContext, r: SecretRepository, secret_id: str) -> Secret:
    secret = r.find(ctx.region, secret_id, ctx.now)
    if secret is None:
        raise SecretsNotFound()
    return secret


def new_version_id(ctx: RequestContext) -> str:
    """A random UUID-shaped version id (what SDKs send as ClientRequestToken)."""
    h = hex_id(ctx.deps.rng)
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"


def value_param(params: Params) -> str | bytes | None:
    if params.get("SecretString") is not None:
        return str(params["SecretString"])
    if params.get("SecretBinary") is not None:
        return bytes(params["SecretBinary"])
    return None


def tags_to_wire(tags: dict[str, str]) -> list[dict[str, str]]:
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def secret_to_wire(secret: Secret, *, listing: bool) -> Result:
    """DescribeSecret's shape, or a ListSecrets entry (which names the stage map
    ``SecretVersionsToStages``)."""
    out: Result = {
        "ARN": secret.arn,
        "Name": secret.name,
        "LastChangedDate": secret.last_changed,
        "CreatedDate": secret.created_at,
        "SecretVersionsToStages" if listing else "VersionIdsToStages": secret.stages_by_version(),
    }
    if secret.description is not None:
        out["Description"] = secret.description
    if secret.kms_key_id is not None:
        out["KmsKeyId"] = secret.kms_key_id
    if secret.tags:
        out["Tags"] = tags_to_wire(secret.tags)
    if secret.deleted_at is not None:
        out["DeletedDate"] = secret.deleted_at
    return out


def page_after(operation: str, params: Params) -> str | None:
    token = params.get("NextToken")
    if not token:
        return None
    try:
        return str(decode_token(operation, token)[0])
    except ApiError:
        raise SecretsInvalidNextToken("The NextToken value is invalid.") from None


def paged(
    operation: str,
    items: Sequence[T],
    after: str | None,
    limit: int,
    key: Callable[[T], str],
    *,
    descending: bool = False,
) -> tuple[list[T], dict[str, Any]]:
    ordered = sorted(items, key=key, reverse=descending)
    if after is not None:
        ordered = [i for i in ordered if (key(i) < after if descending else key(i) > after)]
    extra: dict[str, Any] = {}
    if len(ordered) > limit:
        extra["NextToken"] = encode_token(operation, [key(ordered[limit - 1])])
    return ordered[:limit], extra
