"""Compare two specs: operations, parameters, bodies, responses, security and shared components."""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..examples import invalid_examples
from ..loader import Document
from ..pointer import Part, deref, local_ref_parts, to_pointer
from .graph import body_refs, closure, operations, requirements
from .lifecycle import UNSTABLE, removal, removal_rule, stability, stability_change
from .rules import OTHER_RULES, SEVERITY, schema_rule
from .schemas import SchemaChange, SchemaDiffer, Side

REQUEST, RESPONSE = "request", "response"


@dataclass(frozen=True)
class Change:
    id: str
    level: str
    message: str
    operation: str | None  # "POST /realtime/sessions"; None for components and global settings
    pointer: str
    base_line: int | None
    revision_line: int | None
    component: str | None = None
    reach: tuple[str, ...] = ()  # "POST /x (request)" for a change to a shared component
    rename: str | None = None
    key: str = ""  # what the fingerprint is made of: no line numbers, so it is stable across commits

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.id}|{self.key}".encode()).hexdigest()[:16]


@dataclass
class SpecDiff:
    base: Document
    revision: Document
    changes: list[Change] = field(default_factory=list)
    # component name -> {(operation, direction)} that reach it, on either side (transitively)
    reach: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    # components that are a request or response body themselves, not only a property's type
    bodies: set[str] = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)  # what a sunset date is compared with
    parameter_reach: dict[str, set[str]] = field(default_factory=dict)  # shared parameter -> operations

    def run(self) -> list[Change]:
        self._paths()
        self._shared_parameters()
        self._global_security()
        self._components()
        self._examples()
        return sorted(self.changes, key=lambda c: (-SEVERITY[c.level], c.operation or "~", c.id, c.key))

    # --- helpers ---------------------------------------------------------------------------------

    def _emit(
        self,
        rule_id: str,
        message: str,
        operation: str | None,
        base_parts: tuple[Part, ...] | None,
        revision_parts: tuple[Part, ...] | None,
        *,
        level: str | None = None,
        key: str = "",
        **extra: Any,
    ) -> None:
        parts = revision_parts if revision_parts is not None else base_parts or ()
        self.changes.append(
            Change(
                id=rule_id,
                level=level or OTHER_RULES[rule_id],
                message=message,
                operation=operation,
                pointer=to_pointer(parts),
                base_line=self.base.position(base_parts)[0] if base_parts is not None else None,
                revision_line=(
                    self.revision.position(revision_parts)[0] if revision_parts is not None else None
                ),
                key=f"{operation or ''}|{key or to_pointer(parts)}",
                **extra,
            )
        )

    # --- paths and operations --------------------------------------------------------------------

    def _paths(self) -> None:
        b_paths = self.base.data.get("paths") or {}
        r_paths = self.revision.data.get("paths") or {}
        for path, b_item in b_paths.items():
            if path not in r_paths:
                for method, b_op in operations(b_item).items():
                    self._removed_operation("api-path", path, method, b_op)
        for path, r_item in r_paths.items():
            b_item = b_paths.get(path)
            if b_item is None:
                for method in operations(r_item):
                    self._emit(
                        "endpoint-added",
                        "operation added",
                        f"{method.upper()} {path}",
                        None,
                        ("paths", path, method),
                    )
                continue
            r_ops, b_ops = operations(r_item), operations(b_item)
            for method, r_op in r_ops.items():
                name = f"{method.upper()} {path}"
                if method not in b_ops:
                    self._emit("endpoint-added", "operation added", name, None, ("paths", path, method))
                else:
                    self._operation(name, path, method, b_item, r_item, b_ops[method], r_op)
            for method, b_op in b_ops.items():
                if method not in r_ops:
                    self._removed_operation("api", path, method, b_op)

    def _removed_operation(self, prefix: str, path: str, method: str, b_op: dict[str, Any]) -> None:
        """A removed operation (`api-removed-...`) or one removed with its path (`api-path-removed-...`):
        draft and alpha operations go without notice, deprecated ones as their sunset allows."""
        if stability(b_op) in UNSTABLE:
            return
        how = removal(b_op, self.today)
        if how is None:
            return
        rule = removal_rule(prefix, how)
        what = "path" if prefix == "api-path" else "operation"
        self._emit(
            rule,
            f"{what} removed ({how.replace('-', ' ')})",
            f"{method.upper()} {path}",
            ("paths", path, method),
            None,
        )

    def _operation(
        self,
        name: str,
        path: str,
        method: str,
        b_item: Any,
        r_item: Any,
        b_op: dict[str, Any],
        r_op: dict[str, Any],
    ) -> None:
        b_at, r_at = ("paths", path, method), ("paths", path, method)
        changed = stability_change(b_op, r_op)
        if changed:
            was, now = (op.get("x-stability-level", "stable") for op in (b_op, r_op))
            self._emit(changed, f"stability {was!r} -> {now!r}", name, b_at, r_at)
        if stability(r_op) in UNSTABLE:
            return  # a draft or alpha operation may change without notice, as oasdiff holds
        if bool(b_op.get("deprecated")) != bool(r_op.get("deprecated")):
            rule = "endpoint-deprecated" if r_op.get("deprecated") else "endpoint-reactivated"
            self._emit(rule, rule.replace("-", " "), name, b_at, r_at)
        if b_op.get("operationId") != r_op.get("operationId"):  # the SDK's method name (see SDK impact)
            message = f"operationId {b_op.get('operationId')!r} -> {r_op.get('operationId')!r}"
            rule = "api-operation-id-removed" if b_op.get("operationId") else "api-operation-id-added"
            self._emit(rule, message, name, (*b_at, "operationId"), (*r_at, "operationId"))
        self._tags(name, b_op, r_op, b_at, r_at)
        self._operation_security(name, b_op, r_op, b_at, r_at)
        self._parameters(name, b_item, r_item, b_op, r_op, b_at, r_at)
        self._request_body(name, b_op, r_op, b_at, r_at)
        self._responses(name, b_op, r_op, b_at, r_at)

    def _tags(self, name: str, b_op: dict[str, Any], r_op: dict[str, Any], b_at: Any, r_at: Any) -> None:
        """A tag moves the operation's method to another resource of the SDK (`client.<tag>`)."""
        b_tags = [str(t) for t in b_op.get("tags") or []]
        r_tags = [str(t) for t in r_op.get("tags") or []]
        for tag in r_tags:
            if tag not in b_tags:
                self._emit(
                    "api-tag-added",
                    f"tag {tag!r} added",
                    name,
                    (*b_at, "tags"),
                    (*r_at, "tags"),
                    key=f"tag|{tag}",
                )
        for tag in b_tags:
            if tag not in r_tags:
                self._emit(
                    "api-tag-removed",
                    f"tag {tag!r} removed",
                    name,
                    (*b_at, "tags"),
                    (*r_at, "tags"),
                    key=f"tag|{tag}",
                )

    def _parameters(
        self,
        name: str,
        b_item: Any,
        r_item: Any,
        b_op: dict[str, Any],
        r_op: dict[str, Any],
        b_at: Any,
        r_at: Any,
    ) -> None:
        b_params = self._parameter_map(self.base.data, b_item, b_op, b_at)
        r_params = self._parameter_map(self.revision.data, r_item, r_op, r_at)
        for key, (r_param, r_parts, r_ref) in r_params.items():
            label = f"{key[0]} parameter `{key[1]}`"
            if key not in b_params:
                required = bool(r_param.get("required")) or key[0] == "path"
                rule = "new-required-request-parameter" if required else "new-optional-request-parameter"
                self._emit(rule, f"{label} added", name, None, r_parts)
                continue
            b_param, b_parts, b_ref = b_params[key]
            if b_ref is not None and b_ref == r_ref:  # one shared parameter: compared once, with its reach
                self.parameter_reach.setdefault(b_ref, set()).add(name)
                continue
            self._parameter_changes(label, b_param, r_param, b_parts, r_parts, name)
        for key, (b_param, b_parts, _) in b_params.items():
            how = removal(b_param, self.today) if key not in r_params else None
            if how is not None:
                rule = removal_rule("request-parameter", how)
                message = f"{key[0]} parameter `{key[1]}` removed ({how.replace('-', ' ')})"
                self._emit(rule, message, name, b_parts, None)

    def _parameter_changes(
        self,
        label: str,
        b_param: dict[str, Any],
        r_param: dict[str, Any],
        b_parts: tuple[Part, ...],
        r_parts: tuple[Part, ...],
        operation: str | None,
        component: str | None = None,
        reach: tuple[str, ...] = (),
    ) -> None:
        """Deprecation, requiredness and the schema of a parameter both sides have."""
        shared: dict[str, Any] = {"component": component, "reach": reach} if component else {}
        for flag, (set_rule, unset_rule) in (
            ("deprecated", ("request-parameter-deprecated", "request-parameter-reactivated")),
            ("required", ("request-parameter-became-required", "request-parameter-became-optional")),
        ):
            if bool(b_param.get(flag)) != bool(r_param.get(flag)):
                rule = set_rule if r_param.get(flag) else unset_rule
                words = rule.removeprefix("request-parameter-").replace("-", " ")
                self._emit(
                    rule, f"{label} {words}", operation, b_parts, r_parts, key=f"{label}|{rule}", **shared
                )
        differ = self._differ()
        differ.compare(
            Side(b_param.get("schema"), (*b_parts, "schema")),
            Side(r_param.get("schema"), (*r_parts, "schema")),
        )
        self._schema_changes(differ.changes, operation, REQUEST, "parameter", prefix=label, **shared)

    def _shared_parameters(self) -> None:
        """Each parameter under components/parameters that operations share, once, with its reach."""
        b_shared = (self.base.data.get("components") or {}).get("parameters") or {}
        r_shared = (self.revision.data.get("components") or {}).get("parameters") or {}
        for name, reach in sorted(self.parameter_reach.items()):
            b_param, r_param = deref(self.base.data, b_shared.get(name)), deref(
                self.revision.data, r_shared.get(name)
            )
            if not isinstance(b_param, dict) or not isinstance(r_param, dict):
                continue
            parts = ("components", "parameters", name)
            label = f"{r_param.get('in')} parameter `{r_param.get('name')}`"
            self._parameter_changes(label, b_param, r_param, parts, parts, None, name, tuple(sorted(reach)))

    def _parameter_map(
        self, spec: dict[str, Any], item: Any, op: dict[str, Any], at: tuple[Part, ...]
    ) -> dict[tuple[str, str], tuple[dict[str, Any], tuple[Part, ...], str | None]]:
        """(in, name) -> (the parameter, where it is listed, the components/parameters entry it names)."""
        found: dict[tuple[str, str], tuple[dict[str, Any], tuple[Part, ...], str | None]] = {}
        for holder, parts in ((item, at[:2]), (op, at)):
            for index, param in enumerate((holder or {}).get("parameters") or []):
                resolved = deref(spec, param)
                if isinstance(resolved, dict) and "name" in resolved:
                    target = (
                        local_ref_parts(param["$ref"])
                        if isinstance(param, dict) and isinstance(param.get("$ref"), str)
                        else None
                    )
                    shared = (
                        str(target[2])
                        if target and len(target) == 3 and target[:2] == ["components", "parameters"]
                        else None
                    )
                    found[(str(resolved.get("in")), str(resolved["name"]))] = (
                        resolved,
                        (*parts, "parameters", index),
                        shared,
                    )
        return found

    def _request_body(
        self, name: str, b_op: dict[str, Any], r_op: dict[str, Any], b_at: Any, r_at: Any
    ) -> None:
        b_body = deref(self.base.data, b_op.get("requestBody"))
        r_body = deref(self.revision.data, r_op.get("requestBody"))
        b_parts, r_parts = (*b_at, "requestBody"), (*r_at, "requestBody")
        if not b_body and not r_body:
            return
        if not b_body:
            rule = "added-required-request-body" if r_body.get("required") else "added-optional-request-body"
            self._emit(rule, "request body added", name, None, r_parts)
            return
        if not r_body:
            self._emit("request-body-removed", "request body removed", name, b_parts, None)
            return
        if bool(b_body.get("required")) != bool(r_body.get("required")):
            rule = (
                "request-body-became-required" if r_body.get("required") else "request-body-became-optional"
            )
            self._emit(rule, rule.replace("-", " "), name, b_parts, r_parts)
        self._content(name, REQUEST, b_body, r_body, b_parts, r_parts, "request-body-media-type")

    def _responses(self, name: str, b_op: dict[str, Any], r_op: dict[str, Any], b_at: Any, r_at: Any) -> None:
        b_responses, r_responses = b_op.get("responses") or {}, r_op.get("responses") or {}
        for status in r_responses:
            if status not in b_responses:
                kind = "success" if str(status).startswith("2") else "non-success"
                self._emit(
                    f"response-{kind}-status-added",
                    f"response {status} added",
                    name,
                    None,
                    (*r_at, "responses", status),
                )
        for status, b_response in b_responses.items():
            b_parts = (*b_at, "responses", status)
            if status not in r_responses:
                kind = "success" if str(status).startswith("2") else "non-success"
                self._emit(
                    f"response-{kind}-status-removed", f"response {status} removed", name, b_parts, None
                )
                continue
            r_parts = (*r_at, "responses", status)
            b_resolved = deref(self.base.data, b_response)
            r_resolved = deref(self.revision.data, r_responses[status])
            self._content(
                name, RESPONSE, b_resolved, r_resolved, b_parts, r_parts, "response-media-type", status
            )

    def _content(
        self,
        name: str,
        direction: str,
        b_holder: dict[str, Any],
        r_holder: dict[str, Any],
        b_parts: tuple[Part, ...],
        r_parts: tuple[Part, ...],
        media_rule: str,
        status: str = "",
    ) -> None:
        b_content, r_content = b_holder.get("content") or {}, r_holder.get("content") or {}
        where = f"response {status}: " if status else ""
        for media in r_content:
            if media not in b_content:
                self._emit(
                    f"{media_rule}-added",
                    f"{where}media type {media} added",
                    name,
                    None,
                    (*r_parts, "content", media),
                )
        for media in b_content:
            if media not in r_content:
                self._emit(
                    f"{media_rule}-removed",
                    f"{where}media type {media} removed",
                    name,
                    (*b_parts, "content", media),
                    None,
                )
                continue
            b_schema, r_schema = b_content[media].get("schema"), r_content[media].get("schema")
            if b_schema is None or r_schema is None:
                continue
            differ = self._differ()
            differ.compare(
                Side(b_schema, (*b_parts, "content", media, "schema")),
                Side(r_schema, (*r_parts, "content", media, "schema")),
            )
            self._schema_changes(differ.changes, name, direction, None, prefix=where.rstrip(": "))

    # --- schemas ---------------------------------------------------------------------------------

    def _differ(self) -> SchemaDiffer:
        """Shared components are not entered here; `_components` compares each once."""
        return SchemaDiffer(self.base.data, self.revision.data)

    def _schema_changes(
        self,
        changes: list[SchemaChange],
        operation: str | None,
        direction: str,
        where: str | None,
        *,
        prefix: str = "",
        level: str | None = None,
        component: str | None = None,
        reach: tuple[str, ...] = (),
    ) -> None:
        for change in changes:
            if change.only and direction in (REQUEST, RESPONSE) and change.only != direction:
                continue  # a readOnly property is not sent, a writeOnly one not received
            place = where or ("property" if change.path else "body")
            rule_id, rule_level = schema_rule(change.kind, direction, place)
            subject = "/".join(change.path) or "body"
            label = f"{prefix}: " if prefix else ""
            self._emit(
                rule_id,
                f"{label}`{subject}` {change.detail}" if change.path else f"{label}{change.detail}",
                operation,
                change.base_parts,
                change.revision_parts,
                level=level or rule_level,
                key=f"{component or ''}|{prefix}|{subject}|{change.kind}|{change.detail}",
                component=component,
                reach=reach,
                rename=change.rename,
            )

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
                if not ways:
                    continue  # it reaches clients only in the direction the property never travels
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
                    request = [
                        op.get("parameters"),
                        item.get("parameters") if isinstance(item, dict) else None,
                    ]
                    request.append(op.get("requestBody"))
                    for direction, roots in ((REQUEST, request), (RESPONSE, [op.get("responses")])):
                        for target in closure(spec, roots, known):
                            self.reach.setdefault(target, set()).add((name, direction))
                    self.bodies |= body_refs(spec, [op.get("requestBody"), op.get("responses")])

    def _examples(self) -> None:
        """An example that the revision leaves breaking its schema, where the base's did not."""
        before = invalid_examples(self.base.data)
        for parts, problem in sorted(invalid_examples(self.revision.data).items(), key=str):
            if parts in before:
                continue  # it was wrong already: not this change's doing
            where = {"operation": f"{str(parts[2]).upper()} {parts[1]}"} if parts[0] == "paths" else {}
            if parts[:2] == ("components", "schemas"):
                where["component"] = str(parts[2])
            message = f"the example no longer matches its schema: {problem}"
            self._emit("example-invalidated", message, where.pop("operation", None), None, parts, **where)

    # --- security --------------------------------------------------------------------------------

    def _operation_security(
        self, name: str, b_op: dict[str, Any], r_op: dict[str, Any], b_at: Any, r_at: Any
    ) -> None:
        if "security" not in b_op and "security" not in r_op:
            return  # the global requirement applies to both; compared once
        b_req = requirements(b_op.get("security", self.base.data.get("security")))
        r_req = requirements(r_op.get("security", self.revision.data.get("security")))
        self._security_change("api-security", name, b_req, r_req, (*b_at, "security"), (*r_at, "security"))

    def _global_security(self) -> None:
        b_req = requirements(self.base.data.get("security"))
        r_req = requirements(self.revision.data.get("security"))
        self._security_change("api-global-security", None, b_req, r_req, ("security",), ("security",))

    def _security_change(
        self, prefix: str, name: str | None, b_req: set[str], r_req: set[str], b_parts: Any, r_parts: Any
    ) -> None:
        if b_req == r_req:
            return
        if not b_req or (r_req - b_req and "" not in r_req):
            added = sorted(r_req - b_req) or ["(none)"]
            self._emit(
                f"{prefix}-added",
                f"security requirement {', '.join(added)} now required",
                name,
                b_parts,
                r_parts,
            )
        if b_req - r_req and b_req:
            removed = sorted(b_req - r_req)
            self._emit(
                f"{prefix}-removed",
                f"security requirement {', '.join(removed)} removed",
                name,
                b_parts,
                r_parts,
            )


def invalid_spec_findings(doc: Document, found: list[Diagnostic]) -> list[Change]:
    """The revision's validation errors, each a located ERR finding of its own."""
    return [
        Change(
            id="spec-validation-error",
            level=OTHER_RULES["spec-validation-error"],
            message=d.message,
            operation=None,
            pointer=d.pointer,
            base_line=None,
            revision_line=d.line or None,
            key=f"|{d.pointer}|{d.message}",
        )
        for d in found
        if d.is_error
    ]
