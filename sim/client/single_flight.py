"""One refresh in flight, shared by everyone who needs it meanwhile.

Five requests get a 401 at once. Without coordination each sends its own
refresh. With single-flight, the first starts one and the others wait for
*that* one: the refresh is an ``env.event()`` that every waiter yields, and
that is replaced by a new one once it fires, as the bell in SimPy's
"School" example is for each class.

The same event is what a held request waits for (the request interceptor
of ``hold_while_refreshing``): "the tab's refresh in flight".
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy


class SingleFlight:
    """The tab's refresh in flight, as one event that fires with its result."""

    def __init__(self, env: simpy.Environment):
        self.env = env
        self.in_flight: simpy.Event | None = None

    def join(self, start: Callable[[], Generator[simpy.Event, Any, Any]]) -> simpy.Event:
        """The refresh in flight, or a new one made by ``start()`` if there is none."""
        if self.in_flight is None:
            self.launch(start())
        return self.in_flight

    def launch(self, work: Generator[simpy.Event, Any, Any]) -> simpy.Event:
        """Start ``work`` as the refresh in flight (the latest one, if another is still out)."""
        done = self.env.event()
        self.in_flight = done
        self.env.process(self._run(work, done))
        return done

    def _run(self, work: Generator[simpy.Event, Any, Any], done: simpy.Event) -> Generator[simpy.Event, Any, None]:
        result = yield from work
        if self.in_flight is done:  # cleared before waking the waiters: the next expiry starts a new one
            self.in_flight = None
        done.succeed(result)
