"""Discrete-event simulation on one page, for a JavaScript developer (notebooks/01).

A browser tab logs in and gets an access token that lives 10 s. At 12 s it
asks the API for data with that dead token, gets 401, asks the auth server
for a new token, retries and gets 200. This module plays that story with
SimPy, in plain generator functions, and writes down who did what when.

**The clock jumps.** SimPy keeps a queue of events, each due at a time, and a
clock ``env.now``. ``env.run()`` takes the earliest event, sets the clock to
its time at once and resumes whoever waits for it; then the next. Nothing
happens between two events, so nothing is computed there: waiting 7 days
costs one event, as waiting 1 ms does. It is JavaScript's event loop with no
wall clock behind it.

**A process is an async function.** A generator function that yields events
is SimPy's ``async function``, and ``yield`` is its ``await``::

    yield env.timeout(0.05)            // await sleep(50)
    status = yield from api_call(...)  // const status = await apiCall(...)
    env.process(request(...))          // request(...) without await: it runs on its own

``yield from`` runs another generator inside this one and hands back its
``return`` value, as ``await`` on another async function does.

**An event is a promise.** ``env.event()`` is a pending promise,
``event.succeed(value)`` resolves it, and every process that yielded it
resumes with ``value``. The tab keeps its refresh in flight as one such event:
a second request that gets a 401 meanwhile awaits the same one instead of
sending its own refresh (``refreshPromise ??= refresh(); await refreshPromise``,
single-flight in miniature; notebook 04 has the full story).

**A worker pool is a semaphore.** ``simpy.Resource(env, capacity=1)`` is an
auth server with one worker. ``with auth.request() as worker: yield worker``
is ``await semaphore.acquire()``, and leaving the ``with`` block releases it:
a second refresh that arrives while the worker is busy waits its turn.

Tokens here are only the moment they die (a float); the ``sim`` package
signs and checks real JWTs with PyJWT (notebook 02). Times in the log are
rounded to the microsecond, so that 12.05 + 0.01 reads 12.06.
"""

from __future__ import annotations

from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import simpy

Log = list[tuple[float, str, str]]  # (time in s, who, what)
Steps = Generator[simpy.Event, Any, Any]  # what a process function returns


@dataclass
class Tab:
    """One browser tab, the numbers of its world, and what it holds: its token and its refresh in flight."""

    auth: simpy.Resource  # the auth server's workers
    rtt_s: float
    api_s: float
    auth_s: float
    access_ttl_s: float
    single_flight: bool
    token_exp_s: float = 0.0  # the access token in localStorage: here only when it dies
    refreshing: simpy.Event | None = None  # the refresh in flight: a promise
    log: Log = field(default_factory=list)

    def note(self, now_s: float, who: str, what: str) -> None:
        self.log.append((round(float(now_s), 6), who, what))


def api_call(env: simpy.Environment, tab: Tab, who: str, token_exp_s: float) -> Steps:
    """GET /data: half a round trip out, the API checks the token and answers, half a round trip back."""
    yield env.timeout(tab.rtt_s / 2)
    status = 200 if env.now < token_exp_s else 401  # judged on arrival: dead from the moment it expires
    yield env.timeout(tab.api_s)
    tab.note(env.now, "api", f"{status} to {who}" + (f": token died at {token_exp_s:g}" if status == 401 else ""))
    yield env.timeout(tab.rtt_s / 2)
    return status


def auth_call(env: simpy.Environment, tab: Tab, who: str) -> Steps:
    """POST /login or /refresh-token: half a trip out, wait for a free worker, the work, half a trip back."""
    yield env.timeout(tab.rtt_s / 2)
    if tab.auth.count == tab.auth.capacity:
        tab.note(env.now, "auth", f"{who}: every worker busy, waits")
    with tab.auth.request() as worker:  # await semaphore.acquire() ... released at the end of the block
        yield worker
        yield env.timeout(tab.auth_s)
    token_exp_s = env.now + tab.access_ttl_s
    tab.note(env.now, "auth", f"{who}: new token, dies at {token_exp_s:g}")
    yield env.timeout(tab.rtt_s / 2)
    return token_exp_s


def refresh(env: simpy.Environment, tab: Tab, who: str) -> Steps:
    """One refresh; with single-flight it is the tab's promise that others await until it resolves."""
    done = env.event()  # new Promise(...)
    if tab.single_flight:
        tab.refreshing = done
    tab.token_exp_s = yield from auth_call(env, tab, f"refresh for {who}")
    tab.refreshing = None
    done.succeed(tab.token_exp_s)  # resolve(token): wakes every request awaiting it


def login(env: simpy.Environment, tab: Tab) -> Steps:
    """Get the first token: the auth server's work, as for a refresh."""
    tab.note(env.now, "tab", "POST /login")
    tab.token_exp_s = yield from auth_call(env, tab, "login")
    tab.note(env.now, "tab", "logged in")


def request(env: simpy.Environment, tab: Tab, who: str, at_s: float) -> Steps:
    """The article's interceptor: send with the stored token; on a 401 refresh (or await the refresh
    in flight) and retry once."""
    yield env.timeout(at_s - env.now)  # sleep until at_s
    tab.note(env.now, who, "GET /data")
    status = yield from api_call(env, tab, who, tab.token_exp_s)
    if status == 401:
        if tab.refreshing is None:
            tab.note(env.now, who, "got 401, refreshes")
            yield from refresh(env, tab, who)
        else:
            tab.note(env.now, who, "got 401, awaits the refresh in flight")
            yield tab.refreshing  # await refreshPromise
        tab.note(env.now, who, "retries with the new token")
        status = yield from api_call(env, tab, who, tab.token_exp_s)
    tab.note(env.now, who, f"got {status}")


def run_primer(
    *,
    rtt_s: float = 0.1,
    api_s: float = 0.01,
    auth_service_s: float = 0.05,
    access_ttl_s: float = 10.0,
    request_at_s: float = 12.0,
    requests: int = 1,
    gap_s: float = 0.02,
    auth_workers: int = 1,
    single_flight: bool = True,
) -> Log:
    """Log in at 0, then send ``requests`` requests ``gap_s`` apart from ``request_at_s``; the log."""
    env = simpy.Environment()
    tab = Tab(simpy.Resource(env, capacity=auth_workers), rtt_s, api_s, auth_service_s, access_ttl_s, single_flight)
    env.process(login(env, tab))
    for i in range(requests):
        env.process(request(env, tab, f"r{i + 1}", request_at_s + i * gap_s))
    env.run()
    return tab.log


def sleeper(env: simpy.Environment, log: Log, who: str, seconds: float) -> Steps:
    """Sleep ``seconds`` of simulated time, then say so."""
    yield env.timeout(seconds)  # await sleep(seconds)
    log.append((env.now, who, "wakes"))


def waiter(env: simpy.Environment, log: Log, started: list[simpy.Process]) -> Steps:
    """Await the first of ``started`` to end, then all of them."""
    yield env.any_of(started)  # await Promise.race(started)
    log.append((env.now, "main", "the first woke"))
    yield env.all_of(started)  # await Promise.all(started)
    log.append((env.now, "main", "all woke"))


def sleepers(durations_s: tuple[float, ...] = (3.0, 1.0, 2.0)) -> Log:
    """Start one sleeper per duration at once, await the first (``any_of``) and all (``all_of``);
    the log ends with how many events ``env`` processed, whatever the durations."""
    env = simpy.Environment()
    log: Log = []
    started = [env.process(sleeper(env, log, f"sleeper {i + 1}", s)) for i, s in enumerate(durations_s)]
    env.process(waiter(env, log, started))
    steps = 0
    while env.peek() < float("inf"):  # what env.run() does, counted
        env.step()
        steps += 1
    log.append((env.now, "env", f"queue empty after {steps} events"))
    return log
