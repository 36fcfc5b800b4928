"""The effective-schema model: what a value must look like once references are followed and
`allOf` is merged, with nullability read from each of its spellings, enums known as open or
closed, discriminators with their whole mapping, and where in the spec each part is written.

`EffectiveSchemas` is built once over the prepared spec; build, docs and examples read it instead
of the raw dicts. The module functions serve prepare, which rewrites the spec as it reads it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .pointer import Part, deref, local_ref_parts, lookup

_MAX_DEPTH = 32
_COMPONENT = ("components", "schemas")


@dataclass(frozen=True)
class Target:
    """A schema after its references are followed."""

    schema: Any  # the schema reached ({} when a reference leads nowhere)
    name: str | None  # the components/schemas key the first reference names, if any
    origin: tuple[Part, ...]  # where it is written, when a reference said so


@dataclass(frozen=True)
class ObjectView:
    """The properties of an object schema, its own and those its `allOf` branches bring in."""

    properties: dict[str, Any]  # name -> the property's schema, as written (references kept)
    required: frozenset[str]
    read_only: frozenset[str]
    write_only: frozenset[str]
    origins: dict[str, tuple[Part, ...]]  # name -> the schema whose `properties` defines it


@dataclass(frozen=True)
class Discriminator:
    property: str
    mapping: dict[str, str]  # value -> `#/components/schemas/...`, explicit or implied by branches


EMPTY = ObjectView({}, frozenset(), frozenset(), frozenset(), {})


def resolve(spec: dict[str, Any], schema: Any, origin: tuple[Part, ...] = ()) -> Target:
    """Follow `$ref`s from `schema`; a cycle or a reference that leads nowhere gives `{}`."""
    name: str | None = None
    for _ in range(_MAX_DEPTH):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str):
            return Target(schema, name, origin)
        parts = local_ref_parts(ref)
        try:
            schema = lookup(spec, parts or [])
        except KeyError:
            return Target({}, None, origin)
        origin = tuple(parts or ())
        if name is None and len(origin) == 3 and origin[:2] == _COMPONENT:
            name = str(origin[2])
    return Target({}, None, origin)


def object_view(spec: dict[str, Any], schema: Any, origin: tuple[Part, ...] = ()) -> ObjectView:
    """Merge `allOf` branches (through references, depth first, in order), then the schema's own
    properties: a later definition of a property replaces an earlier one, as a subclass field does."""
    properties: dict[str, Any] = {}
    origins: dict[str, tuple[Part, ...]] = {}
    required: set[str] = set()
    _merge(spec, resolve(spec, schema, origin), properties, origins, required, set(), 0)
    flags = {name: deref(spec, sub) for name, sub in properties.items()}
    return ObjectView(
        properties,
        frozenset(required),
        frozenset(n for n, s in flags.items() if isinstance(s, dict) and s.get("readOnly") is True),
        frozenset(n for n, s in flags.items() if isinstance(s, dict) and s.get("writeOnly") is True),
        origins,
    )


def _merge(
    spec: dict[str, Any],
    target: Target,
    properties: dict[str, Any],
    origins: dict[str, tuple[Part, ...]],
    required: set[str],
    seen: set[int],
    depth: int,
) -> None:
    schema = target.schema
    if not isinstance(schema, dict) or id(schema) in seen or depth > _MAX_DEPTH:
        return
    seen.add(id(schema))
    for i, branch in enumerate(schema.get("allOf") or []):
        found = resolve(spec, branch, (*target.origin, "allOf", i))
        _merge(spec, found, properties, origins, required, seen, depth + 1)
    own = schema.get("properties")
    if isinstance(own, dict):
        properties.update(own)
        origins.update((name, target.origin) for name in own)
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


def listed_values(schema: Any) -> list[Any]:
    """The values a schema lists (`enum`, or a `const`), or none."""
    if not isinstance(schema, dict):
        return []
    if "const" in schema:
        return [schema["const"]]
    return list(schema.get("enum") or [])


def discriminator(spec: dict[str, Any], schema: Any) -> Discriminator | None:
    """A union's discriminator with its whole mapping: the explicit entries, then each branch's
    own value of the property (its enum or const), else the branch's schema name."""
    schema = resolve(spec, schema).schema
    disc = schema.get("discriminator") if isinstance(schema, dict) else None
    if not isinstance(disc, dict) or not isinstance(disc.get("propertyName"), str):
        return None
    prop = disc["propertyName"]
    given = disc.get("mapping")
    mapping = {str(k): schema_ref(str(v)) for k, v in (given.items() if isinstance(given, dict) else [])}
    mapped = set(mapping.values())
    for branch in [*(schema.get("oneOf") or []), *(schema.get("anyOf") or [])]:
        ref = branch.get("$ref") if isinstance(branch, dict) else None
        if not isinstance(ref, str) or ref in mapped:
            continue
        values = listed_values(deref(spec, object_view(spec, branch).properties.get(prop)))
        for value in [v for v in values if isinstance(v, str)] or [ref.rsplit("/", 1)[-1]]:
            mapping.setdefault(value, ref)
    return Discriminator(prop, mapping)


def schema_ref(target: str) -> str:
    """A mapping target as a reference: OpenAPI allows a bare schema name there."""
    return target if target.startswith("#") or "/" in target else f"#/components/schemas/{target}"


class EffectiveSchemas:
    """The effective-schema model of one prepared spec, memoised: read, never rewritten."""

    def __init__(self, spec: dict[str, Any], digests: dict[str, str] | None = None) -> None:
        self.spec = spec
        # components/schemas key -> a digest of that schema and all the component schemas it
        # reaches, descriptions aside (the models' group keys): facts about it can be cached by it;
        # the render child adds them once the models are made (the models' docs read none)
        self.digests = dict(digests or {})
        self.memo: dict[str, Any] = {}  # what a reader builds once per spec (a validator, ...)
        self._objects: dict[int, tuple[Any, ObjectView]] = {}  # the schema is kept, so its id stays its own
        self._targets: dict[str, Target] = {}  # a reference -> where it leads

    def resolve(self, schema: Any) -> Target:
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        if not isinstance(ref, str):
            return Target(schema, None, ())
        known = self._targets.get(ref)
        if known is None:
            known = self._targets[ref] = resolve(self.spec, schema)
        return known

    def object(self, schema: Any) -> ObjectView:
        known = self._objects.get(id(schema))
        if known is None or known[0] is not schema:
            known = self._objects[id(schema)] = (schema, object_view(self.spec, schema))
        return known[1]

    def nullable(self, schema: Any) -> bool:
        return is_nullable(self.spec, schema)

    def discriminator(self, schema: Any) -> Discriminator | None:
        return discriminator(self.spec, schema)


@dataclass(frozen=True)
class Merged:
    """A schema with its references followed and its `allOf` branches merged into one dict:
    properties and `required` gathered, other keywords as the last branch (or the schema itself)
    says them. `origins` says where each property is written."""

    schema: dict[str, Any]
    origins: dict[str, tuple[Part, ...]]


def reached_components(spec: dict[str, Any], schema: Any, depth: int = 0) -> frozenset[str]:
    """The component schemas a schema is made of: those its reference chain names and those its
    `allOf` branches are made of, transitively."""
    target = resolve(spec, schema)
    names = {str(p[2]) for p in _chain(spec, schema) if len(p) == 3 and p[:2] == _COMPONENT}
    if isinstance(target.schema, dict) and depth < _MAX_DEPTH:
        for branch in target.schema.get("allOf") or []:
            names |= reached_components(spec, branch, depth + 1)
    return frozenset(names)


def merged(
    spec: dict[str, Any], schema: Any, origin: tuple[Part, ...] = (), skip: frozenset[str] = frozenset()
) -> Merged:
    """The schema as one dict (see Merged), leaving out what the components in `skip` contribute:
    the diff compares those once, on their own."""
    out: dict[str, Any] = {}
    origins: dict[str, tuple[Part, ...]] = {}
    _flatten(spec, schema, origin, skip, out, origins, 0)
    return Merged(out, origins)


def _flatten(
    spec: dict[str, Any],
    schema: Any,
    origin: tuple[Part, ...],
    skip: frozenset[str],
    out: dict[str, Any],
    origins: dict[str, tuple[Part, ...]],
    depth: int,
) -> None:
    for parts in _chain(spec, schema):
        if len(parts) == 3 and parts[:2] == _COMPONENT and str(parts[2]) in skip:
            return
    target = resolve(spec, schema, origin)
    node = target.schema
    if not isinstance(node, dict) or depth > _MAX_DEPTH:
        return
    for i, branch in enumerate(node.get("allOf") or []):
        _flatten(spec, branch, (*target.origin, "allOf", i), skip, out, origins, depth + 1)
    for key, value in node.items():
        if key == "properties" and isinstance(value, dict):
            out.setdefault("properties", {}).update(value)
            origins.update((name, target.origin) for name in value)
        elif key == "required" and isinstance(value, list):
            out["required"] = list(dict.fromkeys([*out.get("required", []), *value]))
        elif key not in ("allOf", "$ref"):
            out[key] = value


def _chain(spec: dict[str, Any], schema: Any) -> list[tuple[Part, ...]]:
    """The targets of a reference chain, in order (none for a schema that is not a reference)."""
    found: list[tuple[Part, ...]] = []
    for _ in range(_MAX_DEPTH):
        ref = schema.get("$ref") if isinstance(schema, dict) else None
        parts = local_ref_parts(ref) if isinstance(ref, str) else None
        if parts is None:
            break
        found.append(tuple(parts))
        try:
            schema = lookup(spec, parts)
        except KeyError:
            break
    return found
