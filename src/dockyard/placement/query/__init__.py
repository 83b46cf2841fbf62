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
from collections.abc import Sequence

from lark import Lark, Token, Transformer, UnexpectedEOF, UnexpectedInput
from lark.exceptions import VisitError

from dockyard.placement.query.model import (
    MAX_EXPRESSION_LENGTH,
    Predicate,
    Query,
    QueryError,
    QueryTarget,
)
from dockyard.placement.query.predicates import build_predicate

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "Query",
    "QueryError",
    "QueryTarget",
    "compile_cached",
    "compile_expression",
]

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
        return build_predicate(name, op, literals, position)

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
