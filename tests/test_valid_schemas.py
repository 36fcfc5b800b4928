"""A schema's check against its meta-schema is a pure function of its content: a schema found
valid is not checked again, in this run or the next; an invalid one is reported wherever it is.
(jsonschema's own path: one jsonschema-rs finds valid skips jsonschema altogether, `fast_check`.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator import validate
from generator.loader import load

HEADER = """\
openapi: 3.1.0
info: {title: Twins, version: "1"}
paths: {}
components:
  schemas:
"""
SPEC = HEADER + """\
    A: {type: object, properties: {name: {type: string}}}
    B: {type: object, properties: {name: {type: string}}}
    C: {type: object, properties: {size: {type: 5}}}
    D: {type: object, properties: {size: {type: 5}}}
    E: {type: array, items: {type: integer}}
"""


def test_a_schema_found_valid_is_not_checked_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    checked: list[Any] = []
    real = validate._crawled_validator

    def counting(*args: Any, **kwargs: Any) -> Any:
        inner = real(*args, **kwargs)

        class Counted:
            def iter_errors(self, schema: Any) -> Any:
                checked.append(schema)
                return inner.iter_errors(schema)

        return Counted()

    validate._meta_schema_checker.cache_clear()
    monkeypatch.setattr(validate, "_crawled_validator", counting)
    monkeypatch.setattr(validate, "schema_check", lambda *args: None)  # jsonschema's own path
    path = tmp_path / "spec.yaml"
    path.write_text(SPEC)
    try:
        found = [(d.pointer, d.message) for d in validate.validate(load(path))]
    finally:
        validate._meta_schema_checker.cache_clear()  # drop the counting validator
    assert sorted(pointer for pointer, _ in found) == [
        "#/components/schemas/C/properties/size/type",
        "#/components/schemas/D/properties/size/type",
    ], found
    checked = [schema for schema in checked if "openapi" not in schema]  # not the whole document
    properties = [schema.get("properties") for schema in checked]
    assert properties.count({"name": {"type": "string"}}) == 1, "A's twin B was found valid already"
    assert properties.count({"size": {"type": 5}}) == 2, "an invalid schema is checked where it is"
    assert len(checked) == 4


NESTED = HEADER + """\
    A: {type: object, properties: {x: {type: object, properties: {p: {type: string}, q: {minimum: 0}}}}}
    B: {type: array, items: {type: object, properties: {p: {type: string}, q: {minimum: 0}}}}
    C: {type: object, properties: {y: {type: object, properties: {z: {type: 7}}}}}
    D: {type: array, items: {type: object, properties: {z: {type: 7}}}}
"""


def test_a_subschema_found_valid_is_not_checked_again_where_it_recurs(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from jsonschema.validators import Draft202012Validator

    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    followed: list[Any] = []
    real = Draft202012Validator.VALIDATORS["$dynamicRef"]

    def counting(validator: Any, ref: Any, instance: Any, schema: Any) -> Any:
        followed.append(instance)
        return real(validator, ref, instance, schema)

    monkeypatch.setitem(Draft202012Validator.VALIDATORS, "$dynamicRef", counting)
    monkeypatch.setattr(validate, "schema_check", lambda *args: None)  # jsonschema's own path
    validate._meta_schema_checker.cache_clear()
    path = tmp_path / "spec.yaml"
    path.write_text(NESTED)
    try:
        found = sorted(d.pointer for d in validate.validate(load(path)))
    finally:
        monkeypatch.undo()
        validate._meta_schema_checker.cache_clear()
    assert found == [
        "#/components/schemas/C/properties/y/properties/z/type",
        "#/components/schemas/D/items/properties/z/type",
    ], "an invalid subschema is reported wherever it recurs"
    twin = {"type": "object", "properties": {"p": {"type": "string"}, "q": {"minimum": 0}}}
    assert followed.count(twin) == 1, "checked in A, taken as valid in B"
    assert followed.count({"type": "string"}) == 1
    assert followed.count({"type": 7}) == 2


SHARED = HEADER + """\
    Node: {type: object, properties: {children: {type: array, items: {$ref: "#/components/schemas/Node"}}}}
    Size: {type: integer, default: big}
    Box:
      type: object
      properties: {width: {$ref: "#/components/schemas/Size"}, node: {$ref: "#/components/schemas/Node"}}
    Crate: {type: object, properties: {height: {$ref: "#/components/schemas/Size"}}}
"""


def test_the_walk_visits_a_schema_once_however_often_it_is_reached(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """openapi-spec-validator records the schemas it has visited in a list; ours answers `in` from
    a set (a list's `in` made the walk quadratic) and still stops recursion and repetition."""
    from openapi_spec_validator import OpenAPIV31SpecValidator

    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    path = tmp_path / "spec.yaml"
    path.write_text(SHARED)
    doc = load(path)
    found = [(d.pointer, d.message) for d in validate.validate(doc)]
    stock = [e.message for e in OpenAPIV31SpecValidator(doc.data).iter_errors()]
    assert stock == ["'big' is not of type 'integer'"], "reported once, though Size is reached twice"
    assert found == [
        (
            "#/components/schemas/Size/default",
            "default 'big' is not of type 'integer'; the SDK leaves this default out",
        )
    ]
    ids = validate._Ids()
    ids.append(7)
    ids.append(3)
    assert 3 in ids and 7 in ids and 5 not in ids and list(ids) == [7, 3]


def test_a_step_into_a_dict_or_a_list_is_the_step_pathable_takes() -> None:
    """The validator steps into dicts and lists without asking a runtime Protocol first; what it
    finds, and the KeyError where it finds nothing, are pathable's own, for every kind of node."""
    from pathable.accessors import SubscriptableAccessor

    patched = SubscriptableAccessor.__dict__["_get_subnode"].__func__
    original = patched.__closure__[0].cell_contents  # pathable's own step

    def outcome(step: Any, node: Any, part: Any) -> Any:
        try:
            return ("found", step(SubscriptableAccessor, node, part))
        except KeyError as exc:
            return ("KeyError", exc.args)

    nodes = [{"a": {"b": 1}}, [10, 20], "text", 5, None, ({"a": 1},)]
    for node in nodes:
        for part in ("a", "missing", 0, 1, 7):
            assert outcome(patched, node, part) == outcome(original, node, part)
    assert outcome(patched, {"a": {"b": 1}}, "a") == ("found", {"b": 1})
    assert outcome(patched, [10, 20], 5) == ("KeyError", (5,))
