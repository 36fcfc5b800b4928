"""Streams and bodies that are not JSON, on the wire against a real local server (uvicorn): server-
sent events with typed overloads (sync and async, `[DONE]`, early close), JSON Lines, a binary
download compared byte for byte and written to a file, and a text/plain body."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.conftest import ROOT, linters_test, mypy_output, package_fixture, sdk_fixture
from tests.wire.stream_server import RECORDING_BYTES, WORDS, recording

SPEC = ROOT / "tests" / "specs" / "streams.yaml"
KEY = "parrot-key"


sdk = sdk_fixture(SPEC)


parrot = package_fixture("parrot")


test_the_sdk_passes = linters_test("parrot")


def test_stream_true_returns_typed_events_until_done(parrot: Any, stream_server: str) -> None:
    with parrot.Parrot(api_key=KEY, base_url=stream_server) as client:
        whole = client.create_reply(prompt="hi")
        assert isinstance(whole, parrot.models.Reply) and whole.text == " ".join(WORDS)
        with client.create_reply(prompt="hi", stream=True) as stream:
            assert isinstance(stream, parrot.Stream)
            events = list(stream)
        assert all(isinstance(e, parrot.models.ReplyChunk) for e in events)
        assert [e.delta for e in events] == [*WORDS, "two lines"], "data lines joined, [DONE] ends it"
        assert events[3].mood == "ecstatic", "an event with a new enum value parses"
        assert stream.http_response.is_closed


def test_breaking_out_of_a_stream_closes_the_connection(parrot: Any, stream_server: str) -> None:
    with parrot.Parrot(api_key=KEY, base_url=stream_server) as client:
        stream = client.create_reply(prompt="forever", stream=True)
        for event in stream:
            if event.index == 2:
                break
        assert stream.http_response.is_closed
        for _ in range(50):  # the server sees the disconnect and ends its generator
            if httpx.get(f"{stream_server}/_state").json()["open_streams"] == 0:
                break
            httpx.get(f"{stream_server}/_state")
        assert httpx.get(f"{stream_server}/_state").json()["open_streams"] == 0


async def test_the_async_client_streams_too(parrot: Any, stream_server: str) -> None:
    async with parrot.AsyncParrot(api_key=KEY, base_url=stream_server) as client:
        stream = await client.create_reply(prompt="hi", stream=True)
        assert isinstance(stream, parrot.AsyncStream)
        async with stream:
            deltas = [event.delta async for event in stream]
        assert deltas == [*WORDS, "two lines"]
        lines = [line.message async for line in await client.tail_log()]
        assert lines == ["line 0", "line 1", "line 2"]
        download = await client.download_recording("r1")
        assert await download.read() == recording("r1")


def test_json_lines_stream_every_line(parrot: Any, stream_server: str) -> None:
    with parrot.Parrot(api_key=KEY, base_url=stream_server) as client, client.tail_log() as log:
        lines = list(log)
    assert [(line.level, line.message) for line in lines] == [
        ("info", "line 0"),
        ("warn", "line 1"),
        ("info", "line 2"),
    ]


def test_a_binary_download_streams_to_disk_byte_for_byte(
    parrot: Any, stream_server: str, tmp_path: Path
) -> None:
    with parrot.Parrot(api_key=KEY, base_url=stream_server) as client:
        download = client.download_recording("r1")
        assert isinstance(download, parrot.BinaryResponse) and download.content_type == "audio/mpeg"
        download.write_to_file(tmp_path / "r1.mp3")
        assert (tmp_path / "r1.mp3").read_bytes() == recording("r1")
        chunks = list(client.download_recording("r2").iter_bytes())
        assert len(chunks) > 1 and b"".join(chunks) == recording("r2")
        assert len(client.download_recording("r3").content) == RECORDING_BYTES


def test_a_text_body_is_a_str(parrot: Any, stream_server: str) -> None:
    with parrot.Parrot(api_key=KEY, base_url=stream_server) as client:
        assert client.get_card() == "Polly, 12, talks a lot.\n"


def test_each_call_asks_for_the_media_type_it_reads(parrot: Any) -> None:
    build = parrot.request_builders
    assert build.create_reply(prompt="x", api_key=KEY).headers["accept"] == "application/json"
    assert build.create_reply(prompt="x", stream=True, api_key=KEY).headers["accept"] == "text/event-stream"
    assert build.tail_log(api_key=KEY).headers["accept"] == "application/x-ndjson"
    assert build.download_recording("r", api_key=KEY).headers["accept"] == "audio/mpeg"
    assert build.get_card(api_key=KEY).headers["accept"] == "text/plain"


def test_an_error_status_on_a_stream_raises_with_the_server_message(parrot: Any, stream_server: str) -> None:
    with parrot.Parrot(api_key="wrong", base_url=stream_server, max_retries=0) as client:
        with pytest.raises(parrot.AuthenticationError, match="bad token"):
            client.create_reply(prompt="hi", stream=True)
        with pytest.raises(parrot.AuthenticationError, match="bad token"):
            client.download_recording("r1")


def test_mypy_sees_the_overloads(sdk: Path) -> None:
    output = mypy_output(
        sdk,
        "use_streams.py",
        "from parrot import Parrot, Stream\n"
        "from parrot.models import Reply, ReplyChunk\n\n"
        "def use(client: Parrot, flag: bool) -> None:\n"
        '    whole: Reply = client.create_reply(prompt="x")\n'
        '    events: Stream[ReplyChunk] = client.create_reply(prompt="x", stream=True)\n'
        '    either = client.create_reply(prompt="x", stream=flag)\n'
        "    reveal_type(either)\n",
    )
    assert (
        'Revealed type is "parrot.models.reply.Reply'
        ' | parrot._runtime.Stream[parrot.models.reply_chunk.ReplyChunk]"' in output
    )
    assert output.count("error") == 0, output
