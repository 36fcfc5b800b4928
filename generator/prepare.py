"""Prepare the spec for generation: one copy, in which every request and response model has a name."""

from __future__ import annotations

import copy
from typing import Any

from .naming import class_name
from .walk import iter_operations, iter_schemas


def prepare_spec(spec: dict[str, Any], package: str) -> dict[str, Any]:
    """A copy in which inline request and response schemas are named components, like $ref'd ones,
    and secret strings (`format: password`) are the runtime's Secret, masked in reprs."""
    spec = copy.deepcopy(spec)
    for _, schema in iter_schemas(spec):
        if schema.get("format") == "password" and schema.get("type") == "string":
            schema["x-python-type"] = f"{package}._runtime.Secret"
        _repair(schema)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    for site in iter_operations(spec):
        base = class_name(site.operation.get("operationId") or f"{site.method} {site.path}")
        for suffix, media in _inline_media(site.operation):
            name = _free_name(schemas, base + suffix)
            schemas[name] = media["schema"]
            media["schema"] = {"$ref": f"#/components/schemas/{name}"}
    return spec


def _repair(schema: dict[str, Any]) -> None:
    """Fix what validation let through as warnings (see validate.REPAIRED)."""
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), bool):
            if schema.pop(bound) and isinstance(schema.get(limit), int | float):
                schema[bound] = schema.pop(limit)
    if isinstance(schema.get("required"), list):
        schema["required"] = list(dict.fromkeys(schema["required"]))
    schema.pop("$recursiveAnchor", None)


def _inline_media(operation: dict[str, Any]) -> list[tuple[str, dict[str, Any]]]:
    found: list[tuple[str, dict[str, Any]]] = []
    body = operation.get("requestBody")
    holders = [("Request", body)] + [
        (f"Response{status}", response) for status, response in (operation.get("responses") or {}).items()
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
