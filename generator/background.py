"""Run a pure function in a forked child while the caller does other work on the other core.

Fork shares the caller's memory, so a large parsed spec reaches the child without being copied or
pickled. The child's result is the function's result: where fork is unavailable, on one core, or
when the child fails or dies, `result()` runs the function in the caller instead (so a bug shows
its traceback where it belongs).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")


class Ahead(Generic[T]):
    """`func` started now in a child process; `result()` waits for it, `cancel()` stops it."""

    def __init__(self, func: Callable[[], T]) -> None:
        self._func = func
        self._process: Any = None
        self._reader: Connection | None = None
        if (os.cpu_count() or 1) > 1 and "fork" in multiprocessing.get_all_start_methods():
            context = multiprocessing.get_context("fork")
            self._reader, writer = context.Pipe(duplex=False)
            # not a daemon: daemons may not start processes, and func may format on all cores;
            # every caller ends the child by result() or cancel()
            self._process = context.Process(target=_run, args=(func, writer))
            # until the child is done, neither process's collector walks (so copies) what both hold
            gc.freeze()
            try:
                self._process.start()
            except BaseException:
                gc.unfreeze()
                raise
            writer.close()

    def result(self) -> T:
        if self._reader is None:
            return self._func()
        try:
            ok, value = self._reader.recv()
        except (EOFError, OSError):  # the child died without a word
            ok, value = False, None
        finally:
            self._close()
        return value if ok else self._func()

    def cancel(self) -> None:
        if self._process is not None and self._process.is_alive():
            self._process.kill()
        self._close()

    def _close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._process is not None:
            self._process.join()
            self._process = None
            gc.unfreeze()


def _run(func: Callable[[], Any], writer: Connection) -> None:
    try:
        value = (True, func())
    except BaseException:  # noqa: BLE001 - the caller runs func again and sees the error itself
        value = (False, None)
    try:
        writer.send(value)
    except Exception:  # noqa: BLE001 - e.g. a result that does not pickle: the caller recomputes
        writer.send((False, None))
    finally:
        writer.close()
