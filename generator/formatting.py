"""Format generated Python with isort and black, in process, at the versions pinned in constraints.txt."""

from __future__ import annotations

import isort
from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=88)
ISORT = isort.Config(profile="black", line_length=88, known_first_party=frozenset(), quiet=True)


def format_tree(files: dict[str, str]) -> dict[str, str]:
    return {path: format_file(path, text) for path, text in files.items()}


def format_file(path: str, text: str) -> str:
    if path.endswith(".py"):
        try:
            return format_str(isort.code(text, config=ISORT), mode=MODE)
        except InvalidInput as exc:  # a template bug, not a spec problem: say which file
            raise RuntimeError(f"generated {path} is not valid Python: {exc}") from exc
    return text if text.endswith("\n") or not text else text + "\n"
