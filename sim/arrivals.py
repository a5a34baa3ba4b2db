"""Who sends requests, and when: the arrival processes.

Three workloads (see ``config.Workload``):

- ``burst``: log in at 0, then at ``at_s`` fire ``concurrency`` requests at
  once in each tab: the moment the article warns about.
- ``steady``: many users, logins spread over the first access lifetime (or
  a window of one's choosing, or all at once), each tab loading pages as a Poisson process of its own; a
  page sends ``concurrency`` requests in parallel.
- ``trace``: arrivals replayed from a CSV file ``time_s,user`` (one tab each).

A workload knows nothing of tokens or strategies. Each user is a SimPy
process that calls ``login(user)`` and then ``arrive(user, tab)`` once per
request; the experiment decides what those do. The benchmark's bare-SimPy
floor passes in trivial ones, so it sees exactly the same arrivals.
"""

from __future__ import annotations

import csv
import io
import math
from collections.abc import Callable, Generator
from typing import Any

import simpy

from .config import TokenPolicy, Workload
from .fields import MAX_SECONDS, ConfigError
from .files import TRACE_MAX_BYTES, read_text
from .randomness import stream

Login = Callable[[int], Generator[simpy.Event, Any, Any]]
Arrive = Callable[[int, int], None]  # (user, tab)


def login_window_s(workload: Workload, tokens: TokenPolicy) -> float:
    """How long the steady workload's logins are spread over: ``login_window_s``, or the first access lifetime."""
    return workload.login_window_s if workload.login_window_s is not None else float(tokens.access_ttl_s)


def burst_at_s(workload: Workload, tokens: TokenPolicy) -> float:
    """When the burst fires: ``at_s``, or one second after the first access token dies."""
    return workload.at_s if workload.at_s is not None else tokens.access_ttl_s + 1.0


def open_until_s(workload: Workload, tokens: TokenPolicy) -> float:
    """When users close the app: at the burst, at the end of the steady workload, at the trace's
    last arrival. A tab's renewal timer runs until then."""
    if workload.kind == "burst":
        return burst_at_s(workload, tokens)
    if workload.kind == "steady":
        return workload.duration_s
    return max(times[-1] for times in read_arrivals(workload.arrivals))


def start(
    env: simpy.Environment,
    workload: Workload,
    tokens: TokenPolicy,
    seed: int,
    login: Login,
    arrive: Arrive,
) -> int:
    """Start one process per user; return the number of users."""
    if workload.kind == "burst":
        at_s = burst_at_s(workload, tokens)
        for user in range(workload.users):
            env.process(_burst_user(env, user, at_s, workload.tabs, workload.concurrency, login, arrive))
        return workload.users
    if workload.kind == "steady":
        logins = stream(seed, "logins")
        window_s = login_window_s(workload, tokens)
        for user in range(workload.users):
            login_at_s = 0.0 if workload.synchronized else logins.uniform(0.0, window_s)
            env.process(_steady_user(env, user, login_at_s, seed, workload, login, arrive))
        return workload.users
    arrivals = read_arrivals(workload.arrivals)
    for user, times in enumerate(arrivals):
        env.process(_trace_user(env, user, times, login, arrive))
    return len(arrivals)


def _burst_user(env, user, at_s, tabs, concurrency, login, arrive):
    yield from login(user)
    yield env.timeout(max(0.0, at_s - env.now))
    for tab in range(tabs):
        for _ in range(concurrency):
            arrive(user, tab)


def _steady_user(env, user, login_at_s, seed, workload, login, arrive):
    yield env.timeout(login_at_s)
    yield from login(user)
    for tab in range(1, workload.tabs):  # every other tab loads pages of its own, from its own stream
        env.process(_steady_tab(env, user, tab, stream(seed, "pages", user, tab), workload, arrive))
    yield from _steady_tab(env, user, 0, stream(seed, "pages", user), workload, arrive)


def _steady_tab(env, user, tab, pages, workload, arrive):
    if env.now < workload.pages_from_s:  # logged in, idle until then
        yield env.timeout(workload.pages_from_s - env.now)
    while True:
        gap = pages.expovariate(workload.page_rate_per_s)
        if env.now + gap >= workload.duration_s:
            return
        yield env.timeout(gap)
        for _ in range(workload.concurrency):
            arrive(user, tab)


def _trace_user(env, user, times, login, arrive):
    yield env.timeout(times[0])
    yield from login(user)  # requests due during the login go out as soon as it is done
    for time_s in times:
        if time_s > env.now:
            yield env.timeout(time_s - env.now)
        arrive(user, 0)


def read_arrivals(path: str | None) -> list[list[float]]:
    """Arrival times per user from a CSV with columns ``time_s,user``.

    Users are numbered in order of their first arrival (file order among
    equal times), and each user's times are sorted. Raises ``ConfigError``
    naming the file, line and value of the first bad row.
    """
    text = read_text(path, "arrivals", TRACE_MAX_BYTES)
    rows = csv.reader(io.StringIO(text))
    header = [cell.strip() for cell in next(rows, [])]
    if header != ["time_s", "user"]:
        raise ConfigError(f"{path} columns", ",".join(header), "must be exactly time_s,user")
    times: dict[str, list[float]] = {}
    first: dict[str, tuple[float, int]] = {}  # user -> (earliest time, its line): the order users appear in
    for line, row in enumerate(rows, start=2):
        if not any(cell.strip() for cell in row):
            continue  # a blank line
        time_s, user = _arrival(path, line, row)
        times.setdefault(user, []).append(time_s)
        first[user] = min(first.get(user, (time_s, line)), (time_s, line))
    if not times:
        raise ConfigError("arrivals", path, "needs at least one row of time_s,user")
    return [sorted(times[user]) for user in sorted(first, key=first.__getitem__)]


def _arrival(path: str | None, line: int, row: list[str]) -> tuple[float, str]:
    """One row's (time_s, user), or a ``ConfigError`` naming its line."""
    where, shown = f"{path} line {line}", ",".join(row)
    if len(row) != 2:
        raise ConfigError(where, shown, f"must be two fields, time_s,user (found {len(row)})")
    time_text, user = row[0].strip(), row[1].strip()
    try:
        time_s = float(time_text)
    except ValueError:
        time_s = math.nan
    if not (math.isfinite(time_s) and 0 <= time_s <= MAX_SECONDS) or not user:
        raise ConfigError(
            where,
            f"{time_text},{user}",
            f"time_s must be a number of seconds from 0 to {MAX_SECONDS:g} and user must not be empty",
        )
    return time_s, user
