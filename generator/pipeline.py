"""The pipeline: load -> validate -> prepare -> models -> IR -> render -> format. Pure up to the writer."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .build import build_api, package_name
from .config import Config
from .diagnostics import Diagnostic, SpecError, is_fatal, sort_diagnostics
from .formatting import format_tree
from .ir import Api
from .loader import Document, load
from .models import generate_models
from .prepare import prepare_spec
from .render import render
from .validate import validate


@dataclass(frozen=True)
class Generated:
    api: Api
    files: dict[str, str]
    diagnostics: list[Diagnostic]  # warnings that did not stop generation


def check_spec(spec: Path, *, strict: bool = False) -> tuple[Document, list[Diagnostic]]:
    """Load and validate; raises SpecError when a problem is fatal (warnings are, under strict)."""
    doc = load(spec)
    found = sort_diagnostics(validate(doc))
    if is_fatal(found, strict=strict):
        raise SpecError(found)
    return doc, found


def generate(config: Config) -> Generated:
    if config.spec is None:
        raise ValueError("no spec given")
    doc, warnings = check_spec(config.spec, strict=config.strict)
    return generate_document(doc, config, warnings)


def generate_document(doc: Document, config: Config, warnings: list[Diagnostic] | None = None) -> Generated:
    """Everything after validation, for a document already loaded (the diff command makes two)."""
    spec = prepare_spec(doc.data, package_name(doc.data, config))
    models = generate_models(doc, spec)
    api = build_api(spec, models, config)
    return Generated(api, format_tree(render(api), api.package_name), warnings or [])
