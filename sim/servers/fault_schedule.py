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
from collections.abc import Callable, Generator
from typing import Any

import simpy

from ..config.faults import AuthFault, Refusal
from ..outcomes import Status
from .event_loop import LoopTurn
from .exchange import Exchange, queue_and_serve


class FaultSchedule:
    """The scenario's auth-server faults (``Faults.auth_faults``), asked about one refresh call at a time."""

    def __init__(self, faults: list[AuthFault]):
        def having(hook: str) -> list[AuthFault]:
            return [fault for fault in faults if callable(getattr(fault, hook, None))]

        self.refusers, self.slowers, self.losers = having("refusal"), having("slowdown"), having("loses")

    def refusal(self, now_s: float) -> Refusal | None:
        """The first fault that turns a call arriving now away (an outage before the rate limit)."""
        for fault in self.refusers:
            refused = fault.refusal(now_s)
            if refused is not None:
                return refused
        return None

    def slowdown_at(self, now_s: float) -> float:
        return math.prod(fault.slowdown(now_s) for fault in self.slowers)

    def answer_lost(self) -> bool:
        return any(fault.loses() for fault in self.losers)


def exchange_with_faults(
    env: simpy.Environment,
    half_rtt_s: float,
    workers: simpy.Resource | None,
    handle: Callable[[float], tuple[float, Any]],
    schedule: FaultSchedule,
    refused: Callable[[int, str, float], Any],
    loop: LoopTurn | None = None,
) -> Generator[simpy.Event, Any, tuple[Exchange, bool]]:
    """One refresh call through the faults: (its ``Exchange``, whether its answer was lost).

    ``refused(status, outcome, retry_after_s)`` makes the answer of a call
    turned away (503, 429, or ``NO_ANSWER`` for a connection reset at the
    end of a silent outage).
    """
    sent = env.now
    yield env.timeout(half_rtt_s)
    arrived = env.now
    refusal = schedule.refusal(arrived)
    if refusal is not None and refusal.hold_until_s is not None:  # held, then the connection is reset
        yield env.timeout(refusal.hold_until_s - arrived)
        served = Exchange(sent, arrived, env.now, env.now, math.nan, refused(refusal.status, refusal.outcome, 0.0))
    elif refusal is not None:  # turned away at once: 503, 429
        answer = refused(refusal.status, refusal.outcome, refusal.retry_after_s)
        served = Exchange(sent, arrived, arrived, arrived, math.nan, answer)
    else:

        def slowed(now_s: float) -> tuple[float, Any]:
            service_s, answer = handle(now_s)
            return service_s * schedule.slowdown_at(now_s), answer

        served = yield from queue_and_serve(env, sent, workers, slowed, loop)
    lost = served.answer.status == Status.OK and schedule.answer_lost()
    yield env.timeout(half_rtt_s)
    return served._replace(received_s=env.now), lost
