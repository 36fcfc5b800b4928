"""Prepare the spec for generation: one copy, in which every request and response model has a name."""

from __future__ import annotations

import copy
import unicodedata
from typing import Any

from .naming import class_name
from .pointer import local_ref_parts, lookup
from .walk import iter_operations, iter_schemas


def prepare_spec(spec: dict[str, Any], package: str) -> dict[str, Any]:
    """A copy in which inline request and response schemas are named components, like $ref'd ones,
    and secret strings (`format: password`) are the runtime's Secret, masked in reprs."""
    spec = _clean_prose(copy.deepcopy(spec))
    for _, schema in iter_schemas(spec):
        if schema.get("format") == "password" and schema.get("type") == "string":
            schema["x-python-type"] = f"{package}._runtime.Secret"
        _repair(schema)
        _flatten_conflicting_allof(spec, schema)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for site in iter_operations(spec):
        base = class_name(site.operation.get("operationId") or f"{site.method} {site.path}")
        for suffix, media in _inline_media(site.operation):
            name = _free_name(schemas, base + suffix)
            schemas[name] = media["schema"]
            media["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return spec


_PROSE = frozenset({"description", "summary", "title"})


def _clean_prose(node: Any) -> Any:
    """Descriptions, summaries and titles without control characters or lone surrogates (shown as
    escapes instead), so no generator downstream can be made to write them raw into code."""
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            for key, value in current.items():
                if key in _PROSE and isinstance(value, str):
                    current[key] = "".join(_visible(ch) for ch in value)
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))
    return node


def _visible(ch: str) -> str:
    if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cs", "Zl", "Zp"):
        return ch
    return f"\\u{ord(ch):04x}"


def _repair(schema: dict[str, Any]) -> None:
    """Fix what validation let through as warnings (see validate.REPAIRED)."""
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), bool):
            if schema.pop(bound) and isinstance(schema.get(limit), int | float):
                schema[bound] = schema.pop(limit)
    if isinstance(schema.get("required"), list):
        schema["required"] = list(dict.fromkeys(schema["required"]))
    schema.pop("$recursiveAnchor", None)
    if isinstance(schema.get("pattern"), str) and not _usable_pattern(schema["pattern"]):
        schema.pop("pattern")
    if "default" in schema and schema["default"] is None and not _allows_null(schema):
        schema["nullable"] = True  # `default: null` is one of the ways upstream says nullable


def _usable_pattern(pattern: str) -> bool:
    """Whether pydantic (whose Rust engine knows `\\p{L}`, unlike `re`) can compile the pattern."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


def _allows_null(schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind) or schema.get("nullable") is True:
        return True
    branches = [*(schema.get("anyOf") or []), *(schema.get("oneOf") or [])]
    return any(isinstance(b, dict) and b.get("type") == "null" for b in branches)


def _flatten_conflicting_allof(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """`allOf: [$ref Parent, {properties}]` that redefines a parent's property with another schema
    cannot be a Python subclass; such a schema becomes one object with the properties merged."""
    branches = schema.get("allOf")
    if not isinstance(branches, list) or len(branches) < 2:
        return
    parents, own = [], []
    for branch in branches:
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            target = _local(spec, branch["$ref"])
            if not isinstance(target, dict) or "allOf" in target:
                return
            parents.append(target)
        elif isinstance(branch, dict) and set(branch) <= {
            "type",
            "properties",
            "required",
            "description",
            "title",
        }:
            own.append(branch)
        else:
            return
    inherited: dict[str, Any] = {}
    for parent in parents:
        inherited.update(parent.get("properties") or {})
    redefined = {
        k for o in own for k, v in (o.get("properties") or {}).items() if k in inherited and inherited[k] != v
    }
    if not redefined:
        return
    merged: dict[str, Any] = dict(inherited)
    required: list[str] = []
    for part in [*parents, *own]:
        merged.update(part.get("properties") or {})
        required += [r for r in part.get("required") or [] if r not in required]
    schema.pop("allOf")
    schema.update({"type": "object", "properties": merged, **({"required": required} if required else {})})


def _local(spec: dict[str, Any], ref: str) -> Any:
    try:
        return lookup(spec, local_ref_parts(ref) or [""])
    except KeyError:
        return None


def _inline_media(operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    body = operation.get("requestBody")
    holders = [("Request", body)] + [
        ("Response" if str(status).startswith("2") else f"{str(status).capitalize()}Response", response)
        for status, response in (operation.get("responses") or {}).items()
    ]
    for suffix, holder in holders:
        content = holder.get("content") if isinstance(holder, dict) else None
        for media in (content or {}).values():
            schema = media.get("schema") if isinstance(media, dict) else None
            if isinstance(schema, dict) and "$ref" not in schema and _is_model_worthy(schema):
                found.append((suffix, media))
    return found


def _is_model_worthy(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or "properties" in schema or "allOf" in schema


def _free_name(taken: dict[str, Any], name: str) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    return candidate
