"""The syntax tree of an expression, between the parser and the evaluator. Pure values.

Operators are stored canonically (``==``, ``!=``, ``>``, ``>=``, ``<``, ``<=``, ``in``,
``not_in``, ``=~``, ``!~``, ``exists``, ``not_exists``) and subjects in their documented
spelling (``agentConnected``, ``attribute:<name>`` ...), whatever case the text used.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Comparison", "Conjunction", "Disjunction", "Negation", "Node"]


@dataclass(frozen=True, slots=True)
class Comparison:
    """``subject operator [argument]``. ``values`` is empty for ``exists`` / ``not_exists``;
    ``is_list`` says the argument was written ``[a, b]``. The ``*_at`` fields are 0-based
    offsets into the expression, for error messages."""

    subject: str
    operator: str
    operator_text: str
    values: tuple[str, ...]
    is_list: bool
    subject_at: int
    operator_at: int
    argument_at: int


@dataclass(frozen=True, slots=True)
class Negation:
    operand: Node


@dataclass(frozen=True, slots=True)
class Conjunction:
    operands: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Disjunction:
    operands: tuple[Node, ...]


Node = Comparison | Negation | Conjunction | Disjunction
