"""The protected API: does the work for a valid access token, 401 otherwise.

The article does not show its API, only that an expired access token gets
``401 Unauthorized``. Like any JWT middleware, this one checks the token
before doing any work, so a 401 costs only the short validation time
(``api_401_service_s``), not the full service time. It checks against its
own clock at the moment a worker picks the call up: a token that was fine
when the client sent it may be expired when it arrives (it counts those:
``expired_on_arrival``, from what its observers hear).

With ``unfixable_401_rate`` > 0, that share of requests asks for something
the user may not have, and the API answers 401 (``insufficient_scope``,
which RFC 6750 says should be a 403) to every call they make with a good
token: no refresh can fix it.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Generator
from typing import Any

import simpy

from ..config import Capacities, Latencies, TokenPolicy
from ..observers import Observer
from ..records import CallRecord
from ..tokens import TokenVerifier, token_id
from .event_loop import EventLoop
from .exchange import Exchange, drive, queue_and_serve, service_time_sampler, workers_for

Answered = Callable[[simpy.Event], None]


class ResourceServer:
    """``GET /api/...``: 200 or 401."""

    def __init__(
        self,
        env: simpy.Environment,
        tokens: TokenPolicy,
        latencies: Latencies,
        capacities: Capacities,
        observer: Observer,
        rng: random.Random,
        record_calls: bool = False,
        revoked: Callable[[str | None], bool] | None = None,
        unfixable_401_rate: float = 0.0,
        unfixable: random.Random | None = None,
        loop: EventLoop | None = None,
    ):
        self.env = env
        self.loop = loop.turn(capacities.api_cpu_s) if loop is not None else None  # one Node process
        self.verifier = TokenVerifier("access", tokens.leeway_s)
        self.half_rtt_s = latencies.rtt_s / 2
        self.service_time = service_time_sampler(latencies.api_service_s, latencies.service_distribution, rng)
        self.reject_s = latencies.api_401_service_s
        self.workers = workers_for(env, capacities.api_capacity)
        self.observer = observer
        self.record_calls = record_calls
        # Whether an access token's login was revoked (an API that checks with the auth
        # server, as Okta's revocation makes it); None: the article's API checks the JWT only.
        self.revoked = revoked
        self.unfixable_401_rate = unfixable_401_rate
        self._unfixable_rng = unfixable or random.Random(0)
        self._unfixable: dict[int, bool] = {}  # request -> whether no token will do for it
        # The check most calls need, bound once: a good token, and nothing else to consult.
        plain = revoked is None and not unfixable_401_rate
        self._plainly_valid = self.verifier.accepts if plain else lambda token, now_s: False
        # One shape of exchange or the other, chosen once: ``send`` is on every request's path.
        # Calls that may wait for the server, or whose token may be revoked on their way (a refresh that
        # rotates or revokes meanwhile): judged when they reach the server, not worked out when sent.
        self.queued = self.workers is not None or self.loop is not None or revoked is not None
        self.send = self._send_through_workers if self.queued else self._at_once

    def _handle(self, token: str | None, now_s: float, request: int) -> tuple[float, str]:
        if self.verifier.accepts(token, now_s):
            if self.revoked is not None and self.revoked(token):
                return self.reject_s, "revoked"
            if self.unfixable_401_rate and self._is_unfixable(request):
                return self.reject_s, "insufficient_scope"
            return self.service_time(), "valid"
        reason = self.verifier.check(token, now_s).reason
        self.observer.token_refused(reason, now_s)  # "expired": it was fine when sent, maybe
        return self.reject_s, reason

    def _is_unfixable(self, request: int) -> bool:
        """Whether ``request`` asks for what no token grants: drawn at its first good call, kept after."""
        verdict = self._unfixable.get(request)
        if verdict is None:
            verdict = self._unfixable[request] = self._unfixable_rng.random() < self.unfixable_401_rate
        return verdict

    def call(self, token: str | None, session: int, request: int) -> Generator[simpy.Event, Any, int]:
        """Send one API call with ``token`` from inside a process; return the status (200 or 401)."""
        if not self.queued:
            return (yield self._at_once(token, session, request))
        served = yield from self._trip_there(token, request)
        return (yield self._trip_back(token, session, request, served))

    # ``send(token, session, request, answered)``: the same call for a request that is no
    # process; ``answered(answer)`` runs once the answer is back. ``answer`` is the event of
    # the answer reaching the client; its value is the status. The call costs only its own
    # events: with no queue, the one of the shortcut; with one, the trips' and the queue's.

    def _send_through_workers(self, token: str | None, session: int, request: int, answered: Answered) -> None:
        drive(
            self._trip_there(token, request),
            lambda served: self._trip_back(token, session, request, served).callbacks.append(answered),
        )

    # -- the exchange, in the two shapes it takes ------------------------

    def _at_once(self, token: str | None, session: int, request: int, answered: Answered | None = None) -> simpy.Event:
        """No queue, and the answer depends on nothing but the token and the time: the moment
        the call arrives is known now, so the whole exchange is one wait (``answered`` then
        runs when it is over)."""
        env, half_rtt_s = self.env, self.half_rtt_s
        sent = env.now
        arrived = sent + half_rtt_s
        if self._plainly_valid(token, arrived):  # most calls: skip _handle's detour
            service, outcome, status = self.service_time(), "valid", 200
        else:
            service, outcome = self._handle(token, arrived, request)
            status = 200 if outcome == "valid" else 401
        answer = env.timeout(half_rtt_s + service + half_rtt_s, status)
        if self.record_calls:
            served = Exchange(sent, arrived, arrived, arrived + service, math.nan, outcome)
            answer.callbacks.append(lambda back: self._record(token, session, request, served, back))
        if answered is not None:
            answer.callbacks.append(answered)
        return answer

    def _trip_there(self, token: str | None, request: int) -> Generator[simpy.Event, Any, Exchange]:
        """Half a round trip, a worker's queue, the work: the answer leaves the server."""
        sent = self.env.now
        yield self.env.timeout(self.half_rtt_s)
        handle = lambda now_s: self._handle(token, now_s, request)  # noqa: E731
        return (yield from queue_and_serve(self.env, sent, self.workers, handle, self.loop))

    def _trip_back(self, token: str | None, session: int, request: int, served: Exchange) -> simpy.Event:
        """The answer's half round trip back: an event whose value is the status."""
        answer = self.env.timeout(self.half_rtt_s, 200 if served.answer == "valid" else 401)
        if self.record_calls:
            answer.callbacks.append(lambda back: self._record(token, session, request, served, back))
        return answer

    def _record(self, token: str | None, session: int, request: int, served: Exchange, back: simpy.Event) -> None:
        """The call's record, when its answer is back (before the client reads it)."""
        self.observer.call_served(
            CallRecord(
                session=session,
                request=request,
                server="api",
                endpoint="resource",
                **served._replace(received_s=self.env.now).times(),
                status=back.value,
                outcome=served.answer,
                token=token_id(token),
            )  # fmt: skip
        )
