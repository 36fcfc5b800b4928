"""Split the one models module datamodel-code-generator writes into a package: a module per component
schema, or per group of schemas that refer to each other, each with the inline models only it uses."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from .collector import parse
from .naming import member_order, safe_name, snake_case


@dataclass(frozen=True)
class ModelModule:
    """One module of the models package: its name, its text (not yet formatted) and what it defines."""

    name: str
    text: str
    names: tuple[str, ...]


Fields = tuple[ast.AnnAssign, ...]


class ModelFields(Mapping[str, Fields]):
    """Each class's fields in pydantic's order, inherited ones included, read from the modules
    when first asked for: a run whose models come from the cache parses only the classes it uses
    (request bodies and their bases), not the megabyte of them all."""

    def __init__(self, modules: Iterable[ModelModule]) -> None:
        self._home = {name: module for module in modules for name in module.names}
        self._classes: dict[str, dict[str, ast.ClassDef]] = {}  # module name -> its classes
        self._fields: dict[str, Fields] = {}

    def _class(self, name: str) -> ast.ClassDef | None:
        module = self._home.get(name)
        if module is None:
            return None
        if module.name not in self._classes:
            body = parse(module.text).body
            self._classes[module.name] = {n.name: n for n in body if isinstance(n, ast.ClassDef)}
        return self._classes[module.name].get(name)

    def __getitem__(self, name: str) -> Fields:
        if name not in self._fields:
            node = self._class(name)
            if node is None:
                raise KeyError(name)
            merged: dict[str, ast.AnnAssign] = {}  # an `allOf` parent's first, redefined ones in place
            for base in node.bases:
                if isinstance(base, ast.Name) and base.id in self:
                    merged.update((_target(f), f) for f in self[base.id])
            own = (s for s in node.body if isinstance(s, ast.AnnAssign) and isinstance(s.target, ast.Name))
            merged.update((_target(f), f) for f in own)
            self._fields[name] = tuple(merged.values())
        return self._fields[name]

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self._class(name) is not None

    def __iter__(self) -> Iterator[str]:
        return (name for name in self._home if name in self)

    def __len__(self) -> int:
        return sum(1 for _ in self)


def _target(field: ast.AnnAssign) -> str:
    assert isinstance(field.target, ast.Name)
    return field.target.id


@dataclass
class Definition:
    name: str
    lines: list[str]  # the statement, with the docstrings that follow it
    rebuild: list[str]  # `Name.model_rebuild()` calls, which go after every definition of the module
    uses: set[str]
    named: bool = False  # a class or a plain assignment: a name the module exports
    mutable: bool = False  # a class of the runtime's BaseModel with a mutable default


def split_models(
    imports: Imports,
    definitions: dict[str, Definition],
    headers: tuple[str, str],
    components: Iterable[str],
    mutable: set[str],
) -> tuple[ModelModule, ...]:
    """The models package's modules, by name, from the module's `statements`; `components` are
    the classes of component schemas (each roots a module), `mutable` the classes whose module
    takes the second header (ruff's exemption for mutable defaults) instead of the first."""
    if not definitions:
        return ()
    position = {name: i for i, name in enumerate(definitions)}  # the order datamodel-code-generator wrote
    groups = _strongly_connected(
        position, {n: d.uses & definitions.keys() - {n} for n, d in definitions.items()}
    )
    owner = _assign(groups, set(components), definitions)
    modules: dict[str, list[str]] = {}
    for name in definitions:
        modules.setdefault(owner[name], []).append(name)
    taken: set[str] = set()
    named = {root: _module_name(root, taken, position) for root in sorted(modules, key=position.__getitem__)}
    result = []
    for root, members in modules.items():
        result.append(
            ModelModule(
                named[root],
                _module_text(
                    headers[any(m in mutable for m in members)],
                    imports,
                    [definitions[m] for m in members],
                    {n: named[owner[n]] for m in members for n in definitions[m].uses if n in owner},
                    named[root],
                ),
                tuple(members),
            )
        )
    return tuple(sorted(result, key=lambda m: m.name))


Imports = list[tuple[int, str, list[str]]]  # (section, module, names): `from module import names`
Statements = tuple[Imports, dict[str, Definition]]


def statements(tree: ast.Module, lines: list[str]) -> Statements:
    """The module's imports, in sections as blank lines separate them, and its definitions by
    name, in order."""
    imports: Imports = []
    section, previous_end = 0, 0
    definitions: dict[str, Definition] = {}
    last: Definition | None = None
    for node in tree.body:
        source = lines[_first_line(node) - 1 : (node.end_lineno or node.lineno)]
        name = _defined_name(node)
        if isinstance(node, ast.ImportFrom) and node.module and node.module != "__future__":
            section += bool(imports) and node.lineno > previous_end + 1
            previous_end = node.end_lineno or node.lineno
            imports.append((section, node.module, [_alias(a) for a in node.names]))
        elif isinstance(node, ast.ImportFrom):
            continue
        elif name is not None:
            last = definitions[name] = Definition(
                name,
                source,
                [],
                _names(node),
                not isinstance(node, ast.AnnAssign),
                _has_mutable_default(node),
            )
        elif (target := _rebuilt(node)) in definitions:
            definitions[target].rebuild += source
        elif last is not None:  # an attribute docstring, or anything else that follows a definition
            last.lines += source
            last.uses |= _names(node)
    return imports, definitions


def _first_line(node: ast.stmt) -> int:
    decorators: list[ast.expr] = getattr(node, "decorator_list", [])
    return min([node.lineno, *(d.lineno for d in decorators)])


def _defined_name(node: ast.stmt) -> str | None:
    if isinstance(node, ast.ClassDef):
        return node.name
    if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.targets[0], ast.Name):
        return node.targets[0].id
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
        return node.target.id
    return None


def _has_mutable_default(node: ast.stmt) -> bool:
    """A subclass of the runtime's BaseModel (where ruff cannot see pydantic) with a field whose
    default is a list, dict or set."""
    return (
        isinstance(node, ast.ClassDef)
        and any(isinstance(b, ast.Name) and b.id == "BaseModel" for b in node.bases)
        and any(
            isinstance(s, ast.AnnAssign)
            and isinstance(s.target, ast.Name)
            and isinstance(s.value, ast.List | ast.Dict | ast.Set)
            for s in node.body
        )
    )


def _rebuilt(node: ast.stmt) -> str | None:
    """`X` of a `X.model_rebuild()` statement."""
    if (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Call)
        and isinstance(node.value.func, ast.Attribute)
        and isinstance(node.value.func.value, ast.Name)
    ):
        return node.value.func.value.id
    return None


def _alias(alias: ast.alias) -> str:
    return f"{alias.name} as {alias.asname}" if alias.asname and alias.asname != alias.name else alias.name


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _strongly_connected(position: dict[str, int], edges: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's groups, dependencies before their dependants, each in `position` order; iterative,
    for thousands of models."""
    order = position.__getitem__
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []
    for start in position:
        if start in index:
            continue
        work = [(start, iter(sorted(edges[start], key=order)))]
        index[start] = low[start] = len(index)
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is None:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    group = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        group.append(member)
                        if member == node:
                            break
                    groups.append(sorted(group, key=order))
            elif child not in index:
                index[child] = low[child] = len(index)
                stack.append(child)
                on_stack.add(child)
                work.append((child, iter(sorted(edges[child], key=order))))
            elif child in on_stack:
                low[node] = min(low[node], index[child])
    return groups


def _assign(
    groups: list[list[str]], components: set[str], definitions: dict[str, Definition]
) -> dict[str, str]:
    """The module (named by its root's first definition) of each definition: a group with a
    component schema roots a module; an inline group joins its users' module when they share one."""
    group_of = {name: i for i, group in enumerate(groups) for name in group}
    users: dict[int, set[int]] = {i: set() for i in range(len(groups))}
    for name, definition in definitions.items():
        for used in definition.uses:
            if used in group_of and group_of[used] != group_of[name]:
                users[group_of[used]].add(group_of[name])
    module_of: dict[int, str] = {}
    for i in reversed(range(len(groups))):  # dependants first
        homes = {module_of[u] for u in users[i]}
        if len(homes) == 1 and not components.intersection(groups[i]):
            module_of[i] = homes.pop()
        else:
            module_of[i] = next((n for n in groups[i] if n in components), groups[i][0])
    return {name: module_of[i] for name, i in group_of.items()}


def _module_name(root: str, taken: set[str], defined: dict[str, int]) -> str:
    """A snake_case module name, unique without regard to case (for case-insensitive file systems)."""
    base = safe_name(snake_case(root)) or "model"
    if base.startswith("_") or base in defined:
        base = f"{base.strip('_')}_model"
    name, n = base, 2
    while name.lower() in taken:
        name, n = f"{base}_{n}", n + 1
    taken.add(name.lower())
    return name


def _module_text(
    header: str,
    imports: Imports,
    definitions: list[Definition],
    homes: dict[str, str],
    own: str,
) -> str:
    used = set().union(*(d.uses for d in definitions))
    sections: dict[int, list[str]] = {}
    for section, module, names in imports:
        kept = [n for n in names if n.split(" as ")[-1] in used]
        if kept:
            sections.setdefault(section, []).append(f"from {module} import {', '.join(kept)}")
    local: dict[str, set[str]] = {}
    for name, module in homes.items():
        if module != own:
            local.setdefault(module, set()).add(name)
    sections[len(imports)] = [
        f"from .{module} import {', '.join(sorted(local[module], key=member_order))}"
        for module in sorted(local)
    ]
    lines = [header, "", "from __future__ import annotations"]
    for section in sorted(sections):
        lines += ["", *sections[section]] if sections[section] else []
    body = [line for d in definitions for line in ["", "", *d.lines]]
    rebuild = [line for d in definitions for line in d.rebuild]
    text = "\n".join(lines + body + (["", "", *rebuild] if rebuild else [])) + "\n"
    return re.sub(r"\n{4,}", "\n\n\n", text)
