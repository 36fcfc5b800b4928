"""Pydantic v2 models from the spec's schemas, by datamodel-code-generator's Python API, in process."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from . import cache, codegen_worker
from .collector import parse
from .descriptions import plain_object, with_descriptions, without_descriptions
from .diagnostics import SpecError
from .loader import Document
from .model_codegen import HEADER, MUTABLE_DEFAULTS_HEADER, run_datamodel_codegen
from .model_groups import merged, schema_groups
from .model_modules import ModelFields, ModelModule, Statements, split_models, statements
from .model_names import SDK_NAMES
from .model_pieces import Assembly, PieceRun, pieces
from .models_on_disk import Group, ModelsOnDisk, names_only, record_json
from .open_enums import discriminating_properties


@dataclass(frozen=True)
class ModelSource:
    """The models module's text and the public names it defines, in order."""

    text: str
    names: tuple[str, ...]
    component_classes: dict[str, str]  # components/schemas key -> class name
    imports: dict[str, tuple[str, str]]  # a name the models import (UUID, ...) -> (module, import text)
    modules: tuple[ModelModule, ...] = ()  # the text split into the models package's modules
    # components/schemas key -> the cache key its group's models were made by, which covers the
    # schema and all it reaches, descriptions aside
    digests: dict[str, str] = field(default_factory=dict)
    groups: dict[str, str] = field(default_factory=dict)  # each group's line in the record, by its key
    # each run of a piece of a group (`model_pieces`) as the record holds it, by its cache key
    pieces: dict[str, str] = field(default_factory=dict)
    names_only: bool = False  # from the record of a group joined to another: no modules' text

    @property
    def record_lines(self) -> dict[str, str]:
        """The record's lines of its groups and of their pieces' runs, by key."""
        return {**self.groups, **self.pieces}

    @cached_property
    def fields(self) -> ModelFields:
        """Each class's fields, inherited ones included."""
        return ModelFields(self.modules)

    def class_for(self, key: str) -> str | None:
        return self.component_classes.get(key)


def generate_models(
    doc: Document,
    spec: dict[str, Any],
    package: str,
    reserved: frozenset[str] = SDK_NAMES,
    on_disk: ModelsOnDisk | None = None,
    on_group: Callable[[ModelSource], None] = lambda part: None,
    on_definitions: Callable[[list[str]], None] = lambda texts: None,
) -> ModelSource:
    """Run datamodel-code-generator on the component schemas of the prepared spec, group by group
    (`model_groups`); the models derive from the runtime's BaseModel. Groups whose models would
    take the same name (a class, an import, a module) are generated together instead. A group the
    output folder holds already (`on_disk`) is taken from there; so are the names of a group made
    and then joined to another last time, which tell the same joins. Each group's models go to
    `on_group` once made, a joined group's too: the modules of the result are theirs. A large
    group's definitions go to `on_definitions` as each piece's run is made, while the others run
    (`_made`): the statements its modules are likely to hold, to be formatted meanwhile."""
    schemas = (spec.get("components") or {}).get("schemas")
    if not schemas:
        return _inspect(f"{HEADER}\n\nfrom __future__ import annotations\n", {})
    groups = schema_groups(schemas)
    names = (reserved, discriminating_properties(spec))  # of the whole spec: paths have discriminators too
    made: dict[str, str] = {}  # the record's line of each group made on the way
    known: dict[tuple[str, ...], ModelSource] = {}  # each group's models, made once in a run

    def models_of(group: list[str], source: ModelsOnDisk | None = None) -> ModelSource:
        part = known.get(tuple(group))
        if part is None or (part.names_only and source is None):
            part = known[tuple(group)] = _group_models(
                doc, spec, group, package, names, source, on_definitions
            )
            if not part.names_only:
                on_group(part)
        return part

    while True:
        # the groups datamodel-code-generator's worker can make first, whose models the parent
        # formats while this process makes the larger ones itself; each kind largest first
        for group in sorted(groups, key=lambda g: (len(g) > codegen_worker.MAX_SCHEMAS, -len(g))):
            models_of(group, on_disk)
        parts = [known[tuple(group)] for group in groups]
        made.update(line for part in parts for line in part.groups.items())
        links = _name_links(parts)
        if not links:
            break
        groups = merged(groups, links)
    # a group the record knew by its names alone, no longer joined: made now
    parts = [models_of(group) for group in groups]
    source = parts[0] if len(parts) == 1 else _composed(parts)
    joined = {key: names_only(line) for key, line in made.items() if key not in source.groups}
    return replace(source, groups={**joined, **source.groups})


Names = tuple[frozenset[str], frozenset[str]]  # (reserved, closed): the names every group shares


def _group_models(
    doc: Document,
    spec: dict[str, Any],
    keys: list[str],
    package: str,
    names: Names,
    on_disk: ModelsOnDisk | None = None,
    on_definitions: Callable[[list[str]], None] = lambda texts: None,
) -> ModelSource:
    """The models of some component schemas, which refer to no others: from the output folder
    when it holds them, else made from the schemas without their descriptions (`descriptions`; the
    API's own description and summary are left out too), or as they are when that fails. The
    definitions made on the way (`_made`) go to `on_definitions` with their descriptions."""
    chosen = set(keys)
    schemas = {key: schema for key, schema in spec["components"]["schemas"].items() if key in chosen}
    skeleton, descriptions = without_descriptions(schemas)
    lean = _models_part({**spec, "info": plain_object(spec.get("info"))}, skeleton)
    made_by = _models_key(lean, package, names)
    # the skeleton and its descriptions tell the schemas; the info's description is in fallback runs
    key = cache.key("models-output", made_by, json.dumps([spec.get("info"), descriptions], default=str))[:32]
    found = on_disk.group(key, keys) if on_disk is not None else None
    if found is not None:
        return _recovered(key, found, keys, list(schemas))

    def described(texts: list[str]) -> None:
        on_definitions(
            [d for d in (with_descriptions(text, descriptions) for text in texts) if d is not None]
        )

    source = _cached_models(doc, lean, made_by, package, names, on_disk, described)
    text = with_descriptions(source.text, descriptions)
    modules = [(m, with_descriptions(m.text, descriptions)) for m in source.modules]
    if text is None or any(written is None for _, written in modules):
        whole = _models_part(spec, schemas)
        source = _cached_models(doc, whole, _models_key(whole, package, names), package, names, on_disk)
    else:
        source = replace(
            source, text=text, modules=tuple(ModelModule(m.name, w or "", m.names) for m, w in modules)
        )
    group = Group(
        next(iter(source.digests.values()), ""),
        source.names,
        source.component_classes,
        source.imports,
        source.modules,
        source.text.startswith(MUTABLE_DEFAULTS_HEADER),
        pieces=source.pieces,
    )
    return replace(source, groups={key: group.line(keys)})


def _recovered(key: str, group: Group, keys: list[str], in_order: list[str]) -> ModelSource:
    """A group's models as the output folder holds them. Its one text (which only `diff` reads,
    and `diff` makes its models anew) is its modules' definitions in turn."""
    header = MUTABLE_DEFAULTS_HEADER if group.mutable else HEADER
    definitions = [_definitions(m.text).strip("\n") for m in group.modules]
    return ModelSource(
        "\n\n\n".join([header, *definitions]) + "\n",
        group.names,
        group.classes,
        group.imports,
        group.modules,
        dict.fromkeys(in_order, group.digest),
        {key: group.line(keys)},
        group.pieces,
        names_only=not group.files,
    )


def _sorted_json(names: frozenset[str]) -> str:
    return json.dumps(sorted(names))


def _models_part(spec: dict[str, Any], schemas: dict[str, Any]) -> dict[str, Any]:
    """What datamodel-code-generator reads of the spec to make the models of `schemas`."""
    return {"openapi": spec.get("openapi"), "info": spec.get("info"), "components": {"schemas": schemas}}


def _models_key(part: dict[str, Any], package: str, names: Names) -> str:
    return cache.key("models", json.dumps(part, default=str), package, *map(_sorted_json, names))


def _cached_models(
    doc: Document,
    part: dict[str, Any],
    name: str,
    package: str,
    names: Names,
    on_disk: ModelsOnDisk | None = None,
    on_definitions: Callable[[list[str]], None] = lambda texts: None,
) -> ModelSource:
    """The models of a part of the spec (`_models_part`): a run takes seconds on a large spec, and
    is pure, so it is cached by all it reads (`name`, its `_models_key`), with the runs of its
    pieces, which the record keeps for a fresh clone's next edit (`on_disk`). (A worker per group,
    beside the validation on the other core, took 1-3 s off a cold run of the full OpenAI spec and
    put 74 MB on its peak: 387 MB against 313.)"""
    schemas = part["components"]["schemas"]
    digests = dict.fromkeys(schemas, name)
    hit = cache.get("models", name)
    if isinstance(hit, list) and len(hit) == 6:  # as it was inspected: a hit parses nothing
        text, components, modules, defined, imports, runs = hit
        return ModelSource(
            text,
            tuple(defined),
            components,
            {alias: (found[0], found[1]) for alias, found in imports.items()},
            tuple(ModelModule(m[0], m[1], tuple(m[2])) for m in modules),
            digests,
            pieces=runs,
        )
    text, components, runs, parsed = _made(doc, part, package, names, on_disk, on_definitions)
    source = _inspect(text, components, parsed)
    modules = [[m.name, m.text, list(m.names)] for m in source.modules]
    imports = {alias: list(found) for alias, found in source.imports.items()}
    entry = [source.text, source.component_classes, modules, list(source.names), imports, runs]
    cache.put("models", name, entry)
    return replace(source, digests=digests, pieces=runs)


def _made(
    doc: Document,
    part: dict[str, Any],
    package: str,
    names: Names,
    on_disk: ModelsOnDisk | None,
    on_definitions: Callable[[list[str]], None] = lambda texts: None,
) -> tuple[str, dict[str, str], dict[str, str], Statements | None]:
    """The models module of a part, the class of each component schema, the record's line of
    each piece's run and the module's `statements` when known without parsing it: made in pieces
    (`model_pieces`) when the part is large, the smallest first so that a disagreement costs
    little, else (or when the pieces disagree, or a run fails) in one run, which has no pieces.
    Pieces taken from the record that disagree are run again first, so a record's line (a file
    anyone can edit) makes no other models than a cold run. The definitions of each piece run
    here, but the last, go to `on_definitions` while the next runs (the group's modules come
    only once all are in)."""
    split = pieces(part["components"]["schemas"])
    if len(split) > 1:
        assembly = Assembly(split)
        lines: dict[str, str] = {}
        from_record = False
        order = sorted(range(len(split)), key=lambda i: (len(split[i][1]), i))
        try:
            for i in order:
                run, recorded, fresh = _piece_run(doc, part, split[i][1], package, names, on_disk, lines)
                from_record |= recorded
                if not assembly.add(i, run):
                    break
                if fresh and i != order[-1]:
                    on_definitions(assembly.owned(i))
            else:
                made = assembly.module(HEADER)
                if made is not None:
                    return made[0], made[1], lines, made[2]
        except SpecError:
            pass  # the one run says what is wrong, if anything is
        if from_record:
            return _made(doc, part, package, names, None)
    whole = run_datamodel_codegen(doc, part, package, *names)
    return whole.text, whole.components, {}, None


def _piece_run(
    doc: Document,
    part: dict[str, Any],
    reads: list[str],
    package: str,
    names: Names,
    on_disk: ModelsOnDisk | None,
    lines: dict[str, str],
) -> tuple[PieceRun, bool, bool]:
    """datamodel-code-generator's run on some of a part's schemas, parsed, cached by all it reads,
    from the cache or else the output folder's record when either holds it (True: the record),
    else made (True: made); its line for the record goes to `lines`."""
    schemas = part["components"]["schemas"]
    piece = {**part, "components": {"schemas": {key: schemas[key] for key in reads}}}
    name = _models_key(piece, package, names)
    run = PieceRun.of_cached(cache.get("model-pieces", name))
    found = on_disk.piece(name) if run is None and on_disk is not None else None
    if found is not None:
        run = PieceRun.of_fields(found)
    recorded = found is not None and run is not None
    made = run is None
    if run is None:
        run = PieceRun.parsed(run_datamodel_codegen(doc, piece, package, *names))
        cache.put("model-pieces", name, run.cached())
    lines[name] = record_json(run.fields())
    return run, recorded, made


def _name_links(parts: list[ModelSource]) -> list[tuple[int, int]]:
    """Pairs of groups (indices) that chose the same name: a class or alias, a module (without
    regard to case), or an import alias for something else."""
    first: dict[tuple[str, str], tuple[int, tuple[str, ...]]] = {}
    links: set[tuple[int, int]] = set()
    for i, part in enumerate(parts):
        claims: dict[tuple[str, str], tuple[str, ...]] = {
            ("name", n): ("defined", str(i)) for n in part.names
        }
        claims.update({("module", m.name.lower()): ("defined", str(i)) for m in part.modules})
        for alias, imported in part.imports.items():
            claims.setdefault(("name", alias), ("imported", *imported))
        for key, value in claims.items():
            j, other = first.setdefault(key, (i, value))
            if other != value:
                links.add((j, i))
    return sorted(links)


def _composed(parts: list[ModelSource]) -> ModelSource:
    """The groups' models as one: their modules side by side, and one text (for `diff`) with the
    imports of all and the definitions of each in turn."""
    imports = {alias: found for part in parts for alias, found in part.imports.items()}
    by_module: dict[str, list[str]] = {}
    for module, text in sorted(imports.values()):
        by_module.setdefault(module, []).append(text)
    header = (
        MUTABLE_DEFAULTS_HEADER if any(p.text.startswith(MUTABLE_DEFAULTS_HEADER) for p in parts) else HEADER
    )
    lines = [header, "", "from __future__ import annotations", ""]
    lines += [f"from {module} import {', '.join(names)}" for module, names in by_module.items()]
    text = "\n".join(lines) + "".join(f"\n\n\n{_definitions(p.text)}" for p in parts)
    return ModelSource(
        text,
        tuple(name for part in parts for name in part.names),
        {key: name for part in parts for key, name in part.component_classes.items()},
        imports,
        tuple(sorted((m for part in parts for m in part.modules), key=lambda m: m.name)),
        {key: digest for part in parts for key, digest in part.digests.items()},
        {group: line for part in parts for group, line in part.groups.items()},
        {piece: line for part in parts for piece, line in part.pieces.items()},
    )


_PREAMBLE = re.compile(r"(?:(?:#.*|from .*|import .*|    .*|\)|)\n)*")


def _definitions(text: str) -> str:
    """A models text past its header and imports."""
    preamble = _PREAMBLE.match(text)
    assert preamble is not None  # it matches the empty string
    return text[preamble.end() :].strip("\n") + "\n"


def _inspect(text: str, components: dict[str, str], parsed: Statements | None = None) -> ModelSource:
    """The module's names and imports, and its split into the models package; `parsed`: its
    `statements` when they are known without parsing it (as for an assembly of pieces' runs)."""
    imports, definitions = parsed or statements(parse(text), text.splitlines())
    names = [name for name, definition in definitions.items() if definition.named]
    mutable = {name for name, definition in definitions.items() if definition.mutable}
    headers = (HEADER, MUTABLE_DEFAULTS_HEADER)
    modules = split_models(imports, definitions, headers, components.values(), mutable)
    if mutable:
        text = text.replace(HEADER, MUTABLE_DEFAULTS_HEADER, 1)
    known = set(names)
    # `date as date_aliased` (a field is called date) is imported the same way
    imported = {name.split(" as ")[-1]: (module, name) for _, module, each in imports for name in each}
    return ModelSource(
        text, tuple(names), {k: v for k, v in components.items() if v in known}, imported, modules
    )
