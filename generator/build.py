"""Build the IR from a validated document and its generated models."""

from __future__ import annotations

import ast
import copy
import dataclasses
import json
from typing import Any, cast

from packaging.version import InvalidVersion, Version

from .config import Config
from .docs import curl_form, doc_models, operation_doc, referenced_models
from .effective import EffectiveSchemas
from .ir import Api, Body, DocModel, Field, Group, Operation, Parameter, Response, SecurityScheme
from .media import accept, body_kind, is_file, json_media, media_type, request_media, stream_media
from .models import ModelSource
from .naming import argument_name, class_name, function_name, pascal_case, safe_name, snake_case
from .open_enums import OPEN_ENUM
from .pagination import pagination
from .pointer import local_ref_parts
from .security import requirements, security_schemes
from .streaming import event_type, fern_response
from .streaming import streaming as stream_of
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


def build_api(
    schemas: EffectiveSchemas,
    models: ModelSource,
    config: Config,
    documented: tuple[DocModel, ...] | None = None,
) -> Api:
    """The IR of the prepared spec; request fields and their types come from the generated models.
    `documented`: the models' docs (`documented_models`), when made already."""
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
    schemes = security_schemes(spec, lambda s: schemas.resolve(s).schema, upper, api_key_env)
    events = dict(config.stream_events)
    pages = dict(config.pagination)
    operations = tuple(_operation(schemas, site, models, schemes, chosen, events, pages) for site in sites)
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
        security_schemes=schemes,
        base_url_env=config.base_url_env or f"{upper}_BASE_URL",
        operations=operations,
        groups=_groups(operations, tags),
        doc_models=documented_models(schemas, config) if documented is None else documented,
        model_names=models.names,
        models_source=models.text,
        model_modules=models.modules,
        signature_imports=_signature_imports(operations, models),
        model_groups=tuple(sorted(models.record_lines.items())),
    )


def documented_models(schemas: EffectiveSchemas, config: Config) -> tuple[DocModel, ...]:
    """The docs of the component schemas, each with the operations that use it: made from the
    spec alone, no model read, so the render child hands their pages over before the rest."""
    chosen = dict(config.operation_names)
    used_by: dict[str, set[str]] = {}
    for site in iter_operations(schemas.spec):
        for name in referenced_models(schemas, [site.operation, site.path_item.get("parameters")]):
            used_by.setdefault(name, set()).add(_function_name(site, chosen))
    return doc_models(schemas, used_by)


def _function_name(site: Any, chosen: dict[str, str]) -> str:
    op_id = _operation_id(site)
    return chosen.get(op_id) or _client_attribute(function_name(op_id))


def _operation_id(site: Any) -> str:
    return str(site.operation.get("operationId") or f"{site.method}_{site.path}")


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
    schemas: EffectiveSchemas,
    site: Any,
    models: ModelSource,
    schemes: tuple[SecurityScheme, ...],
    chosen: dict[str, str],
    events: dict[str, str],
    pages: dict[str, Any],
) -> Operation:
    op = site.operation
    op_id = _operation_id(site)
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
    sent = request_media(request_body.get("content") if isinstance(request_body, dict) else None)
    media = (sent[1], sent[2]) if sent else None
    body = _body(schemas, request_body, sent, models, taken)
    security = requirements(op, schemas.spec, schemes)
    configured = events.get(op_id)
    answer = next((r for s, r in ordered if s.startswith("2") and isinstance(r, dict)), {})
    streaming = stream_of(
        op, answer, body, lambda s: python_type(schemas, s, known), known.get(configured or "", configured)
    )
    if streaming and streaming.field is None:  # every call streams (the media type, or Fern's word)
        success = dataclasses.replace(
            success, annotation=f"Stream[{streaming.event}]", model=None, kind="stream"
        )
    elif (whole := fern_response(op)) is not None:
        success = dataclasses.replace(
            success, annotation=python_type(schemas, whole, known), model=known.get(_ref_name(whole) or "")
        )
    paged = None
    if success.kind == "json" and success.model and not streaming:
        query = frozenset(p.name for p in parameters if p.location == "query")
        first = next((r for s, r in ordered if s.startswith("2")), None)
        paged = pagination(
            schemas, op, query, first, pages.get(op_id), lambda s: python_type(schemas, s, known)
        )
    doc = operation_doc(
        schemas,
        list(merged.values()),
        media[1] if media else None,
        body.fields if body else (),
        responses,
        site.path,
        _auth(security, schemes),
        {(p.location, p.name): p.py_name for p in parameters},
        whole_body=("content" if body.encoding == "raw" else "body") if body and body.whole else None,
        leave_out=streaming.field if streaming else None,
        files=body.files if body else (),
    )
    if body and media:
        offered = (media_type(m) for m in request_body.get("content") or {})
        doc = dataclasses.replace(doc, other_media=tuple(m for m in offered if m != media_type(media[0])))
    if body and body.encoding != "json":
        example = json.loads(doc.request_example) if doc.request_example else None
        doc = dataclasses.replace(
            doc, curl_body=curl_form(body.encoding, body.media_type, example, body.files)
        )
    return Operation(
        operation_id=op_id,
        function_name=_function_name(site, chosen),
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
        accept=streaming.accept if streaming and not streaming.field else accept(ordered, success.kind),
        streaming=streaming,
        pagination=paged,
        security=security,
        doc=doc,
    )


def _auth(security: tuple[tuple[str, ...], ...], schemes: tuple[SecurityScheme, ...]) -> str:
    """How the operation authenticates, in words, for its docs page."""
    by_key = {s.key: s for s in schemes}
    ways = [" and ".join(_auth_words(by_key[key]) for key in alternative) for alternative in security]
    if not any(ways):
        return "none"
    return " or ".join(w for w in ways if w) + (" (optional)" if "" in ways else "")


def _auth_words(scheme: SecurityScheme) -> str:
    if scheme.kind == "bearer":
        return f"a bearer token: `Authorization: Bearer ${scheme.env_var}`"
    if scheme.kind == "basic":
        where = f"`{scheme.argument}=(username, password)` or `${scheme.env_var}` as `user:password`"
        return f"HTTP basic auth: {where}"
    where = f"`{scheme.argument}=` or `${scheme.env_var}`"
    return f"an API key in the {scheme.kind} `{scheme.parameter}`: {where}"


_DEFAULT_STYLES = {"query": ("form", True), "cookie": ("form", True), "path": ("simple", False)}
_DEFAULT_STYLES["header"] = ("simple", False)
_RULES = frozenset(
    {"minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "minLength", "maxLength"}
    | {"pattern", "minItems", "maxItems", "enum"}
)


def _parameter(
    schemas: EffectiveSchemas, param: dict[str, Any], taken: set[str], known: dict[str, str]
) -> Parameter:
    location = str(param.get("in"))
    default = _DEFAULT_STYLES.get(location, ("form", True))
    style = str(param.get("style") or default[0])
    explode = param.get("explode")
    styled = (style, bool(explode) if isinstance(explode, bool) else style == "form")
    return Parameter(
        name=str(param["name"]),
        py_name=_unique(argument_name(str(param["name"])), taken),
        location=location,
        annotation=python_type(schemas, param.get("schema"), known),
        required=bool(param.get("required")) or location == "path",
        description=str(param.get("description") or "").strip(),
        style=None if styled == default else styled,
        rules=_rules(schemas, param.get("schema")) or None,
    )


def _rules(schemas: EffectiveSchemas, schema: Any, depth: int = 0) -> dict[str, Any]:
    """The limits of a parameter's schema that the runtime checks before sending."""
    resolved = schemas.resolve(schema).schema
    if not isinstance(resolved, dict) or depth > 2:
        return {}
    rules = {key: value for key, value in resolved.items() if key in _RULES}
    items = _rules(schemas, resolved.get("items"), depth + 1) if resolved.get("type") == "array" else {}
    return {**rules, "items": items} if items else rules


NO_CONTENT = Response("204", "None", None, "")


def _response(schemas: EffectiveSchemas, status: str, response: Any, known: dict[str, str]) -> Response:
    content = response.get("content") if isinstance(response, dict) else None
    description = str(response.get("description") or "").strip() if isinstance(response, dict) else ""
    kind = body_kind(content)
    if kind == "text":
        return Response(status, "str", None, description, "text")
    if kind == "binary":
        return Response(status, "BinaryResponse", None, description, "binary")
    if kind == "stream":
        event = event_type(stream_media(content), lambda s: python_type(schemas, s, known))
        return Response(status, f"Stream[{event}]", None, description, "stream")
    media = json_media(content)
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
    sent: tuple[str, str, dict[str, Any]] | None,
    models: ModelSource,
    taken: set[str],
) -> Body | None:
    if sent is None:
        return None
    encoding, media, obj = sent
    schema = obj.get("schema")
    required = bool(body.get("required"))
    if encoding == "raw":
        return Body("FileContent", required, media, (), whole=True, encoding="raw")
    model = models.class_for(_ref_name(schema) or "")
    if model is None or model not in models.fields:  # a union or array root is passed whole
        annotation = model or python_type(schemas, schema, models.component_classes)
        if encoding != "json":  # a form without fields (validate warns): its bytes as they are
            return Body("FileContent", required, media, (), whole=True, encoding="raw")
        return Body("object" if annotation == "Any" else annotation, required, media, (), whole=True)
    view = schemas.object(schema)
    files = tuple(name for name, sub in view.properties.items() if _carries_files(schemas, sub))
    fields = tuple(
        _field(schemas, node, view.properties, view.required, taken, files)
        for node in models.fields[model]
        if isinstance(node.target, ast.Name)
        and node.target.id != "model_config"
        and (_alias(node) or node.target.id) not in view.read_only  # the server sets those
    )
    return Body(
        model, required, media, fields, encoding=encoding, files=files if encoding == "multipart" else ()
    )


def _carries_files(schemas: EffectiveSchemas, schema: Any) -> bool:
    resolved = schemas.resolve(schema).schema
    if isinstance(resolved, dict) and resolved.get("type") == "array":
        resolved = schemas.resolve(resolved.get("items")).schema
    return is_file(resolved)


def _field(
    schemas: EffectiveSchemas,
    node: ast.AnnAssign,
    properties: dict[str, Any],
    required: frozenset[str],
    taken: set[str],
    files: tuple[str, ...] = (),
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
    text = ast.unparse(annotation)
    if wire in files:  # a file: bytes, a binary file object, a path, or (filename, content, type)
        text = "list[FileTypes]" if text.startswith("list[") else "FileTypes"
    return Field(
        name=wire,
        py_name=py_name,
        annotation=text,
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


TYPING_NAMES = {"Any": "typing", "Literal": "typing", "Annotated": "typing", "overload": "typing"}


def _signature_imports(
    operations: tuple[Operation, ...], models: ModelSource
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """`from module import names` that the signatures may need besides the models: typing, uuid, ..."""
    sources = {**{name: (module, name) for name, module in TYPING_NAMES.items()}, **models.imports}
    by_module: dict[str, set[str]] = {}
    for name in _mentioned(operations, set(sources) - set(models.names)):
        module, text = sources[name]
        by_module.setdefault(module, set()).add(text)
    return tuple((module, tuple(sorted(names))) for module, names in sorted(by_module.items()))


def _mentioned(operations: tuple[Operation, ...], known: set[str]) -> set[str]:
    """The names from `known` that the signatures and response types mention."""
    annotations: list[str] = []
    for op in operations:
        annotations += [p.annotation for p in op.parameters]
        annotations += [op.success.annotation, op.pagination.item if op.pagination else ""]
        if op.streaming:
            annotations.append(op.streaming.event)
            if op.streaming.field:
                annotations.append("overload(Literal)")  # the typed overloads of `stream`
            if op.streaming.ruled:
                annotations.append("Annotated")
        if op.body:
            annotations += [op.body.model, *(f.annotation for f in op.body.fields)]
    used = {n.id for a in annotations for n in ast.walk(ast.parse(a)) if isinstance(n, ast.Name)}
    return used & known
