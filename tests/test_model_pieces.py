"""A large group of schemas made in pieces, each run on a piece and all it reaches: the models of
one run, and an edit runs again only the pieces that reach the schema edited."""

from __future__ import annotations

import copy
import json
import os
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from generator import model_pieces
from generator.loader import load
from generator.model_codegen import HEADER, CodegenRun
from generator.model_pieces import Assembly, PieceRun, pieces
from generator.models import _inspect, generate_models
from generator.prepare import prepare_spec
from tests.conftest import needs_shared
from tests.test_model_groups import FULL, PACKAGE, _formatted, _models, _one_run, recorded_runs
from tests.test_models_on_disk import _generate, _tree, logged_runs


def _ref(key: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{key}"}


def _spec() -> dict[str, Any]:
    """Three roots that share only `Meta`: orders, invoices, and pets behind a discriminator whose
    branches say no value of their own (the mapping gives `Cat` its Literal)."""
    schemas: dict[str, Any] = {
        "Meta": {"type": "object", "properties": {"key": {"type": "string"}}},
        "Order": {
            "type": "object",
            "properties": {"meta": _ref("Meta"), "line": _ref("OrderLine"), "status": {"enum": ["a", "b"]}},
        },
        "OrderLine": {"type": "object", "properties": {"sku": {"type": "string"}}},
        "Invoice": {"type": "object", "properties": {"meta": _ref("Meta"), "payer": _ref("Payer")}},
        "Payer": {"type": "object", "properties": {"name": {"type": "string"}}},
        "Pet": {
            "oneOf": [_ref("Cat"), _ref("Dog")],
            "discriminator": {
                "propertyName": "kind",
                "mapping": {"cat": "#/components/schemas/Cat", "dog": "Dog"},
            },
        },
        "Cat": {
            "type": "object",
            "required": ["kind"],
            "properties": {"kind": {"type": "string"}, "meta": _ref("Meta")},
        },
        "Dog": {"type": "object", "required": ["kind"], "properties": {"kind": {"type": "string"}}},
    }
    return {
        "openapi": "3.1.0",
        "info": {"title": "Pieces", "version": "1"},
        "paths": {},
        "components": {"schemas": schemas},
    }


def _small_pieces(patch: pytest.MonkeyPatch) -> None:
    """Pieces of a group of 2 schemas or more, none sharing a run, however many schemas they read."""
    patch.setattr(model_pieces, "PIECES_MIN_SCHEMAS", 2)
    patch.setattr(model_pieces, "BIN_READS", 1)
    patch.setattr(model_pieces, "MAX_READS_SHARE", 10.0)
    patch.setattr(model_pieces, "MAX_LARGEST_SHARE", 1.0)


@pytest.fixture
def runs(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> list[list[str]]:
    """The schemas each datamodel-code-generator run reads, pieces made from 2 schemas up."""
    _small_pieces(monkeypatch)
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    return recorded_runs(monkeypatch)


def test_pieces_own_every_schema_once_and_read_all_they_reach() -> None:
    schemas = _spec()["components"]["schemas"]
    with pytest.MonkeyPatch.context() as patch:
        _small_pieces(patch)
        found = pieces(schemas)
        # a cycle no schema refers to has a piece too
        cycle = {
            **schemas,
            "Ping": {"properties": {"p": _ref("Pong")}},
            "Pong": {"properties": {"p": _ref("Ping")}},
        }
        with_cycle = pieces(cycle)
    assert found == [
        (["Meta", "Pet", "Cat", "Dog"], ["Meta", "Pet", "Cat", "Dog"]),  # the largest reach owns Meta
        (["Order", "OrderLine"], ["Meta", "Order", "OrderLine"]),
        (["Invoice", "Payer"], ["Meta", "Invoice", "Payer"]),
    ]
    assert (["Ping", "Pong"], ["Ping", "Pong"]) in with_cycle
    # a branch reached more widely from elsewhere stays with its discriminator all the same
    shelter = {"properties": {"cat": _ref("Cat"), "payer": _ref("Payer"), "line": _ref("OrderLine")}}
    with pytest.MonkeyPatch.context() as patch:
        _small_pieces(patch)
        with_shelter = pieces({**schemas, "Shelter": shelter})
        assert any({"Cat", "Pet", "Shelter"} <= set(own) for own, _ in with_shelter)
        patch.setattr(model_pieces, "BIN_READS", 5)  # pieces that read fewer share a run
        assert [own for own, _ in pieces(schemas)] == [
            ["Meta", "Order", "OrderLine", "Pet", "Cat", "Dog"],  # then it reads 6
            ["Invoice", "Payer"],
        ]
        patch.setattr(model_pieces, "BIN_READS", 1)
        patch.setattr(model_pieces, "MAX_READS_SHARE", 1.2)  # 10 schemas read for 8: too many
        assert pieces(schemas) == [(list(schemas), list(schemas))]
        patch.setattr(model_pieces, "MAX_READS_SHARE", 10.0)
        patch.setattr(model_pieces, "MAX_LARGEST_SHARE", 0.4)  # a piece reads 4 of the 8
        assert pieces(schemas) == [(list(schemas), list(schemas))]
    assert sorted(key for own, _ in with_cycle for key in own) == sorted(cycle)
    assert pieces(schemas) == [(list(schemas), list(schemas))]  # a small group is one run


def test_models_made_in_pieces_are_the_models_of_one_run(
    runs: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = _models(tmp_path, _spec())
    assert sorted(map(sorted, runs)) == sorted(
        sorted(reads) for _, reads in pieces(_spec()["components"]["schemas"])
    )
    whole = _one_run(tmp_path, _spec(), monkeypatch)
    assert _formatted(made) == _formatted(whole)
    assert sorted(made.names) == sorted(whole.names)
    assert made.component_classes == whole.component_classes
    assert "kind: Literal['cat']" in next(m.text for m in made.modules if "Cat" in m.names)


def test_an_edit_runs_again_the_pieces_that_reach_it(
    runs: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _models(tmp_path, _spec())
    edited = copy.deepcopy(_spec())
    edited["components"]["schemas"]["Payer"]["properties"]["email"] = {"type": "string"}
    runs.clear()
    again = _models(tmp_path, edited)
    assert runs == [["Meta", "Invoice", "Payer"]]
    assert _formatted(again) == _formatted(_one_run(tmp_path, edited, monkeypatch))
    shared = copy.deepcopy(edited)
    shared["components"]["schemas"]["Meta"]["properties"]["tag"] = {"type": "integer"}
    runs.clear()
    _models(tmp_path, shared)
    assert len(runs) == 3  # every piece reads Meta


def _run(text: str, owners: dict[str, str]) -> CodegenRun:
    header = f"{HEADER}\n\nfrom __future__ import annotations\n\nfrom pkg._runtime import BaseModel\n"
    return CodegenRun(header + text, {key: key for key in owners.values()}, owners)


def _assembled(*runs: tuple[list[str], CodegenRun]) -> tuple[str, dict[str, str]] | None:
    """The runs put together, the last first (the order they come in makes no difference)."""
    assembly = Assembly([(own, own) for own, _ in runs])
    added = [assembly.add(i, PieceRun.parsed(run)) for i, (_, run) in reversed(list(enumerate(runs)))]
    made = assembly.module(HEADER) if all(added) else None
    return made[:2] if made is not None else None


def test_pieces_are_put_together_only_when_their_runs_agree() -> None:
    meta = "\n\nclass Meta(BaseModel):\n    key: str | None = None\n"
    order = "\n\nclass Order(BaseModel):\n    meta: Meta | None = None\n"
    meta_run = (["Meta"], _run(meta, {"Meta": "Meta"}))
    order_run = (["Order"], _run(meta + order, {"Meta": "Meta", "Order": "Order"}))
    made = _assembled(meta_run, order_run)
    assert made is not None and made[1] == {"Meta": "Meta", "Order": "Order"}
    assert made[0].index("class Meta(") < made[0].index("class Order(")  # in the pieces' order
    assert made[0].count("class Meta(") == 1 and made[0].count("import BaseModel") == 1
    # the run of Order made its Meta otherwise than Meta's own run: Order's fields may be wrong
    other_meta = meta.replace("str", "int")
    assert (
        _assembled(meta_run, (["Order"], _run(other_meta + order, {"Meta": "Meta", "Order": "Order"})))
        is None
    )
    # two pieces give one name to two models (each its own inline `Meta`)
    assert _assembled(meta_run, (["Other"], _run(other_meta, {"Meta": "Other"}))) is None
    # one name imported from two places
    clash = _run(meta.replace("str", "date"), {"Meta": "Meta"})
    clash = CodegenRun(
        clash.text.replace("from pkg._runtime", "from pkg._other"), clash.components, clash.owners
    )
    assert _assembled((["Meta"], clash), order_run) is None
    # a definition of no schema's
    assert _assembled((["Order"], _run(meta + order, {"Order": "Order"}))) is None


def test_an_assembly_is_split_into_modules_as_its_parse_would_be() -> None:
    """The statements an assembly tells from its runs' facts (their uses, exported names, mutable
    defaults) split the module as parsing it does; runs from the record have no facts, nor does a
    text with a line break Python does not count, and then the module is parsed."""
    meta = (
        "\n\nclass Meta(BaseModel):\n    key: str | None = None\n    tags: list[str] = []\n"
        '    """The tags."""\n\n\nLabel = str\n'
    )
    order = (
        "\n\nclass Order(BaseModel):\n    meta: Meta | None = None\n    on: date_aliased | None = None\n"
        "    line: Line | None = None\n\n\nclass Line(BaseModel):\n    order: Order | None = None\n"
        "    label: Label\n\n\nOrder.model_rebuild()\n"
    )
    runs = [
        (["Meta"], _run(meta, {"Meta": "Meta", "Label": "Meta"})),
        (["Order"], _run(meta + order, {"Meta": "Meta", "Label": "Meta", "Order": "Order", "Line": "Order"})),
    ]
    runs[1] = (
        ["Order"],
        replace(
            runs[1][1],
            text=runs[1][1].text.replace(
                "import BaseModel", "import BaseModel\nfrom datetime import date as date_aliased"
            ),
        ),
    )
    parsed = [PieceRun.parsed(run) for _, run in runs]
    assembly = Assembly([(own, own) for own, _ in runs])
    assert all(assembly.add(i, run) for i, run in enumerate(parsed))
    made = assembly.module(HEADER)
    assert made is not None and made[2] is not None
    text, components, statements = made
    told, read = _inspect(text, components, statements), _inspect(text, components)
    assert told == read
    assert told.names == ("Meta", "Label", "Order", "Line") and "RUF012" in told.text
    assert told.imports["date_aliased"] == ("datetime", "date as date_aliased")
    assert [m.names for m in told.modules] == [("Meta",), ("Label", "Order", "Line")]
    from_record = Assembly([(own, own) for own, _ in runs])
    assert from_record.add(0, PieceRun.of_fields(parsed[0].fields()) or parsed[0])
    assert from_record.add(1, parsed[1])
    assert (from_record.module(HEADER) or ("", {}, []))[2] is None
    odd = _run(meta.replace("The tags.", "The\x0ctags."), {"Meta": "Meta", "Label": "Meta"})
    lone = Assembly([(["Meta"], ["Meta"])])
    assert lone.add(0, PieceRun.parsed(odd))
    assert (lone.module(HEADER) or ("", {}, []))[2] is None


def test_pieces_whose_runs_disagree_are_made_in_one_run(
    runs: list[list[str]], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Notes and memos extend `Meta` with an inline address each: in a run of its own each is
    `Address`, so the group is made in one run, the smallest pieces first (the disagreement is
    found before the largest runs)."""
    spec = _spec()
    address = {"type": "object", "properties": {"street": {"type": "string"}}}
    for key, inline in (("Note", address), ("Memo", {**address, "required": ["street"]})):
        extended = {"allOf": [_ref("Meta"), {"type": "object", "properties": {"address": inline}}]}
        spec["components"]["schemas"][key] = extended
    made = _models(tmp_path, spec)
    assert runs == [["Meta", "Note"], ["Meta", "Memo"], list(spec["components"]["schemas"])]
    one = _one_run(tmp_path, spec, monkeypatch)
    assert _formatted(made) == _formatted(one) and sorted(made.names) == sorted(one.names)


def test_the_same_tree_whatever_pieces_the_cache_holds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """After an edit, the SDK made with the other pieces from the cache, in a fresh clone (no
    cache: every piece run) and into an empty folder is one tree, byte for byte."""
    _small_pieces(monkeypatch)
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache", monkeypatch)
    assert len(list((tmp_path / "cache" / "model-pieces").glob("*/*"))) == 3  # made in pieces
    edited = copy.deepcopy(_spec())
    edited["components"]["schemas"]["Payer"]["properties"]["email"] = {"type": "string"}
    for name in ("warm", "clone"):
        shutil.copytree(tmp_path / "sdk", tmp_path / name)
    _generate(edited, tmp_path / "warm", tmp_path / "cache", monkeypatch)
    assert len(list((tmp_path / "cache" / "model-pieces").glob("*/*"))) == 4  # one piece made again
    _generate(edited, tmp_path / "clone", tmp_path / "cache-clone", monkeypatch)
    _generate(edited, tmp_path / "cold", tmp_path / "cache-cold", monkeypatch)
    assert _tree(tmp_path / "warm") == _tree(tmp_path / "clone") == _tree(tmp_path / "cold")
    assert "email: str | None = None" in (tmp_path / "cold" / "pieces" / "models" / "payer.py").read_text()


def test_each_pieces_definitions_but_the_last_are_handed_on_as_they_are_made(
    runs: list[list[str]], tmp_path: Path
) -> None:
    """While a large group's other pieces run, the definitions of each piece made (not taken
    from the cache) go to `on_definitions`, with their descriptions, but for the last piece's
    (the group's modules come right after it): the statements the group's modules hold."""
    spec = _spec()
    spec["components"]["schemas"]["Payer"]["description"] = "Who pays the invoice."
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(spec))
    doc = load(path)
    handed: list[list[str]] = []
    made = generate_models(doc, prepare_spec(doc.data, PACKAGE, {}), PACKAGE, on_definitions=handed.append)
    assert len(runs) == 3 and len(handed) == 2  # the smallest two pieces first, then the last
    definitions = [text for texts in handed for text in texts]
    assert {"Order", "OrderLine", "Invoice", "Payer"} <= {
        text.split("(")[0].removeprefix("class ") for text in definitions
    }
    assert any('"""\n    Who pays the invoice.\n    """' in text for text in definitions)
    assert all(any(text in module.text for module in made.modules) for text in definitions)
    handed.clear()
    generate_models(doc, prepare_spec(doc.data, PACKAGE, {}), PACKAGE, on_definitions=handed.append)
    assert handed == []  # every run from the cache: nothing made, nothing to do meanwhile


def test_a_cold_run_formats_a_groups_definitions_while_its_other_pieces_run(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The parent formats the definitions the render child hands on (on the large-spec path)
    as they come, and its files take them: the tree is the one made without them. Not where the
    output folder holds an SDK already, whose files' pieces are taken from there instead."""
    import time

    from generator import build, formatting, pipeline

    _small_pieces(monkeypatch)
    monkeypatch.setattr(pipeline, "SHARED_CORES_MAX_BYTES", 0)
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    real_build = build.build_api

    def slow_build(*args: Any, **kwargs: Any) -> Any:
        time.sleep(0.5)  # the child still at work when this process reads what it handed on
        return real_build(*args, **kwargs)

    monkeypatch.setattr(build, "build_api", slow_build)
    ahead: list[list[str]] = []
    real = formatting.formatted_ahead

    def noted(statements: list[str], cores: int) -> dict[str, str]:
        ahead.append(list(statements))
        return real(statements, cores)

    monkeypatch.setattr(formatting, "formatted_ahead", noted)
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache", monkeypatch)
    assert len(ahead) == 2 and any(text.startswith("class Payer(") for text in ahead[1] + ahead[0])
    with monkeypatch.context() as patch:
        patch.setattr(formatting, "formatted_ahead", lambda statements, cores: {})
        _generate(_spec(), tmp_path / "plain", tmp_path / "cache", monkeypatch)
    assert _tree(tmp_path / "sdk") == _tree(tmp_path / "plain")
    ahead.clear()
    edited = copy.deepcopy(_spec())
    edited["components"]["schemas"]["Payer"]["properties"]["email"] = {"type": "string"}
    _generate(edited, tmp_path / "sdk", tmp_path / "cache", monkeypatch)
    assert ahead == []


def _piece_lines(record: Path) -> list[str]:
    """The record's lines of the pieces' runs (a group's key is 32 characters, a piece's 64)."""
    lines = record.read_text().splitlines()
    return [line for line in lines if line.startswith("# models ") and len(line.split()[2]) == 64]


def _with_json(line: str, text: str) -> str:
    """A record's `# models <key> <json>` line with `text` in place of its JSON."""
    return " ".join(line.split(" ", 3)[:3] + [text])


def test_a_fresh_clone_runs_again_only_the_pieces_an_edit_reaches(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The record keeps each piece's run, so a clone with no cache runs the edited piece alone,
    and writes what a cold run writes."""
    _small_pieces(monkeypatch)
    log = logged_runs(monkeypatch, tmp_path)
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache", monkeypatch)
    assert len(_piece_lines(tmp_path / "sdk" / ".sdkgen-format")) == 3
    assert len(log.read_text().splitlines()) == 3
    shutil.copytree(tmp_path / "sdk", tmp_path / "clone")
    edited = copy.deepcopy(_spec())
    edited["components"]["schemas"]["Payer"]["properties"]["email"] = {"type": "string"}
    log.write_text("")
    _generate(edited, tmp_path / "clone", tmp_path / "cache-clone", monkeypatch)
    assert log.read_text().splitlines() == ["Invoice Meta Payer"]
    _generate(edited, tmp_path / "cold", tmp_path / "cache-cold", monkeypatch)
    assert _tree(tmp_path / "clone") == _tree(tmp_path / "cold")
    lines = _piece_lines(tmp_path / "clone" / ".sdkgen-format")
    assert len(lines) == 3 and lines != _piece_lines(tmp_path / "sdk" / ".sdkgen-format")


def test_a_piece_line_that_is_not_ours_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A piece's line cut short, or JSON of another shape, makes that piece run again; the tree
    is the cold run's all the same."""
    _small_pieces(monkeypatch)
    log = logged_runs(monkeypatch, tmp_path)
    _generate(_spec(), tmp_path / "sdk", tmp_path / "cache", monkeypatch)
    shutil.copytree(tmp_path / "sdk", tmp_path / "clone")
    record = tmp_path / "clone" / ".sdkgen-format"
    first, second, third = _piece_lines(record)
    text = (
        record.read_text()
        .replace(first, first[:-40])
        .replace(second, _with_json(second, "[[], [[1, 2, 3]], {}, {}]"))
    )
    record.write_text(text.replace(third, _with_json(third, '{"imports": []}')))
    edited = copy.deepcopy(_spec())
    edited["components"]["schemas"]["Dog"]["properties"]["bark"] = {"type": "string"}
    log.write_text("")
    _generate(edited, tmp_path / "clone", tmp_path / "cache-clone", monkeypatch)
    assert len(log.read_text().splitlines()) == 3, "every piece made anew"
    _generate(edited, tmp_path / "cold", tmp_path / "cache-cold", monkeypatch)
    assert _tree(tmp_path / "clone") == _tree(tmp_path / "cold")
    # of a run's shape, but with a definition no piece owns: its piece is run again
    kept = sorted(set(_piece_lines(record)) & set(_piece_lines(tmp_path / "sdk" / ".sdkgen-format")))
    assert len(kept) == 2  # the pieces the edit left alone
    record.write_text(
        record.read_text().replace(kept[0], _with_json(kept[0], '[[], [["A", "class A: ...", []]], {}, {}]'))
    )
    edited["components"]["schemas"]["Dog"]["properties"]["wag"] = {"type": "boolean"}
    log.write_text("")
    _generate(edited, tmp_path / "clone", tmp_path / "cache-clone-2", monkeypatch)
    made = log.read_text().splitlines()
    assert "Cat Dog Meta Pet" in made and "Cat Dog Invoice Meta Order OrderLine Payer Pet" not in made
    assert len(made) == 3, "the pieces taken from the record are run again, as is the edited one"
    _generate(edited, tmp_path / "cold-2", tmp_path / "cache-cold-2", monkeypatch)
    assert _tree(tmp_path / "clone") == _tree(tmp_path / "cold-2")


def test_pieces_are_the_same_whatever_the_hash_seed() -> None:
    needs_shared(FULL)
    script = (
        "import json, sys; from pathlib import Path; from generator.loader import load; "
        "from generator.prepare import prepare_spec; from generator.model_groups import schema_groups; "
        "from generator.model_pieces import pieces; "
        "s = prepare_spec(load(Path(sys.argv[1])).data, 'x')['components']['schemas']; "
        "print(json.dumps([pieces({k: s[k] for k in g}) for g in schema_groups(s)]))"
    )
    found = [
        subprocess.run(
            [sys.executable, "-c", script, str(FULL)],
            env={**os.environ, "PYTHONHASHSEED": seed},
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        for seed in ("1", "4242")
    ]
    assert found[0] == found[1] and len(json.loads(found[0])[2]) > 4  # the 714-schema group in pieces
