"""The effective-schema model: references followed, `allOf` merged with where each property comes
from, nullability in each of its spellings, and discriminator mappings completed from the branches."""

from __future__ import annotations

from typing import Any

from generator.effective import EffectiveSchemas

SPEC: dict[str, Any] = {
    "components": {
        "schemas": {
            "Named": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "Alias": {"$ref": "#/components/schemas/Named"},
            "Pet": {
                "allOf": [
                    {"$ref": "#/components/schemas/Alias"},
                    {
                        "type": "object",
                        "required": ["kind"],
                        "properties": {"kind": {"type": "string", "enum": ["cat"]}, "id": {"readOnly": True}},
                    },
                ],
                "properties": {"name": {"type": "string", "maxLength": 9}, "secret": {"writeOnly": True}},
            },
            "Node": {"type": "object", "properties": {"next": {"$ref": "#/components/schemas/Node"}}},
            "Loop": {"$ref": "#/components/schemas/Loop"},
            "Dog": {"type": "object", "properties": {"kind": {"const": "dog"}}},
            "Bird": {"type": "object", "properties": {"kind": {"type": "string"}}},
            "Animal": {
                "oneOf": [
                    {"$ref": "#/components/schemas/Pet"},
                    {"$ref": "#/components/schemas/Dog"},
                    {"$ref": "#/components/schemas/Bird"},
                ],
                "discriminator": {"propertyName": "kind", "mapping": {"kitty": "Pet"}},
            },
        }
    }
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def test_references_are_followed_and_name_the_first_component() -> None:
    schemas = EffectiveSchemas(SPEC)
    target = schemas.resolve(_ref("Alias"))
    assert target.name == "Alias" and target.origin == ("components", "schemas", "Named")
    assert target.schema["required"] == ["name"]
    assert schemas.resolve(_ref("Loop")).schema == {}, "a reference cycle leads nowhere"
    assert schemas.resolve(_ref("Missing")).schema == {}


def test_allof_is_merged_with_the_origin_of_every_property() -> None:
    view = EffectiveSchemas(SPEC).object(_ref("Pet"))
    assert list(view.properties) == ["name", "kind", "id", "secret"]
    assert view.properties["name"] == {"type": "string", "maxLength": 9}, "the own definition wins"
    assert view.required == {"name", "kind"}
    assert view.read_only == {"id"} and view.write_only == {"secret"}
    assert view.origins == {
        "name": ("components", "schemas", "Pet"),
        "kind": ("components", "schemas", "Pet", "allOf", 1),
        "id": ("components", "schemas", "Pet", "allOf", 1),
        "secret": ("components", "schemas", "Pet"),
    }


def test_a_recursive_object_keeps_its_reference() -> None:
    view = EffectiveSchemas(SPEC).object(_ref("Node"))
    assert view.properties == {"next": _ref("Node")}


def test_nullability_in_each_spelling() -> None:
    schemas = EffectiveSchemas(SPEC)
    nullable = [
        {"type": "null"},
        {"type": ["string", "null"]},
        {"type": "string", "nullable": True},
        {"anyOf": [{"type": "string"}, {"type": "null"}]},
        {"allOf": [_ref("Named"), {"nullable": True}]},
    ]
    assert all(schemas.nullable(s) for s in nullable)
    assert not any(
        schemas.nullable(s) for s in [{"type": "string"}, _ref("Named"), {"allOf": [_ref("Named")]}]
    )


def test_a_discriminator_maps_every_branch() -> None:
    found = EffectiveSchemas(SPEC).discriminator(_ref("Animal"))
    assert found is not None and found.property == "kind"
    assert found.mapping == {
        "kitty": "#/components/schemas/Pet",  # explicit, a bare name made a reference
        "dog": "#/components/schemas/Dog",  # the branch's const
        "Bird": "#/components/schemas/Bird",  # nothing listed: the schema's name
    }
    assert EffectiveSchemas(SPEC).discriminator(_ref("Pet")) is None
