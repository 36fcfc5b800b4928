"""Call every operation of a generated SDK the way its docs page shows, and classify each outcome.

Usage: python drive_operations.py SPEC SDK_DIR PACKAGE CLIENT BASE_URL [--strict]
Prints one JSON object: {operation: outcome}. Outcomes: "parsed"; "invalid mock: ..." where the
SDK refused a response that a JSON Schema referee (openapi-schema-validator, on the spec itself)
also finds invalid; or "<ExceptionClass>: detail". Each call is the sync snippet of
docs/operations/<method>.md, so the arguments are the ones the docs promise work (path, required
query and header parameters, the body example).
"""

from __future__ import annotations

import ast
import importlib
import json
import re
import sys
from pathlib import Path
from typing import Any

FENCE = re.compile(r"^```python\n(.*?)^```$", re.DOTALL | re.MULTILINE)
ROUTE = re.compile(r"^`([A-Z]+) (/[^`]*)`", re.MULTILINE)
SPEC_URI = "urn:drive:spec"


class Referee:
    """Validates a response body against the spec's schema for that operation and status."""

    def __init__(self, spec: dict[str, Any]) -> None:
        from openapi_schema_validator import OAS30Validator, OAS31Validator
        from referencing import Registry, Resource
        from referencing.jsonschema import DRAFT202012

        self.spec = spec
        self.kind = OAS30Validator if str(spec.get("openapi")).startswith("3.0") else OAS31Validator
        self.registry: Any = Registry().with_resource(SPEC_URI, Resource.from_contents(spec, DRAFT202012))

    def problem(self, method: str, path: str, status: int, body: Any) -> str | None:
        """The first way `body` breaks the spec, or None when it is valid (or has no schema)."""
        from generator.pointer import escape, local_ref_parts, lookup

        responses = self.spec["paths"][path][method.lower()].get("responses") or {}
        key = next((k for k in (str(status), f"{str(status)[0]}XX", "default") if k in responses), None)
        if key is None:
            return None
        parts: list[Any] = ["paths", path, method.lower(), "responses", key]
        node = responses[key]
        while isinstance(node, dict) and isinstance(node.get("$ref"), str):
            parts = list(local_ref_parts(node["$ref"]) or [])
            node = lookup(self.spec, parts)
        media = next((m for m in (node.get("content") or {}) if "json" in m), None)
        if media is None or "schema" not in node["content"][media]:
            return None
        pointer = "#" + "".join("/" + escape(p) for p in [*parts, "content", media, "schema"])
        validator = self.kind({"$ref": SPEC_URI + pointer}, registry=self.registry)
        error = next(iter(validator.iter_errors(body)), None)
        return None if error is None else f"{'/'.join(map(str, error.absolute_path))}: {error.message[:120]}"


def documented_call(page: Path) -> ast.Expression | None:
    """The `client.<...>(...)` call of the page's sync snippet, as an expression to evaluate."""
    blocks = FENCE.findall(page.read_text("utf-8"))
    if not blocks:
        return None
    for node in ast.walk(ast.parse(blocks[0])):
        if isinstance(node, ast.Call) and ast.unparse(node.func).startswith("client."):
            return ast.Expression(node)
    return None


def main() -> None:
    from generator.loader import load

    spec_file, sdk, package, client_name, base_url = sys.argv[1:6]
    strict = "--strict" in sys.argv[6:]
    referee = Referee(load(Path(spec_file)).data)
    sys.path.insert(0, sdk)
    module = importlib.import_module(package)
    keys = {s.argument: "sk-drive" for s in module.request_builders.SECURITY_SCHEMES.values()}
    client = getattr(module, client_name)(
        **keys, base_url=base_url, max_retries=0, strict_response_validation=strict
    )
    outcomes: dict[str, str] = {}
    for page in sorted((Path(sdk) / "docs" / "operations").glob("*.md")):
        call = documented_call(page)
        route = ROUTE.search(page.read_text("utf-8"))
        if call is None or route is None:
            outcomes[page.stem] = "no snippet"
            continue
        try:
            eval(compile(call, page.name, "eval"), {"client": client})  # noqa: S307
            outcomes[page.stem] = "parsed"
        except module.APIResponseValidationError as exc:
            problem = referee.problem(route[1], route[2], exc.status_code, exc.body)
            lines = " / ".join(str(exc).splitlines()[1:3])
            outcomes[page.stem] = (
                f"invalid mock: {problem}" if problem else f"APIResponseValidationError: {lines}"
            )
        except Exception as exc:  # every failure is an outcome to count, not a crash
            detail = getattr(exc, "status_code", "") or str(exc).splitlines()[0][:200]
            outcomes[page.stem] = f"{type(exc).__name__}: {detail}"
    client.close()
    print(json.dumps(outcomes, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
