"""A small real server for what Prism cannot serve: server-sent events, JSON Lines and binary
bodies sent in chunks. Run by the tests with uvicorn on loopback; it checks the request's Accept
header and bearer token as a real API would."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import AsyncIterator
from email.parser import BytesParser
from email.policy import default

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

WORDS = ["pretty", "polly", "wants", "a", "cracker"]
RECORDING_BYTES = 3 * 1024 * 1024 + 17  # more than one chunk, not a round number
CHUNK = 64 * 1024
STATE = {"open_streams": 0}


def recording(recording_id: str) -> bytes:
    """Deterministic bytes, so a test can compare what it received byte for byte."""
    seed = hashlib.sha256(recording_id.encode()).digest()
    return (seed * (RECORDING_BYTES // len(seed) + 1))[:RECORDING_BYTES]


def _refused(request: Request, accept: str) -> Response | None:
    if request.headers.get("authorization") != "Bearer parrot-key":
        return JSONResponse({"error": {"message": "bad token"}}, status_code=401)
    if accept not in request.headers.get("accept", ""):
        return JSONResponse({"error": {"message": f"ask for {accept}"}}, status_code=406)
    return None


async def create_reply(request: Request) -> Response:
    body = await request.json()
    if not body.get("stream"):
        return _refused(request, "application/json") or JSONResponse({"text": " ".join(WORDS)})
    refused = _refused(request, "text/event-stream")
    if refused:
        return refused
    forever = body.get("prompt") == "forever"

    async def events() -> AsyncIterator[str]:
        STATE["open_streams"] += 1
        try:
            yield ": a comment the client ignores\n\n"
            yield "retry: 3000\n\n"
            index = 0
            while True:
                word = WORDS[index % len(WORDS)]
                mood = "calm" if index < 2 else "ecstatic"  # a value the spec does not list
                data = json.dumps({"index": index, "delta": word, "mood": mood})
                yield f"event: delta\nid: {index}\ndata: {data}\n\n"
                index += 1
                if not forever and index == len(WORDS):
                    break
                await asyncio.sleep(0.01 if forever else 0)
            yield 'data: {"index": 99,\ndata:  "delta": "two lines"}\n\n'  # data spread over lines
            yield "data: [DONE]\n\n"
        finally:
            STATE["open_streams"] -= 1

    return StreamingResponse(events(), media_type="text/event-stream")


async def tail_log(request: Request) -> Response:
    refused = _refused(request, "application/x-ndjson")
    if refused:
        return refused

    async def lines() -> AsyncIterator[str]:
        for i, level in enumerate(["info", "warn", "info"]):
            yield json.dumps({"level": level, "message": f"line {i}"}) + "\n"

    return StreamingResponse(lines(), media_type="application/x-ndjson")


async def download_recording(request: Request) -> Response:
    refused = _refused(request, "audio/mpeg")
    if refused:
        return refused
    data = recording(request.path_params["recording_id"])

    async def chunks() -> AsyncIterator[bytes]:
        for start in range(0, len(data), CHUNK):
            yield data[start : start + CHUNK]

    return StreamingResponse(chunks(), media_type="audio/mpeg")


async def get_card(request: Request) -> Response:
    return _refused(request, "text/plain") or PlainTextResponse("Polly, 12, talks a lot.\n")


def multipart_parts(content_type: str, body: bytes) -> list[dict[str, object]]:
    """Each part of a multipart body: its field name, file name, content type and bytes."""
    message = BytesParser(policy=default).parsebytes(f"Content-Type: {content_type}\r\n\r\n".encode() + body)
    return [
        {
            "name": part.get_param("name", header="content-disposition"),
            "filename": part.get_filename(),
            "content_type": part.get_content_type() if part["content-type"] else None,
            "size": len(part.get_payload(decode=True) or b""),
            "sha256": hashlib.sha256(part.get_payload(decode=True) or b"").hexdigest(),
        }
        for part in message.iter_parts()
    ]


async def upload_album(request: Request) -> Response:
    """Echoes the parts it received, so a test can check an upload of several files."""
    if request.headers.get("authorization") != "Bearer parrot-key":
        return JSONResponse({"error": {"message": "bad token"}}, status_code=401)
    parts = multipart_parts(request.headers["content-type"], await request.body())
    return JSONResponse({"id": "job_2", "files": sum(1 for p in parts if p["filename"]), "parts": parts}, 201)


async def echo(request: Request) -> Response:
    """What arrived, as sent: the raw path and query, the cookie and the other headers."""
    return JSONResponse(
        {
            "path": request.scope["raw_path"].decode(),
            "query": request.scope["query_string"].decode(),
            "headers": dict(request.headers),
        }
    )


PLANTS = [{"id": f"p{i:02d}", "name": f"plant {i}"} for i in range(11)]  # pages of 3: 4 pages
PAGE = 3


def _after(request: Request, key: str) -> int:
    """The index after the item or page the request names."""
    value = request.query_params.get(key)
    if value is None:
        return 0
    return next(
        (i + 1 for i, p in enumerate(PLANTS) if p["id"] == value), int(value) if value.isdigit() else 0
    )


async def list_plants(request: Request) -> Response:
    """The same 11 plants, paged in the way the path names."""
    if request.headers.get("authorization") != "Bearer parrot-key":
        return JSONResponse({"error": {"message": "bad token"}}, status_code=401)
    way = request.path_params["way"]
    if way == "cursor":
        start = _after(request, "after")
        chunk = PLANTS[start : start + PAGE]
        return JSONResponse({"object": "list", "data": chunk, "has_more": start + PAGE < len(PLANTS)})
    if way in ("token", "fern"):
        start = int(request.query_params.get("page_token" if way == "token" else "from", "0"))
        more = str(start + PAGE) if start + PAGE < len(PLANTS) else None
        if way == "fern":
            return JSONResponse({"entries": PLANTS[start : start + PAGE], "meta_next": more or ""})
        return JSONResponse({"items": PLANTS[start : start + PAGE], "next_page_token": more})
    page = int(request.query_params.get("page", "1"))
    chunk = PLANTS[(page - 1) * PAGE : page * PAGE]
    following = f"/url/plants?page={page + 1}" if page * PAGE < len(PLANTS) else None
    if way == "url":
        return JSONResponse({"results": chunk, "next": following})
    if way == "link":
        headers = {"Link": f'<{following.replace("/url/", "/link/")}>; rel="next"'} if following else {}
        return JSONResponse({"plants": chunk}, headers=headers)
    offset, limit = int(request.query_params.get("offset", "0")), int(request.query_params.get("limit", "3"))
    return JSONResponse({"data": PLANTS[offset : offset + limit], "total": len(PLANTS)})


async def chatter(request: Request) -> Response:
    """Fern's conditional stream: events end at the spec's own terminator, `<over>`; whatever
    follows it is never read as an event."""
    body = await request.json()
    if not body.get("stream"):
        return _refused(request, "application/json") or JSONResponse({"text": " ".join(WORDS)})

    async def events() -> AsyncIterator[str]:
        for word in WORDS:
            yield f"data: {json.dumps({'delta': word})}\n\n"
        yield "data: <over>\n\n"
        yield f"data: {json.dumps({'delta': 'after the end'})}\n\n"

    return _refused(request, "text/event-stream") or StreamingResponse(
        events(), media_type="text/event-stream"
    )


async def ticker(request: Request) -> Response:
    """Fern's JSON streaming: one JSON object per line, sent as `application/json`."""

    async def lines() -> AsyncIterator[str]:
        for n in range(4):
            yield json.dumps({"n": n}) + "\n"

    return _refused(request, "application/json") or StreamingResponse(lines(), media_type="application/json")


async def stuck_plants(request: Request) -> Response:
    """A server that answers every page with the first one, and says more follow."""
    return JSONResponse({"object": "list", "data": PLANTS[:PAGE], "has_more": True})


async def open_streams(request: Request) -> Response:
    return JSONResponse(STATE)


app = Starlette(
    routes=[
        Route("/replies", create_reply, methods=["POST"]),
        Route("/log", tail_log),
        Route("/recordings/{recording_id}/content", download_recording),
        Route("/card", get_card),
        Route("/_state", open_streams),
        Route("/chatter", chatter, methods=["POST"]),
        Route("/ticker", ticker),
        Route("/albums", upload_album, methods=["POST"]),
        Route("/echo/{rest:path}", echo),
        Route("/{way}/plants", list_plants),
        Route("/stuck/{way}/plants", stuck_plants),
    ]
)
