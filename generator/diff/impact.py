"""What a spec change does to the generated SDK: its public surface, and the files that change."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from ..ir import Api


@dataclass(frozen=True)
class SurfaceChange:
    kind: str  # method, parameter, model, field
    subject: str  # e.g. `OpenAIRealtime.create_realtime_session(temperature=...)`
    change: str  # added, removed, type changed, ...
    breaking: bool


@dataclass(frozen=True)
class Impact:
    surface: tuple[SurfaceChange, ...]
    files_added: tuple[str, ...]
    files_removed: tuple[str, ...]
    files_modified: tuple[str, ...]

    @property
    def bump(self) -> str:
        if any(c.breaking for c in self.surface):
            return "major"
        if self.surface:
            return "minor"
        return "patch" if self.files_added or self.files_removed or self.files_modified else "none"


def sdk_impact(base: tuple[Api, dict[str, str]], revision: tuple[Api, dict[str, str]]) -> Impact:
    """From each side's IR and formatted files."""
    (base_api, old), (revision_api, new) = base, revision
    changes = [*_methods(base_api, revision_api), *_models(base_api, revision_api)]
    return Impact(
        surface=tuple(dict.fromkeys(changes)),  # one line per change to one member
        files_added=tuple(sorted(set(new) - set(old))),
        files_removed=tuple(sorted(set(old) - set(new))),
        files_modified=tuple(sorted(p for p in set(old) & set(new) if old[p] != new[p])),
    )


Signature = dict[str, tuple[str, bool]]  # argument -> (annotation, required)


def _signatures(api: Api) -> dict[str, Signature]:
    found: dict[str, Signature] = {}
    for group in api.groups:
        prefix = f"{api.client_name}." + (f"{group.attribute}." if group.attribute else "")
        for op in group.operations:
            args: Signature = {p.py_name: (p.annotation, p.required) for p in op.parameters}
            for f in op.body.fields if op.body else ():
                args[f.py_name] = (f.annotation, False)
            found[prefix + op.function_name] = args
    return found


def _methods(base: Api, revision: Api) -> list[SurfaceChange]:
    old, new = _signatures(base), _signatures(revision)
    changes = [SurfaceChange("method", f"{m}()", "removed", True) for m in sorted(set(old) - set(new))]
    changes += [SurfaceChange("method", f"{m}()", "added", False) for m in sorted(set(new) - set(old))]
    for method in sorted(set(old) & set(new)):
        changes += _compare_members("parameter", f"{method}({{}}=...)", old[method], new[method])
    return changes


def _compare_members(
    kind: str,
    template: str,
    old: Signature,
    new: Signature,
    aliases: tuple[dict[str, str], dict[str, str]] = ({}, {}),
) -> list[SurfaceChange]:
    """`aliases`: each side's type aliases by name, so `Status` and the literals it stands for
    compare as the same type."""
    changes = []
    for name in sorted(set(old) | set(new)):
        subject = template.format(name).removesuffix(".=")  # "=" is a type alias's one member
        if name not in new:
            changes.append(SurfaceChange(kind, subject, "removed", True))
        elif name not in old:
            required = new[name][1]
            changes.append(SurfaceChange(kind, subject, "added, required" if required else "added", required))
        else:
            (old_type, old_required), (new_type, new_required) = old[name], new[name]
            if old_type != new_type:
                was, now = _members(old_type, aliases[0]), _members(new_type, aliases[1])
                if was == now and old_type.split("[")[0] != new_type.split("[")[0]:
                    continue  # the same values, now behind an alias (or no longer)
                verb = (
                    "constraints changed" if was == now else "type widened" if was <= now else "type narrowed"
                )
                # gaining None breaks code that reads the value, as a response field is read
                breaking = not was <= now or (kind == "field" and "None" in now and "None" not in was)
                changes.append(SurfaceChange(kind, subject, f"{verb}: {old_type} -> {new_type}", breaking))
            if new_required and not old_required:
                changes.append(SurfaceChange(kind, subject, "became required", True))
    return changes


def _models(base: Api, revision: Api) -> list[SurfaceChange]:
    old, new = _model_members(base.models_source), _model_members(revision.models_source)
    changes = [SurfaceChange("model", f"models.{m}", "removed", True) for m in sorted(set(old) - set(new))]
    changes += [SurfaceChange("model", f"models.{m}", "added", False) for m in sorted(set(new) - set(old))]
    aliases = tuple({n: m["="][0] for n, m in side.items() if "=" in m} for side in (old, new))
    for model in sorted(set(old) & set(new)):
        changes += _compare_members(
            "field", f"models.{model}.{{}}", old[model], new[model], (aliases[0], aliases[1])
        )
    return changes


def _model_members(source: str) -> dict[str, Signature]:
    """Each class's fields (annotation, required), its bases' included, as user code reads them,
    and each alias as one member named `=`."""
    found: dict[str, Signature] = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.ClassDef):
            inherited = [found.get(ast.unparse(base), {}) for base in reversed(node.bases)]
            found[node.name] = {k: v for fields in inherited for k, v in fields.items()} | {
                s.target.id: (ast.unparse(s.annotation), s.value is None)
                for s in node.body
                if isinstance(s, ast.AnnAssign)
                and isinstance(s.target, ast.Name)
                and s.target.id != "model_config"
            }
        elif isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            value = node.value
            if isinstance(value, ast.Call) and len(value.args) == 2:  # TypeAliasType("Name", type)
                value = value.args[1]
            found[node.targets[0].id] = {"=": (ast.unparse(value), False)}
    return found


def _members(annotation: str, aliases: dict[str, str] | None = None, depth: int = 0) -> set[str]:
    """The alternatives of a type: `str | Literal['a', 'b'] | None` -> {str, 'a', 'b', None},
    with type aliases (and the runtime's OpenEnum, `X | str`) seen through."""
    try:
        tree = ast.parse(annotation, mode="eval").body
    except SyntaxError:
        return {annotation}
    found: set[str] = set()
    stack = [tree]
    while stack:
        node = stack.pop()
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
            stack += [node.left, node.right]
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") == "Literal":
            items = node.slice.elts if isinstance(node.slice, ast.Tuple) else [node.slice]
            found |= {ast.unparse(i) for i in items}
        elif isinstance(node, ast.Subscript) and getattr(node.value, "id", "") in ("Annotated", "OpenEnum"):
            inner = node.slice.elts[0] if isinstance(node.slice, ast.Tuple) else node.slice
            stack.append(inner)
            if getattr(node.value, "id", "") == "OpenEnum":
                found.add("str")
        elif isinstance(node, ast.Name) and aliases and node.id in aliases and depth < 4:
            found |= _members(aliases[node.id], aliases, depth + 1)
        else:
            found.add(ast.unparse(node))
    return found
