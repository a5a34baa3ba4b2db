"""The auth server as a queue: ``c`` workers, calls that wait for one, and a backlog when there are too few.

A refresh call that finds every worker busy waits. With calls arriving at
random (Poisson, ``lam`` a second) and each worker serving ``mu`` a second
(exponential service times), that is the M/M/c queue, and A. K. Erlang's
formula (1917) gives the chance a call waits at all::

    a = lam / mu                 (the load, in busy workers)
    C(c, a) = [a^c/c! * c/(c - a)] / [sum_{k<c} a^k/k! + a^c/c! * c/(c - a)]

and a call that waits, waits an exponential time of rate ``c mu - lam``:
``P(W > t) = C(c, a) exp(-(c mu - lam) t)``.

The lab's clients change two things. The article's interceptor sends its
refreshes in *batches* (five 401s, five calls at the same instant): the
k-th call of a batch waits behind the k - 1 before it. For a few workers
the model solves that queue (M^X/M/c) exactly, state by state: the chance
of ``n`` calls in the system follows from balancing the flow across each
cut between ``n`` and ``n + 1`` (batches up, departures down), and a call
that sees ``m`` calls ahead of it beyond the workers waits for ``m``
departures, an Erlang time. For many workers the batch matters less; the
model keeps Erlang C and stretches the wait by Kingman's factor
``(1 + E[X^2]/E[X]) / 2`` for batch sizes ``X``. Fixed service times (the
lab's default) halve a wait (the usual M/D/c approximation,
``(1 + cv^2) / 2`` with ``cv = 0``).

The load changes over time (waves). Where it is below the workers, each
time bin is taken as its own steady state (the pointwise stationary
approximation: good when the load changes slowly next to the queue's own
time, ``1 / (c mu - lam)``); where it is above, the calls pile up (a fluid
queue: the backlog grows by what arrives beyond ``c mu`` a second and
drains at that rate), and a call waits for the backlog ahead of it. The
p95 refresh wait is the 95th percentile over every refresh call of the
run, bins weighted by their calls.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from ..extras import scipy_stats

EXACT_MOST_WORKERS = 400  # batches are solved exactly up to this many workers
STEADY_BELOW = 0.995  # a bin busier than this (and no backlog) is taken at this
TAIL = 1e-7  # the exact queue is followed until less than this is left beyond
LEVEL_STEP = 0.002  # bins whose -ln(1 - utilisation) is this close are one level


def erlang_c(workers: int, load: float | np.ndarray) -> float | np.ndarray:
    """The chance a call waits in an M/M/c queue with ``workers`` and ``load`` busy workers' worth of
    calls (1 at or above ``workers``)."""
    stats = scipy_stats("model", "capacity", "the capacity model")

    load = np.asarray(load, float)
    c = workers
    top = stats.poisson.pmf(c, load) * c / np.maximum(c - load, 1e-300)
    below = stats.poisson.cdf(c - 1, load)
    value = np.where(load < c, top / (below + top), 1.0)
    value = np.where(load <= 0, 0.0, value)
    return float(value) if value.ndim == 0 else value


@dataclass(frozen=True)
class Server:
    """The auth server's workers, their mean service time, and how variable it is."""

    workers: int
    service_s: float
    exponential: bool = True

    @property
    def per_s(self) -> float:
        """Calls the workers finish in a second, all busy."""
        return self.workers / self.service_s

    @property
    def stretch(self) -> float:
        """How a wait compares with exponential service's: 1, or 1/2 for fixed times."""
        return 1.0 if self.exponential else 0.5


@dataclass(frozen=True)
class Backlog:
    """The fluid queue: calls waiting at each grid step, the most, and how long the last one took to clear."""

    waiting: np.ndarray
    peak: float
    drain_s: float


def fluid_backlog(arrivals: np.ndarray, per_step: float, dt: float) -> Backlog:
    """Calls waiting after each grid step, for ``arrivals`` per step served at ``per_step`` at most.

    The Lindley recursion ``Q = max(0, Q + a - s)`` in closed form: the running sum less its
    lowest point so far."""
    total = np.cumsum(arrivals - per_step)
    waiting = total - np.minimum(np.minimum.accumulate(total), 0.0)
    waiting[waiting < 1e-9 * max(per_step, 1.0)] = 0.0
    peak_at = int(np.argmax(waiting)) if len(waiting) else 0
    peak = float(waiting[peak_at]) if len(waiting) else 0.0
    if peak <= 0:
        return Backlog(waiting, 0.0, 0.0)
    empty = np.flatnonzero(waiting[peak_at:] == 0)
    drain_s = float(empty[0] * dt) if len(empty) else math.inf
    return Backlog(waiting, peak, drain_s)


def p95_wait_s(
    calls: np.ndarray, other: np.ndarray, server: Server, dt: float, batch_pmf: tuple[float, ...], level: float = 0.95
) -> float:
    """The ``level`` quantile of the wait of the ``calls`` (per grid step) at ``server``, with the
    ``other`` calls (logins) sharing its workers; ``inf`` if the backlog never clears."""
    beyond = waits_beyond(calls, other, server, dt, batch_pmf)
    if beyond is None:
        return math.inf
    if beyond(0.0) <= 1 - level:
        return 0.0
    low, high = 0.0, 1.0
    while beyond(high) > 1 - level:
        low, high = high, high * 2
    while high - low > 1e-4 * high:
        mid = (low + high) / 2
        low, high = (mid, high) if beyond(mid) > 1 - level else (low, mid)
    return high


def waits_beyond(
    calls: np.ndarray, other: np.ndarray, server: Server, dt: float, batch_pmf: tuple[float, ...]
) -> Callable[[float], float] | None:
    """``x -> the share of the calls that wait longer than x``; ``None`` if the backlog never clears."""
    arrivals = calls + other
    backlog = fluid_backlog(arrivals, server.per_s * dt, dt)
    if math.isinf(backlog.drain_s):
        return None
    load = arrivals / dt * server.service_s / server.workers  # utilisation at each step
    weights = calls / calls.sum()
    fluid = backlog.waiting > 0  # the rest each in its steady state, at most STEADY_BELOW busy
    fluid_waits = backlog.waiting[fluid] / server.per_s
    fluid_weights = weights[fluid]
    survival = _steady_survival(*_levels(load[~fluid], weights[~fluid]), server, batch_pmf)
    return lambda x: survival(x) + float(fluid_weights[fluid_waits > x].sum())


def _levels(load: np.ndarray, weights: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Bins of nearly the same utilisation taken together (their calls added, their utilisation the
    calls' mean): a day of seconds is a few hundred levels. Near 1 the levels are finer, as a wait
    there goes as 1 / (1 - utilisation)."""
    keep = weights > 0
    load, weights = np.minimum(load[keep], STEADY_BELOW), weights[keep]
    key = np.round(-np.log1p(-load) / LEVEL_STEP).astype(np.int64)
    total = np.bincount(key, weights)
    used = total > 0
    return np.bincount(key, weights * load)[used] / total[used], total[used]


def _steady_survival(load: np.ndarray, weights: np.ndarray, server: Server, batch_pmf: tuple[float, ...]):
    """``x -> share of calls (of all) that wait longer than x`` over bins each in its own steady state."""
    batch = np.asarray(batch_pmf)
    sizes = np.arange(len(batch))
    mean_batch = float(np.dot(sizes, batch))
    if len(batch) <= 2 or server.workers > EXACT_MOST_WORKERS:  # Poisson calls, or many workers: Erlang C
        index = float(np.dot(sizes**2, batch)) / mean_batch  # E[X^2] / E[X]
        kingman = (1 + index) / 2
        waits = erlang_c(server.workers, load * server.workers) * weights
        rate = (1 - load) * server.per_s / (kingman * server.stretch)
        return lambda x: float(np.dot(waits, np.exp(-rate * x)))
    stats = scipy_stats("model", "capacity", "the capacity model")

    ahead = _exact_ahead(load, weights, server.workers, batch)
    departures = np.arange(len(ahead))  # ahead[m]: share of calls with m departures to wait for

    def survival(x: float) -> float:
        # waiting m departures, each at rate c mu: longer than x if fewer than m happen in x
        return float(np.dot(ahead[1:], stats.poisson.cdf(departures[1:] - 1, server.per_s * x / server.stretch)))

    return survival


def _exact_ahead(load: np.ndarray, weights: np.ndarray, workers: int, batch: np.ndarray) -> np.ndarray:
    """The M^X/M/c queue, exactly, at a ladder of utilisations; the share of all calls that must wait for
    ``m`` departures, mixed over the bins by their calls (each bin between its two nearest rungs)."""
    top = min(float(load.max()) if len(load) else 0.0, STEADY_BELOW)
    rungs = np.unique(np.concatenate([[0.0], 1 - np.geomspace(1.0, max(1 - top, 1e-6), 48)[1:], [top]]))
    mix = np.zeros(len(rungs))
    where = np.clip(np.searchsorted(rungs, load) - 1, 0, len(rungs) - 2)
    upper = np.clip((load - rungs[where]) / np.maximum(rungs[where + 1] - rungs[where], 1e-300), 0, 1)
    np.add.at(mix, where, weights * (1 - upper))
    np.add.at(mix, where + 1, weights * upper)
    used = mix > 0
    states = _states(rungs[used], workers, batch)  # (n, rungs)
    per_call = _ahead_of_a_call(states, workers, batch)  # (m, rungs)
    return per_call @ mix[used]


def _states(utilisation: np.ndarray, workers: int, batch: np.ndarray) -> np.ndarray:
    """P(n calls in the system) of the M^X/M/c queue at each utilisation (columns), service rate 1.

    Across the cut between n and n + 1: batches that start at k <= n and reach past n go up
    (``lam_batches * sum_k p_k P(X > n - k)``), one departure comes down (``min(n + 1, c) p_{n+1}``)."""
    mean_batch = float(np.dot(np.arange(len(batch)), batch))
    lam_batches = utilisation * workers / mean_batch
    longer = 1 - np.cumsum(batch)  # P(X > j)
    most = len(batch) - 1
    top = float(utilisation.max())
    decay = max(1 - top, 1e-6) / (most * most)  # roughly how fast the tail falls, per state
    length = workers + most + int(math.log(1 / TAIL) / decay) + 1
    probs = np.zeros((length, len(utilisation)))
    probs[0] = 1.0
    highest = probs[0].copy()
    for n in range(length - 1):
        low = max(0, n - most + 1)
        up = (probs[low : n + 1] * longer[n - low :: -1][: n + 1 - low, None]).sum(axis=0)
        probs[n + 1] = lam_batches * up / min(n + 1, workers)
        highest = np.maximum(highest, probs[n + 1])
        if highest.max() > 1e200:  # keep the numbers finite; the shape is all that matters
            big = highest > 1e100
            probs[: n + 2, big] /= highest[big]
            highest[big] = 1.0
        if n > workers + most and (probs[n + 1] < TAIL * highest).all():
            probs = probs[: n + 2]
            break
    return probs / probs.sum(axis=0)


def _ahead_of_a_call(states: np.ndarray, workers: int, batch: np.ndarray) -> np.ndarray:
    """The share of calls with ``m`` departures to wait for: a batch of ``b`` that finds ``n`` in the
    system puts its j-th call (j < b) behind ``n + j``; it waits if that is ``workers`` or more."""
    mean_batch = float(np.dot(np.arange(len(batch)), batch))
    length = states.shape[0] + len(batch)
    ahead = np.zeros((length - workers + 1, states.shape[1]))
    for size, share in enumerate(batch):
        if not share:
            continue
        calls = size * share / mean_batch  # the share of calls that come in batches of this size
        for j in range(size):
            # found n: waits for n + j - workers + 1 departures if positive
            m = np.arange(states.shape[0]) + j - workers + 1
            keep = m >= 0
            np.add.at(ahead, m[keep], states[keep] * calls / size)
            ahead[0] += states[~keep].sum(axis=0) * calls / size
    return ahead


def workers_needed(
    calls: np.ndarray, other: np.ndarray, service_s: float, exponential: bool, dt: float,
    batch_pmf: tuple[float, ...], target_s: float, level: float = 0.95, steady: bool = False,
) -> int:  # fmt: skip
    """The fewest workers that keep the p95 refresh wait at or under ``target_s``; with ``steady``,
    also below the load at every step (no backlog at all, not even one the workers just keep up with)."""
    mean_load = (calls.sum() + other.sum()) / (len(calls) * dt) * service_s
    peak_load = float((calls + other).max()) / dt * service_s

    def ok(workers: int) -> bool:
        if steady and peak_load >= workers * STEADY_BELOW:
            return False
        beyond = waits_beyond(calls, other, Server(workers, service_s, exponential), dt, batch_pmf)
        return beyond is not None and beyond(target_s) <= 1 - level

    most = len(batch_pmf) - 1
    low = max(1, math.floor(mean_load))
    high = max(low + 1, math.ceil(peak_load + 4 * math.sqrt(peak_load * most) + most))
    while not ok(high):
        low, high = high, high * 2
    while high - low > 1:
        mid = (low + high) // 2
        low, high = (low, mid) if ok(mid) else (mid, high)
    return low if ok(low) else high
