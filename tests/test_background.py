"""Ahead runs a function in a forked child; its result, errors and cancellation."""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from generator.background import Ahead, share


def test_the_result_comes_from_the_child() -> None:
    ahead = Ahead(lambda: (os.getpid(), [1, 2, 3]))
    pid, value = ahead.result()
    assert value == [1, 2, 3]
    assert pid != os.getpid()


def test_a_large_result_streams_through_the_pipe_whole() -> None:
    # far more than the pipe holds: the child writes while the caller reads
    ahead = Ahead(lambda: {"text": "x" * 5_000_000, "files": [str(n) for n in range(100_000)]})
    value = ahead.result()
    assert len(value["text"]) == 5_000_000 and value["files"][-1] == "99999"


def test_a_result_that_does_not_pickle_is_recomputed_in_the_caller() -> None:
    parent = os.getpid()
    pid, func = Ahead(lambda: (os.getpid(), lambda: "a lambda does not pickle")).result()
    assert pid == parent, "the child's stream stopped short; the caller ran the function itself"
    assert func() == "a lambda does not pickle"


def test_an_error_in_the_child_is_raised_in_the_caller_with_its_traceback() -> None:
    calls: list[int] = []

    def fails() -> None:
        calls.append(os.getpid())
        raise ValueError("broken template")

    ahead = Ahead(fails)
    with pytest.raises(ValueError, match="broken template"):
        ahead.result()
    assert calls == [os.getpid()]  # the child's attempt happened in the child's memory


def test_a_child_that_dies_is_replaced_by_a_run_in_the_caller() -> None:
    parent = os.getpid()
    ahead = Ahead(lambda: os._exit(3) if os.getpid() != parent else "here")
    assert ahead.result() == "here"


def test_what_goes_on_beside_is_done_before_a_failed_childs_work_runs_here() -> None:
    """`generate` formats the models' batches from a thread while it reads the child's result:
    when the child failed, its work runs here only after `before_here` (the batches' end), never
    beside them; when the child succeeded, `before_here` is not waited for."""
    parent = os.getpid()
    steps: list[str] = []
    failing = Ahead(lambda: os._exit(3) if os.getpid() != parent else steps.append("work") or "here")
    assert failing.result(lambda: steps.append("beside done")) == "here"
    assert steps == ["beside done", "work"]
    steps.clear()
    assert Ahead(lambda: "there").result(lambda: steps.append("beside done")) == "there"
    assert steps == []


def test_cancel_stops_the_child() -> None:
    ahead = Ahead(lambda: time.sleep(60))
    process = ahead._process
    started = time.perf_counter()
    ahead.cancel()
    assert time.perf_counter() - started < 5
    assert process is not None and not process.is_alive()


def _waits_in_a_scratch_folder(parent: Path) -> None:
    with tempfile.TemporaryDirectory(dir=parent) as scratch:
        Path(scratch, "ready").touch()
        time.sleep(60)


def test_a_cancelled_child_removes_its_scratch_folder(tmp_path: Path) -> None:
    ahead = Ahead(lambda: _waits_in_a_scratch_folder(tmp_path))
    deadline = time.perf_counter() + 30
    while not list(tmp_path.glob("*/ready")) and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert list(tmp_path.glob("*/ready")), "the child never made its folder"
    ahead.cancel()
    assert not list(tmp_path.iterdir())


def _uses_a_pool() -> list[int]:
    with ProcessPoolExecutor(max_workers=2) as pool:
        return list(pool.map(abs, [-1, -2]))


def test_the_child_may_use_a_process_pool() -> None:
    # the diff command's base side formats its SDK on all cores inside the child
    parent = os.getpid()
    ahead = Ahead(lambda: (os.getpid() != parent, _uses_a_pool()))
    assert ahead.result() == (True, [1, 2])


def _shares_then_returns() -> str:
    return "all" if share(["models"]) else "not shared"


def test_the_child_shares_part_of_its_work_before_it_is_done() -> None:
    ahead = Ahead(_shares_then_returns)
    assert ahead.early() == ["models"]
    assert ahead.early() is None, "nothing more was shared: early() keeps the result for result()"
    assert ahead.result() == "all"


def test_a_share_unread_when_the_result_comes_is_kept_and_sharing_elsewhere_does_nothing() -> None:
    ahead = Ahead(_shares_then_returns)
    assert ahead.result() == "all"
    assert ahead.early() == ["models"], "the caller may need what the child shared"
    assert ahead.early() is None
    assert Ahead(lambda: "quiet").early() is None
    # in the caller (no fork, or a rerun after the child died): a no-op, and it says so
    assert share(["no child here"]) is False
    assert _shares_then_returns() == "not shared"


def _shares_a_lot_then_goes_on(marker: str) -> str:
    share("x" * 4_000_000)  # far more than a pipe holds
    with open(marker, "w") as handle:  # noqa: PTH123 - a plain write in the child
        handle.write("went on")
    return "done"


def test_the_child_goes_on_while_its_share_waits_for_the_caller(tmp_path: Path) -> None:
    """The caller reads a share only when it is ready (the full spec's models wait for validation):
    the child does not wait for it."""
    marker = tmp_path / "went-on"
    ahead = Ahead(lambda: _shares_a_lot_then_goes_on(str(marker)))
    deadline = time.monotonic() + 30
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), "the child waited for its share to be read"
    assert ahead.early() == "x" * 4_000_000
    assert ahead.result() == "done"


def test_running_says_whether_the_child_is_still_at_work(tmp_path: Path) -> None:
    go = tmp_path / "go"

    def waits() -> str:
        while not go.exists():
            time.sleep(0.01)
        return "done"

    ahead = Ahead(waits)
    time.sleep(0.2)
    assert ahead.running()
    go.write_text("")
    deadline = time.monotonic() + 30
    while ahead.running() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not ahead.running(), "the child finished but is said to run"
    assert ahead.result() == "done"
    assert not ahead.running(), "nor after its result is read"


def _shares_three_then_returns() -> str:
    for n in range(3):
        share([n, "x" * 200_000])  # each more than a pipe holds: sent whole, one after another
    return "all"


def test_shares_reach_the_caller_in_turn_and_running_keeps_those_it_read() -> None:
    ahead = Ahead(_shares_three_then_returns)
    deadline = time.monotonic() + 30
    while ahead.running() and time.monotonic() < deadline:  # reads the shares on its way
        time.sleep(0.01)
    assert not ahead.running()
    assert [ahead.early()[0] for _ in range(3)] == [0, 1, 2]
    assert ahead.early() is None
    assert ahead.result() == "all"


def test_ready_says_whether_the_caller_would_wait(tmp_path: Path) -> None:
    """The caller works ahead (`meanings_ahead`) only while the child has nothing for it."""
    go, again = tmp_path / "go", tmp_path / "again"

    def shares_when_told() -> str:
        for step in (go, again):
            while not step.exists():
                time.sleep(0.01)
            share(step.name)
        return "done"

    ahead = Ahead(shares_when_told)
    time.sleep(0.2)
    assert not ahead.ready()
    go.write_text("")
    deadline = time.monotonic() + 30
    while not ahead.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ahead.running() and ahead.ready(), "a share waits: running() kept it"
    assert ahead.early() == "go"
    assert not ahead.ready()
    again.write_text("")
    assert ahead.early() == "again"
    while not ahead.ready() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert ahead.ready() and ahead.result() == "done"
