"""Who sends requests, and when: the arrival processes.

Three workloads (see ``config.Workload``):

- ``burst``: log in at 0, then at ``at_s`` fire ``concurrency`` requests at
  once: the moment the article warns about.
- ``steady``: many users, logins spread over the first access lifetime (or
  all at once), each loading pages as a Poisson process; a page sends
  ``concurrency`` requests in parallel.
- ``trace``: arrivals replayed from a CSV file ``time_s,user``.

A workload knows nothing of tokens or strategies. Each user is a SimPy
process that calls ``login(user)`` and then ``arrive(user)`` once per
request; the experiment decides what those do. The benchmark's bare-SimPy
floor passes in trivial ones, so it sees exactly the same arrivals.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import pandas as pd
import simpy

from .config import ConfigError, TokenPolicy, Workload
from .randomness import stream

Login = Callable[[int], Generator[simpy.Event, Any, Any]]
Arrive = Callable[[int], None]


def burst_at_s(workload: Workload, tokens: TokenPolicy) -> float:
    """When the burst fires: ``at_s``, or one second after the first access token dies."""
    return workload.at_s if workload.at_s is not None else tokens.access_ttl_s + 1.0


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
            env.process(_burst_user(env, user, at_s, workload.concurrency, login, arrive))
        return workload.users
    if workload.kind == "steady":
        logins = stream(seed, "logins")
        for user in range(workload.users):
            login_at_s = 0.0 if workload.synchronized else logins.uniform(0.0, tokens.access_ttl_s)
            pages = stream(seed, "pages", user)
            env.process(_steady_user(env, user, login_at_s, pages, workload, login, arrive))
        return workload.users
    arrivals = read_arrivals(workload.arrivals)
    for user, times in enumerate(arrivals):
        env.process(_trace_user(env, user, times, login, arrive))
    return len(arrivals)


def _burst_user(env, user, at_s, concurrency, login, arrive):
    yield from login(user)
    yield env.timeout(max(0.0, at_s - env.now))
    for _ in range(concurrency):
        arrive(user)


def _steady_user(env, user, login_at_s, pages, workload, login, arrive):
    yield env.timeout(login_at_s)
    yield from login(user)
    while True:
        gap = pages.expovariate(workload.page_rate_per_s)
        if env.now + gap >= workload.duration_s:
            return
        yield env.timeout(gap)
        for _ in range(workload.concurrency):
            arrive(user)


def _trace_user(env, user, times, login, arrive):
    yield env.timeout(times[0])
    yield from login(user)  # requests due during the login go out as soon as it is done
    for time_s in times:
        if time_s > env.now:
            yield env.timeout(time_s - env.now)
        arrive(user)


def read_arrivals(path: str | None) -> list[list[float]]:
    """Arrival times per user from a CSV with columns ``time_s,user``.

    Users are numbered in order of their first arrival. Raises ``ConfigError``
    naming the file, line and value of the first bad row.
    """
    try:
        # Blank lines are kept (and dropped below) so that row i is line i + 2 of the file.
        table = pd.read_csv(path, dtype={"user": str}, skipinitialspace=True, skip_blank_lines=False)
    except FileNotFoundError:
        raise ConfigError("arrivals", path, "no such file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as error:
        raise ConfigError("arrivals", path, f"not a readable CSV ({str(error).splitlines()[0]})") from None
    if set(table.columns) != {"time_s", "user"}:
        raise ConfigError(f"{path} columns", ",".join(map(str, table.columns)), "must be exactly time_s,user")
    table = table[table["time_s"].notna() | table["user"].notna()]
    times = pd.to_numeric(table["time_s"], errors="coerce")
    bad = times.isna() | (times < 0) | table["user"].isna()
    if bad.any():
        row = int(bad.idxmax())
        raise ConfigError(
            f"{path} line {row + 2}",
            f"{table['time_s'][row]},{table['user'][row]}",
            "time_s must be a number of seconds >= 0 and user must not be empty",
        )
    if table.empty:
        raise ConfigError("arrivals", path, "needs at least one row of time_s,user")
    table = table.assign(time_s=times).sort_values(["time_s"], kind="stable")
    return [list(group) for _, group in table.groupby("user", sort=False)["time_s"]]
