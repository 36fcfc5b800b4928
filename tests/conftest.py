"""Shared helpers: paths, the CLI run in process, and the material in ../shared/."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.output import existing_files

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "realtime-sessions.yaml"
GENERATED = ROOT / "generated"
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None) -> Run:
    """Run `sdkgen ARGS` in process, in `cwd`; returns its exit code and both streams."""
    old = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)
    finally:
        os.chdir(old)
    return Run(result.exit_code, result.stdout, result.stderr)


def needs_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads ../shared/ beside the clone, as CI provides it")
    return path


@pytest.fixture
def generated_copy(tmp_path: Path) -> Path:
    """A copy of the committed generated/ folder, to run generate and check against."""
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out, ignore=shutil.ignore_patterns("__pycache__", ".*_cache"))
    return out


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a tree by relative path, leaving out the caches tools write beside code."""
    return {rel: path.read_bytes() for rel, path in existing_files(folder).items()}
