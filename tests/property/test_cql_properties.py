"""Properties of the cluster query language (Hypothesis), on generated instances.

* ``not(e)`` matches exactly when ``e`` does not; ``e1 and e2`` when both do; ``e1 or e2``
  when either does — whatever the spelling (``not`` / ``!``, ``and`` / ``&&``, ``or`` / ``||``);
* precedence: ``a or b and c`` is ``a or (b and c)``, ``not a and b`` is ``(not a) and b``;
* every negative operator is the complement of its positive one, even for missing values;
* ``s in [a, b]`` is ``s == a or s == b``;
* any text either compiles or raises ``QueryError`` with a position inside it.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st
from tests.unit.placement.query.query_support import Target

from dockyard.placement.query import QueryError, compile_expression

VALUES = ["a", "b", "c"]
NAMES = ["x", "y"]
GROUPS = ["service:web", "family:db", "g"]
EPOCH = datetime(2020, 1, 1, tzinfo=UTC)


@st.composite
def targets(draw: st.DrawFn) -> Target:
    attributes = draw(st.dictionaries(st.sampled_from(NAMES), st.none() | st.sampled_from(VALUES)))
    return Target(
        ec2_instance_id=draw(st.sampled_from(["i-1", "i-2", "i-3"])),
        attributes=attributes,
        agent_connected=draw(st.booleans()),
        agent_version=draw(st.none() | st.sampled_from(["1.9.0", "1.14.5", "1.14.10", "2.0"])),
        registered_at=draw(st.none() | st.integers(0, 4).map(lambda d: EPOCH + timedelta(days=d))),
        running_tasks_count=draw(st.integers(0, 4)),
        task_groups=frozenset(draw(st.sets(st.sampled_from(GROUPS)))),
    )


def _list(values: list[str]) -> str:
    return "[" + ", ".join(values) + "]"


STRING_SUBJECTS = st.sampled_from([*(f"attribute:{n}" for n in NAMES), "task:group", "ec2InstanceId"])
STRING_VALUES = st.sampled_from([*VALUES, *GROUPS, "i-1", "i-2"])


@st.composite
def string_predicates(draw: st.DrawFn) -> str:
    subject, value = draw(STRING_SUBJECTS), draw(STRING_VALUES)
    operator = draw(st.sampled_from(["==", "!=", "in", "not_in", "=~", "!~"]))
    if operator in ("in", "not_in"):
        return f"{subject} {operator} {_list(draw(st.lists(STRING_VALUES, min_size=1, max_size=3)))}"
    if operator in ("=~", "!~"):
        value = draw(st.sampled_from([".*", "i-.*", "service:.*", "[ab]", value]))
    return f"{subject} {operator} '{value}'"


@st.composite
def ordered_predicates(draw: st.DrawFn) -> str:
    operator = draw(st.sampled_from(["==", "!=", ">", ">=", "<", "<="]))
    subject, argument = draw(
        st.sampled_from([
            ("runningTasksCount", st.integers(0, 4).map(str)),
            ("agentVersion", st.sampled_from(["1.9", "1.14.5", "1.14.10", "2"])),
            ("registeredAt", st.integers(0, 4).map(lambda d: (EPOCH + timedelta(days=d)).date().isoformat())),
        ])
    )
    return f"{subject} {operator} {draw(argument)}"


PREDICATES = st.one_of(
    string_predicates(),
    ordered_predicates(),
    st.sampled_from(NAMES).flatmap(lambda n: st.sampled_from([f"attribute:{n} exists", f"attribute:{n} !exists"])),
    st.sampled_from(["agentConnected == true", "agentConnected != false", "agentConnected in [false]"]),
)


def expressions(depth: int = 2) -> st.SearchStrategy[str]:
    """Predicates combined by and / or / not, always parenthesised (so the text is unambiguous)."""
    return st.recursive(
        PREDICATES,
        lambda inner: st.one_of(
            inner.map(lambda e: f"not({e})"),
            st.tuples(inner, st.sampled_from(["and", "or", "&&", "||"]), inner).map(lambda t: f"({t[0]}) {t[1]} ({t[2]})"),
        ),
        max_leaves=4,
    )


def holds(expression: str, target: Target) -> bool:
    return compile_expression(expression).matches(target)


@given(expressions(), targets())
def test_not_is_the_complement(e: str, target: Target) -> None:
    expected = not holds(e, target)
    assert holds(f"not({e})", target) is expected
    assert holds(f"!({e})", target) is expected
    assert holds(f"NOT ({e})", target) is expected


@given(expressions(), expressions(), targets())
def test_and_or_are_conjunction_and_disjunction(e1: str, e2: str, target: Target) -> None:
    v1, v2 = holds(e1, target), holds(e2, target)
    for conjunction in ("and", "&&", "AND"):
        assert holds(f"({e1}) {conjunction} ({e2})", target) is (v1 and v2)
    for disjunction in ("or", "||", "Or"):
        assert holds(f"({e1}) {disjunction} ({e2})", target) is (v1 or v2)


@given(PREDICATES, PREDICATES, PREDICATES, targets())
def test_precedence_is_not_then_and_then_or(a: str, b: str, c: str, target: Target) -> None:
    va, vb, vc = holds(a, target), holds(b, target), holds(c, target)
    assert holds(f"{a} or {b} and {c}", target) is (va or (vb and vc))
    assert holds(f"{a} and {b} or {c}", target) is ((va and vb) or vc)
    assert holds(f"not {a} and {b}", target) is ((not va) and vb)


PAIRS = [("!=", "=="), ("not_equals", "equals"), ("not_in", "in"), ("!in", "in"), ("!~", "=~"),
         ("not_matches", "matches")]


@given(STRING_SUBJECTS, STRING_VALUES, st.sampled_from(PAIRS), targets())
def test_negative_operators_complement_positive_ones(
    subject: str, value: str, pair: tuple[str, str], target: Target
) -> None:
    negative, positive = pair
    argument = f"[{value}]" if positive == "in" else value
    expected = not holds(f"{subject} {positive} {argument}", target)
    assert holds(f"{subject} {negative} {argument}", target) is expected


@given(st.sampled_from(NAMES), targets())
def test_not_exists_complements_exists(name: str, target: Target) -> None:
    assert holds(f"attribute:{name} !exists", target) is (not holds(f"attribute:{name} exists", target))
    assert holds(f"attribute:{name} exists", target) is (name in target.attributes)


@given(STRING_SUBJECTS, st.lists(STRING_VALUES, min_size=1, max_size=4), targets())
def test_in_is_a_disjunction_of_equalities(subject: str, values: list[str], target: Target) -> None:
    disjunction = " or ".join(f"{subject} == '{v}'" for v in values)
    assert holds(f"{subject} in {_list(values)}", target) is holds(disjunction, target)


CQL_ALPHABET = st.sampled_from(
    [*"abcxyz019.-_:/*@+ []()',!=<>~&|\"%", "attribute:x", "task:group", "runningTasksCount", " and ", " or ",
     "not", " in ", "==", "exists", "=~"]
)


@given(st.lists(CQL_ALPHABET, max_size=12).map("".join) | st.text(max_size=40))
def test_any_text_compiles_or_raises_a_positioned_query_error(text: str) -> None:
    try:
        query = compile_expression(text)
    except QueryError as error:
        assert 0 <= error.position <= len(text)
        assert error.message.startswith(f"Invalid query expression at position {error.position}: ")
    else:
        assert isinstance(query.matches(Target()), bool)
