"""Wire ⇄ domain for SSM Parameter Store: repositories, response shapes, pagination, tags."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from dockyard.api.context import Params, RequestContext, Result
from dockyard.domain.errors import ApiError, ConcurrentModificationError
from dockyard.domain.pagination import decode_token, encode_token
from dockyard.domain.parameter_filters import ParameterFilter, build_filter
from dockyard.domain.parameters import (
    MAX_TAGS,
    InvalidNextToken,
    Parameter,
    ParameterVersion,
    SsmValidationException,
    TooManyTagsError,
)
from dockyard.store.repositories.parameters import ParameterRepository
from dockyard.store.uow import UnitOfWork

T = TypeVar("T")


class TooManyUpdates(ApiError):
    code = "TooManyUpdates"


def repo(ctx: RequestContext, uow: UnitOfWork) -> ParameterRepository:
    """The parameter repository of this unit of work. Data keys and nonces come from the OS
    (the envelope's default), never from the request's possibly-seeded rng."""
    return ParameterRepository(uow.session, ctx.deps.secret_box.envelope())


def store_write(ctx: RequestContext, fn: Callable[[UnitOfWork], T]) -> T:
    try:
        return ctx.store.write(fn)
    except ConcurrentModificationError:
        raise TooManyUpdates(
            "There are concurrent updates for a resource that supports one update at a time."
        ) from None


def value_of(
    r: ParameterRepository,
    parameter: Parameter,
    version: ParameterVersion,
    decrypt: bool,
) -> str:
    """The plaintext when asked (or not secret), else SSM's opaque ciphertext."""
    return r.reveal(parameter, version) if decrypt and version.secure else version.value


def parameter_to_wire(
    parameter: Parameter, version: ParameterVersion, value: str, selector: str | None = None
) -> Result:
    out: Result = {
        "Name": parameter.name,
        "Type": version.type,
        "Value": value,
        "Version": version.version,
        "LastModifiedDate": version.modified_at,
        "ARN": parameter.arn,
        "DataType": version.data_type,
    }
    if selector is not None:
        out["Selector"] = selector
    return out


def _common(version: ParameterVersion) -> Result:
    out: Result = {
        "Type": version.type,
        "LastModifiedDate": version.modified_at,
        "LastModifiedUser": version.modified_user,
        "Version": version.version,
        "Tier": version.tier,
        "Policies": [],
        "DataType": version.data_type,
    }
    if version.key_id is not None:
        out["KeyId"] = version.key_id
    if version.description is not None:
        out["Description"] = version.description
    if version.allowed_pattern is not None:
        out["AllowedPattern"] = version.allowed_pattern
    return out


def metadata_to_wire(parameter: Parameter) -> Result:
    return {"Name": parameter.name, "ARN": parameter.arn, **_common(parameter.latest)}


def history_to_wire(parameter: Parameter, version: ParameterVersion, value: str) -> Result:
    return {
        "Name": parameter.name,
        "Value": value,
        "Labels": list(version.labels),
        **_common(version),
    }


def filters_of(params: Params) -> list[ParameterFilter]:
    return [
        build_filter(f["Key"], f.get("Option"), f.get("Values"))
        for f in params.get("ParameterFilters") or []
    ]


def page_after(operation: str, params: Params) -> str | None:
    token = params.get("NextToken")
    if not token:
        return None
    try:
        return str(decode_token(operation, token)[0])
    except ApiError:
        raise InvalidNextToken("The specified token isn't valid.") from None


def paged(
    operation: str, items: Sequence[T], after: str | None, limit: int, key: Callable[[T], str]
) -> tuple[list[T], dict[str, Any]]:
    """The first ``limit`` items (ordered by ``key``) after the key ``after``, and a NextToken
    when more remain."""
    ordered = sorted(items, key=key)
    rest = [item for item in ordered if after is None or key(item) > after]
    extra: dict[str, Any] = {}
    if len(rest) > limit:
        extra["NextToken"] = encode_token(operation, [key(rest[limit - 1])])
    return rest[:limit], extra


def tags_of(raw: Sequence[dict[str, str]] | None) -> dict[str, str]:
    tags = {t["Key"]: t["Value"] for t in raw or []}
    for key in tags:
        if key.lower().startswith("aws:"):
            raise SsmValidationException("Tag keys beginning with 'aws:' are reserved for AWS use.")
    if len(tags) > MAX_TAGS:
        raise TooManyTagsError("The Tags parameter contains too many tags.")
    return tags
