"""Deprecation, sunset dates and stability levels, as oasdiff reads them: what it means to remove
an operation or a parameter, and whether an operation's stability went down."""

from __future__ import annotations

import datetime as dt
from typing import Any

STABILITY = ("draft", "alpha", "beta", "stable")  # least stable first; no `x-stability-level` is stable
UNSTABLE = frozenset({"draft", "alpha"})  # removed without notice: nobody was promised them


def sunset(element: dict[str, Any]) -> dt.date | str | None:
    """The `x-sunset` date (`2026-12-31` or RFC 3339), None when there is none, or the text when it
    is not a date."""
    value = element.get("x-sunset")
    if value is None:
        return None
    text = str(value)  # the loader keeps YAML dates as the text they are written as
    for parse in (dt.date.fromisoformat, lambda t: dt.datetime.fromisoformat(t).date()):
        try:
            return parse(text)
        except ValueError:
            continue
    return text


def removal(element: dict[str, Any], today: dt.date) -> str | None:
    """How removing a deprecatable element rates: `without-deprecation`, `with-deprecation`,
    `before-sunset`, `sunset-parse` (an `x-sunset` that is not a date), or None once its sunset
    has passed (removing it then is what the deprecation announced)."""
    if not element.get("deprecated"):
        return "without-deprecation"
    date = sunset(element)
    if date is None:
        return "with-deprecation"
    if isinstance(date, str):
        return "sunset-parse"
    return "before-sunset" if today < date else None


def removal_rule(prefix: str, how: str) -> str:
    """The id of a removal (`removal()`'s answer) of an operation (`api`), a path's operation
    (`api-path`) or a parameter (`request-parameter`), as oasdiff names it."""
    if how == "sunset-parse":
        return "request-parameter-sunset-parse" if prefix == "request-parameter" else "api-path-sunset-parse"
    if how == "without-deprecation" and prefix == "request-parameter":
        return "request-parameter-removed"  # oasdiff's older id for this case, kept by oasdiff
    return f"{prefix}-removed-{how}"


def stability(element: dict[str, Any]) -> str | None:
    """The operation's `x-stability-level` (stable when absent), or None when it is not one of
    draft, alpha, beta and stable."""
    value = element.get("x-stability-level", "stable")
    return value if value in STABILITY else None


def stability_change(base: dict[str, Any], revision: dict[str, Any]) -> str | None:
    """`api-stability-decreased`, `api-stability-increased`, `api-invalid-stability-level`, or None."""
    was, now = stability(base), stability(revision)
    if was is None or now is None:
        return "api-invalid-stability-level"
    if was == now:
        return None
    return (
        "api-stability-decreased"
        if STABILITY.index(now) < STABILITY.index(was)
        else "api-stability-increased"
    )
