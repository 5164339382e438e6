"""Sharing a build between cores: the same results as one process, and failures are not lost."""

from __future__ import annotations

import os
import time

import pytest

from events_calendar import parallel


def test_map_in_workers_keeps_the_order(monkeypatch):
    monkeypatch.setattr(parallel, "WORTH_IT", 2)
    monkeypatch.setenv("EVENTS_WORKERS", "3")
    items = list(range(101))
    assert parallel.map_in_workers(lambda n: (n * n, os.getpid()), items)[:3][0][0] == 0
    results = parallel.map_in_workers(lambda n: n * n, items)
    assert results == [n * n for n in items]


def test_run_split_runs_every_job_once(tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_WORKERS", "2")

    def job(n):
        time.sleep(0.02)  # long enough that the worker is started before the parent is done
        (tmp_path / f"{n}.txt").write_text(str(os.getpid()))

    parallel.run_split([lambda n=n: job(n) for n in range(40)])
    written = sorted(tmp_path.glob("*.txt"))
    assert len(written) == 40
    assert len({path.read_text() for path in written}) == 2  # two processes shared them


def test_each_process_takes_the_next_job_so_one_long_job_does_not_hold_up_the_rest(
        tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_WORKERS", "2")

    def job(n):
        time.sleep(1.0 if n == 0 else 0.01)
        (tmp_path / f"{n}.txt").write_text(str(os.getpid()))

    parallel.run_split([lambda n=n: job(n) for n in range(40)])
    long_one = (tmp_path / "0.txt").read_text()
    others = [path.read_text() for path in tmp_path.glob("*.txt") if path.name != "0.txt"]
    assert len(others) == 39
    # Round-robin would have given the long job's process every other short job.
    assert others.count(long_one) < 5


def test_a_failure_in_a_worker_fails_the_build(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("EVENTS_WORKERS", "2")
    parent = os.getpid()

    def broken_in_a_worker():
        time.sleep(0.02)
        if os.getpid() != parent:
            raise ValueError("template broke")

    with pytest.raises(RuntimeError, match="a worker writing the site failed"):
        parallel.run_split([broken_in_a_worker] * 20)
    assert "template broke" in capfd.readouterr().err


def test_a_failure_in_the_parent_is_raised_after_the_workers_finish(monkeypatch):
    monkeypatch.setenv("EVENTS_WORKERS", "2")
    parent = os.getpid()

    def broken_in_the_parent():
        time.sleep(0.02)
        if os.getpid() == parent:
            raise ValueError("template broke")

    with pytest.raises(ValueError, match="template broke"):
        parallel.run_split([broken_in_the_parent] * 20)


def test_work_alongside_the_jobs_runs_while_they_run_and_is_told_when_they_end(
        tmp_path, monkeypatch):
    monkeypatch.setenv("EVENTS_WORKERS", "2")
    seen = {}

    def alongside(done):
        # Finds some jobs already done and others not, then waits for the end.
        time.sleep(0.1)
        seen["during"] = len(list(tmp_path.glob("*.txt")))
        seen["told"] = done.wait(10)
        seen["after"] = len(list(tmp_path.glob("*.txt")))

    def job(n):
        time.sleep(0.02)
        (tmp_path / f"{n}.txt").write_text("")

    parallel.run_split([lambda n=n: job(n) for n in range(40)], alongside=alongside)
    assert 0 < seen["during"] < 40 and seen["told"] and seen["after"] == 40


def test_work_alongside_is_released_when_the_jobs_fail(monkeypatch):
    monkeypatch.setenv("EVENTS_WORKERS", "2")
    released = []

    def broken():
        time.sleep(0.02)
        raise ValueError("template broke")

    with pytest.raises(ValueError):  # and does not hang waiting for the helper
        parallel.run_split([broken] * 10, alongside=lambda done: released.append(done.wait(10)))
    assert released == [True]


def test_a_build_from_the_cache_is_byte_identical_to_one_without(tmp_path):
    from conftest import ROOT, build_site

    cache = tmp_path / "cache"
    outputs = []
    for name, settings in [("fresh", {"EVENTS_CACHE": False}),
                           ("filling", {"CACHE_PATH": str(cache)}),
                           ("from-cache", {"CACHE_PATH": str(cache)})]:
        output = tmp_path / name
        result = build_site(ROOT / "content", output, extra_settings=settings)
        assert result.returncode == 0, result.stderr
        outputs.append(output)
    assert (cache / "events-calendar.sqlite").is_file()
    first = outputs[0]
    names = sorted(p.relative_to(first) for p in first.rglob("*") if p.is_file())
    for other in outputs[1:]:
        assert names == sorted(p.relative_to(other) for p in other.rglob("*") if p.is_file())
        for name in names:
            assert (first / name).read_bytes() == (other / name).read_bytes(), (other, name)
