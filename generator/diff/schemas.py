"""Compare two schemas and name every change by kind, without deciding yet how much it matters."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from ..effective import Merged, is_nullable, listed_values, merged, reached_components, resolve
from ..pointer import Part

_BOUNDS = (
    ("maximum", "max"),
    ("minimum", "min"),
    ("maxLength", "max-length"),
    ("minLength", "min-length"),
    ("maxItems", "max-items"),
    ("minItems", "min-items"),
    ("exclusiveMaximum", "exclusive-max"),
    ("maxContains", "max-contains"),
    ("minContains", "min-contains"),
    ("exclusiveMinimum", "exclusive-min"),
    ("maxProperties", "max-properties"),
    ("minProperties", "min-properties"),
)


@dataclass(frozen=True)
class Side:
    """A schema on one side of the diff, with where it sits in that document."""

    schema: Any
    parts: tuple[Part, ...]


@dataclass
class SchemaChange:
    kind: str  # a key of rules.SCHEMA_RULES
    path: tuple[str, ...]  # property names from the compared root; () is the root itself
    detail: str
    base_parts: tuple[Part, ...] | None
    revision_parts: tuple[Part, ...] | None
    rename: str | None = None
    only: str | None = None  # "request" under a writeOnly property, "response" under a readOnly one
    quiet: bool = False  # a change of how the spec composes a schema that changes no value (INFO)


# Sub-schemas whose appearance narrows what a value may be, and whose contents are compared
# when both sides have them: (keyword, kind in SCHEMA_RULES).
_APPLICATORS = (
    ("if", "if"),
    ("then", "then"),
    ("else", "else"),
    ("contains", "contains"),
    ("propertyNames", "property-names"),
    ("unevaluatedItems", "unevaluated-items"),
    ("unevaluatedProperties", "unevaluated-properties"),
    ("contentSchema", "content-schema"),
)


_KEYED = (
    ("prefixItems", "prefix-items"),
    ("patternProperties", "pattern-property"),
    ("dependentSchemas", "dependent-schema"),
)


@dataclass(frozen=True)
class _Here:
    """Where a comparison stands: the two merged schemas, where they are written, the property
    path, the depth, the one direction they travel in (if any), and how a change is recorded."""

    b: dict[str, Any]
    r: dict[str, Any]
    b_at: Side
    r_at: Side
    path: tuple[str, ...]
    depth: int
    only: str | None
    add: Callable[..., None]


@dataclass
class SchemaDiffer:
    """Walks the effective schemas of two sides in step: references followed, `allOf` merged,
    `anyOf`/`oneOf` branches paired and compared, sub-schemas entered. What a component that both
    sides are made of contributes is left out: `_components` compares each such component once."""

    base_spec: dict[str, Any]
    revision_spec: dict[str, Any]
    changes: list[SchemaChange] = field(default_factory=list)

    def compare(
        self,
        base: Side,
        revision: Side,
        path: tuple[str, ...] = (),
        depth: int = 0,
        only: str | None = None,
    ) -> None:
        if depth > 40:
            return
        was, now = is_nullable(self.base_spec, base.schema), is_nullable(self.revision_spec, revision.schema)
        unwrapped = _unwrapped(self.base_spec, base), _unwrapped(self.revision_spec, revision)
        wrapped = unwrapped != (base, revision)  # a null branch came or went around the schema
        base, revision = unwrapped
        base_name, b_at = _resolve(self.base_spec, base)
        revision_name, r_at = _resolve(self.revision_spec, revision)
        same = base_name is not None and base_name == revision_name
        nullability = len(self.changes) if was != now else None
        if nullability is not None and not (wrapped and same and self._component_changed(base_name)):
            kind, detail = (
                ("became-nullable", "now nullable") if now else ("became-not-nullable", "no longer nullable")
            )
            self.changes.append(SchemaChange(kind, path, detail, b_at.parts, r_at.parts, only=only))
        else:
            nullability = None
        if same:
            return
        shared = reached_components(self.base_spec, base.schema) & reached_components(
            self.revision_spec, revision.schema
        )
        b_view = merged(self.base_spec, base.schema, base.parts, shared)
        r_view = merged(self.revision_spec, revision.schema, revision.parts, shared)
        b, r = b_view.schema, r_view.schema

        def add(kind: str, detail: str, key: str | None = None, rename: str | None = None) -> None:
            b_parts = (*b_at.parts, key) if key and key in b else b_at.parts
            r_parts = (*r_at.parts, key) if key and key in r else r_at.parts
            self.changes.append(SchemaChange(kind, path, detail, b_parts, r_parts, rename, only))

        self._types(b, r, add)
        self._enums(b, r, add)
        self._bounds(b, r, add)
        self._scalar_keywords(b, r, add)
        here = _Here(b, r, b_at, r_at, path, depth, only, add)
        start = len(self.changes)
        self._branches(here)
        self._properties(b_view, r_view, path, depth, only)
        self._subschemas(here)
        self._composition(b_at.schema, r_at.schema, here, effective=len(self.changes) > start)
        if (
            wrapped
            and nullability is not None
            and any(c.path == path for c in self.changes[nullability + 1 :])
        ):
            del self.changes[nullability]  # the wrapped schema changed too: not only a nullability change

    def _component_changed(self, name: str | None) -> bool:
        schemas = [
            (spec.get("components") or {}).get("schemas") or {}
            for spec in (self.base_spec, self.revision_spec)
        ]
        return name is not None and schemas[0].get(name) != schemas[1].get(name)

    def _types(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        was, now = _types(b), _types(r)
        if was and now and was != now:
            widened = now >= was or (was == {"integer"} and "number" in now)
            kind = "type-generalized" if widened else "type-changed"
            add(kind, f"type changed from {_show(sorted(was))} to {_show(sorted(now))}", "type")

    def _enums(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        was, now = b.get("enum"), r.get("enum")
        if isinstance(was, list) and isinstance(now, list):
            for value in now:
                if value not in was:
                    add("enum-value-added", f"enum value {_show(value)} added", "enum")
            for value in was:
                if value not in now:
                    add("enum-value-removed", f"enum value {_show(value)} removed", "enum")
        elif now is not None and was is None and not _has_branches(b):
            add("became-enum", f"now limited to {_show(now)}", "enum")

    def _bounds(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        for key, name in _BOUNDS:
            was, now = _number(b.get(key)), _number(r.get(key))
            if was == now:
                continue
            if was is None:
                add(f"{name}-set", f"{key} set to {_show(now)}", key)
            elif now is None:
                add(f"{name}-unset", f"{key} {_show(was)} removed", key)
            else:
                add(
                    f"{name}-{'increased' if now > was else 'decreased'}",
                    f"{key} {_show(was)} -> {_show(now)}",
                    key,
                )

    def _scalar_keywords(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        """`contentMediaType`, `contentEncoding`, `pattern` and `default` changed."""
        for key, kind in (
            ("contentMediaType", "content-media-type"),
            ("contentEncoding", "content-encoding"),
        ):
            if b.get(key) != r.get(key):  # a string's content read another way (oasdiff: any change)
                add(f"{kind}-changed", f"{key} {_show(b.get(key))} -> {_show(r.get(key))}", key)
        for key, kind in (("pattern", "pattern"), ("default", "default-value")):
            if key not in b and key not in r:
                continue
            if key not in b:
                add(f"{kind}-added", f"{key} {_show(r[key])} added", key)
            elif key not in r:
                add(f"{kind}-removed", f"{key} {_show(b[key])} removed", key)
            elif b[key] != r[key]:
                add(f"{kind}-changed", f"{key} {_show(b[key])} -> {_show(r[key])}", key)

    def _branches(self, here: _Here) -> None:
        """Branches are paired by their component, title, discriminating value or type; a pair is
        compared like any schema, so a value added inside one branch is that, not a new branch."""
        for key, kind in (("anyOf", "any-of"), ("oneOf", "one-of")):
            was = _labelled(self.base_spec, here.b.get(key))
            now = _labelled(self.revision_spec, here.r.get(key))
            for label, (_, signature) in now.items():
                if label not in was:
                    here.add(f"{kind}-added", f"{key} branch {signature} added", key)
            for label, (_, signature) in was.items():
                if label not in now:
                    here.add(f"{kind}-removed", f"{key} branch {signature} removed", key)
            for label in was.keys() & now.keys():
                (b_index, _), (r_index, _) = was[label], now[label]
                self._into(here, (key, b_index), (key, r_index), None)

    def _subschemas(self, here: _Here) -> None:
        """`items`, `additionalProperties`, `not` (as oasdiff reads it) and the 2020-12
        applicators: compared where both sides have them, reported where one side gains or
        loses one."""
        b, r = here.b, here.r
        for key in ("items", "additionalProperties", "not"):
            if isinstance(b.get(key), dict) and isinstance(r.get(key), dict):
                self._into(here, (key,), (key,), key)
        for key, kind in _APPLICATORS:
            if key in b and key in r:
                self._into(here, (key,), (key,), key)
            elif key in r:
                here.add(f"{kind}-added", f"{key} added", key)
            elif key in b:
                here.add(f"{kind}-removed", f"{key} removed", key)
        for key, kind in _KEYED:
            self._keyed(key, kind, here)

    def _composition(self, b: Any, r: Any, here: _Here, *, effective: bool) -> None:
        """`allOf` branches added or removed, as oasdiff names them: annotation-only branches
        apart, and, where the merged schema accepts the same values as before, rated INFO."""
        was = _labelled(self.base_spec, b.get("allOf") if isinstance(b, dict) else None)
        now = _labelled(self.revision_spec, r.get("allOf") if isinstance(r, dict) else None)
        for labels, other, spec, verb in (
            (now, was, self.revision_spec, "added"),
            (was, now, self.base_spec, "removed"),
        ):
            for label, (index, signature) in labels.items():
                if label in other:
                    continue
                branches = (r if verb == "added" else b)["allOf"]
                notes = _annotation_only(spec, branches[index])
                kind = f"all-of-{verb}" + ("-annotation-only" if notes else "")
                at = here.r_at if verb == "added" else here.b_at
                self.changes.append(
                    SchemaChange(
                        kind,
                        here.path,
                        f"allOf branch {signature} {verb}",
                        None if verb == "added" else (*at.parts, "allOf", index),
                        (*at.parts, "allOf", index) if verb == "added" else None,
                        only=here.only,
                        quiet=not notes and not effective,
                    )
                )

    def _keyed(self, key: str, kind: str, here: _Here) -> None:
        """Sub-schemas by position (`prefixItems`) or by key (`patternProperties`,
        `dependentSchemas`): each compared with its counterpart, or reported added or removed."""
        was, now = _by_key(here.b.get(key)), _by_key(here.r.get(key))
        for name in sorted(now.keys() - was.keys(), key=str):
            if key == "prefixItems" and now[name] == here.b.get("items"):
                continue  # the position was already held to the same schema by `items`
            here.add(f"{kind}-added", f"{key} {_show(name)} added", key)
        for name in sorted(was.keys() - now.keys(), key=str):
            if key == "prefixItems" and was[name] == here.r.get("items"):
                continue
            here.add(f"{kind}-removed", f"{key} {_show(name)} removed", key)
        for name in sorted(was.keys() & now.keys(), key=str):
            self._into(here, (key, name), (key, name), f"{key}[{name}]")

    def _into(self, here: _Here, b_key: tuple[Part, ...], r_key: tuple[Part, ...], label: str | None) -> None:
        """Compare the sub-schemas at `b_key` and `r_key` below the pair, one level deeper."""
        b_node: Any = here.b
        r_node: Any = here.r
        for part in b_key:
            b_node = b_node[part]
        for part in r_key:
            r_node = r_node[part]
        self.compare(
            Side(b_node, (*here.b_at.parts, *b_key)),
            Side(r_node, (*here.r_at.parts, *r_key)),
            (*here.path, label) if label else here.path,
            here.depth + 1,
            here.only,
        )

    def _properties(
        self, base: Merged, revision: Merged, path: tuple[str, ...], depth: int, only: str | None
    ) -> None:
        b, r = base.schema, revision.schema
        b_props, r_props = b.get("properties") or {}, r.get("properties") or {}
        if not isinstance(b_props, dict) or not isinstance(r_props, dict):
            return
        b_required, r_required = set(b.get("required") or []), set(r.get("required") or [])
        added = [n for n in r_props if n not in b_props]
        removed = [n for n in b_props if n not in r_props]
        renames = _renames(self.base_spec, self.revision_spec, b_props, r_props, removed, added)
        for name in added:
            parts = (*revision.origins.get(name, ()), "properties", name)
            kind = "property-added-required" if name in r_required else "property-added-optional"
            note = f" (probably renamed from `{renames[name]}`)" if name in renames else ""
            old = renames.get(name)
            self.changes.append(
                SchemaChange(
                    kind,
                    (*path, name),
                    f"added{note}",
                    None,
                    parts,
                    old and f"{old} -> {name}",
                    only or _direction_only(self.revision_spec, r_props[name]),
                )
            )
        renamed_from = {old: new for new, old in renames.items()}
        for name in removed:
            parts = (*base.origins.get(name, ()), "properties", name)
            kind = "property-removed-required" if name in b_required else "property-removed-optional"
            new = renamed_from.get(name)
            note = f" (probably renamed to `{new}`)" if new else ""
            self.changes.append(
                SchemaChange(
                    kind,
                    (*path, name),
                    f"removed{note}",
                    parts,
                    None,
                    new and f"{name} -> {new}",
                    only or _direction_only(self.base_spec, b_props[name]),
                )
            )
        for name in r_props:
            if name not in b_props:
                continue
            b_side = Side(b_props[name], (*base.origins.get(name, ()), "properties", name))
            r_side = Side(r_props[name], (*revision.origins.get(name, ()), "properties", name))
            was, now = _direction_only(self.base_spec, b_side.schema), _direction_only(
                self.revision_spec, r_side.schema
            )
            within = only or (was if was == now else None)
            changed = []
            if (name in b_required) != (name in r_required):
                changed.append("became-required" if name in r_required else "became-optional")
            flags = [
                merged(spec, side.schema).schema.get("deprecated") is True
                for spec, side in ((self.base_spec, b_side), (self.revision_spec, r_side))
            ]
            if flags[0] != flags[1]:
                changed.append("deprecated" if flags[1] else "reactivated")
            for kind in changed:
                self.changes.append(
                    SchemaChange(
                        kind, (*path, name), kind.replace("-", " "), b_side.parts, r_side.parts, only=within
                    )
                )
            self.compare(b_side, r_side, (*path, name), depth + 1, within)


def _unwrapped(spec: dict[str, Any], side: Side) -> Side:
    """A union of one schema and null (`anyOf: [X, {type: null}]`) as X: what may be null is
    compared apart, so constraints that moved into the branch are not removed and added."""
    node = resolve(spec, side.schema).schema
    if not isinstance(node, dict) or any(k in node for k in ("type", "properties", "enum", "allOf")):
        return side
    for key in ("anyOf", "oneOf"):
        branches = node.get(key)
        if not isinstance(branches, list) or len(branches) != 2:
            continue
        kept = [
            (i, b) for i, b in enumerate(branches) if not (isinstance(b, dict) and b.get("type") == "null")
        ]
        if len(kept) == 1:
            index, branch = kept[0]
            return Side(branch, (*side.parts, key, index))
    return side


_ANNOTATIONS = frozenset(
    {
        "description",
        "title",
        "example",
        "examples",
        "deprecated",
        "readOnly",
        "writeOnly",
        "nullable",
        "default",
        "externalDocs",
        "$comment",
        "xml",
    }
)


def _annotation_only(spec: dict[str, Any], branch: Any) -> bool:
    """A branch that says nothing about which values are valid (a description, an example...)."""
    node = resolve(spec, branch).schema
    return isinstance(node, dict) and all(k in _ANNOTATIONS or k.startswith("x-") for k in node)


def _direction_only(spec: dict[str, Any], schema: Any) -> str | None:
    """The one direction a property travels in: readOnly ones only in responses, writeOnly ones
    only in requests."""
    target = merged(spec, schema).schema
    if target.get("readOnly") is True:
        return "response"
    if target.get("writeOnly") is True:
        return "request"
    return None


def _labelled(spec: dict[str, Any], branches: Any) -> dict[str, tuple[int, str]]:
    """Each non-null branch by what identifies it across versions -> (index, how to show it)."""
    found: dict[str, tuple[int, str]] = {}
    for index, branch in enumerate(branches if isinstance(branches, list) else []):
        if not isinstance(branch, dict) or branch.get("type") == "null":
            continue
        target = resolve(spec, branch)
        node = target.schema if isinstance(target.schema, dict) else {}
        label = (
            target.name
            or node.get("title")
            or _discriminating_value(spec, node)
            or _show(sorted(_types(node)) or "any")
        )
        signature = (
            target.name
            or _show({k: node[k] for k in ("type", "enum", "const", "title") if k in node})
            or "{}"
        )
        label = str(label)
        while label in found:  # two branches alike: paired by order
            label += "'"
        found[label] = (index, signature)
    return found


def _discriminating_value(spec: dict[str, Any], node: dict[str, Any]) -> str | None:
    """A `const` (or single-valued enum) property such as `type: {const: "text"}`: the value a
    tagged union tells the branch by."""
    properties = merged(spec, node).schema.get("properties") or {}
    for name, sub in sorted(properties.items()):
        values = listed_values(resolve(spec, sub).schema)
        if len(values) == 1:
            return f"{name}={_show(values[0])}"
    return None


def _resolve(spec: dict[str, Any], side: Side) -> tuple[str | None, Side]:
    """Follow `$ref`s: the first component name met, and the schema they lead to, where it is."""
    target = resolve(spec, side.schema, side.parts)
    return target.name, Side(target.schema, target.origin)


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    return kinds - {"null"}


def _by_key(node: Any) -> dict[Any, Any]:
    """A keyword's sub-schemas by position or name; none where the keyword is absent."""
    if isinstance(node, list):
        return dict(enumerate(node))
    return node if isinstance(node, dict) else {}


def _has_branches(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("anyOf", "oneOf", "allOf"))


def _renames(
    base_spec: dict[str, Any],
    revision_spec: dict[str, Any],
    b_props: dict[str, Any],
    r_props: dict[str, Any],
    removed: list[str],
    added: list[str],
) -> dict[str, str]:
    """added name -> removed name, where exactly one removed property has the same schema."""
    found: dict[str, str] = {}
    for new in added:
        same = [old for old in removed if _canonical(b_props[old]) == _canonical(r_props[new])]
        if len(same) == 1 and same[0] not in found.values():
            found[new] = same[0]
    return found


def _canonical(schema: Any) -> str:
    if isinstance(schema, dict):
        schema = {k: v for k, v in schema.items() if k not in ("description", "example", "examples", "title")}
    return json.dumps(schema, sort_keys=True)


def _number(value: Any) -> float | None:
    return value if isinstance(value, int | float) and not isinstance(value, bool) else None


def _show(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True)
