"""OpenAI's full published spec (../shared/reference/openai-openapi.yaml): a complete SDK that imports,
passes mypy --strict, and whose create-session call works against Prism."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REFERENCE, ROOT, models_text, needs_shared, prism_server

FULL = REFERENCE / "openai-openapi.yaml"
FRAGMENT = REFERENCE / "openai-realtime-sessions.yaml"
GOLDEN = ROOT / "tests" / "golden" / "openai_full_summary.json"
BIN = ROOT / ".venv" / "bin"
PACKAGE = "openai_full"


@pytest.fixture(scope="module")
def sdk_dir(full_sdk: Path) -> Path:
    return full_sdk


def _spec_operations() -> list[tuple[str, str]]:
    from generator.loader import load
    from generator.walk import iter_operations

    return [(site.method.upper(), site.path) for site in iter_operations(load(FULL).data)]


def test_upstream_mistakes_are_located_warnings(sdk_dir: Path) -> None:
    stderr = (sdk_dir.parent / "stderr.txt").read_text()
    assert "openai-openapi.yaml:" in stderr and ": warning: default None is not of type 'object'" in stderr
    assert ": error:" not in stderr


def test_strict_makes_the_warnings_fatal() -> None:
    needs_shared(FULL)
    result = subprocess.run(
        [str(BIN / "sdkgen"), "validate", "--strict", str(FULL)], capture_output=True, text=True
    )
    assert result.returncode == 2
    assert "warning:" in result.stderr and "Traceback" not in result.stderr


def test_every_operation_and_schema_is_generated(sdk_dir: Path) -> None:
    summary = _summary(sdk_dir)
    assert summary["operations"] == len(_spec_operations())
    assert any(
        op.startswith("POST /realtime/sessions -> realtime.create_realtime_session")
        for op in summary["methods"]
    )
    from generator.loader import load

    schemas = load(FULL).data["components"]["schemas"]
    assert len(schemas) <= summary["models"]


def test_no_numbered_names_where_a_name_can_be_derived(sdk_dir: Path) -> None:
    import re

    from generator.loader import load

    keys = {re.sub(r"\W", "", k) for k in load(FULL).data["components"]["schemas"]}
    numbered = [n for n in _summary(sdk_dir)["model_names"] if re.search(r"\d$", n) and n not in keys]
    derived_fallbacks = [n for n in numbered if re.search(r"Option\d+$", n)]
    assert len(numbered) - len(derived_fallbacks) <= 10, numbered


def test_golden_summary(sdk_dir: Path) -> None:
    summary = _summary(sdk_dir)
    if os.environ.get("SDKGEN_UPDATE_GOLDEN"):
        GOLDEN.write_text(json.dumps(summary, indent=1) + "\n")
    assert GOLDEN.exists(), "run `make golden` to write tests/golden/openai_full_summary.json"
    assert summary == json.loads(GOLDEN.read_text()), "the full SDK changed; if intended, run `make golden`"


@pytest.mark.parametrize(
    "command", [["ruff", "check", "--quiet", "."], ["mypy", "--strict", PACKAGE]], ids=lambda c: c[0]
)
def test_full_sdk_passes(sdk_dir: Path, command: list[str]) -> None:
    result = subprocess.run(
        [str(BIN / command[0]), *command[1:]], cwd=sdk_dir, capture_output=True, text=True
    )
    assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]


@pytest.fixture(scope="module")
def fragment_prism() -> Iterator[str]:
    needs_shared(FRAGMENT)
    with prism_server(FRAGMENT) as url:
        yield url


def test_create_session_against_prism(sdk_dir: Path, fragment_prism: str) -> None:
    script = """
import sys
from openai_full import OpenAI
with OpenAI() as client:
    session = client.realtime.create_realtime_session(
        client_secret={"value": "ek_test", "expires_at": 1}, instructions="Be brief."
    )
print(type(session).__name__)
"""
    env = {
        **os.environ,
        "OPENAI_FULL_API_KEY": "sk-full",
        "OPENAI_FULL_BASE_URL": fragment_prism,
        "PYTHONPATH": str(sdk_dir),
    }
    result = subprocess.run(
        [sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "RealtimeSessionCreateResponse"


def _summary(sdk_dir: Path) -> dict[str, Any]:
    """Operations, model names and counts of the generated SDK, read from its source."""
    import ast

    client = ast.parse((sdk_dir / PACKAGE / "_client.py").read_text())
    models = ast.parse(models_text(sdk_dir / PACKAGE))
    builders = ast.parse((sdk_dir / PACKAGE / "request_builders.py").read_text())
    methods = []
    for node in builders.body:
        if isinstance(node, ast.FunctionDef):
            call = next(
                n
                for n in ast.walk(node)
                if isinstance(n, ast.Call) and getattr(n.func, "id", "") == "build_request"
            )
            method, path = (a.value for a in call.args[:3] if isinstance(a, ast.Constant))
            methods.append((method, path, node.name))
    resource_modules = sorted((sdk_dir / PACKAGE / "resources").glob("*.py"))
    classes = [node for module in resource_modules for node in ast.parse(module.read_text()).body]
    resources = {
        call.func.attr: cls.name
        for cls in classes
        if isinstance(cls, ast.ClassDef)
        and cls.name.endswith("Resource")
        and not cls.name.startswith("Async")
        for call in ast.walk(cls)
        if isinstance(call, ast.Call)
        and isinstance(call.func, ast.Attribute)
        and getattr(call.func.value, "id", "") == "request_builders"
    }
    attributes = {
        cls_name: attr.name
        for cls in client.body
        if isinstance(cls, ast.ClassDef) and cls.name == "OpenAI"
        for attr in cls.body
        if isinstance(attr, ast.FunctionDef)
        for cls_name in [ast.unparse(attr.returns)]
        if attr.returns is not None
    }
    names = [n.name for n in models.body if isinstance(n, ast.ClassDef)]
    names += [
        n.targets[0].id
        for n in models.body
        if isinstance(n, ast.Assign) and isinstance(n.targets[0], ast.Name)
    ]
    return {
        "operations": len(methods),
        "models": len(names),
        "files": sum(1 for p in sdk_dir.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
        "methods": sorted(
            f"{m} {p} -> {attributes.get(resources.get(n, ''), '?')}.{n}" for m, p, n in methods
        ),
        "model_names": sorted(names),
    }
