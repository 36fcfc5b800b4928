"""The traps of OpenAI's spec (anchors.md section 3), in tests/specs/traps.yaml: generated code
type-checks, and payloads that use each trap survive a round trip through the models."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from tests.conftest import ROOT, generate_sdk, importable

SPEC = ROOT / "tests" / "specs" / "traps.yaml"
BIN = ROOT / ".venv" / "bin"

PAYLOADS = {
    "open enum, unknown value": {"id": "1", "voice": "a-voice-from-next-year"},
    "open enum, known value": {"id": "1", "voice": "ash"},
    "overlapping union, second branch": {"id": "1", "audio_format": {"type": "audio/pcmu"}},
    "overlapping union, first branch": {"id": "1", "audio_format": {"type": "audio/pcm", "rate": 24000}},
    "overlapping union, empty": {"id": "1", "audio_format": {}},
    "string enum or object, string": {"id": "1", "tracing": "auto"},
    "string enum or object, object": {"id": "1", "tracing": {"workflow_name": "w"}},
    "int or inf, int": {"id": "1", "max_tokens": 200},
    "int or inf, inf": {"id": "1", "max_tokens": "inf"},
    "const discriminator, first": {"id": "1", "turn_detection": {"type": "server_vad", "threshold": 0.5}},
    "const discriminator, second": {
        "id": "1",
        "turn_detection": {"type": "semantic_vad", "eagerness": "low"},
    },
    "nullable four ways": {
        "id": "1",
        "nullable_31": None,
        "nullable_30": None,
        "nullable_default": None,
        "nullable_type_list": None,
    },
    "array without type": {"id": "1", "untyped_array": ["a", "b"]},
    "ref with siblings": {"id": "1", "ref_with_siblings": "ash"},
    "free-form object": {"id": "1", "free_form": {"any": [1, {"x": None}], "b": True}},
    "maps": {"id": "1", "string_map": {"a": 1}, "union_map": {"a": "x", "b": 2}},
    "unixtime and dotted enum": {
        "id": "1",
        "created_at": 1700000000,
        "include": ["item.input_audio_transcription.logprobs"],
    },
    "names that shadow builtins": {"id": "1", "object": "thing", "type": "t", "format": "f", "input": "i"},
}


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder, stderr = generate_sdk(SPEC, tmp_path_factory.mktemp("traps"))
    assert "warning: default None is not of type 'object'" in stderr
    return folder


@pytest.fixture(scope="module")
def models(sdk_dir: Path) -> Iterator[Any]:
    with importable(sdk_dir, "traps.models") as module:
        yield module


@pytest.mark.parametrize("name", PAYLOADS)
def test_payload_round_trips(models: Any, name: str) -> None:
    payload = PAYLOADS[name]
    thing = models.Thing.model_validate(payload)
    assert thing.model_dump(mode="json", by_alias=True, exclude_unset=True) == payload


def test_const_branches_pick_their_class(models: Any) -> None:
    semantic = models.Thing.model_validate(PAYLOADS["const discriminator, second"]).turn_detection
    server = models.Thing.model_validate(PAYLOADS["const discriminator, first"]).turn_detection
    assert type(semantic).__name__ != type(server).__name__
    assert semantic.eagerness == "low"
    with pytest.raises(ValidationError):
        models.Thing.model_validate({"id": "1", "turn_detection": {"type": "no_such_vad"}})


def test_ref_with_siblings_keeps_its_default(models: Any) -> None:
    assert models.Thing.model_validate({"id": "1"}).ref_with_siblings == "alloy"


def test_kebab_case_operation_id_becomes_a_method(sdk_dir: Path) -> None:
    client = (sdk_dir / "traps" / "_client.py").read_text()
    assert "def make_thing(" in client


@pytest.mark.parametrize(
    "command", [["ruff", "check", "--quiet", "."], ["mypy", "--strict", "traps"]], ids=lambda c: c[0]
)
def test_generated_code_passes(sdk_dir: Path, command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=sdk_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stdout + result.stderr
