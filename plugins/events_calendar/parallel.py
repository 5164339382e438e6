"""Using every core of the machine for the slow, independent parts of a build.

Two ways, both by forking (so nothing has to be pickled on the way in):
- ``map_in_workers`` computes values (an event's HTML, a VEVENT's bytes) in worker processes and
  brings them back, so that the parent, and every process forked after it, has them;
- ``run_split`` shares out jobs that write files (pages, feeds) between processes, and fails
  the build if any of them fails.
Where fork is missing (Windows) or the work is small, everything runs in this process.
"""

from __future__ import annotations

import contextlib
import gc
import multiprocessing
import os
import sys
import threading
import traceback
from typing import Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

# Below this many items a worker costs more than it saves.
WORTH_IT = 200
_TASK: tuple = ()  # (function, items) for forked workers: inherited, never pickled


def workers() -> int:
    """How many processes: one per core (at most four), or EVENTS_WORKERS when set."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted = os.environ.get("EVENTS_WORKERS", "")
    if wanted.isdigit() and int(wanted) > 0:
        return int(wanted)
    return max(1, min(os.cpu_count() or 1, 4))


def map_in_workers(function: Callable[[T], R], items: Sequence[T],
                   worth_it: int | None = None) -> list[R]:
    """``[function(item) for item in items]``, on every core; results must pickle."""
    count = workers()
    if count < 2 or len(items) < (WORTH_IT if worth_it is None else worth_it):
        return [function(item) for item in items]
    global _TASK
    _TASK = (function, items, count)
    gc.freeze()  # as in run_split
    try:
        with long_lived(), multiprocessing.get_context("fork").Pool(count - 1) as pool:
            others = pool.map_async(_map_share, range(1, count))
            mine = _map_share(0)
            shares = [mine, *others.get()]
    finally:
        _TASK = ()
    results: list[R] = [None] * len(items)  # type: ignore[list-item]
    for start, share in enumerate(shares):
        results[start::count] = share
    return results


@contextlib.contextmanager
def long_lived():
    """While making objects that all live until the build ends (events, dates, HTML, by the
    thousand): no garbage collection, which would only go through them again and again for
    nothing (a fifth of `make check`). Afterwards they go straight to the oldest generation,
    as if they had survived the collections skipped."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()  # (also ends any freeze of the caller's: everything is in the oldest)
        gc.unfreeze()
        if collecting:
            gc.enable()


def _map_share(start: int) -> list:
    function, items, count = _TASK
    return [function(item) for item in items[start::count]]


def run_split(jobs: Sequence[Callable[[], None]],
              finish: Callable[[], None] | None = None,
              alongside: Callable[[threading.Event], None] | None = None) -> None:
    """Run every job once, shared between this process and forked ones; fail if any fails.

    Each process takes the next job not yet taken, so a process given a long list page is not
    left with a fixed share of the rest while the others wait for it. Each process then calls
    ``finish`` (to save in one go what its jobs made).

    ``alongside`` runs in a thread of this process while the jobs run (work that mostly waits
    on another program, such as the search index), and is given an event set once every job
    is done or the jobs have failed; it must return soon after.
    """
    finish = finish or (lambda: None)
    count = workers()
    if count < 2 or len(jobs) < 2:
        for job in jobs:
            job()
        finish()
        if alongside is not None:
            done = threading.Event()
            done.set()
            alongside(done)
        return
    sys.stdout.flush()
    sys.stderr.flush()
    # Objects made so far are left alone by the garbage collector until the jobs are done,
    # so that it does not touch (and the kernel copy) every page of memory the workers share
    # with this process, nor go through them all again in each process.
    gc.freeze()
    taken = multiprocessing.get_context("fork").Value("l", 0)  # the next job to take

    def take_jobs() -> None:
        while True:
            with taken.get_lock():
                number = taken.value
                taken.value += 1
            if number >= len(jobs):
                break
            jobs[number]()
        finish()

    children = []
    for _ in range(1, count):
        pid = os.fork()
        if pid == 0:  # the worker: jobs until none is left, then exit without cleaning up twice
            code = 0
            try:
                take_jobs()
            except BaseException:  # noqa: BLE001 - reported, and the build fails below
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                sys.stderr.flush()
                os._exit(code)
        children.append(pid)
    # Started after forking: a process must not fork while another thread runs in it.
    done = threading.Event()
    helper = threading.Thread(target=alongside, args=(done,), daemon=True) \
        if alongside is not None else None
    if helper is not None:
        helper.start()
    failure: BaseException | None = None
    try:
        take_jobs()
    except BaseException as error:  # noqa: BLE001 - re-raised once the workers are done
        failure = error
        with taken.get_lock():
            taken.value = len(jobs)  # the build has failed: the workers need not go on
    codes = [os.waitstatus_to_exitcode(os.waitpid(pid, 0)[1]) for pid in children]
    done.set()
    if helper is not None:
        helper.join()
    # Collectable again: `make devserver` builds many times in one process.
    gc.unfreeze()
    if failure is not None:
        raise failure
    if any(codes):
        raise RuntimeError("a worker writing the site failed; its error is above")
