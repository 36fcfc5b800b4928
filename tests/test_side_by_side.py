"""The SDK generated from OpenAI's full spec and the official `openai` package make the same calls
against the same local server (tests/wire/openai_server.py): streamed chat completions and
responses, a file upload, a transcription, a speech download and an auto-paged file list, with
the same results. Prism cannot serve these (streams, and a broken header for /audio/speech)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import openai
import pytest

from tests.conftest import FULL_PACKAGE, importable, local_server
from tests.wire.openai_server import FILES, SPEECH, WORDS

KEY = "sk-side-by-side"


@pytest.fixture(scope="module")
def server() -> Iterator[str]:
    with local_server("tests.wire.openai_server:app") as url:
        yield url


@pytest.fixture
def both(full_sdk: Path, server: str) -> Iterator[tuple[Any, openai.OpenAI]]:
    with importable(full_sdk, FULL_PACKAGE) as module:
        with module.OpenAI(api_key=KEY, base_url=server) as ours:
            yield ours, openai.OpenAI(api_key=KEY, base_url=server)


def test_streamed_chat_completion(both: tuple[Any, openai.OpenAI]) -> None:
    ours, theirs = both
    request = {"model": "gpt-4o", "messages": [{"role": "user", "content": "Hi"}]}
    with ours.chat.create_chat_completion(**request, stream=True) as stream:
        mine = [chunk.choices[0].delta.content for chunk in stream]
    official = [c.choices[0].delta.content for c in theirs.chat.completions.create(**request, stream=True)]
    assert mine == official == WORDS


def test_streamed_response(both: tuple[Any, openai.OpenAI]) -> None:
    ours, theirs = both
    mine = [
        (e.type, e.delta) for e in ours.responses.create_response(model="gpt-4o", input="Hi", stream=True)
    ]
    official = [(e.type, e.delta) for e in theirs.responses.create(model="gpt-4o", input="Hi", stream=True)]
    assert mine == official == [("response.output_text.delta", w) for w in WORDS]


def test_file_upload(both: tuple[Any, openai.OpenAI], tmp_path: Path) -> None:
    ours, theirs = both
    notes = tmp_path / "notes.txt"
    notes.write_bytes(b"remember the milk\n" * 100)
    mine = ours.files.create_file(file=notes, purpose="assistants")
    official = theirs.files.create(file=notes, purpose="assistants")
    assert (mine.id, mine.bytes, mine.filename) == (official.id, official.bytes, official.filename)
    assert (mine.bytes, mine.filename) == (1800, "notes.txt")


def test_transcription(both: tuple[Any, openai.OpenAI]) -> None:
    ours, theirs = both
    audio = ("hello.wav", b"RIFF" + bytes(1000), "audio/wav")
    mine = ours.audio.create_transcription(file=audio, model="whisper-1")
    official = theirs.audio.transcriptions.create(file=audio, model="whisper-1")
    assert mine.text == official.text == "1004 bytes of hello.wav heard"


def test_speech_download(both: tuple[Any, openai.OpenAI], tmp_path: Path) -> None:
    ours, theirs = both
    request = {"model": "gpt-4o-mini-tts", "input": "Hello", "voice": "alloy"}
    ours.audio.create_speech(**request).write_to_file(tmp_path / "mine.mp3")
    theirs.audio.speech.create(**request).write_to_file(tmp_path / "theirs.mp3")
    assert (tmp_path / "mine.mp3").read_bytes() == (tmp_path / "theirs.mp3").read_bytes() == SPEECH


def test_auto_paginated_list(both: tuple[Any, openai.OpenAI]) -> None:
    ours, theirs = both
    mine = [f.id for f in ours.files.list_files(limit=3)]
    official = [f.id for f in theirs.files.list(limit=3)]
    assert mine == official == [f["id"] for f in FILES]
