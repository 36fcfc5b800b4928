"""Descriptions left out of what datamodel-code-generator and openapi-spec-validator read
(`generator/descriptions.py`): the models are those datamodel-code-generator writes from the
schemas as they are, and an edit of descriptions alone runs neither of them again."""

from __future__ import annotations

import ast
import copy
import json
from pathlib import Path
from typing import Any

import pytest

import generator.models as models
import generator.validate as validate
from generator import model_groups
from generator.descriptions import MARK, with_descriptions, without_descriptions, without_prose
from generator.loader import load
from generator.model_codegen import CodegenRun
from generator.models import ModelSource
from tests.conftest import models_of, run_cli

PACKAGE = "pkg"
TEXTS = [
    "Plain.",
    "Two lines,\nthe second longer.\n\nA paragraph after a blank line.\n",
    'Ends with a quote "',
    'Has """triple quotes""" inside, a backslash \\ and an escape \\n written out',
    "Ends with a backslash \\",
    "  Leading and trailing spaces  ",
    "Unicode: café, 日本, 🎉",
    f"{MARK}0",  # a placeholder's own text
    "\tTabbed\n\tlines",
]


def _spec(texts: list[str], marker: bool = False) -> dict[str, Any]:
    """Every place a description reaches a model: a class, its fields (one shared text), a type
    alias, an enum, an array and a union; a blank description; a property called `description`;
    with `marker`, an enum value that looks like a placeholder."""
    a, b, c, d, e, f, g, h, i = texts
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "Texts", "version": "1", "description": a},
        "paths": {},
        "components": {
            "schemas": {
                "Order": {
                    "type": "object",
                    "description": a,
                    "properties": {
                        "id": {"type": "string", "description": b},
                        "note": {"type": "string", "description": b},
                        "description": {"type": "string", "description": c},
                        "line": {
                            "type": "object",
                            "description": d,
                            "properties": {"sku": {"type": "string", "description": e}},
                        },
                        "kind": {"$ref": "#/components/schemas/Kind"},
                        "tags": {"$ref": "#/components/schemas/Tags"},
                        "blank": {"type": "string", "description": "   "},
                    },
                },
                "Kind": {"type": "string", "enum": ["big", "small"], "description": f},
                "Tags": {"type": "array", "items": {"type": "string", "description": g}, "description": h},
                "Token": {"type": "string", "description": i},
                "Shape": {
                    "description": h,
                    "oneOf": [{"$ref": "#/components/schemas/Order"}, {"type": "integer", "description": a}],
                },
            }
        },
    }
    if marker:
        spec["components"]["schemas"]["Marker"] = {
            "type": "object",
            "description": a,
            "properties": {"mark": {"type": "string", "enum": [f"{MARK}1"], "description": b}},
        }
    return spec


def _models(tmp_path: Path, spec: dict[str, Any]) -> ModelSource:
    return models_of(tmp_path, spec, PACKAGE)


def _as_they_are(tmp_path: Path, spec: dict[str, Any], monkeypatch: pytest.MonkeyPatch) -> ModelSource:
    """The models datamodel-code-generator writes from the schemas with their descriptions."""
    with monkeypatch.context() as patch:
        patch.setattr(models, "without_descriptions", lambda schemas: (schemas, []))
        patch.setenv("SDKGEN_NO_CACHE", "1")
        return _models(tmp_path, spec)


def _same(one: ModelSource, other: ModelSource) -> None:
    assert one.text == other.text
    assert one.modules == other.modules
    assert one.names == other.names and one.component_classes == other.component_classes
    assert one.imports == other.imports
    dumped = {k: [ast.dump(f) for f in v] for k, v in one.fields.items()}
    assert dumped == {k: [ast.dump(f) for f in v] for k, v in other.fields.items()}


def test_the_models_are_those_of_the_schemas_as_they_are(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    read: list[bool] = []  # for each run of datamodel-code-generator: did it read placeholders?
    real = models.run_datamodel_codegen

    def recorded(doc: Any, spec: dict[str, Any], *rest: Any) -> CodegenRun:
        read.append(TEXTS[0] not in json.dumps(spec))
        return real(doc, spec, *rest)

    monkeypatch.setattr(models, "run_datamodel_codegen", recorded)
    ours = _models(tmp_path, _spec(TEXTS))
    assert read == [True]
    _same(ours, _as_they_are(tmp_path, _spec(TEXTS), monkeypatch))
    assert ours.text.count(MARK) == ours.text.count(f'"""\n{MARK}0\n"""') == 2  # TEXTS[7], twice
    assert '    Ends with a backslash \\\\\n    """' in ours.text
    assert "    Two lines,\n    the second longer.\n\n    A paragraph" in ours.text
    read.clear()
    # a placeholder datamodel-code-generator writes anywhere but in a docstring: made again as they are
    marked = _models(tmp_path, _spec(TEXTS, marker=True))
    assert read == [True, False]
    _same(marked, _as_they_are(tmp_path, _spec(TEXTS, marker=True), monkeypatch))
    assert f"Literal['{MARK}1']" in marked.text


def test_placeholders_are_one_per_place_and_only_in_docstrings_are_written_back() -> None:
    schemas = _spec(TEXTS)["components"]["schemas"]
    skeleton, texts = without_descriptions(schemas)
    assert schemas == _spec(TEXTS)["components"]["schemas"], "the schemas themselves are not changed"
    order = skeleton["Order"]["properties"]
    assert order["id"]["description"] != order["note"]["description"]  # the same text, two places
    assert texts[int(order["note"]["description"].removeprefix(MARK))] == TEXTS[1]
    assert order["blank"]["description"] == "   " and "description" in order  # a property keeps its name
    assert sorted(texts) == sorted([*TEXTS, TEXTS[0], TEXTS[1], TEXTS[7]])  # two share each of three
    # one of two equal descriptions edited: the placeholders of the others do not move
    apart = _spec(TEXTS)
    apart["components"]["schemas"]["Order"]["properties"]["note"]["description"] = "A note."
    assert without_descriptions(apart["components"]["schemas"])[0] == skeleton
    docstring = f'    x: int\n    """\n    {MARK}0\n    """\n'
    assert with_descriptions(docstring, ["A\n\nB"]) == '    x: int\n    """\n    A\n\n    B\n    """\n'
    assert with_descriptions(f"# {MARK}0\n{docstring}", ["A"]) is None  # in a comment
    assert with_descriptions(docstring, []) is None  # a number no description has
    assert with_descriptions("x = 1\n", []) == "x = 1\n"


def test_an_edit_of_descriptions_alone_runs_no_model_generation(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    _models(tmp_path, _spec(TEXTS))
    edited_texts = ["Now\nthree\nlines", *TEXTS[1:4], "Another ending \\", *TEXTS[5:]]

    def refused(*args: Any) -> Any:
        raise AssertionError("datamodel-code-generator ran for an edit of descriptions")

    with monkeypatch.context() as patch:
        patch.setattr(models, "run_datamodel_codegen", refused)
        edited = _models(tmp_path, _spec(edited_texts))
    assert "    Now\n    three\n    lines\n" in edited.text and "Another ending \\\\" in edited.text
    _same(edited, _as_they_are(tmp_path, _spec(edited_texts), monkeypatch))
    structural = _spec(edited_texts)
    structural["components"]["schemas"]["Token"]["maxLength"] = 5
    with monkeypatch.context() as patch, pytest.raises(AssertionError, match="ran for an edit"):
        patch.setattr(models, "run_datamodel_codegen", refused)
        _models(tmp_path, structural)


VALIDATED = """\
openapi: 3.1.0
info: {title: V, version: "1"}
paths:
  /things:
    get:
      operationId: listThings
      summary: SUMMARY
      responses:
        "200": {description: ok}
components:
  schemas:
    Thing:
      type: object
      description: DESCRIPTION
      properties:
        size:
          type: integer
          default: big
"""


def test_the_validator_runs_again_for_structure_not_for_prose(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    runs: list[str] = []
    real = validate._spec_validator_findings

    def counted(doc: Any, version: str) -> Any:
        runs.append(doc.text)
        return real(doc, version)

    monkeypatch.setattr(validate, "_spec_validator_findings", counted)

    def diagnostics(text: str) -> list[tuple[int, int, str, str]]:
        path = tmp_path / "spec.yaml"
        path.write_text(text)
        return [(d.line, d.column, d.pointer, d.message) for d in validate.validate(load(path))]

    first = diagnostics(VALIDATED.replace("DESCRIPTION", "A thing."))
    assert [(line, pointer) for line, _, pointer, _ in first] == [
        (18, "#/components/schemas/Thing/properties/size/default")
    ]
    longer = VALIDATED.replace("DESCRIPTION", "|\n        A thing,\n        on three\n        lines.")
    moved = diagnostics(longer)
    assert len(runs) == 1, "an edit of a description found the validator's findings in the cache"
    assert [(line, pointer, message) for line, _, pointer, message in moved] == [
        (21, pointer, message) for _, _, pointer, message in first
    ]
    with monkeypatch.context() as patch:
        patch.setenv("SDKGEN_NO_CACHE", "1")
        assert diagnostics(longer) == moved
    elsewhere = longer.replace("SUMMARY", "List the things").replace("description: ok", "description: OK")
    assert diagnostics(elsewhere) == moved and len(runs) == 2, "an operation's and a response's prose"
    diagnostics(longer.replace("default: big", "default: huge"))
    assert len(runs) == 3, "a structural edit runs the validator again"
    quoting = VALIDATED.replace('"200": {description: ok}', '"200": {}')  # "'description' is required"
    diagnostics(quoting)
    diagnostics(quoting)
    assert len(runs) == 5, "findings that may quote a description are not cached"


def test_the_copy_keeps_shared_objects_shared() -> None:
    shared = {"type": "string", "description": "Shared."}
    skeleton, texts = without_descriptions({"A": {"properties": {"x": shared}}, "B": {"items": shared}})
    assert skeleton["A"]["properties"]["x"] is skeleton["B"]["items"]
    assert texts == ["Shared."] and copy.deepcopy(skeleton)["B"]["items"]["description"] == f"{MARK}0"


def test_a_diff_of_descriptions_makes_each_group_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`diff` renders the revision in a child; on a spec made group by group the base waits for its
    models, which an edit of descriptions leaves all in the cache."""
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(model_groups, "SPLIT_MIN_SCHEMAS", 3)
    monkeypatch.setattr(model_groups, "OWN_GROUP_MIN", 2)
    runs = tmp_path / "runs"
    real = models.run_datamodel_codegen

    def counted(*args: Any) -> CodegenRun:
        with runs.open("a") as handle:  # the child's runs too
            handle.write("run\n")
        return real(*args)

    monkeypatch.setattr(models, "run_datamodel_codegen", counted)
    sides = []
    for name, texts in (("base", TEXTS), ("revision", ["Changed.", *TEXTS[1:]])):
        path = tmp_path / f"{name}.json"
        path.write_text(json.dumps({**_spec(texts), "paths": {}}))
        sides.append(path)
    result = run_cli("diff", *sides, "--format", "json")
    assert result.exit_code == 0, result.stderr
    groups = model_groups.schema_groups(_spec(TEXTS)["components"]["schemas"])
    assert len(groups) > 1
    assert runs.read_text().count("run") == len(groups)
    modified = json.loads(result.stdout)["sdk"]["files"]["modified"]
    assert "texts/models/order.py" in modified and all(
        p == "README.md" or p.startswith(("docs/", "texts/models/")) for p in modified
    )


def test_the_validator_s_copy_leaves_out_prose_but_not_data() -> None:
    spec: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": "T", "version": "1", "description": "About"},
        "tags": [{"name": "t", "description": "Tagged"}],
        "paths": {
            "/a": {
                "summary": "Path",
                "get": {
                    "description": "Operation",
                    "parameters": [{"name": "p", "in": "query", "description": "Parameter"}],
                    "requestBody": {"description": "Body", "content": {}},
                    "responses": {
                        "200": {"description": "Response", "headers": {"X": {"description": "Header"}}}
                    },
                },
            }
        },
        "components": {
            "schemas": {
                "A": {"description": "Schema", "default": {"description": "data"}, "x-note": {"summary": "x"}}
            },
            "responses": {"Missing": {"description": "Gone"}},
            "parameters": {"q": {"name": "q", "in": "query", "description": ""}},
        },
    }
    before = copy.deepcopy(spec)
    plain = json.dumps(without_prose(spec))
    assert spec == before, "the document itself is not changed"
    prose = [
        "About",
        "Tagged",
        "Path",
        "Operation",
        "Parameter",
        "Body",
        "Response",
        "Header",
        "Schema",
        "Gone",
    ]
    assert not [text for text in prose if f'"{text}"' in plain]
    assert '{"description": "data"}' in plain and '{"summary": "x"}' in plain  # values, not prose
    assert '"description": ""' in plain  # a blank one stays blank
