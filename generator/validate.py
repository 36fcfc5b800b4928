"""Validate a loaded spec: openapi-spec-validator plus sdkgen's own checks, every problem located."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from typing import Any

from jsonschema.exceptions import SchemaError, ValidationError
from jsonschema.validators import extend, validator_for
from jsonschema_path import SchemaPath
from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS
from openapi_spec_validator import OpenAPIV30SpecValidator, OpenAPIV31SpecValidator, OpenAPIV32SpecValidator
from openapi_spec_validator.validation import keywords
from openapi_spec_validator.validation.exceptions import DuplicateOperationIDError, UnresolvableParameterError
from pathable.accessors import SubscriptableAccessor
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from . import cache as results
from .descriptions import without_prose
from .diagnostics import Diagnostic, Level
from .examples import invalid_examples
from .fast_check import document_check, schema_check, valid_at_once
from .loader import Document
from .media import request_media
from .naming import class_name, function_name, snake_case
from .pointer import Part, local_ref_parts, lookup, resolve_logical
from .security import scheme_kind
from .valid_schemas import RUNNING, KnownValid
from .walk import iter_operations, iter_schemas

# Keywords whose invalid use the prepare stage repairs, so generation goes on with a warning.
REPAIRED = {
    "pattern": "not a Python regular expression; kept if pydantic's engine accepts it, else dropped",
    "exclusiveMinimum": "read as OpenAPI 3.0's boolean form (minimum is exclusive)",
    "exclusiveMaximum": "read as OpenAPI 3.0's boolean form (maximum is exclusive)",
    "required": "duplicates are ignored",
    "$recursiveAnchor": "ignored (a JSON Schema 2019-09 keyword)",
}
JSON_TYPES = frozenset({"string", "number", "integer", "boolean", "array", "object", "null"})
_PATH_PARAM = re.compile(r"\{([^{}]+)\}")


def validate(doc: Document) -> list[Diagnostic]:
    """All problems found in the document; structural ones first stop the deeper checks."""
    spec: dict[str, Any] = doc.data
    version = spec.get("openapi")
    if "openapi" not in spec:
        hint = " (Swagger 2.0 is not supported)" if "swagger" in spec else ""
        return [doc.diagnostic([], f"missing required field 'openapi'{hint}")]
    if not isinstance(version, str) or not re.fullmatch(r"3\.[012]\.\d+", version):
        return [
            doc.diagnostic(
                ["openapi"], f"unsupported OpenAPI version {version!r}; expected 3.0.x, 3.1.x or 3.2.x"
            )
        ]
    found: list[Diagnostic] = []
    _check_surrogates(doc, found)
    refs_ok = _check_refs(doc, found)
    _check_types(doc, found)
    _check_operations(doc, found)
    _check_names(doc, found)
    _check_security(doc, found)
    _check_bodies(doc, found)
    if refs_ok:
        _check_examples(doc, found)
        ours = {d.pointer for d in found}  # where we already said it better, the validator stays quiet
        found.extend(d for d in _spec_validator_diagnostics(doc, version) if d.pointer not in ours)
    return found


def _check_refs(doc: Document, out: list[Diagnostic]) -> bool:
    ok = True
    for parts, node in _iter_dicts(doc.data, []):
        ref = node.get("$ref")
        if not isinstance(ref, str):
            continue
        where = [*parts, "$ref"]
        target = local_ref_parts(ref)
        if target is None:
            kind = "remote" if re.match(r"[a-z][a-z0-9+.-]*://", ref, re.I) else "external file"
            out.append(
                doc.diagnostic(where, f"{kind} reference {ref!r} is not supported; use '#/...' references")
            )
            ok = False
            continue
        try:
            lookup(doc.data, target)
        except KeyError:
            out.append(doc.diagnostic(where, f"unresolvable reference {ref!r}"))
            ok = False
    return ok


def _iter_dicts(node: Any, parts: list[Part]) -> Iterator[tuple[list[Part], dict[str, Any]]]:
    stack: list[tuple[list[Part], Any]] = [(parts, node)]
    while stack:
        here, value = stack.pop()
        if isinstance(value, dict):
            yield here, value
            stack.extend(([*here, k], v) for k, v in reversed(value.items()) if isinstance(v, dict | list))
        elif isinstance(value, list):
            stack.extend(
                ([*here, i], v) for i, v in reversed(list(enumerate(value))) if isinstance(v, dict | list)
            )


_SURROGATE = re.compile("[\ud800-\udfff]")
_PROSE = frozenset({"description", "summary", "title"})


def _check_surrogates(doc: Document, out: list[Diagnostic]) -> None:
    """A lone surrogate (from an escape like "\\ud800") cannot travel in UTF-8 JSON; in prose
    it is shown escaped, anywhere else the spec is refused."""
    for parts, node in _iter_dicts(doc.data, []):
        for key, value in node.items():
            if _SURROGATE.search(key) or (
                isinstance(value, str) and key not in _PROSE and _SURROGATE.search(value)
            ):
                out.append(
                    doc.diagnostic([*parts, key], "contains a lone surrogate, which UTF-8 JSON cannot carry")
                )
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, str) and _SURROGATE.search(item):
                        message = "contains a lone surrogate, which UTF-8 JSON cannot carry"
                        out.append(doc.diagnostic([*parts, key, index], message))


def _check_types(doc: Document, out: list[Diagnostic]) -> None:
    """Unknown types; and `$recursiveRef`, which JSON Schema 2020-12 (OpenAPI 3.1's dialect)
    replaced by `$dynamicRef` and keeps only as a string: the validator lets it through, and sdkgen
    ignores it as the dialect does, so the spec's author is told."""
    for parts, schema in iter_schemas(doc.data):
        if "$recursiveRef" in schema:
            message = "ignored (a JSON Schema 2019-09 keyword): any value is accepted here"
            out.append(doc.diagnostic([*parts, "$recursiveRef"], message, Level.WARNING))
        declared = schema.get("type")
        names = declared if isinstance(declared, list) else [declared]
        for name in names:
            if name is not None and name not in JSON_TYPES:
                out.append(
                    doc.diagnostic(
                        [*parts, "type"],
                        f"unknown type {name!r}; expected one of {', '.join(sorted(JSON_TYPES))}",
                    )
                )


def _check_operations(doc: Document, out: list[Diagnostic]) -> None:
    seen: dict[str, list[Part]] = {}
    for site in iter_operations(doc.data):
        op_id = site.operation.get("operationId")
        if isinstance(op_id, str):
            where = [*site.parts, "operationId"]
            if op_id in seen:
                first = doc.position(seen[op_id])
                out.append(
                    doc.diagnostic(where, f"duplicate operationId {op_id!r} (first used at line {first[0]})")
                )
            else:
                seen[op_id] = where
        declared = _path_parameters(doc.data, site.path_item) | _path_parameters(doc.data, site.operation)
        for name in _PATH_PARAM.findall(site.path):
            if name not in declared:
                out.append(
                    doc.diagnostic(
                        site.parts,
                        f"path parameter {name!r} of {site.path!r} is not declared"
                        " in 'parameters' (in: path)",
                    )
                )


def _check_bodies(doc: Document, out: list[Diagnostic]) -> None:
    """A form body without properties cannot become keyword arguments: a located warning, and
    the method takes the body as raw `content=`."""
    for site in iter_operations(doc.data):
        body = site.operation.get("requestBody")
        sent = request_media(body.get("content")) if isinstance(body, dict) else None
        if sent is None or sent[0] not in ("multipart", "form"):
            continue
        schema = sent[2].get("schema")
        target = _lookup_ref(doc.data, schema)
        if not (
            isinstance(target, dict) and isinstance(target.get("properties"), dict) and target["properties"]
        ):
            where = [*site.parts, "requestBody", "content", sent[1]]
            message = f"a {sent[1]} body without properties: the SDK sends it as raw content= bytes"
            out.append(doc.diagnostic(where, message, Level.WARNING))


def _check_examples(doc: Document, out: list[Diagnostic]) -> None:
    """An example that breaks its own schema misleads readers and mock servers: a warning."""
    for example, problem in invalid_examples(doc.data):
        message = f"the example does not match its schema: {problem}"
        out.append(doc.diagnostic(example.parts, message, Level.WARNING))


def _lookup_ref(spec: dict[str, Any], schema: Any) -> Any:
    """The schema a local `$ref` points at (one hop), or the schema itself."""
    parts = (
        local_ref_parts(schema["$ref"])
        if isinstance(schema, dict) and isinstance(schema.get("$ref"), str)
        else None
    )
    try:
        return lookup(spec, parts) if parts is not None else schema
    except KeyError:
        return None


def _check_security(doc: Document, out: list[Diagnostic]) -> None:
    """A scheme the SDK cannot send is a located warning; its operations send no credentials."""
    declared = (doc.data.get("components") or {}).get("securitySchemes")
    for name, scheme in declared.items() if isinstance(declared, dict) else []:
        if isinstance(scheme, dict) and "$ref" not in scheme and scheme_kind(scheme)[0] is None:
            message = (
                f"security scheme {name!r} ({scheme.get('type')}) is not supported:"
                " send its credentials with extra_headers"
            )
            out.append(doc.diagnostic(["components", "securitySchemes", name], message, Level.WARNING))


def _path_parameters(spec: dict[str, Any], holder: dict[str, Any]) -> set[str]:
    names: set[str] = set()
    params = holder.get("parameters")
    for param in params if isinstance(params, list) else []:
        if isinstance(param, dict) and isinstance(param.get("$ref"), str):
            try:
                param = lookup(spec, local_ref_parts(param["$ref"]) or [])
            except KeyError:
                continue
        if isinstance(param, dict) and param.get("in") == "path" and isinstance(param.get("name"), str):
            names.add(param["name"])
    return names


def _check_names(doc: Document, out: list[Diagnostic]) -> None:
    """Names that become Python identifiers must keep a letter or digit (collisions are renamed later).
    Property names need not: a field is named after the characters (`"+"` is `plus_sign`)."""
    for site in iter_operations(doc.data):
        op_id = site.operation.get("operationId")
        if isinstance(op_id, str) and not function_name(op_id):
            out.append(doc.diagnostic([*site.parts, "operationId"], _unusable("operationId", op_id)))
    schemas = doc.data.get("components", {}).get("schemas", {})
    if isinstance(schemas, dict):
        _check_identifiers(doc, out, ["components", "schemas"], list(schemas), "schema name")


def _check_identifiers(
    doc: Document, out: list[Diagnostic], parts: list[Part], names: list[str], what: str
) -> None:
    convert = class_name if what == "schema name" else snake_case
    for name in names:
        if not convert(name):
            out.append(doc.diagnostic([*parts, name], _unusable(what, name)))


def _unusable(what: str, name: str) -> str:
    return f"{what} {name!r} cannot become a Python identifier: it has no letter or digit"


# --- openapi-spec-validator, with a location on every error -------------------------------------


Finding = tuple[list[Part], Level, str]


def _spec_validator_diagnostics(doc: Document, version: str) -> list[Diagnostic]:
    """openapi-spec-validator's findings (seconds on a large spec), cached by the document with its
    descriptions and summaries left out (`descriptions.without_prose`): an edit of those alone finds
    them there, each placed anew in the edited text. Findings that may quote one (an object with
    one, shown whole) are not cached."""
    key = _structure_key(doc.data, version)
    hit = results.get("spec-validator", key)
    if isinstance(hit, list):
        found: list[Finding] = [(parts, Level(level), message) for parts, level, message in hit]
    else:
        found = _spec_validator_findings(doc, version)
        if not any("description" in message or "summary" in message for _, _, message in found):
            results.put("spec-validator", key, [[parts, level.value, text] for parts, level, text in found])
    return [doc.diagnostic(parts, message, level) for parts, level, message in found]


def _structure_key(spec: dict[str, Any], version: str) -> str:
    return results.key("spec-validator", version, json.dumps(without_prose(spec), default=str))


def _spec_validator_findings(doc: Document, version: str) -> list[Finding]:
    base = {"3.1": OpenAPIV31SpecValidator, "3.2": OpenAPIV32SpecValidator}.get(
        version[:3], OpenAPIV30SpecValidator
    )
    validator = _located_validator(base)(doc.data)
    out: list[Finding] = []
    known = KnownValid(base.__name__)
    running = RUNNING.set(known)
    try:
        for error in _document_errors(base, doc.data):
            out.append(_from_error(error, list(error.absolute_path), Level.ERROR))
        for error in validator.root_validator(validator.schema_path):
            if isinstance(error, DuplicateOperationIDError | UnresolvableParameterError):
                continue  # reported by our own checks, with better places
            parts = resolve_logical(doc.data, [*getattr(error, "sdkgen_parts", []), *error.path])
            if getattr(error, "sdkgen_default", False):
                out.append(_from_error(error, parts, Level.WARNING))
            elif parts and parts[-1] in REPAIRED:
                out.append((parts, Level.WARNING, f"{_best_message(error)}; {REPAIRED[str(parts[-1])]}"))
            else:
                out.append(_from_error(error, parts, Level.ERROR))
    except Exception as exc:  # the validator itself failed on this input
        out.append(([], Level.ERROR, f"openapi-spec-validator failed: {type(exc).__name__}: {exc}"))
    finally:
        RUNNING.reset(running)
    known.save()
    return out


def _from_error(error: ValidationError, parts: list[Part], level: Level) -> Finding:
    message = _best_message(error)
    if level is Level.WARNING:
        message = f"default {message}; the SDK leaves this default out"
    return parts, level, message


def _best_message(error: ValidationError) -> str:
    if error.context:
        deepest = max(error.context, key=lambda e: (len(e.absolute_path), list(map(str, e.absolute_path))))
        if len(deepest.absolute_path) > 0:
            return f"{error.message} (at {'/'.join(map(str, deepest.absolute_path))}: {deepest.message})"
    return str(error.message)


_LOCATED: dict[type, type] = {}


def _dicts_and_lists_first(original: Any) -> Any:
    """pathable's step into a node, which asks first whether the node is `Subscriptable`: a
    runtime Protocol, whose isinstance walks the protocol's classes each time (38,000 steps into
    the full OpenAI spec took a fifth of the validator's time). A dict or a list is one. Another
    pathable, whose step is not that classmethod, keeps its own."""
    if not isinstance(original, classmethod):
        return original
    step = original.__func__

    def _get_subnode(cls: Any, node: Any, part: Any) -> Any:
        if isinstance(node, dict | list):
            try:
                return node[part]
            except (KeyError, IndexError, TypeError) as exc:
                raise KeyError(part) from exc
        return step(cls, node, part)

    return classmethod(_get_subnode)


if "_get_subnode" in SubscriptableAccessor.__dict__:
    SubscriptableAccessor._get_subnode = _dicts_and_lists_first(  # type: ignore[method-assign]
        SubscriptableAccessor.__dict__["_get_subnode"]
    )


def _located_validator(base: Any) -> Any:
    """A validator whose keyword validators tag each error with where in the document it arose."""
    if base not in _LOCATED:
        registry = {name: _locating(cls) for name, cls in base.keyword_validators.items()}
        _LOCATED[base] = type(f"Located{base.__name__}", (base,), {"keyword_validators": registry})
    return _LOCATED[base]


def _locating(cls: type) -> type:
    methods: dict[str, Any] = {"__call__": _located_call(cls)}
    if issubclass(cls, keywords.SchemaValidator):
        methods["__init__"] = _with_id_sets(cls)
    if issubclass(cls, keywords.OpenAPIV31SchemaValidator):
        methods["_get_schema_checker"] = _shared_schema_checker(cls)
    elif issubclass(cls, keywords.SchemaValidator):
        methods["_get_schema_checker"] = _fast_first_schema_checker(cls)
    return type(f"Located{cls.__name__}", (cls,), methods)


class _Ids(list[int]):
    """openapi-spec-validator's record of the schemas it has visited, a list, with a set's `in`:
    on the full OpenAI spec, 12,863 lookups among thousands of ids took a third of its walk."""

    def __init__(self) -> None:
        super().__init__()
        self._seen: set[int] = set()

    def append(self, schema_id: int) -> None:
        self._seen.add(schema_id)
        super().append(schema_id)

    def __contains__(self, schema_id: object) -> bool:
        return schema_id in self._seen


def _with_id_sets(cls: type) -> Callable[..., None]:
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        cls.__init__(self, *args, **kwargs)  # type: ignore[misc]
        self.visited_schema_ids = _Ids()
        self.meta_checked_schema_ids = _Ids()

    return __init__


def _located_call(cls: type) -> Callable[..., Iterator[ValidationError]]:
    is_default = issubclass(cls, keywords.ValueValidator)

    def __call__(self: Any, *args: Any, **kwargs: Any) -> Iterator[ValidationError]:
        where = next((a for a in args if isinstance(a, SchemaPath)), None)
        for error in cls.__call__(self, *args, **kwargs):
            if where is not None and not hasattr(error, "sdkgen_parts"):
                error.sdkgen_parts = [*where.parts, "default"] if is_default else list(where.parts)
                error.sdkgen_default = is_default
            yield error

    return __call__


def _shared_schema_checker(cls: type) -> Callable[..., Callable[[Any], None]]:
    """The schema keyword's meta-schema check with one validator for all schemas."""

    def _get_schema_checker(self: Any, schema: SchemaPath, schema_value: Any) -> Callable[[Any], None]:
        dialect = self._get_schema_dialect_id(schema, schema_value)
        validator_cls = self._get_validator_class_for_dialect(dialect)
        if validator_cls is None:
            raise ValueError(f"Unknown JSON Schema dialect: {dialect!r}")
        return _meta_schema_checker(validator_cls, self.schema_validator_format_checker)

    return _get_schema_checker


def _fast_first_schema_checker(cls: type) -> Callable[..., Callable[[Any], None]]:
    """The schema keyword's meta-schema check (OpenAPI 3.0's, a schema class's own
    `check_schema`), not asked of a schema jsonschema-rs finds valid (`fast_check`)."""

    def _get_schema_checker(self: Any, schema: SchemaPath, schema_value: Any) -> Callable[[Any], None]:
        checker: Callable[[Any], None] = cls._get_schema_checker(self, schema, schema_value)  # type: ignore[attr-defined]
        validator_cls = self.schema_validator_cls
        fast = schema_check(validator_cls, getattr(validator_cls, "FORMAT_CHECKER", None))

        def check(value: Any) -> None:
            if not valid_at_once(fast, value):
                checker(value)

        return check

    return _get_schema_checker


@cache
def _meta_schema_checker(validator_cls: Any, format_checker: Any) -> Callable[[Any], None]:
    """openapi-schema-validator's check_schema with one validator, not a new one per schema, which
    checks each subschema found valid once (`_remembering_validator`); none is asked of a schema
    jsonschema-rs finds valid (`fast_check`)."""
    meta = validator_cls.META_SCHEMA
    validator = _remembering_validator(meta, validator_for(meta, default=validator_cls), format_checker)
    fast = schema_check(validator_cls, format_checker)

    def check(schema: Any) -> None:
        known = RUNNING.get()
        key = known.key(schema, validator_cls.__name__) if known else ""
        if known and known.known(key):
            return
        errors = [] if valid_at_once(fast, schema) else list(validator.iter_errors(schema))
        if errors:  # jsonschema walks a schema's property names as a set: pick one by document order
            raise SchemaError.create_from(min(errors, key=lambda e: _document_order(schema, e.absolute_path)))
        if known:
            known.valid.add(key)

    return check


def _remembering_validator(meta: Any, validator_cls: Any, format_checker: Any) -> Any:
    """A validator against `meta` that checks a subschema once per run however often it recurs
    (half the meta-schema checks of the full OpenAI spec, 2 of 4.5 s). The meta-schemas of JSON
    Schema 2020-12 reach every subschema by `$dynamicRef: "#meta"`, which leads to the outermost
    `$dynamicAnchor: meta`: when that is `meta`'s own root, a subschema's verdict there depends on
    the subschema alone, and one found valid is taken as valid where it recurs. Their `$schema` is
    left out, or jsonschema would validate them with its own, unremembering class."""
    if meta.get("$dynamicAnchor") != "meta":
        return _crawled_validator(meta, validator_cls, OPENAPI_SPECIFICATIONS, format_checker)
    follow = validator_cls.VALIDATORS["$dynamicRef"]

    def dynamic_ref(validator: Any, ref: Any, instance: Any, schema: Any) -> Iterator[ValidationError]:
        known = RUNNING.get()
        if ref != "#meta" or known is None:
            yield from follow(validator, ref, instance, schema)
            return
        number = known.contents.number(instance)
        if number in known.subschemas:
            return
        errors = list(follow(validator, ref, instance, schema))
        if not errors:
            known.subschemas.add(number)
        yield from errors

    registry = Registry().with_resources(
        (uri, _without_dialect_resource(OPENAPI_SPECIFICATIONS[uri])) for uri in OPENAPI_SPECIFICATIONS
    )
    remembering = extend(validator_cls, {"$dynamicRef": dynamic_ref})  # type: ignore[no-untyped-call]
    return _crawled_validator(_without_dialect(meta), remembering, registry, format_checker)


def _without_dialect(contents: Any) -> Any:
    return {k: v for k, v in contents.items() if k != "$schema"} if isinstance(contents, dict) else contents


def _without_dialect_resource(resource: Resource[Any]) -> Resource[Any]:
    """The resource read as before (its specification is kept), its `$schema` left out."""
    return resource._specification.create_resource(_without_dialect(resource.contents))


def _document_order(instance: Any, path: Iterable[Any]) -> list[int]:
    """Where a path lies in the document, as an index at each level (for a stable choice)."""
    order: list[int] = []
    for part in path:
        if isinstance(instance, dict) and part in instance:
            order.append(list(instance).index(part))
            instance = instance[part]
        elif isinstance(instance, list) and isinstance(part, int) and 0 <= part < len(instance):
            order.append(part)
            instance = instance[part]
        else:
            break
    return order


def _document_errors(base: Any, document: Any) -> Iterable[ValidationError]:
    """jsonschema's errors of the whole document against the OpenAPI schema of its version; none,
    without asking it, when jsonschema-rs finds the document valid (`fast_check`)."""
    if valid_at_once(document_check(base), document):
        return ()
    errors: Iterable[ValidationError] = _document_validator(base).iter_errors(document)
    return errors


@cache
def _document_validator(base: Any) -> Any:
    """The validator of a whole document against the OpenAPI schema of its version."""
    meta = dict(base.schema_validator.schema)
    return _crawled_validator(meta, validator_for(meta), OPENAPI_SPECIFICATIONS)


def _crawled_validator(meta: Any, validator_cls: Any, registry: Any, format_checker: Any = None) -> Any:
    """A validator whose registry is crawled up front. jsonschema adds the root schema uncrawled,
    and referencing crawls it again at every $dynamicRef lookup that misses: that was 3.6 of the
    4.6 s openapi-spec-validator spends on OpenAI's spec before its keyword checks."""
    resource = Resource.from_contents(meta, default_specification=DRAFT202012)
    uri = resource.id() or ""
    crawled = registry.with_resource(uri, resource).crawl()
    return validator_cls(
        meta, format_checker=format_checker, registry=crawled, _resolver=crawled.resolver(uri)
    )
