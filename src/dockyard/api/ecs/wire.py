"""Small conversions between ECS wire values and domain values, shared by ECS handlers."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

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


def cluster_name(params: Mapping[str, Any], member: str = "cluster") -> str:
    """The cluster a request names (short name or ARN); ``default`` when omitted."""
    ref = params.get(member)
    return arns.name_from_cluster_ref(ref) if ref else DEFAULT_CLUSTER_NAME
