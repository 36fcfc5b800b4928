"""Format generated Python with isort and black, in process, at the versions pinned in constraints.txt.

Formatting is the costliest stage on a large spec, so results are cached by content, and what is
not cached is spread over the machine's cores when there is enough of it.
"""

from __future__ import annotations

import os
import re
from concurrent.futures import ProcessPoolExecutor
from functools import cache

import isort
from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from . import cache as results

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=88)
PARALLEL_MIN_BYTES = 400_000


@cache
def _isort_config(package: str) -> isort.Config:
    return isort.Config(profile="black", line_length=88, known_first_party=frozenset({package}), quiet=True)


def format_tree(files: dict[str, str], package: str) -> dict[str, str]:
    """Each Python file sorted and formatted; Markdown with its Python snippets formatted too."""
    keys = {
        path: results.key("format", package, path.rsplit(".", 1)[-1], text) for path, text in files.items()
    }
    done: dict[str, str] = {}
    todo: list[tuple[str, str, str]] = []
    for path, text in files.items():
        cached = results.get("format", keys[path])
        if isinstance(cached, str):
            done[path] = cached
        else:
            todo.append((path, text, package))
    workers = min(os.cpu_count() or 1, 4)
    if workers > 1 and sum(len(t[1]) for t in todo) > PARALLEL_MIN_BYTES:
        todo.sort(key=lambda t: -len(t[1]))  # largest first, so the cores finish together
        with ProcessPoolExecutor(max_workers=workers) as pool:
            formatted = list(pool.map(_format_job, todo, chunksize=8))
    else:
        formatted = [_format_job(job) for job in todo]
    for (path, _, _), text in zip(todo, formatted, strict=True):
        results.put("format", keys[path], text)
        done[path] = text
    return {path: done[path] for path in files}


def _format_job(job: tuple[str, str, str]) -> str:
    return format_file(*job)


_PYTHON_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_ANY_FENCE = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


def format_file(path: str, text: str, package: str) -> str:
    # a lone surrogate (from a spec's "\\ud800") cannot be written as UTF-8: it stays an escape,
    # which inside a Python string literal means the same character
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
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
