"""The auth server's bad moments: outages, brownouts, a rate limit, answers lost on the way back.

``FaultSchedule`` answers, for a refresh call reaching the server at a
given moment, whether it is turned away at once (an outage answering 503;
the rate limit answering 429 with ``Retry-After``), held until the window
ends and then dropped (a silent outage), or served, and how slowly (a
brownout multiplies the service time). ``exchange_with_faults`` is
``exchange.exchange`` with those checks where a real server makes them: on
arrival, and when a worker picks the call up. A lost answer is decided
once the server has answered: the work is done (a rotated token stays
rotated), and the client sees a network error when the answer would have
arrived.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator
from typing import Any

import simpy

from ..buckets import Bucket
from ..config import Faults
from ..outcomes import Status
from .exchange import Exchange


class FaultSchedule:
    """The scenario's auth-server faults, asked about one refresh call at a time."""

    def __init__(self, faults: Faults, rng: random.Random):
        self.outages = faults.auth_outages
        self.brownouts = faults.auth_brownouts
        self.limiter = Bucket(faults.auth_rate_limit) if faults.auth_rate_limit else None
        self.loss = faults.refresh_loss
        self.rng = rng

    @staticmethod
    def applies(faults: Faults) -> bool:
        return bool(faults.auth_outages or faults.auth_brownouts or faults.auth_rate_limit or faults.refresh_loss)

    def outage_at(self, now_s: float):
        return next((o for o in self.outages if o.start_s <= now_s < o.end_s), None)

    def slowdown_at(self, now_s: float) -> float:
        return math.prod(b.factor for b in self.brownouts if b.start_s <= now_s < b.end_s)

    def over_the_limit(self, now_s: float) -> float:
        """0 if the call is within the rate limit, else the ``Retry-After`` (whole seconds) it gets."""
        if self.limiter is None:
            return 0.0
        wait_s = self.limiter.take(now_s)
        if wait_s:
            return float(max(1, math.ceil(wait_s)))
        return 0.0

    def answer_lost(self) -> bool:
        return bool(self.loss) and self.rng.random() < self.loss


def exchange_with_faults(
    env: simpy.Environment,
    half_rtt_s: float,
    workers: simpy.Resource | None,
    handle: Callable[[float], tuple[float, Any]],
    schedule: FaultSchedule,
    refused: Callable[[int, str, float], Any],
) -> Generator[simpy.Event, Any, tuple[Exchange, bool]]:
    """One refresh call through the faults: (its ``Exchange``, whether its answer was lost).

    ``refused(status, outcome, retry_after_s)`` makes the answer of a call
    turned away (503, 429, or ``NO_ANSWER`` for a connection reset at the
    end of a silent outage).
    """
    sent = env.now
    yield env.timeout(half_rtt_s)
    arrived = env.now
    outage = schedule.outage_at(arrived)
    if outage is not None and outage.mode == "silent":  # held, then the connection is reset
        yield env.timeout(outage.end_s - arrived)
        served = Exchange(sent, arrived, env.now, env.now, math.nan, refused(Status.NO_ANSWER, "reset", 0.0))
    elif outage is not None:
        served = Exchange(sent, arrived, arrived, arrived, math.nan, refused(Status.UNAVAILABLE, "outage", 0.0))
    elif retry_after_s := schedule.over_the_limit(arrived):
        served = Exchange(
            sent, arrived, arrived, arrived, math.nan, refused(Status.TOO_MANY_REQUESTS, "rate_limited", retry_after_s)
        )
    else:

        def slowed(now_s: float) -> tuple[float, Any]:
            service_s, answer = handle(now_s)
            return service_s * schedule.slowdown_at(now_s), answer

        if workers is None:
            service_s, answer = slowed(arrived)
            yield env.timeout(service_s)
            served = Exchange(sent, arrived, arrived, env.now, math.nan, answer)
        else:
            with workers.request() as worker:
                yield worker
                started = env.now
                service_s, answer = slowed(started)
                yield env.timeout(service_s)
            served = Exchange(sent, arrived, started, env.now, math.nan, answer)
    lost = served.answer.status == Status.OK and schedule.answer_lost()
    yield env.timeout(half_rtt_s)
    return served._replace(received_s=env.now), lost
