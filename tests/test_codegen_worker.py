"""datamodel-code-generator in a worker process started before the spec loads: generate makes its
models there, the same models as in the render child, with the same errors; a large part, a dead
worker or a process other than the render child runs datamodel-code-generator itself, and no
worker outlives a run."""

from __future__ import annotations

import json
import multiprocessing
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import datamodel_code_generator
import pytest

from generator import codegen_worker, model_codegen
from generator.model_codegen import CodegenRun
from tests.conftest import ROOT, run_cli
from tests.test_model_groups import _spec
from tests.test_models_on_disk import _tree


def _logged_runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Each datamodel-code-generator run, as `<pid> <title of the part>`, one line each (the runs
    happen in other processes)."""
    log = tmp_path / "runs.txt"
    log.touch()
    real = model_codegen.codegen_run

    def logged(spec: dict[str, Any], *rest: Any) -> CodegenRun:
        with log.open("a") as handle:
            handle.write(f"{os.getpid()} {spec['info']['title']}\n")
        return real(spec, *rest)

    monkeypatch.setattr(model_codegen, "codegen_run", logged)
    return log


def _generate(tmp_path: Path, name: str, monkeypatch: pytest.MonkeyPatch) -> tuple[int, str]:
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / f"cache-{name}"))
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(_spec()))
    result = run_cli("generate", "--spec", spec, "--out", tmp_path / name)
    return result.exit_code, result.stderr


def _runs(log: Path) -> list[tuple[int, str]]:
    return [(int(pid), title) for pid, title in (line.split(" ", 1) for line in log.read_text().splitlines())]


def test_generate_makes_the_models_in_the_worker_and_the_same_models(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _logged_runs(monkeypatch, tmp_path)
    assert _generate(tmp_path, "worker", monkeypatch)[0] == 0
    runs = _runs(log)
    worker = next(pid for pid, title in runs if title == "warm-up")
    made = [pid for pid, title in runs if title != "warm-up"]
    assert made and set(made) == {worker} != {os.getpid()}
    assert not multiprocessing.active_children()  # stopped with the run
    log.write_text("")
    monkeypatch.setattr(codegen_worker, "MAX_SCHEMAS", 0)  # every part is large: the child makes it
    assert _generate(tmp_path, "child", monkeypatch)[0] == 0
    runs = _runs(log)
    idle = next(pid for pid, title in runs if title == "warm-up")
    in_child = [pid for pid, title in runs if title != "warm-up"]
    assert in_child and idle not in in_child and os.getpid() not in in_child
    assert _tree(tmp_path / "worker") == _tree(tmp_path / "child")


def test_a_failed_run_in_the_worker_reads_as_one_in_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real = datamodel_code_generator.generate

    def refused(spec: Any, **options: Any) -> Any:
        if spec["info"]["title"] == "warm-up":
            return real(spec, **options)
        raise ValueError("no models today")

    monkeypatch.setattr(datamodel_code_generator, "generate", refused)
    code, worker = _generate(tmp_path, "worker", monkeypatch)
    monkeypatch.setattr(codegen_worker, "MAX_SCHEMAS", 0)
    assert (code, worker) == _generate(tmp_path, "child", monkeypatch)
    assert code == 2 and "#/components/schemas: error: model generation failed: no models today" in worker
    assert "Traceback" not in worker and not multiprocessing.active_children()
    assert not (tmp_path / "worker").exists()


def test_a_worker_that_dies_leaves_the_runs_to_the_child(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    log = _logged_runs(monkeypatch, tmp_path)
    logged = model_codegen.codegen_run
    warmed = []

    def dies(spec: dict[str, Any], *rest: Any) -> CodegenRun:
        if spec["info"]["title"] == "warm-up":
            warmed.append(True)  # in the worker's memory only
        elif warmed:
            os._exit(3)
        return logged(spec, *rest)

    monkeypatch.setattr(model_codegen, "codegen_run", dies)
    assert _generate(tmp_path, "died", monkeypatch)[0] == 0
    runs = _runs(log)
    worker = next(pid for pid, title in runs if title == "warm-up")
    made = [pid for pid, title in runs if title != "warm-up"]
    assert made and worker not in made and os.getpid() not in made
    monkeypatch.setattr(model_codegen, "codegen_run", logged)
    assert _generate(tmp_path, "cold", monkeypatch)[0] == 0
    assert _tree(tmp_path / "died") == _tree(tmp_path / "cold")


def test_the_process_that_started_the_worker_does_not_use_it() -> None:
    spec = {"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "components": {"schemas": {}}}
    with codegen_worker.started():
        assert codegen_worker.run(spec, "pkg", frozenset(), frozenset()) is None
        assert len(multiprocessing.active_children()) == 1
    assert not multiprocessing.active_children()


def test_the_models_doc_pages_are_made_while_the_worker_makes_a_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render child's other thread makes the models' doc pages meanwhile: each run in the
    worker waits (up to 20 s) until they are begun, and says whether it saw them begin."""
    from generator import build

    begun = tmp_path / "pages-begun"
    seen = tmp_path / "runs-saw-pages.txt"
    real_docs, real_run = build.documented_models, model_codegen.codegen_run

    def docs(*args: Any) -> Any:
        begun.touch()
        return real_docs(*args)

    def waits(spec: dict[str, Any], *rest: Any) -> CodegenRun:
        if spec["info"]["title"] != "warm-up":
            deadline = time.monotonic() + 20
            while not begun.exists() and time.monotonic() < deadline:
                time.sleep(0.01)
            with seen.open("a") as handle:
                handle.write(f"{begun.exists()}\n")
        return real_run(spec, *rest)

    monkeypatch.setattr(build, "documented_models", docs)
    monkeypatch.setattr(model_codegen, "codegen_run", waits)
    assert _generate(tmp_path, "beside", monkeypatch)[0] == 0
    assert seen.read_text().split() == ["True"] * len(seen.read_text().split()) != []
    assert (tmp_path / "beside" / "docs" / "models").is_dir()


def test_the_runs_of_a_generate_leave_no_scratch_file_behind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the processes sdkgen forks inherit it
    made: list[Path] = []
    real = codegen_worker.metadata_file

    @contextmanager
    def noted() -> Iterator[Path]:
        with real() as path:
            made.append(path)
            yield path

    monkeypatch.setattr(codegen_worker, "metadata_file", noted)
    with codegen_worker.scratch_folder():
        folder = next(scratch.iterdir())
        model_codegen.codegen_run(codegen_worker._WARM_UP, "pkg", frozenset(), frozenset())
        assert [p.parent for p in made] == [folder], "the run wrote in the folder of the generate"
        assert not list(folder.iterdir()), "the run removed its file"
    assert not list(scratch.iterdir())
    code, stderr = _generate(tmp_path, "out", monkeypatch)
    assert code == 0, stderr
    assert not list(scratch.iterdir())


def test_without_a_temporary_folder_each_run_is_left_to_make_its_own(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path / "missing"))
    with codegen_worker.scratch_folder():
        assert codegen_worker._scratch is None


_ENTRY_PROBE = """
import os, sys
from generator import codegen_worker, entry, model_codegen

log = sys.stderr = open(sys.argv.pop(1), "a", buffering=1)  # the command's messages too, in order
forked, stopped = codegen_worker._Worker.__init__, codegen_worker._Worker.stop
real = model_codegen.codegen_run


def noted_fork(self):
    print(f"fork {'click' in sys.modules or 'generator.cli' in sys.modules}", file=log, flush=True)
    forked(self)


def noted_run(spec, *rest):
    print(f"run {os.getpid()} {spec['info']['title']}", file=log, flush=True)
    return real(spec, *rest)


def noted_stop(self):
    print("stop", file=log, flush=True)
    stopped(self)


codegen_worker._Worker.__init__ = noted_fork
codegen_worker._Worker.stop = noted_stop
model_codegen.codegen_run = noted_run
entry.run()
"""


def test_the_command_forks_the_worker_before_its_command_line_is_imported(tmp_path: Path) -> None:
    """`sdkgen generate` (`entry.run`) starts the worker before click and the command line are
    imported, and the render child makes its models there; the fast path stops it at once, unused,
    another command starts none, and no run leaves a scratch folder behind."""
    spec, log, scratch = tmp_path / "spec.json", tmp_path / "log.txt", tmp_path / "tmp"
    spec.write_text(json.dumps(_spec()))
    scratch.mkdir()
    environment = {**os.environ, "TMPDIR": str(scratch), "SDKGEN_CACHE_DIR": str(tmp_path / "cache")}

    def command(*args: object) -> list[str]:
        log.write_text("")
        probe = [sys.executable, "-c", _ENTRY_PROBE, str(log), *map(str, args)]
        done = subprocess.run(probe, capture_output=True, text=True, env=environment, cwd=ROOT)
        assert done.returncode == 0, log.read_text() + done.stderr  # the probe's stderr is the log
        return log.read_text().splitlines()

    out = tmp_path / "out"
    lines = command("generate", "--spec", spec, "--out", out)
    assert lines[0] == "fork False", "forked before click and the command line were imported"
    runs = [line.split(" ", 2)[1:] for line in lines if line.startswith("run ")]
    worker = next(pid for pid, title in runs if title == "warm-up")
    assert [pid for pid, title in runs if title != "warm-up"] == [worker]
    fast = command("check", "--spec", spec, "--out", out)
    vouched = next(n for n, line in enumerate(fast) if "its record names these inputs" in line)
    assert fast[0] == "fork False" and fast.index("stop") < vouched
    assert all(
        title == "warm-up" for _, _, title in (line.split(" ", 2) for line in fast if line.startswith("run "))
    )
    assert not any(line.startswith(("fork", "stop")) for line in command("rules"))
    assert not list(scratch.iterdir())
