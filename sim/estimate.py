"""How much work a scenario is, before running it.

A mistyped flag (``--users 10000000``, ``--duration 1e12``) should not start
a run that takes hours and all the memory there is. ``estimate`` works out
from the workload how many requests a run will make, and from the client,
the token lifetimes and the faults how many refresh calls (each try of each
refresh: a 401's, a proactive timer's, a retry's); from those, the users and
the runs, how long it will take and how much memory it will need.
``preflight`` refuses work above the limits, saying how to raise them.

Refreshes are the event source that can run away while requests stay few: a
timer that believes every new token due refreshes once per tick (or once
per round trip, if that is longer) for as long as the app is open, so
``--timer-tick 1e-12`` with zero latencies is 10^14 refreshes; a client with
no single flight refreshes once per request of a burst after expiry; every
try of a retrying client is a call. A fault window costs nothing of itself
(the auth server asks each call whether it falls in a window), only the
retries it sets off, counted here.

The costs per request and per user were measured on the 2-core development
machine, each with the command named beside it: a request costs a few
microseconds (one through a BFF about three times as much, for the trip
there), a user in a long steady session a few milliseconds (a login
and a refresh or two, each two signed JWTs and their first checks, a tab and
a SimPy process). They are rough on purpose, to tell a minute from an hour.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from .arrivals import burst_at_s, login_window_s
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
# A refresh call: two signed JWTs, their checks and its records. `python -m sim run --proactive timer --margin
# 100000 --timer-tick 1e-3 --workload steady --duration 1200` (a timer refreshing once per round trip): 10,669
# refreshes in 1.6 s of simulation (150 us each) and 15 MB over the baseline (about 1.5 kB each).
SECONDS_PER_REFRESH = 3e-4
BYTES_PER_REFRESH = 5_000
# A run's own cost, whatever it simulates: its setup and its summary's frames. `python -m sim compare
# --replications 300 --jobs 1` (900 runs of a 5-request burst): 24 s more than one replication, 27 ms a run,
# and 70 kB a run for the replications' table.
SECONDS_PER_RUN = 0.027
BYTES_PER_RUN = 100_000
BYTES_PER_REQUEST = 120  # its record, and its share of the frames the summary builds
BYTES_PER_USER = 20_000
BASELINE_MB = 150  # Python, numpy, pandas and SimPy, before the first event

MAX_REQUESTS = 5_000_000
MAX_USERS = 200_000
MAX_REFRESHES = 200_000  # about a minute of refreshing
MAX_RUNS = 100_000  # in one command: clients x replications x variants, or a sweep's points x clients x seeds


@dataclass(frozen=True)
class Estimate:
    """Expected requests, users and refresh calls of one run (or of several, added up), and what they cost.

    ``bff_requests``: how many of the requests go through a BFF, each of them
    ``BFF_REQUEST_FACTOR`` times the cost of one the browser sends itself.
    ``refreshes``: the refresh calls beyond the login's (every try counted).
    """

    requests: float
    users: int
    bff_requests: float = 0.0
    refreshes: float = 0.0
    runs: int = 1

    @property
    def seconds(self) -> float:
        dearer = (BFF_REQUEST_FACTOR - 1) * self.bff_requests
        return (
            (self.requests + dearer) * SECONDS_PER_REQUEST
            + self.users * SECONDS_PER_USER
            + self.refreshes * SECONDS_PER_REFRESH
            + self.runs * SECONDS_PER_RUN
        )

    @property
    def memory_mb(self) -> float:
        made = self.requests * BYTES_PER_REQUEST + self.users * BYTES_PER_USER + self.refreshes * BYTES_PER_REFRESH
        return BASELINE_MB + (made + self.runs * BYTES_PER_RUN) / 1e6

    def __add__(self, other: Estimate) -> Estimate:
        return Estimate(
            self.requests + other.requests,
            self.users + other.users,
            self.bff_requests + other.bff_requests,
            self.refreshes + other.refreshes,
            self.runs + other.runs,
        )

    def times(self, runs: int) -> Estimate:
        """The estimate of ``runs`` runs like this one."""
        return Estimate(
            self.requests * runs, self.users * runs, self.bff_requests * runs, self.refreshes * runs, self.runs * runs
        )

    def __str__(self) -> str:
        return (
            f"about {self.requests:,.0f} requests from {self.users:,} users and {self.refreshes:,.0f} refreshes, "
            f"{_duration(self.seconds)} and {self.memory_mb:,.0f} MB"
        )


def estimate(scenario: Scenario) -> Estimate:
    """What a run of ``scenario`` will make: the expected number of requests, its users, its refresh calls."""
    requests, users = _requests_and_users(scenario)
    refreshes = _refreshes(scenario, requests, users)
    return Estimate(requests, users, bff_requests=requests if scenario.client.tier.bff else 0.0, refreshes=refreshes)


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


def _refreshes(scenario: Scenario, requests: float, users: int) -> float:
    """Refresh calls, every try counted: rough on purpose (a bound more than a forecast), to tell a second from
    an hour where refreshing, not requests, is the work."""
    client, workload, tokens = scenario.client.flat(), scenario.workload, scenario.tokens
    sessions = users * (workload.tabs if workload.kind != "trace" else 1)  # each tab refreshes on its own, at worst
    open_s = _open_s(scenario)
    ttl_s = float(tokens.access_ttl_s)
    round_trip_s = scenario.latencies.rtt_s + scenario.latencies.auth_service_s  # a refresh takes at least this
    # after a 401: about once per lifetime per tab, once per request in flight with no single flight
    per_expiry = workload.concurrency if client["single_flight"] == "none" and workload.kind != "trace" else 1
    lifetimes = open_s / ttl_s + 1
    refreshes = min(requests, sessions * per_expiry * lifetimes)
    mode = client["proactive"]
    if mode != "off":
        margin_s = client["margin_s"] + client["margin_frac"] * ttl_s + client["margin_jitter_s"]
        life_s = ttl_s - margin_s  # from a refresh to the next one due; <= 0: every new token is due at once
        if mode == "timer":  # once per tick at most, once per round trip at most, for as long as the app is open
            period_s = max(life_s, client["timer_tick_s"], round_trip_s)
            early = sessions * (open_s / period_s + 1) if period_s > 0 else math.inf
        else:  # on use: a request past the margin starts one
            early = min(requests, sessions * (open_s / max(life_s, round_trip_s, 1e-9) + 1))
        # refreshing early spares the 401s, unless the margin is no margin at all
        refreshes = max(early, sessions * lifetimes) if life_s > 0 else early + refreshes
    refreshes += requests * scenario.faults.unfixable_401_rate * client["max_retries"]  # 401s no refresh fixes
    if client["retry"] != "none":  # each refresh that meets a fault may take every try it has
        share = _failing_share(scenario, open_s)
        refreshes *= 1 + share * (client["max_tries"] - 1)
        if mode in ("on-use", "background"):  # while one retries, the token stays due: each request starts one
            refreshes = max(refreshes, 2 * requests * share)  # measured: one to three calls a request
    return refreshes


def _open_s(scenario: Scenario) -> float:
    """How long users keep the app open: until the burst, the steady workload's end, the trace's last arrival."""
    workload = scenario.workload
    if workload.kind == "burst":
        return burst_at_s(workload, scenario.tokens)
    if workload.kind == "steady":
        return workload.duration_s
    from .arrivals import read_arrivals  # noqa: PLC0415

    return max(times[-1] for times in read_arrivals(workload.arrivals))


def _failing_share(scenario: Scenario, open_s: float) -> float:
    """The share of refreshes that may fail and be tried again: those in an outage or a brownout (a slow answer
    meets a timeout), or all of them with a rate limit, lost answers, a timeout of the client's or a custom fault."""
    faults, client = scenario.faults, scenario.client.flat()
    if faults.auth_rate_limit or faults.refresh_loss or faults.custom or client.get("refresh_timeout_s"):
        return 1.0
    windows = [*faults.auth_outages, *faults.auth_brownouts]
    covered_s = sum(max(0.0, min(window.end_s, open_s) - window.start_s) for window in windows)
    return min(1.0, covered_s / open_s) if open_s > 0 else 1.0


def _mean_time_left(duration_s: float, spread_s: float, from_s: float = 0.0) -> float:
    """E[max(0, duration - max(L, from_s))] for a login time L uniform on [0, spread_s]."""
    if from_s > 0:  # pages start at max(login, from_s); close enough for a pre-flight estimate
        start_s = from_s if from_s >= spread_s else (from_s**2 + (spread_s**2 - from_s**2) / 2) / spread_s
        return max(0.0, duration_s - start_s)
    if spread_s == 0:
        return duration_s
    covered = min(spread_s, duration_s)
    return (duration_s * covered - covered**2 / 2) / spread_s


def preflight(
    scenario: Scenario,
    max_requests: int = MAX_REQUESTS,
    max_users: int = MAX_USERS,
    max_refreshes: int = MAX_REFRESHES,
    runs: int = 1,
) -> Estimate:
    """The estimate of ``runs`` runs of ``scenario``, or a ``ConfigError`` if it passes a limit (and how to raise
    it). The requests, users and refreshes limits are each run's; ``runs`` is at most ``MAX_RUNS``."""
    check_runs(runs)
    one = estimate(scenario)
    work = one.times(runs)
    for name, value, limit, flag in (
        ("requests", one.requests, max_requests, "--max-requests"),
        ("users", one.users, max_users, "--max-users"),
        ("refreshes", one.refreshes, max_refreshes, "--max-refreshes"),
    ):
        if value > limit:
            raise ConfigError(
                name,
                round(value) if math.isfinite(value) else value,
                f"the run would take {_duration(work.seconds)} and {_memory(work.memory_mb)}, over the limit of "
                f"{limit:,} {name}; lower the workload or raise the limit with {flag} N",
            )
    return work


def check_runs(runs: int, made_of: str = "clients x replications x variants") -> None:
    """Refuse more than ``MAX_RUNS`` runs in one command, counted from its shape before any is built."""
    if runs > MAX_RUNS:
        raise ConfigError("runs", runs, f"at most {MAX_RUNS:,} runs in one command ({made_of})")


def _memory(mb: float) -> str:
    return f"{mb:,.0f} MB" if mb < 1e6 else "more memory than there is"


def _duration(seconds: float) -> str:
    if not seconds < 1e7:  # infinity too
        return "longer than anyone waits"
    if seconds < 90:
        return f"about {max(seconds, 1):.0f} s"
    if seconds < 2 * 3600:
        return f"about {seconds / 60:.0f} min"
    return f"about {seconds / 3600:,.0f} h"
