"""How much work a scenario is, before running it.

A mistyped flag (``--users 10000000``, ``--duration 1e12``) should not start
a run that takes hours and all the memory there is. ``estimate`` works out
from the workload alone how many requests a run will make, and from that
and the number of users how long it will take and how much memory it will
need; ``preflight`` refuses a run above the limits, saying how to raise them.

The costs per request and per user were measured on the 2-core development
machine, each with the command named beside it: a request costs a few
microseconds (one through a BFF about three times as much, for the trip
there), a user in a long steady session a few milliseconds (a login
and a refresh or two, each two signed JWTs and their first checks, a tab and
a SimPy process). They are rough on purpose, to tell a minute from an hour.
"""

from __future__ import annotations

from dataclasses import dataclass

from .arrivals import login_window_s
from .fields import ConfigError
from .scenario import Scenario

# python -m sim bench's million requests from 1000 users: 7 s with the users' share below, 6.4 to 9.1 s measured
SECONDS_PER_REQUEST = 4e-6
# A user in a long steady session: besides the login, each refresh costs about 1 ms (a burst of 10 000 users
# refreshing at once took 7 to 12 s more than the same burst before the expiry). Fitted to the bench's million requests
# from 10 000 users against 1000, `python -m sim run --workload steady --users 10000 --page-rate 0.01 --duration
# 2450 --client queued --rotation --reuse-detection` (23.9 to 30.4 s and 409 MB in three runs) against
# `--users 1000 --page-rate 0.1` (6.4 to 9.1 s, 254 MB), and checked on `python -m sim run --workload steady
# --users 10000 --duration 1200 --rotation --reuse-detection` (1.87M requests: 25.6 to 35.9 s, 463 MB, four runs).
# With other work on both cores the same runs took up to twice as long. A burst's users cost less: 0.5 ms each.
SECONDS_PER_USER = 3e-3
# A request through a BFF: the trip to it is one more event, and the balancer picks its instance. Measured as
# the BFF's extra time over the browser's on the same arrivals, per request: 4.0 to 8.3 us for `python -m sim run
# --workload steady --users 10000 --duration 1200 --rotation --reuse-detection` with `--tier bff --instances 4
# --bff-rtt 0.02 --store-rtt 0.001 --session-lock distributed` added (37.4 to 43.9 s against 25.6 to 35.9 s,
# 1.21x to 1.61x, four runs each), 4.5 to 9.1 us for the bench's BFF workload (30.1 to 39.5 s against 23.9 to
# 30.4 s, 1.17x to 1.30x, three runs): 2 to 3.3 times SECONDS_PER_REQUEST in all. The lock in the session store
# costs nothing per request: its tries are events at a refresh, and it spares the refreshes the instances make
# without it (the same run without --session-lock: 40.9 s against 37.4 s, on a quiet machine).
BFF_REQUEST_FACTOR = 3.5
BYTES_PER_REQUEST = 120  # its record, and its share of the frames the summary builds
BYTES_PER_USER = 20_000
BASELINE_MB = 150  # Python, numpy, pandas and SimPy, before the first event

MAX_REQUESTS = 5_000_000
MAX_USERS = 200_000


@dataclass(frozen=True)
class Estimate:
    """Expected requests and users of one run (or of several, added up), and what they cost.

    ``bff_requests``: how many of the requests go through a BFF, each of them
    ``BFF_REQUEST_FACTOR`` times the cost of one the browser sends itself.
    """

    requests: float
    users: int
    bff_requests: float = 0.0

    @property
    def seconds(self) -> float:
        dearer = (BFF_REQUEST_FACTOR - 1) * self.bff_requests
        return (self.requests + dearer) * SECONDS_PER_REQUEST + self.users * SECONDS_PER_USER

    @property
    def memory_mb(self) -> float:
        return BASELINE_MB + (self.requests * BYTES_PER_REQUEST + self.users * BYTES_PER_USER) / 1e6

    def __add__(self, other: Estimate) -> Estimate:
        bff_requests = self.bff_requests + other.bff_requests
        return Estimate(self.requests + other.requests, self.users + other.users, bff_requests)

    def times(self, runs: int) -> Estimate:
        """The estimate of ``runs`` runs like this one."""
        return Estimate(self.requests * runs, self.users * runs, self.bff_requests * runs)

    def __str__(self) -> str:
        return (
            f"about {self.requests:,.0f} requests from {self.users:,} users, "
            f"{_duration(self.seconds)} and {self.memory_mb:,.0f} MB"
        )


def estimate(scenario: Scenario) -> Estimate:
    """What a run of ``scenario`` will make: the expected number of requests, and its users."""
    requests, users = _requests_and_users(scenario)
    return Estimate(requests, users, bff_requests=requests if scenario.client.tier.bff else 0.0)


def _requests_and_users(scenario: Scenario) -> tuple[float, int]:
    workload = scenario.workload
    if workload.kind == "burst":
        return workload.users * workload.tabs * workload.concurrency, workload.users
    if workload.kind == "steady":
        # each user loads pages from their login until duration_s; logins are uniform
        # over the login window, by default the first access lifetime (all at 0 if synchronized)
        spread_s = 0.0 if workload.synchronized else login_window_s(workload, scenario.tokens)
        time_left_s = _mean_time_left(workload.duration_s, spread_s, workload.pages_from_s)
        per_tab = workload.concurrency * workload.page_rate_per_s * time_left_s
        return workload.users * workload.tabs * per_tab, workload.users
    from .arrivals import read_arrivals  # noqa: PLC0415

    arrivals = read_arrivals(workload.arrivals)
    return sum(len(times) for times in arrivals), len(arrivals)


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
