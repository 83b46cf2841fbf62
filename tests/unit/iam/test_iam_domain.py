"""IAM naming, quotas, ARNs, session durations and the built-in policies (pure)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from dockyard.domain.errors import IamLimitExceeded, InvalidInput, ValidationError
from dockyard.domain.iam import (
    OwnerKind,
    PolicyRef,
    Role,
    StoredSession,
    entity_arn,
    entity_id,
    parse_policy_arn,
    role_name_from_arn,
    token_digest,
)
from dockyard.domain.iam_managed import BUILTIN_POLICIES, builtin_by_id, builtin_by_name
from dockyard.domain.iam_rules import (
    MAX_POLICY_VERSIONS,
    check_can_add_version,
    check_inline_size,
    check_managed_size,
    check_max_session_duration,
    check_owner_quota,
    check_trust_size,
    merge_tags,
    policy_size,
    session_duration,
    validate_name,
    validate_path,
    validate_session_name,
    validate_tags,
    version_id,
)
from dockyard.domain.policy import PolicyKind, parse_policy_document

ACCOUNT = "123456789012"
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    "name", ["alice", "a", "A.b-c_d+e=f,g@h", "x" * 64], ids=["plain", "one", "punct", "64"]
)
def test_valid_names(name: str) -> None:
    validate_name(name, "userName")


@pytest.mark.parametrize("name", ["with space", "slash/", "colon:", "é", "star*"])
def test_invalid_names_are_validation_errors_in_aws_words(name: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_name(name, "userName")
    assert caught.value.message == (
        f"1 validation error detected: Value '{name}' at 'userName' failed to satisfy "
        r"constraint: Member must satisfy regular expression pattern: [\w+=,.@-]+"
    )


@pytest.mark.parametrize(
    ("path", "ok"),
    [
        (None, True),
        ("/", True),
        ("/dev/", True),
        ("/a/b/c/", True),
        ("dev/", False),
        ("/dev", False),
        ("/d ev/", False),
        ("/" + "x" * 511, False),
    ],
    ids=["default", "root", "one", "nested", "no-lead", "no-trail", "space", "too-long"],
)
def test_paths(path: str | None, ok: bool) -> None:
    if ok:
        assert validate_path(path) == (path or "/")
    else:
        with pytest.raises(ValidationError):
            validate_path(path)


def test_session_names_follow_sts_pattern() -> None:
    validate_session_name("build-42@ci")
    with pytest.raises(ValidationError, match="roleSessionName"):
        validate_session_name("bad name")


def test_entity_ids_have_a_prefix_and_17_upper_alphanumerics() -> None:
    made = entity_id("AIDA", bytes(range(17)))
    assert made.startswith("AIDA") and len(made) == 21
    assert made[4:].isalnum() and made[4:].upper() == made[4:]
    with pytest.raises(ValueError):
        entity_id("AIDA", b"short")


def test_arns_are_global_with_the_path() -> None:
    assert entity_arn(ACCOUNT, "user", "/dev/", "alice") == (
        "arn:aws:iam::123456789012:user/dev/alice"
    )


@pytest.mark.parametrize(
    ("arn", "ref"),
    [
        (
            "arn:aws:iam::aws:policy/AdministratorAccess",
            PolicyRef(True, "/", "AdministratorAccess"),
        ),
        (
            "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
            PolicyRef(True, "/service-role/", "AmazonECSTaskExecutionRolePolicy"),
        ),
        ("arn:aws:iam::123456789012:policy/a/b/p", PolicyRef(False, "/a/b/", "p")),
        ("arn:aws:iam::999999999999:policy/p", None),
        ("arn:aws:iam::123456789012:role/p", None),
        ("arn:aws:iam::123456789012:policy/", None),
        ("not-an-arn", None),
    ],
    ids=["aws", "aws-path", "local-path", "other-account", "not-policy", "no-name", "junk"],
)
def test_policy_arns(arn: str, ref: PolicyRef | None) -> None:
    assert parse_policy_arn(arn, ACCOUNT) == ref


def test_role_names_from_arns_of_this_account_only() -> None:
    assert role_name_from_arn("arn:aws:iam::123456789012:role/ci/deployer", ACCOUNT) == "deployer"
    assert role_name_from_arn("arn:aws:iam::999999999999:role/deployer", ACCOUNT) is None
    assert role_name_from_arn("arn:aws:iam::123456789012:user/deployer", ACCOUNT) is None


def test_policy_size_ignores_whitespace() -> None:
    assert policy_size('{ "a" :\n\t"b" }') == len('{"a":"b"}')


def _doc(size: int) -> str:
    return "x" * size


@pytest.mark.parametrize(
    ("kind", "limit"), [(OwnerKind.USER, 2048), (OwnerKind.GROUP, 5120), (OwnerKind.ROLE, 10240)]
)
def test_inline_quota_is_aggregate_per_owner(kind: OwnerKind, limit: int) -> None:
    half = limit // 2
    existing = {"one": _doc(half)}
    check_inline_size(kind, "owner", existing, "two", _doc(limit - half))
    with pytest.raises(IamLimitExceeded) as caught:
        check_inline_size(kind, "owner", existing, "two", _doc(limit - half + 1))
    assert caught.value.message == (
        f"Maximum policy size of {limit} bytes exceeded for {kind.value} owner"
    )
    assert caught.value.http_status == 409


def test_replacing_an_inline_policy_does_not_count_the_old_document() -> None:
    check_inline_size(OwnerKind.USER, "u", {"p": _doc(2000)}, "p", _doc(2048))


def test_managed_and_trust_quotas() -> None:
    check_managed_size(_doc(6144))
    with pytest.raises(IamLimitExceeded, match="PolicySize: 6144"):
        check_managed_size(_doc(6145))
    check_trust_size(_doc(2048))
    with pytest.raises(IamLimitExceeded, match="ACLSizePerRole: 2048"):
        check_trust_size(_doc(2049))


def test_version_ids_and_the_five_version_limit() -> None:
    assert version_id(7) == "v7"
    check_can_add_version(MAX_POLICY_VERSIONS - 1)
    with pytest.raises(IamLimitExceeded, match="up to 5 versions"):
        check_can_add_version(MAX_POLICY_VERSIONS)


def test_owner_quota_message() -> None:
    check_owner_quota(1, 2, "AccessKeysPerUser")
    with pytest.raises(IamLimitExceeded) as caught:
        check_owner_quota(2, 2, "AccessKeysPerUser")
    assert caught.value.message == "Cannot exceed quota for AccessKeysPerUser: 2"


def test_tags_are_unique_and_merge_in_place() -> None:
    assert merge_tags((("a", "1"), ("b", "2")), (("a", "3"),)) == (("a", "3"), ("b", "2"))
    with pytest.raises(InvalidInput):
        validate_tags((("a", "1"), ("a", "2")))
    with pytest.raises(IamLimitExceeded):
        validate_tags(tuple((str(i), "") for i in range(51)))


def _role(max_duration: int = 3600) -> Role:
    return Role("AROA" + "A" * 17, "r", "/", "{}", NOW, max_session_duration=max_duration)


@pytest.mark.parametrize(
    ("requested", "max_duration", "chained", "expected"),
    [
        (None, 3600, False, 3600),
        (900, 3600, False, 900),
        (7200, 43200, False, 7200),
        (7200, 3600, False, "MaxSessionDuration"),
        (None, 43200, True, 3600),
        (3600, 43200, True, 3600),
        (7200, 43200, True, "role chaining"),
    ],
    ids=[
        "default",
        "short",
        "long-allowed",
        "over-role-max",
        "chained-default",
        "chained-1h",
        "chained-over",
    ],
)
def test_session_duration(
    requested: int | None, max_duration: int, chained: bool, expected: int | str
) -> None:
    if isinstance(expected, int):
        assert session_duration(requested, _role(max_duration), chained=chained) == expected
    else:
        with pytest.raises(ValidationError, match=expected):
            session_duration(requested, _role(max_duration), chained=chained)


@pytest.mark.parametrize(
    ("value", "ok"), [(None, True), (3600, True), (43200, True), (3599, False), (43201, False)]
)
def test_role_max_session_duration_bounds(value: int | None, ok: bool) -> None:
    if ok:
        assert check_max_session_duration(value) == (value or 3600)
    else:
        with pytest.raises(ValidationError, match="maxSessionDuration"):
            check_max_session_duration(value)


def test_sessions_check_tokens_by_digest_and_expire() -> None:
    session = StoredSession(
        access_key_id="ASIAEXAMPLE",
        secret_encrypted=b"x",
        token_sha256=token_digest("token"),
        role_arn="arn:aws:iam::123456789012:role/r",
        role_id="AROAEXAMPLE",
        role_name="r",
        session_name="s",
        expires_at=NOW + timedelta(hours=1),
        created_at=NOW,
    )
    assert session.token_matches("token") and not session.token_matches("other")
    assert session.user_id == "AROAEXAMPLE:s"
    assert session.assumed_role_arn(ACCOUNT) == "arn:aws:sts::123456789012:assumed-role/r/s"
    assert not session.is_expired(NOW + timedelta(minutes=59))
    assert session.is_expired(NOW + timedelta(hours=1))


@pytest.mark.parametrize("builtin", BUILTIN_POLICIES, ids=lambda b: b.policy.name)
def test_builtin_policies_are_valid_identity_policies(builtin) -> None:  # type: ignore[no-untyped-def]
    parse_policy_document(builtin.document, kind=PolicyKind.IDENTITY)
    policy = builtin.policy
    assert policy.arn(ACCOUNT).startswith("arn:aws:iam::aws:policy/")
    assert builtin_by_id(policy.policy_id) is builtin
    assert builtin_by_name(policy.path, policy.name) is builtin
    assert len(policy.policy_id) == 21 and policy.policy_id.startswith("ANPA")


def test_expected_builtins_exist() -> None:
    arns = {b.policy.arn(ACCOUNT) for b in BUILTIN_POLICIES}
    assert {
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",
        "arn:aws:iam::aws:policy/AmazonECS_FullAccess",
        "arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy",
    } <= arns
