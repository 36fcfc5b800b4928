"""The options of one run: flags over `[tool.sdkgen]`, each checked and blamed on where it came from."""

from __future__ import annotations

import keyword
import os
import re
import shlex
from pathlib import Path
from typing import Any

import click

from .config import Config, config_for, load_config
from .model_names import SDK_NAMES

_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CLASS_RULE = "letters, digits and _, not starting with a digit, not a Python keyword"
# field -> (its flag, or "" for configuration only; what a usable value is)
_NAMES = {
    "package_name": ("--package-name", f"not a usable package name ({_CLASS_RULE})"),
    "client_name": ("--client-name", f"not a usable class name ({_CLASS_RULE}, not a name the SDK defines)"),
    "api_key_env": ("", "not an environment variable name (letters, digits and _)"),
    "base_url_env": ("", "not an environment variable name (letters, digits and _)"),
}


def run_config(spec: Path | None, out: Path | None, keep: tuple[str, ...] = (), **overrides: Any) -> Config:
    """The configuration of this run. Flags win over `[tool.sdkgen]`; --keep adds to its list."""
    base = config_for(spec)
    config = base.with_overrides(spec=spec, output=out, keep=base.keep + keep, **overrides)
    if config.spec is None:
        raise click.UsageError("no spec: pass --spec FILE or set 'spec' in [tool.sdkgen] of pyproject.toml")
    spec_file(config.spec, "--spec" if spec is not None else "'spec' in [tool.sdkgen]")
    if config.output is None:
        another = " (the [tool.sdkgen] table describes another spec)" if load_config().spec else ""
        raise click.UsageError(f"no output folder: pass --out DIR{another}")
    if config.output.exists() and not config.output.is_dir():
        raise click.UsageError(f"{_source(out, '--out', 'output')} {config.output}: is a file, not a folder")
    for key, method in config.operation_names:
        if not _usable("method", method) or method.startswith("_"):
            raise click.UsageError(
                f"[tool.sdkgen.names.operations] {key!r} = {method!r}: not a usable method name"
            )
    for key, model in config.model_names:
        if not _usable("client_name", model):
            raise click.UsageError(
                f"[tool.sdkgen.names.models] {key!r} = {model!r}: {_NAMES['client_name'][1]}"
            )
    for name, (flag, rule) in _NAMES.items():
        value = getattr(config, name)
        if value is not None and not _usable(name, value):
            raise click.UsageError(
                f"{_source(overrides.get(name), flag, name.replace('_', '-'))} {value!r}: {rule}"
            )
    return config


def _source(given: Any, flag: str, key: str) -> str:
    return flag if given is not None and flag else f"{key!r} in [tool.sdkgen]"


def _usable(name: str, value: str) -> bool:
    """An identifier; a package, class or method name is no keyword, and a class none the SDK defines."""
    if not _IDENTIFIER.fullmatch(value):
        return False
    if name in ("package_name", "client_name", "method") and keyword.iskeyword(value):
        return False
    return not (name == "client_name" and value in SDK_NAMES)


def spec_file(spec: Path, source: str) -> None:
    if spec.is_dir():
        raise click.UsageError(f"{source} {spec}: is a folder, not a spec file")
    if not spec.exists():
        raise click.UsageError(f"{source} {spec}: no such file")


def writable(out: Path) -> None:
    """Refuse an output folder that cannot be written before spending seconds on generation."""
    folder = out
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if folder.exists() and not folder.is_dir():
        raise click.UsageError(f"--out {out}: {folder} is a file, not a folder")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise click.UsageError(f"--out {out}: cannot write to {folder}: permission denied")


def fix_command(config: Config) -> str:
    """`make generate` in a project whose Makefile has that target and whose configuration this run
    used unchanged; otherwise the `sdkgen generate` invocation that makes the folder match."""
    if _has_make_target(Path.cwd() / "Makefile", "generate") and config == load_config():
        return "make generate"
    ctx = click.get_current_context()
    words = ["sdkgen", "generate"]
    for param in ctx.command.params:
        value = ctx.params.get(param.name or "")
        flag = param.opts[0] if param.opts else ""
        if value is True:
            words.append(flag)
        elif value not in (None, False, ()):
            words += [
                part for one in (value if isinstance(value, tuple) else (value,)) for part in (flag, str(one))
            ]
    return shlex.join(words)


def _has_make_target(makefile: Path, target: str) -> bool:
    try:
        text = makefile.read_text("utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    return re.search(rf"^{re.escape(target)}\s*:(?!=)", text, re.MULTILINE) is not None
