"""Wildcards and policy variables: the string-matching primitives of the policy engine (pure).

A pattern is tokenised once into literal text, wildcards (``*``, ``?``) and policy variables
(``${aws:username}``, ``${aws:PrincipalTag/team, 'default'}``; ``${*}``, ``${?}`` and ``${$}``
are the literal characters). A pattern without variables is compiled to one regex (or a plain
string comparison) at policy-compile time; a pattern with variables is resolved against the
request context and compiled per distinct resolved form (a bounded LRU cache).

Three wildcard dialects, all anchored at both ends:

``PLAIN``     Action, StringLike: ``*`` is any run of characters, ``?`` any one character.
``RESOURCE``  Resource / NotResource. AWS: "You can use wildcard characters (* and ?) within any
              ARN segment (the parts separated by colons) ... If the * wildcard is the last
              character of a resource ARN segment, it can expand to match beyond the colon
              boundaries." So a ``*`` followed by ``:`` or by the end of the pattern matches
              anything; any other ``*`` (and every ``?``) stays inside its segment.
``ARN``       ArnLike / ArnEquals conditions: "Each of the six colon-delimited components of the
              ARN is checked separately", so a wildcard before the pattern's fifth colon never
              matches a colon; in the sixth component (the resource, which may itself contain
              colons) it matches anything. A pattern with fewer than six components matches its
              last component against the rest of the value (``*`` matches every value).

A variable whose key is absent from the context (and has no default), or is multivalued, is
*unresolvable*: :meth:`Pattern.matches` answers ``None`` and the caller decides what that means.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from enum import Enum
from functools import lru_cache

Context = Mapping[str, tuple[str, ...]]
"""Request context with lower-cased key names."""


class Wild(Enum):
    STAR = "*"
    ONE = "?"


class Dialect(Enum):
    PLAIN = "plain"
    RESOURCE = "resource"
    ARN = "arn"


class Variable:
    """``${key}`` or ``${key, 'default'}``; ``key`` lower-cased."""

    __slots__ = ("default", "key")

    def __init__(self, key: str, default: str | None) -> None:
        self.key = key
        self.default = default

    def __repr__(self) -> str:
        return f"Variable({self.key!r}, {self.default!r})"


Token = str | Wild | Variable
Resolved = tuple[str | Wild, ...]

_LITERAL_VARIABLES = {"*": "*", "?": "?", "$": "$"}
_ARN_FIXED_COLONS = 5  # arn:partition:service:region:account:resource
_DYNAMIC_CACHE_SIZE = 4096  # distinct resolved patterns (one per user name, say) kept compiled


_SPLITTERS = {
    (True, True): re.compile(r"(\$\{[^}]*\}|[*?])"),
    (True, False): re.compile(r"([*?])"),
    (False, True): re.compile(r"(\$\{[^}]*\})"),
}


def tokenize(text: str, *, wildcards: bool, variables: bool) -> tuple[Token, ...]:
    """Split ``text`` into literal runs, wildcards and variables (adjacent literals merged)."""
    if not wildcards and not variables:
        return (text,) if text else ()
    out: list[Token] = []
    for i, piece in enumerate(_SPLITTERS[wildcards, variables].split(text)):
        if i % 2 == 0:
            _push(out, piece)
        elif piece in ("*", "?"):
            _push(out, Wild(piece))
        else:
            var = _variable(piece[2:-1])
            _push(out, var if var is not None else piece)
    return tuple(out)


def _variable(inner: str) -> Token | None:
    if inner in _LITERAL_VARIABLES:
        return _LITERAL_VARIABLES[inner]
    key, comma, rest = inner.partition(",")
    key = key.strip()
    if not key:
        return None
    default = None
    if comma:
        rest = rest.strip()
        if len(rest) < 2 or rest[0] != "'" or rest[-1] != "'":
            return None
        default = rest[1:-1]
    return Variable(key.lower(), default)


def _push(out: list[Token], token: Token) -> None:
    if isinstance(token, str) and out and isinstance(out[-1], str):
        out[-1] += token
    elif token != "":
        out.append(token)


def resolve(tokens: tuple[Token, ...], context: Context) -> Resolved | None:
    """Substitute variables (their values are literal text); ``None`` if one is unresolvable."""
    out: list[Token] = []
    for token in tokens:
        if isinstance(token, Variable):
            values = context.get(token.key)
            if values is not None and len(values) == 1:
                _push(out, values[0])
            elif not values and token.default is not None:
                _push(out, token.default)
            else:
                return None
        else:
            _push(out, token)
    return tuple(t for t in out if not isinstance(t, Variable))


def translate(parts: Resolved, dialect: Dialect) -> str:
    """The regex source (anchored by ``fullmatch``) for resolved ``parts`` in ``dialect``."""
    pieces: list[str] = []
    colons = 0
    arn_fixed = min(_ARN_FIXED_COLONS, sum(p.count(":") for p in parts if isinstance(p, str)))
    for i, part in enumerate(parts):
        if isinstance(part, str):
            pieces.append(re.escape(part))
            colons += part.count(":")
            continue
        if dialect is Dialect.PLAIN:
            crosses = True
        elif dialect is Dialect.ARN:
            crosses = colons >= arn_fixed
        else:
            nxt = parts[i + 1] if i + 1 < len(parts) else None
            crosses = part is Wild.STAR and (
                nxt is None or (isinstance(nxt, str) and nxt[0] == ":")
            )
        if part is Wild.STAR:
            pieces.append(".*" if crosses else "[^:]*")
        else:
            pieces.append("." if crosses else "[^:]")
    return "".join(pieces)


@lru_cache(maxsize=_DYNAMIC_CACHE_SIZE)
def _compile(parts: Resolved, dialect: Dialect, ignore_case: bool) -> re.Pattern[str]:
    flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
    return re.compile(translate(parts, dialect), flags)


class Pattern:
    """One compiled pattern: ``matches(value, context)`` → bool, or ``None`` if unresolvable.

    ``matches_all`` is true for a bare ``*`` in a wildcard dialect (the hot path skips it);
    ``is_dynamic`` when the pattern holds a policy variable. A static pattern's regex is built on
    first use (most statements never meet most requests), then kept.
    Invariant: a static pattern never looks at the context.
    """

    __slots__ = (
        "_dialect",
        "_exact",
        "_ignore_case",
        "_regex",
        "_static",
        "_tokens",
        "is_dynamic",
        "matches_all",
        "source",
    )

    def __init__(
        self,
        source: str,
        *,
        dialect: Dialect,
        wildcards: bool = True,
        variables: bool = False,
        ignore_case: bool = False,
    ) -> None:
        self.source = source
        self._dialect = dialect
        self._ignore_case = ignore_case
        self._tokens = tokenize(source, wildcards=wildcards, variables=variables)
        self._regex: re.Pattern[str] | None = None
        self._exact: str | None = None
        self._static: Resolved | None = None
        self.matches_all = wildcards and self._tokens == (Wild.STAR,)
        self.is_dynamic = any(isinstance(t, Variable) for t in self._tokens)
        if not self.is_dynamic:
            parts = tuple(t for t in self._tokens if not isinstance(t, Variable))
            if all(isinstance(p, str) for p in parts):
                text = "".join(p for p in parts if isinstance(p, str))
                self._exact = text.lower() if ignore_case else text
            else:
                self._static = parts

    def matches(self, value: str, context: Context) -> bool | None:
        if self.matches_all:
            return True
        if self._exact is not None:
            return (value.lower() if self._ignore_case else value) == self._exact
        if self._static is not None:
            if self._regex is None:
                self._regex = _compile(self._static, self._dialect, self._ignore_case)
            return self._regex.fullmatch(value) is not None
        parts = resolve(self._tokens, context)
        if parts is None:
            return None
        if all(isinstance(p, str) for p in parts):
            text = "".join(p for p in parts if isinstance(p, str))
            if self._ignore_case:
                return value.lower() == text.lower()
            return value == text
        return _compile(parts, self._dialect, self._ignore_case).fullmatch(value) is not None

    def __repr__(self) -> str:
        return f"Pattern({self.source!r}, {self._dialect.value})"
