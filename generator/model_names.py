"""Names for generated models where datamodel-code-generator numbers them (`Type1`, `Input2`).

A name is derived, in this order, from: the schema's key in components/schemas; its title; its path
in its parent (`Parent` + `Property`, `Item` for array items, `Value` for map values, a branch's
title, `const` value or type for oneOf/anyOf/allOf branches). Collision policy: component schemas
are named first, then the other models in the order datamodel-code-generator emits them (which
follows the document); the first keeps a derived name, a later one whose name is taken (or is one
the SDK defines, such as `APIError` or a client class) gets `Model` appended, and only if that is
taken too the next free numeric suffix.
"""

from __future__ import annotations

import re
from typing import Any

from .naming import pascal_case
from .pointer import Part, lookup

_NUMBERED = re.compile(r"^(.*?)(\d+)$")


# Names the SDK itself defines next to the models (runtime, helpers, typing); a model that would
# take one gets `Model` appended instead.
SDK_NAMES = frozenset(
    {
        "NOT_GIVEN",
        "NO_CONTENT",
        "NotGiven",
        "Secret",
        "OpenEnum",
        "SDKError",
        "MissingAPIKeyError",
        "RequestValidationError",
    }
    | {"APIError", "APIConnectionError", "APITimeoutError", "APIResponseValidationError", "APIStatusError"}
    | {"BadRequestError", "AuthenticationError", "PermissionDeniedError", "NotFoundError", "ConflictError"}
    | {"UnprocessableEntityError", "RateLimitError", "InternalServerError", "RawResponse", "SyncClient"}
    | {"AsyncClient", "Body", "Headers", "Query", "TimeoutTypes", "Any", "Literal", "Annotated"}
    | {"overload", "Stream", "AsyncStream", "BinaryResponse", "AsyncBinaryResponse", "TEXT", "SecurityScheme"}
    | {"SyncPage", "AsyncPage", "PageRule", "FileContent", "FileTypes"}
)


def derived_renames(
    models: list[dict[str, Any]], spec: dict[str, Any], reserved: frozenset[str] = SDK_NAMES
) -> dict[str, str]:
    """old class name -> new: component schemas get their key, numbered models a derived name,
    and no model takes a name in `reserved`."""
    wishes: list[tuple[int, int, str, str, str]] = []  # (priority, order, old, wanted, fallback)
    for order, model in enumerate(models):
        name, path = model["class_name"], [str(p) for p in model.get("source_path") or []]
        is_component = len(path) == 3 and path[:2] == ["components", "schemas"]
        key = _key_name(path[2]) if is_component else ""
        if is_component and _NUMBERED.sub(r"\1", name) == key:
            wishes.append((0, order, name, key, key))  # a component lost its key to another model
        elif (_NUMBERED.match(name) or _destutter(name) != name) and not (is_component and name == key):
            derived = _derive(name, path, spec) or name
            wishes.append((1, order, name, derived, derived))
        else:
            wishes.append((2, order, name, name, _derive(name, path, spec) or name))
    taken: set[str] = set(reserved)
    renames: dict[str, str] = {}
    for _, _, old, wanted, fallback in sorted(wishes):
        final = next((c for c in (wanted, fallback, f"{wanted}Model") if c not in taken), None)
        if final is None:
            n = 2
            while f"{fallback}{n}" in taken:
                n += 1
            final = f"{fallback}{n}"
        taken.add(final)
        if final != old:
            renames[old] = final
    return renames


def _key_name(key: str) -> str:
    """A component key as datamodel-code-generator writes it as a class name."""
    name = re.sub(r"\W", "", key)
    return name[:1].upper() + name[1:] if name and not name[0].isdigit() else pascal_case(key)


def _derive(name: str, path: list[str], spec: dict[str, Any]) -> str:
    if len(path) < 3 or path[:2] != ["components", "schemas"]:
        return ""
    if len(path) == 3:  # a component copied into a composition: its composer's name, then its own
        composer = _destutter(_NUMBERED.sub(r"\1", name))
        return composer + _key_name(path[2]) if composer != _key_name(path[2]) else ""
    words = [_key_name(path[2])]
    parts: list[Part] = list(path[:3])
    rest = path[3:]
    i = 0
    while i < len(rest):
        key = rest[i]
        if key in ("properties", "patternProperties") and i + 1 < len(rest):
            words.append(pascal_case(rest[i + 1]))
            parts += [key, rest[i + 1]]
            i += 2
        elif key in ("oneOf", "anyOf", "allOf") and i + 1 < len(rest):
            parts += [key, int(rest[i + 1])]
            words.append(_branch_label(spec, parts, int(rest[i + 1])))
            i += 2
        else:
            words.append({"items": "Item", "additionalProperties": "Value"}.get(key, pascal_case(key)))
            parts.append(key)
            i += 1
    return "".join(words)


def _branch_label(spec: dict[str, Any], parts: list[Part], index: int) -> str:
    """A branch's title, the value of its `type`-like const, or its kind; siblings must differ."""
    try:
        branch = lookup(spec, parts)
        siblings = lookup(spec, parts[:-1])
    except KeyError:
        return f"Option{index + 1}"
    labels = [_label(s) for s in siblings] if isinstance(siblings, list) else []
    label = _label(branch)
    if label and labels.count(label) == 1:
        return label
    return f"Option{index + 1}"


def _label(schema: Any) -> str:
    if not isinstance(schema, dict):
        return ""
    if isinstance(schema.get("title"), str) and pascal_case(schema["title"]):
        return pascal_case(schema["title"])
    for prop in (schema.get("properties") or {}).values():
        if isinstance(prop, dict):
            values: list[Any] = prop["enum"] if isinstance(prop.get("enum"), list) else []
            if "const" in prop:
                values = [prop["const"]]
            if len(values) == 1 and isinstance(values[0], str) and pascal_case(values[0]):
                return pascal_case(values[0])
    kind = schema.get("type")
    if isinstance(kind, str):
        items = schema.get("items")
        inner = items.get("type") if isinstance(items, dict) else None
        return pascal_case(f"{inner} {kind}" if isinstance(inner, str) else kind)
    return ""


def _destutter(name: str) -> str:
    """`ToolChoiceToolChoice` -> `ToolChoice`: the parent-prefixed naming repeats a name."""
    half = len(name) // 2
    return name[:half] if len(name) % 2 == 0 and name[:half] == name[half:] else name


def apply_renames(text: str, renames: dict[str, str]) -> str:
    if not renames:
        return text
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(k) for k in sorted(renames, key=len, reverse=True)) + r")\b"
    )
    return pattern.sub(lambda m: renames[m.group(1)], text)
