"""The cyclic garbage collector paused around black and the parses: as it was afterwards, and the
cycles made meanwhile collected when asked."""

from __future__ import annotations

import ast
import gc
import threading
import weakref
from collections.abc import Iterator

import pytest

from generator import formatting
from generator.collector import collector_paused, parse


@pytest.fixture(autouse=True)
def collector_on() -> Iterator[None]:
    gc.enable()
    yield
    gc.enable()


class _Node:
    def __init__(self) -> None:
        self.parent: _Node | None = None
        self.children: list[_Node] = []


def _cycle() -> weakref.ref[_Node]:
    """A parent and child that refer to each other (as black's nodes do), dropped at once."""
    parent, child = _Node(), _Node()
    parent.children.append(child)
    child.parent = parent
    return weakref.ref(parent)


def test_paused_meanwhile_and_on_again_after() -> None:
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()


def test_a_collector_paused_before_stays_paused() -> None:
    gc.disable()
    with collector_paused(collect=True):
        pass
    assert not gc.isenabled()


def test_on_again_after_an_error() -> None:
    with pytest.raises(ValueError), collector_paused(collect=True):
        raise ValueError
    assert gc.isenabled()


def test_the_cycles_made_meanwhile_are_collected_at_the_end_when_asked() -> None:
    with collector_paused():
        left = _cycle()
        assert left() is not None  # nothing collects it while paused
    with collector_paused(collect=True):
        made = _cycle()
        assert made() is not None
    assert made() is None
    gc.collect()
    assert left() is None


def test_two_threads_pausing_at_once_leave_it_on() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()

    def first() -> None:
        with collector_paused(collect=True):
            first_in.set()
            second_in.wait(5)
        first_out.set()

    def second() -> None:
        first_in.wait(5)
        with collector_paused(collect=True):
            second_in.set()
            first_out.wait(5)  # the first one ends while this one is paused

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert first_out.is_set() and gc.isenabled()


def test_parse_is_ast_parse_and_leaves_the_collector_on() -> None:
    source = "class A(B):\n    x: int = 1\n\n\ndef f(a, *, b=2):\n    return [a, b]\n"
    assert ast.dump(parse(source)) == ast.dump(ast.parse(source))
    assert gc.isenabled()
    with pytest.raises(SyntaxError):
        parse("def (:\n")
    assert gc.isenabled()


def test_black_leaves_no_cycle_behind_a_piece() -> None:
    piece = formatting._Piece("def f(a,b):\n  return {'a':a,'b':b}\n")
    formatting._format_piece(piece, piece.source)  # black's caches filled
    gc.collect()
    gc.disable()  # so that only the piece's own collection can free black's tree
    try:
        before = len(gc.get_objects(0))
        assert formatting._format_piece(piece, piece.source) == 'def f(a, b):\n    return {"a": a, "b": b}\n'
        assert len(gc.get_objects(0)) - before < 50
    finally:
        gc.enable()
