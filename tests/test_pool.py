"""The process pool: values in the items' order, each heard of as it ends, every worker stopped on an error."""

import multiprocessing
import os
import time

import pytest

from sim.pool import in_processes, run_each, workers_for


def slow_square(n: int) -> int:
    time.sleep(0.05 * (3 - n % 3))  # later items often end first
    return n * n


def pid(_: int) -> int:
    return os.getpid()


def fails_on_three(n: int) -> int:
    if n == 3:
        raise ValueError("three")
    time.sleep(0.05)
    return n


def test_values_come_back_in_the_items_order_and_done_hears_each_once():
    heard = []
    values = run_each(slow_square, list(range(7)), jobs=3, done=lambda index, value: heard.append((index, value)))
    assert values == [n * n for n in range(7)]
    assert sorted(heard) == [(n, n * n) for n in range(7)]


def test_one_job_runs_here_and_a_pool_of_one_runs_elsewhere():
    assert set(run_each(pid, [1, 2], jobs=1)) == {os.getpid()}
    in_pool = in_processes(pid, [1, 2, 3], workers=1)
    assert len(set(in_pool)) == 1 and in_pool[0] != os.getpid()


def test_jobs_zero_is_one_per_cpu_and_never_more_than_the_items():
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    assert workers_for(0, 1000) == cpus
    assert workers_for(4, 2) == 2
    assert workers_for(0, 0) == 0
    assert run_each(slow_square, [], jobs=0) == []


def test_an_error_in_a_worker_is_raised_here_and_stops_every_worker():
    with pytest.raises(ValueError, match="three"):
        run_each(fails_on_three, list(range(20)), jobs=2)
    assert multiprocessing.active_children() == []


def test_ctrl_c_in_the_parent_stops_every_worker():
    def interrupted(index, value):
        raise KeyboardInterrupt

    started = time.perf_counter()
    with pytest.raises(KeyboardInterrupt):
        run_each(slow_square, list(range(100)), jobs=2, done=interrupted)
    assert time.perf_counter() - started < 2.0  # not after the other 99 items (about 5 s of work)
    assert multiprocessing.active_children() == []
