"""Format generated Python with isort and black, in process, at the versions pinned in constraints.txt.

Formatting is the costliest stage on a large spec. Black formats each top-level class and function
of a module on its own terms (two blank lines around it, nothing else from its neighbours), so a
module is cut into those pieces: each piece is cached by its content, an edit to one schema
reformats one class rather than a megabyte, and the pieces of a cold run spread evenly over the
machine's cores. tests/test_formatting.py holds the result equal to black on whole files.

Markdown pieces are its Python snippets, which show how to call the SDK: ruff's formatter alone
lays them out (black's style, in a twentieth of black's time; on the full OpenAI spec's 986
snippets they differ in 3, where ruff keeps `async for item in await client.x(` on one line).

Black formats in two passes whenever its first pass changes the code. The pieces it will format
are first laid out by ruff's formatter (under a second for all of them), whose layout is black's
for nearly all code, so black's first pass mostly changes nothing and its second does not run: a
third less black time. Black has the last word on every piece of code, so the code is
black-stable; on the test specs and the full OpenAI spec it is black's own, byte for byte.
"""

from __future__ import annotations

import ast
import bisect
import gc
import heapq
import itertools
import os
import re
import subprocess
import tempfile
import threading
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import cache, cached_property
from pathlib import Path
from types import MappingProxyType
from typing import Any, TypeVar

import isort
from black import format_str
from black.mode import Mode, TargetVersion
from black.parsing import InvalidInput

from . import cache as results
from .collector import collector_paused, parse
from .format_record import Entry, Prior, digest
from .meaning import PYTHON_FENCE, meaning_digest, same_code, same_meaning

MODE = Mode(target_versions={TargetVersion.PY311}, line_length=88)
PARALLEL_MIN_BYTES = 40_000  # below this, forking workers costs more than they save
BINS_PER_CORE = 4  # a bin whose work took longer than its size said is made up for by the others
CALLS_PER_BIN = 16  # about as many at most: a core left alone at the end has a small bin to finish
RUFF_MIN_BYTES = 5_000  # ruff starts in ~15 ms; a black pass takes ~3.6 ms per KB
T = TypeVar("T")
_TOP_LEVEL_BLOCKS = (ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)
_ANY_FENCE = re.compile(r"^```.*?^```$", re.DOTALL | re.MULTILINE)


@dataclass(frozen=True)
class _Piece:
    """Python source formatted on its own; `package` is set for a Markdown snippet, which isort
    has not seen yet (it needs the package to tell first-party imports) and ruff alone lays out,
    and empty for the blocks of a module already sorted."""

    source: str
    package: str = ""
    # a snippet's source import-sorted: made where `_split` cuts the page (on a worker), which
    # makes every snippet piece; not part of the piece's identity
    imports_sorted: str = field(default="", compare=False)

    @property
    def digest(self) -> str:
        return digest(f"{self.package}\0{self.source}")


@cache
def _isort_config(package: str) -> isort.Config:
    return isort.Config(profile="black", line_length=88, known_first_party=frozenset({package}), quiet=True)


def format_tree(files: dict[str, str], package: str, prior: Prior | None = None) -> dict[str, str]:
    """Each Python file sorted and formatted; Markdown with its Python snippets formatted too."""
    return format_with_record(files, package, prior)[0]


def format_with_record(
    files: dict[str, str],
    package: str,
    prior: Prior | None = None,
    formatted_already: frozenset[str] = frozenset(),
    cores: int | Cores = 0,
    ready: Callable[[dict[str, str]], None] | None = None,
    known: Mapping[str, str] = MappingProxyType({}),
) -> tuple[dict[str, str], dict[str, Entry]]:
    """The formatted files, and what the record says of each. A file is taken as it is when it
    is `formatted_already`, from the output folder (`prior`) when it was formatted from the same
    render (and means what the render says, unless it is `taken_as_recorded`), from the cache,
    or else formatted; a file formatted anew takes its unchanged pieces from its copy in the
    folder. The work spreads over `cores` (all of them when 0). The files formatted anew whose
    pieces are all known before black's results go to `ready` while black works (the writer
    stages them meanwhile). `known`: code pieces formatted already (`formatted_ahead`), by source."""
    if isinstance(cores, Cores):
        return _format_with_record(files, package, prior or Prior(), formatted_already, cores, ready, known)
    with Cores(cores or spare_cores()) as on_cores:
        return _format_with_record(
            files, package, prior or Prior(), formatted_already, on_cores, ready, known
        )


def _format_with_record(
    files: dict[str, str],
    package: str,
    prior: Prior,
    formatted_already: frozenset[str],
    cores: Cores,
    ready: Callable[[dict[str, str]], None] | None,
    known: Mapping[str, str],
) -> tuple[dict[str, str], dict[str, Entry]]:
    done: dict[str, str] = {}
    entries: dict[str, Entry] = {}
    to_cut: list[str] = []  # the files formatted anew
    reusable: dict[str, str] = {}  # piece hash -> its formatted text in a file on disk
    keys: dict[str, str] = {}
    on_disk: dict[str, str] = {}  # files formatted from the same render, if they mean what it says
    for path, text in files.items():
        if path in formatted_already:
            done[path], entries[path] = text, Entry(digest(text), digest(text), ())
            continue
        keys[path] = results.key("format", package, path.rsplit(".", 1)[-1], text)
        cached = results.get("format", keys[path])  # first: trusted, and cheaper than checking the disk
        if isinstance(cached, list) and len(cached) == 2:
            done[path] = cached[0]
            entries[path] = Entry(digest(cached[0]), digest(text), tuple(cached[1]))
        elif (found := prior.file_for(path, text)) is None:
            to_cut.append(path)
        elif prior.taken_as_recorded(package, path):
            done[path], entries[path] = found, prior.entries[path]
        else:
            on_disk[path] = found
    verdicts = _meaning_verdicts(package, files, on_disk, cores, prior.meanings)
    for path, same in zip(on_disk, verdicts, strict=True):
        if same:
            done[path], entries[path] = on_disk[path], prior.entries[path]
        else:
            to_cut.append(path)
    for path in to_cut:
        if path in prior.entries:
            reusable.update(_pieces_on_disk(path, prior.files[path], prior.entries[path]))
    calls = [(p, files[p], package) for p in to_cut]
    cut = cores.map(_split, calls, [len(files[p]) for p in to_cut])
    split = dict(zip(to_cut, cut, strict=True))  # path -> its pieces and the plain text between them
    pieces = {part for parts in split.values() for part in parts if isinstance(part, _Piece)}
    joined: dict[str, str] = {}  # the files whose pieces were all known before black's results

    def meanwhile(found: dict[_Piece, str | InvalidInput]) -> None:
        for path, parts in split.items():
            if all(isinstance(p, str) or isinstance(found.get(p), str) for p in parts):
                joined[path] = _join(path, [found[p] if isinstance(p, _Piece) else p for p in parts])
        if ready is not None and joined:
            ready(dict(joined))

    formatted = _format_pieces(pieces, reusable, cores, meanwhile, known)
    for path, parts in split.items():
        try:
            text = (
                joined[path]
                if path in joined
                else _join(path, [formatted[p] if isinstance(p, _Piece) else p for p in parts])
            )
        except InvalidInput as exc:  # a template bug, not a spec problem: say which file
            raise RuntimeError(f"generated {path} has invalid Python: {exc}") from exc
        hashes = tuple(p.digest for p in parts if isinstance(p, _Piece))
        results.put("format", keys[path], [text, hashes])
        done[path] = text
        entries[path] = Entry(digest(text), digest(files[path]), hashes)
    return {path: done[path] for path in files}, entries


def _pieces_on_disk(path: str, text: str, entry: Entry) -> dict[str, str]:
    """A formatted file cut back into the pieces it was joined from, by their recorded hashes;
    nothing when the cut does not give as many pieces as were recorded."""
    if path.endswith(".py"):
        found = [block.strip("\n") + "\n" for block in top_level_blocks(text) if block.strip()]
    elif path.endswith(".md"):
        found = [fence.group(1) for fence in PYTHON_FENCE.finditer(text)]
    else:
        found = []
    return dict(zip(entry.pieces, found, strict=True)) if len(found) == len(entry.pieces) else {}


def _as_written(text: str) -> str:
    """A lone surrogate (from a spec's "\\ud800") cannot be written as UTF-8: it stays an escape,
    which inside a Python string literal means the same character."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _split(path: str, text: str, package: str) -> list[_Piece | str]:
    text = _as_written(text)
    if path.endswith(".py"):
        parts: list[_Piece | str] = []
        for block, apart in top_level_parts(_sort_imports(text, package)):
            # without the blank lines black would drop: a block already in its style is formatted
            # once; those black keeps before a part set apart go along, for `_join`
            source = block.lstrip("\n")
            parts += ["\n" * (len(block) - len(source) + 1), _Piece(source)] if apart else [_Piece(source)]
        return parts
    if path.endswith(".md"):  # snippets in docs look like the code they call
        parts = []
        last = 0
        for fence in PYTHON_FENCE.finditer(text):
            snippet = fence.group(1)
            parts += [text[last : fence.start(1)], _Piece(snippet, package, _sort_imports(snippet, package))]
            last = fence.end(1)
        return [*parts, text[last:]]
    return [text]


def _join(path: str, parts: list[str | InvalidInput]) -> str:
    for part in parts:
        if isinstance(part, InvalidInput):
            raise part
    texts = [str(part) for part in parts]
    if path.endswith(".py"):  # two blank lines before each top-level block, as black puts them,
        joined, gap = "", ""  # or those the part set apart kept (`_split`: newlines alone)
        for text in texts:
            if text.startswith("\n") and not text.strip("\n"):
                gap = text
            elif text.strip():
                joined += (gap or "\n\n\n") + text.strip("\n") if joined else text.strip("\n")
                gap = ""
        return joined + "\n" if joined else ""
    text = "".join(texts)
    if path.endswith(".md"):
        text = _single_blank_lines(text)
    return text.rstrip("\n") + "\n" if text else text


def top_level_blocks(source: str) -> list[str]:
    """`top_level_parts`' texts."""
    return [text for text, _ in top_level_parts(source)]


def top_level_parts(source: str) -> list[tuple[str, bool]]:
    """The source cut before each top-level class and function (with its decorators and the
    comments above it), where black puts two blank lines; around each top-level statement black
    leaves as it is (`_black_fixed`: the full SDK's `models/__init__.py` is 418 KB of them, 0.66 s
    of black) where one or two blank lines set it apart, which black keeps; and after imports
    black leaves as they are, before a statement one blank line sets apart, as black sets it (a
    model module's header and its first alias: 147 KB of the full spec's 1.3 MB of models). Such
    a part is marked True, and keeps its blank lines. Each part begins where the statement before
    it ends. The whole source when it does not parse, for black to report."""
    try:
        body = parse(source).body
    except SyntaxError:
        return [(source, False)]
    starts = [*_line_starts(source), len(source)]
    lines = source.split("\n")
    cuts = [(0, False)]
    fixed = [False] * len(body)  # whether each statement (with the comments above) is `_black_fixed`
    for n, (before, node) in enumerate(zip(body, body[1:], strict=False), 1):
        previous_end = before.end_lineno or before.lineno
        start = min([node.lineno, *(d.lineno for d in getattr(node, "decorator_list", []))])
        if isinstance(node, _TOP_LEVEL_BLOCKS) and start > previous_end:
            cuts.append((previous_end, False))  # everything after the previous statement: blanks, comments
            continue
        first = _set_apart(lines, previous_end, node.lineno)
        if first is None or _a_string(node) or _a_string(before) or isinstance(before, _TOP_LEVEL_BLOCKS):
            continue
        if isinstance(node, _SET_APART):
            fixed[n] = _black_fixed(source[starts[first - 1] : starts[node.end_lineno or node.lineno]])
        after_imports = (  # the part so far: imports black leaves as they are
            isinstance(node, _SET_APART)
            and isinstance(before, (ast.Import, ast.ImportFrom))
            and first == previous_end + 2  # the one blank line black (and isort) put after imports
            and _black_fixed(source[starts[cuts[-1][0]] : starts[previous_end]])
        )
        if fixed[n] or fixed[n - 1] or after_imports:
            cuts.append((previous_end, True))
    offsets = [*(starts[line] for line, _ in cuts), len(source)]
    return [(source[a:b], apart) for a, b, (_, apart) in zip(offsets, offsets[1:], cuts, strict=False)]


def _set_apart(lines: list[str], previous_end: int, start: int) -> int | None:
    """The line (1-based) where the statement on line `start` begins with the comments right
    above it, when one or two blank lines stand before those and after line `previous_end`, and
    nothing else; else None."""
    between = lines[previous_end : start - 1]
    blank = len(between) - len(list(itertools.dropwhile(lambda line: line == "", between)))
    comments = between[blank:]
    if not 1 <= blank <= 2 or not all(_COMMENT_LINE.fullmatch(line) for line in comments):
        return None
    return start - len(comments)


def _a_string(node: ast.stmt) -> bool:
    """A string statement: a docstring where it begins a part."""
    return (
        isinstance(node, ast.Expr)
        and isinstance(node.value, ast.Constant)
        and isinstance(node.value.value, str)
    )


def _line_starts(source: str) -> list[int]:
    """Where each line begins, as `ast` counts lines (at `\n` alone, unlike `splitlines`)."""
    return [0, *(m.end() for m in re.finditer("\n", source))]


def _meaning_verdicts(
    package: str, rendered: dict[str, str], on_disk: dict[str, str], cores: Cores, meanings: dict[str, bytes]
) -> list[bool]:
    """Whether each file on disk says what its render says (`same_meaning`, on the cores given when
    there are enough to compare; the render's side alone where the file's `meaning_digest` is in
    `meanings`), each pair of texts compared once (`_Verdicts`)."""
    verdicts = _Verdicts("files", package)
    keys = {path: f"{digest(rendered[path])}\0{digest(text)}" for path, text in on_disk.items()}
    todo = [
        path for path in on_disk if not verdicts.known(path, keys[path]) and on_disk[path] != rendered[path]
    ]
    calls = [
        (
            (path, rendered[path], "", meanings[path])
            if path in meanings
            else (path, rendered[path], on_disk[path], b"")
        )
        for path in todo
    ]
    weights = [len(rendered[path]) * (1 if path in meanings else 2) for path in todo]
    compared = dict(zip(todo, cores.map(_same_meaning, calls, weights), strict=True))
    for path, same in compared.items():
        if same:
            verdicts.confirm(path, keys[path])
    verdicts.save()
    return [compared.get(path, True) for path in on_disk]


def _same_meaning(path: str, rendered: str, formatted: str, formatted_meaning: bytes) -> bool:
    """`same_meaning`; with the formatted file's `meaning_digest` known, the render's side alone."""
    if formatted_meaning:
        return meaning_digest(path, rendered) == formatted_meaning
    return same_meaning(path, rendered, formatted)


def unconfirmed(package: str, prior: Prior) -> list[str]:
    """The Python modules and Markdown pages on disk that no verdict kept holds (whatever their
    render), but those taken as the record says (`Prior.taken_as_recorded`): the files whose
    meaning is worth working out before their render comes (`meanings_ahead`)."""
    kept = _Verdicts("files", package)
    return [
        path
        for path, entry in prior.entries.items()
        if path.endswith((".py", ".md"))
        and not prior.taken_as_recorded(package, path)
        and not kept.holds(path, entry.written)
    ]


class _Verdicts:
    """Pairs of texts found to mean the same: facts about the two texts (unlike a formatting, which
    only black vouches for), so remembered across runs, one cache entry per kind and package
    holding the last pair confirmed for each subject (a file's path, a piece's hash). One entry,
    not one per set of files compared: the files formatted while the render child runs come in
    batches that differ from run to run, and 3,300 entries, one per file, took 1.5 s to write."""

    LIMIT = 50_000  # subjects kept, the least recently confirmed dropped first

    def __init__(self, kind: str, package: str) -> None:
        self._name = results.key("meanings", kind, package)
        self._changed = False

    @cached_property
    def _pairs(self) -> dict[str, str]:
        """Read when first asked: most batches have no file or piece on disk to ask about."""
        found = results.get("meanings", self._name)
        return found if isinstance(found, dict) else {}

    def known(self, subject: str, pair: str) -> bool:
        return self._pairs.get(subject) == pair

    def holds(self, subject: str, second: str) -> bool:
        """Whether the pair confirmed last for `subject` ends with this digest."""
        return self._pairs.get(subject, "").endswith(f"\0{second}")

    def confirm(self, subject: str, pair: str) -> None:
        if self._pairs.get(subject) != pair:
            self._pairs.pop(subject, None)
            self._pairs[subject] = pair
            self._changed = True

    def save(self) -> None:
        if self._changed:
            kept = list(self._pairs.items())[-self.LIMIT :]
            results.put("meanings", self._name, dict(kept))
            self._changed = False


def _format_pieces(
    pieces: set[_Piece],
    on_disk: dict[str, str],
    cores: Cores,
    meanwhile: Callable[[dict[_Piece, str | InvalidInput]], None] = lambda found: None,
    known: Mapping[str, str] = MappingProxyType({}),
) -> dict[_Piece, str | InvalidInput]:
    """Pieces from `known` (code pieces formatted ahead, by source), the files on disk or the
    cache; the rest formatted, on `cores` when there is enough. `meanwhile` is given the pieces
    known before black's (ruff's, the cache's) while black works on the others."""
    out: dict[_Piece, str | InvalidInput] = {}
    todo: list[_Piece] = []
    keys = {piece: results.key("format-piece", piece.package, piece.source) for piece in pieces}
    verdicts = _Verdicts("pieces", "")
    for piece in pieces:
        if not piece.package and _black_fixed(piece.source):
            out[piece] = piece.source  # what black would return, without its second of a millisecond
            continue
        if not piece.package and piece.source in known:
            out[piece] = known[piece.source]
            continue
        cached = on_disk.get(piece.digest)
        if cached is not None and not verdicts.known(piece.digest, digest(cached)):
            if cached == piece.source or same_code(piece.source, cached):
                verdicts.confirm(piece.digest, digest(cached))
            else:
                cached = None
        if cached is None:
            cached = results.get("format-piece", keys[piece])
        if isinstance(cached, str):
            out[piece] = cached
        else:
            todo.append(piece)
    verdicts.save()
    todo.sort(key=lambda p: (-len(p.source), p.source))  # in one order: a set's is not
    done, todo, laid_out, hinted = _laid_out_by_ruff(todo)

    def black_on(indices: list[int]) -> Callable[[], list[str | InvalidInput]]:
        calls = [(todo[n], laid_out[n]) for n in indices]
        return cores.start(_format_piece, calls, [len(laid_out[n]) for n in indices])

    # when some pieces' long type hints need mending (`_rehinted`, 0.2 s on the full SDK), black
    # begins on the larger half of the others meanwhile, then takes those, then the smaller half:
    # the last work to share out is small pieces
    mending = set(hinted)
    plain = [n for n in range(len(todo)) if n not in mending]  # largest first, as `todo` is
    weights = list(itertools.accumulate(len(laid_out[n]) for n in plain))
    half = bisect.bisect_left(weights, weights[-1] / 2) + 1 if plain and hinted else len(plain)
    first = black_on(plain[:half])
    for n, mended in _rehinted({n: laid_out[n] for n in hinted}).items():
        laid_out[n] = mended
    parts = [(plain[:half], first), (hinted, black_on(hinted)), (plain[half:], black_on(plain[half:]))]
    meanwhile({**out, **done})
    formatted: dict[_Piece, str | InvalidInput] = {}
    for indices, results_of in parts:
        formatted.update(zip((todo[n] for n in indices), results_of(), strict=True))
    for piece, text in {**done, **formatted}.items():
        if isinstance(text, str):
            results.put("format-piece", keys[piece], text)
        out[piece] = text
    return out


def formatted_ahead(statements: Iterable[str], cores: int | Cores = 0) -> dict[str, str]:
    """Top-level statements formatted as the pieces of a file that holds them alone (between
    blank lines, as `top_level_parts` cuts) would be, by the piece's source, for `format_with_record`'s
    `known`: a model module's definitions, made while the group they are in is not yet whole. One
    black cannot format is left out (its file reports it)."""
    pieces = {_Piece(_as_written(text).strip("\n") + "\n") for text in statements}
    with nullcontext(cores) if isinstance(cores, Cores) else Cores(cores or spare_cores()) as on_cores:
        formatted = _format_pieces(pieces, {}, on_cores)
    return {piece.source: text for piece, text in formatted.items() if isinstance(text, str)}


def _laid_out_by_ruff(
    pieces: list[_Piece],
) -> tuple[dict[_Piece, str], list[_Piece], list[str], list[int]]:
    """One ruff run for all the pieces: Markdown's Python snippets import-sorted and laid out by
    ruff's formatter alone (black's style; a twentieth of black's time), done; and the code pieces
    left for black (with the snippets ruff cannot read, for black to report), each with ruff's
    layout, and which of those (indices) split a type hint at its `|` (`_rehinted` mends them)."""
    snippets = [piece for piece in pieces if piece.package]
    code = [piece for piece in pieces if not piece.package]
    found, read = _ruff_first(
        [piece.source for piece in code],
        [piece.imports_sorted for piece in snippets],
    )
    done = {piece: text for piece, text in zip(snippets, read, strict=True) if text is not None}
    unread = [piece for piece in snippets if piece not in done]
    laid_out = [text if text is not None else piece.source for piece, text in zip(code, found, strict=True)]
    hinted = [n for n, text in enumerate(found) if text is not None and _SPLIT_AT_BAR.search(text)]
    return done, [*code, *unread], [*laid_out, *(piece.source for piece in unread)], hinted


_IMPORT_LINE = re.compile(
    r"(?:from [\w.]+ import (?:\w+(?: as \w+)?, )*\w+(?: as \w+)?|import [\w.]+|# .*|#)\n"
    r"|from [\w.]+ import \(\n(?:    \w+(?: as \w+)?,\n)+\)\n|\n"
)


_SET_APART = (ast.If, ast.Assign, ast.AnnAssign)  # the statements a part may be: imports stay together
_COMMENT_LINE = re.compile(r"# \S(?:.*\S)?")
# imports under `if TYPE_CHECKING:`, in black's layout; lists and dicts of plain strings, one a
# line with a trailing comma (which black keeps so), with the comments above them
_CHECKING_IMPORTS = re.compile(
    r"if TYPE_CHECKING:\n"
    r"(?:    (?:from [\w.]+ import (?:\w+(?: as \w+)?, )*\w+(?: as \w+)?|import [\w.]+)\n"
    r"|    from [\w.]+ import \(\n(?:        \w+(?: as \w+)?,\n)+    \)\n)+"
)
_PLAIN_STRINGS = re.compile(
    rf"(?:{_COMMENT_LINE.pattern}\n)*\w+(?:: \w+(?:\[\w+(?:, \w+)*\])?)? = "
    r"(?:\[\n(?:    \"[\w.]*\",\n)+\]|\{\n(?:    \"[\w.]*\": \"[\w.]*\",\n)+\})\n"
)


# lines black cannot split, which it leaves as they are however long: a string alone, a module's
# name, a name, at the top level or under `if TYPE_CHECKING:` (a test runs black on such lines
# over 88 columns)
_UNSPLITTABLE = re.compile(
    r'    "[\w.]*"(?:: "[\w.]*")?,|(?:    )?from [\w.]+ import \(|(?:    )?    \w+(?: as \w+)?,|# .*'
)


def _black_fixed(source: str) -> bool:
    """Whether black leaves a block as it is, without running it: plain imports
    (`_plain_imports`), imports under `if TYPE_CHECKING:` so laid out, or a list or dict of plain
    strings one a line; in ASCII, without trailing spaces, each line within 88 columns or one black
    cannot split."""
    text = source.rstrip("\n") + "\n"
    lines = text.split("\n")
    if not text.isascii() or any(line != line.rstrip() for line in lines):
        return False
    if _plain_imports(source):
        return True
    shaped = _CHECKING_IMPORTS.fullmatch(text) or _PLAIN_STRINGS.fullmatch(text)
    return bool(shaped) and all(len(line) <= 88 or _UNSPLITTABLE.fullmatch(line) for line in lines)


def _plain_imports(source: str) -> bool:
    """Whether a block is only comments and imports already in black's layout (one per line, or
    wrapped one name per line with a trailing comma), each line within 88 ASCII columns and at
    most one blank line in a row: black leaves such a block as it is. The import headers sdkgen
    writes (a module per model) are; formatting them took a quarter of the models' black time."""
    if not source.isascii() or "\n\n\n" in source.rstrip("\n") or source.startswith("\n"):
        return False
    text = source.rstrip("\n") + "\n"
    if any(len(line) > 88 and not _UNSPLITTABLE.fullmatch(line) for line in text.splitlines()):
        return False
    position = 0
    while position < len(text):
        match = _IMPORT_LINE.match(text, position)
        if match is None:
            return False
        position = match.end()
    return True


def shared_cores() -> Cores:
    """Workers on all cores for several formattings (from several threads at once) until
    `close`d, forked now: all the work goes to them, even what would not pay for forking them."""
    return Cores(spare_cores()).fork()


def spare_cores(busy: int = 0) -> int:
    """The cores to format on (at most four) when `busy` of this machine's are taken, at least one."""
    return max(1, min((os.cpu_count() or 1) - busy, 4))


class Cores:
    """The worker processes of one `format_with_record` (or of several, `shared_cores`), `count`
    of them when that is two or more: forked for the first work whose weights (bytes of source) add
    up to enough to pay for them (or at once, `fork`), and kept for all the work after it, however
    little (splitting, then formatting: one pool's start and end, not two, ~10 ms of a small spec's
    run). Less work before them runs in this process."""

    def __init__(self, count: int) -> None:
        self.count = count
        self._pool: ProcessPoolExecutor | None = None
        self._forking = threading.Lock()  # two threads may ask for the first time at once

    def __enter__(self) -> Cores:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown()
            self._pool = None
            gc.unfreeze()

    def fork(self) -> Cores:
        """The workers forked now (when there are to be any), not for the first work that pays."""
        if self.count >= 2:
            self._forked().submit(int)  # the workers are forked with the first call
        return self

    def _forked(self) -> ProcessPoolExecutor:
        with self._forking:
            if self._pool is None:
                self._pool = ProcessPoolExecutor(max_workers=self.count)
                gc.freeze()  # the forked workers never collect, so never copy, what this process holds
            return self._pool

    def map(self, func: Callable[..., T], calls: list[tuple[Any, ...]], weights: list[int]) -> list[T]:
        """`func` applied to each argument tuple, in `_balanced` bins, largest first, so that the
        cores finish together."""
        return self.start(func, calls, weights)()

    def start(
        self, func: Callable[..., T], calls: list[tuple[Any, ...]], weights: list[int]
    ) -> Callable[[], list[T]]:
        """`map` begun on the workers: the call returned waits for its results (and makes them
        itself, in this process, when the work is too little to fork the workers for)."""
        if self.count < 2 or not calls or (self._pool is None and sum(weights) <= PARALLEL_MIN_BYTES):
            return lambda: [func(*args) for args in calls]
        pool = self._forked()
        bins = _balanced(weights, max(self.count * BINS_PER_CORE, len(calls) // CALLS_PER_BIN))
        done = pool.map(_each, [func] * len(bins), [[calls[i] for i in b] for b in bins])

        def results() -> list[T]:
            found: dict[int, T] = {}
            for indices, each in zip(bins, done, strict=True):
                found.update(zip(indices, each, strict=True))
            return [found[i] for i in range(len(calls))]

        return results


def _balanced(weights: list[int], count: int) -> list[list[int]]:
    """The indices of `weights` in at most `count` bins of about equal total weight, the heaviest
    bin first: each weight, largest first, goes to the lightest bin so far. One bin of 16 calls
    after another, in the calls' order, had one core finish the full SDK's client modules 0.15 s
    before the other (whose share held the 640 KB `request_builders.py`)."""
    bins: list[list[int]] = [[] for _ in range(min(count, len(weights)))]
    loads = [(0, n) for n in range(len(bins))]  # a heap of (total weight, bin)
    for i in sorted(range(len(weights)), key=lambda i: -weights[i]):
        load, n = heapq.heappop(loads)
        bins[n].append(i)
        heapq.heappush(loads, (load + weights[i], n))
    totals = {n: load for load, n in loads}
    return [bins[n] for n in sorted(range(len(bins)), key=lambda n: -totals[n])]


def _each(func: Callable[..., T], calls: list[tuple[Any, ...]]) -> list[T]:
    return [func(*args) for args in calls]


def _ruff_first(sources: list[str], snippets: list[str]) -> tuple[list[str | None], list[str | None]]:
    """Each source and each snippet as ruff's formatter lays it out, all in one run: None for one
    it cannot read, and for every source without ruff, or when the sources are too few to pay for
    its start (left for black to format or to report)."""
    code = sources if sum(map(len, sources)) >= RUFF_MIN_BYTES else []
    found = _ruff_format([*code, *snippets])
    return (found[: len(code)] if code else [None] * len(sources)), found[len(code) :]


def _rehinted(laid_out: dict[int, str]) -> dict[int, str]:
    """The sources ruff laid out where it split a parameter's type hint at its `|`: the hint put in
    parentheses and ruff run again on them (one run), which then keeps them as black lays them out."""
    hinted = {n: wrapped for n, text in laid_out.items() if (wrapped := _parenthesized_hints(text)) != text}
    formatted = _ruff_format(list(hinted.values()))
    return {n: text for n, text in zip(hinted, formatted, strict=True) if text is not None}


_SPLIT_AT_BAR = re.compile(r"^ +\| ", re.MULTILINE)


def _parenthesized_hints(source: str) -> str:
    """The source with each parameter's type hint that spans lines and is a `|` union put in
    parentheses. Black wraps a hint that does not fit on its line in parentheses ("parenthesize long
    type hints") and ruff splits it at its operators instead: so that black's first pass keeps
    ruff's layout (one pass on a megabyte of signatures, not two), ruff is shown the parentheses."""
    if not _SPLIT_AT_BAR.search(source):
        return source
    try:
        tree = parse(source)
    except (SyntaxError, ValueError):
        return source
    starts = [*_line_starts(source), len(source)]

    def offset(line: int, column: int) -> int:  # ast counts columns in UTF-8 bytes
        start = starts[line - 1]
        return start + len(source[start : starts[line]].encode()[:column].decode())

    spans = []
    for node in ast.walk(tree):
        if isinstance(node, ast.arguments):
            for arg in [*node.posonlyargs, *node.args, *node.kwonlyargs, node.vararg, node.kwarg]:
                hint = arg.annotation if arg is not None else None
                if (
                    isinstance(hint, ast.BinOp)
                    and isinstance(hint.op, ast.BitOr)
                    and hint.end_lineno != hint.lineno
                ):
                    start = offset(hint.lineno, hint.col_offset)
                    if source[start - 2 : start] == ": ":  # not in parentheses already
                        spans.append(
                            (start, offset(hint.end_lineno or hint.lineno, hint.end_col_offset or 0))
                        )
    for start, end in sorted(spans, reverse=True):
        source = f"{source[:start]}({source[start:end]}){source[end:]}"
    return source


_RUFF_FAILED = re.compile(r"^error: Failed to \w+ (\S+?\.py)\b", re.MULTILINE)


_ruff_found = threading.Lock()


@cache
def _ruff_bin() -> str | None:
    """ruff's executable, or None; found once (by `sysconfig`, whose first reading is not safe in
    two threads at once)."""
    with _ruff_found:
        try:
            from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

            return str(find_ruff_bin())
        except (ImportError, FileNotFoundError):
            return None


def _ruff_format(sources: list[str]) -> list[str | None]:
    """Each source formatted by ruff, in one run; None for a source it did not format (it cannot
    parse it), and for every source without ruff or when ruff fails on its own."""
    if not sources:
        return []
    ruff = _ruff_bin()
    if ruff is None:
        return [None] * len(sources)
    memory = "/dev/shm" if os.access("/dev/shm", os.W_OK) else None  # thousands of small files
    with tempfile.TemporaryDirectory(prefix="sdkgen-ruff-", dir=memory) as scratch:
        paths = [Path(scratch, f"{number}.py") for number in range(len(sources))]
        for path, source in zip(paths, sources, strict=True):
            path.write_bytes(source.encode("utf-8", "surrogatepass"))
        options = ["--isolated", "--line-length", "88", "--target-version", "py311"]
        run = subprocess.run([ruff, "format", *options, scratch], capture_output=True, text=True, check=False)
        failed = {Path(name).name for name in _RUFF_FAILED.findall(run.stderr)}
        if run.returncode != 0 and not failed:
            return [None] * len(sources)
        return [
            None if path.name in failed else path.read_bytes().decode("utf-8", "surrogatepass")
            for path in paths
        ]


def _format_piece(piece: _Piece, laid_out: str) -> str | InvalidInput:
    source = _sort_imports(laid_out, piece.package) if piece.package else laid_out
    try:
        with collector_paused(collect=True):
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
