"""The import block of a rendered client or resource module: exactly the names its code uses, in
the order isort (and ruff) wants."""

from __future__ import annotations

import ast
import symtable
import sys
from functools import cache
from pathlib import Path

from . import cache as results
from .ir import Api
from .meaning import code_blocks
from .naming import member_order


@cache
def runtime_names(runtime: Path) -> frozenset[str]:
    """What the hand-written runtime defines at its top level (public or not: the generated
    modules also use its helpers)."""
    names = set()
    for node in ast.parse(runtime.read_text("utf-8")).body:
        if isinstance(node, ast.ClassDef | ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            names |= {t.id for t in targets if isinstance(t, ast.Name)}
    return frozenset(names - {"__all__"})


def import_block(
    api: Api, body: str, level: int, runtime: frozenset[str], type_only: dict[str, list[str]]
) -> str:
    """`from` imports for the names `body` uses: the standard library and third-party modules the
    signatures name, httpx, the runtime, `request_builders`, the models package (as `_models`, read
    when a method runs), and, under TYPE_CHECKING, the models and `type_only` (module -> names)
    that annotations name. `level` is the module's depth in the package (1: `from . import`)."""
    used = _used_names(body)
    typed = {module: [n for n in names if n in used] for module, names in type_only.items()}
    models = [n for n in api.model_names if n in used]
    if models or any(typed.values()):
        used.add("TYPE_CHECKING")
    stdlib: dict[str, list[str]] = {"collections.abc": ["Mapping"]}
    other: dict[str, list[str]] = {}
    for module, names in api.signature_imports + (("typing", ("TYPE_CHECKING",)),):
        home = stdlib if module.split(".")[0] in sys.stdlib_module_names else other
        home.setdefault(module, []).extend(names)
    sections = [_from_lines(stdlib, used), ["import httpx"] * ("httpx" in used) + _from_lines(other, used)]
    up = "." * level
    local = [f"from {up} import models as _models"] * ("_models" in used)
    local += [f"from {up} import request_builders"] * ("request_builders" in used)
    local += _from_lines({f"{up}_runtime": sorted(runtime)}, used)
    sections.append(local)
    lines = ["from __future__ import annotations"]
    for section in sections:
        lines += ["", *section] if section else []
    checked = {**typed, f"{up}models": models}
    if any(checked.values()):
        lines += ["", "if TYPE_CHECKING:"]
        lines += [f"    {line}" for line in _from_lines(checked, used)]
    return "\n".join(lines) + "\n"


def _used_names(body: str) -> set[str]:
    """The names `body` reads or binds. Parsing the client modules is a second of a large SDK's
    render, so the names are cached by the text: an edit re-parses the modules it changed."""
    name = results.key("names", body)
    hit = results.get("names", name)
    if isinstance(hit, list):
        return set(hit)
    used = _names_in_scopes(body)
    results.put("names", name, sorted(used))
    return used


def _names_in_scopes(body: str) -> set[str]:
    """The names of `body`'s Name nodes, read from the compiler's symbol tables, which are built
    in C (half the time of a syntax tree walked in Python on the full OpenAI SDK's client
    modules): each scope's names read, and those bound other than as a parameter, an import or a
    function or class's own name (`super()`'s implicit `__class__` aside). An `except` clause's
    `as` name and a `match` pattern's captures count as bound here, unlike in the tree; the
    templates bind no module's name so. The tables are built a top-level block at a time
    (`code_blocks`; the whole body when a cut leaves a block that does not compile, or a
    `__future__` import would hold for the first block alone): those of the full SDK's 600 KB
    request builders, whole, put 18 MB on the render child's peak, the run's."""
    names: set[str] = set()
    try:
        blocks = [body] if "from __future__" in body else code_blocks(body)
        for block in blocks:
            names |= _names_in_tables(symtable.symtable(block, "<body>", "exec"))
    except SyntaxError:
        names = _names_in_tables(symtable.symtable(body, "<body>", "exec"))
    if "__class__" not in body:
        names.discard("__class__")
    return names


def _names_in_tables(top: symtable.SymbolTable) -> set[str]:
    names: set[str] = set()
    tables = [top]
    while tables:
        table = tables.pop()
        children = table.get_children()
        defined = {child.get_name() for child in children}
        for symbol in table.get_symbols():
            if symbol.is_referenced() or (
                symbol.is_assigned()
                and not symbol.is_parameter()
                and not symbol.is_imported()
                and symbol.get_name() not in defined
            ):
                names.add(symbol.get_name())
        tables += children
    return names


def _from_lines(modules: dict[str, list[str]], used: set[str]) -> list[str]:
    lines = []
    for module in sorted(modules, key=lambda m: (len(m.lstrip(".")) - len(m), m)):  # `..x` before `.x`
        names = sorted({n for n in modules[module] if n.split(" as ")[-1] in used}, key=member_order)
        if names:
            lines.append(f"from {module} import {', '.join(names)}")
    return lines
