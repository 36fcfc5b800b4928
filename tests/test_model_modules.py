"""The models package: datamodel-code-generator's one module cut into a module per component schema
(or group of schemas that refer to each other), imported lazily, with no import cycles."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path
from typing import Any

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


INHERITING = f"""{HEADER}

from __future__ import annotations

from pkg._runtime import BaseModel


class Pet(BaseModel):
    name: str
    tag: str | None = None


class Dog(Pet):
    tag: str
    bark: bool = True


class Puppy(Dog):
    age: int


class Owner(BaseModel):
    pets: list[Pet] = []


Alias = int
"""


def _fields_of_whole_text(text: str) -> dict[str, list[str]]:
    """Each class's fields read from the one module in document order, bases' first: how they were
    read before the models were split."""
    fields: dict[str, dict[str, str]] = {}
    for node in ast.parse(text).body:
        if isinstance(node, ast.ClassDef):
            merged: dict[str, str] = {}
            for base in node.bases:
                if isinstance(base, ast.Name):
                    merged.update(fields.get(base.id, {}))
            for item in node.body:
                if isinstance(item, ast.AnnAssign) and isinstance(item.target, ast.Name):
                    merged[item.target.id] = ast.dump(item)
            fields[node.name] = merged
    return {name: list(found.values()) for name, found in fields.items()}


def test_fields_read_from_the_modules_on_demand_are_those_of_the_whole_text() -> None:
    components = {"Pet": "Pet", "Dog": "Dog", "Puppy": "Puppy", "Owner": "Owner", "Alias": "Alias"}
    for text, classes in ((INHERITING, components), (SOURCE, COMPONENTS)):
        source = _inspect(text, classes)
        assert len(source.modules) > 2, "the classes and their bases are in modules of their own"
        lazy = source.fields
        assert "Alias" not in lazy and "Nothing" not in lazy and "Label" not in lazy
        expected = _fields_of_whole_text(text)
        assert {name: [ast.dump(f) for f in lazy[name]] for name in expected} == expected
        assert sorted(lazy) == sorted(expected)
    puppy = _inspect(INHERITING, components).fields["Puppy"]
    assert [f.target.id for f in puppy if isinstance(f.target, ast.Name)] == ["name", "tag", "bark", "age"]
    assert ast.unparse(puppy[1].annotation) == "str", "the subclass's own definition of a field wins"


def test_models_from_the_cache_are_the_models_made(tmp_path: Path, monkeypatch: Any) -> None:
    """A cache hit parses nothing: what it gives back must be what the run that filled it made."""
    from generator import models
    from generator.loader import load
    from generator.prepare import prepare_spec

    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SDKGEN_NO_CACHE", raising=False)
    doc = load(Path(__file__).parent / "specs" / "composition.yaml")
    made = models.generate_models(doc, prepare_spec(doc.data, "pkg", {}), "pkg")
    monkeypatch.setattr(models, "run_datamodel_codegen", None)  # a miss would fail
    hit = models.generate_models(doc, prepare_spec(doc.data, "pkg", {}), "pkg")
    for part in ("text", "names", "component_classes", "imports", "modules"):
        assert getattr(hit, part) == getattr(made, part), part
    assert made.fields and {k: [ast.dump(f) for f in v] for k, v in hit.fields.items()} == {
        k: [ast.dump(f) for f in v] for k, v in made.fields.items()
    }
