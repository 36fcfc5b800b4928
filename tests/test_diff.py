"""sdkgen diff: the corpus in tests/diff_cases/, git refs, output formats, and bad input."""

from __future__ import annotations

import json
import subprocess
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from generator.diff.compare import SpecDiff
from generator.diff.report import DiffResult
from generator.diff.rules import all_rule_ids
from generator.loader import load
from generator.validate import validate
from tests.conftest import FULL_SPEC, ROOT, SPEC, needs_shared, run_cli

CASES = sorted(p for p in (Path(__file__).parent / "diff_cases").iterdir() if (p / "expected.json").exists())


def test_the_corpus_is_large_enough() -> None:
    assert len(CASES) >= 60


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_diff_case(case: Path) -> None:
    expected: dict[str, Any] = json.loads((case / "expected.json").read_text())
    base, revision = load(case / "base.yaml"), load(case / "revision.yaml")
    assert [d.format() for d in validate(base) + validate(revision) if d.is_error] == []
    changes = SpecDiff(base, revision).run()
    found = Counter((c.id, c.level, c.operation or c.component) for c in changes)
    wanted = Counter((e["id"], e["level"], e["where"]) for e in expected["changes"])
    assert found == wanted, [c.message for c in changes]
    if "reach" in expected:
        assert [list(c.reach) for c in changes] == [expected["reach"]] * len(changes)
    if "rename" in expected:
        assert {c.rename for c in changes} == {expected["rename"]}
    if "bump" in expected:
        assert DiffResult("a", "b", changes, base.data == revision.data, None).spec_bump == expected["bump"]
    known = all_rule_ids()
    for c in changes:
        assert c.id in known, f"{c.id} is not a documented rule"
        refactor = c.id.endswith(("-all-of-added", "-all-of-removed")) and c.level == "INFO"
        assert known[c.id] == c.level or c.component or refactor, "shared components are rated by reach"


def test_fingerprints_are_stable_when_lines_move() -> None:
    case = Path(__file__).parent / "diff_cases" / "request_property_max_decreased"
    first = SpecDiff(load(case / "base.yaml"), load(case / "revision.yaml")).run()
    shifted = case.parent.parent / "diff_cases" / "request_property_max_decreased" / "revision.yaml"
    text = "# a comment that moves every line\n\n" + shifted.read_text()
    moved = Path(str(shifted) + ".tmp")
    moved.write_text(text)
    try:
        second = SpecDiff(load(case / "base.yaml"), load(moved)).run()
    finally:
        moved.unlink()
    assert [c.fingerprint for c in first] == [c.fingerprint for c in second]
    assert [c.revision_line for c in first] != [c.revision_line for c in second]


def test_formats_and_fail_on() -> None:
    case = Path(__file__).parent / "diff_cases" / "probable_rename"
    args = ["diff", case / "base.yaml", case / "revision.yaml", "--no-sdk"]
    data = json.loads(run_cli(*args, "--format", "json").stdout)
    assert data["summary"] == {"breaking": 0, "risky": 1, "safe": 1, "spec_bump": "minor"}
    change = data["changes"][0]
    assert set(change) >= {"id", "level", "message", "operation", "pointer", "base_line", "revision_line"}
    assert change["fingerprint"] and change["rename"] == "note -> memo"
    assert change["operation"] is None and change["component"] == "NewItem"
    assert change["operations"] == ["POST /items"], "a component's finding names the operations it reaches"
    markdown = run_cli(*args, "--format", "markdown").stdout
    assert "| breaking (ERR) | risky (WARN) | safe (INFO) | spec bump | SDK bump |" in markdown
    assert "### POST /items" in markdown
    github = run_cli(*args, "--format", "github").stdout.splitlines()
    assert github[0].startswith("::warning file=") and "title=request-property-removed::" in github[0]
    assert run_cli(*args, "--fail-on", "WARN").exit_code == 1
    assert run_cli(*args, "--fail-on", "ERR").exit_code == 0


def test_an_err_finding_fails_the_run_and_makes_the_spec_bump_major() -> None:
    case = Path(__file__).parent / "diff_cases" / "parameter_became_required"
    args = ["diff", case / "base.yaml", case / "revision.yaml", "--no-sdk"]
    assert run_cli(*args).exit_code == 0, "without --fail-on a finding is a report, not a failure"
    assert run_cli(*args, "--fail-on", "ERR").exit_code == 1
    assert run_cli(*args, "--fail-on", "WARN").exit_code == 1, "WARN includes what is worse"
    summary = json.loads(run_cli(*args, "--format", "json").stdout)["summary"]
    assert summary["breaking"] == 1 and summary["spec_bump"] == "major"


def test_sdk_impact_of_a_breaking_change(tmp_path: Path) -> None:
    revision = tmp_path / "revision.yaml"
    text = SPEC.read_text().replace("        - cedar\n", "").replace("maximum: 1.2", "maximum: 1.1")
    revision.write_text(text.replace("        - client_secret\n", ""))
    result = run_cli("diff", SPEC, revision, "--format", "json")
    assert result.exit_code == 0, result.stderr
    sdk = json.loads(result.stdout)["sdk"]
    assert sdk["bump"] == "major"
    breaking = {(c["subject"], c["breaking"]) for c in sdk["surface"]}
    assert ("models.RealtimeVoiceName", True) in breaking
    assert ("models.RealtimeSessionCreateResponse.client_secret", True) in breaking
    assert "openai_realtime/models/realtime_voice_name.py" in sdk["files"]["modified"]
    assert "docs/models/RealtimeVoiceName.md" in sdk["files"]["modified"]


def test_a_tighter_request_limit_is_a_major_sdk_bump(tmp_path: Path) -> None:
    """The SDK checks requests before sending: a call that passed now raises, whatever the
    surface says."""
    revision = tmp_path / "revision.yaml"
    revision.write_text(SPEC.read_text().replace("maximum: 1.2", "maximum: 1.1"))
    result = run_cli("diff", SPEC, revision, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [c["id"] for c in data["changes"]] == ["request-property-max-decreased"]
    assert not any(c["breaking"] for c in data["sdk"]["surface"]), "no signature changed"
    assert data["sdk"]["bump"] == "major" and data["summary"]["sdk_bump"] == "major"


def test_identical_specs_have_no_changes() -> None:
    data = json.loads(run_cli("diff", SPEC, SPEC, "--format", "json").stdout)
    assert data["changes"] == []
    assert data["summary"]["spec_bump"] == "none" and data["summary"]["sdk_bump"] == "none"


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True)


def test_diff_between_two_git_refs(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q", "-b", "main")
    git(repo, "config", "user.email", "ci@example.com")
    git(repo, "config", "user.name", "CI")
    (repo / "spec").mkdir()
    target = repo / "spec" / "api.yaml"
    target.write_text(SPEC.read_text())
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    target.write_text(SPEC.read_text().replace("maximum: 1.2", "maximum: 1.0"))
    git(repo, "commit", "-qam", "tighten temperature")
    result = run_cli(
        "diff", "HEAD~1:spec/api.yaml", "HEAD:spec/api.yaml", "--format", "json", "--no-sdk", cwd=repo
    )
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [c["id"] for c in data["changes"]] == ["request-property-max-decreased"]
    assert data["base"] == "HEAD~1:spec/api.yaml"
    missing = run_cli("diff", "HEAD~1:spec/nope.yaml", "HEAD:spec/api.yaml", cwd=repo)
    assert missing.exit_code == 2 and "HEAD~1:spec/nope.yaml" in missing.stderr


@pytest.mark.parametrize("side", ["base", "revision"])
def test_bad_input_on_either_side(tmp_path: Path, side: str) -> None:
    """What does not parse cannot be diffed: a located error, exit 2."""
    broken = ROOT / "tests" / "broken_specs" / "yaml_syntax" / "spec.yaml"
    args = [broken, SPEC] if side == "base" else [SPEC, broken]
    result = run_cli("diff", *args)
    assert result.exit_code == 2
    assert "yaml_syntax/spec.yaml:11:11: #: error: invalid YAML" in result.stderr
    assert "Traceback" not in result.stderr


def test_when_both_sides_are_broken_the_base_is_reported() -> None:
    base = ROOT / "tests" / "broken_specs" / "yaml_syntax" / "spec.yaml"
    revision = ROOT / "tests" / "broken_specs" / "json_syntax" / "spec.json"
    result = run_cli("diff", base, revision)
    assert result.exit_code == 2
    assert "yaml_syntax/spec.yaml:" in result.stderr
    assert "json_syntax" not in result.stderr


def test_a_side_that_breaks_openapi_rules_is_still_diffed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its errors are located findings of their own, the rest is diffed, and no SDK is made (the
    child that began it is stopped and leaves nothing in the temporary folder)."""
    scratch = tmp_path / "tmp"
    scratch.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch))  # the processes sdkgen forks inherit it
    revision = tmp_path / "revision.yaml"
    text = SPEC.read_text()
    assert text.count("      responses:\n") == 1
    revision.write_text(
        text.replace("      responses:\n", "      replies:\n").replace("maximum: 1.2", "maximum: 1.1")
    )
    result = run_cli("diff", SPEC, revision, "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    found = {(c["id"], c["level"]) for c in data["changes"]}
    assert ("spec-validation-error", "ERR") in found
    assert ("request-property-max-decreased", "ERR") in found, "the rest is diffed"
    assert ("response-success-status-removed", "ERR") in found
    errors = [c for c in data["changes"] if c["id"] == "spec-validation-error"]
    assert all(c["revision_line"] for c in errors), "located"
    assert "sdk" not in data, "an SDK is not generated from a spec that breaks the rules"
    assert not list(scratch.iterdir())
    assert run_cli("diff", SPEC, revision, "--fail-on", "ERR").exit_code == 1
    dangling = ROOT / "tests" / "broken_specs" / "dangling_ref" / "spec.yaml"
    listing = run_cli("diff", dangling, SPEC, "--no-sdk")
    assert listing.exit_code == 0 and "spec-validation-error" not in listing.stdout, "the base's are not"


def test_rules_command_lists_ids_and_our_differences() -> None:
    listing = run_cli("rules").stdout.splitlines()
    assert "ERR  request-property-max-decreased" in listing
    assert "INFO endpoint-added" in listing
    assert any(line.startswith("ERR  api-security-added  (oasdiff: INFO.") for line in listing)
    assert len(listing) > 150


def test_ci_workflow_and_pre_commit_hook_are_offered() -> None:
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "sdkgen.yml").read_text())
    steps = workflow["jobs"]["check"]["steps"]
    check = next(step["run"] for step in steps if step.get("run", "").startswith("make check"))
    assert "pull_request' && '--full'" in check, "a pull request's record is not taken on its word"
    assert any("sdkgen diff" in step.get("run", "") and "--format markdown" in step["run"] for step in steps)
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
    assert hook["entry"] == "sdkgen check"


def _split_batch(spec: dict[str, Any]) -> None:
    """A realistic refactor of OpenAI's `Batch`: half its properties move into a new parent
    schema it extends, and `status` there points at a new enum schema with one value more."""
    schemas = spec["components"]["schemas"]
    batch = schemas["Batch"]
    moved = list(batch["properties"])[:11]
    assert "status" in moved
    status = batch["properties"]["status"]
    schemas["BatchStatus"] = {"type": "string", "enum": [*status["enum"], "archived"]}
    parent = {
        "type": "object",
        "properties": {name: batch["properties"].pop(name) for name in moved},
        "required": [name for name in batch.get("required", []) if name in moved],
    }
    parent["properties"]["status"] = {"$ref": "#/components/schemas/BatchStatus"}
    batch["required"] = [name for name in batch.get("required", []) if name not in moved]
    schemas["BatchBase"] = parent
    schemas["Batch"] = {"allOf": [{"$ref": "#/components/schemas/BatchBase"}, batch]}


def test_properties_moved_into_all_of_on_the_full_openai_spec(tmp_path: Path) -> None:
    """The change is reported (the new value), and nothing is removed: every operation still
    sends and receives the same properties."""
    base_file = needs_shared(FULL_SPEC)
    base = load(base_file)
    data = json.loads(json.dumps(base.data))
    _split_batch(data)
    revision_file = tmp_path / "openai-next.json"
    revision_file.write_text(json.dumps(data))
    changes = SpecDiff(base, load(revision_file)).run()
    found = sorted((c.id, c.level, c.component) for c in changes)
    assert found == [
        ("component-schema-added", "INFO", None),
        ("component-schema-added", "INFO", None),
        ("response-body-all-of-added", "INFO", "Batch"),
        ("response-body-all-of-added", "INFO", "Batch"),
        ("response-property-enum-value-added", "WARN", "Batch"),
    ], [c.message for c in changes]
    (added,) = [c for c in changes if c.id == "response-property-enum-value-added"]
    assert '`status` enum value "archived" added' in added.message
    assert len(added.reach) == 4, "each batch operation that returns it"


def test_sdk_impact_reads_fields_through_bases_and_aliases() -> None:
    """Fields that move into a parent class are still there; a new alias for more values widens."""
    from types import SimpleNamespace

    from generator.diff.impact import _models

    old = 'class Batch(BaseModel):\n    id: str\n    status: OpenEnum[Literal["a", "b"]]\n'
    new = (
        'BatchStatus = TypeAliasType("BatchStatus", OpenEnum[Literal["a", "b", "c"]])\n'
        "class BatchBase(BaseModel):\n    id: str\n    status: BatchStatus\n"
        "class Batch(BatchBase):\n    note: str | None = None\n"
    )
    changes = _models(SimpleNamespace(models_source=old), SimpleNamespace(models_source=new))
    batch = {(c.subject, c.change.split(":")[0], c.breaking) for c in changes if ".Batch." in c.subject}
    assert batch == {
        ("models.Batch.note", "added", False),
        ("models.Batch.status", "type widened", False),
    }
