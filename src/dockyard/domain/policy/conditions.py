"""Condition operators and their evaluation against a request context (pure).

Semantics, as the IAM documentation states them:

* Several operators in one Condition block, and several keys under one operator, are ANDed.
* Several values for one key are ORed; for a *negated* operator (``StringNotEquals``,
  ``StringNotEqualsIgnoreCase``, ``StringNotLike``, ``NumericNotEquals``, ``DateNotEquals``,
  ``NotIpAddress``, ``ArnNotEquals``, ``ArnNotLike``) they are NORed: the request value must
  match none of them.
* Missing key: "If the key that you specify in a policy condition is not present in the request
  context, the values do not match and the condition is false. If the policy condition requires
  that the key is not matched, such as StringNotLike or ArnNotLike, and the right key is not
  present, the condition is true. This logic applies to all condition operators except
  ...IfExists and Null check." So a positive operator is false and a negated one true.
* ``…IfExists``: "If the key is not present, evaluate the condition element as true."
* ``ForAllValues:`` is true when every request value matches (and when the key is missing or
  empty); ``ForAnyValue:`` when at least one does (false when the key is missing or empty).
  With a negated operator, "matches" means "matches none of the policy values".
* Without a set qualifier a multivalued request key matches when any of its values does
  (a negated operator is the negation of that).
* ``Null``: ``"true"`` matches an absent key, ``"false"`` a present one.
* A key mapped to an empty tuple is absent. A policy value with an unresolvable policy
  variable makes its whole condition false. A policy value that is not a number / date / IP
  for a Numeric / Date / IpAddress operator never matches (nor does such a request value).
"""

from __future__ import annotations

import base64
import binascii
import ipaddress
import operator
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

from dockyard.domain.policy.document import Condition, SetQualifier
from dockyard.domain.policy.patterns import Context, Dialect, Pattern

Compare = Callable[[Any, Any], bool]
_ORDER: dict[str, Compare] = {
    "Equals": operator.eq,
    "NotEquals": operator.eq,  # negated: evaluated as "equals none"
    "LessThan": operator.lt,
    "LessThanEquals": operator.le,
    "GreaterThan": operator.gt,
    "GreaterThanEquals": operator.ge,
}


@dataclass(frozen=True, slots=True)
class OperatorSpec:
    """A bare condition operator: its family, whether it is negated, and its comparison."""

    name: str
    family: str
    negated: bool = False
    compare: str = "Equals"


def _operator_table() -> dict[str, OperatorSpec]:
    specs = [
        OperatorSpec("StringEquals", "string"),
        OperatorSpec("StringNotEquals", "string", negated=True),
        OperatorSpec("StringEqualsIgnoreCase", "string_ic"),
        OperatorSpec("StringNotEqualsIgnoreCase", "string_ic", negated=True),
        OperatorSpec("StringLike", "like"),
        OperatorSpec("StringNotLike", "like", negated=True),
        OperatorSpec("Bool", "bool"),
        OperatorSpec("BinaryEquals", "binary"),
        OperatorSpec("IpAddress", "ip"),
        OperatorSpec("NotIpAddress", "ip", negated=True),
        OperatorSpec("ArnEquals", "arn"),
        OperatorSpec("ArnLike", "arn"),
        OperatorSpec("ArnNotEquals", "arn", negated=True),
        OperatorSpec("ArnNotLike", "arn", negated=True),
        OperatorSpec("Null", "null"),
    ]
    for family in ("Numeric", "Date"):
        for compare in _ORDER:
            specs.append(
                OperatorSpec(family + compare, family.lower(), compare == "NotEquals", compare)
            )
    return {spec.name: spec for spec in specs}


OPERATORS = _operator_table()
"""Bare operator name (case-sensitive, as AWS spells it) → its spec."""


def split_operator(name: str) -> tuple[SetQualifier | None, str, bool] | None:
    """``ForAnyValue:StringLikeIfExists`` → (qualifier, ``StringLike``, if_exists).

    ``None`` for an unknown operator (``Null`` takes neither a set qualifier nor IfExists).
    """
    qualifier = None
    prefix, colon, rest = name.partition(":")
    if colon:
        try:
            qualifier = SetQualifier(prefix)
        except ValueError:
            return None
        name = rest
    if_exists = name.endswith("IfExists") and name != "IfExists"
    base = name[: -len("IfExists")] if if_exists else name
    if base not in OPERATORS or (base == "Null" and (if_exists or qualifier is not None)):
        return None
    return qualifier, base, if_exists


# --- value parsing --------------------------------------------------------------------------
# Request values repeat (the caller's address, the current second), so parses are memoised.
_PARSE_CACHE_SIZE = 1024


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def parse_number(text: str) -> Decimal | None:
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        return None
    return value if value.is_finite() else None


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def parse_date(text: str) -> Decimal | None:
    """ISO 8601 (date, date-time, with or without offset; naive means UTC) or epoch seconds."""
    text = text.strip()
    number = parse_number(text)
    if number is not None:
        return number
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return Decimal(str(moment.timestamp()))


IpNetwork = ipaddress.IPv4Network | ipaddress.IPv6Network
IpAddr = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_network(text: str) -> IpNetwork | None:
    try:
        return ipaddress.ip_network(text.strip(), strict=False)
    except ValueError:
        return None


@lru_cache(maxsize=_PARSE_CACHE_SIZE)
def parse_address(text: str) -> IpAddr | None:
    try:
        address = ipaddress.ip_address(text.strip())
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _binary(text: str) -> bytes | None:
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        return None


# --- compiled values ------------------------------------------------------------------------

ValueTest = Callable[[str, Context], "bool | None"]
"""(request value, context) → does it match one policy value (None: unresolvable variable)."""


def _parsed_test(policy: object, parse: Callable[[str], Any], compare: Compare) -> ValueTest:
    def test(value: str, context: Context) -> bool:
        parsed = parse(value)
        return policy is not None and parsed is not None and compare(parsed, policy)

    return test


def _ip_test(network: IpNetwork | None) -> ValueTest:
    def test(value: str, context: Context) -> bool:
        address = parse_address(value)
        return (
            network is not None
            and address is not None
            and address.version == network.version
            and address in network
        )

    return test


def _value_test(spec: OperatorSpec, value: str, variables: bool) -> ValueTest:
    family = spec.family
    if family in ("string", "string_ic", "like", "arn"):
        pattern = Pattern(
            value,
            dialect=Dialect.ARN if family == "arn" else Dialect.PLAIN,
            wildcards=family in ("like", "arn"),
            variables=variables,
            ignore_case=family == "string_ic",
        )
        return pattern.matches
    if family == "numeric":
        return _parsed_test(parse_number(value), parse_number, _ORDER[spec.compare])
    if family == "date":
        return _parsed_test(parse_date(value), parse_date, _ORDER[spec.compare])
    if family == "bool":
        return _parsed_test(value.lower(), str.lower, operator.eq)
    if family == "binary":
        return _parsed_test(_binary(value), _binary, operator.eq)
    return _ip_test(parse_network(value))


class CompiledCondition:
    """One (operator, key, values) clause, ready to evaluate against a lower-cased context.

    Static ``StringEquals`` / ``StringEqualsIgnoreCase`` values (and their negations) become a
    set lookup; other values keep one test each.
    """

    __slots__ = ("_dynamic", "_exact", "_fold", "_tests", "clause", "key", "negated", "null")

    def __init__(self, clause: Condition, *, variables: bool) -> None:
        spec = OPERATORS[clause.base]
        self.clause = clause
        self.key = clause.key
        self.negated = spec.negated
        self.null = spec.family == "null"
        self._fold = spec.family == "string_ic"
        self._dynamic = variables and any("${" in v for v in clause.values)
        self._exact: frozenset[str] | None = None
        self._tests: tuple[ValueTest, ...] = ()
        if spec.family in ("string", "string_ic") and not self._dynamic:
            self._exact = frozenset(v.lower() if self._fold else v for v in clause.values)
        elif not self.null:
            self._tests = tuple(_value_test(spec, v, variables) for v in clause.values)

    def evaluate(self, context: Context) -> bool:
        values = context.get(self.key)
        if self.null:
            return ("false" if values else "true") in {v.lower() for v in self.clause.values}
        if not values:
            return self._missing()
        qualifier = self.clause.qualifier
        if qualifier is None:
            hit = False
            for value in values:
                outcome = self._matches_one(value, context)
                if outcome is None:
                    return False
                if outcome:
                    hit = True
                    if not self._dynamic:
                        break
            return hit != self.negated
        outcomes = [self._matches_one(v, context) for v in values]
        if None in outcomes:
            return False
        per_value = [bool(o) != self.negated for o in outcomes]
        if qualifier is SetQualifier.FOR_ALL_VALUES:
            return all(per_value)
        return any(per_value)

    def _missing(self) -> bool:
        if self.clause.if_exists or self.clause.qualifier is SetQualifier.FOR_ALL_VALUES:
            return True
        if self.clause.qualifier is SetQualifier.FOR_ANY_VALUE:
            return False
        return self.negated

    def _matches_one(self, value: str, context: Context) -> bool | None:
        """Whether ``value`` matches any policy value (the operator's positive form); ``None``
        when a policy value holds an unresolvable variable."""
        if self._exact is not None:
            return (value.lower() if self._fold else value) in self._exact
        if not self._dynamic:
            return any(test(value, context) for test in self._tests)
        hit = False
        for test in self._tests:
            outcome = test(value, context)
            if outcome is None:
                return None
            hit = hit or outcome
        return hit
