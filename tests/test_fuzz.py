"""Property-based: generated specs with hostile names and text always generate code that compiles,
imports, and round-trips a sample payload. `make test` runs a few examples; `make fuzz` 10,000."""

from __future__ import annotations

import importlib
import itertools
import json
import os
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.config import Config
from generator.diagnostics import Diagnostic, SpecError
from generator.effective import EffectiveSchemas
from generator.examples import synthesize
from generator.loader import parse
from generator.output import write_tree
from generator.pipeline import formatted, render_document
from generator.validate import validate

EXAMPLES = int(os.environ.get("SDKGEN_FUZZ_EXAMPLES", "8"))
# The only reasons sdkgen may refuse a spec these strategies draw, each a rule the README documents.
REFUSAL_RULES = {
    "contains a lone surrogate": "lone surrogates (README: Security)",
    "cannot become a Python identifier": "names without a letter or digit (README: validate)",
}
OUTCOMES: Counter[str] = Counter()  # printed at the end of the run by tests/conftest.py
HOSTILE = [
    '"""',
    "'''",
    "\\",
    "{{ x }}",
    "{% if x %}",
    "\x00",
    "\u2028",
    "\r\n",
    "</script>",
    "`|`",
    "\ud800",
    "é",
]
_counter = itertools.count()

text = st.one_of(st.sampled_from(HOSTILE), st.text(max_size=12))
names = st.one_of(
    st.sampled_from(
        ["class", "def", "type", "id", "self", "model_config", "timeout", "body", "a-b", "a_b", "42"]
    ),
    st.from_regex(r"[A-Za-z_][A-Za-z0-9_ .-]{0,10}", fullmatch=True),
).filter(lambda n: any(c.isalnum() for c in n))
scalars = st.one_of(
    st.builds(lambda d: {"type": "string", "description": d}, text),
    st.builds(lambda v: {"type": "string", "enum": v}, st.lists(text, min_size=1, max_size=3, unique=True)),
    st.builds(lambda lo: {"type": "integer", "minimum": lo, "maximum": lo + 10}, st.integers(-5, 5)),
    st.just({"type": "number"}),
    st.just({"type": "boolean"}),
    st.just({"type": ["string", "null"]}),
    st.builds(lambda d: {"type": "object", "description": d}, text),
)
schemas = st.recursive(
    scalars,
    lambda inner: st.one_of(
        st.builds(
            lambda props, desc, req: {
                "type": "object",
                "description": desc,
                "properties": props,
                "required": sorted(set(req) & set(props)),
            },
            st.dictionaries(names, inner, min_size=1, max_size=4),
            text,
            st.lists(names, max_size=2),
        ),
        st.builds(lambda item: {"type": "array", "items": item}, inner),
        st.builds(lambda a, b: {"anyOf": [a, b]}, inner, inner),
    ),
    max_leaves=6,
)


def _refused(problems: list[Diagnostic]) -> None:
    assert problems and all(d.line >= 0 and d.pointer.startswith("#") for d in problems)
    for problem in problems:
        rule = next((rule for text, rule in REFUSAL_RULES.items() if text in problem.message), None)
        assert rule is not None, f"a valid spec was refused by no documented rule: {problem.format()}"
        OUTCOMES[f"refused: {rule}"] += 1


def spec_of(root: dict[str, Any], title: str, summary: str, op_id: str) -> dict[str, Any]:
    ref = {"$ref": "#/components/schemas/Root"}
    return {
        "openapi": "3.1.0",
        "info": {"title": title, "version": "1"},
        "paths": {
            "/things": {
                "post": {
                    "operationId": op_id,
                    "summary": summary,
                    "requestBody": {"content": {"application/json": {"schema": ref}}},
                    "responses": {
                        "200": {"description": summary, "content": {"application/json": {"schema": ref}}}
                    },
                }
            }
        },
        "components": {"schemas": {"Root": root}},
    }


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    derandomize=os.environ.get("SDKGEN_FUZZ_EXAMPLES") is None,  # fixed in `make test`, seeded in `make fuzz`
)
@given(root=schemas, title=text, summary=text, op_id=names)
def test_generated_code_compiles_imports_and_round_trips(
    root: dict[str, Any], title: str, summary: str, op_id: str
) -> None:
    spec = spec_of(root, title, summary, op_id)
    OUTCOMES["generated"] += 1
    doc = parse(json.dumps(spec).encode("utf-8", "surrogatepass"), Path("fuzz.json"), "fuzz.json")
    problems = [d for d in validate(doc) if d.is_error]
    if problems:  # refused with located messages, never a crash, and only by a documented rule
        _refused(problems)
        return
    package = f"fuzz_sdk_{next(_counter)}"
    try:
        api, files = render_document(doc, Config(package_name=package))
        generated = formatted(api, files)
    except SpecError as exc:
        _refused([d for d in exc.diagnostics if d.is_error])
        return
    with tempfile.TemporaryDirectory() as scratch:
        write_tree(Path(scratch) / "out", generated)
        for rel, content in generated.items():
            if rel.endswith(".py"):
                compile(content, rel, "exec")
        sys.path.insert(0, str(Path(scratch) / "out"))
        try:
            models = importlib.import_module(f"{package}.models")
            importlib.import_module(package)
            root_type = getattr(models, api.operations[0].body.model if api.operations[0].body else "Root")
            from pydantic import TypeAdapter

            adapter: TypeAdapter[Any] = TypeAdapter(root_type)
            sample = synthesize(EffectiveSchemas(spec), {"$ref": "#/components/schemas/Root"})
            parsed = adapter.validate_python(sample)
            dumped = adapter.dump_python(parsed, mode="json", by_alias=True)
            assert adapter.dump_python(adapter.validate_python(dumped), mode="json", by_alias=True) == dumped
            OUTCOMES["round-tripped"] += 1
        finally:
            sys.path.remove(str(Path(scratch) / "out"))
            for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
                del sys.modules[name]
