"""Which list operations page, and how: the pagination extensions a spec carries first
(`x-speakeasy-pagination`, `x-fern-pagination`, `x-ms-pageable`), then the cursor patterns
public APIs use; `[tool.sdkgen.pagination]` overrides both."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from .effective import EffectiveSchemas
from .ir import Pagination

ITEM_NAMES = ("data", "items", "results", "value", "entries", "records")
TOKEN_FIELDS = ("next_cursor", "next_page_token", "nextPageToken", "next_token", "nextCursor", "nextToken")
TOKEN_PARAMS = ("cursor", "page_token", "pageToken", "next_token", "after", "starting_after", "token")
URL_FIELDS = ("next", "next_url", "nextUrl", "next_link", "nextLink", "@odata.nextLink")
TOTAL_FIELDS = ("total", "total_count", "totalCount", "count")


def pagination(
    schemas: EffectiveSchemas,
    operation: dict[str, Any],
    query: frozenset[str],
    success: Any,
    configured: dict[str, Any] | bool | None,
    item_type: Callable[[Any], str],
) -> Pagination | None:
    """How the operation pages, or None; `success` is its 2xx response object, `item_type` gives
    the Python type of an item's schema."""
    if configured is False:
        return None
    schema = _json_schema(success)
    view = schemas.object(schema) if schema is not None else None
    if view is None or not view.properties:
        return None
    arrays = {
        name: schemas.resolve(sub).schema
        for name, sub in view.properties.items()
        if (schemas.resolve(sub).schema or {}).get("type") == "array"
    }
    rule = (
        _from_config(configured)
        if isinstance(configured, dict)
        else _from_extensions(operation) or _guessed(schemas, view.properties, arrays, query, success)
    )
    if rule is None or rule.items not in arrays:
        return None
    return replace(rule, item=item_type(arrays[rule.items].get("items")))


def _json_schema(response: Any) -> Any:
    content = response.get("content") if isinstance(response, dict) else None
    for media, obj in (content or {}).items() if isinstance(content, dict) else []:
        if "json" in media and isinstance(obj, dict):
            return obj.get("schema")
    return None


def _last(path: Any) -> str:
    """`$response.data`, `$.meta.next` -> the last name."""
    return str(path).rsplit(".", 1)[-1] if path else ""


def _from_config(table: dict[str, Any]) -> Pagination:
    return Pagination(
        kind=str(table.get("kind", "cursor")),
        items=str(table.get("items", "data")),
        param=str(table.get("param", "")),
        field=str(table.get("field", "")),
        more=str(table.get("more", "")),
    )


def _from_extensions(op: dict[str, Any]) -> Pagination | None:
    ms = op.get("x-ms-pageable")
    if isinstance(ms, dict) and ms.get("nextLinkName"):
        return Pagination("url", str(ms.get("itemName") or "value"), field=str(ms["nextLinkName"]))
    speakeasy = op.get("x-speakeasy-pagination")
    if isinstance(speakeasy, dict):
        inputs = [i for i in speakeasy.get("inputs") or [] if isinstance(i, dict)]
        outputs = speakeasy.get("outputs") or {}
        param = next((str(i.get("name")) for i in inputs if i.get("type") in ("cursor", "offset")), "")
        items = _last(outputs.get("results")) or "data"
        if speakeasy.get("type") == "offsetLimit":
            return Pagination("offset", items, param=param)
        if speakeasy.get("type") == "url":
            return Pagination("url", items, field=_last(outputs.get("nextUrl")))
        return Pagination("token", items, param=param, field=_last(outputs.get("nextCursor")))
    fern = op.get("x-fern-pagination")
    if isinstance(fern, dict):
        items = _last(fern.get("results")) or "data"
        if fern.get("offset"):
            return Pagination("offset", items, param=_last(fern["offset"]))
        return Pagination(
            "token", items, param=_last(fern.get("cursor")), field=_last(fern.get("next_cursor"))
        )
    return None


def _guessed(
    schemas: EffectiveSchemas,
    props: dict[str, Any],
    arrays: dict[str, Any],
    query: frozenset[str],
    success: Any,
) -> Pagination | None:
    items = next((n for n in ITEM_NAMES if n in arrays), next(iter(arrays), "")) if len(arrays) else ""
    if not items:
        return None
    if "has_more" in props and "after" in query:  # OpenAI: `after` the last item (or `last_id`)
        return Pagination(
            "cursor", items, param="after", field="last_id" if "last_id" in props else "", more="has_more"
        )
    token = next((f for f in TOKEN_FIELDS if f in props), None)
    param = next((p for p in TOKEN_PARAMS if p in query), None)
    if token and param:
        return Pagination("token", items, param=param, field=token)
    url = next((f for f in URL_FIELDS if f in props and _is_string(schemas, props[f])), None)
    if url:
        return Pagination("url", items, field=url)
    headers = success.get("headers") if isinstance(success, dict) else None
    if isinstance(headers, dict) and any(str(h).lower() == "link" for h in headers):
        return Pagination("link", items)
    total = next((f for f in TOTAL_FIELDS if f in props), None)
    if "offset" in query and total:
        return Pagination("offset", items, param="offset", field=total)
    return None


def _is_string(schemas: EffectiveSchemas, schema: Any) -> bool:
    resolved = schemas.resolve(schema).schema
    kind = resolved.get("type") if isinstance(resolved, dict) else None
    return kind == "string" or (isinstance(kind, list) and "string" in kind)
