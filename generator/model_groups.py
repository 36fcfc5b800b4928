"""Component schemas in groups that never refer to one another, for model generation group by group.

datamodel-code-generator's output for a schema depends on the schemas it refers to (their classes,
an `allOf` parent's fields) and on those that refer to it (a discriminator mapping turns the
branch's tag into a Literal), so a group is closed both ways: a connected part of the reference
graph, taken with no edge's direction. A large spec's parts are generated one by one and cached by
their content, so an edit regenerates the part it is in. The other parts share one of a few bins,
chosen by a hash of their least key, not their size: one run each would cost more than its models
(~0.1 s a run). The last link between groups, the names they choose, is checked after the runs (`models.py`).
"""

from __future__ import annotations

import zlib
from collections.abc import Hashable, Iterator
from typing import Any, Generic, TypeVar

from .walk import iter_dicts

SPLIT_MIN_SCHEMAS = 300  # below this, one run: its fixed cost outweighs what an edit would save
OWN_GROUP_MIN = 40  # a part this large is a group of its own, the largest OWN_GROUPS_MAX of them
OWN_GROUPS_MAX = 8
BINS = 4  # the other parts share these
_PREFIX = "#/components/schemas/"
T = TypeVar("T", bound=Hashable)


def schema_groups(schemas: dict[str, Any]) -> list[list[str]]:
    """The component keys in groups, each in document order, the groups ordered by their first key."""
    keys = list(schemas)
    if len(keys) < SPLIT_MIN_SCHEMAS:
        return [keys] if keys else []
    parts = DisjointSets(keys)
    for key, schema in schemas.items():
        for target in references(schema):
            if target in schemas:
                parts.join(key, target)
    found = parts.sets()
    large = sorted((p for p in found if len(p) >= OWN_GROUP_MIN), key=lambda p: (-len(p), p[0]))
    own = {part[0] for part in large[:OWN_GROUPS_MAX]}
    binned: dict[tuple[str, str], list[str]] = {}
    for part in found:
        if part[0] in own:
            binned["own", part[0]] = part
        else:
            binned.setdefault(("bin", str(zlib.crc32(min(part).encode("utf-8")) % BINS)), []).extend(part)
    position = {key: i for i, key in enumerate(keys)}
    groups = [sorted(group, key=position.__getitem__) for group in binned.values()]
    return sorted(groups, key=lambda group: position[group[0]])


def merged(groups: list[list[str]], links: list[tuple[int, int]]) -> list[list[str]]:
    """`groups` with each linked pair (indices) made one, where the first of them was."""
    joined = DisjointSets(list(range(len(groups))))
    for a, b in links:
        joined.join(a, b)
    return [[key for i in members for key in groups[i]] for members in joined.sets()]


class DisjointSets(Generic[T]):
    """Disjoint sets of members, each represented by its member met first."""

    def __init__(self, members: list[T]) -> None:
        self._parent = {m: m for m in members}
        self._order = {m: i for i, m in enumerate(members)}

    def find(self, member: T) -> T:
        while self._parent[member] != member:
            self._parent[member] = self._parent[self._parent[member]]
            member = self._parent[member]
        return member

    def join(self, a: T, b: T) -> None:
        first, second = sorted((self.find(a), self.find(b)), key=self._order.__getitem__)
        self._parent[second] = first

    def sets(self) -> list[list[T]]:
        """Each set's members in the order met, the sets in the order of their first members."""
        found: dict[T, list[T]] = {}
        for member in self._order:
            found.setdefault(self.find(member), []).append(member)
        return list(found.values())


def references(node: Any) -> Iterator[str]:
    """The component keys a schema names: its `$ref`s and its discriminator mappings, anywhere in it."""
    for item in iter_dicts(node):
        ref = item.get("$ref")
        if isinstance(ref, str) and ref.startswith(_PREFIX):
            yield _key(ref)
        yield from _mapping_keys(item)


def mapped(node: Any) -> Iterator[str]:
    """The component keys the discriminator mappings in a schema name."""
    for item in iter_dicts(node):
        yield from _mapping_keys(item)


def _mapping_keys(item: dict[str, Any]) -> Iterator[str]:
    mapping = item.get("mapping") if isinstance(item.get("propertyName"), str) else None
    if isinstance(mapping, dict):
        for value in mapping.values():
            if isinstance(value, str):
                yield _key(value) if value.startswith(_PREFIX) else value


def _key(ref: str) -> str:
    return ref[len(_PREFIX) :].split("/", 1)[0].replace("~1", "/").replace("~0", "~")
