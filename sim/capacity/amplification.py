"""How many refresh calls one expiry costs, measured on the simulation's own clients.

The article's interceptor sends one refresh per 401, so a page of five
requests that meets an expired token sends five; single flight per tab
sends one; a timer per tab with shared storage may send one per tab. Rather
than typing these numbers in, the model asks the simulation: a small run
(``USERS`` users logged in together, their pages only in the window around
their first expiry) of the scenario's own client, tabs, pages and latencies,
with an auth server that never queues. Its refresh calls for the login's
access token, per token that set any off, are the *amplification*; calls of
one token that reach the server at the same instant are one *batch*, and
the sizes of the batches are what the queue model sees (five at once wait
longer than five apart).

A client that logs users out, or whose refreshes are turned away (rotation
with reuse detection under the article's interceptor), makes the population
shrink as it goes: the fluid model cannot describe that and is refused.
Results are kept for the run of the process (``functools.lru_cache``).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np

from ..config import Capacities, Faults, Workload
from ..fields import ConfigError
from ..scenario import Scenario
from .cycle import refresh_cycle

USERS = 500  # holders enough to put the mean within about half a percent; a run of a second or so
WINDOW_QUANTILE = 0.9999  # pages run until this share of first refreshes is done


@dataclass(frozen=True)
class Amplification:
    """Refresh calls per expiry (``calls_per_expiry``) and the sizes of their batches.

    ``batch_pmf[b]``: the share of batches of ``b`` calls arriving together.
    """

    calls_per_expiry: float
    batch_pmf: tuple[float, ...]
    expiries: int  # how many expiries the measure rests on

    @property
    def mean_batch(self) -> float:
        sizes = np.arange(len(self.batch_pmf))
        return float(np.dot(sizes, self.batch_pmf))


def amplification(scenario: Scenario) -> Amplification:
    """The amplification of ``scenario``'s client on its workload, measured (and cached)."""
    return _measured(_probe(scenario))


def _probe(scenario: Scenario) -> Scenario:
    """The small run: ``USERS`` users log in at 0 and load pages around their first expiry."""
    cycle = refresh_cycle(scenario, 0.5)
    cdf = np.cumsum(cycle.pmf)
    last_s = float(np.searchsorted(cdf, WINDOW_QUANTILE * cdf[-1]) * cycle.dt)
    first_s = max(0.0, cycle.shortest_s - 5.0)
    workload = scenario.workload
    small = Workload(
        kind="steady", users=USERS, tabs=workload.tabs, concurrency=workload.concurrency,
        page_rate_per_s=workload.page_rate_per_s, synchronized=True, pages_from_s=first_s,
        duration_s=max(last_s + 5.0, first_s + 10.0),
    )  # fmt: skip
    return scenario.with_(workload=small, capacities=Capacities(), faults=Faults(), seed=0, name="amplification probe")


@functools.lru_cache(maxsize=256)
def _measured(probe: Scenario) -> Amplification:
    from ..experiment import run  # noqa: PLC0415  (the model itself needs no SimPy)

    result = run(probe)
    summary = result.summary
    if summary["logouts"] or summary["refresh_calls_rejected"]:
        raise ConfigError(
            "client",
            probe.client.label,
            f"logs users out on this scenario ({summary['logouts']} of {USERS} in a small run, "
            f"{summary['refresh_calls_rejected']} refreshes turned away): the population shrinks as it goes, "
            "which the capacity model cannot describe; use the simulation (python -m sim run)",
        )
    calls = result.calls
    logins = set(calls.loc[calls["endpoint"] == "login", "issued"])
    first = calls[(calls["endpoint"] == "refresh") & calls["trigger"].isin(logins)]
    expiries = first.drop_duplicates(["session", "trigger"]).shape[0]
    if not expiries:
        raise ConfigError(
            "page_rate_per_s", probe.workload.page_rate_per_s, "too few pages to see any refresh in a small run"
        )
    batches = first.groupby(["session", "trigger", "arrived_s"]).size().to_numpy()
    pmf = np.bincount(batches) / len(batches)
    return Amplification(len(first) / expiries, tuple(float(p) for p in pmf), expiries)
