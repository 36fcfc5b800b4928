"""The checked-in output as a cache of its own formatting.

`.sdkgen-format`, written beside the output, records for each formatted file the hash of the file
as written, the hash of the text it was rendered as, and the hash of each piece black formatted
(each top-level block of a Python module, each Python snippet of a page). A run whose render of a
file matches takes the file from disk; a file whose render changed takes its unchanged pieces from
the file on disk. So a fresh clone formats only what changed, with no cache of its own; a file
edited by hand (its hash no longer the recorded one) is never trusted.

Lines `# models <key> <json>` say which model modules each group of schemas was made into
(`models_on_disk`): a fresh clone takes a group whose schemas are unchanged from the files on
disk instead of running datamodel-code-generator on it again; a large group's pieces have a line
each too, of their runs, so an edit in such a group runs only the pieces it reaches.

Its second line records the inputs the run was made from (the spec, the options, sdkgen's code and
its libraries) and the hash of every file the run owns, and the lines after it the spec's warnings:
`check` and `generate` with the same inputs and the same files on disk answer from it (repeating
the warnings), with no generation at all.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path

from .diagnostics import Diagnostic, Level
from .output import is_safe_path, owned_output, owned_tree

RECORD = ".sdkgen-format"
INPUTS = "# inputs "
WARNING = "# warning "
MODELS = "# models "


def digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:20]


# How files are cut into pieces (`formatting.top_level_parts`), which the pieces' hashes follow:
# 2 since top-level statements black leaves as they are are pieces of their own, 3 since so is
# the statement after imports black leaves as they are.
CUT = 3


def toolkit() -> str:
    """What formatting depends on besides the text: a record made by other versions, or whose
    pieces were cut otherwise, is not used."""
    versions = " ".join(f"{name}=={metadata.version(name)}" for name in ("black", "isort"))
    return f"# sdkgen formatting record ({versions}, line length 88, cut {CUT}): path, file, render, pieces\n"


@dataclass(frozen=True)
class Entry:
    """One formatted file: its hash as written, its render's hash, and its pieces' hashes in order."""

    written: str
    rendered: str
    pieces: tuple[str, ...]


@dataclass
class Prior:
    """What the output folder already holds, as far as its record vouches for it."""

    files: dict[str, str] = field(default_factory=dict)  # path -> text on disk, as recorded
    entries: dict[str, Entry] = field(default_factory=dict)
    meanings: dict[str, bytes] = field(default_factory=dict)  # path -> its text's `meaning_digest`
    # model modules are taken as the record says (`models_on_disk`): one made from the very render
    # the record names is then its file, as one of a group made from the record is; False for
    # `check --full`, which compares every file with its render
    models_as_recorded: bool = False

    def taken_as_recorded(self, package: str, path: str) -> bool:
        """Whether the file on disk is taken as the record says, what it means unchecked."""
        return (
            self.models_as_recorded
            and path.startswith(f"{package}/models/")
            and path != f"{package}/models/__init__.py"
        )

    def file_for(self, path: str, rendered_text: str) -> str | None:
        """The file on disk, when it was formatted from exactly this render, or is this render
        (a model module taken from disk: `models_on_disk`)."""
        entry = self.entries.get(path)
        if entry is None:
            return None
        return self.files[path] if digest(rendered_text) in (entry.rendered, entry.written) else None


def read_prior(out: Path | None, models_as_recorded: bool = False) -> Prior:
    """The record of the folder's last run, with each file it vouches for read and checked; a
    line that is not one of ours, or names a path outside the folder, is passed over."""
    prior = Prior(models_as_recorded=models_as_recorded)
    if out is None:
        return prior
    for path, written, rendered, *pieces in record_entries(record_lines(out)):
        try:
            text = (out / path).read_text("utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        if digest(text) == written:
            prior.files[path] = text
            prior.entries[path] = Entry(written, rendered, tuple(pieces))
    return prior


def record_lines(out: Path | None) -> list[str]:
    """The lines of the folder's record, none when it has none or another toolkit made it."""
    if out is None:
        return []
    try:
        lines = (out / RECORD).read_text("utf-8").splitlines(keepends=True)
    except (OSError, UnicodeDecodeError):
        return []
    return lines[1:] if lines and lines[0] == toolkit() else []


def record_entries(lines: list[str]) -> list[list[str]]:
    """The fields of each file's line (path, file, render, pieces), inside the folder."""
    found = []
    for line in lines:
        fields = line.split()
        if not line.startswith("#") and len(fields) >= 3 and is_safe_path(fields[0]):
            found.append(fields)
    return found


def record_models(lines: list[str]) -> dict[str, str]:
    """The model groups' lines (`write_record`'s `models`): key -> JSON."""
    found = {}
    for line in lines:
        if line.startswith(MODELS):
            key, _, text = line[len(MODELS) :].partition(" ")
            found[key] = text.strip()
    return found


def write_record(entries: dict[str, Entry], models: dict[str, str] | None = None) -> str:
    """The record: the model groups' lines (`models`: key -> JSON), then a line per file."""
    groups = [f"{MODELS}{key} {text}\n" for key, text in sorted((models or {}).items())]
    lines = [
        f"{path} {e.written} {e.rendered} {' '.join(e.pieces)}".rstrip() + "\n"
        for path, e in sorted(entries.items())
    ]
    return toolkit() + "".join(groups) + "".join(lines)


def stamped(
    files: dict[str, str], inputs: str | None, keep: tuple[str, ...], spec: str, warnings: list[Diagnostic]
) -> dict[str, str]:
    """The output with its record naming the inputs it was made from, the hash of what the run owns
    and the spec's warnings (their file, the spec at `spec`, left out: it is wherever the spec
    is); unchanged without a record, or when the inputs cannot be named (external references)."""
    if RECORD not in files or inputs is None or any(w.file != spec for w in warnings):
        return files
    header, _, rest = files[RECORD].partition("\n")
    said = "".join(
        f"{WARNING}{json.dumps([w.line, w.column, w.pointer, w.level.value, w.message])}\n" for w in warnings
    )
    files = {**files, RECORD: f"{header}\n{said}{rest}"}
    tree = _tree_hash(owned_output(files, keep))
    return {**files, RECORD: f"{header}\n{INPUTS}{inputs} {tree}\n{said}{rest}"}


@dataclass(frozen=True)
class Vouched:
    """An output folder its record vouches for: how many files the run owns, the spec's warnings."""

    files: int
    warnings: list[Diagnostic]


def vouched(
    out: Path,
    inputs: str | None,
    keep: tuple[str, ...],
    spec: str,
    named: Callable[[], object] = lambda: None,
) -> Vouched | None:
    """The folder, when its record was made from these inputs and every file the run owns is on
    disk as that run wrote it (the record's other lines included); else None. `named` is called
    once the record names the inputs, before the files are read."""
    if inputs is None or not _names_inputs(out, inputs):
        return None
    named()
    tree = owned_tree(out, keep)
    if any(text is None for text in tree.values()):
        return None
    present = {rel: text for rel, text in tree.items() if text is not None}
    lines = present.get(RECORD, "").splitlines()
    stamp = next((line for line in lines if line.startswith(INPUTS)), "")
    if stamp != f"{INPUTS}{inputs} {_tree_hash(present)}":
        return None
    try:
        said = [json.loads(line[len(WARNING) :]) for line in lines if line.startswith(WARNING)]
        warnings = [Diagnostic(spec, int(w[0]), int(w[1]), str(w[2]), Level(w[3]), str(w[4])) for w in said]
    except (ValueError, TypeError, IndexError, KeyError):  # a line that is not ours: generate
        return None
    return Vouched(len(present), warnings)


def _names_inputs(out: Path, inputs: str) -> bool:
    """Whether the folder's record says it was made from `inputs`: asked first, so that a run
    after an edit does not read and hash the 3,300 files of a large SDK (0.2 s) in vain."""
    try:
        lines = (out / RECORD).read_text("utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return False
    return any(line.startswith(f"{INPUTS}{inputs} ") for line in lines)


def _tree_hash(files: dict[str, str]) -> str:
    """The hash of the owned files, the record counted without its inputs line."""
    digest = hashlib.sha256()
    for path in sorted(files):
        text = files[path]
        if path == RECORD:
            text = "".join(line for line in text.splitlines(keepends=True) if not line.startswith(INPUTS))
        digest.update(path.encode() + b"\0" + text.encode("utf-8", "surrogatepass") + b"\0")
    return digest.hexdigest()
