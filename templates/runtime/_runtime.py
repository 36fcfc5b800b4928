"""The runtime of an sdkgen SDK: requests, retries, errors and secrets.

Hand-written and copied verbatim into every generated package; generated modules stay thin and
call into it.
"""

from __future__ import annotations

import asyncio
import base64
import email.utils
import json
import logging
import operator
import os
import random
import re
import time
import types
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Mapping
from pathlib import Path
from typing import (
    IO,
    Annotated,
    Any,
    Generic,
    Literal,
    NamedTuple,
    ParamSpec,
    Self,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
    overload,
)
from urllib.parse import parse_qsl, quote

import httpx
import pydantic
import pydantic_core
from pydantic_core import core_schema
from typing_extensions import TypeAliasType

__all__ = [
    "NOT_GIVEN",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AsyncBinaryResponse",
    "AsyncClient",
    "AsyncPage",
    "AsyncStream",
    "AuthenticationError",
    "BadRequestError",
    "BaseModel",
    "BinaryResponse",
    "ConflictError",
    "FileContent",
    "FileTypes",
    "InternalServerError",
    "MissingAPIKeyError",
    "NotFoundError",
    "NotGiven",
    "OpenEnum",
    "PageRule",
    "PermissionDeniedError",
    "RateLimitError",
    "RawResponse",
    "RequestValidationError",
    "SDKError",
    "Secret",
    "SecurityScheme",
    "ServerSentEvent",
    "Stream",
    "StreamRule",
    "SyncClient",
    "SyncPage",
    "UnprocessableEntityError",
]

log = logging.getLogger(__name__.rsplit(".", 1)[0])

DEFAULT_TIMEOUT = httpx.Timeout(600.0, connect=5.0)
DEFAULT_MAX_RETRIES = 2
INITIAL_RETRY_DELAY = 0.5
MAX_RETRY_DELAY = 8.0
MAX_RETRY_AFTER = 60.0
RETRY_STATUSES = frozenset({408, 409, 429})

Headers = Mapping[str, object]
Query = Mapping[str, object]
Body = Mapping[str, object]
TimeoutTypes = float | httpx.Timeout | None


class NotGiven:
    """The default of every optional argument: an argument left at NOT_GIVEN is not sent at all."""

    def __bool__(self) -> bool:
        return False

    def __repr__(self) -> str:
        return "NOT_GIVEN"


NOT_GIVEN = NotGiven()
NO_CONTENT: Any = type(None)  # what clients parse an empty response as: nothing
TEXT: Any = type(
    "TEXT", (), {}
)  # what clients parse a text/plain response with: it is the str


class BaseModel(pydantic.BaseModel):
    """The base of every generated model. Validators are built when a model is first used rather
    than at import, as the openai package does: a large API imports in a fraction of the time.
    Fields the spec does not know are kept (`model_extra`), unless the spec closes the object.
    """

    model_config = pydantic.ConfigDict(defer_build=True, extra="allow")


class Secret(str):
    """A string that shows as `'**********'` in repr, so models and clients never print it by accident.

    It is still a str: explicit access (`session.client_secret.value`), `==` and JSON see the value.
    """

    def __repr__(self) -> str:
        return "'**********'"

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: Any
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_after_validator_function(
            cls,
            core_schema.str_schema(),
            serialization=core_schema.to_string_ser_schema(),
        )


class _KnownValues:
    """The check behind OpenEnum: a value outside the enum is refused only when validation is
    closed (a request, or a response under `strict_response_validation`)."""

    def __get_pydantic_core_schema__(
        self, source: Any, handler: Any
    ) -> core_schema.CoreSchema:
        known = tuple(
            v
            for member in get_args(source)
            if get_origin(member) is Literal
            for v in get_args(member)
        )

        def check(value: object, info: core_schema.ValidationInfo) -> object:
            if value in known or not (
                isinstance(info.context, dict) and info.context.get(CLOSED_ENUMS)
            ):
                return value
            expected = ", ".join(repr(v) for v in known)
            raise pydantic_core.PydanticCustomError(
                "literal_error",
                "Input should be one of {expected}",
                {"expected": expected},
            )

        return core_schema.with_info_after_validator_function(check, handler(source))


CLOSED_ENUMS = "sdkgen_closed_enums"
CLOSED: dict[str, object] = {CLOSED_ENUMS: True}
_E = TypeVar("_E")
OpenEnum = Annotated[_E | str, _KnownValues()]
"""A string enum a server may extend: the known values for typing, and any other string kept."""


# --- errors --------------------------------------------------------------------------------------


class SDKError(Exception):
    """The base of every error this SDK raises."""


class MissingAPIKeyError(SDKError):
    def __init__(self, env_var: str, argument: str = "api_key") -> None:
        super().__init__(
            f"no API key: pass {argument}= to the client or set the {env_var} environment variable"
        )


class RequestValidationError(SDKError, ValueError):
    """The arguments break the spec; nothing was sent."""

    def __init__(self, message: str, errors: list[Any] | None = None) -> None:
        super().__init__(message)
        self.errors = errors or []


class APIError(SDKError):
    """A request was made and failed."""

    def __init__(
        self, message: str, request: httpx.Request, *, body: object | None = None
    ) -> None:
        super().__init__(message)
        self.message = message
        self.request = request
        self.body = body


class APIConnectionError(APIError):
    def __init__(
        self, request: httpx.Request, message: str = "connection error"
    ) -> None:
        super().__init__(message, request)


class APITimeoutError(APIConnectionError):
    def __init__(self, request: httpx.Request) -> None:
        super().__init__(request, "request timed out")


class APIResponseValidationError(APIError):
    """The server answered with a body that does not match the spec."""

    def __init__(self, response: httpx.Response, body: object, detail: str) -> None:
        super().__init__(
            f"response does not match the spec: {detail}", response.request, body=body
        )
        self.response = response
        self.status_code = response.status_code


class APIStatusError(APIError):
    """The server answered with a 4xx or 5xx status."""

    def __init__(
        self, message: str, *, response: httpx.Response, body: object | None
    ) -> None:
        super().__init__(message, response.request, body=body)
        self.response = response
        self.status_code = response.status_code
        self.request_id: str | None = response.headers.get("x-request-id")
        error = body.get("error") if isinstance(body, dict) else None
        details: dict[str, Any] = error if isinstance(error, dict) else {}
        self.code = details.get("code")
        self.type = details.get("type")
        self.param = details.get("param")


class BadRequestError(APIStatusError):
    pass


class AuthenticationError(APIStatusError):
    pass


class PermissionDeniedError(APIStatusError):
    pass


class NotFoundError(APIStatusError):
    pass


class ConflictError(APIStatusError):
    pass


class UnprocessableEntityError(APIStatusError):
    pass


class RateLimitError(APIStatusError):
    pass


class InternalServerError(APIStatusError):
    pass


_STATUS_ERRORS: dict[int, type[APIStatusError]] = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    422: UnprocessableEntityError,
    429: RateLimitError,
}


def status_error(response: httpx.Response) -> APIStatusError:
    """The typed error for a 4xx or 5xx response; its message is the server's, never the request's."""
    try:
        body: object = response.json()
    except ValueError:
        body = response.text or None
    error = body.get("error") if isinstance(body, dict) else None
    detail = error.get("message") if isinstance(error, dict) else None
    message = f"{response.status_code} {response.reason_phrase}" + (
        f": {detail}" if detail else ""
    )
    cls = _STATUS_ERRORS.get(response.status_code)
    if cls is None:
        cls = InternalServerError if response.status_code >= 500 else APIStatusError
    return cls(message, response=response, body=body)


# --- credentials ---------------------------------------------------------------------------------


class SecurityScheme(NamedTuple):
    """A way to authenticate: `kind` is bearer, basic, header, query or cookie; `parameter` the
    header, query or cookie name; the client takes the credential as `argument`, else `env_var`.
    """

    kind: str
    parameter: str
    argument: str
    env_var: str


Security = tuple[
    tuple[str, ...], ...
]  # alternatives, each the scheme keys needed together


def credential(kind: str, value: object) -> object:
    """A credential as sent: a Secret, or for basic auth (username, Secret(password)); basic auth
    also takes `user:password` text, as an environment variable holds it."""
    if kind == "basic":
        user, password = (
            value.split(":", 1)
            if isinstance(value, str)
            else cast(tuple[str, str], value)
        )
        return (str(user), Secret(str(password)))
    return Secret(str(value))


def credentials_of(
    schemes: Mapping[str, SecurityScheme],
    api_key: object | None,
    given: Mapping[str, object | None] | None,
) -> dict[str, object]:
    """Each scheme's credential: `api_key` is the primary scheme's, `given` the others' by key."""
    found: dict[str, object] = {}
    for key, scheme in schemes.items():
        value = api_key if scheme.argument == "api_key" else (given or {}).get(key)
        if value is not None and value != "":
            found[key] = credential(scheme.kind, value)
    return found


def authorize(
    security: Security,
    schemes: Mapping[str, SecurityScheme],
    credentials: Mapping[str, object],
    headers: dict[str, str],
    params: list[tuple[str, str]],
) -> None:
    """Apply the first alternative whose credentials are all at hand; with none, an operation
    that requires credentials raises MissingAPIKeyError (`()` among the alternatives: optional).
    """
    for alternative in security:
        if alternative and all(key in credentials for key in alternative):
            for key in alternative:
                _apply(schemes[key], credentials[key], headers, params)
            return
    if security and () not in security:
        scheme = schemes[next(key for key in security[0] if key not in credentials)]
        raise MissingAPIKeyError(scheme.env_var, scheme.argument)


def _apply(
    scheme: SecurityScheme,
    value: object,
    headers: dict[str, str],
    params: list[tuple[str, str]],
) -> None:
    if scheme.kind == "basic":
        user, password = cast(tuple[str, str], value)
        token = base64.b64encode(f"{user}:{password}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    elif scheme.kind == "bearer":
        headers["Authorization"] = f"Bearer {value}"
    elif scheme.kind == "header":
        headers[scheme.parameter] = str(value)
    elif scheme.kind == "query":
        if all(name != scheme.parameter for name, _ in params):
            params.append((scheme.parameter, str(value)))
    else:  # a cookie
        cookie = f"{scheme.parameter}={value}"
        headers["Cookie"] = (
            f"{headers['Cookie']}; {cookie}" if headers.get("Cookie") else cookie
        )


# --- building requests ---------------------------------------------------------------------------


def given(values: Mapping[str, object]) -> dict[str, object]:
    return {k: v for k, v in values.items() if not isinstance(v, NotGiven)}


def json_body(
    model: type[pydantic.BaseModel],
    body: pydantic.BaseModel | None,
    fields: Mapping[str, object],
    nullable: frozenset[str],
    optional: bool = False,
) -> dict[str, Any] | None:
    """The JSON body from a `body=` model and keyword arguments, validated against the spec's schema.

    Arguments left at NOT_GIVEN are not sent; None is sent as null only where the schema allows it.
    An optional body with nothing given is not sent at all, and not validated.
    """
    values: dict[str, object] = {}
    if optional and body is None and not given(fields):
        return None
    if body is not None:
        values.update(body.model_dump(mode="json", by_alias=True, exclude_unset=True))
    for name, value in given(fields).items():
        if value is None and name not in nullable:
            raise RequestValidationError(
                f"{name} may not be None; leave it out to not send it"
            )
        values[name] = value
    try:
        validated = model.model_validate(values, context=CLOSED)
    except pydantic.ValidationError as exc:
        raise RequestValidationError(
            f"invalid request body: {exc}", exc.errors()
        ) from None
    return validated.model_dump(mode="json", by_alias=True, exclude_unset=True)


def json_value(tp: Any, body: object) -> object | None:
    """A body passed whole (a union, an array or a scalar at its root), validated against the
    spec's type; NOT_GIVEN sends no body."""
    if isinstance(body, NotGiven):
        return None
    try:
        plain = _adapter(Any).dump_python(
            body, mode="json", by_alias=True, exclude_unset=True
        )
        value = _adapter(tp).validate_python(plain, context=CLOSED)
    except pydantic.ValidationError as exc:
        raise RequestValidationError(
            f"invalid request body: {exc}", exc.errors()
        ) from None
    dumped: object = _adapter(tp).dump_python(
        value, mode="json", by_alias=True, exclude_unset=True
    )
    return dumped


FileContent = bytes | str | IO[bytes] | os.PathLike[str]
FileTypes = (
    FileContent
    | tuple[str | None, FileContent]
    | tuple[str | None, FileContent, str | None]
)
Form = tuple[
    dict[str, Any], list[tuple[str, Any]]
]  # URL-encoded fields, multipart parts


def form_body(
    model: type[pydantic.BaseModel],
    fields: Mapping[str, object],
    files: frozenset[str],
    *,
    multipart: bool,
    optional: bool = False,
) -> Form | None:
    """A form from keyword arguments (wire name -> value), each field validated against its type
    in the spec's model; files are read by httpx as the request is sent. In a multipart body every
    field is a part; objects and arrays of objects are sent as JSON text."""
    values = given(fields)
    if optional and not values:
        return None
    problems = [
        f"{key}: {error['msg']}"
        for key, field in ((f.alias or n, f) for n, f in model.model_fields.items())
        for error in _field_errors(field, key, values, typed=key not in files)
    ]
    if problems:
        raise RequestValidationError("invalid request body: " + "; ".join(problems))
    data: dict[str, Any] = {}
    parts: list[tuple[str, Any]] = []
    for key, value in values.items():
        if key in files:
            items = value if isinstance(value, list) else [value]
            parts += [
                (f"{key}[]" if isinstance(value, list) else key, _file(item))
                for item in items
            ]
        elif multipart:
            plain = _adapter(Any).dump_python(
                value, mode="json", by_alias=True, exclude_unset=True
            )
            parts += [(name, (None, text)) for name, text in _flattened(key, plain)]
        else:
            data[key] = (
                [_form_text(v) for v in value]
                if isinstance(value, list)
                else _form_text(value)
            )
    return data, parts


def _flattened(key: str, value: Any) -> list[tuple[str, str]]:
    """Multipart fields as the openai package and Prism read them: `tags[]` for each item of an
    array, `crop[width]` for each property of an object."""
    if isinstance(value, dict):
        return [
            pair
            for sub, item in value.items()
            for pair in _flattened(f"{key}[{sub}]", item)
        ]
    if isinstance(value, list):
        return [pair for item in value for pair in _flattened(f"{key}[]", item)]
    return [(key, _form_text(value))] if value is not None else []


def _field_errors(
    field: Any, key: str, values: Mapping[str, object], typed: bool
) -> list[Any]:
    if key not in values:
        return [{"msg": "Field required"}] if field.is_required() else []
    if not typed:  # a file: any of the shapes FileTypes allows
        return []
    adapter = _adapter(
        Annotated[(field.annotation, *field.metadata)]
        if field.metadata
        else field.annotation
    )
    try:
        adapter.validate_python(values[key], context=CLOSED)
    except pydantic.ValidationError as exc:
        return exc.errors()
    return []


def _form_text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str | int | float):
        return str(value)
    plain = _adapter(Any).dump_python(
        value, mode="json", by_alias=True, exclude_unset=True
    )
    return json.dumps(plain, ensure_ascii=False, separators=(",", ":"))


def _file(value: object) -> object:
    """A file as httpx sends it: a path is opened (and named after itself), text is UTF-8."""
    if isinstance(value, tuple):
        name, content, *kind = value
        return (name, _file_content(content), *kind)
    if isinstance(value, os.PathLike):
        return (Path(value).name, Path(value).open("rb"))  # httpx reads it as it sends
    if isinstance(value, bytes | str):
        return ("upload", _file_content(value))
    return value


def _file_content(content: object) -> object:
    if isinstance(content, os.PathLike):
        return Path(content).open("rb")
    return content.encode("utf-8") if isinstance(content, str) else content


def build_request(
    method: str,
    base_url: str,
    path: str,
    *,
    path_params: Mapping[str, object] | None = None,
    query: Query | None = None,
    headers: Headers | None = None,
    cookies: Mapping[str, object] | None = None,
    styles: Mapping[str, tuple[str, bool]] | None = None,
    rules: Mapping[str, Mapping[str, Any]] | None = None,
    json_data: object | None = None,
    form: Form | None = None,
    content: FileContent | NotGiven | None = None,
    content_type: str | None = None,
    security: Security = (),
    schemes: Mapping[str, SecurityScheme] | None = None,
    api_key: str | None = None,
    credentials: Mapping[str, object | None] | None = None,
    extra_headers: Headers | None = None,
    extra_query: Query | None = None,
    extra_body: Body | None = None,
    timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
    user_agent: str = "sdkgen-sdk",
    accept: str = "application/json",
) -> httpx.Request:
    """An httpx.Request ready to send: parameters checked against the spec's `rules` and encoded
    in their `styles` (`form`/`simple` unless named), NOT_GIVEN values left out, a query that is
    part of the path kept, and the operation's `security` met with `api_key` (the primary
    scheme) or `credentials` (by key)."""
    styles = styles or {}
    values = {
        **given(path_params or {}),
        **given(query or {}),
        **given(headers or {}),
        **given(cookies or {}),
    }
    check_parameters(values, rules or {})
    quoted = {
        k: _path_text(k, v, *styles.get(k, ("simple", False)))
        for k, v in (path_params or {}).items()
    }
    path, _, fixed = path.partition("?")
    url = base_url.rstrip("/") + "/" + path.format(**quoted).lstrip("/")
    params: list[tuple[str, str]] = parse_qsl(fixed, keep_blank_values=True)
    for name, value in given({**(query or {}), **(extra_query or {})}).items():
        if value is not None:
            params += _query_pairs(name, value, *styles.get(name, ("form", True)))
    merged: dict[str, str] = {"Accept": accept, "User-Agent": user_agent}
    sent_cookies = [
        f"{k}={quote(_text(v), safe='')}"
        for k, v in given(cookies or {}).items()
        if v is not None
    ]
    if sent_cookies:
        merged["Cookie"] = "; ".join(sent_cookies)
    known = schemes or {}
    authorize(
        security, known, credentials_of(known, api_key, credentials), merged, params
    )
    body: Any = None
    data: dict[str, Any] | None = None
    parts: list[tuple[str, Any]] | None = None
    if form is not None:
        data = {**form[0], **(extra_body or {})}
        parts = form[1] or None
    elif content is not None and not isinstance(content, NotGiven):
        body = _file_content(content)
        body = body.read() if hasattr(body, "read") else body
        merged["Content-Type"] = content_type or "application/octet-stream"
    elif json_data is not None or extra_body:
        merged["Content-Type"] = "application/json"
        payload = json_data
        if extra_body:
            if not isinstance(json_data, Mapping | None):
                raise RequestValidationError(
                    "extra_body adds fields to an object body; this body is not one"
                )
            payload = {**(json_data or {}), **extra_body}
        body = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode(
            "utf-8"
        )
    for name, value in {**(headers or {}), **(extra_headers or {})}.items():
        if value is None:  # None removes a default header
            merged = {k: v for k, v in merged.items() if k.lower() != name.lower()}
        elif not isinstance(value, NotGiven):
            merged[name] = _header_value(value)
    request = httpx.Request(
        method,
        url,
        params=tuple(params),
        headers=merged,
        content=body,
        data=data,
        files=parts,
    )
    if not isinstance(timeout, NotGiven):
        request.extensions["timeout"] = _timeout(timeout).as_dict()
    return request


def _header_value(value: object) -> str:
    if isinstance(value, list | tuple):
        return ",".join(_header_value(v) for v in value)
    return "true" if value is True else "false" if value is False else str(value)


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, pydantic.BaseModel):
        return json.dumps(
            value.model_dump(mode="json", by_alias=True, exclude_unset=True)
        )
    return str(value)


def _plain(value: object) -> object:
    """Models and enums as plain JSON values, so styles see dicts, lists and scalars."""
    return _adapter(Any).dump_python(
        value, mode="json", by_alias=True, exclude_unset=True
    )


_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


def _query_pairs(
    name: str, value: object, style: str, explode: bool
) -> list[tuple[str, str]]:
    """A query parameter as OpenAPI's `style`/`explode` say: `form` (`a=1&a=2`, or `a=1,2`),
    `spaceDelimited`, `pipeDelimited`, and `deepObject` (`a[b]=1`)."""
    plain = _plain(value)
    if isinstance(plain, dict):
        if style == "deepObject":
            return [
                pair
                for key, item in plain.items()
                for pair in _deep(f"{name}[{key}]", item)
            ]
        if explode:
            return [(str(key), _text(item)) for key, item in plain.items()]
        return [
            (name, ",".join(_text(part) for pair in plain.items() for part in pair))
        ]
    if isinstance(plain, list):
        if explode:
            return [(name, _text(item)) for item in plain]
        return [(name, _DELIMITERS.get(style, ",").join(_text(item) for item in plain))]
    return [(name, _text(plain))]


def _deep(key: str, value: object) -> list[tuple[str, str]]:
    if isinstance(value, dict):
        return [
            pair for sub, item in value.items() for pair in _deep(f"{key}[{sub}]", item)
        ]
    if isinstance(value, list):
        return [pair for item in value for pair in _deep(f"{key}[]", item)]
    return [(key, _text(value))]


def _path_text(name: str, value: object, style: str, explode: bool) -> str:
    """A path parameter, percent-encoded, in its style: `simple` (`1,2`), `label` (`.1.2`) or
    `matrix` (`;id=1,2`)."""
    plain = _plain(value)
    if isinstance(plain, dict):
        items = [
            f"{k}={_text(v)}" if explode else f"{k},{_text(v)}"
            for k, v in plain.items()
        ]
    elif isinstance(plain, list):
        items = [
            f"{name}={_text(v)}" if explode and style == "matrix" else _text(v)
            for v in plain
        ]
    else:
        items = [_text(plain)]
    encoded = [quote(item, safe="=" if explode else "") for item in items]
    if style == "label":
        return "." + ("." if explode else ",").join(encoded)
    if style == "matrix":
        if explode and isinstance(plain, list | dict):
            return "".join(";" + item for item in encoded)
        return f";{name}=" + ",".join(encoded)
    return ",".join(encoded)


def check_parameters(
    values: Mapping[str, object], rules: Mapping[str, Mapping[str, Any]]
) -> None:
    """The spec's limits on parameters (range, length, pattern, items, enum), checked before
    anything is sent, as request bodies are."""
    problems = [
        f"{name}: {problem}"
        for name, value in values.items()
        for problem in _broken(value, rules.get(name))
    ]
    if problems:
        raise RequestValidationError("invalid parameters: " + "; ".join(problems))


def _broken(value: object, rule: Mapping[str, Any] | None) -> list[str]:
    if not rule or value is None:
        return []
    plain = _plain(value)
    found = []
    if "enum" in rule and plain not in rule["enum"]:
        found.append(f"{plain!r} is not one of {rule['enum']!r}")
    if isinstance(plain, int | float) and not isinstance(plain, bool):
        for key, fails, word in (
            ("minimum", operator.lt, "less than"),
            ("maximum", operator.gt, "more than"),
            ("exclusiveMinimum", operator.le, "not more than"),
            ("exclusiveMaximum", operator.ge, "not less than"),
        ):
            if (
                isinstance(rule.get(key), int | float)
                and not isinstance(rule.get(key), bool)
                and fails(plain, rule[key])
            ):
                found.append(f"{plain} is {word} {rule[key]}")
    if isinstance(plain, str):
        if len(plain) < rule.get("minLength", 0) or len(plain) > rule.get(
            "maxLength", len(plain)
        ):
            found.append(
                f"{len(plain)} characters, outside {rule.get('minLength', 0)}..{rule.get('maxLength', '')}"
            )
        if "pattern" in rule and re.search(rule["pattern"], plain) is None:
            found.append(f"{plain!r} does not match {rule['pattern']!r}")
    if isinstance(plain, list):
        if len(plain) < rule.get("minItems", 0) or len(plain) > rule.get(
            "maxItems", len(plain)
        ):
            found.append(
                f"{len(plain)} items, outside {rule.get('minItems', 0)}..{rule.get('maxItems', '')}"
            )
        found += [
            problem for item in plain for problem in _broken(item, rule.get("items"))
        ]
    return found


def _timeout(value: TimeoutTypes) -> httpx.Timeout:
    return value if isinstance(value, httpx.Timeout) else httpx.Timeout(value)


# --- responses -----------------------------------------------------------------------------------

T = TypeVar("T")
P = ParamSpec("P")


_ADAPTERS: dict[Any, pydantic.TypeAdapter[Any]] = {}


def _adapter(tp: Any) -> pydantic.TypeAdapter[Any]:
    adapter = _ADAPTERS.get(tp)
    if adapter is None:
        adapter = _ADAPTERS[tp] = pydantic.TypeAdapter(tp)
    return adapter


def parse_response(response: httpx.Response, tp: Any, *, strict: bool = False) -> Any:
    """The response body as the spec's model. A server that drifted from its spec never fails the
    call: what does not fit is kept as the server sent it (see `construct`). With `strict`, a body
    that does not match the spec is an APIResponseValidationError."""
    if tp is NO_CONTENT:
        return None
    if tp is TEXT:
        return response.text
    if tp is BinaryResponse or tp is AsyncBinaryResponse:
        return tp(response)
    stream = _stream_parts(tp)
    if stream is not None:
        kind, event, rule = stream
        return kind(response, event, strict=strict, rule=rule)
    try:
        body = response.json()
    except ValueError:
        raise APIResponseValidationError(
            response, response.text, "the body is not JSON"
        ) from None
    return _parse_value(response, body, tp, strict)


def _parse_value(response: httpx.Response, body: Any, tp: Any, strict: bool) -> Any:
    try:
        return _adapter(tp).validate_python(body, context=CLOSED if strict else None)
    except pydantic.ValidationError as exc:
        if strict:
            raise APIResponseValidationError(response, body, str(exc)) from None
        log.debug("the response does not match the spec; kept as sent: %s", exc)
        return construct(tp, body)


def streamed(tp: Any) -> bool:
    """Whether a response parsed as `tp` is read as it arrives rather than before parsing."""
    return (
        tp is BinaryResponse
        or tp is AsyncBinaryResponse
        or _stream_parts(tp) is not None
    )


def construct(tp: Any, value: Any) -> Any:
    """`value` as `tp` as far as it fits, keeping what does not (the forgiving parse of responses).

    Unknown enum and discriminator values stay strings, unknown fields stay on the model, formats
    and constraints are not checked, and a field of the wrong type keeps its raw value instead of
    failing the whole object."""
    if isinstance(tp, TypeAliasType):
        return construct(tp.__value__, value)
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return construct(args[0], value)
    if origin is Union or origin is types.UnionType:
        for member in args:  # the first member that takes the value as it is
            try:
                return _adapter(member).validate_python(value)
            except pydantic.ValidationError:
                continue
        shaped = [
            m for m in args if _same_shape(m, value)
        ]  # else the first of the value's shape
        return construct(shaped[0], value) if shaped else value
    if origin is list and isinstance(value, list):
        return [construct(args[0] if args else Any, item) for item in value]
    if origin is dict and isinstance(value, dict):
        return {
            key: construct(args[1] if args else Any, item)
            for key, item in value.items()
        }
    if isinstance(tp, type) and issubclass(tp, pydantic.BaseModel):
        return _construct_model(tp, value) if isinstance(value, dict) else value
    if origin is Literal or tp is Any:
        return value
    try:
        return _adapter(tp).validate_python(value)
    except (
        pydantic.ValidationError,
        pydantic.PydanticSchemaGenerationError,
        TypeError,
    ):
        return value


def _same_shape(tp: Any, value: Any) -> bool:
    """Whether `tp` is a list, a mapping or model, or another type, as `value` is."""
    while isinstance(tp, TypeAliasType) or get_origin(tp) is Annotated:
        tp = tp.__value__ if isinstance(tp, TypeAliasType) else get_args(tp)[0]
    if isinstance(value, list):
        return get_origin(tp) is list
    if isinstance(value, dict):
        return get_origin(tp) is dict or (
            isinstance(tp, type) and issubclass(tp, pydantic.BaseModel)
        )
    return False


def _construct_model(
    model: type[pydantic.BaseModel], value: dict[str, Any]
) -> pydantic.BaseModel:
    fields: dict[str, Any] = {}
    known: set[str] = set()
    for name, field in model.model_fields.items():
        key = field.alias or name
        if key in value or name in value:
            known.add(key if key in value else name)
            fields[name] = construct(
                field.annotation, value[key if key in value else name]
            )
    result = model.model_construct(_fields_set=set(fields), **fields)
    extra = {key: item for key, item in value.items() if key not in known}
    if extra:
        if result.__pydantic_extra__ is None:
            object.__setattr__(result, "__pydantic_extra__", {})
        cast(dict[str, Any], result.__pydantic_extra__).update(extra)
    return result


# --- binary bodies and streams -------------------------------------------------------------------


class _Closes:
    """A response read as it arrives: `close()`, or a `with` block, ends the connection."""

    http_response: httpx.Response

    def close(self) -> None:
        self.http_response.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _AsyncCloses:
    """The async `_Closes`: `await close()`, or an `async with` block."""

    http_response: httpx.Response

    async def close(self) -> None:
        await self.http_response.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


class _Body:
    """What the binary responses share: the HTTP response, its status, headers and media type."""

    def __init__(self, response: httpx.Response) -> None:
        self.http_response = response

    @property
    def status_code(self) -> int:
        return self.http_response.status_code

    @property
    def headers(self) -> httpx.Headers:
        return self.http_response.headers

    @property
    def content_type(self) -> str | None:
        kind: str | None = self.http_response.headers.get("content-type")
        return kind

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.status_code} {self.content_type}>"


class BinaryResponse(_Body, _Closes):
    """A body that is not JSON (audio, images, files), read as it arrives: `.content` holds it all,
    `.iter_bytes()` yields it in chunks, `.write_to_file(path)` streams it to disk."""

    @property
    def content(self) -> bytes:
        return self.http_response.read()

    def iter_bytes(self, chunk_size: int | None = None) -> Iterator[bytes]:
        yield from self.http_response.iter_bytes(chunk_size)

    def write_to_file(self, file: str | os.PathLike[str]) -> None:
        with open(file, "wb") as out:
            out.writelines(self.http_response.iter_bytes())
        self.close()


class AsyncBinaryResponse(_Body, _AsyncCloses):
    """The async BinaryResponse: `await .read()`, `async for chunk in .iter_bytes()`,
    `await .write_to_file(path)`."""

    async def read(self) -> bytes:
        return await self.http_response.aread()

    async def iter_bytes(self, chunk_size: int | None = None) -> AsyncIterator[bytes]:
        async for chunk in self.http_response.aiter_bytes(chunk_size):
            yield chunk

    async def write_to_file(self, file: str | os.PathLike[str]) -> None:
        import anyio  # httpx's own dependency; files are opened off the event loop

        async with await anyio.open_file(file, "wb") as out:
            async for chunk in self.http_response.aiter_bytes():
                await out.write(chunk)
        await self.close()


class ServerSentEvent(NamedTuple):
    event: str | None
    data: str
    id: str | None
    retry: int | None


class SSEDecoder:
    """Server-sent events from lines, as the HTML standard says: `event:`, `data:` (lines joined
    by newlines), `id:`, `retry:`, comments (`:`) ignored, a blank line ending each event.
    """

    def __init__(self) -> None:
        self._event: str | None = None
        self._data: list[str] = []
        self._id: str | None = None
        self._retry: int | None = None

    def feed(self, line: str) -> ServerSentEvent | None:
        if not line:
            if not self._data and self._event is None:
                return None
            event = ServerSentEvent(
                self._event, "\n".join(self._data), self._id, self._retry
            )
            self._event, self._data, self._retry = None, [], None
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "data":
            self._data.append(value)
        elif name == "event":
            self._event = value
        elif name == "id" and "\0" not in value:
            self._id = value
        elif name == "retry" and value.isdigit():
            self._retry = int(value)
        return None

    def end(self) -> ServerSentEvent | None:
        return self.feed("")


def _decode(
    response: httpx.Response, item: ServerSentEvent | str, tp: Any, strict: bool
) -> Any:
    data = item.data if isinstance(item, ServerSentEvent) else item
    try:
        value = json.loads(data)
    except ValueError:
        return data  # an event whose data is not JSON stays text
    return _parse_value(response, value, tp, strict)


class StreamRule(NamedTuple):
    """How a spec says an operation streams, where it differs from server-sent events ended by
    `[DONE]`: JSON chunks one per line, or another terminating event (Fern's `x-fern-streaming`).
    """

    lines: bool = False
    end: str = "[DONE]"


SERVER_SENT_EVENTS = StreamRule()


def _stream_parts(tp: Any) -> tuple[Any, Any, StreamRule] | None:
    """(Stream or AsyncStream, event type, rule) of `Stream[E]`, or of `Annotated[Stream[E], rule]`."""
    rule = SERVER_SENT_EVENTS
    if get_origin(tp) is Annotated:
        tp, *meta = get_args(tp)
        rule = next((m for m in meta if isinstance(m, StreamRule)), rule)
    origin = get_origin(tp)
    return (
        (origin, get_args(tp)[0], rule)
        if origin is Stream or origin is AsyncStream
        else None
    )


def _json_lines(response: httpx.Response, rule: StreamRule) -> bool:
    """JSON Lines (`application/jsonl`, `application/x-ndjson`) rather than server-sent events; the
    spec's word where the media type says neither (a JSON stream sent as `application/json`).
    """
    kind = response.headers.get("content-type", "")
    if "event-stream" in kind:
        return False
    return rule.lines or any(word in kind for word in ("jsonl", "ndjson", "json-seq"))


class _EventSource(Generic[T]):
    """What the streams share: the response, the event type, and how each event is parsed."""

    def __init__(
        self,
        response: httpx.Response,
        tp: Any,
        *,
        strict: bool = False,
        rule: StreamRule = SERVER_SENT_EVENTS,
    ) -> None:
        self.http_response = response
        self._type = tp
        self._strict = strict
        self._lines = _json_lines(response, rule)
        self._end = rule.end

    def _ends(self, item: ServerSentEvent | str) -> bool:
        """The terminating event (`[DONE]`, or the spec's own), which is not an event to parse."""
        data = item.data if isinstance(item, ServerSentEvent) else item
        return data.strip() == self._end

    def _event(self, item: ServerSentEvent | str) -> T | None:
        """The parsed event; None for one without data. `[DONE]` is checked by the caller."""
        if isinstance(item, ServerSentEvent) and not item.data:
            return None
        return cast(T, _decode(self.http_response, item, self._type, self._strict))


class Stream(_EventSource[T], _Closes):
    """Events of a streamed response (server-sent events or JSON Lines), each parsed as `T`.

    Iterate it; leaving a `with` block, or breaking out, closes the connection. Iteration stops at
    the `[DONE]` sentinel or the end of the body."""

    def _events(self) -> Iterator[ServerSentEvent | str]:
        if self._lines:
            yield from (
                line for line in self.http_response.iter_lines() if line.strip()
            )
            return
        decoder = SSEDecoder()
        for line in self.http_response.iter_lines():
            event = decoder.feed(line)
            if event is not None:
                yield event
        last = decoder.end()
        if last is not None:
            yield last

    def __iter__(self) -> Iterator[T]:
        try:
            for item in self._events():
                if self._ends(item):
                    break
                event = self._event(item)
                if event is not None:
                    yield event
        finally:
            self.close()


class AsyncStream(_EventSource[T], _AsyncCloses):
    """The async Stream: `async for event in stream`, `async with stream`."""

    async def _events(self) -> AsyncIterator[ServerSentEvent | str]:
        if self._lines:
            async for line in self.http_response.aiter_lines():
                if line.strip():
                    yield line
            return
        decoder = SSEDecoder()
        async for line in self.http_response.aiter_lines():
            event = decoder.feed(line)
            if event is not None:
                yield event
        last = decoder.end()
        if last is not None:
            yield last

    async def __aiter__(self) -> AsyncIterator[T]:
        try:
            async for item in self._events():
                if self._ends(item):
                    break
                event = self._event(item)
                if event is not None:
                    yield event
        finally:
            await self.close()


# --- pagination ----------------------------------------------------------------------------------


class PageRule(NamedTuple):
    """How a list operation pages. `kind`: `cursor` (the last item's id, or `field`, as the
    `param` query parameter while `more` is true), `token` (`field` holds the next page's token,
    sent as `param`), `url` (`field` holds the next page's URL), `link` (an RFC 8288 `Link:
    <...>; rel="next"` header) or `offset` (`param` advances by the items received, until `field`,
    the total, is reached or a page is empty). `items` names the array of items."""

    kind: str
    items: str
    param: str = ""
    field: str = ""
    more: str = ""


def _wire_value(model: object, name: str) -> Any:
    """A model's value by its name on the wire (its alias), kept unknown fields included."""
    if not name:
        return None
    if isinstance(model, pydantic.BaseModel):
        for attribute, field in type(model).model_fields.items():
            if (field.alias or attribute) == name:
                return getattr(model, attribute)
        return (model.model_extra or {}).get(name)
    return model.get(name) if isinstance(model, dict) else None


class _Page(Generic[T]):
    def __init__(
        self,
        client: Any,
        request: httpx.Request,
        page: Any,
        rule: PageRule,
        response: httpx.Response,
    ) -> None:
        self._client = client
        self._request = request
        self.page = (
            page  # the parsed response: the items and what the server says about them
        )
        self._rule = rule
        self.http_response = response
        items = _wire_value(page, rule.items)
        self.data: list[T] = list(items) if isinstance(items, list) else []

    def _next_request(self) -> httpx.Request | None:
        rule, page = self._rule, self.page
        value: Any = None
        if rule.kind == "cursor":
            if not self.data or (rule.more and not _wire_value(page, rule.more)):
                return None
            value = (
                _wire_value(page, rule.field)
                if rule.field
                else _wire_value(self.data[-1], "id")
            )
        elif rule.kind == "token":
            value = _wire_value(page, rule.field)
        elif rule.kind == "offset":
            offset = int(self._request.url.params.get(rule.param) or 0) + len(self.data)
            total = _wire_value(page, rule.field)
            if not self.data or (isinstance(total, int) and offset >= total):
                return None
            value = offset
        else:
            link = (
                _wire_value(page, rule.field)
                if rule.kind == "url"
                else _next_link(self.http_response)
            )
            value = self._request.url.join(str(link)) if link else None
        if value is None or value == "":
            return None
        url = (
            value
            if isinstance(value, httpx.URL)
            else self._request.url.copy_set_param(rule.param, _text(value))
        )
        if (
            url == self._request.url
        ):  # a server that names this page again would loop forever
            return None
        return httpx.Request(
            self._request.method,
            url,
            headers=self._request.headers,
            extensions=self._request.extensions,
        )

    def has_next_page(self) -> bool:
        return self._next_request() is not None

    def __repr__(self) -> str:
        return f"<{type(self).__name__} of {len(self.data)} items, more: {self.has_next_page()}>"


def _next_link(response: httpx.Response) -> str | None:
    links = response.links.get("next") if response.headers.get("link") else None
    return links.get("url") if links else None


class SyncPage(_Page[T]):
    """One page of a list operation, and an iterator over every item of every page after it."""

    def next_page(self) -> SyncPage[T]:
        request = self._next_request()
        if request is None:
            raise StopIteration("this is the last page")
        return self._client._page(request, type(self.page), self._rule)  # type: ignore[no-any-return]

    def iter_pages(self) -> Iterator[SyncPage[T]]:
        page: SyncPage[T] | None = self
        while page is not None:
            yield page
            page = page.next_page() if page.has_next_page() else None

    def __iter__(self) -> Iterator[T]:
        for page in self.iter_pages():
            yield from page.data


class AsyncPage(_Page[T]):
    """The async page: `async for item in page` runs through every page."""

    async def next_page(self) -> AsyncPage[T]:
        request = self._next_request()
        if request is None:
            raise StopAsyncIteration("this is the last page")
        return await self._client._page(request, type(self.page), self._rule)  # type: ignore[no-any-return]

    async def iter_pages(self) -> AsyncIterator[AsyncPage[T]]:
        page: AsyncPage[T] | None = self
        while page is not None:
            yield page
            page = await page.next_page() if page.has_next_page() else None

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.iter_pages():
            for item in page.data:
                yield item


class RawResponse(_Body, Generic[T]):
    """The HTTP response of a call made through `with_raw_response`: status, headers, and `parse()`."""

    def __init__(
        self,
        response: httpx.Response,
        tp: type[T],
        *,
        strict: bool = False,
        parsed: T | None = None,
    ) -> None:
        super().__init__(response)
        self._type = tp
        self._strict = strict
        self._parsed = parsed  # a result made already, such as a page

    @property
    def request_id(self) -> str | None:
        value: str | None = self.http_response.headers.get("x-request-id")
        return value

    def parse(self) -> T:
        if self._parsed is not None:
            return self._parsed
        result: T = parse_response(self.http_response, self._type, strict=self._strict)
        return result

    def __repr__(self) -> str:
        return f"<RawResponse [{self.status_code}] {getattr(self._type, '__name__', self._type)}>"


def to_raw_response(method: Callable[P, T]) -> Callable[P, RawResponse[T]]:
    """Types a method of a raw-mode client: it returns RawResponse instead of the parsed model."""
    return cast(Callable[P, RawResponse[T]], method)


def to_async_raw_response(
    method: Callable[P, Awaitable[T]],
) -> Callable[P, Awaitable[RawResponse[T]]]:
    return cast(Callable[P, Awaitable[RawResponse[T]]], method)


# --- retries -------------------------------------------------------------------------------------


def should_retry(response: httpx.Response) -> bool:
    override = response.headers.get("x-should-retry")
    if override in ("true", "false"):
        return bool(override == "true")
    return response.status_code in RETRY_STATUSES or response.status_code >= 500


def retry_delay(attempt: int, response: httpx.Response | None) -> float:
    """Seconds before retry `attempt` (1-based): the server's Retry-After within bounds, else backoff."""
    if response is not None:
        after = _retry_after(response.headers)
        if after is not None and 0 <= after <= MAX_RETRY_AFTER:
            return after
    backoff: float = min(INITIAL_RETRY_DELAY * 2.0 ** (attempt - 1), MAX_RETRY_DELAY)
    return backoff * (1 - 0.25 * random.random())


def _retry_after(headers: httpx.Headers) -> float | None:
    try:
        if "retry-after-ms" in headers:
            return float(str(headers["retry-after-ms"])) / 1000
        value: str | None = headers.get("retry-after")
        if value is None:
            return None
        try:
            return float(value)
        except ValueError:
            when = email.utils.parsedate_to_datetime(value)
            return when.timestamp() - time.time()
    except (TypeError, ValueError, IndexError):
        return None


def _sleep(seconds: float) -> None:
    time.sleep(seconds)


async def _async_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)


# --- clients -------------------------------------------------------------------------------------


class _ClientBase:
    """Settings shared by the sync and async clients; credentials never show in a repr."""

    api_key_env = "API_KEY"
    base_url_env = "BASE_URL"
    default_base_url = ""
    user_agent = "sdkgen-sdk"
    security_schemes: Mapping[str, SecurityScheme] = {}
    credentials_required = (
        False  # every operation needs one: a client without any is refused
    )

    def __init__(
        self,
        *,
        api_key: str | None,
        base_url: str | None,
        timeout: TimeoutTypes | NotGiven,
        max_retries: int,
        default_headers: Mapping[str, str] | None,
        strict_response_validation: bool,
        credentials: Mapping[str, object | None] | None = None,
    ) -> None:
        from_env = {
            key: os.environ.get(s.env_var) for key, s in self.security_schemes.items()
        }
        given = {
            **from_env,
            **{k: v for k, v in (credentials or {}).items() if v is not None},
        }
        primary = next(
            (k for k, s in self.security_schemes.items() if s.argument == "api_key"),
            None,
        )
        key = api_key if api_key is not None else os.environ.get(self.api_key_env)
        self.credentials = credentials_of(self.security_schemes, key, given)
        if self.credentials_required and not self.credentials:
            first = next(iter(self.security_schemes.values()), None)
            raise MissingAPIKeyError(
                *((first.env_var, first.argument) if first else (self.api_key_env,))
            )
        secret = (
            self.credentials.get(primary) if primary else (Secret(key) if key else None)
        )
        self.api_key: Secret | None = secret if isinstance(secret, Secret) else None
        self.base_url = (
            base_url or os.environ.get(self.base_url_env) or self.default_base_url
        )
        self.timeout = (
            DEFAULT_TIMEOUT if isinstance(timeout, NotGiven) else _timeout(timeout)
        )
        self.max_retries = max_retries
        self.default_headers = dict(default_headers or {})
        self.strict_response_validation = strict_response_validation
        self._raw = False

    def __repr__(self) -> str:
        return f"{type(self).__name__}(base_url={self.base_url!r}, max_retries={self.max_retries})"

    def _headers(self, extra: Headers | None) -> dict[str, object]:
        return {**self.default_headers, **(extra or {})}

    def _timeout_for(self, timeout: TimeoutTypes | NotGiven) -> TimeoutTypes:
        return self.timeout if isinstance(timeout, NotGiven) else timeout

    def _retries_for(self, max_retries: int | NotGiven) -> int:
        return self.max_retries if isinstance(max_retries, NotGiven) else max_retries

    def _result(self, response: httpx.Response, tp: Any) -> Any:
        if self._raw:
            return RawResponse(response, tp, strict=self.strict_response_validation)
        return parse_response(response, tp, strict=self.strict_response_validation)

    def _raw_copy(self, raw: bool = True) -> Self:
        """A shallow copy whose methods return RawResponse (or, with `raw=False`, the parsed
        result); it shares the HTTP client."""
        clone = object.__new__(type(self))
        clone.__dict__.update(self.__dict__)
        clone._raw = raw
        return clone

    def _paged(self, page: _Page[Any]) -> Any:
        """The page, or through `with_raw_response` a RawResponse whose `parse()` returns it."""
        return (
            RawResponse(page.http_response, type(page), parsed=page)
            if self._raw
            else page
        )


def _log_request(request: httpx.Request, attempt: int) -> None:
    if log.isEnabledFor(logging.DEBUG):
        log.debug("request %s %s (attempt %d)", request.method, request.url, attempt)


def _log_retry(request: httpx.Request, reason: str, delay: float) -> None:
    log.info(
        "retrying %s %s in %.2fs after %s", request.method, request.url, delay, reason
    )


class SyncClient(_ClientBase):
    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.Client | None = None,
        strict_response_validation: bool = False,
        credentials: Mapping[str, object | None] | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_response_validation=strict_response_validation,
            credentials=credentials,
        )
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.Client(timeout=self.timeout)

    @overload
    def _send(
        self, request: httpx.Request, tp: type[T], *, max_retries: int | NotGiven = ...
    ) -> T: ...

    @overload
    def _send(
        self, request: httpx.Request, tp: object, *, max_retries: int | NotGiven = ...
    ) -> Any: ...

    def _send(
        self,
        request: httpx.Request,
        tp: Any,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Any:
        """Send with retries; parse the body as `tp` (a model, a type alias, or NoneType)."""
        retries = self._retries_for(max_retries)
        attempt = 0
        while True:
            attempt += 1
            _log_request(request, attempt)
            try:
                response = self._http.send(request, stream=streamed(tp))
            except httpx.TimeoutException as exc:
                if attempt > retries:
                    raise APITimeoutError(request) from exc
                _sleep(_retry_and_log(request, attempt, None, "a timeout"))
                continue
            except httpx.TransportError as exc:
                if attempt > retries:
                    raise APIConnectionError(request) from exc
                _sleep(_retry_and_log(request, attempt, None, "a connection error"))
                continue
            if response.status_code < 400:
                return self._result(response, tp)
            if attempt > retries or not should_retry(response):
                response.read()
                raise status_error(response)
            response.close()
            _sleep(
                _retry_and_log(
                    request, attempt, response, f"status {response.status_code}"
                )
            )

    def _page(
        self,
        request: httpx.Request,
        tp: Any,
        rule: PageRule,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Any:
        """The first (or next) page of a list operation, which fetches the pages after it."""
        raw: RawResponse[Any] = self._raw_copy()._send(
            request, tp, max_retries=max_retries
        )
        return self._paged(
            SyncPage(
                self._raw_copy(False), request, raw.parse(), rule, raw.http_response
            )
        )

    def close(self) -> None:
        if self._owns_http_client:
            self._http.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncClient(_ClientBase):
    def __init__(
        self,
        *,
        api_key: str | None = None,
        base_url: str | None = None,
        timeout: TimeoutTypes | NotGiven = NOT_GIVEN,
        max_retries: int = DEFAULT_MAX_RETRIES,
        default_headers: Mapping[str, str] | None = None,
        http_client: httpx.AsyncClient | None = None,
        strict_response_validation: bool = False,
        credentials: Mapping[str, object | None] | None = None,
    ) -> None:
        super().__init__(
            api_key=api_key,
            base_url=base_url,
            timeout=timeout,
            max_retries=max_retries,
            default_headers=default_headers,
            strict_response_validation=strict_response_validation,
            credentials=credentials,
        )
        self._owns_http_client = http_client is None
        self._http = http_client or httpx.AsyncClient(timeout=self.timeout)

    @overload
    async def _send(
        self, request: httpx.Request, tp: type[T], *, max_retries: int | NotGiven = ...
    ) -> T: ...

    @overload
    async def _send(
        self, request: httpx.Request, tp: object, *, max_retries: int | NotGiven = ...
    ) -> Any: ...

    async def _send(
        self,
        request: httpx.Request,
        tp: Any,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Any:
        """Send with retries; parse the body as `tp` (a model, a type alias, or NoneType)."""
        retries = self._retries_for(max_retries)
        attempt = 0
        while True:
            attempt += 1
            _log_request(request, attempt)
            try:
                response = await self._http.send(request, stream=streamed(tp))
            except httpx.TimeoutException as exc:
                if attempt > retries:
                    raise APITimeoutError(request) from exc
                await _async_sleep(_retry_and_log(request, attempt, None, "a timeout"))
                continue
            except httpx.TransportError as exc:
                if attempt > retries:
                    raise APIConnectionError(request) from exc
                await _async_sleep(
                    _retry_and_log(request, attempt, None, "a connection error")
                )
                continue
            if response.status_code < 400:
                return self._result(response, tp)
            if attempt > retries or not should_retry(response):
                await response.aread()
                raise status_error(response)
            await response.aclose()
            await _async_sleep(
                _retry_and_log(
                    request, attempt, response, f"status {response.status_code}"
                )
            )

    async def _page(
        self,
        request: httpx.Request,
        tp: Any,
        rule: PageRule,
        *,
        max_retries: int | NotGiven = NOT_GIVEN,
    ) -> Any:
        """The first (or next) page of a list operation, which fetches the pages after it."""
        raw: RawResponse[Any] = await self._raw_copy()._send(
            request, tp, max_retries=max_retries
        )
        return self._paged(
            AsyncPage(
                self._raw_copy(False), request, raw.parse(), rule, raw.http_response
            )
        )

    async def close(self) -> None:
        if self._owns_http_client:
            await self._http.aclose()

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.close()


def _retry_and_log(
    request: httpx.Request, attempt: int, response: httpx.Response | None, reason: str
) -> float:
    delay = retry_delay(attempt, response)
    _log_retry(request, reason, delay)
    return delay
