"""Sharing a build between cores: the same results as one process, and failures are not lost."""

from __future__ import annotations

import os

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
    jobs = [lambda n=n: (tmp_path / f"{n}.txt").write_text(str(os.getpid())) for n in range(10)]
    parallel.run_split(jobs)
    written = sorted(tmp_path.glob("*.txt"))
    assert len(written) == 10
    assert len({path.read_text() for path in written}) == 2  # two processes shared them


def test_a_failure_in_a_worker_fails_the_build(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("EVENTS_WORKERS", "2")

    def broken():
        raise ValueError("template broke")

    with pytest.raises(RuntimeError, match="a worker writing the site failed"):
        parallel.run_split([lambda: None, broken])  # the second job runs in the worker
    assert "template broke" in capfd.readouterr().err
