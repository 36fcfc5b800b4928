"""Walk an OpenAPI document: its operations, and every schema object with its path."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from .pointer import Part

HTTP_METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")

SUBSCHEMA_MAPS = ("properties", "patternProperties", "$defs", "definitions", "dependentSchemas")
SUBSCHEMA_LISTS = ("allOf", "anyOf", "oneOf", "prefixItems")
SUBSCHEMA_SINGLE = (
    "items",
    "additionalProperties",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedProperties",
    "unevaluatedItems",
    "additionalItems",
)


def iter_dicts(node: Any) -> Iterator[dict[str, Any]]:
    """Every mapping in a JSON value, the value itself included, in no particular order."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


@dataclass(frozen=True)
class OperationSite:
    path: str
    method: str
    operation: dict[str, Any]
    path_item: dict[str, Any]

    @property
    def parts(self) -> list[Part]:
        return ["paths", self.path, self.method]


def iter_operations(spec: dict[str, Any]) -> Iterator[OperationSite]:
    paths = spec.get("paths")
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method in HTTP_METHODS:
            operation = item.get(method)
            if isinstance(operation, dict):
                yield OperationSite(path, method, operation, item)


def iter_schemas(spec: dict[str, Any]) -> Iterator[tuple[list[Part], dict[str, Any]]]:
    """Every schema object in the document, depth first, each once (references are not followed)."""
    for parts, schema in _schema_roots(spec):
        yield from _subschemas(parts, schema)


def _schema_roots(spec: dict[str, Any]) -> Iterator[tuple[list[Part], Any]]:
    components = spec.get("components")
    if isinstance(components, dict):
        for name, schema in _items(components.get("schemas")):
            yield ["components", "schemas", name], schema
        for kind in ("parameters", "headers"):
            for name, obj in _items(components.get(kind)):
                yield from _holder_schemas(["components", kind, name], obj)
        for kind in ("responses", "requestBodies"):
            for name, obj in _items(components.get(kind)):
                yield from _content_schemas(["components", kind, name], obj)
    paths = spec.get("paths")
    for path, item in _items(paths):
        if not isinstance(item, dict):
            continue
        yield from _parameter_schemas(["paths", path], item)
        for method in HTTP_METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            base: list[Part] = ["paths", path, method]
            yield from _parameter_schemas(base, op)
            yield from _content_schemas([*base, "requestBody"], op.get("requestBody"))
            for status, response in _items(op.get("responses")):
                yield from _content_schemas([*base, "responses", status], response)


def _items(obj: Any) -> Iterator[tuple[str, Any]]:
    if isinstance(obj, dict):
        yield from obj.items()


def _holder_schemas(parts: list[Part], obj: Any) -> Iterator[tuple[list[Part], Any]]:
    if isinstance(obj, dict):
        if "schema" in obj:
            yield [*parts, "schema"], obj["schema"]
        yield from _content_schemas(parts, obj)


def _parameter_schemas(parts: list[Part], obj: dict[str, Any]) -> Iterator[tuple[list[Part], Any]]:
    params = obj.get("parameters")
    if isinstance(params, list):
        for index, param in enumerate(params):
            yield from _holder_schemas([*parts, "parameters", index], param)


def _content_schemas(parts: list[Part], obj: Any) -> Iterator[tuple[list[Part], Any]]:
    if not isinstance(obj, dict):
        return
    for media, media_obj in _items(obj.get("content")):
        if isinstance(media_obj, dict) and "schema" in media_obj:
            yield [*parts, "content", media, "schema"], media_obj["schema"]
    for name, header in _items(obj.get("headers")):
        yield from _holder_schemas([*parts, "headers", name], header)


def _subschemas(parts: list[Part], schema: Any) -> Iterator[tuple[list[Part], dict[str, Any]]]:
    stack = [(parts, schema)]
    while stack:
        here, node = stack.pop()
        if not isinstance(node, dict):
            continue
        yield here, node
        children: list[tuple[list[Part], Any]] = []
        for key in SUBSCHEMA_MAPS:
            for name, sub in _items(node.get(key)):
                children.append(([*here, key, name], sub))
        for key in SUBSCHEMA_LISTS:
            subs = node.get(key)
            if isinstance(subs, list):
                children.extend(([*here, key, i], sub) for i, sub in enumerate(subs))
        for key in SUBSCHEMA_SINGLE:
            if key in node:
                children.append(([*here, key], node[key]))
        stack.extend(reversed(children))
