"""Shared components, each compared once with the operations it reaches: schemas,
parameters, request bodies and responses; and the examples a change made invalid."""

from __future__ import annotations

from ..examples import invalid_examples, same_places
from ..pointer import deref
from .graph import body_refs, closure, operations
from .operations import Operations
from .rules import SEVERITY, schema_rule
from .schemas import Side
from .state import ONE_SIDED_ENUM_RULES, REQUEST, RESPONSE


class Components(Operations):
    def _shared_components(self) -> None:
        """Parameters, request bodies and responses under components/ that operations share: each
        compared once (`_operation` skips them where both sides name the same one)."""
        for kind, reach in sorted(self.shared_reach.items()):
            b_all = (self.base.data.get("components") or {}).get(kind) or {}
            r_all = (self.revision.data.get("components") or {}).get(kind) or {}
            for name, operations_using in sorted(reach.items()):
                b_node, r_node = deref(self.base.data, b_all.get(name)), deref(
                    self.revision.data, r_all.get(name)
                )
                if not isinstance(b_node, dict) or not isinstance(r_node, dict) or b_node == r_node:
                    continue
                parts = ("components", kind, name)
                with self._shared(name, operations_using):
                    if kind == "parameters":
                        label = f"{r_node.get('in')} parameter `{r_node.get('name')}`"
                        self._parameter_changes(label, b_node, r_node, parts, parts, None)
                    elif kind == "requestBodies":
                        self._body_changes(None, b_node, r_node, parts, parts)
                    else:
                        self._content(None, RESPONSE, b_node, r_node, parts, parts, "response-media-type")
                        self._headers(None, b_node, r_node, parts, parts)

    def _components(self) -> None:
        """Each shared component once, rated by the worst direction it reaches."""
        b_schemas = (self.base.data.get("components") or {}).get("schemas") or {}
        r_schemas = (self.revision.data.get("components") or {}).get("schemas") or {}
        changed = [n for n in b_schemas if n in r_schemas and b_schemas[n] != r_schemas[n]]
        if changed or set(b_schemas) - set(r_schemas):
            self._reach_fromoperations()  # who a changed or removed schema reaches
        for name, r_schema in sorted(r_schemas.items()):
            parts = ("components", "schemas", name)
            if name not in b_schemas:
                self._emit("component-schema-added", f"schema {name} added", None, None, parts, key=name)
                continue
            if b_schemas[name] == r_schema:
                continue  # what it names is compared where it is defined, each once
            differ = self._differ()
            differ.compare(Side(b_schemas[name], parts), Side(r_schema, parts))
            where = "body" if name in self.bodies else "property"
            reaches = sorted(self.reach.get(name, set()))
            directions = {d for _, d in reaches} or {"component"}
            for change in differ.changes:
                place = "property" if change.path else where
                ways = {d for d in directions if not change.only or d in (change.only, "component")}
                # where it reaches clients only in the direction the property never travels, only
                # oasdiff's notice of an enum changed there is left
                ways = ways or {
                    d for d in directions if place == "property" and (d, change.kind) in ONE_SIDED_ENUM_RULES
                }
                if not ways:
                    continue
                rated = [(d, schema_rule(change.kind, d, place)) for d in sorted(ways)]
                direction, (_, level) = max(rated, key=lambda item: SEVERITY[item[1][1]])
                self._schema_changes(
                    [change],
                    None,
                    direction,
                    place,
                    prefix=f"schema {name}",
                    level=level,
                    component=name,
                    reach=tuple(f"{op} ({d})" for op, d in reaches if d in ways),
                )
        for name in sorted(b_schemas):
            if name not in r_schemas and name not in self.reach:
                parts = ("components", "schemas", name)
                self._emit("api-schema-removed", f"schema {name} removed", None, parts, None, key=name)

    def _reach_fromoperations(self) -> None:
        """Components that operations reach without change at the operation level are counted too."""
        for spec in (self.base.data, self.revision.data):
            known: dict[str, set[str]] = {}  # each component's own references, found once
            for path, item in (spec.get("paths") or {}).items():
                for method, op in operations(item).items():
                    name = f"{method.upper()} {path}"
                    request = [op.get("parameters"), item.get("parameters"), op.get("requestBody")]
                    for direction, roots in ((REQUEST, request), (RESPONSE, [op.get("responses")])):
                        for target in closure(spec, roots, known):
                            self.reach.setdefault(target, set()).add((name, direction))
                    self.bodies |= body_refs(spec, [op.get("requestBody"), op.get("responses")])

    def _examples(self) -> None:
        """An example that the revision leaves breaking its schema, where the base's did not."""
        after = invalid_examples(self.revision.data)
        checked = same_places(self.base.data, [example for example, _ in after])
        before = {example.parts for example, _ in invalid_examples(self.base.data, checked)}
        for parts, problem in sorted(((e.parts, problem) for e, problem in after), key=str):
            if parts in before:
                continue  # it was wrong already: not this change's doing
            where = {"operation": f"{str(parts[2]).upper()} {parts[1]}"} if parts[0] == "paths" else {}
            if parts[:2] == ("components", "schemas"):
                where["component"] = str(parts[2])
            message = f"the example no longer matches its schema: {problem}"
            self._emit("example-invalidated", message, where.pop("operation", None), None, parts, **where)
