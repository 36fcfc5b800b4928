"""A client module's imports follow the names its code uses, read from the compiler's symbol
tables: the names of its syntax tree's Name nodes, on every construct the templates write and on
every client module rendered from the test specs."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import generator.module_imports as module_imports
from generator.cli import run_config
from generator.loader import load
from generator.pipeline import render_document
from tests.conftest import ROOT, SPEC

SNIPPETS = [
    "def f(a: A, *args: B, b: C = D, **kw: E) -> F:\n    x: G = 1\n    y: H\n    return a\n",
    "class K(Base, metaclass=Meta):\n    attr: T = v\n\n    def m(self) -> None:\n        super().m()\n",
    "class L:\n    def m(self):\n        return __class__\n",
    "f = lambda p, q=dflt: p + r\n",
    "z = [i for i in items if cond(i)]\nw = {k: v for k, v in pairs}\ng = (j for j in js)\n",
    "s = f'{name!r} and {other:{width}}'\n",
    "if (n := compute()):\n    pass\n",
    "def g():\n    global GG\n    GG = 1\n",
    "del dd\n",
    "@deco(arg)\ndef h(): ...\n",
    "with open(pth) as fh, ctx() as (aa, bb):\n    pass\n",
    "import os.path as osp\nfrom m import nn as mm\nprint(mm)\n",
    "for (i, j) in pairs2:\n    pass\n",
    "x = obj.attr.Other\nobj.attr = Value\n",
    "async def a():\n    async for q in src:\n        await q\n",
    "async def b():\n    async with lock as held:\n        yield held\n",
    "def outer():\n    cellv = 1\n\n    def inner():\n        nonlocal cellv\n        return cellv\n",
    "def defaults(a=Foo, *, b=Bar, **rest): return rest\n",
    "def call():\n    return build(kw=value, other=[x for x in xs], *more, **extra)\n",
    "try:\n    pass\nexcept (Err, Other):\n    raise Wrapped from None\n",
]


def _tree_names(body: str) -> set[str]:
    return {node.id for node in ast.walk(ast.parse(body)) if isinstance(node, ast.Name)}


@pytest.mark.parametrize("body", SNIPPETS)
def test_the_names_are_those_of_the_syntax_tree(body: str) -> None:
    assert module_imports._names_in_scopes(body) == _tree_names(body)


def test_every_client_module_of_the_test_specs_reads_the_same_names(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    bodies: list[str] = []
    found = module_imports._names_in_scopes

    def recorded(body: str) -> set[str]:
        bodies.append(body)
        return found(body)

    monkeypatch.setattr(module_imports, "_names_in_scopes", recorded)
    for spec in [SPEC, *sorted((ROOT / "tests" / "specs").glob("*.yaml"))]:
        render_document(load(spec), run_config(spec, tmp_path / spec.stem, ()))
    assert len(bodies) >= 2 * 19  # a client and request builders for each spec, resources for some
    assert [found(body) for body in bodies] == [_tree_names(body) for body in bodies]


def test_the_symbol_tables_are_built_a_block_at_a_time(monkeypatch: pytest.MonkeyPatch) -> None:
    """A module's tables are built a top-level block at a time (the full SDK's request builders,
    whole, put 18 MB on the render child's peak), the whole module when a cut falls inside a string;
    the names are the syntax tree's either way."""
    built: list[str] = []
    real = module_imports.symtable.symtable
    monkeypatch.setattr(
        module_imports.symtable, "symtable", lambda code, *args: built.append(code) or real(code, *args)
    )
    body = "".join(SNIPPETS[:3]).replace("\nclass", "\n\nclass") + "\n" + "\n\n".join(SNIPPETS[3:])
    assert module_imports._names_in_scopes(body) == _tree_names(body)
    assert len(built) >= 8 and max(map(len, built)) < len(body) / 3
    built.clear()
    cut_in_string = 'DOC = """text\n\ndef not_a_block(:\n"""\n\n\ndef real(a):\n    return b\n'
    assert module_imports._names_in_scopes(cut_in_string) == _tree_names(cut_in_string) == {"DOC", "b"}
    assert built[-1] == cut_in_string
