"""The ways specs say how an operation streams, against the local server: Fern's
`x-fern-streaming` (a stream the body's `stream` asks for, with its own terminator, and JSON chunks
sent as `application/json` that every call returns) and OpenAPI 3.2's `itemSchema`."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import (
    ROOT,
    generate_sdk,
    importable,
    linters_test,
    package_fixture,
    sdk_fixture,
)
from tests.wire.stream_server import WORDS

SPEC = ROOT / "tests" / "specs" / "fern_streams.yaml"

sdk = sdk_fixture(SPEC)
myna = package_fixture("myna")
test_the_sdk_passes = linters_test("myna")


def test_stream_condition_and_terminator(myna: Any, stream_server: str) -> None:
    with myna.Myna(api_key="parrot-key", base_url=stream_server) as client:
        whole = client.chatter(prompt="hi")
        assert isinstance(whole, myna.models.Chatter) and whole.text == " ".join(WORDS)
        with client.chatter(prompt="hi", stream=True) as stream:
            deltas = [chunk.delta for chunk in stream]
    assert deltas == WORDS, "the events stop at `<over>`; what follows it is not read"


async def test_json_chunks_every_call_streams(myna: Any, stream_server: str) -> None:
    with myna.Myna(api_key="parrot-key", base_url=stream_server) as client, client.ticker() as ticks:
        assert isinstance(ticks, myna.Stream)
        assert [tick.n for tick in ticks] == [0, 1, 2, 3]
    async with myna.AsyncMyna(api_key="parrot-key", base_url=stream_server) as client:
        assert [tick.n async for tick in await client.ticker()] == [0, 1, 2, 3]


def test_the_signatures_say_so(sdk: Path) -> None:
    client = (sdk / "myna" / "_client.py").read_text()
    assert "def ticker(\n        self,\n" in client and "-> Stream[Tick]:" in client
    assert "-> AsyncStream[ChatterChunk]: ..." in client and "-> Chatter: ..." in client
    assert 'StreamRule(lines=False, end="<over>")' in client and "StreamRule(lines=True" in client


def test_item_schema_types_the_events(stream_server: str, tmp_path: Path) -> None:
    sdk, _ = generate_sdk(ROOT / "tests" / "specs" / "item_schema.yaml", tmp_path)
    with importable(sdk, "lory") as lory, lory.Lory(api_key="parrot-key", base_url=stream_server) as client:
        with client.create_reply(prompt="hi", stream=True) as stream:
            events = list(stream)
        assert all(isinstance(e, lory.models.Chunk) for e in events)
        assert [e.delta for e in events] == [*WORDS, "two lines"]
