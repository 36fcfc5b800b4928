"""Read one side of a diff: a spec file, or `GITREF:path` read from git without a checkout."""

from __future__ import annotations

import subprocess
from pathlib import Path

from ..diagnostics import Diagnostic, Level, SpecError
from ..loader import Document, load, parse
from ..refs import bundle


def load_side(spec: str) -> tuple[Document, bool]:
    """The side's document with its external references bundled, and whether there were any."""
    path = Path(spec)
    if path.exists() or ":" not in spec:
        doc = load(path)
    else:
        ref, _, inner = spec.partition(":")
        doc = parse(_git_show(ref, inner, spec), Path(inner), spec)
    return doc, bundle(doc)


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
