"""Schemas without their descriptions: what model generation and the spec validator depend on.

A description changes nothing in a model but its docstring, and nothing in what openapi-spec-validator
finds (it must be a string, and stays one), while edits of descriptions are the commonest edits of
a spec. So datamodel-code-generator reads the component schemas with each description replaced by
a placeholder (numbered in the order they are met, one per place: were equal texts to share one,
an edit that tells two of them apart would change the rest's numbers) and its runs are cached by
those; each placeholder's docstring is then written with its description as
datamodel-code-generator writes one (its own `format_docstring`). A placeholder found anywhere but
in a docstring of its own (a comment, a hostile enum value) makes the caller run again on the
schemas as they are. The validator's findings are cached by a like copy of the whole document
(`without_prose`: its operations' and other objects' descriptions and summaries left out too).
"""

from __future__ import annotations

import re
from typing import Any

from .walk import HTTP_METHODS, SUBSCHEMA_LISTS, SUBSCHEMA_MAPS, SUBSCHEMA_SINGLE

MARK = "sdkgen-description-"
_DOCSTRING = re.compile(rf'"""\n( *){MARK}(\d+)\n\1"""')


def without_descriptions(schemas: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """A copy of the component schemas with placeholders for their descriptions, and the
    descriptions (a placeholder's number is its index). Blank descriptions stay: they make no
    docstring. Objects shared in `schemas` stay shared in the copy."""
    texts: list[str] = []
    copies: dict[int, dict[str, Any]] = {}
    pending: list[tuple[dict[str, Any], dict[str, Any]]] = []

    def copied(node: Any) -> Any:
        if not isinstance(node, dict):
            return node
        copy = copies.get(id(node))
        if copy is None:
            copy = copies[id(node)] = dict(node)
            pending.append((node, copy))
        return copy

    result = {key: copied(schema) for key, schema in schemas.items()}
    while pending:
        node, copy = pending.pop()
        text = node.get("description")
        if isinstance(text, str) and text.strip():
            copy["description"] = f"{MARK}{len(texts)}"
            texts.append(text)
        for key in SUBSCHEMA_MAPS:
            if isinstance(node.get(key), dict):
                copy[key] = {name: copied(sub) for name, sub in node[key].items()}
        for key in SUBSCHEMA_LISTS:
            if isinstance(node.get(key), list):
                copy[key] = [copied(sub) for sub in node[key]]
        for key in SUBSCHEMA_SINGLE:
            if key in node:
                copy[key] = copied(node[key])
    return result, texts


def with_descriptions(text: str, descriptions: list[str]) -> str | None:
    """`text` with each placeholder docstring written with its description; None when a
    placeholder appears anywhere else."""
    from datamodel_code_generator._python_syntax import format_docstring

    if not descriptions and MARK not in text:
        return text
    found = _DOCSTRING.findall(text)
    if len(found) != text.count(MARK) or any(int(number) >= len(descriptions) for _, number in found):
        return None
    return _DOCSTRING.sub(lambda m: format_docstring(descriptions[int(m[2])], len(m[1])), text)


_PROSE = ("description", "summary")


def without_prose(spec: dict[str, Any]) -> dict[str, Any]:
    """A copy of the document for the validator's cache: component schemas without their
    descriptions, and no description or summary in the info, tags, path items, operations,
    parameters, request bodies, responses and headers (inline, or as components). Only objects the
    OpenAPI schema reads as such are touched: a `description` key in an example, a default or an
    extension is data."""
    copy = _plain(spec, "info")
    if isinstance(copy.get("tags"), list):
        copy["tags"] = [plain_object(tag) for tag in copy["tags"]]
    if isinstance(copy.get("paths"), dict):
        copy["paths"] = {path: _path_item(item) for path, item in copy["paths"].items()}
    components = copy.get("components")
    if isinstance(components, dict):
        components = copy["components"] = dict(components)
        if isinstance(components.get("schemas"), dict):
            components["schemas"] = without_descriptions(components["schemas"])[0]
        for kind, plain in (
            ("parameters", plain_object),
            ("headers", plain_object),
            ("requestBodies", plain_object),
            ("responses", _response),
        ):
            if isinstance(components.get(kind), dict):
                components[kind] = {name: plain(obj) for name, obj in components[kind].items()}
    return copy


def _plain(holder: dict[str, Any], key: str) -> dict[str, Any]:
    """A copy of `holder` with its `key` object plain."""
    copy = dict(holder)
    if key in copy:
        copy[key] = plain_object(copy[key])
    return copy


def plain_object(obj: Any) -> Any:
    """An OpenAPI object without the text of its description and summary (blank ones kept)."""
    if not isinstance(obj, dict):
        return obj
    return {k: "-" if k in _PROSE and isinstance(v, str) and v.strip() else v for k, v in obj.items()}


def _path_item(item: Any) -> Any:
    if not isinstance(item, dict):
        return item
    copy = _parameters(plain_object(item))
    for method in HTTP_METHODS:
        if isinstance(copy.get(method), dict):
            operation = copy[method] = _parameters(_plain(plain_object(copy[method]), "requestBody"))
            if isinstance(operation.get("responses"), dict):
                operation["responses"] = {code: _response(r) for code, r in operation["responses"].items()}
    return copy


def _parameters(holder: dict[str, Any]) -> dict[str, Any]:
    if isinstance(holder.get("parameters"), list):
        holder["parameters"] = [plain_object(p) for p in holder["parameters"]]
    return holder


def _response(response: Any) -> Any:
    copy = plain_object(response)
    if isinstance(copy, dict) and isinstance(copy.get("headers"), dict):
        copy["headers"] = {name: plain_object(h) for name, h in copy["headers"].items()}
    return copy
