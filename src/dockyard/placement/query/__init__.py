"""The ECS cluster query language (CQL): parse once with lark, evaluate many times. Pure.

::

    compile_expression("attribute:ecs.instance-type =~ t2.* and not(task:group == db)")
        ──lark (LALR) parse──▶ tree ──_Builder──▶ closure tree ──▶ Query.matches(target)

Grammar (ecs-reference §2.2): ``or`` / ``||`` < ``and`` / ``&&`` < ``not`` / ``!``, parentheses
group compound expressions; a predicate is ``subject operator [argument]``. Subjects:
``attribute:<name>``, ``agentConnected``, ``agentVersion``, ``ec2InstanceId``, ``registeredAt``,
``runningTasksCount``, ``task:group``. Keywords and operator words are case-insensitive.

Decisions where ECS does not say:

- A **missing attribute** fails every comparison except the negative ones (``!=``,
  ``not_in``, ``!~``), which it satisfies; ``exists`` / ``!exists`` test presence.
- ``=~`` / ``!~`` use Python's ``re`` with full-match semantics (Java's ``matches()``); the
  Java-only syntax (possessive quantifiers...) is not supported.
- ``task:group`` compares against each group of the instance's running tasks: ``==`` / ``in``
  / ``=~`` hold when *some* group matches, their negations when *none* does.
- ``agentVersion`` compares dotted versions numerically (1.9.0 < 1.14.5); ``registeredAt``
  compares instants (a date alone is midnight UTC; no offset means UTC).
"""

from __future__ import annotations

import functools
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Protocol

from lark import Lark, Token, Transformer, UnexpectedEOF, UnexpectedInput
from lark.exceptions import VisitError

from dockyard.domain.errors import InvalidParameterException

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "Query",
    "QueryError",
    "QueryTarget",
    "compile_cached",
    "compile_expression",
]

MAX_EXPRESSION_LENGTH = 2000
"""ECS: a constraint expression is at most 2,000 characters."""


class QueryTarget(Protocol):
    """What an expression looks at (the placement engine's ``InstanceSnapshot``)."""

    @property
    def instance_id(self) -> str: ...
    @property
    def ec2_instance_id(self) -> str: ...
    @property
    def attributes(self) -> Mapping[str, str | None]: ...
    @property
    def agent_connected(self) -> bool: ...
    @property
    def agent_version(self) -> str | None: ...
    @property
    def registered_at(self) -> datetime | None: ...
    @property
    def running_tasks_count(self) -> int: ...
    @property
    def task_groups(self) -> frozenset[str]: ...


class QueryError(InvalidParameterException):
    """A malformed expression; ``position`` is the 0-based offset of the problem."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"Invalid query expression at position {position}: {message}")
        self.position = position


Predicate = Callable[[QueryTarget], bool]


@dataclass(frozen=True, slots=True, eq=False)
class Query:
    """A compiled expression."""

    text: str
    _predicate: Predicate
    _subjects: frozenset[str]

    def matches(self, target: QueryTarget) -> bool:
        return self._predicate(target)

    def subjects(self) -> frozenset[str]:
        return self._subjects


_GRAMMAR = r"""
?start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr -> negation
         | "(" or_expr ")"
         | predicate
predicate: SUBJECT OPERATOR argument   -> binary
         | SUBJECT UNARY               -> unary
argument: value | values
values: "[" value ("," value)* "]" | "(" value ("," value)* ")"
?value: QUOTED | WORD
_OR: /(?i:or)\b/ | "||"
_AND: /(?i:and)\b/ | "&&"
_NOT: /(?i:not)\b/ | "!"
UNARY.3: /(?i:!exists|not_exists|exists)\b/
OPERATOR.2: "==" | "!=" | ">=" | "<=" | ">" | "<" | "=~" | "!~" | "!in"
          | /(?i:equals|not_equals|greater_than_equal|greater_than)\b/
          | /(?i:less_than_equal|less_than|not_in|in|matches|not_matches)\b/
SUBJECT.1: /(?i:attribute):[A-Za-z0-9_.\/\-]+/
         | /(?i:task:group|agentConnected|agentVersion|ec2InstanceId)\b/
         | /(?i:registeredAt|runningTasksCount)\b/
QUOTED: /'[^']*'/ | /"[^"]*"/
WORD: /[A-Za-z0-9_.\-:\/*@+]+/
%import common.WS
%ignore WS
"""

_PARSER = Lark(_GRAMMAR, parser="lalr", propagate_positions=True, maybe_placeholders=False)

_OPERATORS = {
    "==": "==",
    "equals": "==",
    "!=": "!=",
    "not_equals": "!=",
    ">": ">",
    "greater_than": ">",
    ">=": ">=",
    "greater_than_equal": ">=",
    "<": "<",
    "less_than": "<",
    "<=": "<=",
    "less_than_equal": "<=",
    "in": "in",
    "!in": "not_in",
    "not_in": "not_in",
    "=~": "=~",
    "matches": "=~",
    "!~": "!~",
    "not_matches": "!~",
}
_NEGATIVE = frozenset({"!=", "not_in", "!~"})
_ORDERED = frozenset({">", ">=", "<", "<="})


def compile_expression(text: str) -> Query:
    """Compile ``text``; raises :class:`QueryError` naming the position of the problem."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise QueryError(
            f"expressions are at most {MAX_EXPRESSION_LENGTH} characters", MAX_EXPRESSION_LENGTH
        )
    if not text.strip():
        raise QueryError("the expression is empty", 0)
    try:
        tree = _PARSER.parse(text)
    except UnexpectedEOF:
        raise QueryError("the expression ends too early", len(text)) from None
    except UnexpectedInput as exc:
        token = getattr(exc, "token", None)
        if token is not None and getattr(token, "type", "") == "$END":
            raise QueryError("the expression ends too early", len(text)) from None
        position = getattr(exc, "pos_in_stream", None)
        position = position if isinstance(position, int) and position >= 0 else _offset(text, exc)
        raise QueryError(_describe(text, position), position) from None
    builder = _Builder()
    try:
        predicate = builder.transform(tree)
    except VisitError as exc:
        if isinstance(exc.orig_exc, QueryError):
            raise exc.orig_exc from None
        raise
    return Query(text, predicate, frozenset(builder.subjects))


@functools.lru_cache(maxsize=1024)
def compile_cached(text: str) -> Query:
    """:func:`compile_expression`, remembered (RunTask compiles the same expressions often)."""
    return compile_expression(text)


def _offset(text: str, exc: UnexpectedInput) -> int:
    line, column = getattr(exc, "line", 1) or 1, getattr(exc, "column", 1) or 1
    lines = text.split("\n")
    return sum(len(x) + 1 for x in lines[: line - 1]) + column - 1


def _describe(text: str, position: int) -> str:
    if position >= len(text.rstrip()):
        return "the expression ends too early"
    snippet = text[position : position + 20]
    if position == 0 or text[:position].rstrip().endswith(("(", "and", "or", "&&", "||", "!")):
        return f"expected a subject such as attribute:<name>, found {snippet!r}"
    return f"unexpected input {snippet!r}"


class _Builder(Transformer[Token, Predicate]):
    """Turns the parse tree into a tree of closures (compiled once, evaluated often)."""

    def __init__(self) -> None:
        super().__init__()
        self.subjects: set[str] = set()

    def or_expr(self, items: list[Predicate]) -> Predicate:
        return lambda t: any(p(t) for p in items)

    def and_expr(self, items: list[Predicate]) -> Predicate:
        return lambda t: all(p(t) for p in items)

    def negation(self, items: list[Predicate]) -> Predicate:
        (inner,) = items
        return lambda t: not inner(t)

    def argument(self, items: list[object]) -> object:
        return items[0]

    def values(self, items: Sequence[Token]) -> tuple[Token, ...]:
        return tuple(items)

    def unary(self, items: list[Token]) -> Predicate:
        subject, op = items
        name = self._subject(subject)
        wants = op.lower() == "exists"
        if not name.startswith("attribute:"):
            raise QueryError(f"{op} applies to attribute:<name> subjects only", op.start_pos or 0)
        key = name.split(":", 1)[1]
        return lambda t: (key in t.attributes) is wants

    def binary(self, items: list[object]) -> Predicate:
        subject, op_token, argument = items
        assert isinstance(subject, Token) and isinstance(op_token, Token)
        name = self._subject(subject)
        op = _OPERATORS[op_token.lower()]
        values = argument if isinstance(argument, tuple) else (argument,)
        if isinstance(argument, tuple) and op not in ("in", "not_in"):
            raise QueryError(f"a list needs in / not_in, not {op_token}", op_token.start_pos or 0)
        if op in ("in", "not_in") and not isinstance(argument, tuple):
            values = (argument,)
        literals = [_literal(v) for v in values]
        position = values[0].start_pos or 0 if isinstance(values[0], Token) else 0
        return _predicate(name, op, literals, position)

    def _subject(self, token: Token) -> str:
        text = str(token)
        head, sep, rest = text.partition(":")
        name = (
            f"attribute:{rest}" if head.lower() == "attribute" and sep else _CANONICAL[text.lower()]
        )
        self.subjects.add(name)
        return name


_CANONICAL = {
    s.lower(): s
    for s in (
        "task:group",
        "agentConnected",
        "agentVersion",
        "ec2InstanceId",
        "registeredAt",
        "runningTasksCount",
    )
}


def _literal(token: object) -> str:
    text = str(token)
    if len(text) >= 2 and text[0] == text[-1] and text[0] in "'\"":
        return text[1:-1]
    return text


def _predicate(name: str, op: str, values: list[str], position: int) -> Predicate:
    if name.startswith("attribute:"):
        key = name[len("attribute:") :]

        def attribute(t: QueryTarget) -> object:
            return t.attributes.get(key) if key in t.attributes else _MISSING

        return _string_predicate(attribute, op, values, position, name)
    if name == "task:group":
        return _group_predicate(op, values, position)
    if name == "runningTasksCount":
        return _ordered(
            lambda t: t.running_tasks_count, op, [_int(v, position) for v in values], position, name
        )
    if name == "agentVersion":
        return _ordered(
            lambda t: _version(t.agent_version or "") if t.agent_version else None,
            op,
            [_version(v) for v in values],
            position,
            name,
        )
    if name == "registeredAt":
        return _ordered(
            lambda t: t.registered_at, op, [_instant(v, position) for v in values], position, name
        )
    if name == "agentConnected":
        flags = [_bool(v, position) for v in values]
        if op in _ORDERED:
            raise QueryError(f"{op} does not apply to agentConnected", position)
        return _string_predicate(
            lambda t: "true" if t.agent_connected else "false",
            op,
            ["true" if f else "false" for f in flags],
            position,
            name,
        )
    if op in _ORDERED:
        raise QueryError(f"{op} does not apply to {name}", position)
    return _string_predicate(lambda t: t.ec2_instance_id, op, values, position, name)


class _Missing:
    pass


_MISSING = _Missing()


def _string_predicate(
    get: Callable[[QueryTarget], object], op: str, values: list[str], position: int, name: str
) -> Predicate:
    if op in _ORDERED:
        raise QueryError(f"{op} does not apply to {name}", position)
    pattern = _regex(values[0], position) if op in ("=~", "!~") else None
    wanted = frozenset(values)

    def positive(value: object) -> bool:
        if not isinstance(value, str):
            return False
        return bool(pattern.fullmatch(value)) if pattern is not None else value in wanted

    if op in _NEGATIVE:
        return lambda t: not positive(get(t))
    return lambda t: positive(get(t))


def _group_predicate(op: str, values: list[str], position: int) -> Predicate:
    if op in _ORDERED:
        raise QueryError(f"{op} does not apply to task:group", position)
    pattern = _regex(values[0], position) if op in ("=~", "!~") else None
    wanted = frozenset(values)

    def some(t: QueryTarget) -> bool:
        if pattern is not None:
            return any(pattern.fullmatch(g) for g in t.task_groups)
        return not wanted.isdisjoint(t.task_groups)

    if op in _NEGATIVE:
        return lambda t: not some(t)
    return some


def _ordered(
    get: Callable[[QueryTarget], object], op: str, values: list[object], position: int, name: str
) -> Predicate:
    if op in ("=~", "!~"):
        raise QueryError(f"{op} does not apply to {name}", position)
    if op in ("in", "not_in"):
        negate = op == "not_in"
        return lambda t: (get(t) in values) is not negate
    fn, bound = _COMPARE[op], values[0]

    def check(t: QueryTarget) -> bool:
        actual = get(t)
        if actual is None:
            return op == "!="
        return fn(actual, bound)

    return check


_COMPARE: dict[str, Callable[[Any, Any], bool]] = {
    "==": operator.eq,
    "!=": operator.ne,
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}


def _regex(text: str, position: int) -> re.Pattern[str]:
    try:
        return re.compile(text)
    except re.error as exc:
        raise QueryError(f"invalid regular expression {text!r}: {exc}", position) from None


def _int(text: str, position: int) -> int:
    if not text.lstrip("-").isdigit():
        raise QueryError(f"runningTasksCount compares with integers, not {text!r}", position)
    return int(text)


def _bool(text: str, position: int) -> bool:
    if text.lower() not in ("true", "false"):
        raise QueryError(f"agentConnected is true or false, not {text!r}", position)
    return text.lower() == "true"


def _version(text: str) -> tuple[int, ...]:
    parts = re.findall(r"\d+", text)
    return tuple(int(p) for p in parts)


def _instant(text: str, position: int) -> datetime:
    value = text.replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise QueryError(
            f"registeredAt compares with dates like 2018-06-18T22:28:28Z, not {text!r}", position
        ) from None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
