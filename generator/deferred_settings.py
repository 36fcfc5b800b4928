"""openapi-schema-validator's settings module, read when a setting is first asked for.

The module reads one environment variable through pydantic-settings, whose import (with pydantic's)
takes 0.09 s, and `openapi_schema_validator` imports it at once. sdkgen's render child uses the
package's validators and never a setting: forked for a large spec with this module in the
settings' place (`pipeline.import_both_need`), it starts that much sooner. When a setting is asked
for, the library's own module loads and answers, so its settings mean what they always do.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import sys
from functools import cache
from types import ModuleType
from typing import Any

NAME = "openapi_schema_validator.settings"


def install() -> None:
    """Stands in for the settings module, unless the package is imported already."""
    if "openapi_schema_validator" not in sys.modules and NAME not in sys.modules:
        sys.modules[NAME] = sys.modules[__name__]


@cache
def library_module() -> ModuleType:
    """The library's settings module, loaded in this one's place."""
    package = importlib.util.find_spec("openapi_schema_validator")  # imported: not run again
    places = package.submodule_search_locations if package is not None else None
    spec = importlib.machinery.PathFinder.find_spec(NAME, list(places or []))
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {NAME!r}", name=NAME)
    module = importlib.util.module_from_spec(spec)
    sys.modules[NAME] = module
    spec.loader.exec_module(module)
    return module


def get_settings() -> Any:
    return library_module().get_settings()


def reset_settings_cache() -> None:
    library_module().reset_settings_cache()


def __getattr__(name: str) -> Any:
    """Any other name of the library's module (its settings class); not the import system's
    questions (`__path__`: is it a package?), which are about this module."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(library_module(), name)
