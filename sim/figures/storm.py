"""The refresh storm and what it costs: the figures that compare the strategies.

A burst's refresh storm (one tab, 1 to 64 requests after expiry), refresh
calls over time in a small morning rush (``RUSH``: 100 users who log in
together, so their tokens die together), latency distributions, the auth
server's load with logins together or spread, and sensitivity to the
access-token lifetime (``SENSITIVITY``). The morning-rush figures also take
``scenario=``, and ``<name>_of(results)`` makes the same table from runs a
notebook already has.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from .. import (
    STRATEGY_NAMES,
    Capacities,
    Latencies,
    Result,
    Scenario,
    TokenPolicy,
    Workload,
    run,
)
from ..sweep import Sweep, sweep
from .runs import swept
from .spec import FigureSpec
from .theme import _line_style, _log2_axis, _strategies, style

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


# -- the refresh storm of one burst ----------------------------------------------------------------


def refresh_storm_data(
    concurrency: tuple[int, ...] = (1, 2, 4, 8, 16, 24, 32, 40, 48, 56, 64),
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
    runs = swept(Sweep("refresh-storm", base, {"concurrency": tuple(concurrency)}, STRATEGY_NAMES))
    return pd.DataFrame(
        {
            "strategy": runs["strategy"],
            "concurrency": runs["concurrency"],
            "refresh_calls": runs["refresh_calls"],
            "unauthorized_responses": runs["unauthorized_responses"],
            "slowest_request_ms": runs["latency_max_s"] * 1000,
            "auth_capacity": auth_capacity,
        }
    )


def fig_refresh_storm(storm: pd.DataFrame) -> Figure:
    """Refresh calls and slowest request of one burst against its size.

    ``storm`` is ``sim.figures.refresh_storm_data()``.
    """
    with style():
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        calls_ax, slow_ax = fig.subplots(1, 2)
        for strategy, look in _strategies(storm).items():
            rows = storm[storm["strategy"] == strategy].sort_values("concurrency")
            marker = {"marker": look["marker"], "markersize": 6}
            if strategy == "queued":
                marker["markerfacecolor"] = "white"
            calls_ax.plot(rows["concurrency"], rows["refresh_calls"], **_line_style(look), **marker)
            slow_ax.plot(rows["concurrency"], rows["slowest_request_ms"], **_line_style(look), **marker)
        # linear axes: both grow in proportion to the burst (a log axis would bend the right panel's line)
        for ax in (calls_ax, slow_ax):
            ax.set_xlim(left=0)
            ax.set_xlabel("requests fired at once after the token expired")
        calls_ax.set_ylim(bottom=0)
        calls_ax.set_ylabel("refresh calls sent")
        calls_ax.set_title("Refresh calls per burst")
        capacity = int(storm["auth_capacity"].iloc[0])
        slow_ax.set_ylim(bottom=0)
        slow_ax.set_ylabel("latency of the slowest request (ms)")
        slow_ax.set_title(f"Slowest request (auth server: {capacity} workers)")
        calls_ax.legend(title="strategy", loc="upper left")
        return fig


# -- refresh calls over time -----------------------------------------------------------------------


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


def fig_refresh_timeline(timeline: pd.DataFrame) -> Figure:
    """Refresh calls per time window, one line per strategy, expiries marked.

    ``timeline`` is ``sim.figures.refresh_timeline_data()``.
    """
    with style():
        fig = Figure(figsize=(8, 4.5), layout="constrained")
        ax = fig.subplots()
        bin_s = float(timeline["bin_s"].iloc[0])
        for strategy, look in _strategies(timeline).items():
            rows = timeline[timeline["strategy"] == strategy].sort_values("bin_start_s")
            edges = np.append(rows["bin_start_s"].to_numpy(), rows["bin_start_s"].iloc[-1] + bin_s)
            ax.stairs(rows["refresh_calls"], edges, **_line_style(look), lw=1.8)
        ttl = float(timeline["access_ttl_s"].iloc[0])
        end = float(timeline["bin_start_s"].max() + bin_s)
        for expiry in np.arange(ttl, end, ttl):
            ax.axvline(expiry, color="0.35", lw=0.9, linestyle=":", zorder=0)
        ax.set_xlim(0, end)
        ax.set_ylim(bottom=0)
        ax.set_xlabel("time since the users logged in together (s)")
        ax.set_ylabel(f"refresh calls sent per {bin_s:g} s")
        ax.set_title(f"Access tokens live {ttl:g} s (dotted: multiples of {ttl:g} s)", loc="left")
        legend = ax.legend(title="strategy", loc="upper right", frameon=True, framealpha=1)
        legend.get_frame().set_edgecolor("none")
        return fig


# -- latency distributions -------------------------------------------------------------------------

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


def fig_latency_cdf(quantiles: pd.DataFrame) -> Figure:
    """Latency CDFs per strategy: requests that met an expiry, and the rest.

    ``quantiles`` is ``sim.figures.latency_cdf_data()``.

    Curves often coincide (every strategy serves a request that met no
    expiry alike), so each is drawn narrower than the one before it, on top
    of it: the first strategy is the widest line, at the bottom, and stays
    visible as a border around the others. A panel whose curves lie within a
    few milliseconds of each other from p5 to p99 says so in a note.
    """
    looks = _strategies(quantiles)
    widths = {name: 1.4 + 1.6 * (len(looks) - 1 - i) for i, name in enumerate(looks)}
    with style():
        fig = Figure(figsize=(9, 4.5), layout="constrained")
        clear_ax, expiry_ax = fig.subplots(1, 2, sharex=True, sharey=True)
        panels = (
            (clear_ax, False, "Requests that met no expiry"),
            (expiry_ax, True, "Requests that met an expiry\n(got a 401 or waited for a refresh)"),
        )
        for ax, met, title in panels:
            panel = quantiles[quantiles["met_expiry"] == met]
            for z, (strategy, look) in enumerate(looks.items()):
                rows = panel[panel["strategy"] == strategy].sort_values("fraction")
                n = int(rows["requests"].iloc[0])
                style_ = _line_style(look) | {"label": f"{strategy} ({n:,} requests)", "lw": widths[strategy]}
                ax.plot(rows["latency_ms"], rows["fraction"], zorder=2 + z, **style_)
            middle = panel[panel["fraction"].between(0.05, 0.99)]
            gap_ms = middle.groupby("fraction")["latency_ms"].agg(lambda ms: ms.max() - ms.min()).max()
            if len(looks) > 1 and gap_ms <= 5:  # the curves coincide: say so
                apart = "less than 1 ms" if gap_ms < 1 else f"at most {gap_ms:.0f} ms"
                ax.text(
                    0.97,
                    0.6,
                    f"The {len(looks)} curves coincide: from p5 to p99\nthey are {apart} apart.\n"
                    f"{next(iter(looks))} is the widest line, at the bottom.",
                    transform=ax.transAxes,
                    ha="right",
                    va="center",
                    fontsize=9,
                )
            ax.set_title(title)
            ax.set_xlabel("latency, from the app's ask to its answer (ms)")
            ax.legend(loc="lower right", title="strategy")
        clear_ax.set_ylabel("fraction of requests at most this slow")
        clear_ax.set_ylim(0, 1.01)
        clear_ax.set_xlim(left=0)
        return fig


# -- the auth server's load ------------------------------------------------------------------------


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


def fig_auth_load(load: pd.DataFrame) -> Figure:
    """Refresh calls held by the auth server over time, logins together vs spread.

    ``load`` is ``sim.figures.auth_load_data()``.
    """
    with style():
        fig = Figure(figsize=(8, 5.5), layout="constrained")
        panels = [name for name in ("together", "spread") if name in set(load["logins"])]
        axes = fig.subplots(len(panels), 1, sharex=True, sharey=True, squeeze=False)[:, 0]
        capacity = int(load["auth_capacity"].iloc[0])
        looks = _strategies(load)  # over both panels, so a label looks the same in each
        titles = {
            "together": "Users log in together: their tokens expire together",
            "spread": "Logins spread out: tokens expire at different times",
        }
        for ax, logins in zip(axes, panels, strict=True):
            rows = load[load["logins"] == logins]
            for strategy, look in looks.items():
                mine = rows[rows["strategy"] == strategy]
                if mine.empty:
                    continue
                mine = mine.sort_values("time_s")
                step = float(mine["time_s"].iloc[1] - mine["time_s"].iloc[0])
                edges = np.append(mine["time_s"].to_numpy(), mine["time_s"].iloc[-1] + step)
                ax.stairs(mine["peak_in_flight"], edges, **_line_style(look), lw=1.5)
            ax.axhline(capacity, color="black", lw=0.9, linestyle="--", zorder=0)
            ax.text(
                0.005,
                capacity,
                f"{capacity} auth worker{'s' if capacity != 1 else ''}: calls above it queue",
                transform=ax.get_yaxis_transform(),
                ha="left",
                va="bottom",
                fontsize=8,
            )
            ax.set_title(titles.get(logins, logins), loc="left")
            ax.set_ylabel(f"refresh calls held at once\n(most in each {step:g} s)")
            ax.set_ylim(bottom=0)
        axes[-1].legend(title="strategy", loc="upper left")
        axes[-1].set_xlabel("time since the first login (s)")
        axes[-1].set_xlim(0, float(load["time_s"].max()) + step)
        return fig


# -- sensitivity to the access-token lifetime ------------------------------------------------------

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
    in_step = {  # each lifetime with its run's duration (a zip design)
        "access_ttl_s": tuple(access_ttl_s),
        "duration_s": tuple(float((lifetimes + 1) * ttl) for ttl in access_ttl_s),
    }
    the_sweep = Sweep(
        "ttl-sensitivity", SENSITIVITY, in_step, STRATEGY_NAMES, replications, design="zip", measure=_steady_state
    )
    table = sweep(the_sweep, executor="inline", cache=False, progress=False).points
    table.insert(2, "measured_from_s", table["access_ttl_s"].astype(float))
    table["replications"] = replications
    return table


def _steady_state(result: Result) -> dict:
    """One run's refresh cost and expiry latency after a warm-up of one access lifetime, counting the
    requests created and the refreshes sent from then on."""
    from_s = float(result.scenario.tokens.access_ttl_s)
    requests = result.requests[result.requests["created_s"] >= from_s]
    refreshes = result.refreshes[result.refreshes["sent_s"] >= from_s]
    workload = result.scenario.workload
    user_hours = workload.users * (workload.duration_s - from_s) / 3600
    met = requests[requests["met_expiry"] & (requests["reason"] == "ok")]
    return {
        "refresh_per_1000_requests": 1000 * len(refreshes) / len(requests),
        "refresh_per_user_hour": len(refreshes) / user_hours,
        "expiry_share_pct": 100 * requests["met_expiry"].sum() / len(requests),
        "expiry_latency_p95_ms": 1000 * met["latency_s"].quantile(0.95),
    }


def fig_ttl_sensitivity(table: pd.DataFrame) -> Figure:
    """Refresh cost and expiry latency against the access-token lifetime, with 95 % bands.

    ``table`` is ``sim.figures.ttl_sensitivity_data()``.
    """
    looks = _strategies(table)
    # strategies often coincide (every one meets the same expiries): the first is drawn widest, at the bottom
    under = {name: len(looks) - 1 - i for i, name in enumerate(looks)}  # how many are drawn on top of each
    with style():
        fig = Figure(figsize=(10, 4.2), layout="constrained")
        axes = fig.subplots(1, 3, sharex=True)
        panels = (
            ("refresh_per_1000_requests", "refresh calls per 1000 requests", "Refresh cost"),
            ("expiry_share_pct", "requests that met an expiry (%)", "How often users wait"),
            ("expiry_latency_p95_ms", "p95 latency of those requests (ms)", "How long they wait"),
        )
        for ax, (column, label, title) in zip(axes, panels, strict=True):
            for z, (strategy, look) in enumerate(looks.items()):
                rows = table[table["strategy"] == strategy].sort_values("access_ttl_s")
                mean, half = rows[column], rows[f"{column}_ci"]
                line = _line_style(look) | {"lw": 1.6 + 1.1 * under[strategy], "zorder": 2 + z}
                ax.fill_between(rows["access_ttl_s"], mean - half, mean + half, color=line["color"], alpha=0.18, lw=0)
                ax.plot(rows["access_ttl_s"], mean, marker=look["marker"], markersize=5 + 2 * under[strategy], **line)
            ax.set_xscale("log", base=2)
            _log2_axis(ax.xaxis, table["access_ttl_s"])
            ax.set_xlabel("access-token lifetime (s, log scale)")
            ax.set_ylabel(label)
            ax.set_title(title)
            ax.set_ylim(bottom=0)
        reps = int(table["replications"].iloc[0])
        title = f"Mean over {reps} seeds, shaded: 95 % confidence interval"
        if {"duration_s", "measured_from_s"} <= set(table.columns):
            first = table.iloc[0]
            measured = (first["duration_s"] - first["measured_from_s"]) / first["access_ttl_s"]
            title += f"; each lifetime T measured over {measured:g} T, after a warm-up of one T"
        fig.suptitle(title, fontsize=10)
        axes[-1].legend(title="strategy", loc="lower left")
        return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "refresh_storm",
        "The refresh storm",
        "Refresh calls and the slowest request of one burst against the number of requests in it "
        "(1 to 64). naive sends one refresh per request, and once they outnumber the auth server's "
        "4 workers the burst waits in its queue; locked and queued send one whatever the burst.",
        refresh_storm_data,
        fig_refresh_storm,
        ("03-refresh-storm",),
    ),
    FigureSpec(
        "refresh_timeline",
        "Refresh calls over time",
        "Refresh calls per 10 s when 100 users log in together: a spike at each expiry of the 120 s "
        "access token, four times taller for naive (a page sends four requests). The spikes spread "
        "out as each user's next token starts at their own refresh.",
        refresh_timeline_data,
        fig_refresh_timeline,
        ("03-refresh-storm", "06-comparing-strategies"),
    ),
    FigureSpec(
        "latency_cdf",
        "Latency distributions",
        "Cumulative distribution of request latency per strategy, requests that met an expiry apart "
        "from the rest, in the same morning rush (one auth worker). Meeting an expiry costs a 401 "
        "round trip, a refresh and a retry; naive's storm also queues at the auth server.",
        latency_cdf_data,
        fig_latency_cdf,
        ("05-queue-and-replay", "06-comparing-strategies"),
    ),
    FigureSpec(
        "auth_load",
        "Auth-server load",
        "Refresh calls held by a one-worker auth server (most at once in each 5 s) when users log in "
        "together and when their logins are spread out: together, naive piles up a queue of 20+.",
        auth_load_data,
        fig_auth_load,
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
        fig_ttl_sensitivity,
        ("07-sensitivity",),
    ),
)
