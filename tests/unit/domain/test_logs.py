"""CloudWatch Logs domain: names, PutLogEvents batch rules, read positions, filter patterns."""

from __future__ import annotations

import pytest

from dockyard.domain.errors import InvalidParameterException
from dockyard.domain.logs import (
    MAX_AGE_MS,
    MAX_BATCH_BYTES,
    MAX_BATCH_SPAN_MS,
    MAX_FUTURE_MS,
    BatchScreen,
    FilterPattern,
    InputEvent,
    LogEvent,
    Position,
    ResourceAlreadyExistsException,
    event_size,
    group_arn,
    screen_batch,
    stream_arn,
    validate_group_name,
    validate_retention,
    validate_stream_name,
)

NOW = 1_800_000_000_000
DAY = 24 * 3600 * 1000


@pytest.mark.parametrize(
    ("name", "valid"),
    [
        ("/ecs/web", True),
        ("a.b-c_d#e/F9", True),
        ("x" * 512, True),
        ("", False),
        ("x" * 513, False),
        ("has space", False),
        ("colon:", False),
        ("star*", False),
    ],
    ids=["ecs-path", "every-allowed-symbol", "512-chars", "empty", "513-chars", "space",
         "colon", "star"],
)
def test_group_names(name: str, valid: bool) -> None:
    if valid:
        validate_group_name(name)
    else:
        with pytest.raises(InvalidParameterException, match="logGroupName"):
            validate_group_name(name)


@pytest.mark.parametrize(
    ("name", "valid"),
    [("web/app/0123abc", True), ("spaces and ünïcode", True), ("x" * 512, True),
     ("", False), ("a:b", False), ("a*b", False), ("x" * 513, False)],
    ids=["prefix-form", "any-other-char", "512-chars", "empty", "colon", "star", "513-chars"],
)
def test_stream_names(name: str, valid: bool) -> None:
    if valid:
        validate_stream_name(name)
    else:
        with pytest.raises(InvalidParameterException, match="logStreamName"):
            validate_stream_name(name)


def test_arns_retention_and_error_code() -> None:
    assert group_arn("eu-west-1", "1", "/g") == "arn:aws:logs:eu-west-1:1:log-group:/g"
    assert stream_arn("r", "1", "g", "s") == "arn:aws:logs:r:1:log-group:g:log-stream:s"
    validate_retention(3653)
    with pytest.raises(InvalidParameterException):
        validate_retention(2)
    assert ResourceAlreadyExistsException("x").code == "ResourceAlreadyExistsException"
    assert ResourceAlreadyExistsException("x").http_status == 400


def events(*timestamps: int, message: str = "m") -> list[InputEvent]:
    return [InputEvent(ts, message) for ts in timestamps]


@pytest.mark.parametrize(
    ("batch", "retention", "expected"),
    [
        (events(NOW - 5, NOW), None, BatchScreen(0, 2)),
        (events(NOW - MAX_AGE_MS - 1, NOW - MAX_AGE_MS + 1), None, BatchScreen(1, 2, 0)),
        (events(NOW, NOW + MAX_FUTURE_MS, NOW + MAX_FUTURE_MS + 1), None,
         BatchScreen(0, 2, too_new_start_index=2)),
        (events(NOW - DAY - 5, NOW - DAY + 1), 1, BatchScreen(1, 2, expired_end_index=0)),
        (events(NOW - MAX_AGE_MS - 5, NOW - MAX_AGE_MS - 1), 30, BatchScreen(2, 2, 1)),
        (events(NOW + MAX_FUTURE_MS + 1), None, BatchScreen(0, 0, too_new_start_index=0)),
    ],
    ids=["all-kept", "too-old-prefix", "too-new-suffix", "expired-by-retention",
         "all-too-old", "all-too-new"],
)
def test_screen_batch_skips_what_aws_rejects(
    batch: list[InputEvent], retention: int | None, expected: BatchScreen
) -> None:
    screen = screen_batch(batch, now_ms=NOW, retention_days=retention)
    assert screen == expected
    assert screen.rejected == (expected != BatchScreen(0, len(batch)))


@pytest.mark.parametrize(
    ("batch", "message"),
    [
        ([], "between 1 and 10000"),
        (events(*[NOW] * 10_001), "between 1 and 10000"),
        (events(NOW, NOW - 1), "chronological order"),
        (events(NOW - MAX_BATCH_SPAN_MS - 1, NOW), "24 hours"),
        ([InputEvent(NOW, "x" * (MAX_BATCH_BYTES - 26 + 1))], "Upload too large"),
        (events(*[NOW] * 2, message="x" * (MAX_BATCH_BYTES // 2 - 26 + 1)), "Upload too large"),
    ],
    ids=["empty", "10001-events", "out-of-order", "span-over-24h", "one-event-too-big",
         "26-bytes-per-event-count"],
)
def test_screen_batch_refuses_broken_batches(batch: list[InputEvent], message: str) -> None:
    with pytest.raises(InvalidParameterException, match=message):
        screen_batch(batch, now_ms=NOW)


def test_batch_at_exact_limits_is_accepted() -> None:
    exact = [InputEvent(NOW, "x" * (MAX_BATCH_BYTES - 26))]
    assert event_size(exact[0].message) == MAX_BATCH_BYTES
    assert screen_batch(exact, now_ms=NOW) == BatchScreen(0, 1)
    assert event_size("é") == 2 + 26
    span = events(NOW - MAX_BATCH_SPAN_MS, NOW)
    assert screen_batch(span, now_ms=NOW) == BatchScreen(0, 2)


def test_position_tokens_round_trip_and_order() -> None:
    position = Position(1_700_000_000_123, 42)
    assert Position.parse_token(position.forward_token()) == (True, position)
    assert Position.parse_token(position.backward_token()) == (False, position)
    assert position.forward_token().startswith("f/") and len(position.forward_token()) == 42
    assert Position(1, 9) < Position(2, 1) < Position(2, 2)
    event = LogEvent(stream="s", timestamp=5, message="m", ingestion_time=6, seq=7)
    assert event.position == Position(5, 7)
    assert event.event_id == f"{5:020d}{7:020d}"


@pytest.mark.parametrize(
    "token", ["", "f/", "x/" + "0" * 40, "f/" + "0" * 39, "f/" + "a" * 40, "garbage"]
)
def test_position_rejects_foreign_tokens(token: str) -> None:
    with pytest.raises(InvalidParameterException, match="nextToken"):
        Position.parse_token(token)


@pytest.mark.parametrize(
    ("pattern", "message", "matches"),
    [
        ("", "anything", True),
        ('""', "anything", True),
        ("ERROR", "an ERROR here", True),
        ("ERROR", "an error here", False),
        ("ERROR Exception", "ERROR: Exception raised", True),
        ("ERROR Exception", "ERROR only", False),
        ('"Failed to connect"', "x Failed to connect y", True),
        ('"Failed to connect"', "Failed to  connect", False),
        ("?ERROR ?WARN", "WARN low disk", True),
        ("?ERROR ?WARN", "INFO fine", False),
        ("ERROR -Exiting", "ERROR Exiting now", False),
        ("ERROR -Exiting", "ERROR disk full", True),
        ("-DEBUG", "INFO x", True),
        ("-DEBUG", "DEBUG x", False),
        ('?"disk full" ?"no space"', "no space left", True),
        ('-"is fine"', "all is fine", False),
        ('"say \\"hi\\""', 'they say "hi"', True),
    ],
    ids=["empty", "quoted-empty", "term", "term-is-case-sensitive", "all-terms",
         "missing-term", "phrase", "phrase-exact-spacing", "or-terms", "or-terms-none",
         "exclusion-hit", "exclusion-miss", "exclusion-only", "exclusion-only-hit",
         "or-phrases", "excluded-phrase", "escaped-quotes"],
)
def test_filter_patterns(pattern: str, message: str, matches: bool) -> None:
    assert FilterPattern.parse(pattern).matches(message) is matches


@pytest.mark.parametrize("pattern", ['{ $.level = "ERROR" }', "[ip, user]", "%ERR(OR)?%"])
def test_structured_and_regex_patterns_are_refused(pattern: str) -> None:
    with pytest.raises(InvalidParameterException, match="unstructured"):
        FilterPattern.parse(pattern)
