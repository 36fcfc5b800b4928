"""The generated docs never lie: snippets run against Prism, examples validate, every request
property appears with its type and constraints, tables are well formed and links resolve."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.examples import SchemaChecker
from generator.loader import load
from generator.pointer import local_ref_parts, lookup
from tests.conftest import GENERATED, ROOT, SPEC, run_cli

DOCS = GENERATED / "docs"
KEY = "sk-docs-test-1111"
SPEC_DATA: dict[str, Any] = load(SPEC).data
PAGES = sorted([GENERATED / "README.md", *DOCS.rglob("*.md")])
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.DOTALL | re.MULTILINE)


def blocks(page: Path, language: str) -> list[str]:
    return [body for lang, body in FENCE.findall(page.read_text()) if lang == language]


def operations(spec: dict[str, Any]) -> dict[str, tuple[str, str, dict[str, Any]]]:
    """operationId in snake_case -> (method, path, operation), as the docs name pages."""
    from generator.naming import function_name

    found = {}
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if isinstance(op, dict) and "operationId" in op:
                found[function_name(op["operationId"])] = (method, path, op)
    return found


def deref(spec: dict[str, Any], schema: Any) -> Any:
    while isinstance(schema, dict) and "$ref" in schema:
        schema = lookup(spec, local_ref_parts(schema["$ref"]) or [])
    return schema


# --- snippets run -------------------------------------------------------------------------------

PYTHON_SNIPPETS = [(page, i) for page in PAGES for i, _ in enumerate(blocks(page, "python"))]


def test_every_operation_page_has_four_snippets() -> None:
    for name in operations(SPEC_DATA):
        page = DOCS / "operations" / f"{name}.md"
        assert len(blocks(page, "python")) == 3 and len(blocks(page, "sh")) == 1, page


@pytest.mark.parametrize(
    ("page", "index"), PYTHON_SNIPPETS, ids=lambda v: v.name if isinstance(v, Path) else str(v)
)
def test_python_snippet_runs_unchanged_against_prism(prism: str, page: Path, index: int) -> None:
    snippet = blocks(page, "python")[index]
    env = {**os.environ, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": prism, "PYTHONPATH": str(GENERATED)}
    result = subprocess.run(
        [sys.executable, "-c", snippet], env=env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, f"{page.name} snippet {index}:\n{snippet}\n{result.stderr}"
    assert "client_secret" in result.stdout or result.stdout.startswith("200 ")


@pytest.mark.parametrize("name", sorted(operations(SPEC_DATA)))
def test_curl_snippet_body_validates_and_runs(prism: str, name: str) -> None:
    (snippet,) = blocks(DOCS / "operations" / f"{name}.md", "sh")
    method, path, op = operations(SPEC_DATA)[name]
    body = re.search(r"-d '(.*)'", snippet, re.DOTALL)
    assert body is not None
    schema_parts = ("paths", path, method, "requestBody", "content", "application/json", "schema")
    assert (
        SchemaChecker(SPEC_DATA).errors(schema_parts, json.loads(body.group(1).replace("'\\''", "'"))) == []
    )
    env = {**os.environ, "OPENAI_API_KEY": KEY, "OPENAI_BASE_URL": prism}
    result = subprocess.run(["bash", "-c", snippet], env=env, capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["client_secret"]["value"]


# --- the spec, on the page ----------------------------------------------------------------------


def _expected_constraints(schema: Any, depth: int = 0) -> list[str]:
    """What the page must say of a property: limits, defaults and allowed values, through refs and unions."""
    schema = deref(SPEC_DATA, schema)
    if not isinstance(schema, dict) or depth > 2 or schema.get("type") == "object":
        return []
    found = [str(schema[k]) for k in ("minimum", "maximum", "minItems", "maxItems") if k in schema]
    found += [json.dumps(v) for v in schema.get("enum", [])]
    for key in ("anyOf", "oneOf"):
        for branch in schema.get(key, []):
            found += _expected_constraints(branch, depth + 1)
    if "items" in schema:
        found += _expected_constraints(schema["items"], depth + 1)
    return found


def _expected_type(schema: dict[str, Any]) -> str:
    if "$ref" in schema:
        return schema["$ref"].rsplit("/", 1)[1]
    if "anyOf" in schema:
        return _expected_type(schema["anyOf"][0])
    return "array of" if schema.get("type") == "array" else str(schema.get("type"))


REQUEST_PROPERTIES = [
    (name, prop, schema)
    for name, (_, _, op) in operations(SPEC_DATA).items()
    for prop, schema in deref(SPEC_DATA, op["requestBody"]["content"]["application/json"]["schema"])[
        "properties"
    ].items()
]


@pytest.mark.parametrize(
    ("operation", "prop", "schema"), REQUEST_PROPERTIES, ids=lambda v: v if isinstance(v, str) else ""
)
def test_request_property_is_documented(operation: str, prop: str, schema: dict[str, Any]) -> None:
    page = (DOCS / "operations" / f"{operation}.md").read_text()
    row = next((line for line in page.splitlines() if line.startswith(f"| `{prop}` |")), None)
    assert row is not None, f"no row for {prop}"
    cells = split_row(row)
    assert _expected_type(schema) in cells[1]
    for text in _expected_constraints(schema):
        assert text in cells[4], (prop, text, cells[4])
    if "default" in schema:
        assert json.dumps(schema["default"]) in cells[3]
    description = schema.get("description") or deref(SPEC_DATA, schema).get("description", "")
    assert " ".join(description.split())[:40] in cells[5]


# --- well-formed Markdown -------------------------------------------------------------------------


def split_row(line: str) -> list[str]:
    cells = re.split(r"(?<!\\)\|", line.strip())
    assert cells[0] == "" and cells[-1] == "", f"a table row starts and ends with a pipe: {line}"
    return [c.strip() for c in cells[1:-1]]


def tables(text: str) -> list[list[str]]:
    outside = FENCE.sub("", text)
    found, current = [], []
    for line in outside.splitlines():
        if line.startswith("|"):
            current.append(line)
        elif current:
            found.append(current)
            current = []
    return found + ([current] if current else [])


def slug(heading: str) -> str:
    """GitHub's anchor for a heading."""
    text = re.sub(r"[^\w\- ]", "", heading.strip().lower())
    return text.replace(" ", "-")


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(GENERATED)))
def test_tables_are_valid_gfm(page: Path) -> None:
    for table in tables(page.read_text()):
        header = split_row(table[0])
        delimiter = split_row(table[1])
        assert all(re.fullmatch(r":?-{3,}:?", d) for d in delimiter), table[1]
        assert len(delimiter) == len(header)
        for row in table[2:]:
            assert len(split_row(row)) == len(header), row


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(GENERATED)))
def test_relative_links_and_anchors_resolve(page: Path) -> None:
    text = FENCE.sub("", page.read_text())
    for target in re.findall(r"\]\(([^)\s]+)\)", text):
        if re.match(r"[a-z]+://", target):
            continue
        file_part, _, anchor = target.partition("#")
        resolved = (page.parent / file_part).resolve() if file_part else page
        assert resolved.is_file(), f"{page.name}: broken link {target}"
        if anchor:
            headings = re.findall(r"^#+ (.*)$", resolved.read_text(), re.MULTILINE)
            assert anchor in {slug(h) for h in headings}, f"{page.name}: no anchor {target}"


def test_every_operation_and_model_has_a_page() -> None:
    for name in operations(SPEC_DATA):
        assert (DOCS / "operations" / f"{name}.md").is_file()
    for name in SPEC_DATA["components"]["schemas"]:
        assert (DOCS / "models" / f"{name}.md").is_file()
    index = (DOCS / "index.md").read_text()
    assert all(f"models/{n}.md" in index for n in SPEC_DATA["components"]["schemas"])


# --- examples, given or synthesised, validate -------------------------------------------------------


def _doc_examples(docs: Path, spec: dict[str, Any]) -> list[tuple[str, tuple[Any, ...], Any]]:
    """(page, schema location, example) for each JSON example the docs show."""
    found = []
    for name, (method, path, op) in operations(spec).items():
        page = docs / "operations" / f"{name}.md"
        examples = [json.loads(b) for b in blocks(page, "json")]
        where = ("paths", path, method)
        schemas = []
        if "requestBody" in op:
            schemas.append((*where, "requestBody", "content", "application/json", "schema"))
        for status, response in sorted(op["responses"].items()):
            response = deref(spec, response)
            if "application/json" in response.get("content", {}):
                schemas.append(_response_schema(spec, op["responses"][status], (*where, "responses", status)))
        assert len(examples) == len(schemas), page
        found += [(page.name, s, e) for s, e in zip(schemas, examples, strict=True)]
    for model in spec.get("components", {}).get("schemas", {}):
        (example,) = [json.loads(b) for b in blocks(docs / "models" / f"{model}.md", "json")]
        found.append((f"{model}.md", ("components", "schemas", model), example))
    return found


def _response_schema(spec: dict[str, Any], response: Any, where: tuple[Any, ...]) -> tuple[Any, ...]:
    if "$ref" in response:
        where = tuple(local_ref_parts(response["$ref"]) or [])
    return (*where, "content", "application/json", "schema")


@pytest.mark.parametrize(
    "spec_path", [SPEC, ROOT / "tests" / "specs" / "petstore.yaml"], ids=["ours", "petstore"]
)
def test_every_example_in_the_docs_validates(tmp_path: Path, spec_path: Path) -> None:
    docs = DOCS
    if spec_path != SPEC:
        assert run_cli("generate", "--spec", spec_path, "--out", "sdk", cwd=tmp_path).exit_code == 0
        docs = tmp_path / "sdk" / "docs"
    spec = load(spec_path).data
    checker = SchemaChecker(spec)
    examples = _doc_examples(docs, spec)
    assert len(examples) > len(spec["components"]["schemas"])
    for page, schema, example in examples:
        assert checker.errors(schema, example) == [], (page, schema)


HOSTILE = """
openapi: 3.1.0
info:
  title: Hostile Docs
  version: "1"
  description: "Intro with <img src=x onerror=alert(1)> and **bold**."
paths:
  /things:
    post:
      operationId: makeThing
      summary: "Make a <b>thing</b> | fast"
      description: |
        Line one with `<code>` kept and a [link](https://example.com).

        <script>alert("x")</script>
      requestBody:
        content:
          application/json:
            schema:
              type: object
              properties:
                name:
                  type: string
                  description: "A | pipe, a <tag>, and\\nnew lines\\n\\nin a cell, `a|b` too"
      responses:
        "200": {description: "ok <i>really</i>"}
"""


def test_descriptions_keep_markdown_and_lose_html(tmp_path: Path) -> None:
    (tmp_path / "spec.yaml").write_text(HOSTILE)
    assert run_cli("generate", "--spec", "spec.yaml", "--out", "sdk", cwd=tmp_path).exit_code == 0
    pages = [tmp_path / "sdk" / "README.md", *(tmp_path / "sdk" / "docs").rglob("*.md")]
    text = "\n".join(FENCE.sub("", p.read_text()) for p in pages)
    for raw in ("<script>", "<img", "<b>thing", "<tag>", "<i>"):
        assert raw not in text, raw
    assert "&lt;script&gt;" in text and "&lt;img src=x" in text
    assert "**bold**" in text and "[link](https://example.com)" in text
    assert "`<code>`" in text, "code spans are shown as written"
    for page in pages:
        for table in tables(page.read_text()):
            width = len(split_row(table[0]))
            assert all(len(split_row(row)) == width for row in table[2:])
