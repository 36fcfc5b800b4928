"""sdkgen owns exactly what its manifest lists: regenerating never touches anything else in the folder."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from generator.output import MANIFEST, WRITERS, OutputError, Staging, write_tree
from tests.conftest import SPEC, run_cli, snapshot

USER_FILES = {
    ".git/HEAD": b"ref: refs/heads/main\n",
    ".git/objects/ab/cdef": b"\x78\x9c\x00binary",
    ".venv/bin/python": b"#!/bin/sh\n",
    ".venv/pyvenv.cfg": b"home = /usr/bin\n",
    "NOTES.md": b"# my notes\n",
    "tests/test_x.py": b"def test_x() -> None:\n    assert True\n",
    "openai_realtime/_custom/helpers.py": b"def helper() -> int:\n    return 1\n",
}


def _renamed_spec(tmp_path: Path) -> Path:
    """The spec with one component renamed: one docs page removed and one added on regeneration."""
    spec = tmp_path / "renamed.yaml"
    spec.write_text(SPEC.read_text().replace("ClientSecret", "EphemeralKey"))
    return spec


def _names() -> list[str]:
    return ["--package-name", "openai_realtime", "--client-name", "OpenAIRealtime"]


def _user_files(out: Path) -> None:
    for rel, data in USER_FILES.items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)
    (out / "empty_folder_of_mine").mkdir()


def test_regenerating_keeps_every_file_sdkgen_does_not_own(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    assert run_cli("generate", "--spec", SPEC, "--out", out, *_names()).exit_code == 0
    _user_files(out)

    result = run_cli("generate", "--spec", _renamed_spec(tmp_path), "--out", out, *_names())

    assert result.exit_code == 0, result.stderr
    after = snapshot(out)
    for rel, data in USER_FILES.items():
        assert after[rel] == data, f"{rel} changed"
    assert (out / "empty_folder_of_mine").is_dir()
    assert not (out / "docs" / "models" / "ClientSecret.md").exists(), "the removed output is gone"
    assert (out / "docs" / "models" / "EphemeralKey.md").is_file(), "the added output is there"
    owned = set((out / MANIFEST).read_text().splitlines())
    assert not owned & set(USER_FILES)
    assert set(after) - set(USER_FILES) == owned | {MANIFEST}
    # the counts add up: files = written + unchanged
    assert "sdk: 60 files: " in result.stderr and " 2 removed" in result.stderr
    written, unchanged = (int(result.stderr.split(": ")[2].split(", ")[i].split()[0]) for i in (0, 1))
    assert written + unchanged == 60

    check = run_cli("check", "--spec", _renamed_spec(tmp_path), "--out", out, *_names())
    assert check.exit_code == 0, "check looks only at what sdkgen owns"


def test_a_new_output_file_never_replaces_a_file_sdkgen_does_not_own(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    assert run_cli("generate", "--spec", SPEC, "--out", out, *_names()).exit_code == 0
    _user_files(out)
    mine = out / "docs" / "models" / "EphemeralKey.md"
    mine.write_text("my own page\n")
    before = snapshot(out)

    renamed = _renamed_spec(tmp_path)
    result = run_cli("generate", "--spec", renamed, "--out", out, *_names())

    assert result.exit_code == 2
    assert f"{mine}: already exists" in result.stderr and "sdkgen does not own it" in result.stderr
    assert "internal error" not in result.stderr
    assert snapshot(out) == before, "nothing was written or removed"
    check = run_cli("check", "--spec", renamed, "--out", out, *_names())
    assert check.exit_code == 2 and f"{mine}: already exists" in check.stderr


def test_a_fresh_folder_with_a_file_in_the_way_is_left_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "project"
    out.mkdir()
    (out / "README.md").write_text("my project\n")
    result = run_cli("generate", "--spec", SPEC, "--out", out)
    assert result.exit_code == 2
    assert f"{out / 'README.md'}: already exists" in result.stderr
    assert snapshot(out) == {"README.md": b"my project\n"}
    assert [p.name for p in out.iterdir()] == ["README.md"], "no folder was created either"


def test_a_manifest_cannot_make_sdkgen_remove_what_it_does_not_own(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    assert run_cli("generate", "--spec", SPEC, "--out", out, *_names()).exit_code == 0
    _user_files(out)
    outside = tmp_path / "outside.txt"
    outside.write_text("keep me\n")
    manifest = out / MANIFEST
    absolute = tmp_path / "absolute.txt"  # never a real system file, should the rule ever break
    absolute.write_text("keep me too\n")
    manifest.write_text(
        manifest.read_text() + f".git/HEAD\n.venv/pyvenv.cfg\n../outside.txt\n{absolute}\n"
        "tests/../NOTES.md\n./NOTES.md\n"
    )
    result = run_cli("generate", "--spec", SPEC, "--out", out, *_names())
    assert result.exit_code == 0, result.stderr
    assert outside.read_text() == "keep me\n" and absolute.read_text() == "keep me too\n"
    after = snapshot(out)
    assert all(after[rel] == data for rel, data in USER_FILES.items())


def test_keep_makes_a_generated_file_yours(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    keep = ["--keep", "README.md", "--keep", "docs/models/"]
    assert run_cli("generate", "--spec", SPEC, "--out", out, *keep).exit_code == 0
    assert (out / "README.md").is_file(), "a kept file is written once, when it is missing"
    owned = (out / MANIFEST).read_text()
    assert "README.md" not in owned and "docs/models/" not in owned and "docs/index.md" in owned
    (out / "README.md").write_text("my README\n")
    (out / "docs" / "models" / "Error.md").unlink()
    (out / "docs" / "index.md").write_text("edited\n")

    check = run_cli("check", "--spec", SPEC, "--out", out, *keep)
    assert check.exit_code == 1
    assert "a/docs/index.md" in check.stdout
    assert "b/README.md" not in check.stdout and "b/docs/models/Error.md" not in check.stdout

    assert run_cli("generate", "--spec", SPEC, "--out", out, *keep).exit_code == 0
    assert (out / "README.md").read_text() == "my README\n", "never overwritten"
    assert (out / "docs" / "models" / "Error.md").is_file(), "written again once it was missing"
    assert (out / "docs" / "index.md").read_text() != "edited\n", "an owned file is overwritten"
    assert run_cli("check", "--spec", SPEC, "--out", out, *keep).exit_code == 0


def test_keep_from_the_configuration(tmp_path: Path) -> None:
    (tmp_path / "api.yaml").write_text(SPEC.read_text())
    (tmp_path / "pyproject.toml").write_text(
        '[tool.sdkgen]\nspec = "api.yaml"\noutput = "sdk"\nkeep = ["README.md"]\n'
    )
    assert run_cli("generate", cwd=tmp_path).exit_code == 0
    (tmp_path / "sdk" / "README.md").write_text("mine\n")
    assert run_cli("check", cwd=tmp_path).exit_code == 0
    assert run_cli("generate", cwd=tmp_path).exit_code == 0
    assert (tmp_path / "sdk" / "README.md").read_text() == "mine\n"


def test_a_linked_folder_is_never_written_through(tmp_path: Path) -> None:
    out = tmp_path / "sdk"
    assert run_cli("generate", "--spec", SPEC, "--out", out).exit_code == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "index.md").write_text("not sdkgen's\n")
    for path in sorted((out / "docs").rglob("*"), reverse=True):
        path.unlink() if path.is_file() else path.rmdir()
    (out / "docs").rmdir()
    (out / "docs").symlink_to(elsewhere)
    result = run_cli("generate", "--spec", SPEC, "--out", out)
    assert result.exit_code == 2 and f"{out / 'docs'}: is in the way" in result.stderr
    assert snapshot(elsewhere) == {"index.md": b"not sdkgen's\n"}


def test_an_owned_file_may_become_a_folder_and_empty_folders_of_its_own_go(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"pkg/models": "one module\n", "pkg/deep/er/x.py": "x\n"})
    (out / "pkg" / "mine").mkdir()
    done = write_tree(out, {"pkg/models/__init__.py": "a package now\n"})
    assert (out / "pkg" / "models" / "__init__.py").read_text() == "a package now\n"
    assert done.removed == ["pkg/deep/er/x.py", "pkg/models"]
    assert not (out / "pkg" / "deep").exists(), "folders left empty by sdkgen's removals go"
    assert (out / "pkg" / "mine").is_dir(), "an empty folder sdkgen did not empty stays"


def test_generated_paths_that_could_leave_the_folder_are_refused(tmp_path: Path) -> None:
    for bad in ("../x.py", "/tmp/x.py", "a/../../x.py", ".git/hooks/pre-commit"):
        with pytest.raises(OutputError, match="refusing to write outside"):
            write_tree(tmp_path / "out", {bad: "x\n"})
    assert not (tmp_path / "out").exists()


def test_a_failure_while_staging_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "a\n"})
    before = snapshot(out)
    too_long = "n" * 300  # the file system refuses the name, after a.txt is staged and b/c made
    with pytest.raises(OutputError, match="cannot write"):
        write_tree(out, {"a.txt": "changed\n", f"b/c/{too_long}": "d\n"})
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.txt"], "no staged file or new folder"


def test_a_failure_on_one_writer_thread_leaves_the_folder_as_it_was(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "a\n"})
    before = snapshot(out)
    many = {f"pkg/m{n:03}.py": f"N = {n}\n" for n in range(8 * WRITERS * 2)}  # every thread gets some
    with pytest.raises(OutputError, match="cannot write"):
        write_tree(out, {"a.txt": "changed\n", **many, f"pkg/{'n' * 300}": "d\n"})
    assert snapshot(out) == before
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST, "a.txt"], "no staged file or new folder"
    written = write_tree(out, {"a.txt": "changed\n", **many})
    assert len(written.written) == len(many) + 2  # with the manifest
    assert all((out / rel).read_text() == text for rel, text in many.items())


def test_models_staged_early_are_taken_back_when_a_later_file_is_in_the_way(tmp_path: Path) -> None:
    """The models are staged while the rest renders; a docs page in the way, found only with the
    whole output, leaves neither the staged models nor the folders made for them."""
    out = tmp_path / "project"
    (out / "docs" / "models").mkdir(parents=True)
    (out / "docs" / "models" / "ClientSecret.md").write_text("my page\n")
    before = snapshot(out)
    result = run_cli("generate", "--spec", SPEC, "--out", out, *_names())
    assert result.exit_code == 2
    assert "ClientSecret.md: already exists" in result.stderr
    assert snapshot(out) == before
    assert [p.relative_to(out).as_posix() for p in sorted(out.rglob("*"))] == [
        "docs",
        "docs/models",
        "docs/models/ClientSecret.md",
    ], "no staged file, no package folder"


def test_staged_files_are_swapped_in_with_the_rest(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "a\n", "pkg/m.py": "old\n"})
    staging = Staging(out)
    staging.stage({"pkg/m.py": "new\n", "pkg/sub/n.py": "n\n", "pkg/gone.py": "not kept\n"})
    assert len(list(out.rglob("*.tmp"))) == 3
    done = write_tree(out, {"a.txt": "a\n", "pkg/m.py": "new\n", "pkg/sub/n.py": "n\n"}, (), staging)
    assert done.written == [MANIFEST, "pkg/m.py", "pkg/sub/n.py"]
    assert snapshot(out) == {
        MANIFEST: b"a.txt\npkg/m.py\npkg/sub/n.py\n",
        "a.txt": b"a\n",
        "pkg/m.py": b"new\n",
        "pkg/sub/n.py": b"n\n",
    }
    assert not list(out.rglob("*.tmp")), "what the output did not keep is gone"


def test_two_threads_stage_at_once_into_the_same_new_folders(tmp_path: Path) -> None:
    """A batch of models and the pages done before black's results are staged from two threads:
    both make the same new folders, and every file of both is staged and swapped in."""
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "a\n"})
    staging = Staging(out)
    shares = [{f"pkg/sub{n}/f{t}_{n}.py": f"{t} {n}\n" for n in range(200)} for t in range(2)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(staging.stage, shares))
    files = {"a.txt": "a\n", **shares[0], **shares[1]}
    assert len(staging.staged) == 400 and len(list(out.rglob("*.tmp"))) == 400
    done = write_tree(out, files, (), staging)
    assert sorted(done.written) == sorted([MANIFEST, *shares[0], *shares[1]])
    assert {rel: text.decode() for rel, text in snapshot(out).items() if rel != MANIFEST} == files


def test_nothing_is_staged_where_a_path_is_taken(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "a\n"})
    (out / "mine.py").write_text("my own\n")
    staging = Staging(out)
    staging.stage({"pkg/m.py": "m\n", "mine.py": "generated\n"})
    assert staging.staged == {} and not (out / "pkg").exists()
    with pytest.raises(OutputError, match="mine.py: already exists"):
        write_tree(out, {"a.txt": "a\n", "pkg/m.py": "m\n", "mine.py": "generated\n"}, (), staging)
    assert (out / "mine.py").read_text() == "my own\n"


def test_this_repository_keeps_a_file_beside_generated_code(generated_copy: Path) -> None:
    (generated_copy / "CHANGELOG.md").write_text("x\n")
    result = run_cli("generate", "--out", generated_copy)
    assert result.exit_code == 0, result.stderr
    assert "0 removed" in result.stderr
    assert (generated_copy / "CHANGELOG.md").read_text() == "x\n"


def test_staging_after_a_discard_makes_its_folders_again(tmp_path: Path) -> None:
    """A discard removes the folders staging made; staging again makes them anew, not trusting
    that they stand."""
    out = tmp_path / "out"
    write_tree(out, {"a.txt": "a\n"})
    staging = Staging(out)
    staging.stage({"pkg/sub/m.py": "m\n"})
    staging.discard()
    assert not (out / "pkg").exists()
    staging.stage({"pkg/sub/m.py": "m\n"})
    assert list(staging.staged) == ["pkg/sub/m.py"]
    done = write_tree(out, {"a.txt": "a\n", "pkg/sub/m.py": "m\n"}, (), staging)
    assert done.written == [MANIFEST, "pkg/sub/m.py"] and (out / "pkg/sub/m.py").read_text() == "m\n"


def test_files_the_run_read_as_it_began_are_not_read_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The writer compares each file with the text the run read from the folder as it began,
    where it has one (a fresh clone's record vouched for 3,300 files), and reads the others."""
    from generator import cli, output

    out = tmp_path / "out"
    write_tree(out, {"same.txt": "same\n", "edited.txt": "old\n", "other.txt": "o\n"})
    read: list[str] = []
    real = output._read
    monkeypatch.setattr(output, "_read", lambda folder, rel: read.append(rel) or real(folder, rel))
    files = {"same.txt": "same\n", "edited.txt": "new\n", "other.txt": "o\n"}
    done = write_tree(out, files, read_already={"same.txt": "same\n", "edited.txt": "old\n"})
    assert done.written == ["edited.txt"] and sorted(read) == [MANIFEST, "other.txt"]
    assert snapshot(out)["edited.txt"] == b"new\n"
    # `generate` over a folder whose record names the files it holds (a fresh clone: no cache)
    # writes after reading only those the record does not name
    clone = tmp_path / "clone"
    run_cli("generate", "--spec", SPEC, "--out", clone, *_names())
    monkeypatch.setattr(cli, "write_tree", lambda *args: read.clear() or write_tree(*args))  # its reads
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "no-cache"))
    assert run_cli("generate", "--spec", _renamed_spec(tmp_path), "--out", clone, *_names()).exit_code == 0
    assert sorted(read) == [".sdkgen-files", ".sdkgen-format"]
