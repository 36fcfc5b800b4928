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


SECTION = re.compile(r"^### (.+)$", re.MULTILINE)
# the snippets driven, by the heading they sit under, and the suffix of their outcome's key
DRIVEN = {
    "Python, sync client": "",
    "Python, streaming": " (stream=True)",
    "Python, every item of every page": " (every item)",
}
MOST_ITEMS = 200  # a server that always says more pages follow (Prism, dynamic) is left there


def documented_calls(page: Path) -> dict[str, ast.Expression]:
    """The `client.<...>(...)` call of each driven snippet on the page, by outcome key."""
    text = page.read_text("utf-8")
    calls = {}
    for match in FENCE.finditer(text):
        heading = next((m.group(1) for m in reversed(list(SECTION.finditer(text, 0, match.start())))), "")
        key = page.stem + DRIVEN[heading] if heading in DRIVEN else None
        if key is None or key in calls:
            continue
        for node in ast.walk(ast.parse(match.group(1))):
            if isinstance(node, ast.Call) and ast.unparse(node.func).startswith("client."):
                calls[key] = ast.Expression(node)
                break
    return calls


def consumed(result: Any, module: Any, every_item: bool) -> None:
    """Reads what a call returned to the end: every event of a stream, every item of every page."""
    if isinstance(result, module.Stream) or every_item:
        for _ in zip(range(MOST_ITEMS), result, strict=False):
            pass
    if hasattr(result, "close"):
        result.close()


def _detail(exc: Exception) -> str:
    """The status and Prism's own name for its refusal (`500 NO_COMPLEX_OBJECT_TEXT`), or the message."""
    status = getattr(exc, "status_code", None)
    if status is None:
        return str(exc).splitlines()[0][:200]
    body = getattr(exc, "body", None)
    kind = body.get("type") if isinstance(body, dict) else None
    return f"{status} {kind.rpartition('#')[2]}" if isinstance(kind, str) and "prism" in kind else str(status)


def files_named(calls: dict[str, ast.Expression]) -> list[str]:
    """The files the calls upload (`Path("file.bin")`), as the docs ask the reader to have them."""
    return sorted(
        {
            node.args[0].value
            for call in calls.values()
            for node in ast.walk(call)
            if isinstance(node, ast.Call)
            and ast.unparse(node.func) == "Path"
            and isinstance(node.args[0], ast.Constant)
        }
    )


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
        route = ROUTE.search(page.read_text("utf-8"))
        calls = documented_calls(page)
        for name in files_named(calls):
            Path(name).write_bytes(b"\x89PNG\r\n a file the docs page uploads")
        if not calls or route is None:
            outcomes[page.stem] = "no snippet"
            continue
        for key, call in calls.items():
            try:
                scope = {"client": client, "Path": Path}
                result = eval(compile(call, page.name, "eval"), scope)  # noqa: S307
                consumed(result, module, key.endswith("(every item)"))
                outcomes[key] = "parsed"
            except module.APIResponseValidationError as exc:
                problem = referee.problem(route[1], route[2], exc.status_code, exc.body)
                lines = " / ".join(str(exc).splitlines()[1:3])
                outcomes[key] = (
                    f"invalid mock: {problem}" if problem else f"APIResponseValidationError: {lines}"
                )
            except Exception as exc:  # every failure is an outcome to count, not a crash
                outcomes[key] = f"{type(exc).__name__}: {_detail(exc)}"
    client.close()
    print(json.dumps(outcomes, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
