"""Turn spec names into Python identifiers: snake_case for functions and fields, PascalCase for classes."""

from __future__ import annotations

import builtins
import keyword
import re
import unicodedata

# Acronyms that specs run into the next word: `CreateanAPIkey` is create-an API key, not AP Ikey.
ACRONYMS = (
    "API|URL|URI|UUID|ID|HTTP|JSON|XML|HTML|SQL|SSO|SAML|JWT|IP|DNS|SSH|TLS|SSL|AWS|SDK|MFA|OTP"
    "|TTL|ACL|CSV|PDF|VPN|CPU|GPU"
)
_WORD = re.compile(
    rf"(?:{ACRONYMS})(?:s(?![a-z])|(?=[a-z]))|[A-Z]+(?=[A-Z][a-z0-9])|[A-Z]?[a-z0-9]+|[A-Z]+|[0-9]+"
)
RESERVED = frozenset(keyword.kwlist) | frozenset(keyword.softkwlist)
BUILTINS = frozenset(dir(builtins))


def words(name: str) -> list[str]:
    """Split `createRealtime-session_v2` into ["create", "Realtime", "session", "v2"]."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    return _WORD.findall(ascii_name)


def snake_case(name: str) -> str:
    """A lower-case identifier, or "" when the name has no letters or digits to keep."""
    result = "_".join(w.lower() for w in words(name))
    if result and result[0].isdigit():
        result = "n" + result
    return result


def pascal_case(name: str) -> str:
    result = "".join(w[:1].upper() + w[1:] for w in words(name))
    if result and result[0].isdigit():
        result = "N" + result
    return result


def safe_name(name: str, *, avoid_builtins: bool = False) -> str:
    """Append `_` to keywords (and, where asked, to builtins) so the name can be used as-is."""
    if name in RESERVED or (avoid_builtins and name in BUILTINS):
        return name + "_"
    return name


def function_name(operation_id: str) -> str:
    return safe_name(snake_case(operation_id))


def argument_name(name: str) -> str:
    """A keyword argument: keywords get a trailing underscore; builtins are fine as parameters."""
    return safe_name(snake_case(name) if not name.isidentifier() or name != name.lower() else name)


def class_name(name: str) -> str:
    return safe_name(pascal_case(name))


def member_order(name: str) -> tuple[int, str]:
    """isort's (and ruff's) order of the names in `from x import ...`: CONSTANTS, Classes, the rest."""
    return (0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2, name)
