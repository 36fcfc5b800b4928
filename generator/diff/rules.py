"""Rule ids and levels, oasdiff-compatible: ERR breaks clients, WARN may break them, INFO is safe.

Schema rules are written once per kind of change and named per direction: requests and responses
are contravariant, so what is safe in one direction usually breaks the other.
"""

from __future__ import annotations

from dataclasses import dataclass

ERR, WARN, INFO = "ERR", "WARN", "INFO"
SEVERITY = {ERR: 3, WARN: 2, INFO: 1}


@dataclass(frozen=True)
class SchemaRule:
    """How a kind of schema change rates in a request and in a response."""

    request: str
    response: str
    request_id: str  # with {where}: "request-property" or "request-body" (and "request-parameter")
    response_id: str


# kind -> levels and ids; "{w}" is property, body or parameter.
SCHEMA_RULES: dict[str, SchemaRule] = {
    "property-added-required": SchemaRule(
        ERR, INFO, "new-required-request-{w}", "response-required-{w}-added"
    ),
    "property-added-optional": SchemaRule(
        INFO, INFO, "new-optional-request-{w}", "response-optional-{w}-added"
    ),
    "property-removed-required": SchemaRule(
        WARN, ERR, "request-{w}-removed", "response-required-{w}-removed"
    ),
    "property-removed-optional": SchemaRule(
        WARN, INFO, "request-{w}-removed", "response-optional-{w}-removed"
    ),
    "became-required": SchemaRule(ERR, INFO, "request-{w}-became-required", "response-{w}-became-required"),
    "became-optional": SchemaRule(INFO, ERR, "request-{w}-became-optional", "response-{w}-became-optional"),
    "type-changed": SchemaRule(ERR, ERR, "request-{w}-type-changed", "response-{w}-type-changed"),
    "type-generalized": SchemaRule(
        INFO, ERR, "request-{w}-type-generalized", "response-{w}-type-generalized"
    ),
    "became-nullable": SchemaRule(INFO, ERR, "request-{w}-became-nullable", "response-{w}-became-nullable"),
    "became-not-nullable": SchemaRule(
        ERR, INFO, "request-{w}-became-not-nullable", "response-{w}-became-not-nullable"
    ),
    "enum-value-added": SchemaRule(
        INFO, WARN, "request-{w}-enum-value-added", "response-{w}-enum-value-added"
    ),
    "enum-value-removed": SchemaRule(
        ERR, INFO, "request-{w}-enum-value-removed", "response-{w}-enum-value-removed"
    ),
    "became-enum": SchemaRule(ERR, INFO, "request-{w}-became-enum", "response-{w}-became-enum"),
    "pattern-added": SchemaRule(ERR, INFO, "request-{w}-pattern-added", "response-{w}-pattern-added"),
    "pattern-removed": SchemaRule(INFO, ERR, "request-{w}-pattern-removed", "response-{w}-pattern-removed"),
    "pattern-changed": SchemaRule(WARN, WARN, "request-{w}-pattern-changed", "response-{w}-pattern-changed"),
    "default-value-added": SchemaRule(
        INFO, INFO, "request-{w}-default-value-added", "response-{w}-default-value-added"
    ),
    "default-value-removed": SchemaRule(
        INFO, INFO, "request-{w}-default-value-removed", "response-{w}-default-value-removed"
    ),
    "default-value-changed": SchemaRule(
        INFO, INFO, "request-{w}-default-value-changed", "response-{w}-default-value-changed"
    ),
    "any-of-added": SchemaRule(INFO, ERR, "request-{w}-any-of-added", "response-{w}-any-of-added"),
    "any-of-removed": SchemaRule(ERR, INFO, "request-{w}-any-of-removed", "response-{w}-any-of-removed"),
    "one-of-added": SchemaRule(INFO, ERR, "request-{w}-one-of-added", "response-{w}-one-of-added"),
    "one-of-removed": SchemaRule(ERR, INFO, "request-{w}-one-of-removed", "response-{w}-one-of-removed"),
}


# kinds that oasdiff names apart inside a parameter's object schema: request-parameter-property-...
PARAMETER_PROPERTY_KINDS = frozenset({"enum-value-added", "enum-value-removed"})


def _bound(name: str, upper: bool) -> dict[str, SchemaRule]:
    """The four changes of a limit. Tightening one narrows what a request may send (ERR) and
    what a response may hold (INFO); loosening it is the reverse."""
    tighter, looser = ("decreased", "increased") if upper else ("increased", "decreased")
    levels = {tighter: (ERR, INFO), looser: (INFO, ERR), "set": (ERR, INFO), "unset": (INFO, ERR)}
    return {
        f"{name}-{change}": SchemaRule(
            req, resp, f"request-{{w}}-{name}-{change}", f"response-{{w}}-{name}-{change}"
        )
        for change, (req, resp) in levels.items()
    }


def _applicator(kind: str) -> dict[str, SchemaRule]:
    """A sub-schema (`if`, `contains`, ...) that appears narrows requests; one that goes widens responses."""
    return {
        f"{kind}-added": SchemaRule(ERR, INFO, f"request-{{w}}-{kind}-added", f"response-{{w}}-{kind}-added"),
        f"{kind}-removed": SchemaRule(
            INFO, ERR, f"request-{{w}}-{kind}-removed", f"response-{{w}}-{kind}-removed"
        ),
    }


for _name, _upper in (
    ("max", True),
    ("min", False),
    ("max-length", True),
    ("min-length", False),
    ("max-items", True),
    ("min-items", False),
    ("exclusive-max", True),
    ("exclusive-min", False),
    ("max-contains", True),
    ("min-contains", False),
    ("max-properties", True),
    ("min-properties", False),
):
    SCHEMA_RULES.update(_bound(_name, _upper))
for _kind in (
    "if",
    "then",
    "else",
    "contains",
    "property-names",
    "unevaluated-items",
    "unevaluated-properties",
    "content-schema",
    "pattern-property",
    "dependent-schema",
):
    SCHEMA_RULES.update(_applicator(_kind))
# a property deprecated or no longer: a notice, in either direction (oasdiff's ids)
for _state in ("deprecated", "reactivated"):
    SCHEMA_RULES[_state] = SchemaRule(INFO, INFO, f"request-{{w}}-{_state}", f"response-{{w}}-{_state}")
# allOf branches: one more narrows what a request may send; annotation-only ones change nothing
SCHEMA_RULES["all-of-added"] = SchemaRule(ERR, INFO, "request-{w}-all-of-added", "response-{w}-all-of-added")
SCHEMA_RULES["all-of-removed"] = SchemaRule(
    INFO, ERR, "request-{w}-all-of-removed", "response-{w}-all-of-removed"
)
for _verb in ("added", "removed"):
    SCHEMA_RULES[f"all-of-{_verb}-annotation-only"] = SchemaRule(
        INFO,
        INFO,
        f"request-{{w}}-all-of-{_verb}-annotation-only",
        f"response-{{w}}-all-of-{_verb}-annotation-only",
    )
# a string's content read as another media type or encoding: clients on either side misread it
for _key in ("content-media-type", "content-encoding"):
    SCHEMA_RULES[f"{_key}-changed"] = SchemaRule(
        ERR, ERR, f"request-{{w}}-{_key}-changed", f"response-{{w}}-{_key}-changed"
    )
# a tuple position that appears constrains a request less than one that goes (oasdiff's levels)
SCHEMA_RULES["prefix-items-added"] = SchemaRule(
    INFO, ERR, "request-{w}-prefix-items-added", "response-{w}-prefix-items-added"
)
SCHEMA_RULES["prefix-items-removed"] = SchemaRule(
    ERR, INFO, "request-{w}-prefix-items-removed", "response-{w}-prefix-items-removed"
)


# Rules outside schemas: id -> level.
OTHER_RULES: dict[str, str] = {
    # an enum that changed on the side that does not carry the property: a notice (oasdiff)
    "request-read-only-property-enum-value-removed": INFO,
    "response-write-only-property-enum-value-added": INFO,
    "endpoint-added": INFO,
    "endpoint-deprecated": INFO,
    "endpoint-reactivated": INFO,
    "api-path-removed-without-deprecation": ERR,
    "api-path-removed-with-deprecation": INFO,
    "api-removed-without-deprecation": ERR,
    "api-removed-with-deprecation": INFO,
    "api-operation-id-removed": INFO,
    "api-operation-id-added": INFO,
    "api-tag-added": INFO,
    "api-tag-removed": INFO,
    "api-path-removed-before-sunset": ERR,
    "api-removed-before-sunset": ERR,
    "api-stability-decreased": ERR,
    "api-stability-increased": INFO,
    "api-invalid-stability-level": ERR,
    "api-path-sunset-parse": ERR,
    "request-parameter-sunset-parse": ERR,
    "new-required-request-parameter": ERR,
    "new-optional-request-parameter": INFO,
    "request-parameter-removed": WARN,
    "request-parameter-removed-with-deprecation": INFO,
    "request-parameter-removed-before-sunset": ERR,
    "request-parameter-deprecated": INFO,
    "request-parameter-reactivated": INFO,
    "request-parameter-became-required": ERR,
    "request-parameter-list-of-types-widened": INFO,
    "request-parameter-list-of-types-narrowed": ERR,
    "request-parameter-became-optional": INFO,
    "added-required-request-body": ERR,
    "added-optional-request-body": INFO,
    "request-body-removed": ERR,
    "request-body-became-required": ERR,
    "request-body-became-optional": INFO,
    "request-body-media-type-added": INFO,
    "request-body-media-type-removed": ERR,
    "response-success-status-added": INFO,
    "response-success-status-removed": ERR,
    "response-non-success-status-added": INFO,
    "response-non-success-status-removed": INFO,
    "response-media-type-added": INFO,
    "response-header-added": INFO,
    "required-response-header-removed": ERR,
    "optional-response-header-removed": WARN,
    "response-header-became-optional": ERR,
    "response-media-type-removed": ERR,
    "api-security-added": ERR,
    "api-security-removed": ERR,
    "api-global-security-added": ERR,
    "api-global-security-removed": ERR,
    "component-schema-added": INFO,
    "example-invalidated": WARN,
    "request-path-parameter-renamed": INFO,
    "spec-validation-error": ERR,
    "api-schema-removed": INFO,
}

# Where sdkgen rates a change differently from oasdiff, and why (shown in the rule docs).
DIFFERS_FROM_OASDIFF: dict[str, str] = {
    "component-schema-added": "sdkgen's own: a schema added under components.",
    "request-body-all-of-added": "INFO here where the merged schema accepts the same values (a refactor).",
    "request-property-all-of-added": "INFO here where the merged schema accepts the same values (a refactor).",
    "response-body-all-of-removed": "INFO here where the merged schema holds the same values (a refactor).",
    "response-property-all-of-removed": "INFO here where the merged schema holds the same values (a refactor).",
    "example-invalidated": "sdkgen's own: an example that no longer matches its schema misleads docs and mocks.",
    "request-path-parameter-renamed": "sdkgen's own: oasdiff matches the paths and says nothing.",
    "spec-validation-error": "sdkgen's own: the revision breaks an OpenAPI rule; what parses is diffed.",
    "api-security-added": "oasdiff: INFO. A newly required security requirement rejects clients that sent none.",
    "api-global-security-added": "oasdiff: INFO. As api-security-added, for every operation at once.",
}


def schema_rule(kind: str, direction: str, where: str) -> tuple[str, str]:
    """(rule id, level) of a schema change; direction is request, response or component."""
    rule = SCHEMA_RULES[kind]
    if direction == "component":
        return f"component-{where}-{kind}", INFO
    template = rule.request_id if direction == "request" else rule.response_id
    level = rule.request if direction == "request" else rule.response
    return template.format(w=where), level


def all_rule_ids() -> dict[str, str]:
    """Every id this tool can report, with its level, for the docs and the corpus test."""
    ids: dict[str, str] = {}
    for kind in SCHEMA_RULES:
        for direction in ("request", "response", "component"):
            for where in ("property", "body"):
                rule_id, level = schema_rule(kind, direction, where)
                ids[rule_id] = level
        for where in (
            ("parameter", "parameter-property") if kind in PARAMETER_PROPERTY_KINDS else ("parameter",)
        ):
            rule_id, level = schema_rule(kind, "request", where)
            ids[rule_id] = level
    return dict(sorted({**ids, **OTHER_RULES}.items()))  # `request-body-removed` is the body itself
