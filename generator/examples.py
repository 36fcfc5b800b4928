"""The spec's examples, and validation of a value against a schema at a place in the spec."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from jsonschema.exceptions import ValidationError
from openapi_schema_validator import OAS30Validator, OAS31Validator
from referencing import Registry
from referencing.jsonschema import DRAFT202012

from .pointer import Part, to_pointer
from .walk import iter_operations, iter_schemas

_BASE = "urn:sdkgen:spec"


@dataclass(frozen=True)
class Example:
    parts: tuple[Part, ...]  # where the example value is
    schema_parts: tuple[Part, ...]  # the schema it must satisfy
    value: Any


def iter_examples(spec: dict[str, Any]) -> Iterator[Example]:
    """Media-type examples of requests and responses, and schema-level `example(s)`."""
    for site in iter_operations(spec):
        holders: list[tuple[list[Part], Any]] = [
            ([*site.parts, "requestBody"], site.operation.get("requestBody"))
        ]
        for status, response in (site.operation.get("responses") or {}).items():
            holders.append(([*site.parts, "responses", status], response))
        for parts, holder in holders:
            yield from _media_examples(parts, holder)
    for name, response in ((spec.get("components") or {}).get("responses") or {}).items():
        yield from _media_examples(["components", "responses", name], response)
    for parts, schema in iter_schemas(spec):
        if "example" in schema:
            yield Example((*parts, "example"), tuple(parts), schema["example"])
        if isinstance(schema.get("examples"), list):
            for i, value in enumerate(schema["examples"]):
                yield Example((*parts, "examples", i), tuple(parts), value)


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
        self.registry: Registry[Any] = Registry().with_resource(_BASE, DRAFT202012.create_resource(spec))
        self.cls = OAS31Validator if str(spec.get("openapi", "")).startswith("3.1") else OAS30Validator

    def errors(self, schema_parts: tuple[Part, ...] | list[Part], value: Any) -> list[ValidationError]:
        schema = {"$ref": _BASE + to_pointer(schema_parts)}
        validator = self.cls(schema, registry=self.registry)
        return sorted(validator.iter_errors(value), key=lambda e: list(map(str, e.absolute_path)))
