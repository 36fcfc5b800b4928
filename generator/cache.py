"""A content-addressed cache of pure results, so unchanged work is not paid for twice.

Every key covers the toolchain (sdkgen's own code and templates, and the versions of the libraries
whose output we keep), so an upgrade or an edit to a template can never be answered from the cache.
`SDKGEN_CACHE_DIR` moves it; `SDKGEN_NO_CACHE=1` turns it off.
"""

from __future__ import annotations

import hashlib
import json
import os
import queue
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
DEPENDENCIES = (
    "black",
    "isort",
    "ruff",
    "datamodel-code-generator",
    "openapi-spec-validator",
    "openapi-schema-validator",
    "jsonschema-rs",
    "pydantic",
    "jinja2",
)


def enabled() -> bool:
    return not os.environ.get("SDKGEN_NO_CACHE")


def directory() -> Path:
    root = os.environ.get("SDKGEN_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "sdkgen"
    )
    return Path(root)


@cache
def toolchain() -> str:
    """A hash of everything besides the input that decides the output: the same for a checkout and
    for a wheel built from it (which carries the templates as `generator/_templates`)."""
    digest = hashlib.sha256()
    packaged = HERE / "_templates"
    templates = packaged if packaged.is_dir() else HERE.parent / "templates"
    for label, folder in (("generator", HERE), ("templates", templates)):
        for path in sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts):
            if folder == HERE and packaged in path.parents:
                continue
            digest.update(f"{label}/{path.relative_to(folder).as_posix()}".encode())
            digest.update(path.read_bytes())
    for name in DEPENDENCIES:
        try:
            digest.update(f"{name}=={metadata.version(name)}".encode())
        except metadata.PackageNotFoundError:
            digest.update(f"{name} missing".encode())
    return digest.hexdigest()


def key(*parts: str | bytes) -> str:
    digest = hashlib.sha256(toolchain().encode())
    for part in parts:
        data = part.encode("utf-8", "surrogatepass") if isinstance(part, str) else part
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)
    return digest.hexdigest()


# Kinds whose entries are megabytes each (a parsed spec, the blocks of a spec file's last load, the
# models of a group of schemas or of a piece of one) or one per SDK (the verdicts on its files; one
# more on pieces of files): only the most recently used are kept, so reviewing many revisions with
# `diff` does not fill the disk. A large spec's models are a few groups (the full OpenAI spec's,
# six: 48 entries hold eight of its revisions), its largest in six pieces (400 hold over sixty).
BOUNDED = {"load": 24, "load-blocks": 12, "models": 48, "model-pieces": 400, "meanings": 12}


def _path(kind: str, name: str) -> Path:
    return Path(_location(kind, name))


def _location(kind: str, name: str) -> str:
    """`_path` as a string: a run looks up thousands of entries (a formatted file each)."""
    return os.path.join(directory(), kind, name[:2], name[2:])


def get(kind: str, name: str) -> Any | None:
    raw = get_bytes(kind, name)
    try:
        return None if raw is None else json.loads(raw)
    except ValueError:
        return None


def get_bytes(kind: str, name: str) -> bytes | None:
    if not enabled():
        return None
    path = _location(kind, name)
    try:
        with open(path, "rb") as handle:
            data = handle.read()
        if kind in BOUNDED:
            os.utime(path)  # used: the last to be pruned
        return data
    except OSError:
        return None


def put(kind: str, name: str, value: Any) -> None:
    put_bytes(kind, name, json.dumps(value).encode())


def put_bytes(kind: str, name: str, data: bytes) -> None:
    """Write atomically; a cache that cannot be written is silently skipped. Within
    `written_behind`, on its thread."""
    if not enabled():
        return
    behind = _behind
    if behind is not None and behind[0] == os.getpid():  # not a process forked meanwhile
        behind[1].put((kind, name, data))
    else:
        _write(kind, name, data)


# `written_behind`'s: the process whose thread writes, and what it has to write
_behind: tuple[int, queue.SimpleQueue[tuple[str, str, bytes] | None]] | None = None


@contextmanager
def written_behind() -> Iterator[None]:
    """The cache's writes made on a thread while this lasts, all done when it ends. A run that
    fills an empty cache (a fresh clone's) creates hundreds of small files, a few system calls
    each (slow where thousands were just deleted), which its work need not wait for; an entry
    looked up before it is written is a miss, made again the same."""
    global _behind
    if (_behind is not None and _behind[0] == os.getpid()) or not enabled():
        yield
        return
    todo: queue.SimpleQueue[tuple[str, str, bytes] | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_all, args=(todo,), daemon=True)
    writer.start()
    _behind = (os.getpid(), todo)
    try:
        yield
    finally:
        _behind = None
        todo.put(None)
        writer.join()


def _write_all(todo: queue.SimpleQueue[tuple[str, str, bytes] | None]) -> None:
    while (entry := todo.get()) is not None:
        _write(*entry)


def _write(kind: str, name: str, data: bytes) -> None:
    target = _path(kind, name)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".tmp-")
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.replace(tmp, target)
        if kind in BOUNDED:
            _prune(kind, BOUNDED[kind])
    except OSError:
        pass


def _prune(kind: str, keep: int) -> None:
    """Remove all but the `keep` most recently used entries of a kind."""
    entries = [p for p in (directory() / kind).glob("*/*") if not p.name.startswith(".tmp-")]
    entries.sort(key=lambda p: p.stat().st_mtime, reverse=True)
    for old in entries[keep:]:
        old.unlink(missing_ok=True)
