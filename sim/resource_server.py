"""The protected API: does the work for a valid access token, 401 otherwise.

The article does not show its API, only that an expired access token gets
``401 Unauthorized``. Like any JWT middleware, this one checks the token
before doing any work, so a 401 costs only the short validation time
(``api_401_service_s``), not the full service time. It checks against its
own clock at the moment a worker picks the call up: a token that was fine
when the client sent it may be expired when it arrives.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any

import simpy

from .config import Capacities, Latencies, TokenPolicy
from .network import Exchange, exchange, service_time_sampler, workers_for
from .records import Recorder, call_record
from .tokens import TokenVerifier, token_id


class ResourceServer:
    """``GET /api/...``: 200 or 401."""

    def __init__(
        self,
        env: simpy.Environment,
        tokens: TokenPolicy,
        latencies: Latencies,
        capacities: Capacities,
        recorder: Recorder,
        rng: random.Random,
        record_calls: bool = False,
    ):
        self.env = env
        self.verifier = TokenVerifier("access", tokens.leeway_s)
        self.half_rtt_s = latencies.rtt_s / 2
        self.service_time = service_time_sampler(latencies.api_service_s, latencies.service_distribution, rng)
        self.reject_s = latencies.api_401_service_s
        self.workers = workers_for(env, capacities.api_capacity)
        self.recorder = recorder
        self.record_calls = record_calls

    def _handle(self, token: str | None, now_s: float) -> tuple[float, str]:
        verdict = self.verifier.check(token, now_s)
        if verdict.ok:
            return self.service_time(), "valid"
        return self.reject_s, verdict.reason

    def call(self, token: str | None, session: int, request: int) -> Generator[simpy.Event, Any, int]:
        """Send one API call with ``token``; return the status (200 or 401)."""
        env = self.env
        if self.workers is None:
            # No queue, and the answer depends on nothing but the token and the time: the
            # moment the call arrives is known now, so the whole exchange is one wait. One
            # event instead of two, which is most of the model's cost at a million requests.
            sent = env.now
            arrived = sent + self.half_rtt_s
            service, outcome = self._handle(token, arrived)
            yield env.timeout(self.half_rtt_s + service + self.half_rtt_s)
            result = None
        else:
            result = yield from exchange(env, self.half_rtt_s, self.workers, lambda now_s: self._handle(token, now_s))
            outcome = result.answer
        status = 200 if outcome == "valid" else 401
        if self.record_calls:
            if result is None:  # the shortcut's times, as exchange() would have kept them
                result = Exchange(sent, arrived, arrived, arrived + service, env.now, outcome)
            self.recorder.calls.append(
                call_record(session, request, "api", "resource", result, status, outcome, token_id(token))
            )
        return status
