"""Run a pure function in a forked child while the caller does other work on the other core.

Fork shares the caller's memory, so a large parsed spec reaches the child without being copied or
pickled. The child's result is the function's result, pickled into the pipe as it is written and
read back as it arrives (never whole in either process: on the full OpenAI spec that was tens of
megabytes at the run's peak). Where fork is unavailable, on one core, or when the child fails or
dies, `result()` runs the function in the caller instead (so a bug shows its traceback where it
belongs). The function may `share` parts of its work before it is done, in turn,
for the caller to start on (`early()`, one at a time).
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import pickle
import queue
import signal
import threading
from collections import deque
from collections.abc import Callable
from multiprocessing.connection import Connection
from typing import Any, Generic, TypeVar

T = TypeVar("T")
_EARLY, _DONE, _STREAM = "early", "done", "stream"  # _STREAM: the result follows, pickled
_sharing: Connection | None = None  # in a child: where `share` sends
_outbox: queue.Queue[Any] = queue.Queue()  # in a child: the shares, for its one sender, in order
_sender: threading.Thread | None = None
_starting = threading.Lock()  # two threads of the child may share at once


class Ahead(Generic[T]):
    """`func` started now in a child process; `result()` waits for it, `cancel()` stops it."""

    def __init__(self, func: Callable[[], T]) -> None:
        self._func = func
        self._process: Any = None
        self._reader: Connection | None = None
        self._final: tuple[Any, ...] | None = None  # the child's last word, once read
        self._shared: deque[Any] = deque()  # shares read (by running()) and not yet taken
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

    def early(self) -> Any:
        """The next thing the child `share`d (waiting for it), or None when it shares no more:
        it is done, failed, or runs in this process."""
        if self._shared:
            return self._shared.popleft()
        if self._reader is None or self._final is not None:
            return None
        message = self._receive()
        if message[0] == _EARLY:
            return message[1]
        self._final = message
        return None

    def running(self) -> bool:
        """Whether the child is still at work: it has not begun sending its result (nor died).
        The shares waiting in the pipe are read on the way, for early() to hand out."""
        while self._reader is not None and self._final is None and self._reader.poll():
            message = self._receive()
            if message[0] != _EARLY:
                self._final = message
                break
            self._shared.append(message[1])
        return self._reader is not None and self._final is None

    def ready(self) -> bool:
        """Whether `early()` or `result()` would answer without waiting."""
        if self._reader is None or self._final is not None or self._shared:
            return True
        return self._reader.poll()

    def result(self, before_here: Callable[[], object] = lambda: None) -> T:
        """The child's result; or `func`'s, run in this process (after `before_here`, so that
        what this process does beside it, in other threads, is done first) when there was no
        child or it failed."""
        if self._reader is None:
            before_here()
            return self._func()
        try:
            message = self._final
            while message is None or message[0] == _EARLY:
                if message is not None:  # kept for early(), which hands out what is left
                    self._shared.append(message[1])
                message = self._receive()
        finally:
            self._close()
        _, ok, value = message
        if ok:
            done: T = value
            return done
        before_here()
        return self._func()

    def _receive(self) -> tuple[Any, ...]:
        assert self._reader is not None
        try:
            message: tuple[Any, ...] = self._reader.recv()
            if message[0] == _STREAM:
                with open(self._reader.fileno(), "rb", closefd=False) as stream:
                    message = pickle.load(stream)
        except Exception:  # noqa: BLE001 - the child died, or its result did not pickle whole
            return (_DONE, False, None)
        return message

    def cancel(self) -> None:
        self._close(stopping=True)

    def _close(self, stopping: bool = False) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None
        if self._process is not None:
            if stopping:
                stop(self._process)
            else:
                self._process.join()
            self._process = None
            gc.unfreeze()


def share(value: Any) -> bool:
    """Hands `value` to the caller of the Ahead this process runs (its `early()`) and says so;
    does nothing anywhere else, so a function that shares also runs in the caller unchanged. A
    thread sends the shares, in turn: the pipe holds 64 KB, and the caller may read only seconds
    later, while this process goes on."""
    global _sender
    if _sharing is None:
        return False
    with _starting:
        if _sender is None:
            _sender = threading.Thread(target=_send_shares, args=(_sharing,), daemon=True)
            _sender.start()
    _outbox.put(value)
    return True


def _send_shares(writer: Connection) -> None:
    while (value := _outbox.get()) is not _outbox:  # the queue itself marks the end
        try:
            writer.send((_EARLY, value))
        except OSError:  # the caller stopped reading: it has cancelled this child
            return


def stop(process: Any) -> None:
    """Ends a child process that runs `unwind_on_terminate`: asked first, so that its `with`
    blocks remove the scratch folders they made; killed if it has not ended within a second."""
    process.terminate()
    process.join(timeout=1.0)
    if process.exitcode is None:
        process.kill()
        process.join()


def unwind_on_terminate() -> None:
    """In a child: SIGTERM raises SystemExit, which unwinds what the child was doing."""
    signal.signal(signal.SIGTERM, _exit_on_signal)


def _exit_on_signal(signum: int, _frame: object) -> None:
    raise SystemExit(128 + signum)


def _run(func: Callable[[], Any], writer: Connection) -> None:
    global _sharing, _outbox, _sender
    unwind_on_terminate()
    _sharing, _outbox, _sender = writer, queue.Queue(), None  # none of the forking process's
    try:
        value = (_DONE, True, func())
    except SystemExit:  # stopped: the caller reads no more
        return
    except BaseException:  # noqa: BLE001 - the caller runs func again and sees the error itself
        value = (_DONE, False, None)
    if _sender is not None:  # the shares go first, whole
        _outbox.put(_outbox)
        _sender.join()
    _sharing = None
    try:
        writer.send((_STREAM,))
        with open(writer.fileno(), "wb", closefd=False) as stream:
            pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
    except Exception:  # noqa: BLE001 - e.g. a result that does not pickle: the stream stops short
        pass  # and the caller recomputes
    finally:
        writer.close()
