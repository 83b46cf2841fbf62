"""The ECS cluster query language (CQL): compile once, evaluate many times. Pure.

::

    "attribute:ecs.instance-type =~ t2.* and not(task:group == db)"
        │ parser.parse      lark LALR → nodes.Comparison / Negation / Conjunction / Disjunction
        ▼                   (syntax errors → QueryError with the position)
    syntax tree
        │ evaluate.compile_node   type-checks each argument (integers, versions, dates, regexes)
        ▼                         and closes over the parsed values
    Query(text, matcher, subjects) ── matches(target) ─▶ bool

Public surface: :class:`QueryTarget` (what an expression reads; the placement engine's
``InstanceSnapshot``), :func:`compile_expression`, :func:`compile_cached`, :class:`Query`,
:class:`QueryError` (an ``InvalidParameterException`` whose ``position`` is 0-based).

Semantics and where Dockyard decides what ECS does not say: ``README.md`` in this package.
"""

from __future__ import annotations

import functools

from dockyard.placement.query.evaluate import compile_node, subjects
from dockyard.placement.query.model import (
    MAX_EXPRESSION_LENGTH,
    Query,
    QueryError,
    QueryTarget,
)
from dockyard.placement.query.parser import parse

__all__ = [
    "MAX_EXPRESSION_LENGTH",
    "Query",
    "QueryError",
    "QueryTarget",
    "compile_cached",
    "compile_expression",
]

COMPILE_CACHE_SIZE = 1024
"""Distinct expressions remembered by :func:`compile_cached`: far more than a cluster's
services and task definitions use, small enough (a few KB each) not to matter."""


def compile_expression(text: str) -> Query:
    """Parse and type-check ``text`` (at most 2,000 characters).

    Raises :class:`QueryError` naming the 0-based position of the first problem.
    """
    tree = parse(text)
    return Query(text, compile_node(tree), subjects(tree))


@functools.lru_cache(maxsize=COMPILE_CACHE_SIZE)
def compile_cached(text: str) -> Query:
    """:func:`compile_expression`, remembered (RunTask compiles the same expressions often).

    A malformed expression is not remembered: it raises again, each time."""
    return compile_expression(text)
