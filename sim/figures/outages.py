"""Outages and backoff: the backlog through an outage, recovery against its length, backoff policies
with many clients, and the browser's connection limit.

A silent outage of the auth server holds every refresh sent during it; how
the clients retry decides whether the backlog drains when the server comes
back (``scenarios/outage.toml``, per client of ``OUTAGE_CLIENTS``). With many
clients contending (``CONTENTION``, Brooker's setting) the retry policy
decides how many calls it takes; and a browser's six connections per origin
make a refresh wait behind API calls (``CONNECTIONS``).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.patches import Patch
from matplotlib.ticker import MultipleLocator

from .. import (
    STRATEGY_NAMES,
    Capacities,
    Latencies,
    Result,
    Scenario,
    TokenPolicy,
    Workload,
    in_flight,
    run_all,
)
from ..metrics import RECOVERY_BIN_S, binned_mean
from ..palette import OKABE_ITO
from ..scenario_file import SCENARIOS_DIR, load_scenario_file
from ..sweep import Sweep
from .runs import swept
from .spec import FigureSpec
from .theme import _strategies, style

OUTAGE_FILE = SCENARIOS_DIR / "outage.toml"
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


_CLIENT_COLORS = [OKABE_ITO["vermillion"], OKABE_ITO["reddish_purple"], OKABE_ITO["orange"], OKABE_ITO["blue"]]
_CLIENT_MARKERS = ["o", "X", "v", "s"]


def _clients(data: pd.DataFrame) -> dict[str, tuple[str, str]]:
    names = list(dict.fromkeys(data["client"]))
    return {name: (_CLIENT_COLORS[i % 4], _CLIENT_MARKERS[i % 4]) for i, name in enumerate(names)}


# -- the backlog through one outage ----------------------------------------------------------------


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


def fig_outage_backlog(data: pd.DataFrame) -> Figure:
    """The auth server's backlog over time, one line per client (log scale), the outage shaded.

    ``data`` is ``sim.figures.outage_backlog_data()``.
    """
    with style():
        fig = Figure(figsize=(9.5, 4.6), layout="constrained")
        ax = fig.subplots()
        start, end = data["outage_start_s"].iloc[0], data["outage_end_s"].iloc[0]
        ax.axvspan(start, end, color="0.88", zorder=0)
        ax.text((start + end) / 2, 0.98, "outage", transform=ax.get_xaxis_transform(), ha="center", va="top",
                fontsize=8)  # fmt: skip
        for client, (color, _) in _clients(data).items():
            rows = data[data["client"] == client]
            recovery = rows["recovery_s"].iloc[0]
            note = "never back" if math.isnan(recovery) else f"back after {recovery:g} s"
            ax.step(rows["time_s"], rows["backlog"] + 0.1, where="post", color=color, lw=1.4,
                    label=f"{client}: {note}")  # fmt: skip
        ax.set_yscale("log")
        ax.set_ylim(0.08, None)
        ax.set_xlabel("time (s)")
        ax.set_ylabel("refresh calls held by the auth server\n(mean over 5 s, + 0.1 for the log scale)")
        ax.legend(loc="upper left", fontsize=8)
        ax.set_title("A 30 s silent outage of an auth server with six times the headroom it needs", loc="left",
                     fontsize=10)  # fmt: skip
        return fig


# -- recovery against the outage's length ----------------------------------------------------------


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
    outages = tuple(f"{OUTAGE_START_S:g}:{OUTAGE_START_S + length:g}:silent" for length in lengths_s)
    the_sweep = Sweep("outage-recovery", base, {"auth_outages": outages}, dict(OUTAGE_CLIENTS))
    runs = swept(the_sweep, executor="processes")
    length = runs["auth_outages"].map(dict(zip(outages, lengths_s, strict=True)))
    return pd.DataFrame(
        {
            "client": runs["client"],
            "outage_s": length,
            "recovery_s": runs["recovery_s"],
            "recovered": runs["recovery_s"].notna(),
            "watched_s": after_s - length,
            "refresh_calls": runs["refresh_calls"],
            "requests_failed": runs["requests_failed"],
        }
    )


def fig_outage_recovery(data: pd.DataFrame) -> Figure:
    """Recovery time against outage length, one line per client through the runs that recovered; a run
    that never recovered is a cross in the strip above, which has no time scale (nothing was measured).

    ``data`` is ``sim.figures.outage_recovery_data()``.
    """
    with style():
        fig = Figure(figsize=(8, 5.0), layout="constrained")
        lost_ax, ax = fig.subplots(2, 1, sharex=True, height_ratios=(1, 6))
        clients = _clients(data)
        dodge = np.linspace(-0.8, 0.8, len(clients))  # seconds: coinciding points stay visible
        for row, ((client, (color, marker)), nudge) in enumerate(zip(clients.items(), dodge, strict=True)):
            rows = data[data["client"] == client].sort_values("outage_s")
            x = rows["outage_s"] + nudge
            back = rows["recovery_s"].where(rows["recovered"])  # NaN breaks the line: no value is made up
            ax.plot(x, back, color=color, marker=marker, markersize=6, lw=1.2, label=client)
            lost = ~rows["recovered"]
            lost_ax.scatter(x[lost], [row] * int(lost.sum()), marker="x", s=60, color=color)
        watched = data.loc[~data["recovered"], "watched_s"]
        since = f" (watched {watched.min():.0f} s or more)" if len(watched) else ""
        lost_ax.set_title(f"not back while users were there{since}", fontsize=9, loc="left")
        lost_ax.set_ylim(-0.8, len(clients) - 0.2)
        lost_ax.set_yticks([])
        lost_ax.grid(axis="y", visible=False)
        lost_ax.spines[["left"]].set_visible(False)
        ax.set_xticks(sorted(data["outage_s"].unique()))
        ax.set_ylim(bottom=0)
        ax.set_xlabel("length of the silent outage (s)")
        ax.set_ylabel(f"time for the backlog to come back\n(s, in steps of {RECOVERY_BIN_S:g} s)")
        ax.yaxis.set_major_locator(MultipleLocator(RECOVERY_BIN_S))
        ax.legend(loc="upper left", fontsize=8)
        return fig


# -- backoff policies with many clients contending -------------------------------------------------

# Many clients contending (Brooker's setting): 200 users whose tokens have all died (their logins
# queued for 10 s at the start) refresh at once at 75 s against one auth worker of 50 ms (20 a
# second: 10 s of work), giving up after 1 s.
CONTENTION = Scenario(
    tokens=TokenPolicy(access_ttl_s=60),
    latencies=Latencies(rtt_s=0.1, auth_service_s=0.05),
    capacities=Capacities(auth_capacity=1),
    workload=Workload(kind="burst", users=200, concurrency=1, at_s=75.0),  # every token is dead by 71 s
    name="contention",
).with_(strategy="locked", refresh_timeout_s=1.0, retries_exhausted="fail")
BACKOFF_POLICIES = ("none", "immediate", "fixed", "exponential", "full-jitter", "equal-jitter", "decorrelated")


def backoff_policies_data(scenario: Scenario = CONTENTION, max_tries: int = 100) -> pd.DataFrame:
    """Calls per successful refresh, refreshes that never succeeded, and time to drain, per retry
    policy, when many clients contend (``CONTENTION``: 200 users refresh at once against one
    worker, giving up after 1 s; up to ``max_tries`` tries, as good as until it works, base 1 s,
    cap 30 s; one seed). A refresh succeeded if its 200 came back before the client gave up;
    ``drain_s`` (until the last one succeeded) is NaN if some never did."""
    clients = {
        policy: {} if policy == "none" else {"retry": policy, "max_tries": max_tries} for policy in BACKOFF_POLICIES
    }
    runs = swept(Sweep("backoff-policies", scenario, {}, clients, measure=_refresh_outcome))
    return runs.rename(columns={"client": "retry"})[["retry", *REFRESH_OUTCOME]]


# What _refresh_outcome gives of each run.
REFRESH_OUTCOME = ("refresh_calls", "refreshed", "calls_per_success", "never_refreshed", "drain_s", "wasted_calls")


def _refresh_outcome(result: Result) -> dict:
    """One run's refresh calls, the refreshes that succeeded (their 200 came back before the client gave
    up on them), the users who never refreshed and how long until the last one did."""
    refreshes, requests = result.refreshes, result.requests
    timeout_s = result.scenario.client.refresh_timeout_s
    ok = refreshes[(refreshes["status"] == 200) & (refreshes["received_s"] - refreshes["sent_s"] <= timeout_s)]
    start_s = requests["created_s"].min()
    return {
        "refresh_calls": len(refreshes),
        "refreshed": len(ok),
        "calls_per_success": len(refreshes) / len(ok) if len(ok) else np.nan,
        "never_refreshed": result.scenario.workload.users - len(ok),
        "drain_s": float(ok["received_s"].max() - start_s) if len(ok) == len(requests) else np.nan,
        "wasted_calls": int((refreshes["received_s"] - refreshes["sent_s"] > timeout_s).sum()),
    }


def fig_backoff_policies(data: pd.DataFrame) -> Figure:
    """Calls per successful refresh and time to drain, one bar per retry policy.

    ``data`` is ``sim.figures.backoff_policies_data()``.
    """
    with style():
        fig = Figure(figsize=(10, 4.2), layout="constrained")
        calls_ax, drain_ax = fig.subplots(1, 2, sharey=True)
        policies = list(data["retry"])
        y = np.arange(len(policies))
        # red: some clients never got through
        colors = [OKABE_ITO["vermillion"] if n else OKABE_ITO["blue"] for n in data["never_refreshed"]]
        calls_ax.barh(y, data["calls_per_success"], color=colors)
        drain_ax.barh(y, data["drain_s"], color=colors)
        users = int((data["refreshed"] + data["never_refreshed"]).iloc[0])
        for k, row in enumerate(data.itertuples()):
            calls_ax.text(row.calls_per_success, k, f" {row.calls_per_success:.1f}", va="center", fontsize=8)
            if math.isnan(row.drain_s):
                drain_ax.text(0, k, f" never: {row.never_refreshed} of {users} never refreshed", va="center",
                              fontsize=8, color=OKABE_ITO["vermillion"])  # fmt: skip
            else:
                drain_ax.text(row.drain_s, k, f" {row.drain_s:.0f} s", va="center", fontsize=8)
        calls_ax.set_yticks(y)
        calls_ax.set_yticklabels(policies)
        calls_ax.invert_yaxis()
        calls_ax.set_xlabel("refresh calls per successful refresh (log scale)")
        drain_ax.set_xlabel("time until the last refresh succeeded (s)")
        calls_ax.set_ylabel("retry policy")
        calls_ax.set_xscale("log")
        calls_ax.set_xlim(1, data["calls_per_success"].max() * 4)
        drain_ax.set_xlim(0, np.nanmax(data["drain_s"]) * 1.3)
        fig.suptitle("200 clients refresh at once against one auth worker (10 s of work), giving up after 1 s, "
                     "up to 100 tries", fontsize=10)  # fmt: skip
        return fig


# -- the connection limit --------------------------------------------------------------------------

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
    runs = swept(Sweep("connection-limit", scenario, {"max_connections": tuple(limits)}, STRATEGY_NAMES))
    return pd.DataFrame(
        {
            "strategy": runs["strategy"],
            "max_connections": runs["max_connections"],
            "expiry_latency_p95_ms": 1000 * runs["expiry_latency_p95_s"],
            "clear_latency_p95_ms": 1000 * runs["clear_latency_p95_s"],
            "refresh_calls": runs["refresh_calls"],
        }
    )


def fig_connection_limit(data: pd.DataFrame) -> Figure:
    """p95 latency of requests that met an expiry (and of the others) per strategy, unlimited
    connections beside 6.

    ``data`` is ``sim.figures.connection_limit_data()``.
    """
    with style():
        fig = Figure(figsize=(8.5, 4.2), layout="constrained")
        met_ax, clear_ax = fig.subplots(1, 2, sharey=True)
        strategies = _strategies(data)
        limits = sorted(data["max_connections"].unique())
        width = 0.8 / len(limits)
        for k, limit in enumerate(limits):
            rows = data[data["max_connections"] == limit].set_index("strategy").reindex(list(strategies))
            x = np.arange(len(strategies)) + (k - (len(limits) - 1) / 2) * width
            label = "unlimited connections" if limit == 0 else f"{limit} connections per origin"
            hatch = "" if limit == 0 else "//"
            colors = [look["color"] for look in strategies.values()]
            for ax, column in ((met_ax, "expiry_latency_p95_ms"), (clear_ax, "clear_latency_p95_ms")):
                ax.bar(x, rows[column], width, color=colors, edgecolor="black", hatch=hatch, label=label, alpha=0.9)
        for ax, title in ((met_ax, "requests that met an expiry"), (clear_ax, "all the others")):
            ax.set_xticks(np.arange(len(strategies)))
            ax.set_xticklabels(list(strategies))
            ax.set_xlabel("strategy")
            ax.set_title(title, fontsize=10)
        met_ax.set_ylabel("p95 latency (ms)")
        keys = [Patch(facecolor="0.85", edgecolor="black", hatch="" if limit == 0 else "//",
                      label="unlimited connections" if limit == 0 else f"{limit} connections per origin")
                for limit in limits]  # fmt: skip
        fig.legend(handles=keys, loc="outside lower center", ncols=2, fontsize=8)
        fig.suptitle("Pages of 8 calls of ~300 ms, tokens of a minute: solid unlimited, hatched 6 per origin",
                     fontsize=10)  # fmt: skip
        return fig


FIGURES: tuple[FigureSpec, ...] = (
    FigureSpec(
        "outage_backlog",
        "A short outage that does not end",
        "The auth server's backlog (refresh calls held, mean over 5 s) through the 30 s silent outage of "
        "scenarios/outage.toml, per client. With the article's interceptor given immediate retries (it has none), "
        "the calls the "
        "outage held all come back together, time out, are retried while the server still works on them, and "
        "the backlog grows for as long as users stay: a metastable failure. One refresh per tab, full-jitter "
        "backoff and a retry budget: back within seconds.",
        outage_backlog_data,
        fig_outage_backlog,
        ("10-outages-and-backoff",),
    ),
    FigureSpec(
        "outage_recovery",
        "Recovery time against the outage's length",
        "How long the auth server's backlog takes to come back after a silent outage of 5 to 60 s, per "
        "client (a cross: not back while users were still there). The article's interceptor given immediate "
        "retries (it has none) "
        "comes back from 5 and 15 s and never from 30 or 60 s: past a threshold the retries alone keep the "
        "server full. Without retries, or with one refresh per tab (with or without backoff), every outage "
        "is over within 15 s.",
        outage_recovery_data,
        fig_outage_recovery,
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
        fig_backoff_policies,
        ("10-outages-and-backoff",),
    ),
    FigureSpec(
        "connection_limit",
        "Six connections per origin",
        "p95 latency of requests that met an expiry, and of the others, with unlimited connections and with "
        "HTTP/1.1's 6 per origin, per strategy: pages of 8 calls of ~300 ms, tokens of a minute. With 6, the "
        "refresh waits behind API calls for a connection, and the retries behind each other.",
        connection_limit_data,
        fig_connection_limit,
        ("10-outages-and-backoff",),
    ),
)
