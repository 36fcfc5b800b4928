"""What the Python files on disk mean, worked out while the render child runs, by a helper at the
lowest priority, so that it takes only time no other process of the run wants.

After a fresh clone's edit, the 41 client modules the record vouches for are rendered the same
again, and each is compared with its file on disk once the render child is done (`meaning`):
both sides parsed, 0.65 s of CPU on the run's critical path. The disk's side needs no render: the
helper parses it beforehand, and the comparison at the end parses the render's side alone.
"""

from __future__ import annotations

import multiprocessing
import os
from typing import Any

from .meaning import meaning_digest


class DiskMeanings:
    """A helper working out `meaning_digest` of each file given, largest first; `digests()` takes
    what it has sent and stops it."""

    def __init__(self, files: dict[str, str]) -> None:
        self._found: dict[str, str] = {}
        self._process: Any = None
        if not files or (os.cpu_count() or 1) < 2 or "fork" not in multiprocessing.get_all_start_methods():
            return
        context = multiprocessing.get_context("fork")
        self._reader, writer = context.Pipe(duplex=False)
        self._process = context.Process(target=_work, args=(files, writer), daemon=True)
        self._process.start()
        writer.close()

    def digests(self, wait: bool = False) -> dict[str, str]:
        """Each file's digest, by its path, for those the helper is done with (all of them, once
        it is done, with `wait`)."""
        if self._process is not None:
            try:
                while wait or self._reader.poll():
                    path, found = self._reader.recv()
                    self._found[path] = found
            except (EOFError, OSError):
                pass
            self._process.kill()
            self._process.join()
            self._reader.close()
            self._process = None
        return self._found


def _work(files: dict[str, str], writer: Any) -> None:
    os.nice(19)  # only what the run leaves idle
    for path in sorted(files, key=lambda p: (-len(files[p]), p)):
        writer.send((path, meaning_digest(files[path])))
