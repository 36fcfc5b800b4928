"""Paths and operations: added, removed as deprecation and sunset allow, renamed path
parameters, stability, tags, parameters, request bodies and responses."""

from __future__ import annotations

from typing import Any

from ..pointer import Part, deref
from .graph import component_name, operations, parameter_renames, path_renames, requirements
from .lifecycle import UNSTABLE, removal, removal_rule, stability, stability_change
from .schemas import Side
from .state import REQUEST, RESPONSE, DiffState


class Operations(DiffState):
    def _paths(self) -> None:
        b_paths = self.base.data.get("paths") or {}
        r_paths = self.revision.data.get("paths") or {}
        renamed = path_renames(list(b_paths), list(r_paths))  # base path -> revision path
        for path, b_item in b_paths.items():
            if path not in r_paths and path not in renamed:
                for method, b_op in operations(b_item).items():
                    self._removed_operation("api-path", path, method, b_op)
        was = {new: old for old, new in renamed.items()}
        for path, r_item in r_paths.items():
            base_path = was.get(path, path)
            b_item = b_paths.get(base_path)
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
            names = parameter_renames(base_path, path)
            if names:
                shown = ", ".join(f"{{{a}}} -> {{{b}}}" for a, b in names.items())
                message = f"path parameters renamed ({shown}): requests are the same on the wire"
                self._emit(
                    "request-path-parameter-renamed",
                    message,
                    None,
                    ("paths", base_path),
                    ("paths", path),
                    rename=shown,
                )
            r_ops, b_ops = operations(r_item), operations(b_item)
            for method, r_op in r_ops.items():
                name = f"{method.upper()} {path}"
                if method not in b_ops:
                    self._emit("endpoint-added", "operation added", name, None, ("paths", path, method))
                else:
                    self._operation(
                        name, (base_path, path), method, b_item, r_item, b_ops[method], r_op, names
                    )
            for method, b_op in b_ops.items():
                if method not in r_ops:
                    self._removed_operation("api", base_path, method, b_op)

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
        paths: tuple[str, str],
        method: str,
        b_item: Any,
        r_item: Any,
        b_op: dict[str, Any],
        r_op: dict[str, Any],
        renames: dict[str, str],
    ) -> None:
        """One operation both sides have; `paths` are its base and revision paths, which differ
        only by the names of path parameters (`renames`, base name -> revision name)."""
        b_at, r_at = ("paths", paths[0], method), ("paths", paths[1], method)
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
        self._parameters(name, b_item, r_item, b_op, r_op, b_at, r_at, renames)
        self._request_body(name, b_op, r_op, b_at, r_at)
        self._responses(name, b_op, r_op, b_at, r_at)

    def _tags(self, name: str, b_op: dict[str, Any], r_op: dict[str, Any], b_at: Any, r_at: Any) -> None:
        """A tag moves the operation's method to another resource of the SDK (`client.<tag>`)."""
        b_tags = [str(t) for t in b_op.get("tags") or []]
        r_tags = [str(t) for t in r_op.get("tags") or []]
        for verb, tags, others in (("added", r_tags, b_tags), ("removed", b_tags, r_tags)):
            for tag in tags:
                if tag not in others:
                    parts = ((*b_at, "tags"), (*r_at, "tags"))
                    self._emit(f"api-tag-{verb}", f"tag {tag!r} {verb}", name, *parts, key=f"tag|{tag}")

    def _parameters(
        self,
        name: str,
        b_item: Any,
        r_item: Any,
        b_op: dict[str, Any],
        r_op: dict[str, Any],
        b_at: Any,
        r_at: Any,
        renames: dict[str, str],
    ) -> None:
        b_params = {
            (where, renames.get(key, key) if where == "path" else key): found
            for (where, key), found in self._parameter_map(self.base.data, b_item, b_op, b_at).items()
        }
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
                self.shared_reach.setdefault("parameters", {}).setdefault(b_ref, set()).add(name)
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
    ) -> None:
        """Deprecation, requiredness and the schema of a parameter both sides have."""
        for flag, (set_rule, unset_rule) in (
            ("deprecated", ("request-parameter-deprecated", "request-parameter-reactivated")),
            ("required", ("request-parameter-became-required", "request-parameter-became-optional")),
        ):
            if bool(b_param.get(flag)) != bool(r_param.get(flag)):
                rule = set_rule if r_param.get(flag) else unset_rule
                words = rule.removeprefix("request-parameter-").replace("-", " ")
                self._emit(rule, f"{label} {words}", operation, b_parts, r_parts, key=f"{label}|{rule}")
        differ = self._differ()
        differ.compare(
            Side(b_param.get("schema"), (*b_parts, "schema")),
            Side(r_param.get("schema"), (*r_parts, "schema")),
        )
        self._schema_changes(differ.changes, operation, REQUEST, "parameter", prefix=label)

    def _parameter_map(
        self, spec: dict[str, Any], item: Any, op: dict[str, Any], at: tuple[Part, ...]
    ) -> dict[tuple[str, str], tuple[dict[str, Any], tuple[Part, ...], str | None]]:
        """(in, name) -> (the parameter, where it is listed, the components/parameters entry it names)."""
        found: dict[tuple[str, str], tuple[dict[str, Any], tuple[Part, ...], str | None]] = {}
        for holder, parts in ((item, at[:2]), (op, at)):
            for index, param in enumerate((holder or {}).get("parameters") or []):
                resolved = deref(spec, param)
                if isinstance(resolved, dict) and "name" in resolved:
                    found[(str(resolved.get("in")), str(resolved["name"]))] = (
                        resolved,
                        (*parts, "parameters", index),
                        component_name(param, "parameters"),
                    )
        return found

    def _request_body(
        self, name: str, b_op: dict[str, Any], r_op: dict[str, Any], b_at: Any, r_at: Any
    ) -> None:
        if self._same_shared("requestBodies", b_op.get("requestBody"), r_op.get("requestBody"), name):
            return
        b_body = deref(self.base.data, b_op.get("requestBody"))
        r_body = deref(self.revision.data, r_op.get("requestBody"))
        self._body_changes(name, b_body, r_body, (*b_at, "requestBody"), (*r_at, "requestBody"))

    def _body_changes(
        self, name: str | None, b_body: Any, r_body: Any, b_parts: tuple[Part, ...], r_parts: tuple[Part, ...]
    ) -> None:
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
            if self._same_shared("responses", b_response, r_responses[status], name):
                continue
            b_resolved = deref(self.base.data, b_response)
            r_resolved = deref(self.revision.data, r_responses[status])
            self._content(
                name, RESPONSE, b_resolved, r_resolved, b_parts, r_parts, "response-media-type", status
            )
            self._headers(name, b_resolved, r_resolved, b_parts, r_parts)

    def _headers(
        self,
        name: str | None,
        b_response: Any,
        r_response: Any,
        b_parts: tuple[Part, ...],
        r_parts: tuple[Part, ...],
    ) -> None:
        """Response headers a client may read: one that goes (ERR when it was required), one that
        is no longer required (ERR), one that comes (INFO)."""
        b_all = (b_response.get("headers") or {}) if isinstance(b_response, dict) else {}
        r_all = (r_response.get("headers") or {}) if isinstance(r_response, dict) else {}
        for header in r_all:
            if header not in b_all:
                self._emit(
                    "response-header-added",
                    f"response header {header} added",
                    name,
                    None,
                    (*r_parts, "headers", header),
                )
        for header, b_header in b_all.items():
            was = deref(self.base.data, b_header)
            required = isinstance(was, dict) and was.get("required") is True
            at = (*b_parts, "headers", header)
            if header not in r_all:
                rule = "required-response-header-removed" if required else "optional-response-header-removed"
                self._emit(rule, f"response header {header} removed", name, at, None)
                continue
            now = deref(self.revision.data, r_all[header])
            if required and not (isinstance(now, dict) and now.get("required") is True):
                self._emit(
                    "response-header-became-optional",
                    f"response header {header} became optional",
                    name,
                    at,
                    (*r_parts, "headers", header),
                )

    def _content(
        self,
        name: str | None,
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
