"""Every broken spec in tests/broken_specs/ exits 2 with its committed message and writes nothing,
in the output folder or in the temporary folder.

Each case is a folder: the spec (spec.yaml or spec.json), optional extra flags in `args`, and
`expected.txt`, the exact error output. After a deliberate change to messages, accept the new
output with `make golden` and review the diff.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

import pytest

from tests.conftest import run_cli, snapshot

CASES = Path(__file__).parent / "broken_specs"
FIX = "make golden"


def _cases() -> list[Path]:
    return sorted(p for p in CASES.iterdir() if p.is_dir())


@pytest.mark.parametrize("case", _cases(), ids=lambda p: p.name)
@pytest.mark.parametrize("command", ["generate", "check"])
def test_broken_spec(
    case: Path, command: str, generated_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    spec = next(p.name for p in case.iterdir() if p.name.startswith("spec."))
    extra = (case / "args").read_text().split() if (case / "args").exists() else []
    before = snapshot(generated_copy)
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the processes sdkgen forks inherit it

    result = run_cli(command, "--spec", spec, "--out", generated_copy, *extra, cwd=case)

    assert result.exit_code == 2, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""
    assert snapshot(generated_copy) == before, "a failed run must leave the output untouched"
    assert not list(scratch.iterdir()), "the processes a failed run stopped left their scratch folders"
    expected_file = case / "expected.txt"
    if os.environ.get("SDKGEN_UPDATE_GOLDEN"):
        expected_file.write_text(result.stderr)
    expected = expected_file.read_text() if expected_file.exists() else "<missing expected.txt>"
    assert result.stderr == expected, f"{case.name}: output changed; if intended, run `{FIX}`"


def test_every_case_has_expected_output() -> None:
    missing = [c.name for c in _cases() if not (c / "expected.txt").exists()]
    assert not missing, f"cases without expected.txt: {missing}; run `{FIX}`"
