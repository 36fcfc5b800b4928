"""Formatting cuts modules into top-level blocks: the result must be black's on the whole file,
and an edit to one block must reformat only that block."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import isort
import pytest
from black import format_str

from generator import formatting
from generator.config import Config
from generator.pipeline import check_spec, render_document

ROOT = Path(__file__).resolve().parents[1]
SPECS = [
    ROOT / "spec" / "realtime-sessions.yaml",
    ROOT / "tests" / "specs" / "petstore.yaml",
    ROOT / "tests" / "specs" / "traps.yaml",
    ROOT / "tests" / "specs" / "hostile.yaml",
]


def _rendered(spec: Path) -> tuple[str, dict[str, str]]:
    doc, _ = check_spec(spec)
    api, files = render_document(doc, Config(spec=spec))
    return api.package_name, files


def _black_on_whole_file(text: str, package: str) -> str:
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    sorted_text = isort.code(text, config=formatting._isort_config(package))
    return format_str(sorted_text, mode=formatting.MODE)


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_blocks_format_as_black_formats_the_whole_file(spec: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    package, files = _rendered(spec)
    formatted = formatting.format_tree(files, package)
    python = [path for path in files if path.endswith(".py")]
    assert len(python) >= 4
    for path in python:
        assert formatted[path] == _black_on_whole_file(files[path], package), path


def test_cuts_only_between_top_level_statements() -> None:
    source = (
        "import os\n"
        'TEXT = """\u2028\x0c\n'
        "class NotABlock:\n"
        '"""\n'
        "# about A\n"
        "@decorator\n"
        "class A:\n"
        "    def method(self): ...\n"
        "x = 1; y = 2\n"
        "def f(): pass\n"
    )
    blocks = formatting.top_level_blocks(source)
    assert "".join(blocks) == source
    assert [b.split("\n")[0] for b in blocks] == ["import os", "# about A", "def f(): pass"]
    assert formatting.top_level_blocks("def (:\n") == ["def (:\n"]


def test_an_edit_reformats_only_the_edited_block(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path))
    package, files = _rendered(SPECS[0])
    formatting.format_tree(files, package)
    pieces = tmp_path / "format-piece"
    before = {p for p in pieces.rglob("*") if p.is_file()}
    client = f"{package}/_client.py"
    edited = files[client].replace("\nclass ", "\nclass  ", 1)  # one block, formatted the same
    assert edited != files[client]
    after_edit = formatting.format_tree({**files, client: edited}, package)
    assert after_edit[client] == formatting.format_tree(files, package)[client]
    assert len({p for p in pieces.rglob("*") if p.is_file()} - before) == 1


def test_the_runtime_is_copied_in_the_style_formatting_would_give_it() -> None:
    """The runtime is not formatted on the way out (it is most of a small SDK's code), so its
    template must already be what isort and black at 88 columns make of it, for any package."""
    from generator.render import VERBATIM, templates_dir

    for source in VERBATIM:
        text = (templates_dir() / source).read_text("utf-8")
        for package in ("openai_realtime", "runtime"):
            assert _black_on_whole_file(text, package) == text, f"run black -l 88 on templates/{source}"


@pytest.mark.parametrize(
    "block, plain",
    [
        ("from a import b\n", True),
        ("# header\n\nfrom __future__ import annotations\n\nfrom typing import Any, Literal as L\n", True),
        ("from .x import (\n    A,\n    B,\n)\n", True),
        ("import a.b\n\n\n", True),
        ("from a import (b)\n", False),  # black drops the parentheses
        ("#header\n", False),  # black adds the space
        ("from a import b  # why\n", False),
        ("from a import b\nx = 1\n", False),
        ("from a import b\n\n\nfrom c import d\n", False),
        ("from a import " + ", ".join(f"name{i}" for i in range(20)) + "\n", False),  # too long
        # a module's name or a name black cannot split, however long
        (f"from .{'name' * 24} import (\n    {'Name' * 24},\n)\n", True),
        (f"from .{'name' * 24} import {'Name' * 24}\n", False),  # black wraps it
    ],
)
def test_a_block_of_plain_imports_skips_black_only_where_black_would_keep_it(block: str, plain: bool) -> None:
    assert formatting._plain_imports(block) is plain
    if plain:
        assert formatting.format_str(block, mode=formatting.MODE) == block.rstrip("\n") + "\n"


_LONG = "Name" * 24  # 96 columns: a line black cannot split however long


@pytest.mark.parametrize(
    "block, fixed",
    [
        (
            "if TYPE_CHECKING:\n    from .a import A, B\n"
            "    from .c import (\n        C,\n        D,\n    )\n",
            True,
        ),
        (f"if TYPE_CHECKING:\n    from .{_LONG.lower()} import (\n        {_LONG},\n    )\n", True),
        ('__all__ = [\n    "A",\n    "b.c",\n]\n', True),
        (f'__all__ = [\n    "{_LONG}",\n]\n', True),
        ('# Each name.\n_MODULES: dict[str, str] = {\n    "A": "a",\n}\n', True),
        (f'_MODULES: dict[str, str] = {{\n    "{_LONG}": "{_LONG.lower()}",\n}}\n', True),
        ("from a import b\n", True),  # `_plain_imports`
        (f"if TYPE_CHECKING:\n    from .a import {', '.join(['Name'] * 20)}\n", False),  # black wraps it
        ("if TYPE_CHECKING:\n    from .a import A\n\n    from .b import B\n", False),
        ("__all__ = ['A']\n", False),
        ('__all__ = ["A", "B"]\n', False),
        ('_MODULES: dict[str,str] = {\n    "A": "a",\n}\n', False),  # black adds the space
        ('__all__ = [\n    "A",  \n]\n', False),
        ('__all__ = [\n    "\u00e9",\n]\n', False),
        ('__all__ = [\n    "A"\n]\n', False),  # no magic trailing comma: black joins it
        ("__version__ = '1'\n", False),
    ],
)
def test_a_block_black_leaves_as_it_is_skips_black(block: str, fixed: bool) -> None:
    """Imports under TYPE_CHECKING and lists and dicts of plain strings, one a line with a trailing
    comma, are black's already (the full SDK's `models/__init__.py`: 418 KB, 0.66 s of black)."""
    assert formatting._black_fixed(block) is fixed
    if fixed:
        assert formatting.format_str(block, mode=formatting.MODE) == block


def _joined(parts: list[tuple[str, bool]]) -> str:
    """`top_level_parts`' parts joined as `_join` joins formatted pieces, each as it is: a part
    set apart after the newlines `_split` keeps before it."""
    gapped = [
        ["\n" * (len(text) - len(text.lstrip("\n")) + 1), text] if apart else [text] for text, apart in parts
    ]
    return formatting._join("m.py", [part for each in gapped for part in each])


def test_statements_black_leaves_are_parts_of_their_own_where_blank_lines_set_them_apart() -> None:
    """They are cut out with the blank lines before them (black keeps one or two at the top level),
    never after a docstring nor between imports, and the parts join back to the source."""
    header = '"""Doc."""\n\nfrom typing import TYPE_CHECKING\nimport os\n'
    checking = "\nif TYPE_CHECKING:\n    from .a import A\n"
    names = '\n\n__all__ = [\n    "A",\n]\n'
    version = '\n__version__ = "1"\n'
    tail = "\n\ndef f() -> None:\n    pass\n"
    source = header + checking + version + names + tail
    parts = formatting.top_level_parts(source)
    assert "".join(text for text, _ in parts) == source
    assert parts == [(header, False), (checking, True), (version, True), (names, True), (tail, False)]
    assert formatting.top_level_parts('"""Doc."""\n__all__ = [\n    "A",\n]\n')[0][1] is False
    crowded = header + checking.lstrip("\n") + "\n\n\n" + names.lstrip("\n")  # none, then three blank lines
    assert [apart for _, apart in formatting.top_level_parts(crowded)] == [False]
    assert _joined(parts) == source


def test_a_statement_after_imports_black_leaves_is_a_part_of_its_own() -> None:
    """A model module's first alias, after its header of plain imports and the one blank line
    black (and isort) put there, is cut from the header, which then skips black; the parts join
    back to the source, and the file formats as black formats it whole. Not after imports black
    would change, nor after two blank lines (black makes them one)."""
    header = "# Generated.\n\nfrom __future__ import annotations\n\nfrom .a import A\nfrom .b import B\n"
    alias = '\nX = TypeAliasType("X", A|B)\n"""An alias."""\n'
    tail = "\n\nclass C(BaseModel):\n    x: X\n"
    source = header + alias + tail
    parts = formatting.top_level_parts(source)
    assert parts == [(header, False), (alias, True), (tail, False)]
    assert formatting._black_fixed(header)
    assert _joined(parts) == source
    assert formatting.format_tree({"m.py": source}, "pkg")["m.py"] == _black_on_whole_file(source, "pkg")
    for crowded in (header + "\n" + alias + tail, header.replace("import A", "import (A)") + alias + tail):
        assert [apart for _, apart in formatting.top_level_parts(crowded)] == [False, False]


def _written_with_record(
    tmp_path: Path, files: dict[str, str], package: str, monkeypatch: pytest.MonkeyPatch
) -> tuple[dict[str, str], Path]:
    """The files formatted (with a cache of their own) and written with their record, as a run
    leaves its output folder: the formatted files, and the folder."""
    from generator.format_record import write_record

    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "first"))
    formatted, entries = formatting.format_with_record(files, package)
    out = tmp_path / "out"
    for path, text in {**formatted, ".sdkgen-format": write_record(entries)}.items():
        (out / path).parent.mkdir(parents=True, exist_ok=True)
        (out / path).write_text(text)
    return formatted, out


@contextmanager
def _compared_here(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The paths of the files `same_meaning` compares with their render, compared in this
    process (not on workers) to be counted."""
    compared: list[str] = []
    real = formatting.same_meaning
    with monkeypatch.context() as patched:
        patched.setattr(formatting, "PARALLEL_MIN_BYTES", 10**12)
        patched.setattr(
            formatting, "same_meaning", lambda path, a, b: compared.append(path) or real(path, a, b)
        )
        yield compared


def test_files_taken_from_the_record_are_compared_with_their_render_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Comparing each file on disk with its render costs seconds on a large SDK: the verdict for a
    pair of texts is remembered, and a file whose meaning differs is never taken."""
    from generator.format_record import read_prior

    package, files = _rendered(SPECS[0])
    formatted, out = _written_with_record(tmp_path, files, package, monkeypatch)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "fresh"))  # a fresh clone: only the record
    with _compared_here(monkeypatch) as compared:
        for _ in range(2):
            again, _ = formatting.format_with_record(files, package, read_prior(out))
            assert again == formatted
    different = sorted(path for path in formatted if formatted[path] != files[path])
    # each file compared once, in the first run only; a file that is its render needs no comparing
    assert different and sorted(compared) == different
    # on the workers, as a large SDK's files are compared: a forged file (its record entry made to
    # match) is formatted again from its render, the others taken from disk
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "forged"))
    monkeypatch.setattr(formatting, "PARALLEL_MIN_BYTES", 0)
    prior = read_prior(out)
    client = next(path for path in formatted if path.endswith("/_client.py"))
    prior.files[client] += "\nEXTRA = 1\n"
    monkeypatch.setattr(formatting, "_format_pieces", lambda pieces, *rest: {p: p.source for p in pieces})
    again, _ = formatting.format_with_record(files, package, prior)
    assert [path for path in formatted if again[path] != formatted[path]] == [client]
    assert "EXTRA" not in again[client]


def test_a_model_module_is_taken_as_the_record_says_unless_every_file_is_compared(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A model module made from the very render the record names is its file on disk, as the
    record says, with no comparison (as a group's modules are taken when its key is recorded,
    `models_on_disk`); every other file is compared, and `check --full` compares the models too."""
    from generator.format_record import read_prior

    package, files = _rendered(SPECS[0])
    formatted, out = _written_with_record(tmp_path, files, package, monkeypatch)
    index = f"{package}/models/__init__.py"
    models = [
        p for p in formatted if p.startswith(f"{package}/models/") and p != index and formatted[p] != files[p]
    ]
    model = models[0]
    client = next(path for path in formatted if path.endswith("/_client.py"))
    for models_as_recorded in (True, False):
        monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / f"fresh-{models_as_recorded}"))
        prior = read_prior(out, models_as_recorded=models_as_recorded)
        for path in (model, index, client):
            prior.files[path] += "\nEXTRA = 1\n"  # each record entry made to match
        with _compared_here(monkeypatch) as compared:
            again, _ = formatting.format_with_record(files, package, prior)
        assert "EXTRA" not in again[client] and "EXTRA" not in again[index]
        assert ("EXTRA" in again[model]) is models_as_recorded
        assert (model in compared) is not models_as_recorded and client in compared
        assert len([p for p in compared if p.startswith(f"{package}/models/")]) == (
            1 if models_as_recorded else len(models) + 1
        )


def test_a_files_meaning_worked_out_beforehand_spares_parsing_it_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a fresh clone's files on disk mean is worked out while the render child runs
    (`meanings_ahead`), but for the model modules taken as the record says: the comparison with their
    render parses the render alone, the verdicts are kept, and a file that means something else is
    still formatted again."""
    from generator.format_record import read_prior
    from generator.meaning import meaning_digest
    from generator.meanings_ahead import MeaningsAhead

    package, files = _rendered(SPECS[0])
    formatted, out = _written_with_record(tmp_path, files, package, monkeypatch)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "fresh"))
    prior = read_prior(out, models_as_recorded=True)
    ahead = MeaningsAhead(package, prior)
    order = []
    while ahead.step({}):
        order.append(next(reversed(prior.meanings)))
    wanted = {p for p in formatted if p.endswith((".py", ".md")) and not prior.taken_as_recorded(package, p)}
    # the models package's own module is compared; the model modules are not
    assert f"{package}/models/__init__.py" in wanted and any(
        prior.taken_as_recorded(package, p) for p in formatted
    )
    assert set(prior.meanings) == wanted and any(formatted[p] != files[p] for p in wanted)
    assert order == sorted(wanted, key=lambda p: (len(formatted[p]), p), reverse=True)
    assert prior.meanings == {path: meaning_digest(path, formatted[path]) for path in wanted}
    with _compared_here(monkeypatch) as parsed:
        again, _ = formatting.format_with_record(files, package, prior)
    assert again == formatted and not parsed
    # the verdicts are kept: only files that are their render are left to work out next time
    assert set(formatting.unconfirmed(package, read_prior(out, models_as_recorded=True))) == {
        p for p in wanted if formatted[p] == files[p]
    }
    # a file the child has sent is being compared already: passed over
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "shared"))
    prior = read_prior(out, models_as_recorded=True)
    assert MeaningsAhead(package, prior).step({order[0]: files[order[0]]})
    assert list(prior.meanings) == [order[1]]
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "forged"))
    prior = read_prior(out, models_as_recorded=True)
    client = next(path for path in wanted if path.endswith("/_client.py"))
    prior.files[client] += "\nEXTRA = 1\n"
    ahead = MeaningsAhead(package, prior)
    while ahead.step({}):
        pass
    monkeypatch.setattr(formatting, "_format_pieces", lambda pieces, *rest: {p: p.source for p in pieces})
    again, _ = formatting.format_with_record(files, package, prior)
    assert [path for path in formatted if again[path] != formatted[path]] == [client]
    assert "EXTRA" not in again[client]


def test_a_verdict_is_remembered_whatever_batch_its_file_comes_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`generate` formats the models in batches while the render child runs, and which files a
    batch holds changes from run to run: a verdict on a file on disk, or on a piece of a file
    formatted anew, holds in the next run whatever call it comes in."""
    from generator.format_record import read_prior

    package, files = _rendered(SPECS[0])
    formatted, out = _written_with_record(tmp_path, files, package, monkeypatch)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "fresh"))
    monkeypatch.setattr(formatting, "PARALLEL_MIN_BYTES", 10**12)  # compared here, to be counted
    compared: list[str] = []
    real = formatting.same_meaning
    monkeypatch.setattr(
        formatting, "same_meaning", lambda path, a, b: compared.append(path) or real(path, a, b)
    )
    pieces_compared: list[str] = []
    real_code = formatting.same_code
    monkeypatch.setattr(
        formatting,
        "same_code",
        lambda source, cached: pieces_compared.append(source) or real_code(source, cached),
    )
    # a module black changes (its pieces on disk differ from their render): a piece more, the
    # rest on disk, compared piece by piece
    client = next(path for path in files if path.endswith("/_client.py"))
    assert formatted[client] != files[client]
    edited = {**files, client: files[client] + "\n\nEDITED = 1\n"}
    paths = sorted(files)
    runs = [[paths[::2], paths[1::2]], [paths[:10], paths[10:]]]  # two runs, batched differently
    counts = []
    for batches in runs:
        compared.clear()
        pieces_compared.clear()
        for batch in batches:
            again, _ = formatting.format_with_record({p: edited[p] for p in batch}, package, read_prior(out))
            assert all(again[p] == formatted[p] for p in batch if p != client)
            assert again.get(client, "EDITED = 1\n").endswith("EDITED = 1\n")
        counts.append((len(compared), len(pieces_compared)))
    different = [path for path in formatted if formatted[path] != files[path] and path != client]
    assert counts[0][0] == len(different) > 0 and counts[0][1] > 0
    assert counts[1] == (0, 0)


_TRICKY = [
    "x = [\n    1,\n    2\n]\n",  # no magic comma: black joins it
    "x = [1, 2,]\n",  # magic trailing comma: black explodes it
    "def f(a, b,):\n  return {'a': a, 'b': (b if b else\n  None)}\n",
    "value: str | Literal['aaaaaaaaaaaaaaaa', 'bbbbbbbbbbbbbbbbbbb', 'cccccccccccccc', 'd'] | None = None\n",
    "result = some.function(argument_one, argument_two)[index].method(keyword=value, other=another_value)\n",
    "if a and \\\n   b:\n    pass  # comment\n",
    "class A:\n\n\n    x = 1 # trailing\n    def m(self): return '\\r'\n",
    "call(  # why\n  a,\n)\n",
    "def broken(:\n",  # black refuses it; ruff leaves it
]


def _laid_out(sources: list[str]) -> list[str]:
    """Each source as black is given it (`_format_pieces`): ruff's layout, long type hints mended."""
    _, _, laid_out, hinted = formatting._laid_out_by_ruff([formatting._Piece(s) for s in sources])
    mended = formatting._rehinted({n: laid_out[n] for n in hinted})
    return [mended.get(n, text) for n, text in enumerate(laid_out)]


def test_ruff_lays_out_and_black_has_the_last_word(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every piece of four specs' SDKs formats to the same text through ruff's layout as through
    black alone, and black's first pass keeps nearly all of ruff's layout (so its second pass does
    not run). Where the two disagree (ruff drops a blank line opening a class body, black keeps
    one), the result is black's layout of ruff's: black-stable, as `black --check` wants."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    pieces: list[formatting._Piece] = []
    for spec in SPECS:
        package, files = _rendered(spec)
        for path, text in files.items():
            parts = formatting._split(path, text, package) if path.endswith((".py", ".md")) else []
            pieces += [part for part in parts if isinstance(part, formatting._Piece)]
    laid_out = _laid_out([*_TRICKY, *(piece.source for piece in pieces)])
    tricky = list(zip(_TRICKY, laid_out[: len(_TRICKY)], strict=True))
    assert [lay != source for source, lay in tricky] == [True] * 8 + [False], "ruff ran"
    for source, lay in tricky:
        result = formatting._format_piece(formatting._Piece(source), lay)
        assert isinstance(result, Exception) or format_str(result, mode=formatting.MODE) == result
    kept = 0
    for piece, lay in zip(pieces, laid_out[len(_TRICKY) :], strict=True):
        alone, through_ruff = formatting._format_piece(piece, piece.source), formatting._format_piece(
            piece, lay
        )
        assert through_ruff == alone, piece.source
        kept += through_ruff == (formatting._sort_imports(lay, piece.package) if piece.package else lay)
    assert kept > 0.9 * len(pieces), f"black changed ruff's layout of {len(pieces) - kept} of {len(pieces)}"


def test_markdown_snippets_are_laid_out_by_ruff_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """A page's snippets are import-sorted and take ruff's layout (black's style) without a black
    pass; one ruff cannot read goes to black, which names the file."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    calls: list[str] = []
    real = formatting._format_piece
    monkeypatch.setattr(formatting, "_format_piece", lambda piece, lay: calls.append(lay) or real(piece, lay))
    page = "# Title\n\n```python\nfrom pkg import Client\nimport os\nx = [1,2,]\nprint( 'a' )\n```\n"
    out = formatting.format_tree({"docs/page.md": page}, "pkg")["docs/page.md"]
    snippet = out.split("```python\n")[1].split("```")[0]
    assert snippet == 'import os\n\nfrom pkg import Client\n\nx = [\n    1,\n    2,\n]\nprint("a")\n'
    assert format_str(snippet, mode=formatting.MODE) == snippet and calls == []
    with pytest.raises(RuntimeError, match="docs/broken.md has invalid Python"):
        formatting.format_tree({"docs/broken.md": "```python\ndef broken(:\n```\n"}, "pkg")
    assert calls == ["def broken(:\n"]
    # ruff failing on its own names no file: nothing it left is taken, black formats every snippet
    failing = subprocess.CompletedProcess([], 2, "", "ruff crashed\n")
    monkeypatch.setattr(formatting.subprocess, "run", lambda *args, **kwargs: failing)
    calls.clear()
    assert formatting.format_tree({"docs/page.md": page}, "pkg")["docs/page.md"] == out
    assert len(calls) == 1


_LONG_HINTS = '''class Client:
    async def create(
        self,
        *,
        secondary_sources_version_override: ProjectSecondarySourceVersions | NotGiven = NOT_GIVEN,
        secondary_sources_version_override_required: ProjectSecondarySourceVersions | NotGiven,
        kind: Literal["aaaaaaaaaaaaaaaaaaaa", "bbbbbbbbbbbbbbbbbbbbb", "cccccccccccccc"] | NotGiven = 1,
        short: int | NotGiven = NOT_GIVEN,
    ) -> None:
        """Crée: a docstring with a | bar, a line\u2028separator and\x0ca form feed."""
        values = {"é": 1}; self.named_with_accent_é(valueé := 1, hint_after_accent=lambda x: x | y)


def create(
    é: str, *, secondary_sources_version_override_value: ProjectSecondarySourceVersions | None = None
) -> None:
    pass
'''


def test_long_type_hints_are_laid_out_as_black_lays_them_out() -> None:
    """Ruff splits a parameter's type hint that does not fit at its `|`, black puts it in
    parentheses: the hints are parenthesized and ruff runs again, so black's first pass keeps the
    layout and its second does not run; the result is black's, and a short hint keeps no
    parentheses."""
    black_alone = format_str(_LONG_HINTS, mode=formatting.MODE)
    plain_ruff = formatting._ruff_format([_LONG_HINTS])[0]
    assert plain_ruff is not None and plain_ruff != black_alone, "ruff alone lays the hints out otherwise"
    source = _LONG_HINTS * (formatting.RUFF_MIN_BYTES // len(_LONG_HINTS) + 1)  # ruff runs for it
    laid_out = _laid_out([source])[0]
    assert laid_out == format_str(source, mode=formatting.MODE)
    assert laid_out.count("short: int | NotGiven = NOT_GIVEN,") == source.count("short: int")
    assert laid_out.count(": (\n") == 4 * source.count("short: int")


def test_the_early_formatting_leaves_the_render_childs_core_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    """On two cores, one busy, formatting stays in this process: no pool is started, however
    large the work, and the result is black's."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    monkeypatch.setattr(formatting.os, "cpu_count", lambda: 2)
    assert (formatting.spare_cores(busy=1), formatting.spare_cores(), formatting.spare_cores(busy=5)) == (
        1,
        2,
        1,
    )
    monkeypatch.setattr(formatting.os, "cpu_count", lambda: 16)
    assert (formatting.spare_cores(busy=1), formatting.spare_cores()) == (4, 4)

    def no_pool(*args: object, **kwargs: object) -> None:
        raise AssertionError("a worker pool was started")

    monkeypatch.setattr(formatting, "ProcessPoolExecutor", no_pool)
    files = {f"m{n}.py": f"def f{n}(a,b):\n    return {{'a':a,'b':b, 'n':{n}}}\n" * 400 for n in range(4)}
    assert sum(map(len, files.values())) > formatting.PARALLEL_MIN_BYTES
    formatted, _ = formatting.format_with_record(files, "pkg", cores=1)
    assert formatted == {path: _black_on_whole_file(text, "pkg") for path, text in files.items()}
    with pytest.raises(AssertionError, match="pool was started"):
        formatting.format_with_record(files, "pkg", cores=2)


def test_work_on_cores_goes_in_bins_of_equal_weight_and_comes_back_in_order(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """One large file beside many small ones (the full SDK's `request_builders.py`, a quarter of
    its client modules): the bins are even, heaviest first, and the results keep the calls' order;
    many calls (a cold run's 10,000 blocks) go in bins of about 16, so that no core is left alone
    with a large one at the end (eight bins left one 0.8 s of a cold run's formatting)."""
    weights = [641, 183, 149, 120, 110, 80, 73, 69, 68, 65, 63, 61, 59, 56, 55, 52, 50, 48, 42] + [15] * 20
    bins = formatting._balanced(weights, 4)
    assert sorted(i for b in bins for i in b) == list(range(len(weights)))
    totals = [sum(weights[i] for i in b) for b in bins]
    assert totals == sorted(totals, reverse=True) and bins[0] == [0]  # the large file alone
    assert max(totals[1:]) - min(totals[1:]) <= 15
    assert formatting._balanced([5, 1], 8) == [[0], [1]]
    calls = [(f"{n}" * weight,) for n, weight in enumerate([30_000, 5, 20_000, 7, 9_000])]
    with formatting.Cores(2) as cores:
        assert cores.map(len, calls, [len(c[0]) for c in calls]) == [30_000, 5, 20_000, 7, 9_000]
    counts: list[int] = []
    real = formatting._balanced
    monkeypatch.setattr(formatting, "_balanced", lambda w, count: counts.append(count) or real(w, count))
    many = [(str(n) * 100,) for n in range(1_000)]
    with formatting.Cores(2) as cores:
        assert cores.map(len, many, [100] * 1_000) == [len(c[0]) for c in many]
    assert counts == [1_000 // formatting.CALLS_PER_BIN]


def test_imports_in_a_nested_block_mean_the_same_in_isorts_order() -> None:
    """isort orders the imports under `if TYPE_CHECKING:` too (the full SDK's `__init__` and
    resources): a file on disk so ordered says what its render says, and is not formatted again."""
    rendered = (
        "from typing import TYPE_CHECKING\n\nif TYPE_CHECKING:\n"
        "    from .models import AddUploadPartRequest, AdditionalTools\n    from .b import B\n"
        "    from .a import A\nx = 1\n"
    )
    formatted = formatting.format_tree({"pkg/m.py": rendered}, "pkg")["pkg/m.py"]
    assert formatted.index("AdditionalTools") < formatted.index("AddUploadPartRequest")
    assert formatted.index("from .a import") < formatted.index("from .b import")
    assert formatting.same_meaning("pkg/m.py", rendered, formatted)
    assert not formatting.same_meaning("pkg/m.py", rendered.replace("B\n", "C\n"), formatted)
    assert not formatting.same_meaning("pkg/m.py", rendered.replace("x = 1", "x = 2"), formatted)
    moved = rendered.replace("    from .a import A\nx = 1\n", "x = 1\nfrom .a import A\n")  # out of the block
    assert not formatting.same_meaning("pkg/m.py", moved, formatted)


def test_a_file_means_what_its_render_means_whatever_its_layout() -> None:
    """The output folder vouches for its layout only: a file laid out anew, its imports reordered
    and its docstrings re-indented, means its render; a value, a name, an import or a docstring
    changed does not, nor does a value of another type (1 for True) or an attribute's docstring
    reworded."""
    rendered = (
        'from b import y\nfrom a import x\n\nclass A:\n    """Some  words\n    here."""\n'
        '    size: int = 1\n    """The size."""\n    flag: bool = True\n\n'
        "def f(a,b):\n    return {'a':a,'b':(b if b else\n  None)}\n"
    )
    formatted = formatting.format_tree({"pkg/m.py": rendered}, "pkg")["pkg/m.py"]
    assert formatted != rendered
    assert formatting.same_meaning("pkg/m.py", rendered, formatted)
    for old, new in [
        ("size: int = 1", "size: int = 2"),
        ("size: int = 1", "size: int = True"),
        ("flag: bool = True", "flag: bool = 1"),
        ("The size.", "The width."),
        ("b if b else", "b if a else"),
        ("Some  words", "Some other words"),
        ("from a import x", "from a import z"),
    ]:
        assert old in rendered
        assert not formatting.same_meaning("pkg/m.py", rendered.replace(old, new), formatted), new


def test_a_module_is_read_a_block_at_a_time_and_whole_where_a_cut_falls_in_a_string() -> None:
    """A module's meaning is worked out a top-level block at a time (the syntax tree of the full
    SDK's 640 KB `request_builders.py`, whole, put 33 MB on the peak); a line that looks like a
    block's start inside a string or brackets sends it back to the whole module, so the meaning
    is the same either way, and its hash can stand for it (`meaning_digest`)."""
    from generator import meaning

    tricky = (
        'import os\nNOTE = """\n\ndef not_a_function():\n    pass\n"""\nPRODUCT = (a\n\n@ b)\n'
        "\n@decorated\ndef f(a, b):\n    return a\n\nclass C:\n    x: int = 1\n"
    )
    assert [block.split("\n")[0] for block in meaning.code_blocks(tricky)] == [
        "import os",
        "def not_a_function():",  # in a string
        "@ b)",  # in brackets
        "@decorated",
        "class C:",
    ]
    formatted = formatting.format_tree({"pkg/m.py": tricky}, "pkg")["pkg/m.py"]
    assert formatted != tricky and formatting.same_meaning("pkg/m.py", tricky, formatted)
    whole = meaning._statements_digest([tricky])
    assert meaning.meaning_digest("pkg/m.py", tricky) == whole
    assert meaning.meaning_digest("pkg/m.py", formatted) == whole
    plain = "import os\n\n\n@decorated\ndef f():\n    return 1\n\n\nclass C:\n    x = 1\n"
    assert len(meaning.code_blocks(plain)) == 3, "cut where each block parses"
    assert meaning._statements_digest(meaning.code_blocks(plain)) == meaning._statements_digest([plain])
    for old, new in [("pass\n", "return\n"), ("@ b", "@ c"), ("return a", "return b")]:
        assert old in tricky
        assert not formatting.same_meaning("pkg/m.py", tricky.replace(old, new), formatted), new
    # not Python: two such texts say the same (nothing), and nothing that parses
    assert formatting.same_meaning("pkg/m.py", "def (:\n", "class :\n")
    assert not formatting.same_meaning("pkg/m.py", "def (:\n", "x = 1\n")


def test_one_pool_and_one_ruff_run_serve_a_whole_formatting(monkeypatch: pytest.MonkeyPatch) -> None:
    """Splitting the files and formatting their pieces share the worker processes, forked once;
    Markdown's snippets go to ruff in the code pieces' run (each pool's start and end, and each
    ruff run, took ~10 ms of a small spec's run)."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    pools: list[object] = []
    ruff_runs: list[int] = []
    real_pool, real_ruff = formatting.ProcessPoolExecutor, formatting._ruff_format
    monkeypatch.setattr(formatting, "ProcessPoolExecutor", lambda **kw: pools.append(kw) or real_pool(**kw))
    monkeypatch.setattr(formatting, "_ruff_format", lambda s: ruff_runs.append(len(s)) or real_ruff(s))
    body = "".join(f"def f{n}(a,b):\n    return {{'a':a,'b':b, 'n':{n}}}\n" for n in range(400))
    files = {f"m{m}.py": body.replace("def f", f"def m{m}_f") for m in range(4)}
    files["docs/page.md"] = "# Page\n\n```python\nimport os\nx=[1,2]\n```\n"
    assert sum(map(len, files.values())) > formatting.PARALLEL_MIN_BYTES
    formatted, _ = formatting.format_with_record(files, "pkg", cores=2)
    assert {p: formatted[p] for p in files if p.endswith(".py")} == {
        p: _black_on_whole_file(text, "pkg") for p, text in files.items() if p.endswith(".py")
    }
    assert "x = [1, 2]" in formatted["docs/page.md"]
    assert len(pools) == 1 and [n for n in ruff_runs if n] == [4 * 400 + 1]  # none for no sources


_REAL_FORMAT_PIECE = formatting._format_piece
_BLACK_HERE: list[int] = []  # the black calls made in this process (a worker's go to its own copy)


def _format_piece_noted(piece: formatting._Piece, laid_out: str) -> str | Exception:
    _BLACK_HERE.append(os.getpid())
    return _REAL_FORMAT_PIECE(piece, laid_out)


def test_black_begins_while_long_type_hints_are_mended(monkeypatch: pytest.MonkeyPatch) -> None:
    """The larger half of the pieces ruff has laid out for good go to black's workers before the
    others' long type hints are put in parentheses (`_rehinted`, in this process meanwhile); every
    piece, of either kind, ends as black lays out its whole file."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    started: list[int] = []
    mended: list[tuple[int, list[int]]] = []
    real_start, real_rehinted = formatting.Cores.start, formatting._rehinted

    def start(self: formatting.Cores, func: Any, calls: list[Any], weights: list[int]) -> Any:
        started.append(len(calls))
        return real_start(self, func, calls, weights)

    def rehinted(laid_out: dict[int, str]) -> dict[int, str]:
        mended.append((len(laid_out), list(started)))
        return real_rehinted(laid_out)

    monkeypatch.setattr(formatting.Cores, "start", start)
    monkeypatch.setattr(formatting, "_rehinted", rehinted)
    monkeypatch.setattr(formatting, "_format_piece", _format_piece_noted)
    _BLACK_HERE.clear()
    body = "".join(f"def f{n}(a,b):\n    return {{'a':a,'b':b, 'n':{n}}}\n" for n in range(400))
    files = {f"m{m}.py": body.replace("def f", f"def m{m}_f") for m in range(3)}
    files["hints.py"] = _LONG_HINTS
    assert sum(map(len, files.values())) > formatting.PARALLEL_MIN_BYTES
    formatted, _ = formatting.format_with_record(files, "pkg", cores=2)
    assert formatted == {path: _black_on_whole_file(text, "pkg") for path, text in files.items()}
    # the split (4 files), then black on the larger half of the 1,200 plain pieces, begun before
    # the 2 hinted ones' mending, then on those, then on the smaller half
    started = [n for n in started if n]  # no file on disk to compare with
    assert [(n, [k for k in before if k]) for n, before in mended] == [(2, started[:2])]
    assert started[0] == 4 and started[2] == 2 and started[1] + started[3] == 1200
    assert 300 < started[1] < 900
    # each part on the workers, running since the split, though none alone would pay for forking them
    assert sum(len(text) for text in files.values()) / 2 < formatting.PARALLEL_MIN_BYTES
    assert _BLACK_HERE == []


def test_pages_ruff_lays_out_are_ready_while_black_formats_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    """The files whose pieces are all known once black's work is handed out (pages, whose
    snippets ruff lays out) go to `ready` then, with their final text, before any of black's
    results is taken; the Python files black formats do not."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    events: list[str] = []
    real_start = formatting.Cores.start

    def start(self: formatting.Cores, func: Any, calls: list[Any], weights: list[int]) -> Any:
        results = real_start(self, func, calls, weights)
        if func is not formatting._format_piece:
            return results
        return lambda: events.append("black's results") or results()

    monkeypatch.setattr(formatting.Cores, "start", start)
    body = "".join(f"def f{n}(a,b):\n    return {{'a':a,'b':b, 'n':{n}}}\n" for n in range(300))
    page = "# Title\n\n```python\nfrom pkg import Client\nx = [1,2,]\n```\n\nText.\n"
    files = {
        "m.py": body,
        "docs/a.md": page,
        "docs/b.md": page.replace("Title", "Other"),
        "notes.md": "# No code\n",
    }
    ready: list[dict[str, str]] = []
    formatted, _ = formatting.format_with_record(
        files, "pkg", cores=2, ready=lambda done: ready.append(done) or events.append("ready")
    )
    assert formatted == formatting.format_tree(files, "pkg")
    assert events[0] == "ready" and events[1:] == ["black's results"] * (len(events) - 1)
    assert ready == [{path: formatted[path] for path in ("docs/a.md", "docs/b.md", "notes.md")}]


def test_statements_formatted_ahead_are_the_pieces_of_the_files_that_hold_them(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A model module's definitions, formatted before the module comes (`formatted_ahead`), are
    its pieces as black formats them: the module takes them without black."""
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    classes = [
        "class A(BaseModel):\n    x: int=1\n    y: Annotated[str|None, Field(description='Why.')] = None",
        'class B(BaseModel):\n    """A \ud800 lone surrogate."""\n    a: A',
    ]
    alias = 'C = TypeAliasType("C", A|B)'
    module = "# Generated.\n\nfrom __future__ import annotations\n\nfrom .x import BaseModel\n"
    module += f"\n{alias}\n\n\n" + "\n\n\n".join(classes) + "\n"
    ahead = formatting.formatted_ahead([*classes, alias, "def broken(:"], cores=1)
    assert len(ahead) == 3  # one black cannot format is left to its file
    monkeypatch.setattr(formatting, "_format_piece", _format_piece_noted)
    _BLACK_HERE.clear()
    formatted, _ = formatting.format_with_record({"m.py": module}, "pkg", cores=1, known=ahead)
    assert formatted["m.py"] == _black_on_whole_file(module, "pkg")
    assert _BLACK_HERE == []
    assert all(text in formatted["m.py"] for text in ahead.values())


def test_ruff_is_found_from_several_threads_at_once() -> None:
    """The model batches of a small spec are formatted from a thread while the last files are in
    this one: ruff's executable is found by `sysconfig`, whose first reading in two threads at
    once left one without it (a TypeError in `find_ruff_bin`)."""
    probe = (
        "import threading\n"
        "from generator import formatting\n"
        "start, found = threading.Barrier(8), []\n"
        "def find():\n"
        "    start.wait()\n"
        "    found.append(formatting._ruff_bin())\n"
        "threads = [threading.Thread(target=find) for _ in range(8)]\n"
        "[t.start() for t in threads]\n"
        "[t.join() for t in threads]\n"
        "print(len(found), len(set(found)), found[0] is not None)\n"
    )
    run = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr
    assert run.stdout.split() == ["8", "1", "True"]


def test_the_full_sdk_is_as_black_leaves_it(full_sdk: Path) -> None:
    """Every Python file of the full OpenAI SDK, pieces black never saw included (the 418 KB
    `models/__init__.py`, each model module's imports), is what black's own command leaves as it is."""
    black = ROOT / ".venv" / "bin" / "black"
    options = ["--check", "--quiet", "--line-length", "88", "--target-version", "py311"]
    run = subprocess.run([str(black), *options, str(full_sdk)], capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stderr[-3000:]
    assert len(list(full_sdk.rglob("*.py"))) > 1500
