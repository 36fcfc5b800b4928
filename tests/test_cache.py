"""The cache's writes behind the work: on a thread, all done when the work ends."""

from __future__ import annotations

import multiprocessing
import threading
from pathlib import Path

import pytest

from generator import cache


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SDKGEN_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("SDKGEN_NO_CACHE", raising=False)
    return tmp_path / "cache"


def _put_and_get(name: str) -> bool:
    cache.put("examples", name, True)
    return cache.get("examples", name) is True


def test_writes_go_on_a_thread_and_are_all_done_when_the_work_ends(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    writers: list[str] = []
    real = cache._write

    def noted(kind: str, name: str, data: bytes) -> None:
        writers.append(threading.current_thread().name)
        real(kind, name, data)

    monkeypatch.setattr(cache, "_write", noted)
    with cache.written_behind():
        with cache.written_behind():  # within one already: the same thread writes
            for n in range(200):
                cache.put("examples", f"{n:064x}", n % 2 == 0)
        # a process forked meanwhile has no writer thread: it writes itself, at once
        forked = multiprocessing.get_context("fork").Pool(1)
        try:
            assert forked.apply(_put_and_get, (f"{999:064x}",)) is True
        finally:
            forked.close()
            forked.join()
    assert len(writers) == 200 and threading.current_thread().name not in writers
    assert all(cache.get("examples", f"{n:064x}") is (n % 2 == 0) for n in range(200))
    cache.put("examples", f"{1000:064x}", False)  # after it, writes are made at once again
    assert writers[-1] == threading.current_thread().name


def test_without_a_cache_no_writer_starts_and_nothing_is_written(
    cache_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SDKGEN_NO_CACHE", "1")
    threads = threading.active_count()
    with cache.written_behind():
        assert threading.active_count() == threads
        cache.put("examples", f"{1:064x}", True)
    assert not cache_dir.exists()
