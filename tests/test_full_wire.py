"""Every operation of the SDK made from OpenAI's full spec, called against Prism as its docs page
shows: static examples and dynamic (seeded) responses, forgiving and strict parsing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import FULL_PACKAGE, FULL_SPEC, ROOT, needs_shared, prism_server

DRIVER = ROOT / "tests" / "wire" / "drive_operations.py"
# What fails for a reason outside this issue, each named with the way it must fail, so that a
# fix (or a new failure) shows up here.
EXCUSED = {
    # Prism answers /audio/speech with `Transfer-Encoding: string` (the spec's example of that
    # header) beside a Content-Length: no HTTP client may read that response
    "create_speech": ("APIConnectionError", "Prism sends a broken header for /audio/speech"),
}
PRISM_CANNOT_GENERATE = "InternalServerError: 500"  # Prism's faker fails on some schemas in -d mode
# Prism cannot serve server-sent events: it cannot serialise an event stream (500), and has none
# to offer where only the body's `stream` field promises one (406). The streams are shown against
# the local server instead (test_streams, test_side_by_side).
PRISM_CANNOT_STREAM = (
    "InternalServerError: 500 NO_COMPLEX_OBJECT_TEXT",
    "APIStatusError: 406 NOT_ACCEPTABLE",
)
OPERATIONS, STREAMED, PAGED = 288, 10, 51


@pytest.fixture(scope="module")
def static_prism() -> Iterator[str]:
    with prism_server(needs_shared(FULL_SPEC)) as url:
        yield url


@pytest.fixture(scope="module")
def dynamic_prism() -> Iterator[str]:
    with prism_server(needs_shared(FULL_SPEC), "--dynamic", "--seed", "sdkgen") as url:
        yield url


def _drive(full_sdk: Path, url: str, work: Path, *flags: str) -> dict[str, str]:
    """Every documented call: the sync snippet of each page, `stream=True` where the page shows a
    stream, and every item of every page where it shows a list's items."""
    result = subprocess.run(
        [sys.executable, str(DRIVER), str(FULL_SPEC), str(full_sdk), FULL_PACKAGE, "OpenAI", url, *flags],
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        cwd=work,  # where the upload snippets' files are written
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    outcomes: dict[str, str] = json.loads(result.stdout)
    assert sum(" (" not in key for key in outcomes) == OPERATIONS
    assert sum(key.endswith(" (stream=True)") for key in outcomes) == STREAMED
    assert sum(key.endswith(" (every item)") for key in outcomes) == PAGED
    return outcomes


def _unexplained(outcomes: dict[str, str], *, dynamic: bool) -> dict[str, str]:
    """Outcomes that are neither a parsed response, a response the referee also refuses, nor an
    excused failure failing the way it is excused."""
    left = {}
    for operation, outcome in outcomes.items():
        if outcome == "parsed" or outcome.startswith("invalid mock: "):
            continue
        if operation in EXCUSED and outcome.startswith(EXCUSED[operation][0]):
            continue
        if dynamic and outcome == PRISM_CANNOT_GENERATE:
            continue
        if operation.endswith(" (stream=True)") and outcome in PRISM_CANNOT_STREAM:
            continue
        left[operation] = outcome
    return left


def test_every_static_response_parses_forgivingly(full_sdk: Path, static_prism: str, tmp_path: Path) -> None:
    outcomes = _drive(full_sdk, static_prism, tmp_path)
    assert _unexplained(outcomes, dynamic=False) == {}
    assert not any(o.startswith("invalid mock") for o in outcomes.values()), "forgiving parses them all"
    assert sum(o == "parsed" for o in outcomes.values()) == OPERATIONS + PAGED - len(EXCUSED)


def test_strict_parsing_refuses_only_what_the_spec_itself_refuses(
    full_sdk: Path, static_prism: str, tmp_path: Path
) -> None:
    outcomes = _drive(full_sdk, static_prism, tmp_path, "--strict")
    assert _unexplained(outcomes, dynamic=False) == {}
    assert sum(o == "parsed" for o in outcomes.values()) >= 323  # 273 calls and 50 of the 51 lists


def test_dynamic_responses_parse_strictly(full_sdk: Path, dynamic_prism: str, tmp_path: Path) -> None:
    """Prism generates each response from its schema (seeded): the SDK's types must accept it."""
    outcomes = _drive(full_sdk, dynamic_prism, tmp_path, "--strict")
    assert _unexplained(outcomes, dynamic=True) == {}
    assert sum(o == "parsed" for o in outcomes.values()) >= 333  # 282 calls and the 51 lists
