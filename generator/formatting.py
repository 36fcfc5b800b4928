"""Format generated Python with isort and black, in process, at the versions pinned in constraints.txt.

Formatting is the costliest stage on a large spec. Black formats each top-level class and function
of a module on its own terms (two blank lines around it, nothing else from its neighbours), so a
module is cut into those pieces: each piece is cached by its content, an edit to one schema
reformats one class rather than a megabyte, and the pieces of a cold run spread evenly over the
machine's cores. Markdown pieces are its Python snippets. tests/test_formatting.py holds the
result equal to black on whole files.
"""

from __future__ import annotations

import ast
import os
import re
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from functools import cache

import isort
from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from . import cache as results

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=88)
PARALLEL_MIN_BYTES = 400_000
_TOP_LEVEL_BLOCKS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_PYTHON_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
_ANY_FENCE = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class _Piece:
    """Python source formatted on its own; `package` is set when isort has not seen it yet (isort
    needs it to tell first-party imports), and empty for blocks of a module already sorted."""

    source: str
    package: str = ""


@cache
def _isort_config(package: str) -> isort.Config:
    return isort.Config(profile="black", line_length=88, known_first_party=frozenset({package}), quiet=True)


def format_tree(files: dict[str, str], package: str) -> dict[str, str]:
    """Each Python file sorted and formatted; Markdown with its Python snippets formatted too."""
    keys = {
        path: results.key("format", package, path.rsplit(".", 1)[-1], text) for path, text in files.items()
    }
    done: dict[str, str] = {}
    split: dict[str, list[_Piece | str]] = {}  # path -> its pieces and the plain text between them
    for path, text in files.items():
        cached = results.get("format", keys[path])
        if isinstance(cached, str):
            done[path] = cached
        else:
            split[path] = _split(path, text, package)
    pieces = {part for parts in split.values() for part in parts if isinstance(part, _Piece)}
    formatted = _format_pieces(pieces)
    for path, parts in split.items():
        try:
            text = _join(path, [formatted[p] if isinstance(p, _Piece) else p for p in parts])
        except InvalidInput as exc:  # a template bug, not a spec problem: say which file
            raise RuntimeError(f"generated {path} has invalid Python: {exc}") from exc
        results.put("format", keys[path], text)
        done[path] = text
    return {path: done[path] for path in files}


def _split(path: str, text: str, package: str) -> list[_Piece | str]:
    # a lone surrogate (from a spec's "\\ud800") cannot be written as UTF-8: it stays an escape,
    # which inside a Python string literal means the same character
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    if path.endswith(".py"):
        blocks = top_level_blocks(_sort_imports(text, package))
        # without the blank lines black would drop: a block already in its style is formatted once
        return [_Piece(block.lstrip("\n")) for block in blocks]
    if path.endswith(".md"):  # snippets in docs look like the code they call
        parts: list[_Piece | str] = []
        last = 0
        for fence in _PYTHON_FENCE.finditer(text):
            parts += [text[last : fence.start(1)], _Piece(fence.group(1), package)]
            last = fence.end(1)
        return [*parts, text[last:]]
    return [text]


def _join(path: str, parts: list[str | InvalidInput]) -> str:
    for part in parts:
        if isinstance(part, InvalidInput):
            raise part
    texts = [str(part) for part in parts]
    if path.endswith(".py"):  # two blank lines around each top-level block, as black puts them
        blocks = [t.strip("\n") for t in texts if t.strip()]
        return "\n\n\n".join(blocks) + "\n" if blocks else ""
    text = "".join(texts)
    if path.endswith(".md"):
        text = _single_blank_lines(text)
    return text.rstrip("\n") + "\n" if text else text


def top_level_blocks(source: str) -> list[str]:
    """The source cut before each top-level class and function (with its decorators and the
    comments above it); the whole source when it does not parse, for black to report."""
    try:
        body = ast.parse(source).body
    except SyntaxError:
        return [source]
    starts = [0, *(m.end() for m in re.finditer("\n", source))]  # as ast counts lines, unlike splitlines
    cuts = [0]
    for before, node in zip(body, body[1:], strict=False):
        previous_end = before.end_lineno or before.lineno
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if isinstance(node, _TOP_LEVEL_BLOCKS) and start > previous_end:
            cuts.append(previous_end)  # everything after the previous statement: blanks, comments
    offsets = [starts[cut] for cut in cuts] + [len(source)]
    return [source[a:b] for a, b in zip(offsets, offsets[1:], strict=False)]


def _format_pieces(pieces: set[_Piece]) -> dict[_Piece, str | InvalidInput]:
    """Cached pieces from the cache; the rest formatted, on all cores when there is enough."""
    out: dict[_Piece, str | InvalidInput] = {}
    todo: list[_Piece] = []
    keys = {piece: results.key("format-piece", piece.package, piece.source) for piece in pieces}
    for piece in pieces:
        cached = results.get("format-piece", keys[piece])
        if isinstance(cached, str):
            out[piece] = cached
        else:
            todo.append(piece)
    todo.sort(key=lambda p: (-len(p.source), p.source))  # largest first, so the cores finish together
    workers = min(os.cpu_count() or 1, 4)
    if workers > 1 and sum(len(p.source) for p in todo) > PARALLEL_MIN_BYTES:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            formatted = list(pool.map(_format_piece, todo, chunksize=16))
    else:
        formatted = [_format_piece(piece) for piece in todo]
    for piece, text in zip(todo, formatted, strict=True):
        if isinstance(text, str):
            results.put("format-piece", keys[piece], text)
        out[piece] = text
    return out


def _format_piece(piece: _Piece) -> str | InvalidInput:
    source = _sort_imports(piece.source, piece.package) if piece.package else piece.source
    try:
        return format_str(source, mode=MODE)
    except InvalidInput as exc:
        return exc


def _sort_imports(source: str, package: str) -> str:
    return isort.code(source, config=_isort_config(package))


def _single_blank_lines(markdown: str) -> str:
    """At most one blank line in a row, outside fenced code."""
    out, last = [], 0
    for fence in _ANY_FENCE.finditer(markdown):
        out.append(re.sub(r"\n{3,}", "\n\n", markdown[last : fence.start()]))
        out.append(fence.group(0))
        last = fence.end()
    out.append(re.sub(r"\n{3,}", "\n\n", markdown[last:]))
    return "".join(out).lstrip("\n")
