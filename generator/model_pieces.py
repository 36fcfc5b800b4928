"""A large group of schemas made in pieces: datamodel-code-generator runs once per piece, on the
piece and all it reaches, and each run is cached by what it reads, so an edit runs again only
the pieces that reach the schema edited, not the whole group.

A group (`model_groups`) is connected through the schemas many refer to (OpenAI's `Metadata`), so
the full OpenAI spec has one of 714 schemas, a run of 4 to 6 s. Its pieces gather the schemas no
other refers to (roots) whose reach overlaps much, each schema goes with the piece of the largest
reach that holds it, a discriminator keeps its branches (the mapping turns a branch's tag into a
Literal), and pieces that read few schemas share a run. Where the pieces would read many schemas
twice, or one piece most of the group, the group stays one run.

The runs are put together (`Assembly`) only when they agree: each definition comes from the run
of the piece that owns its schema, every other run that made it (as part of what its piece
reaches) made it the same, and no name is imported from two places. Otherwise the group is made
in one run, as before; the smallest pieces run first, so a disagreement is found early.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from .collector import parse
from .model_codegen import CodegenRun
from .model_groups import DisjointSets, mapped, references
from .model_modules import Definition, Statements, statements

PIECES_MIN_SCHEMAS = 300  # a smaller group is one run: it takes about a second
ROOT_OVERLAP = 0.7  # two roots share a piece when this share of the smaller one's reach is shared
MAX_ROOTS = 1500  # roots are compared pairwise: past this, the group is one run
BIN_READS = 60  # pieces that read fewer schemas share a run, up to about this many
MAX_READS_SHARE = 1.3  # the pieces may read this many times the group's schemas, else one run
MAX_LARGEST_SHARE = 0.8  # nor may one piece read more than this share of them


def pieces(schemas: dict[str, Any]) -> list[tuple[list[str], list[str]]]:
    """The group's pieces: each its own keys and the keys its run reads (those and all they
    reach), both in document order; one piece, the whole group, when it is small."""
    keys = list(schemas)
    if len(keys) < PIECES_MIN_SCHEMAS:
        return [(keys, keys)]
    edges = {key: {t for t in references(schema) if t in schemas} for key, schema in schemas.items()}
    reach = {key: _closure([key], edges) for key in keys}
    referred = {target for targets in edges.values() for target in targets}
    roots: list[str] = []
    covered: set[str] = set()
    for key in [k for k in keys if k not in referred] + keys:  # then a cycle nothing refers to
        if key not in covered:
            roots.append(key)
            covered |= reach[key]
    if len(roots) > MAX_ROOTS:
        return [(keys, keys)]
    union = DisjointSets(roots)
    for i, a in enumerate(roots):
        for b in roots[i + 1 :]:
            if len(reach[a] & reach[b]) > ROOT_OVERLAP * min(len(reach[a]), len(reach[b])):
                union.join(a, b)
    clusters: dict[str, set[str]] = {}
    for root in roots:
        clusters.setdefault(union.find(root), set()).update(reach[root])
    order = {key: i for i, key in enumerate(keys)}
    owner = {
        key: max((c for c in clusters if key in clusters[c]), key=lambda c: (len(clusters[c]), -order[c]))
        for key in keys
    }
    together = DisjointSets(list(clusters))
    for holder, schema in schemas.items():
        for branch in mapped(schema):
            if branch in owner:
                together.join(owner[holder], owner[branch])
    own: dict[str, list[str]] = {}
    for key in keys:
        own.setdefault(together.find(owner[key]), []).append(key)
    found = _in_order([[(members, list(_closure(members, edges)))] for members in own.values()], keys)
    binned = _binned(found, keys)
    if sum(len(reads) for _, reads in binned) > MAX_READS_SHARE * len(keys):
        return [(keys, keys)]  # the schemas many pieces read would cost more than a run saves
    if max(len(reads) for _, reads in binned) > MAX_LARGEST_SHARE * len(keys):
        return [(keys, keys)]  # most edits would run most of the group again all the same
    return binned


def _binned(found: list[tuple[list[str], list[str]]], keys: list[str]) -> list[tuple[list[str], list[str]]]:
    """The pieces, those that read few schemas put together in document order (a run has a cost
    of its own), each bin until it reads `BIN_READS`."""
    bins: list[list[tuple[list[str], list[str]]]] = []
    small: list[tuple[list[str], list[str]]] = []  # the bin being filled
    reads: set[str] = set()
    for piece in found:
        if len(piece[1]) >= BIN_READS:
            bins.append([piece])
            continue
        if not small or len(reads) >= BIN_READS:
            small, reads = [], set()
            bins.append(small)
        small.append(piece)
        reads.update(piece[1])
    return _in_order(bins, keys)


Facts = tuple[list[str], bool, bool]  # a definition's `uses` (sorted), `named`, `mutable`


@dataclass(frozen=True)
class PieceRun:
    """A piece's run as the assembly reads it, parsed once and cached so (parsing the unchanged
    pieces' runs again was a third of a second of each edit): its imports, its definitions in
    order (name, text, the calls that rebuild it), the class of each schema it made, and the
    schema each definition came from; with what the parse told of each definition (`facts`),
    which the cache keeps and the record does not, so that a group made of runs that all have
    them is split into modules without parsing it whole."""

    imports: list[tuple[str, list[str]]]
    definitions: list[tuple[str, str, list[str]]]
    components: dict[str, str]
    owners: dict[str, str]
    facts: list[Facts] | None = None

    @classmethod
    def parsed(cls, run: CodegenRun) -> PieceRun:
        module_imports, definitions = statements(parse(run.text), run.text.splitlines())
        return cls(
            [(module, names) for _, module, names in module_imports],
            [(name, "\n".join(d.lines), d.rebuild) for name, d in definitions.items()],
            run.components,
            run.owners,
            [(sorted(d.uses), d.named, d.mutable) for d in definitions.values()],
        )

    def fields(self) -> list[Any]:
        """Its fields as JSON holds them (for the record); `of_fields` reads them back."""
        return [self.imports, self.definitions, self.components, self.owners]

    @classmethod
    def of_fields(cls, found: list[Any]) -> PieceRun | None:
        """The run `fields` gave, or None when `found` is not such fields (a record's line may not
        be ours)."""
        try:
            imports, definitions, components, owners = found
            run = cls(
                [(m, n) for m, n in imports], [(n, t, r) for n, t, r in definitions], components, owners
            )
            lists = [names for _, names in run.imports] + [rebuild for _, _, rebuild in run.definitions]
            texts = [m for m, _ in run.imports] + [x for n, t, _ in run.definitions for x in (n, t)]
            texts += [x for each in lists for x in each]
            texts += [x for pairs in (components, owners) for pair in pairs.items() for x in pair]
        except (TypeError, ValueError, AttributeError):
            return None
        shaped = all(isinstance(x, list) for x in lists) and all(isinstance(x, str) for x in texts)
        return run if shaped else None

    def cached(self) -> list[Any]:
        """What the cache keeps: its fields and its facts; `of_cached` reads them back."""
        return [self.fields(), self.facts]

    @classmethod
    def of_cached(cls, found: Any) -> PieceRun | None:
        """The run `cached` gave, with its facts when they are whole; None when it is no run."""
        run = cls.of_fields(found[0]) if isinstance(found, list) and len(found) == 2 else None
        facts = found[1] if run is not None else None
        if run is None or not isinstance(facts, list) or len(facts) != len(run.definitions):
            return run
        if not all(isinstance(f, list) and len(f) == 3 and isinstance(f[0], list) for f in facts):
            return run
        return replace(run, facts=[(uses, named is True, mutable is True) for uses, named, mutable in facts])


class Assembly:
    """The pieces' runs put together as they come, in any order: each definition from the run of
    the piece that owns its schema. `add` says False at the first disagreement: a definition no
    piece owns or two pieces own (each run named a model of its own alike), a run that made a
    definition otherwise than its owner's run, one name imported from two places."""

    def __init__(self, split: list[tuple[list[str], list[str]]]) -> None:
        self._piece_of = {key: i for i, (own, _) in enumerate(split) for key in own}
        self._chosen: dict[str, tuple[int, int, str, list[str]]] = {}  # name -> piece, place, text, rebuild
        self._copies: dict[str, list[str]] = {}  # name -> what other runs made of it
        self._imports: dict[str, tuple[str, str]] = {}  # alias -> (module, imported name)
        self._import_order: list[tuple[int, int, str]] = []  # (piece, place, alias)
        self._components: dict[str, str] = {}
        self._facts: dict[str, Facts | None] = {}  # name -> the facts of its chosen definition

    def add(self, piece: int, run: PieceRun) -> bool:
        for module, names in run.imports:
            for name in names:
                alias = name.split(" as ")[-1]
                if self._imports.setdefault(alias, (module, name)) != (module, name):
                    return False
                self._import_order.append((piece, len(self._import_order), alias))
        for place, (name, text, rebuild) in enumerate(run.definitions):
            owner = self._piece_of.get(run.owners.get(name, ""))
            if owner is None:
                return False
            if owner != piece:
                self._copies.setdefault(name, []).append(_text(text, rebuild))
            elif name in self._chosen:
                return False
            else:
                self._chosen[name] = (piece, place, text, rebuild)
                self._facts[name] = run.facts[place] if run.facts is not None else None
            if name in self._chosen and any(
                c != _text(*self._chosen[name][2:]) for c in self._copies.get(name, ())
            ):
                return False
        self._components.update((k, c) for k, c in run.components.items() if self._piece_of.get(k) == piece)
        return True

    def owned(self, piece: int) -> list[str]:
        """The definitions taken from the run of `piece` so far, in its order."""
        return [text for p, _, text, _ in self._chosen.values() if p == piece]

    def module(self, header: str) -> tuple[str, dict[str, str], Statements | None] | None:
        """The one module, definitions and imports in the pieces' order, and its `statements`
        when every run's facts are known; None when a run made a definition its owner's run did
        not."""
        if not self._copies.keys() <= self._chosen.keys():
            return None
        by_module: dict[str, list[str]] = {}
        for _, _, alias in sorted(self._import_order):
            module, name = self._imports[alias]
            if name not in by_module.setdefault(module, []):
                by_module[module].append(name)
        lines = [header, "", "from __future__ import annotations", ""]
        lines += [f"from {module} import {', '.join(names)}" for module, names in by_module.items()]
        chosen = sorted(self._chosen.items(), key=lambda c: c[1][:2])
        body = "".join(f"\n\n\n{text}" for _, (_, _, text, _) in chosen)
        rebuild = "\n".join(line for _, (*_, calls) in chosen for line in calls)
        text = "\n".join(lines) + body + (f"\n\n\n{rebuild}" if rebuild else "") + "\n"
        return text, self._components, self._statements(by_module, chosen)

    def _statements(
        self, by_module: dict[str, list[str]], chosen: list[tuple[str, tuple[int, int, str, list[str]]]]
    ) -> Statements | None:
        """What `statements` reads in the module, from the runs' facts: its imports are one
        section, its definitions those chosen, in order. None when a run's facts are unknown, or a
        text has a line break other than `\\n`, which Python's lines and `splitlines` count apart."""
        definitions: dict[str, Definition] = {}
        for name, (_, _, text, rebuild) in chosen:
            facts = self._facts[name]
            lines = text.split("\n")
            if facts is None or len(text.splitlines()) != len(lines):
                return None
            definitions[name] = Definition(name, lines, list(rebuild), set(facts[0]), facts[1], facts[2])
        return [(0, module, names) for module, names in by_module.items()], definitions


def _in_order(
    parts: list[list[tuple[list[str], list[str]]]], keys: list[str]
) -> list[tuple[list[str], list[str]]]:
    """Each list of pieces made one piece, in document order, the pieces ordered by their first key."""
    order = {key: i for i, key in enumerate(keys)}
    result = []
    for group in parts:
        own = sorted((key for piece, _ in group for key in piece), key=order.__getitem__)
        reads = sorted({key for _, piece in group for key in piece}, key=order.__getitem__)
        result.append((own, reads))
    return sorted(result, key=lambda piece: order[piece[0][0]])


def _text(definition: str, rebuild: list[str]) -> str:
    return "\n".join([definition, *rebuild])


def _closure(start: Iterable[str], edges: dict[str, set[str]]) -> set[str]:
    seen = set(start)
    todo = list(seen)
    while todo:
        for target in edges[todo.pop()]:
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen
