"""Writes the diff corpus: one folder per case with base.yaml, revision.yaml and expected.json.

Each case's expected outcome is written here by hand, from the rule's meaning, not from a run of
the tool. Run `python tests/diff_cases/make_cases.py` after editing a case; the test reads the
folders only.
"""

from __future__ import annotations

import copy
import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).parent
ITEM = {"$ref": "#/components/schemas/Item"}

BASE: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Corpus", "version": "1.0.0", "description": "A small API for diff cases."},
    "servers": [{"url": "https://api.example.com"}],
    "security": [{"key": []}],
    "paths": {
        "/items": {
            "get": {
                "operationId": "listItems",
                "description": "List items.",
                "parameters": [
                    {
                        "name": "limit",
                        "in": "query",
                        "schema": {"type": "integer", "minimum": 1, "maximum": 100},
                    },
                    {"name": "kind", "in": "query", "schema": {"type": "string", "enum": ["a", "b"]}},
                    {"name": "cursor", "in": "query", "required": True, "schema": {"type": "string"}},
                    {"name": "order", "in": "query", "schema": {"type": "string", "default": "asc"}},
                ],
                "responses": {
                    "200": {
                        "description": "ok",
                        "content": {"application/json": {"schema": {"type": "array", "items": ITEM}}},
                    }
                },
            },
            "post": {
                "operationId": "createItem",
                "requestBody": {
                    "required": True,
                    "content": {
                        "application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}},
                        "application/x-www-form-urlencoded": {
                            "schema": {"$ref": "#/components/schemas/NewItem"}
                        },
                    },
                },
                "responses": {
                    "201": {"description": "created", "content": {"application/json": {"schema": ITEM}}},
                    "400": {"description": "bad request"},
                },
            },
        },
        "/items/{id}": {
            "parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {
                "operationId": "getItem",
                "responses": {
                    "200": {"description": "ok", "content": {"application/json": {"schema": ITEM}}}
                },
            },
            "put": {
                "operationId": "replaceItem",
                "responses": {"204": {"description": "replaced"}},
            },
            "patch": {
                "operationId": "patchItem",
                "requestBody": {
                    "required": False,
                    "content": {
                        "application/json": {
                            "schema": {"type": "object", "properties": {"n": {"type": "integer"}}}
                        }
                    },
                },
                "responses": {"204": {"description": "patched"}},
            },
        },
        "/public": {
            "get": {
                "operationId": "getPublic",
                "security": [],
                "responses": {"200": {"description": "ok"}},
            }
        },
        "/admin": {
            "get": {
                "operationId": "getAdmin",
                "security": [{"key": []}, {"token": []}],
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
    "components": {
        "securitySchemes": {
            "key": {"type": "http", "scheme": "bearer"},
            "token": {"type": "apiKey", "in": "header", "name": "X-Token"},
        },
        "schemas": {
            "NewItem": {
                "type": "object",
                "required": ["name"],
                "properties": {
                    "name": {"type": "string", "maxLength": 50},
                    "size": {"type": "integer", "minimum": 0, "maximum": 10},
                    "color": {"type": "string", "enum": ["red", "green"], "default": "red"},
                    "note": {"type": "string"},
                    "tags": {"type": "array", "items": {"type": "string"}, "maxItems": 5},
                    "value": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
                    "shade": {"$ref": "#/components/schemas/Shade"},
                },
            },
            "Item": {
                "type": "object",
                "required": ["id", "name"],
                "properties": {
                    "id": {"type": "string"},
                    "name": {"type": "string"},
                    "size": {"type": "integer", "maximum": 10},
                    "color": {"type": "string", "enum": ["red", "green"]},
                    "note": {"type": ["string", "null"]},
                    "extra": {"anyOf": [{"type": "string"}, {"type": "integer"}]},
                    "shade": {"$ref": "#/components/schemas/Shade"},
                },
            },
            "Shade": {"type": "string", "enum": ["light", "dark"]},
            "Unused": {"type": "object", "properties": {"a": {"type": "string"}}},
        },
    },
}

Mutation = Callable[[dict[str, Any]], None]
CASES: list[tuple[str, Mutation | None, Mutation, list[dict[str, Any]]]] = []


def case(
    name: str,
    change: Mutation,
    expected: list[tuple[str, str, str | None]],
    base: Mutation | None = None,
    **extra: Any,
) -> None:
    """expected: (rule id, level, operation or component) for every change the diff must report."""
    rows = [{"id": i, "level": lv, "where": w} for i, lv, w in expected]
    CASES.append((name, base, change, [{"changes": rows, **extra}]))


def op(spec: dict[str, Any], path: str, method: str) -> dict[str, Any]:
    return spec["paths"][path][method]


def param(spec: dict[str, Any], name: str) -> dict[str, Any]:
    return next(p for p in op(spec, "/items", "get")["parameters"] if p["name"] == name)


def new_item(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]["NewItem"]


def item(spec: dict[str, Any]) -> dict[str, Any]:
    return spec["components"]["schemas"]["Item"]


LIST, CREATE, GET, PUT, PATCH = (
    "GET /items",
    "POST /items",
    "GET /items/{id}",
    "PUT /items/{id}",
    "PATCH /items/{id}",
)
ERR, WARN, INFO = "ERR", "WARN", "INFO"

# --- paths and operations ------------------------------------------------------------------------
case(
    "endpoint_added",
    lambda s: s["paths"]["/items/{id}"].update(
        delete={"operationId": "deleteItem", "responses": {"204": {"description": "gone"}}}
    ),
    [("endpoint-added", INFO, "DELETE /items/{id}")],
)
case(
    "path_added",
    lambda s: s["paths"].update(
        {"/other": {"get": {"operationId": "getOther", "responses": {"200": {"description": "ok"}}}}}
    ),
    [("endpoint-added", INFO, "GET /other")],
)
case(
    "path_removed",
    lambda s: s["paths"].pop("/public"),
    [("api-path-removed-without-deprecation", ERR, "GET /public")],
)
case(
    "path_removed_after_deprecation",
    lambda s: s["paths"].pop("/public"),
    [("api-path-removed-with-deprecation", INFO, "GET /public")],
    base=lambda s: op(s, "/public", "get").update(deprecated=True),
)
case(
    "operation_removed",
    lambda s: s["paths"]["/items"].pop("post"),
    [("api-removed-without-deprecation", ERR, CREATE)],
)
case(
    "operation_removed_after_deprecation",
    lambda s: s["paths"]["/items"].pop("post"),
    [("api-removed-with-deprecation", INFO, CREATE)],
    base=lambda s: op(s, "/items", "post").update(deprecated=True),
)
case(
    "endpoint_deprecated",
    lambda s: op(s, "/items", "get").update(deprecated=True),
    [("endpoint-deprecated", INFO, LIST)],
)
case(
    "endpoint_reactivated",
    lambda s: op(s, "/items", "get").pop("deprecated"),
    [("endpoint-reactivated", INFO, LIST)],
    base=lambda s: op(s, "/items", "get").update(deprecated=True),
)
case(
    "operation_id_changed",
    lambda s: op(s, "/items", "get").update(operationId="listAllItems"),
    [("api-operation-id-removed", INFO, LIST)],
)
case(
    "operation_id_added",
    lambda s: op(s, "/items/{id}", "put").update(operationId="replaceItem"),
    [("api-operation-id-added", INFO, PUT)],
    base=lambda s: op(s, "/items/{id}", "put").pop("operationId"),
)
case(
    "operation_removed_before_its_sunset",
    lambda s: s["paths"]["/items"].pop("post"),
    [("api-removed-before-sunset", ERR, CREATE)],
    base=lambda s: op(s, "/items", "post").update({"deprecated": True, "x-sunset": "9999-12-31"}),
)
case(
    "operation_removed_after_its_sunset",
    lambda s: s["paths"]["/items"].pop("post"),
    [],
    base=lambda s: op(s, "/items", "post").update({"deprecated": True, "x-sunset": "2001-01-01"}),
)
case(
    "path_of_an_alpha_operation_removed",
    lambda s: s["paths"].pop("/public"),
    [],
    base=lambda s: op(s, "/public", "get").update({"x-stability-level": "alpha"}),
)
case(
    "stability_decreased",
    lambda s: op(s, "/items", "get").update({"x-stability-level": "beta"}),
    [("api-stability-decreased", ERR, LIST)],
)
case(
    "stability_increased",
    lambda s: op(s, "/items", "get").update({"x-stability-level": "stable"}),
    [("api-stability-increased", INFO, LIST)],
    base=lambda s: op(s, "/items", "get").update({"x-stability-level": "beta"}),
)
case(
    "alpha_operation_changed",  # draft and alpha operations may change without notice
    lambda s: op(s, "/items", "get")["parameters"].pop(0),
    [],
    base=lambda s: op(s, "/items", "get").update({"x-stability-level": "alpha"}),
)
case(
    "stability_level_invalid",
    lambda s: op(s, "/items", "get").update({"x-stability-level": "gold"}),
    [("api-invalid-stability-level", ERR, LIST)],
)
case(
    "tag_changed",  # the SDK moves the method from client.items to client.catalog
    lambda s: op(s, "/items", "get").update(tags=["catalog"]),
    [("api-tag-added", INFO, LIST), ("api-tag-removed", INFO, LIST)],
    base=lambda s: op(s, "/items", "get").update(tags=["items"]),
)

# --- parameters -------------------------------------------------------------------------------
case(
    "new_required_parameter",
    lambda s: op(s, "/items", "get")["parameters"].append(
        {"name": "tenant", "in": "query", "required": True, "schema": {"type": "string"}}
    ),
    [("new-required-request-parameter", ERR, LIST)],
)
case(
    "new_optional_parameter",
    lambda s: op(s, "/items", "get")["parameters"].append(
        {"name": "q", "in": "query", "schema": {"type": "string"}}
    ),
    [("new-optional-request-parameter", INFO, LIST)],
)
case(
    "new_optional_header_parameter",
    lambda s: op(s, "/items", "get")["parameters"].append(
        {"name": "X-Trace", "in": "header", "schema": {"type": "string"}}
    ),
    [("new-optional-request-parameter", INFO, LIST)],
)
case(
    "parameter_removed",
    lambda s: op(s, "/items", "get")["parameters"].pop(1),
    [("request-parameter-removed", WARN, LIST)],
)
case(
    "deprecated_parameter_removed",
    lambda s: op(s, "/items", "get")["parameters"].pop(1),
    [("request-parameter-removed-with-deprecation", INFO, LIST)],
    base=lambda s: param(s, "kind").update(deprecated=True),
)
case(
    "parameter_removed_before_its_sunset",
    lambda s: op(s, "/items", "get")["parameters"].pop(1),
    [("request-parameter-removed-before-sunset", ERR, LIST)],
    base=lambda s: param(s, "kind").update({"deprecated": True, "x-sunset": "9999-12-31"}),
)
case(
    "parameter_removed_after_its_sunset",
    lambda s: op(s, "/items", "get")["parameters"].pop(1),
    [],
    base=lambda s: param(s, "kind").update({"deprecated": True, "x-sunset": "2001-01-01"}),
)
case(
    "parameter_deprecated",
    lambda s: param(s, "kind").update(deprecated=True),
    [("request-parameter-deprecated", INFO, LIST)],
)
case(
    "parameter_became_required",
    lambda s: param(s, "limit").update(required=True),
    [("request-parameter-became-required", ERR, LIST)],
)
case(
    "parameter_became_optional",
    lambda s: param(s, "cursor").update(required=False),
    [("request-parameter-became-optional", INFO, LIST)],
)
case(
    "parameter_type_changed",
    lambda s: param(s, "limit")["schema"].update(type="string"),
    [("request-parameter-type-changed", ERR, LIST)],
)
case(
    "parameter_enum_value_added",
    lambda s: param(s, "kind")["schema"]["enum"].append("c"),
    [("request-parameter-enum-value-added", INFO, LIST)],
)
case(
    "parameter_enum_value_removed",
    lambda s: param(s, "kind")["schema"]["enum"].remove("b"),
    [("request-parameter-enum-value-removed", ERR, LIST)],
)
case(
    "parameter_max_decreased",
    lambda s: param(s, "limit")["schema"].update(maximum=50),
    [("request-parameter-max-decreased", ERR, LIST)],
)
case(
    "parameter_max_increased",
    lambda s: param(s, "limit")["schema"].update(maximum=500),
    [("request-parameter-max-increased", INFO, LIST)],
)
case(
    "parameter_min_increased",
    lambda s: param(s, "limit")["schema"].update(minimum=5),
    [("request-parameter-min-increased", ERR, LIST)],
)
case(
    "parameter_min_decreased",
    lambda s: param(s, "limit")["schema"].update(minimum=0),
    [("request-parameter-min-decreased", INFO, LIST)],
)
case(
    "parameter_max_length_set",
    lambda s: param(s, "cursor")["schema"].update(maxLength=64),
    [("request-parameter-max-length-set", ERR, LIST)],
)
case(
    "parameter_pattern_added",
    lambda s: param(s, "cursor")["schema"].update(pattern="^[a-z]+$"),
    [("request-parameter-pattern-added", ERR, LIST)],
)
case(
    "parameter_default_changed",
    lambda s: param(s, "order")["schema"].update(default="desc"),
    [("request-parameter-default-value-changed", INFO, LIST)],
)
case(
    "path_parameter_type_changed",
    lambda s: s["paths"]["/items/{id}"]["parameters"][0]["schema"].update(type="integer"),
    [
        ("request-parameter-type-changed", ERR, GET),
        ("request-parameter-type-changed", ERR, PUT),
        ("request-parameter-type-changed", ERR, PATCH),
    ],
)

# --- request bodies ------------------------------------------------------------------------------
case(
    "request_body_added_required",
    lambda s: op(s, "/items/{id}", "put").update(
        requestBody={
            "required": True,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}},
        }
    ),
    [("added-required-request-body", ERR, PUT)],
)
case(
    "request_body_added_optional",
    lambda s: op(s, "/items/{id}", "put").update(
        requestBody={"content": {"application/json": {"schema": {"$ref": "#/components/schemas/NewItem"}}}}
    ),
    [("added-optional-request-body", INFO, PUT)],
)
case(
    "request_body_removed",
    lambda s: op(s, "/items/{id}", "patch").pop("requestBody"),
    [("request-body-removed", ERR, PATCH)],
)
case(
    "request_body_became_required",
    lambda s: op(s, "/items/{id}", "patch")["requestBody"].update(required=True),
    [("request-body-became-required", ERR, PATCH)],
)
case(
    "request_body_became_optional",
    lambda s: op(s, "/items", "post")["requestBody"].update(required=False),
    [("request-body-became-optional", INFO, CREATE)],
)
case(
    "request_media_type_added",
    lambda s: op(s, "/items/{id}", "patch")["requestBody"]["content"].update(
        {"application/merge-patch+json": {"schema": {"type": "object"}}}
    ),
    [("request-body-media-type-added", INFO, PATCH)],
)
case(
    "request_media_type_removed",
    lambda s: op(s, "/items", "post")["requestBody"]["content"].pop("application/x-www-form-urlencoded"),
    [("request-body-media-type-removed", ERR, CREATE)],
)
case(
    "request_body_type_changed",
    lambda s: op(s, "/items/{id}", "patch")["requestBody"]["content"]["application/json"]["schema"].update(
        type="array"
    ),
    [("request-body-type-changed", ERR, PATCH)],
)
case(
    "inline_request_property_added_required",
    lambda s: op(s, "/items/{id}", "patch")["requestBody"]["content"]["application/json"]["schema"].update(
        properties={"n": {"type": "integer"}, "m": {"type": "string"}}, required=["m"]
    ),
    [("new-required-request-property", ERR, PATCH)],
)

# --- request properties (NewItem: requests only) -------------------------------------------------
case(
    "new_required_request_property",
    lambda s: (
        new_item(s)["properties"].update(sku={"type": "string"}),
        new_item(s)["required"].append("sku"),
    ),
    [("new-required-request-property", ERR, "NewItem")],
)
case(
    "new_optional_request_property",
    lambda s: new_item(s)["properties"].update(sku={"type": "string"}),
    [("new-optional-request-property", INFO, "NewItem")],
)
case(
    "request_property_removed",
    lambda s: new_item(s)["properties"].pop("size"),
    [("request-property-removed", WARN, "NewItem")],
)
case(
    "request_property_became_required",
    lambda s: new_item(s)["required"].append("size"),
    [("request-property-became-required", ERR, "NewItem")],
)
case(
    "request_property_became_optional",
    lambda s: new_item(s).update(required=[]),
    [("request-property-became-optional", INFO, "NewItem")],
)
case(
    "request_property_type_changed",
    lambda s: new_item(s)["properties"]["size"].update(type="string"),
    [("request-property-type-changed", ERR, "NewItem")],
)
case(
    "request_property_type_generalized",
    lambda s: new_item(s)["properties"]["size"].update(type="number"),
    [("request-property-type-generalized", INFO, "NewItem")],
)
case(
    "request_property_became_nullable",
    lambda s: new_item(s)["properties"]["note"].update(type=["string", "null"]),
    [("request-property-became-nullable", INFO, "NewItem")],
)
case(
    "request_property_became_not_nullable",
    lambda s: new_item(s)["properties"]["note"].update(type="string"),
    [("request-property-became-not-nullable", ERR, "NewItem")],
    base=lambda s: new_item(s)["properties"]["note"].update(type=["string", "null"]),
)
case(
    "request_property_enum_value_added",
    lambda s: new_item(s)["properties"]["color"]["enum"].append("blue"),
    [("request-property-enum-value-added", INFO, "NewItem")],
)
case(
    "request_property_enum_value_removed",
    lambda s: new_item(s)["properties"]["color"]["enum"].remove("green"),
    [("request-property-enum-value-removed", ERR, "NewItem")],
)
case(
    "request_property_max_decreased",
    lambda s: new_item(s)["properties"]["size"].update(maximum=5),
    [("request-property-max-decreased", ERR, "NewItem")],
)
case(
    "request_property_max_increased",
    lambda s: new_item(s)["properties"]["size"].update(maximum=20),
    [("request-property-max-increased", INFO, "NewItem")],
)
case(
    "request_property_min_increased",
    lambda s: new_item(s)["properties"]["size"].update(minimum=1),
    [("request-property-min-increased", ERR, "NewItem")],
)
case(
    "request_property_min_decreased",
    lambda s: new_item(s)["properties"]["size"].update(minimum=-5),
    [("request-property-min-decreased", INFO, "NewItem")],
)
case(
    "request_property_max_length_set",
    lambda s: new_item(s)["properties"]["note"].update(maxLength=10),
    [("request-property-max-length-set", ERR, "NewItem")],
)
case(
    "request_property_max_length_decreased",
    lambda s: new_item(s)["properties"]["name"].update(maxLength=20),
    [("request-property-max-length-decreased", ERR, "NewItem")],
)
case(
    "request_property_max_length_increased",
    lambda s: new_item(s)["properties"]["name"].update(maxLength=80),
    [("request-property-max-length-increased", INFO, "NewItem")],
)
case(
    "request_property_min_length_set",
    lambda s: new_item(s)["properties"]["note"].update(minLength=2),
    [("request-property-min-length-set", ERR, "NewItem")],
)
case(
    "request_property_max_items_decreased",
    lambda s: new_item(s)["properties"]["tags"].update(maxItems=3),
    [("request-property-max-items-decreased", ERR, "NewItem")],
)
case(
    "request_property_min_items_set",
    lambda s: new_item(s)["properties"]["tags"].update(minItems=1),
    [("request-property-min-items-set", ERR, "NewItem")],
)
case(
    "request_property_pattern_added",
    lambda s: new_item(s)["properties"]["note"].update(pattern="^x"),
    [("request-property-pattern-added", ERR, "NewItem")],
)
case(
    "request_property_pattern_changed",
    lambda s: new_item(s)["properties"]["note"].update(pattern="^y"),
    [("request-property-pattern-changed", WARN, "NewItem")],
    base=lambda s: new_item(s)["properties"]["note"].update(pattern="^x"),
)
case(
    "request_property_default_changed",
    lambda s: new_item(s)["properties"]["color"].update(default="green"),
    [("request-property-default-value-changed", INFO, "NewItem")],
)
case(
    "request_property_one_of_removed",
    lambda s: new_item(s)["properties"]["value"]["oneOf"].pop(),
    [("request-property-one-of-removed", ERR, "NewItem")],
)
case(
    "request_property_one_of_added",
    lambda s: new_item(s)["properties"]["value"]["oneOf"].append({"type": "boolean"}),
    [("request-property-one-of-added", INFO, "NewItem")],
)
case(
    "request_nested_items_type_changed",
    lambda s: new_item(s)["properties"]["tags"]["items"].update(type="integer"),
    [("request-property-type-changed", ERR, "NewItem")],
)

# --- response properties (Item: responses only) ----------------------------------------------------
case(
    "response_optional_property_added",
    lambda s: item(s)["properties"].update(owner={"type": "string"}),
    [("response-optional-property-added", INFO, "Item")],
)
case(
    "response_required_property_added",
    lambda s: (item(s)["properties"].update(owner={"type": "string"}), item(s)["required"].append("owner")),
    [("response-required-property-added", INFO, "Item")],
)
case(
    "response_required_property_removed",
    lambda s: (item(s)["properties"].pop("name"), item(s)["required"].remove("name")),
    [("response-required-property-removed", ERR, "Item")],
)
case(
    "response_optional_property_removed",
    lambda s: item(s)["properties"].pop("size"),
    [("response-optional-property-removed", INFO, "Item")],
)
case(
    "response_property_became_optional",
    lambda s: item(s)["required"].remove("name"),
    [("response-property-became-optional", ERR, "Item")],
)
case(
    "response_property_became_required",
    lambda s: item(s)["required"].append("size"),
    [("response-property-became-required", INFO, "Item")],
)
case(
    "response_property_type_changed",
    lambda s: item(s)["properties"]["size"].update(type="string"),
    [("response-property-type-changed", ERR, "Item")],
)
case(
    "response_property_type_generalized",
    lambda s: item(s)["properties"]["size"].update(type="number"),
    [("response-property-type-generalized", ERR, "Item")],
)
case(
    "response_property_became_nullable",
    lambda s: item(s)["properties"]["size"].update(type=["integer", "null"]),
    [("response-property-became-nullable", ERR, "Item")],
)
case(
    "response_property_became_not_nullable",
    lambda s: item(s)["properties"]["note"].update(type="string"),
    [("response-property-became-not-nullable", INFO, "Item")],
)
case(
    "response_property_enum_value_added",
    lambda s: item(s)["properties"]["color"]["enum"].append("blue"),
    [("response-property-enum-value-added", WARN, "Item")],
)
case(
    "response_property_enum_value_removed",
    lambda s: item(s)["properties"]["color"]["enum"].remove("green"),
    [("response-property-enum-value-removed", INFO, "Item")],
)
case(
    "response_property_max_increased",
    lambda s: item(s)["properties"]["size"].update(maximum=20),
    [("response-property-max-increased", ERR, "Item")],
)
case(
    "response_property_max_decreased",
    lambda s: item(s)["properties"]["size"].update(maximum=5),
    [("response-property-max-decreased", INFO, "Item")],
)
case(
    "response_property_any_of_added",
    lambda s: item(s)["properties"]["extra"]["anyOf"].append({"type": "boolean"}),
    [("response-property-any-of-added", ERR, "Item")],
)

# --- responses ------------------------------------------------------------------------------------
case(
    "success_status_replaced",
    lambda s: op(s, "/items", "post")["responses"].update(
        {"202": op(s, "/items", "post")["responses"].pop("201")}
    ),
    [("response-success-status-removed", ERR, CREATE), ("response-success-status-added", INFO, CREATE)],
)
case(
    "non_success_status_added",
    lambda s: op(s, "/items", "post")["responses"].update({"409": {"description": "conflict"}}),
    [("response-non-success-status-added", INFO, CREATE)],
)
case(
    "non_success_status_removed",
    lambda s: op(s, "/items", "post")["responses"].pop("400"),
    [("response-non-success-status-removed", INFO, CREATE)],
)
case(
    "response_media_type_added",
    lambda s: op(s, "/items/{id}", "get")["responses"]["200"]["content"].update(
        {"application/xml": {"schema": {"type": "string"}}}
    ),
    [("response-media-type-added", INFO, GET)],
)
case(
    "response_media_type_removed",
    lambda s: op(s, "/items/{id}", "get")["responses"]["200"]["content"].update(
        {
            "application/xml": op(s, "/items/{id}", "get")["responses"]["200"]["content"].pop(
                "application/json"
            )
        }
    ),
    [("response-media-type-removed", ERR, GET), ("response-media-type-added", INFO, GET)],
)

# --- security -------------------------------------------------------------------------------------
case(
    "operation_security_added",
    lambda s: op(s, "/public", "get").update(security=[{"key": []}]),
    [("api-security-added", ERR, "GET /public")],
)
case(
    "operation_security_alternative_removed",
    lambda s: op(s, "/admin", "get").update(security=[{"key": []}]),
    [("api-security-removed", ERR, "GET /admin")],
)
case(
    "global_security_added",
    lambda s: s.update(security=[{"key": []}]),
    [("api-global-security-added", ERR, None)],
    base=lambda s: s.pop("security"),
)

# --- components ------------------------------------------------------------------------------------
case(
    "shared_component_reported_once",
    lambda s: item(s)["properties"]["id"].update(type="integer"),
    [("response-property-type-changed", ERR, "Item")],
    reach=["GET /items (response)", "GET /items/{id} (response)", "POST /items (response)"],
)
case(
    "component_in_both_directions_rated_by_the_worst",
    lambda s: s["components"]["schemas"]["Shade"]["enum"].pop(),
    [("request-property-enum-value-removed", ERR, "Shade")],
    reach=[
        "GET /items (response)",
        "GET /items/{id} (response)",
        "POST /items (request)",
        "POST /items (response)",
    ],
)
case(
    "unreached_component_changed",
    lambda s: s["components"]["schemas"]["Unused"]["properties"]["a"].update(type="integer"),
    [("component-property-type-changed", INFO, "Unused")],
)
case(
    "unreached_component_removed",
    lambda s: s["components"]["schemas"].pop("Unused"),
    [("api-schema-removed", INFO, None)],
)
case(
    "component_added",
    lambda s: s["components"]["schemas"].update(Extra={"type": "string"}),
    [("component-schema-added", INFO, None)],
)
case(
    "probable_rename",
    lambda s: new_item(s)["properties"].update(memo=new_item(s)["properties"].pop("note")),
    [("request-property-removed", WARN, "NewItem"), ("new-optional-request-property", INFO, "NewItem")],
    rename="note -> memo",
)

# --- effective schemas: compared by what a client sends and receives --------------------------------


def moved_into_all_of(s: dict[str, Any]) -> None:
    """NewItem's name and size move into a new parent schema that NewItem extends."""
    schemas = s["components"]["schemas"]
    own = new_item(s)["properties"]
    schemas["ItemBase"] = {
        "type": "object",
        "required": ["name"],
        "properties": {"name": own.pop("name"), "size": own.pop("size")},
    }
    new_item(s)["required"].remove("name")
    schemas["NewItem"] = {"allOf": [{"$ref": "#/components/schemas/ItemBase"}, new_item(s)]}


case(
    "properties_moved_into_all_of",  # the raw composition is reported, at INFO: the values are the same
    moved_into_all_of,
    [
        ("component-schema-added", INFO, None),
        ("request-body-all-of-added", INFO, "NewItem"),
        ("request-body-all-of-added", INFO, "NewItem"),
    ],
)
case(
    "reference_wrapped_as_nullable",  # OpenAPI 3.0's way to say "a Shade, or null"
    lambda s: item(s)["properties"].update(
        shade={"allOf": [{"$ref": "#/components/schemas/Shade"}, {"nullable": True}]}
    ),
    [
        ("response-property-became-nullable", ERR, "Item"),
        ("response-property-all-of-added", INFO, "Item"),
        ("response-property-all-of-added-annotation-only", INFO, "Item"),
    ],
)
case(
    "enum_value_added_inside_a_one_of_branch",
    lambda s: new_item(s)["properties"]["value"]["oneOf"][0]["enum"].append("c"),
    [("request-property-enum-value-added", INFO, "NewItem")],
    base=lambda s: new_item(s)["properties"]["value"]["oneOf"][0].update(enum=["a", "b"]),
)
case(
    "branch_paired_by_its_component",
    lambda s: item(s)["properties"]["extra"]["anyOf"].reverse(),
    [],
)
case(
    "constraints_moved_into_a_nullable_any_of",
    lambda s: new_item(s)["properties"].update(
        size={"anyOf": [{"type": "integer", "minimum": 0, "maximum": 10}, {"type": "null"}]}
    ),
    [("request-property-became-nullable", INFO, "NewItem")],
)
case(
    "enum_moved_into_a_reference",
    lambda s: (
        s["components"]["schemas"].update(Color={"type": "string", "enum": ["red", "green"]}),
        item(s)["properties"].update(color={"$ref": "#/components/schemas/Color"}),
    ),
    [("component-schema-added", INFO, None)],
)
case(
    "required_read_only_property_added_to_a_request_schema",  # the server sets it: not sent
    lambda s: (
        new_item(s)["properties"].update(created={"type": "string", "readOnly": True}),
        new_item(s)["required"].append("created"),
    ),
    [],
)
case(
    "required_write_only_property_removed_from_a_response_schema",  # never received
    lambda s: (item(s)["properties"].pop("secret"), item(s)["required"].remove("secret")),
    [],
    base=lambda s: (
        item(s)["properties"].update(secret={"type": "string", "writeOnly": True}),
        item(s)["required"].append("secret"),
    ),
)
case(
    "read_only_enum_value_removed_from_a_request_schema",  # not sent: oasdiff's notice only
    lambda s: new_item(s)["properties"]["state"]["enum"].remove("done"),
    [("request-read-only-property-enum-value-removed", INFO, "NewItem")],
    base=lambda s: new_item(s)["properties"].update(
        state={"type": "string", "enum": ["open", "done"], "readOnly": True}
    ),
)
case(
    "write_only_enum_value_added_to_a_response_schema",  # never received: a notice, not a risk
    lambda s: item(s)["properties"]["mode"]["enum"].append("slow"),
    [("response-write-only-property-enum-value-added", INFO, "Item")],
    base=lambda s: item(s)["properties"].update(mode={"type": "string", "enum": ["fast"], "writeOnly": True}),
)
case(
    "item_constraint_inside_additional_properties",
    lambda s: item(s)["properties"]["tags"]["additionalProperties"].update(maxLength=5),
    [("response-property-max-length-set", INFO, "Item")],
    base=lambda s: item(s)["properties"].update(
        tags={"type": "object", "additionalProperties": {"type": "string"}}
    ),
)
case(
    "condition_added",
    lambda s: new_item(s).update(
        {"if": {"properties": {"size": {"const": 0}}}, "then": {"required": ["note"]}}
    ),
    [("request-body-if-added", ERR, "NewItem"), ("request-body-then-added", ERR, "NewItem")],
)


case(
    "pattern_properties_added_where_there_were_none",
    lambda s: new_item(s).update(patternProperties={"^x-": {"type": "string"}}),
    [("request-body-pattern-property-added", ERR, "NewItem")],
)
case(
    "min_contains_raised",
    lambda s: new_item(s)["properties"]["tags"].update(minContains=2),
    [("request-property-min-contains-increased", ERR, "NewItem")],
    base=lambda s: new_item(s)["properties"].update(
        tags={"type": "array", "items": {"type": "string"}, "contains": {"const": "x"}, "minContains": 1}
    ),
)
case(
    "prefix_items_that_repeat_items_change_nothing",
    lambda s: new_item(s)["properties"]["pair"].update(prefixItems=[{"type": "string"}]),
    [],
    base=lambda s: new_item(s)["properties"].update(pair={"type": "array", "items": {"type": "string"}}),
)
case(
    "content_encoding_changed",
    lambda s: new_item(s)["properties"]["blob"].update(contentEncoding="base32"),
    [("request-property-content-encoding-changed", ERR, "NewItem")],
    base=lambda s: new_item(s)["properties"].update(blob={"type": "string", "contentEncoding": "base64"}),
)


def deep_object_filter(s: dict[str, Any]) -> None:
    origin = {"type": "string", "enum": ["web", "app"]}
    op(s, "/items", "get")["parameters"].append(
        {
            "name": "filter",
            "in": "query",
            "style": "deepObject",
            "explode": True,
            "schema": {"type": "object", "properties": {"origin": origin}},
        }
    )


case(
    "deep_object_parameter_property_enum_value_removed",
    lambda s: param(s, "filter")["schema"]["properties"]["origin"]["enum"].remove("app"),
    [("request-parameter-property-enum-value-removed", ERR, LIST)],
    base=deep_object_filter,
)


def shared_trace_parameter(s: dict[str, Any]) -> None:
    trace = {"name": "X-Trace", "in": "header", "schema": {"type": "string", "maxLength": 64}}
    s["components"]["parameters"] = {"Trace": trace}
    for path, method in (("/items", "get"), ("/items/{id}", "get")):
        op(s, path, method).setdefault("parameters", []).append({"$ref": "#/components/parameters/Trace"})


case(
    "shared_parameter_changed_once",
    lambda s: s["components"]["parameters"]["Trace"]["schema"].update(maxLength=32),
    [("request-parameter-max-length-decreased", ERR, "Trace")],
    base=shared_trace_parameter,
    reach=["GET /items", "GET /items/{id}"],
)

case(
    "example_invalidated_by_a_tighter_limit",
    lambda s: item(s)["properties"]["size"].update(maximum=3),
    [("response-property-max-decreased", INFO, "Item"), ("example-invalidated", WARN, GET)],
    base=lambda s: op(s, "/items/{id}", "get")["responses"]["200"]["content"]["application/json"].update(
        example={"id": "i1", "name": "lamp", "size": 5}
    ),
)


def rename_path_parameter(s: dict[str, Any]) -> None:
    item_path = s["paths"].pop("/items/{id}")
    item_path["parameters"][0]["name"] = "itemId"
    s["paths"]["/items/{itemId}"] = item_path


case(
    "path_parameter_renamed",  # the same requests on the wire: not a path removed and one added
    rename_path_parameter,
    [("request-path-parameter-renamed", INFO, None)],
    rename="{id} -> {itemId}",
)


def shared_body_and_response(s: dict[str, Any]) -> None:
    body = {
        "content": {
            "application/json": {"schema": {"type": "object", "properties": {"n": {"type": "integer"}}}}
        }
    }
    gone = {
        "description": "gone",
        "content": {
            "application/json": {"schema": {"type": "object", "properties": {"why": {"type": "string"}}}}
        },
    }
    s["components"]["requestBodies"] = {"Patch": body}
    s["components"]["responses"] = {"Gone": gone}
    for path, method in (("/items/{id}", "patch"), ("/items/{id}", "put")):
        op(s, path, method)["requestBody"] = {"$ref": "#/components/requestBodies/Patch"}
        op(s, path, method)["responses"]["410"] = {"$ref": "#/components/responses/Gone"}


case(
    "shared_request_body_changed_once",
    lambda s: s["components"]["requestBodies"]["Patch"]["content"]["application/json"]["schema"][
        "properties"
    ]["n"].update(maximum=9),
    [("request-property-max-set", ERR, "Patch")],
    base=shared_body_and_response,
    reach=["PATCH /items/{id}", "PUT /items/{id}"],
)
case(
    "shared_response_changed_once",
    lambda s: s["components"]["responses"]["Gone"]["content"]["application/json"]["schema"]["properties"].pop(
        "why"
    ),
    [("response-optional-property-removed", INFO, "Gone")],
    base=shared_body_and_response,
    reach=["PATCH /items/{id}", "PUT /items/{id}"],
)

case(
    "parameter_null_added_as_a_type",  # OpenAPI 3.1: null is one more type of the parameter
    lambda s: param(s, "limit")["schema"].update(type=["integer", "null"]),
    [("request-parameter-list-of-types-widened", INFO, LIST)],
)
case(
    "wrapped_in_a_null_union_and_narrowed",  # not only nullability: the narrowing is the change
    lambda s: (
        new_item(s)["properties"].update(
            shade={"oneOf": [{"type": "null"}, {"$ref": "#/components/schemas/Shade"}]}
        ),
        s["components"]["schemas"]["Shade"]["enum"].remove("dark"),
    ),
    [("request-property-enum-value-removed", ERR, "Shade")],
)
case(
    "constraint_tightened_inside_not",  # compared as oasdiff compares it
    lambda s: new_item(s)["not"]["properties"]["note"].update(maxLength=5),
    [("request-property-max-length-decreased", ERR, "NewItem")],
    base=lambda s: new_item(s).update(
        {"not": {"required": ["note"], "properties": {"note": {"type": "string", "maxLength": 10}}}}
    ),
)


def stamp_required_through_all_of(s: dict[str, Any]) -> None:
    schemas = s["components"]["schemas"]
    schemas["Stamp"] = {"type": "object", "required": ["stamp"], "properties": {"stamp": {"type": "string"}}}
    schemas["NewItem"] = {"allOf": [new_item(s), {"$ref": "#/components/schemas/Stamp"}]}


case(
    "required_property_added_through_all_of",  # the composition narrows what requests may be
    stamp_required_through_all_of,
    [
        ("component-schema-added", INFO, None),
        ("request-body-all-of-added", ERR, "NewItem"),
        ("request-body-all-of-added", ERR, "NewItem"),
        ("new-required-request-property", ERR, "NewItem"),
    ],
)

case(
    "request_property_deprecated",
    lambda s: new_item(s)["properties"]["note"].update(deprecated=True),
    [("request-property-deprecated", INFO, "NewItem")],
)
case(
    "response_property_reactivated",
    lambda s: item(s)["properties"]["size"].pop("deprecated"),
    [("response-property-reactivated", INFO, "Item")],
    base=lambda s: item(s)["properties"]["size"].update(deprecated=True),
)


def rate_limit_headers(s: dict[str, Any]) -> None:
    op(s, "/items", "get")["responses"]["200"]["headers"] = {
        "X-RateLimit-Limit": {"required": True, "schema": {"type": "integer"}},
        "X-Request-Id": {"schema": {"type": "string"}},
    }


case(
    "response_headers_changed",
    lambda s: op(s, "/items", "get")["responses"]["200"].update(
        headers={
            "X-RateLimit-Limit": {"schema": {"type": "integer"}},
            "X-Trace": {"schema": {"type": "string"}},
        }
    ),
    [
        ("response-header-became-optional", ERR, LIST),
        ("optional-response-header-removed", WARN, LIST),
        ("response-header-added", INFO, LIST),
    ],
    base=rate_limit_headers,
)
case(
    "required_response_header_removed",
    lambda s: op(s, "/items", "get")["responses"]["200"]["headers"].pop("X-RateLimit-Limit"),
    [("required-response-header-removed", ERR, LIST)],
    base=rate_limit_headers,
)

# --- nothing that matters -------------------------------------------------------------------------
case("identical", lambda s: None, [], bump="none")
case(
    "description_only",
    lambda s: (
        op(s, "/items", "get").update(description="Lists every item."),
        s["info"].update(description="Reworded."),
    ),
    [],
    bump="patch",
)


def write() -> None:
    for folder in HERE.iterdir():
        if folder.is_dir():
            shutil.rmtree(folder)
    for name, base_change, change, (expected,) in CASES:
        base = copy.deepcopy(BASE)
        if base_change:
            base_change(base)
        revision = copy.deepcopy(base)
        change(revision)
        folder = HERE / name
        folder.mkdir()
        for file, spec in (("base.yaml", base), ("revision.yaml", revision)):
            (folder / file).write_text(yaml.safe_dump(spec, sort_keys=False, width=100))
        (folder / "expected.json").write_text(json.dumps(expected, indent=2) + "\n")


if __name__ == "__main__":
    write()
    print(f"{len(CASES)} cases written")
