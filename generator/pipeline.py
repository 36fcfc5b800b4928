"""The pipeline: load -> validate -> prepare -> models -> IR -> render -> format. Pure up to the writer."""

from __future__ import annotations

import ctypes
import json
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import nullcontext
from dataclasses import dataclass, field
from functools import partial
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import cache, codegen_worker
from .background import Ahead, share
from .config import Config
from .diagnostics import Diagnostic, Level, SpecError, is_fatal, sort_diagnostics
from .loader import Document, load
from .refs import bundle

if TYPE_CHECKING:
    from .format_record import Entry, Prior
    from .formatting import Cores
    from .ir import Api
    from .models import ModelSource

# The stages past loading import their libraries (openapi-spec-validator, datamodel-code-generator,
# black) where they run: `generate` forks the render child right after loading (and importing what
# both sides need, `BOTH_NEED`), so the child imports datamodel-code-generator while this process
# imports the validator, on the other core.

Progress = Callable[[str], None]


def quiet(message: str) -> None:
    """The default progress reporter: says nothing."""


@dataclass(frozen=True)
class Generated:
    files: dict[str, str]
    diagnostics: list[Diagnostic]  # warnings that did not stop generation
    # the files the output folder held as the run began, as its record vouched for them (their text
    # read then), for the writer to compare with
    on_disk: dict[str, str] = field(default_factory=dict)


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
    doc, bundled = _load(spec, allow_remote_refs, stages)
    return doc, validated(doc, bundled, strict=strict, stages=stages)


def generate(
    config: Config,
    progress: Progress = quiet,
    early_output: Callable[[dict[str, str]], None] | None = None,
    models_from_output: bool = True,
) -> Generated:
    """Validation and model generation each take seconds on a large spec and do not depend on each
    other: the models are made in a child process meanwhile, and thrown away if the spec turns out
    invalid. Once it is valid, the models' files, formatted, go to `early_output` (the writer
    stages them) while the child renders the rest. `models_from_output`: a group of models the
    output folder holds is taken from there (`models_on_disk`)."""
    if config.spec is None:
        raise ValueError("no spec given")
    stages = _Stages(progress)
    # the worker made ready while the spec loads, for the render child
    with codegen_worker.scratch_folder(), codegen_worker.started():
        doc, bundled = _load(config.spec, config.allow_remote_refs, stages)
        import_both_need()
        ahead = Ahead(_RenderRest(doc, config, progress, models_from_output))
        try:
            warnings = validated(doc, bundled, strict=config.strict, stages=stages)
        except BaseException:
            ahead.cancel()
            raise
        from .format_record import read_prior

        formatting = import_module(".formatting", __package__)  # black, while the child renders
        prior = read_prior(config.output, models_as_recorded=models_from_output)
        small = len(doc.text) < SHARED_CORES_MAX_BYTES
        with formatting.shared_cores() if small else nullcontext() as cores:
            # while the child makes and renders the rest
            early = _formatted_early(ahead, prior, early_output, cores)
            rest = ahead.result(early.finish)  # the batches first, if the child failed
            while (shared := ahead.early()) is not None:  # those the child shared while it was sending
                early.shared.update(shared.files)
            files = {p: rest.files[p] if p in rest.files else early.shared[p] for p in rest.order}
            formatted = _formatted_files(
                rest.package, rest.model_groups, files, stages, prior, early, cores, early_output
            )
    return Generated(formatted, warnings, prior.files)


# Below this size of spec, the formatting workers are forked while this process waits for the
# child's first models, format the models' batches while the child goes on, then take the last
# files at once, beside what is left of a batch (no core idles while this process finishes a
# batch alone); on a larger spec they would stand beside the render child's own large model runs,
# at the run's peak of memory.
SHARED_CORES_MAX_BYTES = 1_000_000


@dataclass(frozen=True)
class _Rest:
    """What `generate`'s render child sends back: the package, its model groups' record lines,
    every file's path in order and the files it did not share early (this process has those)."""

    package: str
    model_groups: tuple[tuple[str, str], ...]
    order: tuple[str, ...]
    files: dict[str, str]


class _RenderRest:
    """`render_document` for `generate`'s child, which sends back only what the parent needs."""

    def __init__(self, doc: Document, config: Config, progress: Progress, from_output: bool) -> None:
        self.doc, self.config, self.progress, self.from_output = doc, config, progress, from_output

    def __call__(self) -> _Rest:
        shared: dict[str, str] = {}
        with cache.written_behind():
            api, files = render_document(
                self.doc, self.config, _Stages(self.progress), self.from_output, shared
            )
        rest = {path: text for path, text in files.items() if shared.get(path) != text}
        return _Rest(api.package_name, api.model_groups, tuple(files), rest)


# What both sides of the fork import: the render child to make the SDK, this process to validate
# (the schema validators) and to format (the renderer's paths, with jinja2). Imported once before
# the fork, not once in each: 0.3 s of CPU, a sixth of a small spec's run; the child, spared them,
# ends no later. (The validators' settings are `library_settings`' when `entry` installed them:
# neither side imports pydantic for them.)
BOTH_NEED = ("openapi_schema_validator", f"{__package__}.render")


def import_both_need() -> None:
    """Imports what a forked render child and this process would each import on their own."""
    for name in BOTH_NEED:
        import_module(name)


@dataclass(frozen=True)
class _Early:
    """Files formatted before the render was done: their rendered text, formatted text, record;
    and every file the child shared (`shared`), formatted or not. `pending`: batches still being
    formatted (on a thread), their files in `rendered` already; `finish` waits for them. `known`:
    pieces formatted before the files that hold them came (`formatted_ahead`), by source."""

    rendered: dict[str, str]
    formatted: dict[str, str]
    entries: dict[str, Entry]
    shared: dict[str, str]
    pending: list[Future[tuple[dict[str, str], dict[str, Entry]]]] = field(default_factory=list)
    known: dict[str, str] = field(default_factory=dict)

    def add(self, batch: dict[str, str], formatted: dict[str, str], entries: dict[str, Entry]) -> None:
        self.rendered.update(batch)
        self.formatted.update(formatted)
        self.entries.update(entries)

    def finish(self) -> None:
        for batch in self.pending:
            formatted, entries = batch.result()
            self.formatted.update(formatted)
            self.entries.update(entries)
        self.pending.clear()


@dataclass(frozen=True)
class ModelFiles:
    """A group's model modules, or doc pages, rendered, which the render child shares as soon as
    it has them; `last` marks the end of the modules. Or (`definitions`) the statements of a large
    group's piece, made before the group's modules are (`generate_models`)."""

    package: str
    files: dict[str, str]
    last: bool = False
    definitions: tuple[str, ...] = ()


def models_made(ahead: Ahead[Any]) -> None:
    """Waits until the child running `render_document` has made all the models."""
    while (shared := ahead.early()) is not None and not shared.last:
        pass


def _formatted_early(
    ahead: Ahead[Any],
    prior: Prior,
    output: Callable[[dict[str, str]], None] | None = None,
    cores: Cores | None = None,
) -> _Early:
    """The models' files (their modules and doc pages), formatted as the child makes them, each
    batch to `output` (the writer stages it) at once. On `cores` shared with the last formatting,
    from a thread, each share as it comes: the batches still formatting when the child is done
    are left `pending` while the last files go to the same workers. Else largest first in batches
    on the cores the child leaves (on two cores, in this process, where workers gain no time and
    add their pages to the peak, 30 MB of 320 on the full spec); once the child is done, the files
    left go with the rest, on all cores. A large group's definitions, shared while its other
    pieces are made, are formatted as they come (`formatted_ahead`) when the output folder holds
    no SDK to take pieces from. Whenever the child has nothing to send, this process works out
    what the files it sends last mean on disk (`meanings_ahead`)."""
    from .formatting import formatted_ahead, spare_cores
    from .meanings_ahead import MeaningsAhead

    early = _Early({}, {}, {}, {})
    beside = ThreadPoolExecutor(max_workers=1) if cores is not None else None
    count = spare_cores(busy=1)
    meanings: MeaningsAhead | None = None
    while ahead.running() and (shared := ahead.early()) is not None:
        early.shared.update(shared.files)
        if beside is not None:
            early.rendered.update(shared.files)
            formatting = beside.submit(_formatted_batch, shared.files, shared.package, prior, cores, output)
            early.pending.append(formatting)
        else:
            if shared.definitions and not prior.entries and ahead.running():
                early.known.update(formatted_ahead(shared.definitions, count))
            for batch in _batches(shared.files, EARLY_BATCH_BYTES * count):
                if not ahead.running():
                    break
                early.add(batch, *_formatted_batch(batch, shared.package, prior, count, output, early.known))
        meanings = meanings or MeaningsAhead(shared.package, prior)  # the child named the package
        while not ahead.ready() and meanings.step(early.shared):
            pass
    if beside is not None:
        beside.shutdown(wait=False)  # its batches are `pending`
    return early


def _formatted_batch(
    files: dict[str, str],
    package: str,
    prior: Prior,
    cores: int | Cores | None,
    output: Callable[[dict[str, str]], None] | None,
    known: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, Entry]]:
    from .formatting import format_with_record

    formatted, entries = format_with_record(files, package, prior, cores=cores or 0, known=known or {})
    if output is not None:
        output(formatted)
    return formatted, entries


EARLY_BATCH_BYTES = 100_000  # a batch takes ~0.4 s on one core: how late the rest may start


def _batches(files: dict[str, str], size: int) -> Iterator[dict[str, str]]:
    """The files, largest first, in batches of about `size` bytes (a larger file alone)."""
    batch: dict[str, str] = {}
    held = 0
    for path in sorted(files, key=lambda p: (-len(files[p]), p)):
        batch[path] = files[path]
        held += len(files[path])
        if held >= size:
            yield batch
            batch, held = {}, 0
    if batch:
        yield batch


def _load(spec: Path, allow_remote_refs: bool, stages: _Stages) -> tuple[Document, bool]:
    """The document with its external references bundled, and whether there were any."""
    doc = load(spec)
    bundled = bundle(doc, allow_remote=allow_remote_refs)
    stages.done(f"loaded {spec} ({len(doc.text) / 1e6:.1f} MB)")
    return doc, bundled


def validated(
    doc: Document,
    bundled: bool,
    *,
    strict: bool = False,
    stages: _Stages | None = None,
    fatal: bool = True,
) -> list[Diagnostic]:
    """The document's diagnostics; raises SpecError when one is fatal (unless `fatal` is False:
    `diff` reports them). Validation is pure and costly (seconds on a large spec), so it is
    cached by the document's content."""
    key = _validation_key(doc, bundled)
    hit = cache.get("validate", key)
    if isinstance(hit, list):
        found = [Diagnostic(d[0], d[1], d[2], d[3], Level(d[4]), d[5]) for d in hit]
    else:
        from .validate import validate

        found = sort_diagnostics(validate(doc))
        cache.put(
            "validate", key, [[d.file, d.line, d.column, d.pointer, d.level.value, d.message] for d in found]
        )
    (stages or _Stages(quiet)).done(
        f"validated: {sum(d.is_error for d in found)} errors, {sum(not d.is_error for d in found)} warnings"
    )
    if fatal and is_fatal(found, strict=strict):
        raise SpecError(found)
    return found


def _validation_key(doc: Document, bundled: bool) -> str:
    content = json.dumps(doc.data, sort_keys=True, default=str) if bundled else ""
    return cache.key("validate", doc.display, doc.text, content)


def formatted(api: Api, files: dict[str, str]) -> dict[str, str]:
    """The rendered files formatted, for `diff` (which keeps each side's IR) and the tests."""
    return _formatted_files(api.package_name, api.model_groups, files, _Stages(quiet), None)


def _formatted_files(
    package: str,
    model_groups: tuple[tuple[str, str], ...],
    files: dict[str, str],
    stages: _Stages,
    prior: Prior | None,
    early: _Early | None = None,
    cores: Cores | None = None,
    output: Callable[[dict[str, str]], None] | None = None,
) -> dict[str, str]:
    """The rendered files formatted: the last stage before the writer. With what the output folder
    holds (`prior`), its unchanged files are taken from it and the output gains its record; files
    formatted `early` are taken as they are when their render is the same. The files done before
    black's results (Markdown, whose snippets ruff lays out) go to `output` while black works."""
    from .format_record import RECORD, write_record
    from .formatting import format_with_record
    from .render import verbatim_paths

    early = early or _Early({}, {}, {}, {})
    rest = {path: text for path, text in files.items() if early.rendered.get(path) != text}
    result, entries = format_with_record(
        rest, package, prior, verbatim_paths(package), cores or 0, output, early.known
    )
    early.finish()
    result = {path: result[path] if path in rest else early.formatted[path] for path in files}
    entries = {path: entries[path] if path in rest else early.entries[path] for path in files}
    if prior is not None:
        result[RECORD] = write_record(entries, dict(model_groups))
    stages.done(f"formatted {sum(p.endswith(('.py', '.md')) for p in result)} files")
    return result


def render_document(
    doc: Document,
    config: Config,
    stages: _Stages | None = None,
    from_output: bool = False,
    shared: dict[str, str] | None = None,
) -> tuple[Api, dict[str, str]]:
    """The IR and the files it renders to, before formatting; `from_output`: the models of a group
    of schemas the output folder holds are taken from there (`models_on_disk`). The model files
    handed to the caller of the Ahead this runs in (`share`) go to `shared` too."""
    from .build import build_api, documented_models, package_name, sdk_class_names
    from .effective import EffectiveSchemas
    from .model_names import SDK_NAMES
    from .models import generate_models
    from .models_on_disk import ModelsOnDisk
    from .prepare import prepare_spec
    from .render import model_module_path, model_pages, operation_pages, render

    stages = stages or _Stages(quiet)
    package = package_name(doc.data, config)
    spec = prepare_spec(doc.data, package, dict(config.model_names))
    on_disk = ModelsOnDisk(config.output, partial(model_module_path, package)) if from_output else None

    def share_files(files: dict[str, str]) -> None:
        if share(ModelFiles(package, files)) and shared is not None:
            shared.update(files)

    def share_definitions(texts: list[str]) -> None:
        share(ModelFiles(package, {}, definitions=tuple(texts)))

    reserved = SDK_NAMES | sdk_class_names(spec, config)
    schemas = EffectiveSchemas(spec)

    def models_shared() -> ModelSource:
        try:
            models = generate_models(
                doc,
                spec,
                package,
                reserved,
                on_disk,
                lambda part: share_files({model_module_path(package, m.name): m.text for m in part.modules}),
                share_definitions,
            )
        finally:
            codegen_worker.done()
        share(ModelFiles(package, {}, last=True))
        return models

    # the models' doc pages need no model: they are made and handed over while a thread makes the
    # models, from when its first run is in datamodel-code-generator's worker (an edit's: 0.5 s),
    # or once the models are made; begun with the thread, they delayed that run by 0.15 s
    codegen_worker.waiting.clear()
    with ThreadPoolExecutor(max_workers=1) as beside:
        making = beside.submit(models_shared)
        codegen_worker.waiting.wait()
        documented = documented_models(schemas, config)
        pages = model_pages(package, documented)
        share_files(pages)
        models = making.result()
    stages.done(f"models: {len(models.names)} classes and aliases")
    _return_freed_memory()  # datamodel-code-generator's, 55 of 230 MB on the full spec
    schemas.digests.update(models.digests)  # which the operations' examples are cached by
    api = build_api(schemas, models, config, documented)
    # the operations' pages too are handed over before the client modules are rendered
    operations = operation_pages(api)
    share_files(operations)
    files = render(api, {**pages, **operations})
    stages.done(f"rendered {len(api.operations)} operations into {len(files)} files")
    return api, files


def _return_freed_memory() -> None:
    """Hands the heap that Python has freed back to the system (glibc keeps it otherwise), so a
    process past its largest stage does not hold its peak."""
    try:
        ctypes.CDLL(None).malloc_trim(0)
    except (AttributeError, OSError):  # not glibc
        pass
