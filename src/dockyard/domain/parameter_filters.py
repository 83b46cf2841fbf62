"""SSM ``ParameterFilters`` (and DescribeParameters' legacy ``Filters``) and path matching.

Filters are ANDed; the values of one filter are ORed. Keys and the options each accepts::

    Name      Equals | BeginsWith | Contains     (DescribeParameters only)
    Path      OneLevel | Recursive               (DescribeParameters only)
    Type, KeyId, Tier, DataType, Label   Equals (KeyId also BeginsWith)
    tag:KEY   Equals | BeginsWith; no values means "has the tag"

Pure.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from dockyard.domain.parameters import (
    ADVANCED,
    INTELLIGENT,
    SECURE_STRING,
    STANDARD,
    STRING,
    STRING_LIST,
    InvalidFilterKey,
    InvalidFilterOption,
    InvalidFilterValue,
    Parameter,
    ParameterVersion,
    SsmValidationException,
    check_path,
)

EQUALS, BEGINS_WITH, CONTAINS = "Equals", "BeginsWith", "Contains"
ONE_LEVEL, RECURSIVE = "OneLevel", "Recursive"

_OPTIONS: dict[str, tuple[str, ...]] = {
    "Name": (EQUALS, BEGINS_WITH, CONTAINS),
    "Path": (ONE_LEVEL, RECURSIVE),
    "Type": (EQUALS,),
    "KeyId": (EQUALS, BEGINS_WITH),
    "Tier": (EQUALS,),
    "DataType": (EQUALS,),
    "Label": (EQUALS,),
}
_TAG_OPTIONS = (EQUALS, BEGINS_WITH)
_ENUMS = {
    "Type": (STRING, STRING_LIST, SECURE_STRING),
    "Tier": (STANDARD, ADVANCED, INTELLIGENT),
}
BY_PATH_KEYS = ("Type", "KeyId", "Label", "Tier", "DataType")


@dataclass(frozen=True, slots=True)
class ParameterFilter:
    key: str
    option: str
    values: tuple[str, ...]


def build_filter(key: str, option: str | None, values: Sequence[str] | None) -> ParameterFilter:
    """A checked filter; the option defaults to Equals (OneLevel for Path)."""
    is_tag = key.startswith("tag:")
    allowed = _TAG_OPTIONS if is_tag else _OPTIONS.get(key)
    if allowed is None:
        raise InvalidFilterKey(f"The following filter key is not valid: {key}")
    chosen = option or (ONE_LEVEL if key == "Path" else EQUALS)
    if chosen not in allowed:
        raise InvalidFilterOption(
            f"The following filter option is not valid: {chosen}. Valid options include: "
            f"[{', '.join(allowed)}]."
        )
    vals = tuple(values or ())
    if not vals and not is_tag:
        raise InvalidFilterValue(
            f"The following filter values are missing : null for filter key {key}."
        )
    for value in vals:
        if key in _ENUMS and value not in _ENUMS[key]:
            raise InvalidFilterValue(
                f"The following filter value is not valid: {value}. Valid values include: "
                f"[{', '.join(_ENUMS[key])}]."
            )
        if key == "Path":
            check_path(value)
    return ParameterFilter(key, chosen, vals)


def legacy_filter(key: str, values: Sequence[str]) -> ParameterFilter:
    """DescribeParameters' old ``Filters`` (Name / Type / KeyId); Name matches by prefix."""
    return build_filter(key, BEGINS_WITH if key == "Name" else EQUALS, values)


def check_by_path_filters(filters: Sequence[ParameterFilter]) -> None:
    for f in filters:
        if f.key not in BY_PATH_KEYS and not f.key.startswith("tag:"):
            raise InvalidFilterKey(
                f"The following filter key is not valid: {f.key}. Valid filter keys include: "
                f"[{', '.join(BY_PATH_KEYS)}, tag:]."
            )


def check_unique_keys(filters: Sequence[ParameterFilter]) -> None:
    keys = [f.key for f in filters]
    if len(set(keys)) != len(keys):
        raise SsmValidationException(
            "The following filter is duplicated in the request: "
            + ", ".join(sorted({k for k in keys if keys.count(k) > 1}))
        )


def under_path(name: str, path: str, *, recursive: bool) -> bool:
    """Whether ``name`` lies below ``path`` (one level only unless ``recursive``). Names
    without a leading slash sit at the root ``/``."""
    full = name if name.startswith("/") else "/" + name
    prefix = path.rstrip("/") + "/"
    if not full.startswith(prefix):
        return False
    return recursive or "/" not in full[len(prefix) :]


def matches(
    parameter: Parameter, version: ParameterVersion, filters: Sequence[ParameterFilter]
) -> bool:
    """Whether the parameter (seen at ``version``) passes every filter."""
    return all(_one(parameter, version, f) for f in filters)


def _one(parameter: Parameter, version: ParameterVersion, f: ParameterFilter) -> bool:
    if f.key.startswith("tag:"):
        tag = f.key[4:]
        if tag not in parameter.tags:
            return False
        return not f.values or _text(parameter.tags[tag], f)
    if f.key == "Path":
        return any(under_path(parameter.name, p, recursive=f.option == RECURSIVE) for p in f.values)
    if f.key == "Label":
        return any(label in v.labels for v in parameter.versions for label in f.values)
    field_value = {
        "Name": parameter.name,
        "Type": version.type,
        "KeyId": version.key_id or "",
        "Tier": version.tier,
        "DataType": version.data_type,
    }[f.key]
    return _text(field_value, f)


def _text(value: str, f: ParameterFilter) -> bool:
    if f.key == "Name":
        value = value.lstrip("/")
        wanted = [v.lstrip("/") for v in f.values]
    else:
        wanted = list(f.values)
    if f.option == BEGINS_WITH:
        return any(value.startswith(w) for w in wanted)
    if f.option == CONTAINS:
        return any(w in value for w in wanted)
    return value in wanted


def labelled(parameter: Parameter, filters: Sequence[ParameterFilter]) -> ParameterVersion | None:
    """The version GetParametersByPath returns: the one holding a filtered label, if a Label
    filter is given (None when no version holds one); otherwise the latest."""
    labels = [value for f in filters if f.key == "Label" for value in f.values]
    if not labels:
        return parameter.latest
    for v in reversed(parameter.versions):
        if any(label in v.labels for label in labels):
            return v
    return None
