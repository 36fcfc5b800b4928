"""spec/realtime-sessions.yaml: valid, faithful to the seed, and every example satisfies its schema."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.examples import SchemaChecker, iter_examples
from generator.loader import load
from generator.pointer import to_pointer
from generator.validate import validate
from tests.conftest import SPEC

DOC = load(SPEC)
SPEC_DATA: dict[str, Any] = DOC.data
SCHEMAS: dict[str, Any] = SPEC_DATA["components"]["schemas"]
EXAMPLES = list(iter_examples(SPEC_DATA))


def test_spec_is_valid_without_warnings() -> None:
    assert [d.format() for d in validate(DOC)] == []


def test_examples_exist_for_request_and_response() -> None:
    places = {to_pointer(e.parts) for e in EXAMPLES}
    assert any("/requestBody/" in p for p in places)
    assert any("/responses/200/" in p for p in places)
    assert len(EXAMPLES) >= 6


@pytest.mark.parametrize("example", EXAMPLES, ids=lambda e: to_pointer(e.parts))
def test_every_example_validates_against_its_schema(example: Any) -> None:
    errors = SchemaChecker(SPEC_DATA).errors(example.schema_parts, example.value)
    assert [e.message for e in errors] == []


def test_checker_rejects_a_bad_value() -> None:
    request = ("components", "schemas", "RealtimeSessionCreateRequest")
    errors = SchemaChecker(SPEC_DATA).errors(request, {"temperature": 2.0, "voice": 3})
    assert {tuple(map(str, e.absolute_path)) for e in errors} == {("temperature",), ("voice",)}


def test_operation_is_the_seeds_create_session() -> None:
    op = SPEC_DATA["paths"]["/realtime/sessions"]["post"]
    assert SPEC_DATA["servers"][0]["url"] == "https://api.openai.com/v1"
    assert SPEC_DATA["components"]["securitySchemes"]["ApiKeyAuth"] == {
        **SPEC_DATA["components"]["securitySchemes"]["ApiKeyAuth"],
        "type": "http",
        "scheme": "bearer",
    }
    body = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/RealtimeSessionCreateRequest"), "the request is the session configuration"
    ok = op["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    assert ok.endswith("/RealtimeSessionCreateResponse"), "the response is the session plus client_secret"
    assert {"400", "401", "429", "500"} <= set(op["responses"])


def test_prose_constraints_are_schema_constraints() -> None:
    props = SCHEMAS["RealtimeSessionCreateRequest"]["properties"]
    assert (props["temperature"]["minimum"], props["temperature"]["maximum"]) == (0.6, 1.2)
    assert props["temperature"]["default"] == 0.8
    assert (props["speed"]["minimum"], props["speed"]["maximum"], props["speed"]["default"]) == (
        0.25,
        1.5,
        1.0,
    )
    assert SCHEMAS["RealtimeAudioFormat"]["enum"] == ["pcm16", "g711_ulaw", "g711_alaw"]
    int_branch, inf_branch = SCHEMAS["MaxOutputTokens"]["oneOf"]
    assert (int_branch["minimum"], int_branch["maximum"]) == (1, 4096)
    assert inf_branch["enum"] == ["inf"]
    modes = SCHEMAS["ToolChoiceMode"]["enum"]
    assert sorted(modes) == ["auto", "none", "required"]


def test_voice_and_model_are_open_enums() -> None:
    checker = SchemaChecker(SPEC_DATA)
    request = ("components", "schemas", "RealtimeSessionCreateRequest")
    assert checker.errors(request, {"voice": "a-voice-from-next-year", "model": "gpt-future"}) == []
    assert "alloy" in SCHEMAS["RealtimeVoiceName"]["enum"]


def test_turn_detection_is_nullable_and_response_has_client_secret() -> None:
    checker = SchemaChecker(SPEC_DATA)
    assert (
        checker.errors(("components", "schemas", "RealtimeSessionCreateRequest"), {"turn_detection": None})
        == []
    )
    response = SCHEMAS["RealtimeSessionCreateResponse"]
    assert "client_secret" in response["required"]
    assert SCHEMAS["ClientSecret"]["required"] == ["value", "expires_at"]
    assert response["properties"]["object"]["enum"] == ["realtime.session"]


def test_validation_picks_the_same_schema_error_whatever_the_hash_seed(tmp_path: Path) -> None:
    """jsonschema walks a schema's property names as a set; the one problem reported for a schema
    is the first in document order, so messages do not change from run to run."""
    props = "".join(
        f"        p{i}: {{type: number, minimum: 0, exclusiveMinimum: true}}\n" for i in range(12)
    )
    spec = tmp_path / "s.yaml"
    spec.write_text(
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\n"
        f"components:\n  schemas:\n    A:\n      type: object\n      properties:\n{props}"
    )
    outputs = set()
    for seed in ("1", "2", "3", "4"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "SDKGEN_NO_CACHE": "1"}
        result = subprocess.run(
            [sys.executable, "-m", "generator", "validate", str(spec)],
            env=env,
            capture_output=True,
            text=True,
        )
        outputs.add(result.stdout + result.stderr)
    assert len(outputs) == 1, outputs
    assert "#/components/schemas/A/properties/p0/exclusiveMinimum" in outputs.pop()
