"""Runtime comparison on one corpus spec: the same calls through sdkgen's client and
openapi-python-client's, against Prism, counting the responses each parses.

    python runtime.py plan SPEC                  (sdkgen's venv) the calls, as JSON
    python runtime.py sdkgen PLAN SDK_DIR URL    (sdkgen's venv) outcomes of sdkgen's client
    python runtime.py rival PLAN PKG_DIR URL     (the rival's venv) outcomes of its client

Every operation without a required body is called once, with its path and required query and
header parameters set to the spec's example or a synthesised value. An outcome is "parsed" when
the call returned a 2xx answer as the client's type (or nothing, where the spec gives no body).
"""

from __future__ import annotations

import ast
import enum
import importlib
import inspect
import json
import re
import sys
import typing
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "wire"))
from drive_operations import ROUTE, documented_calls  # noqa: E402  (the docs page's call, as driven)


def _norm(name: str) -> str:
    return re.sub(r"[^a-z0-9]", "", name.lower())


def _template(path: str) -> str:
    return re.sub(r"\{[^}]*\}", "{}", path)


def plan(spec_file: str) -> list[dict[str, Any]]:
    from generator.docs import _parameter_example
    from generator.effective import EffectiveSchemas
    from generator.loader import load
    from generator.pointer import deref
    from generator.walk import iter_operations

    spec = load(Path(spec_file)).data
    schemas = EffectiveSchemas(spec)
    calls = []
    for site in iter_operations(spec):
        body = deref(spec, site.operation.get("requestBody"))
        if isinstance(body, dict) and body.get("required"):
            continue
        params = [
            deref(spec, p)
            for p in [*(site.path_item.get("parameters") or []), *(site.operation.get("parameters") or [])]
        ]
        merged = {(p.get("in"), p.get("name")): p for p in params if isinstance(p, dict)}
        wanted = [
            p
            for p in merged.values()
            if p.get("in") == "path" or (p.get("required") and p.get("in") in ("query", "header"))
        ]
        values = [
            {"name": str(p["name"]), "in": p["in"], "value": _parameter_example(schemas, p)} for p in wanted
        ]
        calls.append({"method": site.method.upper(), "path": site.path, "params": values})
    return calls


def _bind(
    function: Any, params: list[dict[str, Any]], hints: dict[str, Any]
) -> tuple[list[Any], dict[str, Any]]:
    """Arguments for `function` by normalised parameter name; path parameters that are positional
    are passed in the function's order."""
    signature = inspect.signature(function)
    by_norm = {_norm(p["name"]): p for p in params}
    args: list[Any] = []
    kwargs: dict[str, Any] = {}
    for name, parameter in signature.parameters.items():
        given = by_norm.get(_norm(name))
        if given is None:
            continue
        value = _coerce(given["value"], hints.get(name))
        if parameter.kind is inspect.Parameter.POSITIONAL_OR_KEYWORD and given["in"] == "path":
            args.append(value)
        else:
            kwargs[name] = value
    return args, kwargs


def _coerce(value: Any, hint: Any) -> Any:
    """The value as the client's annotation wants it: an Enum member, a datetime, a date."""
    import datetime

    for member in typing.get_args(hint) or (hint,):
        if isinstance(member, type) and issubclass(member, enum.Enum):
            try:
                return member(value)
            except ValueError:
                continue
        if member is datetime.datetime and isinstance(value, str):
            return datetime.datetime.fromisoformat(value.replace("Z", "+00:00"))
        if member is datetime.date and isinstance(value, str):
            return datetime.date.fromisoformat(value[:10])
    return value


def _outcome(call: Any) -> str:
    try:
        result = call()
    except Exception as exc:  # an outcome to count
        return f"{type(exc).__name__}: {str(exc).splitlines()[0][:100] if str(exc) else ''}"
    return result if isinstance(result, str) else "parsed"


def _namespace(client_module: str) -> dict[str, Any]:
    """What the client module's annotations name: its own imports, and every model (the models
    package imports each on first use, so they are not all in the module's namespace)."""
    models = importlib.import_module(client_module.split(".")[0] + ".models")
    return vars(sys.modules[client_module]) | {name: getattr(models, name) for name in models.__all__}


def drive_sdkgen(calls: list[dict[str, Any]], sdk: str, url: str) -> dict[str, str]:
    sys.path.insert(0, sdk)
    package = next(p.parent.name for p in Path(sdk).glob("*/_client.py"))
    module = importlib.import_module(package)
    client_class = next(
        getattr(module, n)
        for n in module.__all__
        if hasattr(getattr(module, n), "with_raw_response") and not n.startswith("Async")
    )
    schemes = module.request_builders.SECURITY_SCHEMES.values()  # a credential for every scheme
    keys = {s.argument: ("corpus", "sk-corpus") if s.kind == "basic" else "sk-corpus" for s in schemes}
    client = client_class(**{"api_key": "sk-corpus", **keys}, base_url=url, max_retries=0)
    routes: dict[tuple[str, str], str] = {}
    for page in (Path(sdk) / "docs" / "operations").glob("*.md"):
        route = ROUTE.search(page.read_text("utf-8"))
        call = documented_calls(page).get(page.stem)  # the sync client's call
        if route and call:
            routes[(route[1], route[2])] = ast.unparse(call.body.func)
    outcomes = {}
    for entry in calls:
        key = f"{entry['method']} {entry['path']}"
        target = routes.get((entry["method"], entry["path"]))
        if target is None:
            outcomes[key] = "no method"
            continue
        function = eval(target, {"client": client})  # noqa: S307
        hints = typing.get_type_hints(function, _namespace(type(function.__self__).__module__))
        args, kwargs = _bind(function, entry["params"], hints)
        outcomes[key] = _outcome(lambda f=function, a=args, k=kwargs: f(*a, **k))
    return outcomes


def drive_rival(calls: list[dict[str, Any]], package_dir: str, url: str) -> dict[str, str]:
    root = Path(package_dir)
    sys.path.insert(0, str(root.parent))
    package = importlib.import_module(root.name)
    client_module = importlib.import_module(f"{root.name}.client")
    routes: dict[tuple[str, str], str] = {}
    for source in sorted((root / "api").rglob("*.py")):
        text = source.read_text("utf-8")
        method = re.search(r'"method": "(\w+)"', text)
        path = re.search(r'"url": f?"([^"]*)"', text)
        if method and path:
            dotted = ".".join(source.relative_to(root.parent).with_suffix("").parts)
            routes[(method[1].upper(), _template(path[1]))] = dotted
    authenticated = client_module.AuthenticatedClient(base_url=url, token="sk-corpus")
    plain = client_module.Client(base_url=url)
    outcomes = {}
    for entry in calls:
        key = f"{entry['method']} {entry['path']}"
        found = routes.get((entry["method"], _template(entry["path"])))
        if found is None:
            outcomes[key] = "no method"
            continue
        module = importlib.import_module(found)
        function = module.sync_detailed
        hints = typing.get_type_hints(function, vars(module))
        args, kwargs = _bind(function, entry["params"], hints)
        client_hint = inspect.signature(function).parameters["client"].annotation
        client = (
            authenticated
            if "Authenticated" in str(client_hint) and "Union" not in str(client_hint)
            else plain
        )

        def call(f: Any = function, a: list[Any] = args, k: dict[str, Any] = kwargs, c: Any = client) -> str:
            response = f(*a, client=c, **k)
            status = int(response.status_code)
            if not 200 <= status < 300:
                return f"status {status}"
            has_body = bool(response.content.strip())
            return "parsed" if response.parsed is not None or not has_body else "not parsed"

        outcomes[key] = _outcome(call)
    del package
    return outcomes


def main() -> None:
    mode = sys.argv[1]
    if mode == "plan":
        print(json.dumps(plan(sys.argv[2])))
        return
    calls = json.loads(Path(sys.argv[2]).read_text("utf-8"))
    drive = drive_sdkgen if mode == "sdkgen" else drive_rival
    print(json.dumps(drive(calls, sys.argv[3], sys.argv[4]), indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
