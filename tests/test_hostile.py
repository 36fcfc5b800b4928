"""Untrusted specs: no network and no escape from the spec's folder, bounded parsing, and no spec
string that can break out of generated code."""

from __future__ import annotations

import contextlib
import functools
import http.server
import importlib
import json
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator import loader, refs
from generator.diagnostics import SpecError
from tests.conftest import LINTERS, ROOT, assert_tool_passes, models_text, run_cli

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
    models = models_text(tmp_path / "sdk" / "refs")
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
    with _serving(functools.partial(_Quiet, directory=str(tmp_path / "served"))) as url:
        yield url


@contextlib.contextmanager
def _serving(handler: Any) -> Iterator[str]:
    """A threaded HTTP server on a free loopback port; yields its base URL."""
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
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
    assert "class Thing(BaseModel)" in models_text(tmp_path / "b" / "refs")


def test_a_remote_document_may_not_refer_to_local_files(tmp_path: Path, schema_server: str) -> None:
    served = Path(tmp_path / "served" / "thing.yaml")
    served.write_text("Thing: {$ref: 'secret.yaml#/X'}\n")
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC_HEAD + f"components:\n  schemas:\n    Box: {{$ref: '{schema_server}/thing.yaml#/Thing'}}\n"
    )
    result = run_cli("validate", spec, "--allow-remote-refs")
    assert result.exit_code == 2 and "may not refer to local files" in result.stderr


def test_the_real_size_limit_of_a_local_spec(tmp_path: Path) -> None:
    assert loader.MAX_INPUT_BYTES == 64 * 1024 * 1024, "the README promises 64 MiB"
    big = tmp_path / "big.yaml"
    with big.open("wb") as handle:
        handle.write(SPEC_HEAD.encode())
        handle.truncate(loader.MAX_INPUT_BYTES + 1)
    result = run_cli("validate", big)
    assert result.exit_code == 2
    assert "the spec is larger than the limit of 67,108,864 bytes" in result.stderr
    endless = run_cli("validate", "/dev/zero")  # read up to the limit, never to the end
    assert endless.exit_code == 2 and "larger than the limit" in endless.stderr


class _Hostile(http.server.BaseHTTPRequestHandler):
    """Remote documents that misbehave: a redirect, one byte over the limit, a trickle, silence."""

    def log_message(self, *args: Any) -> None:
        pass

    def do_GET(self) -> None:
        if self.path.startswith("/redirect"):
            self.send_response(302)
            self.send_header("Location", "/thing.yaml")
            self.end_headers()
        elif self.path.startswith("/big"):
            self.send_response(200)
            self.end_headers()
            chunk = b"#" * (1024 * 1024)
            with contextlib.suppress(OSError):
                for _ in range(loader.MAX_INPUT_BYTES // len(chunk)):
                    self.wfile.write(chunk)
                self.wfile.write(b"#")
        elif self.path.startswith("/trickle"):
            self.send_response(200)
            self.end_headers()
            with contextlib.suppress(OSError):
                for _ in range(100):  # 20 s at most, long past the client's deadline
                    self.wfile.write(b"#")
                    self.wfile.flush()
                    time.sleep(0.2)
        elif self.path.startswith("/silent"):
            time.sleep(5)


@pytest.fixture(scope="module")
def hostile_server() -> Iterator[str]:
    with _serving(_Hostile) as url:
        yield url


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("redirect", "redirects are not followed"),
        ("big", "larger than 67,108,864 bytes"),
        ("trickle", "not received within 1 s"),
        ("silent", "timed out"),
    ],
)
def test_misbehaving_remote_refs_are_refused(
    tmp_path: Path, hostile_server: str, monkeypatch: pytest.MonkeyPatch, path: str, message: str
) -> None:
    monkeypatch.setattr(refs, "REMOTE_TIMEOUT", 1.0)  # the size limit stays the real one
    spec = tmp_path / "spec.yaml"
    spec.write_text(SPEC_HEAD + f"components:\n  schemas:\n    Box: {{$ref: '{hostile_server}/{path}#/X'}}\n")
    started = time.monotonic()
    result = run_cli("validate", spec, "--allow-remote-refs")
    assert result.exit_code == 2, result.stderr
    assert "#/components/schemas/Box/$ref: error: cannot read" in result.stderr and message in result.stderr
    assert time.monotonic() - started < 4.5, "the deadline holds for the whole transfer"


def test_a_link_inside_the_spec_folder_cannot_lead_outside(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.yaml").write_text("X: {type: string}\n")
    folder = tmp_path / "spec"
    folder.mkdir()
    (folder / "file-link.yaml").symlink_to(outside / "secret.yaml")
    (folder / "folder-link").symlink_to(outside)
    (folder / "spec.yaml").write_text(
        SPEC_HEAD + "components:\n  schemas:\n    A: {$ref: 'file-link.yaml#/X'}\n"
        "    B: {$ref: 'folder-link/secret.yaml#/X'}\n"
    )
    result = run_cli("validate", folder / "spec.yaml")
    assert result.exit_code == 2
    assert "#/components/schemas/A/$ref: error: file reference 'file-link.yaml' leaves" in result.stderr
    assert "#/components/schemas/B/$ref: error: file reference 'folder-link/secret.yaml' leaves" in (
        result.stderr
    )


def test_yaml_tags_build_no_objects(tmp_path: Path) -> None:
    witness = tmp_path / "pwned"
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        SPEC_HEAD + f"x-apply: !!python/object/apply:os.system ['touch {witness}']\n"
        "x-name: !!python/name:os.system ''\n"
        "x-object: !!python/object:argparse.Namespace {a: 1}\n"
        "x-binary: !!binary aGVsbG8=\n"
        "x-custom: !Ref Thing\n"
        "x-set: !!set {a, b}\n"
        "x-int: !!int '7'\n"
    )
    data = loader.load(spec).data
    assert not witness.exists()
    assert data["x-apply"] == [f"touch {witness}"] and data["x-name"] == "" and data["x-object"] == {"a": 1}
    assert data["x-binary"] == "aGVsbG8=" and data["x-custom"] == "Thing" and data["x-int"] == 7
    assert data["x-set"] == {"a": None, "b": None}
    assert run_cli("generate", "--spec", spec, "--out", tmp_path / "sdk").exit_code == 0
    assert not witness.exists()


def _limited(cpu_seconds: int, memory: int) -> None:
    resource.setrlimit(resource.RLIMIT_CPU, (cpu_seconds, cpu_seconds))
    resource.setrlimit(resource.RLIMIT_AS, (memory, memory))


@pytest.mark.parametrize("levels", [9, 30], ids=["10^9 nodes", "10^30 nodes"])
def test_billion_laughs_fail_within_bounded_time_and_memory(tmp_path: Path, levels: int) -> None:
    """The kernel enforces the bound: 10 CPU seconds (the README says under one) and 512 MiB."""
    lines = ['  a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for n in range(1, levels):
        lines.append(f"  a{n}: &a{n} [" + ", ".join([f"*a{n - 1}"] * 10) + "]")
    spec = tmp_path / "laughs.yaml"
    spec.write_text(SPEC_HEAD + "x-lol:\n" + "\n".join(lines) + "\n")
    result = subprocess.run(
        [str(BIN / "sdkgen"), "validate", str(spec)],
        preexec_fn=functools.partial(_limited, 10, 512 * 1024 * 1024),
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2, result.stderr
    assert "error: aliases expand the spec past 5,000,000 nodes" in result.stderr


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


def test_docstring_text_escapes_exactly_the_characters_it_must() -> None:
    """Printable ASCII, newlines and tabs pass as they are (the quick path); every other character
    is escaped exactly when its Unicode category would hide it or break the docstring."""
    import unicodedata

    from generator.render import docstring_text

    def reference(value: str) -> str:  # one character at a time, as it was written first
        text = value.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
        hidden = ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn")
        text = "".join(
            (
                ch
                if ch in "\n\t" or unicodedata.category(ch) not in hidden
                else (
                    f"\\x{ord(ch):02x}"
                    if ord(ch) < 0x100
                    else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
                )
            )
            for ch in text
        )
        return text + " " if text.endswith('"') else text

    every = [chr(c) for c in [*range(0x3000), *range(0xD7F0, 0xE010), 0xFEFF, 0x1F600, 0xE0001, 0x10FFFF]]
    for start in range(0, len(every), 64):
        chunk = "a" + "".join(every[start : start + 64]) + 'z"'
        assert docstring_text(chunk) == reference(chunk)
    assert docstring_text('ends "quoted"') == 'ends "quoted" '
