"""One HTTP exchange: half a round trip out, maybe a queue, the work, half back.

Both servers are reached the same way, so the shape lives here once::

    client --rtt/2--> [queue for a worker] --service--> answer --rtt/2--> client

A server with ``capacity = 0`` has no queue (unbounded workers). A bounded
one is a ``simpy.Resource``: a call waits for a free worker, like a car
waiting for a pump in SimPy's gas-station example.

What the server does is passed in as ``handle(now_s) -> (service_s, answer)``:
it runs when a worker picks the call up, so a token is checked against the
server's clock at that moment, as real middleware would. (The resource
server, whose answer depends on nothing but the token and the time, takes a
shortcut of its own when it has no queue; see ``resource.py``.)

A call is usually made from inside a request's SimPy process (``yield
from exchange(...)``). A request that need not wait for anything is no
process at all: ``drive`` runs the same ``exchange`` on the events' own
callbacks, so such a call costs only the events of the exchange itself.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

import simpy

from .event_loop import LoopTurn


class Exchange(NamedTuple):
    """The times of one call and the server's answer."""

    sent_s: float
    arrived_s: float
    started_s: float
    served_s: float
    received_s: float
    answer: Any

    def times(self) -> dict[str, float]:
        """The five times by name, for a ``CallRecord(**exchange.times(), ...)``."""
        return {"sent_s": self.sent_s, "arrived_s": self.arrived_s, "started_s": self.started_s,
                "served_s": self.served_s, "received_s": self.received_s}  # fmt: skip


def workers_for(env: simpy.Environment, capacity: int) -> simpy.Resource | None:
    """A pool of ``capacity`` workers, or ``None`` for unbounded (0)."""
    return simpy.Resource(env, capacity=capacity) if capacity else None


def service_time_sampler(mean_s: float, distribution: str, rng: random.Random) -> Callable[[], float]:
    """A function giving service times: always ``mean_s``, or exponential draws with that mean."""
    if distribution == "fixed" or mean_s == 0:
        return lambda: mean_s
    rate = 1.0 / mean_s
    return lambda: rng.expovariate(rate)


def exchange(
    env: simpy.Environment,
    half_rtt_s: float,
    workers: simpy.Resource | None,
    handle: Callable[[float], tuple[float, Any]],
    loop: LoopTurn | None = None,
) -> Generator[simpy.Event, Any, Exchange]:
    """Carry one call to a server and its answer back; return its ``Exchange``."""
    sent = env.now
    yield env.timeout(half_rtt_s)
    arrived = env.now
    if workers is None and loop is None:
        service, answer = handle(arrived)
        yield env.timeout(service + half_rtt_s)  # the work and the trip back: one wait
        return Exchange(sent, arrived, arrived, arrived + service, env.now, answer)
    served = yield from queue_and_serve(env, sent, workers, handle, loop)
    yield env.timeout(half_rtt_s)
    return served._replace(received_s=env.now)


def queue_and_serve(
    env: simpy.Environment,
    sent_s: float,
    workers: simpy.Resource | None,
    handle: Callable[[float], tuple[float, Any]],
    loop: LoopTurn | None = None,
) -> Generator[simpy.Event, Any, Exchange]:
    """A call that has arrived waits for a worker (if the server has a bounded pool) and for the
    event loop (if it has one) and is served: its ``Exchange`` up to the answer leaving the server
    (``received_s`` is not known yet: ``nan``)."""
    arrived = env.now
    if workers is None:
        started, service, answer = yield from _served(env, handle, loop)
        yield env.timeout(service)
        return Exchange(sent_s, arrived, started, env.now, math.nan, answer)
    with workers.request() as worker:
        yield worker
        started, service, answer = yield from _served(env, handle, loop)
        yield env.timeout(service)
    return Exchange(sent_s, arrived, started, env.now, math.nan, answer)


def _served(
    env: simpy.Environment, handle: Callable[[float], tuple[float, Any]], loop: LoopTurn | None
) -> Generator[simpy.Event, Any, tuple[float, float, Any]]:
    """``handle`` now, or on the event loop once it is free (its CPU first): (started, service, answer)."""
    if loop is None:
        service, answer = handle(env.now)
        return env.now, service, answer
    return (yield from loop.compute(handle))


def drive(steps: Generator[simpy.Event, Any, Any], then: Callable[[Any], None]) -> None:
    """Run ``steps`` as a process would, with no process: ``then(result)`` when it returns.

    A SimPy process adds two events of its own (its start and its end) to
    the events it waits for. Here each event the generator yields resumes it
    from that event's callbacks, so only the generator's own events are
    scheduled. Nothing can wait for it, which is all a request that waits
    for nothing needs.
    """

    def resume(event: simpy.Event | None) -> None:
        try:
            waiting_for = steps.send(None if event is None else event._value)
        except StopIteration as done:
            then(done.value)
            return
        waiting_for.callbacks.append(resume)

    resume(None)
