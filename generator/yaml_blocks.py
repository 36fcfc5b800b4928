"""A large YAML spec composed block by block, so that loading an edited spec composes the block
that changed and takes the others from the last load of the same file.

The text is cut by indentation alone at the keys of its large mappings (the top level, `paths`,
`components`, `components/schemas`): each block is an entry of such a mapping, from its key's line
to the next key's. A block is composed on its own, its positions relative to its first line
(`loader.Pos`'s fourth member shifts them), and kept by its text. The cut is trusted only where
each block composes to a mapping of exactly one plain key; any doubt (an anchor used across blocks,
a quoted scalar or flow collection cut in two, directives, other line breaks, a duplicate key, a
limit reached) returns None, and the caller composes the whole text as before, with its messages.
"""

from __future__ import annotations

import functools
import hashlib
import marshal
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from . import cache
from .loader import (
    MAX_DEPTH,
    MAX_EXPANDED_NODES,
    Document,
    Pos,
    _Converter,
    _GuardedLoader,
    _may_nest_deeply,
    _SpecLoader,
)

BLOCKS_MIN_BYTES = 256 * 1024  # below this the whole text composes in a few tens of milliseconds
HELPED_MIN_BYTES = 512 * 1024  # blocks to compose past this: half go to a helper on another core
SPLIT_MIN_BYTES = 16 * 1024  # an entry this large is cut into its own entries
SPLIT_MAX_DEPTH = 2  # entries of the top level, of its entries, and of theirs: components/schemas/X
_HEADER = re.compile(r"( *)([A-Za-z_][A-Za-z0-9_.-]*):(?: +(?:#.*)?)?")  # `key:`, nothing after
_OTHER_BREAKS = re.compile("[\r\x85\u2028\u2029]")  # YAML 1.1 breaks lines there too


class _Lines:
    """Lines of the text that match a pattern (which starts past the line break), found by C code:
    a pattern that starts with a line break is searched for by that character."""

    def __init__(self, body: str) -> None:
        self.at_start = re.compile(body)
        self.after_break = re.compile("\n" + body)

    def find(self, text: str, lo: int, hi: int) -> Iterator[re.Match[str]]:
        """Matches on the lines of text[lo:hi] (`lo` starts a line), each from its line's start."""
        first = self.at_start.match(text, lo, hi)
        if first is not None:
            yield first
        for found in self.after_break.finditer(text, lo, hi):
            yield self.at_start.match(text, found.start() + 1, hi)  # type: ignore[misc]


_CONTENT = _Lines(r"( *)[^ \n#]")  # a line with content, past its indentation
_MARKERS = _Lines(r"(?:---|\.\.\.|%)")  # documents and directives


@functools.cache
def _keys_at(indent: int) -> _Lines:
    """Lines whose content starts at `indent`, but for sequence entries (`- `)."""
    return _Lines(rf" {{{indent}}}(?!-(?: |\n|$))[^ \n#]")


@functools.cache
def _shallower(indent: int) -> _Lines:
    return _Lines(rf" {{0,{indent - 1}}}[^ \n#]")


class _LineCounter:
    """The line of each offset asked for, in increasing order."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.offset = self.line = 0

    def line_of(self, offset: int) -> int:
        self.line += self.text.count("\n", self.offset, offset)
        self.offset = offset
        return self.line


@dataclass(frozen=True)
class _Block:
    """An entry composed on its own: the text from `lo` to `hi`, whose first line is `line`."""

    line: int
    lo: int
    hi: int


@dataclass(frozen=True)
class _Split:
    """An entry on line `line` whose value is a mapping cut into entries."""

    line: int
    key: str
    entries: tuple[_Block | _Split, ...]
    first: int  # where its value starts, as the whole text's load says: its first key's line
    column: int  # and column (both from 1)


def load_by_blocks(text: str, path: Path, shown: str) -> tuple[Any, Pos] | None:
    """The spec's data and positions, or None when the text is small or the cut is in doubt. With
    the cache off nothing is kept, yet the blocks still save time: half go to a helper (a cold
    load of the full OpenAI spec, 1.2-1.3 s whole, takes 0.37-0.49 s)."""
    if len(text) < BLOCKS_MIN_BYTES or _OTHER_BREAKS.search(text):
        return None
    if next(_MARKERS.find(text, 0, len(text)), None):
        return None
    entries = _entries(text, _LineCounter(text), 0, len(text), 0, 0)
    if entries is None:
        return None
    index = cache.key("load-blocks", sys.version, str(path.resolve()))
    try:
        kept = marshal.loads(cache.get_bytes("load-blocks", index) or marshal.dumps({}))
    except (EOFError, ValueError, TypeError):
        kept = {}
    composer = _Composer(Document(path, shown, None, text), kept)
    whole = _Split(0, "", entries, entries[0].line + 1, 1)
    composer.compose_missing(whole)
    result = composer.mapping(whole, 0)
    if result is None or result[2] > MAX_EXPANDED_NODES:
        return None
    if composer.missed and cache.enabled():  # marshalling the blocks takes 0.02 s in vain else
        cache.put_bytes("load-blocks", index, marshal.dumps(composer.used))
    return result[0], result[1]


def _entries(
    text: str, lines: _LineCounter, lo: int, hi: int, indent: int, depth: int
) -> tuple[_Block | _Split, ...] | None:
    """The entries of the block mapping whose keys are at `indent` in text[lo:hi] (whole lines)."""
    if indent and next(_shallower(indent).find(text, lo, hi), None):
        return None
    keys = [m.start() for m in _keys_at(indent).find(text, lo, hi)]
    content = next(_CONTENT.find(text, lo, hi), None)
    if not keys or content is None or content.start() != keys[0]:  # no key first: not a mapping
        return None
    return tuple(
        _entry(text, lines, _Block(lines.line_of(key), key, end), depth)
        for key, end in zip(keys, [*keys[1:], hi], strict=True)
    )


def _entry(text: str, lines: _LineCounter, block: _Block, depth: int) -> _Block | _Split:
    """The block, or its entries when it is large and its key line is `key:` alone."""
    if depth >= SPLIT_MAX_DEPTH or block.hi - block.lo < SPLIT_MIN_BYTES:
        return block
    header_end = text.find("\n", block.lo, block.hi) + 1
    header = _HEADER.fullmatch(text, block.lo, header_end - 1) if header_end else None
    content = next(_CONTENT.find(text, header_end, block.hi), None) if header else None
    if header is None or content is None or len(content.group(1)) <= len(header.group(1)):
        return block
    indent = len(content.group(1))
    first = lines.line_of(content.start())
    inner = _entries(text, lines, content.start(), block.hi, indent, depth + 1)
    if inner is None:
        return block
    return _Split(block.line, header.group(2), inner, first + 1, indent + 1)


class _Composer:
    """Composes the entries, taking each block from `kept` when its text is there."""

    def __init__(self, doc: Document, kept: dict[bytes, Any]) -> None:
        self.doc = doc
        self.kept = kept
        self.used: dict[bytes, Any] = {}  # the blocks of this load, for the next
        self.missed = False

    def mapping(self, split: _Split, depth: int) -> tuple[Any, Pos, int] | None:
        """The mapping's value, positions and node count."""
        value: dict[str, Any] = {}
        children: dict[str, Pos] = {}
        size = 1
        for entry in split.entries:
            if isinstance(entry, _Split):
                key, found = entry.key, self.mapping(entry, depth + 1)
            else:
                key, found = self.block(entry, depth)
            if found is None or key in value:  # a duplicate key: the whole text's load reports it
                return None
            value[key], children[key], n = found
            size += n
        return value, (split.first, split.column, children), size

    def compose_missing(self, split: _Split) -> None:
        """The blocks not kept, composed on two cores when they are many (a fresh clone's load of
        a large spec: 0.42 s to 0.33 s for the full OpenAI spec's): a forked helper composes the
        second half and sends it back marshalled. Whatever it does not send, `block` composes."""
        todo: dict[bytes, tuple[_Block, int]] = {}
        self._missing(split, 0, todo)
        size = sum(block.hi - block.lo for block, _ in todo.values())
        if size < HELPED_MIN_BYTES or (os.cpu_count() or 1) < 2 or not hasattr(os, "fork"):
            return
        names = list(todo)
        held = half = 0
        while held < size // 2:  # the first half, in the text's order
            block = todo[names[half]][0]
            held += block.hi - block.lo
            half += 1
        mine, theirs = names[:half], names[half:]
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the helper
            try:
                os.close(read)
                composed = {name: self._composed(*todo[name]) for name in theirs}
                with os.fdopen(write, "wb") as answer:
                    answer.write(marshal.dumps({k: v for k, v in composed.items() if v is not None}))
            finally:
                os._exit(0)
        os.close(write)
        for name in mine:
            if (value := self._composed(*todo[name])) is not None:
                self.kept[name] = value
        with os.fdopen(read, "rb") as answer:
            sent = answer.read()
        os.waitpid(pid, 0)
        try:
            self.kept.update(marshal.loads(sent) if sent else {})
        except (EOFError, ValueError, TypeError):
            pass
        self.missed = True

    def _missing(self, split: _Split, depth: int, todo: dict[bytes, tuple[_Block, int]]) -> None:
        """The blocks `kept` does not hold, by name, with their depth as `mapping` gives it."""
        for entry in split.entries:
            if isinstance(entry, _Split):
                self._missing(entry, depth + 1, todo)
            elif (name := self._name(entry, depth)) not in self.kept:
                todo[name] = (entry, depth)

    def _name(self, block: _Block, depth: int) -> bytes:
        text = self.doc.text[block.lo : block.hi]
        return hashlib.sha256(f"{depth}\n{text}".encode("utf-8", "surrogatepass")).digest()

    def _composed(self, block: _Block, depth: int) -> tuple[str, Any, Pos, int] | None:
        return _compose_block(self.doc.text[block.lo : block.hi], self.doc, depth)

    def block(self, block: _Block, depth: int) -> tuple[str, tuple[Any, Pos, int] | None]:
        """The block's key, and its value, positions (shifted to the text's lines) and node count."""
        name = self._name(block, depth)
        found = self.kept.get(name)
        if found is None:
            self.missed = True
            found = self._composed(block, depth)
            if found is None:
                return "", None
        elif name in self.used:  # the same text twice: the whole text's load gives each its own value
            found = marshal.loads(marshal.dumps(found))
        self.used[name] = found
        key, value, (line, column, children), size = found
        return key, (value, (line, column, children, block.line), size)


def _compose_block(text: str, doc: Document, depth: int) -> tuple[str, Any, Pos, int] | None:
    """A block's one key, its value, positions relative to the block's first line, and node count."""
    if depth >= MAX_DEPTH:
        return None
    try:
        root = yaml.compose(text, Loader=_GuardedLoader if _may_nest_deeply(text) else _SpecLoader)
    except (yaml.YAMLError, RecursionError):
        return None
    if not isinstance(root, yaml.MappingNode) or len(root.value) != 1:
        return None
    key_node, value_node = root.value[0]
    if not isinstance(key_node, yaml.ScalarNode):
        return None
    converter = _Converter(doc)
    try:
        value, positions, size = converter._value(value_node, [key_node.value], depth + 1)
    except Exception:  # a limit or a bad scalar: the whole text's load says where
        return None
    if converter.errors:
        return None
    return key_node.value, value, positions, size
