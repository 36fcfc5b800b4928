"""Compare two specs: paths and operations, shared components, security and examples."""

from __future__ import annotations

from .components import Components
from .rules import SEVERITY
from .state import Change, invalid_spec_findings

__all__ = ["Change", "SpecDiff", "invalid_spec_findings"]


class SpecDiff(Components):
    def run(self) -> list[Change]:
        self._paths()
        self._shared_components()
        self._global_security()
        self._components()
        self._examples()
        return sorted(self.changes, key=lambda c: (-SEVERITY[c.level], c.operation or "~", c.id, c.key))
