"""Whether a formatted file says what its render says, up to layout and the order of imports: the
output folder vouches for its own formatting, never for its code or its prose (but for the
model modules', which are taken as its record says: `models_on_disk`, `Prior.taken_as_recorded`).

A Python module's meaning is its syntax tree without positions, its imports as a set (isort orders
them) and every string as its words (black re-indents docstrings), kept as a hash. A fresh clone
compares 3,300 files with their renders after an edit, so the tree is read into nested tuples in
one pass, with the cyclic garbage collector paused (a syntax tree holds no cycle; the collector,
woken by the many new objects, took half the time): the full SDK's 1,826 pairs whose texts differ
took 5.6-5.8 s with `ast.dump`, now 2.1-3.1 s. A file's side can be worked out before its render
is known (`meanings_ahead`).
"""

from __future__ import annotations

import ast
import hashlib
import marshal
import re
from typing import Any

from .collector import collector_paused

PYTHON_FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def same_meaning(path: str, rendered: str, formatted: str) -> bool:
    """Whether a formatted file says what the render says."""
    if path.endswith((".py", ".md")):
        return meaning_digest(path, formatted) == meaning_digest(path, rendered)
    return formatted == (rendered.rstrip("\n") + "\n" if rendered else rendered)


def same_code(rendered: str, formatted: str) -> bool:
    """Whether formatted Python (a module, or a block of one) says what the render says."""
    return meaning_digest("", formatted) == meaning_digest("", rendered)


def meaning_digest(path: str, text: str) -> bytes:
    """A hash of what a Markdown page (a path ending in `.md`) or Python code means: two mean the
    same when their hashes are equal."""
    with collector_paused():
        if not path.endswith(".md"):
            return _code_digest(text)
        found = hashlib.sha256()
        last = 0
        for fence in PYTHON_FENCE.finditer(text):
            found.update(_words(text[last : fence.start(1)]) + _code_digest(fence.group(1)))
            last = fence.end(1)
        found.update(_words(text[last:]))
        return found.digest()


def _words(text: str) -> bytes:
    return marshal.dumps(" ".join(text.split()), 2)


def _code_digest(source: str) -> bytes:
    """The hash of the code's statements without positions and of its imports as a set; of None
    when it is not Python. The code is parsed a top-level block at a time (`code_blocks`): the syntax
    tree of a 640 KB module, whole, put 33 MB on the process's peak."""
    try:
        return _statements_digest(code_blocks(source))
    except (SyntaxError, ValueError):
        pass
    try:  # cut inside a string or brackets, or not Python
        return _statements_digest([source])
    except (SyntaxError, ValueError):
        return hashlib.sha256(marshal.dumps(None, 2)).digest()


def _statements_digest(blocks: list[str]) -> bytes:
    """The hash of the blocks' statements, the imports aside, then of those as a set. Marshal's
    version 2 writes a value, whatever objects it is made of (later versions share repeated
    objects)."""
    imports: set[tuple[str, str, str | None]] = set()
    body = hashlib.sha256()
    for block in blocks:
        for node in ast.parse(block).body:
            if isinstance(node, ast.Import):
                imports.update(("", alias.name, alias.asname) for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                module = "." * node.level + (node.module or "")
                imports.update((module, alias.name, alias.asname) for alias in node.names)
            else:
                body.update(marshal.dumps(_key(node), 2))
    return hashlib.sha256(marshal.dumps(sorted(imports, key=repr), 2) + body.digest()).digest()


_BLOCK_START = re.compile(r"(?<=\n\n)(?=@|def |class |async def )")


def code_blocks(source: str) -> list[str]:
    """The source cut before each line that begins a top-level function or class (or its
    decorators) after a blank line. A cut inside a string or brackets leaves a block that does not
    parse."""
    cuts = [0, *(m.start() for m in _BLOCK_START.finditer(source)), len(source)]
    return [source[a:b] for a, b in zip(cuts, cuts[1:], strict=False)]


def _key(node: object) -> Any:
    """A node as nested tuples: its kind and its fields, positions aside; a string as its words,
    any other value with its type (1, 1.0 and True are equal in Python)."""
    if isinstance(node, ast.AST):
        return (node.__class__.__name__, *[_key(getattr(node, name, None)) for name in node._fields])
    if isinstance(node, list):
        if any(isinstance(item, ast.Import | ast.ImportFrom) for item in node):
            node = _imports_sorted(node)
        return tuple([_key(item) for item in node])
    if isinstance(node, str):
        return " ".join(node.split())
    return (node.__class__.__name__, node)


def _imports_sorted(block: list[ast.stmt]) -> list[ast.stmt]:
    """The statements with each run of imports in one order, and the names of each (isort orders
    the imports of a nested block, `if TYPE_CHECKING:`, too), whatever order they were written in."""
    out: list[ast.stmt] = []
    run: list[tuple[str, ast.stmt]] = []
    for statement in [*block, None]:
        if isinstance(statement, ast.Import | ast.ImportFrom):
            statement.names.sort(key=lambda alias: (alias.name, alias.asname or ""))
            run.append((repr(_key(statement)), statement))
            continue
        out += [found for _, found in sorted(run, key=lambda pair: pair[0])]
        run = []
        if statement is not None:
            out.append(statement)
    return out
