"""One token holder's refresh cycle: from a token's issue to the refresh that replaces it.

A *holder* is what keeps one access token: a user's browser when its tabs
share storage (``local``, ``cookie``), each tab when it keeps its own
(``storage = "tab"``, a login of its own). The auth server issues the token
at ``T`` (when a worker picks the call up); the JWT's ``exp`` is
``floor(T) + access_ttl`` (+ a whole number of seconds up to
``access_ttl_spread_s``). When does the holder's next refresh reach the auth
server? The lab's own mechanisms, in order:

1. The client decides the token is *due*: after a 401 (``proactive = off``:
   a request that reaches the API at ``exp`` or later, so a page sent from
   ``exp - rtt/2`` on), or ``margin_s`` (+ a uniform jitter up to
   ``margin_jitter_s``, + ``margin_frac`` of the lifetime) before the
   expiry the client reads (the JWT's ``exp``, or ``expires_in`` counted
   from the answer's arrival or from the call's sending).
2. Something notices: the next page load after that moment (the holder's
   tabs load pages as one Poisson process, ``page_rate * tabs`` a second,
   so the wait is exponential), or a renewal timer's next tick (uniform
   over one tick).
3. The refresh travels: half a round trip for a proactive one; for a 401
   the request's trip, the API's rejection and the answer's trip first.

The cycle is the sum of these independent times, a distribution on the
grid (``grid.py``). What it leaves out: the auth server's queue (a token is
issued when a worker picks the call up; the cycle counts from arrival, so a
long queue stretches every cycle by its wait) and clock skew, retries and
faults, which this model refuses.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from ..scenario import Scenario
from . import grid


@dataclass(frozen=True)
class Cycle:
    """The time from a token's issue to its holder's next refresh at the auth server, on the grid.

    ``pmf[n]``: the share of cycles of length ``n * dt``. ``holders_per_user``:
    tokens a user keeps (1, or one per tab); ``trigger`` says what sets a
    refresh off ("401", "page", "timer").
    """

    pmf: np.ndarray
    dt: float
    holders_per_user: int
    trigger: str

    @property
    def mean_s(self) -> float:
        return grid.mean_s(self.pmf, self.dt)

    @property
    def shortest_s(self) -> float:
        return float(np.flatnonzero(self.pmf > 0)[0] * self.dt)


def refresh_cycle(scenario: Scenario, dt: float) -> Cycle:
    """The refresh cycle of one holder of ``scenario``'s client, on a grid of ``dt`` seconds."""
    tokens, latencies, workload, client = scenario.tokens, scenario.latencies, scenario.workload, scenario.client
    half_rtt_s = latencies.rtt_s / 2
    shared = client.storage.shares_login
    page_rate = workload.page_rate_per_s * (workload.tabs if shared else 1)
    flat = client.flat()
    # The server's expiry, after issue: ttl + spread - frac(T); frac(T) is uniform, so 1 - frac(T) is too.
    rounding = grid.uniform(1.0, dt)
    spread = grid.whole_seconds(tokens.access_ttl_spread_s, dt)
    api_401_s = tokens.access_ttl_s - 1 + tokens.leeway_s - half_rtt_s  # a page from here on meets a 401
    # the 401 comes back, and the refresh goes out to the auth server
    after_401_s = latencies.rtt_s + latencies.api_401_service_s + half_rtt_s
    reactive = (api_401_s + after_401_s, [rounding, spread, grid.exponential(page_rate, dt)], "401")
    mode = flat["proactive"]
    if mode == "off":
        offset_s, parts, trigger = reactive
    else:
        margin_s = flat["margin_s"] + flat["margin_frac"] * tokens.access_ttl_s
        frac = flat["margin_frac"]
        jitter_s = flat["margin_jitter_s"]
        read = {
            "exp": tokens.access_ttl_s - 1,  # with the rounding's 1 - frac(T)
            "expires_in": tokens.access_ttl_s + latencies.auth_service_s + half_rtt_s,
            "expires_in-from-send": tokens.access_ttl_s - half_rtt_s,
        }[flat["expiry_from"]]
        due_s = read - margin_s - jitter_s  # + the jitter's complement, uniform on [0, jitter]
        parts = [grid.uniform(jitter_s, dt), _scaled_spread(tokens.access_ttl_spread_s, 1 - frac, dt)]
        if flat["expiry_from"] == "exp":
            parts.append(rounding)
        if mode == "timer":
            parts.append(grid.uniform(flat["timer_tick_s"], dt))
            offset_s, trigger = due_s + half_rtt_s, "timer"
        elif due_s + jitter_s / 2 < api_401_s + 0.5:  # due before a 401 could say so: the page sets it off
            parts.append(grid.exponential(page_rate, dt))
            offset_s, trigger = due_s + half_rtt_s, "page"
        else:  # a margin too small to matter: the 401 comes first
            offset_s, parts, trigger = reactive
    if offset_s <= 0:
        raise ValueError(f"a refresh cycle must be longer than 0 s (its shortest is {offset_s:g} s)")
    pmf = grid.shifted(grid.convolve(*parts), offset_s, dt)
    return Cycle(pmf=pmf, dt=dt, holders_per_user=1 if shared else workload.tabs, trigger=trigger)


def _scaled_spread(spread_s: int, factor: float, dt: float) -> np.ndarray:
    """The lifetime's spread, of which a margin proportional to the lifetime takes a share off."""
    if factor == 1 or spread_s == 0:
        return grid.whole_seconds(spread_s, dt)
    values = np.arange(spread_s + 1, dtype=float) * factor
    return grid.on_grid(values, np.full(spread_s + 1, 1.0 / (spread_s + 1)), dt)


def page_wait_s(scenario: Scenario) -> float:
    """The mean wait for a holder's next page: 1 / (pages a second it loads)."""
    workload = scenario.workload
    per_holder = workload.tabs if scenario.client.storage.shares_login else 1
    return 1 / (workload.page_rate_per_s * per_holder) if workload.page_rate_per_s else math.inf
