"""The settings modules of openapi-schema-validator and openapi-spec-validator, without pydantic
while the environment sets none of their variables.

Each library reads a setting or two from environment variables through pydantic-settings, which
it imports with the package: with pydantic, 0.125 s of CPU, a fifth of a small spec's run, on the
path of the process that validates and formats (which never imports pydantic otherwise: the models
are made in other processes). With no variable of a library's prefix set (in any case, as
pydantic-settings reads them), its settings are its defaults, which a stand-in gives (a test
compares them with the library's); once one is set, or any other name of the module is asked
for, the library's own module loads and answers, so the settings mean what they always do.
`entry` installs the stand-ins before the command line is imported.
"""

from __future__ import annotations

import importlib.machinery
import importlib.util
import os
import sys
from functools import cache
from types import ModuleType, SimpleNamespace
from typing import Any

# each settings module, the prefix of its environment variables, and its settings' defaults
SCHEMA_VALIDATOR = "openapi_schema_validator.settings"
SPEC_VALIDATOR = "openapi_spec_validator.settings"
PREFIXES = {SCHEMA_VALIDATOR: "OPENAPI_SCHEMA_VALIDATOR_", SPEC_VALIDATOR: "OPENAPI_SPEC_VALIDATOR_"}
DEFAULTS: dict[str, dict[str, Any]] = {
    SCHEMA_VALIDATOR: {"compiled_validator_cache_max_size": 128},
    SPEC_VALIDATOR: {"resolved_cache_maxsize": 128, "schema_validator_backend": "auto"},
}


def install() -> None:
    """Stands in for both settings modules, each unless its package is imported already."""
    for name in PREFIXES:
        package = name.split(".")[0]
        if package not in sys.modules and name not in sys.modules:
            sys.modules[name] = _STAND_INS[name](name)


@cache
def library_module(name: str) -> ModuleType:
    """The library's own settings module, loaded in the stand-in's place."""
    package = importlib.util.find_spec(name.split(".")[0])  # imported already: not run again
    places = package.submodule_search_locations if package is not None else None
    spec = importlib.machinery.PathFinder.find_spec(name, list(places or []))
    if spec is None or spec.loader is None:
        raise ImportError(f"no module named {name!r}", name=name)
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


class _StandIn(ModuleType):
    """A settings module: its settings from the library's module when the environment sets one,
    else the defaults; any other name from the library's module."""

    def __init__(self, name: str) -> None:
        super().__init__(name, __doc__)

    def __getattr__(self, attribute: str) -> Any:
        """Not the import system's questions (`__path__`: is it a package?): they are about this."""
        if attribute.startswith("__"):
            raise AttributeError(attribute)
        return getattr(library_module(self.__name__), attribute)

    def settings(self, real: str) -> Any:
        """The library's settings, made by its module's `real`, or the defaults."""
        if any(key.upper().startswith(PREFIXES[self.__name__]) for key in os.environ):
            return getattr(library_module(self.__name__), real)()
        return SimpleNamespace(**DEFAULTS[self.__name__])


class _SchemaValidatorSettings(_StandIn):
    def get_settings(self) -> Any:
        return self.settings("get_settings")

    def reset_settings_cache(self) -> None:
        library = sys.modules.get(self.__name__)
        if library is not None and library is not self:  # the library's own has loaded
            library.reset_settings_cache()


class _SpecValidatorSettings(_StandIn):
    def OpenAPISpecValidatorSettings(self) -> Any:  # noqa: N802 - the library's name
        return self.settings("OpenAPISpecValidatorSettings")

    def get_resolved_cache_maxsize(self) -> int:
        return int(self.OpenAPISpecValidatorSettings().resolved_cache_maxsize)

    def get_schema_validator_backend(self) -> str:
        return str(self.OpenAPISpecValidatorSettings().schema_validator_backend)


_STAND_INS = {SCHEMA_VALIDATOR: _SchemaValidatorSettings, SPEC_VALIDATOR: _SpecValidatorSettings}
