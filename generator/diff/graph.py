"""How operations reach component schemas, and what they require: the graph the diff walks."""

from __future__ import annotations

from typing import Any

from ..pointer import local_ref_parts, lookup
from ..walk import HTTP_METHODS


def operations(item: Any) -> dict[str, dict[str, Any]]:
    return {m: op for m in HTTP_METHODS if isinstance(item, dict) and isinstance(op := item.get(m), dict)}


def requirements(security: Any) -> set[str]:
    """Each alternative as a name like `ApiKeyAuth`; `` stands for the anonymous alternative `{}`."""
    found = set()
    for requirement in security if isinstance(security, list) else []:
        if isinstance(requirement, dict):
            found.add("+".join(sorted(requirement)))
    return found


def refs_in(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            ref = current.get("$ref")
            parts = local_ref_parts(ref) if isinstance(ref, str) else None
            if parts and len(parts) == 3 and parts[:2] == ["components", "schemas"]:
                found.add(parts[2])
            stack.extend(current.values())
        elif isinstance(current, list):
            stack.extend(current)
    return found


def closure(spec: dict[str, Any], roots: list[Any], known: dict[str, set[str]] | None = None) -> set[str]:
    """Component schemas reachable from roots, following references through other components;
    `known` keeps each component's own references between calls on the same spec."""
    schemas = (spec.get("components") or {}).get("schemas") or {}
    known = {} if known is None else known
    seen: set[str] = set()
    names = list(refs_in([expand(spec, r) for r in roots]))
    while names:
        name = names.pop()
        if name in seen:
            continue
        seen.add(name)
        if name not in known:
            known[name] = refs_in(schemas.get(name))
        names.extend(known[name] - seen)
    return seen


def body_refs(spec: dict[str, Any], roots: list[Any]) -> set[str]:
    """Components used directly as the schema of a request or response body."""
    found = set()
    stack = [expand(spec, r) for r in roots]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            content = node.get("content")
            for media in content.values() if isinstance(content, dict) else []:
                ref = media.get("schema", {}).get("$ref") if isinstance(media, dict) else None
                parts = local_ref_parts(ref) if isinstance(ref, str) else None
                if parts and len(parts) == 3 and parts[:2] == ["components", "schemas"]:
                    found.add(parts[2])
            stack.extend(v for v in node.values() if isinstance(v, dict))
    return found


def expand(spec: dict[str, Any], node: Any) -> Any:
    """Inline `#/components/responses|requestBodies|parameters` references, so their schemas count."""
    if isinstance(node, dict):
        ref = node.get("$ref")
        parts = local_ref_parts(ref) if isinstance(ref, str) else None
        if parts and len(parts) == 3 and parts[0] == "components" and parts[1] != "schemas":
            try:
                return expand(spec, lookup(spec, parts))
            except KeyError:
                return {}
        return {k: expand(spec, v) for k, v in node.items()}
    if isinstance(node, list):
        return [expand(spec, v) for v in node]
    return node
