"""Bring external `$ref`s into the document, under rules for untrusted specs.

A file reference is read only from the spec's own folder (or below); a remote one (http, https) is
refused unless the user allows it. What is brought in becomes a component schema, and the
reference points there, so every later stage sees one self-contained document.
"""

from __future__ import annotations

import copy
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from .diagnostics import Diagnostic, SpecError
from .loader import MAX_INPUT_BYTES, Document, load, parse
from .pointer import Part, from_pointer, lookup

Fetch = Callable[[str], bytes]
_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
REMOTE_TIMEOUT = 10.0


def fetch_url(url: str) -> bytes:
    """GET a remote spec: no redirects, the same size limit as a local file, and REMOTE_TIMEOUT for
    the whole transfer (a server that trickles bytes cannot hold sdkgen longer than that)."""
    import httpx

    deadline = time.monotonic() + REMOTE_TIMEOUT
    with httpx.stream("GET", url, timeout=REMOTE_TIMEOUT, follow_redirects=False) as response:
        if response.is_redirect:
            raise ValueError(
                f"redirected to {response.headers.get('location')!r}; redirects are not followed"
            )
        response.raise_for_status()
        chunks, size = [], 0
        for chunk in response.iter_bytes():
            size += len(chunk)
            if size > MAX_INPUT_BYTES:
                raise ValueError(f"larger than {MAX_INPUT_BYTES:,} bytes")
            if time.monotonic() > deadline:
                raise TimeoutError(f"not received within {REMOTE_TIMEOUT:g} s")
            chunks.append(chunk)
    return b"".join(chunks)


class Bundler:
    def __init__(self, doc: Document, *, allow_remote: bool, fetch: Fetch = fetch_url) -> None:
        self.doc = doc
        self.root = doc.path.resolve().parent
        self.allow_remote = allow_remote
        self.fetch = fetch
        self.documents: dict[str, Document] = {}
        self.imported: dict[tuple[str, str], str] = {}
        self.problems: list[Diagnostic] = []

    def run(self) -> bool:
        """Bring every external reference in; True when the document changed."""
        if not self._has_external(self.doc.data):
            return False
        # (node in the main document, the document it came from, its path there)
        queue: list[tuple[Any, Document, list[Part]]] = [(self.doc.data, self.doc, [])]
        while queue:
            node, source, parts = queue.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and (source is not self.doc or not ref.startswith("#")):
                    target = self._import(ref, source, [*parts, "$ref"])
                    if target is not None:
                        name, imported, imported_from, imported_parts = target
                        node["$ref"] = f"#/components/schemas/{name}"
                        if imported is not None:
                            queue.append((imported, imported_from, imported_parts))
                queue.extend((v, source, [*parts, k]) for k, v in node.items() if isinstance(v, dict | list))
            elif isinstance(node, list):
                queue.extend(
                    (v, source, [*parts, i]) for i, v in enumerate(node) if isinstance(v, dict | list)
                )
        if self.problems:
            raise SpecError(self.problems)
        return True

    def _has_external(self, data: Any) -> bool:
        stack = [data]
        while stack:
            node = stack.pop()
            if isinstance(node, dict):
                ref = node.get("$ref")
                if isinstance(ref, str) and not ref.startswith("#"):
                    return True
                stack.extend(node.values())
            elif isinstance(node, list):
                stack.extend(node)
        return False

    def _import(
        self, ref: str, source: Document, where: list[Part]
    ) -> tuple[str, Any, Document, list[Part]] | None:
        location, _, fragment = ref.partition("#")
        target_doc = source if not location else self._document(location, source, where)
        if target_doc is None:
            return None
        key = (str(target_doc.path), fragment)
        if key in self.imported:
            return self.imported[key], None, target_doc, []
        try:
            target_parts: list[Part] = list(from_pointer(unquote(fragment))) if fragment else []
            node = lookup(target_doc.data, target_parts)
        except (KeyError, ValueError):
            self.problems.append(source.diagnostic(where, f"unresolvable reference {ref!r}"))
            return None
        schemas = self.doc.data.setdefault("components", {}).setdefault("schemas", {})
        base = str(target_parts[-1]) if target_parts else Path(target_doc.path).stem
        name, n = base, 2
        while name in schemas:
            name, n = f"{base}{n}", n + 1
        copied = copy.deepcopy(node)
        schemas[name] = copied
        self.imported[key] = name
        return name, copied, target_doc, target_parts

    def _document(self, location: str, source: Document, where: list[Part]) -> Document | None:
        scheme = _SCHEME.match(location)
        if scheme and scheme.group(1).lower() in ("http", "https"):
            if not self.allow_remote:
                message = f"remote reference {location!r} refused; pass --allow-remote-refs to fetch it"
                self.problems.append(source.diagnostic(where, message))
                return None
            return self._cached(
                location, lambda: parse(self.fetch(location), Path(location), location), source, where
            )
        if scheme and len(scheme.group(1)) > 1:
            self.problems.append(source.diagnostic(where, f"{scheme.group(1)}: references are not supported"))
            return None
        if _SCHEME.match(str(source.path)):
            self.problems.append(source.diagnostic(where, "a remote document may not refer to local files"))
            return None
        path = (Path(source.path).resolve().parent / location).resolve()
        if not path.is_relative_to(self.root):
            message = f"file reference {location!r} leaves the spec's folder {self.root.name}/"
            self.problems.append(source.diagnostic(where, message))
            return None
        return self._cached(str(path), lambda: load(path), source, where)

    def _cached(
        self, key: str, read: Callable[[], Document], source: Document, where: list[Part]
    ) -> Document | None:
        if key not in self.documents:
            try:
                self.documents[key] = read()
            except SpecError as exc:
                self.problems.extend(exc.diagnostics)
                return None
            except Exception as exc:  # network and file errors, said where the reference is
                self.problems.append(source.diagnostic(where, f"cannot read {key!r}: {exc}"))
                return None
        return self.documents[key]


def bundle(doc: Document, *, allow_remote: bool = False, fetch: Fetch = fetch_url) -> bool:
    """Resolve external references in place; raises SpecError with every located problem."""
    return Bundler(doc, allow_remote=allow_remote, fetch=fetch).run()
