"""Diagnostics are values: a level, a place in the spec and a message, reported compiler-style."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass


class Level(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True)
class Diagnostic:
    """One problem found in a spec; line and column are 1-based, 0 when unknown."""

    file: str
    line: int
    column: int
    pointer: str
    level: Level
    message: str

    def format(self) -> str:
        where = f"{self.file}:{self.line}:{self.column}" if self.line else self.file
        return f"{where}: {self.pointer}: {self.level.value}: {self.message}"

    @property
    def is_error(self) -> bool:
        return self.level is Level.ERROR


class SpecError(Exception):
    """Raised when a stage cannot go on; carries every diagnostic found so far."""

    def __init__(self, diagnostics: Iterable[Diagnostic]) -> None:
        self.diagnostics = sort_diagnostics(diagnostics)
        super().__init__("\n".join(d.format() for d in self.diagnostics))


def _sort_key(d: Diagnostic) -> tuple[str, int, int, str, str]:
    return (d.file, d.line, d.column, d.pointer, d.message)


def sort_diagnostics(diagnostics: Iterable[Diagnostic]) -> list[Diagnostic]:
    """Deduplicate and order by position, so reports are stable across runs."""
    return sorted(set(diagnostics), key=_sort_key)


def summary(diagnostics: Iterable[Diagnostic]) -> str:
    items = list(diagnostics)
    errors = sum(d.is_error for d in items)
    warnings = len(items) - errors
    return f"{_plural(errors, 'error')}, {_plural(warnings, 'warning')}"


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def is_fatal(diagnostics: Iterable[Diagnostic], *, strict: bool) -> bool:
    """Errors always stop generation; warnings only under --strict."""
    return any(d.is_error or strict for d in diagnostics)
