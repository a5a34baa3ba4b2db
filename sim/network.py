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
shortcut of its own when it has no queue; see ``resource_server.py``.)
"""

from __future__ import annotations

import random
from collections.abc import Callable, Generator
from typing import Any, NamedTuple

import simpy


class Exchange(NamedTuple):
    """The times of one call and the server's answer."""

    sent_s: float
    arrived_s: float
    started_s: float
    served_s: float
    received_s: float
    answer: Any


def workers_for(env: simpy.Environment, capacity: int) -> simpy.Resource | None:
    """A pool of ``capacity`` workers, or ``None`` for unbounded (0)."""
    return simpy.Resource(env, capacity=capacity) if capacity else None


def service_time_sampler(mean_s: float, distribution: str, rng: random.Random) -> Callable[[], float]:
    """A function giving service times: always ``mean_s``, or exponential draws with that mean."""
    if distribution == "fixed" or mean_s == 0:
        return lambda: mean_s
    return lambda: rng.expovariate(1.0 / mean_s)


def exchange(
    env: simpy.Environment,
    half_rtt_s: float,
    workers: simpy.Resource | None,
    handle: Callable[[float], tuple[float, Any]],
) -> Generator[simpy.Event, Any, Exchange]:
    """Carry one call to a server and its answer back; return its ``Exchange``."""
    sent = env.now
    yield env.timeout(half_rtt_s)
    arrived = env.now
    if workers is None:
        service, answer = handle(arrived)
        yield env.timeout(service + half_rtt_s)  # the work and the trip back: one wait
        return Exchange(sent, arrived, arrived, arrived + service, env.now, answer)
    with workers.request() as worker:
        yield worker
        started = env.now
        service, answer = handle(started)
        yield env.timeout(service)
    served = env.now
    yield env.timeout(half_rtt_s)
    return Exchange(sent, arrived, started, served, env.now, answer)
