"""A large YAML spec composed block by block gives what composing the whole text gives, positions
included, and an edit composes only the blocks it changed."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pytest

from generator import loader, yaml_blocks
from generator.diagnostics import SpecError

FULL = Path(__file__).resolve().parents[2] / "shared" / "reference" / "openai-openapi.yaml"


@pytest.fixture(autouse=True)
def own_cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SDKGEN_NO_CACHE", raising=False)


@pytest.fixture
def fine_cuts(monkeypatch: pytest.MonkeyPatch) -> None:
    """Small texts cut at every mapping, as deep as they go."""
    monkeypatch.setattr(yaml_blocks, "BLOCKS_MIN_BYTES", 0)
    monkeypatch.setattr(yaml_blocks, "SPLIT_MIN_BYTES", 0)
    monkeypatch.setattr(yaml_blocks, "SPLIT_MAX_DEPTH", 8)


def whole(text: str, path: Path) -> tuple[Any, loader.Pos]:
    doc = loader.Document(path, "spec.yaml", None, text)
    return loader._Converter(doc).convert(loader._compose_yaml(text, "spec.yaml"))


def assert_same(text: str, path: Path, got: tuple[Any, loader.Pos]) -> None:
    """The same values (types, key order, NaN) and the same position for every node."""
    expected = whole(text, path)
    assert _plain(got[0]) == _plain(expected[0])
    by_blocks = loader.Document(path, "spec.yaml", got[0], text, got[1])
    at_once = loader.Document(path, "spec.yaml", expected[0], text, expected[1])
    stack: list[tuple[Any, list[str | int]]] = [(expected[0], [])]
    while stack:
        node, parts = stack.pop()
        assert by_blocks.position(parts) == at_once.position(parts), parts
        if isinstance(node, dict):
            stack += [(child, [*parts, key]) for key, child in node.items()]
        elif isinstance(node, list):
            stack += [(child, [*parts, i]) for i, child in enumerate(node)]


def _plain(value: Any) -> Any:
    if isinstance(value, dict):
        return ("map", [(key, _plain(child)) for key, child in value.items()])
    if isinstance(value, list):
        return ("list", [_plain(child) for child in value])
    if isinstance(value, float) and math.isnan(value):
        return ("nan",)
    return (type(value).__name__, value)


def composed_blocks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts of the blocks composed from here on."""
    seen: list[str] = []
    compose = yaml_blocks._compose_block

    def counting(text: str, doc: loader.Document, depth: int) -> Any:
        seen.append(text)
        return compose(text, doc, depth)

    monkeypatch.setattr(yaml_blocks, "_compose_block", counting)
    return seen


@pytest.mark.skipif(
    not FULL.exists(), reason="needs ../shared/reference/openai-openapi.yaml beside the clone"
)
def test_the_full_spec_by_blocks_and_after_an_edit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = FULL.read_text("utf-8")
    spec = tmp_path / "openai.yaml"
    first = yaml_blocks.load_by_blocks(text, spec, "spec.yaml")
    assert first is not None
    assert_same(text, spec, first)
    # a description reworded, and a line added above it: every later block moves down a line
    edited = text.replace("Maximum number of output tokens", "The most output tokens", 1)
    edited = edited.replace("\n  schemas:\n", "\n  schemas:\n    # a comment that moves every schema\n", 1)
    composed = composed_blocks(monkeypatch)
    second = yaml_blocks.load_by_blocks(edited, spec, "spec.yaml")
    assert second is not None
    assert_same(edited, spec, second)
    assert len(composed) == 1  # the reworded schema; the comment is in none
    assert "The most output tokens" in composed[0] and len(composed[0]) < 50_000


TRUSTED = {
    "block scalars that keep their breaks at a block's end": (
        "openapi: 3.1.0\ninfo:\n  title: x\n  description: |+\n    kept\n\n\n  version: '1'\n"
        "paths:\n  /x:\n    get:\n      description: |-\n        t\n\n\n  /y: {}\n"
        "last: |+\n  at the end\n\n"
    ),
    "comments anywhere, a folded scalar, sequences at their key's column": (
        "# head\nopenapi: 3.1.0\ntags:\n- name: a\n-   name: b\npaths:\n  /a:\n    get:\n"
        "      description: >\n        folded\n        text\n# at column 0\n      responses:\n"
        "        '200': {description: ok}\n   # at column 3\n  /b: {}\n"
    ),
    "an anchor and its alias in one block": "a: 1\nb: {c: &x [1], d: *x}\n",
    "quoted, numeric and null keys": 'x:\n  "quoted key": 1\n  plain: 2\n  12: 3\n  null: 4\n  true: 5\n',
    "tagged scalars and special floats": "a:\n  b: !!str 12\n  c: .nan\n  d: -.inf\n  e: 0x1f\n",
}

DOUBTED = {
    "an alias of another block's anchor": "a:\n  b: &x 1\n  c: *x\n",
    "carriage returns": "a:\r\n  b: 1\r\n  c: 2\r\n",
    "a document marker": "---\na:\n  b: 1\n",
    "a directive": "%YAML 1.2\n---\na:\n  b: 1\n",
    "a key line less indented than its siblings": "a:\n    b: 1\n  c: 2\n",
    "a quoted scalar cut by a key-like line": 'a:\n  b: "x\n  c: y"\n  d: 1\n',
    "a flow collection that ends less indented": "a:\n  b: [1,\n2]\n  c: 1\n",
    "a complex key": "a:\n  ? b\n  : c\n",
    "a duplicate key in two blocks": "a:\n  b: 1\n  b: 2\n",
    "a sequence at the top": "- a\n- b\n",
    "a tab before a key": "a:\n  b: 1\n\tc: 2\n",
    "a colon and a hash that are one plain scalar": "a:#c\n  b: 1\n",
}


@pytest.mark.parametrize("text", TRUSTED.values(), ids=TRUSTED.keys())
def test_cut_texts_compose_as_the_whole(text: str, tmp_path: Path, fine_cuts: None) -> None:
    got = yaml_blocks.load_by_blocks(text, tmp_path / "spec.yaml", "spec.yaml")
    assert got is not None
    assert_same(text, tmp_path / "spec.yaml", got)


@pytest.mark.parametrize("text", DOUBTED.values(), ids=DOUBTED.keys())
def test_texts_in_doubt_are_composed_whole(text: str, tmp_path: Path, fine_cuts: None) -> None:
    assert yaml_blocks.load_by_blocks(text, tmp_path / "spec.yaml", "spec.yaml") is None


def test_a_duplicate_across_blocks_is_reported_where_it_is(tmp_path: Path, fine_cuts: None) -> None:
    spec = tmp_path / "spec.yaml"
    spec.write_text("openapi: 3.1.0\ninfo:\n  title: x\ninfo:\n  title: y\n")
    with pytest.raises(SpecError) as raised:
        loader.load(spec, "spec.yaml")
    assert [d.format() for d in raised.value.diagnostics] == [
        "spec.yaml:4:1: #/info: error: duplicate key 'info'"
    ]


def test_the_same_block_twice_gives_two_values(tmp_path: Path, fine_cuts: None) -> None:
    text = "a:\n  b:\n    c: [1]\n  d:\n    c: [1]\n"
    spec = tmp_path / "spec.yaml"
    yaml_blocks.load_by_blocks(text, spec, "spec.yaml")  # kept for the next load
    got = yaml_blocks.load_by_blocks(text, spec, "spec.yaml")
    assert got is not None
    assert got[0]["a"]["b"]["c"] == [1] and got[0]["a"]["b"]["c"] is not got[0]["a"]["d"]["c"]
    assert_same(text, spec, got)


def test_without_the_cache_the_blocks_are_composed_each_time_and_none_is_kept(
    tmp_path: Path, fine_cuts: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With the cache off a large text is still composed by blocks (half of them in a helper on a
    second core, as on a first load: the full spec's cold load 0.37-0.49 s against 1.2-1.3 s
    whole), keeping none: each load composes every block, and nothing is written."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    text = "a:\n  b: 1\nc:\n  d: [1, 2]\n  e:\n    f: x\n"
    spec = tmp_path / "spec.yaml"
    seen = composed_blocks(monkeypatch)
    put: list[str] = []
    monkeypatch.setattr(yaml_blocks.cache, "put_bytes", lambda kind, *rest: put.append(kind))
    for _ in range(2):
        got = yaml_blocks.load_by_blocks(text, spec, "spec.yaml")
        assert got is not None
        assert_same(text, spec, got)
    half = len(seen) // 2
    assert half >= 2 and seen[:half] == seen[half:]
    assert not put and not (tmp_path / "cache").exists(), "the blocks are not even marshalled"


@pytest.mark.skipif(
    not FULL.exists(), reason="needs ../shared/reference/openai-openapi.yaml beside the clone"
)
def test_a_large_spec_with_no_block_kept_is_composed_on_two_cores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fresh clone's first load of the full spec: half its blocks are composed by a forked
    helper, the load gives what the whole text gives; a helper that dies leaves its half to
    this process, with the same result."""
    import os

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    text = FULL.read_text("utf-8")
    spec = tmp_path / "openai.yaml"
    pids = tmp_path / "pids.txt"
    compose = yaml_blocks._compose_block

    def logged(block: str, doc: loader.Document, depth: int) -> Any:
        with pids.open("a") as log:
            log.write(f"{os.getpid()}\n")
        return compose(block, doc, depth)

    monkeypatch.setattr(yaml_blocks, "_compose_block", logged)
    helped = yaml_blocks.load_by_blocks(text, spec, "spec.yaml")
    assert helped is not None
    assert_same(text, spec, helped)
    counts = sorted(pids.read_text().split().count(pid) for pid in set(pids.read_text().split()))
    assert len(counts) == 2 and counts[0] > counts[1] / 3  # both did a share
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "again"))
    pids.unlink()

    def dies(block: str, doc: loader.Document, depth: int) -> Any:
        if os.getpid() != parent:
            os._exit(3)
        return logged(block, doc, depth)

    parent = os.getpid()
    monkeypatch.setattr(yaml_blocks, "_compose_block", dies)
    alone = yaml_blocks.load_by_blocks(text, spec, "spec.yaml")
    assert alone is not None and _plain(alone[0]) == _plain(helped[0]) and alone[1] == helped[1]
    assert set(pids.read_text().split()) == {str(parent)}
