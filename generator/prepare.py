"""Prepare the spec for generation: one copy, in which every request and response model has a name."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from typing import Any

from . import cache
from .composition import (
    complete_discriminator_mapping,
    flatten_conflicting_allof,
    narrow_discriminated_children,
    required_both_ways_only,
    unwrap_annotated_allof,
)
from .descriptions import without_descriptions
from .diagnostics import Diagnostic, Level, SpecError
from .effective import is_nullable
from .naming import class_name
from .pointer import REFERENCE_KEYWORDS, Part, component_key, local_ref_parts, to_pointer
from .walk import iter_dicts, iter_operations, iter_schemas


def prepare_spec(
    spec: dict[str, Any], package: str, model_names: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """A copy in which inline request and response schemas are named components, like $ref'd ones,
    and secret strings (`format: password`) are the runtime's Secret, masked in reprs."""
    spec = _clean_prose(copy.deepcopy(spec))
    _drop_invalid_defaults(spec)
    narrow_discriminated_children(spec.get("components", {}).get("schemas") or {})
    for _, schema in iter_schemas(spec):
        complete_discriminator_mapping(spec, schema)
    for _, schema in iter_schemas(spec):
        if schema.get("format") == "password" and schema.get("type") == "string":
            schema["x-python-type"] = f"{package}._runtime.Secret"
        _repair(spec, schema)
        required_both_ways_only(spec, schema)
        unwrap_annotated_allof(schema)
        flatten_conflicting_allof(spec, schema)
    schemas = spec.setdefault("components", {}).setdefault("schemas", {})
    _canonical_refs(spec, _safe_schema_keys(schemas, model_names or {}))
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
    wrong type, which type checkers refuse: it is left out, as if the spec had none. Most defaults
    are plainly valid (`type: integer, default: 10`); the validator, a quarter of a second to import,
    checks the others, and its verdicts are cached by what they depend on."""
    with_defaults = [
        (parts, s)
        for parts, s in iter_schemas(spec)
        if s.get("default") is not None and not _plainly_valid(s, s["default"])
    ]
    if not with_defaults:
        return
    key = _verdicts_key(spec, with_defaults)
    invalid = cache.get("defaults", key) if key is not None else None
    if not isinstance(invalid, list):
        invalid = _invalid_defaults(spec, with_defaults)
        if key is not None:
            cache.put("defaults", key, invalid)
    for parts, schema in with_defaults:
        if list(parts) in invalid:
            del schema["default"]


def _verdicts_key(spec: dict[str, Any], with_defaults: list[tuple[list[Part], dict[str, Any]]]) -> str | None:
    """What the validator's verdicts on these defaults depend on: their schemas and the component
    schemas those reach by `$ref`, without descriptions (which validate nothing); None when a
    reference leads elsewhere."""
    components = (spec.get("components") or {}).get("schemas") or {}
    parts_json, reached = [], set()
    pending = []
    for parts, schema in with_defaults:
        parts_json.append([list(parts), without_descriptions({"": schema})[0][""]])
        pending.append(schema)
    while pending:
        for ref in (str(d[k]) for d in iter_dicts(pending.pop()) for k in REFERENCE_KEYWORDS if k in d):
            name = component_key(ref)
            if name is None or not isinstance(components.get(name), dict):
                return None
            if name not in reached:
                reached.add(name)
                pending.append(components[name])
    reachable = without_descriptions({name: components[name] for name in sorted(reached)})[0]
    return cache.key(
        "defaults", str(spec.get("openapi", "")), json.dumps([parts_json, reachable], default=str)
    )


def _invalid_defaults(
    spec: dict[str, Any], with_defaults: list[tuple[list[Part], dict[str, Any]]]
) -> list[list[Part]]:
    """The places of the defaults their schemas refuse, by openapi-schema-validator."""
    from openapi_schema_validator import OAS30Validator, OAS31Validator
    from referencing import Registry, Resource
    from referencing.exceptions import Unresolvable
    from referencing.jsonschema import DRAFT202012

    kind = OAS30Validator if str(spec.get("openapi", "")).startswith("3.0") else OAS31Validator
    registry: Registry[Any] = Registry().with_resource(_SPEC_URI, Resource.from_contents(spec, DRAFT202012))
    invalid = []
    for parts, schema in with_defaults:  # by reference, so that the schema's own `#/...` refs resolve
        validator = kind(
            {"$ref": _SPEC_URI + to_pointer(parts)}, registry=registry, format_checker=kind.FORMAT_CHECKER
        )
        try:
            valid = validator.is_valid(schema["default"])
        except (Unresolvable, ValueError, TypeError):  # a broken $ref: validate reports it
            continue
        if not valid:
            invalid.append(list(parts))
    return invalid


_SPEC_URI = "urn:sdkgen:spec"
_PLAIN_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
}
_PLAIN_KEYWORDS = frozenset(
    "type default description title example examples deprecated enum minimum maximum".split()
    + ["nullable", "readOnly", "writeOnly"]
)
_EMPTY_LIST_KEYWORDS = _PLAIN_KEYWORDS - {"minimum", "maximum"} | {
    "items",
    "minItems",
    "maxItems",
    "uniqueItems",
}


def _plainly_valid(schema: dict[str, Any], default: Any) -> bool:
    """Whether a default is valid at a glance: a string, integer, number or boolean of its schema's
    one type, in its `enum`, within its inclusive bounds, and nothing else to check, or an empty
    list where an array may be empty. False means "ask the validator", never "invalid"."""
    kind = schema.get("type")
    if kind == "array":
        return _empty_list_allowed(schema, default)
    types = _PLAIN_TYPES.get(kind) if isinstance(kind, str) else None
    if types is None or not isinstance(default, types) or isinstance(default, bool) != (kind == "boolean"):
        return False
    if any(k not in _PLAIN_KEYWORDS and not str(k).startswith("x-") for k in schema):
        return False
    if not _in_enum(schema, default):
        return False
    low, high = schema.get("minimum"), schema.get("maximum")
    if low is None and high is None:
        return True
    numbers = (int, float)
    return (
        kind != "string"
        and (low is None or (type(low) in numbers and low <= default))
        and (high is None or (type(high) in numbers and default <= high))
    )


def _empty_list_allowed(schema: dict[str, Any], default: Any) -> bool:
    """`[]` for an array schema whose items, bounds and `enum` let a list be empty."""
    if not isinstance(default, list) or default:
        return False
    if any(k not in _EMPTY_LIST_KEYWORDS and not str(k).startswith("x-") for k in schema):
        return False
    fewest, most = schema.get("minItems", 0), schema.get("maxItems", 0)
    counts = all(type(n) is int and n >= 0 for n in (fewest, most))
    return (
        counts
        and fewest == 0
        and type(schema.get("uniqueItems", False)) is bool
        and _in_enum(schema, default)
    )


def _in_enum(schema: dict[str, Any], default: Any) -> bool:
    """Whether `default` is one of the schema's `enum` values (of its very type), when it has one."""
    enum = schema.get("enum")
    return enum is None or (
        isinstance(enum, list) and any(type(v) is type(default) and v == default for v in enum)
    )


def _name_inline(schemas: dict[str, Any], name: str, media: dict[str, Any]) -> None:
    name = _free_name(schemas, name)
    schemas[name] = media["schema"]
    media["schema"] = {"$ref": f"#/components/schemas/{name}"}


_SAFE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _safe_schema_keys(schemas: dict[str, Any], chosen: Mapping[str, str]) -> dict[str, str]:
    """Component keys renamed in place: to the class name `[tool.sdkgen.names.models]` chooses, and
    keys with dots or other marks (`verify.v2.service`) to plain ones, since datamodel-code-generator
    reads a dot as a module path. Returns old -> new."""
    taken = dict.fromkeys(k for k in schemas if k not in chosen)
    renamed: dict[str, str] = {}
    for key in [k for k in schemas if k in chosen or not _SAFE_KEY.fullmatch(k)]:
        wanted = chosen.get(key) or re.sub(r"[^A-Za-z0-9_-]+", "_", key).strip("_") or "Schema"
        if key in chosen and wanted in taken:
            raise SpecError(
                [
                    Diagnostic(
                        "pyproject.toml",
                        0,
                        0,
                        "#/tool/sdkgen/names/models",
                        Level.ERROR,
                        f"{key!r} = {wanted!r}: another schema is already called {wanted!r}",
                    )
                ]
            )
        renamed[key] = _free_name(taken, wanted)
        taken[renamed[key]] = None
    if renamed:
        items = [(renamed.get(key, key), schema) for key, schema in schemas.items()]
        schemas.clear()
        schemas.update(items)
    return renamed


def _canonical_refs(spec: dict[str, Any], renamed: dict[str, str]) -> None:
    """Every local `$ref` in its plain form: percent-decoded (it is a URI) and pointing at the
    renamed component keys."""
    for node in iter_dicts(spec):
        ref = node.get("$ref")
        if isinstance(ref, str) and ref.startswith("#") and ("%" in ref or renamed):
            parts = local_ref_parts(ref)
            if parts is not None:
                if parts[:2] == ["components", "schemas"] and len(parts) > 2 and parts[2] in renamed:
                    parts[2] = renamed[parts[2]]
                node["$ref"] = to_pointer(parts)


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
                    current[key] = _INVISIBLE.sub(_escaped, value)
                elif isinstance(value, dict | list):
                    stack.append(value)
        elif isinstance(current, list):
            stack.extend(v for v in current if isinstance(v, dict | list))
    return node


# Unicode's control characters but newline and tab (category Cc), surrogates (Cs), and the line and
# paragraph separators (Zl, Zp)
_INVISIBLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]")


def _escaped(found: re.Match[str]) -> str:
    return f"\\u{ord(found[0]):04x}"


def _repair(spec: dict[str, Any], schema: dict[str, Any]) -> None:
    """Fix what validation let through as warnings (see validate.REPAIRED)."""
    for bound, limit in (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum")):
        if isinstance(schema.get(bound), bool):
            if schema.pop(bound) and isinstance(schema.get(limit), int | float):
                schema[bound] = schema.pop(limit)
    if isinstance(schema.get("required"), list):
        schema["required"] = list(dict.fromkeys(schema["required"]))
    schema.pop("$recursiveAnchor", None)
    schema.pop("$recursiveRef", None)  # a 2019-09 keyword too: OpenAPI 3.1 ignores it, as must we
    if isinstance(schema.get("pattern"), str) and not _usable_pattern(schema["pattern"]):
        schema.pop("pattern")
    if "default" in schema and schema["default"] is None and not is_nullable(spec, schema):
        schema["nullable"] = True  # `default: null` is one of the ways upstream says nullable
    if schema.get("nullable") is False:
        del schema["nullable"]  # what not saying it means; datamodel-code-generator reads it as None


def _usable_pattern(pattern: str) -> bool:
    """Whether pydantic (whose Rust engine knows `\\p{L}`, unlike `re`) can compile the pattern."""
    from pydantic_core import SchemaError, SchemaValidator, core_schema

    try:
        SchemaValidator(core_schema.str_schema(pattern=pattern))
    except SchemaError:
        return False
    return True


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
    """Objects and compositions; a union gets a name of its own, so a method can say what it takes."""
    return schema.get("type") == "object" or any(
        k in schema for k in ("properties", "allOf", "anyOf", "oneOf")
    )


def _free_name(taken: dict[str, Any], name: str) -> str:
    candidate, n = name, 2
    while candidate in taken:
        candidate, n = f"{name}{n}", n + 1
    return candidate
