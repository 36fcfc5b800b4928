"""The checked-in output is a cache of model generation: a fresh clone (no cache at all) runs
datamodel-code-generator only on the groups of schemas an edit touched, takes the others from the
files on disk, and writes what a cold run writes, byte for byte."""

from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

import generator.models as models
from generator import model_groups
from generator.model_codegen import CodegenRun
from tests.conftest import run_cli
from tests.test_model_groups import _spec


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Small groups; each datamodel-code-generator run's schemas (`logged_runs`)."""
    monkeypatch.setattr(model_groups, "SPLIT_MIN_SCHEMAS", 10)
    monkeypatch.setattr(model_groups, "OWN_GROUP_MIN", 2)
    return logged_runs(monkeypatch, tmp_path)


def logged_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each datamodel-code-generator run's schemas, sorted, one line each in the file returned
    (the render child is a forked process: a list would stay in it)."""
    log = tmp_path / "runs.txt"
    log.touch()
    real = models.run_datamodel_codegen

    def counted(doc: Any, spec: dict[str, Any], *rest: Any) -> CodegenRun:
        with log.open("a") as handle:
            handle.write(" ".join(sorted(spec["components"]["schemas"])) + "\n")
        return real(doc, spec, *rest)

    monkeypatch.setattr(models, "run_datamodel_codegen", counted)
    return log


def _generate(spec: dict[str, Any], out: Path, cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(cache))
    path = out.parent / f"{out.name}.json"
    path.write_text(json.dumps(spec))
    result = run_cli("generate", "--spec", path, "--out", out)
    assert result.exit_code == 0, result.stderr


def _tree(folder: Path) -> dict[str, bytes]:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def _edited() -> dict[str, Any]:
    spec = copy.deepcopy(_spec())
    spec["components"]["schemas"]["Cat"]["properties"]["lives"] = {"type": "integer"}
    return spec


def test_a_fresh_clone_makes_only_the_models_an_edit_touched(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache-first", monkeypatch)
    record = (tmp_path / "sdk" / ".sdkgen-format").read_text()
    assert record.count("\n# models ") >= 3, "each group of schemas has its line"
    shutil.copytree(tmp_path / "sdk", tmp_path / "clone")
    runs.write_text("")
    _generate(_edited(), tmp_path / "clone", tmp_path / "cache-clone", monkeypatch)
    assert runs.read_text().splitlines() == ["Cat Dog Pet"], "the other groups came from the files on disk"
    _generate(_edited(), tmp_path / "cold", tmp_path / "cache-cold", monkeypatch)
    assert _tree(tmp_path / "clone") == _tree(tmp_path / "cold")
    assert "lives: int | None = None" in (tmp_path / "clone" / "groups" / "models" / "cat.py").read_text()


def test_a_model_file_edited_by_hand_is_made_again(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache-first", monkeypatch)
    shutil.copytree(tmp_path / "sdk", tmp_path / "clone")
    order = tmp_path / "clone" / "groups" / "models" / "order.py"
    order.write_text(order.read_text().replace("class Order(", "class Tampered("))
    runs.write_text("")
    _generate(_spec(), tmp_path / "clone", tmp_path / "cache-clone", monkeypatch)
    made = runs.read_text().splitlines()
    assert len(made) == 1 and "Order" in made[0].split(), "only the group whose file changed"
    assert _tree(tmp_path / "clone") == _tree(tmp_path / "sdk")


def test_a_record_line_that_is_not_ours_is_passed_over(
    runs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache-first", monkeypatch)
    shutil.copytree(tmp_path / "sdk", tmp_path / "clone")
    record = tmp_path / "clone" / ".sdkgen-format"
    lines = record.read_text().splitlines(keepends=True)
    models = [n for n, line in enumerate(lines) if line.startswith("# models ")]
    broken = list(lines)
    broken[models[0]] = broken[models[0]][: broken[models[0]].index("{") + 5] + "\n"  # cut short
    for n in models[1:]:  # JSON, but not quite a group's
        head, _, text = broken[n].partition("{")
        group = json.loads("{" + text)
        group["imports"] = []
        broken[n] = head + json.dumps(group) + "\n"

    record.write_text("".join(broken))
    runs.write_text("")
    _generate(_spec(), tmp_path / "clone", tmp_path / "cache-clone", monkeypatch)
    assert len(runs.read_text().splitlines()) >= 3, "every group made anew"
    assert _tree(tmp_path / "clone") == _tree(tmp_path / "sdk")


def test_a_module_named_outside_the_folder_is_never_read(tmp_path: Path) -> None:
    """A record's module name is a path: one leading out of the folder (here to a FIFO, which
    would block a read) is passed over without opening it."""
    import os
    import threading

    from generator.format_record import MODELS, RECORD, toolkit
    from generator.models_on_disk import ModelsOnDisk

    out = tmp_path / "sdk"
    (out / "pkg" / "models").mkdir(parents=True)
    os.mkfifo(tmp_path / "trap.py")
    line = json.dumps(
        {"digest": "d", "names": ["A"], "classes": [1], "imports": {}, "modules": [["../../../trap", [0]]]}
    )
    (out / RECORD).write_text(f"{toolkit()}{MODELS}k {line}\n../trap.py abc abc\n")
    found: list[object] = []
    reader = threading.Thread(
        target=lambda: found.append(
            ModelsOnDisk(out, lambda name: f"pkg/models/{name}.py").group("k", ["A"])
        ),
        daemon=True,
    )
    reader.start()
    reader.join(timeout=10)
    assert found == [None], "the group is not taken, and the FIFO was not opened"
