"""Every snippet of the generated README and operation pages runs as written against a real server:
server-sent events and JSON Lines, a download written to a file and every item of every page
(the local uvicorn server), multipart, form and raw uploads (Prism, which checks the bodies)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import ROOT, STREAM_APP, generate_sdk, local_server, prism_server
from tests.wire.stream_server import PLANTS, WORDS, recording

SPECS = ROOT / "tests" / "specs"
RUNNER = ROOT / "tests" / "wire" / "run_snippets.py"
SECTION = re.compile(r"^#+ (.+)$", re.MULTILINE)
FENCE = re.compile(r"^```(\w+)\n(.*?)^```$", re.DOTALL | re.MULTILINE)
FILES = ("photo", "photos", "body")  # what the upload snippets send, as curl's `@name.bin` does


@dataclass(frozen=True)
class Snippet:
    page: str  # README or the operation's function name
    heading: str
    lang: str
    code: str


@dataclass(frozen=True)
class Outcome:
    snippet: Snippet
    stdout: str
    error: str


def snippets(sdk: Path) -> list[Snippet]:
    """Every fenced Python and shell block, with the page and heading it sits under."""
    found = []
    for page in [sdk / "README.md", *sorted((sdk / "docs" / "operations").glob("*.md"))]:
        text = page.read_text("utf-8")
        heads = [(m.start(), m.group(1)) for m in SECTION.finditer(text)]
        for match in FENCE.finditer(text):
            heading = next((h for start, h in reversed(heads) if start < match.start()), "")
            if match.group(1) in ("python", "sh"):
                name = "README" if page.name == "README.md" else page.stem
                found.append(Snippet(name, heading, match.group(1), match.group(2)))
    return found


def run_all(sdk: Path, env_prefix: str, url: str, work: Path, pages: frozenset[str]) -> list[Outcome]:
    """Runs the Python snippets of `pages` in one process and each curl command in a shell, in
    `work`, against the server at `url`; curl fails on an error status."""
    env = {
        **os.environ,
        f"{env_prefix}_API_KEY": "parrot-key",
        f"{env_prefix}_BASE_URL": url,
        "PYTHONPATH": str(sdk),
    }
    found = [s for s in snippets(sdk) if s.page in pages]
    python = [s for s in found if s.lang == "python"]
    result = subprocess.run(
        [sys.executable, str(RUNNER)],
        input=json.dumps([s.code for s in python]),
        env=env,
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    ran = zip(python, json.loads(result.stdout), strict=True)
    outcomes = [Outcome(s, r["stdout"], r["error"]) for s, r in ran]
    for s in found:
        if s.lang == "sh" and s.code.startswith("curl "):
            command = s.code.replace("curl ", "curl -sS --fail-with-body ", 1)
            shell = subprocess.run(
                ["bash", "-c", command], env=env, cwd=work, capture_output=True, text=True, timeout=60
            )
            outcomes.append(Outcome(s, shell.stdout, shell.stdout + shell.stderr if shell.returncode else ""))
    return outcomes


def _ran(
    factory: pytest.TempPathFactory, name: str, prefix: str, local: frozenset[str] | None = None
) -> tuple[Path, list[Outcome]]:
    """Generates the spec's SDK and runs every snippet: those of the `local` pages (all, when
    None) against the local server, the others against Prism."""
    work = factory.mktemp(name)
    spec = SPECS / f"{name}.yaml"
    sdk, _ = generate_sdk(spec, work)
    for file in FILES:
        (work / f"{file}.bin").write_bytes(b"\x89PNG pretend picture " + file.encode())
    everything = frozenset(s.page for s in snippets(sdk))
    local = everything if local is None else local
    outcomes = []
    for pages, server in (
        (local, local_server(STREAM_APP)),
        (everything - local, prism_server(spec)),
    ):
        if pages:
            with server as url:
                outcomes += run_all(sdk, prefix, url, work, pages)
    failed = {
        f"{o.snippet.page} / {o.snippet.heading} ({o.snippet.lang})": o.error[-800:]
        for o in outcomes
        if o.error
    }
    assert failed == {}, "every snippet runs as written"
    return work, outcomes


def _printed(outcomes: list[Outcome], heading: str) -> list[str]:
    return [o.stdout for o in outcomes if o.snippet.heading == heading]


def test_stream_and_download_snippets(tmp_path_factory: pytest.TempPathFactory) -> None:
    work, outcomes = _ran(tmp_path_factory, "streams", "PARROT")
    streamed = _printed(outcomes, "Python, streaming") + _printed(outcomes, "Streams")
    assert len(streamed) == 3, "the docs page's sync and async snippets and the README's"
    for printed in streamed:
        assert re.findall(r"delta='([^']*)'", printed) == [*WORDS, "two lines"], printed
    log = [
        o.stdout for o in outcomes if o.snippet.page == "tail_log" and o.snippet.heading.endswith("client")
    ]
    assert len(log) == 2 and all("message='line 2'" in printed for printed in log), log
    assert (work / "download_recording.bin").read_bytes() == recording("string"), "written to disk whole"
    assert len(outcomes) >= 20


def test_every_item_snippets(tmp_path_factory: pytest.TempPathFactory) -> None:
    _, outcomes = _ran(tmp_path_factory, "pages", "HERBARIUM")
    every = _printed(outcomes, "Python, every item of every page") + _printed(outcomes, "Pages")
    assert len(every) == 13, "sync and async on each of the 6 operations' pages, and the README"
    for printed in every:
        assert re.findall(r"name='([^']*)'", printed) == [p["name"] for p in PLANTS], printed


def test_upload_snippets(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Prism refuses a multipart, form or raw body that breaks the spec (422/415)."""
    # Prism does not read repeated file parts: the list of files goes to the local server
    _, outcomes = _ran(tmp_path_factory, "uploads", "DARKROOM", frozenset({"upload_album"}))
    uploads = [o for o in outcomes if o.snippet.heading == "Uploads" or o.snippet.page.startswith("upload")]
    assert len(uploads) >= 9 and all("Path(" in o.snippet.code or o.snippet.lang == "sh" for o in uploads)
    assert all("id='job_" in o.stdout for o in uploads if "client" in o.snippet.heading), uploads
    (album,) = [o.stdout for o in uploads if o.snippet.page == "upload_album" and o.snippet.lang == "sh"]
    assert '"name":"photos[]","filename":"photos.bin"' in album.replace(" ", ""), "curl sends the file"
