"""One reflective mapping between the task-definition dataclasses and ECS JSON documents.

The member name of a field is the camelCase of its snake_case name (``host_port`` →
``hostPort``) unless its ``wire`` metadata says otherwise (``size_in_gib`` → ``sizeInGiB``).
Types drive the mapping: dataclass ↔ object, ``tuple[X, ...]`` ↔ array, ``Mapping[str, X]`` ↔
object, ``StrEnum`` ↔ its value, ``int`` with ``int_string`` metadata ↔ decimal string,
``datetime`` ↔ ``datetime`` (the edge converts to epoch seconds). A field marked ``passthrough``
collects every member the dataclass does not model, and is merged back verbatim on the way out.

Encoding omits ``None`` and emits tuples even when empty, so "not sent" and "sent empty" survive.
Passthrough values are deep-copied both ways, so a document never aliases a model value.

Pure and total over the model: it never reads a clock or the environment.

Invariant: ``decode(type(x), encode(x)) == x`` for every model value ``x``.
"""

from __future__ import annotations

import copy
import functools
import re
import types
import typing
from collections.abc import Mapping
from dataclasses import MISSING, Field, fields, is_dataclass
from datetime import datetime
from enum import Enum
from typing import Any, TypeVar

from dockyard.domain.errors import InvalidParameterException

T = TypeVar("T")
_DIGITS = re.compile(r"^[0-9]{1,10}$")

__all__ = ["decode", "encode", "wire_name"]


def wire_name(f: Field[Any]) -> str:
    """The ECS member name of a dataclass field."""
    explicit = f.metadata.get("wire")
    if isinstance(explicit, str):
        return explicit
    head, *rest = f.name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@functools.cache
def _plan(cls: type) -> tuple[tuple[Field[Any], str, bool, bool], ...]:
    """Per class, once: (field, wire name, is passthrough, is int-string) for every field."""
    return tuple(
        (f, wire_name(f), bool(f.metadata.get("passthrough")), f.metadata.get("int_string") is True)
        for f in fields(cls)
    )


def encode(value: object) -> dict[str, object]:
    """The ECS document of a model dataclass instance."""
    out: dict[str, object] = {}
    extra: Mapping[str, object] = {}
    for f, name, is_passthrough, int_string in _plan(typing.cast(type, type(value))):
        item = getattr(value, f.name)
        if is_passthrough:
            extra = item
        elif item is not None:
            out[name] = _encode_item(item, int_string)
    for key, item in extra.items():
        out.setdefault(key, copy.deepcopy(item))
    return out


def _encode_item(item: object, int_string: bool = False) -> object:
    if is_dataclass(item) and not isinstance(item, type):
        return encode(item)
    if isinstance(item, Enum):
        return item.value
    if isinstance(item, tuple):
        return [_encode_item(x) for x in item]
    if isinstance(item, Mapping):
        return {str(k): _encode_item(v) for k, v in item.items()}
    if int_string and isinstance(item, int):
        return str(item)
    return item


def decode(
    cls: type[T], doc: Mapping[str, object], *, path: str = "", ignore: frozenset[str] = frozenset()
) -> T:
    """The ``cls`` instance an ECS document describes.

    Members in ``ignore`` are dropped; unknown members go to the passthrough field when ``cls``
    has one and are otherwise dropped. A missing required member or a value of the wrong JSON
    type raises :class:`InvalidParameterException` naming the member's path.
    """
    kwargs: dict[str, object] = {}
    known: set[str] = set(ignore)
    passthrough: str | None = None
    hints = _hints(typing.cast(type, cls))
    for f, name, is_passthrough, _int_string in _plan(typing.cast(type, cls)):
        if is_passthrough:
            passthrough = f.name
            continue
        known.add(name)
        raw = doc.get(name)
        item_path = f"{path}.{name}" if path else name
        if raw is not None:
            kwargs[f.name] = _decode_item(hints[f.name], raw, item_path, f)
        elif f.default is MISSING and f.default_factory is MISSING:
            raise InvalidParameterException(f"Missing required parameter {item_path}.")
    if passthrough is not None:
        kwargs[passthrough] = {k: copy.deepcopy(v) for k, v in doc.items() if k not in known}
    return cls(**kwargs)


@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode_item(hint: Any, raw: object, path: str, f: Field[Any] | None = None) -> object:
    origin = typing.get_origin(hint)
    if origin in (typing.Union, types.UnionType):
        (inner,) = [arg for arg in typing.get_args(hint) if arg is not type(None)]
        return _decode_item(inner, raw, path, f)
    if origin is tuple:
        item_hint = typing.get_args(hint)[0]
        if not isinstance(raw, (list, tuple)):
            raise InvalidParameterException(f"Invalid type for parameter {path}.")
        items: list[object] | tuple[object, ...] = raw
        return tuple(_decode_item(item_hint, x, f"{path}[{i}]") for i, x in enumerate(items))
    if origin in (Mapping, dict):
        value_hint = typing.get_args(hint)[1]
        entries = _mapping(raw, path)
        return {str(k): _decode_item(value_hint, v, f"{path}.{k}") for k, v in entries.items()}
    if isinstance(hint, type) and is_dataclass(hint):
        return decode(hint, _mapping(raw, path), path=path)
    return _decode_scalar(hint, raw, path, f is not None and f.metadata.get("int_string") is True)


def _decode_scalar(hint: type, raw: object, path: str, int_string: bool) -> object:
    if issubclass(hint, Enum):
        try:
            return hint(_expect(raw, str, path))
        except ValueError:
            raise InvalidParameterException(f"Invalid value '{raw}' for {path}.") from None
    if hint is int and int_string and isinstance(raw, str):
        if not _DIGITS.match(raw.strip()):
            raise InvalidParameterException(f"Invalid value '{raw}' for {path}.")
        return int(raw)
    if hint is int and isinstance(raw, bool):
        raise InvalidParameterException(f"Invalid type for parameter {path}.")
    if hint in (int, str, bool, datetime):
        return _expect(raw, hint, path)
    raise TypeError(f"no wire mapping for {hint!r} at {path}")


def _mapping(raw: object, path: str) -> Mapping[str, object]:
    if not isinstance(raw, Mapping):
        raise InvalidParameterException(f"Invalid type for parameter {path}.")
    return raw


def _expect(raw: object, kind: type[T], path: str) -> T:
    if not isinstance(raw, kind):
        raise InvalidParameterException(f"Invalid type for parameter {path}.")
    return raw
