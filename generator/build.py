"""Build the IR from a validated document and its generated models."""

from __future__ import annotations

import ast
import copy
import json
import re
from typing import Any, cast

from packaging.version import InvalidVersion, Version

from .config import Config
from .docs import doc_models, operation_doc, referenced_models
from .effective import EffectiveSchemas
from .ir import Api, Body, Field, Group, Operation, Parameter, Response
from .models import ModelSource
from .naming import argument_name, class_name, function_name, pascal_case, safe_name, snake_case
from .open_enums import OPEN_ENUM
from .pointer import local_ref_parts
from .walk import iter_operations

_SCALARS = {"string": "str", "integer": "int", "number": "float", "boolean": "bool"}
# Arguments every builder and method has; spec names that clash get a trailing underscore.
RESERVED_ARGUMENTS = frozenset(
    {"self", "body", "base_url", "api_key", "extra_headers", "extra_query", "extra_body"}
    | {"timeout", "max_retries", "user_agent", "request", "result"}
    | {"build_request", "json_body", "given", "request_builders", "NO_CONTENT", "NOT_GIVEN", "NotGiven"}
)
# What a client object already has: a method or resource of the same name would hide it.
CLIENT_ATTRIBUTES = frozenset(
    {"api_key", "base_url", "timeout", "max_retries", "default_headers", "strict_response_validation"}
    | {"user_agent", "api_key_env", "base_url_env", "default_base_url", "with_raw_response", "close"}
)


def build_api(schemas: EffectiveSchemas, models: ModelSource, config: Config) -> Api:
    """The IR of the prepared spec; request fields and their types come from the generated models."""
    spec = schemas.spec
    info = spec.get("info") or {}
    title = str(info.get("title") or "API")
    package = package_name(spec, config)
    servers = spec.get("servers") or [{}]
    upper = package.upper()
    # SPOTIFY_WEB_API_KEY, not SPOTIFY_WEB_API_API_KEY
    api_key_env = config.api_key_env or (
        f"{upper}_KEY" if f"_{upper}".endswith("_API") else f"{upper}_API_KEY"
    )
    sites = list(iter_operations(spec))
    chosen = dict(config.operation_names)
    operations = tuple(_operation(schemas, site, models, api_key_env, chosen) for site in sites)
    known = set(models.names)
    used_by: dict[str, set[str]] = {}
    for site, op in zip(sites, operations, strict=True):
        for name in referenced_models(schemas, [site.operation, site.path_item.get("parameters")]):
            used_by.setdefault(name, set()).add(op.function_name)
    tags = sorted({op.tag for op in operations})
    return Api(
        title=title,
        version=str(info.get("version") or "0.0.0"),
        package_version=_pep440(str(info.get("version") or "")),
        description=str(info.get("description") or info.get("summary") or "").strip(),
        package_name=package,
        distribution_name=package.replace("_", "-"),
        client_name=client_name(spec, config),
        server_url=str(servers[0].get("url") or "") if isinstance(servers[0], dict) else "",
        api_key_env=api_key_env,
        base_url_env=config.base_url_env or f"{upper}_BASE_URL",
        operations=operations,
        groups=_groups(operations, tags),
        doc_models=doc_models(schemas, used_by),
        model_names=models.names,
        models_source=models.text,
        builder_imports=_mentioned(operations, known, responses=False),
        client_imports=_mentioned(operations, known, responses=True),
        builder_from_imports=_from_imports(operations, models, responses=False),
        client_from_imports=_from_imports(operations, models, responses=True),
    )


def _pep440(version: str) -> str:
    try:
        return str(Version(version))
    except InvalidVersion:
        return "0.0.0"


def sdk_class_names(spec: dict[str, Any], config: Config) -> frozenset[str]:
    """The classes the client module defines, which no model may also be called."""
    client = client_name(spec, config)
    tags = {str((site.operation.get("tags") or ["default"])[0]) for site in iter_operations(spec)}
    resources = {pascal_case(tag) + "Resource" for tag in tags} if len(tags) > 1 else set()
    names = {client, *resources}
    names |= {f"{n}WithRawResponse" for n in names}
    return frozenset(names | {f"Async{n}" for n in names} | {"models", "request_builders"})


def client_name(spec: dict[str, Any], config: Config) -> str:
    return config.client_name or class_name(str((spec.get("info") or {}).get("title") or "")) or "Client"


def package_name(spec: dict[str, Any], config: Config) -> str:
    title = str((spec.get("info") or {}).get("title") or "")
    return config.package_name or safe_name(snake_case(title)) or "api_client"


def _groups(operations: tuple[Operation, ...], tags: list[str]) -> tuple[Group, ...]:
    if len(tags) <= 1:
        return (Group(tags[0] if tags else "default", "", "", operations),)
    return tuple(
        Group(
            tag=tag,
            attribute=_client_attribute(argument_name(tag)),
            class_name=pascal_case(tag) + "Resource",
            operations=tuple(op for op in operations if op.tag == tag),
        )
        for tag in tags
    )


def _client_attribute(name: str) -> str:
    """A method or resource name that does not hide what the client already has (`api_key`)."""
    return name + "_" if name in CLIENT_ATTRIBUTES else name


def _unique(name: str, taken: set[str]) -> str:
    while name in taken or name in RESERVED_ARGUMENTS:
        name += "_"
    taken.add(name)
    return name


def _ref_name(schema: Any) -> str | None:
    if isinstance(schema, dict) and isinstance(schema.get("$ref"), str):
        parts = local_ref_parts(schema["$ref"]) or []
        if len(parts) == 3 and parts[:2] == ["components", "schemas"]:
            return parts[2]
    return None


def _operation(
    schemas: EffectiveSchemas, site: Any, models: ModelSource, api_key_env: str, chosen: dict[str, str]
) -> Operation:
    op = site.operation
    op_id = str(op.get("operationId") or f"{site.method}_{site.path}")
    tags = op.get("tags") or ["default"]
    params = [
        schemas.resolve(p).schema
        for p in [*(site.path_item.get("parameters") or []), *(op.get("parameters") or [])]
    ]
    merged = {(p.get("in"), p.get("name")): p for p in params if isinstance(p, dict)}
    responses = {str(k): schemas.resolve(v).schema for k, v in (op.get("responses") or {}).items()}
    ordered = sorted(responses.items())
    known = models.component_classes
    success = next((_response(schemas, s, r, known) for s, r in ordered if s.startswith("2")), NO_CONTENT)
    taken: set[str] = set()
    parameters = tuple(_parameter(schemas, p, taken, known) for p in merged.values())
    request_body = schemas.resolve(op.get("requestBody")).schema
    media = _json_media(request_body.get("content") if isinstance(request_body, dict) else None)
    body = _body(schemas, request_body, media, models, taken)
    auth = _auth(schemas, op.get("security", schemas.spec.get("security")), api_key_env)
    return Operation(
        operation_id=op_id,
        function_name=chosen.get(op_id) or _client_attribute(function_name(op_id)),
        method=site.method.upper(),
        path=site.path,
        tag=str(tags[0]),
        summary=str(op.get("summary") or "").strip(),
        description=str(op.get("description") or "").strip(),
        deprecated=bool(op.get("deprecated")),
        parameters=parameters,
        body=body,
        success=success,
        errors=tuple(_response(schemas, s, r, known) for s, r in ordered if s[:1] in "45" or s == "default"),
        accept=_accept(ordered),
        doc=operation_doc(
            schemas,
            list(merged.values()),
            media[1] if media else None,
            body.fields if body else (),
            responses,
            site.path,
            auth,
            {(p.location, p.name): p.py_name for p in parameters},
            whole_body=bool(body and body.whole),
        ),
    )


def _auth(schemas: EffectiveSchemas, requirements: Any, api_key_env: str) -> str:
    """How the operation authenticates, in words, for its docs page."""
    schemes = (schemas.spec.get("components") or {}).get("securitySchemes") or {}
    ways = []
    for requirement in requirements if isinstance(requirements, list) else []:
        for name in requirement if isinstance(requirement, dict) else []:
            scheme = schemas.resolve(schemes.get(name)).schema or {}
            if scheme.get("type") == "http" and str(scheme.get("scheme")).lower() == "bearer":
                ways.append(f"a bearer token: `Authorization: Bearer ${api_key_env}`")
            elif scheme.get("type") == "apiKey":
                ways.append(f"an API key in the {scheme.get('in')} `{scheme.get('name')}`")
            else:
                ways.append(f"the `{name}` scheme ({scheme.get('type', 'unknown')})")
    return " or ".join(ways) if ways else "none"


def _parameter(
    schemas: EffectiveSchemas, param: dict[str, Any], taken: set[str], known: dict[str, str]
) -> Parameter:
    return Parameter(
        name=str(param["name"]),
        py_name=_unique(argument_name(str(param["name"])), taken),
        location=str(param.get("in")),
        annotation=python_type(schemas, param.get("schema"), known),
        required=bool(param.get("required")) or param.get("in") == "path",
        description=str(param.get("description") or "").strip(),
    )


_JSON_MEDIA = re.compile(r"application/([\w.+-]+\+)?json")


def _json_media(content: Any) -> tuple[str, dict[str, Any]] | None:
    for media, obj in (content or {}).items():
        if _JSON_MEDIA.fullmatch(_media_type(media)) and isinstance(obj, dict):
            return media, obj
    return None


def _accept(responses: list[tuple[str, Any]]) -> str:
    """The Accept header: the JSON media types the responses declare (`application/hal+json`,
    vendor types), success first, so a server that checks it does not answer 406."""
    success_first = sorted(responses, key=lambda pair: not pair[0].startswith("2"))
    declared = [
        _media_type(media)
        for _, response in success_first
        for media in ((response.get("content") or {}) if isinstance(response, dict) else {})
        if _JSON_MEDIA.fullmatch(_media_type(media))
    ]
    return ", ".join(dict.fromkeys(declared)) or "application/json"


def _media_type(media: str) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    return media.split(";")[0].strip()


NO_CONTENT = Response("204", "None", None, "")


def _response(schemas: EffectiveSchemas, status: str, response: Any, known: dict[str, str]) -> Response:
    media = _json_media(response.get("content") if isinstance(response, dict) else None)
    description = str(response.get("description") or "").strip() if isinstance(response, dict) else ""
    if media is None or "schema" not in media[1]:
        return Response(status, "None", None, description)
    schema = media[1]["schema"]
    model = known.get(_ref_name(schema) or "")
    return Response(status, python_type(schemas, schema, known), model, description)


def python_type(schemas: EffectiveSchemas, schema: Any, known: dict[str, str], depth: int = 0) -> str:
    """The Python type of a value of `schema`, for signatures: a model, a container, a scalar or Any."""
    name = _ref_name(schema)
    if name is not None:
        return (
            known[name]
            if name in known
            else python_type(schemas, schemas.resolve(schema).schema, known, depth + 1)
        )
    if not isinstance(schema, dict) or depth > 8:
        return "Any"
    for key in ("oneOf", "anyOf"):  # a union of known types, such as a response offered in 3 shapes
        members = [python_type(schemas, m, known, depth + 1) for m in schema.get(key) or []]
        if members:
            return "Any" if "Any" in members else " | ".join(dict.fromkeys(members))
    enum = schema.get("enum")
    if isinstance(enum, list) and enum and all(isinstance(v, str) for v in enum):
        return f"Literal[{', '.join(json.dumps(v) for v in dict.fromkeys(enum))}]"
    kind = schema.get("type")
    if kind == "null":
        return "None"
    if kind == "array":
        return f"list[{python_type(schemas, schema.get('items'), known, depth + 1)}]"
    if kind in _SCALARS:
        return _SCALARS[kind]
    if kind == "object" and not schema.get("properties"):
        return "dict[str, Any]"
    return "Any"


def _body(
    schemas: EffectiveSchemas,
    body: Any,
    media: tuple[str, dict[str, Any]] | None,
    models: ModelSource,
    taken: set[str],
) -> Body | None:
    if media is None:
        return None
    schema = media[1].get("schema")
    model = models.class_for(_ref_name(schema) or "")
    required = bool(body.get("required"))
    if model is None or model not in models.fields:  # a union or array root is passed whole
        annotation = model or python_type(schemas, schema, models.component_classes)
        return None if annotation == "Any" else Body(annotation, required, media[0], (), whole=True)
    view = schemas.object(schema)
    fields = tuple(
        _field(schemas, node, view.properties, view.required, taken)
        for node in models.fields[model]
        if isinstance(node.target, ast.Name)
        and node.target.id != "model_config"
        and (_alias(node) or node.target.id) not in view.read_only  # the server sets those
    )
    return Body(model, required, media[0], fields)


def _field(
    schemas: EffectiveSchemas,
    node: ast.AnnAssign,
    properties: dict[str, Any],
    required: frozenset[str],
    taken: set[str],
) -> Field:
    assert isinstance(node.target, ast.Name)
    wire = _alias(node) or node.target.id
    py_name = _unique(node.target.id, taken)
    schema = properties.get(wire) or {}
    nullable = schemas.nullable(schema)
    annotation = _closed_enums(_strip_annotated(node.annotation))
    if not nullable:
        annotation = _without_none(annotation)
    resolved = schemas.resolve(schema).schema
    description = schema.get("description") or (
        resolved.get("description") if isinstance(resolved, dict) else ""
    )
    return Field(
        name=wire,
        py_name=py_name,
        annotation=ast.unparse(annotation),
        required=wire in required,
        nullable=nullable,
        description=str(description or "").strip(),
    )


def _alias(node: ast.AnnAssign) -> str | None:
    for call in ast.walk(node):
        if isinstance(call, ast.Call) and getattr(call.func, "id", None) == "Field":
            for kw in call.keywords:
                if kw.arg == "alias" and isinstance(kw.value, ast.Constant):
                    return str(kw.value.value)
    return None


def _strip_annotated(annotation: ast.expr) -> ast.expr:
    if isinstance(annotation, ast.Subscript) and getattr(annotation.value, "id", None) == "Annotated":
        inner = annotation.slice
        return inner.elts[0] if isinstance(inner, ast.Tuple) else inner
    return annotation


def _closed_enums(annotation: ast.expr) -> ast.expr:
    """A request argument takes only the values the spec lists: `OpenEnum[X]` is `X` here."""

    class Close(ast.NodeTransformer):
        def visit_Subscript(self, node: ast.Subscript) -> ast.AST:
            if getattr(node.value, "id", None) == OPEN_ENUM:
                return cast(ast.AST, self.visit(node.slice))
            return self.generic_visit(node)

    return cast(ast.expr, Close().visit(copy.deepcopy(annotation)))


def _without_none(annotation: ast.expr) -> ast.expr:
    members = _union_members(annotation)
    kept = [m for m in members if not (isinstance(m, ast.Constant) and m.value is None)]
    if not kept or len(kept) == len(members):
        return annotation
    result = kept[0]
    for member in kept[1:]:
        result = ast.BinOp(result, ast.BitOr(), member)
    return result


def _union_members(annotation: ast.expr) -> list[ast.expr]:
    if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
        return _union_members(annotation.left) + _union_members(annotation.right)
    return [annotation]


TYPING_NAMES = {"Any": "typing", "Literal": "typing", "Annotated": "typing"}


def _from_imports(
    operations: tuple[Operation, ...], models: ModelSource, *, responses: bool
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`from module import names` that the signatures need besides the models: typing, uuid, ..."""
    sources = {**{name: (module, name) for name, module in TYPING_NAMES.items()}, **models.imports}
    by_module: dict[str, set[str]] = {}
    for name in _mentioned(operations, set(sources) - set(models.names), responses=responses):
        module, text = sources[name]
        by_module.setdefault(module, set()).add(text)
    return tuple((module, tuple(sorted(names))) for module, names in sorted(by_module.items()))


def _mentioned(
    operations: tuple[Operation, ...], known: set[str] | frozenset[str], *, responses: bool
) -> tuple[str, ...]:
    """The names from `known` that the signatures mention (and the response types, where asked), sorted."""
    annotations: list[str] = []
    for op in operations:
        annotations += [p.annotation for p in op.parameters]
        if responses:
            annotations.append(op.success.annotation)
        if op.body:
            annotations += [op.body.model, *(f.annotation for f in op.body.fields)]
    used = {n.id for a in annotations for n in ast.walk(ast.parse(a)) if isinstance(n, ast.Name)}
    return tuple(sorted(used & known))
