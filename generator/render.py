"""Render the IR through Jinja2 templates; pure: returns {relative_path: text} and writes no output
(only the compiled templates, beside them, as Python keeps its .pyc)."""

from __future__ import annotations

import ast
import json
import re
import shutil
import unicodedata
from collections.abc import Iterable
from functools import cache
from pathlib import Path

import jinja2

from . import docs
from .ir import Api, DocModel
from .module_imports import import_block, runtime_names
from .naming import member_order

# One entry template per output file, named after it; "{package}" stands for the package folder.
OUTPUTS = (
    "pyproject.toml",
    "README.md",
    "{package}/__init__.py",
    "{package}/_client.py",
    "{package}/request_builders.py",
    "{package}/models/__init__.py",
    "{package}/py.typed",
    "docs/index.md",
)
PER_RESOURCE = "{package}/resources/{resource}.py"
PER_OPERATION = "docs/operations/{operation}.md"
PER_MODEL = "docs/models/{model}.md"
# Copied verbatim: the hand-written runtime that generated modules call into. It is kept in the
# output's style (black at 88 columns, `make lint` checks it), so it is not formatted again.
VERBATIM = {"runtime/_runtime.py": "{package}/_runtime.py"}


def model_module_path(package: str, module: str) -> str:
    return f"{package}/models/{module}.py"


def verbatim_paths(package: str) -> frozenset[str]:
    """The output files copied as they are, already formatted."""
    return frozenset(output.format(package=package) for output in VERBATIM.values())


def templates_dir() -> Path:
    """The templates folder: packaged inside a wheel, or at the top of a source checkout."""
    here = Path(__file__).resolve().parent
    for candidate in (here / "_templates", here.parent / "templates"):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError("sdkgen's templates folder is missing from this installation")


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja's compiled templates kept across runs (compiling them is a quarter of a second, a
    tenth of a small spec's run); each is checked against its template's source when loaded."""

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:  # a read-only installation compiles each run
            pass


def _compiled_templates() -> jinja2.BytecodeCache | None:
    """A folder of compiled templates beside the templates, one per toolchain (the environment's
    options and filters decide the code too); older folders are removed."""
    from .cache import toolchain

    root = templates_dir() / "__pycache__"
    folder = root / f"jinja-{toolchain()[:16]}"
    try:
        if not folder.is_dir():
            folder.mkdir(parents=True, exist_ok=True)
            for old in root.glob("jinja-*"):
                if old != folder:
                    shutil.rmtree(old, ignore_errors=True)
    except OSError:
        return None
    return _CompiledTemplates(str(folder))


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(templates_dir())),
        bytecode_cache=_compiled_templates(),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
        autoescape=False,
    )
    env.filters["pystr"] = python_string
    env.filters["pytuple"] = python_tuple
    env.filters["pyliteral"] = python_literal
    env.filters["docstring"] = docstring_text
    env.filters["all_sorted"] = all_sorted
    env.filters["lazy"] = lazy_models
    runtime = runtime_names(templates_dir() / "runtime" / "_runtime.py")
    env.globals["import_block"] = lambda api, body, level, type_only: import_block(
        api, body, level, runtime, type_only
    )
    env.filters["markdown"] = docs.markdown_text
    env.filters["cell"] = docs.cell
    env.filters["first_sentence"] = docs.first_sentence
    env.filters["shell_quoted"] = docs.shell_quoted
    env.filters["error_class"] = docs.error_class
    return env


def python_literal(value: object) -> str:
    """JSON data (dicts, lists, strings, numbers, booleans, null) as a Python literal."""
    if isinstance(value, dict):
        return (
            "{" + ", ".join(f"{python_string(str(k))}: {python_literal(v)}" for k, v in value.items()) + "}"
        )
    if isinstance(value, list | tuple):
        return "[" + ", ".join(python_literal(v) for v in value) + "]"
    if isinstance(value, str):
        return python_string(value)
    return repr(value)


def python_tuple(value: object) -> str:
    """Nested tuples of strings as a Python literal: `(("a",), ("b", "c"))`."""
    if not isinstance(value, tuple):
        return python_string(str(value))
    inner = ", ".join(python_tuple(v) for v in value)
    return f"({inner},)" if len(value) == 1 else f"({inner})"


def python_string(value: str) -> str:
    """A Python (and TOML) string literal that holds any text safely: quotes, backslashes, control
    characters and lone surrogates are escaped, and the result is ASCII."""
    return json.dumps(value, ensure_ascii=True)


def docstring_text(value: str) -> str:
    """Text that cannot end or break a triple-quoted docstring, nor hide control characters in it."""
    text = value.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()
    text = _UNUSUAL.sub(lambda found: _escaped(found[0]), text)  # printable ASCII is as it is
    return text + " " if text.endswith('"') else text


_UNUSUAL = re.compile(r"[^\x20-\x7e\n\t]")


def _escaped(ch: str) -> str:
    if ch in "\n\t" or unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Zl", "Zp", "Co", "Cn"):
        return ch
    return (
        f"\\x{ord(ch):02x}"
        if ord(ch) < 0x100
        else f"\\u{ord(ch):04x}" if ord(ch) < 0x10000 else f"\\U{ord(ch):08x}"
    )


def all_sorted(names: list[str]) -> list[str]:
    """The order ruff wants for `__all__` and imported names: CONSTANTS, Classes, the rest."""
    return sorted(names, key=member_order)


def lazy_models(expression: str, api: Api) -> str:
    """A type expression evaluated when a method runs, each model in it read from the lazily
    imported models package: `list[Foo] | None` -> `list[_models.Foo] | None`."""
    data = expression.encode()
    spans = sorted(
        (node.col_offset, node.end_col_offset or node.col_offset)
        for node in ast.walk(ast.parse(expression, mode="eval"))
        if isinstance(node, ast.Name) and node.id in api.model_name_set
    )
    for start, end in reversed(spans):
        data = data[:start] + b"_models." + data[start:end] + data[end:]
    return data.decode()


def model_pages(package: str, models: Iterable[DocModel]) -> dict[str, str]:
    """The doc page of each model."""
    page = environment().get_template(PER_MODEL + ".jinja")
    return {PER_MODEL.format(model=model.name): page.render(package=package, model=model) for model in models}


def operation_pages(api: Api) -> dict[str, str]:
    """The doc page of each operation."""
    page = environment().get_template(PER_OPERATION + ".jinja")
    return {
        PER_OPERATION.format(operation=op.function_name): page.render(api=api, op=op) for op in api.operations
    }


def render(api: Api, pages: dict[str, str] | None = None) -> dict[str, str]:
    """Every file of the SDK but the formatting; `pages`: the models' and operations' doc pages,
    rendered already."""
    env = environment()
    files: dict[str, str] = {}
    for output in OUTPUTS:
        path = output.format(package=api.package_name)
        files[path] = env.get_template(output.replace("{package}", "package") + ".jinja").render(api=api)
    if not api.flat:
        files[f"{api.package_name}/resources/__init__.py"] = env.get_template(
            "package/resources/__init__.py.jinja"
        ).render(api=api)
        resource = env.get_template("package/resources/resource.py.jinja")
        for group in api.groups:
            path = PER_RESOURCE.format(package=api.package_name, resource=group.module)
            files[path] = resource.render(api=api, group=group)
    if pages is None:
        pages = {**operation_pages(api), **model_pages(api.package_name, api.doc_models)}
    files.update(pages)
    for source, output in VERBATIM.items():
        files[output.format(package=api.package_name)] = (templates_dir() / source).read_text("utf-8")
    for module in api.model_modules:
        files[model_module_path(api.package_name, module.name)] = module.text
    return dict(sorted(files.items()))
