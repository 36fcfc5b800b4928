"""openapi-schema-validator's settings, deferred for the render child of a large spec."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SPEC, run_cli

PROBE = """
import sys
from generator.pipeline import CHILD_FIRST_BYTES, import_both_need
import_both_need({size})
print("pydantic" in sys.modules, "pydantic_settings" in sys.modules)
from openapi_schema_validator import validate
from openapi_schema_validator.settings import OpenAPISchemaValidatorSettings, get_settings
validate({{"a": 1}}, {{"type": "object"}})  # the validator cache reads a setting
settings = get_settings()
print(settings.compiled_validator_cache_max_size, type(settings) is OpenAPISchemaValidatorSettings)
print(type(sys.modules["openapi_schema_validator.settings"].get_settings()).__module__)
"""


def _probe(size: str) -> list[str]:
    env = {**os.environ, "OPENAPI_SCHEMA_VALIDATOR_COMPILED_VALIDATOR_CACHE_MAX_SIZE": "7"}
    run = subprocess.run(
        [sys.executable, "-c", PROBE.format(size=size)], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_a_large_specs_child_is_forked_without_pydantic_and_the_settings_still_hold() -> None:
    """Forked for a large spec, the render child holds the validators without pydantic-settings
    and pydantic; the library's own settings module answers once a setting is read, from the
    environment as ever."""
    assert _probe("CHILD_FIRST_BYTES") == ["False False", "7 True", "openapi_schema_validator.settings"]


def test_a_small_specs_imports_are_as_the_library_makes_them() -> None:
    assert _probe("0") == ["True True", "7 True", "openapi_schema_validator.settings"]


def test_generate_forks_the_child_after_the_imports_its_specs_size_calls_for(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from generator import pipeline

    sizes: list[int] = []
    real = pipeline.import_both_need
    monkeypatch.setattr(pipeline, "import_both_need", lambda size=0: sizes.append(size) or real(size))
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    assert run_cli("generate", "--spec", SPEC, "--out", tmp_path / "out").exit_code == 0
    assert sizes == [len(SPEC.read_text("utf-8"))]
