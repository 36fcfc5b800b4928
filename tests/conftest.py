"""Shared helpers: paths, the CLI run in process, and the material in ../shared/."""

from __future__ import annotations

import contextlib
import importlib
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from click.testing import CliRunner

from generator.cli import main
from generator.loader import load
from generator.models import ModelSource, generate_models
from generator.prepare import prepare_spec

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "realtime-sessions.yaml"
GENERATED = ROOT / "generated"
SHARED = ROOT.parent / "shared"
REFERENCE = SHARED / "reference"


@dataclass
class Run:
    exit_code: int
    stdout: str
    stderr: str


def run_cli(*args: str | os.PathLike[str], cwd: Path | None = None) -> Run:
    """Run `sdkgen ARGS` in process, in `cwd`; returns its exit code and both streams."""
    old = Path.cwd()
    os.chdir(cwd or ROOT)
    try:
        result = CliRunner().invoke(main, [str(a) for a in args], prog_name="sdkgen", catch_exceptions=False)
    finally:
        os.chdir(old)
    return Run(result.exit_code, result.stdout, result.stderr)


def models_text(package: Path) -> str:
    """The modules of a generated SDK's models package (not its `__init__`), in name order, as one text."""
    modules = sorted(p for p in (package / "models").glob("*.py") if p.name != "__init__.py")
    return "\n".join(p.read_text() for p in modules)


def model_module(package: Path, class_name: str) -> Path:
    """The module of a generated SDK's models package that defines the class."""
    return next(
        p for p in sorted((package / "models").glob("*.py")) if f"\nclass {class_name}(" in p.read_text()
    )


def models_of(folder: Path, spec: dict[str, Any], package: str) -> ModelSource:
    """The models sdkgen makes of `spec` (written to `folder` as JSON)."""
    path = folder / "spec.json"
    path.write_text(json.dumps(spec))
    doc = load(path)
    return generate_models(doc, prepare_spec(doc.data, package, {}), package)


def needs_shared(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"{path} is absent: this test reads ../shared/ beside the clone, as CI provides it")
    return path


@pytest.fixture
def generated_copy(tmp_path: Path) -> Path:
    """A copy of the committed generated/ folder, to run generate and check against."""
    out = tmp_path / "generated"
    shutil.copytree(GENERATED, out, ignore=shutil.ignore_patterns("__pycache__", ".*_cache"))
    return out


_TOOL_CACHES = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file of a tree by relative path, leaving out the caches tools write beside code."""
    return {
        path.relative_to(folder).as_posix(): path.read_bytes()
        for path in sorted(folder.rglob("*"))
        if path.is_file() and not _TOOL_CACHES.intersection(path.relative_to(folder).parts)
    }


PRISM = ROOT / "tests" / "node" / "node_modules" / ".bin" / "prism"


@pytest.fixture(scope="session")
def sdk() -> Any:
    """The generated package, imported from generated/."""
    sys.path.insert(0, str(GENERATED))
    try:
        yield importlib.import_module("openai_realtime")
    finally:
        sys.path.remove(str(GENERATED))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextlib.contextmanager
def _serving(name: str, command: list[str], seconds: float, **popen: Any) -> Iterator[str]:
    """Run a server on a free loopback port until it answers; yield its URL, then stop it."""
    port = _free_port()
    log = tempfile.TemporaryFile()
    process = subprocess.Popen(
        [*command, "--host", "127.0.0.1", "--port", str(port)], stdout=log, stderr=subprocess.STDOUT, **popen
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + seconds
        while True:
            if process.poll() is not None:
                log.seek(0)
                pytest.fail(f"{name} exited: {log.read().decode(errors='replace')[-2000:]}")
            try:
                httpx.get(url, timeout=1.0)
                break
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    pytest.fail(f"{name} did not start within {seconds:.0f} s")
                time.sleep(0.1)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
        log.close()


@contextlib.contextmanager
def prism_server(spec: Path, *options: str) -> Iterator[str]:
    """Prism serving `spec` on a free loopback port; yields its base URL and stops it afterwards."""
    if not PRISM.exists():
        pytest.fail(
            f"{PRISM} is missing: run `make test`, which installs it from tests/node/package-lock.json"
        )
    # a 3 MB spec takes Prism about 25 s
    with _serving("prism", [str(PRISM), "mock", *options, str(spec)], 180) as url:
        yield url


@contextlib.contextmanager
def local_server(app: str) -> Iterator[str]:
    """A Starlette app (`module:attribute`) served by uvicorn on a free loopback port."""
    command = [str(ROOT / ".venv" / "bin" / "python"), "-m", "uvicorn", app, "--log-level", "warning"]
    with _serving("uvicorn", command, 60, cwd=ROOT) as url:
        yield url


STREAM_APP = "tests.wire.stream_server:app"


@pytest.fixture(scope="session")
def stream_server() -> Iterator[str]:
    """The local server of tests/wire/stream_server.py (streams, downloads, multipart, pages,
    echo), started once for every test that needs what Prism cannot serve."""
    with local_server(STREAM_APP) as url:
        yield url


def mypy_output(folder: Path, name: str, source: str) -> str:
    """What `mypy --strict` says of user code `source`, written as `name` in `folder`."""
    (folder / name).write_text(source)
    argv = [str(ROOT / ".venv" / "bin" / "mypy"), "--strict", name]
    return subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False).stdout


@pytest.fixture(scope="session")
def prism() -> Iterator[str]:
    with prism_server(SPEC) as url:
        yield url


FULL_SPEC = REFERENCE / "openai-openapi.yaml"
FULL_PACKAGE = "openai_full"


@pytest.fixture(scope="session")
def full_sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SDK of OpenAI's full spec, generated once for every test that needs it."""
    needs_shared(FULL_SPEC)
    out = tmp_path_factory.mktemp("full") / "sdk"
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "sdkgen"), "generate", "--spec", str(FULL_SPEC), "--out", str(out)]
        + ["--package-name", FULL_PACKAGE, "--client-name", "OpenAI"],
        cwd=out.parent,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    (out.parent / "stderr.txt").write_text(result.stderr)
    return out


def generate_sdk(spec: Path, work: Path) -> tuple[Path, str]:
    """Generate `spec` into work/sdk from outside any project (names come from the spec)."""
    result = run_cli("generate", "--spec", spec, "--out", "sdk", cwd=work)
    assert result.exit_code == 0, result.stderr
    return work / "sdk", result.stderr


@contextlib.contextmanager
def importable(folder: Path, module: str) -> Iterator[Any]:
    """Import `module` from `folder`, then take the folder off sys.path again."""
    sys.path.insert(0, str(folder))
    try:
        yield importlib.import_module(module)
    finally:
        sys.path.remove(str(folder))


LINTERS = [
    ["ruff", "check", "--quiet", "."],
    ["mypy", "--strict", "{package}"],
    ["black", "--check", "-q", "."],
]


def sdk_fixture(spec: Path) -> Any:
    """A module-scoped `sdk` fixture: the folder of the SDK generated from `spec`."""

    @pytest.fixture(scope="module")
    def sdk(tmp_path_factory: pytest.TempPathFactory) -> Path:
        folder, _ = generate_sdk(spec, tmp_path_factory.mktemp(spec.stem))
        return folder

    return sdk


def package_fixture(package: str) -> Any:
    """A fixture that imports `package` from the `sdk` fixture's folder for one test."""

    @pytest.fixture
    def imported(sdk: Path) -> Iterator[Any]:
        with importable(sdk, package) as module:
            yield module

    return imported


def linters_test(package: str) -> Any:
    """A test that the SDK in the `sdk` fixture passes ruff, mypy --strict and black."""

    @pytest.mark.parametrize("command", LINTERS, ids=lambda c: c[0])
    def test_the_sdk_passes(sdk: Path, command: list[str]) -> None:
        assert_tool_passes(sdk, command, package)

    return test_the_sdk_passes


def assert_tool_passes(folder: Path, command: list[str], package: str) -> None:
    argv = [str(ROOT / ".venv" / "bin" / command[0]), *(c.format(package=package) for c in command[1:])]
    result = subprocess.run(argv, cwd=folder, capture_output=True, text=True, check=False)
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """How many fuzz examples were generated, refused (by rule) and round-tripped, when any ran."""
    fuzz = sys.modules.get("tests.test_fuzz")
    outcomes = getattr(fuzz, "OUTCOMES", None)
    if outcomes:
        terminalreporter.section("fuzz outcomes")
        for outcome, count in sorted(outcomes.items()):
            terminalreporter.write_line(f"{count:>7}  {outcome}")
