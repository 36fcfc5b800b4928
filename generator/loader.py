"""Load a spec from YAML or JSON into JSON types, keeping the source position of every node.

YAML is read with the YAML 1.2 core schema: `2025-01-01` stays a string and `on` is not a boolean.
Only plain scalars are resolved; quoted ones are always strings.
"""

from __future__ import annotations

import json
import marshal
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from . import cache
from .collector import collector_paused
from .diagnostics import Diagnostic, Level, SpecError
from .pointer import Part, to_pointer

MAX_INPUT_BYTES = 64 * 1024 * 1024
MAX_DEPTH = 256
MAX_EXPANDED_NODES = 5_000_000

_PLAIN = "tag:sdkgen:plain"
_Loader: type = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Plain:
    """Composes nodes only; plain scalars get a private tag so that we resolve them by YAML 1.2."""

    def resolve(self, kind: Any, value: Any, implicit: Any) -> str:
        if kind is yaml.ScalarNode and implicit[0]:
            return _PLAIN
        return str(super().resolve(kind, value, implicit))  # type: ignore[misc]


class _SpecLoader(_Plain, _Loader):  # type: ignore[misc]
    """libyaml's fast composer; it recurses in C, so it only gets text of bounded nesting."""


class _GuardedLoader(_Plain, yaml.SafeLoader):
    """The pure-Python composer, whose recursion Python bounds: for text that may nest deeply."""


class _RedefiningLoader(_GuardedLoader):
    """For text that defines an anchor name twice, which YAML allows (the later one wins) and
    PyYAML refuses."""

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()  # type: ignore[no-untyped-call]
        if not isinstance(event, yaml.AliasEvent) and event.anchor is not None:
            self.anchors.pop(event.anchor, None)
        return super().compose_node(parent, index)


_BRACKETS = re.compile(r"[\[\]{}]")
_DEEP_INDENT = re.compile(rf"^[ \t]{{{MAX_DEPTH + 1}}}", re.MULTILINE)


def _may_nest_deeply(text: str) -> bool:
    """A cheap, conservative look: bracket depth (quotes ignored) or indentation beyond the limit."""
    if text.count("[") + text.count("{") > MAX_DEPTH:  # fewer opening brackets cannot nest deeper
        depth = deepest = 0
        for match in _BRACKETS.finditer(text):
            depth += 1 if match.group() in "[{" else -1
            deepest = max(deepest, depth)
            if deepest > MAX_DEPTH:
                return True
    return _DEEP_INDENT.search(text) is not None


_INT = re.compile(r"[-+]?[0-9]+")
_OCT = re.compile(r"0o[0-7]+")
_HEX = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}


def _plain_scalar(text: str) -> Any:
    if text in _NULLS:
        return None
    if text in _BOOLS:
        return _BOOLS[text]
    if _INT.fullmatch(text):
        return int(text)
    if _OCT.fullmatch(text):
        return int(text[2:], 8)
    if _HEX.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return float("-inf") if text.startswith("-") else float("inf")
    if _NAN.fullmatch(text):
        return float("nan")
    return text


_TAGGED: dict[str, Callable[[str], Any]] = {
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": lambda t: _BOOLS.get(t, bool(t)),
    "tag:yaml.org,2002:null": lambda t: None,
}


# Where a node starts, and its children's positions: (line, column, None | {key: Pos} | [Pos, ...]),
# and for a block composed on its own (`yaml_blocks`), a fourth member: lines to add to its lines.
Pos = tuple[Any, ...]


@dataclass
class Document:
    """A parsed spec: its data in JSON types, and where each node came from."""

    path: Path
    display: str
    data: Any
    text: str
    _positions: Pos | None = field(default=None, repr=False)

    def position(self, parts: Sequence[Part]) -> tuple[int, int]:
        """1-based line and column of the deepest node on the path that exists."""
        node = self._positions_root()
        shift = node[3] if len(node) > 3 else 0
        for part in parts:
            children = node[2]
            if isinstance(children, dict):
                child = children.get(str(part))
            elif isinstance(children, list) and str(part).isdigit() and int(part) < len(children):
                child = children[int(part)]
            else:
                child = None
            if child is None:
                break
            node = child
            shift += node[3] if len(node) > 3 else 0
        return (node[0] + shift, node[1])

    def diagnostic(self, parts: Sequence[Part], message: str, level: Level = Level.ERROR) -> Diagnostic:
        line, column = self.position(parts)
        return Diagnostic(self.display, line, column, to_pointer(parts), level, message)

    def _positions_root(self) -> Pos:
        if self._positions is None:
            loader = _GuardedLoader if _may_nest_deeply(self.text) else _SpecLoader
            try:  # JSON is parsed by json for its types; YAML composition gives it positions.
                self._positions = _positions_of(yaml.compose(self.text, Loader=loader))
            except (yaml.YAMLError, RecursionError):
                self._positions = (1, 1, None)
        return self._positions


def _positions_of(node: yaml.Node | None) -> Pos:
    if node is None:
        return (1, 1, None)
    mark = node.start_mark
    children: Any = None
    if isinstance(node, yaml.MappingNode):
        children = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode):
                children.setdefault(key.value, _positions_of(value))
    elif isinstance(node, yaml.SequenceNode):
        children = [_positions_of(item) for item in node.value]
    return (mark.line + 1, mark.column + 1, children)


def load(path: Path, display: str | None = None) -> Document:
    """Read and parse a spec file; raises SpecError with a located message on any problem."""
    shown = display or str(path)
    try:
        with path.open("rb") as handle:  # never more than the limit, even from /dev/zero or a FIFO
            raw = handle.read(MAX_INPUT_BYTES + 1)
    except OSError as exc:
        raise SpecError([_at(shown, 0, 0, f"cannot read the spec: {exc.strerror or exc}")]) from None
    with collector_paused():  # a document holds no cycle: a sixth of a large spec's load
        return parse(raw, path, shown)


def parse(raw: bytes, path: Path, shown: str) -> Document:
    """Parse spec bytes; `path` tells JSON from YAML by its suffix, `shown` names it in messages."""
    if len(raw) > MAX_INPUT_BYTES:
        raise SpecError([_at(shown, 0, 0, f"the spec is larger than the limit of {MAX_INPUT_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise SpecError(
            [_at(shown, 1, 1, f"the spec is not UTF-8 text ({exc.reason} at byte {exc.start})")]
        ) from None
    if not text.strip():
        raise SpecError([_at(shown, 1, 1, "the spec is empty")])
    name = cache.key("load", sys.version, path.suffix.lower(), text)
    hit = cache.get_bytes("load", name)
    if hit is not None:
        try:
            data, positions = marshal.loads(hit)
            return Document(path, shown, data, text, positions)
        except (EOFError, ValueError, TypeError):
            pass  # an unreadable entry is recomputed
    if path.suffix.lower() == ".json" or text.lstrip().startswith("{"):
        doc = Document(path, shown, _load_json(text, shown), text)
    else:
        from .yaml_blocks import load_by_blocks

        doc = Document(path, shown, None, text)
        loaded = load_by_blocks(text, path, shown)
        if loaded is None:
            loaded = _Converter(doc).convert(_compose_yaml(text, shown))
        doc.data, doc._positions = loaded
    if not isinstance(doc.data, dict):
        raise SpecError([doc.diagnostic([], "the spec must be a mapping (an OpenAPI document object)")])
    if doc._positions is not None:  # JSON's positions are composed only when a message needs one
        cache.put_bytes("load", name, marshal.dumps((doc.data, doc._positions)))
    return doc


def _at(file: str, line: int, column: int, message: str) -> Diagnostic:
    return Diagnostic(file, line, column, "#", Level.ERROR, message)


def _load_json(text: str, shown: str) -> Any:
    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        for key, value in items:
            if key in result:
                raise ValueError(f"duplicate key {key!r}")
            result[key] = value
        return result

    try:
        data = json.loads(text, object_pairs_hook=pairs)
        _check_depth(data, shown)
        return data
    except json.JSONDecodeError as exc:
        raise SpecError([_at(shown, exc.lineno, exc.colno, f"invalid JSON: {exc.msg}")]) from None
    except ValueError as exc:
        raise SpecError([_at(shown, 1, 1, f"invalid JSON: {exc}")]) from None
    except RecursionError:
        raise SpecError([_at(shown, 1, 1, "the spec is nested too deeply")]) from None


def _check_depth(data: Any, shown: str) -> None:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise SpecError([_at(shown, 1, 1, f"the spec is nested more than {MAX_DEPTH} levels deep")])
        children = node.values() if isinstance(node, dict) else node if isinstance(node, list) else ()
        stack.extend((child, depth + 1) for child in children if isinstance(child, dict | list))


def _yaml_problem(exc: yaml.MarkedYAMLError) -> str:
    """The whole of PyYAML's message: its context says what, its problem where or why."""
    context, problem = exc.context, exc.problem
    if context and exc.context_mark is not None and problem:
        context = f"{context} at line {exc.context_mark.line + 1}"
    return "; ".join(p for p in (context, problem) if p) or "syntax error"


def _compose_yaml(text: str, shown: str) -> yaml.Node:
    loader = _GuardedLoader if _may_nest_deeply(text) else _SpecLoader
    try:
        try:
            root = yaml.compose(text, Loader=loader)
        except yaml.composer.ComposerError as exc:
            if "duplicate anchor" not in str(exc.context):
                raise
            root = yaml.compose(text, Loader=_RedefiningLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise SpecError([_at(shown, line, column, f"invalid YAML: {_yaml_problem(exc)}")]) from None
    except yaml.YAMLError as exc:
        raise SpecError([_at(shown, 1, 1, f"invalid YAML: {exc}")]) from None
    except RecursionError:
        raise SpecError([_at(shown, 1, 1, "the spec is nested too deeply")]) from None
    if root is None:
        raise SpecError([_at(shown, 1, 1, "the spec is empty")])
    return root


class _Converter:
    """Builds JSON values from YAML nodes; aliases share one value and count toward an expansion bound."""

    def __init__(self, doc: Document) -> None:
        self.doc = doc
        self.done: dict[int, tuple[Any, Pos, int]] = {}
        self.errors: list[Diagnostic] = []

    def convert(self, root: yaml.Node) -> tuple[Any, Pos]:
        """The node's value and its positions."""
        value, positions, _ = self._value(root, [], 0)
        if self.errors:
            raise SpecError(self.errors)
        return value, positions

    def _fail(self, node: yaml.Node, message: str) -> SpecError:
        mark = node.start_mark
        return SpecError([_at(self.doc.display, mark.line + 1, mark.column + 1, message)])

    def _value(self, node: yaml.Node, parts: list[Part], depth: int) -> tuple[Any, Pos, int]:
        memo = self.done.get(id(node))
        if memo is not None:
            return memo
        if depth > MAX_DEPTH:
            raise self._fail(node, f"the spec is nested more than {MAX_DEPTH} levels deep")
        size = 1
        value: Any
        children: Any = None
        if isinstance(node, yaml.ScalarNode):
            value = self._scalar(node)
        elif isinstance(node, yaml.SequenceNode):
            value, children = [], []
            for index, item in enumerate(node.value):
                child, where, n = self._value(item, [*parts, index], depth + 1)
                value.append(child)
                children.append(where)
                size += n
        else:
            value, children = {}, {}
            for key_node, item in node.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    raise self._fail(key_node, "a mapping key must be a plain string")
                key = key_node.value
                if key in value:
                    mark = key_node.start_mark
                    self.errors.append(
                        Diagnostic(
                            self.doc.display,
                            mark.line + 1,
                            mark.column + 1,
                            to_pointer([*parts, key]),
                            Level.ERROR,
                            f"duplicate key {key!r}",
                        )
                    )
                    continue
                value[key], children[key], n = self._value(item, [*parts, key], depth + 1)
                size += n
        if size > MAX_EXPANDED_NODES:
            raise self._fail(node, f"aliases expand the spec past {MAX_EXPANDED_NODES:,} nodes")
        mark = node.start_mark
        result = (value, (mark.line + 1, mark.column + 1, children), size)
        self.done[id(node)] = result
        return result

    def _scalar(self, node: yaml.ScalarNode) -> Any:
        if node.tag == _PLAIN:
            return _plain_scalar(node.value)
        convert = _TAGGED.get(node.tag)
        if convert is None:
            return node.value
        try:
            return convert(node.value)
        except ValueError:
            raise self._fail(node, f"{node.value!r} is not a valid {node.tag.rsplit(':', 1)[-1]}") from None
