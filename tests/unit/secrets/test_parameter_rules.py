"""SSM naming rules, references and selectors, versions, tiers, labels and filters (pure)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from dockyard.domain.errors import ApiError
from dockyard.domain.parameter_filters import (
    ParameterFilter,
    build_filter,
    check_by_path_filters,
    labelled,
    legacy_filter,
    matches,
    under_path,
)
from dockyard.domain.parameter_versions import (
    PutRequest,
    invalid_label,
    label_version,
    next_version,
    parse_reference,
    select,
    selector_of,
    with_labels,
)
from dockyard.domain.parameters import (
    DEFAULT_KEY_ID,
    Parameter,
    ParameterVersion,
    check_name,
    check_path,
    effective_tier,
    name_from_arn,
    parameter_arn,
)

NOW = datetime(2026, 1, 1, tzinfo=UTC)
USER = "arn:aws:iam::123456789012:user/me"


def version(n: int, *, labels: tuple[str, ...] = (), **kw: object) -> ParameterVersion:
    base = ParameterVersion(
        version=n,
        type="String",
        value=f"v{n}",
        tier="Standard",
        data_type="text",
        modified_at=NOW,
        modified_user=USER,
        labels=labels,
    )
    return replace(base, **kw)  # type: ignore[arg-type]


def param(name: str = "/app/x", versions: int = 1, **kw: object) -> Parameter:
    return Parameter(
        region="us-east-1",
        name=name,
        arn=parameter_arn("us-east-1", "123456789012", name),
        versions=tuple(version(i) for i in range(1, versions + 1)),
        **kw,  # type: ignore[arg-type]
    )


def code(fn: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(ApiError) as info:
        fn(*args, **kwargs)  # type: ignore[operator]
    return info.value.code


# --- names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["plain", "/a/b/c", "with.dots-and_underscores", "/" + "/".join("abcdefghijklmno")],
    ids=["plain", "path", "symbols", "15-levels"],
)
def test_valid_names(name: str) -> None:
    check_name(name)


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("aws-thing", "ValidationException"),
        ("/AWS/thing", "ValidationException"),
        ("SSMparam", "ValidationException"),
        ("/ssm/x", "ValidationException"),
        ("a/b", "ValidationException"),
        ("has space", "ValidationException"),
        ("/a//b", "ValidationException"),
        ("/" + "/".join("abcdefghijklmnop"), "HierarchyLevelLimitExceededException"),
    ],
    ids=["aws", "AWS-path", "SSM", "ssm-path", "not-qualified", "space", "empty-level", "16"],
)
def test_invalid_names(name: str, error: str) -> None:
    assert code(check_name, name) == error


def test_reserved_prefix_message_is_aws_wording() -> None:
    with pytest.raises(ApiError) as info:
        check_name("awsfoo")
    assert info.value.message.startswith(
        'Parameter name: can\'t be prefixed with "aws" or "ssm" (case-insensitive).'
    )


@pytest.mark.parametrize(
    ("name", "arn"),
    [
        ("/a/b", "arn:aws:ssm:us-east-1:123456789012:parameter/a/b"),
        ("plain", "arn:aws:ssm:us-east-1:123456789012:parameter/plain"),
    ],
)
def test_arns_do_not_double_the_slash_and_map_back(name: str, arn: str) -> None:
    assert parameter_arn("us-east-1", "123456789012", name) == arn
    assert name_from_arn(arn) == name


def test_paths_must_be_qualified() -> None:
    check_path("/")
    check_path("/a/b")
    assert code(check_path, "a/b") == "ValidationException"
    assert code(check_path, "/" + "/".join("abcdefghijklmnop")) == (
        "HierarchyLevelLimitExceededException"
    )


# --- references and selectors -------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "base", "number", "label"),
    [
        ("/a/b", "/a/b", None, None),
        ("/a/b:3", "/a/b", 3, None),
        ("/a/b:prod", "/a/b", None, "prod"),
        (
            "arn:aws:ssm:us-east-1:1:parameter/a/b:7",
            "arn:aws:ssm:us-east-1:1:parameter/a/b",
            7,
            None,
        ),
        ("arn:aws:ssm:us-east-1:1:parameter/x", "arn:aws:ssm:us-east-1:1:parameter/x", None, None),
    ],
    ids=["name", "version", "label", "arn-version", "arn"],
)
def test_parse_reference(text: str, base: str, number: int | None, label: str | None) -> None:
    ref = parse_reference(text)
    assert (ref.name_or_arn, ref.version, ref.label) == (base, number, label)


@pytest.mark.parametrize("text", ["x:", "x:1:2", "arn:aws:ssm:r:a:other/x"])
def test_malformed_references(text: str) -> None:
    assert code(parse_reference, text) == "ValidationException"


def test_select_by_version_label_and_latest() -> None:
    p = with_labels(param(versions=3), {2: ("prod",)})
    assert select(p, parse_reference("/app/x")).version == 3
    assert select(p, parse_reference("/app/x:1")).version == 1
    assert select(p, parse_reference("/app/x:prod")).version == 2
    assert selector_of(parse_reference("/app/x:prod")) == ":prod"
    assert code(select, p, parse_reference("/app/x:9")) == "ParameterVersionNotFound"
    assert code(select, p, parse_reference("/app/x:nope")) == "ParameterVersionNotFound"


# --- PutParameter -------------------------------------------------------------------------


def put(existing: Parameter | None, **kw: object) -> tuple[ParameterVersion, tuple[int, ...]]:
    fields: dict[str, object] = {"name": "/app/x", "value": "v"}
    fields.update(kw)
    return next_version(existing, PutRequest(**fields), now=NOW, user=USER)  # type: ignore[arg-type]


def test_create_needs_a_type_and_starts_at_version_one() -> None:
    assert code(put, None) == "ValidationException"
    v, dropped = put(None, type="String")
    assert (v.version, v.tier, v.data_type, dropped) == (1, "Standard", "text", ())


def test_existing_without_overwrite_is_refused() -> None:
    assert code(put, param(), type="String") == "ParameterAlreadyExists"


def test_overwrite_keeps_unset_fields_and_counts_on() -> None:
    existing = param(versions=2)
    existing = replace(existing, versions=(*existing.versions[:-1], version(2, description="d")))
    v, _ = put(existing, overwrite=True)
    assert (v.version, v.type, v.description) == (3, "String", "d")


def test_tags_with_overwrite_are_refused() -> None:
    assert code(put, param(), overwrite=True, with_tags=True) == "ValidationException"


def test_secure_string_defaults_its_key_and_key_id_is_only_for_secure_strings() -> None:
    v, _ = put(None, type="SecureString")
    assert v.key_id == DEFAULT_KEY_ID
    assert code(put, None, type="String", key_id="alias/mine") == "ValidationException"


@pytest.mark.parametrize(
    ("size", "tier", "outcome"),
    [
        (4096, None, "Standard"),
        (4097, None, "ValidationException"),
        (4097, "Advanced", "Advanced"),
        (8192, "Advanced", "Advanced"),
        (8193, "Advanced", "ValidationException"),
        (100, "Intelligent-Tiering", "Standard"),
        (5000, "Intelligent-Tiering", "Advanced"),
    ],
)
def test_value_size_per_tier(size: int, tier: str | None, outcome: str) -> None:
    if outcome.endswith("Exception"):
        assert code(put, None, type="String", value="x" * size, tier=tier) == outcome
    else:
        assert put(None, type="String", value="x" * size, tier=tier)[0].tier == outcome


def test_advanced_never_goes_back_to_standard() -> None:
    assert effective_tier(None, "Advanced", "x") == "Advanced"
    assert effective_tier("Intelligent-Tiering", "Advanced", "x") == "Advanced"
    assert code(effective_tier, "Standard", "Advanced", "x") == "ValidationException"


def test_allowed_pattern_is_enforced_without_quoting_the_value() -> None:
    assert put(None, type="String", value="123", allowed_pattern=r"^\d+$")[0].value == "123"
    with pytest.raises(ApiError) as info:
        put(None, type="String", value="SECRETabc", allowed_pattern=r"^\d+$")
    assert info.value.code == "ParameterPatternMismatchException"
    assert "SECRETabc" not in info.value.message
    assert code(put, None, type="String", allowed_pattern="(") == "InvalidAllowedPatternException"


def test_data_types() -> None:
    assert code(put, None, type="String", data_type="TEXT") == "ValidationException"
    assert put(None, type="String", data_type="aws:ec2:image")[0].data_type == "aws:ec2:image"


def test_the_101st_version_drops_the_oldest_unless_it_is_labelled() -> None:
    full = param(versions=100)
    v, dropped = put(full, overwrite=True)
    assert (v.version, dropped) == (101, (1,))
    labelled_oldest = with_labels(full, {1: ("keep",)})
    assert code(put, labelled_oldest, overwrite=True) == "ParameterMaxVersionLimitExceeded"


# --- labels -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("label", "bad"),
    [
        ("prod", False),
        ("v1.2-rc_3", False),
        ("1st", True),
        ("awsLabel", True),
        ("SSM", True),
        ("has/slash", True),
        ("x" * 101, True),
    ],
)
def test_label_rules(label: str, bad: bool) -> None:
    assert invalid_label(label) is bad


def test_label_moves_between_versions() -> None:
    p = with_labels(param(versions=3), {1: ("prod", "old")})
    result = label_version(p, 3, ["prod", "9bad"])
    assert result.version == 3
    assert result.invalid == ("9bad",)
    assert result.changed == {1: ("old",), 3: ("prod",)}


def test_label_defaults_to_the_latest_version() -> None:
    assert label_version(param(versions=2), None, ["a"]).version == 2


def test_label_limit_and_missing_version() -> None:
    p = with_labels(param(versions=1), {1: tuple(f"l{i}" for i in range(10))})
    assert code(label_version, p, 1, ["one-more"]) == "ParameterVersionLabelLimitExceeded"
    assert label_version(p, 1, ["l0"]).changed == {}
    assert code(label_version, p, 5, ["x"]) == "ParameterVersionNotFound"


# --- paths and filters --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "path", "recursive", "expected"),
    [
        ("/a/b", "/a", False, True),
        ("/a/b/c", "/a", False, False),
        ("/a/b/c", "/a", True, True),
        ("/ab", "/a", True, False),
        ("/a", "/a", True, False),
        ("plain", "/", False, True),
        ("/x", "/", False, True),
        ("/x/y", "/", False, False),
        ("/a/b", "/a/", False, True),
    ],
)
def test_under_path(name: str, path: str, recursive: bool, expected: bool) -> None:
    assert under_path(name, path, recursive=recursive) is expected


@pytest.mark.parametrize(
    ("key", "option", "values", "error"),
    [
        ("Color", None, ["x"], "InvalidFilterKey"),
        ("Type", "BeginsWith", ["String"], "InvalidFilterOption"),
        ("Type", None, ["Bogus"], "InvalidFilterValue"),
        ("Name", None, None, "InvalidFilterValue"),
        ("Path", "Recursive", ["no-slash"], "ValidationException"),
    ],
)
def test_bad_filters(key: str, option: str | None, values: list[str] | None, error: str) -> None:
    assert code(build_filter, key, option, values) == error


def test_by_path_refuses_name_and_path_filters() -> None:
    assert code(check_by_path_filters, [build_filter("Name", None, ["x"])]) == "InvalidFilterKey"
    check_by_path_filters(
        [build_filter("Type", None, ["String"]), build_filter("tag:a", None, None)]
    )


def test_filters_match() -> None:
    p = replace(param("/app/db/pw"), tags={"team": "core"})
    p = with_labels(p, {1: ("prod",)})
    v = p.latest

    def ok(*filters: ParameterFilter) -> bool:
        return matches(p, v, filters)

    assert ok(build_filter("Name", "BeginsWith", ["/app/"]))
    assert ok(build_filter("Name", "Contains", ["db"]))
    assert not ok(build_filter("Name", None, ["/app"]))
    assert ok(build_filter("Path", "Recursive", ["/app"]))
    assert not ok(build_filter("Path", None, ["/app"]))
    assert ok(build_filter("Type", None, ["String", "SecureString"]))
    assert ok(build_filter("tag:team", None, None))
    assert ok(build_filter("tag:team", "BeginsWith", ["co"]))
    assert not ok(build_filter("tag:other", None, None))
    assert ok(build_filter("Label", None, ["prod"]))
    assert ok(legacy_filter("Name", ["/app/d"]))
    assert not ok(build_filter("Tier", None, ["Advanced"]), build_filter("Type", None, ["String"]))


def test_label_filter_picks_the_labelled_version() -> None:
    p = with_labels(param(versions=3), {2: ("prod",)})
    prod = labelled(p, [build_filter("Label", None, ["prod"])])
    assert prod is not None and prod.version == 2
    assert labelled(p, [build_filter("Label", None, ["none"])]) is None
    assert labelled(p, []) == p.latest
