"""sdkgen installed as a tool: a wheel in a fresh venv generates an SDK with no checkout around it."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT, SPEC, generate_sdk, snapshot


def _run(*args: str | Path, cwd: Path) -> str:
    env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout + result.stderr


def test_the_wheel_installs_in_a_fresh_venv_and_generates(tmp_path: Path) -> None:
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", tmp_path / "dist", ROOT, cwd=tmp_path)
    (wheel,) = (tmp_path / "dist").glob("sdkgen-*.whl")
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", venv, cwd=tmp_path)
    _run(venv / "bin" / "pip", "install", "-q", "-c", ROOT / "constraints.txt", wheel, cwd=tmp_path)

    user = tmp_path / "user"  # a folder of someone else's: no Makefile, no pyproject, no checkout
    user.mkdir()
    (user / "api.yaml").write_text(SPEC.read_text())
    located = _run(venv / "bin" / "python", "-c", "import generator; print(generator.__file__)", cwd=user)
    assert str(venv) in located, "sdkgen runs from the wheel, not from this checkout"
    out = _run(venv / "bin" / "sdkgen", "generate", "--spec", "api.yaml", "--out", "sdk", cwd=user)
    assert "sdk: 60 files: 60 written, 0 unchanged, 0 removed" in out

    # the wheel carries the templates and runtime: the same SDK as this checkout makes
    (tmp_path / "reference").mkdir()
    reference, _ = generate_sdk(SPEC, tmp_path / "reference")
    assert snapshot(user / "sdk") == snapshot(reference)
    _run(venv / "bin" / "sdkgen", "check", "--spec", "api.yaml", "--out", "sdk", cwd=user)
