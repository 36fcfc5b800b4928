"""What every part of the diff shares: a finding (`Change`), the two sides, and how findings
are made, rated and scoped to a shared component."""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import hashlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from ..diagnostics import Diagnostic
from ..loader import Document
from ..pointer import Part, to_pointer
from .graph import component_name
from .rules import INFO, OTHER_RULES, PARAMETER_PROPERTY_KINDS, schema_rule
from .schemas import SchemaChange, SchemaDiffer

REQUEST, RESPONSE = "request", "response"
ONE_SIDED_ENUM_RULES = {
    (REQUEST, "enum-value-removed"): "request-read-only-property-enum-value-removed",
    (RESPONSE, "enum-value-added"): "response-write-only-property-enum-value-added",
}
_NULLABILITY = {
    "became-nullable": "request-parameter-list-of-types-widened",
    "became-not-nullable": "request-parameter-list-of-types-narrowed",
}


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
    def operations(self) -> list[str]:
        """The operations it concerns: its own, or those a shared component's change reaches."""
        if self.operation:
            return [self.operation]
        return list(dict.fromkeys(reached.rsplit(" (", 1)[0] for reached in self.reach))

    @property
    def fingerprint(self) -> str:
        return hashlib.sha256(f"{self.id}|{self.key}".encode()).hexdigest()[:16]


@dataclass
class DiffState:
    """The two sides and the findings so far; the comparing parts are methods of SpecDiff."""

    base: Document
    revision: Document
    changes: list[Change] = field(default_factory=list)
    # component name -> {(operation, direction)} that reach it, on either side (transitively)
    reach: dict[str, set[tuple[str, str]]] = field(default_factory=dict)
    # components that are a request or response body themselves, not only a property's type
    bodies: set[str] = field(default_factory=set)
    today: dt.date = field(default_factory=dt.date.today)  # what a sunset date is compared with
    # components/<kind>/<name> that both sides' operations name -> the operations that do
    shared_reach: dict[str, dict[str, set[str]]] = field(default_factory=dict)

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

    @contextlib.contextmanager
    def _shared(self, component: str, reach: set[str]) -> Iterator[None]:
        """What is reported inside is about one shared component, once, with the operations
        that use it."""
        start = len(self.changes)
        yield
        self.changes[start:] = [
            dataclasses.replace(
                c, component=component, reach=tuple(sorted(reach)), key=f"{component}|{c.key}"
            )
            for c in self.changes[start:]
        ]

    def _same_shared(self, kind: str, b_node: Any, r_node: Any, operation: str) -> bool:
        """Whether both sides name the same components/<kind> entry; it is then compared once."""
        names = [component_name(node, kind) for node in (b_node, r_node)]
        if names[0] is None or names[0] != names[1]:
            return False
        self.shared_reach.setdefault(kind, {}).setdefault(names[0], set()).add(operation)
        return True

    def _nullable_keyword(self) -> bool:
        """OpenAPI 3.0 says null with `nullable`; 3.1 and later with a type list or a null branch."""
        return str(self.revision.data.get("openapi", "")).startswith("3.0")

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
            place = where or ("property" if change.path else "body")
            # a readOnly property is not sent, a writeOnly one not received: only oasdiff's notice
            # of an enum that changed where the property is not carried remains
            unsent = change.only not in (None, direction) and direction in (REQUEST, RESPONSE)
            if unsent:
                rule_id, rule_level = ONE_SIDED_ENUM_RULES.get((direction, change.kind), ""), INFO
                if not rule_id or place != "property":
                    continue
            elif place == "parameter" and change.path and change.kind in PARAMETER_PROPERTY_KINDS:
                rule_id, rule_level = schema_rule(change.kind, direction, "parameter-property")
            else:
                rule_id, rule_level = schema_rule(change.kind, direction, place)
            if place == "parameter" and change.kind in _NULLABILITY and not self._nullable_keyword():
                rule_id = _NULLABILITY[change.kind]  # a parameter's null is one more type (oasdiff)
                rule_level = OTHER_RULES[rule_id]
            subject = "/".join(change.path) or "body"
            label = f"{prefix}: " if prefix else ""
            self._emit(
                rule_id,
                f"{label}`{subject}` {change.detail}" if change.path else f"{label}{change.detail}",
                operation,
                change.base_parts,
                change.revision_parts,
                # INFO: the same values on the wire (how the spec is written changed)
                level=INFO if change.quiet or unsent else level or rule_level,
                key=f"{component or ''}|{prefix}|{subject}|{change.kind}|{change.detail}",
                component=component,
                reach=reach,
                rename=change.rename,
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
