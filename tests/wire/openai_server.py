"""A small stand-in for the OpenAI API, for what Prism cannot serve: streamed chat completions and
responses, file uploads, a transcription, a speech download and a paged file list. Both the SDK
generated from OpenAI's spec and the `openai` package call it in tests/test_side_by_side.py."""

from __future__ import annotations

import hashlib
import json
from collections.abc import AsyncIterator

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from tests.wire.stream_server import multipart_parts

WORDS = ["Hello", ", ", "world", "!"]
SPEECH = hashlib.sha256(b"speech").digest() * 4096  # 128 KiB of "audio"
FILES = [
    {"id": f"file-{i}", "object": "file", "bytes": 10 * i, "created_at": 1700000000 + i}
    | {"filename": f"notes-{i}.txt", "purpose": "assistants", "status": "processed"}
    for i in range(7)
]


def _sse(events: list[tuple[str | None, dict[str, object]]], done: bool) -> StreamingResponse:
    async def body() -> AsyncIterator[str]:
        for name, data in events:
            yield (f"event: {name}\n" if name else "") + f"data: {json.dumps(data)}\n\n"
        if done:
            yield "data: [DONE]\n\n"

    return StreamingResponse(body(), media_type="text/event-stream")


async def chat(request: Request) -> Response:
    body = await request.json()
    assert body.get("stream") is True
    chunks = [
        {"id": "chatcmpl-1", "object": "chat.completion.chunk", "created": 1, "model": body["model"]}
        | {"choices": [{"index": 0, "delta": {"role": "assistant", "content": word}, "finish_reason": None}]}
        for word in WORDS
    ]
    return _sse([(None, chunk) for chunk in chunks], done=True)


async def responses(request: Request) -> Response:
    events = [
        (
            "response.output_text.delta",
            {"type": "response.output_text.delta", "item_id": "msg_1", "output_index": 0}
            | {"content_index": 0, "delta": word, "sequence_number": i, "logprobs": []},
        )
        for i, word in enumerate(WORDS)
    ]
    return _sse(events, done=False)


async def upload(request: Request) -> Response:
    parts = {
        str(p["name"]): p for p in multipart_parts(request.headers["content-type"], await request.body())
    }
    size = int(parts["file"]["size"])  # type: ignore[call-overload]
    file = FILES[0] | {"id": f"file-{parts['file']['sha256']}"[:13], "bytes": size}
    return JSONResponse(file | {"filename": parts["file"]["filename"]})


async def transcribe(request: Request) -> Response:
    parts = {
        str(p["name"]): p for p in multipart_parts(request.headers["content-type"], await request.body())
    }
    return JSONResponse({"text": f"{parts['file']['size']} bytes of {parts['file']['filename']} heard"})


async def speech(request: Request) -> Response:
    return Response(SPEECH, media_type="audio/mpeg")


async def list_files(request: Request) -> Response:
    after = request.query_params.get("after")
    limit = int(request.query_params.get("limit", "20"))
    start = next((i + 1 for i, f in enumerate(FILES) if f["id"] == after), 0)
    page = FILES[start : start + limit]
    return JSONResponse(
        {"object": "list", "data": page, "has_more": start + limit < len(FILES)}
        | {"first_id": page[0]["id"] if page else None, "last_id": page[-1]["id"] if page else None}
    )


app = Starlette(
    routes=[
        Route("/chat/completions", chat, methods=["POST"]),
        Route("/responses", responses, methods=["POST"]),
        Route("/files", upload, methods=["POST"]),
        Route("/files", list_files, methods=["GET"]),
        Route("/audio/transcriptions", transcribe, methods=["POST"]),
        Route("/audio/speech", speech, methods=["POST"]),
    ]
)
