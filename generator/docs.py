"""The documentation part of the IR: tables, examples and links, as Markdown, from the prepared spec."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from .effective import EffectiveSchemas
from .examples import fits, synthesize
from .ir import DocField, DocModel, DocResponse, Field, OperationDoc
from .media import body_kind, json_media, media_type, stream_media

RETRIED = frozenset({"408", "409", "429"})
MODELS_LINK = "../models/{name}.md"
_CODE_SPAN = re.compile(r"(`+)(.+?)\1", re.DOTALL)


def markdown_text(text: str) -> str:
    """Spec prose as Markdown: Markdown stays Markdown, raw HTML is escaped (not in code spans)."""
    out, last = [], 0
    for match in _CODE_SPAN.finditer(text):
        out.append(html.escape(text[last : match.start()], quote=False))
        out.append(match.group(0))
        last = match.end()
    out.append(html.escape(text[last:], quote=False))
    return "".join(out).strip()


def cell(text: str) -> str:
    """One table cell: a single line, with pipes escaped."""
    return " ".join(text.split()).replace("|", "\\|")


def first_sentence(text: str) -> str:
    match = re.match(r"(.+?[.!?])(\s|$)", " ".join(text.split()))
    return match.group(1) if match else " ".join(text.split())


def shell_quoted(text: str) -> str:
    """Text to put between single quotes in a POSIX shell."""
    return text.replace("'", "'\\''")


_ERROR_CLASSES = {
    "400": "BadRequestError",
    "401": "AuthenticationError",
    "403": "PermissionDeniedError",
    "404": "NotFoundError",
    "409": "ConflictError",
    "422": "UnprocessableEntityError",
    "429": "RateLimitError",
}


def error_class(status: str) -> str:
    """The runtime's exception for an error status (mirrors _STATUS_ERRORS in the runtime)."""
    if status in _ERROR_CLASSES:
        return _ERROR_CLASSES[status]
    return "InternalServerError" if status.startswith("5") else "APIStatusError"


def code(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    fence = "``" if "`" in text else "`"
    pad = " " if fence == "``" else ""
    return f"{fence}{pad}{text}{pad}{fence}"


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


def _named(schemas: EffectiveSchemas, schema: Any) -> tuple[str | None, Any]:
    target = schemas.resolve(schema)
    return target.name, target.schema


def type_text(schemas: EffectiveSchemas, schema: Any, depth: int = 0) -> str:
    """A readable type, linking to model pages: `array of [Tool](../models/Tool.md)`, `string or null`."""
    name, target = _named(schemas, schema)
    if name is not None:
        return f"[{name}]({MODELS_LINK.format(name=name)})"
    if not isinstance(target, dict) or depth > 6:
        return "any"
    if "const" in target:
        return code(target["const"])
    for key in ("anyOf", "oneOf"):
        if isinstance(target.get(key), list):
            return " or ".join(dict.fromkeys(type_text(schemas, b, depth + 1) for b in target[key]))
    kind = target.get("type")
    kinds = kind if isinstance(kind, list) else [kind] if kind else []
    texts = []
    for k in kinds:
        if k == "array":
            texts.append(f"array of {type_text(schemas, target.get('items'), depth + 1)}")
        else:
            texts.append(str(k))
    if target.get("nullable") is True:
        texts.append("null")
    return " or ".join(texts) if texts else ("object" if "properties" in target else "any")


def constraints(schemas: EffectiveSchemas, schema: Any, depth: int = 0) -> str:
    """Limits and allowed values, also those of a referenced scalar and of union branches."""
    name, target = _named(schemas, schema)
    if not isinstance(target, dict) or depth > 3:
        return ""
    if name is not None and (target.get("type") == "object" or "properties" in target):
        return ""
    parts = list(_own_constraints(target))
    for key in ("anyOf", "oneOf"):
        branches = target.get(key) or []
        texts = [constraints(schemas, branch, depth + 1) for branch in branches]
        open_union = any(not t and _is_plain_scalar(schemas, b) for t, b in zip(texts, branches, strict=True))
        for text in filter(None, texts):
            parts.append(text.replace("one of ", "known values ") if open_union else text)
    if isinstance(target.get("items"), dict):
        text = constraints(schemas, target["items"], depth + 1)
        if text:
            parts.append(f"items: {text}")
    return "; ".join(dict.fromkeys(parts))


def _range(low: Any, high: Any) -> str:
    if low is not None and high is not None:
        return f"{low} to {high}"
    if low is not None:
        return f"at least {low}"
    if high is not None:
        return f"at most {high}"
    return ""


def _own_constraints(s: dict[str, Any]) -> Iterator[str]:
    if text := _range(s.get("minimum"), s.get("maximum")):
        yield text
    for key, word in (("exclusiveMinimum", "greater than"), ("exclusiveMaximum", "less than")):
        if isinstance(s.get(key), int | float) and not isinstance(s.get(key), bool):
            yield f"{word} {s[key]}"
    for low_key, high_key, unit in (
        ("minLength", "maxLength", "characters"),
        ("minItems", "maxItems", "items"),
    ):
        text = _range(s.get(low_key), s.get(high_key))
        if text:
            yield f"{text} {unit}"
    if s.get("uniqueItems"):
        yield "unique items"
    if "pattern" in s:
        yield f"pattern {code(s['pattern'])}"
    if "multipleOf" in s:
        yield f"multiple of {s['multipleOf']}"
    if isinstance(s.get("enum"), list):
        yield "one of " + ", ".join(code(v) for v in s["enum"])
    if "format" in s:
        yield f"format {code(s['format'])}"


def doc_field(
    schemas: EffectiveSchemas, name: str, schema: Any, required: bool, fallback: str = ""
) -> DocField:
    _, target = _named(schemas, schema)
    described = schema.get("description") if isinstance(schema, dict) else None
    if not described and isinstance(target, dict):
        described = target.get("description")
    default = schema.get("default") if isinstance(schema, dict) and "default" in schema else None
    if default is None and isinstance(target, dict) and "default" in target:
        default = target["default"]
    return DocField(
        name=name,
        type_text=type_text(schemas, schema),
        required=required,
        default=code(default) if default is not None else "",
        constraints=constraints(schemas, schema),
        description=cell(markdown_text(str(described or fallback))),
    )


def object_fields(schemas: EffectiveSchemas, schema: Any) -> tuple[DocField, ...]:
    """The rows of an object's table: its own properties and those `allOf` brings in."""
    view = schemas.object(schema)
    return tuple(
        doc_field(schemas, name, sub, name in view.required) for name, sub in view.properties.items()
    )


def operation_doc(
    schemas: EffectiveSchemas,
    parameters: list[dict[str, Any]],
    body_media: dict[str, Any] | None,
    arguments: tuple[Field, ...],
    responses: dict[str, Any],
    path: str,
    auth: str,
    parameter_names: dict[tuple[str, str], str],
    whole_body: str | None = None,
    leave_out: str | None = None,
    files: tuple[str, ...] = (),
) -> OperationDoc:
    """The docs of one operation; its example call passes every required argument, so it runs."""
    params = tuple(
        doc_field(
            schemas,
            str(p.get("name")),
            p.get("schema"),
            bool(p.get("required")),
            str(p.get("description") or ""),
        )
        for p in parameters
    )
    body_schema = body_media.get("schema") if body_media else None
    example = _media_example(schemas, body_media) if body_media else None
    filler = synthesize(schemas, body_schema) if isinstance(example, dict) and arguments else None
    if isinstance(example, dict) and isinstance(filler, dict):  # required fields the example leaves out
        example = {
            **example,
            **{f.name: filler.get(f.name) for f in arguments if f.required and f.name not in example},
        }
    if body_schema is not None and not fits(schemas, body_schema, example):  # requests are validated
        example = synthesize(schemas, body_schema)
    by_wire = {f.name: f.py_name for f in arguments if f.name != leave_out}  # not `stream`: a plain call
    required = [p for p in parameters if p.get("required") and p.get("in") != "path"]
    values = {(str(p["in"]), str(p["name"])): _parameter_example(schemas, p) for p in required}
    example_args = tuple((parameter_names[key], repr(v)) for key, v in values.items()) + tuple(
        (by_wire[k], _file_literal(k, v) if k in files else repr(v))
        for k, v in (example.items() if isinstance(example, dict) else [])
        if k in by_wire
    )
    if whole_body == "content":  # raw bytes: a file, as curl's `--data-binary @body.bin`
        example_args += ((whole_body, _file_literal("body", None)),)
    elif whole_body and example is not None:
        example_args += ((whole_body, repr(example)),)
    path_values = {
        str(p["name"]): _parameter_example(schemas, p) for p in parameters if p.get("in") == "path"
    }
    query = urlencode([(name, _query_text(v)) for (where, name), v in values.items() if where == "query"])
    return OperationDoc(
        auth=auth,
        parameters=params,
        body_type=type_text(schemas, body_schema) if body_schema is not None else "",
        body_fields=object_fields(schemas, body_schema) if body_schema is not None else (),
        request_example=to_json(example) if body_schema is not None else "",
        example_arguments=example_args,
        path_arguments=tuple(repr(v) for v in path_values.values()),
        url_example=path.format(**{k: str(v) for k, v in path_values.items()})
        + (f"?{query}" if query else ""),
        header_examples=tuple(
            f"{name}: {_query_text(v)}" for (where, name), v in values.items() if where == "header"
        ),
        responses=tuple(_doc_response(schemas, status, r) for status, r in sorted(responses.items())),
    )


def example_file(name: str) -> str:
    """The file a snippet uploads for the field `name` (curl and Python name the same one)."""
    return f"{name}.bin"


def _file_literal(name: str, value: Any) -> str:
    """A file argument of a snippet: the file curl sends with `@name.bin`, as a `Path`."""
    path = f"Path({json.dumps(example_file(name))})"
    return f"[{path}]" if isinstance(value, list) else path


def curl_form(encoding: str, media: str, example: Any, files: tuple[str, ...]) -> tuple[str, ...]:
    """curl's options for a body that is not JSON: `-F` per multipart field (`@file` for files),
    `--data-urlencode` per form field, `--data-binary @file` for raw content."""
    if encoding == "raw":
        return (f"-H 'Content-Type: {shell_quoted(media)}'", f"--data-binary @{example_file('body')}")
    pairs = example.items() if isinstance(example, dict) else []
    flag = "-F" if encoding == "multipart" else "--data-urlencode"
    options = []
    for name, value in pairs:
        if name in files:
            field = f"{name}[]" if isinstance(value, list) else name
            options.append(f"-F '{shell_quoted(field)}=@{shell_quoted(example_file(name))}'")
            continue
        fields = _bracketed(name, value) if encoding == "multipart" else [(name, value)]
        options += [f"{flag} '{shell_quoted(f'{key}={_query_text(item)}')}'" for key, item in fields]
    return tuple(options)


def _bracketed(key: str, value: Any) -> list[tuple[str, Any]]:
    """Multipart fields as the SDK sends them: `tags[]` per item, `crop[width]` per property."""
    if isinstance(value, dict):
        return [pair for sub, item in value.items() for pair in _bracketed(f"{key}[{sub}]", item)]
    if isinstance(value, list):
        return [pair for item in value for pair in _bracketed(f"{key}[]", item)]
    return [(key, value)]


def _query_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else json.dumps(value)


def _parameter_example(schemas: EffectiveSchemas, param: dict[str, Any]) -> Any:
    if "example" in param:
        return param["example"]
    value = synthesize(schemas, param.get("schema"))
    return value if value is not None else "id"


def _media_example(schemas: EffectiveSchemas, media: dict[str, Any]) -> Any:
    if "example" in media:
        return media["example"]
    for example in (media.get("examples") or {}).values():
        if isinstance(example, dict) and "value" in example:
            return example["value"]
    return synthesize(schemas, media.get("schema"))


def _doc_response(schemas: EffectiveSchemas, status: str, response: Any) -> DocResponse:
    response = response if isinstance(response, dict) else {}
    content = response.get("content")
    media = json_media(content)
    schema = media[1].get("schema") if media else None
    return DocResponse(
        status=status,
        description=cell(markdown_text(str(response.get("description") or ""))),
        type_text=_body_text(schemas, content, schema),
        example=to_json(_media_example(schemas, media[1])) if media and schema is not None else "",
        retried=status in RETRIED or status.startswith("5"),
    )


def _body_text(schemas: EffectiveSchemas, content: Any, schema: Any) -> str:
    """What a response body is read as: a JSON type, text, bytes, or a stream of events."""
    kind = body_kind(content)
    declared = ", ".join(f"`{media_type(m)}`" for m in content or {}) if kind != "json" else ""
    if kind == "text":
        return f"text (`str`), {declared}"
    if kind == "binary":
        return f"bytes (`BinaryResponse`), {declared}"
    if kind == "stream":
        events = stream_media(content)
        event = (events[1].get("itemSchema") or events[1].get("schema")) if events else None
        return f"events of {type_text(schemas, event) if event is not None else 'any'} (`Stream`), {declared}"
    return type_text(schemas, schema) if schema is not None else "no body"


def doc_models(schemas: EffectiveSchemas, used_by: dict[str, set[str]]) -> tuple[DocModel, ...]:
    components = (schemas.spec.get("components") or {}).get("schemas") or {}
    models = []
    for name, schema in sorted(components.items()):
        if not isinstance(schema, dict):
            continue
        is_object = schema.get("type") == "object" or "properties" in schema
        kind = (
            "object"
            if is_object
            else "enum" if "enum" in schema else "union" if _is_union(schema) else "type"
        )
        models.append(
            DocModel(
                name=name,
                kind=kind,
                type_text=type_text(schemas, schema),
                description=markdown_text(str(schema.get("description") or "")),
                fields=object_fields(schemas, schema) if is_object else (),
                constraints="" if is_object else constraints(schemas, schema),
                example=to_json(synthesize(schemas, {"$ref": f"#/components/schemas/{name}"})),
                used_by=tuple(sorted(used_by.get(name, set()))),
            )
        )
    return tuple(models)


def _is_plain_scalar(schemas: EffectiveSchemas, schema: Any) -> bool:
    """A branch that accepts any string (or number): it makes a union's enum values open."""
    _, target = _named(schemas, schema)
    return (
        isinstance(target, dict)
        and target.get("type") in ("string", "integer", "number")
        and not any(k in target for k in ("enum", "const", "pattern", "format", "minimum", "maximum"))
    )


def _is_union(schema: dict[str, Any]) -> bool:
    return "anyOf" in schema or "oneOf" in schema


def referenced_models(schemas: EffectiveSchemas, roots: list[Any]) -> set[str]:
    """Component schema names reachable from `roots` through `$ref`s."""
    found: set[str] = set()
    stack = list(roots)
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            target = schemas.resolve(node) if "$ref" in node else None
            if target is not None and target.name is not None and target.name not in found:
                found.add(target.name)
                stack.append(target.schema)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)
    return found
