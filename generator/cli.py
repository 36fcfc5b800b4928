"""The `sdkgen` command line: validate, generate and check."""

from __future__ import annotations

import os
import re
import sys
from collections.abc import Callable
from functools import partial, wraps
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from . import __version__, codegen_worker
from .config import Config, config_for, load_config
from .diagnostics import Diagnostic, SpecError, sort_diagnostics, summary
from .options import fix_command, run_config, spec_file, writable
from .output import OutputError, Staging, diff_tree, write_tree

if TYPE_CHECKING:
    from .diff.compare import Change
    from .loader import Document
    from .pipeline import Generated

EXIT_DIFFERS = 1
EXIT_ERROR = 2


def _report(diagnostics: list[Diagnostic]) -> None:
    for d in sort_diagnostics(diagnostics):
        click.echo(d.format(), err=True)


def _fail(diagnostics: list[Diagnostic]) -> NoReturn:
    _report(diagnostics)
    click.echo(f"sdkgen: {summary(diagnostics)}", err=True)
    sys.exit(EXIT_ERROR)


def _guarded(func: Callable[..., Any]) -> Callable[..., Any]:
    """Expected failures exit 2 with a message; nothing here ever shows the user a traceback."""

    @wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except click.UsageError as exc:
            exc.ctx = exc.ctx or click.get_current_context(silent=True)
            raise
        except SpecError as exc:
            _fail(exc.diagnostics)
        except OutputError as exc:
            click.echo(f"sdkgen: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        except Exception as exc:
            if os.environ.get("SDKGEN_DEBUG"):
                raise
            click.echo(f"sdkgen: internal error: {type(exc).__name__}: {exc}", err=True)
            click.echo("Set SDKGEN_DEBUG=1 for a traceback, and please report it.", err=True)
            sys.exit(EXIT_ERROR)

    return wrapper


def _generation_options(func: Callable[..., Any]) -> Callable[..., Any]:
    options = [
        click.option("--spec", type=click.Path(path_type=Path), help="The OpenAPI file (YAML or JSON)."),
        click.option("--out", type=click.Path(path_type=Path), help="The folder the SDK is written to."),
        click.option("--package-name", help="The Python package name (default: from the spec's title)."),
        click.option("--client-name", help="The client class name (default: from the spec's title)."),
        click.option(
            "--keep",
            multiple=True,
            help="An output path (glob, or folder ending in /) that is yours: written once if missing, "
            "never overwritten, removed or compared. Repeatable.",
        ),
        click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors."),
        click.option(
            "--allow-remote-refs",
            is_flag=True,
            default=None,
            help="Fetch http(s) $refs (refused by default).",
        ),
    ]
    for option in reversed(options):
        func = option(func)
    return func


def _progress(message: str) -> None:
    click.echo(f"sdkgen: {message}", err=True)


def progress_reporter() -> Any:
    """Stage-by-stage progress on a terminal; nothing when stderr is a file or a pipe (CI logs)."""
    from .pipeline import quiet

    return _progress if sys.stderr.isatty() else quiet


def _generate(
    config: Config, inputs: str | None, staging: Staging | None = None, full: bool = False
) -> Generated:
    """The run's output, its record stamped with the inputs it was made from (`_inputs`); files
    done early go to `staging`. `full`: no model is taken from the folder as its record says."""
    from dataclasses import replace

    from .format_record import stamped
    from .pipeline import generate

    assert config.spec is not None
    result = generate(
        config,
        progress_reporter(),
        staging.stage if staging is not None else None,
        models_from_output=not full,
    )
    _report(result.diagnostics)
    files = stamped(result.files, inputs, config.keep, str(config.spec), result.diagnostics)
    return replace(result, files=files)


class _Cli(click.Group):
    """Every mistake on the command line is one line on stderr and exit code 2."""

    def main(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            code = super().main(args, prog_name, complete_var, standalone_mode=False, **extra)
        except click.UsageError as exc:
            command = exc.ctx.command_path if exc.ctx is not None else "sdkgen"
            hint = f" (see '{command} --help')" if exc.ctx is not None else ""
            click.echo(f"{command}: error: {exc.format_message()}{hint}", err=True)
            sys.exit(EXIT_ERROR)
        except click.ClickException as exc:
            click.echo(f"sdkgen: error: {exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except click.Abort:
            click.echo("sdkgen: aborted", err=True)
            sys.exit(EXIT_ERROR)
        if standalone_mode:
            sys.exit(code if isinstance(code, int) else 0)
        return code


@click.group(cls=_Cli, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sdkgen")
def main() -> None:
    """sdkgen: typed Python SDKs, models and docs from an OpenAPI spec."""


@main.command("validate")
@click.argument("spec", required=False, type=click.Path(path_type=Path))
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option("--allow-remote-refs", is_flag=True, help="Fetch http(s) $refs (refused by default).")
@_guarded
def validate_command(spec: Path | None, strict: bool, allow_remote_refs: bool) -> None:
    """Check SPEC (default: the configured spec) and report every problem with its place."""
    source = "SPEC" if spec else "'spec' in [tool.sdkgen]"
    spec = spec or load_config().spec
    if spec is None:
        raise click.UsageError("no spec: pass SPEC or set 'spec' in [tool.sdkgen] of pyproject.toml")
    spec_file(spec, source)
    from .pipeline import check_spec

    _, warnings = check_spec(spec, strict=strict, allow_remote_refs=allow_remote_refs)
    _report(warnings)
    click.echo(f"{spec}: valid ({summary(warnings)})", err=True)


_FULL = click.option(
    "--full",
    is_flag=True,
    help="Generate even when the folder's record names these inputs and every file matches, and make "
    "every model anew (the record is a file in the folder: use this on changes from people you do "
    "not trust).",
)


@main.command("generate")
@_generation_options
@_FULL
@_guarded
def generate_command(
    spec: Path | None, out: Path | None, keep: tuple[str, ...], full: bool, **overrides: Any
) -> None:
    """Generate the SDK into the output folder; on any error the folder is left untouched.

    sdkgen owns the files it lists in the folder's .sdkgen-files: it rewrites those, removes those it
    no longer generates, and never touches anything else there."""
    config = run_config(spec, out, keep, **overrides)
    assert config.output is not None
    writable(config.output)
    inputs = _inputs(config)
    if not full and (files := _unchanged(config, inputs)) is not None:
        click.echo(f"{config.output}: {files} files: 0 written, {files} unchanged, 0 removed", err=True)
        return
    staging = Staging(config.output, config.keep)
    try:
        result = _generate(config, inputs, staging, full)
        done = write_tree(config.output, result.files, config.keep, staging, result.on_disk)
    finally:
        staging.discard()
    click.echo(
        f"{config.output}: {done.files} files: {len(done.written)} written, {done.unchanged} unchanged, "
        f"{len(done.removed)} removed",
        err=True,
    )


@main.command("check")
@_generation_options
@_FULL
@_guarded
def check_command(
    spec: Path | None, out: Path | None, keep: tuple[str, ...], full: bool, **overrides: Any
) -> None:
    """Exit 0 when the output folder matches what generate would write; 1 with a diff when not."""
    config = run_config(spec, out, keep, **overrides)
    assert config.output is not None
    inputs = _inputs(config)
    if not full and (files := _unchanged(config, inputs)) is not None:
        click.echo(f"{config.output}: up to date ({files} files)", err=True)
        return
    result = _generate(config, inputs, full=full)
    diff = diff_tree(config.output, result.files, config.keep)
    if diff:
        click.echo(diff, nl=False)
        fix = fix_command(config)
        click.echo(f"sdkgen: {config.output} is out of date; run `{fix}` to regenerate it", err=True)
        sys.exit(EXIT_DIFFERS)
    click.echo(f"{config.output}: up to date ({len(result.files)} files)", err=True)


_EXTERNAL_REF = re.compile(rb"""\$ref['"]?\s*:\s*+(?!['"]?#)""")


def _inputs(config: Config) -> str | None:
    """A hash of all the output is a function of: the spec's bytes, the options (not where the spec
    and the output are), sdkgen's code and libraries, Python's version; None when the spec refers
    to other files, whose content it does not cover."""
    from dataclasses import replace

    from . import cache

    assert config.spec is not None
    try:
        spec = config.spec.read_bytes()
    except OSError:
        return None
    if _EXTERNAL_REF.search(spec):
        return None
    options = repr(replace(config, spec=None, output=None))
    return cache.key("inputs", f"python {sys.version_info[0]}.{sys.version_info[1]}", options, spec)[:32]


def _unchanged(config: Config, inputs: str | None) -> int | None:
    """The fast path of `check` and `generate`: when the folder's record names these inputs and its
    files are as written, the spec's warnings it recorded are reported and the number of files the
    run owns returned; else None."""
    from .format_record import vouched

    assert config.output is not None and config.spec is not None
    # once the record names the inputs, the run most likely makes no model: the worker `entry`
    # started goes before the files are read (a run that finds them changed starts another)
    found = vouched(config.output, inputs, config.keep, str(config.spec), codegen_worker.stop_unused)
    if found is None:
        return None
    _report(found.warnings)
    click.echo(f"{config.output}: its record names these inputs and every file matches", err=True)
    return found.files


@main.command("diff")
@click.argument("base")
@click.argument("revision")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "markdown", "json", "github"]),
    default="text",
    show_default=True,
)
@click.option(
    "--fail-on",
    type=click.Choice(["ERR", "WARN"]),
    help="Exit 1 when a change of this level or worse is found.",
)
@click.option("--no-sdk", is_flag=True, help="Skip generating both SDKs (faster; no SDK impact).")
@_guarded
def diff_command(base: str, revision: str, fmt: str, fail_on: str | None, no_sdk: bool) -> None:
    """Review a spec change: what changed, what breaks clients, what it does to the generated SDK.

    BASE and REVISION are spec files or GITREF:path, for example origin/main:spec/realtime-sessions.yaml.
    """
    from . import cache as results
    from .background import Ahead
    from .diff.compare import invalid_spec_findings
    from .diff.impact import sdk_impact
    from .diff.report import FORMATS, DiffResult
    from .diff.rules import SEVERITY
    from .diff.sources import load_side
    from .pipeline import formatted, import_both_need, models_made, render_document, validated

    (old, old_bundled), (new, new_bundled) = load_side(base), load_side(revision)
    config = None if no_sdk else _diff_config(base, revision)
    # the revision's SDK is rendered in a child from the start; this process validates both sides,
    # then renders the base's once the child has made its models. A side that breaks
    # OpenAPI's rules is still diffed, with its errors as findings, but gets no SDK (only the
    # loader's and refs' rules stop a diff)
    if config is not None:
        import_both_need()
    with codegen_worker.scratch_folder():  # the model runs' files, removed however the child ends
        revision_sdk = None if config is None else Ahead(partial(render_document, new, config))
        try:
            base_found = validated(old, old_bundled, fatal=False)  # a problem with the base is reported first
            new_found = validated(new, new_bundled, fatal=False)
            changes = [*invalid_spec_findings(new, new_found), *_diffed(old, new, base_found + new_found)]
            impact = None
            if (
                config is not None
                and revision_sdk is not None
                and not any(d.is_error for d in base_found + new_found)
            ):
                if results.enabled() and _models_shared(old, new):
                    models_made(revision_sdk)  # the child has cached the revision's models by then
                base_api, base_files = render_document(old, config)
                revision_api, revision_files = revision_sdk.result()
                impact = sdk_impact(
                    (base_api, formatted(base_api, base_files)),
                    (revision_api, formatted(revision_api, revision_files)),
                )
        finally:
            if revision_sdk is not None:
                revision_sdk.cancel()
    result = DiffResult(base, revision, changes, old.data == new.data, impact)
    click.echo(FORMATS[fmt](result), nl=False)
    if fail_on and any(SEVERITY[c.level] >= SEVERITY[fail_on] for c in changes):
        sys.exit(EXIT_DIFFERS)


def _models_shared(old: Document, new: Document) -> bool:
    """Whether the base had better wait for the revision's models than make its own beside them:
    when they are made group by group (`model_groups`), as a change leaves most groups alone (all
    of them when it changes descriptions alone). A smaller spec's models are made on both cores at
    once: waiting took the diff of a property added to spec/ from 1.6-1.9 s to 2.4 s, and saved
    nothing on a description changed there."""
    from .model_groups import SPLIT_MIN_SCHEMAS

    def count(doc: Document) -> int:
        components = doc.data.get("components")
        schemas = components.get("schemas") if isinstance(components, dict) else None
        return len(schemas) if isinstance(schemas, dict) else 0

    return max(count(old), count(new)) >= SPLIT_MIN_SCHEMAS


def _diffed(old: Document, new: Document, found: list[Diagnostic]) -> list[Change]:
    """The changes between two sides; where a side's errors leave nothing to compare (a `paths`
    that is not a map), those errors, as `generate` would report them."""
    from .diff.compare import SpecDiff

    try:
        return SpecDiff(old, new).run()
    except (AttributeError, TypeError, KeyError, ValueError):
        errors = [d for d in found if d.is_error]
        if errors:
            raise SpecError(sort_diagnostics(errors)) from None
        raise


def _diff_config(base: str, revision: str) -> Config:
    """The names both SDKs are generated with: the configured ones when either side is the
    configured spec (a pull request's base or working copy), else those from the spec itself."""
    from .diff.sources import file_of

    configs = [config_for(Path(file_of(side))) for side in (revision, base)]
    return next((c for c in configs if c.spec is not None), configs[0])


@main.command("rules")
def rules_command() -> None:
    """List every rule `sdkgen diff` reports, with its level, and where sdkgen rates unlike oasdiff."""
    from .diff.rules import DIFFERS_FROM_OASDIFF, all_rule_ids

    for rule_id, level in all_rule_ids().items():
        note = DIFFERS_FROM_OASDIFF.get(rule_id)
        click.echo(f"{level:<4} {rule_id}" + (f"  ({note})" if note else ""))


def exit_code() -> int:
    """`main`'s exit code, its message printed as the interpreter prints a SystemExit's."""
    try:
        main(prog_name="sdkgen")
        code: object = 0
    except SystemExit as exc:
        code = exc.code
    if isinstance(code, str):
        print(code, file=sys.stderr)
    return code if isinstance(code, int) else 0 if code is None else 1
