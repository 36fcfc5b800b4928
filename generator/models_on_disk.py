"""The checked-in output as a cache of model generation.

Each group of schemas (`model_groups`) is recorded in `.sdkgen-format` under a key that covers all
its models are made from (its schemas with their descriptions, the spec's version and info, the
package, the names every group shares, sdkgen's toolchain), with what the run learnt of it: its
classes, imports and modules. A later run whose group has the same key takes the group's modules
from the files on disk, each checked against the hash the record gives it, instead of running
datamodel-code-generator: a fresh clone regenerates only the groups an edit touched. A module
taken so is its formatted file, which the formatting then takes as it is (`Prior.file_for`).

A group made in pieces (`model_pieces`) also has a line for each piece's run, under the run's
cache key, which its group's line lists: a fresh clone whose edit touched the group runs again
only the pieces that read the schema edited, and takes the others' runs from their lines.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .format_record import digest, record_entries, record_lines, record_models
from .model_modules import ModelModule


@dataclass(frozen=True)
class Group:
    """What a run learnt of a group's models: the modules' text aside, all the next run needs."""

    digest: str  # the cache key its models were made by (`ModelSource.digests`)
    names: tuple[str, ...]
    classes: dict[str, str]  # schema key -> its class
    imports: dict[str, tuple[str, str]]
    modules: tuple[ModelModule, ...]
    mutable: bool  # whether its text has the header for mutable defaults
    files: bool = True  # False: a group joined to another, its modules' text nowhere on disk
    pieces: dict[str, str] = field(default_factory=dict)  # a run of each piece (`model_pieces`): its line

    def line(self, keys: list[str]) -> str:
        """Its line in the record, one line of JSON: each of the group's schemas (`keys`, in order)
        with its class (1 when named as the schema is, 0 for none); each module with its names'
        places in `names`."""
        place = {name: n for n, name in enumerate(self.names)}
        classes = [self.classes.get(key, 0) for key in keys]
        record = {
            "digest": self.digest,
            "names": list(self.names),
            "classes": [1 if found == key else found for found, key in zip(classes, keys, strict=True)],
            "imports": {alias: list(found) for alias, found in self.imports.items()},
            "modules": [[m.name, [place[name] for name in m.names]] for m in self.modules],
            "mutable": self.mutable,
        }
        if self.pieces:
            record["pieces"] = sorted(self.pieces)
        if not self.files:
            record["files"] = False
        return record_json(record)


def names_only(line: str) -> str:
    """A group's line for a group then joined to another: its names tell the join again."""
    record = json.loads(line)
    record.pop("pieces", None)
    return record_json({**record, "files": False})


def record_json(value: object) -> str:
    """A value as the record's JSON: one line, ASCII, no spaces."""
    return json.dumps(value, ensure_ascii=True, separators=(",", ":"))


class ModelsOnDisk:
    """The model groups an output folder's record vouches for; `path_of` names a module's file."""

    def __init__(self, out: Path | None, path_of: Callable[[str], str]) -> None:
        self.out = out
        self.path_of = path_of
        lines = record_lines(out)
        self.lines = record_models(lines)
        self.written = {fields[0]: fields[1] for fields in record_entries(lines)} if self.lines else {}

    def group(self, key: str, keys: list[str]) -> Group | None:
        """The group of schemas `keys` recorded under `key`, its modules as on disk; None when the
        record has no such group, or one of its files is missing or not as the record wrote it."""
        if self.out is None or key not in self.lines:
            return None
        try:
            record = json.loads(self.lines[key])
            names = tuple(map(str, record["names"]))
            files = record.get("files", True) is not False
            modules = []
            for name, places in record["modules"]:
                text = self._text(self.path_of(str(name))) if files else ""
                if text is None:
                    return None
                modules.append(ModelModule(str(name), text, tuple(names[n] for n in places)))
            pieces = {str(piece): self.lines[str(piece)] for piece in record.get("pieces", [])}
            pairs = zip(keys, record["classes"], strict=True)
            return Group(
                str(record["digest"]),
                names,
                {key: key if found == 1 else str(found) for key, found in pairs if found},
                {alias: (str(found[0]), str(found[1])) for alias, found in record["imports"].items()},
                tuple(modules),
                bool(record["mutable"]),
                files,
                pieces,
            )
        except (OSError, UnicodeDecodeError, ValueError, TypeError, KeyError, IndexError, AttributeError):
            return None  # a line that is not ours: the group is made anew

    def piece(self, key: str) -> list[Any] | None:
        """The run of a piece recorded under `key` (`PieceRun.fields`), None when there is none."""
        try:
            found = json.loads(self.lines.get(key, "null"))
        except ValueError:
            return None
        return found if isinstance(found, list) else None

    def _text(self, path: str) -> str | None:
        """A module's file as the record wrote it; only a file the record lists (so inside the
        folder) is opened."""
        if self.out is None or path not in self.written:
            return None
        text = (self.out / path).read_text("utf-8")
        return text if self.written[path] == digest(text) else None
