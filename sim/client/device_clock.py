"""The device's clock, and what the app believes about its token's expiry by it.

The servers decide expiry on their clock (the simulation's). A client that
refreshes *before* expiry decides on its own, and its clock may be off:
``local = SIM_EPOCH + now + offset``. It learns when its access token dies
in one of two ways, as real libraries do:

- ``exp``: decode the JWT and compare ``exp`` with the local clock
  (keycloak-js). A clock 2 min fast believes every token dies 2 min early;
  one fast by more than the lifetime minus the margin believes every new
  token is already due, and refreshes for ever.
- ``expires_in``: the token response's relative lifetime, counted from the
  moment the answer arrived (oidc-client-ts, auth0-spa-js, MSAL, Authlib).
  A constant offset cancels out; the answer's trip does not (the token is
  already that old when it arrives).

keycloak-js also *estimates* the offset at each login and refresh::

    timeLocal = (timeLocal + new Date().getTime()) / 2;   // the round trip's midpoint
    kc.timeSkew = Math.floor(timeLocal / 1000) - kc.tokenParsed.iat;

and counts expiry as ``exp - now + timeSkew`` (``skew_estimation``).

Each stored token gets two local times: ``expires_at`` (when the client
thinks it dies) and ``refresh_at`` (that minus the margin, plus any jitter).
XFetch (Vattani, Chierichetti and Lowenstein, VLDB 2015) makes the check
itself random: refresh when ``now - delta * beta * ln(U) >= refresh_at``,
with ``U`` uniform on (0, 1] and ``delta`` the last refresh's round trip,
so of many readers of one expiring value, one tends to refresh a little
early instead of all of them at once.
"""

from __future__ import annotations

import math
import random

import simpy

from ..tokens import SIM_EPOCH, unverified
from .proactive import Early


class Clock:
    """One device's clock (``offset_s`` ahead of the servers'), and the expiry rules of its app (``early``)."""

    def __init__(self, env: simpy.Environment, offset_s: float, early: Early, rng: random.Random):
        self.env = env
        self.offset_s = offset_s
        self.early = early
        self.rng = rng
        self.skew_s = 0  # keycloak-js's timeSkew: the estimated offset, in whole seconds
        self.last_round_trip_s = 0.0  # XFetch's delta: how long the last login or refresh took

    def now(self) -> float:
        """The local time, in epoch seconds."""
        return SIM_EPOCH + self.env.now + self.offset_s

    def sim_time(self, local: float) -> float:
        """The simulation time at which the local clock reads ``local``."""
        return local - SIM_EPOCH - self.offset_s

    def learned(self, access: str, expires_in: int, sent_s: float) -> tuple[float, float]:
        """A login or refresh sent at ``sent_s`` (sim time) answered ``access`` just now:
        (``expires_at``, ``refresh_at``), local times for the store."""
        early = self.early
        received = self.now()
        self.last_round_trip_s = self.env.now - sent_s
        if early.expiry_from == "expires_in":
            expires_at = received + expires_in
        elif early.expiry_from == "expires_in-from-send":  # MSAL.js: reqTimestamp + expires_in
            expires_at = SIM_EPOCH + sent_s + self.offset_s + expires_in
        else:
            claims = unverified(access)
            if early.skew_estimation:
                midpoint = (SIM_EPOCH + sent_s + self.offset_s + received) / 2
                self.skew_s = math.floor(midpoint) - claims.iat
            expires_at = claims.exp + self.skew_s
        margin = early.margin_s
        if early.margin_frac:  # a share of the lifetime (angular-oauth2-oidc's timeoutFactor)
            margin += early.margin_frac * expires_in
        if early.margin_jitter_s:
            margin += self.rng.uniform(0.0, early.margin_jitter_s)
        return expires_at, expires_at - margin

    def due(self, refresh_at: float, at_s: float | None = None) -> bool:
        """Whether a token to be refreshed at ``refresh_at`` (local) should be refreshed now
        (or at sim time ``at_s``)."""
        now = self.now() if at_s is None else SIM_EPOCH + at_s + self.offset_s
        beta = self.early.xfetch_beta
        if beta:  # XFetch: -ln(U) >= 0, so this only ever brings the refresh forward
            now -= self.last_round_trip_s * beta * math.log(1.0 - self.rng.random())
        return now >= refresh_at

    def expired(self, expires_at: float) -> bool:
        """Whether the client believes a token that dies at ``expires_at`` (local) is dead."""
        return self.now() >= expires_at

    def xfetch_reach_s(self) -> float:
        """How far before ``refresh_at`` XFetch may fire: beyond this its chance per check is below e^-30."""
        return 30 * self.last_round_trip_s * self.early.xfetch_beta
