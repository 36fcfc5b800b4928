"""jsonschema-rs's quick verdict that a value is valid, asked before jsonschema.

openapi-spec-validator checks the whole document, then each schema in it, against OpenAPI's
meta-schemas with jsonschema: on the full OpenAI spec 0.9 s and 2.3 s of a 3.5 s validation.
jsonschema-rs (Rust, pinned) decides the same in 8 ms and 17 ms. It only ever says "valid":
anything else (invalid, a value it cannot read such as a YAML date, no jsonschema-rs) goes to
jsonschema, so every finding and message stays jsonschema's. It reads the same meta-schemas, and
checks formats with the very functions jsonschema's format checker would call.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from typing import Any

from openapi_schema_validator._specifications import REGISTRY as OPENAPI_SPECIFICATIONS

Check = Callable[[Any], bool]


def valid_at_once(check: Check | None, value: Any) -> bool:
    """Whether `check` finds `value` valid; False when there is no check or it cannot read it."""
    if check is None:
        return False
    try:
        return bool(check(value))
    except Exception:  # noqa: BLE001 - e.g. a YAML date, which JSON has no type for
        return False


@cache
def document_check(base: Any) -> Check | None:
    """Against the OpenAPI schema of the version `base` (an openapi-spec-validator class) checks."""
    return _built(dict(base.schema_validator.schema))


@cache
def schema_check(validator_cls: Any, format_checker: Any) -> Check | None:
    """Against the meta-schema of `validator_cls` (a schema dialect), formats checked as
    `format_checker` (a jsonschema FormatChecker, or None for none) checks them."""
    if format_checker is None:
        return _built(validator_cls.META_SCHEMA, validate_formats=False)
    formats = {name: _conforms(func, raises) for name, (func, raises) in format_checker.checkers.items()}
    return _built(validator_cls.META_SCHEMA, formats=formats, validate_formats=True)


def _conforms(func: Callable[[Any], Any], raises: Any) -> Check:
    """A format's check as jsonschema's FormatChecker runs it: a falsy result or `raises` fails."""

    def conforms(value: Any) -> bool:
        try:
            return bool(func(value))
        except raises:
            return False

    return conforms


def _built(schema: Any, **options: Any) -> Check | None:
    """jsonschema-rs's `is_valid` for `schema`; None when it cannot build one (jsonschema decides)."""
    try:
        import jsonschema_rs

        return jsonschema_rs.validator_for(schema, registry=_registry(), **options).is_valid
    except Exception:  # noqa: BLE001 - not installed, or a schema it does not take
        return None


@cache
def _registry() -> Any:
    """OpenAPI's and JSON Schema's meta-schemas, by their URIs, as jsonschema reads them."""
    import jsonschema_rs

    return jsonschema_rs.Registry(
        [(uri, OPENAPI_SPECIFICATIONS[uri].contents) for uri in OPENAPI_SPECIFICATIONS]
    )
