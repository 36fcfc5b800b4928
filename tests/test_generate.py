"""generate and check: deterministic, atomic, owning only what they wrote, configured or not."""

from __future__ import annotations

import itertools
import os
import shlex
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from generator.module_imports import runtime_names
from generator.render import templates_dir
from tests.conftest import GENERATED, ROOT, SPEC, model_module, run_cli, snapshot

BROKEN = ROOT / "tests" / "broken_specs"


def _generate_in_subprocess(out: Path, seed: str) -> None:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    subprocess.run(
        [sys.executable, "-m", "generator", "generate", "--spec", str(SPEC), "--out", str(out)],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
    )


def test_output_is_byte_identical_across_runs_and_hash_seeds(tmp_path: Path) -> None:
    _generate_in_subprocess(tmp_path / "a", "1")
    _generate_in_subprocess(tmp_path / "b", "4242")
    first = snapshot(tmp_path / "a")
    assert first == snapshot(tmp_path / "b")
    assert first == snapshot(GENERATED), "the committed generated/ is what the generator makes"


def test_check_passes_on_committed_output(generated_copy: Path) -> None:
    result = run_cli("check", "--out", generated_copy)
    assert result.exit_code == 0, result.stdout + result.stderr
    assert "up to date" in result.stderr


def test_check_names_a_spec_change(tmp_path: Path, generated_copy: Path) -> None:
    edited = tmp_path / "spec.yaml"
    edited.write_text(SPEC.read_text().replace("maximum: 1.2", "maximum: 1.3"))
    names = ("--package-name", "openai_realtime", "--client-name", "OpenAIRealtime")
    result = run_cli("check", "--spec", edited, "--out", generated_copy, *names)
    assert result.exit_code == 1
    assert "-    temperature: Annotated[float, Field(ge=0.6, le=1.2)] = 0.8" in result.stdout
    assert "+    temperature: Annotated[float, Field(ge=0.6, le=1.3)] = 0.8" in result.stdout
    # another spec than the configured one: `make generate` would not fix it, this command does
    fix = shlex.join(["sdkgen", "generate", "--spec", str(edited), "--out", str(generated_copy), *names])
    assert f"run `{fix}` to regenerate it" in result.stderr


def test_check_names_a_hand_edit_and_a_missing_file_but_not_a_file_of_yours(generated_copy: Path) -> None:
    models = model_module(generated_copy / "openai_realtime", "ClientSecret")
    models.write_text(models.read_text().replace("class ClientSecret(", "class ClientSecrets("))
    (generated_copy / "openai_realtime" / "py.typed").unlink()
    (generated_copy / "openai_realtime" / "extra.py").write_text("x = 1\n")
    result = run_cli("check", "--out", generated_copy)
    assert result.exit_code == 1
    assert "-class ClientSecrets(BaseModel):" in result.stdout
    assert "+class ClientSecret(BaseModel):" in result.stdout
    assert "+++ b/openai_realtime/py.typed" in result.stdout
    assert "extra.py" not in result.stdout, "sdkgen does not own extra.py, so check leaves it alone"


def test_generate_rewrites_only_what_changed_and_removes_stale_files(generated_copy: Path) -> None:
    stale = generated_copy / "openai_realtime" / "old_module.py"
    stale.write_text("x = 1\n")
    manifest = generated_copy / ".sdkgen-files"
    manifest.write_text(manifest.read_text() + "openai_realtime/old_module.py\n")
    init = generated_copy / "openai_realtime" / "__init__.py"
    os.utime(init, (1_000_000, 1_000_000))

    result = run_cli("generate", "--out", generated_copy)

    assert result.exit_code == 0, result.stderr
    assert not stale.exists()
    assert init.stat().st_mtime == 1_000_000, "an unchanged file is not rewritten"
    # the manifest itself changed back; the counts add up to the files sdkgen owns
    assert "60 files: 1 written, 59 unchanged, 1 removed" in result.stderr
    assert snapshot(generated_copy) == snapshot(GENERATED)


def test_generate_into_a_folder_it_did_not_make_keeps_what_is_there(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    result = run_cli("generate", "--out", tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert "notes.txt" not in (tmp_path / ".sdkgen-files").read_text()


def test_outside_a_project_names_come_from_the_spec(tmp_path: Path) -> None:
    result = run_cli("generate", "--spec", SPEC, "--out", "sdk", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "sdk" / "open_ai_realtime_sessions" / "models" / "__init__.py").is_file()
    result = run_cli("generate", "--spec", SPEC, "--out", "sdk2", "--package-name", "rt", cwd=tmp_path)
    assert (tmp_path / "sdk2" / "rt" / "__init__.py").is_file()


def test_outside_a_project_without_a_spec_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("generate", cwd=tmp_path)
    assert result.exit_code == 2
    assert "no spec" in result.stderr


def test_warnings_are_shown_and_generation_goes_on(tmp_path: Path) -> None:
    case = BROKEN / "invalid_default_strict"
    result = run_cli("generate", "--spec", "spec.yaml", "--out", tmp_path / "out", cwd=case)
    assert result.exit_code == 0, result.stderr
    assert "warning: default 3 is greater than the maximum of 2" in result.stderr
    # this repository's [tool.sdkgen] describes another spec, so the names come from this one's title
    assert (tmp_path / "out" / "broken" / "models" / "__init__.py").is_file()


def test_validate_reports_clean_spec() -> None:
    result = run_cli("validate")
    assert result.exit_code == 0
    assert "valid (0 errors, 0 warnings)" in result.stderr


def test_module_entry_point() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "generator", "--help"], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert "Usage: sdkgen" in result.stdout
    for command in ("validate", "generate", "check"):
        assert command in result.stdout


def test_the_command_ends_without_teardown_yet_keeps_its_exit_codes_and_output(tmp_path: Path) -> None:
    """`python -m generator` and the `sdkgen` script end the process at once (`entry.run`): what
    they printed to pipes is all there, and the exit codes are main's (0, 1 differs, 2 error)."""
    sdkgen = [sys.executable, "-m", "generator"]

    def command(*args: object) -> subprocess.CompletedProcess[str]:
        return subprocess.run([*sdkgen, *map(str, args)], cwd=ROOT, capture_output=True, text=True)

    rules = command("rules")
    assert rules.returncode == 0
    assert rules.stdout.endswith("\n") and len(rules.stdout.splitlines()) > 100  # every line flushed
    out, names = tmp_path / "out", ("--package-name", "openai_realtime", "--client-name", "OpenAIRealtime")
    generated = command("generate", "--spec", SPEC, "--out", out, *names)
    assert generated.returncode == 0, generated.stderr
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "in_process", *names).exit_code == 0
    assert snapshot(out) == snapshot(tmp_path / "in_process")
    assert command("check", "--spec", SPEC, "--out", out, *names).returncode == 0
    (out / "openai_realtime" / "py.typed").unlink()
    differs = command("check", "--spec", SPEC, "--out", out, *names)
    assert differs.returncode == 1 and "py.typed" in differs.stdout + differs.stderr
    missing = command("generate", "--spec", tmp_path / "none.yaml", "--out", out)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_a_fresh_clone_checks_from_the_record_yet_cannot_hide_drift(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`check` on a clone with no cache answers from the record's inputs line, generating nothing;
    a drifted file, an edited spec or other options make it generate and compare."""
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "none"))
    clone = tmp_path / "clone"
    shutil.copytree(GENERATED, clone)

    def no_generation(*args: object, **kwargs: object) -> None:
        raise AssertionError("generated although the record vouches for the folder")

    with monkeypatch.context() as patched:
        patched.setattr("generator.pipeline.generate", no_generation)
        fast = run_cli("check", "--spec", SPEC, "--out", clone)
    assert fast.exit_code == 0 and "its record names these inputs" in fast.stderr, fast.stderr
    renamed = run_cli("check", "--spec", SPEC, "--out", clone, "--client-name", "Other")
    assert renamed.exit_code == 1 and "class Other" in renamed.stdout
    edited = tmp_path / "spec.yaml"
    edited.write_text(SPEC.read_text().replace("maximum: 1.2", "maximum: 1.1"))
    assert run_cli("check", "--spec", edited, "--out", clone).exit_code == 1
    models = model_module(clone / "openai_realtime", "ClientSecret")
    models.write_text(models.read_text() + "# drift\n")
    drifted = run_cli("check", "--spec", SPEC, "--out", clone)
    assert drifted.exit_code == 1 and "+# drift" not in drifted.stdout and "-# drift" in drifted.stdout


def test_a_record_made_from_other_inputs_is_passed_over_without_reading_the_files(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """After an edit the record names other inputs: the fast path says so from the record alone,
    without reading (and hashing) every file the run owns, which costs 0.2 s on a large SDK."""
    from generator import format_record

    stamp = next(
        line
        for line in (GENERATED / ".sdkgen-format").read_text().splitlines()
        if line.startswith("# inputs ")
    )
    inputs = stamp.split()[2]
    read: list[Path] = []
    real = format_record.owned_tree
    monkeypatch.setattr(format_record, "owned_tree", lambda out, keep: read.append(out) or real(out, keep))
    assert format_record.vouched(GENERATED, "0" * 32, (), str(SPEC)) is None
    assert read == []
    assert format_record.vouched(GENERATED, inputs, (), str(SPEC)) is not None
    assert read == [GENERATED]


def test_generate_with_nothing_changed_answers_from_the_record_and_repeats_the_warnings(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate` on a folder whose record names these inputs writes nothing and generates nothing,
    yet reports the spec's warnings as a full run does, wherever the spec now lies; `--full` or
    another input generates."""
    spec = tmp_path / "first" / "bad_defaults.yaml"
    spec.parent.mkdir()
    shutil.copy(ROOT / "tests" / "specs" / "bad_defaults.yaml", spec)
    out = tmp_path / "out"
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    first = run_cli("generate", "--spec", spec, "--out", out)
    assert first.exit_code == 0 and first.stderr.count(": warning: ") == 3
    moved = tmp_path / "moved.yaml"
    shutil.move(spec, moved)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "none"))  # as on a fresh clone
    before = snapshot(out)
    with monkeypatch.context() as patched:
        patched.setattr("generator.pipeline.generate", lambda *a, **k: pytest.fail("generated"))
        fast = run_cli("generate", "--spec", moved, "--out", out)
    assert fast.exit_code == 0 and "its record names these inputs" in fast.stderr
    assert [line for line in fast.stderr.splitlines() if ": warning: " in line] == [
        line.replace(str(spec), str(moved)) for line in first.stderr.splitlines() if ": warning: " in line
    ]
    assert f"{len(before)} files: 0 written, {len(before)} unchanged, 0 removed" in fast.stderr
    assert snapshot(out) == before
    full = run_cli("generate", "--spec", moved, "--out", out, "--full")
    assert full.exit_code == 0 and "its record" not in full.stderr and full.stderr.count(": warning: ") == 3
    assert snapshot(out) == before
    strict = run_cli("generate", "--spec", moved, "--out", out, "--strict")
    assert strict.exit_code == 2, "other options: the record does not answer, and warnings now stop it"


def test_a_forged_record_is_caught_by_a_full_check(tmp_path: Path) -> None:
    """The inputs line is a file in the folder, so whoever edits the code can rewrite it too:
    `check --full` generates and compares whatever the record says."""
    from generator.format_record import INPUTS, RECORD, _tree_hash
    from generator.output import owned_tree

    clone = tmp_path / "clone"
    shutil.copytree(GENERATED, clone)
    models = model_module(clone / "openai_realtime", "ClientSecret")
    models.write_text(models.read_text() + "# forged\n")
    record = clone / RECORD
    lines = record.read_text().splitlines(keepends=True)
    inputs = next(line for line in lines if line.startswith(INPUTS)).split()[2]
    tree = {rel: text or "" for rel, text in owned_tree(clone).items()}
    record.write_text(
        "".join(f"{INPUTS}{inputs} {_tree_hash(tree)}\n" if x.startswith(INPUTS) else x for x in lines)
    )
    assert run_cli("check", "--spec", SPEC, "--out", clone).exit_code == 0, "forged: the fast path trusts it"
    full = run_cli("check", "--spec", SPEC, "--out", clone, "--full")
    assert full.exit_code == 1 and "-# forged" in full.stdout


def test_same_tree_from_a_cold_cache_a_warm_cache_and_a_fresh_clone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The checked-in output is a cache of its own formatting: a fresh clone (no cache at all)
    reuses it, and every cache state gives the committed tree byte for byte."""
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cold"))
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "cold_out").exit_code == 0
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "warm_out").exit_code == 0
    clone = tmp_path / "clone"
    shutil.copytree(GENERATED, clone)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "none"))
    calls: list[str] = []
    monkeypatch.setattr("generator.formatting.format_str", lambda source, mode: calls.append(source) or "")
    assert run_cli("generate", "--spec", SPEC, "--out", clone, "--full").exit_code == 0
    assert calls == [], "a fresh clone with nothing changed formats nothing, even generating in full"
    expected = snapshot(GENERATED)
    assert snapshot(tmp_path / "cold_out") == snapshot(tmp_path / "warm_out") == snapshot(clone) == expected


def test_a_warm_run_parses_no_client_module_for_its_imports(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The names a client module uses (which its imports follow) are cached by its text."""
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "first").exit_code == 0

    def refused(source: str, *rest: str) -> None:
        raise AssertionError("a client module was parsed again")

    runtime_names(templates_dir() / "runtime" / "_runtime.py")  # read once per process, not cached
    monkeypatch.setattr("generator.module_imports.symtable", SimpleNamespace(symtable=refused))
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "second").exit_code == 0
    assert snapshot(tmp_path / "second") == snapshot(tmp_path / "first") == snapshot(GENERATED)
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    uncached = run_cli("generate", "--spec", SPEC, "--out", tmp_path / "third")
    assert uncached.exit_code == 2 and "parsed again" in uncached.stderr


def _spied(ahead: Any, shared: list[Any], polls: Iterator[bool]) -> Any:
    """`ahead` with what its early() hands out put in `shared`, and running() answering `polls`
    (then False), however soon the child is done."""
    early = ahead.early

    def recorded() -> Any:
        value = early()
        shared.append(value)
        return value

    ahead.early = recorded
    ahead.running = lambda: next(polls, False)
    return ahead


def test_models_formatted_while_the_rest_renders_change_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The render child hands each group's model modules over as soon as they exist, and the
    models' doc pages (made meanwhile, in another thread), then says the models are done, then
    hands over the operations' pages, and they are formatted while it renders the rest; without
    the hand-over the tree is the same, byte for byte."""
    from generator import pipeline

    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    shared: list[Any] = []
    real = pipeline._formatted_early
    spied = lambda a, *rest: real(_spied(a, shared, itertools.repeat(True)), *rest)  # noqa: E731
    monkeypatch.setattr(pipeline, "_formatted_early", spied)
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "early").exit_code == 0
    # early() says None twice: when the formatting ends, and when generate() looks for shares
    # left once the result is read
    assert shared[-2:] == [None, None] and all(isinstance(s, pipeline.ModelFiles) for s in shared[:-2])
    *made, last, operations = shared[:-2]
    assert last.last and not any(s.last for s in made) and not operations.last
    tree = snapshot(GENERATED)
    groups = [s for s in made if any(p.endswith(".py") for p in s.files)]
    pages = [s for s in made if s not in groups]
    modules = [p for p in tree if "/models/" in p and p.endswith(".py")]
    assert sorted(p for g in groups for p in g.files) == sorted(
        p for p in modules if not p.endswith("/__init__.py")
    )
    assert len(pages) == 1 and sorted(pages[0].files) == sorted(
        p for p in tree if p.startswith("docs/models/")
    )
    assert sorted(operations.files) == sorted(p for p in tree if p.startswith("docs/operations/"))
    shared.clear()
    monkeypatch.setattr(pipeline, "share", lambda value: None)  # the forked child's copy too
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "whole").exit_code == 0
    assert shared == [None, None]
    assert snapshot(tmp_path / "early") == snapshot(tmp_path / "whole") == snapshot(GENERATED)


def test_the_render_child_sends_back_no_model_file_it_shared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The caller holds every model module the child shared: the child's result names every file,
    in order, but carries only the others, and the two together are what one render gives."""
    from generator.background import Ahead
    from generator.config import Config
    from generator.loader import load
    from generator.pipeline import _RenderRest, quiet, render_document

    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    doc, config = load(SPEC), Config(spec=SPEC, output=tmp_path / "sdk")
    ahead = Ahead(_RenderRest(doc, config, quiet, False))
    shared: dict[str, str] = {}
    while (part := ahead.early()) is not None:
        shared.update(part.files)
    rest = ahead.result()
    _, files = render_document(doc, config)
    assert shared and not set(shared) & set(rest.files)
    assert list(rest.order) == list(files)
    assert {p: rest.files[p] if p in rest.files else shared[p] for p in rest.order} == files


def test_models_left_when_the_render_is_done_are_formatted_with_the_rest(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On a large spec the models are formatted in this process in batches, largest first, only
    while the child renders, and each batch is staged as soon as it is formatted (the writer's work
    overlaps the child's): once the child is done, the files left go with the rest (on all
    cores), and the tree is the same."""
    from generator import pipeline

    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    monkeypatch.setattr(pipeline, "SHARED_CORES_MAX_BYTES", 0)  # every spec is large
    monkeypatch.setattr(pipeline, "EARLY_BATCH_BYTES", 3_000)
    seen: list[tuple[dict[str, str], dict[str, str]]] = []  # (the models rendered, formatted early)
    staged: list[tuple[list[str], bool]] = []  # (each batch staged, whether the child still ran)
    real = pipeline._formatted_early

    def two_batches(ahead: Any, prior: Any, output: Any, cores: Any) -> Any:
        assert cores is None
        shared: list[Any] = []

        def staging(files: dict[str, str]) -> None:
            staged.append((list(files), shared[-1] is not None))  # early() has not said it is over
            output(files)

        # running: before the first share, then before each of two batches; then done
        result = real(_spied(ahead, shared, iter([True, True, True])), prior, staging, cores)
        seen.append((shared[0].files, result.formatted))
        return result

    monkeypatch.setattr(pipeline, "_formatted_early", two_batches)
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "sdk").exit_code == 0
    (models, early), *_ = seen
    largest = sorted(models, key=lambda p: (-len(models[p]), p))
    assert 1 < len(early) < len(models), "two batches of the models, not all of them"
    assert list(early) == largest[: len(early)], "the largest first"
    assert len(staged) == 2 and [p for batch, _ in staged for p in batch] == list(early)
    assert all(before_the_end for _, before_the_end in staged), "staged while the child worked"
    assert snapshot(tmp_path / "sdk") == snapshot(GENERATED)


def test_on_a_small_spec_the_last_files_go_to_the_workers_beside_a_model_batch_still_formatting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Below `SHARED_CORES_MAX_BYTES`, the models' batches are formatted from a thread on workers
    forked once, which then take the last files too: the last formatting begins while the batches
    are still at work (it would wait for them were they formatted here), each batch is staged,
    and the tree is the same."""
    from generator import formatting, pipeline

    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    last_began = threading.Event()
    real_format = formatting.format_with_record

    def format_with_record(files: dict[str, str], *args: Any, **kwargs: Any) -> Any:
        if threading.current_thread() is threading.main_thread():
            last_began.set()
        return real_format(files, *args, **kwargs)

    monkeypatch.setattr(formatting, "format_with_record", format_with_record)
    waited: list[bool] = []
    staged: list[str] = []
    real_batch = pipeline._formatted_batch

    def batch(files: dict[str, str], package: str, prior: Any, cores: Any, output: Any) -> Any:
        assert isinstance(cores, formatting.Cores)
        waited.append(last_began.wait(timeout=20))
        return real_batch(files, package, prior, cores, lambda done: staged.extend(done) or output(done))

    monkeypatch.setattr(pipeline, "_formatted_batch", batch)
    pools: list[object] = []
    real_pool = formatting.ProcessPoolExecutor
    monkeypatch.setattr(formatting, "ProcessPoolExecutor", lambda **kw: pools.append(kw) or real_pool(**kw))
    monkeypatch.setattr(formatting, "PARALLEL_MIN_BYTES", 0)  # all the work on the workers
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "sdk").exit_code == 0
    assert waited and all(waited), "the last formatting began before the batches were formatted"
    assert len(pools) == 1, "one pool of workers for the batches and the last files"
    tree = snapshot(tmp_path / "sdk")
    modules = {p for p in tree if "/models/" in p and p.endswith(".py") and not p.endswith("/__init__.py")}
    shared = modules | {p for p in tree if p.startswith(("docs/models/", "docs/operations/"))}
    assert sorted(staged) == sorted(shared), "every file the child shared, staged once"
    assert tree == snapshot(GENERATED)


def test_a_fresh_clone_formats_only_the_pieces_an_edit_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from black import format_str

    (tmp_path / "spec.yaml").write_text(SPEC.read_text().replace("maximum: 1.2", "maximum: 1.1"))
    settings = (ROOT / "pyproject.toml").read_text().split("[tool.sdkgen]")[1].split("\n[")[0]
    settings = settings.replace('"spec/realtime-sessions.yaml"', '"spec.yaml"').replace(
        '"generated"', '"clone"'
    )
    (tmp_path / "pyproject.toml").write_text(f"[tool.sdkgen]{settings}")
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "reference"))
    assert run_cli("generate", "--out", tmp_path / "reference_out", cwd=tmp_path).exit_code == 0
    clone = tmp_path / "clone"
    shutil.copytree(GENERATED, clone)
    (clone / "README.md").write_text("edited by hand\n")  # no longer what the record vouches for
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "none"))
    seen = tmp_path / "seen"  # each piece black formats, in this process or a worker
    seen.mkdir()

    def counting(source: str, mode: object) -> str:
        (seen / f"{os.getpid()}-{len(list(seen.iterdir()))}").write_text(source)
        return format_str(source, mode=mode)  # type: ignore[arg-type]

    monkeypatch.setattr("generator.formatting.format_str", counting)
    assert run_cli("generate", cwd=tmp_path).exit_code == 0
    assert snapshot(clone) == snapshot(tmp_path / "reference_out")
    calls = [path.read_text() for path in seen.iterdir()]
    changed = [c for c in calls if "1.1" in c]
    assert changed and len(calls) <= 5, f"{len(calls)} pieces formatted: {[c[:60] for c in calls]}"


def test_the_record_vouches_for_formatting_never_for_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A hand edit to generated code, with the record's hash updated to match, is still a
    difference for `check`: a file is reused only when it says what the render says. A model
    module is taken from the folder as its record says (`models_on_disk`), so `check --full`,
    which makes every model anew, finds that one."""
    from generator.format_record import RECORD, digest

    clone = tmp_path / "clone"
    shutil.copytree(GENERATED, clone)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "none"))
    record = clone / RECORD
    for path, old, new in [
        (clone / "openai_realtime" / "request_builders.py", "timeout: TimeoutTypes", "timeout: object"),
        (model_module(clone / "openai_realtime", "RealtimeSessionCreateResponse"), "= None\n", "= 'x'\n"),
    ]:
        before = path.read_text()
        assert old in before
        tampered = before.replace(old, new, 1)
        path.write_text(tampered)
        record.write_text(record.read_text().replace(digest(before), digest(tampered)))
        result = run_cli("check", "--full", "--spec", SPEC, "--out", clone)
        assert result.exit_code == 1 and new.strip() in result.stdout
    result = run_cli("check", "--spec", SPEC, "--out", clone)
    assert result.exit_code == 1 and "timeout: object" in result.stdout and "= 'x'" not in result.stdout


def test_a_record_line_that_is_not_ours_is_passed_over(tmp_path: Path) -> None:
    """The record is read from a folder anyone may have edited: a short line, or a path outside
    the folder, is never read or trusted, and the run goes on."""
    from generator.format_record import RECORD, digest, read_prior

    clone = tmp_path / "clone"
    shutil.copytree(GENERATED, clone)
    (tmp_path / "secret.txt").write_text("outside\n")
    record = clone / RECORD
    outside = f"../secret.txt {digest('outside' + chr(10))} {digest('x')}\n"
    record.write_text(record.read_text() + "half-a-line\n" + outside)
    prior = read_prior(clone)
    assert "../secret.txt" not in prior.files and "half-a-line" not in prior.files
    assert "README.md" in prior.files, "the lines that are ours still count"
    result = run_cli("generate", "--spec", SPEC, "--out", clone)
    assert result.exit_code == 0, result.stderr
    assert snapshot(clone) == snapshot(GENERATED)


def test_a_fresh_clone_works_out_what_its_files_mean_while_the_child_has_nothing_to_send(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Regenerating over a folder whose record no cache backs (a fresh clone), this process works
    out what the files on disk mean (`meanings_ahead`) whenever the render child has nothing for
    it, and compares those files with their render by parsing the render alone."""
    from generator import formatting, meanings_ahead, pipeline
    from generator.background import Ahead

    out = tmp_path / "sdk"
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "first"))
    assert run_cli("generate", "--spec", SPEC, "--out", out).exit_code == 0
    before = snapshot(out)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "clone"))
    monkeypatch.setattr(formatting, "PARALLEL_MIN_BYTES", 10**12)  # compared here, to be seen
    monkeypatch.setattr(pipeline, "SHARED_CORES_MAX_BYTES", 0)  # (no workers forked beforehand)
    asked: list[bool] = []
    real_ready = Ahead.ready
    # the child is taken to have nothing waiting each time: every file is worked out on the way
    monkeypatch.setattr(Ahead, "ready", lambda self: asked.append(real_ready(self)) or False)
    worked: list[str] = []
    real_digest = meanings_ahead.meaning_digest
    monkeypatch.setattr(
        meanings_ahead, "meaning_digest", lambda path, text: worked.append(path) or real_digest(path, text)
    )
    compared: dict[str, bool] = {}
    real_same = formatting._same_meaning

    def same(path: str, rendered: str, formatted: str, formatted_meaning: bytes) -> bool:
        compared[path] = bool(formatted_meaning)
        return real_same(path, rendered, formatted, formatted_meaning)

    monkeypatch.setattr(formatting, "_same_meaning", same)
    assert run_cli("generate", "--spec", SPEC, "--out", out, "--full").exit_code == 0
    assert snapshot(out) == before
    package = next(out.glob("*/_client.py")).parent.name
    client = {f"{package}/_client.py", f"{package}/request_builders.py", "README.md"}
    assert asked and client <= set(worked)
    # `--full` takes no model module as the record says: each is compared, so worked out too
    assert any(path.startswith(f"{package}/models/") for path in worked)
    assert {path for path, ahead in compared.items() if ahead} >= client - {"README.md"}
