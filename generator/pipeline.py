"""The pipeline: load -> validate -> prepare -> models -> IR -> render -> format. Pure up to the writer."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from . import cache
from .build import build_api, package_name, sdk_class_names
from .config import Config
from .diagnostics import Diagnostic, Level, SpecError, is_fatal, sort_diagnostics
from .formatting import format_tree
from .ir import Api
from .loader import Document, load
from .model_names import SDK_NAMES
from .models import generate_models
from .prepare import prepare_spec
from .refs import bundle
from .render import render
from .validate import validate

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """The default progress reporter: says nothing."""


@dataclass(frozen=True)
class Generated:
    api: Api
    files: dict[str, str]
    diagnostics: list[Diagnostic]  # warnings that did not stop generation


class _Stages:
    """Times each stage and reports it with its counts."""

    def __init__(self, progress: Progress) -> None:
        self.progress = progress
        self.started = time.perf_counter()

    def done(self, what: str) -> None:
        now = time.perf_counter()
        self.progress(f"{what} ({now - self.started:.1f} s)")
        self.started = now


def check_spec(
    spec: Path, *, strict: bool = False, allow_remote_refs: bool = False, progress: Progress = quiet
) -> tuple[Document, list[Diagnostic]]:
    """Load, bring in external references, validate; raises SpecError when a problem is fatal."""
    stages = _Stages(progress)
    doc = load(spec)
    bundled = bundle(doc, allow_remote=allow_remote_refs)
    stages.done(f"loaded {spec} ({len(doc.text) / 1e6:.1f} MB)")
    found = _validated(doc, bundled)
    stages.done(
        f"validated: {sum(d.is_error for d in found)} errors, {sum(not d.is_error for d in found)} warnings"
    )
    if is_fatal(found, strict=strict):
        raise SpecError(found)
    return doc, found


def _validated(doc: Document, bundled: bool) -> list[Diagnostic]:
    """Validation is pure and costly (seconds on a large spec): cached by the document's content."""
    content = json.dumps(doc.data, sort_keys=True, default=str) if bundled else ""
    name = cache.key("validate", doc.display, doc.text, content)
    hit = cache.get("validate", name)
    if isinstance(hit, list):
        return [Diagnostic(d[0], d[1], d[2], d[3], Level(d[4]), d[5]) for d in hit]
    found = sort_diagnostics(validate(doc))
    cache.put(
        "validate", name, [[d.file, d.line, d.column, d.pointer, d.level.value, d.message] for d in found]
    )
    return found


def generate(config: Config, progress: Progress = quiet) -> Generated:
    if config.spec is None:
        raise ValueError("no spec given")
    doc, warnings = check_spec(
        config.spec, strict=config.strict, allow_remote_refs=config.allow_remote_refs, progress=progress
    )
    return generate_document(doc, config, warnings, progress)


def generate_document(
    doc: Document, config: Config, warnings: list[Diagnostic] | None = None, progress: Progress = quiet
) -> Generated:
    """Everything after validation, for a document already loaded (the diff command makes two)."""
    stages = _Stages(progress)
    api, files = render_document(doc, config, stages)
    formatted = format_tree(files, api.package_name)
    stages.done(f"formatted {sum(p.endswith(('.py', '.md')) for p in formatted)} files")
    return Generated(api, formatted, warnings or [])


def render_document(
    doc: Document, config: Config, stages: _Stages | None = None
) -> tuple[Api, dict[str, str]]:
    """The IR and the files it renders to, before formatting."""
    stages = stages or _Stages(quiet)
    spec = prepare_spec(doc.data, package_name(doc.data, config))
    models = generate_models(doc, spec, SDK_NAMES | sdk_class_names(spec, config))
    stages.done(f"models: {len(models.names)} classes and aliases")
    api = build_api(spec, models, config)
    files = render(api)
    stages.done(f"rendered {len(api.operations)} operations into {len(files)} files")
    return api, files
