"""JSON pointers (RFC 6901) in the `#/a/b` form used in messages, and walking data by them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any
from urllib.parse import unquote

Part = str | int


def escape(part: Part) -> str:
    return str(part).replace("~", "~0").replace("/", "~1")


def unescape(token: str) -> str:
    return token.replace("~1", "/").replace("~0", "~")


def to_pointer(parts: Iterable[Part]) -> str:
    return "#" + "".join("/" + escape(p) for p in parts)


def from_pointer(pointer: str) -> list[str]:
    """`#/a/b~1c` -> ["a", "b/c"]; also accepts a pointer without the leading `#`."""
    body = pointer[1:] if pointer.startswith("#") else pointer
    if not body:
        return []
    if not body.startswith("/"):
        raise ValueError(f"not a JSON pointer: {pointer!r}")
    return [unescape(t) for t in body[1:].split("/")]


def lookup(data: Any, parts: Sequence[Part]) -> Any:
    """Follow parts through dicts and lists; raises KeyError when a step is missing."""
    node = data
    for part in parts:
        if isinstance(node, dict) and str(part) in node:
            node = node[str(part)]
        elif isinstance(node, list) and _is_index(part) and int(part) < len(node):
            node = node[int(part)]
        else:
            raise KeyError(to_pointer(parts))
    return node


def _is_index(part: Part) -> bool:
    return isinstance(part, int) or (part.isdigit() and (part == "0" or not part.startswith("0")))


def local_ref_parts(ref: str) -> list[str] | None:
    """The parts of a same-document `$ref` (`#/...`), or None for any other kind of reference.

    A `$ref` is a URI, so its fragment is percent-decoded before RFC 6901 applies: `#/paths/~1%7Bid%7D`
    is the path item `/{id}`."""
    if not ref.startswith("#"):
        return None
    try:
        return from_pointer(unquote(ref))
    except ValueError:
        return None


REFERENCE_KEYWORDS = ("$ref", "$dynamicRef", "$recursiveRef")


def component_key(ref: str) -> str | None:
    """The components/schemas key a same-document reference leads into, or None."""
    parts = local_ref_parts(ref)
    return (
        parts[2] if parts is not None and len(parts) > 2 and parts[:2] == ["components", "schemas"] else None
    )


def deref(data: Any, node: Any, hops: int = 32) -> Any:
    """Follow same-document `$ref`s from `node`; a reference that leads nowhere gives `{}`."""
    for _ in range(hops):
        if not (isinstance(node, dict) and isinstance(node.get("$ref"), str)):
            break
        try:
            node = lookup(data, local_ref_parts(node["$ref"]) or [])
        except KeyError:
            return {}
    return node


def resolve_logical(data: Any, parts: Sequence[Part]) -> list[Part]:
    """Turn a path that steps through `$ref`s (as validators report it) into a real document path."""
    real: list[Part] = []
    node = data
    for part in parts:
        hops = 0
        while isinstance(node, dict) and str(part) not in node and isinstance(node.get("$ref"), str):
            target = local_ref_parts(node["$ref"])
            if target is None or hops > 64:
                break
            try:
                node = lookup(data, target)
            except KeyError:
                break
            real = list(target)
            hops += 1
        real.append(part)
        try:
            node = lookup(node, [part])
        except KeyError:
            node = None
    return real
