"""The loader keeps JSON's types under YAML and knows where every node came from."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.diagnostics import SpecError
from generator.loader import load


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_yaml_scalars_follow_json_types(tmp_path: Path) -> None:
    doc = load(
        _write(
            tmp_path,
            "s.yaml",
            "openapi: 3.1.0\n"
            "date: 2025-01-01\n"
            "stamp: 2025-01-01T10:00:00Z\n"
            "on: on\n"
            "yes: yes\n"
            "t: true\n"
            "n: null\n"
            "tilde: ~\n"
            "i: 24000\n"
            "f: 0.8\n"
            "exp: 1e3\n"
            "quoted: '200'\n"
            "octal_like: 0755\n"
            "version: 1.10\n",
        )
    )
    assert doc.data == {
        "openapi": "3.1.0",
        "date": "2025-01-01",
        "stamp": "2025-01-01T10:00:00Z",
        "on": "on",
        "yes": "yes",
        "t": True,
        "n": None,
        "tilde": None,
        "i": 24000,
        "f": 0.8,
        "exp": 1000.0,
        "quoted": "200",
        "octal_like": 755,
        "version": 1.1,
    }


def test_integer_mapping_keys_become_strings(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "s.yaml", "responses:\n  200:\n    description: ok\n"))
    assert doc.data == {"responses": {"200": {"description": "ok"}}}


def test_positions_are_one_based_line_and_column(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "s.yaml", "a:\n  b:\n    - x\n    - c: 1\n"))
    assert doc.position(["a", "b", 1, "c"]) == (4, 10)
    assert doc.position(["a", "b", 0]) == (3, 7)
    assert doc.position(["a", "missing"]) == (2, 3), "the deepest existing node stands in"


def test_json_keeps_types_and_gets_positions(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "s.json", '{\n  "a": {\n    "b": [1, "2025-01-01"]\n  }\n}\n'))
    assert doc.data == {"a": {"b": [1, "2025-01-01"]}}
    assert doc.position(["a", "b"]) == (3, 10)


def test_aliases_share_one_value(tmp_path: Path) -> None:
    doc = load(_write(tmp_path, "s.yaml", "a: &x {k: [1, 2]}\nb: *x\n"))
    assert doc.data["a"] == doc.data["b"] == {"k": [1, 2]}


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("dup.json", '{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("dup.yaml", "a: 1\na: 2\n", "duplicate key 'a'"),
        ("list.yaml", "- 1\n- 2\n", "must be a mapping"),
        ("blank.yaml", "\n  \n", "the spec is empty"),
        ("bad.yaml", "a: [1, 2\n", "invalid YAML"),
        ("tag.yaml", "a: !!int abc\n", "'abc' is not a valid int"),
    ],
)
def test_bad_input_is_a_located_spec_error(tmp_path: Path, name: str, text: str, message: str) -> None:
    with pytest.raises(SpecError) as caught:
        load(_write(tmp_path, name, text))
    (diagnostic,) = caught.value.diagnostics
    assert message in diagnostic.message
    assert diagnostic.file.endswith(name) and diagnostic.line >= 1


def test_nesting_limit_is_an_error_not_a_crash(tmp_path: Path) -> None:
    text = "a: " + "[" * 400 + "]" * 400 + "\n"
    with pytest.raises(SpecError, match="nested more than"):
        load(_write(tmp_path, "deep.yaml", text))


def test_deep_nesting_is_seen_at_the_limit() -> None:
    """Text that may nest past the limit goes to the composer whose recursion Python bounds: more
    brackets open at once, or a line indented further, than the limit (quotes aside)."""
    from generator.loader import MAX_DEPTH, _may_nest_deeply

    assert not _may_nest_deeply("a: " + "[" * MAX_DEPTH + "]" * MAX_DEPTH)
    assert _may_nest_deeply("a: " + "[" * (MAX_DEPTH + 1))
    assert _may_nest_deeply("a: " + "{" * MAX_DEPTH + "[")
    assert not _may_nest_deeply("a: " + "[]" * (MAX_DEPTH * 2))  # many, never deep
    assert not _may_nest_deeply("a:\n" + " " * MAX_DEPTH + "b: 1\n")
    assert _may_nest_deeply("a:\n" + " \t" * (MAX_DEPTH // 2) + " b: 1\n")


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(SpecError, match="cannot read the spec"):
        load(tmp_path / "absent.yaml")


def test_an_anchor_name_may_be_defined_again(tmp_path: Path) -> None:
    """YAML lets a later anchor replace an earlier one (OpenAI's spec did this for months)."""
    text = (
        "openapi: 3.1.0\ninfo: {title: T, version: '1'}\npaths: {}\nx-a:\n  one: &v {type: string}\n"
        "  two: *v\nx-b:\n  one: &v {type: integer}\n  two: *v\n"
    )
    data = load(_write(tmp_path, "anchors.yaml", text)).data
    assert data["x-a"]["two"] == {"type": "string"} and data["x-b"]["two"] == {"type": "integer"}


def test_yaml_messages_say_what_is_wrong_and_where(tmp_path: Path) -> None:
    with pytest.raises(SpecError) as caught:
        load(_write(tmp_path, "alias.yaml", "a: 1\nb: *nowhere\n"))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("invalid YAML: found undefined alias")
    with pytest.raises(SpecError) as caught:
        load(_write(tmp_path, "flow.yaml", "a: {b: 1\nc: 2\n"))
    (diagnostic,) = caught.value.diagnostics
    assert diagnostic.message.startswith("invalid YAML: while parsing a flow mapping at line 1; ")


def test_a_cached_load_gives_the_same_data_and_positions_without_parsing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    path = _write(tmp_path, "s.yaml", "a: &x {k: [1, 2]}\nb: *x\nc:\n  - d: .inf\n")
    first = load(path)

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the cached load composed the YAML again")

    monkeypatch.setattr("generator.loader.yaml.compose", refuse)
    again = load(path)
    assert again.data == first.data and again.data["a"] is again.data["b"]
    assert again.position(["c", 0, "d"]) == first.position(["c", 0, "d"]) == (4, 8)
    # an entry that cannot be read is recomputed, not trusted
    for entry in (tmp_path / "cache" / "load").rglob("*"):
        if entry.is_file():
            entry.write_bytes(b"\x00garbage")
    monkeypatch.undo()
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    assert load(path).data == first.data


def test_the_megabyte_caches_keep_only_their_most_recently_used_entries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from generator import cache

    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path))
    monkeypatch.setitem(cache.BOUNDED, "load", 3)
    names = [cache.key("test", str(i)) for i in range(5)]
    for age, name in enumerate(names):
        cache.put_bytes("load", name, b"x")
        os.utime(cache._path("load", name), (1_000_000 + age, 1_000_000 + age))
    assert cache.get_bytes("load", names[2]) == b"x"  # used now: the newest
    cache.put_bytes("load", cache.key("test", "new"), b"y")
    kept = {name for name in names if cache.get_bytes("load", name) is not None}
    assert kept == {names[2], names[4]}, "the two least recently used and the oldest are gone"
