"""Schemas already found valid against their meta-schema, remembered from the last run: checking
each of a large spec's 2,000 schemas takes seconds, and an edit changes few of them."""

from __future__ import annotations

import hashlib
import json
from contextvars import ContextVar
from typing import Any

from . import cache


class KnownValid:
    """The schemas one validation found valid; those of the previous run are trusted again."""

    def __init__(self, version: str) -> None:
        self.name = cache.key("valid-schemas", version)
        found = cache.get("valid-schemas", self.name)
        self.previous = frozenset(found) if isinstance(found, list) else frozenset()
        self.valid: set[str] = set()

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


# the validation running in this thread (openapi-spec-validator's keyword classes reach it here)
RUNNING: ContextVar[KnownValid | None] = ContextVar("sdkgen_known_valid", default=None)
