"""A BFF's shared session store (Redis, say): every session read, lock try and token write is one operation.

Its load is what an operator sizes it by: every request of every session
reads the session (``read``), every instance that wants the distributed
lock tries ``SET NX`` (``lock``) and deletes it (``unlock``), and every
login and refresh writes the tokens (``write``). Each is counted
(``store_used``: ``store_ops`` and ``store_peak_per_s`` in the summary).
A store of ``store_capacity`` connections serves that many operations at
once and queues the rest (a ``simpy.Resource``); 0 leaves it unlimited, and
then an operation is only its round trip. Writes and deletes are counted but
take no time: the instance answers its caller without waiting for them.
"""

from __future__ import annotations

from collections.abc import Callable, Generator
from typing import Any

import simpy

from ..config.deployment import Deployment
from ..observers import Observer

OPERATIONS = ("read", "lock", "unlock", "write")


class SessionStore:
    def __init__(self, env: simpy.Environment, deployment: Deployment, observer: Observer):
        self.env = env
        self.read_s = deployment.store_rtt_s
        self.connections = simpy.Resource(env, deployment.store_capacity) if deployment.store_capacity else None
        self.observer = observer

    def use(self, operation: str, round_trip_s: float) -> Generator[simpy.Event, Any, None]:
        """One operation that the instance waits for: a connection if the store has few, then its round trip."""
        self.observer.store_used(operation, self.env.now)
        if self.connections is None:
            yield self.env.timeout(round_trip_s)
            return
        with self.connections.request() as connection:
            yield connection
            yield self.env.timeout(round_trip_s)

    def note(self, operation: str) -> None:
        """An operation nobody waits for (a write, a delete): counted only."""
        self.observer.store_used(operation, self.env.now)

    def read_then(self, delay_s: float, then: Callable[[], None]) -> None:
        """A request's read of its session, after ``delay_s`` on the way to the BFF; then ``then()``.
        Without a connection limit this is one timeout (the hot path); with one, a process that waits
        in the store's line."""
        if self.connections is None:
            self.observer.store_used("read", self.env.now + delay_s - self.read_s)
            self.env.timeout(delay_s).callbacks.append(lambda _: then())
            return

        def process() -> Generator[simpy.Event, Any, None]:
            yield self.env.timeout(delay_s - self.read_s)
            yield from self.use("read", self.read_s)
            then()

        self.env.process(process())
