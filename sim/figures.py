"""Every figure of the project, rebuilt from the simulation by one call.

Each figure has three parts, kept apart so a notebook can use any of them:

- a data function ``<name>_data() -> DataFrame`` that runs the simulation
  with fixed seeds and returns exactly the numbers the figure shows (the
  morning-rush figures also take ``scenario=``, and ``<name>_of(results)``
  makes the same table from runs a notebook already has);
- a drawing function ``sim.plots.fig_<name>(data) -> Figure`` that runs no
  simulation at all (``fig_sequence_animation`` returns an ``Animation``);
- an entry in ``FIGURES`` saying what the figure shows and which notebook
  uses it.

``build_all(out_dir)`` writes ``<name>.png`` (``<name>.gif`` for an
animation) and ``<name>.csv`` (the data it was drawn from) for every figure,
and a ``README.md`` listing them. It is what ``python -m sim figures`` runs.
The files are byte-identical from one run to the next: fixed seeds, fixed
float formatting, no wall-clock times, PNGs saved without the software or
date stamps, and GIFs in one palette chosen the same way each time.

Sizes are modest on purpose (at most a hundred users, minutes of simulated
time, five replications) so that the whole set rebuilds in seconds; the
scenario each figure uses is spelled out in its data function.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
from matplotlib.animation import Animation
from matplotlib.figure import Figure
from tqdm.auto import tqdm

from . import plots
from .config import Capacities, Latencies, RefreshTokenPolicy, TokenPolicy, Workload
from .experiment import Result, confidence_table, run, run_all
from .matrix import library_matrix
from .metrics import binned_mean, in_flight
from .presets import STRATEGY_NAMES, client_named
from .scenario import Scenario
from .scenario_file import load_scenario_file

CSV_FLOAT_FORMAT = "%.6g"
PNG_DPI = 150

# The sequence diagram's legs are round numbers so the times read off easily:
# a round trip of 100 ms, the API rejects a token in 10 ms and serves in 50 ms,
# the auth server answers in 20 ms.
DIAGRAM_LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.02)

# The animated storm's legs: the diagram's, but the auth server takes 50 ms a
# refresh (and has two workers), so naive's refresh calls queue there.
ANIMATION_LATENCIES = Latencies(rtt_s=0.1, api_service_s=0.05, api_401_service_s=0.01, auth_service_s=0.05)
ANIMATION_AUTH_CAPACITY = 2

# A small "morning rush": users who log in together, load pages every ten
# seconds or so (four API requests each), with a one-worker auth server.
# Service times are random (exponential) so latencies have a spread.
RUSH = Scenario(
    tokens=TokenPolicy(access_ttl_s=120),
    latencies=Latencies(service_distribution="exponential"),
    capacities=Capacities(auth_capacity=1),
    workload=Workload(
        kind="steady",
        users=100,
        concurrency=4,
        page_rate_per_s=0.1,
        duration_s=400.0,
        synchronized=True,
    ),
    name="small-morning-rush",
)


@lru_cache(maxsize=16)
def _run_once(scenario: Scenario) -> Result:
    """``run``, remembered: several figures draw on the same runs of ``RUSH``.

    Runs are deterministic for a given scenario (seed included), so this only
    saves time. Callers must not modify the frames of the result.
    """
    return run(scenario)


def _runs(scenario: Scenario, seed: int | None, strategies: Iterable[str] = STRATEGY_NAMES) -> list[Result]:
    """``scenario`` run once per strategy, on ``seed`` if given, else on its own."""
    if seed is not None:
        scenario = scenario.with_(seed=seed)
    return [_run_once(scenario.with_(strategy=name)) for name in strategies]


# -- 1. sequence diagram ---------------------------------------------------


def sequence_diagram_data(
    requests: int = 4,
    gap_ms: float = 20.0,
    strategies: tuple[str, ...] = ("naive", "locked"),
    latencies: Latencies = DIAGRAM_LATENCIES,
    auth_capacity: int = 0,
) -> pd.DataFrame:
    """Every call and token-store change of one tab's burst, per strategy.

    A trace workload: one user opens the app at 0 (its first request logs it
    in; access tokens live 60 s) and at 61 s, one second after the token
    died, fires ``requests`` requests ``gap_ms`` apart, so the arrows can be
    told apart. Only the burst is kept; times are in ms since its first
    request. The legs take ``latencies`` (``DIAGRAM_LATENCIES``), and the
    auth server has ``auth_capacity`` workers (0: as many as it is sent).

    One row per event: ``kind`` is ``api`` (a call to the API), ``refresh``
    (POST /refresh-token) or ``stored`` (the tab's token store got a new
    access token). ``request`` numbers the burst's requests from 1; -1 is a
    call no single request owns (the single-flight refresh). ``created_ms`` is
    when the app asked for the call's request (earlier than ``sent_ms`` if
    ``queued`` held it). ``token`` is the access token presented, ``issued``
    the one handed out (or stored). For ``stored`` rows only ``received_ms``
    (when) and ``issued`` are set.
    """
    burst_s = 61.0
    times = [0.0] + [burst_s + i * gap_ms / 1000 for i in range(requests)]
    frames = []
    with tempfile.TemporaryDirectory() as folder:
        trace = Path(folder) / "burst.csv"
        trace.write_text("time_s,user\n" + "".join(f"{t:.3f},tab\n" for t in times))
        base = Scenario(
            tokens=TokenPolicy(access_ttl_s=60),
            latencies=latencies,
            capacities=Capacities(auth_capacity=auth_capacity),
            workload=Workload(kind="trace", arrivals=str(trace)),
            record_calls=True,
            name="sequence-diagram",
        )
        for strategy in strategies:
            result = run(base.with_(strategy=strategy))
            frames.append(sequence_rows(result, strategy, burst_s))
    return pd.concat(frames, ignore_index=True)


def sequence_rows(result, strategy: str, burst_s: float, tabs: bool = False) -> pd.DataFrame:
    """``sequence_diagram_data``'s rows of one run, from ``burst_s``; with a ``tab`` column (1, 2, ...)
    if ``tabs``, for a burst from several tabs (``sim.playground``)."""
    calls = result.calls[result.calls["sent_s"] >= burst_s]
    first = calls.loc[calls["endpoint"] == "resource", "request"].min()  # NaN: the burst sent nothing
    created_s = result.requests.set_index("request")["created_s"]
    rows = pd.DataFrame(
        {
            "strategy": strategy,
            "kind": np.where(calls["endpoint"] == "resource", "api", calls["endpoint"]),
            "request": np.where(calls["request"] >= 0, calls["request"] - first + 1, -1),
            "created_ms": (calls["request"].map(created_s) - burst_s) * 1000,
            **{f"{leg}_ms": (calls[f"{leg}_s"] - burst_s) * 1000 for leg in ("sent", "arrived", "served", "received")},
            "status": calls["status"],
            "token": calls["token"].where(calls["endpoint"] == "resource", ""),
            "issued": calls["issued"],
        }
    )
    events = result.token_events
    stored = events[(events["time_s"] >= burst_s) & (events["event"] == "stored")]
    store_rows = pd.DataFrame(
        {
            "strategy": strategy,
            "kind": "stored",
            "request": -1,
            "received_ms": (stored["time_s"] - burst_s) * 1000,
            "issued": stored["access"],
            "token": "",
        }
    )
    if tabs:
        first_tab = int(result.calls["session"].min())  # the login's: one user, tabs numbered from 1
        rows["tab"] = calls["session"].to_numpy() - first_tab + 1
        store_rows["tab"] = stored["session"].to_numpy() - first_tab + 1
    frame = pd.concat([rows, store_rows], ignore_index=True)
    return frame.sort_values(["received_ms", "kind", "request"], kind="stable", ignore_index=True)


def sequence_animation_data() -> pd.DataFrame:
    """``sequence_diagram_data`` for the animated storm: a bigger burst, a busier auth server.

    The same trace as the diagram (one tab logs in at 0 with access tokens of
    60 s, and at 61 s fires its burst), but the burst is 8 requests 5 ms
    apart, naive beside locked, and the auth server has
    ``ANIMATION_AUTH_CAPACITY`` (2) workers taking 50 ms a refresh
    (``ANIMATION_LATENCIES``: round trip 100 ms, the API rejects in 10 ms and
    serves in 50 ms). Fixed service times, no randomness. The rows are the
    diagram's, with one more column, ``auth_capacity``.
    """
    events = sequence_diagram_data(
        requests=8,
        gap_ms=5.0,
        strategies=("naive", "locked"),
        latencies=ANIMATION_LATENCIES,
        auth_capacity=ANIMATION_AUTH_CAPACITY,
    )
    return events.assign(auth_capacity=ANIMATION_AUTH_CAPACITY)


# -- 2. refresh storm --------------------------------------------------------


def refresh_storm_data(
    concurrency: tuple[int, ...] = (1, 2, 4, 8, 16, 32, 64),
    auth_capacity: int = 4,
) -> pd.DataFrame:
    """Refresh calls and the slowest request of one burst, per burst size.

    One tab fires ``concurrency`` requests at once, one second after its
    access token died, against an auth server with ``auth_capacity``
    workers (default latencies, fixed service times: no randomness, so one
    run per point).
    """
    base = Scenario(
        capacities=Capacities(auth_capacity=auth_capacity),
        workload=Workload(kind="burst"),
        name="refresh-storm",
    )
    rows = []
    for strategy in STRATEGY_NAMES:
        for n in concurrency:
            summary = run(base.with_(strategy=strategy, concurrency=n)).summary
            rows.append(
                {
                    "strategy": strategy,
                    "concurrency": n,
                    "refresh_calls": summary["refresh_calls"],
                    "unauthorized_responses": summary["unauthorized_responses"],
                    "slowest_request_ms": summary["latency_max_s"] * 1000,
                    "auth_capacity": auth_capacity,
                }
            )
    return pd.DataFrame(rows)


# -- 3. refresh calls over time ----------------------------------------------


def refresh_timeline_data(bin_s: float = 10.0, seed: int | None = None, scenario: Scenario = RUSH) -> pd.DataFrame:
    """Refresh calls sent in each ``bin_s`` window of a morning rush.

    The ``RUSH`` scenario: 100 users log in together, so their access tokens
    (120 s) die together and come back as a spike of refreshes at each expiry.
    Any other ``scenario`` runs the same way, every strategy on its seed (or
    on ``seed``); ``refresh_timeline_of`` counts runs you already have.
    """
    return refresh_timeline_of(_runs(scenario, seed), bin_s)


def refresh_timeline_of(results: Iterable[Result], bin_s: float = 10.0) -> pd.DataFrame:
    """``refresh_timeline_data``'s table for given runs, one strategy each.

    Windows cover each run's ``workload.duration_s``.
    """
    frames = []
    for result in results:
        scenario = result.scenario
        edges = np.arange(0.0, scenario.workload.duration_s + bin_s, bin_s)
        counts, _ = np.histogram(result.refreshes["sent_s"], bins=edges)
        frames.append(
            pd.DataFrame(
                {
                    "strategy": result.strategy,
                    "bin_start_s": edges[:-1],
                    "bin_s": bin_s,
                    "refresh_calls": counts,
                    "access_ttl_s": scenario.tokens.access_ttl_s,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# -- 4. latency distributions --------------------------------------------------

# Quantiles kept for the CDF: every 1 %, and finer in the tail.
CDF_LEVELS = np.unique(np.round(np.concatenate([np.linspace(0, 1, 101), [0.995, 0.999]]), 6))


def latency_cdf_data(seed: int | None = None, scenario: Scenario = RUSH) -> pd.DataFrame:
    """Quantiles of request latency per strategy, split by meeting an expiry.

    The ``RUSH`` scenario, or any other ``scenario`` (every strategy on its
    seed, or on ``seed``); ``latency_cdf_of`` does the same for runs you
    already have. ``met_expiry`` is true for requests that got a 401 or
    waited for a refresh. One row per (strategy, met_expiry, fraction):
    ``latency_ms`` is the ``fraction`` quantile of the successful requests'
    latency; ``requests`` is how many requests the group holds.
    """
    return latency_cdf_of(_runs(scenario, seed))


def latency_cdf_of(results: Iterable[Result]) -> pd.DataFrame:
    """``latency_cdf_data``'s table for given runs, one strategy each."""
    frames = []
    for result in results:
        requests = result.requests
        ok = requests[requests["reason"] == "ok"]
        for met in (False, True):
            latency = ok.loc[ok["met_expiry"] == met, "latency_s"]
            frames.append(
                pd.DataFrame(
                    {
                        "strategy": result.strategy,
                        "met_expiry": met,
                        "fraction": CDF_LEVELS,
                        "latency_ms": latency.quantile(CDF_LEVELS).to_numpy() * 1000,
                        "requests": len(latency),
                    }
                )
            )
    return pd.concat(frames, ignore_index=True)


# -- 5. auth-server load -------------------------------------------------------


def auth_load_data(
    bin_s: float = 5.0,
    seed: int | None = None,
    scenario: Scenario = RUSH,
    logins: tuple[str, ...] = ("together", "spread"),
) -> pd.DataFrame:
    """Refresh calls held by the auth server over time, logins together or spread.

    The ``RUSH`` scenario (one auth worker), or any other steady
    ``scenario`` (every strategy on its seed, or on ``seed``), with users
    logging in together (``logins = "together"``) or spread over the first
    access lifetime (``"spread"``). ``peak_in_flight`` is the most refresh
    calls the auth server held (in its queue or being served) at any moment
    of each ``bin_s`` window. ``auth_load_of`` does the same for runs you
    already have.
    """
    results = []
    for name in logins:
        if name not in ("together", "spread"):
            raise ValueError(f"logins = {name!r}: must be together or spread")
        results += _runs(scenario.with_(synchronized=name == "together"), seed)
    return auth_load_of(results, bin_s)


def auth_load_of(results: Iterable[Result], bin_s: float = 5.0) -> pd.DataFrame:
    """``auth_load_data``'s table for given runs, one strategy each.

    ``logins`` is ``"together"`` for a run whose workload is
    ``synchronized``, else ``"spread"``; windows cover ``workload.duration_s``.
    """
    frames = []
    for result in results:
        scenario = result.scenario
        starts, peaks = _peak_per_bin(result.auth_load, bin_s, scenario.workload.duration_s)
        frames.append(
            pd.DataFrame(
                {
                    "logins": "together" if scenario.workload.synchronized else "spread",
                    "strategy": result.strategy,
                    "time_s": starts,
                    "peak_in_flight": peaks,
                    "auth_capacity": scenario.capacities.auth_capacity,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def _peak_per_bin(steps: pd.DataFrame, bin_s: float, until_s: float) -> tuple[np.ndarray, np.ndarray]:
    """Highest value of a step function in each window of ``bin_s`` seconds."""
    times = steps["time_s"].to_numpy(float)
    values = steps["in_flight"].to_numpy(int)
    end_s = max(until_s, float(times.max()) if len(times) else 0.0)
    starts = np.arange(0.0, end_s, bin_s)
    # the value carried into each window, then every value set inside it
    carried = values[np.searchsorted(times, starts, side="right") - 1]
    peaks = carried.copy()
    np.maximum.at(peaks, np.minimum((times // bin_s).astype(int), len(starts) - 1), values)
    return starts, peaks


# -- 6. sensitivity to the access-token lifetime -------------------------------

SENSITIVITY = Scenario(
    latencies=Latencies(service_distribution="exponential"),
    workload=Workload(kind="steady", users=6, concurrency=3, page_rate_per_s=0.1),
    name="ttl-sensitivity",
)


def ttl_sensitivity_data(
    access_ttl_s: tuple[int, ...] = (30, 60, 120, 240),
    replications: int = 5,
    lifetimes: int = 20,
) -> pd.DataFrame:
    """Refresh cost and expiry latency against the access-token lifetime, in steady state.

    ``SENSITIVITY``: 6 users with logins spread out, pages every ~10 s (3
    requests each); ``replications`` seeds (1, 2, ...) per lifetime and
    strategy, the same seeds for every strategy.

    Each lifetime T runs for ``lifetimes + 1`` lifetimes (``duration_s``). The
    first is a warm-up, left out of every metric: users log in at random times
    within it, and no token needs a refresh before it is a whole lifetime old,
    so counting from 0 would undercount refreshes by about half a refresh per
    user. The metrics count the requests created, and the refresh calls sent,
    from ``measured_from_s`` = T on: ``lifetimes`` lifetimes of steady state.
    Each metric has its mean over the seeds and ``_ci``, the half-width of its
    95 % confidence interval.
    """
    metrics = ["refresh_per_1000_requests", "refresh_per_user_hour", "expiry_share_pct", "expiry_latency_p95_ms"]
    tables = []
    for ttl in access_ttl_s:
        duration_s = float((lifetimes + 1) * ttl)
        base = SENSITIVITY.with_(access_ttl_s=ttl, duration_s=duration_s)
        plan = [base.with_(strategy=name, seed=1 + i) for name in STRATEGY_NAMES for i in range(replications)]
        runs = pd.DataFrame([_steady_state(result, from_s=float(ttl)) for result in run_all(plan)])
        table = confidence_table(runs, metrics)
        table.insert(0, "access_ttl_s", ttl)
        table.insert(1, "duration_s", duration_s)
        table.insert(2, "measured_from_s", float(ttl))
        table["replications"] = replications
        tables.append(table)
    return pd.concat(tables, ignore_index=True)


def _steady_state(result: Result, from_s: float) -> dict:
    """One run's refresh cost and expiry latency, counting requests created and refreshes sent from ``from_s``."""
    requests = result.requests[result.requests["created_s"] >= from_s]
    refreshes = result.refreshes[result.refreshes["sent_s"] >= from_s]
    workload = result.scenario.workload
    user_hours = workload.users * (workload.duration_s - from_s) / 3600
    met = requests[requests["met_expiry"] & (requests["reason"] == "ok")]
    return {
        "strategy": result.strategy,
        "refresh_per_1000_requests": 1000 * len(refreshes) / len(requests),
        "refresh_per_user_hour": len(refreshes) / user_hours,
        "expiry_share_pct": 100 * requests["met_expiry"].sum() / len(requests),
        "expiry_latency_p95_ms": 1000 * met["latency_s"].quantile(0.95),
    }


# -- 7. rotation: users logged out, against tabs and grace windows ---------------

# A morning after a deploy: users who log in together (so their tokens die together)
# with several tabs open, an auth server that rotates refresh tokens and treats a
# used one as theft, two workers at 150 ms, a round trip of 150 ms.
ROTATION = Scenario(
    tokens=TokenPolicy(access_ttl_s=300),
    refresh_tokens=RefreshTokenPolicy(rotation=True, reuse_detection=True),
    latencies=Latencies(rtt_s=0.15, auth_service_s=0.15, service_distribution="exponential"),
    capacities=Capacities(auth_capacity=2),
    workload=Workload(kind="steady", users=20, concurrency=2, page_rate_per_s=0.1, duration_s=3600, synchronized=True),
    name="rotation-tabs",
)
# The presets, and locked with a lock across tabs: (preset, policy fields set over it).
ROTATION_CLIENTS: tuple[tuple[str, dict], ...] = (
    ("naive", {}),
    ("locked", {}),
    ("queued", {}),
    ("locked", {"cross_tab_lock": True}),
)


def rotation_logouts_data(
    tabs: tuple[int, ...] = (1, 2, 4, 8),
    grace_s: tuple[float, ...] = (0.0, 1.0, 5.0, 30.0),
    scenario: Scenario = ROTATION,
) -> pd.DataFrame:
    """The share of users logged out within the hour, against tabs and grace window, per client.

    ``ROTATION``: 20 users log in together, each with ``tabs`` tabs loading
    a page of 2 requests every ~10 s, for an hour; no one logs in again, so
    ``logged_out_pct`` is the share of users a reuse detection (or anything
    else) sent to the login page at least once. One seed: the runs are the
    same arrivals for every client, tab count and grace window.
    """
    return _rotation_logouts(tuple(tabs), tuple(grace_s), scenario).copy()


@lru_cache(maxsize=4)  # the figure build calls it twice; the runs are deterministic
def _rotation_logouts(tabs: tuple[int, ...], grace_s: tuple[float, ...], scenario: Scenario) -> pd.DataFrame:
    rows = []
    for strategy, fields in ROTATION_CLIENTS:
        for tab_count in tabs:
            for grace in grace_s:
                result = run(scenario.with_(strategy=strategy, tabs=tab_count, grace_s=grace, **fields))
                summary = result.summary
                users = scenario.workload.users
                rows.append(
                    {
                        "strategy": result.strategy,
                        "tabs": tab_count,
                        "grace_s": grace,
                        "users": users,
                        "logouts": summary["logouts"],
                        "logged_out_pct": 100 * summary["logouts"] / users,
                        "reuse_detected": summary["reuse_detected"],
                        "refresh_calls": summary["refresh_calls"],
                        "requests_failed": summary["requests_failed"],
                    }
                )
    return pd.DataFrame(rows)


# -- 8. two tabs racing under rotation ------------------------------------------------

# One user, two tabs in localStorage, a token of 60 s; at 61 s each tab sends one request.
TAB_RACE_CASES: tuple[tuple[str, dict], ...] = (
    ("per-tab lock (locked)", {}),
    ("lock across tabs", {"cross_tab_lock": True}),
    ("grace window of 1 s", {"grace_s": 1.0}),
)


def tab_race_data() -> pd.DataFrame:
    """Every call and token-store change when two tabs meet a dead token at once, under rotation.

    ``locked`` in each tab, the diagram's round-number latencies, access
    tokens of 60 s, rotation with reuse detection; at 61 s each of the two
    tabs sends one request. Three cases (``case``): as is, with a lock
    across tabs, and with a grace window of 1 s. Times in ms since 61 s.

    One row per event: ``kind`` is ``api`` (a call to the API), ``refresh``
    (POST /refresh-token), ``stored`` (localStorage got a new access token)
    or ``logout``; ``tab`` is 1 or 2 (the tab that made it). ``token`` is
    the token presented (the access token to the API, the refresh token to
    the auth server), ``issued`` the access token handed out or stored,
    ``issued_refresh`` the refresh token handed out; ``outcome`` is the
    server's verdict (``valid``, ``expired``, ``reused``, ``grace``, ...).
    For ``stored`` and ``logout`` rows only ``received_ms`` (when) is set.
    """
    burst_s = 61.0
    base = Scenario(
        tokens=TokenPolicy(access_ttl_s=60),
        refresh_tokens=RefreshTokenPolicy(rotation=True, reuse_detection=True),
        latencies=DIAGRAM_LATENCIES,
        workload=Workload(kind="burst", tabs=2, concurrency=1, at_s=burst_s),
        record_calls=True,
        name="tab-race",
    )
    frames = []
    for case, fields in TAB_RACE_CASES:
        result = run(base.with_(strategy="locked", **fields))
        calls = result.calls[result.calls["sent_s"] >= burst_s]
        rows = pd.DataFrame(
            {
                "case": case,
                "kind": np.where(calls["endpoint"] == "resource", "api", calls["endpoint"]),
                "tab": calls["session"] + 1,
                **{
                    f"{leg}_ms": (calls[f"{leg}_s"] - burst_s) * 1000
                    for leg in ("sent", "arrived", "served", "received")
                },
                "status": calls["status"],
                "outcome": calls["outcome"],
                "token": calls["token"],
                "issued": calls["issued"],
                "issued_refresh": calls["issued_refresh"],
            }
        )
        events = result.token_events
        changes = events[(events["time_s"] >= burst_s) & events["event"].isin(["stored", "logout"])]
        store_rows = pd.DataFrame(
            {
                "case": case,
                "kind": changes["event"],
                "tab": changes["session"] + 1,
                "received_ms": (changes["time_s"] - burst_s) * 1000,
                "issued": changes["access"],
            }
        )
        # in the order things happened: calls as answered, then the store changes they made
        frames.append(pd.concat([rows, store_rows], ignore_index=True).sort_values("received_ms", kind="stable"))
    return pd.concat(frames, ignore_index=True).fillna({"token": "", "issued_refresh": "", "outcome": ""})


# -- 9. a herd: 10,000 users who logged in together ---------------------------------

HERD_FILE = Path(__file__).resolve().parent.parent / "scenarios" / "herd.toml"
HERD_BIN_S = 10.0


def herd_data(path: Path | str = HERD_FILE, users: int | None = None) -> pd.DataFrame:
    """Refresh calls reaching the auth server per second (averaged over 10 s), for each variant of
    ``scenarios/herd.toml``, with each variant's headline numbers beside every row.

    The file's scenario: 10,000 users log in within 10 s to an auth server of
    4 workers, and a renewal timer in each tab refreshes 60 s before expiry
    (oidc-client-ts's defaults), for 4 hours. Its variants: ``fixed``
    lifetimes of 60 min, ``randomised`` ones of 60-90 min (Entra), a margin
    ``jittered`` by up to 10 min more, and ``xfetch`` (beta = 1). ``users``
    runs a smaller fleet (for notebooks). One row per variant and 10 s:
    ``time_min`` (the bin's start), ``refreshes_per_s``; per variant:
    ``peak_per_s`` and ``peak_to_mean`` (per whole second, as the summary's
    ``refresh_peak_per_s`` and ``auth_load_peak_to_mean``),
    ``refresh_p99_s`` (refresh round trip) and ``latency_p99_s`` (requests).
    """
    return _herd(str(path), users).copy()


@lru_cache(maxsize=4)
def _herd(path: str, users: int | None) -> pd.DataFrame:
    _, strategies, variants = load_scenario_file(path)
    plan = {name: variant.with_(strategy=strategies[0]) for name, variant in variants.items()}
    if users is not None:
        plan = {name: variant.with_(users=users) for name, variant in plan.items()}
    results = run_all(list(plan.values()), jobs=0)
    frames = []
    for name, result in zip(plan, results, strict=True):
        duration_s = result.scenario.workload.duration_s
        edges = np.arange(0.0, duration_s + HERD_BIN_S, HERD_BIN_S)
        counts, _ = np.histogram(result.refreshes["arrived_s"], bins=edges)
        summary = result.summary
        frames.append(
            pd.DataFrame(
                {
                    "variant": name,
                    "time_min": edges[:-1] / 60,
                    "refreshes_per_s": counts / HERD_BIN_S,
                    "peak_per_s": summary["refresh_peak_per_s"],
                    "peak_to_mean": summary["auth_load_peak_to_mean"],
                    "refresh_p99_s": summary["refresh_latency_p99_s"],
                    "latency_p99_s": summary["latency_p99_s"],
                    "users": result.scenario.workload.users,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# -- 10. clock skew: what a wrong clock does to a proactive client -------------------

# Keycloak's 5 min access tokens; each user loads a page of 2 requests every ~10 s for half
# an hour; the client refreshes on use (locked: one refresh at a time per tab).
SKEW = Scenario(
    tokens=TokenPolicy(access_ttl_s=300),
    workload=Workload(kind="steady", users=10, concurrency=2, page_rate_per_s=0.1, duration_s=1800.0),
    client=client_named("locked").with_(proactive="on-use"),
    name="clock-skew",
)
SKEW_OFFSETS_S = (-600, -450, -300, -240, -180, -120, -60, -30, 0, 30, 60, 120, 180, 240, 270, 300, 450, 600)
# (label, client fields): three margins reading exp (keycloak-js 5 s, the common 60 s, google-auth's
# 225 s), then the two cures at 60 s.
SKEW_CLIENTS: tuple[tuple[str, dict], ...] = (
    ("exp, margin 5 s", {"margin_s": 5}),
    ("exp, margin 60 s", {"margin_s": 60}),
    ("exp, margin 225 s", {"margin_s": 225}),
    ("exp + skew estimation, margin 60 s", {"margin_s": 60, "skew_estimation": True}),
    ("expires_in, margin 60 s", {"margin_s": 60, "expiry_from": "expires_in"}),
)


def clock_skew_data(offsets_s: tuple[float, ...] = SKEW_OFFSETS_S, scenario: Scenario = SKEW) -> pd.DataFrame:
    """Refresh calls and 401s per request against the client's clock offset, per expiry rule.

    ``SKEW``: 10 users with access tokens of 5 min, each loading a page of 2
    requests every ~10 s for 30 min, a client that refreshes on use. Every
    user's clock is off by the same ``offset_s`` (ahead if > 0). One row per
    (client, offset): ``refreshes_per_request``, ``unauthorized_per_request``
    (401s for an expired token), ``latency_p95_ms``. One seed.
    """
    return _clock_skew(tuple(offsets_s), scenario).copy()


@lru_cache(maxsize=4)
def _clock_skew(offsets_s: tuple[float, ...], scenario: Scenario) -> pd.DataFrame:
    rows = []
    for label, fields in SKEW_CLIENTS:
        for offset_s in offsets_s:
            summary = run(scenario.with_(clock_offset_s=float(offset_s), **fields)).summary
            rows.append(
                {
                    "client": label,
                    "offset_s": offset_s,
                    "refreshes_per_request": summary["refresh_calls"] / summary["requests"],
                    "unauthorized_per_request": summary["expired_on_arrival"] / summary["requests"],
                    "latency_p95_ms": 1000 * summary["latency_p95_s"],
                    "access_ttl_s": scenario.tokens.access_ttl_s,
                }
            )
    return pd.DataFrame(rows)


# -- 11. outages: recovery, backlog, backoff policies, the connection limit ----------

OUTAGE_FILE = Path(__file__).resolve().parent.parent / "scenarios" / "outage.toml"
# (label, client fields): the article's interceptor as it is, with immediate retries, and
# single-flight with full-jitter backoff and a retry budget.
OUTAGE_CLIENTS: tuple[tuple[str, dict], ...] = (
    ("naive, no retry (the article)", {"strategy": "naive"}),
    ("naive, immediate retries", {"strategy": "naive", "retry": "immediate", "max_tries": 5}),
    ("locked, immediate retries", {"strategy": "locked", "retry": "immediate", "max_tries": 5}),
    (
        "locked, full jitter + budget",
        {"strategy": "locked", "retry": "full-jitter", "retry_base_s": 1, "retry_cap_s": 30, "max_tries": 5,
         "retry_budget": "0.2:3"},
    ),
)  # fmt: skip
OUTAGE_START_S = 300.0


def _outage_base() -> Scenario:
    return load_scenario_file(OUTAGE_FILE).scenario


def outage_recovery_data(lengths_s: tuple[float, ...] = (5, 15, 30, 60), after_s: float = 240.0) -> pd.DataFrame:
    """Recovery time of the auth server's backlog against the outage's length, per client.

    ``scenarios/outage.toml`` (100 users, tokens of 2 min, 2 auth workers,
    a silent outage from 300 s, clients that give up after 2 s and keep the
    session), run until ``after_s`` past the outage's start, once per
    outage length and client (``OUTAGE_CLIENTS``). ``recovery_s`` is the
    summary key (NaN: not back when the users stopped; ``recovered``
    says which).
    """
    return _outage_recovery(tuple(lengths_s), after_s).copy()


@lru_cache(maxsize=2)
def _outage_recovery(lengths_s: tuple[float, ...], after_s: float) -> pd.DataFrame:
    base = _outage_base().with_(duration_s=OUTAGE_START_S + after_s)
    plan = [
        (label, length, base.with_(auth_outages=f"{OUTAGE_START_S:g}:{OUTAGE_START_S + length:g}:silent", **fields))
        for label, fields in OUTAGE_CLIENTS
        for length in lengths_s
    ]
    results = run_all([one for _, _, one in plan], jobs=0)
    rows = []
    for (label, length, _), result in zip(plan, results, strict=True):
        summary = result.summary
        rows.append(
            {
                "client": label,
                "outage_s": length,
                "recovery_s": summary["recovery_s"],
                "recovered": not np.isnan(summary["recovery_s"]),
                "watched_s": after_s - length,
                "refresh_calls": summary["refresh_calls"],
                "requests_failed": summary["requests_failed"],
            }
        )
    return pd.DataFrame(rows)


def outage_backlog_data(bin_s: float = 5.0) -> pd.DataFrame:
    """The auth server's backlog (refresh calls held, mean over ``bin_s``) through the outage of
    ``scenarios/outage.toml``, per client (``OUTAGE_CLIENTS``), with each run's recovery."""
    return _outage_backlog(bin_s).copy()


@lru_cache(maxsize=2)
def _outage_backlog(bin_s: float) -> pd.DataFrame:
    base = _outage_base()
    results = run_all([base.with_(**fields) for _, fields in OUTAGE_CLIENTS], jobs=0)
    frames = []
    for (label, _), result in zip(OUTAGE_CLIENTS, results, strict=True):
        starts, backlog = binned_mean(in_flight(result.refreshes), bin_s, result.scenario.workload.duration_s)
        windows = result.scenario.faults.windows
        frames.append(
            pd.DataFrame(
                {
                    "client": label,
                    "time_s": starts,
                    "backlog": backlog,
                    "outage_start_s": windows[0][0],
                    "outage_end_s": windows[-1][1],
                    "recovery_s": result.summary["recovery_s"],
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# Many clients contending (Brooker's setting): 200 users whose tokens have all died (their logins
# queued for 10 s at the start) refresh at once at 75 s against one auth worker of 50 ms (20 a
# second: 10 s of work), giving up after 1 s.
CONTENTION = Scenario(
    tokens=TokenPolicy(access_ttl_s=60),
    latencies=Latencies(rtt_s=0.1, auth_service_s=0.05),
    capacities=Capacities(auth_capacity=1),
    workload=Workload(kind="burst", users=200, concurrency=1, at_s=75.0),  # every token is dead by 71 s
    client=client_named("locked").with_(refresh_timeout_s=1.0, retries_exhausted="fail"),
    name="contention",
)
BACKOFF_POLICIES = ("none", "immediate", "fixed", "exponential", "full-jitter", "equal-jitter", "decorrelated")


def backoff_policies_data(scenario: Scenario = CONTENTION, max_tries: int = 100) -> pd.DataFrame:
    """Calls per successful refresh, refreshes that never succeeded, and time to drain, per retry
    policy, when many clients contend (``CONTENTION``: 200 users refresh at once against one
    worker, giving up after 1 s; up to ``max_tries`` tries, as good as until it works, base 1 s,
    cap 30 s; one seed). A refresh succeeded if its 200 came back before the client gave up;
    ``drain_s`` (until the last one succeeded) is NaN if some never did."""
    rows = []
    for policy in BACKOFF_POLICIES:
        fields = {} if policy == "none" else {"retry": policy, "max_tries": max_tries}
        result = run(scenario.with_(**fields))
        refreshes = result.refreshes
        timeout_s = scenario.client.refresh_timeout_s
        # a refresh succeeded if its 200 came back before the client gave up on it
        ok = refreshes[(refreshes["status"] == 200) & (refreshes["received_s"] - refreshes["sent_s"] <= timeout_s)]
        start_s = result.requests["created_s"].min()
        rows.append(
            {
                "retry": policy,
                "refresh_calls": len(refreshes),
                "refreshed": len(ok),
                "calls_per_success": len(refreshes) / len(ok) if len(ok) else np.nan,
                "never_refreshed": scenario.workload.users - len(ok),
                "drain_s": float(ok["received_s"].max() - start_s) if len(ok) == len(result.requests) else np.nan,
                "wasted_calls": int((refreshes["received_s"] - refreshes["sent_s"] > timeout_s).sum()),
            }
        )
    return pd.DataFrame(rows)


# Pages of 8 API calls of 300 ms each, with tokens of a minute: with 6 connections per origin a
# page's refresh waits behind API calls (and a page's calls behind each other).
CONNECTIONS = Scenario(
    tokens=TokenPolicy(access_ttl_s=60),
    latencies=Latencies(api_service_s=0.3, service_distribution="exponential"),
    workload=Workload(kind="steady", users=50, concurrency=8, page_rate_per_s=0.05, duration_s=900.0),
    name="connections",
)


def connection_limit_data(limits: tuple[int, ...] = (0, 6), scenario: Scenario = CONNECTIONS) -> pd.DataFrame:
    """p95 latency of requests that met an expiry (and of the others), per strategy and connection
    limit (0: unlimited; 6: HTTP/1.1). ``CONNECTIONS``: 50 users, pages of 8 calls of ~300 ms
    every ~20 s, tokens of a minute; one seed."""
    rows = []
    for strategy in STRATEGY_NAMES:
        for limit in limits:
            summary = run(scenario.with_(strategy=strategy, max_connections=limit)).summary
            rows.append(
                {
                    "strategy": strategy,
                    "max_connections": limit,
                    "expiry_latency_p95_ms": 1000 * summary["expiry_latency_p95_s"],
                    "clear_latency_p95_ms": 1000 * summary["clear_latency_p95_s"],
                    "refresh_calls": summary["refresh_calls"],
                }
            )
    return pd.DataFrame(rows)


# -- 14. the architect's decision matrix: libraries in five situations -----------


def library_matrix_data(server: str = "article") -> pd.DataFrame:
    """``sim.matrix.library_matrix``: every library preset in every situation, against ``server``."""
    return _library_matrix(server).copy()


@lru_cache(maxsize=4)
def _library_matrix(server: str) -> pd.DataFrame:  # remembered: a build draws it once, a second build reuses it
    return library_matrix(server=server)


# -- 15. a sweep's surface: the architect's sweep as heatmaps ---------------------------

ARCHITECT_SWEEP = Path(__file__).resolve().parent.parent / "scenarios" / "sweeps" / "architect.toml"
SWEEP_METRICS = ("refresh_amplification", "latency_p99_s")


def sweep_heatmap_data(path: Path | str = ARCHITECT_SWEEP) -> pd.DataFrame:
    """``scenarios/sweeps/architect.toml`` run afresh (not from a sweep cache): per point and strategy,
    the mean and 95 % half-width of refresh amplification and p99 latency over 5 seeds."""
    return _sweep_points(str(path)).copy()


@lru_cache(maxsize=2)
def _sweep_points(path: str) -> pd.DataFrame:  # remembered within a process, as the morning rush's runs are
    from .sweep import sweep  # noqa: PLC0415

    result = sweep(path, executor="processes", cache=False, progress=False)
    columns = [*result.sweep.parameters, "strategy", *(f"{m}{s}" for m in SWEEP_METRICS for s in ("", "_ci"))]
    return result.points[columns]


def _draw_sweep_heatmap(data: pd.DataFrame) -> Figure:
    return plots.fig_sweep_heatmap(
        data, "concurrency", "access_ttl_s", SWEEP_METRICS,
        labels={"concurrency": "API calls a page fires at once", "access_ttl_s": "access-token lifetime (s)",
                "refresh_amplification": "refresh calls per expiry", "latency_p99_s": "p99 latency (s)"},
        title="scenarios/sweeps/architect.toml: 100 users, 2 auth workers, 30 min; mean of 5 seeds ± 95 % half-width",
    )  # fmt: skip


_draw_sweep_heatmap.__name__ = "fig_sweep_heatmap"


# -- the registry and the build --------------------------------------------------


@dataclass(frozen=True)
class FigureSpec:
    """One figure: its file name, what it shows, how it is made, who uses it.

    ``suffix`` is the file's: ``png`` for a figure, ``gif`` for an animation.
    ``notebooks`` may be empty: the figure is then shown in the README and on
    the site's landing page only.
    """

    name: str
    title: str
    shows: str
    data: Callable[[], pd.DataFrame]
    draw: Callable[[pd.DataFrame], Figure | Animation]
    notebooks: tuple[str, ...]
    suffix: str = "png"

    @property
    def file(self) -> str:
        """The drawing's file name in ``figures/``: ``<name>.png`` or ``<name>.gif``."""
        return f"{self.name}.{self.suffix}"


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "sequence_diagram",
        "One burst, call by call",
        "One tab fires four requests 20 ms apart, one second after its access token died, drawn from "
        "the recorded calls. naive sends four refresh calls and stores four new tokens; locked sends "
        "one while the other requests wait for it, and all four retry together.",
        sequence_diagram_data,
        plots.fig_sequence_diagram,
        ("02-two-tokens", "04-single-flight-lock", "05-queue-and-replay"),
    ),
    FigureSpec(
        "sequence_animation",
        "The refresh storm, animated",
        "One tab fires eight requests 5 ms apart with an expired access token, against an auth server with "
        "2 workers that takes 50 ms a refresh: each recorded call is a dot flying at its simulated times. "
        "naive sends eight refresh calls, which pile up at the auth server (eight held at once, six waiting), "
        "and its last request is done at 565 ms; locked sends one, and all eight are done at 410 ms.",
        sequence_animation_data,
        plots.fig_sequence_animation,
        (),
        suffix="gif",
    ),
    FigureSpec(
        "refresh_storm",
        "The refresh storm",
        "Refresh calls and the slowest request of one burst against the number of requests in it "
        "(1 to 64). naive sends one refresh per request, and once they outnumber the auth server's "
        "4 workers the burst waits in its queue; locked and queued send one whatever the burst.",
        refresh_storm_data,
        plots.fig_refresh_storm,
        ("03-refresh-storm",),
    ),
    FigureSpec(
        "refresh_timeline",
        "Refresh calls over time",
        "Refresh calls per 10 s when 100 users log in together: a spike at each expiry of the 120 s "
        "access token, four times taller for naive (a page sends four requests). The spikes spread "
        "out as each user's next token starts at their own refresh.",
        refresh_timeline_data,
        plots.fig_refresh_timeline,
        ("03-refresh-storm", "06-comparing-strategies"),
    ),
    FigureSpec(
        "latency_cdf",
        "Latency distributions",
        "Cumulative distribution of request latency per strategy, requests that met an expiry apart "
        "from the rest, in the same morning rush (one auth worker). Meeting an expiry costs a 401 "
        "round trip, a refresh and a retry; naive's storm also queues at the auth server.",
        latency_cdf_data,
        plots.fig_latency_cdf,
        ("05-queue-and-replay", "06-comparing-strategies"),
    ),
    FigureSpec(
        "auth_load",
        "Auth-server load",
        "Refresh calls held by a one-worker auth server (most at once in each 5 s) when users log in "
        "together and when their logins are spread out: together, naive piles up a queue of 20+.",
        auth_load_data,
        plots.fig_auth_load,
        ("06-comparing-strategies",),
    ),
    FigureSpec(
        "ttl_sensitivity",
        "Sensitivity to the access-token lifetime",
        "Refresh calls per 1000 requests, the share of requests that met an expiry, and the p95 "
        "latency of those, against the access-token lifetime (30 to 240 s), each measured in steady state "
        "over 20 lifetimes after a warm-up of one; mean and 95 % confidence band over 5 seeds: a shorter "
        "lifetime makes users wait more often, not longer.",
        ttl_sensitivity_data,
        plots.fig_ttl_sensitivity,
        ("07-sensitivity",),
    ),
    FigureSpec(
        "rotation_logouts",
        "Rotation: users logged out by reuse detection",
        "The share of 20 users logged out within an hour when the auth server rotates refresh tokens and "
        "takes a used one presented again as theft, against the tabs each user has open, without and with a "
        "grace window (one seed). Without one, naive logs everyone out and locked and queued lose more users "
        "the more tabs they have (each tab refreshes on its own); a lock across tabs loses none. A grace "
        "window longer than the race saves locked and queued; naive's storm can still outrun it.",
        rotation_logouts_data,
        plots.fig_rotation_logouts,
        ("08-rotation-and-tabs",),
    ),
    FigureSpec(
        "tab_race",
        "Two tabs racing for one refresh token",
        "Two tabs of one user meet an expired access token at the same moment, under rotation with reuse "
        "detection: each refreshes with r2, the server rotates it for the first and takes the second as "
        "theft, and the user is logged out. With a lock across tabs the second tab waits, finds the new "
        "token in localStorage and sends nothing; with a grace window of 1 s the second refresh is allowed.",
        tab_race_data,
        plots.fig_tab_race,
        ("08-rotation-and-tabs",),
    ),
    FigureSpec(
        "herd",
        "A herd that logged in together",
        "Refresh calls reaching the auth server per second when 10,000 users log in within 10 s and each "
        "tab's timer refreshes 60 s before expiry (scenarios/herd.toml, 4 auth workers, 4 hours). With "
        "fixed 60 min lifetimes the whole fleet comes back every hour, squeezed only by the server's own "
        "queue; lifetimes randomised by the server (60-90 min, as Entra) or a margin jittered by the "
        "client spread the herd out within a few hours. XFetch does not: its delta is the last round "
        "trip, longest for the users who queued longest, so it pulls exactly those forward.",
        herd_data,
        plots.fig_herd,
        ("09-proactive-refresh",),
    ),
    FigureSpec(
        "clock_skew",
        "A wrong clock and a proactive client",
        "Refresh calls and 401s per request against how far the client's clock is off, for a client that "
        "refreshes on use before its 5 min tokens expire. Reading exp, a clock ahead by more than the "
        "lifetime minus the margin refreshes before every page; a clock behind by more than the margin "
        "refreshes too late and meets 401s. Estimating the skew (keycloak-js) or counting expires_in "
        "from the answer's arrival ends both.",
        clock_skew_data,
        plots.fig_clock_skew,
        ("09-proactive-refresh",),
    ),
    FigureSpec(
        "outage_backlog",
        "A short outage that does not end",
        "The auth server's backlog (refresh calls held, mean over 5 s) through the 30 s silent outage of "
        "scenarios/outage.toml, per client. With the article's interceptor retrying at once, the calls the "
        "outage held all come back together, time out, are retried while the server still works on them, and "
        "the backlog grows for as long as users stay: a metastable failure. One refresh per tab, full-jitter "
        "backoff and a retry budget: back within seconds.",
        outage_backlog_data,
        plots.fig_outage_backlog,
        ("10-outages-and-backoff",),
    ),
    FigureSpec(
        "outage_recovery",
        "Recovery time against the outage's length",
        "How long the auth server's backlog takes to come back after a silent outage of 5 to 60 s, per "
        "client (a cross: not back while users were still there). The article's interceptor retrying at once "
        "comes back from 5 and 15 s and never from 30 or 60 s: past a threshold the retries alone keep the "
        "server full. Without retries, or with one refresh per tab (with or without backoff), every outage "
        "is over within 15 s.",
        outage_recovery_data,
        plots.fig_outage_recovery,
        ("10-outages-and-backoff",),
    ),
    FigureSpec(
        "backoff_policies",
        "Backoff policies with many clients contending",
        "200 clients refresh at once against one auth worker (10 s of work), giving up after 1 s and trying "
        "up to 100 times: refresh calls per successful refresh, and the time until the last one succeeded, per "
        "retry policy. As in Brooker's simulation, immediate and fixed retries keep the server busy with calls "
        "nobody waits for and almost nobody gets through; plain exponential backoff gets everyone through, in "
        "synchronized waves, slowly; jitter spreads the waves: fewer calls and a faster drain.",
        backoff_policies_data,
        plots.fig_backoff_policies,
        ("10-outages-and-backoff",),
    ),
    FigureSpec(
        "connection_limit",
        "Six connections per origin",
        "p95 latency of requests that met an expiry, and of the others, with unlimited connections and with "
        "HTTP/1.1's 6 per origin, per strategy: pages of 8 calls of ~300 ms, tokens of a minute. With 6, the "
        "refresh waits behind API calls for a connection, and the retries behind each other.",
        connection_limit_data,
        plots.fig_connection_limit,
        ("10-outages-and-backoff",),
    ),
    FigureSpec(
        "library_matrix",
        "Which library, in which situation",
        "The architect's decision matrix (python -m sim libraries): each client library preset, as its source "
        "behaves, in five situations against the article's server: a burst of 50 after expiry, 3 tabs under "
        "rotation, a morning rush of 500 users on 4 auth workers, a 60 s auth outage, clocks 2 min fast. Cells: "
        "refresh calls per user, failed requests, logouts, p95 latency; green is fine, red loses requests or users.",
        library_matrix_data,
        plots.fig_library_matrix,
        ("11-choosing-a-library",),
    ),
    FigureSpec(
        "sweep_heatmap",
        "A sweep's surface: concurrency x access lifetime",
        "scenarios/sweeps/architect.toml (240 runs: python -m sim sweep): refresh calls per expiry and p99 latency "
        "over the calls a page fires at once and the access lifetime, one column per strategy, mean of 5 seeds "
        "with its 95 % half-width. naive's amplification grows with the page; a lock keeps it at 1.",
        sweep_heatmap_data,
        _draw_sweep_heatmap,
        ("07-sensitivity",),
    ),
)


def csv_text(data: pd.DataFrame) -> str:
    """The CSV a figure's data is saved as (fixed float format, no index)."""
    return data.to_csv(index=False, float_format=CSV_FLOAT_FORMAT, lineterminator="\n")


def read_csv_text(text: str) -> pd.DataFrame:
    """Read back what ``csv_text`` wrote (empty fields stay empty strings)."""
    return pd.read_csv(io.StringIO(text), keep_default_na=False, na_values=[""])


def save_figure(figure: Figure, path: Path) -> None:
    """Save as PNG with no software or date stamp, so reruns are byte-identical."""
    figure.savefig(path, dpi=PNG_DPI, metadata={"Software": None})


def build_all(out_dir: Path, progress: bool = False, only: Iterable[str] | None = None) -> list[Path]:
    """Rebuild every figure (or those named in ``only``), its data and ``README.md`` in ``out_dir``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    chosen = FIGURES if only is None else tuple(spec for spec in FIGURES if spec.name in set(only))
    written = []
    for spec in tqdm(chosen, disable=not progress, desc="figures"):
        data = spec.data()
        csv_path = out_dir / f"{spec.name}.csv"
        csv_path.write_text(csv_text(data))
        drawn, path = spec.draw(data), out_dir / spec.file
        if isinstance(drawn, Animation):
            plots.save_gif(drawn, path)
        else:
            save_figure(drawn, path)
        written += [path, csv_path]
    readme = out_dir / "README.md"
    readme.write_text(readme_text())
    written.append(readme)
    return written


NO_NOTEBOOK = "the README and the site's landing page"  # where a figure no notebook draws is shown


def readme_text() -> str:
    """The figures' index: file, what it shows, how it is made, who uses it."""
    lines = [
        "# Figures",
        "",
        "Rebuilt by `python -m sim figures` (`sim.figures.build_all`); do not edit by",
        "hand. Each `<name>.png` (`<name>.gif` for an animation) is drawn by",
        "`sim.plots.fig_<name>` from `<name>.csv`, which is what the data function",
        "`sim.figures.<name>_data()` returns (it runs the simulation with fixed",
        "seeds). `tests/test_figures.py` checks that the data still comes out the",
        "same, so a model change that moves a figure shows.",
        "",
    ]
    for spec in FIGURES:
        notebooks = ", ".join(f"`notebooks/{nb}.ipynb`" for nb in spec.notebooks) or NO_NOTEBOOK
        lines += [
            f"## {spec.title}",
            "",
            f"![{spec.title}]({spec.file})",
            "",
            spec.shows,
            "",
            f"- files: `{spec.file}`, `{spec.name}.csv`",
            f"- drawn by: `sim.plots.{spec.draw.__name__}`",
            f"- data: `sim.figures.{spec.data.__name__}()`",
            f"- used in: {notebooks}",
            "",
        ]
    return "\n".join(lines)
