"""The only stage that touches disk: write a rendered tree atomically, or compare it with one on disk.

sdkgen owns exactly the files its previous run listed in the manifest. It removes an owned file the
new output no longer has, overwrites an owned file, writes a new file where nothing stands, and
never opens, rewrites or removes anything else in the folder: a path the new output needs that is
taken by a file sdkgen does not own is an error, found before anything is written. Paths matching a
`keep` pattern belong to the user: written once when missing, then never again, nor compared.
"""

from __future__ import annotations

import difflib
import fnmatch
import os
import stat
import tempfile
import threading
from collections.abc import Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

MANIFEST = ".sdkgen-files"
# Creating a file is the kernel's work: on ext4 soon after many files were deleted (an emptied
# output folder) it scans past the inodes freed in the last minutes, 0.3-0.6 ms a file on this
# project's machine. Threads, each making a share of the files, let it go on on both cores.
WRITERS = 8


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


def is_safe_path(rel: str) -> bool:
    """A plain relative path that stays inside the folder and out of dot folders (.git, .venv)."""
    parts = rel.split("/")  # no part empty: neither absolute nor `a//b` nor `a/`
    return (
        "\\" not in rel
        and all(part not in ("", ".", "..") for part in parts)
        and not any(part.startswith(".") for part in parts[:-1])
    )


def owned_paths(out: Path) -> frozenset[str]:
    """What the previous run wrote, from its manifest; entries that could reach outside are ignored."""
    try:
        listing = (out / MANIFEST).read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return frozenset()
    return frozenset(line for line in listing.splitlines() if is_safe_path(line) and line != MANIFEST)


def is_kept(rel: str, keep: Iterable[str]) -> bool:
    """Whether `rel` matches a keep pattern: a glob, or a folder ending in `/` that holds it."""
    for pattern in keep:
        if pattern.endswith("/") and (rel + "/").startswith(pattern):
            return True
        if fnmatch.fnmatchcase(rel, pattern):
            return True
    return False


def owned_output(files: dict[str, str], keep: Iterable[str] = ()) -> dict[str, str]:
    """The files a run owns: the output less the kept paths, plus the manifest that lists them."""
    return with_manifest({rel: text for rel, text in files.items() if not is_kept(rel, keep)})


@dataclass(frozen=True)
class Plan:
    """What a run does to the folder: every decision is made before anything is written."""

    files: dict[str, str]  # the owned output, manifest included
    seeds: dict[str, str]  # kept paths that do not exist yet: written once, not owned
    stale: tuple[str, ...]  # owned files the new output no longer has
    missing: frozenset[str] = frozenset()  # paths of `files` where nothing stands: no need to read


def plan(out: Path, files: dict[str, str], keep: Iterable[str] = ()) -> Plan:
    """Decide what to write; raises OutputError naming every path the run may not take."""
    keep = tuple(keep)
    unsafe = sorted(rel for rel in files if not is_safe_path(rel))
    if unsafe:
        raise OutputError(f"refusing to write outside {out}: {', '.join(unsafe)}")
    owned = owned_paths(out) if out.is_dir() else frozenset()
    mine = owned_output(files, keep)
    seeds = {rel: text for rel, text in files.items() if is_kept(rel, keep) and not _exists(out / rel)}
    stale = tuple(sorted(rel for rel in owned - set(mine) if _inside(out, rel) and _is_file(out / rel)))
    kinds: dict[str, str] = {}  # what stands at each path looked at (a folder holds many files)
    before, in_the_way = owned | {MANIFEST}, set(stale)
    conflicts = [_conflict(out, rel, before, in_the_way, kinds) for rel in sorted([*mine, *seeds])]
    taken = [c for c in conflicts if c]
    if taken:
        listed = "; ".join(taken[:10]) + (f"; and {len(taken) - 10} more" if len(taken) > 10 else "")
        raise OutputError(f"{listed} (sdkgen does not own it, so nothing was written)")
    return Plan(mine, seeds, stale, frozenset(rel for rel in mine if kinds.get(rel) == "missing"))


def _conflict(out: Path, rel: str, owned: frozenset[str], stale: set[str], kinds: dict[str, str]) -> str:
    """Why sdkgen may not write `rel`, or '' when it may (a stale owned file in the way goes first)."""
    parts = rel.split("/")  # a safe path (`is_safe_path`)
    for folder in ("/".join(parts[:i]) for i in range(len(parts) - 1, 0, -1)):
        if folder not in stale and _kind(out, folder, kinds) not in ("missing", "folder"):
            return f"{out / folder}: is in the way of {rel}"
    kind = _kind(out, rel, kinds)
    if kind in ("link", "folder"):
        return f"{out / rel}: is not a regular file" if rel in owned else f"{out / rel}: already exists"
    if kind != "missing" and rel not in owned:
        return f"{out / rel}: already exists"
    return ""


def _kind(out: Path, rel: str, kinds: dict[str, str]) -> str:
    """What stands at `rel` (a link is not followed): missing, link, folder or file; a name the file
    system refuses counts as missing (staging reports it)."""
    if rel not in kinds:
        try:
            mode = os.lstat(os.path.join(out, rel)).st_mode
        except (OSError, ValueError):
            kinds[rel] = "missing"
        else:
            kinds[rel] = "link" if stat.S_ISLNK(mode) else "folder" if stat.S_ISDIR(mode) else "file"
    return kinds[rel]


def _exists(path: Path) -> bool:
    try:
        return path.exists() or path.is_symlink()
    except OSError:  # a name the file system refuses: staging reports it
        return False


def _is_file(path: Path) -> bool:
    return path.is_file() and not path.is_symlink()


def _inside(out: Path, rel: str) -> bool:
    """No folder on the way to `rel` is a link, so the path cannot lead out of `out`."""
    return not any((out / parent).is_symlink() for parent in list(PurePosixPath(rel).parents)[:-1])


@dataclass(frozen=True)
class Written:
    files: int  # files the run put in the folder (owned ones, manifest included, and seeded kept ones)
    written: list[str]
    removed: list[str]

    @property
    def unchanged(self) -> int:
        return self.files - len(self.written)


class Staging:
    """Files staged beside their targets before the run's output is whole (the models, while the
    rest renders), for `write_tree` to swap in with the others; `discard` removes what it did not
    take, and the folders staging made, so a run that fails leaves the folder as it was. Two
    threads may stage at once (a batch of models and the pages done before black's results)."""

    def __init__(self, out: Path, keep: Iterable[str] = ()) -> None:
        self.out = out
        self.keep = tuple(keep)
        self.staged: dict[str, tuple[str, str]] = {}  # path -> (staged file, its text)
        self.created: list[Path] = []  # folders made, outermost first
        self.folders: set[str] = set()  # folders known to stand
        self._owned: frozenset[str] | None = None  # the manifest's paths, read at the first stage
        self._one_at_a_time = threading.Lock()

    def stage(self, files: dict[str, str]) -> None:
        """Stage those of `files` that differ on disk; none when any of them could not be written
        (`write_tree` then finds and reports why, with the whole output)."""
        with self._one_at_a_time:
            self._stage(files)

    def _stage(self, files: dict[str, str]) -> None:
        out = self.out
        if any(not is_safe_path(rel) or is_kept(rel, self.keep) or rel == MANIFEST for rel in files):
            return
        if self._owned is None:
            self._owned = (owned_paths(out) if out.is_dir() else frozenset()) | {MANIFEST}
        owned = self._owned
        kinds: dict[str, str] = {}
        if any(_conflict(out, rel, owned, set(), kinds) for rel in files):
            return
        todo = [
            (rel, text)
            for rel, text in sorted(files.items())
            if rel not in self.staged and (kinds[rel] == "missing" or _read(out, rel) != text)
        ]
        try:
            # one thread: staging goes on while the models are formatted on every core, and more
            # threads slowed that formatting as much as they saved
            made = _stage_files(out, todo, self.created, self.folders, writers=1)
        except OSError:
            self._discard()
            return
        self.staged.update((rel, (tmp, text)) for (rel, text), tmp in zip(todo, made, strict=True))

    def take(self, rel: str, text: str) -> str | None:
        """The staged file for `rel`, when it holds `text`."""
        found = self.staged.get(rel)
        if found is None or found[1] != text:
            return None
        del self.staged[rel]
        return found[0]

    def discard(self) -> None:
        with self._one_at_a_time:
            self._discard()

    def _discard(self) -> None:
        for tmp, _ in self.staged.values():
            Path(tmp).unlink(missing_ok=True)
        self.staged.clear()
        self.folders.clear()  # those made here go next
        for folder in reversed(self.created):
            try:
                folder.rmdir()  # only when empty: the run may have written into it
            except OSError:
                pass
        self.created.clear()


def _stage_files(
    out: Path, files: list[tuple[str, str]], created: list[Path], folders: set[str], writers: int = WRITERS
) -> list[str]:
    """Each `(rel, text)` in a new file beside `rel`, made on `writers` threads (one for a few
    files): the staged files in order. Their folders are made first (`created` gains them unless
    `folders` says they stand); when one file cannot be made, none stays."""
    for rel, _ in files:
        folder = os.path.dirname(os.path.join(out, rel))
        if folder not in folders:
            created += _make_folders(Path(folder))
            folders.add(folder)
    writers = writers if len(files) >= 8 * writers else 1  # threads cost more than a few files
    if writers == 1:
        done = [_stage_share(out, files)]
    else:
        with ThreadPoolExecutor(max_workers=writers) as pool:
            done = list(pool.map(lambda n: _stage_share(out, files[n::writers]), range(writers)))
    failed = next((error for _, error in done if error is not None), None)
    if failed is not None:
        for made, _ in done:
            for tmp in made:
                os.unlink(tmp)
        raise failed
    staged: list[str] = [""] * len(files)
    for n, (made, _) in enumerate(done):
        staged[n::writers] = made
    return staged


def _stage_share(out: Path, share: list[tuple[str, str]]) -> tuple[list[str], BaseException | None]:
    made: list[str] = []
    try:
        for rel, text in share:
            made.append(_stage_file(out, rel, text))
    except BaseException as error:  # noqa: BLE001 - raised by _stage_files, with the others undone
        return made, error
    return made, None


def _stage_file(out: Path, rel: str, text: str) -> str:
    """`text` in a new file beside `rel`, whose folder stands."""
    folder, name = os.path.split(os.path.join(out, rel))
    fd, staged = tempfile.mkstemp(prefix=f".{name}.", suffix=".tmp", dir=folder)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
        os.chmod(staged, _FILE_MODE)
    except BaseException:
        os.unlink(staged)
        raise
    return staged


def write_tree(
    out: Path,
    files: dict[str, str],
    keep: Iterable[str] = (),
    staging: Staging | None = None,
    read_already: Mapping[str, str] | None = None,
) -> Written:
    """Stage every changed file beside its target (or take it from `staging`), then swap them in
    and remove stale owned files.

    A conflict or a failure while staging leaves `out` as it was. Unchanged files are not rewritten:
    each is compared with the file on disk, or with its text in `read_already` when the run read it
    from there as it began (a fresh clone's 3,300 files, 0.05 s to read again).
    """
    decided = plan(out, files, keep)
    known = read_already or {}
    changed = {
        rel: text
        for rel, text in decided.files.items()
        if rel in decided.missing or (known[rel] if rel in known else _read(out, rel)) != text
    }
    changed.update(decided.seeds)
    for rel in decided.stale:  # an owned file where the new output needs a folder
        if any(PurePosixPath(rel) in PurePosixPath(new).parents for new in changed):
            (out / rel).unlink()
    created: list[Path] = []
    staged: list[tuple[str, str]] = []
    todo: list[tuple[str, str]] = []
    for rel, text in sorted(changed.items()):
        early = staging.take(rel, text) if staging is not None else None
        if early is not None:
            staged.append((early, os.path.join(out, rel)))
        else:
            todo.append((rel, text))
    try:
        made = _stage_files(out, todo, created, set())
        staged += [(tmp, os.path.join(out, rel)) for (rel, _), tmp in zip(todo, made, strict=True)]
    except BaseException as exc:
        for tmp, _ in staged:
            Path(tmp).unlink(missing_ok=True)
        for folder in reversed(created):
            folder.rmdir()
        if staging is not None:
            staging.discard()
        if isinstance(exc, OSError):
            raise OutputError(f"--out {out}: cannot write: {exc.strerror or exc}") from None
        raise
    for tmp, target in staged:
        os.replace(tmp, target)
    if staging is not None:
        staging.discard()  # staged for a text the run did not keep
    for gone in decided.stale:
        if _is_file(out / gone):  # not one that made way for a folder
            (out / gone).unlink()
            _prune_empty((out / gone).parent, out)
    return Written(len(decided.files) + len(decided.seeds), sorted(changed), list(decided.stale))


def _make_folders(folder: Path) -> list[Path]:
    """Create `folder` and its missing parents; returns those it created, outermost first."""
    missing = []
    while not folder.exists():
        missing.append(folder)
        folder = folder.parent
    for path in reversed(missing):
        path.mkdir()
    return list(reversed(missing))


def _read(out: Path, rel: str) -> str | None:
    try:
        with open(os.path.join(out, rel), encoding="utf-8") as handle:
            return handle.read()
    except (OSError, UnicodeDecodeError):
        return None


def _prune_empty(folder: Path, root: Path) -> None:
    """Remove the folders that removing an owned file left empty; never `root` or anything else."""
    while folder != root and folder.is_dir() and not folder.is_symlink() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def owned_tree(out: Path, keep: Iterable[str] = ()) -> dict[str, str | None]:
    """The owned files as they are on disk (None where missing or unreadable), manifest included."""
    keep = tuple(keep)
    paths = {rel for rel in owned_paths(out) if not is_kept(rel, keep)} | {MANIFEST}
    return {rel: _read(out, rel) if _inside(out, rel) else None for rel in sorted(paths)}


def diff_tree(out: Path, files: dict[str, str], keep: Iterable[str] = ()) -> str:
    """A unified diff from the owned files on disk to what would be generated; empty when identical.

    Raises OutputError when generate could not write the tree (a path taken by a file it does not own).
    """
    decided = plan(out, files, keep)
    current = owned_tree(out, keep) if out.is_dir() else {}
    chunks: list[str] = []
    for rel in sorted(set(current) | set(decided.files)):
        old = current.get(rel)
        new = decided.files.get(rel)
        if old == new:
            continue
        fromfile = f"a/{rel}" if old is not None else "/dev/null"
        tofile = f"b/{rel}" if new is not None else "/dev/null"
        lines = difflib.unified_diff(
            (old or "").splitlines(keepends=True),
            (new or "").splitlines(keepends=True),
            fromfile=fromfile,
            tofile=tofile,
        )
        chunks.extend(list(lines) or [f"--- {fromfile}\n", f"+++ {tofile}\n"])  # an empty file
        if chunks and not chunks[-1].endswith("\n"):
            chunks[-1] += "\n"
    return "".join(chunks)
