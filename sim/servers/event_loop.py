"""One Node.js process: every call's CPU one at a time, its waits side by side.

The article's server is one Express app on one event loop. What a call
computes (parsing, routing, ``jwt.verify``, ``jwt.sign``, JSON) runs on
that loop, and no other call's code runs meanwhile; what it waits for (the
``await`` of a database or of another service: ``api_service_s`` and
``auth_service_s`` here) lets the loop take the next call. So a burst of
calls lines up for the loop by its CPU alone, however long each waits::

    arrive --> [the loop: cpu_s, one call at a time] --> the call's wait --> answer

The article's server serves ``/login``, ``/refresh-token`` and the API
from the same process, so both servers of a scenario share one loop, each
call costing its server's ``cpu_s`` (``Capacities.api_cpu_s``,
``auth_cpu_s``: 0 for both, the default, means no loop at all). The
token is checked when the loop takes the call. (The harness's refresh
handler waits first and computes after; every refresh waits as long as the
others, so their verdicts come in the same order either way.)

Node's own guide says the same ("Don't Block the Event Loop (or the
Worker Pool)", nodejs.org/en/learn/asynchronous-work/dont-block-the-event-loop:
a callback runs to completion before the loop takes the next). ``reality/``
measured the loop on the article's stack: see ``sim/reality.py`` for the
costs fitted to its runs.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy


class EventLoop:
    """The one loop of a server process; ``turn(cpu_s)`` is a server's way onto it."""

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.running = simpy.Resource(env, capacity=1)

    def turn(self, cpu_s: float) -> LoopTurn:
        return LoopTurn(self, cpu_s)


class LoopTurn:
    """One server's calls on the loop: each takes the loop for ``cpu_s``."""

    __slots__ = ("loop", "cpu_s")

    def __init__(self, loop: EventLoop, cpu_s: float):
        self.loop = loop
        self.cpu_s = cpu_s

    def compute(
        self, handle: Callable[[float], tuple[float, Any]]
    ) -> Generator[simpy.Event, Any, tuple[float, float, Any]]:
        """Wait for the loop, run ``handle`` on it (its CPU), leave it: ``(started_s, wait_s, answer)``,
        ``wait_s`` being the call's wait that follows, off the loop."""
        env = self.loop.env
        with self.loop.running.request() as turn:
            yield turn
            started = env.now
            wait_s, answer = handle(started)
            yield env.timeout(self.cpu_s)
        return started, wait_s, answer
