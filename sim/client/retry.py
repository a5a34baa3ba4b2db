"""Trying a failed refresh again: backoff with and without jitter, a cap, a budget.

A refresh that gets a 401 has its verdict: the refresh token is no good,
and the article's catch sends the user to the login page. A refresh that
gets *no* verdict (503 from a server that is down, 429 from one that
rate-limits, a timeout, a reset connection, a lost answer) may be worth
another try, and how a client spaces its tries decides whether a short
outage stays short. With base b, cap c and try n = 1, 2, ... failed
(Marc Brooker, "Exponential Backoff and Jitter", AWS Architecture Blog, 2015),
each mode of the family ``retry`` is one class:

================  ================  ==========================================
``none``          ``NoRetry``       no second try (the article)
``immediate``     ``Immediate``     again at once (auth0-spa-js retries network errors so)
``fixed``         ``Fixed``         wait min(c, b) (oidc-client-ts: 5 s)
``exponential``   ``Exponential``   wait min(c, b * 2^(n-1)) (google-auth: 1 s doubling)
``full-jitter``   ``FullJitter``    wait uniform(0, min(c, b * 2^(n-1)))
``equal-jitter``  ``EqualJitter``   half of that, plus uniform(0, the other half)
``decorrelated``  ``Decorrelated``  wait min(c, uniform(b, 3 * the previous wait))
================  ================  ==========================================

at most ``max_tries`` tries in all. Libraries differ in *which* failures
they try again (``retry_on``): auth0-spa-js only a ``fetch`` that threw (a
network error or its own timeout: a 503 or 429 answer is thrown at once),
google-auth only answers (500, 503, 504, 408, 429: a transport error leaves
the loop at once). With ``retry_after`` a 429's ``Retry-After`` is a floor on
the wait. A ``retry_budget`` (a token bucket
per browser) caps retries across all the browser's refreshes: a retry that
finds it empty is not made, and the tries have run out.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from typing import ClassVar

from ..buckets import Bucket, TokenBucket, parse_bucket
from ..fields import check_bool, check_choice, check_seconds, setting, whole
from ..outcomes import Status
from ..parts import Part

MAX_TRIES_LIMIT = 100
RETRY_ON = ("any", "network", "answers")


class Retry(Part, family="retry"):
    """How a refresh that got no verdict is tried again."""

    jittered: ClassVar[bool] = False  # draws random numbers (from each user's own stream)

    def tries(self, rng: random.Random, budget: Bucket | None) -> Tries:
        """The tries of one refresh."""
        return Tries(self, rng, budget)

    def budget(self) -> Bucket | None:
        """A browser's running retry budget, if this client keeps one."""
        return None

    def next_wait_s(self, tries: Tries, status: int, retry_after_s: float, now_s: float) -> float | None:
        """How long to wait before the next try after one that got ``status`` (no verdict), or ``None``
        if there is none."""
        return None


@dataclass(frozen=True)
class NoRetry(Retry, mode="none"):
    """One try (the article: a refresh that fails sends the user to the login page)."""


@dataclass(frozen=True)
class Retrying(Retry):
    """What every retrying mode has: a limit on tries, a budget, and whether it reads Retry-After."""

    max_tries: int = setting(3, f"tries of one refresh in all, 1 to {MAX_TRIES_LIMIT}")
    retry_budget: TokenBucket | None = setting(
        None,
        "a token bucket of retries per browser, PER_S[:BURST]; a retry that finds it empty is not made",
        metavar="PER_S[:BURST]",
        default_text="no budget",
    )
    retry_after: bool = setting(False, "wait at least as long as a 429's Retry-After says")
    retry_on: str = setting(
        "any",
        "which failures are tried again: any (503, 429 and no answer); network (no answer only: a timeout, a "
        "reset, a lost answer; auth0-spa-js); answers (503 and 429 only; google-auth)",
        choices=RETRY_ON,
        quiet=True,
    )

    def __post_init__(self) -> None:
        whole(self, "max_tries", 1, maximum=MAX_TRIES_LIMIT)
        object.__setattr__(self, "retry_budget", parse_bucket("retry_budget", self.retry_budget))
        check_bool("retry_after", self.retry_after)
        check_choice("retry_on", self.retry_on, RETRY_ON)

    def retries(self, status: int) -> bool:
        """Whether a try that got ``status`` (no verdict) is one this client tries again."""
        if self.retry_on == "any":
            return True
        no_answer = status in (Status.NO_ANSWER, Status.WITHDRAWN)
        return no_answer if self.retry_on == "network" else not no_answer

    def budget(self) -> Bucket | None:
        return Bucket(self.retry_budget) if self.retry_budget else None

    def next_wait_s(self, tries: Tries, status: int, retry_after_s: float, now_s: float) -> float | None:
        if tries.made >= self.max_tries or not self.retries(status):
            return None
        if tries.budget is not None and tries.budget.take(now_s):
            return None  # out of budget: no retry now
        wait_s = self.wait_s(tries.made, tries.previous_s, tries.rng)
        tries.previous_s = wait_s if wait_s else tries.first_s
        if self.retry_after:
            wait_s = max(wait_s, retry_after_s)
        tries.made += 1
        return wait_s

    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        """How long to wait after try number ``failed`` failed (Brooker's definitions)."""
        raise NotImplementedError


@dataclass(frozen=True)
class Immediate(Retrying, mode="immediate"):
    """Again at once."""

    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        return 0.0


@dataclass(frozen=True)
class Backoff(Retrying):
    """A mode that waits: a first wait (``retry_base_s``) and a longest one (``retry_cap_s``)."""

    retry_base_s: float = setting(1.0, "the first wait (or the fixed one), s")
    retry_cap_s: float = setting(30.0, "the longest wait, s")

    def __post_init__(self) -> None:
        super().__post_init__()
        check_seconds("retry_base_s", self.retry_base_s)
        check_seconds("retry_cap_s", self.retry_cap_s)

    def ceiling_s(self, failed: int) -> float:
        return min(self.retry_cap_s, self.retry_base_s * 2 ** (failed - 1))


@dataclass(frozen=True)
class Fixed(Backoff, mode="fixed"):
    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        return min(self.retry_cap_s, self.retry_base_s)


@dataclass(frozen=True)
class Exponential(Backoff, mode="exponential"):
    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        return self.ceiling_s(failed)


@dataclass(frozen=True)
class FullJitter(Backoff, mode="full-jitter"):
    jittered: ClassVar[bool] = True

    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        return rng.uniform(0.0, self.ceiling_s(failed))


@dataclass(frozen=True)
class EqualJitter(Backoff, mode="equal-jitter"):
    jittered: ClassVar[bool] = True

    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        ceiling = self.ceiling_s(failed)
        return ceiling / 2 + rng.uniform(0.0, ceiling / 2)


@dataclass(frozen=True)
class Decorrelated(Backoff, mode="decorrelated"):
    jittered: ClassVar[bool] = True

    def wait_s(self, failed: int, previous_s: float, rng: random.Random) -> float:
        return min(self.retry_cap_s, rng.uniform(self.retry_base_s, previous_s * 3))


class Tries:
    """The tries of one refresh: ``next_wait_s`` after a try failed without a verdict."""

    def __init__(self, retry: Retry, rng: random.Random, budget: Bucket | None):
        self.retry = retry
        self.rng = rng
        self.budget = budget
        self.made = 1  # the first try is being made
        self.first_s = getattr(retry, "retry_base_s", 0.0)  # decorrelated jitter's first "previous wait"
        self.previous_s = self.first_s

    def next_wait_s(self, status: int, retry_after_s: float, now_s: float) -> float | None:
        return self.retry.next_wait_s(self, status, retry_after_s, now_s)


RETRY_MODES = tuple(Retry.modes)
