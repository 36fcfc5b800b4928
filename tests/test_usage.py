"""Every mistake a person makes on the command line: exit 2, one line naming what is at fault."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT, SPEC, run_cli

SDKGEN = ROOT / ".venv" / "bin" / "sdkgen"


def _assert_usage_error(stderr: str, *named: str) -> None:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    assert "internal error" not in stderr and "Traceback" not in stderr
    for what in named:
        assert what in lines[0], f"{what!r} not named in {lines[0]!r}"


@pytest.fixture
def elsewhere(tmp_path: Path) -> Path:
    """A folder outside any project, holding a copy of the spec and a plain file."""
    (tmp_path / "api.yaml").write_text(SPEC.read_text())
    (tmp_path / "a-file").write_text("x\n")
    return tmp_path


CASES = {
    "no spec and no config": (["generate"], ["no spec", "--spec"]),
    "check without a spec": (["check"], ["no spec", "--spec"]),
    "--spec without --out": (["generate", "--spec", "api.yaml"], ["--out"]),
    "--out is a file": (["generate", "--spec", "api.yaml", "--out", "a-file"], ["--out a-file", "is a file"]),
    "--out below a file": (["generate", "--spec", "api.yaml", "--out", "a-file/sdk"], ["--out a-file/sdk"]),
    "spec is a folder": (["generate", "--spec", ".", "--out", "sdk"], ["--spec .", "is a folder"]),
    "spec is missing": (["generate", "--spec", "nope.yaml", "--out", "sdk"], ["--spec nope.yaml"]),
    "validate a folder": (["validate", "."], ["SPEC .", "is a folder"]),
    "bad --package-name": (
        ["generate", "--spec", "api.yaml", "--out", "sdk", "--package-name", "my-sdk"],
        ["--package-name 'my-sdk'", "not a usable package name"],
    ),
    "keyword --package-name": (
        ["generate", "--spec", "api.yaml", "--out", "sdk", "--package-name", "class"],
        ["--package-name 'class'"],
    ),
    "bad --client-name": (
        ["generate", "--spec", "api.yaml", "--out", "sdk", "--client-name", "9Client"],
        ["--client-name '9Client'"],
    ),
    "--client-name the SDK defines": (
        ["check", "--spec", "api.yaml", "--out", "sdk", "--client-name", "APIError"],
        ["--client-name 'APIError'", "a name the SDK defines"],
    ),
    "unknown flag": (["generate", "--spec", "api.yaml", "--outt", "sdk"], ["--outt"]),
    "unknown command": (["generat"], ["generat"]),
    "missing argument": (["diff", "a.yaml"], ["REVISION"]),
    "bad choice": (["diff", "a.yaml", "b.yaml", "--format", "xml"], ["--format", "xml"]),
}


@pytest.mark.parametrize("case", CASES)
def test_usage_mistakes_exit_2_with_one_line(elsewhere: Path, case: str) -> None:
    args, named = CASES[case]
    before = sorted(p.name for p in elsewhere.iterdir())
    result = run_cli(*args, cwd=elsewhere)
    assert result.exit_code == 2, result.stderr
    _assert_usage_error(result.stderr, *named)
    assert sorted(p.name for p in elsewhere.iterdir()) == before, "nothing was written"


def test_a_bad_configuration_value_names_the_key(elsewhere: Path) -> None:
    (elsewhere / "pyproject.toml").write_text('[tool.sdkgen]\nspec = "api.yaml"\nkeep = "README.md"\n')
    result = run_cli("generate", cwd=elsewhere)
    assert result.exit_code == 2
    assert "pyproject.toml" in result.stderr and "'keep' in [tool.sdkgen] must be a list of strings" in (
        result.stderr
    )
    assert "internal error" not in result.stderr
    (elsewhere / "pyproject.toml").write_text('[tool.sdkgen]\nspec = "api.yaml"\npackage-name = "a b"\n')
    result = run_cli("generate", "--out", "sdk", cwd=elsewhere)
    assert result.exit_code == 2
    _assert_usage_error(result.stderr, "'package-name' in [tool.sdkgen]", "'a b'")


@pytest.fixture
def read_only_folder() -> Iterator[Path]:
    """A folder (mode 0555) that the test's sdkgen process cannot write."""
    base = Path(tempfile.mkdtemp(prefix="sdkgen-ro-"))
    try:
        os.chmod(base, 0o755)
        (base / "ro").mkdir()
        os.chmod(base / "ro", 0o555)
        yield base / "ro"
    finally:
        os.chmod(base / "ro", 0o755)
        shutil.rmtree(base)


@pytest.mark.parametrize("out", [".", "sdk"], ids=["the folder itself", "a new folder inside it"])
def test_an_unwritable_out_is_named(read_only_folder: Path, out: str) -> None:
    # root writes anywhere; without the capability to override file modes it is refused like anyone
    as_user = ["setpriv", "--bounding-set=-dac_override,-dac_read_search", "--"] if os.geteuid() == 0 else []
    target = read_only_folder / out
    result = subprocess.run(
        [*as_user, str(SDKGEN), "generate", "--spec", str(SPEC), "--out", str(target)],
        cwd=read_only_folder.parent,
        env={**os.environ, "SDKGEN_NO_CACHE": "1"},
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    _assert_usage_error(result.stderr, f"--out {target}", "permission denied")
    assert list(read_only_folder.iterdir()) == []
