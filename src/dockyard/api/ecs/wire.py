"""Small conversions between ECS wire values and domain values, shared by ECS handlers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from dockyard.api.context import RequestContext
from dockyard.domain import arns
from dockyard.domain.cluster import DEFAULT_CLUSTER_NAME
from dockyard.domain.errors import InvalidParameterException


def tags_from_wire(tags: Iterable[Mapping[str, Any]] | None) -> list[tuple[str, str]]:
    """ECS tags ``[{key, value}]`` as pairs; a tag without a key is an InvalidParameter."""
    pairs = []
    for tag in tags or ():
        key = tag.get("key")
        if key is None:
            raise InvalidParameterException("Tag key must not be null.")
        pairs.append((str(key), str(tag.get("value", ""))))
    return pairs


def tags_to_wire(tags: Mapping[str, str]) -> list[dict[str, str]]:
    return [{"key": k, "value": v} for k, v in tags.items()]


def cluster_name(region: str, account_id: str, ref: str | None) -> str:
    """The cluster a reference names (short name or ARN); ``default`` when omitted.

    An ARN of another region or account is returned whole: no cluster is named like an ARN,
    so lookups miss and the caller answers ClusterNotFound / MISSING, as ECS does.
    """
    if not ref:
        return DEFAULT_CLUSTER_NAME
    parsed = arns.parse_arn(ref)
    if parsed is not None and (parsed.region != region or parsed.account != account_id):
        return ref
    return arns.name_from_cluster_ref(ref)


def request_cluster(ctx: RequestContext, params: Mapping[str, Any]) -> str:
    """``cluster_name`` of the request's ``cluster`` member, in the request's region."""
    return cluster_name(ctx.region, ctx.account_id, params.get("cluster"))
