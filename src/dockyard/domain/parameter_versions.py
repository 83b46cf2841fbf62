"""SSM parameter versions: ``name:version`` / ``name:label`` selectors, the next version of a
PutParameter, the 100-version window and LabelParameterVersion's label moves.

Pure: time and the caller's identity come in as arguments.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from dockyard.domain.parameters import (
    DEFAULT_KEY_ID,
    MAX_LABELS_PER_VERSION,
    MAX_VERSIONS,
    SECURE_STRING,
    Parameter,
    ParameterAlreadyExists,
    ParameterMaxVersionLimitExceeded,
    ParameterNotFound,
    ParameterVersion,
    ParameterVersionLabelLimitExceeded,
    ParameterVersionNotFound,
    SsmValidationException,
    check_data_type,
    check_key_id,
    check_name,
    check_value,
    effective_tier,
)

_LABEL_CHARS = re.compile(r"^[a-zA-Z0-9_.\-]{1,100}$")
_LABEL_RESERVED = re.compile(r"^(aws|ssm)", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Reference:
    """What a caller named: a parameter (name or ARN) and at most one selector."""

    text: str
    name_or_arn: str
    version: int | None = None
    label: str | None = None

    @property
    def is_arn(self) -> bool:
        return self.name_or_arn.startswith("arn:")


def parse_reference(text: str) -> Reference:
    """``name``, ``name:3``, ``name:label``, or any of those with the name given as its ARN."""
    if text.startswith("arn:"):
        head, sep, resource = text.partition(":parameter/")
        if not sep or not resource:
            raise SsmValidationException(f"Invalid parameter ARN: {text}")
        resource, colon, selector = resource.partition(":")
        base = f"{head}:parameter/{resource}"
    else:
        base, colon, selector = text.partition(":")
    if not colon:
        return Reference(text, base)
    if not selector or ":" in selector:
        raise SsmValidationException(
            "Invalid parameter selector. A selector is a version number or a label, after one "
            f"colon: {text}"
        )
    if selector.isdigit():
        return Reference(text, base, version=int(selector))
    return Reference(text, base, label=selector)


def select(parameter: Parameter, ref: Reference) -> ParameterVersion:
    """The version a reference selects (the latest without a selector)."""
    if ref.version is not None:
        for v in parameter.versions:
            if v.version == ref.version:
                return v
        raise ParameterVersionNotFound(
            f"Systems Manager could not find version {ref.version} of {parameter.name}. "
            "Verify the version and try again."
        )
    if ref.label is not None:
        for v in parameter.versions:
            if ref.label in v.labels:
                return v
        raise ParameterVersionNotFound(
            f"Systems Manager could not find label {ref.label} of {parameter.name}. "
            "Verify the label and try again."
        )
    return parameter.latest


def selector_of(ref: Reference) -> str | None:
    """The ``Selector`` SSM echoes in a Parameter (``:3`` or ``:label``)."""
    if ref.version is not None:
        return f":{ref.version}"
    if ref.label is not None:
        return f":{ref.label}"
    return None


@dataclass(frozen=True, slots=True)
class PutRequest:
    """A PutParameter request in domain terms (``value`` is plaintext)."""

    name: str
    value: str
    type: str | None = None
    description: str | None = None
    key_id: str | None = None
    allowed_pattern: str | None = None
    tier: str | None = None
    data_type: str | None = None
    overwrite: bool = False
    with_tags: bool = False


def next_version(
    existing: Parameter | None, req: PutRequest, *, now: datetime, user: str
) -> tuple[ParameterVersion, tuple[int, ...]]:
    """The version a PutParameter writes (its ``value`` is the plaintext; the store seals it
    for SecureString) and the version numbers it pushes out of the 100-version window.

    Unset fields keep the previous version's (Type, Description, KeyId, AllowedPattern, tier,
    data type) on an overwrite.
    """
    if existing is None:
        check_name(req.name)
    elif not req.overwrite:
        raise ParameterAlreadyExists()
    if existing is not None and req.with_tags:
        raise SsmValidationException(
            "Invalid request: tags and overwrite can't be used together. To create a parameter "
            "with tags, please remove overwrite flag. To update tags for an existing parameter, "
            "please use AddTagsToResource or RemoveTagsFromResource."
        )
    prev = existing.latest if existing else None
    type_ = req.type or (prev.type if prev else None)
    if type_ is None:
        raise SsmValidationException("A parameter type is required when you create a parameter.")
    check_key_id(req.key_id, type_)
    tier = effective_tier(req.tier, prev.tier if prev else None, req.value)
    pattern = req.allowed_pattern if req.allowed_pattern is not None else _kept(prev, "pattern")
    check_value(req.value, tier, pattern)
    data_type = req.data_type or "text"
    check_data_type(data_type, type_)
    version = ParameterVersion(
        version=prev.version + 1 if prev else 1,
        type=type_,
        value=req.value,
        tier=tier,
        data_type=data_type,
        modified_at=now,
        modified_user=user,
        description=req.description if req.description is not None else _kept(prev, "desc"),
        allowed_pattern=pattern,
        key_id=_key_id(req.key_id, prev, type_),
    )
    return version, _dropped(existing)


def _kept(prev: ParameterVersion | None, what: str) -> str | None:
    if prev is None:
        return None
    return prev.description if what == "desc" else prev.allowed_pattern


def _key_id(requested: str | None, prev: ParameterVersion | None, type_: str) -> str | None:
    if type_ != SECURE_STRING:
        return None
    if requested is not None:
        return requested
    if prev is not None and prev.key_id is not None:
        return prev.key_id
    return DEFAULT_KEY_ID


def _dropped(existing: Parameter | None) -> tuple[int, ...]:
    if existing is None or len(existing.versions) < MAX_VERSIONS:
        return ()
    oldest = existing.versions[0]
    if oldest.labels:
        raise ParameterMaxVersionLimitExceeded(
            f"You attempted to create a new version of {existing.name} by calling the "
            f"PutParameter API with the overwrite flag. Version {oldest.version}, the oldest "
            "version, can't be deleted because it has a label associated with it. Move the label "
            "to another version of the parameter, and try again."
        )
    return (oldest.version,)


def invalid_label(label: str) -> bool:
    """AWS's label rules: 1–100 of ``[a-zA-Z0-9_.-]``, not starting with a digit, ``aws`` or
    ``ssm`` (case-insensitive)."""
    return not _LABEL_CHARS.match(label) or label[0].isdigit() or bool(_LABEL_RESERVED.match(label))


@dataclass(frozen=True, slots=True)
class LabelResult:
    """A LabelParameterVersion outcome: the new labels of every version that changed."""

    version: int
    invalid: tuple[str, ...]
    changed: dict[int, tuple[str, ...]]


def label_version(parameter: Parameter, version: int | None, labels: list[str]) -> LabelResult:
    """Attach the valid ``labels`` to a version (the latest when ``version`` is None), moving
    each from whichever version held it; invalid labels are reported, not applied.

    Invariant: a label is on at most one version; a version holds at most 10 labels.
    """
    target_no = parameter.latest.version if version is None else version
    target = next((v for v in parameter.versions if v.version == target_no), None)
    if target is None:
        raise ParameterVersionNotFound(
            f"Systems Manager could not find version {target_no} of {parameter.name}. "
            "Verify the version and try again."
        )
    invalid = tuple(label for label in labels if invalid_label(label))
    valid = [label for label in dict.fromkeys(labels) if label not in invalid]
    changed: dict[int, tuple[str, ...]] = {}
    for v in parameter.versions:
        if v.version != target_no and any(label in v.labels for label in valid):
            changed[v.version] = tuple(x for x in v.labels if x not in valid)
    merged = tuple(dict.fromkeys([*target.labels, *valid]))
    if len(merged) > MAX_LABELS_PER_VERSION:
        raise ParameterVersionLabelLimitExceeded(
            "A parameter version can have maximum 10 labels.Move one or more labels to another "
            "version and try again."
        )
    if merged != target.labels:
        changed[target_no] = merged
    return LabelResult(version=target_no, invalid=invalid, changed=changed)


def with_labels(parameter: Parameter, changed: dict[int, tuple[str, ...]]) -> Parameter:
    return replace(
        parameter,
        versions=tuple(
            replace(v, labels=changed[v.version]) if v.version in changed else v
            for v in parameter.versions
        ),
    )


def not_found(name: str) -> ParameterNotFound:
    """SSM's ParameterNotFound answers with an empty message for Get/Delete."""
    del name
    return ParameterNotFound("")
