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
    keep: tuple[str, ...] = ()  # output paths (globs, or folders ending in /) the user owns
    operation_names: tuple[tuple[str, str], ...] = ()  # operationId -> method name
    model_names: tuple[tuple[str, str], ...] = ()  # component schema key -> class name
    stream_events: tuple[tuple[str, str], ...] = ()  # operationId -> the schema of one event
    pagination: tuple[tuple[str, Any], ...] = ()  # operationId -> a page rule table, or false

    def with_overrides(self, **overrides: Any) -> Config:
        """Flags given on the command line win over the file; None means not given."""
        return replace(self, **{k: v for k, v in overrides.items() if v is not None})


_KEYS = {f.name.replace("_", "-"): f.name for f in fields(Config)}
_TYPES: dict[str, type] = {
    "spec": str,
    "output": str,
    "package_name": str,
    "client_name": str,
    "api_key_env": str,
    "base_url_env": str,
    "strict": bool,
    "allow_remote_refs": bool,
    "keep": list,
}
_TYPE_WORDS = {str: "a string", bool: "true or false", list: "a list of strings"}


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
        if key == "names":
            values.update(_names(pyproject, value))
            continue
        if key == "pagination":
            values["pagination"] = _pagination(pyproject, value)
            continue
        if key == "streaming":
            values["stream_events"] = _string_table(pyproject, "[tool.sdkgen.streaming]", value)
            continue
        name = _KEYS.get(key)
        if name is None:
            raise SpecError([_problem(pyproject, f"unknown key {key!r} in [tool.sdkgen]")])
        expected = _TYPES[name]
        if name == "keep" and isinstance(value, list) and all(isinstance(v, str) for v in value):
            value = tuple(value)
        elif not isinstance(value, expected):
            message = f"{key!r} in [tool.sdkgen] must be {_TYPE_WORDS[expected]}, not {value!r}"
            raise SpecError([_problem(pyproject, message)])
        if name in ("spec", "output"):
            value = _relative(pyproject.parent / str(value))
        values[name] = value
    return Config(**values)


def _names(pyproject: Path, table: Any) -> dict[str, tuple[tuple[str, str], ...]]:
    """`[tool.sdkgen.names]`: `operations` (operationId -> method) and `models` (schema -> class)."""
    if not isinstance(table, dict):
        raise SpecError([_problem(pyproject, "[tool.sdkgen.names] must be a table")])
    found: dict[str, tuple[tuple[str, str], ...]] = {}
    for key, value in table.items():
        field = {"operations": "operation_names", "models": "model_names"}.get(key)
        if field is None:
            raise SpecError([_problem(pyproject, f"unknown key {key!r} in [tool.sdkgen.names]")])
        found[field] = _string_table(pyproject, f"[tool.sdkgen.names.{key}]", value)
    return found


_PAGE_KEYS = frozenset({"kind", "items", "param", "field", "more"})
_PAGE_KINDS = frozenset({"cursor", "token", "url", "link", "offset"})


def _pagination(pyproject: Path, table: Any) -> tuple[tuple[str, Any], ...]:
    """`[tool.sdkgen.pagination]`: operationId -> {kind, items, param, field, more}, or false."""
    if not isinstance(table, dict):
        raise SpecError([_problem(pyproject, "[tool.sdkgen.pagination] must be a table")])
    for op_id, rule in table.items():
        where = f"[tool.sdkgen.pagination] {op_id!r}"
        if rule is False:
            continue
        if (
            not isinstance(rule, dict)
            or not set(rule) <= _PAGE_KEYS
            or rule.get("kind", "cursor") not in _PAGE_KINDS
        ):
            keys, kinds = ", ".join(sorted(_PAGE_KEYS)), ", ".join(sorted(_PAGE_KINDS))
            message = f"{where} must be false or a table of {keys} (kind: one of {kinds})"
            raise SpecError([_problem(pyproject, message)])
    return tuple(sorted(table.items()))


def _string_table(pyproject: Path, where: str, value: Any) -> tuple[tuple[str, str], ...]:
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise SpecError([_problem(pyproject, f"{where} must map names to strings")])
    return tuple(sorted(value.items()))


def config_for(spec: Path | None, start: Path | None = None) -> Config:
    """The configuration that applies to `spec`: `[tool.sdkgen]` describes one spec (its names,
    its output folder), so with another spec none of it applies. Without a spec key it applies to
    any spec."""
    config = load_config(start)
    if spec is None or config.spec is None or same_file(spec, config.spec):
        return config
    return Config()


def same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or a.samefile(b)
    except OSError:
        return False


def _relative(path: Path) -> Path:
    """Shown relative to the working folder where possible, so messages stay short."""
    try:
        return path.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        return path


def _problem(pyproject: Path, message: str) -> Diagnostic:
    return Diagnostic(str(pyproject), 0, 0, "#/tool/sdkgen", Level.ERROR, message)
