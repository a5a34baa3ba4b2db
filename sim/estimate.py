"""How much work a scenario is, before running it.

A mistyped flag (``--users 10000000``, ``--duration 1e12``) should not start
a run that takes hours and all the memory there is. ``estimate`` works out
from the workload alone how many requests a run will make, and from that
and the number of users how long it will take and how much memory it will
need; ``preflight`` refuses a run above the limits, saying how to raise them.

The costs per request and per user were measured with ``python -m sim bench``
and a burst of 100 000 users on the 2-core development machine (a user costs
a login, two signed JWTs and their first checks, a tab and a SimPy process);
they are rough on purpose, to tell a minute from an hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from .arrivals import login_window_s
from .fields import ConfigError
from .scenario import Scenario

SECONDS_PER_REQUEST = 4e-6
SECONDS_PER_USER = 5e-4
BYTES_PER_REQUEST = 120  # its record, and its share of the frames the summary builds
BYTES_PER_USER = 5_000
BASELINE_MB = 150  # Python, numpy, pandas and SimPy, before the first event

MAX_REQUESTS = 5_000_000
MAX_USERS = 200_000


@dataclass(frozen=True)
class Estimate:
    """Expected requests and users of one run, and what they cost."""

    requests: float
    users: int

    @property
    def seconds(self) -> float:
        return self.requests * SECONDS_PER_REQUEST + self.users * SECONDS_PER_USER

    @property
    def memory_mb(self) -> float:
        return BASELINE_MB + (self.requests * BYTES_PER_REQUEST + self.users * BYTES_PER_USER) / 1e6

    def __str__(self) -> str:
        return (
            f"about {self.requests:,.0f} requests from {self.users:,} users, "
            f"{_duration(self.seconds)} and {self.memory_mb:,.0f} MB"
        )


def estimate(scenario: Scenario) -> Estimate:
    """What a run of ``scenario`` will make: the expected number of requests, and its users."""
    workload = scenario.workload
    if workload.kind == "burst":
        return Estimate(workload.users * workload.tabs * workload.concurrency, workload.users)
    if workload.kind == "steady":
        # each user loads pages from their login until duration_s; logins are uniform
        # over the login window, by default the first access lifetime (all at 0 if synchronized)
        spread_s = 0.0 if workload.synchronized else login_window_s(workload, scenario.tokens)
        time_left_s = _mean_time_left(workload.duration_s, spread_s, workload.pages_from_s)
        per_tab = workload.concurrency * workload.page_rate_per_s * time_left_s
        return Estimate(workload.users * workload.tabs * per_tab, workload.users)
    from .arrivals import read_arrivals  # noqa: PLC0415

    arrivals = read_arrivals(workload.arrivals)
    return Estimate(sum(len(times) for times in arrivals), len(arrivals))


def _mean_time_left(duration_s: float, spread_s: float, from_s: float = 0.0) -> float:
    """E[max(0, duration - max(L, from_s))] for a login time L uniform on [0, spread_s]."""
    if from_s > 0:  # pages start at max(login, from_s); close enough for a pre-flight estimate
        start_s = from_s if from_s >= spread_s else (from_s**2 + (spread_s**2 - from_s**2) / 2) / spread_s
        return max(0.0, duration_s - start_s)
    if spread_s == 0:
        return duration_s
    covered = min(spread_s, duration_s)
    return (duration_s * covered - covered**2 / 2) / spread_s


def preflight(scenario: Scenario, max_requests: int = MAX_REQUESTS, max_users: int = MAX_USERS) -> Estimate:
    """The estimate of a run, or a ``ConfigError`` if it passes a limit (and how to raise it)."""
    work = estimate(scenario)
    if work.requests > max_requests:
        raise ConfigError(
            "requests",
            round(work.requests),
            f"the run would take {_duration(work.seconds)} and {work.memory_mb:,.0f} MB, over the limit of "
            f"{max_requests:,} requests; lower the workload or raise the limit with --max-requests N",
        )
    if work.users > max_users:
        raise ConfigError(
            "users",
            work.users,
            f"the run would take {_duration(work.seconds)} and {work.memory_mb:,.0f} MB, over the limit of "
            f"{max_users:,} users; lower the workload or raise the limit with --max-users N",
        )
    return work


def _duration(seconds: float) -> str:
    if seconds < 90:
        return f"about {max(seconds, 1):.0f} s"
    if seconds < 2 * 3600:
        return f"about {seconds / 60:.0f} min"
    return f"about {seconds / 3600:,.0f} h"
