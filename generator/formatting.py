"""Format generated Python with isort and black, in process, at the versions pinned in constraints.txt."""

from __future__ import annotations

import re
from functools import cache

import isort
from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=88)


@cache
def _isort_config(package: str) -> isort.Config:
    return isort.Config(profile="black", line_length=88, known_first_party=frozenset({package}), quiet=True)


def format_tree(files: dict[str, str], package: str) -> dict[str, str]:
    """Each Python file sorted and formatted; other files get exactly one final newline."""
    return {path: format_file(path, text, package) for path, text in files.items()}


_PYTHON_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_ANY_FENCE = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


def format_file(path: str, text: str, package: str) -> str:
    if path.endswith(".py"):
        return _format_python(path, text, package)
    if path.endswith(".md"):  # snippets in docs look like the code they call
        text = _PYTHON_FENCE.sub(lambda m: f"```python\n{_format_python(path, m.group(1), package)}```", text)
        text = _single_blank_lines(text)
    return text.rstrip("\n") + "\n" if text else text


def _single_blank_lines(markdown: str) -> str:
    """At most one blank line in a row, outside fenced code."""
    out, last = [], 0
    for fence in _ANY_FENCE.finditer(markdown):
        out.append(re.sub(r"\n{3,}", "\n\n", markdown[last : fence.start()]))
        out.append(fence.group(0))
        last = fence.end()
    out.append(re.sub(r"\n{3,}", "\n\n", markdown[last:]))
    return "".join(out).lstrip("\n")


def _format_python(path: str, text: str, package: str) -> str:
    try:
        return format_str(isort.code(text, config=_isort_config(package)), mode=MODE)
    except InvalidInput as exc:  # a template bug, not a spec problem: say which file
        raise RuntimeError(f"generated {path} has invalid Python: {exc}") from exc
