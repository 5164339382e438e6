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
