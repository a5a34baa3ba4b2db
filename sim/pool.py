"""Many runs at once: one function over a list of items, on worker processes.

A comparison, a sweep or a figure asks for dozens of runs that share
nothing, so each may go to a process of its own. Think of a bakery with
``jobs`` ovens and a queue of trays: each free oven takes the next tray, the
trays come out in whatever order they finish, and the baker lines them up
again in the order they went in. ``done(index, result)`` hears of each tray
as it comes out (a progress bar, a cache written at once), and the list
returned is in the items' order, so the caller never sees which oven was
quicker.

Workers are forked where the system can (nothing to import again), else
spawned; a worker ignores Ctrl-C, which is the parent's to handle: it stops
every worker at once and lets the ``KeyboardInterrupt`` through. A run that
fails in a worker raises in the parent the same way, and stops the rest.

``run_each(function, items, jobs)`` decides where: ``jobs = 0`` means one
worker per CPU, and when that comes to one worker (or one item) the items
run here, one after another, with no process to start. ``in_processes``
always uses a pool of exactly ``workers`` processes, even one: what it costs
to hand work to a pool (``python -m sim bench --sweep`` times a pool of one
against a pool of two). The function and the items go to the workers by
pickling, so the function must be importable: a module's function, or a
``functools.partial`` of one.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

Item = TypeVar("Item")
Value = TypeVar("Value")
Done = Callable[[int, Any], None]


def available_cpus() -> int:
    """CPUs this process may run on."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


def process_context():  # -> multiprocessing context
    """Where worker processes come from: fork is quickest (nothing to import again) where there is one."""
    return multiprocessing.get_context("fork" if "fork" in multiprocessing.get_all_start_methods() else "spawn")


def workers_for(jobs: int, items: int) -> int:
    """How many workers ``jobs`` gives for ``items`` items: 0 is one per CPU, never more than the items
    (one or fewer: no pool at all)."""
    return min(jobs or available_cpus(), items)


def run_each(
    function: Callable[[Item], Value], items: Sequence[Item], jobs: int = 1, done: Done | None = None
) -> list[Value]:
    """``function`` of each item, in the items' order: here if ``jobs`` comes to one worker, else on processes.

    ``jobs``: how many processes (0: one per CPU). ``done(index, value)`` hears of each item as it ends.
    """
    workers = workers_for(jobs, len(items))
    if workers > 1:
        return in_processes(function, items, workers, done)
    values = []
    for index, item in enumerate(items):
        values.append(function(item))
        if done is not None:
            done(index, values[-1])
    return values


def in_processes(
    function: Callable[[Item], Value], items: Sequence[Item], workers: int, done: Done | None = None
) -> list[Value]:
    """``function`` of each item on a pool of exactly ``workers`` processes (even one); in the items' order."""
    if workers < 1:
        raise ValueError(f"workers = {workers}: must be 1 or more")
    if not items:
        return []
    pool = process_context().Pool(workers, initializer=_leave_interrupts_to_the_parent)
    try:
        values: dict[int, Value] = {}
        numbered = ((index, function, item) for index, item in enumerate(items))
        for index, value in pool.imap_unordered(_call, numbered):
            values[index] = value
            if done is not None:
                done(index, value)
        pool.close()
        return [values[index] for index in range(len(items))]
    finally:
        pool.terminate()  # at once on Ctrl-C or an error; a no-op after close() once all are in
        pool.join()


def _call(numbered: tuple[int, Callable[[Any], Any], Any]) -> tuple[int, Any]:
    """In a worker: one item's value, with its index so the parent can put it back in order."""
    index, function, item = numbered
    return index, function(item)


def _leave_interrupts_to_the_parent() -> None:
    """In a worker: Ctrl-C is the parent's to handle (it stops the workers), not each worker's."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
