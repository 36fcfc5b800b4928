"""Security schemes and requirements: how each operation authenticates, and where the client
finds each credential (a constructor argument, else an environment variable)."""

from __future__ import annotations

from typing import Any

from .ir import SecurityScheme
from .naming import argument_name, snake_case

PRIMARY_ARGUMENT = "api_key"


def security_schemes(
    spec: dict[str, Any], schemes_of: Any, env_prefix: str, api_key_env: str
) -> tuple[SecurityScheme, ...]:
    """The schemes the spec's requirements use, in the order they are first required; the first
    that takes a single secret is the client's `api_key`. Basic auth takes `(username, password)`."""
    declared = (spec.get("components") or {}).get("securitySchemes") or {}
    used: list[str] = []
    for requirement in _all_requirements(spec):
        used += [name for name in requirement if name not in used and name in declared]
    found: list[SecurityScheme] = []
    for name in used:
        scheme = schemes_of(declared[name])
        kind, parameter = scheme_kind(scheme)
        if kind is None:
            continue
        primary = kind != "basic" and not any(s.argument == PRIMARY_ARGUMENT for s in found)
        argument = PRIMARY_ARGUMENT if primary else _free(argument_name(snake_case(name)), found)
        env_var = api_key_env if primary else f"{env_prefix}_{snake_case(name).upper()}"
        found.append(SecurityScheme(name, kind, parameter, argument, env_var))
    return tuple(found)


def requirements(
    operation: dict[str, Any], spec: dict[str, Any], schemes: tuple[SecurityScheme, ...]
) -> tuple[tuple[str, ...], ...]:
    """The operation's alternatives, each the schemes it needs together; `()` needs nothing, and
    an empty alternative (`{}`) makes credentials optional."""
    given = operation.get("security", spec.get("security"))
    usable = {s.key for s in schemes}
    alternatives: list[tuple[str, ...]] = []
    for requirement in given if isinstance(given, list) else []:
        if isinstance(requirement, dict) and all(name in usable for name in requirement):
            alternatives.append(tuple(str(name) for name in requirement))
    if isinstance(given, list) and given and not alternatives:
        return ((),)  # only schemes the SDK cannot send: nothing it can require
    return tuple(dict.fromkeys(alternatives))


def _all_requirements(spec: dict[str, Any]) -> list[dict[str, Any]]:
    found = [r for r in spec.get("security") or [] if isinstance(r, dict)]
    for item in (spec.get("paths") or {}).values():
        for operation in (item or {}).values() if isinstance(item, dict) else []:
            if isinstance(operation, dict) and isinstance(operation.get("security"), list):
                found += [r for r in operation["security"] if isinstance(r, dict)]
    return found


def scheme_kind(scheme: Any) -> tuple[str | None, str]:
    """(kind, parameter): bearer, basic, or an API key in a header, query or cookie; None for what
    an SDK cannot send by itself (mutual TLS, an HTTP scheme other than bearer or basic)."""
    if not isinstance(scheme, dict):
        return None, ""
    kind = scheme.get("type")
    if kind == "http":
        word = str(scheme.get("scheme") or "").lower()
        return {"bearer": ("bearer", "Authorization"), "basic": ("basic", "Authorization")}.get(
            word, (None, "")
        )
    if kind in ("oauth2", "openIdConnect"):
        return "bearer", "Authorization"
    if kind == "apiKey" and scheme.get("in") in ("header", "query", "cookie") and scheme.get("name"):
        return str(scheme["in"]), str(scheme["name"])
    return None, ""


def _free(name: str, taken: list[SecurityScheme]) -> str:
    names = {s.argument for s in taken} | {"base_url", "timeout", "max_retries", "default_headers"}
    names |= {"http_client", "strict_response_validation"}
    candidate = name if name not in names else f"{name}_auth"
    while candidate in names:
        candidate += "_"
    return candidate
