"""A compiled policy set decides exactly as a brute-force reference evaluator (Hypothesis).

The reference below is written from the IAM documentation, independently of the engine: it
reads the raw statement dicts (not the parsed document), matches wildcards with a backtracking
matcher over characters (no regex), and evaluates conditions with direct loops. Random policies
draw Action / Resource patterns by punching ``*`` and ``?`` into a small alphabet of real
actions and ARNs, plus a few conditions and a policy variable. The properties:

* the engine never grants what the reference denies, and the decisions agree exactly;
* the statement the engine names is one the reference finds matching, with that effect;
* answers are stable when the same compiled set is asked again (the memos are pure).
"""

from __future__ import annotations

import ipaddress
import json
import re
from functools import cache
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dockyard.domain.policy import (
    AccessRequest,
    Decision,
    NamedPolicy,
    PolicyKind,
    compile_policies,
    parse_policy_document,
)

ACTIONS = [
    "ecs:RunTask", "ecs:StopTask", "ecs:ListClusters", "ecs:DescribeClusters",
    "ssm:GetParameter", "ssm:GetParameters", "iam:CreateUser",
]  # fmt: skip
RESOURCES = [
    "*",
    "arn:aws:ecs:us-east-1:111122223333:cluster/a",
    "arn:aws:ecs:us-east-1:111122223333:cluster/b",
    "arn:aws:ecs:us-east-1:111122223333:service/a/web",
    "arn:aws:ecs:eu-west-1:444455556666:task/a/0f1e",
    "arn:aws:ssm:us-east-1:111122223333:parameter/app/db:1",
    "arn:aws:logs:us-east-1:111122223333:log-group:g:log-stream:s",
    "arn:aws:s3:::home/bob/f",
    "arn:aws:s3:::home/al/f",
]
VARIABLE_RESOURCES = ["arn:aws:s3:::home/${aws:username}/*", "arn:aws:s3:::home/${aws:username}?f"]
SETTINGS = settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# --- random policies --------------------------------------------------------------------------


def _punch(draw: st.DrawFn, text: str) -> str:
    """``text`` with up to three edits: a span replaced by ``*``, a char by ``?``, a case flip."""
    chars = list(text)
    for _ in range(draw(st.integers(0, 3))):
        if not chars:
            break
        i = draw(st.integers(0, len(chars) - 1))
        kind = draw(st.sampled_from(["star", "one", "case"]))
        if kind == "star":
            chars[i : draw(st.integers(i, min(len(chars), i + 8)))] = ["*"]
        elif kind == "one":
            chars[i] = "?"
        else:
            chars[i] = chars[i].swapcase()
    return "".join(chars)


@st.composite
def action_patterns(draw: st.DrawFn) -> str:
    pattern = "*" if draw(st.integers(0, 9)) == 0 else _punch(draw, draw(st.sampled_from(ACTIONS)))
    return pattern if pattern == "*" or re.fullmatch(r"[^:\s]+:\S+", pattern) else "ecs:*"


@st.composite
def resource_patterns(draw: st.DrawFn) -> str:
    if draw(st.integers(0, 6)) == 0:
        return draw(st.sampled_from(VARIABLE_RESOURCES))
    pattern = _punch(draw, draw(st.sampled_from(RESOURCES)))
    valid = pattern == "*" or (pattern.startswith("arn:") and pattern.count(":") >= 5)
    return pattern if valid else "*"


STRING_OPS = [
    "StringEquals",
    "StringNotEquals",
    "StringLike",
    "StringNotLike",
    "StringEqualsIgnoreCase",
]
CONDITIONS = st.one_of(
    st.tuples(
        st.sampled_from(["", "ForAllValues:", "ForAnyValue:"]),
        st.sampled_from(STRING_OPS),
        st.sampled_from(["", "IfExists"]),
        st.sampled_from(["aws:username", "aws:TagKeys"]),
        st.lists(
            st.sampled_from(["bob", "al", "b*", "a?", "BOB", "${aws:username}"]),
            min_size=1,
            max_size=3,
        ),
    ).map(lambda t: (t[0] + t[1] + t[2], t[3], t[4])),
    st.tuples(
        st.sampled_from(["Bool", "BoolIfExists"]),
        st.just("aws:SecureTransport"),
        st.sampled_from([["true"], ["false"]]),
    ),
    st.tuples(
        st.sampled_from(
            [
                "NumericLessThan",
                "NumericGreaterThanEquals",
                "NumericNotEquals",
                "NumericEqualsIfExists",
            ]
        ),
        st.just("x:n"),
        st.lists(st.sampled_from(["3", "5", "5.0"]), min_size=1, max_size=2),
    ),
    st.tuples(
        st.sampled_from(["IpAddress", "NotIpAddress"]),
        st.just("aws:SourceIp"),
        st.lists(st.sampled_from(["10.0.0.0/8", "192.168.0.1"]), min_size=1, max_size=2),
    ),
    st.tuples(
        st.just("Null"),
        st.sampled_from(["aws:username", "x:n"]),
        st.sampled_from([["true"], ["false"]]),
    ),
)


@st.composite
def statements(draw: st.DrawFn, sid: str) -> dict[str, Any]:
    statement: dict[str, Any] = {
        "Sid": sid,
        "Effect": draw(st.sampled_from(["Allow", "Allow", "Deny"])),
    }
    actions = draw(st.lists(action_patterns(), min_size=1, max_size=3))
    resources = draw(st.lists(resource_patterns(), min_size=1, max_size=3))
    statement["NotAction" if draw(st.integers(0, 4)) == 0 else "Action"] = (
        actions if len(actions) > 1 else actions[0]
    )
    statement["NotResource" if draw(st.integers(0, 4)) == 0 else "Resource"] = (
        resources if len(resources) > 1 else resources[0]
    )
    condition: dict[str, dict[str, list[str]]] = {}
    for operator, key, values in draw(st.lists(CONDITIONS, max_size=2)):
        condition.setdefault(operator, {})[key] = values
    if condition:
        statement["Condition"] = condition
    return statement


@st.composite
def policies(draw: st.DrawFn) -> list[tuple[str, dict[str, Any]]]:
    out = []
    for p in range(draw(st.integers(1, 3))):
        version = draw(st.sampled_from(["2012-10-17", "2012-10-17", "2008-10-17"]))
        body = [draw(statements(f"S{i}")) for i in range(draw(st.integers(1, 4)))]
        out.append((f"policy{p}", {"Version": version, "Statement": body}))
    return out


def _case(draw: st.DrawFn, key: str) -> str:
    return draw(st.sampled_from([key, key.lower(), key.upper()]))


@st.composite
def contexts(draw: st.DrawFn) -> dict[str, tuple[str, ...]]:
    choices: dict[str, st.SearchStrategy[tuple[str, ...]]] = {
        "aws:username": st.sampled_from(["bob", "al", "b*", "Bob"]).map(lambda v: (v,)),
        "aws:TagKeys": st.lists(st.sampled_from(["bob", "al", "x"]), max_size=3).map(tuple),
        "aws:SecureTransport": st.sampled_from(["true", "false"]).map(lambda v: (v,)),
        "x:n": st.sampled_from(["3", "5", "7", "n/a"]).map(lambda v: (v,)),
        "aws:SourceIp": st.sampled_from(["10.1.1.1", "192.168.0.1", "2001:db8::1"]).map(
            lambda v: (v,)
        ),
    }
    return {_case(draw, k): draw(v) for k, v in choices.items() if draw(st.booleans())}


# --- the reference evaluator ----------------------------------------------------------------

Chars = tuple[tuple[str, bool], ...]  # (character, is a wildcard)
NEGATED = {"StringNotEquals", "StringNotLike", "NumericNotEquals", "NotIpAddress"}


def _chars(pattern: str, context: dict[str, tuple[str, ...]], variables: bool) -> Chars | None:
    """The pattern as characters, variables substituted as literals; None if unresolvable."""
    out: list[tuple[str, bool]] = []
    i = 0
    while i < len(pattern):
        if variables and pattern.startswith("${", i) and "}" in pattern[i:]:
            end = pattern.index("}", i)
            name = pattern[i + 2 : end]
            if name in ("*", "?", "$"):
                out.append((name, False))
            else:
                values = context.get(name.lower())
                if values is None or len(values) != 1:
                    return None
                out.extend((c, False) for c in values[0])
            i = end + 1
            continue
        out.append((pattern[i], pattern[i] in "*?"))
        i += 1
    return tuple(out)


def _glob(pattern: Chars, text: str, *, segments: bool, fold: bool) -> bool:
    """Backtracking wildcard match. With ``segments``, a ``*`` that is not followed by a literal
    ``:`` (or the end) and every ``?`` refuse to consume a colon."""

    @cache
    def match(i: int, j: int) -> bool:
        if i == len(pattern):
            return j == len(text)
        char, wild = pattern[i]
        if wild and char == "*":
            free = not segments or i + 1 == len(pattern) or pattern[i + 1] == (":", False)
            k = j
            while True:
                if match(i + 1, k):
                    return True
                if k == len(text) or (not free and text[k] == ":"):
                    return False
                k += 1
        if j == len(text):
            return False
        if wild:
            return not (segments and text[j] == ":") and match(i + 1, j + 1)
        same = char.lower() == text[j].lower() if fold else char == text[j]
        return same and match(i + 1, j + 1)

    return match(0, 0)


def _as_list(value: Any) -> list[str]:
    return value if isinstance(value, list) else [value]


def _one(
    base: str, request: str, policy: str, context: dict[str, tuple[str, ...]], variables: bool
) -> bool | None:
    """Does one request value match one policy value under the *positive* form of ``base``?"""
    if base.startswith("String"):
        chars = _chars(policy, context, variables)
        if chars is None:
            return None
        literal = "".join(c for c, _ in chars)
        if base in ("StringLike", "StringNotLike"):
            return _glob(chars, request, segments=False, fold=False)
        if base == "StringEqualsIgnoreCase":
            return request.lower() == literal.lower()
        return request == literal
    if base == "Bool":
        return request.lower() == policy.lower()
    if base.startswith("Numeric"):
        try:
            a, b = float(request), float(policy)
        except ValueError:
            return False
        ops = {"NumericLessThan": a < b, "NumericGreaterThanEquals": a >= b}
        return ops.get(base, a == b)
    address = ipaddress.ip_address(request)
    network = ipaddress.ip_network(policy, strict=False)
    return address.version == network.version and address in network


def _condition(
    operator: str, key: str, values: list[str], context: dict[str, tuple[str, ...]], variables: bool
) -> bool:
    qualifier, _, base = operator.rpartition(":")
    if_exists = base.endswith("IfExists")
    base = base.removesuffix("IfExists")
    present = context.get(key.lower(), ())
    if base == "Null":
        return ("true" if not present else "false") in values
    if not present:
        if if_exists or qualifier == "ForAllValues":
            return True
        return False if qualifier == "ForAnyValue" else base in NEGATED
    table = [[_one(base, r, p, context, variables) for p in values] for r in present]
    if any(o is None for row in table for o in row):
        return False
    hits = [any(row) for row in table]
    if base in NEGATED:
        hits_per_value = [not h for h in hits]
        if not qualifier:
            return not any(hits)
    else:
        hits_per_value = hits
        if not qualifier:
            return any(hits)
    return all(hits_per_value) if qualifier == "ForAllValues" else any(hits_per_value)


def _statement_matches(
    statement: dict[str, Any],
    action: str,
    resource: str,
    context: dict[str, tuple[str, ...]],
    variables: bool,
) -> bool:
    negate_action = "NotAction" in statement
    patterns = _as_list(statement.get("NotAction", statement.get("Action")))
    hit = any(
        _glob(tuple((c, c in "*?") for c in p), action, segments=False, fold=True) for p in patterns
    )
    if hit == negate_action:
        return False
    negate_resource = "NotResource" in statement
    resolved = [
        _chars(p, context, variables)
        for p in _as_list(statement.get("NotResource", statement.get("Resource")))
    ]
    if negate_resource and any(r is None for r in resolved):
        return False
    hit = any(r is not None and _glob(r, resource, segments=True, fold=False) for r in resolved)
    if hit == negate_resource:
        return False
    for operator, block in statement.get("Condition", {}).items():
        for key, values in block.items():
            if not _condition(operator, key, values, context, variables):
                return False
    return True


def reference(
    policy_set: list[tuple[str, dict[str, Any]]],
    action: str,
    resource: str,
    context: dict[str, tuple[str, ...]],
) -> tuple[Decision, set[tuple[str, str]]]:
    lowered = {k.lower(): v for k, v in context.items()}
    matched: dict[str, set[tuple[str, str]]] = {"Allow": set(), "Deny": set()}
    for name, document in policy_set:
        variables = document["Version"] == "2012-10-17"
        for statement in document["Statement"]:
            if _statement_matches(statement, action, resource, lowered, variables):
                matched[statement["Effect"]].add((name, statement["Sid"]))
    if matched["Deny"]:
        return Decision.EXPLICIT_DENY, matched["Deny"]
    if matched["Allow"]:
        return Decision.ALLOW, matched["Allow"]
    return Decision.IMPLICIT_DENY, set()


# --- properties -----------------------------------------------------------------------------

REQUESTS = st.lists(
    st.tuples(
        st.sampled_from(ACTIONS).map(lambda a: a.swapcase() if len(a) % 3 == 0 else a),
        st.sampled_from(RESOURCES),
        contexts(),
    ),
    min_size=1,
    max_size=6,
)


@SETTINGS
@given(policy_set=policies(), requests=REQUESTS)
def test_engine_agrees_with_the_reference(
    policy_set: list[tuple[str, dict[str, Any]]],
    requests: list[tuple[str, str, dict[str, tuple[str, ...]]]],
) -> None:
    compiled = compile_policies([
        NamedPolicy(name, parse_policy_document(json.dumps(doc), kind=PolicyKind.IDENTITY)) for name, doc in policy_set
    ])  # fmt: skip
    for _ in range(2):  # the second pass is answered from the memos
        for action, resource, context in requests:
            got = compiled.evaluate(AccessRequest(action, resource, context))
            expected, deciders = reference(policy_set, action, resource, context)
            assert not (got.decision is Decision.ALLOW and expected is not Decision.ALLOW)
            assert got.decision is expected, (action, resource, context)
            if expected is not Decision.IMPLICIT_DENY:
                assert (got.policy, got.sid) in deciders
            else:
                assert (got.policy, got.sid) == (None, None)


@SETTINGS
@given(
    pattern=resource_patterns(),
    resource=st.sampled_from(RESOURCES),
    username=st.sampled_from(["bob", "al", "*", "x:y"]),
)
def test_resource_wildcards_agree_with_the_backtracking_matcher(
    pattern: str, resource: str, username: str
) -> None:
    from dockyard.domain.policy.patterns import Dialect, Pattern

    context = {"aws:username": (username,)}
    chars = _chars(pattern, context, True)
    assert chars is not None
    got = Pattern(pattern, dialect=Dialect.RESOURCE, variables=True).matches(resource, context)
    assert got is _glob(chars, resource, segments=True, fold=False)
