"""The checks against OpenAPI's meta-schemas, of the whole document and of each schema in it:
jsonschema-rs says when a value is valid, jsonschema alone gives the errors, so the findings are
jsonschema's whatever the fast path (`generator/fast_check.py`)."""

from __future__ import annotations

import copy
import datetime
import random
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema.exceptions import SchemaError
from openapi_schema_validator import OAS30Validator, OAS31Validator, oas31_format_checker
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator

from generator import fast_check, validate

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


# --- each schema against the meta-schema of its dialect (OpenAPI 3.1's), formats checked ----------

META = (OAS31Validator, oas31_format_checker)  # what openapi-spec-validator checks a 3.1 schema with


def _schemas() -> list[Any]:
    schemas = _load(SPECS[OpenAPIV31SpecValidator])["components"]["schemas"]
    return [*schemas.values(), {"type": "string", "pattern": "^[a-z]+$"}]


def _verdict(check: Any, schema: Any) -> str:
    try:
        check(schema)
    except SchemaError as exc:
        return f"{list(exc.absolute_path)} {exc.message}"
    return "valid"


def test_a_valid_schema_is_passed_without_jsonschema(monkeypatch: pytest.MonkeyPatch) -> None:
    class NotAsked:
        def iter_errors(self, schema: Any) -> Any:
            raise AssertionError("jsonschema walked a schema jsonschema-rs found valid")

    monkeypatch.setattr(validate, "_remembering_validator", lambda *args: NotAsked())
    check = validate._meta_schema_checker.__wrapped__(*META)
    assert [_verdict(check, schema) for schema in _schemas()] == ["valid"] * len(_schemas())


def test_each_schemas_verdict_is_jsonschemas_whatever_the_fast_check_says(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    fast = validate._meta_schema_checker.__wrapped__(*META)
    monkeypatch.setattr(validate, "schema_check", lambda *args: None)
    slow = validate._meta_schema_checker.__wrapped__(*META)
    rng = random.Random(16)
    invalid = 0
    for _ in range(10):
        for schema in _schemas():
            changed = _mutated(schema, rng)
            expected = _verdict(slow, changed)
            invalid += expected != "valid"
            assert _verdict(fast, changed) == expected
    assert invalid >= 20, "the mutations should break a schema often"


@pytest.mark.parametrize("pattern", [r"\p{L}+", "(?<name", "[a-", "a{2,1}"])
def test_a_pattern_pythons_re_refuses_is_invalid_though_rust_may_take_it(pattern: str) -> None:
    """The format `regex` is checked by the format checker's own function (Python's `re`, as
    jsonschema's verdict is), not by jsonschema-rs's regex engine, which takes `\\p{L}`."""
    schema = {"type": "string", "pattern": pattern}
    check = fast_check.schema_check(*META)
    assert check is not None and not check(schema)
    assert _verdict(validate._meta_schema_checker(*META), schema) != "valid"


def _valid_for_jsonschema(check_schema: Any, schema: Any) -> bool:
    try:
        check_schema(schema)
    except SchemaError:
        return False
    return True


def test_an_openapi_3_0_schema_is_called_valid_only_when_jsonschema_agrees() -> None:
    """OpenAPI 3.0's schemas are checked with their class's own `check_schema` (draft 4's
    meta-schema, where 1.0 is no integer): jsonschema-rs may skip it only for a valid schema."""
    fast = fast_check.schema_check(OAS30Validator, OAS30Validator.FORMAT_CHECKER)
    assert fast is not None
    schemas = list(_load(SPECS[OpenAPIV30SpecValidator])["components"]["schemas"].values())
    schemas += [{"type": "string", "minLength": 1.0}, {"type": "string", "pattern": "(?<name"}]
    rng = random.Random(30)
    called_valid = invalid = 0
    for schema in schemas + [_mutated(rng.choice(schemas), rng) for _ in range(300)]:
        valid = _valid_for_jsonschema(OAS30Validator.check_schema, schema)
        invalid += not valid
        if fast(schema):
            called_valid += 1
            assert valid, f"jsonschema-rs called {schema} valid"
    assert invalid >= 30 and called_valid >= 30
