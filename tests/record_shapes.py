"""How a TypedDict differs from a JSON Schema: field names, required and optional fields, and
what each field holds (null, boolean, integer, number, string, array, object), recursively
through nested objects, arrays, maps (``additionalProperties``) and unions (``oneOf``,
``anyOf``, a list of types).

``Any`` in the type (or a schema that says nothing of a value) matches anything; a ``str``
matches an enum or const of strings. An ``int`` matches ``number`` (JSON's numbers include
the integers), a ``float`` does not match ``integer``.
"""

from __future__ import annotations

import types
import typing
from typing import Any

import typing_extensions

Schema = dict[str, Any]

_SCALARS: dict[object, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
}
_JSON_TYPES: dict[type, str] = {
    type(None): "null",
    bool: "boolean",
    int: "integer",
    float: "number",
    str: "string",
}


def differences(
    tp: object, schema: Schema, defs: Schema | None = None, path: str = ""
) -> list[str]:
    """What ``tp`` and ``schema`` disagree on, one line each naming the field's path."""
    defs = schema.get("$defs", {}) if defs is None else defs
    members = _members(tp)
    alternatives = _alternatives(schema, defs)
    out: list[str] = []
    pairs: list[tuple[object, Schema]] = []
    for member in members:
        matches = [alt for alt in alternatives if _compatible(_py_kind(member), _kind(alt))]
        if not matches:
            kinds = sorted({_kind(a) for a in alternatives})
            out.append(f"{path or '.'}: {_py_kind(member)} in the type, {kinds} in the schema")
        pairs += [(member, alt) for alt in matches]
    for alt in alternatives:
        if not any(_compatible(_py_kind(m), _kind(alt)) for m in members):
            kinds = sorted({_py_kind(m) for m in members})
            out.append(f"{path or '.'}: {_kind(alt)} in the schema, {kinds} in the type")
    for member, alt in pairs:
        out += _inside(member, alt, defs, path)
    return out


def _inside(tp: object, schema: Schema, defs: Schema, path: str) -> list[str]:
    kind = _py_kind(tp)
    if kind == "object":
        return _fields(tp, schema, defs, path)
    if kind == "map":
        return _values(typing.get_args(tp)[1], schema, defs, path)
    if kind == "array" and _kind(schema) == "array":
        item = typing.get_args(tp)[0]
        items = schema.get("items")
        if items is None:
            return [] if item is Any else [f"{path}[]: the schema does not say what items hold"]
        return differences(item, items, defs, f"{path}[]")
    return []


def _fields(tp: Any, schema: Schema, defs: Schema, path: str) -> list[str]:
    properties: dict[str, Schema] = schema.get("properties") or {}
    if not properties:
        return [f"{path or '.'}: the schema does not describe the fields of {tp.__name__}"]
    names, described = set(typing.get_type_hints(tp)), set(properties)
    out = []
    if names != described:
        out.append(
            f"{path or '.'}: fields only in the type {sorted(names - described)}, "
            f"only in the schema {sorted(described - names)}"
        )
    required, listed = set(tp.__required_keys__), set(schema.get("required") or [])
    if required != listed:
        out.append(
            f"{path or '.'}: required only in the type {sorted(required - listed)}, "
            f"only in the schema {sorted(listed - required)}"
        )
    hints = typing.get_type_hints(tp)
    for name in sorted(names & described):
        out += differences(hints[name], properties[name], defs, f"{path}.{name}")
    return out


def _values(value: object, schema: Schema, defs: Schema, path: str) -> list[str]:
    if schema.get("properties"):
        return [f"{path or '.'}: a map in the type, named fields in the schema"]
    extra = schema.get("additionalProperties", True)
    if isinstance(extra, dict):
        return differences(value, extra, defs, f"{path}{{}}")
    return [] if value is Any else [f"{path}{{}}: the schema does not say what values are"]


def _members(tp: object) -> list[object]:
    origin = typing.get_origin(tp)
    if origin is typing.Union or isinstance(tp, types.UnionType):
        return [m for arg in typing.get_args(tp) for m in _members(arg)]
    return [tp]


def _py_kind(tp: object) -> str:
    if tp is Any:
        return "any"
    if tp in _SCALARS:
        return _SCALARS[tp]
    if typing_extensions.is_typeddict(tp):
        return "object"
    origin = typing.get_origin(tp)
    if origin is list:
        return "array"
    if origin is dict:
        return "map"
    raise TypeError(f"no JSON kind for {tp!r}")


def _alternatives(schema: Schema, defs: Schema) -> list[Schema]:
    schema = _resolve(schema, defs)
    for key in ("oneOf", "anyOf"):
        if key in schema:
            return [alt for s in schema[key] for alt in _alternatives(s, defs)]
    if isinstance(schema.get("type"), list):
        return [{**schema, "type": t} for t in schema["type"]]
    if "enum" in schema:
        kinds = {_JSON_TYPES[type(v)] for v in schema["enum"]}
        return [{**schema, "type": k} for k in sorted(kinds)]
    return [schema]


def _resolve(schema: Schema, defs: Schema) -> Schema:
    ref = schema.get("$ref")
    if ref is None:
        return schema
    target = defs[ref.removeprefix("#/$defs/")]
    return _resolve({**target, **{k: v for k, v in schema.items() if k != "$ref"}}, defs)


def _kind(schema: Schema) -> str:
    if "type" in schema:
        return str(schema["type"])
    if "const" in schema:
        return _JSON_TYPES[type(schema["const"])]
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    return "any"


def _compatible(py: str, json: str) -> bool:
    if "any" in (py, json) or py == json:
        return True
    return (py, json) in {("integer", "number"), ("map", "object"), ("object", "object")}
