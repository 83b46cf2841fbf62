"""Resource tags as ECS defines them (§11.4 of the reference).

≤ 50 user tags per resource; key 1–128 and value 0–256 characters; keys are case-sensitive;
the ``aws:`` prefix is reserved (not user-settable, not counted toward the 50).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from dockyard.domain.errors import InvalidParameterException

MAX_TAGS_PER_RESOURCE = 50
MAX_KEY_LENGTH = 128
MAX_VALUE_LENGTH = 256
RESERVED_PREFIX = "aws:"


def validate_new_tags(tags: Iterable[tuple[str, str]]) -> None:
    """Reject reserved, over-long or empty keys and over-long values."""
    for key, value in tags:
        if not key or len(key) > MAX_KEY_LENGTH:
            raise InvalidParameterException("Tag keys must be between 1 and 128 characters.")
        if len(value) > MAX_VALUE_LENGTH:
            raise InvalidParameterException("Tag values must be at most 256 characters.")
        if key.lower().startswith(RESERVED_PREFIX):
            raise InvalidParameterException(
                "Tag keys beginning with 'aws:' are reserved for AWS use."
            )


def merge_tags(existing: Mapping[str, str], new: Iterable[tuple[str, str]]) -> dict[str, str]:
    """``existing`` with ``new`` applied on top; enforces the per-resource limit.

    Invariant: the result never holds more than 50 non-reserved keys.
    """
    new_list = list(new)
    validate_new_tags(new_list)
    merged = dict(existing)
    merged.update(new_list)
    user_keys = [k for k in merged if not k.startswith(RESERVED_PREFIX)]
    if len(user_keys) > MAX_TAGS_PER_RESOURCE:
        raise InvalidParameterException(
            f"The number of tags on the resource exceeds the limit of {MAX_TAGS_PER_RESOURCE}."
        )
    return merged
