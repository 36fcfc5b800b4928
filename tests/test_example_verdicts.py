"""Whether a spec's example fits its schema is cached by the schema's digest (its models group's
key), when that digest covers all the verdict depends on."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from generator.effective import EffectiveSchemas
from generator.examples import fits
from generator.loader import Document
from generator.models import generate_models

SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "t", "version": "1"},
    "paths": {},
    "components": {
        "schemas": {
            "Item": {
                "type": "object",
                "description": "An item.",
                "required": ["size"],
                "properties": {"size": {"type": "integer", "maximum": 9}},
            },
            "Order": {
                "type": "object",
                "required": ["item"],
                "properties": {"item": {"$ref": "#/components/schemas/Item"}},
            },
        }
    },
}
ORDER = {"$ref": "#/components/schemas/Order"}


@pytest.fixture(autouse=True)
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SDKGEN_NO_CACHE", raising=False)
    return tmp_path / "cache" / "examples"


def _digests(spec: dict[str, Any]) -> dict[str, str]:
    doc = Document(Path("spec.yaml"), "", spec, {})
    return generate_models(doc, copy.deepcopy(spec), "pkg").digests


def test_verdicts_are_cached_and_read_back_without_a_validator(cache_dir: Path) -> None:
    digests = _digests(SPEC)
    first = EffectiveSchemas(SPEC, digests)
    assert fits(first, ORDER, {"item": {"size": 3}}) is True
    assert fits(first, ORDER, {"item": {"size": 10}}) is False
    assert len(list(cache_dir.rglob("*"))) >= 2 and "checker" in first.memo
    again = EffectiveSchemas(SPEC, digests)
    assert fits(again, ORDER, {"item": {"size": 3}}) is True
    assert fits(again, ORDER, {"item": {"size": 10}}) is False
    assert "checker" not in again.memo, "both verdicts came from the cache"


def test_a_digest_changes_with_what_the_schema_reaches_and_not_with_descriptions() -> None:
    digests = _digests(SPEC)
    reworded = copy.deepcopy(SPEC)
    reworded["components"]["schemas"]["Item"]["description"] = "Something else."
    assert _digests(reworded)["Order"] == digests["Order"]
    tightened = copy.deepcopy(SPEC)
    tightened["components"]["schemas"]["Item"]["properties"]["size"]["maximum"] = 99
    assert _digests(tightened)["Order"] != digests["Order"]
    assert fits(EffectiveSchemas(SPEC, digests), ORDER, {"item": {"size": 10}}) is False
    after = EffectiveSchemas(tightened, _digests(tightened))
    assert fits(after, ORDER, {"item": {"size": 10}}) is True, "a changed schema is a new key"


@pytest.mark.parametrize(
    "reaching_out",
    [{"$id": "urn:elsewhere"}, {"$ref": "#/paths/~1x"}, {"$dynamicRef": "#meta"}, {"$anchor": "here"}],
)
def test_no_verdict_is_cached_where_the_digest_does_not_cover_the_references(
    cache_dir: Path, reaching_out: dict[str, str]
) -> None:
    spec = copy.deepcopy(SPEC)
    spec["components"]["schemas"]["Item"]["properties"]["extra"] = reaching_out
    schemas = EffectiveSchemas(spec, dict.fromkeys(spec["components"]["schemas"], "digest"))
    assert fits(schemas, ORDER, {"item": {"size": 3}}) is True
    assert not cache_dir.exists() or not list(cache_dir.rglob("*"))
    assert fits(EffectiveSchemas(SPEC), ORDER, {"item": {"size": 3}}) is True
    assert not cache_dir.exists() or not list(cache_dir.rglob("*")), "no digests, no cache"
    whole_map = {"$ref": "#/components/schemas"}  # a reference to all of them: no component of its own
    assert fits(EffectiveSchemas(SPEC, {"Item": "d", "Order": "d"}), whole_map, {}) is True
    assert not cache_dir.exists() or not list(cache_dir.rglob("*"))
