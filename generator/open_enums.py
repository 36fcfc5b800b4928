"""Open string enums: a server may add a value at any time, so a model field of a string enum is
typed `OpenEnum[Literal[...]]` (the runtime's alias of `Literal[...] | str`). Responses keep an
unknown value; requests, and responses under `strict_response_validation`, still refuse it.
Discriminating properties stay closed `Literal`s, as pydantic's tagged unions need."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from typing import Any

from .collector import parse
from .walk import iter_schemas

OPEN_ENUM = "OpenEnum"


def discriminating_properties(spec: dict[str, Any]) -> frozenset[str]:
    """The property names any discriminator of the spec switches on."""
    names = set()
    for _, schema in iter_schemas(spec):
        disc = schema.get("discriminator")
        if isinstance(disc, dict) and isinstance(disc.get("propertyName"), str):
            names.add(disc["propertyName"])
    return frozenset(names)


def open_string_enums(text: str, closed: frozenset[str]) -> str:
    """`text` (a models module) with each string `Literal` of a field or type alias wrapped in
    `OpenEnum[...]`, except fields named in `closed`; the runtime import gains OpenEnum."""
    module = parse(text)
    data = text.encode("utf-8")  # ast offsets count UTF-8 bytes
    lines = [0]
    for line in data.splitlines(keepends=True):
        lines.append(lines[-1] + len(line))
    edits: list[tuple[int, int]] = []
    for node in _open_annotations(module, closed):
        for literal in _string_literals(node):
            assert literal.end_lineno is not None and literal.end_col_offset is not None
            start = lines[literal.lineno - 1] + literal.col_offset
            edits.append((start, lines[literal.end_lineno - 1] + literal.end_col_offset))
    if not edits:
        return text
    for start, end in sorted(set(edits), reverse=True):
        data = data[:start] + f"{OPEN_ENUM}[".encode() + data[start:end] + b"]" + data[end:]
    return _import_open_enum(data.decode("utf-8"), module)


def _open_annotations(module: ast.Module, closed: frozenset[str]) -> Iterator[ast.expr]:
    for node in module.body:
        if isinstance(node, ast.ClassDef):
            for field in node.body:
                if isinstance(field, ast.AnnAssign) and isinstance(field.target, ast.Name):
                    if _wire_name(field) not in closed:
                        yield field.annotation
        elif isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if getattr(node.value.func, "id", None) == "TypeAliasType" and len(node.value.args) == 2:
                yield node.value.args[1]


def _string_literals(node: ast.expr) -> Iterator[ast.Subscript]:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Subscript) and getattr(sub.value, "id", None) == "Literal":
            values = sub.slice.elts if isinstance(sub.slice, ast.Tuple) else [sub.slice]
            if all(isinstance(v, ast.Constant) and isinstance(v.value, str) for v in values):
                yield sub


def _wire_name(field: ast.AnnAssign) -> str:
    for call in ast.walk(field):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Field":
            for kw in call.keywords:
                if kw.arg == "alias" and isinstance(kw.value, ast.Constant):
                    return str(kw.value.value)
    assert isinstance(field.target, ast.Name)
    return field.target.id


def _import_open_enum(text: str, module: ast.Module) -> str:
    """A line importing OpenEnum after the module's `from <package>._runtime import ...` (isort
    merges the two when the module is formatted). Edits kept the lines where they were."""
    found = next(
        (n for n in module.body if isinstance(n, ast.ImportFrom) and (n.module or "").endswith("._runtime")),
        None,
    )
    if found is None or found.end_lineno is None:
        return text
    lines = text.splitlines(keepends=True)
    lines.insert(found.end_lineno, f"from {found.module} import {OPEN_ENUM}\n")
    return "".join(lines)
