"""The whole-document check against the OpenAPI schema: jsonschema-rs says when a document is
valid, jsonschema alone gives the errors, so the findings are jsonschema's whatever the fast path."""

from __future__ import annotations

import copy
import datetime
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from generator import validate

ROOT = Path(__file__).resolve().parents[1]
SPECS = {
    OpenAPIV31SpecValidator: ROOT / "spec" / "realtime-sessions.yaml",
    OpenAPIV30SpecValidator: ROOT / "tests" / "specs" / "petstore.yaml",
}
WRONG = [1, 2.5, True, None, "", "text", [], [1], {}, {"x": 1}, {"$ref": 5}, {"type": "strin"}]


def _load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def _nodes(value: Any) -> list[Any]:
    found: list[Any] = []
    stack = [value]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            found.append(node)
            stack.extend(node.values())
        elif isinstance(node, list):
            found.append(node)
            stack.extend(node)
    return found


def _mutated(document: dict[str, Any], rng: random.Random) -> dict[str, Any]:
    """The document with a value somewhere replaced by one of another shape, or a key dropped or
    added: mostly invalid, sometimes still valid."""
    changed = copy.deepcopy(document)
    target = rng.choice([n for n in _nodes(changed) if n])
    if isinstance(target, list):
        target[rng.randrange(len(target))] = rng.choice(WRONG)
    elif rng.random() < 0.7:
        target[rng.choice(sorted(target))] = rng.choice(WRONG)
    elif rng.random() < 0.5:
        del target[rng.choice(sorted(target))]
    else:
        target[rng.choice(["foo", "type", "in", "required", "$ref"])] = rng.choice(WRONG)
    return changed


def _messages(errors: Any) -> list[str]:
    return sorted(f"{list(e.absolute_path)} {e.message}" for e in errors)


@pytest.mark.parametrize("base", list(SPECS), ids=lambda b: b.__name__)
def test_a_valid_document_is_passed_without_jsonschema(base: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    document = _load(SPECS[base])
    assert _messages(validate._document_validator(base).iter_errors(document)) == []

    def not_asked(_base: Any) -> Any:
        raise AssertionError("jsonschema walked a document jsonschema-rs found valid")

    monkeypatch.setattr(validate, "_document_validator", not_asked)
    assert list(validate._document_errors(base, document)) == []


@pytest.mark.parametrize("base", list(SPECS), ids=lambda b: b.__name__)
def test_the_errors_are_jsonschemas_whatever_the_fast_check_says(base: Any) -> None:
    document = _load(SPECS[base])
    rng = random.Random(16)
    invalid = 0
    for _ in range(80):
        changed = _mutated(document, rng)
        expected = _messages(validate._document_validator(base).iter_errors(changed))
        invalid += bool(expected)
        assert _messages(validate._document_errors(base, changed)) == expected
    assert invalid >= 10, "the mutations should break the document often (OpenAPI 3.1 allows much)"


def test_a_value_jsonschema_rs_cannot_read_is_left_to_jsonschema() -> None:
    document = _load(SPECS[OpenAPIV30SpecValidator])
    document["info"]["version"] = datetime.date(2026, 11, 27)  # YAML reads an unquoted date so
    expected = _messages(validate._document_validator(OpenAPIV30SpecValidator).iter_errors(document))
    assert expected, "a date is not a string"
    assert _messages(validate._document_errors(OpenAPIV30SpecValidator, document)) == expected
