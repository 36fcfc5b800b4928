"""Runs Python snippets one after another in this process, each as its own `__main__`, and prints
what each printed or raised, as JSON: faster than a process per snippet, and as honest."""

from __future__ import annotations

import contextlib
import io
import json
import sys
import traceback


def main() -> None:
    results = []
    for index, source in enumerate(json.load(sys.stdin)):
        out = io.StringIO()
        error = ""
        try:
            with contextlib.redirect_stdout(out):
                exec(compile(source, f"<snippet {index}>", "exec"), {"__name__": "__main__"})  # noqa: S102
        except BaseException:  # every failure is reported with its snippet, not a crash
            error = traceback.format_exc(limit=-3)
        results.append({"stdout": out.getvalue(), "error": error})
    json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
