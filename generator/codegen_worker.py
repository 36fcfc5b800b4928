"""datamodel-code-generator in a process of its own, started before the spec is loaded, and the
scratch folder its runs write in.

Its import and its first run's setup take a third of a second; a render child that needs a model
run (after an edit, or cold) would pay them after preparing the spec, on the run's critical path.
The worker, forked first (by `entry`, before the command line's modules are imported), pays them
while the spec is loaded and prepared, then makes the runs the render child asks for, one at a
time, until that child is done with models. A process that started the worker does not use it (its
forked child does), nor does a second child: either runs datamodel-code-generator itself, as does
any process when the worker is gone. This module imports little, so that the fork comes early.
"""

from __future__ import annotations

import itertools
import multiprocessing
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from multiprocessing.connection import Connection
from pathlib import Path
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


_scratch: str | None = None  # the folder `scratch_folder` made, in this process and those it forks
_runs = itertools.count()


@contextmanager
def scratch_folder() -> Iterator[None]:
    """One folder, while this lasts, for the file each datamodel-code-generator run writes what
    it made into, in this process and every process it forks meanwhile; this process removes it at
    the end, whatever became of them (a worker stopped in its warm-up's run leaves nothing)."""
    global _scratch
    if _scratch is not None:
        yield
        return
    try:
        _scratch = tempfile.mkdtemp(prefix="sdkgen-")
    except OSError:  # no temporary folder to write in: a run that needs one says so
        yield
        return
    try:
        yield
    finally:
        shutil.rmtree(_scratch, ignore_errors=True)
        _scratch = None


@contextmanager
def metadata_file() -> Iterator[Path]:
    """A path for a run's metadata: in the `scratch_folder` when there is one, else in a
    temporary folder of its own."""
    if _scratch is None:
        with tempfile.TemporaryDirectory(prefix="sdkgen-") as scratch:
            yield Path(scratch) / "models.json"
        return
    path = Path(_scratch, f"models-{os.getpid()}-{next(_runs)}.json")
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)


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
        stop_unused()


def stop_unused() -> None:
    """Stops the worker this process started, if it is there: the run makes no models after all
    (the fast path of `check` and `generate`), or is done with them."""
    global _worker
    worker, _worker = _worker, None
    if worker is not None and worker.starter == os.getpid():
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
