"""Media types: which body of a response or request the SDK reads, and as what (JSON, text,
binary, or a stream of events), and the Accept header that asks for it."""

from __future__ import annotations

import re
from typing import Any

JSON_MEDIA = re.compile(r"application/([\w.+-]+\+)?json")
STREAM_MEDIA = frozenset(
    {"text/event-stream", "application/jsonl", "application/x-ndjson", "application/json-seq"}
)


def media_type(media: str) -> str:
    """`application/json; charset=utf-8` -> `application/json`."""
    return media.split(";")[0].strip().lower()


def json_media(content: Any) -> tuple[str, dict[str, Any]] | None:
    """The first JSON media type of a `content` map, with its media object."""
    for media, obj in (content or {}).items():
        if JSON_MEDIA.fullmatch(media_type(media)) and isinstance(obj, dict):
            return media, obj
    return None


def stream_media(content: Any) -> tuple[str, dict[str, Any]] | None:
    """The first event-stream or JSON Lines media type of a `content` map."""
    for media, obj in (content or {}).items():
        if media_type(media) in STREAM_MEDIA and isinstance(obj, dict):
            return media, obj
    return None


def body_kind(content: Any) -> str:
    """How a response body is read: json, stream (only events offered), text, binary, or none."""
    declared = [media_type(m) for m in (content or {})] if isinstance(content, dict) else []
    if not declared:
        return "none"
    if any(JSON_MEDIA.fullmatch(m) for m in declared):
        return "json"
    plain = [m for m in declared if m not in STREAM_MEDIA]
    if not plain:
        return "stream"
    return "text" if all(m.startswith("text/") for m in plain) else "binary"


def accept(responses: list[tuple[str, Any]], kind: str) -> str:
    """The Accept header: the media types the responses declare for the body the SDK reads
    (JSON, vendor JSON, text, binary or events), success first, so no server answers 406."""
    success_first = sorted(responses, key=lambda pair: not pair[0].startswith("2"))
    wanted = _wanted(kind)
    declared = [
        media_type(media)
        for _, response in success_first
        for media in ((response.get("content") or {}) if isinstance(response, dict) else {})
        if wanted(media_type(media))
    ]
    return ", ".join(dict.fromkeys(declared)) or "application/json"


def _wanted(kind: str) -> Any:
    if kind == "stream":
        return lambda m: m in STREAM_MEDIA
    if kind in ("text", "binary"):
        return lambda m: m not in STREAM_MEDIA and not JSON_MEDIA.fullmatch(m)
    return lambda m: bool(JSON_MEDIA.fullmatch(m))


FORM_MEDIA = ("multipart/form-data", "application/x-www-form-urlencoded")


def request_media(content: Any) -> tuple[str, str, dict[str, Any]] | None:
    """The body a method sends, and how: JSON first, else a form (multipart, then URL-encoded),
    else the first other media type as raw content. (encoding, media type, media object)."""
    if not isinstance(content, dict):
        return None
    found = json_media(content)
    if found is not None:
        return "json", *found
    for wanted in FORM_MEDIA:
        for media, obj in content.items():
            if media_type(media) == wanted and isinstance(obj, dict):
                return ("multipart" if wanted.startswith("multipart") else "form"), media, obj
    for media, obj in content.items():
        if isinstance(obj, dict):
            return "raw", media, obj
    return None


def is_file(schema: Any) -> bool:
    """A string the SDK sends as a file: `format: binary`, or 3.1's `contentMediaType`."""
    return (
        isinstance(schema, dict)
        and schema.get("type") == "string"
        and (schema.get("format") == "binary" or "contentMediaType" in schema)
    )
