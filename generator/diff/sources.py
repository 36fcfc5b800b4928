"""Read one side of a diff: a spec file, or `GITREF:path` read from git without a checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..diagnostics import Diagnostic, Level, SpecError, is_fatal, sort_diagnostics
from ..loader import Document, load, parse
from ..refs import bundle
from ..validate import validate


def read_side(spec: str) -> Document:
    """Load and validate; a side with errors stops the diff with located messages."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        doc = load(path)
    else:
        ref, _, inner = spec.partition(":")
        doc = parse(_git_show(ref, inner, spec), Path(inner), spec)
    bundle(doc)
    problems = sort_diagnostics(validate(doc))
    if is_fatal(problems, strict=False):
        raise SpecError(problems)
    return doc


def _git_show(ref: str, inner: str, shown: str) -> bytes:
    try:
        result = subprocess.run(["git", "show", f"{ref}:{inner}"], capture_output=True, check=False)
    except OSError as exc:
        raise SpecError([_problem(shown, f"cannot run git: {exc}")]) from None
    if result.returncode != 0:
        reason = result.stderr.decode(errors="replace").strip().splitlines()
        raise SpecError([_problem(shown, f"git cannot read it: {reason[-1] if reason else 'unknown error'}")])
    return result.stdout


def _problem(shown: str, message: str) -> Diagnostic:
    return Diagnostic(shown, 0, 0, "#", Level.ERROR, message)


def file_of(shown: str) -> str:
    """The path inside the repository, for annotations: `origin/main:spec/x.yaml` -> `spec/x.yaml`."""
    return shown if Path(shown).exists() or ":" not in shown else shown.partition(":")[2]
