"""Secrets Manager staging labels, version selection, deletion windows, ids, filters (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.errors import ApiError
from dockyard.domain.secrets import (
    AWSCURRENT,
    AWSPENDING,
    AWSPREVIOUS,
    MAX_VERSIONS,
    Secret,
    SecretVersion,
    add_version,
    arn_suffix,
    check_name,
    check_value_choice,
    filter_matches,
    identifies,
    require_live,
    restored,
    schedule_deletion,
    secret_arn,
    select_version,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
ARN = secret_arn("us-east-1", "123456789012", "db/pw", "AbC123")


def secret(**kw: object) -> Secret:
    base = Secret(region="us-east-1", name="db/pw", arn=ARN, created_at=NOW, last_changed=NOW)
    return replace(base, **kw)  # type: ignore[arg-type]


def stages(s: Secret) -> dict[str, tuple[str, ...]]:
    return {v.version_id: v.stages for v in s.versions}


def code(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ApiError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.code


def test_arn_shape_and_suffix() -> None:
    suffix = arn_suffix(bytes(range(250, 256)))
    assert len(suffix) == 6 and suffix.isalnum()
    assert ARN == "arn:aws:secretsmanager:us-east-1:123456789012:secret:db/pw-AbC123"


@pytest.mark.parametrize(
    ("secret_id", "expected"),
    [
        ("db/pw", True),
        (ARN, True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db/pw", True),
        ("arn:aws:secretsmanager:us-east-1:123456789012:secret:db/pw-XXXXXX", False),
        ("db", False),
    ],
    ids=["name", "arn", "partial-arn", "wrong-suffix", "other-name"],
)
def test_secret_ids(secret_id: str, expected: bool) -> None:
    assert identifies(secret(), secret_id) is expected


def test_names() -> None:
    check_name("prod/db_pw+x=y.z@w!-1")
    assert code(check_name, "has space") == "ValidationException"
    assert code(check_name, "x" * 513) == "ValidationException"


def test_awscurrent_moves_and_the_old_current_becomes_previous() -> None:
    s, _ = add_version(secret(), "v1", stages=(AWSCURRENT,), now=NOW, binary=False)
    s, _ = add_version(s, "v2", stages=(AWSCURRENT,), now=NOW, binary=False)
    assert stages(s) == {"v1": (AWSPREVIOUS,), "v2": (AWSCURRENT,)}
    s, _ = add_version(s, "v3", stages=(AWSCURRENT,), now=NOW, binary=False)
    assert stages(s) == {"v1": (), "v2": (AWSPREVIOUS,), "v3": (AWSCURRENT,)}


def test_custom_stages_move_without_touching_current() -> None:
    s, _ = add_version(secret(), "v1", stages=(AWSCURRENT,), now=NOW, binary=False)
    s, _ = add_version(s, "v2", stages=(AWSPENDING,), now=NOW, binary=False)
    s, _ = add_version(s, "v3", stages=(AWSPENDING, "custom"), now=NOW, binary=False)
    assert stages(s) == {"v1": (AWSCURRENT,), "v2": (), "v3": (AWSPENDING, "custom")}


def test_deprecated_versions_are_pruned_past_the_limit() -> None:
    s, _ = add_version(secret(), "v0", stages=(AWSCURRENT,), now=NOW, binary=False)
    pruned_all: list[str] = []
    for i in range(1, MAX_VERSIONS + 2):
        s, pruned = add_version(s, f"v{i}", stages=(AWSCURRENT,), now=NOW, binary=False)
        pruned_all.extend(pruned)
    assert len(s.versions) == MAX_VERSIONS
    assert pruned_all == ["v0", "v1"]
    assert s.staged(AWSCURRENT) is not None and s.staged(AWSPREVIOUS) is not None


def test_select_version() -> None:
    s, _ = add_version(secret(), "v1", stages=(AWSCURRENT,), now=NOW, binary=False)
    s, _ = add_version(s, "v2", stages=(AWSCURRENT,), now=NOW, binary=False)
    assert select_version(s, None, None).version_id == "v2"
    assert select_version(s, None, AWSPREVIOUS).version_id == "v1"
    assert select_version(s, "v1", None).version_id == "v1"
    assert select_version(s, "v1", AWSPREVIOUS).version_id == "v1"
    assert code(select_version, s, "v1", AWSCURRENT) == "ResourceNotFoundException"
    assert code(select_version, s, "nope", None) == "ResourceNotFoundException"
    assert code(select_version, s, None, AWSPENDING) == "ResourceNotFoundException"
    assert code(select_version, secret(), None, None) == "ResourceNotFoundException"


@pytest.mark.parametrize(
    ("window", "force", "error"),
    [
        (6, False, "InvalidParameterException"),
        (31, False, "InvalidParameterException"),
        (7, True, "InvalidParameterException"),
    ],
    ids=["too-short", "too-long", "force-and-window"],
)
def test_deletion_parameters(window: int, force: bool, error: str) -> None:
    assert code(schedule_deletion, secret(), now=NOW, window_days=window, force=force) == error


def test_deletion_window_and_restore() -> None:
    s = schedule_deletion(secret(), now=NOW, window_days=None, force=False)
    assert s.deletion_date == NOW + timedelta(days=30) and s.deleted_at == NOW
    assert code(require_live, s) == "InvalidRequestException"
    assert code(schedule_deletion, s, now=NOW, window_days=7, force=False) == (
        "InvalidRequestException"
    )
    forced = schedule_deletion(s, now=NOW, window_days=None, force=True)
    assert forced.deletion_date == NOW
    assert not restored(s).scheduled_for_deletion
    require_live(restored(s))


def test_value_choice() -> None:
    assert code(check_value_choice, True, True, required=False) == "InvalidParameterException"
    assert code(check_value_choice, False, False, required=True) == "InvalidRequestException"
    check_value_choice(False, False, required=False)


@pytest.mark.parametrize(
    ("key", "values", "expected"),
    [
        ("name", ["DB/"], True),
        ("name", ["pw"], False),
        ("name", ["!db"], False),
        ("name", ["!x"], True),
        ("description", ["prim"], True),
        ("tag-key", ["Te"], True),
        ("tag-key", ["te"], False),
        ("tag-value", ["core"], True),
        ("all", ["CORE"], True),
        ("all", ["pw"], True),
        ("all", ["zzz", "primary"], True),
    ],
)
def test_list_filters(key: str, values: list[str], expected: bool) -> None:
    s = secret(description="primary database", tags={"Team": "core"})
    assert filter_matches(s, key, values) is expected


def test_stage_map_skips_deprecated_versions() -> None:
    s = secret(
        versions=(
            SecretVersion("a", (), NOW),
            SecretVersion("b", (AWSCURRENT,), NOW),
        )
    )
    assert s.stages_by_version() == {"b": [AWSCURRENT]}
