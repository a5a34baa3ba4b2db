"""Run a scenario: build the system, let SimPy play it out, keep the records.

``run(scenario)`` wires one auth server, one resource server and a client
tab per user, starts the workload and runs the clock until every
request has ended. It returns a ``Result`` that carries the scenario it
ran, its seed and the package versions, so any number can be traced back.

``compare`` runs several client presets ("strategies") on one seed (the
same arrivals for each); ``replicate`` repeats that over seeds for
confidence intervals.
"""

from __future__ import annotations

import itertools
import json
import math
import platform
import time
from collections.abc import Callable, Iterable
from functools import cached_property
from importlib.metadata import version
from pathlib import Path

import numpy as np
import pandas as pd
import simpy

from . import arrivals
from .client import Browser, Client, Clock, Early
from .metrics import CLIENT_KEYS, in_flight, json_ready, mean_ci, summarize, with_latency
from .observers import Observer, hub, wants
from .parts import flat_fields
from .pool import run_each
from .presets import STRATEGY_NAMES
from .randomness import stream
from .records import Recorder
from .scenario import Scenario
from .servers import AuthServer, EventLoop, LoadBalancer, ResourceServer
from .tokens import token_id


def package_versions() -> dict[str, str]:
    names = ("simpy", "PyJWT", "numpy", "pandas")
    return {"python": platform.python_version(), **{name: version(name) for name in names}}


class Result:
    """One run: its scenario, its records as DataFrames, and its summary."""

    def __init__(self, scenario: Scenario, recorder: Recorder, sim_time_s: float, wall_time_s: float):
        self.scenario = scenario
        self.records = recorder  # the records and the counts (logouts, reuse caught, ...)
        self.sim_time_s = sim_time_s
        self.wall_time_s = wall_time_s
        self.versions = package_versions()

    @property
    def strategy(self) -> str:
        """The client's label: its preset's name, plus any policy field set otherwise."""
        return self.scenario.strategy

    @property
    def seed(self) -> int:
        return self.scenario.seed

    @property
    def logouts(self) -> int:
        return self.records.logouts

    @cached_property
    def requests(self) -> pd.DataFrame:
        """One row per request in id order, with ``latency_s`` and ``met_expiry``."""
        frame = self.records.requests_frame().sort_values("request", ignore_index=True)
        return with_latency(frame)

    @cached_property
    def calls(self) -> pd.DataFrame:
        """One row per recorded call (auth calls always; API calls if ``record_calls``)."""
        return self.records.calls_frame()

    @property
    def refreshes(self) -> pd.DataFrame:
        calls = self.calls
        return calls[calls["endpoint"] == "refresh"].reset_index(drop=True)

    @cached_property
    def token_events(self) -> pd.DataFrame:
        return self.records.token_events_frame()

    @cached_property
    def auth_load(self) -> pd.DataFrame:
        """Refresh calls held by the auth server over time (a step function)."""
        return in_flight(self.refreshes)

    @cached_property
    def summary(self) -> dict:
        records = self.records
        return summarize(
            records.request_columns(),
            self.calls,
            strategy=self.strategy,
            client=self.scenario.client,
            logouts=records.logouts,
            reuse_detected=records.reuse_detected,
            families_revoked=records.families_revoked,
            proactive_refreshes=records.proactive_refreshes,
            expired_on_arrival=records.expired_on_arrival,
            refresh_attempts=records.refresh_attempts,
            refresh_timeouts=records.refresh_timeouts,
            rate_limited=records.rate_limited,
            fault_windows=self.scenario.faults.windows,
            store_times=np.frombuffer(records.store_times) if records.store_times else None,
            workload_end_s=self.scenario.workload.duration_s if self.scenario.workload.kind == "steady" else math.inf,
            sim_time_s=self.sim_time_s,
            wall_time_s=self.wall_time_s,
            seed=self.seed,
        )

    def provenance(self) -> dict:
        """Everything needed to rerun this result."""
        return {"scenario": self.scenario.as_dict(), "seed": self.seed, "versions": self.versions}

    def save(self, folder: Path, stem: str | None = None) -> list[Path]:
        """Write the records as CSV and the summary with its provenance as JSON.

        Files are named after ``stem``, by default the strategy: ``naive-requests.csv``,
        ``naive-calls.csv``, ``naive-token-events.csv``, ``naive-summary.json``.
        """
        folder.mkdir(parents=True, exist_ok=True)
        stem = stem or self.strategy
        written = []
        for name, frame in (("requests", self.requests), ("calls", self.calls), ("token-events", self.token_events)):
            path = folder / f"{stem}-{name}.csv"
            frame.to_csv(path, index=False)
            written.append(path)
        path = folder / f"{stem}-summary.json"
        path.write_text(json.dumps({"summary": json_ready(self.summary), **self.provenance()}, indent=2) + "\n")
        written.append(path)
        return written

    def __repr__(self) -> str:
        return f"<Result {self.strategy} seed={self.seed}: {self.records.request_count} requests>"


PROGRESS_EVERY = 4096  # requests between two calls of a run's progress callback


def run(
    scenario: Scenario, progress: Callable[[int], None] | None = None, observers: Iterable[Observer] = ()
) -> Result:
    """Simulate ``scenario`` until every request has ended.

    ``progress(n)`` (a progress bar's ``update``, say) hears of every
    ``PROGRESS_EVERY`` requests made, and of the rest at the end.
    ``observers`` hear of everything that happens, beside the run's own
    ``Recorder`` (``sim.observers``).
    """
    started = time.perf_counter()
    env = simpy.Environment()
    recorder = Recorder()
    observer = hub([recorder, *observers])
    seed, client = scenario.seed, scenario.client
    loop = EventLoop(env) if scenario.capacities.event_loop else None  # one Node process serves both
    auth = AuthServer(
        env, scenario.tokens, scenario.latencies, scenario.capacities, observer, stream(seed, "auth_service"),
        refresh_tokens=scenario.refresh_tokens, lifetimes=stream(seed, "access_ttl"),
        faults=scenario.faults, losses=stream(seed, "losses"), loop=loop,
    )  # fmt: skip
    revoked = None
    if scenario.refresh_tokens.revokes_access:  # the API asks whether a token was revoked
        revoked = lambda token: auth.families.access_revoked(token_id(token))  # noqa: E731
    api = ResourceServer(
        env, scenario.tokens, scenario.latencies, scenario.capacities, observer,
        stream(seed, "api_service"), record_calls=scenario.record_calls, revoked=revoked,
        unfixable_401_rate=scenario.faults.unfixable_401_rate, unfixable=stream(seed, "unfixable"), loop=loop,
    )  # fmt: skip
    send = client.proactive.request_interceptor  # with a look at the token's expiry first, or not
    workload = scenario.workload
    tabs_per_user = workload.tabs if workload.kind != "trace" else 1
    deployment = scenario.bff if client.tier.bff else None  # a BFF's instances, balancer and session store
    clients_per_user = deployment.instances if deployment else tabs_per_user  # the tabs, or the instances
    store = client.session_in.store(env, deployment, observer) if deployment else None  # or the session's cookie
    tabs: dict[int, list] = {}  # user -> their tabs, for the hot path
    request_ids = itertools.count()
    closes_s = arrivals.open_until_s(workload, scenario.tokens) if client.proactive.reads_expiry else math.inf

    def login(user: int):
        clock = device_clock(env, scenario, client.proactive, user) if client.proactive.reads_expiry else None
        browser = Browser(
            env, user, clients_per_user, auth, api, observer, client, workload.relogin_after_s, clock, closes_s,
            limits=scenario.browser, rng=stream(seed, "retries", user) if client.retry.jittered else None,
            sync_rng=stream(seed, "tab_sync", user) if client.tab_sync.draws else None, store=store,
        )  # fmt: skip
        tabs[user] = browser.tabs
        yield from browser.login()

    def arrive(user: int, tab: int) -> None:
        send(tabs[user][tab], next(request_ids), env.now)

    if deployment is None:  # the tab that made the request serves it
        client_of = lambda user, tab: tabs[user][tab]  # noqa: E731
    else:  # a BFF: the load balancer picks the instance
        rng = stream(seed, "balancer") if deployment.balancer == "random" else None
        balancer = LoadBalancer(deployment, rng)
        client_of = lambda user, tab: tabs[user][balancer.pick(user)]  # noqa: E731

    def arrive_told(user: int, tab: int) -> None:  # the same, telling ``progress`` now and then, and observers
        request_id, created_s = next(request_ids), env.now
        if progress is not None and request_id % PROGRESS_EVERY == PROGRESS_EVERY - 1:
            progress(PROGRESS_EVERY)
        session = client_of(user, tab)
        made(request_id, session.id, created_s)
        if deployment is not None:  # a BFF's request: the trip there, and the session's read
            client.session_in.deliver(session, store, deployment, send, request_id, created_s)
        else:
            send(session, request_id, created_s)

    made = observer.request_made if wants(observer, "request_made") else lambda *_: None
    told = progress is not None or wants(observer, "request_made")
    arrive_one = arrive_told if told or deployment is not None else arrive
    arrivals.start(env, workload, scenario.tokens, seed, login, arrive_one)
    env.run()
    if progress is not None:
        progress(recorder.request_count % PROGRESS_EVERY)
    return Result(scenario, recorder, env.now, time.perf_counter() - started)


def device_clock(env: simpy.Environment, scenario: Scenario, early: Early, user: int) -> Clock:
    """User ``user``'s device clock: the scenario's offset plus their own normal draw (none for a BFF,
    whose clock is its server's), and a random stream of theirs for margin jitter, XFetch and timer phases."""
    rng = stream(scenario.seed, "clocks", user)
    clocks = scenario.clocks
    offset_s = clocks.clock_offset_s + (rng.gauss(0.0, clocks.clock_offset_sd_s) if clocks.clock_offset_sd_s else 0.0)
    if scenario.client.tier.bff:  # a BFF reads its own server's clock, not the user's device's
        offset_s = 0.0
    return Clock(env, offset_s, early, rng)


def compare(
    scenario: Scenario,
    strategies: Iterable[str] = STRATEGY_NAMES,
    jobs: int = 1,
    done: Callable[[Result], None] | None = None,
) -> list[Result]:
    """Run each named client on the same scenario and seed (the same arrivals).

    Client fields the scenario sets (``max_retries=3``) apply to every one.
    ``jobs`` and ``done`` as for ``run_all``.
    """
    return run_all([scenario.with_(client=name) for name in strategies], jobs, done)


def run_all(scenarios: list[Scenario], jobs: int = 1, done: Callable[[Result], None] | None = None) -> list[Result]:
    """Run each scenario; the results in the same order.

    With ``jobs`` > 1 the runs go to that many processes at once (0: one per
    CPU; ``sim.pool``); each run is the same whichever process makes it.
    ``done(result)`` hears of each run as it ends. Ctrl-C stops every process.
    """
    heard = None if done is None else lambda _, result: done(result)
    return run_each(run, scenarios, jobs=jobs, done=heard)


def summary_table(results: Iterable[Result]) -> pd.DataFrame:
    """One row per result, the summary's keys as columns (a client key as given: ``3`` stays ``3``
    beside a client that reads no such key, ``None``)."""
    rows = [result.summary for result in results]
    table = pd.DataFrame(rows)
    floats = {f.name for f in flat_fields(Client) if str(f.type).startswith("float")}
    for key in CLIENT_KEYS:
        values = [row[key] for row in rows]
        if key in floats:  # seconds are seconds, given 600 or 600.0
            values = [float(v) if isinstance(v, int) and not isinstance(v, bool) else v for v in values]
        table[key] = pd.Series(values, dtype=object)
    return table


def replicate(
    scenario: Scenario,
    strategies: Iterable[str] = STRATEGY_NAMES,
    replications: int = 10,
    first_seed: int = 1,
    progress: bool = False,
    jobs: int = 1,
    **changes,
) -> pd.DataFrame:
    """Summaries of ``replications`` seeds per strategy (one row per run).

    Extra keyword arguments change the scenario first (``access_ttl_s=60``);
    ``jobs`` as for ``run_all``; ``progress`` shows a bar of runs done.
    """
    base = scenario.with_(**changes) if changes else scenario
    plan = [base.with_(client=name, seed=first_seed + i) for name in strategies for i in range(replications)]
    from tqdm.auto import tqdm  # noqa: PLC0415  (pulls in notebook widgets when present)

    with tqdm(total=len(plan), disable=not progress, desc="runs") as bar:
        results = run_all(plan, jobs, done=lambda _: bar.update())
    return pd.DataFrame([result.summary for result in results])


def confidence_table(runs: pd.DataFrame, columns: Iterable[str], by: str | list[str] = "strategy") -> pd.DataFrame:
    """Mean and 95% confidence half-width of ``columns`` per group of ``runs``."""
    rows = []
    for key, group in runs.groupby(by, sort=False, dropna=False):  # a policy field may be None
        row = dict(zip([by] if isinstance(by, str) else by, key if isinstance(key, tuple) else (key,), strict=True))
        for column in columns:
            row[column], row[f"{column}_ci"] = mean_ci(group[column])
        rows.append(row)
    return pd.DataFrame(rows)
