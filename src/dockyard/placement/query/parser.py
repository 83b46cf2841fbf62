"""Text → syntax tree (:mod:`.nodes`), or a :class:`QueryError` naming the position. Pure.

Lark (LALR, contextual lexer) does the parsing; this module checks each subject as it is
read (so ``instanceId == x and ...`` is refused at the subject, before anything after it),
turns lark's tree into :mod:`.nodes` values, and turns lark's errors into messages that say
what was expected where::

    "attribute:stack prod"  → position 16: unexpected 'prod': expected an operator after
                              'attribute:stack'
"""

from __future__ import annotations

import re

from lark import Lark, Token, Tree, UnexpectedInput, UnexpectedToken

from dockyard.placement.query.grammar import GRAMMAR, OPERATORS
from dockyard.placement.query.model import MAX_EXPRESSION_LENGTH, QueryError
from dockyard.placement.query.nodes import (
    Comparison,
    Conjunction,
    Disjunction,
    Negation,
    Node,
)

__all__ = ["SUBJECTS", "parse"]

_PARSER = Lark(GRAMMAR, parser="lalr", lexer="contextual")

SUBJECTS = (
    "agentConnected",
    "agentVersion",
    "attribute:<name>",
    "ec2InstanceId",
    "registeredAt",
    "runningTasksCount",
    "task:group",
)
"""The documented subjects, in the order the ECS guide lists them."""

_CANONICAL = {s.lower(): s for s in SUBJECTS if s != "attribute:<name>"}
_EXPECTED_SUBJECT = "expected a subject (" + ", ".join(SUBJECTS) + ")"
_NOT_A_SUBJECT = {
    "instanceid": "instanceId is a spread field, not a query subject; use ec2InstanceId",
    "attribute": "an attribute subject needs a name: attribute:<name>",
}
_LEXEME_AT = re.compile(r"[A-Za-z0-9_.\-:/*@+!=<>~&|]{1,30}|\S")


def parse(text: str) -> Node:
    """Parse ``text`` into a syntax tree; raises :class:`QueryError` on any malformed input."""
    if len(text) > MAX_EXPRESSION_LENGTH:
        raise QueryError(
            f"an expression is at most {MAX_EXPRESSION_LENGTH} characters, "
            f"this one has {len(text)}",
            MAX_EXPRESSION_LENGTH,
        )
    if not text.strip():
        raise QueryError("the expression is empty", 0)
    interactive = _PARSER.parse_interactive(text)
    try:
        for token in interactive.iter_parse():
            if token.type == "SUBJECT":
                _subject(token)
        tree = interactive.resume_parse()  # type: ignore[no-untyped-call]  # lark leaves it bare
    except UnexpectedInput as exc:
        raise _syntax_error(text, exc) from None
    return _node(tree.children[0])


def _subject(token: Token) -> str:
    """The canonical spelling of a subject token, or a :class:`QueryError` at it."""
    head, sep, name = str(token).partition(":")
    if sep and head.lower() == "attribute":
        return f"attribute:{name}"
    canonical = _CANONICAL.get(str(token).lower())
    if canonical is not None:
        return canonical
    hint = _NOT_A_SUBJECT.get(str(token).lower())
    message = f"{_EXPECTED_SUBJECT}, found {str(token)!r}" + (f"; {hint}" if hint else "")
    raise QueryError(message, _at(token))


def _node(tree: Tree[Token] | Token) -> Node:
    assert isinstance(tree, Tree), tree
    kind = tree.data
    if kind == "or_expr":
        return Disjunction(tuple(_node(child) for child in tree.children))
    if kind == "and_expr":
        return Conjunction(tuple(_node(child) for child in tree.children))
    if kind == "negation":
        return Negation(_node(tree.children[0]))
    if kind == "unary":
        subject, operator = tree.children
        assert isinstance(subject, Token) and isinstance(operator, Token)
        return _comparison(subject, operator, (), is_list=False, argument_at=_at(operator))
    assert kind == "binary", kind
    subject, operator, argument = tree.children
    assert isinstance(subject, Token) and isinstance(operator, Token)
    if isinstance(argument, Tree):
        bracket, *tokens = [t for t in argument.children if isinstance(t, Token)]
        values = tuple(map(_literal, tokens))
        return _comparison(subject, operator, values, is_list=True, argument_at=_at(bracket))
    assert isinstance(argument, Token)
    values = (_literal(argument),)
    return _comparison(subject, operator, values, is_list=False, argument_at=_at(argument))


def _comparison(
    subject: Token, operator: Token, values: tuple[str, ...], *, is_list: bool, argument_at: int
) -> Comparison:
    return Comparison(
        subject=_subject(subject),
        operator=OPERATORS[str(operator).lower()],
        operator_text=str(operator),
        values=values,
        is_list=is_list,
        subject_at=_at(subject),
        operator_at=_at(operator),
        argument_at=argument_at,
    )


def _literal(token: Token) -> str:
    text = str(token)
    return text[1:-1] if token.type == "QUOTED" else text


def _at(token: Token) -> int:
    return token.start_pos if token.start_pos is not None else 0


# --- errors ------------------------------------------------------------------------------


def _syntax_error(text: str, exc: UnexpectedInput) -> QueryError:
    """Map lark's error to a message naming what was expected, at the offending position."""
    if isinstance(exc, UnexpectedToken) and exc.token.type == "$END":
        position = len(text.rstrip())
        expected = _expected(text, position, exc.expected)
        return QueryError(f"the expression ends too early: {expected}", position)
    if isinstance(exc, UnexpectedToken):
        position, allowed = _at(exc.token), exc.expected
    else:  # UnexpectedCharacters: LALR raises no other kind
        position, allowed = int(getattr(exc, "pos_in_stream", 0)), getattr(exc, "allowed", set())
    found = text[position]
    if found in "'\"" and text.find(found, position + 1) < 0:
        return QueryError(f"unterminated quoted string starting {found}", position)
    if found == "(" and "WORD" in allowed:
        return QueryError("an argument list takes square brackets: [a, b]", position)
    lexeme = _LEXEME_AT.match(text, position)
    shown = lexeme.group(0) if lexeme else found
    return QueryError(f"unexpected {shown!r}: {_expected(text, position, allowed)}", position)


def _expected(text: str, position: int, allowed: set[str] | frozenset[str]) -> str:
    before = text[:position].rstrip()
    previous = before[-1] if before.endswith(("[", ",", "(")) else "".join(before.split()[-1:])
    if "SUBJECT" in allowed:
        return _EXPECTED_SUBJECT
    if "OPERATOR" in allowed:
        return f"expected an operator after {previous!r}"
    if "WORD" in allowed:
        return f"expected a value after {previous!r}"
    if _open(before, "[", "]"):
        return "expected ',' or ']' to continue the list"
    if _open(before, "(", ")"):
        return "expected and, or or ')'"
    return "expected and, or or the end of the expression"


def _open(before: str, opening: str, closing: str) -> bool:
    """Whether ``before`` leaves an ``opening`` bracket unclosed (outside quotes)."""
    unquoted = re.sub(r"'[^']*'|\"[^\"]*\"", "", before)
    return unquoted.count(opening) > unquoted.count(closing)
