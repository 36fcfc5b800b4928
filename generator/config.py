"""Configuration from `[tool.sdkgen]` in pyproject.toml, with command-line flags taking precedence."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from .diagnostics import Diagnostic, Level, SpecError


@dataclass(frozen=True)
class Config:
    spec: Path | None = None
    output: Path | None = None
    package_name: str | None = None  # default: from the spec's title
    client_name: str | None = None  # default: from the spec's title
    api_key_env: str | None = None  # default: <PACKAGE>_API_KEY
    base_url_env: str | None = None  # default: <PACKAGE>_BASE_URL
    strict: bool = False
    allow_remote_refs: bool = False

    def with_overrides(self, **overrides: Any) -> Config:
        """Flags given on the command line win over the file; None means not given."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Config)}


def find_pyproject(start: Path) -> Path | None:
    for folder in [start, *start.parents]:
        candidate = folder / "pyproject.toml"
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path | None = None) -> Config:
    """Read `[tool.sdkgen]` from the nearest pyproject.toml; paths are relative to that file."""
    pyproject = find_pyproject((start or Path.cwd()).resolve())
    if pyproject is None:
        return Config()
    try:
        table = tomllib.loads(pyproject.read_text("utf-8")).get("tool", {}).get("sdkgen")
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise SpecError([_problem(pyproject, f"cannot read configuration: {exc}")]) from None
    if table is None:
        return Config()
    values: dict[str, Any] = {}
    for key, value in table.items():
        name = _KEYS.get(key)
        if name is None:
            raise SpecError([_problem(pyproject, f"unknown key {key!r} in [tool.sdkgen]")])
        if name in ("spec", "output"):
            value = _relative(pyproject.parent / str(value))
        values[name] = value
    return Config(**values)


def _relative(path: Path) -> Path:
    """Shown relative to the working folder where possible, so messages stay short."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _problem(pyproject: Path, message: str) -> Diagnostic:
    return Diagnostic(str(pyproject), 0, 0, "#/tool/sdkgen", Level.ERROR, message)
