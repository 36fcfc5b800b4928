"""The intermediate representation templates read: frozen, with names and imports resolved once."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from .model_modules import ModelModule


@dataclass(frozen=True)
class Field:
    """A top-level property of a request body, offered as a keyword argument."""

    name: str  # on the wire
    py_name: str  # the keyword argument
    annotation: str  # the argument's type, without NotGiven
    required: bool
    nullable: bool
    description: str


@dataclass(frozen=True)
class Parameter:
    name: str
    py_name: str
    location: str  # path, query, header or cookie
    annotation: str
    required: bool
    description: str
    style: tuple[str, bool] | None = None  # (style, explode) where the spec changes the default
    rules: dict[str, Any] | None = None  # the limits checked before sending (range, length, enum)


@dataclass(frozen=True)
class Body:
    model: str  # class name in the models module, or the body's type when it is passed whole
    required: bool
    media_type: str
    fields: tuple[Field, ...]
    whole: bool = False  # a union, array or scalar root: only `body=`, no keyword per field
    encoding: str = "json"  # json, multipart, form (URL-encoded) or raw (`content=`)
    files: tuple[str, ...] = ()  # the wire names of multipart fields that carry files


@dataclass(frozen=True)
class Response:
    status: str
    annotation: str  # the parsed body's Python type: a model, list[...], a scalar, Any, or None
    model: str | None  # the model class, when the body is one
    description: str
    kind: str = "json"  # json, text (a str), binary (BinaryResponse) or stream (Stream[Event])

    @property
    def runtime_type(self) -> str:
        """The expression the client parses the body with."""
        if self.kind == "text":
            return "TEXT"
        return {"None": "NO_CONTENT", "Any": "object"}.get(self.annotation, self.annotation)

    def for_client(self, variant: str) -> str:
        """The type a method of the sync (`""`) or async (`"Async"`) client returns."""
        return variant + self.annotation if self.kind in ("binary", "stream") else self.annotation


@dataclass(frozen=True)
class Pagination:
    """How a list operation pages (see the runtime's PageRule)."""

    kind: str  # cursor, token, url, link or offset
    items: str  # the response's array of items (wire name)
    param: str = ""  # the query parameter that asks for the next page
    field: str = ""  # the response field with the cursor, token, URL or total
    more: str = ""  # the response's boolean that says more pages follow
    item: str = "Any"  # the Python type of one item


@dataclass(frozen=True)
class Streaming:
    """An operation that streams events: always, or when its body's boolean field says so."""

    event: str  # the Python type of one event
    field: str | None  # the body field (wire name) that asks for a stream; None when always
    accept: str  # the Accept header of a streamed call
    lines: bool = False  # JSON chunks one per line, where the media type does not say so
    end: str = "[DONE]"  # the data of the event that ends the stream

    def parsed_as(self, variant: str) -> str:
        """What the client parses a streamed response as: `Stream[E]`, with the runtime's
        StreamRule where the spec's stream differs from server-sent events ended by `[DONE]`."""
        stream = f"{variant}Stream[{self.event}]"
        if not self.lines and self.end == "[DONE]":
            return stream
        return f"Annotated[{stream}, StreamRule(lines={self.lines}, end={json.dumps(self.end)})]"

    @property
    def ruled(self) -> bool:
        return self.lines or self.end != "[DONE]"


@dataclass(frozen=True)
class DocField:
    """A row of a docs table: a parameter, body field or model field, in Markdown."""

    name: str
    type_text: str
    required: bool
    default: str
    constraints: str
    description: str


@dataclass(frozen=True)
class DocResponse:
    status: str
    description: str
    type_text: str
    example: str  # JSON, or "" when the response has no body
    retried: bool


@dataclass(frozen=True)
class OperationDoc:
    auth: str
    parameters: tuple[DocField, ...]
    body_type: str
    body_fields: tuple[DocField, ...]
    request_example: str  # JSON, or "" without a body
    example_arguments: tuple[tuple[str, str], ...]  # (argument, Python literal) for the snippets
    path_arguments: tuple[str, ...]  # Python literals of the path parameters, in order
    url_example: str  # the path with its parameters (and required query parameters) filled in
    header_examples: tuple[str, ...]  # `Name: value` of each required header parameter, for curl
    responses: tuple[DocResponse, ...]
    curl_body: tuple[str, ...] = ()  # curl's body options for a form or raw body (`-F 'a=1'`)
    other_media: tuple[str, ...] = ()  # the request media types offered beside the one sent

    @property
    def uses_path(self) -> bool:
        """The example call passes a file as a `pathlib.Path`."""
        return any(value.lstrip("[").startswith("Path(") for _, value in self.example_arguments)


@dataclass(frozen=True)
class DocModel:
    name: str
    kind: str  # object, enum, union or type
    type_text: str
    description: str
    fields: tuple[DocField, ...]
    constraints: str
    example: str
    used_by: tuple[str, ...]  # function names of the operations that use it, directly or nested


@dataclass(frozen=True)
class Operation:
    operation_id: str
    function_name: str
    method: str  # upper case
    path: str
    tag: str
    summary: str
    description: str
    deprecated: bool
    parameters: tuple[Parameter, ...]
    body: Body | None
    success: Response
    errors: tuple[Response, ...]
    doc: OperationDoc
    accept: str = "application/json"  # the JSON media types its responses declare
    security: tuple[tuple[str, ...], ...] = ()  # alternatives of scheme keys; () needs none
    streaming: Streaming | None = None
    pagination: Pagination | None = None

    @property
    def path_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == "path")

    def parameters_in(self, location: str) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.location == location)

    @property
    def styled_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.style)

    @property
    def checked_parameters(self) -> tuple[Parameter, ...]:
        return tuple(p for p in self.parameters if p.rules)


@dataclass(frozen=True)
class SecurityScheme:
    """A way to authenticate that the SDK can send, and where the client finds its credential."""

    key: str  # its name under components/securitySchemes
    kind: str  # bearer, basic, header, query or cookie
    parameter: str  # the header, query or cookie name ("Authorization" for bearer and basic)
    argument: str  # the client's constructor argument (`api_key` for the first single secret)
    env_var: str


@dataclass(frozen=True)
class Group:
    """The operations of one tag: a resource attribute of the client when a spec has several tags."""

    tag: str
    attribute: str  # client.<attribute>; "" when operations sit on the client itself
    class_name: str
    operations: tuple[Operation, ...]

    @property
    def module(self) -> str:
        """Its module in the `resources` package."""
        return self.attribute


@dataclass(frozen=True)
class Api:
    title: str
    version: str  # as the spec says it
    package_version: str  # a valid PEP 440 version for the generated pyproject.toml
    description: str
    package_name: str
    distribution_name: str
    client_name: str
    server_url: str
    api_key_env: str
    base_url_env: str
    operations: tuple[Operation, ...]
    groups: tuple[Group, ...]
    doc_models: tuple[DocModel, ...]
    model_names: tuple[str, ...]
    models_source: str  # the whole models text, as one module (the diff compares it)
    model_modules: tuple[ModelModule, ...]  # the same text split into the models package
    # what signatures may name besides models (typing, uuid, datetime, ...): module -> names; each
    # module imports those its code uses
    signature_imports: tuple[tuple[str, tuple[str, ...]], ...]
    security_schemes: tuple[SecurityScheme, ...] = ()
    # the record's lines of the model groups and of their pieces' runs, by key
    model_groups: tuple[tuple[str, str], ...] = ()

    @property
    def resource_imports(self) -> dict[str, list[str]]:
        """What the client module imports for its annotations: module -> resource classes."""
        kinds = [(variant, raw) for variant in ("", "Async") for raw in ("", "WithRawResponse")]
        return {
            f".resources.{g.module}": [f"{variant}{g.class_name}{raw}" for variant, raw in kinds]
            for g in self.groups
            if g.attribute
        }

    @cached_property
    def model_name_set(self) -> frozenset[str]:
        return frozenset(self.model_names)

    @cached_property
    def attribute_of_tag(self) -> dict[str, str]:
        """The client attribute of each tag's resource."""
        found: dict[str, str] = {}
        for group in self.groups:
            found.setdefault(group.tag, group.attribute)
        return found

    @property
    def primary_scheme(self) -> SecurityScheme | None:
        return next((s for s in self.security_schemes if s.argument == "api_key"), None)

    def schemes_for(self, op: Operation) -> tuple[SecurityScheme, ...]:
        """The schemes of the operation's first alternative, which its examples use."""
        first = op.security[0] if op.security else ()
        return tuple(s for s in self.security_schemes if s.key in first)

    @property
    def other_schemes(self) -> tuple[SecurityScheme, ...]:
        """The schemes whose credentials the client takes by their own argument, not `api_key`."""
        return tuple(s for s in self.security_schemes if s.argument != "api_key")

    @property
    def credentials_required(self) -> bool:
        """Every operation needs a credential: a client without any is refused when made."""
        return bool(self.operations) and all(op.security and () not in op.security for op in self.operations)

    @property
    def flat(self) -> bool:
        """One group: its methods sit directly on the client."""
        return len(self.groups) == 1 and not self.groups[0].attribute
