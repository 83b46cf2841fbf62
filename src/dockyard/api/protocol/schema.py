"""botocore shapes compiled once into plain, slot-based nodes that the codecs walk quickly.

A :class:`Node` holds what parsing, validation and serialisation need of one shape: its kind,
its members (with wire names), its constraints (enum, min, max) and the protocol traits
(flattened, locationName, timestampFormat). Compiling follows botocore's resolution rules, so
member-level traits (``locationName`` on a member reference) land on the :class:`Field`.

Patterns are deliberately not compiled: ECS does not enforce them through the model path.

Invariant: one node per (service model, shape name, serialization traits); recursive shapes
compile to cyclic node graphs. Caches are per model and never invalidated (models are immutable).
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass, field

import botocore.model

STRUCTURE = "structure"
LIST = "list"
MAP = "map"
STRING = "string"
INTEGER = "integer"
FLOAT = "float"
BOOLEAN = "boolean"
TIMESTAMP = "timestamp"
BLOB = "blob"
DOCUMENT = "document"

CONTAINERS = frozenset({STRUCTURE, LIST, MAP})

_KIND_OF_TYPE = {
    "structure": STRUCTURE,
    "list": LIST,
    "map": MAP,
    "string": STRING,
    "character": STRING,
    "integer": INTEGER,
    "long": INTEGER,
    "short": INTEGER,
    "byte": INTEGER,
    "float": FLOAT,
    "double": FLOAT,
    "boolean": BOOLEAN,
    "timestamp": TIMESTAMP,
    "blob": BLOB,
}


@dataclass(slots=True, eq=False)
class Field:
    """One member of a structure.

    ``wire_name`` is the JSON key (``locationName`` or the member name). ``query_name`` is the
    query segment and XML element: the same, except for a flattened list whose member has a
    ``locationName`` (then that name, as botocore does). ``path_name`` is the member name with
    a lower-case first letter, as AWS's validation messages spell it (``'roleName'`` for
    IAM's ``RoleName``).
    """

    name: str
    wire_name: str
    query_name: str
    path_name: str
    node: Node
    required: bool


@dataclass(slots=True, eq=False)
class Node:
    """A compiled shape; only the attributes of its ``kind`` are meaningful."""

    name: str
    kind: str
    fields: tuple[Field, ...] = ()
    by_name: dict[str, Field] = field(default_factory=dict)
    by_wire: dict[str, Field] = field(default_factory=dict)
    by_query: dict[str, Field] = field(default_factory=dict)
    required: tuple[Field, ...] = ()
    is_union: bool = False
    member: Node | None = None
    member_name: str = "member"
    key: Node | None = None
    value: Node | None = None
    key_name: str = "key"
    value_name: str = "value"
    flattened: bool = False
    enum: frozenset[str] | None = None
    enum_order: tuple[str, ...] = ()
    min: float | None = None
    max: float | None = None
    timestamp_format: str | None = None
    free_type: type | None = None
    """For a string/integer/boolean shape without enum or bounds: the exact Python type of a
    valid value, so validation can accept it with one ``type(v) is`` test."""


_FREE_TYPES: dict[str, type] = {STRING: str, INTEGER: int, BOOLEAN: bool}

_CACHE: weakref.WeakKeyDictionary[botocore.model.ServiceModel, _Caches]
_CACHE = weakref.WeakKeyDictionary()


def compile_shape(model: botocore.model.ServiceModel, shape: botocore.model.Shape) -> Node:
    """The node for ``shape`` of ``model``, compiled on first use and cached."""
    return _compile(shape, _caches(model).shapes)


def input_node(
    model: botocore.model.ServiceModel, operation: botocore.model.OperationModel
) -> Node | None:
    """The compiled input shape of ``operation`` (``None`` when it takes no input); cached."""
    return _operation_node(model, operation, "input")


def output_node(
    model: botocore.model.ServiceModel, operation: botocore.model.OperationModel
) -> Node | None:
    """The compiled output shape of ``operation`` (``None`` when it returns nothing); cached."""
    return _operation_node(model, operation, "output")


def _operation_node(
    model: botocore.model.ServiceModel, operation: botocore.model.OperationModel, side: str
) -> Node | None:
    caches = _caches(model)
    key = (operation.name, side)
    if key not in caches.operations:
        shape = operation.input_shape if side == "input" else operation.output_shape
        caches.operations[key] = None if shape is None else _compile(shape, caches.shapes)
    return caches.operations[key]


@dataclass(slots=True)
class _Caches:
    """Per model: compiled shapes by (name, traits), and operation (name, side) -> node."""

    shapes: dict[tuple[str, str], Node] = field(default_factory=dict)
    operations: dict[tuple[str, str], Node | None] = field(default_factory=dict)


def _caches(model: botocore.model.ServiceModel) -> _Caches:
    caches = _CACHE.get(model)
    if caches is None:
        caches = _CACHE[model] = _Caches()
    return caches


def _cache_key(shape: botocore.model.Shape) -> tuple[str, str]:
    return (shape.name, repr(sorted(shape.serialization.items())))


def _compile(shape: botocore.model.Shape, memo: dict[tuple[str, str], Node]) -> Node:
    key = _cache_key(shape)
    node = memo.get(key)
    if node is not None:
        return node
    node = Node(name=shape.name, kind=_kind(shape))
    memo[key] = node  # before children: recursive shapes refer back to this node
    _fill_constraints(node, shape)
    node.flattened = bool(shape.serialization.get("flattened"))
    node.timestamp_format = shape.serialization.get("timestampFormat")
    if node.kind == STRUCTURE:
        assert isinstance(shape, botocore.model.StructureShape)
        _fill_structure(node, shape, memo)
    elif node.kind == LIST:
        assert isinstance(shape, botocore.model.ListShape)
        node.member = _compile(shape.member, memo)
        node.member_name = shape.member.serialization.get("name", "member")
    elif node.kind == MAP:
        assert isinstance(shape, botocore.model.MapShape)
        node.key = _compile(shape.key, memo)
        node.value = _compile(shape.value, memo)
        node.key_name = shape.key.serialization.get("name", "key")
        node.value_name = shape.value.serialization.get("name", "value")
    return node


def _kind(shape: botocore.model.Shape) -> str:
    if shape.type_name == "structure" and getattr(shape, "is_document_type", False):
        return DOCUMENT
    try:
        return _KIND_OF_TYPE[shape.type_name]
    except KeyError:
        raise ValueError(f"unsupported shape type {shape.type_name!r} ({shape.name})") from None


def _fill_constraints(node: Node, shape: botocore.model.Shape) -> None:
    meta = shape.metadata
    node.min = meta.get("min")
    node.max = meta.get("max")
    enum = getattr(shape, "enum", None) or meta.get("enum")
    if enum:
        node.enum_order = tuple(enum)
        node.enum = frozenset(enum)
    elif node.min is None and node.max is None:
        node.free_type = _FREE_TYPES.get(node.kind)


def _fill_structure(
    node: Node, shape: botocore.model.StructureShape, memo: dict[tuple[str, str], Node]
) -> None:
    required = set(shape.required_members)
    fields = []
    for name, member in shape.members.items():
        wire = member.serialization.get("name", name)
        query = wire
        if member.type_name == "list" and member.serialization.get("flattened"):
            assert isinstance(member, botocore.model.ListShape)
            query = member.member.serialization.get("name", wire)
        fields.append(
            Field(
                name=name,
                wire_name=wire,
                query_name=query,
                path_name=name[:1].lower() + name[1:],
                node=_compile(member, memo),
                required=name in required,
            )
        )
    node.fields = tuple(fields)
    node.by_name = {f.name: f for f in fields}
    node.by_wire = {f.wire_name: f for f in fields}
    node.by_query = {f.query_name: f for f in fields}
    node.required = tuple(f for f in fields if f.required)
    node.is_union = bool(shape.metadata.get("union"))
