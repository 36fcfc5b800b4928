"""The only stage that touches disk: write a rendered tree atomically, or compare it with one on disk."""

from __future__ import annotations

import difflib
import os
import tempfile
from pathlib import Path

MANIFEST = ".sdkgen-files"
IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


def _file_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask


_FILE_MODE = _file_mode()


class OutputError(Exception):
    """The output folder cannot be written as asked."""


def with_manifest(files: dict[str, str]) -> dict[str, str]:
    """Add the list of generated files, so a later run knows which files it owns."""
    listing = "".join(f"{path}\n" for path in sorted(files))
    return {**files, MANIFEST: listing}


def existing_files(out: Path) -> dict[str, Path]:
    """Files under `out` that belong to the tree, ignoring caches that tools leave beside code."""
    if not out.is_dir():
        return {}
    found: dict[str, Path] = {}
    for path in sorted(out.rglob("*")):
        rel = path.relative_to(out)
        if (
            path.is_file()
            and not IGNORED_PARTS.intersection(rel.parts)
            and not rel.name.endswith(".egg-info")
        ):
            if not any(part.endswith(".egg-info") for part in rel.parts):
                found[rel.as_posix()] = path
    return found


def write_tree(out: Path, files: dict[str, str]) -> tuple[list[str], list[str]]:
    """Stage every changed file beside its target, then swap them in; returns (written, removed).

    A failure while staging leaves `out` untouched. Unchanged files are not rewritten.
    """
    files = with_manifest(files)
    current = existing_files(out)
    if current and MANIFEST not in current:
        raise OutputError(f"{out} is not empty and was not made by sdkgen; choose a new or empty folder")
    changed = {p: t for p, t in files.items() if p not in current or _read(current[p]) != t}
    stale = sorted(set(current) - set(files))
    staged: list[tuple[Path, Path]] = []
    try:
        for rel, text in sorted(changed.items()):
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
                handle.write(text)
            os.chmod(name, _FILE_MODE)
            staged.append((Path(name), target))
    except BaseException:
        for tmp, _ in staged:
            tmp.unlink(missing_ok=True)
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    for gone in stale:
        current[gone].unlink()
        _prune_empty(current[gone].parent, out)
    return sorted(changed), stale


def _read(path: Path) -> str | None:
    try:
        return path.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return None


def _prune_empty(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def diff_tree(out: Path, files: dict[str, str]) -> str:
    """A unified diff from what is on disk to what would be generated; empty when identical."""
    files = with_manifest(files)
    current = existing_files(out)
    chunks: list[str] = []
    for rel in sorted(set(current) | set(files)):
        old = _read(current[rel]) if rel in current else None
        new = files.get(rel)
        if old == new:
            continue
        chunks.extend(
            difflib.unified_diff(
                (old or "").splitlines(keepends=True),
                (new or "").splitlines(keepends=True),
                fromfile=f"a/{rel}" if old is not None else "/dev/null",
                tofile=f"b/{rel}" if new is not None else "/dev/null",
            )
        )
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n"
    return "".join(chunks)
