"""Effective schemas: what a value must look like once references are followed and `allOf` is
merged, with nullability read from each of its spellings. Build and docs read these views instead
of the raw schema, so a property inherited through `allOf` is as much a property as one written
in place."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .pointer import deref

_MAX_DEPTH = 32


@dataclass(frozen=True)
class ObjectView:
    """The properties of an object schema, its own and those its `allOf` branches bring in."""

    properties: dict[str, Any]  # name -> the property's schema, as written (references kept)
    required: frozenset[str]
    read_only: frozenset[str]
    write_only: frozenset[str]


EMPTY = ObjectView({}, frozenset(), frozenset(), frozenset())


def object_view(spec: dict[str, Any], schema: Any) -> ObjectView:
    """Merge `allOf` branches (through references, depth first, in order), then the schema's own
    properties: a later definition of a property replaces an earlier one, as a subclass field does."""
    properties: dict[str, Any] = {}
    required: set[str] = set()
    _merge(spec, schema, properties, required, set(), 0)
    flags = {name: deref(spec, sub) for name, sub in properties.items()}
    return ObjectView(
        properties,
        frozenset(required),
        frozenset(n for n, s in flags.items() if isinstance(s, dict) and s.get("readOnly") is True),
        frozenset(n for n, s in flags.items() if isinstance(s, dict) and s.get("writeOnly") is True),
    )


def _merge(
    spec: dict[str, Any],
    schema: Any,
    properties: dict[str, Any],
    required: set[str],
    seen: set[int],
    depth: int,
) -> None:
    schema = deref(spec, schema)
    if not isinstance(schema, dict) or id(schema) in seen or depth > _MAX_DEPTH:
        return
    seen.add(id(schema))
    for branch in schema.get("allOf") or []:
        _merge(spec, branch, properties, required, seen, depth + 1)
    own = schema.get("properties")
    if isinstance(own, dict):
        properties.update(own)
    required.update(r for r in schema.get("required") or [] if isinstance(r, str))


def is_nullable(spec: dict[str, Any], schema: Any, depth: int = 0) -> bool:
    """Whether null is allowed: `type: null`, `null` in a type list, `nullable: true`, a null
    branch of `anyOf`/`oneOf`, or an `allOf` branch that says so (`[{$ref}, {nullable: true}]`)."""
    schema = deref(spec, schema)
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return False
    types = schema.get("type")
    if types == "null" or (isinstance(types, list) and "null" in types) or schema.get("nullable") is True:
        return True
    if any(is_nullable(spec, s, depth + 1) for key in ("anyOf", "oneOf") for s in schema.get(key) or []):
        return True
    branches = schema.get("allOf") or []
    return bool(branches) and any(
        isinstance(b, dict) and b.get("nullable") is True and "$ref" not in b for b in branches
    )
