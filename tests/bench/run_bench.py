"""`make bench`: sdkgen beside its rivals, each figure measured in the same run, alternating, as
the median of several runs, wall time and peak memory. Prints a Markdown table.

Rivals: openapi-python-client (default hooks) and datamodel-code-generator alone (its default
black+isort) on the same spec; the official `openai` package for per-call overhead and import time.
Floors: datamodel-code-generator alone, and black alone over the SDK sdkgen made (its one pass).
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = ROOT / ".venv" / "bin"
SPEC = ROOT / "spec" / "realtime-sessions.yaml"
FULL = ROOT.parent / "shared" / "reference" / "openai-openapi.yaml"
RIVAL_VENV = ROOT / ".corpus" / "opc-venv"
Row = tuple[str, str, float, float, str, float, float]


SAMPLE_SECONDS = 0.1  # a sample of a 200 MB tree reads its page tables: 5-6 ms of CPU, which
# every 20 ms was 0.77 s of a warm 2.9 s run of sdkgen's three processes on two cores


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall seconds, and the peak of the whole process tree's resident memory in MB (the command
    and every process it starts, summed, sampled every `SAMPLE_SECONDS`)."""
    with tempfile.TemporaryFile() as errors:  # a file, not a pipe: a chatty tool never blocks
        started = time.perf_counter()
        process = subprocess.Popen(command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=errors)
        peak = 0
        ended = threading.Event()

        def sample() -> None:
            nonlocal peak
            while not ended.is_set():
                peak = max(peak, _tree_rss(process.pid))
                ended.wait(SAMPLE_SECONDS)

        # the samples on a thread, the end awaited here: polling between samples counted a run's
        # end up to a sample's interval late (a 0.09 s check read 0.1 s or 0.2 s)
        sampler = threading.Thread(target=sample)
        sampler.start()
        process.wait()
        wall = time.perf_counter() - started
        ended.set()
        sampler.join()
        if process.returncode != 0:
            errors.seek(0)
            raise subprocess.CalledProcessError(process.returncode, command, stderr=errors.read())
    return wall, peak / 2**20


def _tree_rss(root: int) -> int:
    """Bytes resident in `root` and all its descendants, from /proc: each process's proportional
    share (PSS), so pages a forked child shares with its parent count once."""
    total = 0
    for pid in _tree(root):
        try:
            with open(f"/proc/{pid}/smaps_rollup") as rollup:
                total += next(int(line.split()[1]) * 1024 for line in rollup if line.startswith("Pss:"))
        except (OSError, StopIteration, ValueError):
            continue
    return total


# Each thread's children, where the kernel lists them: a sample costs what its own tree does.
# Scanning every process's stat instead took 1.7 ms a sample, a tenth of a core at 50 samples a
# second, taken from the tool measured when it keeps both cores busy.
_LISTS_CHILDREN = os.path.exists(f"/proc/{os.getpid()}/task/{os.getpid()}/children")


def _tree(root: int) -> list[int]:
    """`root` and all its descendants."""
    children_of = _listed_children if _LISTS_CHILDREN else _scanned_children()
    tree, frontier = [root], [root]
    while frontier:
        children = children_of(frontier.pop())
        tree.extend(children)
        frontier.extend(children)
    return tree


def _listed_children(pid: int) -> list[int]:
    """The children the kernel lists for each of the process's threads."""
    try:
        threads = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    children: list[int] = []
    for thread in threads:
        try:
            with open(f"/proc/{pid}/task/{thread}/children") as listed:
                children.extend(int(child) for child in listed.read().split())
        except OSError:
            continue
    return children


def _scanned_children() -> Callable[[int], list[int]]:
    """Each process's children, from the parent named in every process's stat."""
    parents: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                stat = Path(f"/proc/{entry}/stat").read_text()
            except OSError:
                continue
            parents[int(entry)] = int(stat.rsplit(")", 1)[1].split()[1])
    return lambda pid: [child for child, parent in parents.items() if parent == pid]


def alternate(
    runs: int, ours: Callable[[], tuple[float, float]], theirs: Callable[[], tuple[float, float]]
) -> tuple[float, float, float, float]:
    mine, rival = [], []
    for _ in range(runs):
        mine.append(ours())
        rival.append(theirs())
    median = lambda pairs, i: statistics.median(p[i] for p in pairs)  # noqa: E731
    return median(mine, 0), median(mine, 1), median(rival, 0), median(rival, 1)


def sdkgen_generate(
    spec: Path, work: Path, cold: bool, in_place: bool = False
) -> Callable[[], tuple[float, float]]:
    """`sdkgen generate` into an emptied folder, or `in_place` into the SDK the last run left
    there (as a maintainer regenerates after editing the spec)."""

    def run() -> tuple[float, float]:
        out = work / "sdkgen"
        if not in_place:
            shutil.rmtree(out, ignore_errors=True)
        env = {**os.environ, "SDKGEN_CACHE_DIR": str(work / "cache")}
        if cold:
            env["SDKGEN_NO_CACHE"] = "1"
        return timed([str(BIN / "sdkgen"), "generate", "--spec", str(spec), "--out", str(out)], work, env)

    return run


def each_a_new_edit(
    edited: Path, run: Callable[[], tuple[float, float]], structural: bool = False, first: int = 1
) -> Callable[[], tuple[float, float]]:
    """`run` after writing `edited`: the full spec with one schema changed, in a new way each time,
    so that each of several runs measures an edit (the caches hold the unedited spec and the edits
    before), not a repeat of the last one. The edit changes a description, or with `structural` adds
    a property (to the same schema, RealtimeBetaResponse, in the spec's largest group of schemas)."""
    count = itertools.count(first)  # another row's edits start elsewhere: none is seen twice

    def again() -> tuple[float, float]:
        n = next(count)
        if structural:
            old, new = STRUCTURAL_EDIT
            text = FULL.read_text().replace(old, new.format(n=n), 1)
        else:
            text = FULL.read_text().replace(
                "Maximum number of output tokens", f"The most output tokens (edit {n})", 1
            )
        edited.write_text(text)
        return run()

    return again


STRUCTURAL_EDIT = (
    "\n        max_output_tokens:\n          oneOf:\n",
    "\n        bench_flag_{n}:\n          type: boolean\n" "        max_output_tokens:\n          oneOf:\n",
)


def rival_generate(spec: Path, work: Path, in_place: bool = False) -> Callable[[], tuple[float, float]]:
    """openapi-python-client into an emptied folder, or `in_place` over the client the last run
    left there (`--overwrite`: it replaces the folder)."""

    def run() -> tuple[float, float]:
        out = work / "rival"
        if not in_place:
            shutil.rmtree(out, ignore_errors=True)
        env = {**os.environ, "PATH": f"{RIVAL_VENV / 'bin'}:{os.environ['PATH']}"}
        return timed(
            [
                str(RIVAL_VENV / "bin" / "openapi-python-client"),
                "generate",
                "--path",
                str(spec),
                "--output-path",
                str(out),
                "--meta",
                "none",
                *(["--overwrite"] if in_place else []),
            ],
            work,
            env,
        )

    return run


def dmcg_generate(spec: Path, work: Path) -> Callable[[], tuple[float, float]]:
    def run() -> tuple[float, float]:
        return timed(
            [
                str(BIN / "datamodel-codegen"),
                "--input",
                str(spec),
                "--input-file-type",
                "openapi",
                "--output",
                str(work / "dmcg_models.py"),
                "--output-model-type",
                "pydantic_v2.BaseModel",
                "--disable-timestamp",
            ],
            work,
        )

    return run


def black_alone(sdk: Path, work: Path) -> Callable[[], tuple[float, float]]:
    """black's own command over the Python of an SDK sdkgen made (on all cores, no cache, sdkgen's
    settings): black-stable code is formatted once, so this is what black's single pass costs, a
    floor under any pipeline that has black format that code."""

    def run() -> tuple[float, float]:
        config, cache = work / "black.toml", work / "black-cache"
        config.write_text("")
        shutil.rmtree(cache, ignore_errors=True)
        command = [str(BIN / "black"), "--check", "-q", "--config", str(config)]
        command += ["--target-version", "py311", "--line-length", "88"]
        command += sorted(str(path) for path in sdk.rglob("*.py"))  # named: no .gitignore leaves one out
        return timed(command, work, {**os.environ, "BLACK_CACHE_DIR": str(cache)})

    return run


def check_nothing_changed(work: Path) -> Callable[[], tuple[float, float]]:
    env = {**os.environ, "SDKGEN_CACHE_DIR": str(work / "cache")}
    subprocess.run([str(BIN / "sdkgen"), "check"], cwd=ROOT, env=env, check=True, capture_output=True)

    def run() -> tuple[float, float]:
        return timed([str(BIN / "sdkgen"), "check"], ROOT, env)

    return run


def fresh_clone(command: str, spec: Path, sdk: Path, work: Path) -> Callable[[], tuple[float, float]]:
    """`sdkgen check|generate` in a copy of a generated folder, with no cache at all: a fresh
    clone of a repository that holds the SDK (its `.sdkgen-format` is the only cache)."""

    def run() -> tuple[float, float]:
        clone, cache = work / "clone", work / "clone-cache"
        for folder in (clone, cache):
            shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(sdk, clone)
        env = {**os.environ, "SDKGEN_CACHE_DIR": str(cache)}
        return timed([str(BIN / "sdkgen"), command, "--spec", str(spec), "--out", str(clone)], work, env)

    return run


def fresh_process(code: str, path: Path | None) -> Callable[[], tuple[float, float]]:
    """Runs `code` (which prints the seconds it measured) in a new interpreter, `path` importable."""

    def run() -> tuple[float, float]:
        env = {**os.environ, **({"PYTHONPATH": str(path)} if path else {})}
        result = subprocess.run(
            [str(BIN / "python"), "-c", code], env=env, capture_output=True, text=True, check=True
        )
        return float(result.stdout), 0.0

    return run


def import_time(module: str, path: Path | None) -> Callable[[], tuple[float, float]]:
    code = f"import time; t = time.perf_counter(); import {module}; print(time.perf_counter() - t)"
    return fresh_process(code, path)


COMPLETION = {
    "id": "chatcmpl-1",
    "object": "chat.completion",
    "created": 1,
    "model": "gpt-4o",
    "choices": [
        {
            "index": 0,
            "message": {"role": "assistant", "content": "hi", "refusal": None},
            "finish_reason": "stop",
            "logprobs": None,
        }
    ],
}
FIRST_CALL = """
import json, time
started = time.perf_counter()
import {http} as http
{imports}
transport = http.MockTransport(lambda r: http.Response(200, json=json.loads({body!r})))
client = {client}(api_key="k", http_client=http.Client(transport=transport))
reply = client.chat.{method}(model="gpt-4o", messages=[{{"role": "user", "content": "hello"}}])
assert reply.choices[0].message.content == "hi"
print(time.perf_counter() - started)
"""


def first_call(package: str | None, path: Path | None) -> Callable[[], tuple[float, float]]:
    """A fresh process: import the client, make one chat completion (over a mock transport) and
    parse it; `package` None is the openai package."""
    if package is None:
        code = FIRST_CALL.format(
            http="httpx2",
            imports="from openai import OpenAI",
            client="OpenAI",
            method="completions.create",
            body=json.dumps(COMPLETION),
        )
    else:
        client = next(
            line
            for line in (path / package / "__init__.py").read_text().splitlines()
            if line.startswith("from ._client import")
        ).split(", ")[-1]
        code = FIRST_CALL.format(
            http="httpx",
            imports=f"from {package} import {client}",
            client=client,
            method="create_chat_completion",
            body=json.dumps(COMPLETION),
        )
    return fresh_process(code, path)


SESSION = {
    "id": "sess_1",
    "object": "realtime.session",
    "model": "gpt-realtime",
    "client_secret": {"value": "ek_1", "expires_at": 1},
}


def call_overhead(calls: int) -> dict[str, float]:
    """Microseconds per create-session call over a mock transport (build, send, parse)."""
    sys.path.insert(0, str(ROOT / "generated"))
    import httpx
    import httpx2
    import openai
    import openai_realtime

    ours_sync = openai_realtime.OpenAIRealtime(
        api_key="k",
        http_client=httpx.Client(transport=httpx.MockTransport(lambda r: httpx.Response(200, json=SESSION))),
    )
    theirs_sync = openai.OpenAI(
        api_key="k",
        base_url="https://api.openai.com/v1",
        http_client=httpx2.Client(
            transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json=SESSION))
        ),
    )
    ours_async = openai_realtime.AsyncOpenAIRealtime(
        api_key="k",
        http_client=httpx.AsyncClient(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, json=SESSION))
        ),
    )
    theirs_async = openai.AsyncOpenAI(
        api_key="k",
        http_client=httpx2.AsyncClient(
            transport=httpx2.MockTransport(lambda r: httpx2.Response(200, json=SESSION))
        ),
    )
    kwargs = {"model": "gpt-realtime", "instructions": "Be brief.", "voice": "alloy", "temperature": 0.8}

    def per_call(fn: Callable[[], object]) -> float:
        for _ in range(50):
            fn()
        started = time.perf_counter()
        for _ in range(calls):
            fn()
        return (time.perf_counter() - started) / calls * 1e6

    async def per_call_async(fn: Callable[[], object]) -> float:
        for _ in range(50):
            await fn()  # type: ignore[misc]
        started = time.perf_counter()
        for _ in range(calls):
            await fn()  # type: ignore[misc]
        return (time.perf_counter() - started) / calls * 1e6

    results: dict[str, list[float]] = {
        k: [] for k in ("ours_sync", "theirs_sync", "ours_async", "theirs_async")
    }
    for _ in range(3):
        results["ours_sync"].append(per_call(lambda: ours_sync.create_realtime_session(**kwargs)))
        results["theirs_sync"].append(per_call(lambda: theirs_sync.beta.realtime.sessions.create(**kwargs)))
        results["ours_async"].append(
            asyncio.run(per_call_async(lambda: ours_async.create_realtime_session(**kwargs)))
        )
        results["theirs_async"].append(
            asyncio.run(per_call_async(lambda: theirs_async.beta.realtime.sessions.create(**kwargs)))
        )
    return {k: statistics.median(v) for k, v in results.items()}


CHUNK = {
    "id": "chatcmpl-1",
    "object": "chat.completion.chunk",
    "created": 1,
    "model": "gpt-4o",
    "choices": [{"index": 0, "delta": {"content": "hi"}, "finish_reason": None}],
}


def event_cost(events: int, work: Path) -> dict[str, float]:
    """Microseconds per server-sent event, read and parsed: a Stream of the SDK generated from
    tests/specs/streams.yaml against the openai package's chat-completion stream, same bytes."""
    import httpx
    import httpx2
    import openai

    subprocess.run(
        [
            str(BIN / "sdkgen"),
            "generate",
            "--spec",
            str(ROOT / "tests" / "specs" / "streams.yaml"),
            "--out",
            "parrot",
        ],
        cwd=work,
        check=True,
        capture_output=True,
    )
    sys.path.insert(0, str(work / "parrot"))
    import parrot

    body = "".join(f"data: {json.dumps({**CHUNK, 'index': i, 'delta': 'hi'})}\n\n" for i in range(events))
    body += "data: [DONE]\n\n"
    sse = {"content-type": "text/event-stream"}
    ours = parrot.Parrot(
        api_key="k",
        http_client=httpx.Client(
            transport=httpx.MockTransport(lambda r: httpx.Response(200, headers=sse, text=body))
        ),
    )
    theirs = openai.OpenAI(
        api_key="k",
        http_client=httpx2.Client(
            transport=httpx2.MockTransport(lambda r: httpx2.Response(200, headers=sse, text=body))
        ),
    )

    def per_event(fn: Callable[[], object]) -> float:
        started = time.perf_counter()
        count = sum(1 for _ in fn())  # type: ignore[attr-defined]
        assert count == events
        return (time.perf_counter() - started) / events * 1e6

    def ours_stream() -> object:
        return ours.create_reply(prompt="hi", stream=True)

    def theirs_stream() -> object:
        return theirs.chat.completions.create(model="gpt-4o", messages=[], stream=True)

    results: dict[str, list[float]] = {"ours": [], "theirs": []}
    for _ in range(3):
        results["ours"].append(per_event(ours_stream))
        results["theirs"].append(per_event(theirs_stream))
    return {k: statistics.median(v) for k, v in results.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--full-runs", type=int, default=1)
    parser.add_argument("--skip-full", action="store_true")
    args = parser.parse_args()
    if not (RIVAL_VENV / "bin" / "openapi-python-client").exists():
        subprocess.run(
            [sys.executable, str(ROOT / "tests" / "corpus" / "run_corpus.py"), "--count", "0"], check=True
        )
    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="sdkgen-bench-") as scratch:
        work = Path(scratch)
        m = alternate(args.runs, sdkgen_generate(SPEC, work, cold=True), rival_generate(SPEC, work))
        rows.append(("generate spec/, cold", "openapi-python-client", *m))
        m = alternate(args.runs, sdkgen_generate(SPEC, work, cold=True), dmcg_generate(SPEC, work))
        rows.append(("generate spec/, cold", "datamodel-codegen alone", *m))
        m = alternate(args.runs, check_nothing_changed(work), lambda: (0.0, 0.0))
        rows.append(("check spec/, nothing changed", "-", *m))
        if FULL.exists() and not args.skip_full:
            m = alternate(args.full_runs, sdkgen_generate(FULL, work, cold=True), rival_generate(FULL, work))
            rows.append(("generate full OpenAI spec, cold", "openapi-python-client", *m))
            m = alternate(args.full_runs, sdkgen_generate(FULL, work, cold=True), dmcg_generate(FULL, work))
            rows.append(("generate full OpenAI spec, cold", "datamodel-codegen alone", *m))
            m = alternate(
                args.full_runs, sdkgen_generate(FULL, work, cold=True), black_alone(work / "sdkgen", work)
            )
            rows.append(("generate full OpenAI spec, cold", "black alone, over sdkgen's output", *m))
            edited = work / "edited.yaml"
            sdkgen_generate(FULL, work, cold=False)()  # warm the caches with the unedited spec
            m = alternate(
                args.full_runs,
                each_a_new_edit(edited, sdkgen_generate(edited, work, cold=False)),
                rival_generate(edited, work),
            )
            rows.append(
                ("full spec after a one-schema edit (a description), warm", "openapi-python-client", *m)
            )
            m = alternate(
                args.full_runs,
                each_a_new_edit(edited, sdkgen_generate(edited, work, cold=False), structural=True),
                rival_generate(edited, work),
            )
            rows.append(
                ("full spec after a one-schema edit (a property added), warm", "openapi-python-client", *m)
            )
            # in place: each tool over the output its last run left, as a maintainer regenerates
            # (the emptied folder's rows create 3,300 files, which this disk takes 0.1-2 s to do
            # right after deleting as many)
            for structural, what in ((False, "a description"), (True, "a property added")):
                sdkgen_generate(FULL, work, False, True)()  # the unedited spec's SDK in the folder
                m = alternate(
                    args.full_runs,
                    each_a_new_edit(edited, sdkgen_generate(edited, work, False, True), structural, 1000),
                    rival_generate(edited, work, in_place=True),
                )
                rows.append(
                    (
                        f"full spec after a one-schema edit ({what}), warm, in place",
                        "openapi-python-client",
                        *m,
                    )
                )
            sdkgen_generate(FULL, work, cold=False)()  # the unedited spec's SDK, as a repository holds it
            reference = work / "reference"
            shutil.copytree(work / "sdkgen", reference)
            m = alternate(args.full_runs, fresh_clone("check", FULL, reference, work), lambda: (0.0, 0.0))
            rows.append(("fresh clone of the full SDK, check, nothing changed", "-", *m))
            m = alternate(args.full_runs, fresh_clone("generate", FULL, reference, work), lambda: (0.0, 0.0))
            rows.append(("fresh clone of the full SDK, generate, nothing changed", "-", *m))
            m = alternate(
                args.full_runs,
                fresh_clone("generate", edited, reference, work),
                sdkgen_generate(edited, work, cold=True),
            )
            rows.append(
                ("fresh clone of the full SDK, one-schema edit (a property added)", "sdkgen cold", *m)
            )
        m = alternate(5, import_time("openai_realtime", ROOT / "generated"), import_time("openai", None))
        rows.append(("import generated/ (s)", "import openai", m[0], 0.0, "", m[2], 0.0))
        full_sdk = work / "sdkgen"
        if (full_sdk / "docs").is_dir():  # the last full-spec SDK: the whole API, like openai's
            package = next(p.parent.name for p in sorted(full_sdk.glob("*/__init__.py")))
            # compiled, as `pip install` leaves a package (and as the openai package is here)
            subprocess.run(
                [str(BIN / "python"), "-m", "compileall", "-q", str(full_sdk / package)], check=True
            )
            m = alternate(5, import_time(package, full_sdk), import_time("openai", None))
            rows.append(("import full OpenAI SDK (s)", "import openai", m[0], 0.0, "", m[2], 0.0))
            m = alternate(5, first_call(package, full_sdk), first_call(None, None))
            rows.append(("full OpenAI SDK: import, one chat call (s)", "openai", m[0], 0.0, "", m[2], 0.0))
    overhead = call_overhead(2000)
    with tempfile.TemporaryDirectory(prefix="sdkgen-bench-") as scratch:
        events = event_cost(20000, Path(scratch))
    print("| measurement | rival | sdkgen s | sdkgen MB | rival s | rival MB | ratio |")
    print("| --- | --- | --- | --- | --- | --- | --- |")
    for name, rival, ours_s, ours_mb, *rest in rows:
        theirs_s, theirs_mb = rest[-2], rest[-1]
        ratio = f"{ours_s / theirs_s:.2f}" if theirs_s else "-"
        cells = [name, rival, f"{ours_s:.3f}", f"{ours_mb:.0f}", f"{theirs_s:.3f}", f"{theirs_mb:.0f}", ratio]
        print("| " + " | ".join(cells) + " |")
    for style in ("sync", "async"):
        ours, theirs = overhead[f"ours_{style}"], overhead[f"theirs_{style}"]
        cells = [
            f"per-call overhead, {style} (µs)",
            "openai package",
            f"{ours:.0f}",
            "-",
            f"{theirs:.0f}",
            "-",
        ]
        print("| " + " | ".join([*cells, f"{ours / theirs:.2f}"]) + " |")
    cells = [
        "per streamed event (µs)",
        "openai package",
        f"{events['ours']:.1f}",
        "-",
        f"{events['theirs']:.1f}",
        "-",
    ]
    print("| " + " | ".join([*cells, f"{events['ours'] / events['theirs']:.2f}"]) + " |")
    (ROOT / ".bench.json").write_text(
        json.dumps({"rows": rows, "overhead": overhead, "events": events}, indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
