"""The corpus's runtime driver (tests/corpus/runtime.py) shares the docs-page call finder with the
full-spec driver; a rename there once left every corpus client without a call. Its sdkgen side is
run here, as `make test-corpus` runs it, against Prism."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import yaml

from tests.conftest import ROOT, generate_sdk, prism_server

SPEC = ROOT / "tests" / "specs" / "petstore.yaml"
DRIVER = ROOT / "tests" / "corpus" / "runtime.py"


def _driver(*args: str | Path) -> str:
    result = subprocess.run(
        [sys.executable, str(DRIVER), *map(str, args)], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_the_corpus_driver_plans_and_makes_its_calls_against_prism(tmp_path: Path) -> None:
    sdk, _ = generate_sdk(SPEC, tmp_path)
    calls = json.loads(_driver("plan", SPEC))
    assert calls, "every operation without a required body is planned"
    (tmp_path / "plan.json").write_text(json.dumps(calls))
    with prism_server(SPEC) as url:
        outcomes = json.loads(_driver("sdkgen", tmp_path / "plan.json", sdk, url))
    assert set(outcomes) == {f"{c['method']} {c['path']}" for c in calls}
    assert "parsed" in outcomes.values(), outcomes
    assert "no method" not in outcomes.values(), outcomes


def test_the_corpus_counts_every_operation_of_an_sdkgen_sdk(tmp_path: Path) -> None:
    """`make test-corpus` compares times only where both clients have a call for the same
    operations: sdkgen's count is its public request builders."""
    from tests.corpus.run_corpus import sdkgen_operations

    sdk, _ = generate_sdk(SPEC, tmp_path)
    (package,) = [folder for folder in sdk.iterdir() if (folder / "request_builders.py").exists()]
    spec = yaml.safe_load(SPEC.read_text())
    methods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}
    operations = sum(method in methods for item in spec["paths"].values() for method in item)
    assert operations > 1
    assert sdkgen_operations(package) == operations
