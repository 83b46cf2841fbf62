"""ELBv2 wildcards compiled to regexes: each generated regex is run with Python's ``re`` over
paths, hosts, headers and query strings that must and must not match (PCRE2 reads these
regexes the same way; the integration tests check a few through HAProxy itself)."""

from __future__ import annotations

import re

import pytest

from dockyard.lb.patterns import (
    StatusRange,
    header_value_regex,
    host_regex,
    parse_matcher,
    path_regex,
    query_regex,
    render_matcher,
)


def _matches(regex: str, text: str, *, ignore_case: bool = False) -> bool:
    return re.search(regex, text, re.IGNORECASE if ignore_case else 0) is not None


PATH_CASES = [
    # pattern, regex, must match, must not match
    ("/api/*", r"^/api/.*$", ["/api/", "/api/v1/users", "/api/a?b"], ["/api", "/API/x", "/x/api/"]),
    (
        "/img/*.png",
        r"^/img/.*\.png$",
        ["/img/a.png", "/img/x/y.png"],
        ["/img/apng", "/img/a.png/x"],
    ),
    ("/v?/items", r"^/v./items$", ["/v1/items", "/v2/items"], ["/v/items", "/v10/items"]),
    ("*", r"^.*$", ["/", "/anything/at/all"], []),
    (
        "/a+b(c)[d]{e}|f^$",
        r"^/a\+b\(c\)\[d\]\{e\}\|f\^\$$",
        ["/a+b(c)[d]{e}|f^$"],
        ["/aab(c)[d]{e}|f^$", "/a+bc"],
    ),
    ("/dots.only", r"^/dots\.only$", ["/dots.only"], ["/dotsXonly"]),
]


@pytest.mark.parametrize(
    "pattern,expected,good,bad", PATH_CASES, ids=[case[0] for case in PATH_CASES]
)
def test_path_pattern_regex(pattern: str, expected: str, good: list[str], bad: list[str]) -> None:
    regex = path_regex(pattern)
    assert regex == expected
    assert [p for p in good if not _matches(regex, p)] == []
    assert [p for p in bad if _matches(regex, p)] == []


HOST_CASES = [
    (
        "example.com",
        ["example.com", "EXAMPLE.com", "example.com:8080"],
        ["www.example.com", "example.comx", "example.com:", "examplexcom"],
    ),
    (
        "*.example.com",
        ["a.example.com", "a.b.example.com", "A.Example.COM:443"],
        ["example.com", "a.example.org"],
    ),
    ("api-?.example.com", ["api-1.example.com"], ["api-.example.com", "api-12.example.com"]),
]


@pytest.mark.parametrize("pattern,good,bad", HOST_CASES, ids=[case[0] for case in HOST_CASES])
def test_host_header_regex_is_case_insensitive_and_ignores_port(
    pattern: str, good: list[str], bad: list[str]
) -> None:
    regex = host_regex(pattern)
    assert regex.startswith("^") and regex.endswith("(:[0-9]+)?$")
    assert [h for h in good if not _matches(regex, h, ignore_case=True)] == []
    assert [h for h in bad if _matches(regex, h, ignore_case=True)] == []


def test_http_header_value_is_anchored() -> None:
    regex = header_value_regex("*Mobile*")
    assert _matches(regex, "Mozilla (iPhone; Mobile) Safari", ignore_case=True)
    assert _matches(regex, "mobile", ignore_case=True)
    assert not _matches(regex, "Desktop", ignore_case=True)


QUERY_CASES = [
    (
        "version=v1",
        ["version=v1", "a=1&version=v1", "version=v1&b=2", "VERSION=V1"],
        ["version=v10", "xversion=v1", "version=v"],
    ),
    (
        "version=v*",
        ["version=v1", "version=v", "a=b&version=v2&c=d"],
        ["version=x", "a=version=v1"],
    ),
    ("lang=e?", ["lang=en"], ["lang=e", "lang=eng"]),
    ("*=pretty", ["format=pretty", "x=1&y=pretty"], ["format=ugly"]),
    ("=v1", ["k=v1", "v1", "a=b&k=v1"], ["k=v10", "v1x"]),
    ("v1", ["k=v1", "v1"], ["k=v12"]),
    ("x*", ["x", "xyz", "a=b&k=xy", "k=1&y=x1"], ["k=1&y=1x", "yx=1"]),
    (r"a=\*", ["a=*"], ["a=b", "a=xx"]),
    (r"a\=b=c", ["a=b=c"], ["a=c"]),
]


@pytest.mark.parametrize("pair,good,bad", QUERY_CASES, ids=[case[0] for case in QUERY_CASES])
def test_query_string_regex_matches_one_pair(pair: str, good: list[str], bad: list[str]) -> None:
    regex = query_regex(pair)
    assert [q for q in good if not _matches(regex, q, ignore_case=True)] == []
    assert [q for q in bad if _matches(regex, q, ignore_case=True)] == []


MATCHER_CASES = [
    ("200", (StatusRange(200, 200),), "200"),
    ("200-299", (StatusRange(200, 299),), "200-299"),
    ("200,302", (StatusRange(200, 200), StatusRange(302, 302)), "200,302"),
    ("302, 200", (StatusRange(200, 200), StatusRange(302, 302)), "200,302"),
    ("200-204,201,205", (StatusRange(200, 205),), "200-205"),
    ("200-299,300-399", (StatusRange(200, 399),), "200-399"),
]


@pytest.mark.parametrize(
    "matcher,ranges,rendered", MATCHER_CASES, ids=[case[0] for case in MATCHER_CASES]
)
def test_matcher_parses_merges_and_renders_in_haproxy_syntax(
    matcher: str, ranges: tuple[StatusRange, ...], rendered: str
) -> None:
    assert parse_matcher(matcher) == ranges
    assert render_matcher(ranges) == rendered


@pytest.mark.parametrize("matcher", ["", "2xx", "200-", "299-200", "20", "200;302"])
def test_bad_matcher_is_refused(matcher: str) -> None:
    with pytest.raises(ValueError, match="matcher"):
        parse_matcher(matcher)
