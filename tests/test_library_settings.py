"""The validators' settings without pydantic while the environment sets none (`library_settings`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import ROOT, SPEC

VALIDATE = """
import sys
from generator.library_settings import install
install()
from openapi_schema_validator import validate
from openapi_spec_validator import validate as validate_spec
from openapi_schema_validator.settings import get_settings
from openapi_spec_validator.settings import OpenAPISpecValidatorSettings, get_schema_validator_backend
validate({"a": 1}, {"type": "object"})  # the validator cache reads its setting
validate_spec({"openapi": "3.1.0", "info": {"title": "t", "version": "1"}, "paths": {}})
print("pydantic" in sys.modules, "pydantic_settings" in sys.modules)
print(get_settings().compiled_validator_cache_max_size, type(get_settings()).__name__)
print(OpenAPISpecValidatorSettings().resolved_cache_maxsize, get_schema_validator_backend())
"""


def _run(code: str, **env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items() if not k.upper().startswith("OPENAPI_")}
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env={**clean, **env}, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr
    return run.stdout.splitlines()


def test_without_variables_the_validators_run_without_pydantic_on_the_defaults() -> None:
    assert _run(VALIDATE) == ["False False", "128 SimpleNamespace", "128 auto"]


def test_a_variable_set_in_any_case_loads_the_librarys_own_settings() -> None:
    assert _run(VALIDATE, openapi_schema_validator_compiled_validator_cache_max_size="7") == [
        "True True",
        "7 OpenAPISchemaValidatorSettings",
        "128 auto",
    ]
    assert _run(
        VALIDATE,
        OPENAPI_SPEC_VALIDATOR_SCHEMA_VALIDATOR_BACKEND="jsonschema",
        OPENAPI_SPEC_VALIDATOR_RESOLVED_CACHE_MAXSIZE="-3",  # the library's own rule: the default
    ) == ["True True", "128 SimpleNamespace", "128 jsonschema"]


def test_the_defaults_are_the_librarys() -> None:
    code = (
        "from generator.library_settings import DEFAULTS, SCHEMA_VALIDATOR, SPEC_VALIDATOR\n"
        "from openapi_schema_validator.settings import OpenAPISchemaValidatorSettings as A\n"
        "from openapi_spec_validator.settings import OpenAPISpecValidatorSettings as B\n"
        "print(A().model_dump() == DEFAULTS[SCHEMA_VALIDATOR])\n"
        "print(B().model_dump() == DEFAULTS[SPEC_VALIDATOR])\n"
    )
    assert _run(code) == ["True", "True"]


def test_other_names_and_a_reset_reach_the_librarys_module() -> None:
    code = (
        "from generator.library_settings import install\n"
        "install()\n"
        "import openapi_spec_validator.settings as s, openapi_schema_validator.settings as t\n"
        "t.reset_settings_cache()  # nothing cached yet: nothing loaded\n"
        "import sys; print('pydantic' in sys.modules)\n"
        "print(s.ENV_PREFIX, s.RESOLVED_CACHE_MAXSIZE_DEFAULT)\n"
        "print(sys.modules['openapi_spec_validator.settings'].__file__.endswith('settings.py'))\n"
    )
    assert _run(code) == ["False", "OPENAPI_SPEC_VALIDATOR_ 128", "True"]


def test_the_command_validates_and_formats_without_pydantic(tmp_path: Path) -> None:
    """`sdkgen generate`'s own process, which validates and formats, never imports pydantic: the
    models are made by the worker and the render child."""
    code = (
        "import sys\n"
        "sys.argv = ['sdkgen', 'generate', '--spec', sys.argv[1], '--out', sys.argv[2]]\n"
        "import generator.cli as cli\n"
        "real = cli.write_tree\n"
        "def spy(*a, **k):\n"
        "    print('pydantic' in sys.modules, 'pydantic_settings' in sys.modules, flush=True)\n"
        "    return real(*a, **k)\n"
        "cli.write_tree = spy\n"
        "from generator.entry import run\n"
        "run()\n"
    )
    env = {k: v for k, v in os.environ.items() if not k.upper().startswith("OPENAPI_")}
    run = subprocess.run(
        [sys.executable, "-c", code, str(SPEC), str(tmp_path / "out")],
        cwd=ROOT,
        env={**env, "SDKGEN_NO_CACHE": "1"},
        capture_output=True,
        text=True,
    )
    assert run.returncode == 0, run.stderr
    assert run.stdout.splitlines() == ["False False"]
    assert (tmp_path / "out" / "openai_realtime" / "models").is_dir()


@pytest.mark.parametrize("module", ["openapi_schema_validator.settings", "openapi_spec_validator.settings"])
def test_a_package_imported_already_keeps_its_own_settings(module: str) -> None:
    code = (
        f"import {module.split('.')[0]}\n"
        "from generator.library_settings import install\n"
        "install()\n"
        f"import sys; print(sys.modules[{module!r}].__file__ is not None)\n"
    )
    assert _run(code) == ["True"]
