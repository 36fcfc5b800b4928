"""The spec's examples, and validation of a value against a schema at a place in the spec."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import cache
from .effective import EffectiveSchemas
from .pointer import REFERENCE_KEYWORDS, Part, component_key, lookup, to_pointer
from .walk import iter_dicts, iter_operations, iter_schemas

if TYPE_CHECKING:
    from jsonschema.exceptions import ValidationError
    from referencing import Registry

_BASE = "urn:sdkgen:spec"


@dataclass(frozen=True)
class Example:
    parts: tuple[Part, ...]  # where the example value is
    schema_parts: tuple[Part, ...]  # the schema it must satisfy
    value: Any


def iter_examples(spec: dict[str, Any]) -> Iterator[Example]:
    """Media-type examples of requests and responses, parameter examples, and schema-level `example(s)`."""
    for site in iter_operations(spec):
        holders: list[tuple[list[Part], Any]] = [
            ([*site.parts, "requestBody"], site.operation.get("requestBody"))
        ]
        for status, response in (site.operation.get("responses") or {}).items():
            holders.append(([*site.parts, "responses", status], response))
        for parts, holder in holders:
            yield from _media_examples(parts, holder)
    yield from _parameter_examples(spec)
    for name, response in ((spec.get("components") or {}).get("responses") or {}).items():
        yield from _media_examples(["components", "responses", name], response)
    for parts, schema in iter_schemas(spec):
        if "example" in schema:
            yield Example((*parts, "example"), tuple(parts), schema["example"])
        if isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                yield Example((*parts, "examples", i), tuple(parts), value)


def invalid_examples(
    spec: dict[str, Any], among: Iterable[Example] | None = None
) -> list[tuple[Example, str]]:
    """The examples (of media types, parameters and schemas; or `among`, where given) that break
    their own schema, and how (the first problem); examples the validator cannot judge (a pattern
    Python cannot compile) are left out."""
    checker = SchemaChecker(spec)
    found: list[tuple[Example, str]] = []
    for example in iter_examples(spec) if among is None else among:
        try:
            errors = checker.errors(example.schema_parts, example.value)
        except Exception:  # noqa: BLE001 - a schema jsonschema cannot apply judges nothing
            continue
        if errors:
            where = "/".join(map(str, errors[0].absolute_path))
            found.append((example, f"{where + ': ' if where else ''}{errors[0].message[:200]}"))
    return found


def same_places(spec: dict[str, Any], examples: Iterable[Example]) -> list[Example]:
    """The examples another version of the spec has at the same places, with its own values."""
    found = []
    for example in examples:
        try:
            value = lookup(spec, list(example.parts))
            lookup(spec, list(example.schema_parts))
        except (KeyError, IndexError, TypeError):
            continue
        found.append(Example(example.parts, example.schema_parts, value))
    return found


def _parameter_examples(spec: dict[str, Any]) -> Iterator[Example]:
    for site in iter_operations(spec):
        for holder, parts in ((site.path_item, list(site.parts[:2])), (site.operation, list(site.parts))):
            for i, param in enumerate(holder.get("parameters") or [] if isinstance(holder, dict) else []):
                if isinstance(param, dict) and "schema" in param and "$ref" not in param:
                    here = (*parts, "parameters", i)
                    if "example" in param:
                        yield Example((*here, "example"), (*here, "schema"), param["example"])
                    for name, example in (param.get("examples") or {}).items():
                        if isinstance(example, dict) and "value" in example:
                            yield Example(
                                (*here, "examples", name, "value"), (*here, "schema"), example["value"]
                            )


def _media_examples(parts: list[Part], holder: Any) -> Iterator[Example]:
    if not isinstance(holder, dict) or "$ref" in holder:
        return
    for media, obj in (holder.get("content") or {}).items():
        if not isinstance(obj, dict) or "schema" not in obj:
            continue
        here = [*parts, "content", media]
        schema = (*here, "schema")
        if "example" in obj:
            yield Example((*here, "example"), schema, obj["example"])
        for name, example in (obj.get("examples") or {}).items():
            if isinstance(example, dict) and "value" in example:
                yield Example((*here, "examples", name, "value"), schema, example["value"])


class SchemaChecker:
    """Validates values against schemas of one spec, references resolved within it."""

    def __init__(self, spec: dict[str, Any]) -> None:
        # imported here: the render child needs them only for a spec with examples (a third of a second)
        from openapi_schema_validator import OAS30Validator, OAS31Validator
        from referencing import Registry
        from referencing.jsonschema import DRAFT202012

        self.registry: Registry[Any] = Registry().with_resource(_BASE, DRAFT202012.create_resource(spec))
        self.cls = OAS30Validator if str(spec.get("openapi", "")).startswith("3.0") else OAS31Validator

    def errors(self, schema_parts: tuple[Part, ...] | list[Part], value: Any) -> list[ValidationError]:
        schema = {"$ref": _BASE + to_pointer(schema_parts)}
        validator = self.cls(schema, registry=self.registry)
        return sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))


def fits(schemas: EffectiveSchemas, schema: Any, value: Any) -> bool:
    """Whether `value` satisfies a referenced schema; a spec's own example sometimes does not. The
    verdict is cached when the schema's digest covers all it depends on (`_verdict_key`)."""
    target = schemas.resolve(schema)
    if not target.origin:
        return True
    key = _verdict_key(schemas, target.origin, value)
    verdict = cache.get("examples", key) if key is not None else None
    if not isinstance(verdict, bool):
        checker = schemas.memo.get("checker") or schemas.memo.setdefault(
            "checker", SchemaChecker(schemas.spec)
        )
        verdict = not checker.errors(target.origin, value)
        if key is not None:
            cache.put("examples", key, verdict)
    return verdict


def _verdict_key(schemas: EffectiveSchemas, origin: tuple[Part, ...], value: Any) -> str | None:
    """A component schema's digest covers the component schemas it reaches, not what a reference
    elsewhere (or an `$id`, an anchor) would bring in: with one of those in its group, or for a
    schema that is not a component, there is no key."""
    inside = len(origin) > 2 and origin[:2] == ("components", "schemas")
    digest = schemas.digests.get(str(origin[2])) if inside else None
    if digest is None:
        return None
    closed: dict[str, bool] = schemas.memo.setdefault("closed-digests", {})
    if digest not in closed:
        members = [
            s
            for key, s in schemas.spec["components"]["schemas"].items()
            if schemas.digests.get(key) == digest
        ]
        closed[digest] = not any(_reaches_out(node) for node in iter_dicts(members))
    if not closed[digest]:
        return None
    return cache.key("examples", digest, json.dumps([list(origin), value], sort_keys=True, default=str))


def _reaches_out(node: dict[str, Any]) -> bool:
    if any(key in node for key in ("$id", "$anchor", "$dynamicAnchor", "$recursiveAnchor")):
        return True
    refs = (node[key] for key in REFERENCE_KEYWORDS if key in node)
    return any(not isinstance(ref, str) or component_key(ref) is None for ref in refs)


_FORMATS = {
    "date-time": "2025-01-01T00:00:00Z",
    "date": "2025-01-01",
    "time": "12:00:00Z",
    "email": "user@example.com",
    "uri": "https://example.com",
    "url": "https://example.com",
    "uuid": "00000000-0000-4000-8000-000000000000",
    "password": "secret",
}


def synthesize(schemas: EffectiveSchemas, schema: Any, depth: int = 0) -> Any:
    """A value that satisfies `schema`, for docs where the spec gives no example.

    It prefers the schema's own example, default, const or first enum value; objects carry their
    effective required properties (`allOf` merged), and near the top all properties, so examples
    show the shape.
    """
    if depth > 12 or not isinstance(schema, dict):
        return None
    if isinstance(schema.get("$ref"), str):
        return synthesize(schemas, schemas.resolve(schema).schema, depth + 1)
    if "const" in schema:
        return schema["const"]
    given = [schema["example"]] if "example" in schema else []
    given += schema["examples"][:1] if isinstance(schema.get("examples"), list) else []
    given += [schema["default"]] if schema.get("default") is not None else []
    for value in given:
        if _of_type(schema, value):  # an example of the wrong type (JSON text for an object) is skipped
            return value
    if isinstance(schema.get("enum"), list) and schema["enum"]:
        return schema["enum"][0]
    for key in ("oneOf", "anyOf"):
        branches = [b for b in schema.get(key) or [] if not (isinstance(b, dict) and b.get("type") == "null")]
        if branches and _constrains_only(branches[0]):  # `anyOf: [{required: [a]}, ...]` on an object
            merged = {k: v for k, v in schema.items() if k not in ("oneOf", "anyOf")}
            merged["required"] = [*(schema.get("required") or []), *(branches[0].get("required") or [])]
            return synthesize(schemas, merged, depth)
        if branches:
            return synthesize(schemas, branches[0], depth + 1)
    if isinstance(schema.get("allOf"), list):
        if not schemas.object(schema).properties:  # a wrapper that annotates one type
            return synthesize(schemas, schema["allOf"][0], depth + 1) if schema["allOf"] else None
        return _by_type(schemas, schema, "object", depth)
    return _by_type(schemas, schema, _first_type(schema), depth)


_JSON_TYPES: dict[str, type | tuple[type, ...]] = {
    "object": dict,
    "array": list,
    "string": str,
    "integer": int,
    "number": (int, float),
    "boolean": bool,
}


def _of_type(schema: dict[str, Any], value: Any) -> bool:
    kinds = schema.get("type")
    kinds = kinds if isinstance(kinds, list) else [kinds] if isinstance(kinds, str) else []
    if not kinds or value is None:
        return not kinds or "null" in kinds or value is not None
    return any(isinstance(value, _JSON_TYPES.get(k, object)) for k in kinds)


_SHAPES = frozenset({"type", "properties", "items", "$ref", "enum", "const", "allOf", "anyOf", "oneOf"})


def _constrains_only(branch: Any) -> bool:
    """A branch that adds rules (required, limits) to its parent's shape instead of being a shape."""
    return isinstance(branch, dict) and not _SHAPES & set(branch)


def _first_type(schema: dict[str, Any]) -> str | None:
    kind = schema.get("type")
    if isinstance(kind, list):
        kind = next((k for k in kind if k != "null"), "null")
    if kind is None and "properties" in schema:
        kind = "object"
    if kind is None and "items" in schema:
        kind = "array"
    return kind if isinstance(kind, str) else None


def _by_type(schemas: EffectiveSchemas, schema: dict[str, Any], kind: str | None, depth: int) -> Any:
    if kind == "object":
        view = schemas.object(schema)
        return {
            name: synthesize(schemas, sub, depth + 1)
            for name, sub in view.properties.items()
            if name in view.required or depth < 3
        }
    if kind == "array":
        item = synthesize(schemas, schema.get("items"), depth + 1)
        return [item] * max(1, int(schema.get("minItems") or 1)) if "items" in schema else []
    if kind == "string":
        text = _FORMATS.get(str(schema.get("format")), "string")
        length = int(schema.get("minLength") or 0)
        return text if len(text) >= length else text + "x" * (length - len(text))
    if kind in ("integer", "number"):
        return _number(schema, kind)
    if kind == "boolean":
        return True
    return None


def _number(schema: dict[str, Any], kind: str) -> int | float:
    low = schema.get("minimum")
    exclusive = schema.get("exclusiveMinimum")
    if isinstance(exclusive, int | float) and not isinstance(exclusive, bool):
        low = exclusive + 1 if kind == "integer" else exclusive + 0.5
    high = schema.get("maximum")
    value = low if isinstance(low, int | float) else 1
    if isinstance(high, int | float) and value > high:
        value = high
    return int(value) if kind == "integer" else float(value)
