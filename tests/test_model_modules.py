"""The models package: datamodel-code-generator's one module cut into a module per component schema
(or group of schemas that refer to each other), imported lazily, with no import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

from generator.models import HEADER, MUTABLE_DEFAULTS_HEADER, _inspect
from tests.conftest import run_cli

SOURCE = f'''{HEADER}

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field
from typing_extensions import TypeAliasType

from pkg._runtime import BaseModel


class TreeChild(BaseModel):
    tree: Tree | None = None


class Tree(BaseModel):
    children: list[TreeChild] = []
    label: Label | None = None


Label = TypeAliasType("Label", Annotated[str, Field(max_length=8)])
"""A short label."""


class OrderLine(BaseModel):
    kind: Literal["a", "b"]


class Order(BaseModel):
    lines: list[OrderLine]
    label: Label


class Invoice(BaseModel):
    order: Order


class LABEL(BaseModel):
    x: int


Invoice.model_rebuild()
'''
COMPONENTS = {"Tree": "Tree", "Label": "Label", "Order": "Order", "Invoice": "Invoice", "LABEL": "LABEL"}


def _modules() -> dict[str, tuple[str, tuple[str, ...]]]:
    source = _inspect(SOURCE, COMPONENTS)
    return {m.name: (m.text, m.names) for m in source.modules}


def test_each_component_roots_a_module_and_inline_models_join_their_only_user() -> None:
    modules = _modules()
    assert {name: names for name, (_, names) in modules.items()} == {
        "tree": ("TreeChild", "Tree"),  # a cycle stays in one module, in the original order
        "label": ("Label",),
        "order": ("OrderLine", "Order"),  # the inline model used by Order alone
        "invoice": ("Invoice",),
        "label_2": ("LABEL",),  # unique without regard to case, for case-insensitive file systems
    }
    tree, invoice = modules["tree"][0], modules["invoice"][0]
    assert "from .label import Label\n" in tree and '"""A short label."""' in modules["label"][0]
    assert "from typing import Annotated" not in tree, "only the imports a module uses"
    assert invoice.rstrip().endswith("Invoice.model_rebuild()")
    assert "from .order import Order\n" in invoice


def test_the_header_exempts_only_modules_with_mutable_defaults() -> None:
    modules = _modules()
    assert modules["tree"][0].startswith(MUTABLE_DEFAULTS_HEADER)
    assert modules["order"][0].startswith(HEADER + "\n\n")


def test_module_imports_never_cycle() -> None:
    edges = {
        name: {
            node.module
            for node in ast.parse(text).body
            if isinstance(node, ast.ImportFrom) and node.level == 1 and node.module
        }
        for name, (text, _) in _modules().items()
    }
    order: list[str] = []

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {path + (name,)}"
        for dependency in sorted(edges[name]):
            visit(dependency, path + (name,))
        order.append(name)

    for name in sorted(edges):
        visit(name, ())


def test_importing_the_package_loads_no_model_until_one_is_used(tmp_path: Path) -> None:
    spec = Path(__file__).parent / "specs" / "petstore.yaml"
    assert run_cli("generate", "--spec", spec, "--out", tmp_path / "sdk").exit_code == 0
    package = next(p.parent.name for p in (tmp_path / "sdk").glob("*/_client.py"))
    code = (
        "import sys\n"
        f"import {package} as p\n"
        f"loaded = lambda: sorted(m for m in sys.modules if m.startswith('{package}.models.'))\n"
        "assert loaded() == [], loaded()\n"
        "assert not any(m.startswith(p.__name__ + '.resources.') for m in sys.modules)\n"
        "client = p.PetStore(api_key='k')\n"
        "client.pets\n"
        "assert p.__name__ + '.resources.pets' in sys.modules\n"
        "pet = p.Pet(id='p1', name='Rex')\n"
        "assert p.Pet is p.models.Pet\n"
        "assert not hasattr(p, 'import_module'), 'only models are forwarded'\n"
        "print(','.join(loaded()))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path / "sdk", capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"{package}.models.pet", "one use, one module"
