"""How operations reach component schemas, and what they require: the graph the diff walks."""

from __future__ import annotations

import re
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


def component_name(node: Any, kind: str = "schemas") -> str | None:
    """X, for a node that is a `$ref` to `#/components/<kind>/X`."""
    ref = node.get("$ref") if isinstance(node, dict) else None
    parts = local_ref_parts(ref) if isinstance(ref, str) else None
    return str(parts[2]) if parts and len(parts) == 3 and parts[:2] == ["components", kind] else None


def refs_in(node: Any) -> set[str]:
    found: set[str] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        if isinstance(current, dict):
            name = component_name(current)
            if name is not None:
                found.add(name)
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
                name = component_name(media.get("schema")) if isinstance(media, dict) else None
                if name is not None:
                    found.add(name)
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


_PARAMETER = re.compile(r"\{([^}/]*)\}")


def path_renames(base: list[str], revision: list[str]) -> dict[str, str]:
    """Paths that differ only by the names of their parameters (`/groups/{group_id}` and
    `/groups/{groupId}`): the same endpoint on the wire. Base path -> revision path."""
    added = [p for p in revision if p not in base]
    found: dict[str, str] = {}
    for path in (p for p in base if p not in revision):
        alike = [p for p in added if _template(p) == _template(path) and p not in found.values()]
        if len(alike) == 1:
            found[path] = alike[0]
    return found


def _template(path: str) -> str:
    return _PARAMETER.sub("{}", path)


def parameter_renames(base: str, revision: str) -> dict[str, str]:
    """The path parameters a rename changes, by position: base name -> revision name."""
    pairs = zip(_PARAMETER.findall(base), _PARAMETER.findall(revision), strict=False)
    return {old: new for old, new in pairs if old != new}
