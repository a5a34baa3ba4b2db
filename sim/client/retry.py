"""Trying a failed refresh again: backoff with and without jitter, a cap, a budget.

A refresh that gets a 401 has its verdict: the refresh token is no good,
and the article's catch sends the user to the login page. A refresh that
gets *no* verdict (503 from a server that is down, 429 from one that
rate-limits, a timeout, a reset connection, a lost answer) may be worth
another try, and how a client spaces its tries decides whether a short
outage stays short. With ``base`` b, ``cap`` c and try n = 1, 2, ... failed
(Marc Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog, 2015):

================  ============================================================
``none``          no second try (the article)
``immediate``     again at once (auth0-spa-js retries network errors so)
``fixed``         wait b (oidc-client-ts: 5 s)
``exponential``   wait min(c, b * 2^(n-1)) (google-auth: 1 s doubling)
``full-jitter``   wait uniform(0, min(c, b * 2^(n-1)))
``equal-jitter``  half of that, plus uniform(0, the other half)
``decorrelated``  wait min(c, uniform(b, 3 * the previous wait))
================  ============================================================

at most ``max_tries`` tries in all. With ``retry_after`` a 429's
``Retry-After`` is a floor on the wait. A ``retry_budget`` (a token bucket
per browser) caps retries across all the browser's refreshes: a retry that
finds it empty is not made, and the tries have run out.
"""

from __future__ import annotations

import random

from ..config import RefreshPolicy
from ..servers.faults import TokenBucketLimiter


class Tries:
    """The tries of one refresh: ``next_wait(answer)`` after a try failed without a verdict gives
    how long to wait before the next, or ``None`` if there is to be no next."""

    def __init__(self, policy: RefreshPolicy, rng: random.Random, budget: TokenBucketLimiter | None, now_s: float):
        self.policy = policy
        self.rng = rng
        self.budget = budget
        self.made = 1  # the first try is being made
        self.previous_s = policy.retry_base_s
        self.started_s = now_s

    def next_wait(self, retry_after_s: float, now_s: float) -> float | None:
        policy = self.policy
        if policy.retry == "none" or self.made >= policy.max_tries:
            return None
        if self.budget is not None and self.budget.take(now_s):
            return None  # out of budget: no retry now
        wait_s = backoff_s(policy, self.made, self.previous_s, self.rng)
        self.previous_s = wait_s if wait_s else policy.retry_base_s
        if policy.retry_after:
            wait_s = max(wait_s, retry_after_s)
        self.made += 1
        return wait_s


def backoff_s(policy: RefreshPolicy, failed: int, previous_s: float, rng: random.Random) -> float:
    """How long to wait after try number ``failed`` failed (Brooker's definitions)."""
    base, cap, kind = policy.retry_base_s, policy.retry_cap_s, policy.retry
    if kind == "immediate":
        return 0.0
    if kind == "fixed":
        return min(cap, base)
    if kind == "decorrelated":
        return min(cap, rng.uniform(base, previous_s * 3))
    ceiling = min(cap, base * 2 ** (failed - 1))
    if kind == "exponential":
        return ceiling
    if kind == "full-jitter":
        return rng.uniform(0.0, ceiling)
    return ceiling / 2 + rng.uniform(0.0, ceiling / 2)  # equal-jitter
