"""Models made group by group (schemas that never refer to one another), each group cached by its
content: the same models as one run over all schemas, and an edit regenerates its group alone."""

from __future__ import annotations

import ast
import copy
from pathlib import Path
from typing import Any

import pytest

import generator.models as models
from generator import codegen_worker, model_groups, model_pieces
from generator.build import sdk_class_names
from generator.config import Config
from generator.diff.impact import _model_members
from generator.formatting import format_tree
from generator.loader import load
from generator.model_codegen import CodegenRun
from generator.model_groups import merged, schema_groups
from generator.model_names import SDK_NAMES
from generator.models import ModelSource, generate_models
from generator.prepare import prepare_spec
from tests.conftest import REFERENCE, models_of, needs_shared

PACKAGE = "pkg"
FULL = REFERENCE / "openai-openapi.yaml"


def _spec() -> dict[str, Any]:
    """Two parts joined by references (one with a discriminator), and loose schemas;
    `Order` makes an inline `OrderLine` which another part defines as a component."""
    schemas: dict[str, Any] = {
        "Order": {
            "type": "object",
            "properties": {
                "line": {"type": "object", "properties": {"sku": {"type": "string"}}},
                "customer": {"$ref": "#/components/schemas/Customer"},
                "status": {"type": "string", "enum": ["open", "closed"]},
            },
        },
        "Customer": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Pet": {
            "oneOf": [{"$ref": "#/components/schemas/Cat"}, {"$ref": "#/components/schemas/Dog"}],
            "discriminator": {
                "propertyName": "kind",
                "mapping": {"cat": "#/components/schemas/Cat", "dog": "Dog"},
            },
        },
        "Cat": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
        "OrderLine": {"type": "object", "properties": {"quantity": {"type": "integer"}}},
        "Tree": {
            "type": "object",
            "properties": {"children": {"type": "array", "items": {"$recursiveRef": "#"}}},
        },
    }
    for n in range(12):
        schemas[f"Loose{n}"] = {
            "type": "object",
            "description": f"Loose schema number {n}.",
            "properties": {"value": {"type": "string", "enum": ["a", "b"]}},
        }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Groups", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def recorded_runs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """The schemas each datamodel-code-generator run reads, in the order the runs come."""
    read: list[list[str]] = []
    real = models.run_datamodel_codegen

    def recorded(doc: Any, spec: dict[str, Any], *rest: Any) -> CodegenRun:
        read.append(list(spec["components"]["schemas"]))
        return real(doc, spec, *rest)

    monkeypatch.setattr(models, "run_datamodel_codegen", recorded)
    return read


@pytest.fixture
def small_groups(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """Groups from a spec of 19 schemas, and the schemas of each datamodel-code-generator run."""
    monkeypatch.setattr(model_groups, "SPLIT_MIN_SCHEMAS", 10)
    monkeypatch.setattr(model_groups, "OWN_GROUP_MIN", 2)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    return recorded_runs(monkeypatch)


def _models(tmp_path: Path, spec: dict[str, Any]) -> ModelSource:
    return models_of(tmp_path, spec, PACKAGE)


def _formatted(source: ModelSource) -> dict[str, str]:
    """The modules as the SDK writes them: datamodel-code-generator orders a module's imports by
    what its run imported first, which isort settles."""
    return format_tree({f"{PACKAGE}/models/{m.name}.py": m.text for m in source.modules}, PACKAGE)


def _one_run(tmp_path: Path, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> ModelSource:
    with monkeypatch.context() as patch:
        patch.setattr(model_groups, "SPLIT_MIN_SCHEMAS", 10_000)
        patch.setattr(model_pieces, "PIECES_MIN_SCHEMAS", 10_000)
        patch.setenv("SDKGEN_NO_CACHE", "1")
        return _models(tmp_path, spec)


def test_groups_follow_references_and_discriminator_mappings_both_ways(small_groups: list[list[str]]) -> None:
    groups = schema_groups(_spec()["components"]["schemas"])
    assert groups[0] == ["Order", "Customer"]  # a group in document order, however it was found
    assert ["Pet", "Cat", "Dog"] in groups
    mapping_only = {
        "discriminator": {"propertyName": "kind", "mapping": {"a": "#/components/schemas/A", "b": "B"}}
    }
    assert sorted(model_groups.references(mapping_only)) == ["A", "B"]  # a mapping names its schemas
    everything = sorted(key for group in groups for key in group)
    assert everything == sorted(_spec()["components"]["schemas"])
    assert len(groups) <= 2 + model_groups.BINS  # the loose schemas share the bins
    assert merged([["A"], ["B"], ["C"]], [(2, 0)]) == [["A", "C"], ["B"]]
    with pytest.MonkeyPatch.context() as patch:  # only the largest parts have a group of their own
        patch.setattr(model_groups, "OWN_GROUPS_MAX", 1)
        fewer = schema_groups(_spec()["components"]["schemas"])
    assert ["Pet", "Cat", "Dog"] in fewer and ["Order", "Customer"] not in fewer
    assert any({"Order", "Customer"} <= set(group) for group in fewer)


def test_models_made_by_groups_are_the_models_of_one_run(
    small_groups: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    grouped = _models(tmp_path, _spec())
    # the inline OrderLine of Order met the component OrderLine: their groups were made again as one
    assert len(small_groups) > len(schema_groups(_spec()["components"]["schemas"]))
    assert max(map(len, small_groups)) < len(_spec()["components"]["schemas"])
    whole = _one_run(tmp_path, _spec(), monkeypatch)
    assert _formatted(grouped) == _formatted(whole)
    assert sorted(grouped.names) == sorted(whole.names)
    assert grouped.component_classes == whole.component_classes
    assert "Literal['cat']" in next(m.text for m in grouped.modules if "Cat" in m.names)
    assert "class OrderLine(" in grouped.text and "class OrderLineModel(" in grouped.text
    # `$recursiveRef` is a 2019-09 keyword, which OpenAPI 3.1 ignores: any value, no model for the
    # document it would point at (one, shared by every group that said it, would join them all)
    assert "children: list[Any] | None = None" in next(m.text for m in grouped.modules if "Tree" in m.names)
    assert not [name for name in grouped.names if name.startswith("Field")]


def test_an_edit_makes_the_models_of_its_group_alone(
    small_groups: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _models(tmp_path, _spec())
    small_groups.clear()
    edited = copy.deepcopy(_spec())
    edited["components"]["schemas"]["Cat"]["properties"]["lives"] = {"type": "integer"}
    again = _models(tmp_path, edited)
    assert small_groups == [["Pet", "Cat", "Dog"]]
    whole = _one_run(tmp_path, edited, monkeypatch)
    assert _formatted(again) == _formatted(whole)
    assert "lives: int | None = None" in next(m.text for m in again.modules if "Cat" in m.names)


def test_the_full_openai_spec_in_groups_has_the_models_of_one_run(monkeypatch: pytest.MonkeyPatch) -> None:
    """What the SDK and `diff` read of the models, grouped (the largest group in pieces) and in one
    run: names, component classes, fields, imports, the members `diff` compares, and each module
    once formatted."""
    needs_shared(FULL)
    doc = load(FULL)
    spec = prepare_spec(doc.data, "open_ai_api", {})
    reserved = SDK_NAMES | sdk_class_names(spec, Config(spec=FULL))
    schemas = spec["components"]["schemas"]
    groups = schema_groups(schemas)
    assert len(groups) > 1 and max(map(len, groups)) < len(schemas) // 2
    largest = max(groups, key=len)
    assert len(model_pieces.pieces({key: schemas[key] for key in largest})) > 4
    grouped = generate_models(doc, spec, "open_ai_api", reserved)
    with monkeypatch.context() as patch:
        patch.setattr(model_groups, "SPLIT_MIN_SCHEMAS", 10**6)
        patch.setattr(model_pieces, "PIECES_MIN_SCHEMAS", 10**6)
        patch.setenv("SDKGEN_NO_CACHE", "1")
        whole = generate_models(doc, spec, "open_ai_api", reserved)
    assert grouped.names and sorted(grouped.names) == sorted(whole.names)
    assert grouped.component_classes == whole.component_classes
    assert grouped.imports == whole.imports
    assert {k: [ast.dump(f) for f in v] for k, v in grouped.fields.items()} == {
        k: [ast.dump(f) for f in v] for k, v in whole.fields.items()
    }
    assert _model_members(grouped.text) == _model_members(whole.text)
    assert [m.name for m in grouped.modules] == [m.name for m in whole.modules]
    changed = [a.name for a, b in zip(grouped.modules, whole.modules, strict=True) if a.text != b.text]
    assert _formatted_modules(grouped, changed) == _formatted_modules(whole, changed)


def _formatted_modules(source: ModelSource, names: list[str]) -> dict[str, str]:
    chosen = {f"open_ai_api/models/{m.name}.py": m.text for m in source.modules if m.name in names}
    return format_tree(chosen, "open_ai_api")


def test_the_groups_the_worker_can_make_come_first_each_kind_largest_first(
    small_groups: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Groups small enough for datamodel-code-generator's worker are made first, while the render
    child has little else to do, and the parent formats their models while the child makes the
    larger ones itself (the full spec's cold run: 0.3 s less); in each kind, the largest first."""
    monkeypatch.setattr(codegen_worker, "MAX_SCHEMAS", 3)
    groups = schema_groups(_spec()["components"]["schemas"])
    _models(tmp_path, _spec())
    sizes = [len(run) for run in small_groups[: len(groups)]]
    assert sorted(sizes) == sorted(map(len, groups))
    assert sizes == sorted(sizes, key=lambda n: (n > 3, -n))
    assert sizes != sorted(sizes, reverse=True), "a group larger than the worker takes comes last"
