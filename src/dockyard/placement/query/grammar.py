"""The lark grammar of the cluster query language (ecs-reference §2.2). Pure data.

Kept as a Python string rather than a ``.lark`` file so that importing the package reads no
file. The parser is LALR(1) with lark's contextual lexer: each parser state lexes only the
terminals it can accept, so ``and`` is a keyword between predicates yet an ordinary value
after ``==``, and ``service:production`` is a value, not a subject, in argument position.

Precedence: ``not`` / ``!`` binds tightest, then ``and`` / ``&&``, then ``or`` / ``||``.
Keywords and operator words are case-insensitive; values and attribute names are not.
"""

from __future__ import annotations

__all__ = ["GRAMMAR", "OPERATORS"]

GRAMMAR = r"""
start: or_expr
?or_expr: and_expr (_OR and_expr)*
?and_expr: not_expr (_AND not_expr)*
?not_expr: _NOT not_expr              -> negation
         | "(" or_expr ")"
         | SUBJECT OPERATOR argument  -> binary
         | SUBJECT UNARY              -> unary
?argument: value
         | LSQB value ("," value)* "]" -> values
?value: QUOTED | WORD

_OR.2: /(?i:or)\b/ | "||"
_AND.2: /(?i:and)\b/ | "&&"
_NOT.2: /(?i:not)\b/ | "!"
UNARY.3: /(?i:!exists|not_exists|exists)\b/
OPERATOR.2: "==" | "!=" | ">=" | "<=" | ">" | "<" | "=~" | "!~"
          | /(?i:!in|not_in|in)\b/
          | /(?i:equals|not_equals|greater_than_equal|greater_than)\b/
          | /(?i:less_than_equal|less_than|not_matches|matches)\b/
SUBJECT: /[A-Za-z][A-Za-z0-9_.\-]*(:[A-Za-z0-9_.\/\-]+)?/
QUOTED: /'[^']*'/ | /"[^"]*"/
WORD: /[A-Za-z0-9_.\-:\/*@+]+/
LSQB: "["

%import common.WS
%ignore WS
"""
"""Unquoted values take letters, digits and ``. - _ : / * @ +`` (``+`` for time offsets);
anything else (spaces, parentheses, ``|``, ``\\``, ``^``, ``$`` in a regex) needs quotes.
A quoted value runs to the next quote of the same kind; there are no escapes."""

OPERATORS = {
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
    "exists": "exists",
    "!exists": "not_exists",
    "not_exists": "not_exists",
}
"""Every operator spelling (lower-cased) → its canonical form."""
