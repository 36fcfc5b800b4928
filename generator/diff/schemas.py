"""Compare two schemas and name every change by kind, without deciding yet how much it matters."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from ..pointer import Part, local_ref_parts, lookup

_BOUNDS = (
    ("maximum", "max"),
    ("minimum", "min"),
    ("maxLength", "max-length"),
    ("minLength", "min-length"),
    ("maxItems", "max-items"),
    ("minItems", "min-items"),
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


@dataclass
class SchemaDiffer:
    """Walks two schemas in step. A `$ref` to the same component on both sides is not entered,
    so that a shared component is compared once, on its own."""

    base_spec: dict[str, Any]
    revision_spec: dict[str, Any]
    changes: list[SchemaChange] = field(default_factory=list)

    def compare(self, base: Side, revision: Side, path: tuple[str, ...] = (), depth: int = 0) -> None:
        if depth > 40:
            return
        base_name, base = _resolve(self.base_spec, base)
        revision_name, revision = _resolve(self.revision_spec, revision)
        if base_name is not None and base_name == revision_name:
            return
        b, r = base.schema, revision.schema
        if not isinstance(b, dict) or not isinstance(r, dict):
            return

        def add(kind: str, detail: str, key: str | None = None, rename: str | None = None) -> None:
            b_parts = (*base.parts, key) if key and key in b else base.parts
            r_parts = (*revision.parts, key) if key and key in r else revision.parts
            self.changes.append(SchemaChange(kind, path, detail, b_parts, r_parts, rename))

        self._nullability(b, r, add)
        self._types(b, r, add)
        self._enums(b, r, add)
        self._bounds(b, r, add)
        self._pattern_and_default(b, r, add)
        self._branches(b, r, add)
        self._properties(base, revision, path, depth)
        if isinstance(b.get("items"), dict) and isinstance(r.get("items"), dict):
            self.compare(
                Side(b["items"], (*base.parts, "items")),
                Side(r["items"], (*revision.parts, "items")),
                (*path, "items"),
                depth + 1,
            )

    def _nullability(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        was, now = _nullable(self.base_spec, b), _nullable(self.revision_spec, r)
        if was != now:
            add(
                "became-nullable" if now else "became-not-nullable",
                "now nullable" if now else "no longer nullable",
            )

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

    def _pattern_and_default(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        for key, kind in (("pattern", "pattern"), ("default", "default-value")):
            if key not in b and key not in r:
                continue
            if key not in b:
                add(f"{kind}-added", f"{key} {_show(r[key])} added", key)
            elif key not in r:
                add(f"{kind}-removed", f"{key} {_show(b[key])} removed", key)
            elif b[key] != r[key]:
                add(f"{kind}-changed", f"{key} {_show(b[key])} -> {_show(r[key])}", key)

    def _branches(self, b: dict[str, Any], r: dict[str, Any], add: Any) -> None:
        for key, kind in (("anyOf", "any-of"), ("oneOf", "one-of")):
            was = _branch_signatures(b.get(key))
            now = _branch_signatures(r.get(key))
            if not was and not now:
                continue
            for signature in now:
                if signature not in was:
                    add(f"{kind}-added", f"{key} branch {signature} added", key)
            for signature in was:
                if signature not in now:
                    add(f"{kind}-removed", f"{key} branch {signature} removed", key)

    def _properties(self, base: Side, revision: Side, path: tuple[str, ...], depth: int) -> None:
        b, r = base.schema, revision.schema
        b_props, r_props = b.get("properties") or {}, r.get("properties") or {}
        if not isinstance(b_props, dict) or not isinstance(r_props, dict):
            return
        b_required, r_required = set(b.get("required") or []), set(r.get("required") or [])
        added = [n for n in r_props if n not in b_props]
        removed = [n for n in b_props if n not in r_props]
        renames = _renames(self.base_spec, self.revision_spec, b_props, r_props, removed, added)
        for name in added:
            parts = (*revision.parts, "properties", name)
            kind = "property-added-required" if name in r_required else "property-added-optional"
            note = f" (probably renamed from `{renames[name]}`)" if name in renames else ""
            old = renames.get(name)
            self.changes.append(
                SchemaChange(kind, (*path, name), f"added{note}", None, parts, old and f"{old} -> {name}")
            )
        renamed_from = {old: new for new, old in renames.items()}
        for name in removed:
            parts = (*base.parts, "properties", name)
            kind = "property-removed-required" if name in b_required else "property-removed-optional"
            new = renamed_from.get(name)
            note = f" (probably renamed to `{new}`)" if new else ""
            self.changes.append(
                SchemaChange(kind, (*path, name), f"removed{note}", parts, None, new and f"{name} -> {new}")
            )
        for name in r_props:
            if name not in b_props:
                continue
            b_side = Side(b_props[name], (*base.parts, "properties", name))
            r_side = Side(r_props[name], (*revision.parts, "properties", name))
            if (name in b_required) != (name in r_required):
                kind = "became-required" if name in r_required else "became-optional"
                self.changes.append(
                    SchemaChange(kind, (*path, name), kind.replace("-", " "), b_side.parts, r_side.parts)
                )
            self.compare(b_side, r_side, (*path, name), depth + 1)


def _resolve(spec: dict[str, Any], side: Side) -> tuple[str | None, Side]:
    """Follow `$ref`s; returns the first component name met, and the schema it leads to."""
    name = None
    schema, parts = side.schema, side.parts
    for _ in range(16):
        if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
            break
        target = local_ref_parts(schema["$ref"])
        if target is None:
            break
        if name is None and len(target) == 3 and target[:2] == ["components", "schemas"]:
            name = target[2]
        try:
            schema, parts = lookup(spec, target), tuple(target)
        except KeyError:
            break
    return name, Side(schema, parts)


def _types(schema: dict[str, Any]) -> set[str]:
    kind = schema.get("type")
    kinds = set(kind) if isinstance(kind, list) else {kind} if isinstance(kind, str) else set()
    return kinds - {"null"}


def _nullable(spec: dict[str, Any], schema: dict[str, Any]) -> bool:
    kind = schema.get("type")
    if kind == "null" or (isinstance(kind, list) and "null" in kind) or schema.get("nullable") is True:
        return True
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key) or []:
            _, resolved = _resolve(spec, Side(branch, ()))
            if isinstance(resolved.schema, dict) and resolved.schema.get("type") == "null":
                return True
    return False


def _has_branches(schema: dict[str, Any]) -> bool:
    return any(k in schema for k in ("anyOf", "oneOf", "allOf"))


def _branch_signatures(branches: Any) -> list[str]:
    """A name for each non-null branch: its component, or its type and values."""
    names = []
    for branch in branches if isinstance(branches, list) else []:
        if not isinstance(branch, dict) or branch.get("type") == "null":
            continue
        ref = branch.get("$ref")
        if isinstance(ref, str):
            names.append(ref.rsplit("/", 1)[-1])
        else:
            names.append(_show({k: branch[k] for k in ("type", "enum", "const") if k in branch}) or "{}")
    return names


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
