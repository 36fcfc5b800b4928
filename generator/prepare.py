"""Prepare the spec for generation: one copy, in which every request and response model has a name."""

from __future__ import annotations

import copy
import re
import unicodedata
from typing import Any

from .effective import object_view
from .naming import class_name
from .pointer import local_ref_parts, lookup, to_pointer
from .walk import iter_operations, iter_schemas


def prepare_spec(spec: dict[str, Any], package: str) -> dict[str, Any]:
    """A copy in which inline request and response schemas are named components, like $ref'd ones,
    and secret strings (`format: password`) are the runtime's Secret, masked in reprs."""
    spec = _clean_prose(copy.deepcopy(spec))
    _drop_invalid_defaults(spec)
    _narrow_discriminated_children(spec.get("components", {}).get("schemas") or {})
    for _, schema in iter_schemas(spec):
        _complete_discriminator_mapping(spec, schema)
    for _, schema in iter_schemas(spec):
        if schema.get("format") == "password" and schema.get("type") == "string":
            schema["x-python-type"] = f"{package}._runtime.Secret"
        _repair(schema)
        _required_both_ways_only(spec, schema)
        _unwrap_annotated_allof(schema)
        _flatten_conflicting_allof(spec, schema)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _canonical_refs(spec, _safe_schema_keys(schemas))
    for site in iter_operations(spec):
        base = class_name(site.operation.get("operationId") or f"{site.method} {site.path}")
        for suffix, media in _inline_media(site.operation):
            _name_inline(schemas, base + suffix, media)
    components = spec["components"]
    for kind in ("responses", "requestBodies"):
        for key, holder in (components.get(kind) or {}).items():
            for media in _model_worthy_media(holder):
                _name_inline(schemas, class_name(str(key)) or kind.title(), media)
    return spec


def _drop_invalid_defaults(spec: dict[str, Any]) -> None:
    """A default that breaks its own schema (validate warns of each) would be a field default of the
    wrong type, which type checkers refuse: it is left out, as if the spec had none."""
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    with_defaults = [(parts, s) for parts, s in iter_schemas(spec) if s.get("default") is not None]
    if not with_defaults:
        return
    kind = OAS30Validator if str(spec.get("openapi", "")).startswith("3.0") else OAS31Validator
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, Resource.from_contents(spec, DRAFT202012))
    for parts, schema in with_defaults:  # by reference, so that the schema's own `#/...` refs resolve
        validator = kind(
            {"$ref": _SPEC_URI + to_pointer(parts)}, registry=registry, format_checker=kind.FORMAT_CHECKER
        )
        try:
            valid = validator.is_valid(schema["default"])
        except (Unresolvable, ValueError, TypeError):  # a broken $ref: validate reports it
            continue
        if not valid:
            del schema["default"]


_SPEC_URI = "urn:sdkgen:spec"


def _name_inline(schemas: dict[str, Any], name: str, media: dict[str, Any]) -> None:
    name = _free_name(schemas, name)
    schemas[name] = media["schema"]
    media["schema"] = {"$ref": f"#/components/schemas/{name}"}


_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _safe_schema_keys(schemas: dict[str, Any]) -> dict[str, str]:
    """Component keys with dots or other marks (`verify.v2.service`) are renamed to plain ones, in
    place: datamodel-code-generator reads a dot as a module path. Returns old -> new."""
    taken = dict.fromkeys(schemas)
    renamed: dict[str, str] = {}
    for key in [k for k in schemas if not _SAFE_KEY.fullmatch(k)]:
        renamed[key] = _free_name(taken, re.sub(r"[^A-Za-z0-9_-]+", "_", key).strip("_") or "Schema")
        taken[renamed[key]] = None
    if renamed:
        items = [(renamed.get(key, key), schema) for key, schema in schemas.items()]
        schemas.clear()
        schemas.update(items)
    return renamed


def _canonical_refs(spec: dict[str, Any], renamed: dict[str, str]) -> None:
    """Every local `$ref` in its plain form: percent-decoded (it is a URI) and pointing at the
    renamed component keys."""
    stack: list[Any] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith("#") and ("%" in ref or renamed):
                parts = local_ref_parts(ref)
                if parts is not None:
                    if parts[:2] == ["components", "schemas"] and len(parts) > 2 and parts[2] in renamed:
                        parts[2] = renamed[parts[2]]
                    node["$ref"] = to_pointer(parts)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


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
    if schema.get("nullable") is False:
        del schema["nullable"]  # what not saying it means; datamodel-code-generator reads it as None


def _narrow_discriminated_children(schemas: dict[str, Any]) -> None:
    """A child (`allOf: [$ref Parent, ...]`) of a parent with a discriminator has its own value of
    the discriminating property: the mapping's key for it, or else its schema name. It is written
    into the child, so `{"type": "user"}` is a User instead of failing the parent's `"account"`."""
    for name, parent in schemas.items():
        disc = parent.get("discriminator") if isinstance(parent, dict) else None
        if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
            continue
        mapping = disc.get("mapping")
        pairs = mapping.items() if isinstance(mapping, dict) else []
        values = {_schema_ref(str(target)): str(value) for value, target in pairs}
        for child_name, child in schemas.items():
            branches = child.get("allOf") if isinstance(child, dict) else None
            parent_ref = f"#/components/schemas/{name}"
            if child is parent or not isinstance(branches, list):
                continue
            if not any(isinstance(b, dict) and b.get("$ref") == parent_ref for b in branches):
                continue
            own = [b for b in branches if isinstance(b, dict) and "$ref" not in b]
            if any(_values_of(b.get("properties", {}).get(disc["propertyName"])) for b in [child, *own]):
                continue  # the child says its own values
            value = values.get(f"#/components/schemas/{child_name}", child_name)
            narrowed = {"type": "string", "enum": [value]}
            branches.append({"type": "object", "properties": {disc["propertyName"]: narrowed}})


def _complete_discriminator_mapping(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """A `oneOf`/`anyOf` with a discriminator maps each value the branches declare (their enum or
    const) to its branch. Without it, datamodel-code-generator gives every unmapped branch its
    schema name as the only value: OpenAI's WebSearchTool would take `type: "WebSearchTool"` and
    refuse `"web_search"`."""
    disc = schema.get("discriminator")
    branches = [*(schema.get("oneOf") or []), *(schema.get("anyOf") or [])]
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str) or not branches:
        return
    given = disc.get("mapping")
    mapping: dict[str, Any] = given if isinstance(given, dict) else {}
    mapped = {_schema_ref(str(target)) for target in mapping.values()}
    completed = dict(mapping)
    for branch in branches:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not isinstance(ref, str) or ref in mapped:
            continue
        prop = object_view(spec, branch).properties.get(disc["propertyName"])
        for value in _values_of(_deref(spec, prop)) or [ref.rsplit("/", 1)[-1]]:
            completed.setdefault(str(value), ref)
    if completed != mapping:
        disc["mapping"] = completed


def _values_of(prop: Any) -> list[Any]:
    """The values a property schema allows, where it lists them (`enum`, `const`)."""
    if not isinstance(prop, dict):
        return []
    if "const" in prop:
        return [prop["const"]]
    return [v for v in prop.get("enum") or [] if isinstance(v, str)]


def _schema_ref(target: str) -> str:
    """A mapping target as a reference: OpenAPI allows a bare schema name there."""
    return target if target.startswith("#") or "/" in target else f"#/components/schemas/{target}"


def _required_both_ways_only(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """A required readOnly property is required in responses only, a writeOnly one in requests
    only; the one model serves both, so neither is required of it. Build leaves readOnly
    properties out of request arguments."""
    required, properties = schema.get("required"), schema.get("properties")
    if not isinstance(required, list) or not isinstance(properties, dict):
        return
    one_way = {
        name
        for name, sub in properties.items()
        if isinstance(target := _deref(spec, sub), dict)
        and (target.get("readOnly") or target.get("writeOnly"))
    }
    if one_way & set(required):
        schema["required"] = [r for r in required if r not in one_way]
        if not schema["required"]:
            del schema["required"]


def _deref(spec: dict[str, Any], node: Any) -> Any:
    return (
        _local(spec, node["$ref"]) if isinstance(node, dict) and isinstance(node.get("$ref"), str) else node
    )


_ANNOTATIONS = frozenset({"nullable", "description", "title", "default", "example", "deprecated"})


def _unwrap_annotated_allof(schema: dict[str, Any]) -> None:
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
        found.extend((suffix, media) for media in _model_worthy_media(holder))
    return found


def _model_worthy_media(holder: Any) -> list[dict[str, Any]]:
    """The media types of a request body or response whose inline schema deserves a model."""
    content = holder.get("content") if isinstance(holder, dict) else None
    return [
        media
        for media in (content.values() if isinstance(content, dict) else [])
        if isinstance(media, dict)
        and isinstance(media.get("schema"), dict)
        and "$ref" not in media["schema"]
        and _is_model_worthy(media["schema"])
    ]


def _is_model_worthy(schema: dict[str, Any]) -> bool:
    return schema.get("type") == "object" or "properties" in schema or "allOf" in schema


def _free_name(taken: dict[str, Any], name: str) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    return candidate
