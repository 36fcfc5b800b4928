"""Schemas already found valid against their meta-schema, remembered from the last run: checking
each of a large spec's 2,000 schemas takes seconds, and an edit changes few of them. Within a
run, a subschema found valid is not checked again where it recurs."""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from typing import Any

from . import cache


class KnownValid:
    """The schemas one validation found valid; those of the previous run are trusted again. Within
    the run, so are the subschemas found valid (`subschemas`, by content: `Contents`)."""

    def __init__(self, version: str) -> None:
        self.name = cache.key("valid-schemas", version)
        found = cache.get("valid-schemas", self.name)
        self.previous = frozenset(found) if isinstance(found, list) else frozenset()
        self.valid: set[str] = set()
        self.contents = Contents()
        self.subschemas: set[int] = set()  # the Contents numbers of subschemas found valid

    @staticmethod
    def key(schema: Any, dialect: str) -> str:
        text = json.dumps([dialect, schema], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:32]

    def known(self, key: str) -> bool:
        """Whether the schema was found valid before, in an earlier run or this one: a third of
        the full OpenAI spec's 2,004 checks are of a schema seen already (1,309 differ)."""
        if key in self.valid:
            return True
        if key in self.previous:
            self.valid.add(key)
            return True
        return False

    def save(self) -> None:
        if self.valid != self.previous:
            cache.put("valid-schemas", self.name, sorted(self.valid))


class Contents:
    """A number for each JSON value, equal for equal values (dicts with their keys in the same
    order), found bottom-up once per node: a subschema's verdict then serves all its twins. The
    nodes numbered are held, so their ids stay theirs while this lives."""

    def __init__(self) -> None:
        self._numbers: dict[Any, int] = {}
        self._nodes: dict[int, tuple[int, Any]] = {}  # id -> (number, the node)

    def number(self, node: Any) -> int:
        found = self._nodes.get(id(node))
        if found is not None:
            return found[0]
        shape: Any
        if isinstance(node, dict):
            shape = ("object", tuple((key, self.number(value)) for key, value in node.items()))
        elif isinstance(node, list):
            shape = ("array", tuple(self.number(value) for value in node))
        elif node is None or isinstance(node, str | int | float):  # true and 1, 1 and 1.0 differ
            return self._numbers.setdefault((type(node).__name__, node), len(self._numbers))
        else:  # another kind of value (a YAML date, a set): equal to itself alone
            shape = ("node", id(node))
        number = self._numbers.setdefault(shape, len(self._numbers))
        self._nodes[id(node)] = (number, node)
        return number


# the validation running in this thread (openapi-spec-validator's keyword classes reach it here)
RUNNING: ContextVar[KnownValid | None] = ContextVar("sdkgen_known_valid", default=None)
