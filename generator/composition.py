"""Prepare's rewrites of composition, so that datamodel-code-generator models what a spec means:
nullable `allOf` wrappers, discriminator values of each branch and child, properties that travel
one way only, and `allOf` children that redefine a parent's property."""

from __future__ import annotations

from typing import Any

from .effective import discriminator, listed_values, schema_ref
from .pointer import deref, local_ref_parts, lookup


def narrow_discriminated_children(schemas: dict[str, Any]) -> None:
    """A child (`allOf: [$ref Parent, ...]`) of a parent with a discriminator has its own value of
    the discriminating property: the mapping's key for it, or else its schema name. It is written
    into the child, so `{"type": "user"}` is a User instead of failing the parent's `"account"`."""
    for name, parent in schemas.items():
        disc = parent.get("discriminator") if isinstance(parent, dict) else None
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            continue
        mapping = disc.get("mapping")
        pairs = mapping.items() if isinstance(mapping, dict) else []
        values = {schema_ref(str(target)): str(value) for value, target in pairs}
        for child_name, child in schemas.items():
            branches = child.get("allOf") if isinstance(child, dict) else None
            parent_ref = f"#/components/schemas/{name}"
            if child is parent or not isinstance(branches, list):
                continue
            if not any(isinstance(b, dict) and b.get("$ref") == parent_ref for b in branches):
                continue
            own = [b for b in branches if isinstance(b, dict) and "$ref" not in b]
            if any(listed_values(b.get("properties", {}).get(disc["propertyName"])) for b in [child, *own]):
                continue  # the child says its own values
            value = values.get(f"#/components/schemas/{child_name}", child_name)
            narrowed = {"type": "string", "enum": [value]}
            branches.append({"type": "object", "properties": {disc["propertyName"]: narrowed}})


def complete_discriminator_mapping(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """A `oneOf`/`anyOf` with a discriminator maps each value the branches declare (their enum or
    const) to its branch. Without it, datamodel-code-generator gives every unmapped branch its
    schema name as the only value: OpenAI's WebSearchTool would take `type: "WebSearchTool"` and
    refuse `"web_search"`."""
    if not schema.get("oneOf") and not schema.get("anyOf"):
        return
    found = discriminator(spec, schema)
    given = schema["discriminator"].get("mapping") if found else None
    mapping: dict[str, Any] = given if isinstance(given, dict) else {}
    if found is not None and set(found.mapping) != set(mapping):
        schema["discriminator"]["mapping"] = {**found.mapping, **mapping}


def required_both_ways_only(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """A required readOnly property is required in responses only, a writeOnly one in requests
    only; the one model serves both, so neither is required of it. Build leaves readOnly
    properties out of request arguments."""
    required, properties = schema.get("required"), schema.get("properties")
    if not isinstance(required, list) or not isinstance(properties, dict):
        return
    one_way = {
        name
        for name, sub in properties.items()
        if isinstance(target := deref(spec, sub), dict)
        and (target.get("readOnly") or target.get("writeOnly"))
    }
    if one_way & set(required):
        schema["required"] = [r for r in required if r not in one_way]
        if not schema["required"]:
            del schema["required"]


_ANNOTATIONS = frozenset({"nullable", "description", "title", "default", "example", "deprecated"})


def unwrap_annotated_allof(schema: dict[str, Any]) -> None:
    """`allOf: [{$ref: X}, {nullable: true}]` says "X or null" (upstream's way of annotating a
    reference in OpenAPI 3.0): it becomes `anyOf: [X, null]`, so a union X keeps its branches
    instead of becoming an empty object model. Annotations move onto the schema itself."""
    branches = schema.get("allOf")
    if not isinstance(branches, list) or not all(isinstance(b, dict) for b in branches):
        return
    notes = [b for b in branches if b and set(b) <= _ANNOTATIONS]
    kept = [b for b in branches if b not in notes]
    if not notes or len(kept) != 1:
        return
    del schema["allOf"]
    nullable = any(b.get("nullable") is True for b in notes)
    for note in notes:
        for key, value in note.items():
            if key != "nullable":
                schema.setdefault(key, value)
    if nullable:
        schema["anyOf"] = [kept[0], {"type": "null"}]
    else:
        schema["allOf"] = kept


def flatten_conflicting_allof(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """`allOf: [$ref Parent, {properties}]` that redefines a parent's property with another schema
    cannot be a Python subclass; such a schema becomes one object with the properties merged."""
    branches = schema.get("allOf")
    if not isinstance(branches, list) or len(branches) < 2:
        return
    parents, own = [], []
    for branch in branches:
        if isinstance(branch, dict) and isinstance(branch.get("$ref"), str):
            target = _target(spec, branch["$ref"])
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


def _target(spec: dict[str, Any], ref: str) -> Any:
    """What a local reference points at, or None."""
    try:
        return lookup(spec, local_ref_parts(ref) or [""])
    except KeyError:
        return None
