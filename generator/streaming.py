"""Which operations stream events, and of what type: a response offering `text/event-stream` or
JSON Lines, a boolean `stream` field of the body, Fern's `x-fern-streaming`, or the configuration
(`[tool.sdkgen.streaming]`) where the spec is silent."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .ir import Body, Streaming
from .media import body_kind, json_media, media_type, stream_media

TypeOf = Callable[[Any], str]  # a schema's Python type in signatures
DONE = "[DONE]"


def event_type(media: tuple[str, dict[str, Any]] | None, type_of: TypeOf) -> str:
    """One event's type: OpenAPI 3.2's `itemSchema`, else the stream media type's schema."""
    schema = (media[1].get("itemSchema") or media[1].get("schema")) if media else None
    return _event(schema, type_of)


def _event(schema: Any, type_of: TypeOf) -> str:
    annotation = type_of(schema) if schema is not None else "Any"
    return "dict[str, Any]" if annotation == "Any" else annotation


def streaming(
    op: dict[str, Any], success: dict[str, Any], body: Body | None, type_of: TypeOf, configured: str | None
) -> Streaming | None:
    """Streaming, when Fern's extension says so, the success response offers events, or the body
    has a boolean `stream`; `configured` names the event type where the spec does not."""
    fern = op.get("x-fern-streaming")
    if fern is True or isinstance(fern, dict):
        ruled = _fern(fern if isinstance(fern, dict) else {}, success, body, type_of, configured)
        if ruled is not None:
            return ruled
    media = stream_media(success.get("content"))
    field = next(
        (
            f.name
            for f in (body.fields if body else ())
            if f.name == "stream" and f.annotation.startswith("bool")
        ),
        None,
    )
    if media is None and field is None:
        return None
    event = configured if configured else event_type(media, type_of)
    if body_kind(success.get("content")) == "stream":
        field = None  # every call streams
    elif field is None:
        return None  # events are offered, but no boolean of the body asks for them
    return Streaming(event, field, media_type(media[0]) if media else "text/event-stream")


def _fern(
    rule: dict[str, Any], success: dict[str, Any], body: Body | None, type_of: TypeOf, configured: str | None
) -> Streaming | None:
    """Fern's `x-fern-streaming`: `true` (JSON chunks, one per line) or `{format: sse|json,
    stream-condition: $request.<field>, response, response-stream, terminator}`."""
    media = json_media(success.get("content"))
    schema = rule.get("response-stream") or (media[1].get("schema") if media else None)
    event = configured if configured else _event(schema, type_of)
    lines = rule.get("format") != "sse"
    condition = rule.get("stream-condition")
    field = condition.removeprefix("$request.") if isinstance(condition, str) else None
    if field is not None and field not in {f.name for f in (body.fields if body else ())}:
        return None  # the condition names no field of the body: no call can ask for a stream
    accept = (media_type(media[0]) if media else "application/json") if lines else "text/event-stream"
    return Streaming(event, field, accept, lines=lines, end=str(rule.get("terminator") or DONE))


def fern_response(op: dict[str, Any]) -> Any:
    """The schema of a conditionally streamed operation's whole response, where Fern names it."""
    fern = op.get("x-fern-streaming")
    return fern.get("response") if isinstance(fern, dict) and fern.get("stream-condition") else None
