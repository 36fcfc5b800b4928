"""datamodel-code-generator in a process of its own, started before the spec is loaded.

Its import and its first run's setup take a quarter of a second; a render child that needs a model
run (after an edit, or cold) would pay them after preparing the spec, on the run's critical path.
The worker, forked first, pays them while the spec is loaded and prepared, then makes the runs the
render child asks for, one at a time, until that child is done with models. A process that started
the worker does not use it (its forked child does), nor does a second child: either runs
datamodel-code-generator itself, as does any process when the worker is gone.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from typing import TYPE_CHECKING, Any

from .background import stop, unwind_on_terminate

if TYPE_CHECKING:
    from .model_codegen import CodegenRun

# A larger run is made by the asker itself, which lets the worker go: a third process holding a
# large run's memory beside the render child put 30 MB on the full OpenAI spec's cold peak.
MAX_SCHEMAS = 300
_OK, _FAILED = "ok", "failed"  # a reply; anything else: the asker runs it itself
_WARM_UP = {  # a run over this imports and sets up what a real one uses
    "openapi": "3.1.0",
    "info": {"title": "warm-up", "version": "1"},
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "required": ["kind"],
                "properties": {
                    "kind": {"type": "string", "enum": ["a", "b"]},
                    "tags": {"type": "array", "items": {"type": "string"}},
                    "next": {"anyOf": [{"$ref": "#/components/schemas/Item"}, {"type": "null"}]},
                },
            }
        }
    },
}


class _Worker:
    """The worker process, its end of the pipe, who started it and who it serves."""

    def __init__(self) -> None:
        context = multiprocessing.get_context("fork")
        self.connection, theirs = context.Pipe()
        self.process = context.Process(target=_serve, args=(theirs, self.connection), daemon=True)
        self.process.start()
        theirs.close()
        self.starter = os.getpid()
        self.user: int | None = None  # the one process it serves

    def stop(self) -> None:
        self.connection.close()
        stop(self.process)


_worker: _Worker | None = None
# set while a run is in the worker, and once no more runs are asked for: the asker's other
# threads may work meanwhile (the render child makes the models' doc pages)
waiting = threading.Event()


@contextmanager
def started() -> Iterator[None]:
    """A worker for a child this process forks while this lasts (not for this process itself)."""
    global _worker
    if (
        _worker is not None
        or (os.cpu_count() or 1) < 2
        or "fork" not in multiprocessing.get_all_start_methods()
    ):
        yield
        return
    _worker = _Worker()
    try:
        yield
    finally:
        worker, _worker = _worker, None
        worker.stop()


def run(
    spec: dict[str, Any], package: str, reserved: frozenset[str], closed: frozenset[str]
) -> CodegenRun | None:
    """The worker's run (raising its CodegenFailed), or None when this process has no worker to
    ask: the caller runs datamodel-code-generator itself."""
    global _worker
    from .model_codegen import CodegenFailed

    worker = _worker
    if worker is None or os.getpid() == worker.starter or worker.user not in (None, os.getpid()):
        return None
    worker.user = os.getpid()
    if len((spec.get("components") or {}).get("schemas") or {}) > MAX_SCHEMAS:
        done()
        return None
    try:
        worker.connection.send((spec, package, reserved, closed))
        waiting.set()
        reply = worker.connection.recv()
    except (OSError, EOFError):  # it died: no more asking
        _worker = None
        return None
    finally:
        waiting.clear()
    if reply[0] == _FAILED:
        raise CodegenFailed(*reply[1])
    return reply[1] if reply[0] == _OK else None


def done() -> None:
    """Lets the worker go, with its memory, once this process (its user, or the child that would
    have been) makes no more models."""
    global _worker
    waiting.set()
    worker = _worker
    if worker is not None and os.getpid() != worker.starter and worker.user in (None, os.getpid()):
        _worker = None
        try:
            worker.connection.send(None)
        except OSError:
            pass
        worker.connection.close()


def _serve(connection: Connection, starters: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the starter stops it
    unwind_on_terminate()
    starters.close()
    from .model_codegen import CodegenFailed, codegen_run

    try:
        codegen_run(_WARM_UP, "warm_up", frozenset(), frozenset())
    except Exception:  # noqa: BLE001, S110 - a real run reports it
        pass
    while True:
        try:
            request = connection.recv()
        except (OSError, EOFError):
            return
        if request is None:
            return
        try:
            reply: tuple[Any, ...] = (_OK, codegen_run(*request))
        except CodegenFailed as failed:
            reply = (_FAILED, failed.args)
        except Exception:  # noqa: BLE001 - the asker runs it again and sees the error itself
            reply = ("error",)
        try:
            connection.send(reply)
        except OSError:  # the asker is gone
            return
