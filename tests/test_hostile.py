"""Untrusted specs: no network and no escape from the spec's folder, bounded parsing, and no spec
string that can break out of generated code."""

from __future__ import annotations

import functools
import http.server
import importlib
import json
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import loader
from generator.diagnostics import SpecError
from tests.conftest import LINTERS, ROOT, assert_tool_passes, run_cli

BIN = ROOT / ".venv" / "bin"
HOSTILE = ROOT / "tests" / "specs" / "hostile.yaml"
SPEC_HEAD = "openapi: 3.1.0\ninfo: {title: Refs, version: '1'}\npaths: {}\n"


def test_file_refs_inside_the_folder_are_brought_in(tmp_path: Path) -> None:
    (tmp_path / "schemas").mkdir()
    (tmp_path / "spec.yaml").write_text(
        SPEC_HEAD + "components:\n  schemas:\n    Box:\n      type: object\n      properties:\n"
        "        thing: {$ref: 'schemas/thing.yaml#/Thing'}\n"
    )
    (tmp_path / "schemas" / "thing.yaml").write_text(
        "Thing:\n  type: object\n  properties:\n    other: {$ref: '#/Other'}\n"
        "    id: {$ref: '../common.yaml#/Id'}\nOther: {type: string}\n"
    )
    (tmp_path / "common.yaml").write_text("Id: {type: string, pattern: '^id_'}\n")
    result = run_cli("generate", "--spec", "spec.yaml", "--out", "sdk", cwd=tmp_path)
    assert result.exit_code == 0, result.stderr
    models = (tmp_path / "sdk" / "refs" / "models.py").read_text()
    assert (
        "class Thing(BaseModel)" in models
        and "other: Other | None" in models
        and "Id = TypeAliasType" in models
    )


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def schema_server(tmp_path: Path) -> Iterator[str]:
    """A local HTTP server (loopback only) serving one schema file."""
    (tmp_path / "served").mkdir()
    (tmp_path / "served" / "thing.yaml").write_text(
        "Thing:\n  type: object\n  properties:\n    n: {type: integer}\n"
    )
    handler = functools.partial(_Quiet, directory=str(tmp_path / "served"))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()


def test_remote_refs_only_when_allowed(tmp_path: Path, schema_server: str) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC_HEAD + f"components:\n  schemas:\n    Box:\n      $ref: '{schema_server}/thing.yaml#/Thing'\n"
    )
    refused = run_cli("generate", "--spec", spec, "--out", tmp_path / "a", cwd=tmp_path)
    assert refused.exit_code == 2
    assert "spec.yaml:7:13: #/components/schemas/Box/$ref: error: remote reference" in refused.stderr
    assert "pass --allow-remote-refs" in refused.stderr
    assert not (tmp_path / "a").exists()
    allowed = run_cli(
        "generate", "--spec", spec, "--out", tmp_path / "b", "--allow-remote-refs", cwd=tmp_path
    )
    assert allowed.exit_code == 0, allowed.stderr
    assert "class Thing(BaseModel)" in (tmp_path / "b" / "refs" / "models.py").read_text()


def test_a_remote_document_may_not_refer_to_local_files(tmp_path: Path, schema_server: str) -> None:
    served = Path(tmp_path / "served" / "thing.yaml")
    served.write_text("Thing: {$ref: 'secret.yaml#/X'}\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC_HEAD + f"components:\n  schemas:\n    Box: {{$ref: '{schema_server}/thing.yaml#/Thing'}}\n"
    )
    result = run_cli("validate", spec, "--allow-remote-refs")
    assert result.exit_code == 2 and "may not refer to local files" in result.stderr


def test_input_size_limit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(loader, "MAX_INPUT_BYTES", 1000)
    big = tmp_path / "big.yaml"
    big.write_text(SPEC_HEAD + "x-pad: '" + "x" * 2000 + "'\n")
    with pytest.raises(SpecError, match="the limit is 1,000"):
        loader.load(big)


def test_deep_json_is_refused(tmp_path: Path) -> None:
    deep = tmp_path / "deep.json"
    deep.write_text('{"openapi": "3.1.0", "x": ' + "[" * 300 + "]" * 300 + "}")
    with pytest.raises(SpecError, match="nested more than 256 levels"):
        loader.load(deep)


# --- no code injection ----------------------------------------------------------------------------

EXPECTED_FIELDS = [
    "a_b",
    "a_b_1",
    "class_",
    "import_",
    "print",
    "field_42",
    "ünïcödé",
    "self",
    "model_config_",
    "timeout",
    "enumerated",
    "ex",
]
PAYLOAD = {
    "a-b": "1",
    "a_b": "2",
    "class": "c",
    "import": 3,
    "print": "p",
    "42": "n",
    "ünïcödé": "u",
    "self": "s",
    "model_config": "m",
    "timeout": "t",
    "enumerated": "\\",
}


@pytest.fixture(scope="module")
def hostile_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("hostile")
    result = run_cli("generate", "--spec", HOSTILE, "--out", "sdk", cwd=work)
    assert result.exit_code == 0, result.stderr
    return work / "sdk"


def test_hostile_strings_stay_inert(hostile_sdk: Path) -> None:
    package = hostile_sdk / "hostile_7_7_raw"
    for path in sorted(hostile_sdk.rglob("*")):
        if path.is_file():
            text = path.read_bytes()
            assert b"\x00" not in text and b"\x1b" not in text, path
            if path.suffix == ".py":
                compile(text, str(path), "exec")
    readme = (hostile_sdk / "README.md").read_text()
    assert "{{ 7*7 }}" in readme and "49" not in readme, "template syntax in spec text is not evaluated"
    client = (package / "_client.py").read_text()
    assert "def class_(" in client, "an operationId that is a keyword gets an underscore"


def test_hostile_models_import_and_round_trip(hostile_sdk: Path) -> None:
    sys.path.insert(0, str(hostile_sdk))
    try:
        models = importlib.import_module("hostile_7_7_raw.models")
        importlib.import_module("hostile_7_7_raw")
    finally:
        sys.path.remove(str(hostile_sdk))
    assert list(models.Evil.model_fields) == EXPECTED_FIELDS
    evil = models.Evil.model_validate(PAYLOAD)
    assert evil.model_dump(mode="json", by_alias=True, exclude_unset=True) == PAYLOAD
    assert models.Evil.model_validate({"enumerated": "\x00"}).enumerated == "\x00"
    assert models.Evil().class_ == "\"\"\"'''\\"


@pytest.mark.parametrize("command", LINTERS, ids=lambda c: c[0])
def test_hostile_sdk_passes(hostile_sdk: Path, command: list[str]) -> None:
    assert_tool_passes(hostile_sdk, command, "hostile_7_7_raw")


def test_hostile_pyproject_is_valid_toml(hostile_sdk: Path) -> None:
    import tomllib

    project = tomllib.loads((hostile_sdk / "pyproject.toml").read_text())["project"]
    assert project["version"] == "0.0.0", "a version that is not PEP 440 is replaced"
    assert json.dumps(project["description"]).startswith('"Python SDK for Hostile')


def test_titles_that_are_keywords_give_safe_names(tmp_path: Path) -> None:
    """Found by `make fuzz`: a spec titled `False` made `class False(SyncClient)`."""
    for title in ("False", "class"):
        (tmp_path / "spec.yaml").write_text(
            f"openapi: 3.1.0\ninfo: {{title: '{title}', version: '1'}}\npaths: {{}}\n"
        )
        folder = tmp_path / title
        result = run_cli("generate", "--spec", "spec.yaml", "--out", folder, cwd=tmp_path)
        assert result.exit_code == 0, result.stderr
        for path in folder.rglob("*.py"):
            compile(path.read_text(), str(path), "exec")
