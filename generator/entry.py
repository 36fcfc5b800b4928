"""The `sdkgen` command (and `python -m generator`): the model worker first, then the command line.

A small spec's run waits on the worker's import of datamodel-code-generator (a third of a second):
forked here, before the command line's modules are imported, the worker starts 0.05 s into the run
rather than 0.1 s. Only for the commands that may make models; `cli` stops it unused when the
folder's record vouches for the output.
"""

from __future__ import annotations

import os
import sys
from contextlib import ExitStack
from typing import NoReturn

from . import codegen_worker, library_settings

MAKE_MODELS = frozenset({"generate", "check"})


def run() -> NoReturn:
    """`cli.exit_code`, then the process ends without tearing its modules down (every file it
    wrote is closed and every child it started has ended by then): the teardown of black, the
    validator and datamodel-code-generator took about 0.15 s of a small spec's 1.5 s run."""
    with ExitStack() as early:
        if _command(sys.argv[1:]) in MAKE_MODELS:
            early.enter_context(codegen_worker.scratch_folder())
            early.enter_context(codegen_worker.started())
        library_settings.install()  # before the validators are imported
        from .cli import exit_code

        code = exit_code()
    for stream in (sys.stdout, sys.stderr):
        try:
            stream.flush()
        except (OSError, ValueError):  # a closed pipe (`sdkgen rules | head`): nothing more to say
            pass
    os._exit(code)


def _command(args: list[str]) -> str | None:
    """The command the arguments name: the first that is not an option (`sdkgen` takes none but
    `--help` and `--version`, which name no command)."""
    return next((arg for arg in args if not arg.startswith("-")), None)
