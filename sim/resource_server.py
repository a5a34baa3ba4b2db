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
from .network import exchange, service_time_sampler, workers_for
from .records import CallRecord, Recorder
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
        # Checking a token needs nothing but the token and the clock: stateless.
        result = yield from exchange(
            self.env, self.half_rtt_s, self.workers, lambda now_s: self._handle(token, now_s), stateless=True
        )
        status = 200 if result.answer == "valid" else 401
        if self.record_calls:
            self.recorder.calls.append(
                CallRecord(
                    session,
                    request,
                    "api",
                    "resource",
                    result.sent_s,
                    result.arrived_s,
                    result.started_s,
                    result.served_s,
                    result.received_s,
                    status,
                    result.answer,
                    token_id(token),
                    "",
                    "",
                )  # fmt: skip
            )
        return status
