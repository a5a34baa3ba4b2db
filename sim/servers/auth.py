"""The auth server: ``/login`` and ``/refresh-token``, as in the article.

The article's Express handler for refresh reads::

    app.post('/refresh-token', (req, res) => {
      const { refreshToken } = req.body;
      if (!refreshToken) {
        return res.status(401).json({ message: 'Refresh token is required' });
      }
      try {
        const decoded = jwt.verify(refreshToken, REFRESH_SECRET_KEY);
        const accessToken = jwt.sign({ username: decoded.username }, SECRET_KEY, { expiresIn: '15m' });
        res.json({ accessToken });
      } catch (error) {
        res.status(401).json({ message: 'Invalid refresh token' });
      }
    });

Here ``refresh`` does the same: a valid, unexpired refresh token gets 200
and a new access token; a missing, invalid or expired one gets 401. The
refresh token is not rotated (the article does not rotate it), unless the
scenario's ``RefreshTokenPolicy`` says so: then each login is a family of
refresh tokens (``families.py``) and the server rotates, detects reuse,
allows a grace window or a reuse count, and expires idle logins.

Every call is recorded, so the load on this server (calls between arrival
and answer) can be drawn over time afterwards.
"""

from __future__ import annotations

import random
from collections.abc import Generator
from typing import Any, NamedTuple

import simpy

from ..config import Capacities, Faults, Latencies, RefreshTokenPolicy, TokenPolicy
from ..observers import Observer
from ..outcomes import Status
from ..records import CallRecord
from ..tokens import TokenIssuer, TokenVerifier, token_id, unverified
from .event_loop import EventLoop
from .exchange import Exchange, exchange, service_time_sampler, workers_for
from .families import Families, Verdict
from .fault_schedule import FaultSchedule, exchange_with_faults


class AuthAnswer(NamedTuple):
    status: int  # 200 or 401; with faults also 503, 429, or NO_ANSWER (timeout, reset, lost): a ``Status``
    outcome: str  # why: "valid", "missing", "invalid", "wrong_type", "expired", or a family's verdict;
    # with faults "outage", "rate_limited", "reset", "lost", "timeout"
    access: str | None = None
    refresh: str | None = None  # a login's, or a rotated one
    retry_after_s: float = 0.0  # a 429's Retry-After

    @property
    def expires_in(self) -> int:
        """The access token's lifetime in seconds, as a token response's ``expires_in`` gives it
        (the article's server sends none; a client can still read ``exp - iat``)."""
        claims = unverified(self.access)
        return claims.exp - claims.iat


class AuthServer:
    """Issues tokens at login and new access tokens on refresh."""

    def __init__(
        self,
        env: simpy.Environment,
        tokens: TokenPolicy,
        latencies: Latencies,
        capacities: Capacities,
        observer: Observer,
        rng: random.Random,
        refresh_tokens: RefreshTokenPolicy | None = None,
        lifetimes: random.Random | None = None,
        faults: Faults | None = None,
        losses: random.Random | None = None,
        loop: EventLoop | None = None,
    ):
        self.env = env
        self.loop = loop.turn(capacities.auth_cpu_s) if loop is not None else None  # one Node process
        self.issuer = TokenIssuer(tokens.access_ttl_s, tokens.refresh_ttl_s, tokens.access_ttl_spread_s, lifetimes)
        # Families only when the policy needs them: the article's server remembers nothing.
        policy = refresh_tokens or RefreshTokenPolicy()
        self.families = Families(policy, observer) if policy.tracks_families else None
        self.verifier = TokenVerifier("refresh", tokens.leeway_s)
        self.half_rtt_s = latencies.rtt_s / 2
        self.service_time = service_time_sampler(latencies.auth_service_s, latencies.service_distribution, rng)
        self.workers = workers_for(env, capacities.auth_capacity)
        self.observer = observer
        # Outages, brownouts, a rate limit, lost answers: only if the scenario has any.
        faults = faults or Faults()
        running = faults.auth_faults(losses or random.Random(0))
        self.faults = FaultSchedule(running) if running else None

    def post_login(self, session: int) -> Generator[simpy.Event, Any, AuthAnswer]:
        """POST /login: the user's password is right; both tokens come back."""

        def handle(now_s: float) -> tuple[float, AuthAnswer]:
            subject = f"user-{session}"
            access = self.issuer.issue("access", subject, now_s)
            refresh = self.issuer.issue("refresh", subject, now_s)
            if self.families is not None:
                self.families.start(token_id(refresh), refresh, token_id(access), now_s)
            return self.service_time(), AuthAnswer(Status.OK, "valid", access, refresh)

        result = yield from exchange(self.env, self.half_rtt_s, self.workers, handle, self.loop)
        self._record(result, session=session, request=-1, endpoint="login", token="")
        return result.answer

    def post_refresh_token(
        self, refresh_token: str | None, session: int, request: int, trigger: str
    ) -> Generator[simpy.Event, Any, AuthAnswer]:
        """POST /refresh-token: 200 with a new access token, or 401.

        ``trigger`` (the expired access token's ``jti``) is only recorded.
        """

        def handle(now_s: float) -> tuple[float, AuthAnswer]:
            verdict = self.verifier.check(refresh_token, now_s)
            if not verdict.ok:
                return self.service_time(), AuthAnswer(Status.UNAUTHORIZED, verdict.reason)
            if self.families is not None:
                return self.service_time(), self._refresh_in_family(verdict.claims, now_s)
            access = self.issuer.issue("access", verdict.claims["sub"], now_s)
            return self.service_time(), AuthAnswer(Status.OK, "valid", access)

        if self.faults is None:
            result = yield from exchange(self.env, self.half_rtt_s, self.workers, handle, self.loop)
            lost = False
        else:
            result, lost = yield from exchange_with_faults(
                self.env, self.half_rtt_s, self.workers, handle, self.faults, self._turned_away, self.loop
            )
        self._record(
            result, session=session, request=request, endpoint="refresh", token=token_id(refresh_token),
            trigger=trigger, lost=lost,
        )  # fmt: skip
        return AuthAnswer(Status.NO_ANSWER, "lost") if lost else result.answer

    @staticmethod
    def _turned_away(status: int, outcome: str, retry_after_s: float) -> AuthAnswer:
        return AuthAnswer(status, outcome, retry_after_s=retry_after_s)

    def _refresh_in_family(self, claims: dict, now_s: float) -> AuthAnswer:
        """A good refresh token, judged by its family: rotate, allow, or refuse (and maybe revoke)."""
        jti = claims["jti"]
        outcome = self.families.present(jti, now_s)
        if not outcome.accepted:
            return AuthAnswer(Status.UNAUTHORIZED, outcome)
        family = self.families.accepted(jti, now_s)
        access = self.issuer.issue("access", claims["sub"], now_s)
        if outcome == Verdict.ROTATE:
            refresh = self.issuer.issue("refresh", claims["sub"], now_s)
            self.families.rotate(family, token_id(refresh), refresh, now_s)
            self.families.issued_access(family, token_id(access))  # after the rotation: it is the new one's
            return AuthAnswer(Status.OK, "valid", access, refresh)
        self.families.issued_access(family, token_id(access))
        if outcome == Verdict.UNCHANGED:
            return AuthAnswer(Status.OK, "valid", access)
        return AuthAnswer(Status.OK, outcome, access, family.current_token)  # within an allowance: the current one

    def _record(self, result: Exchange, lost: bool = False, **call: Any) -> None:
        answer = result.answer
        self.observer.call_served(
            CallRecord(
                server="auth",
                **result.times(),
                status=int(answer.status),
                outcome="lost" if lost else str(answer.outcome),  # the server answered; the answer never arrived
                issued=token_id(answer.access),
                issued_refresh=token_id(answer.refresh) if call["endpoint"] == "refresh" else "",
                **call,
            )  # fmt: skip
        )
