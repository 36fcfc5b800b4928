"""The generated models import, round-trip every example in the spec, and pass the linters."""

from __future__ import annotations

import importlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from generator.examples import iter_examples
from generator.pointer import lookup, to_pointer
from tests.conftest import GENERATED, ROOT
from tests.test_spec import SPEC_DATA

BIN = ROOT / ".venv" / "bin"
PACKAGE = "openai_realtime"


@pytest.fixture(scope="module")
def models() -> Any:
    sys.path.insert(0, str(GENERATED))
    try:
        yield importlib.import_module(f"{PACKAGE}.models")
    finally:
        sys.path.remove(str(GENERATED))


def _model_examples() -> list[Any]:
    found = []
    for example in iter_examples(SPEC_DATA):
        schema = lookup(SPEC_DATA, list(example.schema_parts))
        ref = schema.get("$ref", "") if isinstance(schema, dict) else ""
        if ref.startswith("#/components/schemas/"):
            found.append((ref.rsplit("/", 1)[1], example))
    return found


@pytest.mark.parametrize(
    ("name", "example"), _model_examples(), ids=lambda v: getattr(v, "parts", v) and str(v)
)
def test_example_round_trips(models: Any, name: str, example: Any) -> None:
    adapter: TypeAdapter[Any] = TypeAdapter(getattr(models, name))
    parsed = adapter.validate_python(example.value)
    dumped = adapter.dump_python(parsed, mode="json", by_alias=True, exclude_unset=True)
    assert dumped == example.value, to_pointer(example.parts)


def test_there_are_examples_to_round_trip() -> None:
    names = {name for name, _ in _model_examples()}
    assert {"RealtimeSessionCreateRequest", "RealtimeSessionCreateResponse", "ErrorResponse"} <= names


def test_models_enforce_schema_constraints(models: Any) -> None:
    request = models.RealtimeSessionCreateRequest
    for bad in ({"temperature": 1.5}, {"speed": 0.1}, {"max_response_output_tokens": 5000}, {"unknown": 1}):
        with pytest.raises(ValidationError):
            request.model_validate(bad)
    assert request.model_validate({"voice": "brand-new-voice"}).voice == "brand-new-voice"
    assert request.model_validate({"max_response_output_tokens": "inf"}).max_response_output_tokens == "inf"


@pytest.mark.parametrize(
    "command",
    [
        ["black", "--check", "--quiet", "."],
        ["ruff", "check", "--quiet", "."],
        ["mypy", "--strict", PACKAGE],
    ],
    ids=lambda c: c[0],
)
def test_generated_code_passes(command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=GENERATED, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_sdk_installs_as_a_package(tmp_path: Path) -> None:
    """pip builds generated/ with its own pyproject.toml; the installed package imports and is typed."""
    target = tmp_path / "site"
    result = subprocess.run(
        [
            str(BIN / "python"),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--no-deps",
            "--target",
            str(target),
            str(GENERATED),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (target / PACKAGE / "py.typed").is_file()
    check = subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}; print({PACKAGE}.__version__, len({PACKAGE}.__all__))"],
        env={"PYTHONPATH": str(target), "PATH": "/usr/bin:/bin"},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert check.returncode == 0, check.stderr
    assert check.stdout.startswith("2.3.0 ")


def test_models_build_their_validators_on_first_use_not_at_import() -> None:
    code = (
        "from openai_realtime import models as m\n"
        "before = m.ClientSecret.__pydantic_complete__\n"
        "m.ClientSecret.model_validate({'value': 'ek_1', 'expires_at': 1})\n"
        "print(before, m.ClientSecret.__pydantic_complete__, m.ClientSecret.__doc__ is not None)\n"
    )
    result = subprocess.run(
        [str(BIN / "python"), "-c", code], cwd=GENERATED, capture_output=True, text=True, check=True
    )
    assert result.stdout.split() == ["False", "True", "True"]


def test_the_ruff_exemption_for_mutable_defaults_is_written_only_where_ruff_needs_it() -> None:
    from generator.models import HEADER, MUTABLE_DEFAULTS_HEADER, _inspect

    head = f"{HEADER}\nfrom pydantic import RootModel\nfrom pkg._runtime import BaseModel\n"
    ours = _inspect(head + "class A(BaseModel):\n    x: list[int] = []\n", {}).text
    pydantic_root = _inspect(head + "class B(RootModel[list[int]]):\n    root: list[int] = []\n", {}).text
    no_mutable = _inspect(head + "class C(BaseModel):\n    x: int = 1\n", {}).text
    assert ours.startswith(MUTABLE_DEFAULTS_HEADER)
    assert not pydantic_root.startswith(MUTABLE_DEFAULTS_HEADER)
    assert not no_mutable.startswith(MUTABLE_DEFAULTS_HEADER)
