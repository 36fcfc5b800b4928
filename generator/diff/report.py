"""Render a diff: text for terminals, Markdown for pull-request comments, JSON, GitHub annotations."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .compare import Change
from .impact import Impact
from .rules import ERR, INFO, WARN
from .sources import file_of

ADDITIONS = ("-added", "new-optional-", "endpoint-added", "-became-optional")


@dataclass(frozen=True)
class DiffResult:
    base: str
    revision: str
    changes: list[Change]
    identical: bool
    impact: Impact | None

    def count(self, level: str) -> int:
        return sum(c.level == level for c in self.changes)

    @property
    def spec_bump(self) -> str:
        """major for a breaking change; minor for additions or risky ones; patch for anything else."""
        if self.count(ERR):
            return "major"
        if self.count(WARN) or any(c.level == INFO and _is_addition(c.id) for c in self.changes):
            return "minor"
        return "none" if self.identical else "patch"

    @property
    def sdk_bump(self) -> str | None:
        """The SDK's bump: its surface's, and never below major when a request the SDK used to send
        is now refused before it goes out (the SDK checks requests against the spec)."""
        if self.impact is None:
            return None
        refused = any(c.level == ERR and _about_requests(c) for c in self.changes)
        return max(self.impact.bump, "major" if refused else "none", key=BUMPS.index)


BUMPS = ("none", "patch", "minor", "major")


def _about_requests(change: Change) -> bool:
    """A finding about what clients send: a request rule, or a shared component that requests reach."""
    if change.id.startswith(("request-", "new-required-request", "added-required-request")):
        return True
    return any(reach.endswith("(request)") for reach in change.reach)


def _is_addition(rule_id: str) -> bool:
    return any(part in rule_id for part in ADDITIONS)


def to_json(result: DiffResult) -> str:
    payload: dict[str, Any] = {
        "base": result.base,
        "revision": result.revision,
        "summary": _summary(result),
        "changes": [
            {
                "id": c.id,
                "level": c.level,
                "message": c.message,
                "operation": c.operation,
                "operations": c.operations,
                "pointer": c.pointer,
                "base_line": c.base_line,
                "revision_line": c.revision_line,
                "component": c.component,
                "reach": list(c.reach),
                "rename": c.rename,
                "fingerprint": c.fingerprint,
            }
            for c in result.changes
        ],
    }
    if result.impact is not None:
        payload["sdk"] = _impact_json(result.impact, result.sdk_bump)
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"


def _summary(result: DiffResult) -> dict[str, Any]:
    summary: dict[str, Any] = {
        "breaking": result.count(ERR),
        "risky": result.count(WARN),
        "safe": result.count(INFO),
        "spec_bump": result.spec_bump,
    }
    if result.impact is not None:
        summary["sdk_bump"] = result.sdk_bump
    return summary


def _impact_json(impact: Impact, bump: str | None) -> dict[str, Any]:
    return {
        "bump": bump,
        "surface": [
            {"kind": c.kind, "subject": c.subject, "change": c.change, "breaking": c.breaking}
            for c in impact.surface
        ],
        "files": {
            "added": list(impact.files_added),
            "removed": list(impact.files_removed),
            "modified": list(impact.files_modified),
        },
    }


def _where(c: Change, result: DiffResult) -> str:
    if c.revision_line is not None:
        return f"{result.revision}:{c.revision_line}"
    return f"{result.base}:{c.base_line}" if c.base_line is not None else ""


def to_text(result: DiffResult) -> str:
    lines = []
    for c in result.changes:
        scope = c.operation or (f"schema {c.component}" if c.component else "spec")
        lines.append(f"{c.level:<4} {c.id}  {scope}  {_where(c, result)}")
        lines.append(f"     {c.message}")
        if c.reach:
            lines.append(f"     reaches: {', '.join(c.reach)}")
    s = _summary(result)
    lines.append(
        f"{s['breaking']} breaking (ERR), {s['risky']} risky (WARN), {s['safe']} safe (INFO); "
        f"suggested spec bump: {s['spec_bump']}"
    )
    if result.impact is not None:
        lines += _impact_text(result.impact, result.sdk_bump)
    return "\n".join(lines) + "\n"


def _impact_text(impact: Impact, bump: str | None) -> list[str]:
    breaking = sum(c.breaking for c in impact.surface)
    lines = [
        f"SDK: {breaking} source-breaking of {len(impact.surface)} surface changes;"
        f" suggested SDK bump: {bump}"
    ]
    for c in impact.surface:
        lines.append(f"  {'breaking' if c.breaking else 'safe':<8} {c.kind} {c.subject}: {c.change}")
    for label, files in (
        ("added", impact.files_added),
        ("removed", impact.files_removed),
        ("modified", impact.files_modified),
    ):
        if files:
            lines.append(f"  files {label}: {', '.join(files)}")
    return lines


def to_github(result: DiffResult) -> str:
    """GitHub Actions workflow commands: an annotation on the spec line of each change."""
    kinds = {ERR: "error", WARN: "warning", INFO: "notice"}
    lines = []
    for c in result.changes:
        shown, line = (
            (result.revision, c.revision_line) if c.revision_line is not None else (result.base, c.base_line)
        )
        message = f"{c.message} ({c.operation})" if c.operation else c.message
        place = f"file={file_of(shown)},line={line or 1}"
        lines.append(f"::{kinds[c.level]} {place},title={c.id}::{_escape(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def _escape(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def to_markdown(result: DiffResult) -> str:
    s = _summary(result)
    out = [
        "## API changes",
        "",
        f"`{_cell(result.base)}` → `{_cell(result.revision)}`",
        "",
        "| breaking (ERR) | risky (WARN) | safe (INFO) | spec bump | SDK bump |",
        "| --- | --- | --- | --- | --- |",
        f"| {s['breaking']} | {s['risky']} | {s['safe']} | {s['spec_bump']} | {s.get('sdk_bump', 'n/a')} |",
    ]
    groups: dict[str, list[Change]] = {}
    for c in result.changes:
        targets = sorted({r.rsplit(" (", 1)[0] for r in c.reach}) if c.reach else [c.operation or "Spec-wide"]
        for target in targets:
            groups.setdefault(target, []).append(c)
    for target in sorted(groups, key=lambda t: (t == "Spec-wide", t)):
        out += ["", f"### {_cell(target)}", "", "| level | rule | change |", "| --- | --- | --- |"]
        out += [f"| {c.level} | `{c.id}` | {_cell(c.message)} |" for c in groups[target]]
    if not result.changes:
        out += ["", "No changes to the API's contract."]
    if result.impact is not None:
        out += _impact_markdown(result.impact)
    return "\n".join(out) + "\n"


def _impact_markdown(impact: Impact) -> Sequence[str]:
    out = ["", "### SDK impact", ""]
    if impact.surface:
        out += ["| | kind | name | change |", "| --- | --- | --- | --- |"]
        out += [
            f"| {_verdict(c.breaking)} | {c.kind} | `{_cell(c.subject)}` | {_cell(c.change)} |"
            for c in impact.surface
        ]
    else:
        out.append("The public surface is unchanged.")
    files = [*(f"{f} (added)" for f in impact.files_added), *(f"{f} (removed)" for f in impact.files_removed)]
    files += impact.files_modified
    if files:
        out += ["", "Generated files that change: " + ", ".join(f"`{f}`" for f in files) + "."]
    return out


def _verdict(breaking: bool) -> str:
    return "breaking" if breaking else "safe"


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


FORMATS = {"text": to_text, "markdown": to_markdown, "json": to_json, "github": to_github}
